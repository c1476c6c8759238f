//! Runs Whisper (whisper.cpp through whisper-rs) on 16 kHz mono audio and turns its segments and token
//! timestamps into a [`Transcript`] with word times. Used by the CLI directly and by the ASR worker thread.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState};

use crate::audio::silence::Levels;
use crate::delivery::FILLER_PROMPT;
use crate::transcript::{TimedText, Transcript};

/// Why transcription failed.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error(
        "cannot load model {path}: {reason}; re-import it with `rehearse model import` or pick another with --model"
    )]
    Load { path: String, reason: String },
    #[error("transcription failed: {0}")]
    Run(String),
    #[error("transcription cancelled")]
    Cancelled,
}

/// A loaded Whisper model, ready to transcribe many answers.
pub struct Model {
    ctx: WhisperContext,
    threads: i32,
    pub name: String,
    /// Word starts come from whisper.cpp's DTW token times (cross-attention alignment heads).
    dtw: bool,
}

/// Options for one transcription.
#[derive(Clone, Debug)]
pub struct Options {
    /// Prompt Whisper with [`crate::delivery::FILLER_PROMPT`] so it writes more "um"s and "uh"s. Off by
    /// default: it costs accuracy (see [`Options::default`]).
    pub keep_fillers: bool,
    pub threads: Option<i32>,
    /// Encoder context in 20 ms frames (whisper.cpp's `audio_ctx`; 1500 = 30 s). Smaller is faster for
    /// short clips; `None` keeps the full 30 s. See [`audio_ctx_for`].
    pub audio_ctx: Option<i32>,
    /// What was said just before this audio (the previous chunk's last words when transcribing in chunks),
    /// given to Whisper as its prompt so a chunk continues the sentence the last one was in.
    pub prompt: Option<String>,
}

impl Default for Options {
    /// No filler prompt. Measured with tiny.en on the four spoken fixtures in `tests/fixtures`
    /// (`tests/transcribe.rs`, `filler_prompt_choice_is_backed_by_word_error_rate`): mean word error rate
    /// 0.089 without the prompt, 0.102 with it (worst fixture 0.117 vs 0.162); on a person's recorded answer
    /// 0.18 vs 0.27 (issue 8). The prompt did not bring back the fixtures' spoken "um"/"uh" either. Fillers
    /// are still counted: those Whisper writes anyway, and "like", "so", "you know", "I mean" when set off by
    /// commas or pauses (see [`crate::delivery::analyse`]).
    fn default() -> Self {
        Self {
            keep_fillers: false,
            threads: None,
            audio_ctx: None,
            prompt: None,
        }
    }
}

/// An encoder context that covers `seconds` of audio plus a margin of `margin_s`, rounded up to a multiple
/// of 64 frames, or `None` (the full 30 s) when that is not shorter.
pub fn audio_ctx_for(seconds: f64, margin_s: f64) -> Option<i32> {
    let frames = ((seconds + margin_s).max(0.0) * 50.0).ceil() as i32;
    let rounded = (frames + 63) / 64 * 64;
    (rounded < 1500).then_some(rounded.max(64))
}

/// Keeps whisper.cpp's own log lines off stderr (our progress goes there instead). Call once.
pub fn quiet_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(whisper_rs::install_logging_hooks);
}

impl Model {
    /// Loads a ggml model file.
    pub fn load(path: &Path) -> Result<Self, AsrError> {
        quiet_logs();
        let display = path.display().to_string();
        if !path.is_file() {
            return Err(AsrError::Load {
                path: display,
                reason: "no such file".into(),
            });
        }
        let name = super::models::name_of(path);
        let preset = dtw_preset(&name);
        let mut cparams = WhisperContextParameters::default();
        if let Some(p) = preset.clone() {
            cparams.dtw_parameters(whisper_rs::DtwParameters {
                mode: whisper_rs::DtwMode::ModelPreset { model_preset: p },
                ..Default::default()
            });
        }
        let ctx = WhisperContext::new_with_params(&display, cparams).map_err(|e| AsrError::Load {
            path: display.clone(),
            reason: format!("{e} (not a whisper.cpp ggml model?)"),
        })?;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8) as i32);
        Ok(Self {
            ctx,
            threads,
            name,
            dtw: preset.is_some(),
        })
    }

    /// Transcribes 16 kHz mono samples. `progress` gets 0–100; setting `cancel` stops early with
    /// [`AsrError::Cancelled`].
    pub fn transcribe(
        &self,
        samples: &[f32],
        opts: &Options,
        progress: impl FnMut(i32) + 'static,
        cancel: Arc<AtomicBool>,
    ) -> Result<Transcript, AsrError> {
        let levels = Levels::of(samples);
        let duration_s = samples.len() as f64 / 16_000.0;
        // Nothing above -70 dBFS: nothing was said. Otherwise start a second before the first sound, as
        // the stream does ([`Levels::speech_start`]).
        let Some(start) = levels.speech_start() else {
            return Ok(Transcript {
                duration_s,
                ..Transcript::default()
            });
        };
        let mut state = self.ctx.create_state().map_err(|e| AsrError::Run(e.to_string()))?;
        let (t, _) = self.run(
            &mut state,
            samples,
            start,
            opts,
            progress,
            Arc::clone(&cancel),
            Run::Whole,
        )?;
        let (t, _) = self.confirm_after_pauses(&mut state, t, samples, start, None, opts, &cancel)?;
        Ok(levels.spoken(shifted(t, start as f64 / 16_000.0, duration_s)))
    }

    /// `t` (times from `samples[at]`) without the segments Whisper wrote after a long pause that it does
    /// not hear again without the text context. In a window of room noise, hum or music after an answer,
    /// Whisper carried along by what was said before writes sentences nobody said ("The trade-off is seen
    /// against the same amount of the flow.", "Thank you for watching!"), and marks them as speech (no-speech
    /// probability 0.19-0.41, mean log-probability above -0.34), so its own no-speech check keeps them; the
    /// same audio transcribed on its own comes back as "(Music)" or nothing. So a segment that starts
    /// [`AFTER_PAUSE_S`] or more after the last word kept (`said_until_s`, from `samples[at]`; the start when
    /// `None`) is transcribed again, from a second before it (not before that word) to its end, without
    /// context or prompt, and kept only when more than half its words are heard again. Speech after a pause
    /// is heard again; what Whisper made up is not. Runs on `state` (what it held is gone: a [`Windows`]
    /// state is marked dirty by the caller).
    #[allow(clippy::too_many_arguments)]
    fn confirm_after_pauses(
        &self,
        state: &mut WhisperState,
        mut t: Transcript,
        samples: &[f32],
        at: usize,
        said_until_s: Option<f64>,
        opts: &Options,
        cancel: &Arc<AtomicBool>,
    ) -> Result<(Transcript, bool), AsrError> {
        let mut said_until = said_until_s.unwrap_or(0.0);
        let mut dropped = Vec::new();
        let mut ran = false;
        let cold = Options {
            prompt: None,
            audio_ctx: None,
            ..opts.clone()
        };
        let of = |seg: &TimedText, w: &TimedText| w.start_s >= seg.start_s - 1e-6 && w.start_s <= seg.end_s + 1e-6;
        for (i, seg) in t.segments.iter().enumerate() {
            let words: Vec<&TimedText> = t.words.iter().filter(|w| of(seg, w)).collect();
            let (start, end) = match (words.first(), words.last()) {
                (Some(f), Some(l)) => (f.start_s, l.end_s.max(seg.end_s)),
                _ => (seg.start_s, seg.end_s),
            };
            if start - said_until >= AFTER_PAUSE_S {
                let end_i = (at + ((end + 0.5) * 16_000.0) as usize).min(samples.len());
                // The segment and a second before it: after a long stretch of noise, Whisper without context
                // heard nothing in the answer that followed (a first sentence after 30 s of hum was lost).
                let from_s = said_until.max(0.0).max(start - 1.0).max(end + 0.5 - 29.0);
                let from_i = (at + (from_s * 16_000.0) as usize) / 160 * 160;
                let lead = if from_i >= Windows::LEAD { Windows::LEAD } else { 0 };
                if from_i < end_i {
                    let (again, _) = self.run(
                        state,
                        &samples[from_i - lead..end_i],
                        lead,
                        &cold,
                        |_| {},
                        Arc::clone(cancel),
                        Run::Whole,
                    )?;
                    ran = true;
                    if !heard_again(&seg.text, &again.text) {
                        dropped.push(i);
                        continue;
                    }
                }
            }
            said_until = end;
        }
        if !dropped.is_empty() {
            let gone: Vec<TimedText> = dropped.iter().map(|&i| t.segments[i].clone()).collect();
            t.words.retain(|w| !gone.iter().any(|seg| of(seg, w)));
            let mut i = 0;
            t.segments.retain(|_| {
                i += 1;
                !dropped.contains(&(i - 1))
            });
            t.text = t.segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
        }
        Ok((t, ran))
    }

    /// [`Model::confirm_after_pauses`] on the state of `windows` (`t`: what one of its calls heard from
    /// `samples[at]`), which then no longer holds the text context the windows left.
    #[allow(clippy::too_many_arguments)]
    pub fn confirm_in(
        &self,
        windows: &mut Windows,
        t: Transcript,
        samples: &[f32],
        at: usize,
        said_until_s: Option<f64>,
        opts: &Options,
        cancel: &Arc<AtomicBool>,
    ) -> Result<Transcript, AsrError> {
        let (t, ran) = self.confirm_after_pauses(&mut windows.state, t, samples, at, said_until_s, opts, cancel)?;
        if ran {
            windows.dirty = true;
        }
        Ok(t)
    }

    /// A fresh [`Windows`]: transcription of a growing recording in the same 30 s windows, with the same
    /// prompts, as [`Model::transcribe`] of the finished file.
    pub fn windows(&self) -> Result<Windows, AsrError> {
        Ok(Windows {
            state: self.ctx.create_state().map_err(|e| AsrError::Run(e.to_string()))?,
            committed: 0,
            carried: Vec::new(),
            mel_max: FRESH_MEL_MAX,
            dirty: false,
        })
    }

    /// Transcribes the 30 s window that starts at `samples[at]` (where the previous window ended; the
    /// recording needs [`Windows::MIN_INPUT`] samples from there: the audio after the window is what tells
    /// batch transcription's window loop that the recording goes on) exactly as [`Model::transcribe`] of the
    /// whole recording would. `samples` is the recording, or its end from at most [`Windows::LEAD`] samples
    /// before `at`. Returns the window's transcript (times from `samples[at]`) and its length in samples:
    /// where the next window starts, from `at`.
    pub fn transcribe_window(
        &self,
        windows: &mut Windows,
        samples: &[f32],
        at: usize,
        opts: &Options,
        cancel: Arc<AtomicBool>,
    ) -> Result<(Transcript, usize), AsrError> {
        let (mut transcript, end, lead, end_at) = self.run_first_window(windows, samples, at, opts, cancel)?;
        windows.committed += 1;
        windows.carried = end.prompt_after_first;
        windows.mel_max = end.mel_max_after_first;
        windows.dirty = false;
        // A window that ended early (no audio left after it) covers the whole input.
        let len = end.seek.map_or(end_at - at, |frames| {
            (frames as usize * 160).saturating_sub(lead).min(end_at - at)
        });
        // The window's words only: times past its end belong to the next one (whisper.cpp keeps them inside).
        transcript.duration_s = len as f64 / 16_000.0;
        Ok((transcript, len))
    }

    /// One run over the window at `samples[at]` (and a second more, when there is), stopped before the
    /// next window, from the context `windows` left: what it heard, how it ended, and the lead and end of
    /// its input in `samples`.
    fn run_first_window(
        &self,
        windows: &mut Windows,
        samples: &[f32],
        at: usize,
        opts: &Options,
        cancel: Arc<AtomicBool>,
    ) -> Result<(Transcript, RunEnd, usize, usize), AsrError> {
        let context = windows.context(false);
        let mel_max = windows.mel_max;
        let lead = at.min(Windows::LEAD);
        let end_at = (at + Windows::MIN_INPUT).min(samples.len());
        let (transcript, end) = self.run(
            &mut windows.state,
            &samples[at - lead..end_at],
            lead,
            opts,
            |_| {},
            cancel,
            Run::Windows {
                context,
                first_only: true,
                mel_max,
            },
        )?;
        Ok((transcript, end, lead, end_at))
    }

    /// Transcribes the rest of a recording, from `samples[at]`, where the last window of `windows` ended, to
    /// its end, as [`Model::transcribe`] of the whole recording would (`samples` as for
    /// [`Model::transcribe_window`]; times from `samples[at]`). It may be called again, with more audio, and
    /// windows may follow it (the recording went on after all): the next call starts from the text context
    /// the last window left, as if this one had not been made.
    pub fn transcribe_rest(
        &self,
        windows: &mut Windows,
        samples: &[f32],
        at: usize,
        opts: &Options,
        cancel: Arc<AtomicBool>,
    ) -> Result<Transcript, AsrError> {
        // Batch transcription forgets the prompt for a last window of 5 s or less ("it tends to confuse the
        // decoder", whisper.cpp).
        self.rest_with(windows, samples, at, opts, cancel, samples.len() - at <= 5 * 16_000)
    }

    /// [`Model::transcribe_rest`] without the text context: for speech a rest with it left untranscribed.
    pub fn transcribe_rest_cold(
        &self,
        windows: &mut Windows,
        samples: &[f32],
        at: usize,
        opts: &Options,
        cancel: Arc<AtomicBool>,
    ) -> Result<Transcript, AsrError> {
        self.rest_with(windows, samples, at, opts, cancel, true)
    }

    fn rest_with(
        &self,
        windows: &mut Windows,
        samples: &[f32],
        at: usize,
        opts: &Options,
        cancel: Arc<AtomicBool>,
        forget: bool,
    ) -> Result<Transcript, AsrError> {
        let context = windows.context(forget);
        let mel_max = windows.mel_max;
        let lead = at.min(Windows::LEAD);
        let (t, _) = self.run(
            &mut windows.state,
            &samples[at - lead..],
            lead,
            opts,
            |_| {},
            cancel,
            Run::Windows {
                context,
                first_only: false,
                mel_max,
            },
        )?;
        windows.dirty = true;
        Ok(t)
    }

    /// Transcribes the recording from `samples[at]`, where the last window of `windows` ended, to its end,
    /// as a window that the recording has not filled yet (less than [`Windows::MIN_INPUT`] follows), and
    /// commits what it heard but its last segment, which may still go on, as [`Model::transcribe_window`]
    /// commits a whole window: the next window or rest starts where the committed segments end, from the
    /// text context they leave. Returns the committed transcript (times from `samples[at]`) and its length
    /// in samples; 0 when there is nothing to commit (fewer than two segments).
    ///
    /// Used shortly before a time-box ends, so that at Stop only the last sentence and the seconds after
    /// it are left to transcribe, not up to 31 s. `accept` sees what would be committed (transcript and
    /// length) first; when it refuses, nothing is, as when there is nothing to commit.
    pub fn transcribe_settled(
        &self,
        windows: &mut Windows,
        samples: &[f32],
        at: usize,
        opts: &Options,
        cancel: Arc<AtomicBool>,
        accept: impl FnOnce(&Transcript, usize) -> bool,
    ) -> Result<(Transcript, usize), AsrError> {
        let (_, end, lead, end_at) = self.run_first_window(windows, samples, at, opts, cancel)?;
        // The state no longer holds the context the last window left, whatever comes of this call.
        windows.dirty = true;
        let state = &windows.state;
        let n = usize::try_from(state.full_n_segments()).unwrap_or(0);
        let Some(last_kept) = n.checked_sub(2).and_then(|i| state.get_segment(i as i32)) else {
            return Ok((Transcript::default(), 0));
        };
        // Where the committed segments end (whisper.cpp's times are from the start of its input, in 10 ms),
        // as a window ends at its last timestamp.
        let len = (usize::try_from(last_kept.end_timestamp()).unwrap_or(0) * 160)
            .saturating_sub(lead)
            .min(end_at - at);
        if len == 0 {
            return Ok((Transcript::default(), 0));
        }
        // The text context after the committed segments: the state's, without the last segment's tokens and
        // one timestamp token more (of two timestamps in a row, a segment keeps the first).
        let dropped = state
            .get_segment((n - 1) as i32)
            .map_or(0, |s| s.n_tokens().max(0) as usize + 1);
        // SAFETY: a plain read of the live state's prompt into a buffer of the size it reports.
        let mut prompt = unsafe {
            use whisper_rs::whisper_rs_sys as sys;
            let raw = end.state;
            if raw.is_null() {
                Vec::new()
            } else {
                let n = sys::whisper_full_get_prompt_past_from_state(raw, std::ptr::null_mut(), 0);
                let mut tokens = vec![0; n.max(0) as usize];
                sys::whisper_full_get_prompt_past_from_state(raw, tokens.as_mut_ptr(), n);
                tokens
            }
        };
        prompt.truncate(prompt.len().saturating_sub(dropped));
        let mut transcript = self.transcript_of_first(state, lead + len, lead, n - 1);
        transcript.duration_s = len as f64 / 16_000.0;
        if !accept(&transcript, len) {
            return Ok((Transcript::default(), 0));
        }
        windows.committed += 1;
        windows.carried = prompt;
        windows.mel_max = end.mel_max_after_first;
        Ok((transcript, len))
    }

    /// Transcribes `samples` after the first `lead` (which are there only so that the first mel frames
    /// are computed from the audio before, as in a longer input): times from `samples[lead]`.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        state: &mut WhisperState,
        samples: &[f32],
        lead: usize,
        opts: &Options,
        progress: impl FnMut(i32) + 'static,
        cancel: Arc<AtomicBool>,
        run: Run,
    ) -> Result<(Transcript, RunEnd), AsrError> {
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(opts.threads.unwrap_or(self.threads));
        params.set_language(Some("en"));
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_token_timestamps(true);
        params.set_suppress_blank(true);
        let prompt = match (&opts.prompt, opts.keep_fillers) {
            (Some(p), true) => Some(format!("{FILLER_PROMPT} {p}")),
            (Some(p), false) => Some(p.clone()),
            (None, true) => Some(FILLER_PROMPT.to_owned()),
            (None, false) => None,
        };
        // A window after the first continues from the prompt whisper.cpp keeps in the state (the text so far),
        // as its own window loop does; the initial prompt is given once, with the first.
        let context = match &run {
            Run::Whole => Context::Fresh { first: true },
            Run::Windows { context, .. } => context.clone(),
        };
        match &context {
            Context::Fresh { first } => {
                params.set_no_context(true);
                if let Some(p) = &prompt
                    && *first
                {
                    params.set_initial_prompt(p);
                }
            }
            Context::Carry => params.set_no_context(false),
            Context::Restore(tokens) => {
                params.set_no_context(true);
                if !tokens.is_empty() {
                    params.set_tokens(tokens);
                }
            }
        }
        let mut end = RunEnd {
            stop_after_first: matches!(run, Run::Windows { first_only: true, .. }),
            mel_max_start: match &run {
                Run::Whole => FRESH_MEL_MAX,
                Run::Windows { mel_max, .. } => *mel_max,
            },
            calls: 0,
            seek: None,
            prompt_after_first: Vec::new(),
            mel_max_after_first: FRESH_MEL_MAX,
            state: std::ptr::null_mut(),
        };
        // SAFETY: `end` outlives `state.full` below, which is the only caller of the callback.
        unsafe {
            params.set_start_encoder_callback(Some(on_window));
            params.set_start_encoder_callback_user_data((&raw mut end).cast());
        }
        if lead > 0 {
            // whisper.cpp's window loop starts `offset_ms` into its input; mel frames are 10 ms apart.
            debug_assert!(lead.is_multiple_of(160));
            params.set_offset_ms((lead / 16) as i32);
        }
        let mut progress = progress;
        params.set_progress_callback_safe(move |p: i32| progress(p.clamp(0, 100)));
        // whisper-rs 0.16's `set_abort_callback_safe` casts its boxed closure to the wrong type (the
        // callback reads garbage and aborts the encoder), so pass the flag through the raw API instead.
        // SAFETY: the pointer is to the AtomicBool inside `cancel`, which outlives `state.full` below.
        unsafe {
            params.set_abort_callback(Some(abort_when_set));
            params.set_abort_callback_user_data(Arc::as_ptr(&cancel).cast_mut().cast());
        }
        // Whisper needs at least one second of input; pad short clips with silence.
        let mut padded;
        let input = if samples.len() < 16_000 + 1_600 {
            padded = samples.to_vec();
            padded.resize(16_000 + 1_600, 0.0);
            &padded[..]
        } else {
            samples
        };
        if let Some(ctx) = opts.audio_ctx {
            // DTW aligns the whole input after the offset against the encoder's context, and whisper.cpp
            // aborts the process when that is shorter: the context always covers the input then.
            let covers = ((input.len().saturating_sub(lead)) / 320 + 1) as i32;
            let ctx = if self.dtw { ctx.max(covers) } else { ctx };
            params.set_audio_ctx(ctx.clamp(64, 1500));
        }
        let result = state.full(params, input);
        if end.calls == 1 && !end.state.is_null() {
            // The input ended within the first window: what it heard is what the state holds now.
            // SAFETY: the pointer is `state`'s own, which is alive and not in use.
            end.mel_max_after_first = unsafe { whisper_rs::whisper_rs_sys::whisper_state_get_mel_seen_max(end.state) };
        }
        if cancel.load(Ordering::Relaxed) {
            return Err(AsrError::Cancelled);
        }
        result.map_err(|e| AsrError::Run(e.to_string()))?;

        Ok((self.transcript_of(state, samples.len(), lead), end))
    }

    /// What `state` holds after a run over `samples_len` samples from `lead` on: its segments and words,
    /// times from `lead`, word times from DTW when the model has alignment heads.
    fn transcript_of(&self, state: &WhisperState, samples_len: usize, lead: usize) -> Transcript {
        self.transcript_of_first(state, samples_len, lead, usize::MAX)
    }

    /// Word times made monotonic within `duration_s` (whisper's token times can overlap slightly at segment
    /// edges); with DTW, each segment spans its words (`word_seg`: the segment of each word), as its own
    /// timestamps are what drifted.
    fn place_words(&self, words: &mut [TimedText], segments: &mut [TimedText], word_seg: &[usize], duration_s: f64) {
        let mut last_end = 0.0_f64;
        for w in words.iter_mut() {
            w.start_s = w.start_s.max(last_end).min(duration_s);
            w.end_s = w.end_s.max(w.start_s).min(duration_s);
            last_end = w.start_s;
        }
        if self.dtw {
            for (i, seg) in segments.iter_mut().enumerate() {
                let mut of = word_seg
                    .iter()
                    .zip(words.iter())
                    .filter(|(s, _)| **s == i)
                    .map(|(_, w)| w);
                if let Some(first) = of.next() {
                    seg.start_s = first.start_s;
                    seg.end_s = of.next_back().unwrap_or(first).end_s.max(first.end_s);
                }
            }
        }
    }

    /// [`Model::transcript_of`] with the state's first `n_segments` segments only.
    fn transcript_of_first(
        &self,
        state: &WhisperState,
        samples_len: usize,
        lead: usize,
        n_segments: usize,
    ) -> Transcript {
        let duration_s = (samples_len - lead) as f64 / 16_000.0;
        // whisper.cpp's times are from the start of its input, in 10 ms.
        let lead_cs = (lead / 160) as i64;
        let eot = self.ctx.token_eot();
        let mut segments = Vec::new();
        let mut words: Vec<TimedText> = Vec::new();
        // The segment each word is in.
        let mut word_seg: Vec<usize> = Vec::new();
        // With DTW: the DTW time of the token before each word (where the word starts), if any.
        let mut dtw_before: Vec<Option<f64>> = Vec::new();
        let mut prev_dtw: Option<f64> = None;
        // The words of the segment kept last: Whisper caught in a loop writes the same sentence again and
        // again (six times at the end of 30 s of silence after an answer), and a person does not.
        let mut last_said: Vec<String> = Vec::new();
        for segment in state.as_iter().take(n_segments) {
            let text = segment.to_str_lossy().map(|t| t.trim().to_string()).unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            let said = said_words(&text);
            if !said.is_empty() && said == last_said {
                continue;
            }
            last_said = said;
            let seg_start = ((segment.start_timestamp() - lead_cs) as f64 / 100.0).clamp(0.0, duration_s);
            let seg_end = ((segment.end_timestamp() - lead_cs) as f64 / 100.0).clamp(seg_start, duration_s);
            segments.push(TimedText {
                start_s: seg_start,
                end_s: seg_end,
                text,
            });
            let mut annotation = Annotation::default();
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else { continue };
                if token.token_id() >= eot {
                    continue; // special and timestamp tokens
                }
                let piece = match token.to_bytes() {
                    Ok(b) => String::from_utf8_lossy(b).to_string(),
                    Err(_) => continue,
                };
                let data = token.token_data();
                // With DTW the token's time is where the alignment heads place it, which holds also where
                // the segment's own timestamps drifted; without it, whisper's timestamp-token times.
                let (t0, t1) = if self.dtw && data.t_dtw >= 0 {
                    let t = ((data.t_dtw - lead_cs) as f64 / 100.0).clamp(0.0, duration_s);
                    (t, t)
                } else {
                    let t0 = ((data.t0 - lead_cs) as f64 / 100.0).clamp(seg_start, seg_end);
                    (t0, ((data.t1 - lead_cs) as f64 / 100.0).clamp(t0, seg_end))
                };
                // whisper.cpp gives a token the time its alignment row is entered, and the row of a token is
                // where the decoder looks while predicting the next one: a token's DTW time is where the next
                // token starts. So a word starts at the DTW time of the token before it.
                let before = prev_dtw;
                if self.dtw && data.t_dtw >= 0 {
                    prev_dtw = Some(t1);
                }
                let starts_word = piece.starts_with(' ') || words.is_empty() || i == 0;
                // Pieces of `[BLANK_AUDIO]`, `(music)` and the like never become words or stretch a word's time.
                let piece = annotation.keep(&piece);
                let trimmed = piece.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let continues = !starts_word || (is_punctuation(trimmed) && !words.is_empty());
                match words.last_mut() {
                    Some(last) if continues => {
                        last.text.push_str(trimmed);
                        // A mark's DTW time is where the next word starts, after any pause.
                        if !(self.dtw && is_punctuation(trimmed)) {
                            last.end_s = last.end_s.max(t1);
                        }
                    }
                    _ => {
                        words.push(TimedText {
                            start_s: t0,
                            end_s: t1,
                            text: trimmed.to_string(),
                        });
                        word_seg.push(segments.len() - 1);
                        dtw_before.push(before);
                    }
                }
            }
        }
        if self.dtw {
            dtw_starts(&mut words, &dtw_before);
        }
        self.place_words(&mut words, &mut segments, &word_seg, duration_s);
        let text = segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
        // Segment texts still carry annotations, and a word may have kept a stray mark: clean both.
        Transcript {
            text,
            duration_s,
            segments,
            words,
        }
        .without_annotations()
    }
}

/// A segment after a pause this long (seconds) is kept only when Whisper hears it again without the text
/// context ([`Model::confirm_after_pauses`]).
pub const AFTER_PAUSE_S: f64 = 3.0;

/// Whether more than half the words of `segment` are in `again` (each word of `again` counted once).
fn heard_again(segment: &str, again: &str) -> bool {
    let said = said_words(segment);
    let mut pool = said_words(again);
    let found = said
        .iter()
        .filter(|w| pool.iter().position(|p| p == *w).map(|k| pool.swap_remove(k)).is_some())
        .count();
    !said.is_empty() && found * 2 > said.len()
}

/// The words of `text`, lower case, without punctuation: what two segments must share to be one said twice.
fn said_words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// About how long `word` takes to say (seconds): a tenth of a second and 70 ms a letter, as a person
/// speaking at 150-180 words a minute does.
fn said_for(word: &str) -> f64 {
    0.1 + 0.07 * word.chars().filter(|c| c.is_alphanumeric()).count() as f64
}

/// DTW word times: each word ends at its last token's DTW time (set while reading the tokens) and starts at
/// the DTW time of the token before it (`before`). Where there is no token before it (the first word of a
/// window's alignment) or that time is further back than the word could take to say (a pause the alignment
/// put on the wrong side), it starts about as long before its end as its letters take to say.
fn dtw_starts(words: &mut [TimedText], before: &[Option<f64>]) {
    for (w, b) in words.iter_mut().zip(before) {
        let said = said_for(&w.text);
        w.start_s = match *b {
            Some(b) if b <= w.end_s && w.end_s - b <= 2.5 * said => b,
            _ => (w.end_s - said).max(0.0),
        };
    }
}

/// whisper.cpp's alignment heads for a model known by `name` (`tiny.en-q8_0` → tiny.en's), for DTW word
/// times; `None` for a model it has none for. `REHEARSE_DTW=0` turns DTW off (to compare).
fn dtw_preset(name: &str) -> Option<whisper_rs::DtwModelPreset> {
    use whisper_rs::DtwModelPreset as P;
    if std::env::var("REHEARSE_DTW").is_ok_and(|v| v == "0") {
        return None;
    }
    let base = name.split('-').next().unwrap_or(name);
    Some(match base {
        "tiny.en" => P::TinyEn,
        "tiny" => P::Tiny,
        "base.en" => P::BaseEn,
        "base" => P::Base,
        "small.en" => P::SmallEn,
        "small" => P::Small,
        "medium.en" => P::MediumEn,
        "medium" => P::Medium,
        _ => return None,
    })
}

/// `t` (times from `by` seconds into a recording of `duration_s`) with times from the recording's start.
pub(crate) fn shifted(mut t: Transcript, by: f64, duration_s: f64) -> Transcript {
    for w in t.words.iter_mut().chain(t.segments.iter_mut()) {
        w.start_s = (w.start_s + by).min(duration_s);
        w.end_s = (w.end_s + by).min(duration_s);
    }
    t.duration_s = duration_s;
    t
}

/// Whisper's state carried from one window of a growing recording to the next (the prompt: what was said
/// so far), for [`Model::transcribe_window`] and [`Model::transcribe_rest`]. About as much memory as one
/// batch transcription holds.
pub struct Windows {
    state: WhisperState,
    /// Windows transcribed with [`Model::transcribe_window`].
    committed: usize,
    /// The text context the last of them left for the next window (whisper.cpp's rolling prompt).
    carried: Vec<i32>,
    /// The loudest log-mel value of the windows transcribed so far, which the next window's input is
    /// clamped against (whisper.cpp patch: `whisper_state_set_mel_seen_max`).
    mel_max: f32,
    /// A [`Model::transcribe_rest`] ran since: the state's context is no longer `carried`.
    dirty: bool,
}

/// No audio heard yet (whisper.cpp's `mel_seen_max` of a new state).
const FRESH_MEL_MAX: f32 = -1e20;

impl Windows {
    /// Whisper hears 30 s at a time; [`Model::transcribe_window`] wants a second more, so that the window
    /// loop sees the recording go on past the window, as it does in a finished file.
    pub const MIN_INPUT: usize = 31 * 16_000;

    /// Samples before a window that [`Model::transcribe_window`] reads when it has them: two 10 ms mel
    /// frames, which the first frames of the window are computed from (25 ms each), as in the whole file.
    pub const LEAD: usize = 2 * 160;

    /// Windows transcribed so far.
    pub fn done(&self) -> usize {
        self.committed
    }

    /// The context the next call starts from (`forget`: none, as batch does for a last window of 5 s).
    fn context(&self, forget: bool) -> Context {
        if self.committed == 0 || forget {
            Context::Fresh {
                first: self.committed == 0,
            }
        } else if self.dirty {
            Context::Restore(self.carried.clone())
        } else {
            Context::Carry
        }
    }
}

/// What one call to whisper.cpp's `whisper_full` covers.
enum Run {
    /// The whole input, fresh.
    Whole,
    /// A piece of a recording transcribed window by window: only its first window (`first_only`), or all;
    /// the input is clamped as if the windows before it (whose loudest log-mel value is `mel_max`) had been
    /// transcribed in the same call.
    Windows {
        context: Context,
        first_only: bool,
        mel_max: f32,
    },
}

/// The text context a call starts from.
#[derive(Clone)]
enum Context {
    /// None (`first`: the recording's first call, which gets the initial prompt).
    Fresh { first: bool },
    /// What the state holds from the last call.
    Carry,
    /// These tokens (what the state held before a call that was undone).
    Restore(Vec<i32>),
}

/// What `on_window` learned during a call.
struct RunEnd {
    /// Stop before the second window.
    stop_after_first: bool,
    /// The state's `mel_seen_max` to start from (set before the first window).
    mel_max_start: f32,
    /// Windows begun.
    calls: u32,
    /// Where the loop was stopped, in 10 ms frames from the start of the input.
    seek: Option<i32>,
    /// The text context the first window left for the second (read where the loop was stopped).
    prompt_after_first: Vec<i32>,
    /// The state's `mel_seen_max` after the first window (read where the loop was stopped, or after the call
    /// when there was no second window).
    mel_max_after_first: f32,
    /// The whisper.cpp state the call runs on (set by the first callback).
    state: *mut whisper_rs::whisper_rs_sys::whisper_state,
}

/// whisper.cpp's encoder-begin callback: with `stop_after_first`, stops before the second window, noting
/// where it would have started and the text context the first left for it.
unsafe extern "C" fn on_window(
    _ctx: *mut whisper_rs::whisper_rs_sys::whisper_context,
    state: *mut whisper_rs::whisper_rs_sys::whisper_state,
    user_data: *mut std::ffi::c_void,
) -> bool {
    use whisper_rs::whisper_rs_sys as sys;
    // SAFETY: `run` passes a pointer to a RunEnd it keeps alive for the whole call; `state` is the live state
    // whisper.cpp is running, and the prompt buffer holds as many tokens as it is told.
    unsafe {
        let end = &mut *user_data.cast::<RunEnd>();
        end.calls += 1;
        if end.calls == 1 {
            end.state = state;
            sys::whisper_state_set_mel_seen_max(state, end.mel_max_start);
        }
        if end.calls == 1 || !end.stop_after_first {
            return true;
        }
        end.seek = Some(sys::whisper_full_get_seek_from_state(state));
        end.mel_max_after_first = sys::whisper_state_get_mel_seen_max(state);
        let n = sys::whisper_full_get_prompt_past_from_state(state, std::ptr::null_mut(), 0);
        end.prompt_after_first = vec![0; n.max(0) as usize];
        sys::whisper_full_get_prompt_past_from_state(state, end.prompt_after_first.as_mut_ptr(), n);
        false
    }
}

/// Tracks whether token pieces are inside a non-speech annotation (`[BLANK_AUDIO]`, `[wind blowing]`,
/// `(music)`, `*laughs*`, `♪ … ♪`), which Whisper spells with ordinary text tokens. Fresh for each segment,
/// so a mark that is never closed cannot swallow the speech after it.
#[derive(Default)]
struct Annotation {
    /// The mark that closes the annotation being read.
    closing: Option<char>,
}

impl Annotation {
    /// The part of `piece` outside annotations.
    fn keep(&mut self, piece: &str) -> String {
        let mut out = String::with_capacity(piece.len());
        for c in piece.chars() {
            match self.closing {
                Some(close) if c == close => self.closing = None,
                Some(_) => {}
                None => match c {
                    '[' => self.closing = Some(']'),
                    '(' => self.closing = Some(')'),
                    '*' | '♪' | '♫' => self.closing = Some(c),
                    ']' | ')' => {}
                    _ => out.push(c),
                },
            }
        }
        out
    }
}

/// whisper.cpp's abort callback: true once the `AtomicBool` behind `flag` is set.
unsafe extern "C" fn abort_when_set(flag: *mut std::ffi::c_void) -> bool {
    // SAFETY: `transcribe` passes a pointer to an AtomicBool it keeps alive for the whole call.
    unsafe { (*flag.cast::<AtomicBool>()).load(Ordering::Relaxed) }
}

fn is_punctuation(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_punctuation())
}

/// Word error rate between a reference and a hypothesis, ignoring case and punctuation.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
    let norm = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric() || *c == '\'')
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect()
    };
    let r = norm(reference);
    let h = norm(hypothesis);
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rw != hw);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, end_s: f64) -> TimedText {
        TimedText {
            start_s: 0.0,
            end_s,
            text: text.into(),
        }
    }

    #[test]
    fn a_dtw_word_starts_where_the_token_before_it_is_placed_unless_that_is_too_far_back() {
        let mut words = vec![
            word("first", 1.0),
            word("cache", 1.5),
            word("after", 9.0),
            word("pause", 9.4),
        ];
        // "first" has no token before it; "after" follows a 7 s pause the alignment left on its side.
        let before = [None, Some(1.02), Some(1.5), Some(9.0)];
        dtw_starts(&mut words, &before);
        let starts: Vec<f64> = words.iter().map(|w| (w.start_s * 100.0).round() / 100.0).collect();
        // first: 1.0 - (0.1 + 5 × 0.07); after: 9.0 - 0.45; the others where the token before them is.
        assert_eq!(starts, [0.55, 1.02, 8.55, 9.0]);
        // A DTW preset for the models whisper.cpp has heads for, by their short name, and none for others.
        assert!(matches!(
            dtw_preset("tiny.en-q8_0"),
            Some(whisper_rs::DtwModelPreset::TinyEn)
        ));
        assert!(matches!(dtw_preset("base"), Some(whisper_rs::DtwModelPreset::Base)));
        assert!(dtw_preset("distil-small.en").is_none());
    }

    #[test]
    fn annotation_pieces_are_dropped_across_tokens() {
        // Token pieces as tiny.en spells them.
        let cases: &[(&[&str], &str)] = &[
            (&[" [", "BL", "ANK", "_", "AUD", "IO", "]"], ""),
            (
                &[" before", " shipping", ".", " [", "BLANK", "_AUDIO", "]"],
                "before shipping.",
            ),
            (&[" [", "wind", " blowing", "]"], ""),
            (&[" (", "music", ")", " So", ",", " um"], "So, um"),
            (&[" *", "la", "ughs", "*", " okay"], "okay"),
            (&[" \u{266a}", " la", " \u{266a}", " fine"], "fine"),
            (&[" trade", "-", "off", " 99", ".9", "%"], "trade-off 99.9%"),
        ];
        for (pieces, want) in cases {
            let mut a = Annotation::default();
            let got: String = pieces.iter().map(|p| a.keep(p)).collect();
            assert_eq!(
                got.split_whitespace().collect::<Vec<_>>().join(" "),
                *want,
                "{pieces:?}"
            );
        }
    }

    #[test]
    fn a_segment_is_heard_again_when_most_of_its_words_come_back() {
        assert_eq!(said_words("The trade-off, is SEEN!"), ["the", "tradeoff", "is", "seen"]);
        // Speech after a pause comes back with a word or two heard differently.
        assert!(heard_again(
            "I would start with the retention of users.",
            "I'd start with the retention of the users."
        ));
        // What the text context made up comes back as an annotation, or as something else.
        assert!(!heard_again("Thank you for watching!", ""));
        assert!(!heard_again("Thank you for watching!", "Thank you."));
        assert!(!heard_again(
            "The trade-off is seen against the same amount of the flow.",
            "(Music)"
        ));
        assert!(!heard_again("So you can see that the next one is the best.", "So, um."));
        // Each word heard again counts once.
        assert!(!heard_again("the the the the", "the"));
        assert!(heard_again("So.", "So,"));
    }

    #[test]
    fn wer_counts_substitutions_insertions_deletions() {
        assert_eq!(word_error_rate("the cat sat", "The cat, sat."), 0.0);
        assert!((word_error_rate("the cat sat down", "the bat sat") - 0.5).abs() < 1e-9);
        assert!((word_error_rate("a b", "a b c d") - 1.0).abs() < 1e-9);
    }
}

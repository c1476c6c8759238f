//! Transcribing an answer while it is being recorded, so the report is ready moments after Stop.
//!
//! A [`Streamer`] runs on its own named thread (`rehearse-asr-stream`). It tails the WAV file the capture
//! engine writes (the engine rewrites the header every 250 ms, so the file is always readable; the capture
//! callback is untouched and the audio still reaches the disk first), resamples the new audio to 16 kHz
//! with the same resampler and block size as batch decoding, and transcribes it in Whisper's own 30 s
//! windows, each as soon as the recording has run a second past it, with the text so far as its prompt: the
//! windows and prompts batch transcription of the finished file would use, so the same words. The
//! [`Chunker`](super::chunker::Chunker) only notices when the person stops talking, so the rest can be
//! transcribed before they press Stop ([`StreamOptions::early_rest`]). [`Streamer::finish`], called once the
//! recording has stopped and its file is final, reads the rest, transcribes only what no window took yet and
//! returns the merged transcript. The earlier way, chunks cut at pauses and each transcribed cold, is still
//! there with [`StreamOptions::windows`] off (for the benchmarks that compare the two).
//!
//! Re-transcribing a finished recording stays batch over the whole file ([`super::whisper::Model::transcribe`]).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rubato::{Resampler, SincFixedIn};

use super::chunker::{Chunk, ChunkTranscript, Chunker, ChunkerConfig, RATE, merge, merge_with};
use super::whisper::{AsrError, Model, Options, Windows, audio_ctx_for};
use crate::audio::decode::{self, DecodeError, RESAMPLE_CHUNK};
use crate::audio::silence::{Levels, keep_spoken};
use crate::transcript::Transcript;

/// Name of the streaming transcriber's thread.
pub const THREAD_NAME: &str = "rehearse-asr-stream";

/// Why streaming transcription failed (the recording itself is never touched; transcribe the file instead).
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The growing recording could not be read.
    #[error("cannot read the recording {path} while it grows: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// Resampling failed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Whisper failed on a chunk (or was cancelled).
    #[error(transparent)]
    Asr(#[from] AsrError),
    /// The recording holds no audio.
    #[error("the recording {0} contains no audio")]
    Empty(PathBuf),
    /// The thread could not be started or died.
    #[error("the streaming transcriber stopped unexpectedly: {0}")]
    Thread(String),
}

/// How the streamer cuts and transcribes.
#[derive(Clone, Debug)]
pub struct StreamOptions {
    /// Where chunks may be cut.
    pub chunker: ChunkerConfig,
    /// Whisper options for every chunk.
    pub whisper: Options,
    /// Shrink Whisper's encoder context to each chunk's length plus this margin in seconds (`None`: the
    /// full 30 s for every chunk).
    pub audio_ctx_margin_s: Option<f64>,
    /// The same for what is transcribed after Stop (the open tail), where the person is waiting: a fitted
    /// context encodes a few seconds of audio instead of 30. Costs a little accuracy on that one chunk only.
    pub tail_audio_ctx_margin_s: Option<f64>,
    /// How often to look for new audio in the file.
    pub poll: Duration,
    /// Whisper threads while the person is still speaking (`None`: as many as for batch). One thread keeps
    /// up with speech several times over and leaves the other core to the window, the capture and
    /// whatever else runs; ggml's worker threads spin while they wait for each other, so on a busy 2-core
    /// machine two threads can be many times slower than one (see `examples/asr_levers.rs`). After Stop
    /// the tail gets every thread.
    pub live_threads: Option<i32>,
    /// The last this-many words of the previous chunk are Whisper's prompt for the next (0: every chunk
    /// starts cold), so a sentence cut at a pause continues as one.
    pub prompt_words: usize,
    /// Transcribe in Whisper's own 30 s windows, each as soon as the recording runs a second past it, with
    /// the text so far as its prompt: the same windows and prompts as batch transcription of the finished
    /// file, so the same words (the chunker and the options above are then unused, except
    /// `tail_audio_ctx_margin_s` and `live_threads`). Off: chunks cut at pauses, each transcribed cold.
    pub windows: bool,
    /// With `windows`: when the person stops talking ([`ChunkerConfig::end_pause_s`] of quiet), transcribe
    /// the rest of the recording at once, with every thread, and keep it as the last window if nothing more
    /// is said before Stop, so a person who finishes and then presses Stop waits for nothing.
    pub early_rest: bool,
    /// With `windows`: the recording stops by itself at this length (the time-box). [`SETTLE_BEFORE_S`]
    /// before it, the stream commits what the open window heard but its last sentence, so that at Stop
    /// (when the time-box cuts a sentence, the person is still talking) the rest is that sentence and the
    /// seconds after it, not up to 31 s.
    pub ends_at: Option<Duration>,
}

/// How long before the time-box ends ([`StreamOptions::ends_at`]) the open window is settled: the settling
/// takes 1-2 s on one thread, and the rest at Stop is then at most these seconds and one sentence.
pub const SETTLE_BEFORE_S: f64 = 6.0;

/// The open window is settled only when it holds more than this (seconds): a shorter rest is quick anyway.
const SETTLE_MIN_S: f64 = 8.0;

/// A stretch of sound this long with no word timed in it is speech Whisper skipped ([`skips_speech`]).
const SKIPPED_S: f64 = 2.5;

/// Whether `t` (a transcript of the `len_s` seconds of a recording from `from_s`, word times from there)
/// leaves out speech: [`SKIPPED_S`] of sound (outside the recording's `quiet` stretches, in seconds from its
/// start) before its first word, between two words, or after its last.
fn skips_speech(t: &Transcript, from_s: f64, len_s: f64, quiet: &[(f64, f64)]) -> bool {
    let sound = |a: f64, b: f64| {
        let silent: f64 = quiet.iter().map(|&(qa, qb)| (qb.min(b) - qa.max(a)).max(0.0)).sum();
        b - a - silent
    };
    let mut edges = vec![0.0];
    for w in &t.words {
        edges.push(w.start_s);
        edges.push(w.end_s);
    }
    edges.push(len_s);
    edges
        .chunks_exact(2)
        .any(|gap| gap[1] - gap[0] >= SKIPPED_S && sound(from_s + gap[0], from_s + gap[1]) >= SKIPPED_S)
}

/// Seconds of sound after the last word of a rest (after a settled window) that are taken as speech the
/// rest lost ([`Streamer::heard_to_the_end`]).
const LOST_SPEECH_S: f64 = 1.5;

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            chunker: ChunkerConfig::default(),
            whisper: Options::default(),
            audio_ctx_margin_s: None,
            // A fitted context on the tail costs words: on 5 spoken answers, windows with it gave a mean word
            // error rate of 0.113, with the full 30 s 0.098, against 0.094 for batch (`chunk_levers`).
            tail_audio_ctx_margin_s: None,
            poll: Duration::from_millis(200),
            live_threads: Some(1),
            prompt_words: 0,
            windows: true,
            early_rest: true,
            ends_at: None,
        }
    }
}

/// What the streamer has done so far (for a live display or a benchmark).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StreamProgress {
    /// Chunks transcribed.
    pub chunks: u64,
    /// Seconds of audio (from the start) already transcribed.
    pub transcribed_s: f64,
    /// The rest of the recording was transcribed when the person stopped talking and nothing was said
    /// since: Stop now has nothing left to transcribe.
    pub rest_ready: bool,
}

/// What [`Streamer::finish`] had left to do once Stop came.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FinishStats {
    /// Whisper runs after Stop (0 when the person had stopped talking and the rest was ready).
    pub whisper_runs_after_stop: u64,
}

/// A running streaming transcription of one recording. Dropping it cancels the work.
pub struct Streamer {
    finish: Arc<AtomicBool>,
    cancel: Arc<AtomicBool>,
    chunks: Arc<AtomicU64>,
    /// Transcribed 16 kHz samples.
    done: Arc<AtomicU64>,
    /// Whisper runs so far.
    runs: Arc<AtomicU64>,
    rest_ready: Arc<AtomicBool>,
    handle: Option<JoinHandle<Result<Transcript, StreamError>>>,
}

/// Called on the stream's thread with the transcript so far (chunks merged, annotations dropped) each time
/// a chunk is transcribed while the person is still speaking: for a live display, or to score the answer
/// so far so that scoring the whole of it at Stop has little left to do.
pub type OnPartial = Box<dyn FnMut(&Transcript) + Send>;

impl Streamer {
    /// Starts transcribing `wav` as it grows (the file need not exist yet) with `model`.
    pub fn start(wav: &Path, model: Arc<Model>, opts: StreamOptions) -> Result<Self, StreamError> {
        Self::start_with(wav, model, opts, None)
    }

    /// Like [`Streamer::start`], calling `on_partial` after every chunk transcribed before Stop.
    pub fn start_with(
        wav: &Path,
        model: Arc<Model>,
        opts: StreamOptions,
        on_partial: Option<OnPartial>,
    ) -> Result<Self, StreamError> {
        let finish = Arc::new(AtomicBool::new(false));
        let cancel = Arc::new(AtomicBool::new(false));
        let chunks = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicU64::new(0));
        let runs = Arc::new(AtomicU64::new(0));
        let rest_ready = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            wav: wav.to_path_buf(),
            model,
            opts,
            finish: Arc::clone(&finish),
            cancel: Arc::clone(&cancel),
            chunks: Arc::clone(&chunks),
            done: Arc::clone(&done),
            runs: Arc::clone(&runs),
            rest_ready: Arc::clone(&rest_ready),
            on_partial,
        };
        let handle = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || worker.run())
            .map_err(|e| StreamError::Thread(e.to_string()))?;
        Ok(Self {
            finish,
            cancel,
            chunks,
            done,
            runs,
            rest_ready,
            handle: Some(handle),
        })
    }

    /// The flag that cancels this stream (setting it makes [`Streamer::finish`] return
    /// [`AsrError::Cancelled`] soon).
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// How far the transcription has got.
    pub fn progress(&self) -> StreamProgress {
        StreamProgress {
            chunks: self.chunks.load(Ordering::Relaxed),
            transcribed_s: self.done.load(Ordering::Relaxed) as f64 / RATE as f64,
            rest_ready: self.rest_ready.load(Ordering::Relaxed),
        }
    }

    /// The recording has stopped and its file is complete: transcribes what is left and returns the whole
    /// transcript. Blocks until done.
    pub fn finish(self) -> Result<Transcript, StreamError> {
        self.finish_with_stats().map(|(t, _)| t)
    }

    /// [`Streamer::finish`], also saying how much was left to do at Stop.
    pub fn finish_with_stats(mut self) -> Result<(Transcript, FinishStats), StreamError> {
        let runs_at_stop = self.runs.load(Ordering::SeqCst);
        self.finish.store(true, Ordering::SeqCst);
        let handle = self
            .handle
            .take()
            .ok_or_else(|| StreamError::Thread("already finished".into()))?;
        // It waits for more audio parked, up to `poll` (200 ms): wake it now.
        handle.thread().unpark();
        let transcript = handle
            .join()
            .map_err(|_| StreamError::Thread("the thread panicked".into()))??;
        let stats = FinishStats {
            whisper_runs_after_stop: self.runs.load(Ordering::SeqCst) - runs_at_stop,
        };
        Ok((transcript, stats))
    }
}

impl Drop for Streamer {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            self.cancel.store(true, Ordering::SeqCst);
            self.finish.store(true, Ordering::SeqCst);
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

struct Worker {
    wav: PathBuf,
    model: Arc<Model>,
    opts: StreamOptions,
    finish: Arc<AtomicBool>,
    cancel: Arc<AtomicBool>,
    chunks: Arc<AtomicU64>,
    done: Arc<AtomicU64>,
    runs: Arc<AtomicU64>,
    rest_ready: Arc<AtomicBool>,
    on_partial: Option<OnPartial>,
}

impl Worker {
    /// Reads what the capture wrote since the last call: 16 kHz samples, or `None` when the file holds no
    /// audio yet. `finishing`: the file is complete, so read it to the end and flush the resampler.
    fn read_16k(
        &self,
        tail: &mut WavTail,
        to16k: &mut Option<To16k>,
        finishing: bool,
    ) -> Result<Option<(Vec<f32>, bool)>, StreamError> {
        let fresh = tail.read(finishing)?;
        let Some(rate) = tail.rate() else {
            return Ok(None);
        };
        let to16k = match to16k {
            Some(r) => r,
            None => to16k.insert(To16k::new(rate)?),
        };
        let mut samples = to16k.push(&fresh)?;
        if finishing {
            samples.extend(to16k.finish()?);
        }
        Ok(Some((samples, fresh.is_empty())))
    }

    /// [`StreamOptions::windows`]: Whisper's own windows, each transcribed once the recording has run a
    /// second past it; at Stop, the rest of the recording as batch transcription would do it.
    fn run_windows(mut self) -> Result<Transcript, StreamError> {
        let mut tail = WavTail::new(&self.wav);
        let mut to16k: Option<To16k> = None;
        let mut live = Live {
            windows: self.model.windows()?,
            audio: Vec::new(),
            levels: Levels::default(),
            seek: 0,
            lead: 0,
            parts: Vec::new(),
            detector: Chunker::new(self.opts.chunker),
            early: None,
            started: false,
            settle_tried: false,
            settled: false,
        };
        loop {
            if self.cancel.load(Ordering::SeqCst) {
                return Err(AsrError::Cancelled.into());
            }
            // Read the flag before the file: once it is set, the file is complete, so read to its end.
            let finishing = self.finish.load(Ordering::SeqCst);
            let Some((samples, idle)) = self.read_16k(&mut tail, &mut to16k, finishing)? else {
                if finishing {
                    return Err(StreamError::Empty(self.wav.clone()));
                }
                std::thread::park_timeout(self.opts.poll);
                continue;
            };
            live.audio.extend_from_slice(&samples);
            live.levels.push(&samples);
            let stopped_talking = live.detector.push(&samples).iter().any(|c| c.ends_speech);
            if !live.started
                && let Some(start) = live.levels.speech_start()
            {
                // Nothing was transcribed yet, so `audio` holds the recording from its first sample.
                live.started = true;
                let keep = Windows::LEAD.min(start);
                live.audio.drain(..start - keep);
                live.lead = keep;
                live.seek = start;
                self.done.store(live.seek as u64, Ordering::Relaxed);
            }
            let before = live.parts.len();
            if !finishing {
                self.take_windows(&mut live)?;
            }
            // The person stopped talking: Stop may come any moment, and the window and capture are idle, so
            // transcribe the rest now, with every thread, as it would be after Stop; set aside if they go on.
            if live.started
                && !finishing
                && stopped_talking
                && self.opts.early_rest
                && live.audio.len() - live.lead > RATE / 10
            {
                let part = self.rest_part(&mut live)?;
                if let Some(f) = self.on_partial.as_mut() {
                    let mut so_far = live.parts.clone();
                    so_far.push(part.clone());
                    f(&merge_with(&so_far, part.end_s, false).without_annotations());
                }
                live.early = Some(part);
            } else if live.parts.len() > before
                && let Some(f) = self.on_partial.as_mut()
            {
                f(&merge_with(&live.parts, live.seek as f64 / RATE as f64, false).without_annotations());
            }
            self.rest_ready
                .store(live.rest_holds(live.early.as_ref()), Ordering::Relaxed);
            if finishing {
                return self.finish_windows(live);
            }
            if idle {
                std::thread::park_timeout(self.opts.poll);
            }
        }
    }

    /// Transcribes every whole window the recording holds. While the rest transcribed when the person
    /// stopped talking still stands (nothing said since), the next window waits: transcribing it would undo
    /// that rest, and the person pressing Stop now would wait for the rest again (0.9 s for an answer ended
    /// 4 s before the time-box).
    fn take_windows(&mut self, live: &mut Live) -> Result<(), StreamError> {
        while live.started
            && live.audio.len() >= live.lead + Windows::MIN_INPUT
            && !live.rest_holds(live.early.as_ref())
        {
            if self.cancel.load(Ordering::SeqCst) {
                return Err(AsrError::Cancelled.into());
            }
            live.early = None;
            let mut opts = self.opts.whisper.clone();
            opts.threads = opts.threads.or(self.opts.live_threads);
            let (part, len) = window_part(
                &self.model,
                &mut live.windows,
                &live.audio,
                live.lead,
                live.seek,
                said_until(&live.parts, live.seek),
                &opts,
                &self.cancel,
            )?;
            self.runs.fetch_add(1, Ordering::SeqCst);
            self.commit(live, part, len);
        }
        self.settle(live)
    }

    /// Keeps `part`, the next `len` samples of the recording transcribed, and lets go of its audio.
    fn commit(&self, live: &mut Live, part: ChunkTranscript, len: usize) {
        live.parts.push(part);
        let keep = Windows::LEAD.min(live.lead + len);
        live.audio.drain(..live.lead + len - keep);
        live.lead = keep;
        live.seek += len;
        self.chunks.fetch_add(1, Ordering::Relaxed);
        self.done.store(live.seek as u64, Ordering::Relaxed);
    }

    /// Near the time-box's end ([`StreamOptions::ends_at`]), once: commits the open window but its last
    /// segment ([`Model::transcribe_settled`]), so that the rest at Stop is short.
    fn settle(&mut self, live: &mut Live) -> Result<(), StreamError> {
        let pending = live.audio.len() - live.lead;
        let heard = live.seek + pending;
        let due = self
            .opts
            .ends_at
            .is_some_and(|end| heard as f64 >= (end.as_secs_f64() - SETTLE_BEFORE_S) * RATE as f64);
        if !due
            || live.settle_tried
            || !live.started
            || pending as f64 <= SETTLE_MIN_S * RATE as f64
            || live.rest_holds(live.early.as_ref())
        {
            return Ok(());
        }
        live.settle_tried = true;
        live.early = None;
        let mut opts = self.opts.whisper.clone();
        opts.threads = opts.threads.or(self.opts.live_threads);
        // Whisper sometimes skips sentences in such a window (a first segment of 6 words timed over 8.7 s
        // of speech): not committed then, and the rest at Stop transcribes the whole window as before.
        let (from_s, quiet) = (live.seek as f64 / RATE as f64, live.levels.silent_stretches());
        let whole = |t: &Transcript, len: usize| !skips_speech(t, from_s, len as f64 / RATE as f64, &quiet);
        let (transcript, len) = self.model.transcribe_settled(
            &mut live.windows,
            &live.audio,
            live.lead,
            &opts,
            Arc::clone(&self.cancel),
            whole,
        )?;
        self.runs.fetch_add(1, Ordering::SeqCst);
        if len == 0 {
            return Ok(());
        }
        let transcript = self.model.confirm_in(
            &mut live.windows,
            transcript,
            &live.audio,
            live.lead,
            said_until(&live.parts, live.seek),
            &opts,
            &self.cancel,
        )?;
        live.settled = true;
        let part = ChunkTranscript {
            start_s: live.seek as f64 / RATE as f64,
            end_s: (live.seek + len) as f64 / RATE as f64,
            transcript,
        };
        self.commit(live, part, len);
        Ok(())
    }

    /// The rest of the recording after the windows, transcribed (counted as a run).
    fn rest_part(&self, live: &mut Live) -> Result<ChunkTranscript, StreamError> {
        // After a settled window, without the text context: with it, Whisper ended the rest after its first
        // sentence on 2 of 5 cuts of the 3-minute answer (timing that sentence to the end of the audio, so
        // the sentences after it were lost); without it, on none, and the rest took 0.48-0.69 s instead of
        // 0.62-1.31 s (`examples/stream_cut.rs`). Batch transcription forgets the context for a short last
        // window too.
        let part = rest_part(
            &self.model,
            &mut live.windows,
            &live.audio,
            live.lead,
            live.seek,
            &self.opts,
            &self.cancel,
            live.settled,
            said_until(&live.parts, live.seek),
        )?;
        self.runs.fetch_add(1, Ordering::SeqCst);
        if live.settled {
            return self.heard_to_the_end(live, part);
        }
        Ok(part)
    }

    /// After a settled window, Whisper may end the rest after its first sentence, timing that to the end of
    /// the audio, so that the sentences after it are lost (with the text context it did on 2 cuts in 5; the
    /// rest is now transcribed without it). When the recording's levels still show speech after the rest's
    /// last word, that stretch is transcribed again.
    fn heard_to_the_end(&self, live: &mut Live, part: ChunkTranscript) -> Result<ChunkTranscript, StreamError> {
        let said_until = part.transcript.words.last().map_or(0.0, |w| w.end_s);
        let rest_s = part.end_s - part.start_s;
        if rest_s - said_until < LOST_SPEECH_S {
            return Ok(part);
        }
        let from_s = part.start_s + said_until + 0.1;
        let quiet: f64 = live
            .levels
            .silent_stretches()
            .iter()
            .map(|&(a, b)| (b.min(part.end_s) - a.max(from_s)).max(0.0))
            .sum();
        if part.end_s - from_s - quiet < LOST_SPEECH_S {
            return Ok(part);
        }
        let at = live.lead + ((from_s - part.start_s) * RATE as f64).round() as usize;
        let more = self.model.transcribe_rest_cold(
            &mut live.windows,
            &live.audio,
            at.min(live.audio.len()),
            &self.opts.whisper,
            Arc::clone(&self.cancel),
        )?;
        self.runs.fetch_add(1, Ordering::SeqCst);
        if more.words.is_empty() {
            return Ok(part);
        }
        let (start_s, end_s) = (part.start_s, part.end_s);
        let pieces = [
            ChunkTranscript { end_s: from_s, ..part },
            ChunkTranscript {
                start_s: from_s,
                end_s,
                transcript: more,
            },
        ];
        let whole = merge_with(&pieces, end_s, false);
        Ok(ChunkTranscript {
            start_s,
            end_s,
            transcript: super::whisper::shifted(whole, -start_s, end_s - start_s),
        })
    }

    /// At Stop, with the whole file read: the windows so far and the rest (the early one if nothing was said
    /// after it), merged, the words timed in the recording's silences dropped.
    fn finish_windows(&self, mut live: Live) -> Result<Transcript, StreamError> {
        let total = live.seek + live.audio.len() - live.lead;
        if total == 0 {
            return Err(StreamError::Empty(self.wav.clone()));
        }
        if !live.started {
            // Never a sound above -70 dBFS: nothing was said (batch transcription says the same).
            return Ok(Transcript {
                duration_s: total as f64 / RATE as f64,
                ..Transcript::default()
            });
        }
        if let Some(part) = live.early.take()
            && live.rest_holds(Some(&part))
        {
            // Nothing was said after it: it is the rest.
            live.parts.push(part);
            self.chunks.fetch_add(1, Ordering::Relaxed);
            self.done.store(total as u64, Ordering::Relaxed);
        } else if live.audio.len() - live.lead > RATE / 10 {
            // Whisper's window loop stops with 100 ms or less left.
            let part = self.rest_part(&mut live)?;
            live.parts.push(part);
            self.chunks.fetch_add(1, Ordering::Relaxed);
            self.done.store(total as u64, Ordering::Relaxed);
        }
        Ok(live
            .levels
            .spoken(merge_with(&live.parts, total as f64 / RATE as f64, false).without_annotations()))
    }

    fn run(self) -> Result<Transcript, StreamError> {
        if self.opts.windows {
            self.run_windows()
        } else {
            self.run_chunks()
        }
    }

    fn run_chunks(mut self) -> Result<Transcript, StreamError> {
        let mut tail = WavTail::new(&self.wav);
        let mut to16k: Option<To16k> = None;
        let mut chunker = Chunker::new(self.opts.chunker);
        let mut parts = Vec::new();
        let mut total = 0usize;
        let mut levels = Levels::default();
        loop {
            if self.cancel.load(Ordering::SeqCst) {
                return Err(AsrError::Cancelled.into());
            }
            // Read the flag before the file: once it is set, the file is complete, so read to its end.
            let finishing = self.finish.load(Ordering::SeqCst);
            let Some((samples, idle)) = self.read_16k(&mut tail, &mut to16k, finishing)? else {
                if finishing {
                    return Err(StreamError::Empty(self.wav.clone()));
                }
                std::thread::park_timeout(self.opts.poll);
                continue;
            };
            total += samples.len();
            levels.push(&samples);
            let before = parts.len();
            for chunk in chunker.push(&samples) {
                // The person stopped talking: Stop may come any moment, and the window and capture are idle,
                // so this chunk gets every thread, as the tail after Stop does.
                let part = self.transcribe(&chunk, finishing || chunk.ends_speech, false, parts.last())?;
                parts.push(part);
            }
            if !finishing
                && parts.len() > before
                && let Some(f) = self.on_partial.as_mut()
            {
                let so_far = parts.last().map_or(0.0, |p| p.end_s);
                f(&merge(&parts, so_far).without_annotations());
            }
            if finishing {
                // Silence after the person stopped talking needs no Whisper (it would only say
                // `[BLANK_AUDIO]`); the merged transcript still lasts the whole recording.
                let quiet = chunker.tail_is_quiet();
                if let Some(chunk) = chunker.finish()
                    && !quiet
                {
                    let part = self.transcribe(&chunk, true, true, parts.last())?;
                    parts.push(part);
                }
                if total == 0 {
                    return Err(StreamError::Empty(self.wav.clone()));
                }
                return Ok(levels.spoken(merge(&parts, total as f64 / RATE as f64).without_annotations()));
            }
            if idle {
                std::thread::park_timeout(self.opts.poll);
            }
        }
    }

    fn transcribe(
        &self,
        chunk: &Chunk,
        finishing: bool,
        tail: bool,
        previous: Option<&ChunkTranscript>,
    ) -> Result<ChunkTranscript, StreamError> {
        let live = (!finishing).then_some(self.opts.live_threads).flatten();
        // Only the open tail gets the fitted context; chunks cut before Stop and not yet transcribed (a busy
        // machine) keep the full one, so the cost in accuracy stays on one short chunk.
        let part = if tail && self.opts.tail_audio_ctx_margin_s.is_some() {
            let opts = StreamOptions {
                audio_ctx_margin_s: self.opts.tail_audio_ctx_margin_s,
                ..self.opts.clone()
            };
            transcribe_chunk(&self.model, &opts, chunk, live, previous, &self.cancel)?
        } else {
            transcribe_chunk(&self.model, &self.opts, chunk, live, previous, &self.cancel)?
        };
        self.runs.fetch_add(1, Ordering::SeqCst);
        self.chunks.fetch_add(1, Ordering::Relaxed);
        self.done
            .store((chunk.start + chunk.samples.len()) as u64, Ordering::Relaxed);
        Ok(part)
    }
}

/// One chunk through Whisper with the stream's options: `threads` unless the options name them, the encoder
/// context fitted to the chunk, the previous chunk's last words as the prompt.
fn transcribe_chunk(
    model: &Model,
    stream: &StreamOptions,
    chunk: &Chunk,
    threads: Option<i32>,
    previous: Option<&ChunkTranscript>,
    cancel: &Arc<AtomicBool>,
) -> Result<ChunkTranscript, StreamError> {
    let mut opts = stream.whisper.clone();
    if stream.prompt_words > 0
        && let Some(prev) = previous
    {
        // Whisper's own notes ("[BLANK_AUDIO]", "(wind blowing)") are not speech to continue from.
        let words: Vec<&str> = prev
            .transcript
            .text
            .split_whitespace()
            .filter(|w| !w.starts_with(['[', '(']) && !w.ends_with([']', ')']))
            .collect();
        let from = words.len().saturating_sub(stream.prompt_words);
        if from < words.len() {
            opts.prompt = Some(words[from..].join(" "));
        }
    }
    if opts.threads.is_none() {
        opts.threads = threads;
    }
    if let Some(margin) = stream.audio_ctx_margin_s {
        opts.audio_ctx = audio_ctx_for(chunk.end_s() - chunk.start_s(), margin);
    }
    let transcript = model.transcribe(&chunk.samples, &opts, |_| {}, Arc::clone(cancel))?;
    Ok(ChunkTranscript {
        start_s: chunk.start_s(),
        end_s: chunk.end_s(),
        transcript,
    })
}

/// Transcribes a whole recording (16 kHz mono) the way the stream does, chunk after chunk cut at pauses, with
/// every thread: `progress` gets 0–100; setting `cancel` stops early.
pub fn transcribe_chunked(
    model: &Model,
    samples: &[f32],
    opts: &StreamOptions,
    mut progress: impl FnMut(i32),
    cancel: &Arc<AtomicBool>,
) -> Result<Transcript, StreamError> {
    if opts.windows {
        return transcribe_windowed(model, samples, opts, progress, cancel);
    }
    let mut chunker = Chunker::new(opts.chunker);
    let mut chunks = chunker.push(samples);
    chunks.extend(chunker.finish());
    let mut parts: Vec<ChunkTranscript> = Vec::with_capacity(chunks.len());
    for chunk in &chunks {
        if cancel.load(Ordering::SeqCst) {
            return Err(AsrError::Cancelled.into());
        }
        let part = transcribe_chunk(model, opts, chunk, None, parts.last(), cancel)?;
        parts.push(part);
        let done = chunk.start + chunk.samples.len();
        progress(((done * 100) / samples.len().max(1)) as i32);
    }
    if samples.is_empty() {
        return Ok(Transcript::default());
    }
    Ok(keep_spoken(
        merge(&parts, samples.len() as f64 / RATE as f64).without_annotations(),
        samples,
    ))
}

/// [`transcribe_chunked`] with [`StreamOptions::windows`]: window after window as the recording would
/// reach each, then the rest as after Stop.
fn transcribe_windowed(
    model: &Model,
    samples: &[f32],
    opts: &StreamOptions,
    mut progress: impl FnMut(i32),
    cancel: &Arc<AtomicBool>,
) -> Result<Transcript, StreamError> {
    if samples.is_empty() {
        return Ok(Transcript::default());
    }
    let levels = Levels::of(samples);
    let Some(start) = levels.speech_start() else {
        return Ok(Transcript {
            duration_s: samples.len() as f64 / RATE as f64,
            ..Transcript::default()
        });
    };
    let mut windows = model.windows()?;
    let mut parts = Vec::new();
    let mut seek = start;
    while samples.len() >= seek + Windows::MIN_INPUT {
        let said = said_until(&parts, seek);
        let (part, len) = window_part(model, &mut windows, samples, seek, seek, said, &opts.whisper, cancel)?;
        parts.push(part);
        seek += len;
        progress(((seek * 100) / samples.len()) as i32);
    }
    if samples.len() > seek + RATE / 10 {
        parts.push(rest_part(
            model,
            &mut windows,
            samples,
            seek,
            seek,
            opts,
            cancel,
            false,
            said_until(&parts, seek),
        )?);
    }
    progress(100);
    Ok(levels.spoken(merge_with(&parts, samples.len() as f64 / RATE as f64, false).without_annotations()))
}

/// A windowed stream's place in the recording.
struct Live {
    windows: Windows,
    /// The recording from `seek - lead` on: what the windows have not taken yet, and the little before it
    /// that the next window's first mel frames need (the rest is let go, so memory does not grow with the
    /// length of the answer).
    audio: Vec<f32>,
    /// The whole recording's 20 ms levels, to drop the words timed in its silences at the end.
    levels: Levels,
    seek: usize,
    lead: usize,
    parts: Vec<ChunkTranscript>,
    /// Only to notice when the person stops talking (the chunks it cuts are not transcribed).
    detector: Chunker,
    /// The rest of the recording, transcribed when the person stopped talking (up to the sample it reached
    /// then): the report at Stop if they said nothing more.
    early: Option<ChunkTranscript>,
    /// Whether the windows have started (a second before the first sound, as in batch:
    /// [`Levels::speech_start`]); not while all is quiet.
    started: bool,
    /// The open window was settled before the time-box's end (tried once), and what it heard committed.
    settle_tried: bool,
    settled: bool,
}

impl Live {
    /// An early rest (transcribed when the person stopped talking, up to the audio then) still stands:
    /// nothing was said after it.
    fn rest_holds(&self, early: Option<&ChunkTranscript>) -> bool {
        early.is_some_and(|part| {
            let reached = self.lead + ((part.end_s * RATE as f64).round() as usize).saturating_sub(self.seek);
            self.detector.is_quiet(&self.audio[reached.min(self.audio.len())..])
        })
    }
}

/// When the last word in `parts` ends, in seconds from sample `seek` of the recording (negative: before it).
fn said_until(parts: &[ChunkTranscript], seek: usize) -> Option<f64> {
    let (part, word) = parts
        .iter()
        .rev()
        .find_map(|p| p.transcript.words.last().map(|w| (p, w)))?;
    Some(part.start_s + word.end_s - seek as f64 / RATE as f64)
}

/// The window at `audio[at]`, which is sample `seek` of the recording ([`Windows::MIN_INPUT`] samples must
/// follow), placed in the recording, and its length in samples (at least one).
#[allow(clippy::too_many_arguments)]
fn window_part(
    model: &Model,
    windows: &mut Windows,
    audio: &[f32],
    at: usize,
    seek: usize,
    said_until: Option<f64>,
    whisper: &Options,
    cancel: &Arc<AtomicBool>,
) -> Result<(ChunkTranscript, usize), StreamError> {
    let (transcript, len) = model.transcribe_window(windows, audio, at, whisper, Arc::clone(cancel))?;
    let transcript = model.confirm_in(windows, transcript, audio, at, said_until, whisper, cancel)?;
    let part = ChunkTranscript {
        start_s: seek as f64 / RATE as f64,
        end_s: (seek + len) as f64 / RATE as f64,
        transcript,
    };
    Ok((part, len.max(1)))
}

/// The recording from `audio[at]`, which is its sample `seek`, to its end, transcribed and placed in the
/// recording, with the stream's options for what is left at Stop (`cold`: without the text context).
#[allow(clippy::too_many_arguments)]
fn rest_part(
    model: &Model,
    windows: &mut Windows,
    audio: &[f32],
    at: usize,
    seek: usize,
    opts: &StreamOptions,
    cancel: &Arc<AtomicBool>,
    cold: bool,
    said_until: Option<f64>,
) -> Result<ChunkTranscript, StreamError> {
    let rest = audio.len() - at;
    let mut whisper = opts.whisper.clone();
    if let Some(margin) = opts.tail_audio_ctx_margin_s {
        whisper.audio_ctx = audio_ctx_for(rest as f64 / RATE as f64, margin);
    }
    // Transcribed without the text context, the rest holds nothing that context made up.
    let transcript = if cold {
        model.transcribe_rest_cold(windows, audio, at, &whisper, Arc::clone(cancel))?
    } else {
        let t = model.transcribe_rest(windows, audio, at, &whisper, Arc::clone(cancel))?;
        model.confirm_in(windows, t, audio, at, said_until, &whisper, cancel)?
    };
    Ok(ChunkTranscript {
        start_s: seek as f64 / RATE as f64,
        end_s: (seek + rest) as f64 / RATE as f64,
        transcript,
    })
}

/// Streaming resampling to 16 kHz, block for block the same as [`decode::resample`] on the whole file.
struct To16k {
    resampler: Option<SincFixedIn<f32>>,
    pending: Vec<f32>,
    ratio: f64,
    /// Output samples still to drop (the filter's delay).
    skip: usize,
    in_total: usize,
    out_total: usize,
}

impl To16k {
    fn new(rate: u32) -> Result<Self, DecodeError> {
        let resampler = if rate == decode::WHISPER_RATE {
            None
        } else {
            Some(decode::resampler(rate, decode::WHISPER_RATE)?)
        };
        Ok(Self {
            skip: resampler.as_ref().map_or(0, Resampler::output_delay),
            resampler,
            pending: Vec::new(),
            ratio: f64::from(decode::WHISPER_RATE) / f64::from(rate),
            in_total: 0,
            out_total: 0,
        })
    }

    fn emit(&mut self, block: &[f32], out: &mut Vec<f32>) {
        let drop = self.skip.min(block.len());
        self.skip -= drop;
        out.extend_from_slice(&block[drop..]);
    }

    fn push(&mut self, samples: &[f32]) -> Result<Vec<f32>, DecodeError> {
        self.in_total += samples.len();
        let Some(r) = self.resampler.as_mut() else {
            self.out_total += samples.len();
            return Ok(samples.to_vec());
        };
        self.pending.extend_from_slice(samples);
        let mut blocks = Vec::new();
        let mut pos = 0;
        while pos + RESAMPLE_CHUNK <= self.pending.len() {
            let b = r
                .process(&[&self.pending[pos..pos + RESAMPLE_CHUNK]], None)
                .map_err(|e| DecodeError::Resample(e.to_string()))?;
            blocks.push(b.into_iter().next().unwrap_or_default());
            pos += RESAMPLE_CHUNK;
        }
        self.pending.drain(..pos);
        let mut out = Vec::new();
        for b in blocks {
            self.emit(&b, &mut out);
        }
        self.out_total += out.len();
        Ok(out)
    }

    /// The end of the input: flushes the filter so the total length is exactly `in * ratio` (rounded).
    fn finish(&mut self) -> Result<Vec<f32>, DecodeError> {
        let Some(r) = self.resampler.as_mut() else {
            return Ok(Vec::new());
        };
        let want = (self.in_total as f64 * self.ratio).round() as usize;
        let mut blocks = Vec::new();
        if !self.pending.is_empty() {
            let b = r
                .process_partial(Some(&[&self.pending[..]]), None)
                .map_err(|e| DecodeError::Resample(e.to_string()))?;
            blocks.push(b.into_iter().next().unwrap_or_default());
            self.pending.clear();
        }
        let mut out = Vec::new();
        for b in blocks {
            self.emit(&b, &mut out);
        }
        while self.out_total + out.len() < want {
            let Some(r) = self.resampler.as_mut() else { break };
            let b = r
                .process_partial::<&[f32]>(None, None)
                .map_err(|e| DecodeError::Resample(e.to_string()))?;
            let b = b.into_iter().next().unwrap_or_default();
            if b.is_empty() {
                break;
            }
            self.emit(&b, &mut out);
        }
        out.truncate(want.saturating_sub(self.out_total));
        self.out_total += out.len();
        Ok(out)
    }
}

/// Reads a 16-bit PCM WAV file that another thread is still writing: the header once it is there, then
/// the samples the header says are written (all the samples up to the end of the file once it is final).
struct WavTail {
    path: PathBuf,
    file: Option<File>,
    format: Option<TailFormat>,
    /// Data bytes consumed.
    consumed: u64,
}

#[derive(Clone, Copy, Debug)]
struct TailFormat {
    rate: u32,
    channels: usize,
    /// Offset of the first data byte.
    data_start: u64,
}

impl WavTail {
    fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            file: None,
            format: None,
            consumed: 0,
        }
    }

    fn rate(&self) -> Option<u32> {
        self.format.map(|f| f.rate)
    }

    /// New mono samples (full scale ±1.0) at the file's rate; empty while there is nothing new.
    fn read(&mut self, to_end: bool) -> Result<Vec<f32>, StreamError> {
        let path = self.path.clone();
        let err = |reason: String| StreamError::Read {
            path: path.clone(),
            reason,
        };
        let file = match &mut self.file {
            Some(f) => f,
            None => match File::open(&self.path) {
                Ok(f) => self.file.insert(f),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !to_end => return Ok(Vec::new()),
                Err(e) => return Err(err(e.to_string())),
            },
        };
        let fmt = match self.format {
            Some(f) => f,
            None => {
                let mut head = Vec::new();
                file.seek(SeekFrom::Start(0)).map_err(|e| err(e.to_string()))?;
                (&mut *file)
                    .take(64 * 1024)
                    .read_to_end(&mut head)
                    .map_err(|e| err(e.to_string()))?;
                match parse_header(&head) {
                    Ok(Some(f)) => *self.format.insert(f),
                    Ok(None) if !to_end => return Ok(Vec::new()),
                    Ok(None) => return Err(err("the WAV header is incomplete".into())),
                    Err(reason) => return Err(err(reason)),
                }
            }
        };
        let len = file.metadata().map_err(|e| err(e.to_string()))?.len();
        let on_disk = len.saturating_sub(fmt.data_start);
        let available = if to_end {
            on_disk
        } else {
            // While recording, only what the last header rewrite vouches for.
            let mut size = [0u8; 4];
            file.seek(SeekFrom::Start(fmt.data_start - 4))
                .and_then(|_| file.read_exact(&mut size))
                .map_err(|e| err(e.to_string()))?;
            u64::from(u32::from_le_bytes(size)).min(on_disk)
        };
        let frame = 2 * fmt.channels as u64;
        let available = available / frame * frame;
        if available <= self.consumed {
            return Ok(Vec::new());
        }
        let mut bytes = vec![0u8; (available - self.consumed) as usize];
        file.seek(SeekFrom::Start(fmt.data_start + self.consumed))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| err(e.to_string()))?;
        self.consumed = available;
        let scale = 1.0 / 32768.0;
        Ok(bytes
            .chunks_exact(frame as usize)
            .map(|f| {
                let sum: f32 = f
                    .chunks_exact(2)
                    .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) * scale)
                    .sum();
                sum / fmt.channels as f32
            })
            .collect())
    }
}

/// The format and data offset of a 16-bit PCM WAV from its first bytes; `Ok(None)` when the header is not
/// complete yet.
fn parse_header(head: &[u8]) -> Result<Option<TailFormat>, String> {
    if head.len() < 12 {
        return Ok(None);
    }
    if &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Err("not a WAV file".into());
    }
    let u16_at = |i: usize| u16::from_le_bytes([head[i], head[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let mut pos = 12;
    let mut fmt = None;
    while pos + 8 <= head.len() {
        let id = &head[pos..pos + 4];
        let size = u32_at(pos + 4) as usize;
        let body = pos + 8;
        if id == b"fmt " {
            if body + 16 > head.len() {
                return Ok(None);
            }
            let tag = u16_at(body);
            let channels = usize::from(u16_at(body + 2));
            let rate = u32_at(body + 4);
            let bits = u16_at(body + 14);
            if !(tag == 1 || tag == 0xFFFE) || bits != 16 || channels == 0 {
                return Err(format!("format {tag:#x} with {bits}-bit samples (16-bit PCM expected)"));
            }
            fmt = Some((rate, channels));
        } else if id == b"data" {
            let Some((rate, channels)) = fmt else {
                return Err("the data comes before the format".into());
            };
            return Ok(Some(TailFormat {
                rate,
                channels,
                data_start: body as u64,
            }));
        }
        pos = body + size + (size & 1);
    }
    Ok(None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::audio::wav::WavSink;

    fn words(times: &[(f64, f64)]) -> Transcript {
        Transcript {
            words: times
                .iter()
                .map(|&(start_s, end_s)| crate::transcript::TimedText {
                    start_s,
                    end_s,
                    text: "word".into(),
                })
                .collect(),
            duration_s: 20.0,
            ..Transcript::default()
        }
    }

    #[test]
    fn a_window_that_skipped_speech_is_told_from_one_with_pauses() {
        // Words every half second from 0 to 10 s, then none until the window ends at 20 s.
        let t = words(
            &(0..20)
                .map(|i| (f64::from(i) * 0.5, f64::from(i) * 0.5 + 0.4))
                .collect::<Vec<_>>(),
        );
        // Speech goes on after 10 s: skipped.
        assert!(skips_speech(&t, 100.0, 20.0, &[]));
        // The recording is quiet there (from 110 s, as the window starts at 100 s): a pause, not skipped.
        assert!(!skips_speech(&t, 100.0, 20.0, &[(109.8, 121.0)]));
        // Quiet for all but 2 s of it: less than SKIPPED_S of sound, not skipped.
        assert!(!skips_speech(&t, 100.0, 20.0, &[(110.0, 118.0)]));
        // A first word 6 s into speech: skipped before it.
        let late = words(&[(6.0, 6.4), (6.5, 7.0)]);
        assert!(skips_speech(&late, 0.0, 7.0, &[]));
        assert!(!skips_speech(&late, 0.0, 7.0, &[(0.0, 5.5)]));
        // No words at all in 2 s of sound: too short to tell.
        assert!(!skips_speech(&words(&[]), 0.0, 2.0, &[]));
    }

    #[test]
    fn tailing_a_growing_wav_gives_the_samples_written_so_far() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let mut tail = WavTail::new(&path);
        assert!(tail.read(false).unwrap().is_empty(), "no file yet");
        let mut sink = WavSink::create(&path, 48_000).unwrap();
        assert!(tail.read(false).unwrap().is_empty());
        assert_eq!(tail.rate(), Some(48_000));
        let signal: Vec<f32> = (0..48_000).map(|i| ((i % 100) as f32 - 50.0) / 100.0).collect();
        sink.write(&signal[..10_000]).unwrap();
        sink.flush().unwrap();
        let mut got = tail.read(false).unwrap();
        assert_eq!(got.len(), 10_000);
        sink.write(&signal[10_000..]).unwrap();
        sink.finalize().unwrap();
        got.extend(tail.read(true).unwrap());
        assert_eq!(got.len(), signal.len());
        for (a, b) in got.iter().zip(&signal) {
            assert!((a - b).abs() <= 1.0 / 32768.0, "{a} vs {b}");
        }
    }

    #[test]
    fn streaming_resampling_matches_the_whole_file() {
        let samples: Vec<f32> = (0..48_000 * 3 + 77).map(|i| (i as f32 * 0.01).sin() * 0.3).collect();
        let whole = decode::resample(
            &decode::MonoAudio {
                rate: 48_000,
                samples: samples.clone(),
            },
            16_000,
        )
        .unwrap();
        let mut r = To16k::new(48_000).unwrap();
        let mut out = Vec::new();
        for block in samples.chunks(3_333) {
            out.extend(r.push(block).unwrap());
        }
        out.extend(r.finish().unwrap());
        assert_eq!(out.len(), whole.len());
        assert_eq!(out, whole, "block for block the same samples");
    }

    #[test]
    fn headers_are_parsed_or_refused() {
        assert!(parse_header(b"RIFF").unwrap().is_none());
        assert!(parse_header(b"RIFX\0\0\0\0WAVEfmt ").is_err());
        let mut float = Vec::new();
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        hound::WavWriter::new(std::io::Cursor::new(&mut float), spec)
            .unwrap()
            .finalize()
            .unwrap();
        assert!(parse_header(&float).unwrap_err().contains("16-bit"));
    }
}

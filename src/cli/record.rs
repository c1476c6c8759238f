//! `rehearse record`: one answer from the microphone, kept on disk throughout, transcribed in chunks while
//! it is spoken (so the report follows Stop within moments) and scored.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use crate::asr::stream::{StreamOptions, Streamer};
use crate::asr::{models, whisper};
use crate::bank::Deck;
use crate::session;
use crate::store::{Attempt, NewAttempt, Store};

#[derive(Args)]
pub(super) struct RecordArgs {
    /// Question id (see `rehearse questions`).
    #[arg(long)]
    question: String,
    /// Stop after this many seconds (default: the question's time-box, usually 180).
    #[arg(long)]
    seconds: Option<f64>,
    /// Input device name (see `rehearse devices`); default: the system's default input.
    #[arg(long)]
    device: Option<String>,
    /// Also load this deck file.
    #[arg(long)]
    deck: Option<PathBuf>,
    #[arg(long, default_value = models::DEFAULT_MODEL)]
    model: String,
    /// Only record; transcribe later with `rehearse attempts transcribe ID`.
    #[arg(long)]
    no_transcribe: bool,
    /// Print the saved attempt as JSON.
    #[arg(long)]
    json: bool,
    /// Also print how long the report took after the recording stopped.
    #[arg(long)]
    verbose: bool,
}

impl RecordArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let decks = super::load_decks(self.deck.as_deref())?;
        let (deck, q) = super::find_question(&decks, &self.question)?;
        let (deck_id, q) = (Some(deck.id.clone()), q.clone());
        // The question's time-box unless --seconds overrides it for this attempt (the window's rule too).
        let time_box = session::TimeBox::for_question(&q, self.seconds)
            .map_err(|_| anyhow::anyhow!("--seconds must be a positive number of seconds"))?;
        // Fail early, before recording, if the model is missing.
        let model_path = if self.no_transcribe {
            None
        } else {
            Some(models::resolve(&self.model).map_err(anyhow::Error::msg)?)
        };
        let store = super::open_store()?;
        let new = session::begin(&store, &q, deck_id.as_deref().unwrap_or_default(), time_box)?;

        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))
            .context("cannot install the Ctrl-C handler")?;

        // The model is loaded before recording starts.
        let model = match &model_path {
            Some(path) => Some((path.clone(), Arc::new(whisper::Model::load(path)?))),
            None => None,
        };
        eprintln!("question: {}", q.prompt);
        let recorder = Recorder {
            store: &store,
            decks: &decks,
            device: self.device.as_deref(),
            model: model.as_ref().map(|(p, m)| (p.as_path(), m)),
            verbose: self.verbose,
        };
        let attempt = recorder.record(new, time_box, &|| stop.load(std::sync::atomic::Ordering::SeqCst))?;
        super::attempts::print_attempt(&store, &attempt, self.json)
    }
}

/// Records one begun attempt from the microphone and takes it through the lifecycle (started, stopped or
/// failed, transcribed and scored while it is spoken). Shared by `rehearse record` and `rehearse mock`.
pub(super) struct Recorder<'a> {
    /// Where the attempt is.
    pub store: &'a Store,
    /// For scoring against the attempt's question.
    pub decks: &'a [Deck],
    /// Input device name; `None` = the default input.
    pub device: Option<&'a str>,
    /// The Whisper model (path and loaded); `None` = only record.
    pub model: Option<(&'a Path, &'a Arc<whisper::Model>)>,
    /// Print how long the report took after Stop.
    pub verbose: bool,
}

impl Recorder<'_> {
    /// Records `new` until `time_box` runs out or `stop()` turns true, then transcribes and scores it.
    /// Returns the saved attempt.
    pub(super) fn record(
        &self,
        new: NewAttempt,
        time_box: session::TimeBox,
        stop: &dyn Fn() -> bool,
    ) -> anyhow::Result<Attempt> {
        use crate::audio::capture::{CaptureEngine, CaptureEvent, StartRequest};
        use crate::audio::clock::SystemClock;

        let store = self.store;
        let id = new.attempt.id.clone();
        let engine = CaptureEngine::spawn(SystemClock::shared(), None)?;
        let mut request =
            StartRequest::new(&new.wav_path).with_time_limit(std::time::Duration::from_secs_f64(time_box.seconds));
        if let Some(d) = self.device {
            request = request.with_device(d);
        }
        engine.start(request)?;
        // The answer is transcribed in chunks while it is spoken (see `asr::stream`), so at Stop only the
        // last few seconds are left.
        // The answer so far is scored after every chunk on a thread of its own (which first loads the
        // rubric's model), so the sentence vectors are ready and scoring the whole answer at Stop is quick.
        let question = crate::session::question_for(self.decks, &new.attempt).cloned();
        let (prescorer, streamer) = match self.model {
            Some((_, m)) => {
                let (tx, rx) = crossbeam_channel::unbounded::<crate::transcript::Transcript>();
                let prescorer = Prescorer::spawn(rx, question, time_box.seconds)?;
                let on_partial: crate::asr::stream::OnPartial = Box::new(move |t| {
                    let _ = tx.send(t.clone());
                });
                let streamer =
                    Streamer::start_with(&new.wav_path, Arc::clone(m), StreamOptions::default(), Some(on_partial))?;
                (Some(prescorer), Some(streamer))
            }
            None => (None, None),
        };
        eprintln!("time-box: {}", time_box.describe());
        let bar = super::progress::tenths_of_seconds(time_box.seconds, "starting…");
        let mut stop_sent = false;
        let mut stop_at: Option<Instant> = None;
        let stopped = loop {
            if !stop_sent && stop() {
                bar.suspend(|| eprintln!("stopping…"));
                let _ = engine.stop();
                stop_sent = true;
                stop_at = Some(Instant::now());
            }
            match engine.events().recv_timeout(std::time::Duration::from_millis(100)) {
                Ok(CaptureEvent::Started(s)) => {
                    bar.suspend(|| {
                        eprintln!(
                            "recording from {} ({} Hz) — speak now; Ctrl-C to stop",
                            s.device, s.sample_rate
                        );
                    });
                    session::started(store, &id, &s.device, s.sample_rate)?;
                }
                Ok(CaptureEvent::Elapsed { elapsed, remaining }) => {
                    bar.set_position((elapsed.as_secs_f64() * 10.0) as u64);
                    bar.set_message(format!(
                        "{:.1} s recorded, {:.1} s left",
                        elapsed.as_secs_f64(),
                        remaining.as_secs_f64()
                    ));
                }
                Ok(CaptureEvent::Stopped(s)) => {
                    stop_at.get_or_insert_with(Instant::now);
                    break s;
                }
                Ok(CaptureEvent::Error(e)) => {
                    // Nothing was captured: the attempt is kept as failed so the error is on record.
                    let msg = e.to_string();
                    session::failed(store, &id, &msg)?;
                    anyhow::bail!("{msg} (the attempt {id} is kept as failed; check `rehearse devices`)");
                }
                Ok(CaptureEvent::Level(_)) | Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                    anyhow::bail!("the capture engine stopped unexpectedly")
                }
            }
        };
        engine.shutdown();
        bar.finish_and_clear();
        use crate::audio::capture::StopReason;
        let ending = match &stopped.reason {
            StopReason::DeviceLost(why) | StopReason::WriteFailed(why) => session::Ending::Interrupted(why.clone()),
            StopReason::TimeLimit => session::Ending::TimeUp,
            StopReason::User | StopReason::Shutdown => session::Ending::User,
        };
        let mut attempt = session::stopped(store, &id, stopped.duration.as_secs_f64(), &ending)?;
        let note = match &ending {
            session::Ending::Interrupted(why) => Some(why),
            _ => None,
        };
        eprintln!(
            "saved {:.1} s of audio to {}",
            attempt.duration_s,
            stopped.path.display()
        );
        if let Some(n) = &note {
            eprintln!("warning: recording ended early: {n}; the audio so far is saved");
        }
        if let (Some((path, _)), Some(streamer)) = (self.model, streamer) {
            let tail_from = Instant::now();
            let chunks = streamer.progress().chunks;
            let finished = streamer.finish();
            // The stream is over, so no more partial transcripts: the scorer is free once it has done the last.
            let scorer = prescorer.map_or_else(super::scorer, Prescorer::finish);
            match finished {
                Ok(transcript) => {
                    let model_name = models::name_of(path);
                    attempt = super::attempts::save_transcript_with(
                        store,
                        self.decks,
                        &attempt.id,
                        &model_name,
                        transcript,
                        &scorer,
                    )?;
                }
                Err(e) => {
                    // The recording is intact: fall back to transcribing the whole file.
                    eprintln!("transcribing while recording failed ({e}); transcribing the whole recording");
                    attempt = super::attempts::transcribe_attempt(store, self.decks, &attempt.id, path)?;
                }
            }
            if self.verbose {
                let since_stop = stop_at.map_or(0.0, |t| t.elapsed().as_secs_f64());
                eprintln!(
                    "report ready {since_stop:.2} s after stop ({chunks} chunks transcribed while recording, \
                     the rest in {:.2} s)",
                    tail_from.elapsed().as_secs_f64()
                );
            }
        }
        Ok(attempt)
    }
}

/// Scores the answer so far on its own thread while it is recorded (see [`Recorder::record`]).
struct Prescorer {
    handle: std::thread::JoinHandle<crate::embed::Scorer>,
}

impl Prescorer {
    /// Loads the scorer, then scores each partial transcript from `rx` against `question` until the sender
    /// is dropped. Only the newest waiting transcript is scored (each one contains the ones before it).
    fn spawn(
        rx: crossbeam_channel::Receiver<crate::transcript::Transcript>,
        question: Option<crate::bank::Question>,
        time_box_s: f64,
    ) -> std::io::Result<Self> {
        let handle = std::thread::Builder::new()
            .name("rehearse-prescore".into())
            .spawn(move || {
                let scorer = super::scorer();
                let rubric = crate::rubric::Rubric::embedded().ok();
                while let Ok(mut t) = rx.recv() {
                    while let Ok(newer) = rx.try_recv() {
                        t = newer;
                    }
                    if let (Some(q), Some(r)) = (&question, &rubric) {
                        let _ = crate::report::score_with(q, r, &t, time_box_s, scorer.semantic());
                    }
                }
                scorer
            })?;
        Ok(Self { handle })
    }

    /// Waits for the last partial scoring and hands the scorer over (a fresh one if the thread panicked).
    fn finish(self) -> crate::embed::Scorer {
        self.handle.join().unwrap_or_else(|_| super::scorer())
    }
}

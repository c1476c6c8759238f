//! `rehearse record`: one answer from the microphone, kept on disk throughout, transcribed while it is
//! spoken (so the report follows Stop within moments) and scored. The running half is the window's attempt
//! engine (`crate::engine::Engine`: recorder, transcriber with its stream → whole-file fallback, scorer) and
//! the lifecycle steps of `session`; this file only drives them and prints what they report.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use crate::asr::models;
use crate::asr::worker::AsrEvent;
use crate::bank::Deck;
use crate::engine::capture::{CaptureSource, RecEvent, RecordRequest, Waker};
use crate::engine::score::{ScoreEvent, ScoreJob};
use crate::engine::{AttemptEvent, Engine, Take};
use crate::session;
use crate::store::{Attempt, NewAttempt, Store};
use crate::transcript::Transcript;

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
        let mut recorder = Recorder::new(
            &store,
            &decks,
            self.device.as_deref(),
            model_path.as_deref(),
            self.verbose,
        )?;
        eprintln!("question: {}", q.prompt);
        let attempt = recorder.record(new, time_box, &|| stop.load(std::sync::atomic::Ordering::SeqCst))?;
        super::attempts::print_attempt(&store, &attempt, self.json)
    }
}

/// Records one begun attempt through the attempt engine (`crate::engine::Engine`, the window's) and prints
/// what it reports while the lifecycle moves on (started, stopped or failed, transcribed while it is
/// spoken, scored). Shared by `rehearse record` and `rehearse mock`. The audio comes from the microphone,
/// or from `REHEARSE_FAKE_MIC` as in the window.
pub(super) struct Recorder<'a> {
    /// Where the attempt is.
    store: &'a Store,
    /// For scoring against the attempt's question.
    decks: &'a [Deck],
    /// Input device name; `None` = the default input.
    device: Option<&'a str>,
    /// The loaded Whisper model's name; `None` = only record.
    model: Option<String>,
    /// Print how long the report took after Stop.
    verbose: bool,
    /// Rings when the engine has news.
    wake: crossbeam_channel::Receiver<()>,
    engine: Engine,
    /// The next transcription job's id.
    next_job: u64,
    /// The scorer's notes, said once the answer is saved.
    notes: Vec<String>,
}

impl<'a> Recorder<'a> {
    /// Starts the engine and, when there is a model to transcribe with, loads it (before recording starts)
    /// and the scorer.
    pub(super) fn new(
        store: &'a Store,
        decks: &'a [Deck],
        device: Option<&'a str>,
        model: Option<&Path>,
        verbose: bool,
    ) -> anyhow::Result<Self> {
        let (tx, wake) = crossbeam_channel::bounded(1);
        let waker: Waker = Arc::new(move || {
            let _ = tx.try_send(());
        });
        let mut engine = Engine::spawn(store.root(), &CaptureSource::from_env(), model.is_some(), waker)?;
        let model = match model {
            Some(path) => {
                engine.load_model(path.to_path_buf());
                Some(loaded(&mut engine, &wake)?)
            }
            None => None,
        };
        Ok(Self {
            store,
            decks,
            device,
            model,
            verbose,
            wake,
            engine,
            next_job: 1,
            notes: Vec::new(),
        })
    }
}

/// Waits for the engine to load the model; its name.
fn loaded(engine: &mut Engine, wake: &crossbeam_channel::Receiver<()>) -> anyhow::Result<String> {
    loop {
        match engine.try_recv() {
            Some(AttemptEvent::Asr(AsrEvent::ModelLoaded { name, .. })) => return Ok(name),
            Some(AttemptEvent::Asr(AsrEvent::ModelError(e))) => anyhow::bail!(e),
            Some(_) => {}
            None => {
                let _ = wake.recv_timeout(Duration::from_millis(100));
            }
        }
    }
}

impl Recorder<'_> {
    /// Records `new` until `time_box` runs out or `stop()` turns true, then transcribes and scores it.
    /// Returns the saved attempt.
    pub(super) fn record(
        &mut self,
        new: NewAttempt,
        time_box: session::TimeBox,
        stop: &dyn Fn() -> bool,
    ) -> anyhow::Result<Attempt> {
        let store = self.store;
        let id = new.attempt.id.clone();
        // The answer is transcribed while it is spoken (see `asr::stream`), so at Stop only the last few
        // seconds are left; the engine scores the answer so far after every window, so the sentence vectors
        // are ready and scoring the whole answer at Stop is quick.
        let question = crate::session::question_for(self.decks, &new.attempt).cloned();
        self.engine.record(Take {
            request: RecordRequest {
                path: new.wav_path.clone(),
                time_box_s: time_box.seconds,
                device: self.device.map(str::to_owned),
            },
            attempt_id: id.clone(),
            question: question.clone(),
        });
        eprintln!("time-box: {}", time_box.describe());
        let (duration_s, ending, stop_at) = self.capture(&new, time_box, stop)?;
        let mut attempt = session::stopped(store, &id, duration_s, &ending)?;
        eprintln!(
            "saved {:.1} s of audio to {}",
            attempt.duration_s,
            new.wav_path.display()
        );
        if let session::Ending::Interrupted(n) = &ending {
            eprintln!("warning: recording ended early: {n}; the audio so far is saved");
        }
        if let Some(model) = self.model.clone() {
            let tail_from = Instant::now();
            let job = self.next_job;
            self.next_job += 1;
            self.engine.transcribe(job, new.wav_path.clone());
            let (transcript, chunks) = self.transcribed(job, &id)?;
            let transcribed_s = tail_from.elapsed().as_secs_f64();
            self.engine.score(ScoreJob::Score {
                attempt_id: id.clone(),
                question: question.map(Box::new),
                transcript: Box::new(transcript),
                model,
            });
            attempt = self.scored(&id)?;
            if self.verbose {
                let since_stop = stop_at.elapsed().as_secs_f64();
                eprintln!(
                    "report ready {since_stop:.2} s after stop ({chunks} chunks transcribed while recording, \
                     the rest in {transcribed_s:.2} s, scored in {:.2} s)",
                    tail_from.elapsed().as_secs_f64() - transcribed_s
                );
            }
        }
        Ok(attempt)
    }

    /// The engine's next event, waiting for it.
    fn next(&mut self) -> AttemptEvent {
        loop {
            if let Some(e) = self.engine.try_recv() {
                return e;
            }
            let _ = self.wake.recv_timeout(Duration::from_millis(100));
        }
    }

    /// Runs the recorder until it stops (the time-box, or `stop()`), saying what it does; returns the
    /// seconds recorded, how it ended and when Stop came. The scorer's notes are kept for after.
    fn capture(
        &mut self,
        new: &NewAttempt,
        time_box: session::TimeBox,
        stop: &dyn Fn() -> bool,
    ) -> anyhow::Result<(f64, session::Ending, Instant)> {
        let id = &new.attempt.id;
        let bar = super::bars::tenths_of_seconds(time_box.seconds, "starting…");
        let mut stop_at: Option<Instant> = None;
        loop {
            if stop_at.is_none() && stop() {
                bar.suspend(|| eprintln!("stopping…"));
                self.engine.stop();
                stop_at = Some(Instant::now());
            }
            let _ = self.wake.recv_timeout(Duration::from_millis(100));
            while let Some(ev) = self.engine.try_recv() {
                match ev {
                    AttemptEvent::Rec(RecEvent::Started { device, sample_rate }) => {
                        bar.suspend(|| {
                            eprintln!("recording from {device} ({sample_rate} Hz) — speak now; Ctrl-C to stop");
                        });
                        session::started(self.store, id, &device, sample_rate)?;
                    }
                    AttemptEvent::Rec(RecEvent::Elapsed(elapsed)) => {
                        bar.set_position((elapsed * 10.0) as u64);
                        bar.set_message(format!(
                            "{elapsed:.1} s recorded, {:.1} s left",
                            (time_box.seconds - elapsed).max(0.0)
                        ));
                    }
                    AttemptEvent::Rec(RecEvent::Stopped { duration_s, why, .. }) => {
                        bar.finish_and_clear();
                        return Ok((duration_s, why.ending(), stop_at.unwrap_or_else(Instant::now)));
                    }
                    AttemptEvent::Rec(RecEvent::Error(msg)) => {
                        // Nothing was captured: the attempt is kept as failed so the error is on record.
                        bar.finish_and_clear();
                        self.engine.end_stream(new.wav_path.clone());
                        session::failed(self.store, id, &msg)?;
                        anyhow::bail!("{msg} (the attempt {id} is kept as failed; check `rehearse devices`)");
                    }
                    AttemptEvent::Score(ScoreEvent::Note(why)) => self.notes.push(why),
                    _ => {}
                }
            }
        }
    }

    /// Waits for transcription job `job` of attempt `id`: its transcript and the chunks transcribed while
    /// recording. A failure is kept with the attempt.
    fn transcribed(&mut self, job: u64, id: &str) -> anyhow::Result<(Transcript, u64)> {
        loop {
            let failed = match self.next() {
                AttemptEvent::Asr(AsrEvent::Done {
                    job: j,
                    transcript,
                    streamed,
                    stream_failed,
                    ..
                }) if j == job => {
                    if let Some(e) = stream_failed {
                        eprintln!("transcribing while recording failed ({e}); transcribing the whole recording");
                    }
                    return Ok((transcript, streamed.unwrap_or(0)));
                }
                AttemptEvent::Asr(AsrEvent::Failed { job: j, error }) if j == job => error,
                AttemptEvent::Asr(AsrEvent::Cancelled { job: j }) if j == job => "transcription was cancelled".into(),
                AttemptEvent::Score(ScoreEvent::Note(why)) => {
                    self.notes.push(why);
                    continue;
                }
                _ => continue,
            };
            session::transcription_failed(self.store, id, &failed)?;
            anyhow::bail!("{failed}; the audio is kept; retry with `rehearse attempts transcribe {id}`");
        }
    }

    /// Waits (an hour at most) for the scorer to save attempt `id` with its report, printing its notes.
    fn scored(&mut self, id: &str) -> anyhow::Result<Attempt> {
        for why in self.notes.drain(..) {
            eprintln!("note: {why}");
        }
        let deadline = Instant::now() + Duration::from_secs(3600);
        loop {
            let Some(ev) = self.engine.try_recv() else {
                anyhow::ensure!(
                    Instant::now() < deadline,
                    "the scorer stopped before attempt {id} was scored"
                );
                let _ = self.wake.recv_timeout(Duration::from_millis(100));
                continue;
            };
            match ev {
                AttemptEvent::Score(ScoreEvent::Scored { attempt, .. }) if attempt.id == id => return Ok(*attempt),
                AttemptEvent::Score(ScoreEvent::ScoreFailed { attempt_id, error }) if attempt_id == id => {
                    anyhow::bail!(error)
                }
                AttemptEvent::Score(ScoreEvent::Note(why)) => eprintln!("note: {why}"),
                _ => {}
            }
        }
    }
}

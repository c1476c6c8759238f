//! `rehearse record`: one answer from the microphone, kept on disk throughout, transcribed while it is
//! spoken (so the report follows Stop within moments) and scored. The running parts are the window's: the
//! recorder and the scorer of `crate::engine`, the stream → whole-file fallback of `asr::worker`, the
//! lifecycle steps of `session`; this file only drives them and prints what they report.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use crate::asr::stream::{StreamOptions, Streamer};
use crate::asr::worker::{Cancelled, Unfinished, finish_or_whole};
use crate::asr::{models, whisper};
use crate::bank::Deck;
use crate::engine::capture::{CaptureSource, RecEvent, RecordRequest, Waker};
use crate::engine::score::{ScoreEvent, ScoreJob, ScoreWorker};
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
        let recorder = Recorder::new(
            &store,
            &decks,
            self.device.as_deref(),
            model.as_ref().map(|(p, m)| (p.as_path(), m)),
            self.verbose,
        )?;
        let attempt = recorder.record(new, time_box, &|| stop.load(std::sync::atomic::Ordering::SeqCst))?;
        super::attempts::print_attempt(&store, &attempt, self.json)
    }
}

/// Records one begun attempt and takes it through the lifecycle (started, stopped or failed, transcribed
/// while it is spoken, scored). Shared by `rehearse record` and `rehearse mock`. The audio comes from the
/// microphone, or from `REHEARSE_FAKE_MIC` as in the window.
pub(super) struct Recorder<'a> {
    /// Where the attempt is.
    store: &'a Store,
    /// For scoring against the attempt's question.
    decks: &'a [Deck],
    /// Input device name; `None` = the default input.
    device: Option<&'a str>,
    /// The Whisper model (path and loaded); `None` = only record.
    model: Option<(&'a Path, &'a Arc<whisper::Model>)>,
    /// Print how long the report took after Stop.
    verbose: bool,
    /// Rings when the recorder or the scorer has news.
    wake: crossbeam_channel::Receiver<()>,
    waker: Waker,
    /// Scoring on its own thread (the window's scorer); loads the embedding model once for every answer.
    scorer: Option<ScoreWorker>,
}

impl<'a> Recorder<'a> {
    /// Starts the scorer (when there is a model to transcribe with) and readies the recorder.
    pub(super) fn new(
        store: &'a Store,
        decks: &'a [Deck],
        device: Option<&'a str>,
        model: Option<(&'a Path, &'a Arc<whisper::Model>)>,
        verbose: bool,
    ) -> std::io::Result<Self> {
        let (tx, wake) = crossbeam_channel::bounded(1);
        let waker: Waker = Arc::new(move || {
            let _ = tx.try_send(());
        });
        let scorer = match model {
            Some(_) => Some(ScoreWorker::spawn(store.root().to_path_buf(), Arc::clone(&waker))?),
            None => None,
        };
        Ok(Self {
            store,
            decks,
            device,
            model,
            verbose,
            wake,
            waker,
            scorer,
        })
    }
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
        let store = self.store;
        let id = new.attempt.id.clone();
        let mut recorder = CaptureSource::from_env().open(Arc::clone(&self.waker))?;
        // The answer is transcribed while it is spoken (see `asr::stream`), so at Stop only the last few
        // seconds are left; the answer so far is scored after every chunk on the scorer's thread, so the
        // sentence vectors are ready and scoring the whole answer at Stop is quick.
        let question = crate::session::question_for(self.decks, &new.attempt).cloned();
        let streamer = match (self.model, &self.scorer) {
            (Some((_, m)), Some(scorer)) => {
                let jobs = scorer.jobs();
                let (attempt_id, q) = (id.clone(), question.clone());
                let on_partial: crate::asr::stream::OnPartial = Box::new(move |t| {
                    if let (Some(q), Some(jobs)) = (&q, &jobs) {
                        let _ = jobs.send(ScoreJob::Prescore {
                            attempt_id: attempt_id.clone(),
                            question: Box::new(q.clone()),
                            transcript: Box::new(t.clone()),
                            time_box_s: time_box.seconds,
                        });
                    }
                });
                Some(Streamer::start_with(
                    &new.wav_path,
                    Arc::clone(m),
                    StreamOptions::default(),
                    Some(on_partial),
                )?)
            }
            _ => None,
        };
        recorder.start(RecordRequest {
            path: new.wav_path.clone(),
            time_box_s: time_box.seconds,
            device: self.device.map(str::to_owned),
        });
        eprintln!("time-box: {}", time_box.describe());
        let (duration_s, ending, stop_at) = self.capture(&mut *recorder, &id, time_box, stop)?;
        drop(recorder);
        let mut attempt = session::stopped(store, &id, duration_s, &ending)?;
        eprintln!(
            "saved {:.1} s of audio to {}",
            attempt.duration_s,
            new.wav_path.display()
        );
        if let session::Ending::Interrupted(n) = &ending {
            eprintln!("warning: recording ended early: {n}; the audio so far is saved");
        }
        if let (Some((path, m)), Some(scorer)) = (self.model, &self.scorer) {
            let tail_from = Instant::now();
            let chunks = streamer.as_ref().map_or(0, |s| s.progress().chunks);
            let never: Cancelled = Arc::new(|| false);
            let transcript = match finish_or_whole(streamer, &new.wav_path, m, &never, |_| {}) {
                Ok(f) => {
                    if let Some(e) = &f.stream_failed {
                        eprintln!("transcribing while recording failed ({e}); transcribing the whole recording");
                    }
                    f.transcript
                }
                Err(e) => {
                    let e = match e {
                        Unfinished::Cancelled => "transcription was cancelled".to_owned(),
                        Unfinished::Failed(e) => e,
                    };
                    session::transcription_failed(store, &id, &e)?;
                    anyhow::bail!("{e}; the audio is kept; retry with `rehearse attempts transcribe {id}`");
                }
            };
            scorer.send(ScoreJob::Score {
                attempt_id: id.clone(),
                question: question.map(Box::new),
                transcript: Box::new(transcript),
                model: models::name_of(path),
            });
            attempt = self.scored(scorer, &id)?;
            if self.verbose {
                let since_stop = stop_at.elapsed().as_secs_f64();
                eprintln!(
                    "report ready {since_stop:.2} s after stop ({chunks} chunks transcribed while recording, \
                     the rest in {:.2} s)",
                    tail_from.elapsed().as_secs_f64()
                );
            }
        }
        Ok(attempt)
    }

    /// Runs the recorder until it stops (the time-box, or `stop()`), saying what it does; returns the
    /// seconds recorded, how it ended and when Stop came.
    fn capture(
        &self,
        recorder: &mut dyn crate::engine::capture::Recorder,
        id: &str,
        time_box: session::TimeBox,
        stop: &dyn Fn() -> bool,
    ) -> anyhow::Result<(f64, session::Ending, Instant)> {
        let bar = super::progress::tenths_of_seconds(time_box.seconds, "starting…");
        let mut stop_at: Option<Instant> = None;
        loop {
            if stop_at.is_none() && stop() {
                bar.suspend(|| eprintln!("stopping…"));
                recorder.stop();
                stop_at = Some(Instant::now());
            }
            let _ = self.wake.recv_timeout(Duration::from_millis(100));
            while let Some(ev) = recorder.try_recv() {
                match ev {
                    RecEvent::Started { device, sample_rate } => {
                        bar.suspend(|| {
                            eprintln!("recording from {device} ({sample_rate} Hz) — speak now; Ctrl-C to stop");
                        });
                        session::started(self.store, id, &device, sample_rate)?;
                    }
                    RecEvent::Elapsed(elapsed) => {
                        bar.set_position((elapsed * 10.0) as u64);
                        bar.set_message(format!(
                            "{elapsed:.1} s recorded, {:.1} s left",
                            (time_box.seconds - elapsed).max(0.0)
                        ));
                    }
                    RecEvent::Stopped { duration_s, why, .. } => {
                        bar.finish_and_clear();
                        return Ok((duration_s, why.ending(), stop_at.unwrap_or_else(Instant::now)));
                    }
                    RecEvent::Error(msg) => {
                        // Nothing was captured: the attempt is kept as failed so the error is on record.
                        bar.finish_and_clear();
                        session::failed(self.store, id, &msg)?;
                        anyhow::bail!("{msg} (the attempt {id} is kept as failed; check `rehearse devices`)");
                    }
                    RecEvent::Level { .. } => {}
                }
            }
        }
    }

    /// Waits for the scorer to save attempt `id` with its report, printing its notes.
    fn scored(&self, scorer: &ScoreWorker, id: &str) -> anyhow::Result<Attempt> {
        loop {
            match scorer.recv_timeout(Duration::from_secs(3600)) {
                Some(ScoreEvent::Scored { attempt, .. }) if attempt.id == id => return Ok(*attempt),
                Some(ScoreEvent::ScoreFailed { attempt_id, error }) if attempt_id == id => anyhow::bail!(error),
                Some(ScoreEvent::Note(why)) => eprintln!("note: {why}"),
                Some(_) => {}
                None => anyhow::bail!("the scorer stopped before attempt {id} was scored"),
            }
        }
    }
}

//! The attempt engine: one answer's running half (capture → stream → transcribe → score → store) behind one
//! handle and one event type, driven alike by `rehearse record`, `rehearse mock`, the window and its mock
//! panel. It owns the recorder ([`super::capture`]), the transcription worker (`asr::worker`, whose stream
//! → whole-file fallback is the only one) and the scorer ([`super::score`], its own thread, which stores
//! the scored attempt through `session`). While an answer is recorded, the engine itself sends each
//! partial transcript to be scored ([`Prescoring`]), so prescoring exists once. The CLI prints the
//! [`AttemptEvent`]s; the window turns them into its `Event`s.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::capture::{CaptureSource, RecEvent, RecordRequest, Recorder, Waker};
use super::score::{ScoreEvent, ScoreJob, ScoreWorker};
use crate::asr::worker::{AsrCommand, AsrEvent, AsrWorker};
use crate::bank::Question;
use crate::transcript::Transcript;

/// What the engine reports: the recorder's, the transcriber's and the scorer's news, in that order of
/// kinds (the scorer's first, as the window always drained them).
#[derive(Debug)]
pub enum AttemptEvent {
    Rec(RecEvent),
    Asr(AsrEvent),
    Score(ScoreEvent),
}

/// One answer to record: where and for how long, and which attempt and question it is (so the answer
/// so far is scored while it is spoken; `None`: nothing to score it against).
#[derive(Clone, Debug, PartialEq)]
pub struct Take {
    pub request: RecordRequest,
    pub attempt_id: String,
    pub question: Option<Question>,
}

/// The engine's threads: recorder, transcriber, scorer.
pub struct Engine {
    recorder: Box<dyn Recorder>,
    asr: AsrWorker,
    /// `None` when the engine only records (`rehearse record --no-transcribe`: no embedding model loads).
    scorer: Option<ScoreWorker>,
    prescoring: Prescoring,
}

impl Engine {
    /// Starts the engine on the store at `data_dir`, recording from `source`; `waker` is called after
    /// every event. `scoring`: start the scorer (it loads the embedding model in the background).
    pub fn spawn(data_dir: &Path, source: &CaptureSource, scoring: bool, waker: Waker) -> std::io::Result<Self> {
        let w = std::sync::Arc::clone(&waker);
        let asr = AsrWorker::spawn(Box::new(move || w()))?;
        let scorer = if scoring {
            Some(ScoreWorker::spawn(
                data_dir.to_path_buf(),
                std::sync::Arc::clone(&waker),
            )?)
        } else {
            None
        };
        let recorder = source.open(waker)?;
        Ok(Self {
            recorder,
            asr,
            scorer,
            prescoring: Prescoring::default(),
        })
    }

    /// Loads (or switches to) the Whisper model at `path`; `ModelLoaded` or `ModelError` follows.
    pub fn load_model(&self, path: PathBuf) {
        self.asr.send(AsrCommand::LoadModel(path));
    }

    /// Records an answer, transcribing it while it is spoken (so at Stop only the last seconds are left)
    /// and scoring the answer so far after every window.
    pub fn record(&mut self, take: Take) {
        self.asr.send(AsrCommand::Stream {
            wav: take.request.path.clone(),
            time_box: Some(Duration::from_secs_f64(take.request.time_box_s)),
        });
        self.prescoring.start(&take);
        self.recorder.start(take.request);
    }

    /// Stops the recording; `Stopped` follows once the file is complete.
    pub fn stop(&mut self) {
        self.recorder.stop();
    }

    /// The recording of `wav` ended with no transcription to come (failed, deleted): its stream stops.
    pub fn end_stream(&self, wav: PathBuf) {
        self.asr.send(AsrCommand::EndStream { wav });
    }

    /// Transcribes the recording `wav` as job `job` (finishing its stream, or the whole file).
    pub fn transcribe(&self, job: u64, wav: PathBuf) {
        self.asr.send(AsrCommand::Transcribe { job, wav });
    }

    /// Cancels transcription job `job`.
    pub fn cancel(&self, job: u64) {
        self.asr.cancel(job);
    }

    /// Queues a job for the scorer.
    pub fn score(&self, job: ScoreJob) {
        if let Some(s) = &self.scorer {
            s.send(job);
        }
    }

    /// The next event, if any: the scorer's first, then the recorder's, then the transcriber's. A partial
    /// transcript is not reported; it goes to the scorer, whose `Live` report follows.
    pub fn try_recv(&mut self) -> Option<AttemptEvent> {
        if let Some(e) = self.scorer.as_ref().and_then(ScoreWorker::try_recv) {
            return Some(AttemptEvent::Score(e));
        }
        if let Some(e) = self.recorder.try_recv() {
            self.prescoring.rec(&e);
            return Some(AttemptEvent::Rec(e));
        }
        while let Some(e) = self.asr.try_recv() {
            match e {
                AsrEvent::Partial { wav, transcript } => {
                    if let Some(job) = self.prescoring.partial(&wav, transcript) {
                        self.score(job);
                    }
                }
                e => return Some(AttemptEvent::Asr(e)),
            }
        }
        None
    }
}

/// Which answer's partial transcripts are scored: the one being recorded, until its recorder stops.
#[derive(Debug, Default)]
pub struct Prescoring {
    live: Option<Take>,
}

impl Prescoring {
    /// A recording starts.
    pub fn start(&mut self, take: &Take) {
        self.live = take.question.is_some().then(|| take.clone());
    }

    /// The recorder reports: once it has stopped (or failed), later news of the answer is not scored.
    pub fn rec(&mut self, ev: &RecEvent) {
        if matches!(ev, RecEvent::Stopped { .. } | RecEvent::Error(_)) {
            self.live = None;
        }
    }

    /// The answer recorded to `wav`, transcribed so far: the job that scores it, if it is the answer
    /// being recorded (a stream of another file is stale).
    pub fn partial(&self, wav: &Path, transcript: Transcript) -> Option<ScoreJob> {
        let take = self.live.as_ref().filter(|t| t.request.path == wav)?;
        Some(ScoreJob::Prescore {
            attempt_id: take.attempt_id.clone(),
            question: Box::new(take.question.clone()?),
            transcript: Box::new(transcript),
            time_box_s: take.request.time_box_s,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn take(question: Option<Question>) -> Take {
        Take {
            request: RecordRequest {
                path: PathBuf::from("/d/a1/answer.wav"),
                time_box_s: 180.0,
                device: None,
            },
            attempt_id: "a1".into(),
            question,
        }
    }

    #[test]
    fn the_answer_being_recorded_is_scored_so_far_until_its_recorder_stops() {
        let deck = crate::bank::Deck::embedded().unwrap();
        let q = deck.questions[0].clone();
        let so_far = Transcript::from_plain_text("So the question is how to measure churn.", Some(4.0));
        let mut p = Prescoring::default();
        assert!(
            p.partial(Path::new("/d/a1/answer.wav"), so_far.clone()).is_none(),
            "nothing recorded yet"
        );
        p.start(&take(Some(q.clone())));
        // A stream of another file is stale: nothing to score.
        assert!(p.partial(Path::new("/d/old/answer.wav"), so_far.clone()).is_none());
        let Some(ScoreJob::Prescore {
            attempt_id,
            question,
            transcript,
            time_box_s,
        }) = p.partial(Path::new("/d/a1/answer.wav"), so_far.clone())
        else {
            panic!("expected a Prescore");
        };
        assert_eq!(
            (attempt_id.as_str(), question.id.as_str(), time_box_s),
            ("a1", q.id.as_str(), 180.0)
        );
        assert_eq!(transcript.text, so_far.text);
        // Levels and time do not end it; Stopped does.
        p.rec(&RecEvent::Elapsed(3.0));
        assert!(p.partial(Path::new("/d/a1/answer.wav"), so_far.clone()).is_some());
        p.rec(&RecEvent::Stopped {
            path: PathBuf::from("/d/a1/answer.wav"),
            duration_s: 12.0,
            why: super::super::capture::StopWhy::User,
        });
        assert!(
            p.partial(Path::new("/d/a1/answer.wav"), so_far.clone()).is_none(),
            "after Stop"
        );
        // An answer with no question to score against is only recorded.
        p.start(&take(None));
        assert!(p.partial(Path::new("/d/a1/answer.wav"), so_far).is_none());
    }
}

//! Scoring on a thread of its own ("rehearse-score"), for the window and the CLI alike. Scoring runs the
//! sentence-embedding model (BERT-sized inference, up to a second or so), so it must not hold up the disk
//! worker's small writes nor the capture or transcription threads. The embedding model loads in the
//! background ("rehearse-embed") while the person picks a question and answers; the first report waits
//! for it only if it is not there yet.
//!
//! Three jobs: the answer so far while it is recorded ([`ScoreJob::Prescore`]: for the live coach, and so the
//! sentence vectors are cached when the whole answer is scored at Stop; only the newest waiting one is
//! scored, each contains the ones before), the finished transcript ([`ScoreJob::Score`]: `session::transcribed`,
//! stored with the attempt), and a person's correction ([`ScoreJob::Correct`]: `session::correct`).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, unbounded};

use crate::bank::Question;
use crate::embed::Scorer;
use crate::report::Report;
use crate::rubric::Rubric;
use crate::rubric::corrections::Correction;
use crate::session;
use crate::store::{Attempt, Store};
use crate::transcript::Transcript;

/// What the scorer is asked to do.
#[derive(Debug)]
pub enum ScoreJob {
    /// Score the answer being recorded, as transcribed so far (nothing is saved).
    Prescore {
        attempt_id: String,
        question: Box<Question>,
        transcript: Box<Transcript>,
        time_box_s: f64,
    },
    /// `session::transcribed`: store a transcript made with `model` in the attempt and, when its question is
    /// known, score it.
    Score {
        attempt_id: String,
        question: Option<Box<Question>>,
        transcript: Box<Transcript>,
        model: String,
    },
    /// `session::correct`: save the person's correction with the attempt and as a personal exemplar, and
    /// score the attempt again.
    Correct {
        attempt_id: String,
        question: Option<Box<Question>>,
        correction: Correction,
    },
    /// Use the sentence model at this path from now on (it was just installed on first start).
    LoadModel(std::path::PathBuf),
}

/// What the scorer reports.
#[derive(Debug)]
pub enum ScoreEvent {
    /// The answer being recorded, scored so far.
    Live { attempt_id: String, report: Box<Report> },
    /// The attempt is saved with its transcript, and its report when its question is known and it holds
    /// speech.
    Scored {
        attempt: Box<Attempt>,
        report: Option<Box<Report>>,
    },
    /// Scoring or saving a transcribed attempt failed; in words for the person.
    ScoreFailed { attempt_id: String, error: String },
    /// A correction was saved and the attempt scored again.
    Corrected {
        attempt: Box<Attempt>,
        report: Option<Box<Report>>,
    },
    /// A correction could not be saved; in words for the person.
    CorrectFailed { attempt_id: String, error: String },
    /// Said once: why scoring is by phrases only (the embedding model is missing).
    Note(String),
}

/// Handle to the scoring thread.
pub struct ScoreWorker {
    tx: Option<Sender<ScoreJob>>,
    rx: Receiver<ScoreEvent>,
    handle: Option<JoinHandle<()>>,
}

impl ScoreWorker {
    /// Starts the scorer on the attempts in the store at `data_dir`; `waker` is called after every event.
    pub fn spawn(data_dir: PathBuf, waker: super::capture::Waker) -> std::io::Result<Self> {
        let (tx, jobs) = unbounded();
        let (events, rx) = unbounded();
        let handle = std::thread::Builder::new()
            .name("rehearse-score".into())
            .spawn(move || run(&Store::at(&data_dir), &jobs, &events, &*waker))?;
        Ok(Self {
            tx: Some(tx),
            rx,
            handle: Some(handle),
        })
    }

    /// Queues a job (ignored if the thread has stopped).
    pub fn send(&self, job: ScoreJob) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(job);
        }
    }

    /// A queue for jobs sent from another thread (e.g. a stream's partial transcripts).
    pub fn jobs(&self) -> Option<Sender<ScoreJob>> {
        self.tx.clone()
    }

    /// The next event, if any.
    pub fn try_recv(&self) -> Option<ScoreEvent> {
        self.rx.try_recv().ok()
    }

    /// Waits for the next event until `timeout`.
    pub fn recv_timeout(&self, timeout: std::time::Duration) -> Option<ScoreEvent> {
        self.rx.recv_timeout(timeout).ok()
    }
}

impl Drop for ScoreWorker {
    fn drop(&mut self) {
        // Closing the queue ends the thread once the job in hand is done.
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run(store: &Store, jobs: &Receiver<ScoreJob>, events: &Sender<ScoreEvent>, waker: &dyn Fn()) {
    let emit = |e: ScoreEvent| {
        let _ = events.send(e);
        waker();
    };
    let mut scorer = LazyScorer::spawn();
    let mut queue: VecDeque<ScoreJob> = VecDeque::new();
    loop {
        if queue.is_empty() {
            match jobs.recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => return,
            }
        }
        queue.extend(jobs.try_iter());
        let Some(job) = queue.pop_front() else { continue };
        if let ScoreJob::LoadModel(path) = job {
            scorer = LazyScorer::spawn_with(move || Scorer::load_from(&path));
            continue;
        }
        if let ScoreJob::Prescore { attempt_id, .. } = &job
            && queue
                .iter()
                .any(|j| matches!(j, ScoreJob::Prescore { attempt_id: a, .. } if a == attempt_id))
        {
            continue; // a newer transcript of the same answer is waiting
        }
        if let Some(ev) = score(store, &mut scorer, job) {
            emit(ev);
        }
        if let Some(why) = scorer.news.take() {
            emit(ScoreEvent::Note(why));
        }
    }
}

fn score(store: &Store, scorer: &mut LazyScorer, job: ScoreJob) -> Option<ScoreEvent> {
    let rubric = Rubric::embedded();
    Some(match job {
        ScoreJob::LoadModel(_) => return None, // taken by `run`
        ScoreJob::Prescore {
            attempt_id,
            question,
            transcript,
            time_box_s,
        } => {
            let rubric = rubric.ok()?;
            let report =
                crate::report::score_with(&question, &rubric, &transcript, time_box_s, scorer.get().semantic());
            ScoreEvent::Live {
                attempt_id,
                report: Box::new(report),
            }
        }
        ScoreJob::Score {
            attempt_id,
            question,
            transcript,
            model,
        } => {
            let done = rubric
                .map_err(|e| format!("the rubric did not load: {e}"))
                .and_then(|rubric| {
                    session::transcribed(
                        store,
                        &attempt_id,
                        *transcript,
                        &model,
                        question.as_deref(),
                        &rubric,
                        scorer.get().semantic(),
                    )
                    .map_err(|e| format!("cannot save attempt {attempt_id}: {e}"))
                });
            match done {
                Ok((attempt, report)) => ScoreEvent::Scored {
                    attempt: Box::new(attempt),
                    report: report.map(Box::new),
                },
                Err(error) => ScoreEvent::ScoreFailed { attempt_id, error },
            }
        }
        ScoreJob::Correct {
            attempt_id,
            question,
            correction,
        } => {
            let done = rubric
                .map_err(|e| format!("the rubric did not load: {e}"))
                .and_then(|rubric| {
                    session::correct(
                        store,
                        &attempt_id,
                        correction,
                        question.as_deref(),
                        &rubric,
                        scorer.get().semantic(),
                    )
                    .map_err(|e| e.to_string())
                });
            match done {
                Ok((attempt, report)) => ScoreEvent::Corrected {
                    attempt: Box::new(attempt),
                    report: report.map(Box::new),
                },
                Err(error) => ScoreEvent::CorrectFailed { attempt_id, error },
            }
        }
    })
}

/// The semantic rubric, loading on its own thread ("rehearse-embed") until first needed.
struct LazyScorer {
    loading: Option<JoinHandle<Scorer>>,
    ready: Option<Scorer>,
    /// Said once: why scoring is phrases-only.
    news: Option<String>,
}

impl LazyScorer {
    fn spawn() -> Self {
        Self::spawn_with(Scorer::load)
    }

    /// Loads the scorer with `load` on its own thread.
    fn spawn_with(load: impl FnOnce() -> Scorer + Send + 'static) -> Self {
        let loading = std::thread::Builder::new()
            .name("rehearse-embed".into())
            .spawn(load)
            .ok();
        let ready = loading
            .is_none()
            .then(|| Scorer::phrases_only("the embedding model could not be loaded (no thread)".into()));
        Self {
            loading,
            ready,
            news: None,
        }
    }

    fn get(&mut self) -> &Scorer {
        if self.ready.is_none() {
            let scorer = self
                .loading
                .take()
                .and_then(|h| h.join().ok())
                .unwrap_or_else(|| Scorer::phrases_only("the embedding model failed to load".into()));
            self.news.clone_from(&scorer.missing);
            self.ready = Some(scorer);
        }
        self.ready.get_or_insert_with(|| Scorer::phrases_only(String::new()))
    }
}

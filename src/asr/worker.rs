//! The transcription engine thread. It owns the Whisper model (loading it in the background so the
//! window opens at once), takes jobs over a channel and reports progress, results and errors back.
//! A job can be cancelled; the UI never waits on it.
//!
//! While an answer is recorded, [`AsrCommand::Stream`] starts a [`Streamer`] on the growing WAV, so
//! the transcription of a just-stopped recording only has the last few seconds left to do. The first
//! [`AsrCommand::Transcribe`] of that file finishes the stream; any other file (or a re-transcribe,
//! which comes after the stream is used up) is transcribed whole. A stream that fails falls back to
//! the whole file.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::stream::{StreamOptions, Streamer};
use super::whisper::{Model, Options};
use crate::audio::decode;
use crate::transcript::Transcript;

/// What the worker is asked to do.
#[derive(Debug)]
pub enum AsrCommand {
    /// Load (or switch to) a model file.
    LoadModel(PathBuf),
    /// Transcribe a WAV file; `job` identifies the answers in events.
    Transcribe {
        job: u64,
        wav: PathBuf,
    },
    /// Start transcribing `wav` while it is being recorded (ignored when no model is loaded); the
    /// recording stops by itself at `time_box` ([`StreamOptions::ends_at`]).
    Stream {
        wav: PathBuf,
        time_box: Option<Duration>,
    },
    /// The recording of `wav` ended without a transcription to come (failed, cancelled): stop its stream.
    EndStream {
        wav: PathBuf,
    },
    Shutdown,
}

/// What the worker reports.
#[derive(Debug, Clone)]
pub enum AsrEvent {
    ModelLoading(PathBuf),
    ModelLoaded {
        name: String,
        path: PathBuf,
    },
    ModelError(String),
    Progress {
        job: u64,
        percent: i32,
    },
    Done {
        job: u64,
        transcript: Transcript,
        seconds: f64,
        /// `Some(windows transcribed before Stop)` when the transcript comes from the stream that ran while
        /// the answer was recorded; `None` when the whole file was transcribed now.
        streamed: Option<u64>,
        /// The stream failed (not cancelled) and the whole file was transcribed instead: why.
        stream_failed: Option<String>,
    },
    Failed {
        job: u64,
        error: String,
    },
    Cancelled {
        job: u64,
    },
    /// The answer being recorded to `wav`, transcribed so far (after each window while the person speaks).
    Partial {
        wav: PathBuf,
        transcript: Transcript,
    },
}

/// Handle to the worker thread.
pub struct AsrWorker {
    tx: Sender<AsrCommand>,
    rx: Receiver<AsrEvent>,
    cancel: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

/// Job ids start at 1; 0 means "cancel nothing".
const NO_JOB: u64 = 0;

impl AsrWorker {
    /// Starts the worker. `waker` is called after every event (the UI passes `ctx.request_repaint`).
    pub fn spawn(waker: Box<dyn Fn() + Send + Sync>) -> std::io::Result<Self> {
        let (tx, cmd_rx) = unbounded::<AsrCommand>();
        let (ev_tx, rx) = unbounded::<AsrEvent>();
        let cancel = Arc::new(AtomicU64::new(NO_JOB));
        let cancel_in = Arc::clone(&cancel);
        let handle = std::thread::Builder::new()
            .name("rehearse-asr".into())
            .spawn(move || run(&cmd_rx, &ev_tx, &cancel_in, Arc::from(waker)))?;
        Ok(Self {
            tx,
            rx,
            cancel,
            handle: Some(handle),
        })
    }

    /// Sends a command (ignored if the worker has stopped).
    pub fn send(&self, cmd: AsrCommand) {
        let _ = self.tx.send(cmd);
    }

    /// Cancels a running or queued job.
    pub fn cancel(&self, job: u64) {
        self.cancel.store(job, Ordering::SeqCst);
    }

    /// The next event, if any.
    pub fn try_recv(&self) -> Option<AsrEvent> {
        self.rx.try_recv().ok()
    }

    /// Waits for the next event.
    pub fn recv_timeout(&self, timeout: std::time::Duration) -> Option<AsrEvent> {
        self.rx.recv_timeout(timeout).ok()
    }
}

impl Drop for AsrWorker {
    fn drop(&mut self) {
        // Abort whatever runs, then stop.
        self.cancel.store(u64::MAX, Ordering::SeqCst);
        let _ = self.tx.send(AsrCommand::Shutdown);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run(
    cmds: &Receiver<AsrCommand>,
    events: &Sender<AsrEvent>,
    cancel: &Arc<AtomicU64>,
    wake: Arc<dyn Fn() + Send + Sync>,
) {
    let waker = &*wake;
    let emit = |e: AsrEvent| {
        let _ = events.send(e);
        waker();
    };
    let mut model: Option<Arc<Model>> = None;
    let mut stream: Option<(PathBuf, Streamer)> = None;
    while let Ok(cmd) = cmds.recv() {
        match cmd {
            AsrCommand::Shutdown => break,
            AsrCommand::Stream { wav, time_box } => {
                stream = None; // one recording at a time: a stale stream is cancelled
                if let Some(m) = &model {
                    // A stream that cannot start is not an error: the file is transcribed whole later.
                    let (tx, waker_tx) = (events.clone(), Arc::clone(&wake));
                    let path = wav.clone();
                    let on_partial: super::stream::OnPartial = Box::new(move |t: &Transcript| {
                        let _ = tx.send(AsrEvent::Partial {
                            wav: path.clone(),
                            transcript: t.clone(),
                        });
                        waker_tx();
                    });
                    let opts = StreamOptions {
                        ends_at: time_box,
                        ..StreamOptions::default()
                    };
                    stream = Streamer::start_with(&wav, Arc::clone(m), opts, Some(on_partial))
                        .ok()
                        .map(|s| (wav, s));
                }
            }
            AsrCommand::EndStream { wav } => {
                if stream.as_ref().is_some_and(|(w, _)| *w == wav) {
                    stream = None;
                }
            }
            AsrCommand::LoadModel(path) => {
                emit(AsrEvent::ModelLoading(path.clone()));
                model = None; // free the old one first
                match Model::load(&path) {
                    Ok(m) => {
                        emit(AsrEvent::ModelLoaded {
                            name: m.name.clone(),
                            path,
                        });
                        model = Some(Arc::new(m));
                    }
                    Err(e) => emit(AsrEvent::ModelError(e.to_string())),
                }
            }
            AsrCommand::Transcribe { job, wav } => {
                let cancelled = || {
                    let c = cancel.load(Ordering::SeqCst);
                    c == job || c == u64::MAX
                };
                if cancelled() {
                    emit(AsrEvent::Cancelled { job });
                    continue;
                }
                let Some(m) = model.as_ref() else {
                    emit(AsrEvent::Failed {
                        job,
                        error: "no Whisper model is loaded; choose one in Settings".into(),
                    });
                    continue;
                };
                let started = std::time::Instant::now();
                let streamed = match stream.take() {
                    Some((w, s)) if w == wav => Some(s),
                    _ => None, // a stream of another file is stale
                };
                let watch = Arc::clone(cancel);
                let cancelled: Cancelled = Arc::new(move || {
                    let c = watch.load(Ordering::SeqCst);
                    c == job || c == u64::MAX
                });
                let progress_tx = events.clone();
                let progress = move |percent: i32| {
                    let _ = progress_tx.send(AsrEvent::Progress { job, percent });
                };
                match finish_or_whole(streamed, &wav, m, &cancelled, progress) {
                    Ok(f) => emit(AsrEvent::Done {
                        job,
                        transcript: f.transcript,
                        seconds: started.elapsed().as_secs_f64(),
                        streamed: f.streamed,
                        stream_failed: f.stream_failed,
                    }),
                    Err(Unfinished::Cancelled) => emit(AsrEvent::Cancelled { job }),
                    Err(Unfinished::Failed(error)) => emit(AsrEvent::Failed { job, error }),
                }
            }
        }
    }
}

/// Whether the job in hand has been cancelled (polled by a watcher and from the progress callback).
pub type Cancelled = Arc<dyn Fn() -> bool + Send + Sync>;

/// A finished recording's transcript, and how it was made.
#[derive(Debug)]
pub struct Finished {
    pub transcript: Transcript,
    /// `Some(windows transcribed before Stop)` when it comes from the stream that ran while the answer was
    /// recorded; `None` when the whole file was transcribed now.
    pub streamed: Option<u64>,
    /// The stream failed (not cancelled) and the whole file was transcribed instead: why.
    pub stream_failed: Option<String>,
}

/// Why there is no transcript.
#[derive(Debug)]
pub enum Unfinished {
    Cancelled,
    /// In words for the person.
    Failed(String),
}

/// Finishes `stream` (the transcription that ran while `wav` was recorded) or, when there is none or it
/// failed for any reason but `cancelled`, transcribes the whole file: the one place for that fallback, used
/// by this worker (the window) and by `rehearse record`/`mock`. `progress` gets the whole-file percentage.
pub fn finish_or_whole(
    stream: Option<Streamer>,
    wav: &std::path::Path,
    model: &Model,
    cancelled: &Cancelled,
    progress: impl FnMut(i32) + Send + 'static,
) -> Result<Finished, Unfinished> {
    let mut stream_failed = None;
    if let Some(streamer) = stream {
        let chunks = streamer.progress().chunks;
        let flag = streamer.cancel_flag();
        let watcher = spawn_cancel_watcher(Arc::clone(cancelled), Arc::clone(&flag));
        let result = streamer.finish();
        flag.store(true, Ordering::SeqCst); // the stream is over: stops the watcher
        if let Some(w) = watcher {
            w.join().ok();
        }
        match result {
            Ok(transcript) => {
                return Ok(Finished {
                    transcript,
                    streamed: Some(chunks),
                    stream_failed: None,
                });
            }
            Err(_) if cancelled() => return Err(Unfinished::Cancelled),
            // Any other failure of the stream: the recording is intact, transcribe the whole file.
            Err(e) => stream_failed = Some(e.to_string()),
        }
    }
    let samples = decode::load_for_whisper(wav)
        .map_err(|e| Unfinished::Failed(e.to_string()))?
        .0;
    let flag = Arc::new(AtomicBool::new(false));
    // Bridge the caller's cancel to the model's flag from the progress callback and a watcher.
    let (watch_flag, watch_cancel) = (Arc::clone(&flag), Arc::clone(cancelled));
    let mut progress = progress;
    let progress = move |percent: i32| {
        if watch_cancel() {
            watch_flag.store(true, Ordering::SeqCst);
        }
        progress(percent);
    };
    let watcher = spawn_cancel_watcher(Arc::clone(cancelled), Arc::clone(&flag));
    let result = model.transcribe(&samples, &Options::default(), progress, Arc::clone(&flag));
    flag.store(true, Ordering::SeqCst); // stops the watcher
    if let Some(w) = watcher {
        let _ = w.join();
    }
    match result {
        Ok(transcript) => Ok(Finished {
            transcript,
            streamed: None,
            stream_failed,
        }),
        Err(super::whisper::AsrError::Cancelled) => Err(Unfinished::Cancelled),
        Err(e) => Err(Unfinished::Failed(e.to_string())),
    }
}

/// Polls `cancelled` every 50 ms and raises the model's abort flag, so Cancel works even between progress
/// callbacks.
fn spawn_cancel_watcher(cancelled: Cancelled, flag: Arc<AtomicBool>) -> Option<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("rehearse-asr-cancel".into())
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                if cancelled() {
                    flag.store(true, Ordering::SeqCst);
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
        .ok()
}

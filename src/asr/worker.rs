//! The transcription engine thread. It owns the Whisper model (loading it in the background so the
//! window opens at once), takes jobs over a channel and reports progress, results and errors back.
//! A job can be cancelled; the UI never waits on it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, unbounded};

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
    },
    Failed {
        job: u64,
        error: String,
    },
    Cancelled {
        job: u64,
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
    pub fn spawn(waker: Box<dyn Fn() + Send>) -> std::io::Result<Self> {
        let (tx, cmd_rx) = unbounded::<AsrCommand>();
        let (ev_tx, rx) = unbounded::<AsrEvent>();
        let cancel = Arc::new(AtomicU64::new(NO_JOB));
        let cancel_in = Arc::clone(&cancel);
        let handle = std::thread::Builder::new()
            .name("rehearse-asr".into())
            .spawn(move || run(&cmd_rx, &ev_tx, &cancel_in, &*waker))?;
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

fn run(cmds: &Receiver<AsrCommand>, events: &Sender<AsrEvent>, cancel: &Arc<AtomicU64>, waker: &dyn Fn()) {
    let emit = |e: AsrEvent| {
        let _ = events.send(e);
        waker();
    };
    let mut model: Option<Model> = None;
    while let Ok(cmd) = cmds.recv() {
        match cmd {
            AsrCommand::Shutdown => break,
            AsrCommand::LoadModel(path) => {
                emit(AsrEvent::ModelLoading(path.clone()));
                model = None; // free the old one first
                match Model::load(&path) {
                    Ok(m) => {
                        emit(AsrEvent::ModelLoaded {
                            name: m.name.clone(),
                            path,
                        });
                        model = Some(m);
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
                let samples = match decode::load_for_whisper(&wav) {
                    Ok((s, _)) => s,
                    Err(e) => {
                        emit(AsrEvent::Failed {
                            job,
                            error: e.to_string(),
                        });
                        continue;
                    }
                };
                let flag = Arc::new(AtomicBool::new(false));
                // Bridge the job-id cancel to the model's flag from the progress callback and a watcher.
                let watch_flag = Arc::clone(&flag);
                let watch_cancel = Arc::clone(cancel);
                let progress_tx = events.clone();
                let progress = move |percent: i32| {
                    let c = watch_cancel.load(Ordering::SeqCst);
                    if c == job || c == u64::MAX {
                        watch_flag.store(true, Ordering::SeqCst);
                    }
                    let _ = progress_tx.send(AsrEvent::Progress { job, percent });
                };
                let watcher = spawn_cancel_watcher(job, Arc::clone(cancel), Arc::clone(&flag));
                let result = m.transcribe(&samples, &Options::default(), progress, Arc::clone(&flag));
                flag.store(true, Ordering::SeqCst); // stops the watcher
                if let Some(w) = watcher {
                    let _ = w.join();
                }
                match result {
                    Ok(transcript) => emit(AsrEvent::Done {
                        job,
                        transcript,
                        seconds: started.elapsed().as_secs_f64(),
                    }),
                    Err(super::whisper::AsrError::Cancelled) => emit(AsrEvent::Cancelled { job }),
                    Err(e) => emit(AsrEvent::Failed {
                        job,
                        error: e.to_string(),
                    }),
                }
                waker();
            }
        }
    }
}

/// Polls the job-id cancel every 50 ms and raises the model's abort flag, so Cancel works even between
/// progress callbacks.
fn spawn_cancel_watcher(job: u64, cancel: Arc<AtomicU64>, flag: Arc<AtomicBool>) -> Option<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("rehearse-asr-cancel".into())
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                let c = cancel.load(Ordering::SeqCst);
                if c == job || c == u64::MAX {
                    flag.store(true, Ordering::SeqCst);
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
        .ok()
}

//! The first-start install on a named thread of its own ("rehearse-setup"): [`crate::setup::install`] with
//! a cancel flag the window raises, its progress sent back over a channel and the window woken for each
//! message, so a frame never waits on the network or the conversion.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::engines::Waker;
use crate::setup::{self, Item, Progress, SetupError, Source};

/// What the install reports.
#[derive(Clone, Debug, PartialEq)]
pub enum SetupEvent {
    /// A step of the install (bytes, conversion, a model installed).
    Progress(Progress),
    /// Every model asked for is installed.
    Finished,
    /// It stopped on a problem: what happened and what to do; `offline`: there was no connection.
    Failed {
        /// The message, with the manual way when offline.
        message: String,
        /// No connection.
        offline: bool,
    },
    /// It stopped because Cancel was pressed.
    Cancelled,
}

/// Starts installs and hears back from them.
pub struct SetupWorker {
    models_dir: PathBuf,
    source: Source,
    cancel: Arc<AtomicBool>,
    tx: Sender<SetupEvent>,
    rx: Receiver<SetupEvent>,
}

impl SetupWorker {
    /// Installs will go to `models_dir`, from `source`.
    pub fn new(models_dir: PathBuf, source: Source) -> Self {
        let (tx, rx) = unbounded();
        Self {
            models_dir,
            source,
            cancel: Arc::new(AtomicBool::new(false)),
            tx,
            rx,
        }
    }

    /// Installs `items` on a new thread.
    pub fn start(&mut self, items: Vec<Item>, waker: Waker) {
        // A fresh flag for each install (the window starts one only after the last has answered).
        self.cancel = Arc::new(AtomicBool::new(false));
        let cancel = Arc::clone(&self.cancel);
        let (dir, source, tx) = (self.models_dir.clone(), self.source.clone(), self.tx.clone());
        let w = Arc::clone(&waker);
        let spawned = std::thread::Builder::new()
            .name("rehearse-setup".into())
            .spawn(move || {
                let emit = |e: SetupEvent| {
                    let _ = tx.send(e);
                    w();
                };
                let result = setup::install(&items, &source, &dir, &mut |p| emit(SetupEvent::Progress(p)), &cancel);
                emit(match result {
                    Ok(_) => SetupEvent::Finished,
                    Err(SetupError::Cancelled) => SetupEvent::Cancelled,
                    Err(e) => SetupEvent::Failed {
                        offline: matches!(e, SetupError::NoNetwork { .. }),
                        message: e.to_string(),
                    },
                });
            });
        if let Err(e) = spawned {
            let _ = self.tx.send(SetupEvent::Failed {
                message: format!("cannot start the download: {e}"),
                offline: false,
            });
            waker();
        }
    }

    /// Asks the running install to stop (it answers [`SetupEvent::Cancelled`]).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// The next report.
    pub fn try_recv(&self) -> Option<SetupEvent> {
        self.rx.try_recv().ok()
    }
}

//! The models on first start as data: which models the window lacks, and where their install stands. Today
//! shows it as a block above *Try one question now* and *Make my plan* while [`super::State::first_start`]
//! is `Some`; `logic::first_start` moves it along.

use std::path::PathBuf;

use crate::setup::Item;

/// The first-start block on Today.
#[derive(Clone, Debug, PartialEq)]
pub struct FirstStart {
    /// The models still to install, in install order.
    pub missing: Vec<Item>,
    /// Where they go (the user's model folder), to say so.
    pub models_dir: PathBuf,
    /// Where the install stands.
    pub phase: SetupPhase,
}

/// Where the install stands.
#[derive(Clone, Debug, PartialEq)]
pub enum SetupPhase {
    /// Says what is needed; waits for *Download* (or *Not now*).
    Offer,
    /// Downloading, checking or converting.
    Running(SetupRun),
    /// Stopped (cancelled or failed): why, and what to do; *Download* goes on from what arrived.
    Stopped {
        /// What happened and what to do.
        message: String,
        /// No connection: the manual way is shown with it.
        offline: bool,
    },
}

/// A running install.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupRun {
    /// The models being installed, in order.
    pub items: Vec<Item>,
    /// Bytes here, over all of them.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
    /// What is happening, in words ("the speech model: 12.0 of 70.7 MB").
    pub step: String,
    /// Cancel was pressed; waiting for the worker to stop.
    pub cancelling: bool,
}

impl SetupRun {
    /// The fraction done, for the bar.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0) as f32
        }
    }
}

impl FirstStart {
    /// The block for `missing` models going to `models_dir`; `None` when nothing is missing.
    pub fn offer(missing: Vec<Item>, models_dir: PathBuf) -> Option<Self> {
        (!missing.is_empty()).then_some(Self {
            missing,
            models_dir,
            phase: SetupPhase::Offer,
        })
    }

    /// An install is running.
    pub fn running(&self) -> bool {
        matches!(self.phase, SetupPhase::Running(_))
    }
}

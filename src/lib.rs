//! `rehearse`: rehearse technical-interview answers out loud, alone. Records an answer, transcribes it on
//! this machine with Whisper, and shows which parts of a strong answer it covered.
//!
//! The modules stand on four floors. A module uses modules on its own floor or below, never above, and no
//! two modules use each other, not even through a third; `scripts/check-imports.py` (run by `make test`)
//! reads the floors from the `// == floor` lines below and checks every `crate::` path in `src/`.
//! - **core**: pure, no egui, cpal or whisper imports, so it tests in milliseconds; files are written
//!   through `store`'s atomic write. Also `audio::wav`, the WAV file format (no devices), with which the store repairs
//!   an answer whose recording was cut off.
//! - **engines** (`audio`, `asr`, `embed`, the attempt `engine`, `fetch`, `setup`): devices, inference and the
//!   network, on named threads; commands in, events out. Also `kernels`, which of the package's two builds of
//!   whisper.cpp runs.
//! - **app**: the egui window; draws and sends commands, no I/O or inference on its thread.
//! - **cli**: the command line, which also opens the window.

// == floor: core == also `audio::wav`
pub mod bank;
pub mod delivery;
pub mod export;
#[cfg(test)]
pub(crate) mod fuzz;
pub mod panel;
pub mod paths;
pub mod plan;
pub mod report;
pub mod rubric;
pub mod session;
pub mod store;
pub mod transcript;

// == floor: engines ==
pub mod asr;
pub mod audio;
pub mod embed;
pub mod engine;
pub mod fetch;
pub mod kernels;
pub mod setup;

// == floor: app ==
pub mod app;

// == floor: cli ==
pub mod cli;

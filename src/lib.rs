//! `rehearse`: rehearse technical-interview answers out loud, alone. Records an answer, transcribes it on
//! this machine with Whisper, and shows which parts of a strong answer it covered.
//!
//! Layers: a pure core (`transcript`, …) with no UI, audio or inference imports; engines (`audio`, `asr`)
//! that run on named threads; and the egui `app`.

pub mod app;
pub mod asr;
pub mod audio;
pub mod bank;
pub mod cli;
pub mod delivery;
pub mod embed;
pub mod engine;
pub mod export;
pub mod fetch;
pub mod panel;
pub mod paths;
pub mod plan;
pub mod report;
pub mod rubric;
pub mod session;
pub mod setup;
pub mod store;
pub mod transcript;

#[cfg(test)]
pub(crate) mod fuzz;

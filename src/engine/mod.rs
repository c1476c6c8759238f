//! The running half of an attempt, shared by the window and the CLI so they cannot drift: the attempt
//! engine ([`Engine`], one handle and one event type for capture → stream → transcribe → score → store),
//! where the audio comes from and how a recording's ending is named ([`capture`]), and scoring on a thread
//! of its own ([`score`]). The transcription side is `asr::worker` (its stream → whole-file fallback,
//! `finish_or_whole`, is the only one); the disk steps of the attempt's life are `session`; the order of a
//! mock panel is `panel::next_answer`.
//!
//! Floor: engines (threads, devices, inference) above the pure core; nothing here knows the window.

mod attempt;
pub mod capture;
pub mod score;

pub use attempt::{AttemptEvent, Engine, Prescoring, Take};

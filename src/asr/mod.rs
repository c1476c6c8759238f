//! Speech recognition: finding, importing and downloading Whisper models, and running them.

pub mod chunker;
pub mod convert;
pub mod download;
pub mod install;
pub mod models;
pub mod stream;
pub mod whisper;
pub mod worker;

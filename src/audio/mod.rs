//! Audio in and out: decoding and resampling WAV files for Whisper.

pub mod decode;
pub mod playback;

//! Audio in and out: the capture engine (microphone → WAV on disk), playback, a spoken question (text to
//! speech), and decoding/resampling WAV files for Whisper.

pub mod capture;
pub mod clock;
pub mod decode;
pub mod level;
pub mod playback;
pub mod quiet;
pub mod silence;
pub mod speak;
pub mod stretch;
pub mod wav;

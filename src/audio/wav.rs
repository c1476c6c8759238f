//! The recording's WAV writer. Answers are stored as mono 16-bit PCM at the device's native rate
//! (16-bit is plenty for speech and is what Whisper's loader and every player read); conversion to
//! Whisper's 16 kHz happens later. The header is rewritten on every [`WavSink::flush`], so a file
//! that the capture worker flushes regularly is a valid WAV on disk at any moment, even mid-answer.

mod repair;

pub use repair::{RepairError, RepairedWav, repair_wav};

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Bits per stored sample.
pub const BITS_PER_SAMPLE: u16 = 16;

/// Why the WAV file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// The file could not be created (missing folder, no permission, read-only disk).
    #[error("cannot create the recording file {path}: {cause}")]
    Create {
        /// File that was being created.
        path: PathBuf,
        /// What the OS said.
        cause: io::Error,
    },
    /// Writing samples or the header failed (typically: disk full).
    #[error("cannot write to the recording file {path}: {cause}")]
    Write {
        /// File that was being written.
        path: PathBuf,
        /// What hound or the OS said.
        cause: hound::Error,
    },
}

impl WavError {
    /// The file concerned.
    pub fn path(&self) -> &Path {
        match self {
            WavError::Create { path, .. } | WavError::Write { path, .. } => path,
        }
    }
}

/// The WAV spec used for every recording at `sample_rate`.
pub fn mono_spec(sample_rate: u32) -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate,
        bits_per_sample: BITS_PER_SAMPLE,
        sample_format: hound::SampleFormat::Int,
    }
}

/// Converts a float sample (full scale ±1.0) to 16-bit, rounding and clipping. Exact inverse of
/// cpal's i16 → f32 conversion (x / 32768), so 16-bit input is stored bit for bit.
pub fn f32_to_i16(s: f32) -> i16 {
    let scaled = (s * 32768.0).round();
    // In range after the clamp, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let v = scaled.clamp(-32768.0, 32767.0) as i16;
    v
}

/// Mono 16-bit WAV writer that counts frames and can be flushed to a valid file at any time.
pub struct WavSink<W: Write + Seek> {
    writer: hound::WavWriter<W>,
    path: PathBuf,
    sample_rate: u32,
    frames: u64,
}

impl WavSink<BufWriter<File>> {
    /// Creates (or truncates) `path`, with permissions 0600 on Unix, and writes a valid empty WAV
    /// header to disk straight away so that even a crash in the first second leaves a WAV.
    pub fn create(path: &Path, sample_rate: u32) -> Result<Self, WavError> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(|cause| WavError::Create {
            path: path.to_path_buf(),
            cause,
        })?;
        let mut sink = Self::new(BufWriter::new(file), path, sample_rate)?;
        sink.flush()?;
        Ok(sink)
    }
}

impl<W: Write + Seek> WavSink<W> {
    /// Wraps any seekable writer; `path` is only used in error messages.
    pub fn new(writer: W, path: &Path, sample_rate: u32) -> Result<Self, WavError> {
        let writer = hound::WavWriter::new(writer, mono_spec(sample_rate)).map_err(|cause| WavError::Write {
            path: path.to_path_buf(),
            cause,
        })?;
        Ok(Self {
            writer,
            path: path.to_path_buf(),
            sample_rate,
            frames: 0,
        })
    }

    /// Appends mono samples (full scale ±1.0).
    pub fn write(&mut self, samples: &[f32]) -> Result<(), WavError> {
        for &s in samples {
            self.writer.write_sample(f32_to_i16(s)).map_err(|e| self.err(e))?;
            self.frames += 1;
        }
        Ok(())
    }

    /// Writes buffered samples out and rewrites the header to match, leaving a valid WAV on disk.
    pub fn flush(&mut self) -> Result<(), WavError> {
        self.writer.flush().map_err(|e| self.err(e))
    }

    /// Final header update and flush; returns the number of frames written.
    pub fn finalize(self) -> Result<u64, WavError> {
        let Self {
            writer, path, frames, ..
        } = self;
        writer.finalize().map_err(|cause| WavError::Write { path, cause })?;
        Ok(frames)
    }

    /// Frames (= mono samples) written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Sample rate of the file.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Audio written so far.
    pub fn duration(&self) -> Duration {
        frames_to_duration(self.frames, self.sample_rate)
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, cause: hound::Error) -> WavError {
        WavError::Write {
            path: self.path.clone(),
            cause,
        }
    }
}

/// Duration of `frames` at `sample_rate` (zero for a zero rate).
pub fn frames_to_duration(frames: u64, sample_rate: u32) -> Duration {
    if sample_rate == 0 {
        return Duration::ZERO;
    }
    let rate = u64::from(sample_rate);
    let secs = frames / rate;
    let rem = frames % rate;
    // rem < rate ≤ u32::MAX, so rem * 1e9 / rate fits in u32.
    #[allow(clippy::cast_possible_truncation)]
    let nanos = (rem * 1_000_000_000 / rate) as u32;
    Duration::new(secs, nanos)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn i16_round_trips_exactly() {
        for v in [i16::MIN, -12345, -1, 0, 1, 32767] {
            let f = f32::from(v) / 32768.0;
            assert_eq!(f32_to_i16(f), v);
        }
        assert_eq!(f32_to_i16(2.0), i16::MAX);
        assert_eq!(f32_to_i16(-2.0), i16::MIN);
    }

    #[test]
    fn file_is_valid_after_create_and_after_each_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let mut sink = WavSink::create(&path, 44_100).unwrap();
        assert_eq!(hound::WavReader::open(&path).unwrap().duration(), 0);
        sink.write(&[0.25; 441]).unwrap();
        sink.flush().unwrap();
        let r = hound::WavReader::open(&path).unwrap();
        assert_eq!(r.spec(), mono_spec(44_100));
        assert_eq!(r.duration(), 441);
        sink.write(&[0.5; 100]).unwrap();
        assert_eq!(sink.finalize().unwrap(), 541);
        let mut r = hound::WavReader::open(&path).unwrap();
        let s: Vec<i16> = r.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(s.len(), 541);
        assert_eq!(s[0], 8192);
        assert_eq!(s[540], 16384);
    }

    #[cfg(unix)]
    #[test]
    fn created_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        drop(WavSink::create(&path, 16_000).unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn create_in_missing_folder_names_the_path() {
        let err = WavSink::create(Path::new("/nonexistent-dir/x/answer.wav"), 48_000)
            .err()
            .unwrap();
        assert!(err.to_string().contains("/nonexistent-dir/x/answer.wav"), "{err}");
    }

    #[test]
    fn frames_to_duration_is_exact() {
        assert_eq!(
            frames_to_duration(48_000 * 3 + 24_000, 48_000),
            Duration::from_millis(3500)
        );
        assert_eq!(frames_to_duration(5, 0), Duration::ZERO);
    }
}

//! Repairs a WAV whose writer died mid-recording (crash, kill -9, power loss). The capture engine
//! flushes the header every quarter second, but audio written after the last flush is on disk
//! with a stale header, and the last frame may be cut in half. Here the RIFF and `data` chunk
//! sizes are rewritten from the file's real length and any partial trailing frame is truncated,
//! so every whole frame that reached the disk is playable and transcribable.

use std::fs::OpenOptions;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// What a repair found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepairedWav {
    /// Whole frames in the `data` chunk after the repair.
    pub frames: u64,
    /// Sample rate from the `fmt ` chunk.
    pub sample_rate: u32,
    /// Bytes of a partial trailing frame that were cut off.
    pub truncated_bytes: u64,
    /// Whether the header had to change.
    pub changed: bool,
}

impl RepairedWav {
    /// Seconds of audio.
    pub fn duration_s(&self) -> f64 {
        if self.sample_rate == 0 {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let secs = self.frames as f64 / f64::from(self.sample_rate);
        secs
    }
}

/// Why a WAV could not be repaired.
#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    /// Reading or writing the file failed.
    #[error("cannot repair {path}: {cause}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the OS said.
        cause: io::Error,
    },
    /// The file is not a WAV this repair understands (or its header never reached the disk).
    #[error("cannot repair {path}: {reason}")]
    NotWav {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Rewrites the RIFF and `data` sizes of the WAV at `path` to match the bytes on disk, truncating
/// a partial trailing frame. The `data` chunk is taken to run to the end of the file, which is how
/// the capture engine writes it.
pub fn repair_wav(path: &Path) -> Result<RepairedWav, RepairError> {
    let io_err = |cause| RepairError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let not_wav = |reason: &str| RepairError::NotWav {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };

    let mut file = OpenOptions::new().read(true).write(true).open(path).map_err(io_err)?;
    let file_len = file.metadata().map_err(io_err)?.len();

    let mut riff = [0u8; 12];
    file.read_exact(&mut riff)
        .map_err(|_| not_wav("shorter than a RIFF header"))?;
    if &riff[0..4] != b"RIFF" || &riff[8..12] != b"WAVE" {
        return Err(not_wav("no RIFF/WAVE signature"));
    }

    let mut pos: u64 = 12;
    let mut block_align: Option<(u16, u32)> = None; // (bytes per frame, sample rate)
    loop {
        let mut header = [0u8; 8];
        file.seek(SeekFrom::Start(pos)).map_err(io_err)?;
        if file.read_exact(&mut header).is_err() {
            return Err(not_wav("no data chunk"));
        }
        let id = &header[0..4];
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let body = pos + 8;
        if id == b"fmt " {
            let mut fmt = [0u8; 16];
            file.read_exact(&mut fmt).map_err(|_| not_wav("truncated fmt chunk"))?;
            let sample_rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
            let align = u16::from_le_bytes([fmt[12], fmt[13]]);
            if align == 0 {
                return Err(not_wav("fmt chunk has a block align of 0"));
            }
            block_align = Some((align, sample_rate));
        } else if id == b"data" {
            let Some((align, sample_rate)) = block_align else {
                return Err(not_wav("data chunk before fmt chunk"));
            };
            let available = file_len.saturating_sub(body);
            let align = u64::from(align);
            // The data size field is 32-bit; a longer tail cannot be described.
            let max_data = (u64::from(u32::MAX) + 8).saturating_sub(body);
            let max_data = max_data - max_data % align;
            let data_len = (available - available % align).min(max_data);
            let truncated_bytes = available - data_len;
            let riff_size = body + data_len - 8;
            let changed = truncated_bytes > 0
                || u64::from(size) != data_len
                || u64::from(u32::from_le_bytes([riff[4], riff[5], riff[6], riff[7]])) != riff_size;
            if changed {
                let (Ok(riff_size), Ok(data_size)) = (u32::try_from(riff_size), u32::try_from(data_len)) else {
                    return Err(not_wav("file too large for a WAV header"));
                };
                file.set_len(body + data_len).map_err(io_err)?;
                file.seek(SeekFrom::Start(4)).map_err(io_err)?;
                file.write_all(&riff_size.to_le_bytes()).map_err(io_err)?;
                file.seek(SeekFrom::Start(pos + 4)).map_err(io_err)?;
                file.write_all(&data_size.to_le_bytes()).map_err(io_err)?;
                file.sync_all().map_err(io_err)?;
            }
            return Ok(RepairedWav {
                frames: data_len / align,
                sample_rate,
                truncated_bytes,
                changed,
            });
        }
        // Chunks are word-aligned.
        pos = body + u64::from(size) + u64::from(size % 2);
        if pos >= file_len {
            return Err(not_wav("no data chunk"));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::fs;

    fn spec(channels: u16) -> hound::WavSpec {
        hound::WavSpec {
            channels,
            ..crate::audio::wav::mono_spec(16_000)
        }
    }

    /// Writes `flushed` frames through hound (header says so), then appends `extra_bytes` raw bytes
    /// behind hound's back, as a crash after the last flush would leave it.
    fn crashed_wav(path: &Path, channels: u16, flushed: u32, extra_bytes: &[u8]) {
        let mut w = hound::WavWriter::create(path, spec(channels)).unwrap();
        for i in 0..flushed * u32::from(channels) {
            w.write_sample((i % 1000) as i16).unwrap();
        }
        w.flush().unwrap();
        drop(w); // hound's Drop only rewrites the same header
        let mut f = OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(extra_bytes).unwrap();
    }

    fn samples(path: &Path) -> Vec<i16> {
        hound::WavReader::open(path)
            .unwrap()
            .samples::<i16>()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn appended_samples_and_a_cut_frame_are_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        // 100 more mono frames (200 bytes) plus one byte of a 101st.
        let mut extra: Vec<u8> = (0..100i16).flat_map(|s| (s * 7).to_le_bytes()).collect();
        extra.push(0x55);
        crashed_wav(&path, 1, 1000, &extra);
        assert_eq!(hound::WavReader::open(&path).unwrap().duration(), 1000, "stale header");

        let r = repair_wav(&path).unwrap();
        assert_eq!(
            r,
            RepairedWav {
                frames: 1100,
                sample_rate: 16_000,
                truncated_bytes: 1,
                changed: true
            }
        );
        let s = samples(&path);
        assert_eq!(s.len(), 1100);
        assert_eq!(s[999], 999);
        assert_eq!(s[1000..1003], [0, 7, 14]);
        assert_eq!(s[1099], 99 * 7);
        assert!((r.duration_s() - 1100.0 / 16_000.0).abs() < 1e-12);
    }

    #[test]
    fn stereo_partial_frame_is_cut_to_whole_frames() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        crashed_wav(&path, 2, 10, &[1, 0, 2, 0, 3, 0]); // 1.5 stereo frames
        let r = repair_wav(&path).unwrap();
        assert_eq!(r.frames, 11);
        assert_eq!(r.truncated_bytes, 2);
        assert_eq!(samples(&path).len(), 22);
    }

    #[test]
    fn header_never_updated_after_creation_is_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        crashed_wav(&path, 1, 0, &[0u8; 3200]);
        assert_eq!(repair_wav(&path).unwrap().frames, 1600);
        assert_eq!(samples(&path).len(), 1600);
    }

    #[test]
    fn a_healthy_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        crashed_wav(&path, 1, 500, &[]);
        let before = fs::read(&path).unwrap();
        let r = repair_wav(&path).unwrap();
        assert!(!r.changed);
        assert_eq!(r.frames, 500);
        assert_eq!(fs::read(&path).unwrap(), before);
    }

    #[test]
    fn garbage_is_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        fs::write(&path, b"RIFX").unwrap();
        let err = repair_wav(&path).unwrap_err();
        assert!(err.to_string().contains("answer.wav"), "{err}");
        fs::write(&path, b"RIFF\0\0\0\0WAVE").unwrap();
        assert!(matches!(repair_wav(&path), Err(RepairError::NotWav { .. })));
    }
}

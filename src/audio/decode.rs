//! Reads any reasonable WAV file and turns it into what Whisper needs: 16 kHz mono `f32`.
//! Recordings from the microphone are stored at the device's own rate; imported answers may be anything
//! from 8 to 48 kHz, mono or stereo, integer or float. Resampling is done by rubato's sinc resampler.

use std::path::Path;

use rubato::{Resampler, SincFixedIn, SincInterpolationParameters, SincInterpolationType, WindowFunction};

/// The sample rate Whisper works at.
pub const WHISPER_RATE: u32 = 16_000;

/// Why a WAV file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("cannot open {path}: {cause}")]
    Open { path: String, cause: std::io::Error },
    #[error("{path} is not a WAV file ({reason}); record a new answer or convert it, e.g. `sox in.mp3 out.wav`")]
    NotWav { path: String, reason: String },
    #[error("{path} is truncated: the header promises {expected} samples but only {got} could be read")]
    Truncated { path: String, expected: u32, got: usize },
    #[error("{path} contains no audio (0 samples)")]
    Empty { path: String },
    #[error("{path} has an unsupported format: {reason}")]
    Unsupported { path: String, reason: String },
    #[error("resampling failed: {0}")]
    Resample(String),
}

/// Mono audio at some sample rate.
#[derive(Clone, Debug)]
pub struct MonoAudio {
    pub rate: u32,
    pub samples: Vec<f32>,
}

impl MonoAudio {
    /// Length in seconds.
    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate.max(1))
    }
}

/// Reads a WAV file (8/16/24/32-bit integer or 32-bit float, any channel count) and mixes it down to mono.
pub fn read_wav_mono(path: &Path) -> Result<MonoAudio, DecodeError> {
    let mut samples = Vec::new();
    let rate = stream_wav_mono(path, |chunk, expected| {
        if samples.capacity() == 0 {
            samples.reserve_exact(expected);
        }
        samples.extend_from_slice(chunk);
    })?;
    Ok(MonoAudio { rate, samples })
}

/// Reads a WAV file as [`read_wav_mono`] does, handing the mono samples to `chunk` a few thousand at a
/// time instead of holding them all (a 3-minute recording is 34 MB of f32 at 48 kHz), with how many
/// frames to expect in all (never more than the file can hold). Returns the sample rate.
pub fn stream_wav_mono(path: &Path, mut chunk: impl FnMut(&[f32], usize)) -> Result<u32, DecodeError> {
    let p = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|cause| DecodeError::Open { path: p.clone(), cause })?;
    let file_len = file.metadata().map_or(u64::MAX, |m| m.len());
    let reader = hound::WavReader::new(std::io::BufReader::new(file)).map_err(|e| match e {
        hound::Error::IoError(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => DecodeError::NotWav {
            path: p.clone(),
            reason: "the file ends inside the header".into(),
        },
        hound::Error::Unsupported => DecodeError::Unsupported {
            path: p.clone(),
            reason: "codec not supported (use PCM or float)".into(),
        },
        other => DecodeError::NotWav {
            path: p.clone(),
            reason: other.to_string(),
        },
    })?;
    let spec = reader.spec();
    if !(8_000..=192_000).contains(&spec.sample_rate) {
        return Err(DecodeError::Unsupported {
            path: p,
            reason: format!("sample rate {} Hz (8000–192000 Hz are accepted)", spec.sample_rate),
        });
    }
    let channels = usize::from(spec.channels.max(1));
    let expected = reader.len();
    // The header's sample count may be a lie (up to 4 G samples); never reserve more than the file holds.
    let room = usize::try_from(file_len / u64::from(spec.bits_per_sample.div_ceil(8).max(1))).unwrap_or(usize::MAX);
    let hint = (expected as usize).min(room) / channels;
    let mut chunk = |c: &[f32]| chunk(c, hint);
    let mut mono = Mono {
        channels,
        frame: Vec::with_capacity(channels),
        out: Vec::with_capacity(4096),
        read: 0,
    };
    let read = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => mono.run(reader.into_samples::<f32>(), |s| s, &mut chunk),
        (hound::SampleFormat::Int, bits @ 1..=32) => {
            let scale = 1.0 / (1_i64 << (bits - 1)) as f32;
            mono.run(reader.into_samples::<i32>(), |s| s as f32 * scale, &mut chunk)
        }
        (fmt, bits) => {
            return Err(DecodeError::Unsupported {
                path: p,
                reason: format!("{bits}-bit {fmt:?} samples"),
            });
        }
    };
    match read {
        Err(got) => Err(DecodeError::Truncated { path: p, expected, got }),
        Ok(0) => Err(DecodeError::Empty { path: p }),
        Ok(_) => Ok(spec.sample_rate),
    }
}

/// Interleaved samples in, mono chunks out.
struct Mono {
    channels: usize,
    frame: Vec<f32>,
    out: Vec<f32>,
    read: usize,
}

impl Mono {
    /// Mono frames read, or (an unreadable sample) how many samples were read before it.
    fn run<T>(
        &mut self,
        iter: impl Iterator<Item = hound::Result<T>>,
        convert: impl Fn(T) -> f32,
        chunk: &mut impl FnMut(&[f32]),
    ) -> Result<usize, usize> {
        let mut frames = 0;
        for s in iter {
            let v = convert(s.map_err(|_| self.read)?);
            self.read += 1;
            self.frame.push(v);
            if self.frame.len() == self.channels {
                self.out.push(self.frame.iter().sum::<f32>() / self.channels as f32);
                self.frame.clear();
                frames += 1;
                if self.out.len() == self.out.capacity() {
                    chunk(&self.out);
                    self.out.clear();
                }
            }
        }
        if !self.out.is_empty() {
            chunk(&self.out);
        }
        Ok(frames)
    }
}

/// Input frames per resampler call. The streaming transcriber feeds the same blocks, so a recording
/// resampled while it grows gives the same samples as the whole file resampled at once.
pub const RESAMPLE_CHUNK: usize = 4096;

/// The windowed-sinc resampler used for all conversions to Whisper's rate, taking [`RESAMPLE_CHUNK`]
/// mono frames per call.
pub fn resampler(from_rate: u32, to_rate: u32) -> Result<SincFixedIn<f32>, DecodeError> {
    let params = SincInterpolationParameters {
        sinc_len: 128,
        f_cutoff: 0.95,
        interpolation: SincInterpolationType::Linear,
        oversampling_factor: 128,
        window: WindowFunction::BlackmanHarris2,
    };
    let ratio = f64::from(to_rate) / f64::from(from_rate);
    SincFixedIn::<f32>::new(ratio, 1.0, params, RESAMPLE_CHUNK, 1).map_err(|e| DecodeError::Resample(e.to_string()))
}

/// Resamples mono audio to `to_rate` with a windowed-sinc resampler, keeping the length exact
/// (`len * to_rate / from_rate`, rounded) and removing the filter delay.
pub fn resample(audio: &MonoAudio, to_rate: u32) -> Result<Vec<f32>, DecodeError> {
    if audio.rate == to_rate {
        return Ok(audio.samples.clone());
    }
    let ratio = f64::from(to_rate) / f64::from(audio.rate);
    let chunk = RESAMPLE_CHUNK;
    let mut resampler = resampler(audio.rate, to_rate)?;
    let delay = resampler.output_delay();
    let want = (audio.samples.len() as f64 * ratio).round() as usize;
    let mut out: Vec<f32> = Vec::with_capacity(want + delay + chunk);
    let mut pos = 0;
    while pos + chunk <= audio.samples.len() {
        let block = resampler
            .process(&[&audio.samples[pos..pos + chunk]], None)
            .map_err(|e| DecodeError::Resample(e.to_string()))?;
        out.extend_from_slice(&block[0]);
        pos += chunk;
    }
    let rest = &audio.samples[pos..];
    if !rest.is_empty() {
        // (rubato rejects an empty partial chunk, which happens when the length is a multiple of `chunk`.)
        let block = resampler
            .process_partial(Some(&[rest]), None)
            .map_err(|e| DecodeError::Resample(e.to_string()))?;
        out.extend_from_slice(&block[0]);
    }
    // Flush the filter's tail until we have the delay plus the wanted length.
    while out.len() < want + delay {
        let block = resampler
            .process_partial::<&[f32]>(None, None)
            .map_err(|e| DecodeError::Resample(e.to_string()))?;
        if block[0].is_empty() {
            break;
        }
        out.extend_from_slice(&block[0]);
    }
    let end = (delay + want).min(out.len());
    Ok(out[delay.min(end)..end].to_vec())
}

/// Reads a WAV file and returns 16 kHz mono samples for Whisper, plus the original duration in seconds.
pub fn load_for_whisper(path: &Path) -> Result<(Vec<f32>, f64), DecodeError> {
    let audio = read_wav_mono(path)?;
    if audio.samples.is_empty() {
        return Err(DecodeError::Empty {
            path: path.display().to_string(),
        });
    }
    let duration = audio.duration_s();
    Ok((resample(&audio, WHISPER_RATE)?, duration))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, freq: f32, secs: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| (i as f32 / rate as f32 * freq * std::f32::consts::TAU).sin() * 0.5)
            .collect()
    }

    fn write_wav(path: &Path, spec: hound::WavSpec, frames: &[f32]) {
        let mut w = hound::WavWriter::create(path, spec).expect("create");
        for &s in frames {
            for _ in 0..spec.channels {
                match spec.sample_format {
                    hound::SampleFormat::Float => w.write_sample(s).expect("write"),
                    hound::SampleFormat::Int => {
                        let max = (1_i64 << (spec.bits_per_sample - 1)) as f32 - 1.0;
                        w.write_sample((s * max) as i32).expect("write");
                    }
                }
            }
        }
        w.finalize().expect("finalize");
    }

    #[test]
    fn every_format_decodes_to_16k_mono_with_the_same_length_and_pitch() {
        let dir = tempfile::tempdir().expect("tmp");
        for (rate, channels, bits, fmt) in [
            (8_000, 1, 16, hound::SampleFormat::Int),
            (22_050, 1, 16, hound::SampleFormat::Int),
            (44_100, 2, 16, hound::SampleFormat::Int),
            (48_000, 2, 32, hound::SampleFormat::Float),
            (48_000, 1, 24, hound::SampleFormat::Int),
            (16_000, 1, 8, hound::SampleFormat::Int),
        ] {
            let path = dir.path().join(format!("{rate}-{channels}-{bits}.wav"));
            let spec = hound::WavSpec {
                channels,
                sample_rate: rate,
                bits_per_sample: bits,
                sample_format: fmt,
            };
            write_wav(&path, spec, &sine(rate, 440.0, 1.5));
            let (out, dur) = load_for_whisper(&path).expect("decode");
            assert!((dur - 1.5).abs() < 0.01, "{rate}: duration {dur}");
            assert!((out.len() as i64 - 24_000).abs() <= 1, "{rate}: len {}", out.len());
            // 440 Hz at 16 kHz: count zero crossings in the middle second, expect ~880.
            let mid = &out[4_000..20_000];
            let crossings = mid.windows(2).filter(|w| (w[0] < 0.0) != (w[1] < 0.0)).count();
            assert!((crossings as i64 - 880).abs() < 10, "{rate}: {crossings} crossings");
            let peak = mid.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
            assert!((peak - 0.5).abs() < 0.05, "{rate}: peak {peak}");
        }
    }

    #[test]
    fn lengths_that_are_a_multiple_of_the_chunk_resample() {
        // 9.045333 s at 48 kHz is exactly 106 chunks of 4096: a real recording that once failed.
        for len in [4096 * 106, 4096, 4095, 4097, 1] {
            let audio = MonoAudio {
                rate: 48_000,
                samples: vec![0.1; len],
            };
            let out = resample(&audio, WHISPER_RATE).expect("resample");
            assert_eq!(out.len(), (len as f64 / 3.0).round() as usize, "{len}");
        }
    }

    #[test]
    fn bad_files_give_clear_errors() {
        let dir = tempfile::tempdir().expect("tmp");
        let not_wav = dir.path().join("x.wav");
        std::fs::write(&not_wav, "hello, this is text").expect("write");
        let err = load_for_whisper(&not_wav).expect_err("not wav").to_string();
        assert!(err.contains("is not a WAV file"), "{err}");

        let empty = dir.path().join("empty.wav");
        write_wav(&empty, crate::audio::wav::mono_spec(16_000), &[]);
        let err = load_for_whisper(&empty).expect_err("empty").to_string();
        assert!(err.contains("contains no audio"), "{err}");

        let full = dir.path().join("full.wav");
        write_wav(&full, crate::audio::wav::mono_spec(16_000), &sine(16_000, 300.0, 1.0));
        let bytes = std::fs::read(&full).expect("read");
        let cut = dir.path().join("cut.wav");
        std::fs::write(&cut, &bytes[..bytes.len() / 2 + 1]).expect("write");
        let err = load_for_whisper(&cut).expect_err("truncated").to_string();
        assert!(err.contains("is truncated"), "{err}");
    }

    fn seed_wav() -> Vec<u8> {
        let mut cursor = std::io::Cursor::new(Vec::new());
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 22_050,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::new(&mut cursor, spec).expect("writer");
        for s in sine(22_050, 300.0, 0.05) {
            w.write_sample((s * 20_000.0) as i16).expect("write");
            w.write_sample((s * -20_000.0) as i16).expect("write");
        }
        w.finalize().expect("finalize");
        cursor.into_inner()
    }

    proptest::proptest! {
        #![proptest_config(crate::fuzz::config())]

        /// Cut, edited or random WAV files decode or give an error naming the file, never a panic
        /// (nor an allocation the size of a lying header).
        #[test]
        fn wav_decoder_never_panics(bytes in crate::fuzz::damaged(seed_wav())) {
            let dir = tempfile::tempdir().expect("tmp");
            let path = dir.path().join("fuzz.wav");
            std::fs::write(&path, &bytes).expect("write");
            match load_for_whisper(&path) {
                Ok((samples, duration)) => {
                    proptest::prop_assert!(duration.is_finite() && duration > 0.0);
                    proptest::prop_assert!(!samples.is_empty());
                }
                Err(e) => {
                    let msg = e.to_string();
                    proptest::prop_assert!(msg.contains("fuzz.wav") || msg.starts_with("resampling"), "{}", msg);
                    proptest::prop_assert!(!msg.contains('\n'), "{}", msg);
                }
            }
        }
    }
}

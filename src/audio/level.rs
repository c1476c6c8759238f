//! Level meter for the recording screen: RMS and peak in dBFS over a short window, so a person can
//! see that the microphone hears them before they have said much.

/// Floor reported for silence (digital zero has no finite dBFS).
pub const SILENCE_DBFS: f32 = -100.0;

/// One meter reading. dBFS is relative to full scale (|sample| = 1.0): a full-scale square wave is
/// 0 dBFS RMS, a full-scale sine is about -3.01 dBFS RMS and 0 dBFS peak.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// Root-mean-square level of the window, dBFS, never below [`SILENCE_DBFS`].
    pub rms_dbfs: f32,
    /// Largest absolute sample of the window, dBFS, never below [`SILENCE_DBFS`].
    pub peak_dbfs: f32,
}

impl Level {
    /// The reading for a window with no signal.
    pub const SILENT: Level = Level {
        rms_dbfs: SILENCE_DBFS,
        peak_dbfs: SILENCE_DBFS,
    };
}

/// Converts a linear amplitude (1.0 = full scale) to dBFS, floored at [`SILENCE_DBFS`].
pub fn to_dbfs(amplitude: f64) -> f32 {
    if amplitude <= 0.0 {
        return SILENCE_DBFS;
    }
    // Narrowing is fine: dBFS values are small.
    #[allow(clippy::cast_possible_truncation)]
    let db = (20.0 * amplitude.log10()) as f32;
    db.max(SILENCE_DBFS)
}

/// Accumulates samples until a reading is taken; reading resets the window.
#[derive(Debug, Clone, Default)]
pub struct LevelMeter {
    sum_squares: f64,
    peak: f32,
    count: u64,
}

impl LevelMeter {
    /// An empty meter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds mono samples (full scale ±1.0) to the current window.
    pub fn add(&mut self, samples: &[f32]) {
        for &s in samples {
            self.sum_squares += f64::from(s) * f64::from(s);
            self.peak = self.peak.max(s.abs());
        }
        self.count += samples.len() as u64;
    }

    /// Number of samples in the current window.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// True when no sample has been added since the last reading.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The reading for the current window, which is then cleared.
    pub fn take(&mut self) -> Level {
        let level = if self.count == 0 {
            Level::SILENT
        } else {
            #[allow(clippy::cast_precision_loss)]
            let mean = self.sum_squares / self.count as f64;
            Level {
                rms_dbfs: to_dbfs(mean.sqrt()),
                peak_dbfs: to_dbfs(f64::from(self.peak)),
            }
        };
        *self = Self::default();
        level
    }
}

/// Root mean square of a block of samples (0 for none).
pub fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len().max(1) as f32).sqrt()
}

/// RMS of a block of samples in dBFS (for analysis and tests).
pub fn rms_dbfs(samples: &[f32]) -> f32 {
    let mut m = LevelMeter::new();
    m.add(samples);
    m.take().rms_dbfs
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sine(amplitude: f32, freq: f32, rate: u32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| amplitude * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    #[test]
    fn full_scale_sine_is_minus_3_dbfs_rms_and_0_peak() {
        let mut m = LevelMeter::new();
        m.add(&sine(1.0, 1000.0, 48_000, 48_000));
        let l = m.take();
        assert!((l.rms_dbfs - (-3.0103)).abs() < 0.01, "{l:?}");
        assert!(l.peak_dbfs.abs() < 0.01, "{l:?}");
    }

    #[test]
    fn half_scale_sine_is_6_db_lower() {
        let mut m = LevelMeter::new();
        m.add(&sine(0.5, 440.0, 44_100, 44_100));
        let l = m.take();
        assert!((l.rms_dbfs - (-9.0309)).abs() < 0.02, "{l:?}");
        assert!((l.peak_dbfs - (-6.0206)).abs() < 0.02, "{l:?}");
    }

    #[test]
    fn silence_and_empty_windows_read_the_floor_and_take_resets() {
        let mut m = LevelMeter::new();
        assert_eq!(m.take(), Level::SILENT);
        m.add(&[0.0; 100]);
        assert_eq!(m.take(), Level::SILENT);
        m.add(&[1.0; 10]);
        assert_eq!(m.len(), 10);
        assert!(m.take().rms_dbfs.abs() < 1e-6);
        assert!(m.is_empty());
    }
}

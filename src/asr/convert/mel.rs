//! Whisper's mel filterbank, computed rather than shipped.
//!
//! Reproduces `librosa.filters.mel(sr, n_fft, n_mels)` with librosa's defaults
//! (`fmin = 0`, `fmax = sr / 2`, `htk = False`, `norm = "slaney"`,
//! `dtype = float32`), which is what OpenAI's `mel_filters.npz` holds and
//! what whisper.cpp expects in the ggml header. Arithmetic follows numpy's
//! order of operations (float64, then rounded to float32 the same way) so the
//! values match bit for bit.

/// Sample rate Whisper models are trained at.
pub const SAMPLE_RATE: f64 = 16_000.0;
/// Whisper's STFT size.
pub const N_FFT: usize = 400;

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Slaney mel scale (librosa `hz_to_mel`, `htk=False`).
fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

/// Inverse of [`hz_to_mel`] (librosa `mel_to_hz`, `htk=False`).
fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// `numpy.linspace(start, stop, num)` including its exact rounding.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let div = (num.max(2) - 1) as f64;
    let step = (stop - start) / div;
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if let Some(last) = v.last_mut()
        && num > 1
    {
        *last = stop;
    }
    v
}

/// Row-major `n_mels × (n_fft / 2 + 1)` Slaney-normalised mel filterbank.
pub fn mel_filters(sample_rate: f64, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let n_bins = n_fft / 2 + 1;
    // np.fft.rfftfreq(n_fft, 1 / sr)
    let val = 1.0 / (n_fft as f64 * (1.0 / sample_rate));
    let fft_freqs: Vec<f64> = (0..n_bins).map(|k| k as f64 * val).collect();
    let mel_f: Vec<f64> = linspace(hz_to_mel(0.0), hz_to_mel(sample_rate / 2.0), n_mels + 2)
        .into_iter()
        .map(mel_to_hz)
        .collect();
    let mut weights = Vec::with_capacity(n_mels * n_bins);
    for i in 0..n_mels {
        let fdiff_lo = mel_f[i + 1] - mel_f[i];
        let fdiff_hi = mel_f[i + 2] - mel_f[i + 1];
        let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
        for &f in &fft_freqs {
            let lower = -(mel_f[i] - f) / fdiff_lo;
            let upper = (mel_f[i + 2] - f) / fdiff_hi;
            // librosa stores into a float32 array, then multiplies in place
            let w = 0f64.max(lower.min(upper)) as f32;
            weights.push((f64::from(w) * enorm) as f32);
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_row_properties() {
        let m = mel_filters(SAMPLE_RATE, N_FFT, 80);
        assert_eq!(m.len(), 80 * 201);
        for row in m.chunks(201) {
            assert!(row.iter().all(|&w| w >= 0.0));
            // every triangle covers at least one FFT bin
            assert!(row.iter().any(|&w| w > 0.0));
            // Slaney normalisation: area ≈ 1 in Hz (40 Hz bins) → sum·40 ≈ 1 when
            // the triangle spans several bins; narrow low triangles are sampled coarsely
            let nonzero = row.iter().filter(|&&w| w > 0.0).count();
            if nonzero >= 6 {
                let area: f32 = row.iter().sum::<f32>() * 40.0;
                assert!((area - 1.0).abs() < 0.05, "area {area}");
            }
        }
        // the Nyquist bin is outside every filter
        assert!((0..80).all(|r| m[r * 201 + 200] == 0.0));
    }

    /// Reference values from OpenAI's `whisper/assets/mel_filters.npz`
    /// (openai-whisper 20250625), identical to librosa 0.11's
    /// `filters.mel(sr=16000, n_fft=400, n_mels=…)`; the full arrays were
    /// compared bit for bit when this module was written.
    #[test]
    fn matches_openai_mel_filters_bit_for_bit() {
        let m80 = mel_filters(SAMPLE_RATE, N_FFT, 80);
        for (row, col, bits) in [
            (0, 1, 0x3ccb_aca4u32), // 0.02486259490251541
            (1, 2, 0x3cbb_5d95),    // 0.022871771827340126
            (5, 6, 0x3c74_42b7),    // 0.014908484183251858
            (20, 20, 0x3c63_9489),  // 0.013890394009649754
            (40, 43, 0x3c71_6d72),  // 0.014735566452145576
            (60, 93, 0x3bd7_fa18),  // 0.006591092795133591
            (79, 193, 0x3b4d_de7e), // 0.003141313325613737
        ] {
            assert_eq!(m80[row * 201 + col].to_bits(), bits, "mel_80[{row}, {col}]");
        }
        let sum: f64 = m80.iter().map(|&v| f64::from(v)).sum();
        assert!((sum - 1.999_024_092_387_117).abs() < 1e-9, "{sum}");

        let m128 = mel_filters(SAMPLE_RATE, N_FFT, 128);
        for (row, col, bits) in [
            (0, 1, 0x3c4a_bc43u32),  // 0.012373986653983593
            (64, 43, 0x3c94_34aa),   // 0.018091518431901932
            (127, 195, 0x3ba5_3405), // 0.005041601601988077
        ] {
            assert_eq!(m128[row * 201 + col].to_bits(), bits, "mel_128[{row}, {col}]");
        }
        let sum: f64 = m128.iter().map(|&v| f64::from(v)).sum();
        assert!((sum - 3.190_985_540_940_346_3).abs() < 1e-9, "{sum}");
    }
}

//! Time-stretching that keeps the voice: Review plays answers at 0.75×–1.5× without the chipmunk (or
//! slowed-tape) pitch that reading the samples faster or slower gives. WSOLA (waveform-similarity
//! overlap-add): the output is built from 40 ms Hann-windowed frames laid every 20 ms; each frame is taken
//! from the source at `speed` times that hop, moved by up to ±10 ms to where the waveform best continues
//! the previous frame (cross-correlation), so periods line up and the pitch is that of the source. Frames
//! of 40 ms hold several pitch periods of any voice, and 50 % overlap of periodic Hann windows sums to one.
//!
//! Streaming and allocation-free after construction, so the playback worker runs it in small blocks; no
//! crate was found that builds here (the Signalsmith and Rubber Band bindings need C++ toolchains and
//! libclang), and this is a few dozen lines. At speed 1 the frames fall where they were and add back up
//! to the source exactly.

/// Analysis/synthesis frame, seconds.
const FRAME_S: f64 = 0.040;
/// How far a frame may move to line up with the previous one, seconds.
const TOLERANCE_S: f64 = 0.010;
/// The alignment search looks at every `SEARCH_STEP`-th offset and sample (then refines around the best),
/// a quarter of the work for the same result on speech.
const SEARCH_STEP: usize = 2;

/// A WSOLA time-stretcher for one mono source at one rate.
#[derive(Clone, Debug)]
pub struct Stretcher {
    frame: usize,
    hop: usize,
    tolerance: usize,
    window: Vec<f32>,
    /// The second half of the last windowed frame, waiting to be overlapped by the next.
    tail: Vec<f32>,
    /// Where the last frame's natural continuation starts in the source (`None` after a seek).
    natural: Option<usize>,
    /// The nominal source position of the next output sample, in source frames.
    pos: f64,
}

impl Stretcher {
    /// A stretcher for audio at `rate` Hz, at the start of the source.
    pub fn new(rate: u32) -> Self {
        let rate = f64::from(rate.max(100));
        let hop = ((FRAME_S * rate / 2.0) as usize).max(8);
        let frame = hop * 2;
        // Periodic Hann: w[i] + w[i + hop] = 1, so overlapping frames add up to the source's level.
        let window = (0..frame)
            .map(|i| (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / frame as f64).cos()) as f32)
            .collect();
        Self {
            frame,
            hop,
            tolerance: ((TOLERANCE_S * rate) as usize).max(1),
            window,
            tail: vec![0.0; hop],
            natural: None,
            pos: 0.0,
        }
    }

    /// Output samples made per [`Self::next_block`] call.
    pub fn hop(&self) -> usize {
        self.hop
    }

    /// The nominal source position of the next output sample, in source frames.
    pub fn position(&self) -> f64 {
        self.pos
    }

    /// Starts again from source frame `pos` (forgetting the overlap).
    pub fn seek(&mut self, pos: f64) {
        self.pos = pos.max(0.0);
        self.natural = None;
        self.tail.iter_mut().for_each(|s| *s = 0.0);
    }

    /// Appends up to [`Self::hop`] output samples of `src` played at `speed` to `out`, each with the source
    /// position (frames) it stands for; stops at the end of the source. Returns how many were appended
    /// (0 at the end).
    pub fn next_block(&mut self, src: &[f32], speed: f64, out: &mut impl Extend<(f32, f64)>) -> usize {
        let end = src.len() as f64;
        if self.pos >= end {
            return 0;
        }
        let speed = speed.clamp(0.25, 4.0);
        let nominal = self.pos as usize;
        let hop = self.hop;
        let start = match self.natural {
            // At speed 1 the natural continuation is the nominal place: a plain copy.
            Some(natural) if natural == nominal => nominal,
            // Whole frames only: near the end a slowed stretch reuses the last 40 ms rather than silence.
            Some(natural) => self
                .best_start(src, nominal, natural)
                .min(src.len().saturating_sub(self.frame)),
            None => {
                // After a seek, overlap with the source itself, so the first block is not faded in.
                for i in 0..hop {
                    self.tail[i] = src.get(nominal + i).copied().unwrap_or(0.0) * self.window[hop + i];
                }
                nominal
            }
        };
        let frame_at = |i: usize| src.get(start + i).copied().unwrap_or(0.0) * self.window[i];
        let mut n = 0;
        out.extend((0..hop).map_while(|i| {
            let t = self.pos + i as f64 * speed;
            (t < end).then(|| {
                n += 1;
                (self.tail[i] + frame_at(i), t)
            })
        }));
        for i in 0..hop {
            self.tail[i] = frame_at(hop + i);
        }
        self.natural = Some(start + hop);
        self.pos += hop as f64 * speed;
        n
    }

    /// The start within `nominal ± tolerance` whose first half best continues the source at `natural`
    /// (the largest normalised cross-correlation over the overlap).
    fn best_start(&self, src: &[f32], nominal: usize, natural: usize) -> usize {
        let len = self.hop;
        if natural + len > src.len() {
            return nominal;
        }
        let target = &src[natural..natural + len];
        let lo = nominal.saturating_sub(self.tolerance);
        let hi = (nominal + self.tolerance).min(src.len().saturating_sub(len));
        if lo >= hi {
            return nominal.min(hi);
        }
        let score = |k: usize, step: usize| -> f32 {
            let cand = &src[k..k + len];
            let (mut dot, mut energy) = (0.0_f32, 1e-9_f32);
            for i in (0..len).step_by(step) {
                dot += cand[i] * target[i];
                energy += cand[i] * cand[i];
            }
            dot / energy.sqrt()
        };
        let mut best = (f32::NEG_INFINITY, nominal.clamp(lo, hi));
        for k in (lo..=hi).step_by(SEARCH_STEP) {
            let s = score(k, SEARCH_STEP);
            if s > best.0 {
                best = (s, k);
            }
        }
        // Refine at full resolution next to the coarse best.
        let (c_lo, c_hi) = (
            best.1.saturating_sub(SEARCH_STEP).max(lo),
            (best.1 + SEARCH_STEP).min(hi),
        );
        let mut fine = (f32::NEG_INFINITY, best.1);
        for k in c_lo..=c_hi {
            let s = score(k, 1);
            if s > fine.0 {
                fine = (s, k);
            }
        }
        fine.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, rate: u32, seconds: f64) -> Vec<f32> {
        (0..(f64::from(rate) * seconds) as usize)
            .map(|i| (0.5 * (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin()) as f32)
            .collect()
    }

    fn stretch(src: &[f32], rate: u32, speed: f64) -> Vec<f32> {
        let mut s = Stretcher::new(rate);
        let mut out: Vec<(f32, f64)> = Vec::new();
        while s.next_block(src, speed, &mut out) > 0 {}
        out.into_iter().map(|(x, _)| x).collect()
    }

    /// Frequency by counting rising zero crossings over the middle (away from the edges' fade-in).
    fn frequency(s: &[f32], rate: u32) -> f64 {
        let mid = &s[s.len() / 10..s.len() * 9 / 10];
        let crossings: Vec<usize> = mid
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
            .map(|(i, _)| i)
            .collect();
        let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
        (crossings.len() - 1) as f64 * f64::from(rate) / (last - first) as f64
    }

    #[test]
    fn a_tone_keeps_its_pitch_and_the_length_scales_by_the_speed() {
        for rate in [16_000, 48_000] {
            let src = tone(440.0, rate, 2.0);
            for speed in [0.75, 1.25, 1.5] {
                let out = stretch(&src, rate, speed);
                let expected = src.len() as f64 / speed;
                assert!(
                    (out.len() as f64 - expected).abs() <= 1.0,
                    "{rate} Hz at {speed}: {} samples, expected {expected:.0}",
                    out.len()
                );
                let f = frequency(&out, rate);
                assert!((f - 440.0).abs() < 440.0 * 0.005, "{rate} Hz at {speed}: {f:.1} Hz");
                // Level kept too: overlapping windows add up to one, aligned frames do not cancel.
                let mid = &out[out.len() / 4..out.len() * 3 / 4];
                let peak = mid.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
                assert!((peak - 0.5).abs() < 0.03, "{rate} Hz at {speed}: peak {peak}");
            }
            // Reading faster instead (what playback did) raises the pitch by the speed: the test can tell.
            let naive: Vec<f32> = (0..(src.len() as f64 / 1.5) as usize)
                .map(|i| src[(i as f64 * 1.5) as usize])
                .collect();
            assert!((frequency(&naive, rate) - 660.0).abs() < 5.0);
        }
    }

    #[test]
    fn positions_follow_the_source_and_seek_starts_over() {
        let rate = 16_000;
        let src = tone(220.0, rate, 1.0);
        let mut s = Stretcher::new(rate);
        let mut out: Vec<(f32, f64)> = Vec::new();
        s.next_block(&src, 1.5, &mut out);
        s.next_block(&src, 1.5, &mut out);
        assert!(out.windows(2).all(|w| (w[1].1 - w[0].1 - 1.5).abs() < 1e-9));
        s.seek(8_000.0);
        out.clear();
        s.next_block(&src, 0.75, &mut out);
        assert_eq!(out[0].1, 8_000.0);
        assert_eq!(out.len(), s.hop());
        assert!((s.position() - (8_000.0 + 0.75 * s.hop() as f64)).abs() < 1e-9);
    }
}

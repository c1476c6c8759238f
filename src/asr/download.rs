//! Downloads official whisper.cpp ggml models for people with internet access, resuming an interrupted
//! download and checking the SHA-256 before the file is used. Never needed for the default model, which
//! is converted from a PyPI package (see `convert`).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

pub use crate::fetch::sha256_file;
use crate::fetch::{self, FetchError};

/// Where official ggml models live; `REHEARSE_MODEL_BASE_URL` overrides it (mirrors, tests).
pub const DEFAULT_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";

/// The models `rehearse model download` knows, with their SHA-256.
pub const KNOWN: &[(&str, &str)] = &[
    (
        "tiny.en",
        "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f",
    ),
    (
        "base.en",
        "a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002",
    ),
    (
        "small.en",
        "c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d",
    ),
];

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("unknown model '{0}'; known: tiny.en, base.en, small.en")]
    Unknown(String),
    /// The fetch itself failed (connection, checksum, disk, cancel).
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

/// The SHA-256 of a known model.
pub fn known_sha256(name: &str) -> Result<&'static str, DownloadError> {
    KNOWN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .ok_or_else(|| DownloadError::Unknown(name.into()))
}

/// The base URL in use.
pub fn base_url() -> String {
    std::env::var("REHEARSE_MODEL_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.to_string())
}

/// Downloads `<base_url>/ggml-<name>.bin` into `dest_dir`, resuming `ggml-<name>.bin.part` if present,
/// verifying `sha256` (hex) and only then renaming to the final name ([`crate::fetch`]). `progress(done,
/// total)` is called as bytes arrive.
pub fn download(
    name: &str,
    base_url: &str,
    sha256: &str,
    dest_dir: &Path,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &AtomicBool,
) -> Result<PathBuf, DownloadError> {
    let file_name = super::models::file_name(name);
    let url = format!("{}/{file_name}", base_url.trim_end_matches('/'));
    let dest = dest_dir.join(&file_name);
    let request = fetch::Request {
        url: &url,
        sha256,
        size: None,
        dest: &dest,
    };
    Ok(fetch::fetch(&request, progress, cancel)?)
}

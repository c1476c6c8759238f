//! Downloads official whisper.cpp ggml models for people with internet access, resuming an interrupted
//! download and checking the SHA-256 before the file is used. Never needed for the default model, which
//! is converted from a PyPI package (see `convert`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

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
    #[error(
        "cannot reach {url}: {reason}; check your connection, or import a model you already have with `rehearse model import`"
    )]
    Http { url: String, reason: String },
    #[error(
        "checksum mismatch for {path}: expected {expected}, got {got}; the partial file was removed, run the download again"
    )]
    Checksum {
        path: String,
        expected: String,
        got: String,
    },
    #[error("cannot write {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("download cancelled; run it again to resume")]
    Cancelled,
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
/// verifying `sha256` (hex) and only then renaming to the final name. `progress(done, total)` is called
/// as bytes arrive.
pub fn download(
    name: &str,
    base_url: &str,
    sha256: &str,
    dest_dir: &Path,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &AtomicBool,
) -> Result<PathBuf, DownloadError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |cause| DownloadError::Io { path, cause }
    };
    std::fs::create_dir_all(dest_dir).map_err(io(dest_dir))?;
    let file_name = super::models::file_name(name);
    let final_path = dest_dir.join(&file_name);
    let part_path = dest_dir.join(format!("{file_name}.part"));
    let url = format!("{}/{file_name}", base_url.trim_end_matches('/'));
    let http = |reason: String| DownloadError::Http {
        url: url.clone(),
        reason,
    };

    let mut have = std::fs::metadata(&part_path).map(|m| m.len()).unwrap_or(0);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut request = agent.get(&url);
    if have > 0 {
        request = request.header("Range", format!("bytes={have}-"));
    }
    let response = request.call().map_err(|e| http(e.to_string()))?;
    let status = response.status().as_u16();
    let append = match status {
        206 => true,
        200 => false,
        416 if have > 0 => true, // already complete
        other => return Err(http(format!("server answered HTTP {other}"))),
    };
    if !append {
        have = 0;
    }
    let length = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let total = length.map(|l| l + have);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(append)
        .write(true)
        .truncate(!append)
        .open(&part_path)
        .map_err(io(&part_path))?;
    if status != 416 {
        let mut body = response.into_body().into_reader();
        let mut buf = vec![0_u8; 1 << 16];
        loop {
            if cancel.load(Ordering::Relaxed) {
                file.flush().map_err(io(&part_path))?;
                return Err(DownloadError::Cancelled);
            }
            let n = body.read(&mut buf).map_err(|e| http(e.to_string()))?;
            if n == 0 {
                break;
            }
            file.write_all(&buf[..n]).map_err(io(&part_path))?;
            have += n as u64;
            progress(have, total);
        }
    }
    file.sync_all().map_err(io(&part_path))?;
    drop(file);

    let got = sha256_file(&part_path).map_err(io(&part_path))?;
    if !got.eq_ignore_ascii_case(sha256) {
        let _ = std::fs::remove_file(&part_path);
        return Err(DownloadError::Checksum {
            path: final_path.display().to_string(),
            expected: sha256.into(),
            got,
        });
    }
    std::fs::rename(&part_path, &final_path).map_err(io(&final_path))?;
    Ok(final_path)
}

/// The SHA-256 of a file as lowercase hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0_u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

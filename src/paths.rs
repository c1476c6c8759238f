//! Where rehearse keeps and finds its files. One place, so the store, decks, the Whisper models (`asr`) and
//! the sentence-embedding model (`embed`) agree, and so a release binary carries no path of the machine it
//! was built on.

use std::path::PathBuf;

/// The user's data dir: `REHEARSE_DATA_DIR` if set, otherwise the platform's data dir
/// (`~/.local/share/rehearse` on Linux). Attempts, user decks and imported models live here.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("REHEARSE_DATA_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "rehearse")
        .map_or_else(|| PathBuf::from(".rehearse"), |d| d.data_dir().to_path_buf())
}

/// The user's model folder, where imports and downloads go by default: `<data dir>/models`.
pub fn user_models_dir() -> PathBuf {
    data_dir().join("models")
}

/// The folders searched for models (Whisper and the sentence encoder), in order, each once:
/// `REHEARSE_MODELS_DIR` (one folder, or several joined like `PATH`), then the user's model folder
/// ([`user_models_dir`]). A checkout's `models/` (where `make setup` installs) is found through the first:
/// `.cargo/config.toml` sets it for everything cargo runs (`make run`, `make test`, `cargo run`, tests,
/// examples, benches), and the scripts that start the binary themselves set it too. Nothing here is fixed
/// at build time, so a release binary holds no path of the machine it was built on.
pub fn model_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("REHEARSE_MODELS_DIR")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|d| !d.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    dirs.push(user_models_dir());
    let mut seen = Vec::new();
    dirs.retain(|d| {
        let key = d.canonicalize().unwrap_or_else(|_| d.clone());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    dirs
}

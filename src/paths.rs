//! Where rehearse keeps its files. One place, so the store, decks and models agree.

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

//! `<data>/rubric/corrections.json`: the person's corrections kept for future answers (personal exemplars,
//! [`PersonalExemplar`]). The rubric decides with them (`crate::rubric::corrections`, pure); this is the
//! file: read (missing = none yet, damaged = said in words), written atomically (0600 in a 0700 folder),
//! cleared.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{StoreError, write_atomic};
use crate::rubric::corrections::{PersonalExemplar, upsert_exemplar};

/// Folder (under the data folder) of the person's rubric files.
pub const DIR: &str = "rubric";
/// File name of the personal exemplars in [`DIR`].
pub const FILE: &str = "corrections.json";
/// Layout version of the corrections file written by this build.
pub const VERSION: u32 = 1;

/// `<data>/rubric/corrections.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonalFile {
    /// Layout version ([`VERSION`]).
    #[serde(default)]
    pub version: u32,
    /// Oldest first.
    #[serde(default)]
    pub exemplars: Vec<PersonalExemplar>,
}

/// What went wrong with the corrections file.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionsError {
    /// Reading or writing failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file is not a corrections file.
    #[error(
        "{path} is not a valid corrections file ({reason}); fix it, or start again with `rehearse rubric corrections clear`"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// `<data>/rubric/corrections.json`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(DIR).join(FILE)
}

/// The person's exemplars; empty when there are none yet.
pub fn load(data_dir: &Path) -> Result<PersonalFile, CorrectionsError> {
    let path = path(data_dir);
    let Some(bytes) = super::read_if_exists(&path)? else {
        return Ok(PersonalFile::default());
    };
    let file: PersonalFile = serde_json::from_slice(&bytes).map_err(|e| CorrectionsError::Corrupt {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if file.version > VERSION {
        return Err(CorrectionsError::Corrupt {
            path,
            reason: format!(
                "written by a newer rehearse (version {}; this build reads {VERSION})",
                file.version
            ),
        });
    }
    Ok(file)
}

/// Writes the exemplars atomically (temp file, then rename; 0600), creating `<data>/rubric/` (0700).
pub fn save(data_dir: &Path, file: &PersonalFile) -> Result<(), CorrectionsError> {
    let dir = data_dir.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|cause| StoreError::Io {
        action: "create folder",
        path: dir.clone(),
        cause,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    }
    let mut f = file.clone();
    f.version = VERSION;
    let json = serde_json::to_vec_pretty(&f).map_err(|e| CorrectionsError::Corrupt {
        path: path(data_dir),
        reason: e.to_string(),
    })?;
    write_atomic(&path(data_dir), &json)?;
    Ok(())
}

/// Adds one exemplar (replacing an earlier one for the same cell and sentence) and saves.
pub fn add(data_dir: &Path, exemplar: PersonalExemplar) -> Result<(), CorrectionsError> {
    let mut file = load(data_dir)?;
    upsert_exemplar(&mut file.exemplars, exemplar);
    save(data_dir, &file)
}

/// Removes every personal exemplar; returns how many there were. Attempts keep their own corrections.
pub fn clear(data_dir: &Path) -> Result<usize, CorrectionsError> {
    let n = match load(data_dir) {
        Ok(f) => f.exemplars.len(),
        // A damaged file is what `clear` is for.
        Err(CorrectionsError::Corrupt { .. }) => 0,
        Err(e) => return Err(e),
    };
    let p = path(data_dir);
    match std::fs::remove_file(&p) {
        Ok(()) => Ok(n),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(n),
        Err(cause) => Err(StoreError::Io {
            action: "delete",
            path: p,
            cause,
        }
        .into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rubric::corrections::Verdict;
    use crate::rubric::corrections::tests::exemplar;

    #[test]
    fn the_file_round_trips_and_clear_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), PersonalFile::default());
        add(
            dir.path(),
            exemplar("boundaries", Verdict::Counts, "It breaks past 10k rps.", vec![1, 2]),
        )
        .unwrap();
        add(
            dir.path(),
            exemplar("boundaries", Verdict::DoesNotCount, "it breaks past 10k RPS", vec![]),
        )
        .unwrap();
        add(
            dir.path(),
            exemplar("trade-offs", Verdict::Counts, "Cheaper but staler.", vec![]),
        )
        .unwrap();
        let f = load(dir.path()).unwrap();
        assert_eq!(f.version, VERSION);
        assert_eq!(f.exemplars.len(), 2, "the second replaced the first: {f:?}");
        assert_eq!(f.exemplars[0].verdict, Verdict::DoesNotCount);
        let json = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(json.contains("\"does-not-count\""), "{json}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path())).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(clear(dir.path()).unwrap(), 2);
        assert!(!path(dir.path()).exists());
        assert_eq!(clear(dir.path()).unwrap(), 0);
        // A damaged file is reported, and clear still removes it.
        std::fs::create_dir_all(dir.path().join(DIR)).unwrap();
        std::fs::write(path(dir.path()), b"{\"exemplars\": [").unwrap();
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a valid corrections file") && e.contains("clear"), "{e}");
        clear(dir.path()).unwrap();
        assert!(!path(dir.path()).exists());
    }
}

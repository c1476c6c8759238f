//! User decks written to `<data>/decks/<id>.toml` (an imported guide). Here rather than in `bank` because
//! every file rehearse writes goes through the store's atomic write (temp file, fsync, rename, 0600);
//! `bank` reads decks and knows nothing of the store.

use std::path::{Path, PathBuf};

use super::write_atomic;
use crate::bank::{Deck, DeckError};

/// Writes `deck` to `<data_dir>/decks/<id>.toml` through a temp file and rename (an earlier deck with the
/// same id is replaced, never duplicated) and returns the path. The TOML is read back first, so a deck that
/// would not load is never written.
pub fn save_user_deck(data_dir: &Path, deck: &Deck) -> Result<PathBuf, DeckError> {
    let dir = data_dir.join("decks");
    let path = dir.join(format!("{}.toml", deck.id));
    let text = toml::to_string_pretty(deck).map_err(|e| DeckError::Invalid {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let header = format!(
        "# Imported by `rehearse deck import`; schema: src/bank/mod.rs. Re-import the guide to update it.\n\n{text}"
    );
    Deck::from_toml_str(&header, &path)?;
    std::fs::create_dir_all(&dir).map_err(|cause| DeckError::Io {
        path: dir.clone(),
        cause,
    })?;
    write_atomic(&path, header.as_bytes()).map_err(|e| DeckError::Save(Box::new(e)))?;
    Ok(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_deck_loads_back_and_replaces_one_with_the_same_id() {
        let dir = tempfile::tempdir().unwrap();
        let deck = Deck::embedded().unwrap();
        let path = save_user_deck(dir.path(), &deck).unwrap();
        assert_eq!(path, dir.path().join("decks").join(format!("{}.toml", deck.id)));
        let again = save_user_deck(dir.path(), &deck).unwrap();
        assert_eq!(again, path);
        let (decks, errors) = crate::bank::load_user_decks(dir.path());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(decks.len(), 1);
        assert_eq!(decks[0].questions, deck.questions);
    }
}

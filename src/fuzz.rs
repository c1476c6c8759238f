//! Inputs for the property tests that feed bad bytes to every parser of outside data (decks, WAV,
//! CTranslate2 and ggml models, `attempt.json`): a valid file cut short, with bytes overwritten or
//! spliced in, or replaced by noise. Each parser must answer with an error, never a panic.

use proptest::prelude::*;

/// Cases per property: thousands, as the fault matrix asks.
pub(crate) const CASES: u32 = 3000;

/// Test configuration with [`CASES`] cases and no regression files written into the tree.
pub(crate) fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One edit to a valid file.
#[derive(Debug, Clone)]
enum Edit {
    /// Overwrite the byte at (position modulo length).
    Set(usize, u8),
    /// Overwrite 4 bytes (a length or count field, say) with a little-endian u32.
    SetU32(usize, u32),
    /// Insert bytes at a position.
    Insert(usize, Vec<u8>),
    /// Remove a range.
    Remove(usize, usize),
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit], cut: Option<usize>) -> Vec<u8> {
    for e in edits {
        let len = bytes.len().max(1);
        match e {
            Edit::Set(i, b) => {
                if let Some(x) = bytes.get_mut(i % len) {
                    *x = *b;
                }
            }
            Edit::SetU32(i, v) => {
                let i = i % len;
                for (k, b) in v.to_le_bytes().into_iter().enumerate() {
                    if let Some(x) = bytes.get_mut(i + k) {
                        *x = b;
                    }
                }
            }
            Edit::Insert(i, ins) => {
                let i = i % (bytes.len() + 1);
                bytes.splice(i..i, ins.iter().copied());
            }
            Edit::Remove(i, n) => {
                let i = i % len;
                let end = (i + n).min(bytes.len());
                if i < end {
                    bytes.drain(i..end);
                }
            }
        }
    }
    if let Some(c) = cut {
        bytes.truncate(c % (bytes.len() + 1));
    }
    bytes
}

fn edit() -> impl Strategy<Value = Edit> {
    let pos = any::<usize>();
    prop_oneof![
        4 => (pos, any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        3 => (
            pos,
            prop_oneof![any::<u32>(), Just(0), Just(u32::MAX), Just(0x7fff_ffff), 1u32..64]
        )
            .prop_map(|(i, v)| Edit::SetU32(i, v)),
        1 => (pos, proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, b)| Edit::Insert(i, b)),
        1 => (pos, 1usize..64).prop_map(|(i, n)| Edit::Remove(i, n)),
    ]
}

/// `seed` damaged: mostly edited and/or cut short, sometimes replaced by random bytes.
pub(crate) fn damaged(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => (proptest::collection::vec(edit(), 0..6), proptest::option::of(any::<usize>()))
            .prop_map(move |(edits, cut)| apply(seed.clone(), &edits, cut)),
        1 => proptest::collection::vec(any::<u8>(), 0..512),
    ]
}

//! The BERT uncased tokenizer that `all-MiniLM-L6-v2` was trained with, read from its `tokenizer.json`:
//! clean and lowercase the text, strip accents, split on whitespace and punctuation, then greedy
//! longest-match WordPiece. Written out here (about a hundred lines) rather than pulling in the `tokenizers`
//! crate and its C regex build; padding is never applied, so every sentence is encoded at its own length.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longest word WordPiece splits; longer ones become `[UNK]` (as in the reference tokenizer).
const MAX_WORD_CHARS: usize = 100;

/// A WordPiece vocabulary with the special token ids.
#[derive(Debug)]
pub struct WordPiece {
    vocab: HashMap<String, u32>,
    unk: u32,
    cls: u32,
    sep: u32,
}

impl WordPiece {
    /// Reads the vocabulary from a Hugging Face `tokenizer.json` (a WordPiece model).
    pub fn from_tokenizer_json(src: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct File {
            model: Model,
        }
        #[derive(serde::Deserialize)]
        struct Model {
            #[serde(rename = "type")]
            kind: String,
            vocab: HashMap<String, u32>,
        }
        let f: File = serde_json::from_str(src).map_err(|e| format!("tokenizer.json: {e}"))?;
        if f.model.kind != "WordPiece" {
            return Err(format!("tokenizer.json: model type {} is not WordPiece", f.model.kind));
        }
        let id = |t: &str| {
            f.model
                .vocab
                .get(t)
                .copied()
                .ok_or_else(|| format!("tokenizer.json: no {t} token"))
        };
        Ok(Self {
            unk: id("[UNK]")?,
            cls: id("[CLS]")?,
            sep: id("[SEP]")?,
            vocab: f.model.vocab,
        })
    }

    /// Token ids of one sentence: `[CLS]`, the word pieces (at most `max_len - 2`), `[SEP]`.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut ids = vec![self.cls];
        for word in pre_tokenize(&normalise(text)) {
            self.word_pieces(&word, &mut ids);
            if ids.len() >= max_len.saturating_sub(1) {
                ids.truncate(max_len.saturating_sub(1).max(1));
                break;
            }
        }
        ids.push(self.sep);
        ids
    }

    fn word_pieces(&self, word: &str, out: &mut Vec<u32>) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() > MAX_WORD_CHARS {
            out.push(self.unk);
            return;
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut end = chars.len();
            let mut found = None;
            while end > start {
                let from = chars[start].0;
                let to = chars.get(end).map_or(word.len(), |c| c.0);
                let piece = if start == 0 {
                    word[from..to].to_string()
                } else {
                    format!("##{}", &word[from..to])
                };
                if let Some(&id) = self.vocab.get(&piece) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => pieces.push(id),
                None => {
                    out.push(self.unk);
                    return;
                }
            }
            start = end;
        }
        out.extend(pieces);
    }
}

/// BertNormalizer: drop control characters, map whitespace to spaces, space out CJK ideographs, lowercase,
/// strip accents.
fn normalise(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()) {
            continue;
        }
        if c.is_whitespace() {
            cleaned.push(' ');
        } else if is_cjk(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    cleaned
        .to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

/// BertPreTokenizer: split on whitespace; every punctuation character is a word of its own.
fn pre_tokenize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        } else if is_punctuation(c) {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            words.push(c.to_string());
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// ASCII punctuation (BERT counts `$`, `+`, `^`, `` ` `` too) and, outside ASCII, anything that is neither a
/// letter, a digit nor a mark — close to Unicode's P* categories for the text a transcript holds.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    !c.is_alphanumeric()
        && !is_combining_mark(c)
        && matches!(c, '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{303f}' | '\u{a1}'..='\u{bf}' | '\u{ff01}'..='\u{ff0f}')
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> WordPiece {
        let vocab = [
            "[UNK]", "[CLS]", "[SEP]", "the", "cat", "##s", "sit", "on", "mat", ".", "cafe", "'", "t", "don",
        ];
        WordPiece {
            vocab: vocab
                .iter()
                .enumerate()
                .map(|(i, w)| ((*w).to_string(), i as u32))
                .collect(),
            unk: 0,
            cls: 1,
            sep: 2,
        }
    }

    #[test]
    fn splits_words_pieces_and_punctuation() {
        let t = tiny();
        // the cat sit ##s on the mat .
        assert_eq!(
            t.encode("The cat sits on the mat.", 128),
            vec![1, 3, 4, 6, 5, 7, 3, 8, 9, 2]
        );
        assert_eq!(t.encode("Café don't", 128), vec![1, 10, 13, 11, 12, 2]);
        assert_eq!(t.encode("zebra", 128), vec![1, 0, 2]);
        assert_eq!(t.encode("the the the the", 4), vec![1, 3, 3, 2]);
    }
}

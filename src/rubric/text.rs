//! Turns a timed transcript into a flat list of normalised, stemmed tokens that still know which transcript
//! word they came from. Every matcher (rubric cells, content points, mistakes, dimensions, fillers) works on
//! these tokens, so the evidence it finds can be mapped straight back to word times for click-to-seek.

use rust_stemmers::{Algorithm, Stemmer};

use crate::transcript::{TimedText, Transcript};

/// One normalised token.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// Lowercased surface form: apostrophes kept inside words ("didn't"), `×` written as `x`,
    /// decimals and percentages kept ("99.9%"), other punctuation removed.
    pub norm: String,
    /// English Snowball stem of `norm`.
    pub stem: String,
    /// Index into `Transcript::words`.
    pub word: usize,
    /// Index of the sentence this token belongs to.
    pub sentence: usize,
    /// The word ends with a comma-like mark (`,` `;` `:` `…` `—`) right after this token.
    pub comma_after: bool,
    /// The word ends a sentence right after this token.
    pub sentence_end: bool,
}

/// A sentence as a range of transcript words (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// First word index.
    pub first_word: usize,
    /// Last word index (inclusive).
    pub last_word: usize,
}

/// A tokenised transcript plus the stemmed haystack the phrase matchers search.
#[derive(Clone, Debug)]
pub struct Tokenized {
    /// Tokens in order.
    pub tokens: Vec<Token>,
    /// Sentences in order; `Token::sentence` indexes into this.
    pub sentences: Vec<Sentence>,
    /// `" stem stem stem "`: each stem surrounded by single spaces, for token-aligned phrase search.
    pub haystack: String,
    /// Byte offset in `haystack` of the space that precedes token `i`.
    pub offsets: Vec<usize>,
}

/// Abbreviations whose trailing period does not end a sentence.
const ABBREVIATIONS: &[&str] = &["vs", "e.g", "i.e", "eg", "ie", "mr", "mrs", "dr", "approx"];

/// Splits one transcript word into normalised pieces ("trade-offs," → ["trade", "offs"],
/// "10×" → ["10x"], "99.9%" → ["99.9%"], "didn’t" → ["didn't"]).
pub fn normalise_word(word: &str) -> Vec<String> {
    let chars: Vec<char> = word
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' | '\u{02bc}' => '\'',
            '\u{00d7}' => 'x',
            other => other,
        })
        .collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 { chars.get(i - 1).copied() } else { None };
        let next = chars.get(i + 1).copied();
        let prev_digit = prev.is_some_and(|p| p.is_ascii_digit());
        let next_digit = next.is_some_and(|n| n.is_ascii_digit());
        let keep = c.is_alphanumeric()
            || (c == '\'' && prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphabetic))
            || (c == '.' && prev_digit && next_digit)
            || (c == '%' && prev_digit);
        if keep {
            cur.push(c);
        } else if c == ',' && prev_digit && next_digit && !cur.is_empty() {
            // "1,000" → "1000"
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Trailing punctuation of a word: (comma-like, sentence end).
fn trailing_marks(word: &str) -> (bool, bool) {
    let trimmed = word.trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}']);
    let Some(last) = trimmed.chars().last() else {
        return (false, false);
    };
    let comma = matches!(last, ',' | ';' | ':' | '\u{2026}' | '\u{2014}' | '\u{2013}') || trimmed.ends_with("...");
    let sentence =
        !trimmed.ends_with("...") && matches!(last, '.' | '?' | '!') && !(last == '.' && is_abbreviation(trimmed));
    (comma, sentence)
}

fn is_abbreviation(word: &str) -> bool {
    let w = word
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches('.')
        .to_lowercase();
    ABBREVIATIONS.contains(&w.as_str())
}

/// Stems one normalised piece with the English Snowball stemmer.
pub fn stem_piece(stemmer: &Stemmer, piece: &str) -> String {
    stemmer.stem(piece).into_owned()
}

/// A shared English stemmer.
pub fn english_stemmer() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

/// Tokenises a phrase from a deck or rubric file into its stem sequence.
pub fn phrase_stems(stemmer: &Stemmer, phrase: &str) -> Vec<String> {
    phrase
        .split_whitespace()
        .flat_map(normalise_word)
        .map(|p| stem_piece(stemmer, &p))
        .collect()
}

/// Word indices at which a new Whisper segment starts (used as extra sentence breaks when Whisper
/// produced no punctuation).
fn segment_breaks(transcript: &Transcript) -> Vec<bool> {
    let words = &transcript.words;
    let mut breaks = vec![false; words.len()];
    if transcript.segments.len() < 2 {
        return breaks;
    }
    let starts: Vec<f64> = transcript.segments.iter().skip(1).map(|s| s.start_s).collect();
    for (i, w) in words.iter().enumerate().skip(1) {
        let prev: &TimedText = &words[i - 1];
        if starts.iter().any(|&s| prev.start_s < s && w.start_s + 1e-6 >= s) {
            breaks[i] = true;
        }
    }
    breaks
}

/// Tokenises a transcript's words.
pub fn tokenize(transcript: &Transcript, stemmer: &Stemmer) -> Tokenized {
    let seg_breaks = segment_breaks(transcript);
    let mut tokens: Vec<Token> = Vec::with_capacity(transcript.words.len() + 8);
    let mut sentences: Vec<Sentence> = Vec::new();
    let mut sentence_start: Option<usize> = None;
    let mut last_word_seen = 0usize;
    for (wi, word) in transcript.words.iter().enumerate() {
        if seg_breaks[wi] {
            if let Some(first) = sentence_start.take() {
                sentences.push(Sentence {
                    first_word: first,
                    last_word: wi.saturating_sub(1),
                });
            }
            if let Some(t) = tokens.last_mut() {
                t.sentence_end = true;
            }
        }
        let pieces = normalise_word(&word.text);
        let (comma, end) = trailing_marks(&word.text);
        if pieces.is_empty() {
            // A bare punctuation "word": attach its marks to the previous token.
            if let Some(t) = tokens.last_mut() {
                t.comma_after |= comma;
                if end && sentence_start.is_some() {
                    t.sentence_end = true;
                }
            }
        } else {
            if sentence_start.is_none() {
                sentence_start = Some(wi);
            }
            let n = pieces.len();
            for (pi, piece) in pieces.into_iter().enumerate() {
                let stem = stem_piece(stemmer, &piece);
                tokens.push(Token {
                    norm: piece,
                    stem,
                    word: wi,
                    sentence: sentences.len(),
                    comma_after: pi + 1 == n && comma,
                    sentence_end: pi + 1 == n && end,
                });
            }
            last_word_seen = wi;
        }
        if end && let Some(first) = sentence_start.take() {
            sentences.push(Sentence {
                first_word: first,
                last_word: wi,
            });
        }
    }
    if let Some(first) = sentence_start {
        sentences.push(Sentence {
            first_word: first,
            last_word: last_word_seen.max(first),
        });
    }
    let mut haystack = String::with_capacity(tokens.len() * 8 + 1);
    let mut offsets = Vec::with_capacity(tokens.len());
    for t in &tokens {
        offsets.push(haystack.len());
        haystack.push(' ');
        haystack.push_str(&t.stem);
    }
    haystack.push(' ');
    Tokenized {
        tokens,
        sentences,
        haystack,
        offsets,
    }
}

impl Tokenized {
    /// Token index whose leading space is at byte `offset` (exact match).
    pub fn token_at(&self, offset: usize) -> Option<usize> {
        self.offsets.binary_search(&offset).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_punctuation_numbers_and_apostrophes() {
        assert_eq!(normalise_word("Trade-offs,"), vec!["trade", "offs"]);
        assert_eq!(normalise_word("10×"), vec!["10x"]);
        assert_eq!(normalise_word("10x."), vec!["10x"]);
        assert_eq!(normalise_word("p99"), vec!["p99"]);
        assert_eq!(normalise_word("99.9%,"), vec!["99.9%"]);
        assert_eq!(normalise_word("didn’t"), vec!["didn't"]);
        assert_eq!(normalise_word("'quoted'"), vec!["quoted"]);
        assert_eq!(normalise_word("1,000"), vec!["1000"]);
        assert_eq!(normalise_word("..."), Vec::<String>::new());
    }

    #[test]
    fn tokens_map_back_to_words_and_sentences() {
        let t = Transcript::from_plain_text("Well, the trade-offs are real. E.g. cost vs. latency? Yes", None);
        let s = english_stemmer();
        let tk = tokenize(&t, &s);
        let trade = tk.tokens.iter().position(|t| t.norm == "trade").unwrap_or(usize::MAX);
        assert_eq!(tk.tokens[trade].word, 2);
        assert_eq!(tk.tokens[trade + 1].word, 2);
        assert_eq!(tk.tokens[trade + 1].stem, "off");
        assert!(tk.tokens[0].comma_after);
        assert_eq!(tk.sentences.len(), 3, "{:?}", tk.sentences);
        assert_eq!(
            tk.sentences[1],
            Sentence {
                first_word: 5,
                last_word: 8
            }
        );
        assert!(tk.haystack.contains(" trade off are real "));
    }

    #[test]
    fn segment_starts_break_sentences_without_punctuation() {
        let mut t = Transcript::from_plain_text("one two three four", Some(4.0));
        t.segments = vec![
            TimedText {
                start_s: 0.0,
                end_s: 2.0,
                text: "one two".into(),
            },
            TimedText {
                start_s: 2.0,
                end_s: 4.0,
                text: "three four".into(),
            },
        ];
        let tk = tokenize(&t, &english_stemmer());
        assert_eq!(tk.sentences.len(), 2);
        assert_eq!(tk.tokens[2].sentence, 1);
    }
}

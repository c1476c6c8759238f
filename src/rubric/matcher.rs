//! Stem-aware phrase matching over a tokenised transcript. Phrases ("trade off", "at the cost of") are
//! stemmed like the transcript and searched with one Aho-Corasick automaton per phrase list over the
//! space-separated stem sequence, so every match is token-aligned and maps back to transcript words.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, BuildError, MatchKind};
use rust_stemmers::Stemmer;

use super::text::{Tokenized, phrase_stems};
use super::{Evidence, NegationConfig};
use crate::transcript::Transcript;

/// A run of tokens, both ends inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// First token index.
    pub first: usize,
    /// Last token index (inclusive).
    pub last: usize,
}

/// A compiled list of phrases.
#[derive(Clone, Debug, Default)]
pub struct PhraseSet {
    ac: Option<AhoCorasick>,
}

impl PhraseSet {
    /// Compiles phrases; phrases that normalise to nothing are ignored (loaders reject them earlier).
    pub fn new(stemmer: &Stemmer, phrases: &[String]) -> Result<Self, BuildError> {
        let patterns: Vec<String> = phrases
            .iter()
            .map(|p| phrase_stems(stemmer, p))
            .filter(|s| !s.is_empty())
            .map(|s| format!(" {} ", s.join(" ")))
            .collect();
        if patterns.is_empty() {
            return Ok(Self { ac: None });
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)?;
        Ok(Self { ac: Some(ac) })
    }

    /// True when the set has no phrases.
    pub fn is_empty(&self) -> bool {
        self.ac.is_none()
    }

    /// All (possibly overlapping) matches, sorted and de-duplicated.
    pub fn find(&self, tk: &Tokenized) -> Vec<Span> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let mut spans: Vec<Span> = ac
            .find_overlapping_iter(&tk.haystack)
            .filter_map(|m| {
                let first = tk.token_at(m.start())?;
                // The match ends just past the trailing space, which is the next token's leading space.
                let after = tk.token_at(m.end() - 1).unwrap_or(tk.tokens.len());
                Some(Span {
                    first,
                    last: after.checked_sub(1)?,
                })
            })
            .filter(|s| s.last >= s.first)
            .collect();
        spans.sort_unstable();
        spans.dedup();
        spans
    }
}

/// Raw form of a two-part pattern (defined with the decks, which hold them too).
pub use crate::bank::PatternDef;

/// A compiled two-part pattern: a `first` phrase followed closely by a `then` phrase, same sentence.
#[derive(Clone, Debug)]
pub struct Pattern {
    first: PhraseSet,
    then: PhraseSet,
    window: usize,
    any_order: bool,
    not_after: Vec<String>,
}

impl Pattern {
    /// Compiles a pattern definition.
    pub fn new(stemmer: &Stemmer, def: &PatternDef) -> Result<Self, BuildError> {
        Ok(Self {
            first: PhraseSet::new(stemmer, &def.first)?,
            then: PhraseSet::new(stemmer, &def.then)?,
            window: def.window,
            any_order: def.any_order,
            not_after: def.not_after.iter().map(|w| w.to_lowercase()).collect(),
        })
    }

    /// Spans covering both parts, one per `first` match (nearest partner).
    pub fn find(&self, tk: &Tokenized) -> Vec<Span> {
        let firsts = self.first.find(tk);
        if firsts.is_empty() {
            return Vec::new();
        }
        let thens = self.then.find(tk);
        let mut out = Vec::new();
        for a in firsts {
            if a.first > 0 && self.not_after.iter().any(|w| *w == tk.tokens[a.first - 1].norm) {
                continue;
            }
            let sentence = tk.tokens[a.first].sentence;
            let partner = thens
                .iter()
                .filter(|b| tk.tokens[b.first].sentence == sentence)
                .filter(|b| {
                    (b.first > a.last && b.first - a.last - 1 <= self.window)
                        || (self.any_order && b.last < a.first && a.first - b.last - 1 <= self.window)
                })
                .min_by_key(|b| {
                    if b.first > a.last {
                        b.first - a.last
                    } else {
                        a.first - b.last
                    }
                });
            if let Some(b) = partner {
                out.push(Span {
                    first: a.first.min(b.first),
                    last: a.last.max(b.last),
                });
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Phrases plus patterns: the usual "what counts" description of a signal, point or mistake.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    phrases: PhraseSet,
    patterns: Vec<Pattern>,
}

impl Matcher {
    /// Compiles phrases and pattern definitions.
    pub fn new(stemmer: &Stemmer, phrases: &[String], patterns: &[PatternDef]) -> Result<Self, BuildError> {
        Ok(Self {
            phrases: PhraseSet::new(stemmer, phrases)?,
            patterns: patterns
                .iter()
                .map(|p| Pattern::new(stemmer, p))
                .collect::<Result<_, _>>()?,
        })
    }

    /// All matches, negated or not, sorted by position.
    pub fn find_all(&self, tk: &Tokenized) -> Vec<Span> {
        let mut spans = self.phrases.find(tk);
        for p in &self.patterns {
            spans.extend(p.find(tk));
        }
        spans.sort_unstable();
        spans.dedup();
        spans
    }

    /// All matches that are not negated, sorted by position.
    pub fn find_affirmed(&self, tk: &Tokenized, negation: &NegationConfig) -> Vec<Span> {
        let mut spans = self.phrases.find(tk);
        for p in &self.patterns {
            spans.extend(p.find(tk));
        }
        spans.retain(|s| !is_negated(tk, *s, negation));
        spans.sort_unstable();
        spans.dedup();
        spans
    }
}

/// True when a negation cue stands a few tokens before `span` in the same clause
/// ("I didn't consider trade-offs", "no trade-offs here", "I won't talk about edge cases").
///
/// Walking back from the match: filler tokens are skipped and not counted; the walk stops at a sentence
/// boundary, at a contrast word ("but", "however"), or at a comma that closes an earlier clause. A comma
/// after a negation cue does not stop it ("I didn't, um, consider…"), except after a bare "no," which is an
/// interjection ("No, the trade-off is…").
pub fn is_negated(tk: &Tokenized, span: Span, cfg: &NegationConfig) -> bool {
    let sentence = tk.tokens[span.first].sentence;
    let mut counted = 0usize;
    let mut j = span.first;
    while j > 0 && counted < cfg.window {
        j -= 1;
        let t = &tk.tokens[j];
        if t.sentence != sentence || t.sentence_end {
            return false;
        }
        let norm = t.norm.as_str();
        if cfg.skip.iter().any(|s| s == norm) {
            continue;
        }
        let is_cue = cfg.cues.iter().any(|c| c == norm);
        if t.comma_after {
            return is_cue && norm != "no";
        }
        if is_cue {
            return true;
        }
        if cfg.breakers.iter().any(|b| b == norm) {
            return false;
        }
        counted += 1;
    }
    false
}

/// Builds the evidence for a span: the matched words as spoken, their times, and the sentence around them.
pub fn evidence(transcript: &Transcript, tk: &Tokenized, span: Span) -> Evidence {
    let first_word = tk.tokens[span.first].word;
    let last_word = tk.tokens[span.last].word;
    let words = &transcript.words;
    let text = join_words(transcript, first_word, last_word);
    let s_first = tk.sentences[tk.tokens[span.first].sentence].first_word;
    let s_last = tk.sentences[tk.tokens[span.last].sentence].last_word;
    // Keep long run-on sentences readable: at most 15 words either side of the match.
    let from = s_first.max(first_word.saturating_sub(15));
    let to = s_last.min(last_word + 15);
    let mut sentence = transcript.words[from..=to]
        .iter()
        .map(|w| w.text.trim())
        .collect::<Vec<_>>()
        .join(" ");
    if from > s_first {
        sentence.insert_str(0, "… ");
    }
    if to < s_last {
        sentence.push_str(" …");
    }
    Evidence {
        text,
        start_s: words[first_word].start_s,
        end_s: words[last_word].end_s,
        sentence: Some(sentence),
        why: None,
    }
}

fn join_words(transcript: &Transcript, from: usize, to: usize) -> String {
    let joined = transcript.words[from..=to]
        .iter()
        .map(|w| w.text.trim())
        .collect::<Vec<_>>()
        .join(" ");
    joined
        .trim_matches(|c: char| {
            !(c.is_alphanumeric() || c == '%' || c == '\u{d7}' || c == '\'' || c == '"' || c == '`')
        })
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::super::text::{english_stemmer, tokenize};
    use super::*;

    fn neg() -> NegationConfig {
        NegationConfig {
            window: 5,
            cues: ["not", "no", "didn't", "won't", "never", "without"]
                .map(String::from)
                .to_vec(),
            breakers: ["but", "however"].map(String::from).to_vec(),
            skip: ["um", "uh"].map(String::from).to_vec(),
        }
    }

    fn find(phrases: &[&str], text: &str) -> Vec<String> {
        let s = english_stemmer();
        let m = Matcher::new(&s, &phrases.iter().map(|p| p.to_string()).collect::<Vec<_>>(), &[]).expect("build");
        let t = Transcript::from_plain_text(text, None);
        let tk = tokenize(&t, &s);
        m.find_affirmed(&tk, &neg())
            .into_iter()
            .map(|sp| evidence(&t, &tk, sp).text)
            .collect()
    }

    #[test]
    fn stems_and_hyphens_match_phrase_variants() {
        let p = ["trade off", "tradeoff"];
        assert_eq!(find(&p, "The trade-offs, honestly, matter."), vec!["trade-offs"]);
        assert_eq!(find(&p, "We traded off latency for cost."), vec!["traded off"]);
        assert_eq!(find(&p, "Tradeoffs everywhere."), vec!["Tradeoffs"]);
        assert!(find(&p, "I traded cards with my brother. Off we went").is_empty());
    }

    #[test]
    fn negation_within_clause_blocks_match() {
        let p = ["trade off", "edge case"];
        assert!(find(&p, "I didn't consider trade-offs.").is_empty());
        assert!(find(&p, "There are no trade-offs here.").is_empty());
        assert!(find(&p, "I won't talk about edge cases today.").is_empty());
        assert!(find(&p, "I didn't, um, consider trade-offs.").is_empty());
        assert_eq!(find(&p, "No, the trade-off is latency.").len(), 1);
        assert_eq!(find(&p, "It is not cheap, but the trade-off is fine.").len(), 1);
        assert_eq!(find(&p, "It is not cheap. The trade-off is fine.").len(), 1);
    }

    #[test]
    fn patterns_need_both_parts_close_together() {
        let s = english_stemmer();
        let def = PatternDef {
            first: vec!["break".into()],
            then: vec!["when".into(), "if".into()],
            window: 2,
            any_order: false,
            not_after: vec!["a".into()],
        };
        let m = Matcher::new(&s, &[], &[def]).expect("build");
        let hit = |text: &str| {
            let t = Transcript::from_plain_text(text, None);
            m.find_affirmed(&tokenize(&t, &s), &neg()).len()
        };
        assert_eq!(hit("This breaks down when events arrive late."), 1);
        assert_eq!(hit("Let's take a break. When we come back we talk."), 0);
        assert_eq!(hit("We took a break when the pizza came."), 0);
        assert_eq!(hit("We took a break and then talked for a long time when done"), 0);
    }

    #[test]
    fn evidence_carries_times_and_sentence() {
        let s = english_stemmer();
        let m = Matcher::new(&s, &["p99 latency".to_string()], &[]).expect("build");
        let t = Transcript::from_plain_text("First point. We track p99 latency, always. Done.", Some(8.0));
        let tk = tokenize(&t, &s);
        let spans = m.find_affirmed(&tk, &neg());
        assert_eq!(spans.len(), 1);
        let ev = evidence(&t, &tk, spans[0]);
        assert_eq!(ev.text, "p99 latency");
        assert!(
            (ev.start_s - 4.0).abs() < 1e-9 && (ev.end_s - 6.0).abs() < 1e-9,
            "{ev:?}"
        );
        assert_eq!(ev.sentence.as_deref(), Some("We track p99 latency, always."));
    }
}

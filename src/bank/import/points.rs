//! Content points and mistake phrases from the guide's own words: a hint ("Pair a correctness metric with a
//! latency metric and a cost metric") becomes one point per thing it lists, each with phrases the phrase
//! rubric can match; a common mistake becomes the phrases that say it.

use std::collections::{HashMap, HashSet};

use crate::bank::ContentPoint;

/// Words that carry no content on their own.
pub(super) const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "alone",
    "also",
    "an",
    "and",
    "any",
    "are",
    "around",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "don't",
    "down",
    "during",
    "each",
    "enough",
    "every",
    "few",
    "for",
    "from",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "isn't",
    "it",
    "it's",
    "its",
    "just",
    "less",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "three",
    "through",
    "to",
    "too",
    "two",
    "under",
    "until",
    "up",
    "usually",
    "very",
    "was",
    "we",
    "were",
    "what",
    "what's",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "you'd",
    "you're",
    "your",
    "e",
    "g",
    "ie",
    "eg",
    "etc",
    "really",
    "often",
    "always",
    "never",
    "quite",
    "rather",
    "well",
    "way",
    "thing",
    "things",
    "something",
    "get",
    "got",
    "make",
    "use",
    "using",
    "used",
    "pair",
    "pick",
    "let",
    "lets",
    "want",
    "need",
    "needs",
    "able",
    "i'd",
    "we'd",
    "week",
    "day",
    "days",
    "x",
    "directly",
    "quickly",
    "clearly",
    "first",
    "next",
    "last",
    "new",
    "good",
];

/// Words that introduce a mistake rather than name it.
const MISTAKE_VERBS: &[&str] = &[
    "skipping",
    "forgetting",
    "ignoring",
    "missing",
    "neglecting",
    "overlooking",
    "assuming",
    "confusing",
    "treating",
    "using",
    "not",
    "no",
    "over",
    "under",
    "relying",
    "rushing",
    "jumping",
];

const NEGATIONS: &[&str] = &["not", "don't", "never", "no", "without", "isn't", "aren't", "avoid"];

/// The content words of a fragment, in order, with whether each follows the previous one directly (only
/// stopwords between them break adjacency); words after a negation ("don't guess", "not the taxonomy")
/// are not what a strong answer says and are left out.
fn content_words(fragment: &str, topic: &HashSet<String>, extra_stop: &[&str]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut adjacent = false;
    let mut negated = false;
    for raw in fragment.split_whitespace() {
        let w = raw
            .trim_matches(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
            .replace('\u{2019}', "'")
            .to_lowercase();
        let breaks = raw.ends_with([',', ';', ':', '.']);
        if NEGATIONS.contains(&w.as_str()) {
            negated = true;
            adjacent = false;
            continue;
        }
        let keep = !w.is_empty()
            && w.chars().any(char::is_alphabetic)
            && w.chars().count() >= 2
            && !STOPWORDS.contains(&w.as_str())
            && !extra_stop.contains(&w.as_str())
            && !topic.contains(&w)
            && !w.split('-').all(|p| STOPWORDS.contains(&p) || topic.contains(p));
        if keep && !negated {
            out.push((w, adjacent));
            adjacent = true;
        } else {
            adjacent = false;
        }
        if breaks {
            negated = false;
            adjacent = false;
        }
    }
    out
}

/// Splits a hint into the fragments that become content points.
fn hint_fragments(hint: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in sentences(hint) {
        for clause in sentence.split([';', '—', '–']) {
            // "Write a one-page runbook: what it does, how to observe, how to rollback."
            let mut parts: Vec<&str> = Vec::new();
            match clause.split_once(": ") {
                Some((lead, rest)) if lead.split_whitespace().count() > 2 => {
                    parts.push(lead);
                    parts.push(rest);
                }
                Some((_, rest)) => parts.push(rest),
                None => parts.push(clause),
            }
            for part in parts {
                for piece in split_list(part) {
                    for p in split_conjunctions(&piece) {
                        let p = tidy_fragment(&p);
                        if !p.is_empty() && !p.to_lowercase().starts_with("e.g") && !p.to_lowercase().starts_with("i.e")
                        {
                            out.push(p);
                        }
                    }
                }
            }
        }
        // The first sentence is the advice; later ones only when it gave fewer than two points.
        if out.len() >= 2 {
            break;
        }
    }
    out
}

/// Sentences, not breaking at "e.g." or decimal points.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        if matches!(c, '.' | '?' | '!') {
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            let abbreviation = cur.to_lowercase().ends_with("e.g.") || cur.to_lowercase().ends_with("i.e.");
            if !abbreviation
                && next.is_none_or(char::is_whitespace)
                && after.is_none_or(|a| a.is_uppercase() || a.is_ascii_digit() || a == '"')
            {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// "a performance twist, a correctness corner-case, and a …" → three; "a recent, relatable case" → one.
fn split_list(part: &str) -> Vec<String> {
    let pieces: Vec<&str> = part.split(", ").collect();
    let enumeration =
        pieces.len() >= 3 || part.contains(", and ") || part.contains(", or ") || part.contains(", then ");
    if enumeration {
        pieces.into_iter().map(str::to_string).collect()
    } else {
        vec![part.to_string()]
    }
}

/// "a correctness metric with a latency metric and a cost metric" → three; " + " always splits.
fn split_conjunctions(piece: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in piece.split(" + ") {
        let and_parts: Vec<&str> = p.split(" and ").collect();
        if and_parts.len() > 1
            && let Some((lead, with)) = and_parts[0].split_once(" with ")
        {
            out.push(lead.to_string());
            out.push(with.to_string());
            out.extend(and_parts[1..].iter().map(|s| (*s).to_string()));
        } else {
            out.extend(and_parts.iter().map(|s| (*s).to_string()));
        }
    }
    out
}

/// Trims connectives and a leading "Pair"-like verb before an article, and a trailing "on <topic>".
fn tidy_fragment(fragment: &str) -> String {
    let mut t = fragment
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':'));
    for lead in ["and ", "or ", "then ", "but ", "so ", "plus "] {
        if t.len() > lead.len() && t.is_char_boundary(lead.len()) && t[..lead.len()].eq_ignore_ascii_case(lead) {
            t = t[lead.len()..].trim_start();
        }
    }
    let mut ws = t.split_whitespace();
    if let (Some(first), Some(second)) = (ws.next(), ws.next())
        && ["pair", "use", "pick", "combine", "add"].contains(&first.to_lowercase().as_str())
        && ["a", "an", "the"].contains(&second.to_lowercase().as_str())
    {
        t = t[first.len()..].trim_start();
    }
    crate::transcript::capitalised(t)
}

/// The content points of a hint: one per fragment that has words of its own to listen for.
pub(super) fn content_points(hint: &str, topic: &HashSet<String>) -> Vec<ContentPoint> {
    let fragments: Vec<(String, Vec<(String, bool)>)> = hint_fragments(hint)
        .into_iter()
        .map(|f| {
            let cw = content_words(&f, topic, &[]);
            (f, cw)
        })
        .filter(|(_, cw)| !cw.is_empty())
        .take(5)
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (_, cw) in &fragments {
        let unique: HashSet<&str> = cw.iter().map(|(w, _)| w.as_str()).collect();
        for w in unique {
            *df.entry(w).or_default() += 1;
        }
    }
    let mut points = Vec::new();
    for (label, cw) in &fragments {
        let phrases = phrases_from(cw, |w| df.get(w).copied().unwrap_or(0) <= 1);
        if !phrases.is_empty() {
            points.push(ContentPoint {
                point: label.clone(),
                phrases,
                patterns: Vec::new(),
            });
        }
    }
    points
}

/// Phrases from content words: each run of adjacent words (up to four), each adjacent pair, and each word
/// that `alone_ok` allows on its own.
fn phrases_from(cw: &[(String, bool)], alone_ok: impl Fn(&str) -> bool) -> Vec<String> {
    let mut phrases: Vec<String> = Vec::new();
    let mut push = |p: String| {
        if !phrases.contains(&p) {
            phrases.push(p);
        }
    };
    // Runs of adjacent words.
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for (w, adjacent) in cw {
        match runs.last_mut() {
            Some(run) if *adjacent => run.push(w),
            _ => runs.push(vec![w]),
        }
    }
    for run in &runs {
        if (2..=4).contains(&run.len()) {
            push(run.join(" "));
        }
        for pair in run.windows(2) {
            push(pair.join(" "));
        }
    }
    for (w, _) in cw {
        if alone_ok(w) && (w.chars().count() >= 4 || w.chars().any(|c| c.is_ascii_digit())) {
            push(w.clone());
        }
    }
    phrases.truncate(10);
    phrases
}

/// Phrases that show an answer addresses a mistake: the words that name it ("Skipping schema evolution —
/// …" → "schema evolution", "schema", "evolution") and the word pairs of its explanation.
pub(super) fn mistake_phrases(mistake: &str, topic: &HashSet<String>) -> Vec<String> {
    let (head, tail) = mistake
        .split_once(" — ")
        .or_else(|| mistake.split_once(" – "))
        .or_else(|| mistake.split_once(" - "))
        .or_else(|| mistake.split_once(": "))
        .unwrap_or((mistake, ""));
    let head_words = content_words(head, topic, MISTAKE_VERBS);
    let mut phrases = phrases_from(&head_words, |_| true);
    let tail_words = content_words(tail, topic, &[]);
    for p in phrases_from(&tail_words, |_| false) {
        if !phrases.contains(&p) && p.contains(' ') {
            phrases.push(p);
        }
    }
    if phrases.is_empty() {
        phrases = phrases_from(&content_words(mistake, topic, &[]), |_| true);
    }
    phrases.truncate(12);
    phrases
}

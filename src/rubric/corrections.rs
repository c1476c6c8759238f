//! Corrections by the person. The rubric can be wrong about an answer, and the person who gave it knows
//! best: in Review they can mark any sentence as covering a cell ("this is my boundary") or reject a piece
//! of evidence ("doesn't count"). A correction is kept twice: with the attempt (`attempt.json`,
//! [`Correction`]), where it decides that answer's cells, and as a *personal exemplar*
//! (`<data>/rubric/corrections.json`, [`PersonalExemplar`], kept by `crate::store::corrections`) that decides
//! the same sentence in future answers — said again in nearly the same words (cosine ≥ [`MATCH_COSINE`] between sentence embeddings) or, without
//! the embedding model, word for word ([`normalise`]).
//!
//! The decisions here are pure: [`decide`] takes sentences, vectors (when there are any) and the
//! corrections, and says which sentence counts or does not for which cell; [`apply`] turns that into cell
//! results. A rejected sentence is taken out and the cell decided again *as if it had not been said*
//! (the caller's `rescore`), so the cell stays covered only when something else in the answer covers it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::text::{english_stemmer, tokenize};
use super::{CellResult, Evidence};
use crate::transcript::Transcript;

/// A new sentence is decided by a personal exemplar when their embeddings' cosine reaches this. Measured
/// with all-MiniLM-L6-v2 (`tests/corrections.rs` checks the pairs with the real model): the same sentence as
/// Whisper may give it again — a filler, punctuation, "per" for "a", a dropped "the" — scores 0.96–0.99;
/// different sentences making the same kind of point score 0.21–0.61, the opposite claim on the same topic
/// 0.81, and one content word changed ("writer" → "database") 0.76. A correction is the person's word on
/// one thing they said, so the bar sits above all of those: the same sentence, said again.
pub const MATCH_COSINE: f32 = 0.9;

/// What the person said about a sentence and a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The sentence covers the cell.
    Counts,
    /// The sentence does not cover the cell, whatever the rubric thinks.
    DoesNotCount,
}

impl Verdict {
    /// For people: "counts" or "doesn't count".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counts => "counts",
            Self::DoesNotCount => "doesn't count",
        }
    }
}

/// A correction of one attempt, kept in its `attempt.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// Rubric cell id.
    pub cell: String,
    /// Counts or doesn't.
    pub verdict: Verdict,
    /// The sentence, as transcribed.
    pub sentence: String,
    /// Start of its first word, seconds.
    pub start_s: f64,
    /// End of its last word, seconds.
    pub end_s: f64,
}

/// A correction kept for future answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonalExemplar {
    /// Rubric cell id.
    pub cell: String,
    /// Counts or doesn't.
    pub verdict: Verdict,
    /// The sentence.
    pub text: String,
    /// The attempt it was made on.
    #[serde(default)]
    pub attempt_id: String,
    /// That attempt's question.
    #[serde(default)]
    pub question_id: String,
    /// When the person made it.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Its sentence embedding scaled by 127 (as the head's exemplars); empty when it was made without the
    /// model, and then computed when scoring.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vector: Vec<i8>,
}

/// Lowercase words of letters and digits, single-spaced: how two sentences are compared without the model.
pub fn normalise(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Adds `c` to an attempt's corrections, replacing one for the same cell and sentence (the latest word wins).
pub fn upsert_correction(list: &mut Vec<Correction>, c: Correction) {
    let key = normalise(&c.sentence);
    list.retain(|o| !(o.cell == c.cell && normalise(&o.sentence) == key));
    list.push(c);
}

/// Adds `e` to the personal exemplars, replacing one for the same cell and sentence.
pub fn upsert_exemplar(list: &mut Vec<PersonalExemplar>, e: PersonalExemplar) {
    let key = normalise(&e.text);
    list.retain(|o| !(o.cell == e.cell && normalise(&o.text) == key));
    list.push(e);
}

/// A unit vector scaled by 127 and rounded.
pub fn quantise(v: &[f32]) -> Vec<i8> {
    v.iter()
        .map(|x| (x * 127.0).round().clamp(-127.0, 127.0) as i8)
        .collect()
}

/// The inverse of [`quantise`], renormalised.
pub fn dequantise(v: &[i8]) -> Vec<f32> {
    let mut out: Vec<f32> = v.iter().map(|x| f32::from(*x) / 127.0).collect();
    let n = out.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        out.iter_mut().for_each(|x| *x /= n);
    }
    out
}

/// One sentence of an answer, as the person selects it.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceSpan {
    /// First word (index into `Transcript::words`).
    pub first_word: usize,
    /// Last word, inclusive.
    pub last_word: usize,
    /// The words as transcribed, joined.
    pub text: String,
    /// Start of the first word, seconds.
    pub start_s: f64,
    /// End of the last word, seconds.
    pub end_s: f64,
}

/// The answer's sentences, as the rubric splits them.
pub fn sentences(transcript: &Transcript) -> Vec<SentenceSpan> {
    let tk = tokenize(transcript, &english_stemmer());
    tk.sentences
        .iter()
        .filter(|s| s.last_word < transcript.words.len() && s.first_word <= s.last_word)
        .map(|s| SentenceSpan {
            first_word: s.first_word,
            last_word: s.last_word,
            text: transcript.words[s.first_word..=s.last_word]
                .iter()
                .map(|w| w.text.trim())
                .collect::<Vec<_>>()
                .join(" "),
            start_s: transcript.words[s.first_word].start_s,
            end_s: transcript.words[s.last_word].end_s,
        })
        .collect()
}

/// The sentence holding the moment `t` (the one a piece of evidence starting at `t` is in).
pub fn sentence_at(sentences: &[SentenceSpan], t: f64) -> Option<usize> {
    sentences
        .iter()
        .position(|s| starts_in(s, t))
        .or_else(|| sentences.iter().rposition(|s| s.start_s <= t + 1e-6))
}

/// `t` is in the sentence: at its start, or after it and before its end (a sentence's end is often the
/// next one's start).
fn starts_in(s: &SentenceSpan, t: f64) -> bool {
    (t - s.start_s).abs() < 1e-6 || (t > s.start_s && t < s.end_s - 1e-6)
}

/// Who decided a sentence.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The person's correction of this attempt.
    Own,
    /// A personal exemplar (index into the list given to [`decide`]) and how close it is (1 for the same words).
    Personal {
        /// Index of the exemplar.
        exemplar: usize,
        /// Cosine with it (1.0 for the same words).
        cosine: f32,
    },
}

/// A sentence whose verdict for a cell the person decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Index into the sentences.
    pub sentence: usize,
    /// Rubric cell id.
    pub cell: String,
    /// Counts or doesn't.
    pub verdict: Verdict,
    /// Which correction decided it.
    pub source: Source,
    /// For people, shown with the evidence.
    pub why: String,
}

/// Which sentences the person's corrections decide, and how. An attempt's own corrections match their
/// sentence word for word and win over personal exemplars; a personal exemplar matches word for word, or,
/// when both vectors are given, by cosine ≥ `threshold` (the closest one wins, the newest on a tie).
/// `sentence_vectors[i]` belongs to `sentences[i]`; `exemplar_vectors[j]` to `personal[j]` (`None`: compare
/// words only).
pub fn decide(
    sentences: &[SentenceSpan],
    sentence_vectors: Option<&[Vec<f32>]>,
    own: &[Correction],
    personal: &[PersonalExemplar],
    exemplar_vectors: &[Option<Vec<f32>>],
    threshold: f32,
) -> Vec<Decision> {
    let mut out: Vec<Decision> = Vec::new();
    for (si, s) in sentences.iter().enumerate() {
        let key = normalise(&s.text);
        if key.is_empty() {
            continue;
        }
        for c in own.iter().rev().filter(|c| normalise(&c.sentence) == key) {
            if out.iter().any(|d| d.sentence == si && d.cell == c.cell) {
                continue;
            }
            out.push(Decision {
                sentence: si,
                cell: c.cell.clone(),
                verdict: c.verdict,
                source: Source::Own,
                why: match c.verdict {
                    Verdict::Counts => "you marked this as counting".into(),
                    Verdict::DoesNotCount => "you said this doesn't count".into(),
                },
            });
        }
        let vector = sentence_vectors.and_then(|v| v.get(si));
        let mut best: Vec<(String, usize, f32)> = Vec::new();
        for (ei, e) in personal.iter().enumerate() {
            if out.iter().any(|d| d.sentence == si && d.cell == e.cell) {
                continue;
            }
            let cosine = if normalise(&e.text) == key {
                1.0
            } else {
                match (vector, exemplar_vectors.get(ei).and_then(Option::as_ref)) {
                    (Some(a), Some(b)) if a.len() == b.len() => a.iter().zip(b).map(|(x, y)| x * y).sum(),
                    _ => continue,
                }
            };
            if cosine < threshold {
                continue;
            }
            match best.iter_mut().find(|b| b.0 == e.cell) {
                Some(b) if cosine >= b.2 => *b = (e.cell.clone(), ei, cosine),
                Some(_) => {}
                None => best.push((e.cell.clone(), ei, cosine)),
            }
        }
        for (cell, ei, cosine) in best {
            let e = &personal[ei];
            let said = if cosine >= 0.9999 {
                "you said".to_string()
            } else {
                format!("like \u{201c}{}\u{201d}, which you said", e.text)
            };
            out.push(Decision {
                sentence: si,
                cell,
                verdict: e.verdict,
                source: Source::Personal { exemplar: ei, cosine },
                why: match e.verdict {
                    Verdict::Counts => format!("{said} counts (your correction)"),
                    Verdict::DoesNotCount => format!("{said} doesn't count (your correction)"),
                },
            });
        }
    }
    out
}

/// A copy of `transcript` without the words of the sentences `drop` (indices into `sentences`).
pub fn without_sentences(transcript: &Transcript, sentences: &[SentenceSpan], drop: &[usize]) -> Transcript {
    let gone = |wi: usize| {
        drop.iter()
            .filter_map(|&i| sentences.get(i))
            .any(|s| wi >= s.first_word && wi <= s.last_word)
    };
    let words: Vec<_> = transcript
        .words
        .iter()
        .enumerate()
        .filter(|(i, _)| !gone(*i))
        .map(|(_, w)| w.clone())
        .collect();
    Transcript {
        text: words.iter().map(|w| w.text.trim()).collect::<Vec<_>>().join(" "),
        duration_s: transcript.duration_s,
        segments: transcript.segments.clone(),
        words,
    }
}

/// Applies `decisions` to an answer's cells. For each cell with sentences that don't count, `rescore(cell,
/// dropped sentences)` decides it again without them (returning `None` leaves the cell uncovered with no
/// evidence). Then each sentence that counts is added as evidence and its cell is covered, with a score of
/// at least `threshold(cell)`.
pub fn apply(
    cells: &mut [CellResult],
    sentences: &[SentenceSpan],
    decisions: &[Decision],
    threshold: impl Fn(&str) -> f64,
    mut rescore: impl FnMut(&str, &[usize]) -> Option<CellResult>,
) {
    for cell in cells.iter_mut() {
        let dropped: Vec<usize> = decisions
            .iter()
            .filter(|d| d.cell == cell.cell && d.verdict == Verdict::DoesNotCount)
            .map(|d| d.sentence)
            .collect();
        if dropped.is_empty() {
            continue;
        }
        *cell = rescore(&cell.cell, &dropped).unwrap_or_else(|| CellResult {
            cell: cell.cell.clone(),
            covered: false,
            score: 0.0,
            evidence: Vec::new(),
        });
        // Evidence is about sentences that were said: keep none from a dropped one.
        cell.evidence.retain(|e| {
            !dropped
                .iter()
                .filter_map(|&i| sentences.get(i))
                .any(|s| starts_in(s, e.start_s) && e.sentence.is_some())
        });
    }
    for d in decisions.iter().filter(|d| d.verdict == Verdict::Counts) {
        let (Some(cell), Some(s)) = (cells.iter_mut().find(|c| c.cell == d.cell), sentences.get(d.sentence)) else {
            continue;
        };
        cell.evidence
            .retain(|e| !(starts_in(s, e.start_s) && e.sentence.is_some()));
        cell.evidence.push(Evidence {
            text: s.text.clone(),
            start_s: s.start_s,
            end_s: s.end_s,
            sentence: Some(s.text.clone()),
            why: Some(d.why.clone()),
        });
        cell.evidence.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        cell.covered = true;
        cell.score = cell.score.max(threshold(&cell.cell)).min(1.0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    fn answer() -> Transcript {
        Transcript::from_plain_text(
            "We batch the events hourly. Trade-offs, there are always trade-offs. It stops working once the \
             data arrives late.",
            Some(12.0),
        )
    }

    fn correction(cell: &str, verdict: Verdict, sentence: &str) -> Correction {
        Correction {
            cell: cell.into(),
            verdict,
            sentence: sentence.into(),
            start_s: 0.0,
            end_s: 1.0,
        }
    }

    /// A saved exemplar for tests (also the store's).
    pub(crate) fn exemplar(cell: &str, verdict: Verdict, text: &str, vector: Vec<i8>) -> PersonalExemplar {
        PersonalExemplar {
            cell: cell.into(),
            verdict,
            text: text.into(),
            attempt_id: "a1".into(),
            question_id: "q".into(),
            created: time::macros::datetime!(2026-11-26 06:00 UTC),
            vector,
        }
    }

    fn cell(id: &str, covered: bool, evidence: &[(f64, &str)]) -> CellResult {
        CellResult {
            cell: id.into(),
            covered,
            score: if covered { 1.0 } else { 0.0 },
            evidence: evidence
                .iter()
                .map(|&(t, s)| Evidence {
                    text: s.into(),
                    start_s: t,
                    end_s: t + 1.0,
                    sentence: Some(s.into()),
                    why: None,
                })
                .collect(),
        }
    }

    #[test]
    fn sentences_carry_their_words_and_times() {
        let s = sentences(&answer());
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].text, "Trade-offs, there are always trade-offs.");
        assert!(s[0].end_s <= s[1].start_s + 1e-9 && s[2].end_s <= 12.0 + 1e-9);
        assert_eq!(sentence_at(&s, s[2].start_s + 0.01), Some(2));
        // A sentence ends where the next begins: that moment is the next one's.
        assert_eq!(s[0].end_s, s[1].start_s);
        assert_eq!(sentence_at(&s, s[1].start_s), Some(1));
        assert_eq!(sentence_at(&s, 0.0), Some(0));
    }

    #[test]
    fn own_corrections_match_their_sentence_word_for_word_and_the_latest_wins() {
        let s = sentences(&answer());
        let mut own = Vec::new();
        upsert_correction(
            &mut own,
            correction(
                "boundaries",
                Verdict::DoesNotCount,
                "it stops working once the data arrives late",
            ),
        );
        upsert_correction(
            &mut own,
            correction(
                "boundaries",
                Verdict::Counts,
                "It stops working once the data arrives late.",
            ),
        );
        assert_eq!(own.len(), 1, "same cell and sentence: replaced");
        let d = decide(&s, None, &own, &[], &[], MATCH_COSINE);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].sentence, d[0].verdict, d[0].source.clone()),
            (2, Verdict::Counts, Source::Own)
        );
    }

    #[test]
    fn personal_exemplars_match_by_cosine_above_the_threshold_or_by_words() {
        let s = sentences(&answer());
        // Three sentences, 2-d vectors: the last one is close to the exemplar, the first is not.
        let vs = vec![vec![0.0, 1.0], vec![0.6, 0.8], vec![0.96, 0.28]];
        let personal = vec![
            exemplar(
                "boundaries",
                Verdict::Counts,
                "it breaks when the data is late",
                vec![127, 0],
            ),
            exemplar(
                "trade-offs",
                Verdict::DoesNotCount,
                "Trade-offs; there are ALWAYS trade-offs",
                vec![],
            ),
        ];
        let pv: Vec<Option<Vec<f32>>> = personal
            .iter()
            .map(|e| (!e.vector.is_empty()).then(|| dequantise(&e.vector)))
            .collect();
        let d = decide(&s, Some(&vs), &[], &personal, &pv, 0.9);
        let got: Vec<(usize, &str, Verdict)> = d.iter().map(|d| (d.sentence, d.cell.as_str(), d.verdict)).collect();
        assert_eq!(
            got,
            [
                (1, "trade-offs", Verdict::DoesNotCount),
                (2, "boundaries", Verdict::Counts)
            ]
        );
        assert!(d[1].why.contains("it breaks when the data is late"), "{}", d[1].why);
        assert!(matches!(d[1].source, Source::Personal { exemplar: 0, cosine } if (cosine - 0.96).abs() < 1e-3));
        // Just below the threshold: no match. Without vectors: only the words decide.
        assert_eq!(decide(&s, Some(&vs), &[], &personal, &pv, 0.97).len(), 1);
        let words_only = decide(&s, None, &[], &personal, &pv, 0.9);
        assert_eq!(words_only.len(), 1);
        assert_eq!(words_only[0].cell, "trade-offs");
        // The attempt's own correction wins over a personal exemplar for the same sentence and cell.
        let own = [correction(
            "trade-offs",
            Verdict::Counts,
            "Trade-offs, there are always trade-offs.",
        )];
        let d = decide(&s, Some(&vs), &own, &personal, &pv, 0.9);
        let t = d.iter().find(|d| d.cell == "trade-offs").unwrap();
        assert_eq!((t.verdict, t.source.clone()), (Verdict::Counts, Source::Own));
    }

    #[test]
    fn marking_a_sentence_covers_its_cell_with_that_sentence_as_evidence() {
        let s = sentences(&answer());
        let mut cells = vec![cell("boundaries", false, &[]), cell("trade-offs", false, &[])];
        cells[0].score = 0.2;
        let own = [correction("boundaries", Verdict::Counts, &s[2].text)];
        let d = decide(&s, None, &own, &[], &[], MATCH_COSINE);
        apply(&mut cells, &s, &d, |_| 1.0, |_, _| panic!("nothing rejected"));
        let b = &cells[0];
        assert!(b.covered);
        assert_eq!(b.score, 1.0);
        assert_eq!(b.evidence.len(), 1);
        assert_eq!(b.evidence[0].text, s[2].text);
        assert_eq!(b.evidence[0].start_s, s[2].start_s);
        assert_eq!(b.evidence[0].why.as_deref(), Some("you marked this as counting"));
        assert!(!cells[1].covered, "other cells untouched");
    }

    #[test]
    fn rejecting_evidence_decides_the_cell_again_without_that_sentence() {
        let s = sentences(&answer());
        let stuffed = (s[1].start_s, s[1].text.as_str());
        let own = [correction("trade-offs", Verdict::DoesNotCount, &s[1].text)];
        let d = decide(&s, None, &own, &[], &[], MATCH_COSINE);
        // The only evidence was the rejected sentence: rescoring without it finds nothing.
        let mut cells = vec![cell("trade-offs", true, &[stuffed])];
        let mut asked = Vec::new();
        apply(
            &mut cells,
            &s,
            &d,
            |_| 0.5,
            |c, dropped| {
                asked.push((c.to_string(), dropped.to_vec()));
                Some(cell(c, false, &[]))
            },
        );
        assert_eq!(asked, [("trade-offs".to_string(), vec![1])]);
        assert!(!cells[0].covered && cells[0].evidence.is_empty());
        // Another sentence still covers it: the rescored cell stays covered with that evidence only.
        let other = (s[0].start_s, s[0].text.as_str());
        let mut cells = vec![cell("trade-offs", true, &[other, stuffed])];
        apply(&mut cells, &s, &d, |_| 0.5, |c, _| Some(cell(c, true, &[other])));
        assert!(cells[0].covered);
        assert_eq!(cells[0].evidence.len(), 1);
        assert_eq!(cells[0].evidence[0].text, s[0].text);
        // A rescore that still quotes the dropped sentence (e.g. a neighbour's window) loses that quote.
        let mut cells = vec![cell("trade-offs", true, &[stuffed])];
        apply(&mut cells, &s, &d, |_| 0.5, |c, _| Some(cell(c, true, &[stuffed])));
        assert!(cells[0].evidence.is_empty());
    }

    #[test]
    fn without_sentences_keeps_the_other_words_and_their_times() {
        let t = answer();
        let s = sentences(&t);
        let cut = without_sentences(&t, &s, &[1]);
        assert_eq!(cut.words.len(), t.words.len() - 5);
        assert!(!cut.text.contains("always"));
        assert_eq!(cut.words.last().unwrap().end_s, t.words.last().unwrap().end_s);
    }

    #[test]
    fn quantised_vectors_keep_their_direction() {
        let v = [0.6_f32, -0.8];
        let back = dequantise(&quantise(&v));
        assert!((back[0] - 0.6).abs() < 0.01 && (back[1] + 0.8).abs() < 0.01, "{back:?}");
        assert_eq!(normalise("  It's 10x — FASTER, isn't it? "), "it's 10x faster isn't it");
    }
}

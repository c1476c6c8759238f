//! Semantic rubric matching: whether an answer restates the problem, names a trade-off or states a boundary
//! in the person's *own* words, judged per sentence by a small trained head over sentence embeddings plus a
//! few structural signals (the cell's phrases, negation, two dimensions set against each other, a
//! condition). The head's weights and per-cell thresholds are data (`assets/rubric-head.json`, trained by
//! `cargo xtask train-rubric` from `assets/rubric-training.txt`).
//!
//! This module is pure: it never loads a model. It takes vectors from a [`SentenceEncoder`] (the engine
//! in `crate::embed`, or any test double) and decides. Without an encoder, scoring is the phrase matcher's.

use serde::{Deserialize, Serialize};

use super::matcher::{Matcher, PhraseSet, is_negated};
use super::text::Tokenized;
use super::{CellResult, Evidence, Rubric};
use crate::bank::Question;
use crate::transcript::Transcript;

/// The trained head, compiled in.
pub const EMBEDDED_HEAD: &str = include_str!("../../assets/rubric-head.json");

/// Longest unit in words; longer sentences (Whisper's run-ons) are cut into overlapping chunks.
pub const MAX_UNIT_WORDS: usize = 28;
/// Step between chunks of a long sentence.
pub const CHUNK_STEP: usize = 14;

/// Turns sentences into unit vectors of a fixed width.
pub trait SentenceEncoder: Send + Sync {
    /// Width of the vectors.
    fn dim(&self) -> usize;
    /// One vector per sentence, in order.
    fn encode(&self, sentences: &[&str]) -> Vec<Vec<f32>>;
    /// One vector per sentence from the encoder fine-tuned as the rubric's classifier (its top layers
    /// retrained; see `scripts/rubric-finetune.py`), for the heads' `tuned` classifiers; `None` when this
    /// encoder has no such layers.
    fn encode_tuned(&self, _sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        None
    }
}

/// What semantic scoring needs: the trained head and a sentence encoder (the embedding engine).
#[derive(Clone, Copy)]
pub struct Semantic<'a> {
    /// Weights and thresholds (`Head::embedded()`).
    pub head: &'a Head,
    /// Turns sentences into vectors (`crate::embed::Embedder`).
    pub encoder: &'a dyn SentenceEncoder,
}

/// Which signals decide a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The phrase matcher alone (the fallback without a model).
    Phrase,
    /// The head over embeddings alone.
    Semantic,
    /// The head over embeddings, phrase hits and structural signals.
    Hybrid,
}

/// Names of the structural features after the embedding, in order (the head file must list the same).
pub const FEATURES: [&str; 10] = [
    "phrase",
    "phrase_negated",
    "negation",
    "contrast",
    "two_dimensions",
    "condition",
    "prompt_overlap",
    "short",
    "prompt_similarity",
    "prompt_echo",
];

/// Index of `prompt_similarity` (the unit's cosine with the question, set from the vectors in [`apply`]).
pub const PROMPT_SIMILARITY: usize = 8;
/// Index of `short` (fewer than six words).
pub const SHORT: usize = 7;
/// Index of `prompt_echo`: how close the unit is to the question read back verbatim (0 below a cosine of
/// 0.75, 1 from 0.9), which a restatement in one's own words is not.
pub const PROMPT_ECHO: usize = 9;

/// Units beyond which an answer's length no longer raises the bar ([`Logistic::threshold_for`]): about the
/// 98th percentile of the rubric corpus's answers (7 units at the median), on which the rise was calibrated;
/// a 3-minute answer has ~35, and extrapolating the rise that far would turn away sentences that are clear.
pub const LENGTH_CAP: usize = 16;

/// Sets the two prompt features of a unit from its cosine with the question.
pub fn set_prompt_similarity(f: &mut [f32; FEATURES.len()], cosine: f32) {
    f[PROMPT_SIMILARITY] = cosine;
    f[PROMPT_ECHO] = ((cosine - 0.75) / 0.15).clamp(0.0, 1.0);
}

/// A classifier over one input vector: a logistic regression `p = σ(w·x + b)`, or, when `hidden` is not
/// empty, a one-hidden-layer network `p = σ(w·relu(H·x + c) + b)`. Covered when `p ≥ threshold`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// Output weights: one per input (linear), or one per hidden unit.
    pub weights: Vec<f32>,
    /// Output bias.
    pub bias: f32,
    /// Decision threshold on the answer's best unit, calibrated on held-out training answers.
    pub threshold: f32,
    /// Hidden layer rows (one per hidden unit, each as wide as the input); empty for a linear model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden: Vec<Vec<f32>>,
    /// Hidden layer biases, one per row of `hidden`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_bias: Vec<f32>,
    /// How much the bar rises with the answer's length, in logits per natural log of its unit count: the
    /// best of 30 units is a best of many chances to be wrong, so a long answer needs a clearer unit than a
    /// short one. 0 = the same `threshold` for every length.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub length_slope: f32,
    /// Only units that start before this fraction of the answer's words count (restatement comes before
    /// the answer, not as its summary); absent = anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<f32>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(x: &f32) -> bool {
    *x == 0.0
}

impl Logistic {
    /// Probability for one input.
    pub fn prob(&self, x: &[f32]) -> f32 {
        let z = if self.hidden.is_empty() {
            self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f32>() + self.bias
        } else {
            self.hidden
                .iter()
                .zip(&self.hidden_bias)
                .zip(&self.weights)
                .map(|((row, c), w)| w * (row.iter().zip(x).map(|(a, b)| a * b).sum::<f32>() + c).max(0.0))
                .sum::<f32>()
                + self.bias
        };
        1.0 / (1.0 + (-z).exp())
    }

    /// Width of the input this model expects.
    pub fn input_width(&self) -> usize {
        self.hidden.first().map_or(self.weights.len(), Vec::len)
    }

    /// The probability a best unit must reach in an answer of `units` units (see [`Logistic::length_slope`]);
    /// the bar stops rising at [`LENGTH_CAP`] units, the longest answers it was calibrated on.
    pub fn threshold_for(&self, units: usize) -> f32 {
        if self.length_slope == 0.0 {
            return self.threshold;
        }
        let t = self.threshold.clamp(1e-6, 1.0 - 1e-6);
        let z = (t / (1.0 - t)).ln() + self.length_slope * (units.clamp(1, LENGTH_CAP) as f32).ln();
        1.0 / (1.0 + (-z).exp())
    }

    fn shape_ok(&self, input: usize) -> bool {
        if self.hidden.is_empty() {
            self.weights.len() == input
        } else {
            self.hidden.len() == self.weights.len()
                && self.hidden_bias.len() == self.weights.len()
                && self.hidden.iter().all(|r| r.len() == input)
        }
    }
}

/// The heads of one cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellHead {
    /// Rubric cell id.
    pub cell: String,
    /// Embedding only.
    pub semantic: Logistic,
    /// Embedding plus [`FEATURES`].
    pub hybrid: Logistic,
    /// The fine-tuned encoder's embedding plus [`FEATURES`]: used instead of `hybrid` when the answer was
    /// encoded by the tuned encoder too ([`SentenceEncoder::encode_tuned`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuned: Option<Logistic>,
}

/// A labelled example sentence kept for evidence ("closest to …").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exemplar {
    /// The cell it exemplifies.
    pub cell: String,
    /// The sentence.
    pub text: String,
    /// Its embedding, scaled by 127 and rounded (int8 keeps the file small).
    #[serde(default)]
    pub vector: Vec<i8>,
}

impl Exemplar {
    /// Similarity to a unit vector.
    pub fn similarity(&self, v: &[f32]) -> f32 {
        self.vector.iter().zip(v).map(|(a, b)| f32::from(*a) / 127.0 * b).sum()
    }
}

/// The trained head file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// Schema version (1).
    pub version: u32,
    /// Embedding model the head was trained on.
    pub model: String,
    /// Embedding width.
    pub dim: usize,
    /// Structural feature names (must equal [`FEATURES`]).
    pub features: Vec<String>,
    /// One entry per semantically judged cell.
    pub cells: Vec<CellHead>,
    /// A few positive training sentences per cell, to say which one a hit is closest to.
    #[serde(default)]
    pub exemplars: Vec<Exemplar>,
    /// Example sentences per trade-off dimension (`Exemplar::cell` is the dimension's name), from
    /// `assets/rubric-dimensions.txt`; see [`dimensions`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Exemplar>,
}

/// Why a head file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    /// Not valid JSON of the right shape.
    #[error("rubric head: {0}")]
    Parse(#[from] serde_json::Error),
    /// Shapes do not fit.
    #[error("rubric head: {0}")]
    Invalid(String),
}

impl Head {
    /// The compiled-in head.
    pub fn embedded() -> Result<Self, HeadError> {
        Self::from_json(EMBEDDED_HEAD)
    }

    /// Parses and checks a head.
    pub fn from_json(src: &str) -> Result<Self, HeadError> {
        let h: Head = serde_json::from_str(src)?;
        if h.version != 1 {
            return Err(HeadError::Invalid(format!("unsupported version {}", h.version)));
        }
        if h.features != FEATURES {
            return Err(HeadError::Invalid(format!(
                "features {:?} differ from {:?}",
                h.features, FEATURES
            )));
        }
        for c in &h.cells {
            if !c.semantic.shape_ok(h.dim)
                || !c.hybrid.shape_ok(h.dim + FEATURES.len())
                || c.tuned.as_ref().is_some_and(|t| !t.shape_ok(h.dim + FEATURES.len()))
            {
                return Err(HeadError::Invalid(format!(
                    "cell {}: weight count does not fit dim {}",
                    c.cell, h.dim
                )));
            }
        }
        Ok(h)
    }

    /// The cell ids this head judges.
    pub fn cells(&self) -> impl Iterator<Item = &str> {
        self.cells.iter().map(|c| c.cell.as_str())
    }
}

/// A stretch of the answer judged as one: a sentence, or a chunk of a long one. Word indices are into
/// `Transcript::words`.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// First word.
    pub first_word: usize,
    /// Last word (inclusive).
    pub last_word: usize,
    /// The words as spoken, joined.
    pub text: String,
}

/// Splits an answer into units: its sentences, long ones cut into overlapping chunks of
/// [`MAX_UNIT_WORDS`].
pub fn units(rubric: &Rubric, transcript: &Transcript) -> Vec<Unit> {
    let tk = rubric.tokenize(transcript);
    units_of(&tk, transcript)
}

fn units_of(tk: &Tokenized, transcript: &Transcript) -> Vec<Unit> {
    let mut out = Vec::new();
    for s in &tk.sentences {
        let mut first = s.first_word;
        loop {
            let last = s.last_word.min(first + MAX_UNIT_WORDS - 1);
            out.push(Unit {
                first_word: first,
                last_word: last,
                text: join(transcript, first, last),
            });
            if last >= s.last_word {
                break;
            }
            first += CHUNK_STEP;
        }
    }
    out
}

/// The words from the start of the sentence holding `first` to the end of the one holding `last` (a chunk
/// of a long sentence grows to the whole sentence).
fn sentence_bounds(tk: &Tokenized, first: usize, last: usize) -> (usize, usize) {
    let start = tk
        .sentences
        .iter()
        .find(|s| s.first_word <= first && first <= s.last_word)
        .map_or(first, |s| s.first_word);
    let end = tk
        .sentences
        .iter()
        .find(|s| s.first_word <= last && last <= s.last_word)
        .map_or(last, |s| s.last_word);
    (start, end)
}

fn join(transcript: &Transcript, first: usize, last: usize) -> String {
    transcript.words[first..=last]
        .iter()
        .map(|w| w.text.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Structural signals the hybrid head sees, computed once per answer.
pub struct Signals {
    cells: Vec<(String, Matcher)>,
    contrast: PhraseSet,
    condition: PhraseSet,
}

impl std::fmt::Debug for Signals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signals").finish_non_exhaustive()
    }
}

const CONTRAST: &[&str] = &[
    "but",
    "whereas",
    "while",
    "however",
    "though",
    "although",
    "instead",
    "rather than",
    "at the cost of",
    "at the expense of",
    "in exchange",
    "on the other hand",
    "versus",
    "vs",
    "compared to",
    "than",
    "cost us",
    "costs us",
    "in return",
    "give up",
    "lose",
    "pay for",
    "the price",
];
const CONDITION: &[&str] = &[
    "if",
    "once",
    "when",
    "unless",
    "as soon as",
    "beyond",
    "past",
    "above",
    "more than",
    "assum",
    "only if",
    "until",
    "whenever",
    "the moment",
    "stops",
    "stop",
    "no longer",
    "anymore",
    "falls",
    "break",
    "fail",
];

impl Signals {
    /// Compiles the structural signals for `rubric`'s cells.
    pub fn new(rubric: &Rubric) -> Self {
        let stem = &rubric.stemmer;
        let cells = rubric
            .config
            .cells
            .iter()
            .map(|c| {
                let phrases: Vec<String> = c.signals.iter().flat_map(|s| s.phrases.clone()).collect();
                let patterns: Vec<_> = c.signals.iter().flat_map(|s| s.patterns.clone()).collect();
                (
                    c.id.clone(),
                    Matcher::new(stem, &phrases, &patterns).unwrap_or_default(),
                )
            })
            .collect();
        let set = |words: &[&str]| {
            PhraseSet::new(stem, &words.iter().map(|w| (*w).to_string()).collect::<Vec<_>>()).unwrap_or_default()
        };
        Self {
            cells,
            contrast: set(CONTRAST),
            condition: set(CONDITION),
        }
    }

    /// Feature vectors ([`FEATURES`]) per unit for `cell`.
    pub fn features(
        &self,
        rubric: &Rubric,
        question: Option<&Question>,
        transcript: &Transcript,
        units: &[Unit],
        cell: &str,
    ) -> Vec<[f32; FEATURES.len()]> {
        let tk = rubric.tokenize(transcript);
        let neg = &rubric.config.negation;
        let in_unit = |u: &Unit, tok: usize| {
            let w = tk.tokens[tok].word;
            w >= u.first_word && w <= u.last_word
        };
        let (hits, negated): (Vec<_>, Vec<_>) = self
            .cells
            .iter()
            .find(|(id, _)| id == cell)
            .map(|(_, m)| m.find_all(&tk))
            .unwrap_or_default()
            .into_iter()
            .partition(|s| !is_negated(&tk, *s, neg));
        let contrast = self.contrast.find(&tk);
        let condition = self.condition.find(&tk);
        let dims: Vec<(usize, usize)> = rubric
            .dims
            .iter()
            .enumerate()
            .flat_map(|(d, set)| set.find(&tk).into_iter().map(move |s| (d, s.first)))
            .collect();
        let prompt: std::collections::HashSet<String> =
            question.map(|q| rubric.prompt_stems(&q.prompt)).unwrap_or_default();
        units
            .iter()
            .map(|u| {
                let toks: Vec<usize> = (0..tk.tokens.len()).filter(|&t| in_unit(u, t)).collect();
                let any = |spans: &[super::matcher::Span]| spans.iter().any(|s| in_unit(u, s.first));
                let negation = toks.iter().any(|&t| neg.cues.iter().any(|c| *c == tk.tokens[t].norm));
                let mut dim_set: Vec<usize> = dims.iter().filter(|(_, t)| in_unit(u, *t)).map(|(d, _)| *d).collect();
                dim_set.sort_unstable();
                dim_set.dedup();
                let content: Vec<&str> = toks
                    .iter()
                    .filter(|&&t| !rubric.is_stopword(&tk.tokens[t].norm))
                    .map(|&t| tk.tokens[t].stem.as_str())
                    .collect();
                let overlap = if content.is_empty() || prompt.is_empty() {
                    0.0
                } else {
                    content.iter().filter(|s| prompt.contains(**s)).count() as f32 / content.len() as f32
                };
                let words = u.last_word + 1 - u.first_word;
                [
                    f32::from(u8::from(any(&hits))),
                    f32::from(u8::from(any(&negated))),
                    f32::from(u8::from(negation)),
                    f32::from(u8::from(any(&contrast))),
                    f32::from(u8::from(dim_set.len() >= 2)),
                    f32::from(u8::from(any(&condition))),
                    overlap,
                    f32::from(u8::from(words < 6)),
                    0.0,
                    0.0,
                ]
            })
            .collect()
    }
}

/// The head's verdict on one cell of one answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CellVerdict {
    /// Cell id.
    pub cell: String,
    /// Best unit's probability.
    pub score: f32,
    /// Reached the cell's threshold.
    pub covered: bool,
    /// The stretches that reached the bar, best first and not overlapping: (first unit, last unit,
    /// probability); a two-unit window spans both.
    pub spans: Vec<(usize, usize, f32)>,
}

/// A cell's classifier as used on one answer: which model, over which unit vectors, with the structural
/// features or without.
#[derive(Clone, Copy, Debug)]
pub struct Classifier<'a> {
    /// Rubric cell id.
    pub cell: &'a str,
    /// The model.
    pub lr: &'a Logistic,
    /// One vector per unit.
    pub vectors: &'a [Vec<f32>],
    /// The model takes [`FEATURES`] after the vector.
    pub with_features: bool,
    /// Where each unit starts, as a fraction of the answer's words (for [`Logistic::before`]); empty when
    /// unknown (every unit counts).
    pub positions: &'a [f32],
}

impl<'a> Classifier<'a> {
    /// The frozen-embedding head of `mode` over `vectors`.
    pub fn frozen(head: &'a CellHead, mode: Mode, vectors: &'a [Vec<f32>]) -> Self {
        Self {
            cell: &head.cell,
            lr: if mode == Mode::Hybrid {
                &head.hybrid
            } else {
                &head.semantic
            },
            vectors,
            with_features: mode == Mode::Hybrid,
            positions: &[],
        }
    }

    /// What `mode` judges the cell with on an encoded answer: in hybrid mode the tuned head over the tuned
    /// encoder's vectors when both exist, otherwise the frozen-embedding head.
    pub fn for_answer(head: &'a CellHead, mode: Mode, encoded: &'a Encoded) -> Self {
        match (mode, &head.tuned, &encoded.tuned) {
            (Mode::Hybrid, Some(lr), Some(vectors)) if vectors.len() == encoded.units.len() => Self {
                cell: &head.cell,
                lr,
                vectors,
                with_features: true,
                positions: &encoded.positions,
            },
            _ => Self {
                positions: &encoded.positions,
                ..Self::frozen(head, mode, &encoded.vectors)
            },
        }
    }
}

/// Judges each head cell from unit vectors and features. `vectors[i]` belongs to `units[i]`; adjacent
/// units are also judged together (the normalised mean of their vectors) so a point made across two
/// sentences counts.
pub fn judge(head: &CellHead, mode: Mode, vectors: &[Vec<f32>], features: &[[f32; FEATURES.len()]]) -> CellVerdict {
    judge_with(Classifier::frozen(head, mode, vectors), features)
}

/// [`judge`] with a given classifier.
pub fn judge_with(c: Classifier<'_>, features: &[[f32; FEATURES.len()]]) -> CellVerdict {
    let mut probs = scores_with(c, features);
    if let Some(before) = c.lr.before {
        // A window is placed at its later unit; it starts where the unit before it does.
        let start = |p: &UnitScore| if p.window { p.unit.saturating_sub(1) } else { p.unit };
        probs.retain(|p| c.positions.get(start(p)).is_none_or(|&at| at < before));
    }
    let threshold = c.lr.threshold_for(c.vectors.len());
    let score = probs.iter().map(|p| p.p).fold(0.0, f32::max);
    // Stretches at or above the bar, best first, none overlapping a better one: (first unit, last unit, p).
    let mut above: Vec<&UnitScore> = probs.iter().filter(|p| p.p >= threshold).collect();
    above.sort_by(|a, b| b.p.total_cmp(&a.p));
    let mut spans: Vec<(usize, usize, f32)> = Vec::new();
    for p in above {
        let first = if p.window { p.unit - 1 } else { p.unit };
        if !spans.iter().any(|&(f, l, _)| first <= l && p.unit >= f) {
            spans.push((first, p.unit, p.p));
        }
    }
    CellVerdict {
        cell: c.cell.to_string(),
        score,
        covered: score >= threshold,
        spans,
    }
}

/// One judged stretch: a unit, or a unit with the one before it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitScore {
    /// The unit (for a window, its later unit: that is where the point is completed).
    pub unit: usize,
    /// True when the unit was judged together with the one before it.
    pub window: bool,
    /// The head's probability.
    pub p: f32,
}

/// The head's probability for every unit and every window of two adjacent units, units first.
pub fn unit_scores(
    head: &CellHead,
    mode: Mode,
    vectors: &[Vec<f32>],
    features: &[[f32; FEATURES.len()]],
) -> Vec<UnitScore> {
    scores_with(Classifier::frozen(head, mode, vectors), features)
}

/// [`unit_scores`] with a given classifier.
pub fn scores_with(c: Classifier<'_>, features: &[[f32; FEATURES.len()]]) -> Vec<UnitScore> {
    let (lr, vectors) = (c.lr, c.vectors);
    let mut probs = Vec::with_capacity(vectors.len() * 2);
    let mut x = Vec::with_capacity(lr.input_width());
    let mut score_of = |v: &[f32], f: &[f32]| {
        x.clear();
        x.extend_from_slice(v);
        if c.with_features {
            x.extend_from_slice(f);
        }
        lr.prob(&x)
    };
    for (i, v) in vectors.iter().enumerate() {
        let f = features.get(i).copied().unwrap_or_default();
        probs.push(UnitScore {
            unit: i,
            window: false,
            p: score_of(v, &f),
        });
    }
    for i in 1..vectors.len() {
        let mut m: Vec<f32> = vectors[i - 1].iter().zip(&vectors[i]).map(|(a, b)| a + b).collect();
        let n = m.iter().map(|v| v * v).sum::<f32>().sqrt();
        if n > 0.0 {
            m.iter_mut().for_each(|v| *v /= n);
        }
        let a = features.get(i - 1).copied().unwrap_or_default();
        let b = features.get(i).copied().unwrap_or_default();
        let mut f = [0f32; FEATURES.len()];
        for k in 0..f.len() {
            f[k] = a[k].max(b[k]);
        }
        f[SHORT] = 0.0; // two units together are never "short"
        probs.push(UnitScore {
            unit: i,
            window: true,
            p: score_of(&m, &f),
        });
    }
    probs
}

/// Sentence vectors for an answer, computed once and reused for every cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoded {
    /// The units judged.
    pub units: Vec<Unit>,
    /// One vector per unit.
    pub vectors: Vec<Vec<f32>>,
    /// The question's prompt, encoded the same way (for `prompt_similarity`).
    pub prompt: Option<Vec<f32>>,
    /// One vector per unit from the rubric's fine-tuned encoder, when the encoder has one.
    pub tuned: Option<Vec<Vec<f32>>>,
    /// Where each unit starts, as a fraction of the answer's words.
    pub positions: Vec<f32>,
}

impl Encoded {
    /// The structural features of every unit for `cell`, with the two prompt features set from the units'
    /// cosines with the question (when it was encoded).
    pub fn features(
        &self,
        signals: &Signals,
        rubric: &Rubric,
        question: Option<&Question>,
        transcript: &Transcript,
        cell: &str,
    ) -> Vec<[f32; FEATURES.len()]> {
        let mut feats = signals.features(rubric, question, transcript, &self.units, cell);
        if let Some(p) = &self.prompt {
            for (f, v) in feats.iter_mut().zip(&self.vectors) {
                set_prompt_similarity(f, dot(v, p));
            }
        }
        feats
    }
}

/// Splits and encodes an answer. This is the only step that runs the model (~5–15 ms per unit).
pub fn encode(
    rubric: &Rubric,
    transcript: &Transcript,
    encoder: &dyn SentenceEncoder,
    prompt: Option<&str>,
) -> Encoded {
    let units = units(rubric, transcript);
    let mut texts: Vec<&str> = units.iter().map(|u| u.text.as_str()).collect();
    // The tuned vectors first: an encoder that computes both at once then has the units' plain vectors
    // cached too, and the prompt goes through the plain encoder only.
    let tuned = encoder.encode_tuned(&texts);
    texts.extend(prompt);
    let mut vectors = encoder.encode(&texts);
    let prompt = if prompt.is_some() { vectors.pop() } else { None };
    let words = transcript.words.len().max(1) as f32;
    let positions = units.iter().map(|u| u.first_word as f32 / words).collect();
    Encoded {
        units,
        vectors,
        prompt,
        tuned,
        positions,
    }
}

/// Dot product (the cosine of unit vectors).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Replaces the head's cells in `cells` (phrase results) with semantic or hybrid verdicts, with evidence
/// saying which sentence counted and why.
pub fn apply(
    rubric: &Rubric,
    head: &Head,
    mode: Mode,
    question: Option<&Question>,
    transcript: &Transcript,
    encoded: &Encoded,
    cells: &mut [CellResult],
) {
    if mode == Mode::Phrase {
        return;
    }
    let signals = Signals::new(rubric);
    let tk = rubric.tokenize(transcript);
    for ch in &head.cells {
        let Some(result) = cells.iter_mut().find(|c| c.cell == ch.cell) else {
            continue;
        };
        let feats = encoded.features(&signals, rubric, question, transcript, &ch.cell);
        let v = judge_with(Classifier::for_answer(ch, mode, encoded), &feats);
        result.covered = v.covered;
        result.score = f64::from(v.score);
        // Evidence is what decided: the whole sentence(s) of each of the two strongest stretches.
        result.evidence = v
            .spans
            .iter()
            .take(2)
            .filter_map(|&(first, last, p)| {
                let (fu, lu) = (encoded.units.get(first)?, encoded.units.get(last)?);
                let (fw, lw) = sentence_bounds(&tk, fu.first_word, lu.last_word);
                let f = feats.get(last).copied().unwrap_or_default();
                let closest = head.exemplars.iter().filter(|e| e.cell == ch.cell).max_by(|a, b| {
                    a.similarity(&encoded.vectors[last])
                        .total_cmp(&b.similarity(&encoded.vectors[last]))
                });
                let mut why = format!("meaning ({:.0}%)", p * 100.0);
                if mode == Mode::Hybrid && f[0] > 0.0 {
                    why.push_str(" and phrase");
                }
                if let Some(e) = closest {
                    why.push_str(&format!("; closest example: \"{}\"", e.text));
                }
                let text = join(transcript, fw, lw);
                Some(Evidence {
                    text: text.clone(),
                    start_s: transcript.words[fw].start_s,
                    end_s: transcript.words[lw].end_s,
                    sentence: Some(text),
                    why: Some(why),
                })
            })
            .collect();
        result.evidence.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    }
}

/// A dimension counts by meaning when a trade-off or boundary unit's cosine with one of the dimension's
/// example sentences reaches this (chosen on a few trade-off sentences written for the purpose, not on the
/// evaluation answers: a whole sentence sits at 0.2–0.45 from unrelated dimensions and 0.5–0.7 from its own).
pub const DIMENSION_THRESHOLD: f32 = 0.5;

/// Dimensions found by meaning: for each unit that `counts` (the units that made a trade-off or a boundary),
/// every dimension with an example sentence at least [`DIMENSION_THRESHOLD`] close, strongest first per
/// unit and at most two per unit. Returns (dimension name, unit index) in unit order, each name once.
/// Uses only the vectors already computed for the cells: no extra model call.
pub fn dimensions(head: &Head, encoded: &Encoded, counts: impl Fn(usize) -> bool) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (i, v) in encoded.vectors.iter().enumerate().filter(|(i, _)| counts(*i)) {
        let mut best: Vec<(&str, f32)> = Vec::new();
        for e in &head.dimensions {
            let s = e.similarity(v);
            match best.iter_mut().find(|b| b.0 == e.cell) {
                Some(b) => b.1 = b.1.max(s),
                None => best.push((e.cell.as_str(), s)),
            }
        }
        best.retain(|b| b.1 >= DIMENSION_THRESHOLD);
        best.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (name, _) in best.into_iter().take(2) {
            if !out.iter().any(|o| o.0 == name) {
                out.push((name.to_string(), i));
            }
        }
    }
    out
}

/// A content point counts by meaning when a unit's cosine with the point's description reaches this.
/// Chosen before looking at the evaluation answers; there is no labelled training data per point yet.
pub const POINT_THRESHOLD: f32 = 0.5;

/// Content points judged by meaning: each point is described twice (its label, and its label with its
/// phrases) and counts when some unit of the answer is close enough to either description.
pub fn points(question: &Question, encoded: &Encoded, encoder: &dyn SentenceEncoder) -> Vec<bool> {
    let descriptions: Vec<String> = question
        .content_points
        .iter()
        .flat_map(|p| [p.point.clone(), format!("{}: {}", p.point, p.phrases.join(", "))])
        .collect();
    let refs: Vec<&str> = descriptions.iter().map(String::as_str).collect();
    let vecs = encoder.encode(&refs);
    vecs.chunks(2)
        .map(|pair| {
            encoded.vectors.iter().any(|u| {
                pair.iter()
                    .any(|p| p.iter().zip(u).map(|(a, b)| a * b).sum::<f32>() >= POINT_THRESHOLD)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Deck;

    /// A 2-d "encoder": sentences mentioning "late" point one way, others the other way.
    struct Toy;
    impl SentenceEncoder for Toy {
        fn dim(&self) -> usize {
            2
        }
        fn encode(&self, sentences: &[&str]) -> Vec<Vec<f32>> {
            sentences
                .iter()
                .map(|s| {
                    if s.contains("late") {
                        vec![1.0, 0.0]
                    } else {
                        vec![0.0, 1.0]
                    }
                })
                .collect()
        }
    }

    fn lr(w0: f32, w1: f32, extra: usize, threshold: f32) -> Logistic {
        let mut weights = vec![w0, w1];
        weights.extend(std::iter::repeat_n(0.0, extra));
        Logistic {
            weights,
            bias: 0.0,
            threshold,
            hidden: Vec::new(),
            hidden_bias: Vec::new(),
            length_slope: 0.0,
            before: None,
        }
    }

    fn head() -> Head {
        Head {
            version: 1,
            model: "toy".into(),
            dim: 2,
            features: FEATURES.iter().map(|f| (*f).to_string()).collect(),
            cells: vec![CellHead {
                cell: "boundaries".into(),
                semantic: lr(6.0, -6.0, 0, 0.9),
                hybrid: lr(6.0, -6.0, FEATURES.len(), 0.9),
                tuned: None,
            }],
            exemplars: vec![Exemplar {
                cell: "boundaries".into(),
                text: "it fails when data is late".into(),
                vector: vec![127, 0],
            }],
            dimensions: vec![
                Exemplar {
                    cell: "freshness".into(),
                    text: "the data is a day old".into(),
                    vector: vec![127, 0],
                },
                Exemplar {
                    cell: "cost".into(),
                    text: "the bill goes up".into(),
                    vector: vec![0, 127],
                },
            ],
        }
    }

    #[test]
    fn dimensions_are_found_by_meaning_in_the_units_that_count_only() {
        let h = head();
        let enc = Encoded {
            units: Vec::new(),
            vectors: vec![vec![0.0, 1.0], vec![0.7, 0.7], vec![1.0, 0.0], vec![-1.0, 0.0]],
            prompt: None,
            tuned: None,
            positions: Vec::new(),
        };
        // Unit 0 (pure cost) made no trade-off here, so only unit 1, between both dimensions, names them.
        let found = dimensions(&h, &enc, |i| i != 0);
        assert_eq!(found, [("freshness".to_string(), 1), ("cost".to_string(), 1)]);
        // A unit that made no trade-off or boundary adds nothing, whatever it is close to; a unit far from
        // every example adds nothing either.
        assert_eq!(dimensions(&h, &enc, |_| false), []);
        assert_eq!(dimensions(&h, &enc, |i| i == 0), [("cost".to_string(), 0)]);
        assert_eq!(dimensions(&h, &enc, |i| i == 3), []);
        let only_fresh = dimensions(&h, &enc, |i| i == 2);
        assert_eq!(only_fresh, [("freshness".to_string(), 2)]);
    }

    #[test]
    fn judge_takes_the_best_unit_and_respects_the_threshold() {
        let h = head();
        let f = [[0.0; FEATURES.len()]; 2];
        let yes = judge(&h.cells[0], Mode::Semantic, &[vec![0.0, 1.0], vec![1.0, 0.0]], &f);
        assert!(yes.covered && yes.score > 0.99);
        assert_eq!(yes.spans.first().map(|h| h.1), Some(1));
        let no = judge(&h.cells[0], Mode::Semantic, &[vec![0.0, 1.0], vec![0.0, 1.0]], &f);
        assert!(!no.covered && no.spans.is_empty());
    }

    #[test]
    fn unit_scores_cover_every_unit_and_every_adjacent_pair() {
        let h = head();
        let f = [[0.0; FEATURES.len()]; 3];
        let v = [vec![0.0, 1.0], vec![1.0, 0.0], vec![0.0, 1.0]];
        let s = unit_scores(&h.cells[0], Mode::Semantic, &v, &f);
        assert_eq!(s.len(), 5);
        assert!(s[..3].iter().all(|u| !u.window) && s[3..].iter().all(|u| u.window));
        assert_eq!(s.iter().map(|u| u.unit).collect::<Vec<_>>(), [0, 1, 2, 1, 2]);
        // The best stretch is the "late" unit alone; the verdict's score is that maximum.
        let best = s.iter().max_by(|a, b| a.p.total_cmp(&b.p)).expect("scores");
        assert_eq!((best.unit, best.window), (1, false));
        assert!((judge(&h.cells[0], Mode::Semantic, &v, &f).score - best.p).abs() < 1e-6);
    }

    #[test]
    fn hybrid_uses_the_structural_features() {
        let mut h = head();
        // Only the "phrase" feature carries weight: a phrase hit alone decides.
        h.cells[0].hybrid = lr(0.0, 0.0, FEATURES.len(), 0.9);
        h.cells[0].hybrid.weights[2] = 8.0;
        let mut f = [[0.0; FEATURES.len()]; 1];
        assert!(!judge(&h.cells[0], Mode::Hybrid, &[vec![0.0, 1.0]], &f).covered);
        f[0][0] = 1.0;
        assert!(judge(&h.cells[0], Mode::Hybrid, &[vec![0.0, 1.0]], &f).covered);
    }

    #[test]
    fn apply_replaces_the_cell_with_timed_evidence_and_says_why() {
        let rubric = Rubric::embedded().expect("rubric");
        let deck = Deck::embedded().expect("deck");
        let q = deck.question("pm-01-success-metrics").expect("question");
        let t = Transcript::from_plain_text(
            "I would track three numbers. This stops holding when data arrives late. That is all.",
            Some(15.0),
        );
        let mut cells = rubric.evaluate(q, &t, 180.0).cells;
        let enc = encode(&rubric, &t, &Toy, None);
        assert_eq!(enc.units.len(), 3);
        apply(&rubric, &head(), Mode::Semantic, Some(q), &t, &enc, &mut cells);
        let b = cells.iter().find(|c| c.cell == "boundaries").expect("cell");
        assert!(b.covered);
        let ev = b.evidence.first().expect("evidence");
        assert_eq!(ev.text, "This stops holding when data arrives late.");
        assert!(ev.start_s > 2.0 && ev.end_s <= 15.0 && ev.start_s < ev.end_s, "{ev:?}");
        let why = ev.why.as_deref().expect("why");
        assert!(
            why.contains("meaning") && why.contains("it fails when data is late"),
            "{why}"
        );
        // Phrase mode leaves the phrase matcher's verdict alone.
        let mut phrase_cells = rubric.evaluate(q, &t, 180.0).cells;
        let before = phrase_cells.clone();
        apply(&rubric, &head(), Mode::Phrase, Some(q), &t, &enc, &mut phrase_cells);
        assert_eq!(phrase_cells, before);
    }

    #[test]
    fn long_run_on_sentences_are_cut_into_overlapping_units() {
        let rubric = Rubric::embedded().expect("rubric");
        let words: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
        let t = Transcript::from_plain_text(&words.join(" "), None);
        let u = units(&rubric, &t);
        assert_eq!(u.len(), 4, "{u:?}");
        assert!(u.iter().all(|u| u.last_word + 1 - u.first_word <= MAX_UNIT_WORDS));
        assert_eq!(u.last().map(|u| u.last_word), Some(59));
    }

    #[test]
    fn features_see_phrases_negation_contrast_and_conditions() {
        let rubric = Rubric::embedded().expect("rubric");
        let s = Signals::new(&rubric);
        let t = Transcript::from_plain_text(
            "There is no trade-off here. Batch is cheaper but staler. It fails if events arrive late.",
            None,
        );
        let u = units(&rubric, &t);
        let tf = s.features(&rubric, None, &t, &u, "trade-offs");
        assert_eq!(tf[0][1], 1.0, "negated phrase in the first sentence");
        assert_eq!(tf[0][2], 1.0, "negation cue");
        assert_eq!(tf[1][3], 1.0, "contrast in the second");
        let bf = s.features(&rubric, None, &t, &u, "boundaries");
        assert_eq!(bf[2][0], 1.0, "boundary phrase");
        assert_eq!(bf[2][5], 1.0, "condition");
    }

    #[test]
    fn the_shipped_head_loads_and_a_wrong_shape_is_rejected() {
        let h = Head::embedded().expect("embedded head");
        assert_eq!(h.dim, 384);
        let cells: Vec<&str> = h.cells().collect();
        assert_eq!(cells, ["restatement", "trade-offs", "boundaries"]);
        let mut bad = head();
        bad.cells[0].semantic.weights.pop();
        let json = serde_json::to_string(&bad).expect("json");
        assert!(Head::from_json(&json).is_err());
    }
}

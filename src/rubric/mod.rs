//! The rubric: which parts of a strong answer a transcript covers, each with evidence the person can click
//! to hear. Cells (restatement, trade-offs, boundaries, execution, communication), the trade-off
//! dimensions, and the negation rules are data in `assets/rubric.toml` (compiled in); a question's own
//! content points and common mistakes come from its deck. Everything is matched on normalised, stemmed
//! tokens (see [`text`]) with Aho-Corasick phrase search (see [`matcher`]), so the whole evaluation is a
//! few linear passes over the transcript.

pub mod corrections;
pub mod eval;
pub mod matcher;
pub mod semantic;
pub mod text;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rust_stemmers::Stemmer;
use serde::{Deserialize, Serialize};

use crate::bank::{Question, line_col};
use crate::transcript::{Transcript, mmss};
use matcher::{Matcher, PatternDef, PhraseSet, Span, evidence, is_negated};
use text::{Tokenized, english_stemmer, normalise_word, stem_piece, tokenize};

/// The default rubric's source, compiled in.
pub const EMBEDDED_RUBRIC: &str = include_str!("../../assets/rubric.toml");

/// A hit counts as "late" in the answer (for closing-summary signals) from this fraction of its tokens on.
const LATE_FRACTION: f64 = 0.6;

/// How negations are recognised ("I didn't consider trade-offs" is not coverage).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegationConfig {
    /// How many non-filler tokens before a match are searched for a cue.
    pub window: usize,
    /// Negation words ("not", "didn't", "no", "without"…), normalised lowercase.
    pub cues: Vec<String>,
    /// Words that end a negation's reach ("but", "however").
    pub breakers: Vec<String>,
    /// Fillers skipped without counting toward the window.
    pub skip: Vec<String>,
}

/// Restatement timing and question-echo settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestatementConfig {
    /// Id of the cell whose first hit is the restatement time.
    pub cell: String,
    /// Restating after this many seconds is flagged late.
    pub late_after_s: f64,
    /// How many opening sentences may echo the question.
    pub echo_sentences: usize,
    /// Minimum number of the prompt's content words an echo repeats.
    pub echo_min_terms: usize,
    /// Minimum fraction of the prompt's content words an echo repeats.
    pub echo_min_fraction: f64,
    /// Words that are not content words of a prompt.
    pub stopwords: Vec<String>,
}

/// One dimension on which a solution could flip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionDef {
    /// Name reported, e.g. "latency".
    pub name: String,
    /// Words and phrases that name the dimension.
    pub phrases: Vec<String>,
}

/// How trade-off dimensions are counted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionsConfig {
    /// Maximum tokens between a dimension word and a cue.
    pub window: usize,
    /// The guide's target range, low end.
    pub target_min: usize,
    /// The guide's target range, high end.
    pub target_max: usize,
    /// Trade-off and conditional cues ("if", "depends on", "at the cost of", "cheaper").
    pub cues: Vec<String>,
    /// The dimensions.
    pub items: Vec<DimensionDef>,
}

/// Where in the answer a signal must occur.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// Anywhere.
    #[default]
    Any,
    /// Within the restatement `late_after_s`.
    Early,
    /// In the last 40 % of the answer.
    Late,
}

/// Checks that are code rather than phrases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    /// An opening sentence repeats most of the prompt's content words.
    QuestionEcho,
    /// A token with a digit ("45", "10x", "p99", "99.9%").
    Numbers,
    /// The answer ended within the time box.
    WithinTimeBox,
}

/// One kind of evidence a cell looks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalDef {
    /// Stable id.
    pub id: String,
    /// Human label.
    pub label: String,
    /// Most units this signal contributes (hits in distinct sentences); defaults to the cell's target.
    #[serde(default)]
    pub max: Option<usize>,
    /// Where the signal must occur.
    #[serde(default)]
    pub position: Position,
    /// A code check added to the phrases.
    #[serde(default)]
    pub builtin: Option<Builtin>,
    /// Phrases (stem-aware, multi-word).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Two-part patterns.
    #[serde(default)]
    pub patterns: Vec<PatternDef>,
}

/// One rubric cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellDef {
    /// Stable id, reported as `cell`.
    pub id: String,
    /// Human label.
    pub label: String,
    /// Units needed for a score of 1.
    pub target: usize,
    /// Score at or above which the cell is covered.
    pub threshold: f64,
    /// What counts.
    pub signals: Vec<SignalDef>,
}

/// The rubric file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricConfig {
    /// Schema version (1).
    pub version: u32,
    /// Negation rules.
    pub negation: NegationConfig,
    /// Restatement timing.
    pub restatement: RestatementConfig,
    /// Dimension counting.
    pub dimensions: DimensionsConfig,
    /// The cells, in display order.
    pub cells: Vec<CellDef>,
}

/// Why a rubric did not load.
#[derive(Debug, thiserror::Error)]
pub enum RubricError {
    /// The file could not be read.
    #[error("{}: cannot read rubric: {cause}", path.display())]
    Io {
        /// The rubric file.
        path: PathBuf,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// Malformed TOML or wrong schema.
    #[error("rubric:{line}:{column}: {message}")]
    Parse {
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What was expected.
        message: String,
    },
    /// Parsed, but breaks a rubric rule.
    #[error("rubric: {0}")]
    Invalid(String),
    /// The phrase automaton could not be built.
    #[error("rubric: cannot compile phrases: {0}")]
    Build(aho_corasick::BuildError),
}

// By hand rather than `#[from]`, which would also make the cause the error's `source()`: the message already
// includes it, and `{:#}` would print it twice.
impl From<aho_corasick::BuildError> for RubricError {
    fn from(e: aho_corasick::BuildError) -> Self {
        Self::Build(e)
    }
}

/// A quote from the answer supporting a hit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The matched words as transcribed.
    pub text: String,
    /// Start of the first matched word, seconds.
    pub start_s: f64,
    /// End of the last matched word, seconds.
    pub end_s: f64,
    /// The sentence around the match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentence: Option<String>,
    /// Why it counted: the phrase matched, or the meaning and the closest training example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Result for one rubric cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// Cell id.
    pub cell: String,
    /// Score reached the cell's threshold.
    pub covered: bool,
    /// 0–1.
    pub score: f64,
    /// The hits that earned the score, in time order.
    pub evidence: Vec<Evidence>,
}

/// A dimension discussed as a trade-off axis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DimensionHit {
    /// Dimension name.
    pub name: String,
    /// Where it was discussed (dimension word and cue).
    pub evidence: Evidence,
}

/// Result for one content point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// The point's label.
    pub point: String,
    /// At least one affirmed hit.
    pub covered: bool,
    /// Hits, first three distinct sentences.
    pub evidence: Vec<Evidence>,
}

/// Whether the answer addressed a common mistake.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MistakeResult {
    /// The mistake as the deck words it.
    pub mistake: String,
    /// The answer addresses it somewhere.
    pub mentioned: bool,
}

/// Everything the rubric found in one answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// One result per rubric cell, in rubric order.
    pub cells: Vec<CellResult>,
    /// When the restatement first happened.
    pub restatement_at_s: Option<f64>,
    /// It happened after `late_after_s`.
    pub restatement_late: bool,
    /// Dimensions discussed as trade-off axes, in order of first discussion.
    pub dimensions: Vec<DimensionHit>,
    /// The question's content points.
    pub content_points: Vec<PointResult>,
    /// The question's common mistakes.
    pub mistakes: Vec<MistakeResult>,
}

/// A loaded, compiled rubric. Build once and reuse; evaluation does not allocate automatons for cells.
pub struct Rubric {
    config: RubricConfig,
    stemmer: Stemmer,
    cells: Vec<Vec<Matcher>>,
    dim_cues: PhraseSet,
    dims: Vec<PhraseSet>,
    stopwords: HashSet<String>,
}

impl std::fmt::Debug for Rubric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rubric")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Rubric {
    /// The built-in rubric.
    pub fn embedded() -> Result<Self, RubricError> {
        Self::from_toml_str(EMBEDDED_RUBRIC)
    }

    /// Loads a rubric file.
    pub fn load_file(path: &Path) -> Result<Self, RubricError> {
        let src = std::fs::read_to_string(path).map_err(|cause| RubricError::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        Self::from_toml_str(&src)
    }

    /// Parses, validates and compiles a rubric.
    pub fn from_toml_str(src: &str) -> Result<Self, RubricError> {
        let config: RubricConfig = toml::from_str(src).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |sp| line_col(src, sp.start));
            RubricError::Parse {
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        Self::from_config(config)
    }

    /// Validates and compiles a parsed rubric.
    pub fn from_config(config: RubricConfig) -> Result<Self, RubricError> {
        validate(&config).map_err(RubricError::Invalid)?;
        let stemmer = english_stemmer();
        let cells = config
            .cells
            .iter()
            .map(|c| {
                c.signals
                    .iter()
                    .map(|s| Matcher::new(&stemmer, &s.phrases, &s.patterns))
                    .collect()
            })
            .collect::<Result<Vec<Vec<Matcher>>, _>>()?;
        let dim_cues = PhraseSet::new(&stemmer, &config.dimensions.cues)?;
        let dims = config
            .dimensions
            .items
            .iter()
            .map(|d| PhraseSet::new(&stemmer, &d.phrases))
            .collect::<Result<_, _>>()?;
        let stopwords = config
            .restatement
            .stopwords
            .iter()
            .flat_map(|w| normalise_word(w))
            .collect();
        Ok(Self {
            config,
            stemmer,
            cells,
            dim_cues,
            dims,
            stopwords,
        })
    }

    /// The rubric as loaded.
    pub fn config(&self) -> &RubricConfig {
        &self.config
    }

    /// The cells in display order.
    pub fn cells(&self) -> &[CellDef] {
        &self.config.cells
    }

    /// The guide's target range for the number of dimensions (2–3).
    pub fn dimension_target(&self) -> (usize, usize) {
        (self.config.dimensions.target_min, self.config.dimensions.target_max)
    }

    /// Tokenises a transcript with this rubric's stemmer.
    pub fn tokenize(&self, transcript: &Transcript) -> Tokenized {
        tokenize(transcript, &self.stemmer)
    }

    /// Scores one answer to `question` given a time box in seconds.
    pub fn evaluate(&self, question: &Question, transcript: &Transcript, time_box_s: f64) -> Evaluation {
        let tk = self.tokenize(transcript);
        let neg = &self.config.negation;
        let mut cells = Vec::with_capacity(self.config.cells.len());
        let mut restatement_at_s = None;
        for (def, matchers) in self.config.cells.iter().zip(&self.cells) {
            let mut units = 0usize;
            let mut ev: Vec<Evidence> = Vec::new();
            for (sig, m) in def.signals.iter().zip(matchers) {
                let cap = sig.max.unwrap_or(def.target);
                if sig.builtin == Some(Builtin::WithinTimeBox) {
                    if let Some(e) = within_time_box(transcript, time_box_s) {
                        units += cap.min(1);
                        ev.push(e);
                    }
                    continue;
                }
                let mut spans = m.find_affirmed(&tk, neg);
                match sig.builtin {
                    Some(Builtin::Numbers) => spans.extend(number_spans(&tk, neg)),
                    Some(Builtin::QuestionEcho) => spans.extend(self.echo_span(&tk, question)),
                    _ => {}
                }
                spans.sort_unstable();
                spans.retain(|s| self.position_ok(sig.position, &tk, transcript, *s));
                let distinct = first_per_sentence(&tk, spans);
                units += distinct.len().min(cap);
                ev.extend(distinct.into_iter().take(cap).map(|s| evidence(transcript, &tk, s)));
            }
            ev.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
            let score = if def.target == 0 {
                1.0
            } else {
                (units as f64 / def.target as f64).min(1.0)
            };
            if def.id == self.config.restatement.cell {
                restatement_at_s = ev.first().map(|e| e.start_s);
            }
            cells.push(CellResult {
                cell: def.id.clone(),
                covered: score + 1e-9 >= def.threshold,
                score,
                evidence: ev,
            });
        }
        let restatement_late = restatement_at_s.is_some_and(|t| t > self.config.restatement.late_after_s);

        let dimensions = self.dimensions(&tk, transcript);

        let content_points = question
            .content_points
            .iter()
            .map(|p| {
                let m = Matcher::new(&self.stemmer, &p.phrases, &p.patterns).unwrap_or_default();
                let spans = first_per_sentence(&tk, m.find_affirmed(&tk, neg));
                PointResult {
                    point: p.point.clone(),
                    covered: !spans.is_empty(),
                    evidence: spans
                        .into_iter()
                        .take(3)
                        .map(|s| evidence(transcript, &tk, s))
                        .collect(),
                }
            })
            .collect();
        let mistakes = question
            .mistakes
            .iter()
            .map(|mk| {
                let m = Matcher::new(&self.stemmer, &mk.phrases, &mk.patterns).unwrap_or_default();
                MistakeResult {
                    mistake: mk.mistake.clone(),
                    mentioned: !m.find_affirmed(&tk, neg).is_empty(),
                }
            })
            .collect();

        Evaluation {
            cells,
            restatement_at_s,
            restatement_late,
            dimensions,
            content_points,
            mistakes,
        }
    }

    fn position_ok(&self, pos: Position, tk: &Tokenized, transcript: &Transcript, span: Span) -> bool {
        match pos {
            Position::Any => true,
            Position::Early => {
                transcript.words[tk.tokens[span.first].word].start_s <= self.config.restatement.late_after_s
            }
            Position::Late => span.first as f64 >= LATE_FRACTION * tk.tokens.len() as f64,
        }
    }

    /// The stems of a prompt's content words (stopwords left out).
    pub fn prompt_stems(&self, prompt: &str) -> HashSet<String> {
        prompt
            .split_whitespace()
            .flat_map(normalise_word)
            .filter(|w| !self.stopwords.contains(w))
            .map(|w| stem_piece(&self.stemmer, &w))
            .collect()
    }

    /// True for a normalised word that is not a content word.
    pub fn is_stopword(&self, norm: &str) -> bool {
        self.stopwords.contains(norm)
    }

    /// An opening sentence that repeats enough of the prompt's content words.
    fn echo_span(&self, tk: &Tokenized, question: &Question) -> Option<Span> {
        let cfg = &self.config.restatement;
        let prompt = self.prompt_stems(&question.prompt);
        if prompt.is_empty() {
            return None;
        }
        let need = cfg
            .echo_min_terms
            .max((cfg.echo_min_fraction * prompt.len() as f64).ceil() as usize);
        for sentence in 0..tk.sentences.len().min(cfg.echo_sentences) {
            let mut seen: HashSet<&str> = HashSet::new();
            let mut first = None;
            let mut last = 0;
            for (i, t) in tk.tokens.iter().enumerate().filter(|(_, t)| t.sentence == sentence) {
                if prompt.contains(&t.stem) {
                    seen.insert(t.stem.as_str());
                    first.get_or_insert(i);
                    last = i;
                }
            }
            if seen.len() >= need
                && let Some(first) = first
            {
                return Some(Span { first, last });
            }
        }
        None
    }

    fn dimensions(&self, tk: &Tokenized, transcript: &Transcript) -> Vec<DimensionHit> {
        let cfg = &self.config.dimensions;
        let neg = &self.config.negation;
        let cues = self.dim_cues.find(tk);
        let mut hits: Vec<DimensionHit> = Vec::new();
        for (def, set) in cfg.items.iter().zip(&self.dims) {
            let found = set
                .find(tk)
                .into_iter()
                .filter(|d| !is_negated(tk, *d, neg))
                .find_map(|d| {
                    let sentence = tk.tokens[d.first].sentence;
                    cues.iter()
                        .filter(|c| tk.tokens[c.first].sentence == sentence)
                        .filter(|c| c.last < d.first || c.first > d.last)
                        .filter(|c| {
                            let gap = if c.last < d.first {
                                d.first - c.last - 1
                            } else {
                                c.first - d.last - 1
                            };
                            gap <= cfg.window
                        })
                        .min_by_key(|c| {
                            if c.last < d.first {
                                d.first - c.last
                            } else {
                                c.first - d.last
                            }
                        })
                        .map(|c| Span {
                            first: c.first.min(d.first),
                            last: c.last.max(d.last),
                        })
                });
            if let Some(span) = found {
                hits.push(DimensionHit {
                    name: def.name.clone(),
                    evidence: evidence(transcript, tk, span),
                });
            }
        }
        hits.sort_by(|a, b| a.evidence.start_s.total_cmp(&b.evidence.start_s));
        hits
    }
}

/// Keeps the first span in each sentence.
fn first_per_sentence(tk: &Tokenized, spans: Vec<Span>) -> Vec<Span> {
    let mut seen = HashSet::new();
    spans
        .into_iter()
        .filter(|s| seen.insert(tk.tokens[s.first].sentence))
        .collect()
}

/// Tokens with a digit, unless negated.
fn number_spans(tk: &Tokenized, neg: &NegationConfig) -> Vec<Span> {
    tk.tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| t.norm.bytes().any(|b| b.is_ascii_digit()))
        .map(|(i, _)| Span { first: i, last: i })
        .filter(|s| !is_negated(tk, *s, neg))
        .collect()
}

/// Time the answer used: until the last word ends; silence before Stop is not part of the answer. With no
/// words, the recording length.
pub fn time_used(transcript: &Transcript) -> f64 {
    transcript.speech_span().map_or(transcript.duration_s, |(_, end)| end)
}

fn within_time_box(transcript: &Transcript, time_box_s: f64) -> Option<Evidence> {
    let last = transcript.words.last()?;
    let used = time_used(transcript);
    (used <= time_box_s).then(|| Evidence {
        text: format!("finished at {} of {}", mmss(used), mmss(time_box_s)),
        start_s: last.start_s,
        end_s: last.end_s,
        sentence: None,
        why: None,
    })
}

fn validate(c: &RubricConfig) -> Result<(), String> {
    if c.version != 1 {
        return Err(format!("unsupported version {} (expected 1)", c.version));
    }
    if c.cells.is_empty() {
        return Err("no cells".into());
    }
    let mut ids = HashSet::new();
    for cell in &c.cells {
        if !ids.insert(cell.id.as_str()) {
            return Err(format!("duplicate cell id {:?}", cell.id));
        }
        if cell.target == 0 || !(cell.threshold > 0.0 && cell.threshold <= 1.0) {
            return Err(format!("cell {}: target must be > 0 and threshold in (0, 1]", cell.id));
        }
        for s in &cell.signals {
            if s.builtin.is_none() && s.phrases.is_empty() && s.patterns.is_empty() {
                return Err(format!("cell {}: signal {} has nothing to match", cell.id, s.id));
            }
        }
    }
    if !ids.contains(c.restatement.cell.as_str()) {
        return Err(format!("restatement.cell {:?} is not a cell", c.restatement.cell));
    }
    if c.dimensions.target_min > c.dimensions.target_max {
        return Err("dimensions.target_min is above target_max".into());
    }
    Ok(())
}

//! `rehearse eval LABELS`: how often the rubric agrees with a careful reader, on labelled answers it never
//! trained on. For each cell (restatement, trade-offs, boundaries, and the questions' content points) it
//! prints precision, recall and balanced accuracy for the phrase matcher alone, the semantic head alone and
//! the hybrid, plus the answers the hybrid gets wrong. The labels file format is documented in
//! `tests/fixtures/rubric-eval.toml`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

use super::Rubric;
use super::semantic::{self, Head, Mode, SentenceEncoder};
use crate::bank::Deck;
use crate::transcript::Transcript;

/// One labelled answer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledAnswer {
    /// Stable id, shown for misses.
    pub id: String,
    /// Question id in the deck (empty when `prompt` gives a question outside it).
    #[serde(default)]
    pub question: String,
    /// The question's text, for answers to a question outside the deck (e.g. another field's guide).
    #[serde(default)]
    pub prompt: Option<String>,
    /// The topic (guide) the question belongs to, for per-topic numbers.
    #[serde(default)]
    pub topic: Option<String>,
    /// Who wrote the answer, when known.
    #[serde(default)]
    pub writer: Option<String>,
    /// What sort of answer (explicit, paraphrase, trap, hedged, short, rambling, spoken).
    pub kind: String,
    /// The answer restates the problem.
    pub restatement: bool,
    /// The answer names a concrete trade-off.
    pub trade_offs: bool,
    /// The answer states a boundary.
    pub boundaries: bool,
    /// Per content point of the question, in deck order.
    #[serde(default)]
    pub points: Vec<bool>,
    /// What was said.
    pub text: String,
}

/// A labels file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSet {
    /// The answers.
    pub answer: Vec<LabelledAnswer>,
}

impl LabelSet {
    /// Reads a labels file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let src = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&src).with_context(|| format!("{} is not a labels file", path.display()))
    }
}

/// Confusion counts for one cell and one matcher.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Said covered, is covered.
    pub tp: usize,
    /// Said covered, is not.
    pub fp: usize,
    /// Said missing, is missing.
    pub tn: usize,
    /// Said missing, is covered.
    pub fn_: usize,
}

impl Counts {
    fn add(&mut self, predicted: bool, truth: bool) {
        match (predicted, truth) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, false) => self.tn += 1,
            (false, true) => self.fn_ += 1,
        }
    }

    /// tp / (tp + fp), 0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn).
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Mean of recall and specificity: 0.5 is chance whatever the class balance.
    pub fn balanced_accuracy(&self) -> f64 {
        (self.recall() + ratio(self.tn, self.tn + self.fp)) / 2.0
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The rubric cells the labels cover, with the label column each maps to.
pub const CELLS: [&str; 3] = ["restatement", "trade-offs", "boundaries"];
/// Pseudo-cell for content points.
pub const POINTS: &str = "content points";

/// Results per (cell, mode), and the hybrid's misses.
#[derive(Clone, Debug, Default)]
pub struct EvalResult {
    /// `(cell, mode, counts)` for every cell in [`CELLS`] and [`POINTS`], modes phrase/semantic/hybrid
    /// (semantic and hybrid only with an encoder).
    pub rows: Vec<(String, Mode, Counts)>,
    /// `(answer id, kind, cell, what the reader said)` where the hybrid (or phrases without an encoder) disagreed.
    pub misses: Vec<(String, String, String, bool)>,
    /// Per miss (same order as `misses`): the cell's threshold and the three best-scoring units or
    /// two-unit windows with their probabilities (phrase evidence without an encoder), for
    /// `rehearse eval --errors`.
    pub details: Vec<String>,
    /// Answers scored.
    pub answers: usize,
    /// Per topic (answers without one: none), the best matcher's counts per cell in [`CELLS`] order.
    pub topics: Vec<(String, [Counts; 3])>,
}

impl EvalResult {
    /// The counts for one cell and mode.
    pub fn counts(&self, cell: &str, mode: Mode) -> Option<Counts> {
        self.rows.iter().find(|r| r.0 == cell && r.1 == mode).map(|r| r.2)
    }
}

/// Scores every labelled answer with every available matcher.
pub fn evaluate(
    set: &LabelSet,
    deck: &Deck,
    rubric: &Rubric,
    head: &Head,
    encoder: Option<&dyn SentenceEncoder>,
) -> anyhow::Result<EvalResult> {
    let modes: &[Mode] = if encoder.is_some() {
        &[Mode::Phrase, Mode::Semantic, Mode::Hybrid]
    } else {
        &[Mode::Phrase]
    };
    let best = *modes.last().unwrap_or(&Mode::Phrase);
    let mut counts = vec![[Counts::default(); 3]; CELLS.len() + 1];
    let mut misses = Vec::new();
    let mut details = Vec::new();
    let signals = semantic::Signals::new(rubric);
    let mut topics: Vec<(String, [Counts; 3])> = Vec::new();
    let template = deck.questions.first().cloned().context("the deck has no questions")?;
    for a in &set.answer {
        let own;
        let q = match &a.prompt {
            Some(prompt) if deck.question(&a.question).is_none() => {
                let mut q = template.clone();
                q.id = a.id.clone();
                q.prompt.clone_from(prompt);
                q.hint.clear();
                q.content_points.clear();
                q.mistakes.clear();
                own = q;
                &own
            }
            _ => deck
                .question(&a.question)
                .with_context(|| format!("answer {}: no question {}", a.id, a.question))?,
        };
        let t = Transcript::from_plain_text(a.text.trim(), None);
        let phrase = rubric.evaluate(q, &t, q.time_box_s);
        let encoded = encoder.map(|e| semantic::encode(rubric, &t, e, Some(&q.prompt)));
        let truth = [a.restatement, a.trade_offs, a.boundaries];
        for (mi, &mode) in modes.iter().enumerate() {
            let mut cells = phrase.cells.clone();
            let mut points: Vec<bool> = phrase.content_points.iter().map(|p| p.covered).collect();
            if let Some(enc) = &encoded {
                semantic::apply(rubric, head, mode, Some(q), &t, enc, &mut cells);
                if mode != Mode::Phrase
                    && let Some(encoder) = encoder
                {
                    let sem = semantic::points(q, enc, encoder);
                    for (p, s) in points.iter_mut().zip(sem) {
                        *p = if mode == Mode::Hybrid { *p || s } else { s };
                    }
                }
            }
            for (ci, cell) in CELLS.iter().enumerate() {
                let got = cells.iter().find(|c| c.cell == *cell).is_some_and(|c| c.covered);
                counts[ci][mi].add(got, truth[ci]);
                if let Some(topic) = a.topic.as_ref().filter(|_| mode == best) {
                    let at = match topics.iter().position(|t| &t.0 == topic) {
                        Some(i) => i,
                        None => {
                            topics.push((topic.clone(), [Counts::default(); 3]));
                            topics.len() - 1
                        }
                    };
                    topics[at].1[ci].add(got, truth[ci]);
                }
                if mode == best && got != truth[ci] {
                    misses.push((a.id.clone(), a.kind.clone(), (*cell).to_string(), truth[ci]));
                    details.push(explain(rubric, head, &signals, q, &t, encoded.as_ref(), &cells, cell));
                }
            }
            for (pi, want) in a.points.iter().enumerate() {
                let got = points.get(pi).copied().unwrap_or(false);
                counts[CELLS.len()][mi].add(got, *want);
            }
        }
    }
    let mut rows = Vec::new();
    for (ci, name) in CELLS.iter().chain(std::iter::once(&POINTS)).enumerate() {
        for (mi, &mode) in modes.iter().enumerate() {
            rows.push(((*name).to_string(), mode, counts[ci][mi]));
        }
    }
    Ok(EvalResult {
        rows,
        misses,
        details,
        answers: set.answer.len(),
        topics,
    })
}

/// Why the best matcher decided as it did on one cell of one answer: its three best units (or windows of
/// two) with their probabilities against the threshold, or the phrase evidence without an encoder.
#[allow(clippy::too_many_arguments)]
fn explain(
    rubric: &Rubric,
    head: &Head,
    signals: &semantic::Signals,
    q: &crate::bank::Question,
    t: &Transcript,
    encoded: Option<&semantic::Encoded>,
    cells: &[super::CellResult],
    cell: &str,
) -> String {
    let (Some(enc), Some(ch)) = (encoded, head.cells.iter().find(|c| c.cell == cell)) else {
        return cells
            .iter()
            .find(|c| c.cell == cell)
            .map(|c| {
                c.evidence
                    .iter()
                    .map(|e| format!("phrase: \"{}\"", e.text))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
    };
    let f = enc.features(signals, rubric, Some(q), t, cell);
    let c = semantic::Classifier::for_answer(ch, Mode::Hybrid, enc);
    let mut scores = semantic::scores_with(c, &f);
    scores.sort_by(|a, b| b.p.total_cmp(&a.p));
    let mut out = format!("threshold {:.2}", c.lr.threshold);
    for s in scores.iter().take(3) {
        let text = match (s.window, s.unit.checked_sub(1)) {
            (true, Some(prev)) => format!("{} | {}", enc.units[prev].text, enc.units[s.unit].text),
            _ => enc.units[s.unit].text.clone(),
        };
        let _ = write!(out, "\n      {:.2} \"{text}\"", s.p);
    }
    out
}

/// Runs the evaluation and renders the table (the `rehearse eval` command). Without an encoder only the
/// phrase matcher is measured, and the output says how to turn the model on.
pub fn run(
    labels: &Path,
    deck: &Deck,
    head: &Head,
    encoder: Option<&dyn SentenceEncoder>,
    errors: bool,
) -> anyhow::Result<String> {
    let set = LabelSet::load(labels)?;
    let rubric = Rubric::embedded()?;
    let result = evaluate(&set, deck, &rubric, head, encoder)?;
    let mut out = render(&result);
    if errors {
        out.push_str(&render_errors(&result));
    }
    Ok(out)
}

/// The disagreements with what decided each one (`rehearse eval --errors`).
pub fn render_errors(r: &EvalResult) -> String {
    let mut out = String::new();
    if r.misses.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nwhy ({}):", r.misses.len());
    for ((id, kind, cell, truth), why) in r.misses.iter().zip(&r.details) {
        let said = if *truth { "missed" } else { "false hit" };
        let _ = writeln!(out, "  {id} ({kind}) {cell} {said}: {why}");
    }
    out
}

/// The table and the misses, as text.
pub fn render(r: &EvalResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} labelled answers", r.answers);
    let _ = writeln!(
        out,
        "{:<15} {:<9} {:>9} {:>7} {:>9}   tp fp tn fn",
        "cell", "matcher", "precision", "recall", "bal.acc"
    );
    for (cell, mode, c) in &r.rows {
        let m = match mode {
            Mode::Phrase => "phrase",
            Mode::Semantic => "semantic",
            Mode::Hybrid => "hybrid",
        };
        let _ = writeln!(
            out,
            "{cell:<15} {m:<9} {:>9.3} {:>7.3} {:>9.3}   {} {} {} {}",
            c.precision(),
            c.recall(),
            c.balanced_accuracy(),
            c.tp,
            c.fp,
            c.tn,
            c.fn_
        );
    }
    if !r.topics.is_empty() {
        let _ = writeln!(
            out,
            "\nper topic, best matcher: balanced accuracy (precision) restatement / trade-offs / boundaries"
        );
        for (topic, c) in &r.topics {
            let cell = |c: &Counts| format!("{:.2} ({:.2})", c.balanced_accuracy(), c.precision());
            let _ = writeln!(out, "  {topic:<50} {} / {} / {}", cell(&c[0]), cell(&c[1]), cell(&c[2]));
        }
    }
    if !r.misses.is_empty() {
        let _ = writeln!(out, "\ndisagreements ({}):", r.misses.len());
        for (id, kind, cell, truth) in &r.misses {
            let said = if *truth { "missed" } else { "false hit" };
            let _ = writeln!(out, "  {id:<22} {kind:<10} {cell:<12} {said}");
        }
    }
    out
}

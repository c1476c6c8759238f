//! The practice programme: the seed guide's preparation roadmap as a day-by-day plan from a start date to the
//! interview, driven by the person's own scored attempts.
//!
//! The guide's roadmap is seven *units* — two fundamentals days (90-second explain drills on the easy
//! questions), two scenario-drill days (six 3-minute drills), two panel-simulation days (one full mock each),
//! one weakness-blitz day (three 20-minute sets on the worst rubric cell from the mocks) — then a cadence of a
//! 30-minute daily drill plus a weekly mock until the interview. When fewer days remain than units, adjacent
//! units share a day, in the guide's order, and drills are trimmed, but the two mocks and the blitz stay.
//!
//! Nothing here is stored but the two dates ([`file`]): progress is derived from the attempts every time, so
//! a missed day rolls forward (what was not done is laid out again from today) and practising ahead counts
//! (a step is done whenever its answers exist). Pure: dates in, plan out, no clock, UI or disk.

pub mod file;
pub mod progress;
pub mod schedule;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::bank::{Difficulty, Question};
use crate::store::{Attempt, SelfScores};
pub use schedule::{Pick, Scheduler};

/// Days the full roadmap needs before cadence starts (the guide's "Day 8+").
pub const FULL_PROGRAMME_DAYS: i64 = 8;
/// The explain drills' time-box: "explain it in 90 seconds to a smart non-expert".
pub const EXPLAIN_S: u32 = 90;
/// A blitz set's length, minutes.
pub const BLITZ_MINUTES: u32 = 20;
/// The cadence drill's length, minutes.
pub const CADENCE_MINUTES: u32 = 30;
/// Questions in a mock panel.
pub const MOCK_QUESTIONS: usize = 4;
/// A mock panel's length, minutes (four questions with follow-ups, then the report).
pub const MOCK_MINUTES: u32 = 45;
/// Questions in a blitz set (three 3-minute answers and their reviews fill 20 minutes).
const BLITZ_QUESTIONS: usize = 3;
/// Questions in the cadence drill.
const CADENCE_QUESTIONS: usize = 4;
/// Minutes to listen back and self-score after one answer.
const REVIEW_MINUTES: u32 = 4;
/// Scenario drills in the programme.
const SCENARIO_DRILLS: usize = 6;

/// A phase of the roadmap. Serialised names are a contract (`rehearse plan --json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Days 1–2: explain the basics in 90 seconds.
    Fundamentals,
    /// Days 3–4: six timed drills.
    ScenarioDrills,
    /// Days 5–6: two full mock panels.
    PanelSimulation,
    /// Day 7: three sets on the worst cell from the mocks.
    WeaknessBlitz,
    /// Day 8+: a daily drill and a weekly mock.
    Cadence,
}

impl Phase {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fundamentals => "fundamentals",
            Self::ScenarioDrills => "scenario-drills",
            Self::PanelSimulation => "panel-simulation",
            Self::WeaknessBlitz => "weakness-blitz",
            Self::Cadence => "cadence",
        }
    }

    /// For people: "Scenario drills".
    pub fn title(self) -> &'static str {
        match self {
            Self::Fundamentals => "Fundamentals",
            Self::ScenarioDrills => "Scenario drills",
            Self::PanelSimulation => "Panel simulation",
            Self::WeaknessBlitz => "Weakness blitz",
            Self::Cadence => "Cadence",
        }
    }
}

/// What a step asks for. Serialised names are a contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// A 90-second explanation, with the hint and example read first.
    Explain,
    /// A timed answer followed by its review.
    Drill,
    /// A full-loop mock panel.
    Mock,
    /// A 20-minute set aimed at one rubric cell.
    Blitz,
}

impl StepKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Explain => "explain",
            Self::Drill => "drill",
            Self::Mock => "mock",
            Self::Blitz => "blitz",
        }
    }
}

/// One thing to do on a day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// What kind of practice.
    pub kind: StepKind,
    /// The questions, in the order to answer them.
    pub question_ids: Vec<String>,
    /// Time-box of each answer, seconds.
    pub time_box_s: u32,
    /// How long the step takes, reviews included.
    pub minutes: u32,
    /// The rubric cell a blitz aims at (known once a mock is scored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cell: Option<String>,
    /// Why this step and these questions, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
    /// Its answers exist.
    #[serde(default)]
    pub done: bool,
    /// Answers counted towards it so far.
    #[serde(default)]
    pub answered: usize,
    /// Why each question was picked (parallel to `question_ids`; empty when they were not picked).
    #[serde(skip)]
    pub reasons: Vec<String>,
    /// When its last answer was recorded.
    #[serde(skip)]
    pub done_at: Option<OffsetDateTime>,
}

impl Step {
    fn new(kind: StepKind, question_ids: Vec<String>, time_box_s: u32, minutes: u32, why: String) -> Self {
        Self {
            kind,
            question_ids,
            time_box_s,
            minutes,
            target_cell: None,
            why,
            done: false,
            answered: 0,
            reasons: Vec::new(),
            done_at: None,
        }
    }

    /// The question to answer next in this step.
    pub fn next_question(&self) -> Option<&str> {
        let n = self.question_ids.len();
        if n == 0 {
            return None;
        }
        let i = match self.kind {
            StepKind::Explain | StepKind::Drill | StepKind::Mock => self.answered.min(n - 1),
            StepKind::Blitz => self.answered % n,
        };
        self.question_ids.get(i).map(String::as_str)
    }

    /// Why the next question was picked, else why the step.
    pub fn next_reason(&self) -> &str {
        let n = self.question_ids.len().max(1);
        self.reasons
            .get(self.answered % n)
            .filter(|r| !r.is_empty())
            .map_or(self.why.as_str(), String::as_str)
    }
}

/// One day of the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// The date.
    #[serde(with = "ymd")]
    pub date: Date,
    /// 1 on the start date.
    pub day: i64,
    /// The phase that takes most of the day.
    pub phase: Phase,
    /// What to do, in order. A day before today lists what was done on it: what it held and was not done
    /// has moved on to the days after, so it is listed once, where it is still to do.
    pub steps: Vec<Step>,
    /// A day before today without a scored answer (its steps moved on).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missed: bool,
}

/// The whole plan. Its JSON (`rehearse plan --json`) is a contract: names stay as they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// First day.
    #[serde(with = "ymd")]
    pub start: Date,
    /// The interview; the last practice day is the day before.
    #[serde(with = "ymd")]
    pub interview: Date,
    /// Every day from the start to the day before the interview.
    pub days: Vec<Day>,
}

/// The weakest rubric cell in the mocks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorstCell {
    /// Cell id, e.g. "trade-offs".
    pub cell: String,
    /// Mean automatic score in the mocks, 0–1.
    pub auto: f64,
    /// Mean self-score in the mocks mapped to 0–1 (1 → 0, 5 → 1), where the person rated this cell.
    pub self_score: Option<f64>,
    /// Mock answers it is based on.
    pub answers: usize,
}

impl WorstCell {
    /// "trade-offs is your weakest cell in the mocks (rubric 35%, you 50%)".
    pub fn describe(&self) -> String {
        let you = self
            .self_score
            .map_or_else(String::new, |s| format!(", you {:.0}%", s * 100.0));
        format!(
            "{} is your weakest cell in the mocks (rubric {:.0}%{you})",
            self.cell,
            self.auto * 100.0
        )
    }
}

/// One scored answer, as the plan sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Practice {
    /// Attempt id.
    pub attempt_id: String,
    /// Question answered.
    pub question_id: String,
    /// When it was recorded.
    pub at: OffsetDateTime,
    /// The calendar day it was recorded on, in the offset it was recorded in (so an answer at 00:30 local
    /// time belongs to that day whatever the time zone or daylight-saving change since).
    pub date: Date,
    /// Automatic score per rubric cell, 0–1.
    pub cells: Vec<(String, f64)>,
    /// The person's own ratings.
    pub self_scores: Option<SelfScores>,
    /// The mock panel it was part of.
    pub panel: Option<String>,
}

impl Practice {
    /// A scored attempt as practice; `None` when it has no readable report (not scored, failed, no speech).
    pub fn from_attempt(a: &Attempt) -> Option<Self> {
        let rubric = a.report.as_ref()?.get("rubric")?.as_array()?;
        let cells: Vec<(String, f64)> = rubric
            .iter()
            .filter_map(|c| Some((c.get("cell")?.as_str()?.to_owned(), c.get("score")?.as_f64()?)))
            .collect();
        if cells.is_empty() {
            return None;
        }
        // An answer in a mock panel carries the panel's id.
        let panel = a.panel.as_ref().map(|p| p.id.clone());
        Some(Self {
            attempt_id: a.id.clone(),
            question_id: a.question_id.clone(),
            at: a.started_at,
            date: a.started_at.date(),
            cells,
            self_scores: a.self_scores,
            panel,
        })
    }

    /// Every scored attempt in `attempts` as practice, oldest first.
    pub fn from_attempts<'a>(attempts: impl IntoIterator<Item = &'a Attempt>) -> Vec<Self> {
        let mut v: Vec<Self> = attempts.into_iter().filter_map(Self::from_attempt).collect();
        v.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.attempt_id.cmp(&b.attempt_id)));
        v
    }

    /// The self-score for a cell, mapped to 0–1.
    pub fn self_score(&self, cell: &str) -> Option<f64> {
        let s = self.self_scores?;
        let v = match cell {
            "restatement" => s.restatement,
            "trade-offs" => s.trade_offs,
            "execution" => s.execution,
            "communication" => s.communication,
            _ => return None,
        };
        Some((f64::from(v) - 1.0) / 4.0)
    }

    /// Each cell's grade: the automatic score, lowered to the self-score where that is lower.
    pub fn graded_cells(&self) -> Vec<(String, f64)> {
        self.cells
            .iter()
            .map(|(c, s)| (c.clone(), self.self_score(c).map_or(*s, |me| s.min(me))))
            .collect()
    }
}

/// The worst cell over `answers`: lowest mean grade (automatic, lowered by the self-score where lower); ties
/// go to the rubric's order.
pub fn worst_cell(answers: &[&Practice]) -> Option<WorstCell> {
    /// A cell's automatic scores, grades and self-scores over the answers.
    type Scores = (String, Vec<f64>, Vec<f64>, Vec<f64>);
    let mut cells: Vec<Scores> = Vec::new();
    for p in answers {
        for ((cell, auto), (_, graded)) in p.cells.iter().zip(p.graded_cells()) {
            let i = cells.iter().position(|c| &c.0 == cell).unwrap_or_else(|| {
                cells.push((cell.clone(), Vec::new(), Vec::new(), Vec::new()));
                cells.len() - 1
            });
            cells[i].1.push(*auto);
            cells[i].2.push(graded);
            if let Some(me) = p.self_score(cell) {
                cells[i].3.push(me);
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    cells
        .iter()
        .enumerate()
        .min_by(|a, b| mean(&a.1.2).total_cmp(&mean(&b.1.2)).then(a.0.cmp(&b.0)))
        .map(|(_, (cell, auto, _, me))| WorstCell {
            cell: cell.clone(),
            auto: mean(auto),
            self_score: (!me.is_empty()).then(|| mean(me)),
            answers: auto.len(),
        })
}

/// A unit of the roadmap: what one day holds when there is time for everything.
#[derive(Clone, Debug)]
struct Unit {
    phase: Phase,
    steps: Vec<Step>,
}

impl Unit {
    fn done_at(&self) -> Option<OffsetDateTime> {
        let mut last: Option<OffsetDateTime> = None;
        for s in &self.steps {
            let d = s.done_at?;
            last = Some(last.map_or(d, |l| l.max(d)));
        }
        last
    }
}

fn minutes_for(time_box_s: u32, answers: usize) -> u32 {
    (time_box_s.div_ceil(60) + REVIEW_MINUTES) * answers as u32
}

fn box_of(q: &Question) -> u32 {
    q.time_box_s.round().clamp(1.0, 3600.0) as u32
}

/// `n` questions from `pool` starting at `from`, wrapping around.
fn cycle(pool: &[&Question], from: usize, n: usize) -> Vec<String> {
    if pool.is_empty() {
        return Vec::new();
    }
    (0..n.min(pool.len()))
        .map(|i| pool[(from + i) % pool.len()].id.clone())
        .collect()
}

fn mock_step(questions: &[Question], k: usize) -> Step {
    let all: Vec<&Question> = questions.iter().collect();
    let ids = cycle(&all, k * MOCK_QUESTIONS, MOCK_QUESTIONS);
    let n = ids.len();
    let time_box = all.first().map_or(180, |q| box_of(q));
    Step::new(
        StepKind::Mock,
        ids,
        time_box,
        MOCK_MINUTES,
        format!("full-loop mock: {n} questions in turn, no hint, scored against the rubric"),
    )
}

/// The seven units of the roadmap for a deck.
fn core_units(questions: &[Question]) -> Vec<Unit> {
    let easy: Vec<&Question> = questions.iter().filter(|q| q.difficulty == Difficulty::Easy).collect();
    let easy = if easy.is_empty() {
        questions.iter().collect()
    } else {
        easy
    };
    let harder: Vec<&Question> = questions.iter().filter(|q| q.difficulty != Difficulty::Easy).collect();
    let harder = if harder.is_empty() {
        questions.iter().collect()
    } else {
        harder
    };
    let half = easy.len().div_ceil(2);
    let explain = |qs: &[&Question]| -> Vec<Step> {
        qs.iter()
            .map(|q| {
                Step::new(
                    StepKind::Explain,
                    vec![q.id.clone()],
                    EXPLAIN_S,
                    minutes_for(EXPLAIN_S, 1),
                    "explain it in 90 seconds to a smart non-expert; read the hint and example first".into(),
                )
            })
            .collect()
    };
    let (e1, e2) = easy.split_at(half.min(easy.len()));
    let e2 = if e2.is_empty() { e1 } else { e2 };
    let drills: Vec<Step> = cycle(&harder, 0, SCENARIO_DRILLS.min(harder.len()).max(1))
        .into_iter()
        .chain(cycle(
            &harder,
            SCENARIO_DRILLS.min(harder.len()),
            SCENARIO_DRILLS.saturating_sub(harder.len()),
        ))
        .map(|id| {
            let tb = questions.iter().find(|q| q.id == id).map_or(180, box_of);
            Step::new(
                StepKind::Drill,
                vec![id],
                tb,
                minutes_for(tb, 1),
                "scenario drill: verbalise your thinking against the clock, then review".into(),
            )
        })
        .collect();
    let (d1, d2) = drills.split_at(drills.len().div_ceil(2));
    let blitz: Vec<Step> = (0..3)
        .map(|_| {
            Step::new(
                StepKind::Blitz,
                Vec::new(),
                questions.first().map_or(180, box_of),
                BLITZ_MINUTES,
                "the weakest rubric cell in your mocks, on questions you have practised".into(),
            )
        })
        .collect();
    vec![
        Unit {
            phase: Phase::Fundamentals,
            steps: explain(e1),
        },
        Unit {
            phase: Phase::Fundamentals,
            steps: explain(e2),
        },
        Unit {
            phase: Phase::ScenarioDrills,
            steps: d1.to_vec(),
        },
        Unit {
            phase: Phase::ScenarioDrills,
            steps: d2.to_vec(),
        },
        Unit {
            phase: Phase::PanelSimulation,
            steps: vec![mock_step(questions, 0)],
        },
        Unit {
            phase: Phase::PanelSimulation,
            steps: vec![mock_step(questions, 1)],
        },
        Unit {
            phase: Phase::WeaknessBlitz,
            steps: blitz,
        },
    ]
}

/// Panels in `practice` since the plan started, oldest first: (id, its answers).
fn panels<'a>(practice: &[&'a Practice]) -> Vec<(String, Vec<&'a Practice>)> {
    let mut out: Vec<(String, Vec<&Practice>)> = Vec::new();
    for p in practice {
        if let Some(id) = &p.panel {
            match out.iter_mut().find(|(i, _)| i == id) {
                Some((_, v)) => v.push(p),
                None => out.push((id.clone(), vec![p])),
            }
        }
    }
    out
}

/// Marks what the attempts since the start have done in the core units, fills in the blitz from the mocks,
/// and returns the mocks' worst cell and the panels the core mocks used.
fn apply_progress(
    units: &mut [Unit],
    practice: &[&Practice],
    blitz_order: impl Fn(&str) -> Vec<(String, String)>,
) -> (Option<WorstCell>, Vec<String>) {
    let singles: Vec<&Practice> = practice.iter().copied().filter(|p| p.panel.is_none()).collect();
    let all_panels = panels(practice);
    let mut used_panels: Vec<String> = Vec::new();
    let mut mock_answers: Vec<&Practice> = Vec::new();
    let mut worst = None;
    let mut prev_done: Option<Option<OffsetDateTime>> = Some(None);
    for unit in units.iter_mut() {
        let after = prev_done;
        let later = |p: &&Practice| match after {
            Some(Some(t)) => p.at > t,
            Some(None) => true,
            None => false,
        };
        let mut blitz_seen = 0;
        for step in &mut unit.steps {
            match step.kind {
                StepKind::Explain | StepKind::Drill => {
                    if let Some(p) = step
                        .question_ids
                        .first()
                        .and_then(|q| singles.iter().find(|p| &p.question_id == q))
                    {
                        step.done_at = Some(p.at);
                        step.answered = 1;
                    }
                }
                StepKind::Mock => {
                    if let Some((id, answers)) = all_panels.iter().find(|(id, _)| !used_panels.contains(id)) {
                        used_panels.push(id.clone());
                        step.done_at = answers.iter().map(|p| p.at).max();
                        step.answered = answers.len();
                        mock_answers.extend(answers.iter().copied());
                    } else {
                        // No panel: answering the step's questions in turn after the previous day counts.
                        let found: Vec<&Practice> = step
                            .question_ids
                            .iter()
                            .filter_map(|q| singles.iter().copied().filter(later).find(|p| &p.question_id == q))
                            .collect();
                        step.answered = found.len();
                        if found.len() == step.question_ids.len() && !found.is_empty() {
                            step.done_at = found.iter().map(|p| p.at).max();
                            mock_answers.extend(found);
                        }
                    }
                }
                StepKind::Blitz => {
                    if worst.is_none() {
                        worst = worst_cell(&mock_answers);
                    }
                    if let Some(w) = &worst {
                        let order = blitz_order(&w.cell);
                        let ids: Vec<String> = (0..BLITZ_QUESTIONS.min(order.len()))
                            .map(|i| order[(blitz_seen * BLITZ_QUESTIONS + i) % order.len()].0.clone())
                            .collect();
                        step.reasons = (0..ids.len())
                            .map(|i| order[(blitz_seen * BLITZ_QUESTIONS + i) % order.len()].1.clone())
                            .collect();
                        step.question_ids = ids;
                        step.target_cell = Some(w.cell.clone());
                        step.why = format!("{}; three focused sets on that gap, not new content", w.describe());
                        let eligible: Vec<&&Practice> = singles.iter().filter(|p| later(p)).collect();
                        let from = blitz_seen * BLITZ_QUESTIONS;
                        step.answered = eligible.len().saturating_sub(from).min(BLITZ_QUESTIONS);
                        if let Some(p) = eligible.get(from + BLITZ_QUESTIONS - 1) {
                            step.done_at = Some(p.at);
                        }
                    }
                    blitz_seen += 1;
                }
            }
            step.done = step.done_at.is_some();
        }
        prev_done = unit.done_at().map(Some);
    }
    if worst.is_none() {
        worst = worst_cell(&mock_answers);
    }
    (worst, used_panels)
}

/// How well two adjacent groups share a day (lower is better): same phase, then fundamentals with
/// scenario drills, then the mocks with the blitz.
fn merge_cost(a: &[Unit], b: &[Unit]) -> u8 {
    let (Some(x), Some(y)) = (a.last(), b.first()) else {
        return 9;
    };
    match (x.phase, y.phase) {
        (p, q) if p == q => 0,
        (Phase::Fundamentals, Phase::ScenarioDrills) => 1,
        (Phase::PanelSimulation, Phase::WeaknessBlitz) => 2,
        _ => 3,
    }
}

/// Puts `units` (in order) on at most `days` days, merging neighbours when there are more units than days;
/// a shared day is trimmed (fewer explains and drills, one blitz set beside a mock) but keeps every mock.
fn compress(units: Vec<Unit>, days: usize) -> Vec<Vec<Unit>> {
    let mut groups: Vec<Vec<Unit>> = units.into_iter().map(|u| vec![u]).collect();
    while groups.len() > days.max(1) {
        let Some(i) = (0..groups.len() - 1).min_by_key(|&i| (merge_cost(&groups[i], &groups[i + 1]), i)) else {
            break;
        };
        let next = groups.remove(i + 1);
        groups[i].extend(next);
    }
    groups
}

/// The day's steps from its units, trimmed when several share it, and the phase with most minutes in the
/// day (ties go to the later phase).
fn day_steps(group: &[Unit]) -> (Vec<Step>, Phase) {
    let has_mock = group.iter().any(|u| u.phase == Phase::PanelSimulation);
    let shared = group.len() > 1;
    let kinds = group
        .iter()
        .map(|u| u.phase)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    let (explain_cap, drill_cap, blitz_cap) = match (shared, kinds || has_mock) {
        (false, _) => (usize::MAX, usize::MAX, usize::MAX),
        (true, false) => (usize::MAX, 4, usize::MAX),
        (true, true) => (2, 2, if has_mock { 1 } else { usize::MAX }),
    };
    let mut counts = [0usize; 4];
    let mut out = Vec::new();
    let mut minutes: Vec<(Phase, u32)> = Vec::new();
    for u in group {
        for s in &u.steps {
            let (slot, cap) = match s.kind {
                StepKind::Explain => (0, explain_cap),
                StepKind::Drill => (1, drill_cap),
                StepKind::Mock => (2, usize::MAX),
                StepKind::Blitz => (3, blitz_cap),
            };
            if s.done || counts[slot] < cap {
                counts[slot] += 1;
                out.push(s.clone());
                match minutes.iter_mut().find(|(p, _)| *p == u.phase) {
                    Some((_, m)) => *m += s.minutes,
                    None => minutes.push((u.phase, s.minutes)),
                }
            }
        }
    }
    let phase = minutes
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .map_or(Phase::Cadence, |(p, _)| *p);
    (out, phase)
}

/// What the plan reads: the deck, the scored attempts, and today.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// First day.
    pub start: Date,
    /// The interview.
    pub interview: Date,
    /// The questions the plan draws on (deck order).
    pub questions: &'a [Question],
    /// Scored attempts, any order.
    pub practice: &'a [Practice],
    /// Today's date, in local time.
    pub today: Date,
}

/// Today's place in the plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Today {
    /// Today.
    #[serde(with = "ymd")]
    pub date: Date,
    /// Plan day number (1 on the start date; below 1 before it starts).
    pub day: i64,
    /// Days until the interview (0 on the day).
    pub days_to_interview: i64,
    /// Today's phase (none before the start, on or after the interview).
    pub phase: Option<Phase>,
    /// Today's steps.
    pub steps: Vec<Step>,
    /// The step to do now: the first undone one today, else the next one ahead.
    pub next: Option<Next>,
    /// Every step for today is done.
    pub done_today: bool,
    /// Roadmap units (days 1–7) done, of 7.
    pub roadmap_done: usize,
    /// Roadmap units in all.
    pub roadmap_total: usize,
    /// Roadmap steps from earlier days that were not done and are laid out again from today.
    pub rolled_forward: usize,
    /// Days from the start to yesterday without a scored answer.
    pub missed_days: usize,
    /// Days in a row with at least one scored answer, up to today (or yesterday, before today's first).
    pub streak: u32,
    /// The weakest cell in the mocks, once there are mock answers.
    pub worst_cell: Option<WorstCell>,
}

impl Today {
    /// "Missed 4 days; 11 steps from earlier days are laid out again from today", or `None` when nothing
    /// rolled forward.
    pub fn rolled_forward_line(&self) -> Option<String> {
        let steps = match self.rolled_forward {
            0 => return None,
            1 => "1 step".to_owned(),
            n => format!("{n} steps"),
        };
        let are = if self.rolled_forward == 1 { "is" } else { "are" };
        let moved = format!("{steps} from earlier days {are} laid out again from today");
        Some(match self.missed_days {
            0 => moved,
            1 => format!("Missed 1 day; {moved}"),
            n => format!("Missed {n} days; {moved}"),
        })
    }
}

/// The step to do now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Next {
    /// Index in today's steps, or `None` when it is a step from a later day (practising ahead).
    pub index: Option<usize>,
    /// The step.
    pub step: Step,
    /// The question to answer.
    pub question_id: Option<String>,
    /// Why: the question's reason or the step's.
    pub why: String,
    /// It belongs to a later day.
    pub ahead: bool,
}

/// Everything derived for one plan: the core units with progress, then the day layout.
struct Derived<'a> {
    inputs: Inputs<'a>,
    units: Vec<Unit>,
    worst: Option<WorstCell>,
    used_panels: Vec<String>,
}

impl<'a> Derived<'a> {
    fn new(inputs: Inputs<'a>) -> Self {
        let since: Vec<&Practice> = inputs.practice.iter().filter(|p| p.date >= inputs.start).collect();
        let mut sorted = since;
        sorted.sort_by_key(|p| p.at);
        let mut units = core_units(inputs.questions);
        let all: Vec<&Practice> = inputs.practice.iter().collect();
        let questions = inputs.questions;
        let blitz_order = |cell: &str| blitz_questions(questions, &all, cell);
        let (worst, used_panels) = apply_progress(&mut units, &sorted, blitz_order);
        Self {
            inputs,
            units,
            worst,
            used_panels,
        }
    }

    /// The days from `from` (≥ start) to the interview as laid out on `from`: the units not done before
    /// `from`, compressed to fit, then cadence.
    fn layout_from(&self, from: Date) -> Vec<Day> {
        let i = self.inputs;
        let left = (i.interview - from).whole_days();
        if left <= 0 {
            return Vec::new();
        }
        let remaining: Vec<Unit> = self
            .units
            .iter()
            .filter(|u| u.done_at().is_none_or(|t| t.date() >= from))
            .cloned()
            .collect();
        let groups = if remaining.is_empty() {
            Vec::new()
        } else {
            compress(remaining, left as usize)
        };
        let first_number = (from - i.start).whole_days() + 1;
        let mut days = Vec::new();
        for (k, g) in groups.iter().enumerate() {
            let (steps, phase) = day_steps(g);
            days.push(Day {
                date: from + time::Duration::days(k as i64),
                day: first_number + k as i64,
                phase,
                steps,
                missed: false,
            });
        }
        let mut mocks = 2;
        for k in groups.len() as i64..left {
            let date = from + time::Duration::days(k);
            let number = first_number + k;
            days.push(self.cadence_day(date, number, &mut mocks));
        }
        days
    }

    fn cadence_day(&self, date: Date, number: i64, mocks: &mut usize) -> Day {
        let i = self.inputs;
        let before: Vec<Practice> = i.practice.iter().filter(|p| p.date < date).cloned().collect();
        let picks = Scheduler::from_practice(&before).pick(i.questions, date, CADENCE_QUESTIONS);
        let on_day: Vec<&Practice> = i.practice.iter().filter(|p| p.date == date).collect();
        let singles: Vec<&&Practice> = on_day.iter().filter(|p| p.panel.is_none()).collect();
        let time_box = i.questions.first().map_or(180, box_of);
        let mut drill = Step::new(
            StepKind::Drill,
            picks.iter().map(|p| p.question_id.clone()).collect(),
            time_box,
            CADENCE_MINUTES,
            "the daily 30-minute drill: questions due for review, weakest first".into(),
        );
        drill.reasons = picks.iter().map(|p| p.why.clone()).collect();
        drill.answered = singles.len().min(drill.question_ids.len());
        if !drill.question_ids.is_empty() && singles.len() >= drill.question_ids.len().min(3) {
            drill.done_at = singles.iter().map(|p| p.at).max();
        }
        drill.done = drill.done_at.is_some();
        let mut steps = vec![drill];
        if number % 7 == 0 {
            let mut mock = mock_step(i.questions, *mocks);
            *mocks += 1;
            mock.why = "the weekly full-loop mock".into();
            let day_panels = panels(&on_day);
            if let Some((_, answers)) = day_panels.iter().find(|(id, _)| !self.used_panels.contains(id)) {
                mock.answered = answers.len();
                mock.done_at = answers.iter().map(|p| p.at).max();
            }
            mock.done = mock.done_at.is_some();
            steps.push(mock);
        }
        Day {
            date,
            day: number,
            phase: Phase::Cadence,
            steps,
            missed: false,
        }
    }

    /// A day before today: its phase as it was laid out that morning, the steps done on it (those of later
    /// days too, when practising ahead), and missed when nothing was practised. What it held and was not done
    /// is not repeated here: it rolled forward and is listed where it is still to do.
    fn past_day(&self, date: Date) -> Option<Day> {
        let laid = self.layout_from(date).into_iter().next()?;
        let on_date = |s: &&Step| s.done_at.is_some_and(|t| t.date() == date);
        let mut steps: Vec<Step> = self
            .units
            .iter()
            .flat_map(|u| &u.steps)
            .filter(on_date)
            .cloned()
            .collect();
        if laid.phase == Phase::Cadence {
            steps.extend(laid.steps.iter().filter(on_date).cloned());
        }
        Some(Day {
            steps,
            missed: !self.inputs.practice.iter().any(|p| p.date == date),
            ..laid
        })
    }

    /// Days from the start to before `today` (and before the interview) without a scored answer.
    fn missed_days(&self, today: Date) -> usize {
        let i = self.inputs;
        let end = today.min(i.interview);
        let practised: std::collections::BTreeSet<Date> = i.practice.iter().map(|p| p.date).collect();
        let days = (end - i.start).whole_days().max(0);
        (0..days)
            .filter(|k| !practised.contains(&(i.start + time::Duration::days(*k))))
            .count()
    }
}

/// Practised questions ordered by their last score on `cell`, lowest first, with the reason.
fn blitz_questions(questions: &[Question], practice: &[&Practice], cell: &str) -> Vec<(String, String)> {
    let mut last: Vec<(String, f64, Date)> = Vec::new();
    for p in practice {
        let Some(score) = p.graded_cells().into_iter().find(|(c, _)| c == cell).map(|(_, s)| s) else {
            continue;
        };
        match last.iter_mut().find(|(q, ..)| q == &p.question_id) {
            Some(e) if e.2 <= p.date => {
                e.1 = score;
                e.2 = p.date;
            }
            Some(_) => {}
            None => last.push((p.question_id.clone(), score, p.date)),
        }
    }
    last.retain(|(q, ..)| questions.iter().any(|x| &x.id == q));
    last.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    last.into_iter()
        .map(|(q, s, _)| (q, format!("{cell} {:.0}% last time", s * 100.0)))
        .collect()
}

/// The whole plan as of `inputs.today`: days before today with what was done on them (or missed), today and
/// the days after as laid out now.
pub fn build(inputs: Inputs<'_>) -> Plan {
    let d = Derived::new(inputs);
    let mut days = Vec::new();
    let today = inputs.today.max(inputs.start);
    let mut date = inputs.start;
    while date < today.min(inputs.interview) {
        days.extend(d.past_day(date));
        date = date.next_day().unwrap_or(date);
        if date == Date::MAX {
            break;
        }
    }
    days.extend(d.layout_from(today));
    Plan {
        start: inputs.start,
        interview: inputs.interview,
        days,
    }
}

/// Today's steps, the step to do now, progress, streak and countdown.
pub fn today(inputs: Inputs<'_>) -> Today {
    let d = Derived::new(inputs);
    let t = inputs.today;
    let from = t.max(inputs.start);
    let layout = d.layout_from(from);
    let steps = if t >= inputs.start {
        layout.first().map(|day| day.steps.clone()).unwrap_or_default()
    } else {
        Vec::new()
    };
    let phase = (t >= inputs.start)
        .then(|| layout.first().map(|day| day.phase))
        .flatten();
    let next = steps
        .iter()
        .position(|s| !s.done)
        .map(|i| (Some(i), steps[i].clone(), false))
        .or_else(|| {
            layout
                .iter()
                .skip(usize::from(t >= inputs.start))
                .flat_map(|day| day.steps.iter())
                .find(|s| !s.done)
                .map(|s| (None, s.clone(), true))
        })
        .map(|(index, step, ahead)| Next {
            index,
            question_id: step.next_question().map(str::to_owned),
            why: step.next_reason().to_owned(),
            step,
            ahead,
        });
    let original = d.layout_from(inputs.start);
    let rolled_forward = original
        .iter()
        .filter(|day| day.date < t && day.phase != Phase::Cadence)
        .flat_map(|day| day.steps.iter())
        .filter(|s| !s.done)
        .count();
    Today {
        date: t,
        day: (t - inputs.start).whole_days() + 1,
        days_to_interview: (inputs.interview - t).whole_days(),
        phase,
        done_today: !steps.is_empty() && steps.iter().all(|s| s.done),
        steps,
        next,
        roadmap_done: d.units.iter().filter(|u| u.done_at().is_some()).count(),
        roadmap_total: d.units.len(),
        rolled_forward,
        missed_days: d.missed_days(t),
        streak: streak(inputs.practice, t),
        worst_cell: d.worst,
    }
}

/// Days in a row with a scored answer, ending today (or yesterday when today has none yet).
pub fn streak(practice: &[Practice], today: Date) -> u32 {
    let days: std::collections::BTreeSet<Date> = practice.iter().map(|p| p.date).collect();
    let mut d = if days.contains(&today) {
        today
    } else {
        match today.previous_day() {
            Some(y) => y,
            None => return 0,
        }
    };
    let mut n = 0;
    while days.contains(&d) {
        n += 1;
        match d.previous_day() {
            Some(p) => d = p,
            None => break,
        }
    }
    n
}

/// `YYYY-MM-DD` for serde and the command line.
pub mod ymd {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, String> {
        Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
            .map_err(|e| format!("\"{s}\" is not a date like 2026-12-01 ({e})"))
    }

    /// Formats as `YYYY-MM-DD`.
    pub fn format(d: Date) -> String {
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }

    /// serde: write.
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    /// serde: read.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }
}

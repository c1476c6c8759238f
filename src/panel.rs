//! The mock panel: several questions, each followed by its follow-up, answered back to back as in a real
//! interview loop. A panel is not a record of its own: each answer is an ordinary attempt (same lifecycle,
//! same store) carrying a [`PanelSlot`] with the panel's id, so an abandoned panel keeps whatever was
//! recorded and is simply incomplete. This module chooses the questions, gathers a panel's attempts into a
//! [`PanelReport`] (coverage per cell per answer, per-cell means, the worst cell, self vs automatic score)
//! and names the worst cell for the weakness blitz. Pure core: no audio, UI or inference.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::bank::{Deck, Difficulty, Question};
use crate::report::Report;
use crate::session;
use crate::store::{AnswerKind, Attempt, PanelSlot, SelfScores, Status};

/// Questions in a panel unless the person asks for another number.
pub const DEFAULT_QUESTIONS: usize = 4;
/// Time-box of a follow-up answer, seconds.
pub const FOLLOW_UP_TIME_BOX_S: f64 = 90.0;

/// A new panel id for a panel started at `now`: `panel-YYYYMMDD-HHMMSS`.
pub fn new_id(now: OffsetDateTime) -> String {
    let stamp = now
        .format(format_description!("[year][month][day]-[hour][minute][second]"))
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    format!("panel-{stamp}")
}

/// The slot of the `kind` answer to the question at `position` of panel `id` planned with `planned`
/// questions.
pub fn slot(id: &str, kind: AnswerKind, position: usize, planned: usize) -> PanelSlot {
    PanelSlot {
        id: id.to_owned(),
        kind,
        position,
        planned,
    }
}

/// The answer after `kind` at `position` in a panel of `planned` questions: the question's follow-up, then
/// the next question; `None` after the last follow-up. The one order of a panel: the window and
/// `rehearse mock` both follow it.
pub fn next_answer(kind: AnswerKind, position: usize, planned: usize) -> Option<(AnswerKind, usize)> {
    match kind {
        AnswerKind::Question => Some((AnswerKind::FollowUp, position)),
        AnswerKind::FollowUp => (position + 1 < planned).then_some((AnswerKind::Question, position + 1)),
    }
}

/// What the interviewer asks for this answer: the question, or its follow-up.
pub fn asked(question: &Question, kind: AnswerKind) -> &str {
    match kind {
        AnswerKind::Question => &question.prompt,
        AnswerKind::FollowUp => &question.follow_up,
    }
}

/// The time-box of an answer in a panel: a question's is its own unless `question_s` overrides it; a
/// follow-up's is `follow_up_s`.
pub fn answer_time_box(
    question: &Question,
    kind: AnswerKind,
    question_s: Option<f64>,
    follow_up_s: f64,
) -> Result<crate::session::TimeBox, crate::session::SessionError> {
    let wanted = match kind {
        AnswerKind::Question => question_s,
        AnswerKind::FollowUp => Some(follow_up_s),
    };
    crate::session::TimeBox::for_question(question, wanted)
}

/// Chooses `n` questions for a panel: a mix of difficulties, each the one practised least recently in its
/// difficulty (never practised first, then the oldest last attempt; deck order breaks ties). Difficulties
/// take turns (medium, easy, hard, medium…) so four questions give two medium, one easy, one hard when the
/// decks have them. Returns fewer when the decks hold fewer questions.
pub fn choose_questions<'a>(decks: &'a [Deck], attempts: &[Attempt], n: usize) -> Vec<(&'a Deck, &'a Question)> {
    let mut last: HashMap<&str, OffsetDateTime> = HashMap::new();
    for a in attempts {
        let e = last.entry(a.question_id.as_str()).or_insert(a.started_at);
        if a.started_at > *e {
            *e = a.started_at;
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut by_difficulty: [Vec<(usize, &Deck, &Question)>; 3] = Default::default();
    let mut order = 0;
    for deck in decks {
        for q in &deck.questions {
            if !seen.insert(q.id.as_str()) {
                continue;
            }
            let bucket = match q.difficulty {
                Difficulty::Medium => 0,
                Difficulty::Easy => 1,
                Difficulty::Hard => 2,
            };
            by_difficulty[bucket].push((order, deck, q));
            order += 1;
        }
    }
    for bucket in &mut by_difficulty {
        // Never practised (None) sorts before any date.
        bucket.sort_by_key(|(order, _, q)| (last.get(q.id.as_str()).copied(), *order));
        bucket.reverse();
    }
    let mut chosen = Vec::with_capacity(n);
    while chosen.len() < n && by_difficulty.iter().any(|b| !b.is_empty()) {
        for bucket in &mut by_difficulty {
            if chosen.len() == n {
                break;
            }
            if let Some((_, deck, q)) = bucket.pop() {
                chosen.push((deck, q));
            }
        }
    }
    chosen
}

/// One answer of a panel, as the panel report shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PanelAnswer {
    /// The attempt.
    pub attempt_id: String,
    /// The question answered (a follow-up carries its question's id).
    pub question_id: String,
    /// Question or follow-up.
    pub kind: AnswerKind,
    /// 0-based position of the question in the panel.
    pub position: usize,
    /// What was asked: the question's prompt, or its follow-up (empty if the question is gone).
    pub prompt: String,
    /// The question's difficulty, if the question is still in a deck.
    pub difficulty: Option<Difficulty>,
    /// The attempt's state (`scored`, `no_speech`, `failed`…).
    pub status: Status,
    /// Seconds recorded.
    pub duration_s: f64,
    /// The time-box the answer was recorded against.
    pub time_box_s: Option<f64>,
    /// When the answer was started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// The person's own ratings, if given.
    pub self_scores: Option<SelfScores>,
    /// The report, when the answer was scored.
    pub report: Option<Report>,
}

impl PanelAnswer {
    /// Seconds used: to the last word when scored, else the length of the recording.
    pub fn time_used_s(&self) -> f64 {
        self.report.as_ref().map_or(self.duration_s, |r| r.delivery.time_used_s)
    }
}

/// The mean automatic coverage of one rubric cell over a panel's scored answers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellMean {
    /// Rubric cell id.
    pub cell: String,
    /// Mean cell score, 0–1.
    pub mean: f64,
    /// Scored answers it is the mean of.
    pub answers: usize,
    /// Mean self-score (1–5) for the cell over the answers that have one; `None` for cells people do not
    /// rate (boundaries) or when no answer was rated.
    pub self_mean: Option<f64>,
}

/// A whole panel: its answers in order, per-cell means and the worst cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PanelReport {
    /// The panel's id.
    pub panel_id: String,
    /// Questions the panel was started with.
    pub planned: usize,
    /// Every planned question and follow-up has a finished (not recording, not failed) answer.
    pub complete: bool,
    /// Answers by position, question before follow-up.
    pub answers: Vec<PanelAnswer>,
    /// Per-cell means over the scored answers, in rubric order.
    pub cells: Vec<CellMean>,
    /// The cell with the lowest mean (see [`worst_cell`]).
    pub worst_cell: Option<String>,
}

/// The attempts of panel `panel_id` (in any order, among any others) gathered into its report, with
/// questions looked up in `decks`. `None` when no attempt belongs to the panel.
pub fn build_report(panel_id: &str, attempts: &[Attempt], decks: &[Deck]) -> Option<PanelReport> {
    let mut answers: Vec<PanelAnswer> = Vec::new();
    let mut planned = 0;
    for a in attempts {
        let Some(slot) = a.panel.as_ref().filter(|s| s.id == panel_id) else {
            continue;
        };
        planned = planned.max(slot.planned);
        let question = session::question_for(decks, a);
        let prompt = question.map_or_else(String::new, |q| match slot.kind {
            AnswerKind::Question => q.prompt.clone(),
            AnswerKind::FollowUp => q.follow_up.clone(),
        });
        answers.push(PanelAnswer {
            attempt_id: a.id.clone(),
            question_id: a.question_id.clone(),
            kind: slot.kind,
            position: slot.position,
            prompt,
            difficulty: question.map(|q| q.difficulty),
            status: a.status,
            duration_s: a.duration_s,
            time_box_s: a.time_box_s,
            started_at: a.started_at,
            self_scores: a.self_scores,
            report: session::stored_report(a),
        });
    }
    if answers.is_empty() {
        return None;
    }
    answers.sort_by(|a, b| {
        (a.position, a.kind == AnswerKind::FollowUp, a.started_at).cmp(&(
            b.position,
            b.kind == AnswerKind::FollowUp,
            b.started_at,
        ))
    });
    let finished = |kind: AnswerKind, position: usize| {
        answers.iter().any(|a| {
            a.kind == kind && a.position == position && !matches!(a.status, Status::Recording | Status::Failed)
        })
    };
    let complete = (0..planned).all(|p| finished(AnswerKind::Question, p) && finished(AnswerKind::FollowUp, p));
    let cells = cell_means(&answers);
    let worst_cell = worst_cell(&cells).map(str::to_owned);
    Some(PanelReport {
        panel_id: panel_id.to_owned(),
        planned,
        complete,
        answers,
        cells,
        worst_cell,
    })
}

/// Per-cell means over the answers that have a report, cells in the order the reports list them. Self
/// means are over the answers that also carry self-scores.
pub fn cell_means(answers: &[PanelAnswer]) -> Vec<CellMean> {
    let mut cells: Vec<(String, f64, usize, f64, usize)> = Vec::new();
    for a in answers {
        let Some(report) = &a.report else { continue };
        for c in &report.rubric {
            let i = match cells.iter().position(|e| e.0 == c.cell) {
                Some(i) => i,
                None => {
                    cells.push((c.cell.clone(), 0.0, 0, 0.0, 0));
                    cells.len() - 1
                }
            };
            let e = &mut cells[i];
            e.1 += c.score;
            e.2 += 1;
            if let Some(s) = a.self_scores.as_ref().and_then(|s| s.for_cell(&c.cell)) {
                e.3 += f64::from(s);
                e.4 += 1;
            }
        }
    }
    cells
        .into_iter()
        .map(|(cell, sum, n, self_sum, self_n)| CellMean {
            cell,
            mean: sum / n as f64,
            answers: n,
            self_mean: (self_n > 0).then(|| self_sum / self_n as f64),
        })
        .collect()
}

/// The weakest rubric cell: the lowest mean coverage; on a tie, the first in rubric order. `None` without
/// any scored answer. The practice plan's weakness blitz drills this cell.
pub fn worst_cell(cells: &[CellMean]) -> Option<&str> {
    let mut worst: Option<&CellMean> = None;
    for c in cells {
        if worst.is_none_or(|w| c.mean < w.mean) {
            worst = Some(c);
        }
    }
    worst.map(|c| c.cell.as_str())
}

/// [`worst_cell`] straight from reports (e.g. the attempts of the last panel, or of the last week).
pub fn worst_cell_of(reports: &[Report]) -> Option<String> {
    let answers: Vec<PanelAnswer> = reports
        .iter()
        .map(|r| PanelAnswer {
            attempt_id: String::new(),
            question_id: r.question.clone(),
            kind: AnswerKind::Question,
            position: 0,
            prompt: String::new(),
            difficulty: None,
            status: Status::Scored,
            duration_s: r.duration_s,
            time_box_s: None,
            started_at: OffsetDateTime::UNIX_EPOCH,
            self_scores: None,
            report: Some(r.clone()),
        })
        .collect();
    worst_cell(&cell_means(&answers)).map(str::to_owned)
}

/// A panel as a line in a list: id, when, answers, complete or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelSummary {
    /// The panel's id.
    pub id: String,
    /// When its first answer started.
    pub started_at: OffsetDateTime,
    /// Answers recorded.
    pub answers: usize,
    /// Questions planned.
    pub planned: usize,
}

/// The panels found among `attempts`, newest first.
pub fn list(attempts: &[Attempt]) -> Vec<PanelSummary> {
    let mut panels: Vec<PanelSummary> = Vec::new();
    for a in attempts {
        let Some(slot) = &a.panel else { continue };
        match panels.iter_mut().find(|p| p.id == slot.id) {
            Some(p) => {
                p.answers += 1;
                p.planned = p.planned.max(slot.planned);
                p.started_at = p.started_at.min(a.started_at);
            }
            None => panels.push(PanelSummary {
                id: slot.id.clone(),
                started_at: a.started_at,
                answers: 1,
                planned: slot.planned,
            }),
        }
    }
    panels.sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| b.id.cmp(&a.id)));
    panels
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {

    #[test]
    fn each_question_is_followed_by_its_follow_up_then_the_next_question() {
        let mut order = vec![(AnswerKind::Question, 0)];
        while let Some(next) = super::next_answer(order[order.len() - 1].0, order[order.len() - 1].1, 2) {
            order.push(next);
        }
        assert_eq!(
            order,
            [
                (AnswerKind::Question, 0),
                (AnswerKind::FollowUp, 0),
                (AnswerKind::Question, 1),
                (AnswerKind::FollowUp, 1)
            ]
        );
    }

    use super::*;
    use crate::rubric::Rubric;
    use crate::transcript::Transcript;
    use time::macros::datetime;

    fn deck() -> Deck {
        Deck::embedded().unwrap()
    }

    fn attempt(q: &str, at: OffsetDateTime) -> Attempt {
        Attempt {
            id: format!("{}-{q}", at.unix_timestamp()),
            question_id: q.into(),
            deck_id: deck().id,
            started_at: at,
            status: Status::Scored,
            ..Attempt::default()
        }
    }

    #[test]
    fn questions_mix_difficulties_and_prefer_the_least_recently_practised() {
        let deck = deck();
        let decks = std::slice::from_ref(&deck);
        let none = choose_questions(decks, &[], 4);
        let diffs: Vec<_> = none.iter().map(|(_, q)| q.difficulty).collect();
        assert_eq!(
            diffs,
            [
                Difficulty::Medium,
                Difficulty::Easy,
                Difficulty::Hard,
                Difficulty::Medium
            ]
        );
        let ids = |c: &[(&Deck, &Question)]| c.iter().map(|(_, q)| q.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(&none),
            [
                "pm-01-success-metrics",
                "pm-03-smallest-poc",
                "pm-02-explain-trade-off",
                "pm-04-debug-slow"
            ]
        );
        // Every question practised an hour apart, except pm-06 (never) and pm-04 (long ago, twice): the
        // never-practised one first, then the oldest; pm-04's latest attempt is what counts.
        let mut attempts: Vec<Attempt> = deck
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| q.id != "pm-06-documentation" && q.id != "pm-04-debug-slow")
            .map(|(i, q)| attempt(&q.id, datetime!(2026-11-20 10:00 UTC) + time::Duration::hours(i as i64)))
            .collect();
        attempts.push(attempt("pm-04-debug-slow", datetime!(2026-10-01 10:00 UTC)));
        attempts.push(attempt("pm-04-debug-slow", datetime!(2026-11-01 10:00 UTC)));
        attempts.push(attempt("pm-01-success-metrics", datetime!(2026-10-15 10:00 UTC)));
        let chosen = choose_questions(decks, &attempts, 4);
        assert_eq!(
            ids(&chosen),
            [
                "pm-06-documentation",
                "pm-03-smallest-poc",
                "pm-02-explain-trade-off",
                "pm-04-debug-slow"
            ]
        );
        // No question twice, and asking for more than exist gives them all.
        let all = choose_questions(decks, &attempts, 100);
        assert_eq!(all.len(), deck.questions.len());
        let mut ids: Vec<_> = all.iter().map(|(_, q)| &q.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), deck.questions.len());
    }

    fn scored(q: &Question, text: &str) -> serde_json::Value {
        let rubric = Rubric::embedded().unwrap();
        let r = crate::report::score(q, &rubric, &Transcript::from_plain_text(text, Some(20.0)), 180.0);
        session::report_to_store(&r).unwrap()
    }

    #[test]
    fn report_gathers_answers_in_order_with_means_and_the_worst_cell() {
        let deck = deck();
        let q0 = &deck.questions[0];
        let q1 = &deck.questions[1];
        let t = datetime!(2026-11-25 10:00 UTC);
        let mk = |q: &Question, kind, pos, minutes, text: &str, status| {
            let mut a = attempt(&q.id, t + time::Duration::minutes(minutes));
            a.id = format!("{minutes}-{}", q.id);
            a.panel = Some(slot("panel-x", kind, pos, 2));
            a.transcript = Some(Transcript::from_plain_text(text, Some(20.0)));
            a.report = Some(scored(q, text));
            a.status = status;
            a.duration_s = 20.0;
            a
        };
        let good = "So the question is how we measure it. The trade-off is latency versus cost. \
                    It breaks when data arrives late. We would use Kafka with 3 steps. In summary, first this.";
        let weak = "We would use Kafka.";
        let mut attempts = vec![
            mk(q1, AnswerKind::FollowUp, 1, 4, weak, Status::Scored),
            mk(q0, AnswerKind::Question, 0, 0, good, Status::Scored),
            mk(q1, AnswerKind::Question, 1, 3, weak, Status::Scored),
            mk(q0, AnswerKind::FollowUp, 0, 2, good, Status::Scored),
            attempt(&q0.id, t), // not in the panel
        ];
        attempts[1].self_scores = Some(SelfScores::new(5, 4, 3, 2).unwrap());
        attempts[3].self_scores = Some(SelfScores::new(3, 2, 1, 2).unwrap());
        let r = build_report("panel-x", &attempts, std::slice::from_ref(&deck)).unwrap();
        assert!(r.complete);
        assert_eq!(r.planned, 2);
        let order: Vec<_> = r.answers.iter().map(|a| (a.position, a.kind)).collect();
        assert_eq!(
            order,
            [
                (0, AnswerKind::Question),
                (0, AnswerKind::FollowUp),
                (1, AnswerKind::Question),
                (1, AnswerKind::FollowUp)
            ]
        );
        assert_eq!(r.answers[0].prompt, q0.prompt);
        assert_eq!(r.answers[1].prompt, q0.follow_up);
        // Means are the averages of the four reports' cell scores.
        for c in &r.cells {
            let sum: f64 = r
                .answers
                .iter()
                .map(|a| {
                    a.report
                        .as_ref()
                        .unwrap()
                        .rubric
                        .iter()
                        .find(|x| x.cell == c.cell)
                        .unwrap()
                        .score
                })
                .sum();
            assert!((c.mean - sum / 4.0).abs() < 1e-12, "{c:?}");
            assert_eq!(c.answers, 4);
        }
        let restatement = r.cells.iter().find(|c| c.cell == "restatement").unwrap();
        assert_eq!(restatement.self_mean, Some(4.0));
        assert_eq!(r.cells.iter().find(|c| c.cell == "boundaries").unwrap().self_mean, None);
        let min = r.cells.iter().map(|c| c.mean).fold(f64::INFINITY, f64::min);
        let worst = r.worst_cell.as_deref().unwrap();
        assert_eq!(r.cells.iter().find(|c| c.cell == worst).unwrap().mean, min);
        assert!(build_report("panel-none", &attempts, &[]).is_none());

        // Abandoned after the second question: incomplete, what was recorded is there.
        attempts.retain(|a| {
            a.panel
                .as_ref()
                .is_none_or(|s| s.position == 0 || s.kind == AnswerKind::Question)
        });
        let r = build_report("panel-x", &attempts, std::slice::from_ref(&deck)).unwrap();
        assert!(!r.complete);
        assert_eq!(r.answers.len(), 3);
        // A failed capture does not complete its slot either.
        let list = list(&attempts);
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].answers, list[0].planned), (3, 2));
    }

    #[test]
    fn worst_cell_is_the_lowest_mean_first_on_ties() {
        let m = |cell: &str, mean| CellMean {
            cell: cell.into(),
            mean,
            answers: 1,
            self_mean: None,
        };
        assert_eq!(worst_cell(&[]), None);
        assert_eq!(worst_cell(&[m("a", 0.5), m("b", 0.2), m("c", 0.2)]), Some("b"));
        assert_eq!(worst_cell(&[m("a", 0.0), m("b", 0.0)]), Some("a"));
        let deck = deck();
        let q = &deck.questions[0];
        let rubric = Rubric::embedded().unwrap();
        let r = crate::report::score(
            q,
            &rubric,
            &Transcript::from_plain_text("So the question is how we measure success here.", Some(5.0)),
            180.0,
        );
        let worst = worst_cell_of(std::slice::from_ref(&r)).unwrap();
        assert_ne!(worst, "restatement");
        assert_eq!(worst_cell_of(&[]), None);
    }

    #[test]
    fn panel_ids_sort_by_time() {
        assert_eq!(new_id(datetime!(2026-11-25 09:05:03 UTC)), "panel-20261125-090503");
    }
}

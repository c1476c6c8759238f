//! Spaced repetition per question × rubric cell, so the daily drill asks for what is due and weakest, and
//! a question whose cells are all strong comes back less often.
//!
//! The algorithm is SM-2 (SuperMemo 2), one card per (question, cell), graded by the cell's result in each
//! scored attempt. Why not the `fsrs` crate: its scheduler is bundled with the `burn` training stack (hundreds
//! of crates to build for a few formulas), and FSRS's default weights are fitted to flash-card *recall* (a
//! pass/fail memory), while our grade is a 0–5 rubric quality of a spoken answer — exactly SM-2's input.
//! The grade is the lower of the automatic score and the person's own rating where they gave one: a cell is
//! only as strong as the weaker of the two estimates.

use std::collections::BTreeMap;

use time::Date;

use super::Practice;
use crate::bank::Question;

/// SM-2's starting ease factor.
const START_EASE: f64 = 2.5;
/// SM-2's lowest ease factor.
const MIN_EASE: f64 = 1.3;
/// A cell graded at least this (0–5) counts as recalled; below it the card starts over.
const PASS: u8 = 3;
/// Below this 0–1 score a cell is called "weak" when explaining a pick.
pub const WEAK: f64 = 0.6;

/// One card: how a question's rubric cell is doing.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    /// Ease factor (≥ 1.3).
    pub ease: f64,
    /// Successful reviews in a row.
    pub reps: u32,
    /// Days until it is due again, counted from `last`.
    pub interval_days: i64,
    /// When it was last practised.
    pub last: Date,
    /// Its last grade, 0–1.
    pub last_score: f64,
}

impl Card {
    /// When this card is due.
    pub fn due(&self) -> Date {
        self.last.saturating_add(time::Duration::days(self.interval_days))
    }

    fn new(on: Date) -> Self {
        Self {
            ease: START_EASE,
            reps: 0,
            interval_days: 0,
            last: on,
            last_score: 0.0,
        }
    }

    /// Applies one review graded `score` (0–1) on `on` (SM-2).
    fn review(&mut self, score: f64, on: Date) {
        let q = grade(score);
        if q < PASS {
            self.reps = 0;
            self.interval_days = 1;
        } else {
            self.reps += 1;
            self.interval_days = match self.reps {
                1 => 1,
                2 => 6,
                _ => (self.interval_days as f64 * self.ease).round() as i64,
            };
        }
        let d = f64::from(5 - q);
        self.ease = (self.ease + 0.1 - d * (0.08 + d * 0.02)).max(MIN_EASE);
        self.last = on;
        self.last_score = score;
    }
}

/// A 0–1 score as SM-2's 0–5 quality.
pub fn grade(score: f64) -> u8 {
    (score.clamp(0.0, 1.0) * 5.0).round() as u8
}

/// Every card, built from the scored attempts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scheduler {
    cards: BTreeMap<(String, String), Card>,
}

/// A question chosen for a drill, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Pick {
    /// The question.
    pub question_id: String,
    /// In words: "trade-offs weak 3 days ago", "not practised yet".
    pub why: String,
}

impl Scheduler {
    /// Replays `practice` (any order) into cards.
    pub fn from_practice(practice: &[Practice]) -> Self {
        let mut sorted: Vec<&Practice> = practice.iter().collect();
        sorted.sort_by_key(|p| p.at);
        let mut s = Self::default();
        for p in sorted {
            for (cell, score) in p.graded_cells() {
                s.cards
                    .entry((p.question_id.clone(), cell))
                    .or_insert_with(|| Card::new(p.date))
                    .review(score, p.date);
            }
        }
        s
    }

    /// The card for a question's cell, if it was ever scored.
    pub fn card(&self, question: &str, cell: &str) -> Option<&Card> {
        self.cards.get(&(question.to_owned(), cell.to_owned()))
    }

    fn cards_of<'a>(&'a self, question: &'a str) -> impl Iterator<Item = (&'a str, &'a Card)> + 'a {
        self.cards
            .iter()
            .filter(move |((q, _), _)| q == question)
            .map(|((_, c), card)| (c.as_str(), card))
    }

    /// Up to `n` questions for a drill on `today`: due ones first, weakest first; then never-practised
    /// ones; then the soonest due. Each says why.
    pub fn pick(&self, questions: &[Question], today: Date, n: usize) -> Vec<Pick> {
        // (class, key, tiebreak index, pick): class 0 due, 1 new, 2 not yet due.
        let mut ranked: Vec<(u8, f64, usize, Pick)> = Vec::new();
        for (i, q) in questions.iter().enumerate() {
            let cards: Vec<(&str, &Card)> = self.cards_of(&q.id).collect();
            let Some(&(weak_cell, weak)) = cards.iter().min_by(|a, b| a.1.last_score.total_cmp(&b.1.last_score)) else {
                ranked.push((
                    1,
                    0.0,
                    i,
                    Pick {
                        question_id: q.id.clone(),
                        why: "not practised yet".to_owned(),
                    },
                ));
                continue;
            };
            let due = cards.iter().map(|(_, c)| c.due()).min().unwrap_or(today);
            let ago = ago(weak.last, today);
            if due <= today {
                let why = if weak.last_score < WEAK {
                    format!("{weak_cell} weak {ago}")
                } else {
                    format!("{weak_cell} due again (last {ago})")
                };
                ranked.push((
                    0,
                    weak.last_score,
                    i,
                    Pick {
                        question_id: q.id.clone(),
                        why,
                    },
                ));
            } else {
                let days = (due - today).whole_days();
                ranked.push((
                    2,
                    days as f64,
                    i,
                    Pick {
                        question_id: q.id.clone(),
                        why: format!("strong; next due in {days} day{}", if days == 1 { "" } else { "s" }),
                    },
                ));
            }
        }
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        ranked.into_iter().take(n).map(|r| r.3).collect()
    }
}

/// "today", "yesterday", "3 days ago".
pub fn ago(then: Date, today: Date) -> String {
    match (today - then).whole_days() {
        d if d <= 0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        d => format!("{d} days ago"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::bank::Deck;

    fn practice(q: &str, at: time::OffsetDateTime, cells: &[(&str, f64)]) -> Practice {
        Practice {
            attempt_id: format!("{q}-{at}"),
            question_id: q.into(),
            at,
            date: at.date(),
            cells: cells.iter().map(|(c, s)| ((*c).to_owned(), *s)).collect(),
            self_scores: None,
            panel: None,
        }
    }

    #[test]
    fn sm2_intervals_grow_for_strong_cells_and_reset_for_weak_ones() {
        // (scores in order, expected interval after the last, expected reps)
        for (scores, interval, reps) in [
            (vec![1.0], 1, 1),
            (vec![1.0, 1.0], 6, 2),
            (vec![1.0, 1.0, 1.0], 16, 3), // 6 × 2.7 (the ease after two perfect grades) = 16.2
            (vec![1.0, 1.0, 0.2], 1, 0),
            (vec![0.4], 1, 0),
            (vec![0.6, 0.6, 0.6], 13, 3), // grade 3: ease 2.5 → 2.36 → 2.22; 6 × 2.22 = 13.3
        ] {
            let mut c = Card::new(date!(2026 - 01 - 01));
            for s in &scores {
                c.review(*s, date!(2026 - 01 - 01));
            }
            assert_eq!(
                (c.interval_days, c.reps),
                (interval, reps),
                "{scores:?} ease {}",
                c.ease
            );
            assert!(c.ease >= MIN_EASE);
        }
    }

    #[test]
    fn picks_due_and_weakest_first_and_says_why() {
        let deck = Deck::embedded().unwrap();
        let qs = &deck.questions[..4];
        let t = datetime!(2026-03-01 10:00 +01:00);
        let p = vec![
            // q1 strong everywhere twice: due in 6 days.
            practice(&qs[0].id, t, &[("trade-offs", 1.0), ("restatement", 1.0)]),
            practice(
                &qs[0].id,
                t + time::Duration::days(1),
                &[("trade-offs", 1.0), ("restatement", 1.0)],
            ),
            // q2 weak on trade-offs three days before "today".
            practice(&qs[1].id, t, &[("trade-offs", 0.2), ("restatement", 1.0)]),
            // q3 middling, due.
            practice(&qs[2].id, t, &[("trade-offs", 0.7), ("execution", 0.5)]),
        ];
        let s = Scheduler::from_practice(&p);
        let today = date!(2026 - 03 - 04);
        let picks = s.pick(qs, today, 4);
        let ids: Vec<&str> = picks.iter().map(|p| p.question_id.as_str()).collect();
        assert_eq!(ids, [&qs[1].id, &qs[2].id, &qs[3].id, &qs[0].id]);
        assert_eq!(picks[0].why, "trade-offs weak 3 days ago");
        assert_eq!(picks[1].why, "execution weak 3 days ago");
        assert_eq!(picks[2].why, "not practised yet");
        assert_eq!(picks[3].why, "strong; next due in 4 days");
        assert_eq!(s.pick(qs, today, 2).len(), 2);
    }

    #[test]
    fn the_self_score_lowers_a_grade_where_it_disagrees() {
        let mut p = practice(
            "q",
            datetime!(2026-03-01 10:00 UTC),
            &[("trade-offs", 1.0), ("boundaries", 1.0)],
        );
        p.self_scores = Some(crate::store::SelfScores::new(5, 1, 5, 5).unwrap());
        let s = Scheduler::from_practice(&[p]);
        assert_eq!(s.card("q", "trade-offs").unwrap().last_score, 0.0);
        assert_eq!(s.card("q", "boundaries").unwrap().last_score, 1.0, "not self-rated");
    }
}

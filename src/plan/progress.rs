//! Progress through the plan, from the person's scored answers: how much of each rubric cell their answers
//! covered on each day of the plan, and how far their own 1–5 ratings are from the rubric's automatic score
//! per cell (calibration) — overall, earlier against recently, and per day.
//!
//! A self-rating is put on the automatic score's 0–1 scale as the plan does everywhere (1 → 0, 3 → 0.5,
//! 5 → 1), so "you 75%, the rubric 30%" compares like with like. Only answers from the plan's start to today
//! count. Pure: practice in, numbers and sentences out; the Today screen draws them, `rehearse today` prints
//! the summary.

use serde::Serialize;
use time::Date;

use super::Practice;

/// A mean gap below this (a little over half a rating step, which is 0.25) counts as "close".
pub const CLOSE: f64 = 0.15;

/// One cell's mean automatic score on one day of the plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayCoverage {
    /// Plan day, 1 on the start date.
    pub day: i64,
    /// Mean automatic score of the day's answers for this cell, 0–1.
    pub mean: f64,
    /// Answers that day.
    pub answers: usize,
}

/// One rubric cell's coverage across the plan (days without answers have no point).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellCoverage {
    /// Cell id, e.g. "trade-offs".
    pub cell: String,
    /// Days with answers, in order.
    pub days: Vec<DayCoverage>,
}

/// How far self-ratings are from the rubric over some answers (gap = self − automatic, on 0–1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Gap {
    /// Mean self-rating, 0–1.
    pub you: f64,
    /// Mean automatic score over the same answers, 0–1.
    pub rubric: f64,
    /// Mean signed gap: above 0 the person rates themselves higher than the rubric.
    pub bias: f64,
    /// Mean absolute gap: how far off, whichever way.
    pub mean_abs: f64,
    /// Rated answers it is based on.
    pub answers: usize,
}

impl Gap {
    fn of(pairs: &[(f64, f64)]) -> Option<Self> {
        if pairs.is_empty() {
            return None;
        }
        let n = pairs.len() as f64;
        let you = pairs.iter().map(|p| p.0).sum::<f64>() / n;
        let rubric = pairs.iter().map(|p| p.1).sum::<f64>() / n;
        Some(Self {
            you,
            rubric,
            bias: you - rubric,
            mean_abs: pairs.iter().map(|(me, auto)| (me - auto).abs()).sum::<f64>() / n,
            answers: pairs.len(),
        })
    }

    /// "over by 45 pts", "under by 20 pts", "close (+5 pts)".
    pub fn verdict(&self) -> String {
        let pts = (self.bias * 100.0).round();
        if self.bias.abs() < CLOSE {
            format!("close ({pts:+.0} pts)")
        } else if self.bias > 0.0 {
            format!("over by {pts:.0} pts")
        } else {
            format!("under by {:.0} pts", -pts)
        }
    }
}

/// One day's calibration gap for a cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayGap {
    /// Plan day.
    pub day: i64,
    /// The day's gap.
    pub gap: Gap,
}

/// One self-rated cell's calibration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellCalibration {
    /// Cell id.
    pub cell: String,
    /// Over every rated answer in the plan.
    pub overall: Gap,
    /// The earlier half of the rated answers (when there are two or more).
    pub earlier: Option<Gap>,
    /// The recent half (the later answers; the larger half when the count is odd).
    pub recent: Option<Gap>,
    /// Per day with rated answers, in order.
    pub days: Vec<DayGap>,
}

/// Self-ratings against the rubric, per self-rated cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    /// Answers in the plan with self-ratings.
    pub rated: usize,
    /// Cells the person rated, in rubric order.
    pub cells: Vec<CellCalibration>,
}

impl Calibration {
    /// The cell whose ratings are furthest from the rubric on average (ties go to rubric order).
    pub fn furthest(&self) -> Option<&CellCalibration> {
        self.cells
            .iter()
            .enumerate()
            .max_by(|a, b| {
                a.1.overall
                    .bias
                    .abs()
                    .total_cmp(&b.1.overall.bias.abs())
                    .then(b.0.cmp(&a.0))
            })
            .map(|(_, c)| c)
    }

    /// One line: "You over-rate trade-offs: you 75%, the rubric 30% (5 rated answers)."
    pub fn summary(&self) -> String {
        let Some(c) = self.furthest() else {
            return "Rate yourself in Review (1–5 per cell) to see how your ratings compare with the rubric."
                .to_owned();
        };
        let answers = plural(self.rated, "rated answer");
        let g = c.overall;
        if g.bias.abs() < CLOSE {
            return format!(
                "Your ratings are within {:.0} points of the rubric on every cell ({answers}).",
                CLOSE * 100.0
            );
        }
        let way = if g.bias > 0.0 { "over-rate" } else { "under-rate" };
        format!(
            "You {way} {}: you {:.0}%, the rubric {:.0}% ({answers}).",
            c.cell,
            g.you * 100.0,
            g.rubric * 100.0
        )
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Coverage and calibration across a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    /// Practice days in the plan (start to the day before the interview; at least 1).
    pub plan_days: i64,
    /// Today's plan day (1 on the start date).
    pub today: i64,
    /// Scored answers counted (from the start to today).
    pub answers: usize,
    /// Per rubric cell, in rubric order.
    pub coverage: Vec<CellCoverage>,
    /// Self-ratings against the rubric.
    pub calibration: Calibration,
}

/// Progress of a plan from `start` to `interview`, as of `today`, over `practice` (any order).
pub fn progress(start: Date, interview: Date, today: Date, practice: &[Practice]) -> Progress {
    let mut answers: Vec<&Practice> = practice.iter().filter(|p| p.date >= start && p.date <= today).collect();
    answers.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.attempt_id.cmp(&b.attempt_id)));
    let day_of = |p: &Practice| (p.date - start).whole_days() + 1;

    // Cells in the order the reports list them (rubric order), first seen first.
    let mut cells: Vec<&str> = Vec::new();
    for p in &answers {
        for (c, _) in &p.cells {
            if !cells.contains(&c.as_str()) {
                cells.push(c);
            }
        }
    }

    let coverage = cells
        .iter()
        .map(|&cell| {
            let mut days: Vec<(i64, Vec<f64>)> = Vec::new();
            for p in &answers {
                let Some(score) = p.cells.iter().find(|(c, _)| c == cell).map(|(_, s)| *s) else {
                    continue;
                };
                let d = day_of(p);
                match days.last_mut() {
                    Some((last, v)) if *last == d => v.push(score),
                    _ => days.push((d, vec![score])),
                }
            }
            CellCoverage {
                cell: cell.to_owned(),
                days: days
                    .into_iter()
                    .map(|(day, v)| DayCoverage {
                        day,
                        mean: v.iter().sum::<f64>() / v.len() as f64,
                        answers: v.len(),
                    })
                    .collect(),
            }
        })
        .collect();

    let calibration = Calibration {
        rated: answers.iter().filter(|p| p.self_scores.is_some()).count(),
        cells: cells
            .iter()
            .filter_map(|&cell| {
                // (day, self, automatic) for each rated answer, oldest first.
                let rated: Vec<(i64, f64, f64)> = answers
                    .iter()
                    .filter_map(|p| {
                        let auto = p.cells.iter().find(|(c, _)| c == cell)?.1;
                        Some((day_of(p), p.self_score(cell)?, auto))
                    })
                    .collect();
                let pairs: Vec<(f64, f64)> = rated.iter().map(|r| (r.1, r.2)).collect();
                let overall = Gap::of(&pairs)?;
                let half = pairs.len() / 2;
                let (earlier, recent) = if pairs.len() >= 2 {
                    (Gap::of(&pairs[..half]), Gap::of(&pairs[half..]))
                } else {
                    (None, None)
                };
                let mut days: Vec<DayGap> = Vec::new();
                let mut i = 0;
                while i < rated.len() {
                    let d = rated[i].0;
                    let n = rated[i..].iter().take_while(|r| r.0 == d).count();
                    if let Some(gap) = Gap::of(&pairs[i..i + n]) {
                        days.push(DayGap { day: d, gap });
                    }
                    i += n;
                }
                Some(CellCalibration {
                    cell: cell.to_owned(),
                    overall,
                    earlier,
                    recent,
                    days,
                })
            })
            .collect(),
    };

    Progress {
        plan_days: (interview - start).whole_days().max(1),
        today: (today - start).whole_days() + 1,
        answers: answers.len(),
        coverage,
        calibration,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use time::macros::{date, datetime};
    use time::{Duration, OffsetDateTime};

    use super::*;
    use crate::store::SelfScores;

    const START: Date = date!(2026 - 11 - 26);
    const INTERVIEW: Date = date!(2026 - 12 - 04);
    const CELLS: [&str; 5] = ["restatement", "trade-offs", "boundaries", "execution", "communication"];

    /// An answer on plan day `day` (1-based) at 10:00 + `n` minutes, every cell scored `auto`.
    fn answer(day: i64, n: i64, auto: [f64; 5], me: Option<[u8; 4]>) -> Practice {
        let at: OffsetDateTime = datetime!(2026-11-26 10:00 +01:00) + Duration::days(day - 1) + Duration::minutes(n);
        Practice {
            attempt_id: format!("{day}-{n}"),
            question_id: "pm-01-success-metrics".into(),
            at,
            date: at.date(),
            cells: CELLS.iter().zip(auto).map(|(c, s)| ((*c).to_owned(), s)).collect(),
            self_scores: me.map(|[a, b, c, d]| SelfScores::new(a, b, c, d).unwrap()),
            panel: None,
        }
    }

    fn today(day: i64) -> Date {
        START + Duration::days(day - 1)
    }

    fn cov<'a>(p: &'a Progress, cell: &str) -> &'a CellCoverage {
        p.coverage.iter().find(|c| c.cell == cell).unwrap()
    }

    fn cal<'a>(p: &'a Progress, cell: &str) -> &'a CellCalibration {
        p.calibration.cells.iter().find(|c| c.cell == cell).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn empty_history_has_no_series_and_asks_for_ratings() {
        let p = progress(START, INTERVIEW, today(3), &[]);
        assert_eq!((p.plan_days, p.today, p.answers), (8, 3, 0));
        assert!(p.coverage.is_empty());
        assert_eq!(p.calibration.rated, 0);
        assert!(p.calibration.cells.is_empty());
        assert!(p.calibration.summary().starts_with("Rate yourself in Review"));
    }

    #[test]
    fn a_single_attempt_is_one_point_per_cell_in_rubric_order() {
        let a = answer(2, 0, [0.9, 0.25, 0.5, 0.75, 1.0], Some([5, 4, 3, 5]));
        let p = progress(START, INTERVIEW, today(2), &[a]);
        let order: Vec<&str> = p.coverage.iter().map(|c| c.cell.as_str()).collect();
        assert_eq!(order, CELLS);
        assert_eq!(
            cov(&p, "trade-offs").days,
            vec![DayCoverage {
                day: 2,
                mean: 0.25,
                answers: 1
            }]
        );
        // Boundaries is not self-rated, so calibration has the other four cells.
        let rated: Vec<&str> = p.calibration.cells.iter().map(|c| c.cell.as_str()).collect();
        assert_eq!(rated, ["restatement", "trade-offs", "execution", "communication"]);
        let t = cal(&p, "trade-offs");
        assert!(close(t.overall.you, 0.75) && close(t.overall.rubric, 0.25) && close(t.overall.bias, 0.5));
        assert_eq!((t.earlier, t.recent), (None, None), "one answer has no trend");
        assert_eq!(t.days.len(), 1);
        assert_eq!(
            p.calibration.summary(),
            "You over-rate trade-offs: you 75%, the rubric 25% (1 rated answer)."
        );
    }

    #[test]
    fn attempts_without_self_scores_count_for_coverage_only() {
        let p = progress(
            START,
            INTERVIEW,
            today(4),
            &[answer(1, 0, [0.5; 5], None), answer(3, 0, [0.7; 5], None)],
        );
        assert_eq!(p.answers, 2);
        assert_eq!(cov(&p, "execution").days.len(), 2);
        assert_eq!(p.calibration.rated, 0);
        assert!(p.calibration.cells.is_empty());
        assert!(p.calibration.summary().starts_with("Rate yourself"));
    }

    #[test]
    fn several_days_average_per_day_and_leave_gaps() {
        let practice = [
            answer(1, 0, [0.2, 0.2, 0.2, 0.2, 0.2], None),
            answer(1, 5, [0.4, 0.4, 0.4, 0.4, 0.4], None),
            // Day 2 skipped.
            answer(3, 0, [0.9, 0.1, 0.9, 0.9, 0.9], None),
            answer(5, 0, [1.0, 0.6, 1.0, 1.0, 1.0], None),
        ];
        // Given out of order: the series is still by day.
        let mut shuffled = practice.to_vec();
        shuffled.reverse();
        let p = progress(START, INTERVIEW, today(5), &shuffled);
        let t = &cov(&p, "trade-offs").days;
        let days: Vec<i64> = t.iter().map(|d| d.day).collect();
        assert_eq!(days, [1, 3, 5]);
        assert!(close(t[0].mean, 0.3) && t[0].answers == 2);
        assert!(close(t[1].mean, 0.1) && close(t[2].mean, 0.6));
    }

    #[test]
    fn answers_before_the_start_or_after_today_do_not_count() {
        let practice = [
            answer(0, 0, [0.1; 5], Some([5, 5, 5, 5])),
            answer(2, 0, [0.5; 5], Some([3, 3, 3, 3])),
            answer(6, 0, [0.9; 5], Some([1, 1, 1, 1])),
        ];
        let p = progress(START, INTERVIEW, today(4), &practice);
        assert_eq!(p.answers, 1);
        assert_eq!(cov(&p, "restatement").days.len(), 1);
        assert_eq!(p.calibration.rated, 1);
        assert_eq!(
            p.calibration.summary(),
            "Your ratings are within 15 points of the rubric on every cell (1 rated answer)."
        );
    }

    /// Calibration table: per cell, self-ratings (1–5) and automatic scores over four days, and the
    /// expected overall bias, earlier → recent mean absolute gap, and verdict.
    #[test]
    fn calibration_per_cell_overall_earlier_and_recent() {
        // (day, automatic trade-offs, self trade-offs, automatic execution, self execution)
        let rows: [(i64, f64, u8, f64, u8); 4] = [
            (1, 0.20, 5, 0.50, 3), // trade-offs +0.80, execution 0.00
            (2, 0.30, 4, 0.90, 2), // +0.45, -0.65
            (5, 0.25, 3, 0.80, 2), // +0.25, -0.55
            (6, 0.40, 3, 0.75, 4), // +0.10, 0.00
        ];
        let practice: Vec<Practice> = rows
            .iter()
            .map(|&(day, ta, ts, ea, es)| answer(day, 0, [0.5, ta, 0.5, ea, 0.5], Some([3, ts, es, 3])))
            .collect();
        let p = progress(START, INTERVIEW, today(7), &practice);
        assert_eq!(p.calibration.rated, 4);
        for (cell, bias, earlier, recent, verdict) in [
            ("trade-offs", 0.4, 0.625, 0.175, "over by 40 pts"),
            ("execution", -0.3, 0.325, 0.275, "under by 30 pts"),
            ("restatement", 0.0, 0.0, 0.0, "close (+0 pts)"),
        ] {
            let c = cal(&p, cell);
            assert!(close(c.overall.bias, bias), "{cell} bias {}", c.overall.bias);
            assert!(close(c.earlier.unwrap().mean_abs, earlier), "{cell} earlier");
            assert!(close(c.recent.unwrap().mean_abs, recent), "{cell} recent");
            assert_eq!(c.overall.verdict(), verdict);
            assert_eq!(c.days.len(), 4);
        }
        assert_eq!(cal(&p, "trade-offs").days[2].day, 5);
        assert_eq!(p.calibration.furthest().unwrap().cell, "trade-offs");
        assert_eq!(
            p.calibration.summary(),
            "You over-rate trade-offs: you 69%, the rubric 29% (4 rated answers)."
        );
    }

    #[test]
    fn under_rating_is_named_too() {
        let p = progress(
            START,
            INTERVIEW,
            today(2),
            &[answer(1, 0, [0.5, 0.5, 0.5, 1.0, 0.5], Some([3, 3, 1, 3]))],
        );
        assert_eq!(
            p.calibration.summary(),
            "You under-rate execution: you 0%, the rubric 100% (1 rated answer)."
        );
    }

    #[test]
    fn a_long_plan_and_today_after_the_interview() {
        let start = START;
        let interview = start + Duration::days(60);
        let practice: Vec<Practice> = (1..=60).step_by(3).map(|d| answer(d, 0, [0.5; 5], None)).collect();
        let p = progress(start, interview, interview + Duration::days(2), &practice);
        assert_eq!((p.plan_days, p.today, p.answers), (60, 63, 20));
        assert_eq!(cov(&p, "boundaries").days.last().unwrap().day, 58);
        // A same-day plan still has one day.
        assert_eq!(progress(START, START, START, &[]).plan_days, 1);
    }
}

//! Table tests of the plan: date ranges, compression, roll-forward, practising ahead, mocks and the blitz,
//! time zones and daylight-saving changes.

#![allow(clippy::unwrap_used)]

use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

use super::*;
use crate::bank::Deck;

fn deck() -> Vec<Question> {
    Deck::embedded().unwrap().questions
}

fn practice(q: &str, at: OffsetDateTime, score: f64) -> Practice {
    Practice {
        attempt_id: format!("{at}-{q}"),
        question_id: q.into(),
        at,
        date: at.date(),
        cells: ["restatement", "trade-offs", "boundaries", "execution", "communication"]
            .iter()
            .map(|c| ((*c).to_owned(), score))
            .collect(),
        self_scores: None,
        panel: None,
    }
}

fn inputs<'a>(start: Date, days: i64, questions: &'a [Question], practice: &'a [Practice], today: Date) -> Inputs<'a> {
    Inputs {
        start,
        interview: start + Duration::days(days),
        questions,
        practice,
        today,
    }
}

fn phases(plan: &Plan) -> Vec<Phase> {
    plan.days.iter().map(|d| d.phase).collect()
}

fn count(plan: &Plan, kind: StepKind) -> usize {
    plan.days
        .iter()
        .flat_map(|d| &d.steps)
        .filter(|s| s.kind == kind)
        .count()
}

const START: Date = date!(2026 - 11 - 26);

#[test]
fn date_ranges_lay_out_the_roadmap_in_order_and_compress_without_dropping_mocks_or_the_blitz() {
    use Phase::{Cadence as C, Fundamentals as F, PanelSimulation as P, ScenarioDrills as S, WeaknessBlitz as B};
    let qs = deck();
    for (days, expected_start, mocks) in [
        (1, vec![P], 2),
        (2, vec![S, P], 2),
        (3, vec![S, P, B], 2),
        (4, vec![F, S, P, B], 2),
        (5, vec![F, S, P, P, B], 2),
        (6, vec![F, S, S, P, P, B], 2),
        (7, vec![F, F, S, S, P, P, B], 2),
        (8, vec![F, F, S, S, P, P, B, C], 2),
        (14, vec![F, F, S, S, P, P, B, C, C, C, C, C, C, C], 3), // the weekly mock on day 14
        (60, vec![F, F, S, S, P, P, B, C], 2 + 7),               // days 14, 21, …, 56
    ] {
        let plan = build(inputs(START, days, &qs, &[], START));
        assert_eq!(plan.days.len(), days as usize, "{days} days");
        let got = phases(&plan);
        assert_eq!(&got[..expected_start.len()], expected_start.as_slice(), "{days} days");
        assert!(got[expected_start.len()..].iter().all(|p| *p == C), "{days}: {got:?}");
        for (i, d) in plan.days.iter().enumerate() {
            assert_eq!(d.date, START + Duration::days(i as i64), "{days}: consecutive dates");
            assert_eq!(d.day, i as i64 + 1);
            assert!(!d.steps.is_empty(), "{days}: day {} has something to do", d.day);
        }
        assert!(got.windows(2).all(|w| w[0] <= w[1]), "{days}: guide order {got:?}");
        assert_eq!(count(&plan, StepKind::Mock), mocks, "{days} days: mocks");
        assert!(count(&plan, StepKind::Blitz) >= 1, "{days} days: the blitz stays");
        let mocks_before_blitz = plan
            .days
            .iter()
            .flat_map(|d| &d.steps)
            .take_while(|s| s.kind != StepKind::Blitz)
            .filter(|s| s.kind == StepKind::Mock)
            .count();
        assert_eq!(mocks_before_blitz, 2, "{days}: both mocks come before the blitz");
        for s in plan.days.iter().flat_map(|d| &d.steps) {
            match s.kind {
                StepKind::Explain => assert_eq!((s.time_box_s, s.question_ids.len()), (90, 1)),
                StepKind::Drill => assert!(s.time_box_s >= 90 && !s.question_ids.is_empty()),
                StepKind::Mock => assert_eq!((s.question_ids.len(), s.minutes), (4, 45)),
                StepKind::Blitz => assert_eq!(s.minutes, 20),
            }
        }
    }
    // The full roadmap: days 1–2 the five easy questions, six drills over days 3–4, three blitz sets.
    let plan = build(inputs(START, 8, &qs, &[], START));
    let explains: Vec<&str> = plan.days[..2]
        .iter()
        .flat_map(|d| &d.steps)
        .map(|s| s.question_ids[0].as_str())
        .collect();
    assert_eq!(explains.len(), 5);
    assert!(explains.contains(&"pm-15-what-and-why"));
    assert!(
        explains
            .iter()
            .all(|id| qs.iter().any(|q| q.id == *id && q.difficulty == Difficulty::Easy))
    );
    assert_eq!(plan.days[2].steps.len() + plan.days[3].steps.len(), 6);
    assert!(
        plan.days[2..4]
            .iter()
            .flat_map(|d| &d.steps)
            .all(|s| s.kind == StepKind::Drill && s.time_box_s == 180)
    );
    assert_eq!(plan.days[6].steps.len(), 3);
    let cadence = &plan.days[7].steps[0];
    assert_eq!(
        (cadence.kind, cadence.minutes, cadence.question_ids.len()),
        (StepKind::Drill, 30, 4)
    );
    assert_eq!(cadence.reasons, vec!["not practised yet"; 4]);
}

#[test]
fn the_json_names_are_the_contract() {
    let qs = deck();
    let plan = build(inputs(START, 8, &qs, &[], START));
    let v = serde_json::to_value(&plan).unwrap();
    assert_eq!(v["start"], "2026-11-26");
    assert_eq!(v["interview"], "2026-12-04");
    let names: Vec<&str> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["phase"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "fundamentals",
            "fundamentals",
            "scenario-drills",
            "scenario-drills",
            "panel-simulation",
            "panel-simulation",
            "weakness-blitz",
            "cadence"
        ]
    );
    let day = &v["days"][0];
    assert_eq!(day["date"], "2026-11-26");
    let step = &day["steps"][0];
    assert_eq!(step["kind"], "explain");
    assert!(step["question_ids"].is_array() && step["time_box_s"] == 90 && step["minutes"].is_u64());
    let kinds: std::collections::BTreeSet<&str> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["steps"].as_array().unwrap())
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["blitz", "drill", "explain", "mock"]
    );
    let back: Plan = serde_json::from_value(v).unwrap();
    assert_eq!(back.days.len(), 8);
}

#[test]
fn missed_days_roll_forward_and_the_interview_date_holds() {
    let qs = deck();
    // Nothing done on days 1 and 2 of an 8-day plan: on day 3 the fundamentals are today's.
    let day3 = START + Duration::days(2);
    let t = today(inputs(START, 8, &qs, &[], day3));
    assert_eq!(t.day, 3);
    assert_eq!(t.days_to_interview, 6);
    assert_eq!(t.phase, Some(Phase::Fundamentals));
    assert!(t.steps.iter().all(|s| s.kind == StepKind::Explain), "{:?}", t.steps);
    assert_eq!(t.steps.len(), 5, "both fundamentals days share today");
    assert_eq!(t.rolled_forward, 5);
    let plan = build(inputs(START, 8, &qs, &[], day3));
    assert_eq!(plan.days.len(), 8);
    assert_eq!(
        plan.days.last().unwrap().phase,
        Phase::WeaknessBlitz,
        "no cadence left, the blitz kept"
    );
    assert_eq!(count(&plan, StepKind::Mock), 2);
    // The past days are missed, not a repeat of what rolled forward to today.
    assert!(
        plan.days[..2].iter().all(|d| d.missed && d.steps.is_empty()),
        "{:?}",
        &plan.days[..2]
    );
    assert!(!plan.days[2].missed);
    assert_eq!(t.missed_days, 2);
    // Missing almost everything: the day before the interview still holds both mocks and the blitz.
    let last = START + Duration::days(7);
    let t = today(inputs(START, 8, &qs, &[], last));
    assert_eq!(t.days_to_interview, 1);
    assert_eq!(t.steps.iter().filter(|s| s.kind == StepKind::Mock).count(), 2);
    assert!(t.steps.iter().any(|s| s.kind == StepKind::Blitz));
}

/// Each step in the plan, once: (kind, questions) for every step that is not done.
fn undone(plan: &Plan) -> Vec<(StepKind, Vec<String>)> {
    plan.days
        .iter()
        .flat_map(|d| &d.steps)
        .filter(|s| !s.done && s.kind != StepKind::Blitz)
        .map(|s| (s.kind, s.question_ids.clone()))
        .collect()
}

#[test]
fn a_plan_started_in_the_past_shows_the_missed_days_as_missed() {
    let qs = deck();
    let easy: Vec<&Question> = qs.iter().filter(|q| q.difficulty == Difficulty::Easy).collect();
    let on = |day: i64, q: &Question| practice(&q.id, datetime!(2026-11-26 09:00 UTC) + Duration::days(day), 0.7);
    // (practice as (day index, easy question), today as a day index, expected missed flags of the past days,
    // steps listed on each past day, missed days counted by today)
    type Case = (Vec<(i64, usize)>, i64, Vec<bool>, Vec<usize>, usize);
    let cases: Vec<Case> = vec![
        // A new plan whose start is 4 days ago, nothing done: four missed days, empty.
        (vec![], 4, vec![true; 4], vec![0; 4], 4),
        // Day 1 practised (two explains), days 2–3 missed.
        (vec![(0, 0), (0, 1)], 3, vec![false, true, true], vec![2, 0, 0], 2),
        // Days 1 and 3 practised, day 2 missed: day 3 lists what was done on it.
        (vec![(0, 0), (2, 3)], 3, vec![false, true, false], vec![1, 0, 1], 1),
        // Starting today: no past days.
        (vec![], 0, vec![], vec![], 0),
    ];
    for (done, today_k, missed, listed, missed_days) in cases {
        let p: Vec<Practice> = done.iter().map(|(d, i)| on(*d, easy[*i])).collect();
        let today_date = START + Duration::days(today_k);
        let plan = build(inputs(START, 8, &qs, &p, today_date));
        let past: Vec<&Day> = plan.days.iter().filter(|d| d.date < today_date).collect();
        let case = format!("practice {done:?}, today day {}", today_k + 1);
        assert_eq!(past.iter().map(|d| d.missed).collect::<Vec<_>>(), missed, "{case}");
        assert_eq!(past.iter().map(|d| d.steps.len()).collect::<Vec<_>>(), listed, "{case}");
        assert!(
            past.iter().flat_map(|d| &d.steps).all(|s| s.done),
            "{case}: a past day lists what was done"
        );
        assert_eq!(plan.days.len(), 8, "{case}: every day to the interview");
        // Nothing to do is listed twice: what the past days held and was not done is ahead, once.
        let todo = undone(&plan);
        let unique: std::collections::BTreeSet<(&str, &Vec<String>)> =
            todo.iter().map(|(k, q)| (k.as_str(), q)).collect();
        assert_eq!(todo.len(), unique.len(), "{case}: {todo:?}");
        let t = today(inputs(START, 8, &qs, &p, today_date));
        assert_eq!(t.missed_days, missed_days, "{case}");
        let line = t.rolled_forward_line();
        assert_eq!(
            line.as_deref().is_some_and(|l| l.starts_with("Missed")),
            missed_days > 0,
            "{case}: {line:?}"
        );
    }
    // The JSON names the missed days and leaves the field out elsewhere.
    let plan = build(inputs(START, 8, &qs, &[], START + Duration::days(1)));
    let v = serde_json::to_value(&plan).unwrap();
    assert_eq!(v["days"][0]["missed"], true);
    assert!(v["days"][1].get("missed").is_none());
    let t = today(inputs(START, 8, &qs, &[], START + Duration::days(4)));
    assert_eq!(
        t.rolled_forward_line().unwrap(),
        "Missed 4 days; 11 steps from earlier days are laid out again from today"
    );
}

#[test]
fn practising_ahead_counts_and_pulls_the_plan_forward() {
    let qs = deck();
    let easy: Vec<&Question> = qs.iter().filter(|q| q.difficulty == Difficulty::Easy).collect();
    let t0 = datetime!(2026-11-26 09:00 +01:00);
    let mut p: Vec<Practice> = easy
        .iter()
        .enumerate()
        .map(|(i, q)| practice(&q.id, t0 + Duration::minutes(5 * i as i64), 0.8))
        .collect();
    let first_drill = core_units(&qs)[2].steps[0].question_ids[0].clone();
    p.push(practice(&first_drill, t0 + Duration::hours(1), 0.5));
    let t = today(inputs(START, 8, &qs, &p, START));
    assert!(t.done_today, "{:?}", t.steps);
    let next = t.next.unwrap();
    assert!(next.ahead && next.index.is_none());
    assert_eq!(next.step.kind, StepKind::Drill);
    assert_ne!(
        next.question_id.as_deref(),
        Some(first_drill.as_str()),
        "the answered drill counts"
    );
    assert_eq!(t.roadmap_done, 2);
    assert_eq!(t.streak, 1);
    // Next day: the fundamentals are behind, so scenario drills start a day early and cadence gains a day.
    let t = today(inputs(START, 8, &qs, &p, START + Duration::days(1)));
    assert_eq!(t.phase, Some(Phase::ScenarioDrills));
    assert_eq!(t.steps.iter().filter(|s| s.done).count(), 1);
    assert_eq!(t.rolled_forward, 0);
    let plan = build(inputs(START, 8, &qs, &p, START + Duration::days(1)));
    assert_eq!(phases(&plan).iter().filter(|p| **p == Phase::Cadence).count(), 2);
    assert_eq!(plan.days[0].phase, Phase::Fundamentals, "day 1 as it was");
    assert!(!plan.days[0].missed);
    assert!(plan.days[0].steps.iter().all(|s| s.done));
    assert_eq!(
        plan.days[0].steps.len(),
        6,
        "what was done on day 1, the drill ahead too"
    );
    // An answer before the plan's start does not count; repeating one question does not count twice.
    let mut early = vec![practice(&easy[0].id, t0 - Duration::days(3), 1.0)];
    early.push(practice(&easy[1].id, t0, 1.0));
    early.push(practice(&easy[1].id, t0 + Duration::minutes(1), 1.0));
    let t = today(inputs(START, 8, &qs, &early, START));
    assert_eq!(t.steps.iter().filter(|s| s.done).count(), 1, "{:?}", t.steps);
}

fn panel(q: &str, at: OffsetDateTime, id: &str, cells: &[(&str, f64)]) -> Practice {
    let mut p = practice(q, at, 0.0);
    p.cells = cells.iter().map(|(c, s)| ((*c).to_owned(), *s)).collect();
    p.panel = Some(id.into());
    p
}

#[test]
fn the_blitz_drills_the_worst_cell_from_the_mocks() {
    let qs = deck();
    let cells = |tr: f64, ex: f64| {
        vec![
            ("restatement", 0.9),
            ("trade-offs", tr),
            ("execution", ex),
            ("communication", 0.8),
        ]
    };
    let mut p = Vec::new();
    // Days 1–4 done on time, then two panels on days 5 and 6, where trade-offs were weakest.
    for (i, u) in core_units(&qs)[..4].iter().enumerate() {
        for s in &u.steps {
            let at = datetime!(2026-11-26 10:00 +01:00) + Duration::days(i as i64);
            p.push(practice(&s.question_ids[0], at, 0.7));
        }
    }
    for (day, id) in [(4, "panel-a"), (5, "panel-b")] {
        for (k, q) in qs[..4].iter().enumerate() {
            let at = datetime!(2026-11-26 18:00 +01:00) + Duration::days(day) + Duration::minutes(10 * k as i64);
            p.push(panel(&q.id, at, id, &cells(0.2 + 0.05 * k as f64, 0.5)));
        }
    }
    let day7 = START + Duration::days(6);
    let t = today(inputs(START, 8, &qs, &p, day7));
    assert_eq!(t.phase, Some(Phase::WeaknessBlitz), "{:?}", t.steps);
    assert_eq!(t.roadmap_done, 6);
    let w = t.worst_cell.clone().unwrap();
    assert_eq!((w.cell.as_str(), w.answers), ("trade-offs", 8));
    assert!((w.auto - 0.275).abs() < 1e-9, "{}", w.auto);
    assert_eq!(t.steps.len(), 3);
    for s in &t.steps {
        assert_eq!(s.target_cell.as_deref(), Some("trade-offs"));
        assert_eq!(s.question_ids.len(), 3);
        assert!(s.why.contains("trade-offs is your weakest cell"), "{}", s.why);
    }
    // The weakest questions on that cell first.
    assert_eq!(t.steps[0].question_ids[0], qs[0].id);
    assert!(t.next.unwrap().why.starts_with("trade-offs 20% last time"));
    // Three blitz answers finish the first set.
    let mut more = p.clone();
    for (k, q) in qs.iter().take(3).enumerate() {
        more.push(practice(
            &q.id,
            datetime!(2026-12-02 09:00 +01:00) + Duration::minutes(k as i64),
            0.6,
        ));
    }
    let t = today(inputs(START, 8, &qs, &more, day7));
    assert_eq!(t.steps.iter().map(|s| s.done).collect::<Vec<_>>(), [true, false, false]);
    assert_eq!(t.next.unwrap().index, Some(1));
}

#[test]
fn worst_cell_uses_the_self_score_where_it_disagrees() {
    for (auto, me, expected) in [
        // (trade-offs auto, execution auto), self-scores (restatement, trade-offs, execution, communication)
        ((0.3, 0.6), None, "trade-offs"),
        ((0.3, 0.6), Some((5, 5, 1, 5)), "execution"),
        ((0.6, 0.6), Some((5, 5, 5, 1)), "communication"),
        ((0.6, 0.6), Some((5, 5, 5, 5)), "trade-offs"), // a tie goes to the rubric's order
    ] {
        let mut p = practice("q", datetime!(2026-11-30 10:00 UTC), 0.9);
        p.cells = vec![
            ("restatement".into(), 0.9),
            ("trade-offs".into(), auto.0),
            ("execution".into(), auto.1),
            ("communication".into(), 0.9),
        ];
        p.self_scores = me.map(|(a, b, c, d)| SelfScores::new(a, b, c, d).unwrap());
        let w = worst_cell(&[&p]).unwrap();
        assert_eq!(w.cell, expected, "{auto:?} {me:?}");
    }
    assert!(worst_cell(&[]).is_none());
}

#[test]
fn a_mock_without_a_panel_counts_once_its_questions_are_answered_after_the_drills() {
    let qs = deck();
    let units = core_units(&qs);
    let mut p = Vec::new();
    let mut at = datetime!(2026-11-26 10:00 +01:00);
    for u in &units[..4] {
        for s in &u.steps {
            p.push(practice(&s.question_ids[0], at, 0.7));
            at += Duration::minutes(10);
        }
    }
    // The mock's questions overlap the drills': answers before the drills were done do not count.
    let t = today(inputs(START, 8, &qs, &p, START));
    assert_eq!(t.roadmap_done, 4);
    at += Duration::hours(1);
    for q in &units[4].steps[0].question_ids {
        p.push(practice(q, at, 0.4));
        at += Duration::minutes(10);
    }
    let t = today(inputs(START, 8, &qs, &p, START));
    assert_eq!(t.roadmap_done, 5);
    assert_eq!(
        t.worst_cell.unwrap().cell,
        "restatement",
        "all cells equal: rubric order"
    );
}

#[test]
fn days_follow_the_calendar_across_time_zones_and_daylight_saving() {
    let qs = deck();
    // Europe switches to summer time on 2026-03-29 and back on 2026-10-25.
    for (start, tz_answers) in [
        (
            date!(2026 - 03 - 25),
            vec![datetime!(2026-03-29 00:30 +01:00), datetime!(2026-03-29 23:30 +02:00)],
        ),
        (
            date!(2026 - 10 - 21),
            vec![datetime!(2026-10-25 00:30 +02:00), datetime!(2026-10-25 23:30 +01:00)],
        ),
        (
            // Far west: 23:30 at UTC-7 is already the next day in UTC; the answer belongs to its own day.
            date!(2026 - 10 - 21),
            vec![datetime!(2026-10-25 00:30 -07:00), datetime!(2026-10-25 23:30 -07:00)],
        ),
    ] {
        let plan = build(inputs(start, 8, &qs, &[], start));
        let dates: Vec<Date> = plan.days.iter().map(|d| d.date).collect();
        assert_eq!(dates.len(), 8);
        assert!(dates.windows(2).all(|w| w[1] == w[0].next_day().unwrap()), "{dates:?}");
        let p: Vec<Practice> = tz_answers
            .iter()
            .map(|at| practice("pm-15-what-and-why", *at, 0.9))
            .collect();
        assert!(
            p.iter().all(|x| x.date == tz_answers[0].date()),
            "both answers on one local day"
        );
        let day = tz_answers[0].date();
        assert_eq!(streak(&p, day), 1);
        assert_eq!(
            streak(&p, day.next_day().unwrap()),
            1,
            "yesterday's streak holds until today's first"
        );
        assert_eq!(streak(&p, day + Duration::days(2)), 0);
    }
    // Practice on three days in a row across the spring change.
    let p: Vec<Practice> = [
        datetime!(2026-03-28 22:00 +01:00),
        datetime!(2026-03-29 08:00 +02:00),
        datetime!(2026-03-30 23:59 +02:00),
    ]
    .iter()
    .map(|at| practice("pm-15-what-and-why", *at, 0.9))
    .collect();
    assert_eq!(streak(&p, date!(2026 - 03 - 30)), 3);
}

#[test]
fn before_the_start_and_after_the_interview() {
    let qs = deck();
    let t = today(inputs(START, 8, &qs, &[], START - Duration::days(2)));
    assert_eq!((t.day, t.days_to_interview, t.phase), (-1, 10, None));
    assert!(t.steps.is_empty());
    let next = t.next.unwrap();
    assert!(next.ahead);
    assert_eq!(next.step.kind, StepKind::Explain);
    for after in [8, 9] {
        let t = today(inputs(START, 8, &qs, &[], START + Duration::days(after)));
        assert!(t.steps.is_empty() && t.next.is_none() && t.phase.is_none());
        assert_eq!(t.days_to_interview, 8 - after);
        let plan = build(inputs(START, 8, &qs, &[], START + Duration::days(after)));
        assert_eq!(plan.days.len(), 8, "the past stays in the plan");
    }
    let plan = build(inputs(START, 0, &qs, &[], START));
    assert!(plan.days.is_empty(), "interview today: nothing left to plan");
}

#[test]
fn the_cadence_drill_picks_due_and_weak_questions_and_says_why() {
    let qs = deck();
    let mut p = Vec::new();
    let at = datetime!(2026-11-26 10:00 +01:00);
    for (i, q) in qs.iter().enumerate() {
        let mut x = practice(&q.id, at + Duration::minutes(i as i64), 1.0);
        if q.id == "pm-04-debug-slow" {
            x.cells[1].1 = 0.1; // trade-offs weak
        }
        p.push(x);
    }
    // The mocks were never done, so they and the blitz come first; then the first cadence day.
    let plan = build(inputs(START, 14, &qs, &p, START + Duration::days(7)));
    let d = plan.days.iter().find(|d| d.phase == Phase::Cadence).unwrap();
    assert_eq!(d.date, START + Duration::days(10), "{:?}", phases(&plan));
    let s = &d.steps[0];
    assert_eq!(s.question_ids[0], "pm-04-debug-slow");
    assert_eq!(s.reasons[0], "trade-offs weak 10 days ago");
    assert!(
        s.reasons[1..]
            .iter()
            .all(|r| r.starts_with("trade-offs due again") || r.contains("due again")),
        "{:?}",
        s.reasons
    );
}

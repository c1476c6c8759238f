//! The rubric's table tests on spoken-style answers (fixtures in `tests/fixtures/answers/`), plus focused checks of
//! negation, accidental words, dimensions and restatement timing.

use super::{Report, score};
use crate::bank::Deck;
use crate::rubric::*;
use crate::transcript::Transcript;

struct Fixture {
    name: &'static str,
    text: &'static str,
}

macro_rules! fixture {
    ($name:literal) => {
        Fixture {
            name: $name,
            text: include_str!(concat!("../../tests/fixtures/answers/", $name, ".txt")),
        }
    };
}

fn setup() -> (Deck, Rubric) {
    (Deck::embedded().expect("deck"), Rubric::embedded().expect("rubric"))
}

/// Scores plain text spoken at 150 wpm (0.4 s per word).
fn run(deck: &Deck, rubric: &Rubric, qid: &str, text: &str) -> Report {
    let q = deck.question(qid).unwrap_or_else(|| panic!("no question {qid}"));
    let t = Transcript::from_plain_text(text, None);
    score(q, rubric, &t, q.time_box_s)
}

fn cell<'a>(r: &'a Report, id: &str) -> &'a CellResult {
    r.rubric
        .iter()
        .find(|c| c.cell == id)
        .unwrap_or_else(|| panic!("no cell {id}"))
}

const ALL: [&str; 5] = ["restatement", "trade-offs", "boundaries", "execution", "communication"];

#[test]
fn embedded_rubric_has_the_five_cells() {
    let (_, rubric) = setup();
    let ids: Vec<&str> = rubric.cells().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ALL);
    assert_eq!(rubric.dimension_target(), (2, 3));
}

#[test]
fn table_of_answers() {
    struct Case {
        fixture: Fixture,
        question: &'static str,
        covered: &'static [&'static str],
        not_covered: &'static [&'static str],
        dims: std::ops::RangeInclusive<usize>,
        points: usize,
        mistakes_mentioned: usize,
    }
    let cases = [
        Case {
            fixture: fixture!("pm-01-strong"),
            question: "pm-01-success-metrics",
            covered: &ALL,
            not_covered: &[],
            dims: 2..=4,
            points: 3,
            mistakes_mentioned: 2,
        },
        Case {
            fixture: fixture!("pm-01-weak"),
            question: "pm-01-success-metrics",
            covered: &[],
            not_covered: &ALL,
            dims: 0..=0,
            points: 0,
            mistakes_mentioned: 0,
        },
        Case {
            fixture: fixture!("pm-04-strong"),
            question: "pm-04-debug-slow",
            covered: &ALL,
            not_covered: &[],
            dims: 2..=4,
            points: 3,
            mistakes_mentioned: 1,
        },
        Case {
            fixture: fixture!("pm-11-no-signposts"),
            question: "pm-11-hidden-production-trade-off",
            covered: &["restatement", "trade-offs", "boundaries", "execution"],
            not_covered: &["communication"],
            dims: 2..=3,
            points: 3,
            mistakes_mentioned: 2,
        },
        Case {
            fixture: fixture!("pm-09-negated"),
            question: "pm-09-top-follow-ups",
            covered: &[],
            not_covered: &["restatement", "trade-offs", "boundaries", "execution"],
            dims: 0..=0,
            points: 0,
            mistakes_mentioned: 0,
        },
        Case {
            fixture: fixture!("pm-05-accidental"),
            question: "pm-05-wrong-tool",
            covered: &[],
            not_covered: &ALL,
            dims: 0..=0,
            points: 0,
            mistakes_mentioned: 0,
        },
        Case {
            fixture: fixture!("pm-06-late-restatement"),
            question: "pm-06-documentation",
            covered: &["restatement", "communication"],
            not_covered: &["trade-offs", "boundaries"],
            dims: 0..=1,
            points: 3,
            mistakes_mentioned: 0,
        },
    ];
    let (deck, rubric) = setup();
    for c in cases {
        let words = c.fixture.text.split_whitespace().count();
        assert!((150..=450).contains(&words), "{}: {words} words", c.fixture.name);
        let r = run(&deck, &rubric, c.question, c.fixture.text);
        let ctx = || format!("{}:\n{}", c.fixture.name, r.summary());
        for id in c.covered {
            assert!(cell(&r, id).covered, "{id} should be covered in {}", ctx());
        }
        for id in c.not_covered {
            assert!(!cell(&r, id).covered, "{id} should NOT be covered in {}", ctx());
        }
        assert!(
            c.dims.contains(&r.dimensions.len()),
            "dimensions {:?} in {}",
            r.dimensions,
            ctx()
        );
        let points = r.content_points.iter().filter(|p| p.covered).count();
        assert_eq!(points, c.points, "content points in {}", ctx());
        let mentioned = r.mistakes.iter().filter(|m| m.mentioned).count();
        assert_eq!(mentioned, c.mistakes_mentioned, "mistakes in {}", ctx());
        for cr in &r.rubric {
            assert!((0.0..=1.0).contains(&cr.score));
            assert_eq!(
                cr.covered,
                !cr.evidence.is_empty() && cr.covered,
                "covered cells carry evidence"
            );
            for e in &cr.evidence {
                assert!(e.start_s <= e.end_s && e.end_s <= r.duration_s + 1e-9, "{e:?}");
            }
        }
    }
}

#[test]
fn weak_answer_scores_lower_than_strong_everywhere() {
    let (deck, rubric) = setup();
    let strong = run(&deck, &rubric, "pm-01-success-metrics", fixture!("pm-01-strong").text);
    let weak = run(&deck, &rubric, "pm-01-success-metrics", fixture!("pm-01-weak").text);
    for (s, w) in strong.rubric.iter().zip(&weak.rubric) {
        assert!(s.score > w.score, "{}: strong {} vs weak {}", s.cell, s.score, w.score);
    }
    assert!(weak.delivery.fillers_per_min > 5.0 * strong.delivery.fillers_per_min.max(0.5));
    assert!(weak.delivery.hedges_per_min > strong.delivery.hedges_per_min);
}

#[test]
fn restatement_time_is_detected_and_late_is_flagged() {
    let (deck, rubric) = setup();
    let r = run(&deck, &rubric, "pm-01-success-metrics", fixture!("pm-01-strong").text);
    assert_eq!(r.restatement_at_s, Some(0.0));
    assert!(!r.restatement_late);

    // "Okay, so you're asking…": the phrase starts at the third word, 0.8 s at 150 wpm.
    let r = run(&deck, &rubric, "pm-04-debug-slow", fixture!("pm-04-strong").text);
    let at = r.restatement_at_s.expect("restated");
    assert!((at - 0.8).abs() < 1e-9, "{at}");

    // Echoing the question with no restatement phrase still counts.
    // The echo starts at its first echoed word: "A non-obvious…" → "non" is word 1, 0.4 s.
    let r = run(
        &deck,
        &rubric,
        "pm-11-hidden-production-trade-off",
        fixture!("pm-11-no-signposts").text,
    );
    let at = r.restatement_at_s.expect("echo");
    assert!((at - 0.4).abs() < 1e-9, "{at}");
    assert!(
        cell(&r, "restatement").evidence[0]
            .text
            .starts_with("non-obvious trade-off that only shows up")
    );

    // Rambles for ~95 words (38 s) before "so the question is".
    let r = run(
        &deck,
        &rubric,
        "pm-06-documentation",
        fixture!("pm-06-late-restatement").text,
    );
    let at = r.restatement_at_s.expect("restated");
    assert!((30.0..50.0).contains(&at), "{at}");
    assert!(r.restatement_late);
    assert!(
        cell(&r, "restatement").covered,
        "a late restatement is still a restatement"
    );
    let ev = &cell(&r, "restatement").evidence[0];
    assert_eq!(ev.text, "so the question is");
    assert!(
        ev.sentence
            .as_deref()
            .is_some_and(|s| s.starts_with("Anyway, so the question is how I'd document"))
    );

    let r = run(&deck, &rubric, "pm-01-success-metrics", fixture!("pm-01-weak").text);
    assert_eq!((r.restatement_at_s, r.restatement_late), (None, false));
}

#[test]
fn negations_are_not_coverage() {
    let (deck, rubric) = setup();
    let q = "pm-09-top-follow-ups";
    let cases: [(&str, &str, bool); 10] = [
        (
            "I considered the trade-offs between freshness and cost.",
            "trade-offs",
            true,
        ),
        ("I didn't consider trade-offs.", "trade-offs", false),
        ("There are no trade-offs here.", "trade-offs", false),
        ("I never, um, thought about the tradeoff.", "trade-offs", false),
        ("It is not free, but the trade-off is worth it.", "trade-offs", true),
        ("The edge cases are late events.", "boundaries", true),
        ("I won't talk about edge cases.", "boundaries", false),
        ("Where this breaks is late data.", "boundaries", true),
        ("I never thought about where this breaks.", "boundaries", false),
        ("This approach doesn't scale past one node.", "boundaries", true),
    ];
    for (text, id, expect) in cases {
        let r = run(&deck, &rubric, q, text);
        assert_eq!(cell(&r, id).covered, expect, "{id} for {text:?}: {:?}", cell(&r, id));
    }
    // Negated content points and mistakes are not coverage either.
    let r = run(
        &deck,
        &rubric,
        "pm-01-success-metrics",
        "We did not track latency. We never made it idempotent.",
    );
    assert!(!r.content_points[1].covered);
    assert!(!r.mistakes[1].mentioned);
    let r = run(
        &deck,
        &rubric,
        "pm-01-success-metrics",
        "We track latency. We made it idempotent.",
    );
    assert!(r.content_points[1].covered);
    assert!(r.mistakes[1].mentioned);
}

#[test]
fn accidental_words_do_not_count() {
    let (deck, rubric) = setup();
    let q = "pm-05-wrong-tool";
    let cases: [(&str, &str, bool); 8] = [
        ("I traded cards with my friends.", "trade-offs", false),
        ("We traded off freshness for cost.", "trade-offs", true),
        ("We took a break when the pizza arrived.", "boundaries", false),
        ("It breaks when the pizza arrives.", "boundaries", true),
        ("The edge of the table was sharp.", "boundaries", false),
        ("The cost of the pizza was high.", "trade-offs", false),
        ("He kept his balance on one foot.", "trade-offs", false),
        ("The first thing was the food.", "execution", false),
    ];
    for (text, id, expect) in cases {
        let r = run(&deck, &rubric, q, text);
        assert_eq!(cell(&r, id).covered, expect, "{id} for {text:?}");
    }
}

#[test]
fn dimensions_need_a_trade_off_or_conditional_cue() {
    let (deck, rubric) = setup();
    let cases: [(&str, &[&str]); 8] = [
        ("We care about latency, cost and freshness.", &[]),
        ("The scale of the drawing was off.", &[]),
        ("Batch is cheaper than streaming.", &["freshness", "cost"]),
        (
            "If latency matters, we pay for it. It depends on cost versus consistency.",
            &["latency", "cost", "consistency"],
        ),
        (
            "If the scale grows past a few terabytes we need to partition.",
            &["scale"],
        ),
        (
            "We gain freshness at the cost of operational complexity.",
            &["freshness", "complexity"],
        ),
        ("It is not about latency if you ask me.", &[]),
        ("Latency. If we must, we will.", &[]),
    ];
    for (text, expect) in cases {
        let r = run(&deck, &rubric, "pm-01-success-metrics", text);
        assert_eq!(r.dimensions, expect.to_vec(), "{text:?}");
    }
    let r = run(&deck, &rubric, "pm-01-success-metrics", fixture!("pm-01-strong").text);
    // "if an event is processed twice we ship duplicate…" (consistency), "if the business cares most about
    // freshness", "more expensive … at the cost of", "at the cost of more operational complexity".
    assert_eq!(r.dimensions, vec!["consistency", "freshness", "cost", "complexity"]);
}

#[test]
fn evidence_points_at_the_spoken_words() {
    let (deck, rubric) = setup();
    let text = fixture!("pm-01-strong").text;
    let r = run(&deck, &rubric, "pm-01-success-metrics", text);
    let trade = &cell(&r, "trade-offs").evidence;
    assert!(trade.len() >= 2);
    let ev = &trade[0];
    assert_eq!(ev.text, "trade-off");
    let idx = text
        .split_whitespace()
        .position(|w| w == "trade-off.")
        .expect("word present");
    assert!(
        (ev.start_s - idx as f64 * 0.4).abs() < 1e-9,
        "{} vs word {idx}",
        ev.start_s
    );
    assert!((ev.end_s - (idx + 1) as f64 * 0.4).abs() < 1e-9);
    assert_eq!(ev.sentence.as_deref(), Some("Now, the trade-off."));
    let b = &cell(&r, "boundaries").evidence[0];
    assert_eq!(b.text, "Where this breaks");
}

#[test]
fn numbers_in_many_spellings_count_as_execution() {
    let (deck, rubric) = setup();
    let r = run(
        &deck,
        &rubric,
        "pm-09-top-follow-ups",
        "At 10× the load, p99 went up. We kept 99.9% uptime.",
    );
    let ev: Vec<&str> = cell(&r, "execution").evidence.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(ev, ["10×", "99.9%"]);
    assert!(r.content_points[2].covered, "10× matches the 10x content point");
}

#[test]
fn communication_needs_the_time_box() {
    let (deck, rubric) = setup();
    let q = deck.question("pm-06-documentation").expect("q");
    let text = fixture!("pm-06-late-restatement").text;
    let inside = score(q, &rubric, &Transcript::from_plain_text(text, Some(170.0)), 180.0);
    let over = score(q, &rubric, &Transcript::from_plain_text(text, Some(200.0)), 180.0);
    assert!(
        cell(&inside, "communication")
            .evidence
            .iter()
            .any(|e| e.text == "finished at 2:50 of 3:00")
    );
    assert!(cell(&over, "communication").score < cell(&inside, "communication").score);
}

#[test]
fn rubric_errors_name_line_and_column() {
    let err = Rubric::from_toml_str("version = 1\n[negation]\nwindow = \"five\"\n").expect_err("bad");
    match err {
        RubricError::Parse { line, column, .. } => assert_eq!((line, column), (3, 10)),
        other => panic!("{other:?}"),
    }
    let mut cfg = Rubric::embedded().expect("rubric").config().clone();
    cfg.restatement.cell = "nope".into();
    assert!(matches!(Rubric::from_config(cfg), Err(RubricError::Invalid(_))));
}

#[test]
fn empty_transcript_scores_zero_without_panicking() {
    let (deck, rubric) = setup();
    for q in &deck.questions {
        let r = score(q, &rubric, &Transcript::default(), q.time_box_s);
        assert!(r.rubric.iter().all(|c| !c.covered && c.score == 0.0));
        assert!(r.dimensions.is_empty());
        let _ = r.summary();
    }
}

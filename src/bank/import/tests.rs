//! The importer's parts, one by one (the whole import is tested in tests/deck_import.rs).

use std::collections::HashSet;

use super::build::{id_prefix, prompt_slug, topic_of};
use super::parse::{parse_mix, question_start, split_difficulty};
use super::points::{content_points, mistake_phrases};
use super::*;
use crate::bank::{Difficulty, Mix};

fn topic() -> HashSet<String> {
    ["product", "metrics"].iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn hint_with_three_metrics_gives_three_points() {
    let pts = content_points(
        "Pair a correctness metric with a latency metric and a cost metric. Any two of the three alone can \
         mislead decisions on Product Metrics.",
        &topic(),
    );
    let labels: Vec<&str> = pts.iter().map(|p| p.point.as_str()).collect();
    assert_eq!(labels, ["A correctness metric", "A latency metric", "A cost metric"]);
    assert!(
        pts[0].phrases.contains(&"correctness".to_string()),
        "{:?}",
        pts[0].phrases
    );
    assert!(
        pts[1].phrases.contains(&"latency metric".to_string()),
        "{:?}",
        pts[1].phrases
    );
    // "metric" is shared by all three points: never a phrase on its own.
    assert!(pts.iter().all(|p| !p.phrases.contains(&"metric".to_string())));
}

#[test]
fn enumerations_split_and_negated_words_are_dropped() {
    let pts = content_points(
        "Expect a performance twist, a correctness corner-case, and a \"how would this change at 10x scale\" follow-up.",
        &topic(),
    );
    assert_eq!(pts.len(), 3, "{pts:?}");
    let pts = content_points(
        "Anchor the trade-off in a recent, relatable case; walk them through the choice chronology, not the \
         abstract taxonomy, around Product Metrics.",
        &topic(),
    );
    assert_eq!(pts.len(), 2, "{pts:?}");
    assert!(
        pts.iter().all(|p| p.phrases.iter().all(|ph| !ph.contains("taxonomy"))),
        "{pts:?}"
    );
    let pts = content_points(
        "Measure, don't guess — attach the profiler, capture a representative workload, then zoom into the \
         top contributor.",
        &topic(),
    );
    assert!(
        pts.iter().all(|p| p.phrases.iter().all(|ph| !ph.contains("guess"))),
        "{pts:?}"
    );
    assert!(
        pts.iter().any(|p| p.phrases.contains(&"profiler".to_string())),
        "{pts:?}"
    );
}

#[test]
fn mistake_phrases_name_the_mistake() {
    let p = mistake_phrases(
        "Skipping schema evolution — a nullable new column silently breaks every downstream consumer.",
        &topic(),
    );
    assert!(p.contains(&"schema evolution".to_string()), "{p:?}");
    assert!(!p.contains(&"skipping".to_string()), "{p:?}");
}

#[test]
fn difficulty_runs_into_the_hint() {
    assert_eq!(
        split_difficulty("mediumPair a metric"),
        Some((Difficulty::Medium, "Pair a metric"))
    );
    assert_eq!(
        split_difficulty("**Hard** — Anchor"),
        Some((Difficulty::Hard, "Anchor"))
    );
    assert_eq!(split_difficulty("hardware matters"), None);
    assert_eq!(split_difficulty("Pair a metric"), None);
    assert_eq!(split_difficulty("easy"), Some((Difficulty::Easy, "")));
}

#[test]
fn question_lines_and_mix() {
    assert_eq!(question_start("Q12.What now?"), Some((12, "What now?")));
    assert_eq!(question_start("**Q3.** Why?"), Some((3, "Why?")));
    assert_eq!(question_start("Quality matters"), None);
    assert_eq!(
        parse_mix("This guide is weighted 5 easy · 6 medium · 4 hard — use it"),
        Some(Mix {
            easy: 5,
            medium: 6,
            hard: 4
        })
    );
    assert_eq!(parse_mix("easy wins"), None);
}

#[test]
fn ids_are_stable_slugs() {
    assert_eq!(id_prefix("product-metrics"), "pm");
    assert_eq!(
        prompt_slug(
            "What metrics would you track to know Product Metrics is working well?",
            &topic()
        ),
        "track-know-working"
    );
    assert_eq!(
        topic_of("Product Metrics Interview Questions 2026 (2026 Prep Guide)"),
        "Product Metrics"
    );
}

#[test]
fn bad_bytes_never_panic() {
    for input in [
        &b""[..],
        b"\xEF\xBB\xBF",
        b"\x00\x01\x02",
        b"Q1.",
        b"Q1.Why?\n\xC3",
        b"\xff\xfe<html>",
        b"<html><body><p>Q1.Why?</p><p>easyBecause.</p></body></html>",
        b"Q\nQ99999999999.x\neasy",
        "Q1.é?\nhard…".as_bytes(),
    ] {
        let _ = import_guide(input, &ImportOptions::default());
        let _ = import_guide(
            input,
            &ImportOptions {
                format: Some(Format::Html),
                ..ImportOptions::default()
            },
        );
        let _ = import_guide(
            input,
            &ImportOptions {
                format: Some(Format::Markdown),
                ..ImportOptions::default()
            },
        );
    }
}

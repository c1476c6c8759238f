//! Exports of real reports, read back: HTML parsed, Markdown checked for its tables, CSV parsed.

use super::*;
use crate::bank::Deck;
use crate::panel;
use crate::rubric::Rubric;
use crate::store::PanelSlot;
use crate::transcript::{TimedText, Transcript};

const ANSWER: &str = "So the question is how we know the pipeline works. The trade-off is latency versus cost. \
                      It breaks when data arrives late, <script>alert</script> | a_b markup.";

fn scored_attempt(deck: &Deck, qid: &str, text: &str) -> Attempt {
    let q = deck.question(qid).unwrap();
    let rubric = Rubric::embedded().unwrap();
    let mut t = Transcript::from_plain_text(text, Some(30.0));
    t.segments = vec![TimedText {
        start_s: 0.0,
        end_s: 30.0,
        text: text.into(),
    }];
    let r = report::score(q, &rubric, &t, 180.0);
    Attempt {
        id: format!("20261125-100000-{qid}"),
        question_id: qid.into(),
        deck_id: deck.id.clone(),
        started_at: time::macros::datetime!(2026-11-25 10:00 UTC),
        duration_s: 30.0,
        time_box_s: Some(180.0),
        status: Status::Scored,
        transcript: Some(t),
        report: crate::session::report_to_store(&r),
        self_scores: Some(SelfScores::new(4, 3, 2, 5).unwrap()),
        notes: "Next time: <b>numbers</b> & a summary".into(),
        ..Attempt::default()
    }
}

fn text_of(el: scraper::ElementRef<'_>) -> String {
    el.text().collect::<String>()
}

#[test]
fn html_is_self_contained_escaped_and_carries_evidence_and_chart() {
    let deck = Deck::embedded().unwrap();
    let a = scored_attempt(&deck, "pm-01-success-metrics", ANSWER);
    let html = attempt_document(&a, deck.question(&a.question_id)).render(Format::Html);
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    // Nothing runs or is fetched: no script elements, no src/href, no url() or @import.
    assert_eq!(doc.select(&sel("script, link, img, iframe")).count(), 0, "{html}");
    assert_eq!(doc.select(&sel("[src], [href]")).count(), 0);
    assert!(!html.contains("url(") && !html.contains("@import") && !html.contains("http"));
    // The hostile text is text.
    assert!(html.contains("&lt;script&gt;alert&lt;/script&gt; | a_b"), "{html}");
    assert!(
        doc.root_element()
            .text()
            .any(|t| t.contains("<b>numbers</b> & a summary"))
    );
    // The chart: one bar per rubric cell, widths matching the scores.
    let r = crate::session::stored_report(&a).unwrap();
    let bars: Vec<f64> = doc
        .select(&sel("svg rect.bar"))
        .map(|e| e.value().attr("data-value").unwrap().parse().unwrap())
        .collect();
    assert_eq!(bars.len(), r.rubric.len());
    for (b, c) in bars.iter().zip(&r.rubric) {
        assert!((b - c.score).abs() < 1e-3, "{b} vs {}", c.score);
    }
    // Evidence with timestamps, for each covered cell.
    let items: Vec<String> = doc.select(&sel("li")).map(text_of).collect();
    for c in r.rubric.iter().filter(|c| c.covered) {
        let e = &c.evidence[0];
        let stamp = format!("{}–{}", mmss(e.start_s), mmss(e.end_s));
        assert!(
            items
                .iter()
                .any(|i| i.starts_with(&stamp) && i.contains(&capitalised(&c.cell))),
            "no evidence line for {} at {stamp} in {items:?}",
            c.cell
        );
    }
    assert!(r.rubric.iter().any(|c| c.covered), "the answer covers something");
    // The coverage table: a row per cell with the self-score beside it.
    let rows: Vec<Vec<String>> = doc
        .select(&sel("table"))
        .next()
        .unwrap()
        .select(&sel("tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(text_of).collect())
        .collect();
    assert_eq!(rows.len(), r.rubric.len());
    let trade = rows.iter().find(|r| r[0] == "Trade-offs").unwrap();
    assert_eq!(trade[3], "3/5");
    // The transcript and the delivery are there.
    assert!(html.contains("Transcript") && html.contains("words/min"));
}

#[test]
fn markdown_has_tables_and_escapes_markup() {
    let deck = Deck::embedded().unwrap();
    let a = scored_attempt(&deck, "pm-01-success-metrics", ANSWER);
    let md = attempt_document(&a, deck.question(&a.question_id)).render(Format::Markdown);
    assert!(md.starts_with("# "), "{md}");
    assert!(
        md.contains("| Cell | Covered | Score | Self-score | First evidence |"),
        "{md}"
    );
    assert!(md.contains("\\<script\\>alert\\</script\\> \\| a\\_b markup"), "{md}");
    assert!(md.contains("```text\nRestatement"), "{md}");
    // Every table row has as many cells as its header (no stray unescaped pipe).
    for table in md.split("\n\n").filter(|b| b.starts_with("| ")) {
        let counts: Vec<usize> = table
            .lines()
            .map(|l| l.replace("\\|", "").matches('|').count())
            .collect();
        assert!(counts.iter().all(|&c| c == counts[0]), "{table}");
    }
    assert_eq!(markdown::escape("# not a heading"), "\\# not a heading");
    assert_eq!(markdown::escape("1. not a list"), "1\\. not a list");
    assert_eq!(markdown::escape("a\nb"), "a b");
}

#[test]
fn an_attempt_without_a_report_says_why() {
    let deck = Deck::embedded().unwrap();
    let a = Attempt {
        id: "20261125-100000-pm-01".into(),
        question_id: "pm-01-success-metrics".into(),
        status: Status::Failed,
        error: Some("no input device".into()),
        ..Attempt::default()
    };
    let md = attempt_document(&a, deck.question(&a.question_id)).render(Format::Markdown);
    assert!(md.contains("The recording failed: no input device."), "{md}");
}

#[test]
fn panel_export_has_means_worst_cell_and_every_answer() {
    let deck = Deck::embedded().unwrap();
    let mut attempts = Vec::new();
    for (i, (qid, kind)) in [
        ("pm-01-success-metrics", AnswerKind::Question),
        ("pm-01-success-metrics", AnswerKind::FollowUp),
    ]
    .into_iter()
    .enumerate()
    {
        let mut a = scored_attempt(&deck, qid, if i == 0 { ANSWER } else { "We would use Kafka." });
        a.id = format!("{}-{i}", a.id);
        a.panel = Some(PanelSlot {
            id: "panel-20261125-100000".into(),
            kind,
            position: 0,
            planned: 2,
        });
        attempts.push(a);
    }
    let p = panel::build_report("panel-20261125-100000", &attempts, std::slice::from_ref(&deck)).unwrap();
    assert!(!p.complete, "one of two questions answered");
    let html = panel_document(&p).render(Format::Html);
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(doc.select(&sel("svg")).count(), 3, "the panel chart and one per answer");
    let worst = p.worst_cell.clone().unwrap();
    assert!(html.contains(&format!("Worst cell: {}", capitalised(&worst))), "{html}");
    let headings: Vec<String> = doc.select(&sel("h2")).map(text_of).collect();
    let q = deck.question("pm-01-success-metrics").unwrap();
    assert!(headings.contains(&format!("1. Question: {}", q.prompt)), "{headings:?}");
    assert!(
        headings.contains(&format!("1. Follow-up: {}", q.follow_up)),
        "{headings:?}"
    );
    assert!(html.contains("incomplete"));
    let md = panel_document(&p).render(Format::Markdown);
    assert!(md.contains("Mean coverage"), "{md}");
}

#[test]
fn history_csv_reads_back_one_row_per_attempt() {
    let deck = Deck::embedded().unwrap();
    let a = scored_attempt(&deck, "pm-01-success-metrics", ANSWER);
    let mut b = Attempt {
        id: "20261125-110000-pm-03-smallest-poc".into(),
        question_id: "pm-03-smallest-poc".into(),
        status: Status::NoSpeech,
        duration_s: 12.5,
        ..Attempt::default()
    };
    b.panel = Some(PanelSlot {
        id: "panel-x".into(),
        kind: AnswerKind::FollowUp,
        position: 0,
        planned: 1,
    });
    let rows = [
        HistoryRow {
            attempt: &a,
            question: deck.question(&a.question_id),
        },
        HistoryRow {
            attempt: &b,
            question: deck.question(&b.question_id),
        },
    ];
    let text = history_csv(&rows).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head = r.headers().unwrap().clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {head:?}"))
    };
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 2);
    let report = crate::session::stored_report(&a).unwrap();
    assert_eq!(&recs[0][col("question")], deck.question(&a.question_id).unwrap().prompt);
    assert_eq!(&recs[0][col("difficulty")], "medium");
    assert_eq!(&recs[0][col("self:trade-offs")], "3");
    for c in &report.rubric {
        let v: f64 = recs[0][col(&format!("cell:{}", c.cell))].parse().unwrap();
        assert!((v - c.score).abs() < 1e-3);
    }
    let wpm: f64 = recs[0][col("wpm")].parse().unwrap();
    assert!((wpm - report.delivery.wpm).abs() < 0.1);
    assert_eq!(&recs[1][col("status")], "no_speech");
    assert_eq!(&recs[1][col("kind")], "follow-up");
    assert_eq!(&recs[1][col("panel_id")], "panel-x");
    assert_eq!(&recs[1][col("duration_s")], "12.50");
    assert_eq!(&recs[1][col("cell:restatement")], "", "no report, no coverage");
    assert_eq!(&recs[1][col("self:restatement")], "");
}

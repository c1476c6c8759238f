//! Importing prep guides: the seed guide reproduces the built-in deck; guides of the same family for other
//! topics (plain text with BOM and CRLF, Markdown, saved HTML) give the right decks; broken ones give a
//! deck with the line of each problem or a clear error, never a panic; and `rehearse deck import` writes
//! the deck where `rehearse questions` finds it, once.

use std::path::{Path, PathBuf};
use std::process::Command;

use rehearse::bank::import::{ImportError, ImportOptions, Imported, import_guide};
use rehearse::bank::{Deck, Difficulty, Mix};

fn guide(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/guides")
        .join(name)
}

fn import(name: &str) -> Result<Imported, ImportError> {
    let bytes = std::fs::read(guide(name)).expect("fixture");
    import_guide(
        &bytes,
        &ImportOptions {
            file_name: Some(name.to_string()),
            ..ImportOptions::default()
        },
    )
}

/// (difficulty, prompt, hint, example, mistakes, follow-up) of each question.
type Shape = (Difficulty, String, String, String, Vec<String>, String);

fn shape(deck: &Deck) -> Vec<Shape> {
    deck.questions
        .iter()
        .map(|q| {
            (
                q.difficulty,
                q.prompt.clone(),
                q.hint.clone(),
                q.example.clone(),
                q.mistakes.iter().map(|m| m.mistake.clone()).collect(),
                q.follow_up.clone(),
            )
        })
        .collect()
}

#[test]
fn seed_guide_reproduces_the_built_in_deck() {
    let imported = import("product-metrics-interview-guide.txt").expect("seed imports");
    let built_in = Deck::embedded().expect("embedded deck");
    assert_eq!(shape(&imported.deck), shape(&built_in));
    // The built-in deck already has the id this guide's title gives: the import takes another and says so,
    // so saving it never hides the built-in deck.
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("\"product-metrics-imported\""), "{warnings:?}");
    let d = &imported.deck;
    assert_eq!(d.id, "product-metrics-imported");
    assert!(
        d.questions.iter().all(|q| q.id.starts_with("pm-")),
        "question ids keep their prefix"
    );
    assert!(
        d.questions
            .iter()
            .all(|q| built_in.questions.iter().all(|b| b.id != q.id)),
        "no question id is shared with the built-in deck"
    );
    assert_eq!(d.title, "Product Metrics");
    let g = d.guide.as_ref().expect("guide info");
    assert_eq!(g.title, "Product Metrics Interview Questions 2026 (2026 Prep Guide)");
    assert_eq!(g.domain, "Data Engineering · 2026");
    assert_eq!(
        g.stated_mix,
        Some(Mix {
            easy: 5,
            medium: 6,
            hard: 4
        })
    );
    let days: Vec<(&str, &str)> = g.roadmap.iter().map(|s| (s.days.as_str(), s.name.as_str())).collect();
    assert_eq!(
        days,
        [
            ("Days 1–2", "Fundamentals"),
            ("Days 3–4", "Scenario drills"),
            ("Days 5–6", "Panel simulation"),
            ("Day 7", "Weakness blitz"),
            ("Day 8+", "Cadence")
        ]
    );
    assert!(
        g.roadmap[1].text.starts_with("Run six timed drills"),
        "{:?}",
        g.roadmap[1]
    );
    assert!(
        g.scenarios
            .contains(&"Fintech transaction streams with exactly-once semantics".to_string())
    );
    assert!(
        g.scenarios
            .contains(&"E-commerce order funnels with late-arriving events".to_string())
    );
    // The hint's three metrics become three points, each with its own words to listen for.
    let q1 = &d.questions[0];
    let points: Vec<&str> = q1.content_points.iter().map(|p| p.point.as_str()).collect();
    assert_eq!(points, ["A correctness metric", "A latency metric", "A cost metric"]);
    assert!(q1.content_points[1].phrases.iter().any(|p| p == "latency"));
    assert!(
        d.questions
            .iter()
            .all(|q| !q.content_points.is_empty() && q.mistakes.len() == 2)
    );
    // Page furniture never becomes a question.
    assert!(
        d.questions
            .iter()
            .all(|q| !q.prompt.contains("Practice") && !q.prompt.contains("Related"))
    );
}

#[test]
fn ids_are_stable_and_do_not_depend_on_order() {
    let a = import("product-metrics-interview-guide.txt").expect("imports");
    let b = import("product-metrics-interview-guide.txt").expect("imports");
    let ids: Vec<&str> = a.deck.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, b.deck.questions.iter().map(|q| q.id.as_str()).collect::<Vec<_>>());
    assert_eq!(ids[0], "pm-track-know-working");
    // Drop Q1 from the guide: every other question keeps its id.
    let text = std::fs::read_to_string(guide("product-metrics-interview-guide.txt")).expect("read");
    let start = text.find("Q1.").expect("Q1");
    let end = text.find("Q2.").expect("Q2");
    let edited = format!("{}{}", &text[..start], &text[end..]);
    let c = import_guide(edited.as_bytes(), &ImportOptions::default()).expect("imports");
    assert_eq!(
        c.deck.questions.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(),
        ids[1..]
    );
    // …and the stated mix (now on line 145) no longer matches, which is said with its line.
    assert!(
        c.warnings
            .iter()
            .any(|w| w.line == Some(145) && w.message.contains("states 5 easy · 6 medium · 4 hard")),
        "{:?}",
        c.warnings
    );
}

#[test]
fn crlf_bom_text_and_saved_html_give_the_same_deck() {
    let txt = import("stream-processing.txt").expect("text imports");
    let html = import("stream-processing.html").expect("html imports");
    assert_eq!(txt.deck.questions.len(), 7);
    assert_eq!(shape(&txt.deck), shape(&html.deck));
    assert_eq!(txt.deck.id, "stream-processing");
    assert_eq!(html.deck.id, "stream-processing");
    assert_eq!(txt.deck.guide, html.deck.guide);
    assert!(txt.warnings.is_empty(), "{:?}", txt.warnings);
    assert!(html.warnings.is_empty(), "{:?}", html.warnings);
    let q4 = &txt.deck.questions[3];
    assert!(q4.prompt.starts_with("When would you choose micro-batching"));
    assert_eq!(q4.example, "", "Q4 has no example");
    assert_eq!(q4.mistakes.len(), 2);
    assert!(
        txt.deck.questions[0]
            .example
            .contains("`.allowedLateness(Time.minutes(5))`")
    );
    assert!(
        !txt.deck
            .questions
            .iter()
            .any(|q| q.prompt.contains('\r') || q.follow_up.contains('\r'))
    );
    assert_eq!(
        Mix::of(&txt.deck.questions),
        Mix {
            easy: 3,
            medium: 2,
            hard: 2
        }
    );
}

#[test]
fn markdown_guide_with_a_question_without_example() {
    let md = import("caching.md").expect("markdown imports");
    let d = &md.deck;
    assert!(md.warnings.is_empty(), "{:?}", md.warnings);
    assert_eq!(d.id, "caching");
    assert_eq!(d.questions.len(), 5);
    assert_eq!(
        Mix::of(&d.questions),
        Mix {
            easy: 2,
            medium: 2,
            hard: 1
        }
    );
    assert_eq!(d.questions[2].example, "");
    assert_eq!(
        d.questions[0].mistakes[0].mistake,
        "Picking LRU by habit — a single scan flushes the hot set."
    );
    assert_eq!(
        d.questions[0].follow_up,
        "What changes if the hot set moves every hour?"
    );
    assert_eq!(d.guide.as_ref().map(|g| g.roadmap.len()), Some(2));
}

#[test]
fn broken_guides_say_what_and_where() {
    let nd = import("no-difficulty.txt").expect("the good questions import");
    assert_eq!(nd.deck.questions.len(), 2);
    assert!(
        nd.warnings
            .iter()
            .any(|w| w.line == Some(12) && w.message.contains("Q2 has no difficulty")),
        "{:?}",
        nd.warnings
    );
    let tr = import("truncated.txt").expect("the whole question imports");
    assert_eq!(tr.deck.questions.len(), 1);
    assert!(
        tr.warnings.iter().any(|w| w.message.contains("no follow-up")),
        "{:?}",
        tr.warnings
    );
    assert!(matches!(import("empty.txt"), Err(ImportError::Empty)));
    let bin = import("binary.png").expect_err("binary");
    assert!(bin.to_string().starts_with("line 3: this is not a text guide"), "{bin}");
    let none = import_guide(b"Just a page\nwith words\n", &ImportOptions::default()).expect_err("no questions");
    assert!(none.to_string().contains("no questions could be read"), "{none}");
    // Every prefix of every guide, cut at any byte, imports or fails cleanly.
    for name in ["stream-processing.txt", "caching.md", "stream-processing.html"] {
        let bytes = std::fs::read(guide(name)).expect("fixture");
        for cut in (0..bytes.len()).step_by(97) {
            let _ = import_guide(&bytes[..cut], &ImportOptions::default());
        }
    }
}

fn rehearse(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rehearse"));
    cmd.env("REHEARSE_DATA_DIR", data);
    cmd
}

#[test]
fn cli_imports_once_and_prints_json() {
    let data = std::env::temp_dir().join(format!("rehearse-deck-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    for _ in 0..2 {
        let out = rehearse(&data)
            .args(["deck", "import", "--json"])
            .arg(guide("stream-processing.txt"))
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["id"], "stream-processing");
        assert_eq!(v["title"], "Stream Processing");
        assert_eq!(v["warnings"].as_array().map(Vec::len), Some(0));
        let qs = v["questions"].as_array().expect("questions");
        assert_eq!(qs.len(), 7);
        let keys: Vec<&str> = qs[0].as_object().expect("object").keys().map(String::as_str).collect();
        let mut want = [
            "id",
            "difficulty",
            "prompt",
            "hint",
            "example",
            "mistakes",
            "follow_up",
            "content_points",
        ];
        want.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, want);
        assert!(qs[3]["example"].is_null());
        assert_eq!(qs[0]["difficulty"], "medium");
        assert!(
            qs[0]["mistakes"][0]
                .as_str()
                .is_some_and(|m| m.starts_with("Using processing time"))
        );
    }
    let files: Vec<_> = std::fs::read_dir(data.join("decks"))
        .expect("decks")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1, "importing twice keeps one deck file");
    let out = rehearse(&data)
        .args(["questions", "--search", "watermark"])
        .output()
        .expect("run");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("sp-watermark-matter"), "{listed}");
    let bad = rehearse(&data)
        .args(["deck", "import"])
        .arg(guide("empty.txt"))
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("the guide is empty"));
    let _ = std::fs::remove_dir_all(&data);
}

//! Correcting the rubric in Review, driven the way a person would (egui_kittest, by accessible labels): open
//! a scored answer from History, press "Doesn't count" on the stuffed trade-off, mark the boundary the
//! rubric missed with "Counts as… → Boundaries", and see the coverage change at once; both corrections are
//! on disk, with the attempt and as personal exemplars.

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use rehearse::app::{App, Automation, CaptureSource, Config, ModelSetup, Stage};
use rehearse::bank::Deck;
use rehearse::rubric::Rubric;
use rehearse::session::{self, Ending, TimeBox};
use rehearse::store::Store;
use rehearse::transcript::Transcript;

const QUESTION: &str = "pm-01-success-metrics";
const ANSWER: &str = "So you want to know which numbers tell us the product metrics pipeline is healthy. I would \
                      track freshness, error rate and cost per run. Trade-offs, there are always trade-offs. Past \
                      about ten thousand events a second the single writer falls behind and the dashboards go stale.";

/// A scored answer, through the lifecycle.
fn scored_attempt(data: &Path) -> String {
    let store = Store::open(data).expect("store");
    let deck = Deck::embedded().expect("deck");
    let q = deck.question(QUESTION).expect("question");
    let new = session::begin(&store, q, &deck.id, TimeBox::for_question(q, None).expect("time-box")).expect("begin");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&new.wav_path, spec).expect("wav");
    for _ in 0..16_000 * 20 {
        w.write_sample(0_i16).expect("sample");
    }
    w.finalize().expect("finalize");
    let id = new.attempt.id.clone();
    session::stopped(&store, &id, 20.0, &Ending::User).expect("stopped");
    let rubric = Rubric::embedded().expect("rubric");
    let t = Transcript::from_plain_text(ANSWER, Some(20.0));
    session::transcribed(&store, &id, t, "tiny.en", Some(q), &rubric, None).expect("transcribed");
    id
}

fn wait_until(h: &mut Harness<'_, App>, what: &str, timeout: Duration, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
}

fn covered(a: &App, cell: &str) -> Option<bool> {
    match a.stage() {
        Stage::Review(r) if !r.rescoring => r
            .report
            .as_ref()?
            .rubric
            .iter()
            .find(|c| c.cell == cell)
            .map(|c| c.covered),
        _ => None,
    }
}

#[test]
fn doesnt_count_and_counts_as_rescore_at_once_and_are_kept() {
    let tmp = tempfile::tempdir().expect("tmp");
    let id = scored_attempt(tmp.path());
    let config = Config {
        data_dir: tmp.path().to_path_buf(),
        capture: CaptureSource::File {
            wav: tmp.path().join("unused.wav"),
            realtime: false,
        },
        model: Some("no-such-model".into()),
        silent_playback: true,
        automation: Automation::default(),
        setup: ModelSetup::default(),
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1600.0))
        .build_eframe(move |cc| App::new(cc, config).expect("app starts"));
    wait_until(&mut h, "the attempts", Duration::from_secs(20), |a| {
        a.attempt_count() == 1
    });
    h.get_by_label("History").click();
    h.run_steps(3);
    h.get_by_label("Open").click();
    h.run_steps(3);
    h.get_by_label("Skip rating").click();
    h.run_steps(3);
    h.get_by_label("Rubric coverage");
    // Whatever decided them (phrases here, or the model), the boundary is missed.
    assert_eq!(covered(h.state(), "boundaries"), Some(false));

    // The answer was scored by phrases, which take the stuffed sentence for a trade-off: "Doesn't count".
    assert_eq!(covered(h.state(), "trade-offs"), Some(true));
    {
        let nodes: Vec<_> = h
            .get_all_by(|n| {
                n.label()
                    .is_some_and(|l| l == "Doesn't count" || l.starts_with("\u{201c}Trade-offs"))
            })
            .collect();
        let chip = nodes
            .iter()
            .position(|n| n.accesskit_node().label().is_some_and(|l| l.starts_with('\u{201c}')))
            .expect("the trade-off chip");
        nodes[chip + 1].click();
        h.run_steps(2);
        wait_until(&mut h, "the trade-offs rescored", Duration::from_secs(60), |a| {
            covered(a, "trade-offs") == Some(false)
        });
    }

    // "Counts as… → Boundaries" on the boundary sentence (the fourth).
    h.get_by_label("Mark a sentence the rubric missed").click();
    h.run_steps(3);
    let menus: Vec<_> = h.get_all_by_label("Counts as\u{2026}").collect();
    assert_eq!(menus.len(), 4, "one per sentence");
    menus[3].click();
    h.run_steps(3);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Boundaries")
        .click();
    h.run_steps(2);
    wait_until(&mut h, "the boundary covered", Duration::from_secs(60), |a| {
        covered(a, "boundaries") == Some(true)
    });
    h.get_by_label_contains("\u{201c}Past about ten thousand events");

    // On disk: with the attempt (its report too), and as personal exemplars.
    let start = Instant::now();
    let attempt = loop {
        let bytes = std::fs::read(tmp.path().join("attempts").join(&id).join("attempt.json")).expect("read");
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        if v["report"]["rubric"][2]["covered"] == true || start.elapsed() > Duration::from_secs(5) {
            break v;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let kept: Vec<(String, String)> = attempt["corrections"]
        .as_array()
        .expect("corrections")
        .iter()
        .map(|c| {
            (
                c["cell"].as_str().unwrap_or("").to_owned(),
                c["verdict"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("trade-offs".to_owned(), "does-not-count".to_owned()),
            ("boundaries".to_owned(), "counts".to_owned())
        ],
        "{attempt}"
    );
    let trade_offs = attempt["report"]["rubric"][1].to_string();
    assert!(!trade_offs.contains("always"), "{trade_offs}");
    assert_eq!(attempt["report"]["rubric"][2]["cell"], "boundaries");
    assert_eq!(attempt["report"]["rubric"][2]["covered"], true);
    let personal = rehearse::store::corrections::load(tmp.path()).expect("corrections file");
    assert_eq!(personal.exemplars.len(), kept.len());
    assert!(personal.exemplars.iter().all(|e| e.attempt_id == id));
}

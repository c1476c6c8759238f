//! The fault matrix of issue 8, through the `rehearse` binary and the public store API: damaged
//! `attempt.json` files, a live recording shared with another process, odd and lying WAV files,
//! broken decks, and the C audio libraries' stderr noise. Every case ends in a clear message or
//! a correct result, never a panic, and nothing recorded is lost.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rehearse::asr::whisper::word_error_rate;
use rehearse::audio::decode::{MonoAudio, resample};
use rehearse::session;
use rehearse::store::{ATTEMPT_FILE, ATTEMPT_VERSION, Status, Store, WAV_FILE, parse_attempt};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn rehearse(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rehearse"));
    cmd.env("REHEARSE_DATA_DIR", data);
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The attempt written by the build before attempt format 2 (`rehearse attempts transcribe` on
/// `speech.wav`, tiny.en), whose report repeats the transcript.
const V1: &str = "attempt-v1.json";

#[test]
fn an_attempt_written_by_the_previous_format_loads_and_is_saved_once() {
    let bytes = std::fs::read(fixture(V1)).expect("fixture");
    let attempt = parse_attempt(&bytes, &fixture(V1)).expect("loads");
    assert_eq!(attempt.version, 1);
    assert_eq!(attempt.status, Status::Scored);
    let transcript = attempt.transcript.clone().expect("transcript");
    let report = session::stored_report(&attempt).expect("report");
    assert_eq!(report.transcript, transcript);
    assert_eq!(report.question, "pm-01-success-metrics");

    // Saved again by this build: format 2, the transcript once, the same report read back.
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(dir.path()).expect("store");
    store.save(&attempt).expect("save");
    let saved = std::fs::read_to_string(store.attempt_dir(&attempt.id).join(ATTEMPT_FILE)).expect("read");
    let v: serde_json::Value = serde_json::from_str(&saved).expect("json");
    assert_eq!(v["version"], ATTEMPT_VERSION);
    assert_eq!(
        saved.matches("\"segments\"").count(),
        2,
        "v1 report still carries its copy"
    );
    let reread = store.get(&attempt.id).expect("get");
    assert_eq!(session::stored_report(&reread), Some(report.clone()));

    // A fresh score stores the transcript once.
    let decks = rehearse::bank::load_all(None, None).0;
    let q = session::question_for(&decks, &reread).expect("question");
    let rubric = rehearse::rubric::Rubric::embedded().expect("rubric");
    let (_, fresh) =
        session::transcribed(&store, &attempt.id, transcript, "tiny.en", Some(q), &rubric, None).expect("attach");
    let saved = std::fs::read_to_string(store.attempt_dir(&attempt.id).join(ATTEMPT_FILE)).expect("read");
    assert_eq!(saved.matches("\"segments\"").count(), 1, "{saved}");
    assert!(
        saved.len() * 10 < bytes.len() * 8,
        "{} vs {} bytes",
        saved.len(),
        bytes.len()
    );
    assert_eq!(session::stored_report(&store.get(&attempt.id).expect("get")), fresh);
}

#[test]
fn damaged_attempts_are_listed_by_the_cli_and_left_as_they_are() {
    let data = tempfile::tempdir().expect("tmp");
    let attempts = data.path().join("attempts");
    let put = |id: &str, json: &[u8]| {
        let dir = attempts.join(id);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(ATTEMPT_FILE), json).expect("write");
        std::fs::write(dir.join(WAV_FILE), b"RIFF....WAVE").expect("write");
    };
    put(
        "20261125-120000-pm-01-success-metrics",
        &std::fs::read(fixture(V1)).expect("fixture"),
    );
    put(
        "20261126-090000-corrupt",
        b"{\"status\": \"scored\", \"transcript\": {\"te",
    );
    put(
        "20261127-090000-future",
        br#"{"version": 7, "status": "recording", "question_id": "q", "started_at": "2026-11-27T09:00:00Z"}"#,
    );
    let before = |id: &str| std::fs::read(attempts.join(id).join(ATTEMPT_FILE)).expect("read");
    let (corrupt, future) = (before("20261126-090000-corrupt"), before("20261127-090000-future"));

    let out = run(rehearse(data.path()).arg("attempts"));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("20261127-090000-future")
            && lines[0].contains("damaged: ")
            && lines[0].contains("written by a newer rehearse (attempt format 7"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("20261126-090000-corrupt") && lines[1].contains("is not a valid attempt record"),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("20261125-120000-pm-01-success-metrics") && lines[2].contains("scored"),
        "{stdout}"
    );
    // Start-up recovery ran (the future one says `recording`) and wrote nothing over them.
    assert_eq!(before("20261126-090000-corrupt"), corrupt);
    assert_eq!(before("20261127-090000-future"), future);

    // JSON stays a list of the readable attempts; the damaged ones are named on stderr.
    let out = run(rehearse(data.path()).args(["attempts", "--json"]));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list.len(), 1);
    assert_eq!(
        text(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("damaged attempt "))
            .count(),
        2
    );

    // Showing a damaged one is one clear error line.
    let out = run(rehearse(data.path()).args(["attempts", "show", "20261126"]));
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("not a valid attempt record"),
        "{err}"
    );
}

#[test]
fn another_process_leaves_a_live_recording_alone() {
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open(data.path()).expect("store");
    // This process is recording: the record says `recording` and the WAV's header lags its data.
    let new = store
        .create_attempt("pm-01-success-metrics", "product-metrics")
        .expect("create");
    let mut w = hound::WavWriter::create(&new.wav_path, rehearse::audio::wav::mono_spec(16_000)).expect("wav");
    for i in 0..8_000 {
        w.write_sample((i % 100) as i16).expect("sample");
    }
    w.flush().expect("flush");
    for i in 0..800 {
        w.write_sample((i % 50) as i16).expect("sample");
    }
    let json = std::fs::read(new.dir.join(ATTEMPT_FILE)).expect("json");
    let wav = std::fs::read(&new.wav_path).expect("wav");

    // `rehearse attempts` runs start-up recovery in its own process.
    let out = run(rehearse(data.path()).arg("attempts"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("recovered"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("recording"), "{}", text(&out.stdout));
    let out = run(rehearse(data.path()).args(["attempts", "delete", &new.attempt.id]));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("being recorded by another rehearse"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(new.dir.join(ATTEMPT_FILE)).expect("json"), json);
    assert_eq!(std::fs::read(&new.wav_path).expect("wav"), wav);

    // The recording ends here; the other process then sees it as recorded, with every sample.
    w.finalize().expect("finalize");
    store
        .update(&new.attempt.id, |a| {
            a.status = Status::Recorded;
            a.duration_s = 0.55;
        })
        .expect("update");
    let out = run(rehearse(data.path()).args(["attempts", "--json"]));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list[0]["status"], "recorded");
    assert_eq!(hound::WavReader::open(&new.wav_path).expect("wav").duration(), 8_800);
}

/// `speech.wav` (22.05 kHz mono 16-bit) as mono f32.
fn speech() -> MonoAudio {
    let mut r = hound::WavReader::open(fixture("speech.wav")).expect("fixture");
    let rate = r.spec().sample_rate;
    let samples = r
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32768.0)
        .collect();
    MonoAudio { rate, samples }
}

fn write(path: &Path, channels: u16, rate: u32, bits: u16, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create");
    for &s in samples {
        for _ in 0..channels {
            if bits == 8 {
                w.write_sample((s * 127.0) as i8).expect("write");
            } else {
                w.write_sample((s * 32767.0) as i16).expect("write");
            }
        }
    }
    w.finalize().expect("finalize");
}

#[test]
fn odd_wav_files_transcribe_or_fail_with_one_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let audio = speech();
    let reference = std::fs::read_to_string(fixture("speech.txt")).expect("reference");

    let empty = dir.path().join("zero-samples.wav");
    write(&empty, 1, 16_000, 16, &[]);
    let lie = dir.path().join("two-gigabyte-lie.wav");
    let mut bytes = std::fs::read(fixture("speech.wav")).expect("fixture");
    let data_at = bytes.windows(4).position(|w| w == b"data").expect("data chunk");
    bytes[4..8].copy_from_slice(&0x7fff_fff0_u32.to_le_bytes());
    bytes[data_at + 4..data_at + 8].copy_from_slice(&0x7fff_ff00_u32.to_le_bytes());
    std::fs::write(&lie, &bytes).expect("write");
    for (path, needle) in [(&empty, "contains no audio"), (&lie, "is truncated")] {
        let out = run(rehearse(dir.path())
            .arg("transcribe")
            .arg(path)
            .args(["--model", &support::model()]));
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{}: {err}", path.display());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
    }

    let eight_bit = dir.path().join("8-bit.wav");
    write(&eight_bit, 1, audio.rate, 8, &audio.samples);
    let hi_rate = dir.path().join("96k.wav");
    write(&hi_rate, 1, 96_000, 16, &resample(&audio, 96_000).expect("resample"));
    let six = dir.path().join("6-channels.wav");
    write(&six, 6, audio.rate, 16, &audio.samples);
    for path in [&eight_bit, &hi_rate, &six] {
        let out = run(rehearse(dir.path())
            .arg("transcribe")
            .arg(path)
            .args(["--json", "--model", &support::model()]));
        assert!(out.status.success(), "{}: {}", path.display(), text(&out.stderr));
        let t: rehearse::transcript::Transcript = serde_json::from_slice(&out.stdout).expect("json");
        let wer = word_error_rate(&reference, &t.text);
        eprintln!("{}: WER {wer:.3}: {}", path.display(), t.text);
        assert!(wer <= 0.25, "{}: WER {wer:.3}: {}", path.display(), t.text);
        assert!(
            (t.duration_s - 15.10).abs() < 0.05,
            "{}: {}",
            path.display(),
            t.duration_s
        );
    }
}

#[test]
fn broken_decks_are_named_and_the_others_load() {
    let data = tempfile::tempdir().expect("tmp");
    let decks = data.path().join("decks");
    std::fs::create_dir_all(&decks).expect("mkdir");
    let q = |id: &str| {
        format!(
            "[[questions]]\nid = \"{id}\"\ndifficulty = \"easy\"\nprompt = \"Prompt {id}\"\nhint = \"H\"\n\
             [[questions.content_points]]\npoint = \"p\"\nphrases = [\"x\"]\n"
        )
    };
    std::fs::write(
        decks.join("good.toml"),
        format!("id = \"good\"\ntitle = \"G\"\n{}", q("mine-1")),
    )
    .expect("write");
    std::fs::write(
        decks.join("dup.toml"),
        format!("id = \"dup\"\ntitle = \"D\"\n{}{}", q("d-1"), q("d-1")),
    )
    .expect("write");
    std::fs::write(decks.join("empty.toml"), "").expect("write");
    let out = run(rehearse(data.path()).arg("questions"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("mine-1") && stdout.contains("pm-01-success-metrics"),
        "{stdout}"
    );
    assert!(!stdout.contains("d-1"), "{stdout}");
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines.iter().any(|l| l.starts_with("warning: ")
        && l.contains(&decks.join("dup.toml").display().to_string())
        && l.contains("duplicate question id \"d-1\"")));
    assert!(lines.iter().any(|l| l.starts_with("warning: ")
        && l.contains(&decks.join("empty.toml").display().to_string())
        && l.contains("the file is empty")));
}

#[test]
fn audio_libraries_print_nothing_on_stderr() {
    // No sound server to reach: ALSA's PulseAudio and JACK plugins fail, which they used to announce
    // on stderr ("ALSA lib pulse.c:242:(pulse_connect) …", "jack server is not running …").
    let data = tempfile::tempdir().expect("tmp");
    let out = run(rehearse(data.path())
        .arg("devices")
        .env("PULSE_SERVER", "unix:/nonexistent/rehearse-test-pulse")
        .env("JACK_NO_START_SERVER", "1"));
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.is_empty(), "stderr should be empty, got:\n{err}");
}

//! The CLI's error paths: each bad input exits non-zero with one clear line.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn rehearse() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rehearse"));
    // Models and data are looked up in places this test controls.
    cmd.env("REHEARSE_DATA_DIR", std::env::temp_dir().join("rehearse-cli-test-data"));
    cmd
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Runs and returns (exit ok, stderr lines).
fn run(cmd: &mut Command) -> (bool, Vec<String>) {
    let out = cmd.output().expect("run rehearse");
    let stderr = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::to_string)
        .collect();
    (out.status.success(), stderr)
}

fn assert_one_error_line(result: (bool, Vec<String>), needle: &str) {
    let (ok, lines) = result;
    assert!(!ok, "expected failure, stderr: {lines:?}");
    assert_eq!(lines.len(), 1, "expected exactly one line, got {lines:?}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(needle),
        "{lines:?} should mention {needle:?}"
    );
    assert_no_repeated_cause(&lines[0]);
}

/// An error line names each cause once: no `: `-separated part repeats (as in
/// `cannot open x: No such file or directory (os error 2): No such file or directory (os error 2)`).
fn assert_no_repeated_cause(line: &str) {
    let parts: Vec<&str> = line.split(": ").map(str::trim).collect();
    for (i, part) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(part), "{part:?} is said twice in {line:?}");
    }
    assert!(line.matches("(os error").count() <= 1, "{line:?}");
}

#[test]
fn repeated_cause_is_detected() {
    let caught = std::panic::catch_unwind(|| {
        assert_no_repeated_cause(
            "error: cannot open /x.wav: No such file or directory (os error 2): No such file or directory (os error 2)",
        )
    });
    assert!(caught.is_err(), "the check must reject the old doubled message");
}

#[test]
fn missing_deck_file_is_one_line() {
    assert_one_error_line(
        run(rehearse().args(["questions", "--deck", "/nonexistent/deck.toml"])),
        "/nonexistent/deck.toml: cannot read deck: No such file or directory",
    );
}

#[test]
fn unwritable_data_dir_is_one_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").expect("write");
    let result = run(rehearse().env("REHEARSE_DATA_DIR", file.join("data")).arg("attempts"));
    assert_one_error_line(result, "Not a directory");
}

#[test]
fn missing_model_source_is_one_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let result = run(rehearse()
        .args(["model", "import", "/nonexistent/model-dir", "--dest"])
        .arg(dir.path()));
    let (ok, lines) = &result;
    assert!(!ok);
    // `reading …` comes first; the error is the last line and names its cause once.
    let last = lines.last().cloned().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains("/nonexistent/model-dir"),
        "{lines:?}"
    );
    assert_no_repeated_cause(&last);
}

#[test]
fn unknown_attempt_points_to_a_command_that_exists() {
    let dir = tempfile::tempdir().expect("tmp");
    let result = run(rehearse()
        .env("REHEARSE_DATA_DIR", dir.path())
        .args(["attempts", "show", "no-such-attempt"]));
    assert_one_error_line(result, "`rehearse attempts` lists the ids");
    let out = rehearse()
        .env("REHEARSE_DATA_DIR", dir.path())
        .arg("attempts")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no attempts yet"));
}

#[test]
fn not_a_wav() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("answer.wav");
    std::fs::write(&p, "this is not audio at all, just some text\n").expect("write");
    assert_one_error_line(run(rehearse().arg("transcribe").arg(&p)), "is not a WAV file");
}

#[test]
fn truncated_wav() {
    let dir = tempfile::tempdir().expect("tmp");
    let bytes = std::fs::read(fixture("speech.wav")).expect("fixture");
    let p = dir.path().join("cut.wav");
    std::fs::write(&p, &bytes[..bytes.len() / 3]).expect("write");
    assert_one_error_line(run(rehearse().arg("transcribe").arg(&p)), "is truncated");
}

#[test]
fn empty_audio() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("empty.wav");
    hound::WavWriter::create(&p, rehearse::audio::wav::mono_spec(16_000))
        .expect("create")
        .finalize()
        .expect("finalize");
    assert_one_error_line(run(rehearse().arg("transcribe").arg(&p)), "contains no audio");
}

#[test]
fn missing_file() {
    assert_one_error_line(
        run(rehearse().args(["transcribe", "/nonexistent/answer.wav"])),
        "cannot open /nonexistent/answer.wav",
    );
}

#[test]
fn missing_model() {
    let result = run(rehearse()
        .arg("transcribe")
        .arg(fixture("speech.wav"))
        .args(["--model", "no-such-model"]));
    assert_one_error_line(result, "model 'no-such-model' not found");
}

#[test]
fn model_file_that_is_not_a_model() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("ggml-fake.bin");
    std::fs::write(&p, vec![7_u8; 4096]).expect("write");
    let result = run(rehearse()
        .arg("transcribe")
        .arg(fixture("speech.wav"))
        .arg("--model")
        .arg(&p));
    let (ok, lines) = &result;
    assert!(!ok);
    let last = lines.last().cloned().unwrap_or_default();
    assert!(last.starts_with("error: cannot load model"), "{lines:?}");
}

#[test]
fn questions_lists_the_default_deck_and_filters() {
    let out = rehearse().args(["questions", "--json"]).output().expect("run");
    assert!(out.status.success());
    let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(all.len(), 15);
    let out = rehearse()
        .args(["questions", "--difficulty", "hard", "--json"])
        .output()
        .expect("run");
    let hard: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(hard.len(), 4);
    assert!(hard.iter().all(|q| q["difficulty"] == "hard"));
}

#[test]
fn malformed_deck_names_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tmp");
    let deck = dir.path().join("bad.toml");
    std::fs::write(
        &deck,
        "id = \"mine\"\ntitle = \"Mine\"\n\n[[questions]]\nid = \"q1\"\ndifficulty = \"extreme\"\n",
    )
    .expect("write");
    let (ok, lines) = run(rehearse().arg("questions").arg("--deck").arg(&deck));
    assert!(!ok);
    let last = lines.last().cloned().unwrap_or_default();
    assert!(last.contains("bad.toml:6:"), "{lines:?}");
}

#[test]
fn score_a_text_transcript() {
    let answer = fixture("answers/pm-01-strong.txt");
    let out = rehearse()
        .args(["score", "--question", "pm-01-success-metrics", "--json", "--transcript"])
        .arg(&answer)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for key in [
        "question",
        "duration_s",
        "transcript",
        "rubric",
        "restatement_at_s",
        "dimensions",
        "content_points",
        "mistakes",
        "delivery",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    let cells: Vec<&str> = report["rubric"]
        .as_array()
        .expect("rubric")
        .iter()
        .filter_map(|c| c["cell"].as_str())
        .collect();
    assert_eq!(
        cells,
        ["restatement", "trade-offs", "boundaries", "execution", "communication"]
    );

    let (ok, lines) = run(rehearse()
        .args(["score", "--question", "no-such-question", "--transcript"])
        .arg(&answer));
    assert!(
        !ok && lines
            .last()
            .is_some_and(|l| l.contains("no question 'no-such-question'")),
        "{lines:?}"
    );
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = rehearse().args(["completions", shell]).output().expect("run");
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let script = String::from_utf8_lossy(&out.stdout);
        for word in ["transcribe", "attempts", "completions", "no-transcribe"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    // The bash script loads and registers a completion for `rehearse`.
    let bin = env!("CARGO_BIN_EXE_rehearse");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("source <('{bin}' completions bash) && complete -p rehearse"))
        .output()
        .expect("run bash");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("_rehearse"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn progress_is_hidden_when_stderr_is_not_a_terminal() {
    let out = rehearse()
        .arg("transcribe")
        .arg(fixture("speech.wav"))
        .args(["--model", &support::model()])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains('\r') && !stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(!stderr.contains('%'), "no progress in a pipe: {stderr:?}");
}

/// Runs `rehearse ARGS` under a pseudo-terminal (util-linux `script`) and returns everything it drew.
fn in_terminal(args: &str, no_color: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_rehearse");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("'{bin}' {args}"), "/dev/null"])
        .env("TERM", "xterm-256color")
        .env("REHEARSE_DATA_DIR", std::env::temp_dir().join("rehearse-cli-test-data"))
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().expect("run script(1)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_bar_in_a_terminal_respects_no_color() {
    let args = format!(
        "transcribe '{}' --model '{}'",
        fixture("speech.wav").display(),
        support::model()
    );
    let cyan = "\u{1b}[36m";
    let coloured = in_terminal(&args, false);
    assert!(
        coloured.contains("transcribing [") && coloured.contains('%'),
        "{coloured:?}"
    );
    assert!(
        coloured.contains(cyan),
        "the bar is coloured in a terminal: {coloured:?}"
    );
    let plain = in_terminal(&args, true);
    assert!(plain.contains("transcribing ["), "{plain:?}");
    assert!(!plain.contains(cyan), "NO_COLOR: {plain:?}");
}

#[test]
fn attempts_transcribe_stores_the_short_model_name() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = rehearse::store::Store::open(dir.path()).expect("store");
    let new = store
        .create_attempt("pm-01-success-metrics", "product-metrics")
        .expect("create");
    std::fs::copy(fixture("speech.wav"), &new.wav_path).expect("copy audio");
    rehearse::session::stopped(&store, &new.attempt.id, 15.0, &rehearse::session::Ending::User).expect("stopped");
    let out = rehearse()
        .env("REHEARSE_DATA_DIR", dir.path())
        .args([
            "attempts",
            "transcribe",
            &new.attempt.id,
            "--json",
            "--model",
            &support::model(),
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let saved = store.get(&new.attempt.id).expect("get");
    assert_eq!(saved.model, Some(support::model_name()));
}

/// A scored attempt at `question`, recorded at `at` (RFC 3339), every rubric cell at `score`.
fn put_scored_attempt(data: &Path, id: &str, question: &str, at: &str, score: f64) -> PathBuf {
    let dir = data.join("attempts").join(id);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let cells: Vec<serde_json::Value> = ["restatement", "trade-offs", "boundaries", "execution", "communication"]
        .iter()
        .map(|c| serde_json::json!({"cell": c, "covered": true, "score": score, "evidence": []}))
        .collect();
    let json = serde_json::json!({
        "version": 2, "id": id, "question_id": question, "deck_id": "product-metrics",
        "started_at": at, "status": "scored", "duration_s": 60.0, "report": {"rubric": cells}
    });
    let path = dir.join("attempt.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&json).expect("json")).expect("write");
    path
}

fn json_out(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.output().expect("run rehearse");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn plan_and_today_follow_the_attempts() {
    let dir = tempfile::tempdir().expect("tmp");
    let at = |day: &str| {
        let mut c = rehearse();
        c.env("REHEARSE_DATA_DIR", dir.path()).env("REHEARSE_TODAY", day);
        c
    };
    assert_one_error_line(run(at("2026-11-26").arg("today")), "rehearse plan --interview");
    let plan = json_out(at("2026-11-26").args(["plan", "--interview", "2026-12-04", "--json"]));
    assert_eq!(plan["start"], "2026-11-26", "the start defaults to today");
    assert_eq!(plan["interview"], "2026-12-04");
    let phases: Vec<&str> = plan["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["phase"].as_str().expect("phase"))
        .collect();
    assert_eq!(
        phases,
        [
            "fundamentals",
            "fundamentals",
            "scenario-drills",
            "scenario-drills",
            "panel-simulation",
            "panel-simulation",
            "weakness-blitz",
            "cadence"
        ]
    );
    let step = &plan["days"][0]["steps"][0];
    assert_eq!(
        (step["kind"].as_str(), step["time_box_s"].as_u64()),
        (Some("explain"), Some(90))
    );
    assert_eq!(step["question_ids"][0], "pm-03-smallest-poc");
    assert!(dir.path().join("plan.json").is_file(), "the dates are saved");

    // One answer today: the first step is done, the next one is today's second question.
    put_scored_attempt(
        dir.path(),
        "20261126-100000-pm-03-smallest-poc",
        "pm-03-smallest-poc",
        "2026-11-26T10:00:00+01:00",
        0.8,
    );
    let t = json_out(at("2026-11-26").args(["today", "--json"]));
    assert_eq!((t["day"].as_i64(), t["days_to_interview"].as_i64()), (Some(1), Some(8)));
    assert_eq!(t["phase"], "fundamentals");
    assert_eq!(t["steps"][0]["done"], true);
    assert_eq!(t["next"]["question_id"], "pm-07-question-for-interviewer");
    assert_eq!(t["streak"], 1);
    let (ok, _) = run(at("2026-11-26").arg("today"));
    assert!(ok);
    let out = at("2026-11-26").arg("today").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("day 1 of 8 · Fundamentals · 8 days to the interview · streak 1 day"),
        "{text}"
    );
    assert!(
        text.contains("Now: explain pm-07-question-for-interviewer · 1:30 time-box"),
        "{text}"
    );
    assert!(!text.contains("Your ratings"), "no self-ratings yet: {text}");
    // Rated 5 on trade-offs against the rubric's 0.8 everywhere: the ratings line says so.
    let path = dir
        .path()
        .join("attempts/20261126-100000-pm-03-smallest-poc/attempt.json");
    let mut a: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    a["self_scores"] = serde_json::json!({"restatement": 4, "trade_offs": 5, "execution": 4, "communication": 4});
    std::fs::write(&path, serde_json::to_vec(&a).expect("json")).expect("write");
    let out = at("2026-11-26").arg("today").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Your ratings: You over-rate trade-offs: you 100%, the rubric 80% (1 rated answer)."),
        "{text}"
    );

    // Nothing on day 2: on day 3 the rest of the fundamentals rolls forward, the interview date holds.
    let t = json_out(at("2026-11-28").args(["today", "--json"]));
    assert_eq!(t["phase"], "fundamentals");
    assert_eq!(t["rolled_forward"], 4);
    assert_eq!(t["missed_days"], 1);
    assert_eq!(t["streak"], 0);
    let plan = json_out(at("2026-11-28").args(["plan", "--json"]));
    assert_eq!(plan["days"].as_array().expect("days").len(), 8);
    assert_eq!(plan["days"][7]["phase"], "weakness-blitz");
    // Day 1 lists its answer; day 2 is missed, not a copy of what rolled forward to day 3.
    assert!(plan["days"][0].get("missed").is_none());
    assert_eq!(plan["days"][0]["steps"][0]["done"], true);
    assert_eq!(plan["days"][1]["missed"], true);
    assert_eq!(plan["days"][1]["steps"].as_array().map(Vec::len), Some(0));
    let out = at("2026-11-28").arg("plan").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Day 2 · Fri 2026-11-27 · missed (what it held moved to the days after)"),
        "{text}"
    );
    let out = at("2026-11-28").arg("today").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Missed 1 day; 4 steps from earlier days are laid out again from today"),
        "{text}"
    );

    // Moving the interview re-plans; an interview before the start is refused.
    let plan = json_out(at("2026-11-26").args(["plan", "--interview", "2026-11-29", "--json"]));
    assert_eq!(plan["days"].as_array().expect("days").len(), 3);
    assert_one_error_line(
        run(at("2026-11-26").args(["plan", "--start", "2026-12-01", "--interview", "2026-11-30"])),
        "before the start",
    );
    let (ok, lines) = run(at("2026-11-26").args(["plan", "--interview", "tomorrow"]));
    assert!(
        !ok && lines.iter().any(|l| l.contains("not a date like 2026-12-01")),
        "{lines:?}"
    );
}

/// Issue 12: a plan for an imported guide's deck drills that deck's questions, and keeps the choice.
#[test]
fn a_plan_can_drill_an_imported_guide() {
    let dir = tempfile::tempdir().expect("tmp");
    let at = || {
        let mut c = rehearse();
        c.env("REHEARSE_DATA_DIR", dir.path())
            .env("REHEARSE_TODAY", "2026-11-26");
        c
    };
    let guide = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/guides/stream-processing.txt");
    let (ok, lines) = run(at().args(["deck", "import"]).arg(&guide));
    assert!(ok, "{lines:?}");
    assert_one_error_line(
        run(at().args(["plan", "--interview", "2026-12-04", "--deck", "no-such-deck"])),
        "rehearse questions",
    );
    let ids = |plan: &serde_json::Value| -> Vec<String> {
        plan["days"]
            .as_array()
            .expect("days")
            .iter()
            .flat_map(|d| d["steps"].as_array().expect("steps").clone())
            .flat_map(|s| s["question_ids"].as_array().expect("ids").clone())
            .map(|q| q.as_str().expect("id").to_owned())
            .collect()
    };
    let plan = json_out(at().args([
        "plan",
        "--interview",
        "2026-12-04",
        "--deck",
        "stream-processing",
        "--json",
    ]));
    let drilled = ids(&plan);
    assert!(!drilled.is_empty());
    assert!(drilled.iter().all(|q| q.starts_with("sp-")), "{drilled:?}");
    // The choice is saved: `today` and a later `plan` use it; `--deck default` goes back.
    let t = json_out(at().args(["today", "--json"]));
    assert!(
        t["next"]["question_id"].as_str().expect("next").starts_with("sp-"),
        "{t}"
    );
    assert!(
        ids(&json_out(at().args(["plan", "--interview", "2026-12-05", "--json"])))
            .iter()
            .all(|q| q.starts_with("sp-"))
    );
    let back = json_out(at().args(["plan", "--deck", "default", "--json"]));
    assert!(ids(&back).iter().all(|q| q.starts_with("pm-")));
    // A mock panel can be limited to one deck; an unknown one is a clear line before any microphone opens.
    assert_one_error_line(
        run(at().args(["mock", "--no-voice", "--deck-id", "no-such-deck"])),
        "rehearse questions",
    );
}

#[test]
fn a_corrupt_plan_file_is_one_clear_line_and_a_fresh_plan_leaves_the_attempts_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let attempt = put_scored_attempt(
        dir.path(),
        "20261126-100000-pm-03-smallest-poc",
        "pm-03-smallest-poc",
        "2026-11-26T10:00:00+01:00",
        0.8,
    );
    let before = std::fs::read(&attempt).expect("read");
    std::fs::write(dir.path().join("plan.json"), b"{\"start\": \"2026-11-").expect("write");
    let at = || {
        let mut c = rehearse();
        c.env("REHEARSE_DATA_DIR", dir.path())
            .env("REHEARSE_TODAY", "2026-11-26");
        c
    };
    let (ok, lines) = run(at().arg("today"));
    assert!(!ok);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("plan.json is not a valid plan")
            && lines[0].contains("rehearse plan --interview")
            && lines[0].contains("attempts are not affected"),
        "{lines:?}"
    );
    let (ok, lines) = run(at().args(["plan", "--interview", "2026-12-04"]));
    assert!(ok, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("note: replacing a damaged plan file")),
        "{lines:?}"
    );
    let t = json_out(at().args(["today", "--json"]));
    assert_eq!(t["steps"][0]["done"], true, "the old attempt still counts");
    assert_eq!(std::fs::read(&attempt).expect("read"), before, "attempt untouched");
}

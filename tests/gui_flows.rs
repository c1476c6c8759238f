//! The window driven the way a person would: by accessible labels, clicks and frames (egui_kittest).
//! The microphone is replaced by a file source that streams `tests/fixtures/speech.wav` as if it were being
//! spoken; transcription uses the real model (`REHEARSE_TEST_MODEL`, default `tiny.en`).

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rehearse::app::{App, Automation, CaptureSource, Config, ModelSetup};

const PM01: &str = "What metrics would you track to know Product Metrics is working well?";
const PM01_HINT: &str = "Pair a correctness metric with a latency metric and a cost metric.";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn harness(data_dir: &Path, model: &str) -> Harness<'static, App> {
    harness_with(data_dir, model, Harness::builder())
}

fn harness_with(data_dir: &Path, model: &str, builder: egui_kittest::HarnessBuilder<App>) -> Harness<'static, App> {
    let config = Config {
        data_dir: data_dir.to_path_buf(),
        capture: CaptureSource::File {
            wav: fixture("speech.wav"),
            realtime: false,
        },
        model: Some(model.to_owned()),
        silent_playback: true,
        automation: Automation::default(),
        setup: ModelSetup::default(),
    };
    builder
        .with_size(egui::vec2(1280.0, 1600.0))
        .build_eframe(move |cc| App::new(cc, config).expect("app starts"))
}

/// Steps frames (sleeping between them, so worker threads make progress) until `done` holds.
fn wait_until(h: &mut Harness<'_, App>, what: &str, timeout: Duration, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < timeout,
            "timed out waiting for {what} (stage {})",
            h.state().stage().name()
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
}

fn attempt_json(data_dir: &Path) -> serde_json::Value {
    let dir = std::fs::read_dir(data_dir.join("attempts"))
        .expect("attempts dir")
        .filter_map(Result::ok)
        .find(|e| e.path().join("attempt.json").is_file())
        .expect("one attempt");
    let bytes = std::fs::read(dir.path().join("attempt.json")).expect("read attempt.json");
    serde_json::from_slice(&bytes).expect("attempt.json parses")
}

#[test]
fn record_review_self_score_and_history() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut h = harness(tmp.path(), &support::model());
    wait_until(&mut h, "the model", Duration::from_secs(60), App::model_ready);

    // The window opens on Today; the questions are one click away. Choose one, start, stop.
    assert_eq!(h.state().screen(), rehearse::app::Screen::Today);
    h.get_by_label("All questions").click();
    h.run_steps(2);
    h.get_by_label(PM01).click();
    h.run_steps(2);
    h.get_by_label("Start recording").click();
    wait_until(&mut h, "recording", Duration::from_secs(10), |a| {
        a.stage().name() == "recording"
    });
    wait_until(&mut h, "a second of recording", Duration::from_secs(10), |a| {
        h_elapsed(a) > 1.0
    });
    h.get_by_label("Stop recording");
    // Space stops, as the button does.
    h.key_press(egui::Key::Space);
    wait_until(&mut h, "review", Duration::from_secs(180), |a| {
        a.stage().name() == "review"
    });
    wait_until(&mut h, "the waveform", Duration::from_secs(10), waveform_loaded);

    // Space plays and pauses; the playhead moves.
    h.get_by_label("Play");
    h.key_press(egui::Key::Space);
    h.run_steps(2);
    h.get_by_label("Pause");
    wait_until(&mut h, "the playhead to move", Duration::from_secs(10), |a| {
        match a.stage() {
            rehearse::app::Stage::Review(r) => r.playhead_s > 0.3,
            _ => false,
        }
    });
    h.key_press(egui::Key::Space);
    h.run_steps(2);
    h.get_by_label("Play");

    // Review shows the transcript (each word is a button) and asks for a self-score first.
    assert!(
        !h.get_all_by_label_contains("pipeline").collect::<Vec<_>>().is_empty(),
        "transcript shown"
    );
    assert!(
        h.query_by_label("Rubric coverage").is_none(),
        "coverage hidden before self-score"
    );
    for label in [
        "Restatement 4 of 5",
        "Trade-offs 3 of 5",
        "Execution 2 of 5",
        "Communication 5 of 5",
    ] {
        h.get_by_label(label).click();
        h.run_steps(2);
    }
    h.get_by_label("Save and show coverage").click();
    h.run_steps(3);
    h.get_by_label("Rubric coverage");
    assert!(
        !h.get_all_by_label_contains("covered").collect::<Vec<_>>().is_empty(),
        "rubric cells shown"
    );
    h.get_by_label("Common mistakes not mentioned");

    // Both ratings are on disk.
    let start = Instant::now();
    let json = loop {
        let v = attempt_json(tmp.path());
        if v["self_scores"].is_object() || start.elapsed() > Duration::from_secs(5) {
            break v;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(json["status"], "scored", "{json}");
    assert_eq!(json["self_scores"]["restatement"], 4);
    assert_eq!(json["self_scores"]["execution"], 2);
    let text = json["transcript"]["text"]
        .as_str()
        .expect("transcript text")
        .to_lowercase();
    assert!(text.contains("pipeline"), "{text}");
    assert!(json["report"]["rubric"].is_array(), "report stored");

    // History lists the attempt and reopens it, rated: once the disk worker has told the window.
    wait_until(&mut h, "the rating in History", Duration::from_secs(5), |a| {
        a.state().entries.iter().any(|e| e.attempt.self_scores.is_some())
    });
    h.get_by_label("History").click();
    h.run_steps(3);
    let open: Vec<_> = h.get_all_by_label("Open").collect();
    assert_eq!(open.len(), 1, "one attempt listed");
    open[0].click();
    h.run_steps(3);
    wait_until(&mut h, "the waveform", Duration::from_secs(10), waveform_loaded);
    assert_eq!(h.state().screen(), rehearse::app::Screen::Review);
    h.get_by_label("Rubric coverage");

    // Deleting asks first, then removes the attempt's folder.
    for label in ["Delete attempt…", "Keep", "Delete attempt…", "Delete"] {
        h.get_by_label(label).click();
        h.run_steps(2);
    }
    wait_until(&mut h, "the deletion", Duration::from_secs(5), |a| {
        a.attempt_count() == 0
    });
    let left = std::fs::read_dir(tmp.path().join("attempts"))
        .expect("attempts dir")
        .count();
    assert_eq!(left, 0, "attempt folder removed");
}

fn waveform_loaded(a: &App) -> bool {
    matches!(a.stage(), rehearse::app::Stage::Review(r) if r.wave.is_some())
}

fn h_elapsed(a: &App) -> f64 {
    match a.stage() {
        rehearse::app::Stage::Recording(r) => r.elapsed_s,
        _ => 0.0,
    }
}

#[test]
fn peek_toggle_hides_and_shows_the_hint() {
    let tmp = tempfile::tempdir().expect("tmp");
    // No model needed to read a question.
    let mut h = harness(tmp.path(), "no-such-model");
    h.run_steps(2);
    h.get_by_label("Questions").click();
    h.run_steps(2);
    h.get_by_label(PM01).click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains(PM01_HINT).is_none(),
        "hint hidden before answering"
    );
    h.get_by_label("Peek at the hint").click();
    h.run_steps(2);
    h.get_by_label_contains(PM01_HINT);
    h.get_by_label("Peek at the hint").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains(PM01_HINT).is_none(), "hint hidden again");
    // Without a model, Record says so and what to do.
    h.get_by_label("No transcription model");
    h.get_by_label("Open Settings");
}

/// A damaged `attempt.json` next to a good one: History lists the good one and names the damaged one,
/// the app keeps running, and the damaged file is left exactly as it was.
#[test]
fn a_damaged_attempt_is_listed_and_left_untouched() {
    let tmp = tempfile::tempdir().expect("tmp");
    let attempts = tmp.path().join("attempts");
    let good = attempts.join("20261125-120000-pm-01-success-metrics");
    let bad = attempts.join("20261125-130000-pm-02-broken");
    std::fs::create_dir_all(&good).expect("mkdir");
    std::fs::create_dir_all(&bad).expect("mkdir");
    std::fs::copy(fixture("attempt-v1.json"), good.join("attempt.json")).expect("copy fixture");
    let garbage = b"{\"id\": \"20261125-130000-pm-02-broken\", \"status\": ";
    std::fs::write(bad.join("attempt.json"), garbage).expect("write");

    let mut h = harness(tmp.path(), "no-such-model");
    wait_until(&mut h, "the attempts", Duration::from_secs(20), |a| {
        a.attempt_count() == 1
    });
    h.get_by_label("History").click();
    h.run_steps(3);
    h.get_by_label_contains("could not be read");
    h.get_by_label_contains("20261125-130000-pm-02-broken");
    assert!(
        h.query_all_by_label_contains("Compare 2026").count() == 1,
        "the good attempt is listed"
    );
    assert_eq!(std::fs::read(bad.join("attempt.json")).expect("read"), garbage);
}

/// Today → its step (a fundamentals explain drill: the hint shows before answering, 90-second time-box)
/// → record → review → back to Today, where the step is done and the streak has begun.
#[test]
fn today_step_drill_review_and_back_to_today() {
    use rehearse::plan::file::{self, PlanDates};
    let tmp = tempfile::tempdir().expect("tmp");
    let today = file::today_local();
    file::save(
        tmp.path(),
        &PlanDates::new(today, today + time::Duration::days(8)).expect("dates"),
    )
    .expect("save plan");
    // The first explain question's example has "→", which egui's default font cannot draw (a box is shown).
    let mut h = harness_with(tmp.path(), &support::model(), Harness::builder().allow_missing_glyphs());
    wait_until(&mut h, "the model", Duration::from_secs(60), App::model_ready);
    wait_until(&mut h, "the plan", Duration::from_secs(10), |a| {
        a.state().plan_today.is_some()
    });
    assert_eq!(h.state().screen(), rehearse::app::Screen::Today);
    h.get_by_label("8 days to the interview");
    h.get_by_label("Day 1 of 8 · Fundamentals");
    h.get_by_label("0 of 3 steps done today");
    h.get_by_label("Streak: 0 days");

    h.get_by_label("Start today's step").click();
    h.run_steps(3);
    assert_eq!(h.state().screen(), rehearse::app::Screen::Record);
    h.get_by_label_contains("Today's step · Explain it in 90 seconds");
    h.get_by_label_contains("15-line script"); // the hint, before the drill
    h.get_by_label_contains("Time-box: 1:30");
    h.get_by_label("Start recording").click();
    wait_until(&mut h, "recording", Duration::from_secs(10), |a| {
        a.stage().name() == "recording"
    });
    wait_until(&mut h, "a second of recording", Duration::from_secs(10), |a| {
        h_elapsed(a) > 1.0
    });
    h.get_by_label("Stop recording").click();
    wait_until(&mut h, "review", Duration::from_secs(180), |a| {
        a.stage().name() == "review"
    });

    h.get_by_label("Back to Today").click();
    h.run_steps(3);
    assert_eq!(h.state().screen(), rehearse::app::Screen::Today);
    h.get_by_label("1 of 3 steps done today");
    h.get_by_label("Streak: 1 day");
    assert!(
        h.query_by_label_contains("To do · Explain · What's the smallest proof-of-concept")
            .is_none()
            && h.query_by_label_contains("Done · Explain · What's the smallest proof-of-concept")
                .is_some(),
        "the answered question is ticked"
    );
}

/// The first start of a new user: no plan, no attempts. Today says in one sentence what the app does and
/// offers *Try one question now* beside *Make my plan*; trying goes straight to recording the built-in
/// deck's warm-up question.
#[test]
fn a_first_start_says_what_the_app_does_and_tries_a_question_at_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut h = harness(tmp.path(), &support::model());
    wait_until(&mut h, "the model", Duration::from_secs(60), App::model_ready);
    wait_until(&mut h, "the plan file to be read", Duration::from_secs(10), |a| {
        matches!(a.state().plan, rehearse::app::PlanState::None)
    });
    assert_eq!(h.state().screen(), rehearse::app::Screen::Today);
    h.get_by_label(
        "Answer interview questions out loud against the clock; rehearse transcribes you on this machine and \
         shows what a strong answer covers that yours did not.",
    );
    h.get_by_label("Make my plan");
    h.get_by_label("Try one question now").click();
    wait_until(&mut h, "recording", Duration::from_secs(10), |a| {
        a.stage().name() == "recording"
    });
    assert_eq!(h.state().screen(), rehearse::app::Screen::Record);
    h.get_by_label("What is Product Metrics and why is it relevant to this interview round?");
    wait_until(&mut h, "a second of recording", Duration::from_secs(10), |a| {
        h_elapsed(a) > 1.0
    });
    h.get_by_label("Stop recording").click();
    wait_until(&mut h, "review", Duration::from_secs(180), |a| {
        a.stage().name() == "review"
    });
    assert_eq!(attempt_json(tmp.path())["question_id"], "pm-15-what-and-why");
    assert!(
        !tmp.path().join("plan.json").exists(),
        "trying a question makes no plan"
    );
}

/// A damaged plan file: Today says so and offers a fresh plan; making it leaves the attempts as they were.
#[test]
fn a_damaged_plan_offers_a_fresh_one_and_keeps_the_attempts() {
    let tmp = tempfile::tempdir().expect("tmp");
    let good = tmp.path().join("attempts/20261125-120000-pm-01-success-metrics");
    std::fs::create_dir_all(&good).expect("mkdir");
    std::fs::copy(fixture("attempt-v1.json"), good.join("attempt.json")).expect("copy fixture");
    let before = std::fs::read(good.join("attempt.json")).expect("read");
    std::fs::write(tmp.path().join("plan.json"), b"{\"start\": \"2026-11-").expect("write");
    let mut h = harness(tmp.path(), "no-such-model");
    wait_until(&mut h, "the plan", Duration::from_secs(10), |a| {
        matches!(a.state().plan, rehearse::app::PlanState::Damaged(_))
    });
    h.get_by_label_contains("is not a valid plan");
    h.get_by_label("Make a fresh plan").click();
    h.run_steps(3);
    wait_until(&mut h, "the fresh plan", Duration::from_secs(10), |a| {
        a.state().plan_today.is_some()
    });
    h.get_by_label("8 days to the interview");
    let start = Instant::now();
    while rehearse::plan::file::load(tmp.path()).is_err() {
        assert!(start.elapsed() < Duration::from_secs(5), "plan.json rewritten");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        std::fs::read(good.join("attempt.json")).expect("read"),
        before,
        "attempt untouched"
    );
}

/// Issue 12 in the window: *Paste a guide…* → the text → *Read guide* shows what was found (questions by
/// difficulty, the warning for a question without a difficulty, with its line) and writes nothing; *Save
/// deck* writes `<data>/decks/<id>.toml` and the questions are listed at once.
#[test]
fn a_pasted_guide_is_previewed_with_its_warnings_then_saved() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut h = harness(tmp.path(), "no-such-model");
    h.run_steps(2);
    h.get_by_label("Questions").click();
    h.run_steps(2);
    h.get_by_label("Paste a guide…").click();
    h.run_steps(2);
    let mut text = std::fs::read_to_string(fixture("guides/stream-processing.txt")).expect("guide");
    let broken_line = text.lines().count() + 1;
    text.push_str("Q8.What is a question without a difficulty?\n");
    let edit = h.get_by_role(egui::accesskit::Role::MultilineTextInput);
    edit.focus();
    edit.type_text(&text);
    h.run_steps(2);
    // The window is centred and grew with the text: let the layout settle before pointing at the button.
    h.get_by_label("Read guide").hover();
    h.run_steps(2);
    h.get_by_label("Read guide").click();
    wait_until(&mut h, "the guide preview", Duration::from_secs(10), |a| {
        a.state().guide_preview.is_some()
    });
    h.run_steps(2);
    h.get_by_label_contains("7 questions: 3 easy · 2 medium · 2 hard");
    h.get_by_label_contains(&format!("line {broken_line}"));
    h.get_by_label_contains("1 warning(s)");
    let decks = tmp.path().join("decks");
    assert!(
        !decks.join("stream-processing.toml").exists(),
        "nothing saved before Save deck"
    );
    h.get_by_label("Save deck").click();
    wait_until(&mut h, "the saved deck", Duration::from_secs(10), |a| {
        a.state().decks.iter().any(|d| d.id == "stream-processing")
    });
    assert!(decks.join("stream-processing.toml").is_file());
    assert!(h.state().state().guide_preview.is_none());
    h.run_steps(2);
    h.get_by_label("What is a watermark and why does it matter?");
}

/// A scored attempt at `question` on `date` (10:00 UTC), every rubric cell at 0.8 except trade-offs, with
/// the person's 1–5 self-scores if given; no audio (the plan reads only the record).
fn write_scored(data_dir: &Path, date: time::Date, question: &str, trade_offs: f64, me: Option<[u8; 4]>) {
    let day = rehearse::plan::ymd::format(date);
    let id = format!("{}-100000-{question}", day.replace('-', ""));
    let rubric: Vec<serde_json::Value> = ["restatement", "trade-offs", "boundaries", "execution", "communication"]
        .iter()
        .map(|c| {
            let score = if *c == "trade-offs" { trade_offs } else { 0.8 };
            serde_json::json!({"cell": c, "covered": score >= 0.5, "score": score, "evidence": []})
        })
        .collect();
    let mut a = serde_json::json!({
        "version": 2, "id": id, "question_id": question, "deck_id": "product-metrics",
        "started_at": format!("{day}T10:00:00Z"), "status": "scored", "duration_s": 80.0,
        "report": {"rubric": rubric},
    });
    if let Some([r, t, e, c]) = me {
        a["self_scores"] = serde_json::json!({"restatement": r, "trade_offs": t, "execution": e, "communication": c});
    }
    let dir = data_dir.join("attempts").join(&id);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("attempt.json"), a.to_string()).expect("write attempt");
}

/// Today's Progress: a plan with a few scored answers on its first days, two of them self-rated. Beside the
/// plan: the coverage chart per rubric cell across the plan, the calibration summary ("you over-rate
/// trade-offs"), the per-cell table and the gap chart.
#[test]
fn today_shows_coverage_across_the_plan_and_self_rating_calibration() {
    use rehearse::plan::file::{self, PlanDates};
    let tmp = tempfile::tempdir().expect("tmp");
    let start = file::today_local() - time::Duration::days(3);
    file::save(
        tmp.path(),
        &PlanDates::new(start, start + time::Duration::days(8)).expect("dates"),
    )
    .expect("save plan");
    for (day, question, trade_offs, me) in [
        (1, "pm-15-what-and-why", 0.2, Some([4, 5, 4, 4])),
        (2, "pm-01-success-metrics", 0.3, Some([4, 5, 4, 4])),
        (4, "pm-02-explain-trade-off", 0.6, None),
    ] {
        write_scored(
            tmp.path(),
            start + time::Duration::days(day - 1),
            question,
            trade_offs,
            me,
        );
    }
    let mut h = harness(tmp.path(), "no-such-model");
    wait_until(&mut h, "the plan's progress", Duration::from_secs(20), |a| {
        a.state().plan_progress.as_ref().is_some_and(|p| p.answers == 3)
    });
    h.run_steps(2);
    assert_eq!(h.state().screen(), rehearse::app::Screen::Today);
    h.get_by_label("Progress");
    h.get_by_label(
        "Coverage across the plan: Restatement 80% on day 4, Trade-offs 60% on day 4, Boundaries 80% on day 4, \
         Execution 80% on day 4, Communication 80% on day 4",
    );
    h.get_by_label("Your ratings vs the rubric");
    h.get_by_label("You over-rate trade-offs: you 100%, the rubric 25% (2 rated answers).");
    h.get_by_label("over by 75 pts");
    h.get_by_label("80 then 70 pts, closer");
    h.get_by_label_contains("Self-rating gap per day: Restatement close");
}

/// A mock panel of one ticked question: it is asked aloud (espeak-ng into the silent player) before the
/// clock starts, *Show the question* reveals it, both answers are recorded (the fixture as the microphone)
/// with no coverage shown, then the panel report lists both with coverage per cell, opens an answer in
/// Review and comes back; both attempts are on disk with the panel's id.
#[test]
fn a_mock_panel_is_asked_aloud_answered_and_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut h = harness(tmp.path(), &support::model());
    wait_until(&mut h, "the model", Duration::from_secs(60), App::model_ready);
    h.get_by_label("All questions").click();
    h.run_steps(2);
    h.get_by_label(&format!("In the panel: {PM01}")).click();
    h.run_steps(2);
    h.get_by_label("Start a mock panel with the 1 ticked").click();
    h.run_steps(2);
    assert_eq!(h.state().screen(), rehearse::app::Screen::Panel);
    h.get_by_label("Question 1 of 1");
    // Asked aloud: the text is not on screen, the clock has not started.
    assert!(h.query_by_label(PM01).is_none(), "the question is spoken, not shown");
    h.get_by_label_contains("The interviewer is asking");
    assert_eq!(h.state().stage().name(), "idle");
    h.get_by_label("Show the question").click();
    h.run_steps(2);
    h.get_by_label(PM01);

    let follow_up = "Walk me through the observability you would add before shipping this.";
    for (n, title) in [(1, "Question 1 of 1"), (2, "Follow-up 1 of 1")] {
        h.get_by_label(title);
        wait_until(&mut h, "the answer's recording", Duration::from_secs(30), |a| {
            a.stage().name() == "recording" && h_elapsed(a) > 0.5
        });
        assert!(h.query_by_label("Rubric coverage").is_none(), "no feedback mid-panel");
        assert!(h.query_by_label_contains("covered").is_none(), "no feedback mid-panel");
        h.get_by_label("Done answering").click();
        wait_until(&mut h, "the next step", Duration::from_secs(20), |a| {
            a.stage().name() == "idle" || a.state().panel.is_none()
        });
        if n == 1 {
            // The follow-up is asked next, hidden again until shown.
            h.get_by_label("Follow-up 1 of 1");
            assert!(h.query_by_label(follow_up).is_none());
        }
    }
    assert_eq!(h.state().screen(), rehearse::app::Screen::Panel);
    h.get_by_label("Mock panel report");
    wait_until(&mut h, "both answers scored", Duration::from_secs(240), |a| {
        a.state()
            .panel_report
            .as_ref()
            .is_some_and(|r| r.answers.len() == 2 && r.answers.iter().all(|x| x.report.is_some()))
    });
    h.run_steps(2);
    h.get_by_label_contains("complete");
    h.get_by_label("Coverage per cell (mean over the panel)");
    h.get_by_label_contains("Worst cell: ");
    assert!(
        h.query_all_by_label_contains("covered").count() + h.query_all_by_label_contains("missing").count() >= 10,
        "five cells for each of the two answers"
    );
    h.get_by_label(follow_up);
    let report = h.state().state().panel_report.clone().expect("report");
    assert!(report.complete);
    assert_eq!(report.cells.len(), 5);

    // Each answer opens in Review, and the report is one click back.
    let open: Vec<_> = h.get_all_by_label("Open in Review").collect();
    assert_eq!(open.len(), 2);
    open[1].click();
    h.run_steps(3);
    assert_eq!(h.state().screen(), rehearse::app::Screen::Review);
    assert_eq!(
        h.state().current_attempt_id(),
        Some(report.answers[1].attempt_id.as_str())
    );
    h.get_by_label("Back to the panel report").click();
    h.run_steps(2);
    assert_eq!(h.state().screen(), rehearse::app::Screen::Panel);
    h.get_by_label("Export…");

    // On disk: two attempts of this panel, question then follow-up.
    let mut kinds: Vec<String> = std::fs::read_dir(tmp.path().join("attempts"))
        .expect("attempts dir")
        .filter_map(Result::ok)
        .map(|e| {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.path().join("attempt.json")).expect("attempt.json"))
                    .expect("parses");
            assert_eq!(v["panel"]["id"], report.panel_id.as_str());
            v["panel"]["kind"].as_str().expect("kind").to_owned()
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["follow-up", "question"]);
}

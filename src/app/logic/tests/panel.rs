//! The mock panel.

use super::*;
use crate::audio::speak::Spoken;
use crate::store::PanelSlot;

fn spoken(id: u64) -> Event {
    Event::Speech(SpeakerEvent::Done {
        id,
        spoken: Spoken {
            audio_s: 4.0,
            played_s: 4.1,
        },
    })
}

/// The disk answers the `Begin` in `fx` with attempt `id` (carrying the panel slot it was asked for).
fn begun(s: &mut State, fx: &[Effect], id: &str) -> (Vec<Effect>, PanelSlot, TimeBox) {
    let Some((question, slot, time_box)) = fx.iter().find_map(|e| match e {
        Effect::Io(IoCommand::Begin {
            question,
            panel: Some(slot),
            time_box,
            ..
        }) => Some((question.id.clone(), slot.clone(), *time_box)),
        _ => None,
    }) else {
        panic!("no Begin with a panel slot in {fx:?}")
    };
    let mut a = attempt(id, &question);
    a.panel = Some(slot.clone());
    let fx = update(
        s,
        Event::Io(IoEvent::Begun(Box::new(NewAttempt {
            attempt: a,
            dir: PathBuf::from(format!("/d/{id}")),
            wav_path: PathBuf::from(format!("/d/{id}/answer.wav")),
        }))),
    );
    update(
        s,
        Event::Rec(RecEvent::Started {
            device: "mic".into(),
            sample_rate: 48_000,
        }),
    );
    (fx, slot, time_box)
}

fn stopped(s: &mut State, why: StopWhy) -> Vec<Effect> {
    update(
        s,
        Event::Rec(RecEvent::Stopped {
            path: PathBuf::from("/d/x/answer.wav"),
            duration_s: 20.0,
            why,
        }),
    )
}

fn speak_id(fx: &[Effect]) -> Option<(u64, String)> {
    fx.iter().find_map(|e| match e {
        Effect::Speak { id, text } => Some((*id, text.clone())),
        _ => None,
    })
}

fn start_panel_on(s: &mut State, ids: &[&str]) -> Vec<Effect> {
    cmd(
        s,
        Command::StartPanel {
            question_ids: ids.iter().map(|&i| i.to_owned()).collect(),
            time_box_s: None,
        },
    )
}

/// The panel's four answers (two questions, each with its follow-up), each asked aloud, recorded with its
/// time-box and sent off to be transcribed behind the next question, without feedback.
fn answer_in_turn(s: &mut State, q_long: &crate::bank::Question, q_short: &crate::bank::Question) {
    let mut expected = vec![
        (q_long.prompt.clone(), AnswerKind::Question, 0, 180.0),
        (q_long.follow_up.clone(), AnswerKind::FollowUp, 0, 90.0),
        (q_short.prompt.clone(), AnswerKind::Question, 1, 90.0),
        (q_short.follow_up.clone(), AnswerKind::FollowUp, 1, 90.0),
    ]
    .into_iter();
    let mut speech = 1;
    for n in 1..=4 {
        let (text, kind, position, seconds) = expected.next().unwrap();
        assert_eq!(s.panel.as_ref().unwrap().asked_text(), text);
        assert!(
            update(s, spoken(speech + 7)).is_empty(),
            "another request's end is not this one's"
        );
        let fx = update(s, spoken(speech));
        assert!(matches!(s.stage, Stage::Preparing { .. }));
        let (rec_fx, slot, time_box) = begun(s, &fx, &format!("p{n}"));
        assert_eq!(
            (slot.id.as_str(), slot.kind, slot.position, slot.planned),
            ("panel-20261126-090503", kind, position, 2)
        );
        assert_eq!(time_box.seconds, seconds, "answer {n}");
        assert!(matches!(rec_fx.as_slice(), [Effect::Record(t)] if t.request.time_box_s == seconds));
        assert!(matches!(&s.stage, Stage::Recording(r) if r.phase == RecPhase::Live));
        assert_eq!(s.screen, Screen::Panel);
        // The window cannot wander off mid-panel.
        cmd(s, Command::ShowScreen(Screen::History));
        assert_eq!(s.screen, Screen::Panel);
        cmd(s, Command::StopRecording);
        let fx = stopped(s, if n == 2 { StopWhy::TimeUp } else { StopWhy::User });
        let id = format!("p{n}");
        assert!(
            matches!(&fx[0], Effect::Io(IoCommand::Stopped { attempt_id, .. }) if *attempt_id == id),
            "{fx:?}"
        );
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Transcribe { attempt_id, .. } if *attempt_id == id)),
            "transcribed behind the next question: {fx:?}"
        );
        assert!(
            !matches!(s.stage, Stage::Transcribing(_) | Stage::Review(_)),
            "no feedback during the panel"
        );
        if n < 4 {
            speech += 1;
            assert_eq!(speak_id(&fx).map(|(i, _)| i), Some(speech), "answer {n}: {fx:?}");
            assert!(!s.panel.as_ref().unwrap().shown, "each question starts hidden");
        } else {
            assert!(speak_id(&fx).is_none());
        }
    }
}

/// A background transcription is scored and saved, never opened in Review; the panel report fills in.
fn background_scores_fill_the_report(s: &mut State, q_long: &crate::bank::Question) {
    let job = s.background[0].job;
    let fx = update(
        s,
        Event::Asr(AsrEvent::Done {
            job,
            transcript: Transcript::from_plain_text("we would track latency", Some(5.0)),
            seconds: 1.0,
            streamed: Some(1),
            stream_failed: None,
        }),
    );
    assert!(
        matches!(fx.as_slice(), [Effect::Score(ScoreJob::Score { attempt_id, question: Some(q), .. })]
            if attempt_id == "p1" && q.id == LONG),
        "{fx:?}"
    );
    let rubric = crate::rubric::Rubric::embedded().unwrap();
    let t = Transcript::from_plain_text(
        "So the question is how we know it works. The trade-off is latency versus cost.",
        Some(8.0),
    );
    let report = crate::report::score(q_long, &rubric, &t, 180.0);
    let mut a = attempt("p1", LONG);
    a.status = Status::Scored;
    let panel_id = s.panel_report.as_ref().unwrap().panel_id.clone();
    a.panel = Some(crate::panel::slot(&panel_id, AnswerKind::Question, 0, 2));
    a.transcript = Some(t);
    a.report = crate::session::report_to_store(&report);
    let entry = Entry {
        report: parse_report(&a),
        attempt: a,
    };
    let fx = update(s, scored_event(entry));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(s.screen, Screen::Panel);
    let r = s.panel_report.clone().unwrap();
    assert!(r.answers[0].report.is_some());
    assert_eq!(r.cells.len(), report.rubric.len());
    for (mean, cell) in r.cells.iter().zip(&report.rubric) {
        assert_eq!(
            (mean.cell.as_str(), mean.mean, mean.answers),
            (cell.cell.as_str(), cell.score, 1)
        );
    }
    assert!(r.worst_cell.is_some());
}

#[test]
fn a_panel_asks_each_question_and_follow_up_aloud_and_records_them_without_feedback() {
    let mut s = ready();
    s.now = time::macros::datetime!(2026-11-26 09:05:03 +01:00);
    let fx = start_panel_on(&mut s, &[LONG, SHORT]);
    let q_long = s.question(LONG).unwrap().clone();
    let q_short = s.question(SHORT).unwrap().clone();
    assert_eq!(s.screen, Screen::Panel);
    let p = s.panel.clone().unwrap();
    assert_eq!(p.id, "panel-20261126-090503");
    assert_eq!(p.phase, PanelPhase::Asking(1));
    assert!(!p.shown, "asked aloud: the text is not on screen");
    assert_eq!(speak_id(&fx), Some((1, q_long.prompt.clone())));
    assert!(matches!(s.stage, Stage::Idle), "the clock waits for the question");
    // Show the question reveals the text; the voice goes on.
    assert!(cmd(&mut s, Command::ShowPanelQuestion).is_empty());
    assert!(s.panel.as_ref().unwrap().shown);

    answer_in_turn(&mut s, &q_long, &q_short);
    // All answered: the panel report, complete, with answers still being transcribed.
    assert!(s.panel.is_none());
    assert_eq!(s.screen, Screen::Panel);
    let r = s.panel_report.clone().unwrap();
    assert!(r.complete);
    assert_eq!(r.answers.len(), 4);
    assert!(r.answers.iter().all(|a| a.report.is_none()));
    assert_eq!(s.background.len(), 4);

    background_scores_fill_the_report(&mut s, &q_long);
    // A failed background job keeps the recording with the reason.
    let job = s.background[0].job;
    let fx = update(
        &mut s,
        Event::Asr(AsrEvent::Failed {
            job,
            error: "boom".into(),
        }),
    );
    assert!(
        matches!(fx.as_slice(), [Effect::Io(IoCommand::TranscriptionFailed { attempt_id, .. })] if attempt_id == "p2"),
        "{fx:?}"
    );
    // Each answer opens in Review, and Export asks where to save the panel.
    cmd(&mut s, Command::OpenAttempt("p1".into()));
    assert!(matches!(&s.stage, Stage::Review(r) if r.attempt.id == "p1"));
    cmd(&mut s, Command::ShowScreen(Screen::Panel));
    assert_eq!(s.screen, Screen::Panel);
    let fx = cmd(&mut s, Command::ExportPanel);
    assert!(
        matches!(fx.as_slice(), [Effect::PickExport { attempt_id }] if attempt_id == "panel-20261126-090503"),
        "{fx:?}"
    );
}

#[test]
fn ending_a_panel_keeps_what_was_recorded_and_marks_it_incomplete() {
    // Mid-answer: the recording is stopped and kept, then the report opens.
    let mut s = ready();
    let fx = start_panel_on(&mut s, &[LONG, SHORT]);
    let fx = update(&mut s, spoken(speak_id(&fx).unwrap().0));
    begun(&mut s, &fx, "p1");
    let fx = cmd(&mut s, Command::EndPanel);
    assert!(matches!(fx.as_slice(), [Effect::StopRecorder]), "{fx:?}");
    assert_eq!(s.panel.as_ref().unwrap().phase, PanelPhase::Ending);
    let fx = stopped(&mut s, StopWhy::User);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Transcribe { attempt_id, .. } if attempt_id == "p1"))
    );
    assert!(speak_id(&fx).is_none(), "nothing more is asked");
    assert!(s.panel.is_none());
    let r = s.panel_report.clone().unwrap();
    assert!(!r.complete);
    assert_eq!((r.answers.len(), r.planned), (1, 2));
    assert_eq!(s.screen, Screen::Panel);
    // Navigation is back.
    cmd(&mut s, Command::ShowScreen(Screen::History));
    assert_eq!(s.screen, Screen::History);

    // While the follow-up is being asked: the voice stops; the question's answer is kept.
    let mut s = ready();
    let fx = start_panel_on(&mut s, &[LONG]);
    let fx = update(&mut s, spoken(speak_id(&fx).unwrap().0));
    begun(&mut s, &fx, "p1");
    let fx = stopped(&mut s, StopWhy::User);
    let (follow, _) = speak_id(&fx).unwrap();
    let fx = cmd(&mut s, Command::EndPanel);
    assert!(fx.iter().any(|e| matches!(e, Effect::StopSpeaking)), "{fx:?}");
    assert!(update(&mut s, spoken(follow)).is_empty(), "its end changes nothing");
    let r = s.panel_report.clone().unwrap();
    assert!(!r.complete);
    assert_eq!(r.answers.len(), 1);

    // Before anything was recorded: no report, a message.
    let mut s = ready();
    start_panel_on(&mut s, &[LONG]);
    cmd(&mut s, Command::EndPanel);
    assert!(s.panel.is_none() && s.panel_report.is_none());
    assert_eq!(s.screen, Screen::Today);
    assert!(s.notice.as_deref().unwrap().contains("before any answer"));
}

#[test]
fn without_ask_aloud_the_text_shows_and_the_clock_starts_and_a_mute_voice_shows_it_too() {
    let mut s = ready();
    let fx = start_panel_on(&mut s, &[LONG]);
    let (first, _) = speak_id(&fx).unwrap();
    // Turning Ask aloud off shows the text; the next question is not spoken.
    cmd(&mut s, Command::SetAskAloud(false));
    assert!(s.panel.as_ref().unwrap().shown);
    let fx = update(&mut s, spoken(first));
    begun(&mut s, &fx, "p1");
    let fx = stopped(&mut s, StopWhy::User);
    assert!(speak_id(&fx).is_none(), "{fx:?}");
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Io(IoCommand::Begin { panel: Some(p), .. }) if p.kind == AnswerKind::FollowUp)
        ),
        "{fx:?}"
    );
    assert!(s.panel.as_ref().unwrap().shown);

    // espeak-ng missing: the question is shown instead, with the reason, and the answer starts.
    let mut s = ready();
    let fx = start_panel_on(&mut s, &[LONG]);
    let (id, _) = speak_id(&fx).unwrap();
    let fx = update(
        &mut s,
        Event::Speech(SpeakerEvent::Failed {
            id,
            error: "espeak-ng: not found".into(),
        }),
    );
    assert!(s.panel.as_ref().unwrap().shown);
    assert!(s.notice.as_deref().unwrap().contains("shown instead"));
    assert!(fx.iter().any(|e| matches!(e, Effect::Io(IoCommand::Begin { .. }))));
}

#[test]
fn the_default_panel_mixes_difficulties_and_a_panel_blocks_other_recordings() {
    let mut s = ready();
    start_panel_on(&mut s, &[]);
    let p = s.panel.clone().unwrap();
    let diffs: Vec<_> = p.questions.iter().map(|(_, q)| q.difficulty).collect();
    assert_eq!(p.questions.len(), crate::panel::DEFAULT_QUESTIONS);
    assert_eq!(
        diffs,
        [
            crate::bank::Difficulty::Medium,
            crate::bank::Difficulty::Easy,
            crate::bank::Difficulty::Hard,
            crate::bank::Difficulty::Medium
        ]
    );
    assert!(start_panel_on(&mut s, &[LONG]).is_empty(), "one panel at a time");
    cmd(&mut s, Command::SelectQuestion(SHORT.into()));
    assert!(s.notice.as_deref().unwrap().contains("End the panel"));
    assert!(cmd(&mut s, Command::StartRecording).is_empty());
    // No model: no panel.
    let mut s = ready();
    s.model = ModelState::Unavailable("missing".into());
    assert!(start_panel_on(&mut s, &[LONG]).is_empty());
    assert!(s.panel.is_none());
    // A microphone that fails ends the panel, keeping the failed attempt.
    let mut s = ready();
    let fx = start_panel_on(&mut s, &[LONG]);
    let fx = update(&mut s, spoken(speak_id(&fx).unwrap().0));
    begun(&mut s, &fx, "p1");
    update(&mut s, Event::Rec(RecEvent::Error("the microphone vanished".into())));
    assert!(s.panel.is_none());
    assert!(s.notice.as_deref().unwrap().contains("The panel ended"));
    assert!(s.panel_report.as_ref().is_some_and(|r| !r.complete));
}

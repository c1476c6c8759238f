//! Record: Start, the recorder and the transcriber, to Review.

use super::*;

#[test]
fn start_uses_the_questions_time_box_and_begins_through_the_lifecycle() {
    for (question, override_s, seconds, source) in [
        (SHORT, None, 90.0, TimeBoxSource::Question),
        (LONG, None, 180.0, TimeBoxSource::Question),
        (SHORT, Some(120.0), 120.0, TimeBoxSource::Override),
        (LONG, Some(5.0), 30.0, TimeBoxSource::Override), // clamped to the slider's range
    ] {
        let mut s = ready();
        cmd(&mut s, Command::SelectQuestion(question.into()));
        cmd(&mut s, Command::SetTimeBoxOverride(override_s));
        let fx = cmd(&mut s, Command::StartRecording);
        let expected = TimeBox { seconds, source };
        assert!(
            fx.iter().any(
                |e| matches!(e, Effect::Io(IoCommand::Begin { question: q, time_box, .. })
                if q.id == question && *time_box == expected)
            ),
            "{question} {override_s:?}: {fx:?}"
        );
        assert!(matches!(&s.stage, Stage::Preparing { time_box, .. } if *time_box == expected));
        let fx = update(
            &mut s,
            Event::Io(IoEvent::Begun(Box::new(NewAttempt {
                attempt: attempt("a1", question),
                dir: PathBuf::from("/d/a1"),
                wav_path: PathBuf::from("/d/a1/answer.wav"),
            }))),
        );
        assert!(
            matches!(fx.as_slice(), [Effect::Record(t)] if t.request.time_box_s == seconds && t.request.path == std::path::Path::new("/d/a1/answer.wav")),
            "{fx:?}"
        );
        assert!(matches!(&s.stage, Stage::Recording(r) if r.phase == RecPhase::Starting));
    }
}

#[test]
fn choosing_another_question_resets_the_override() {
    let mut s = ready();
    cmd(&mut s, Command::SelectQuestion(SHORT.into()));
    cmd(&mut s, Command::SetTimeBoxOverride(Some(240.0)));
    assert_eq!(s.time_box_for(s.question(SHORT).unwrap()).seconds, 240.0);
    cmd(&mut s, Command::SelectQuestion(LONG.into()));
    assert_eq!(s.ui_state.time_box_override, None);
    let tb = s.time_box_for(s.question(LONG).unwrap());
    assert_eq!((tb.seconds, tb.source), (180.0, TimeBoxSource::Question));
}

#[test]
fn the_answer_so_far_is_kept_for_the_live_coach() {
    let mut s = recording(LONG);
    let so_far = Transcript::from_plain_text("So the question is how to measure churn.", Some(4.0));
    // The engine scores partial transcripts itself (`engine::Prescoring`): nothing for the window to do.
    let fx = update(
        &mut s,
        Event::Asr(AsrEvent::Partial {
            wav: PathBuf::from("/d/a1/answer.wav"),
            transcript: so_far.clone(),
        }),
    );
    assert!(fx.is_empty());
    let question = s.question(LONG).unwrap().clone();
    let report = crate::report::score(
        &question,
        &crate::rubric::Rubric::embedded().expect("rubric"),
        &so_far,
        180.0,
    );
    // The score of another attempt is not shown.
    update(
        &mut s,
        Event::Score(ScoreEvent::Live {
            attempt_id: "other".into(),
            report: Box::new(report.clone()),
        }),
    );
    assert!(matches!(&s.stage, Stage::Recording(r) if r.live.is_none()));
    update(
        &mut s,
        Event::Score(ScoreEvent::Live {
            attempt_id: "a1".into(),
            report: Box::new(report),
        }),
    );
    assert!(matches!(&s.stage, Stage::Recording(r) if r.live.is_some()));
    // The live coach is a preference, off by default.
    assert!(!s.prefs.live_coach);
    cmd(&mut s, Command::SetLiveCoach(true));
    assert!(s.prefs.live_coach);
}

#[test]
fn started_stop_and_the_file_lead_to_transcription() {
    let mut s = recording(LONG);
    assert!(matches!(&s.stage, Stage::Recording(r) if r.phase == RecPhase::Live
        && r.attempt.sample_rate == Some(48_000)));
    let fx = cmd(&mut s, Command::StopRecording);
    assert!(matches!(fx.as_slice(), [Effect::StopRecorder]));
    assert!(
        cmd(&mut s, Command::StopRecording).is_empty(),
        "a second Stop sends nothing"
    );
    let fx = update(
        &mut s,
        Event::Rec(RecEvent::Stopped {
            path: PathBuf::from("/d/a1/answer.wav"),
            duration_s: 12.0,
            why: StopWhy::User,
        }),
    );
    assert!(
        matches!(&fx[0], Effect::Io(IoCommand::Stopped { attempt_id, duration_s, ending: Ending::User })
        if attempt_id == "a1" && *duration_s == 12.0)
    );
    assert!(matches!(&fx[1], Effect::Transcribe { job: 1, attempt_id } if attempt_id == "a1"));
    assert!(matches!(&s.stage, Stage::Transcribing(t) if t.phase == TxPhase::Running(0)));
    update(&mut s, Event::Asr(AsrEvent::Progress { job: 1, percent: 40 }));
    assert!(matches!(&s.stage, Stage::Transcribing(t) if t.progress() == 40));
    // Another job's news is not ours.
    update(&mut s, Event::Asr(AsrEvent::Progress { job: 9, percent: 99 }));
    let fx = update(
        &mut s,
        Event::Asr(AsrEvent::Done {
            job: 9,
            transcript: Transcript::from_plain_text("x", Some(1.0)),
            seconds: 1.0,
            streamed: None,
            stream_failed: None,
        }),
    );
    assert!(fx.is_empty());
    assert!(matches!(&s.stage, Stage::Transcribing(t) if t.progress() == 40));
    let fx = update(
        &mut s,
        Event::Asr(AsrEvent::Done {
            job: 1,
            transcript: Transcript::from_plain_text("hello there", Some(12.0)),
            seconds: 1.0,
            streamed: None,
            stream_failed: None,
        }),
    );
    assert!(
        matches!(fx.as_slice(), [Effect::Score(ScoreJob::Score { attempt_id, model, .. })]
            if attempt_id == "a1" && model == "tiny.en")
    );
    assert!(matches!(&s.stage, Stage::Transcribing(t) if t.scoring()));
    assert!(
        cmd(&mut s, Command::CancelTranscription).is_empty(),
        "too late to cancel"
    );
    let mut a = attempt("a1", LONG);
    a.status = Status::Scored;
    let fx = update(
        &mut s,
        scored_event(Entry {
            attempt: a,
            report: None,
        }),
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Io(IoCommand::LoadWave { attempt_id }) if attempt_id == "a1"))
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Player(PlayerCmd::Load { attempt_id, .. }) if attempt_id == "a1"))
    );
    assert!(matches!(&s.stage, Stage::Review(r) if r.coverage == Coverage::Hidden && r.playback == Playback::Paused));
    assert_eq!(s.screen, Screen::Review);
}

#[test]
fn how_a_recording_ends_decides_the_message_and_what_is_stored() {
    for (why, ending, notice) in [
        (StopWhy::User, Ending::User, None),
        (StopWhy::TimeUp, Ending::TimeUp, Some("Time is up")),
        (
            StopWhy::Failed("the microphone was unplugged.".into()),
            Ending::Interrupted("the microphone was unplugged.".into()),
            Some("unplugged"),
        ),
    ] {
        let mut s = recording(LONG);
        let fx = update(
            &mut s,
            Event::Rec(RecEvent::Stopped {
                path: PathBuf::from("/d/a1/answer.wav"),
                duration_s: 3.0,
                why,
            }),
        );
        assert!(
            matches!(&fx[0], Effect::Io(IoCommand::Stopped { ending: e, .. }) if *e == ending),
            "{fx:?}"
        );
        // Whatever the ending, the audio is transcribed.
        assert!(matches!(&fx[1], Effect::Transcribe { .. }));
        match notice {
            None => assert_eq!(s.notice, None),
            Some(n) => assert!(s.notice.as_deref().unwrap().contains(n), "{:?}", s.notice),
        }
    }
}

#[test]
fn a_capture_that_fails_is_kept_as_failed_not_deleted() {
    let mut s = ready();
    cmd(&mut s, Command::SelectQuestion(LONG.into()));
    cmd(&mut s, Command::StartRecording);
    update(
        &mut s,
        Event::Io(IoEvent::Begun(Box::new(NewAttempt {
            attempt: attempt("a1", LONG),
            dir: PathBuf::from("/d/a1"),
            wav_path: PathBuf::from("/d/a1/answer.wav"),
        }))),
    );
    let fx = update(&mut s, Event::Rec(RecEvent::Error("no input device".into())));
    assert!(
        matches!(fx.as_slice(), [Effect::Io(IoCommand::Failed { attempt_id, reason })]
            if attempt_id == "a1" && reason == "no input device"),
        "{fx:?}"
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Io(IoCommand::Delete(_)))));
    assert!(matches!(s.stage, Stage::Idle));
    let n = s.notice.as_deref().unwrap();
    assert!(n.contains("no input device") && n.contains("Settings"), "{n}");
    assert_eq!(s.entries[0].attempt.status, Status::Failed);
}

#[test]
fn asr_failure_and_cancel_open_review_with_retranscribe() {
    for (event, text) in [
        (
            AsrEvent::Failed {
                job: 1,
                error: "model crashed".into(),
            },
            "Transcription failed: model crashed",
        ),
        (AsrEvent::Cancelled { job: 1 }, "Transcription was cancelled."),
    ] {
        let mut s = transcribing(LONG);
        let fx = cmd(&mut s, Command::CancelTranscription);
        assert!(matches!(fx.as_slice(), [Effect::CancelTranscription(1)]));
        let fx = update(&mut s, Event::Asr(event));
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Io(IoCommand::TranscriptionFailed { error, .. }) if error == text)),
            "{fx:?}"
        );
        let Stage::Review(r) = &s.stage else { panic!("review") };
        assert!(r.report.is_none());
        assert!(r.problem.as_deref().unwrap().contains("Re-transcribe"));
    }
}

#[test]
fn silence_opens_review_saying_no_speech_was_heard() {
    let mut s = transcribing(LONG);
    let mut a = attempt("a1", LONG);
    a.status = Status::NoSpeech;
    update(
        &mut s,
        scored_event(Entry {
            attempt: a,
            report: None,
        }),
    );
    let Stage::Review(r) = &s.stage else { panic!("review") };
    assert!(r.report.is_none());
    let p = r.problem.as_deref().unwrap();
    assert!(p.starts_with("No speech heard") && p.contains("Microphone"), "{p}");
}

#[test]
fn score_failure_opens_review_without_a_report() {
    let mut s = transcribing(LONG);
    update(
        &mut s,
        Event::Score(ScoreEvent::ScoreFailed {
            attempt_id: "other".into(),
            error: "x".into(),
        }),
    );
    assert!(
        matches!(s.stage, Stage::Transcribing(_)),
        "another attempt's failure is not ours"
    );
    update(
        &mut s,
        Event::Score(ScoreEvent::ScoreFailed {
            attempt_id: "a1".into(),
            error: "disk full".into(),
        }),
    );
    let Stage::Review(r) = &s.stage else { panic!("review") };
    assert_eq!(r.problem.as_deref(), Some("No report: disk full"));
}

#[test]
fn create_failed_returns_to_idle_with_the_reason() {
    let mut s = ready();
    cmd(&mut s, Command::SelectQuestion(LONG.into()));
    cmd(&mut s, Command::StartRecording);
    update(
        &mut s,
        Event::Io(IoEvent::CreateFailed("Cannot start: disk full".into())),
    );
    assert!(matches!(s.stage, Stage::Idle));
    assert_eq!(s.notice.as_deref(), Some("Cannot start: disk full"));
}

#[test]
fn nothing_starts_without_a_model_or_a_question() {
    let mut s = ready();
    assert!(cmd(&mut s, Command::StartRecording).is_empty());
    assert_eq!(s.notice.as_deref(), Some("Pick a question first."));
    cmd(&mut s, Command::SelectQuestion(LONG.into()));
    update(
        &mut s,
        Event::Asr(AsrEvent::ModelError("no model ggml-tiny.en.bin".into())),
    );
    assert!(matches!(&s.model, ModelState::Unavailable(w) if w.contains("Settings")));
    assert!(cmd(&mut s, Command::StartRecording).is_empty());
    assert!(s.notice.as_deref().unwrap().starts_with("No transcription model"));
    assert!(matches!(s.stage, Stage::Idle));
    // Choosing a model asks for it to be loaded.
    let fx = cmd(&mut s, Command::SetModel("tiny.en-q8_0".into()));
    assert!(matches!(fx.as_slice(), [Effect::LoadModel(n)] if n == "tiny.en-q8_0"));
    assert!(matches!(&s.model, ModelState::Loading(_)));
}

#[test]
fn the_question_cannot_change_while_recording() {
    for mut s in [recording(LONG), {
        let mut s = ready();
        cmd(&mut s, Command::SelectQuestion(LONG.into()));
        cmd(&mut s, Command::StartRecording);
        s
    }] {
        let fx = cmd(&mut s, Command::SelectQuestion(SHORT.into()));
        assert!(fx.is_empty());
        assert_eq!(s.selected.as_deref(), Some(LONG));
        assert!(s.stage.is_live());
        assert!(s.notice.as_deref().unwrap().contains("Stop the recording"));
        cmd(&mut s, Command::ShowScreen(Screen::History));
        assert_eq!(s.screen, Screen::Record, "no leaving the Record screen while live");
        assert!(cmd(&mut s, Command::OpenAttempt("a1".into())).is_empty());
    }
}

#[test]
fn a_begun_attempt_nobody_waits_for_is_kept_as_failed() {
    let mut s = ready();
    let fx = update(
        &mut s,
        Event::Io(IoEvent::Begun(Box::new(NewAttempt {
            attempt: attempt("stray", LONG),
            dir: PathBuf::from("/d/stray"),
            wav_path: PathBuf::from("/d/stray/answer.wav"),
        }))),
    );
    assert!(matches!(fx.as_slice(), [Effect::Io(IoCommand::Failed { attempt_id, .. })] if attempt_id == "stray"));
    assert!(matches!(s.stage, Stage::Idle));
}

//! Review: playback, self-scores, corrections, re-transcribe, delete, export.

use super::*;

#[test]
fn export_asks_where_for_the_reviewed_attempt_and_says_where_it_went() {
    let mut s = ready();
    assert!(
        cmd(&mut s, Command::ExportAttempt).is_empty(),
        "nothing to export outside Review"
    );
    let mut s = review(LONG);
    let fx = cmd(&mut s, Command::ExportAttempt);
    assert!(
        matches!(fx.as_slice(), [Effect::PickExport { attempt_id }] if attempt_id == "a1"),
        "{fx:?}"
    );
    update(&mut s, Event::Io(IoEvent::Exported(PathBuf::from("/tmp/a1.html"))));
    assert_eq!(s.notice.as_deref(), Some("Exported to /tmp/a1.html"));
    assert!(matches!(s.stage, Stage::Review(_)), "Review stays open");
}

#[test]
fn retranscribe_runs_a_new_job_and_pauses_playback() {
    let mut s = review(LONG);
    cmd(&mut s, Command::TogglePlay);
    let fx = cmd(&mut s, Command::Retranscribe);
    assert!(matches!(&fx[0], Effect::Player(PlayerCmd::Pause)));
    assert!(matches!(&fx[1], Effect::Transcribe { job: 2, attempt_id } if attempt_id == "a1"));
    assert_eq!(job(&s), 2);

    // Not without a model, and not for a failed capture.
    let mut s = review(LONG);
    s.model = ModelState::Unavailable("missing".into());
    assert!(cmd(&mut s, Command::Retranscribe).is_empty());
    assert!(matches!(s.stage, Stage::Review(_)));
    let mut s = review(LONG);
    if let Stage::Review(r) = &mut s.stage {
        r.attempt.status = Status::Failed;
    }
    assert!(cmd(&mut s, Command::Retranscribe).is_empty());
}

/// Review of a scored answer whose report is real (phrases): the stuffed sentence counts as a trade-off.
fn reviewed_with_report() -> State {
    let mut s = transcribing(LONG);
    let deck = Deck::embedded().unwrap();
    let rubric = crate::rubric::Rubric::embedded().unwrap();
    let q = deck.question(LONG).unwrap();
    let t = Transcript::from_plain_text(
        "We track freshness. Trade-offs, there are always trade-offs. It stops being good enough past a day.",
        Some(9.0),
    );
    let report = crate::report::score(q, &rubric, &t, 180.0);
    let mut a = attempt("a1", LONG);
    a.status = Status::Scored;
    a.transcript = Some(t);
    update(
        &mut s,
        scored_event(Entry {
            attempt: a,
            report: Some(report),
        }),
    );
    s
}

#[test]
fn a_correction_is_sent_kept_on_the_attempt_and_the_new_report_replaces_the_old() {
    let mut s = reviewed_with_report();
    let Stage::Review(r) = &s.stage else { panic!("review") };
    assert_eq!(r.sentences.len(), 3);
    let stuffed = r.report.as_ref().unwrap().rubric[1].evidence[0].clone();
    assert!(stuffed.text.starts_with("Trade-offs"), "{stuffed:?}");

    // "This is my boundary": the third sentence, for the boundaries cell.
    let fx = cmd(
        &mut s,
        Command::MarkCounts {
            sentence: 2,
            cell: "boundaries".into(),
        },
    );
    let [
        Effect::Score(ScoreJob::Correct {
            attempt_id,
            question,
            correction,
        }),
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(attempt_id, "a1");
    assert_eq!(question.as_ref().map(|q| q.id.as_str()), Some(LONG));
    assert_eq!(
        (
            correction.cell.as_str(),
            correction.verdict,
            correction.sentence.as_str()
        ),
        ("boundaries", Verdict::Counts, "It stops being good enough past a day.")
    );
    assert!(matches!(&s.stage, Stage::Review(r) if r.rescoring && r.attempt.corrections.len() == 1));

    // "Doesn't count" on the trade-off evidence rejects its whole sentence for that cell.
    let fx = cmd(
        &mut s,
        Command::RejectEvidence {
            cell: "trade-offs".into(),
            start_s: stuffed.start_s,
        },
    );
    assert!(
        matches!(fx.as_slice(), [Effect::Score(ScoreJob::Correct { correction, .. })]
            if correction.verdict == Verdict::DoesNotCount
                && correction.cell == "trade-offs"
                && correction.sentence == "Trade-offs, there are always trade-offs."),
        "{fx:?}"
    );

    // The disk worker's new report replaces the shown one, with its evidence markers.
    let Stage::Review(r) = &s.stage else { panic!("review") };
    let mut attempt = r.attempt.clone();
    attempt.notes = "from disk".into();
    let mut report = r.report.clone().unwrap();
    report.rubric[2].covered = true;
    report.rubric[2].evidence = vec![crate::rubric::Evidence {
        text: "It stops being good enough past a day.".into(),
        start_s: 6.0,
        end_s: 9.0,
        sentence: Some("It stops being good enough past a day.".into()),
        why: Some("you marked this as counting".into()),
    }];
    update(
        &mut s,
        corrected_event(Entry {
            attempt,
            report: Some(report),
        }),
    );
    let Stage::Review(r) = &s.stage else { panic!("review") };
    assert!(!r.rescoring);
    assert_eq!(r.attempt.notes, "from disk");
    assert!(r.report.as_ref().unwrap().rubric[2].covered);
    assert!(r.markers.iter().any(|m| m.label.starts_with("boundaries: ")));
    assert!(s.entries.iter().any(|e| e.attempt.id == "a1" && e.report.is_some()));

    // A failed save says so and the report stays.
    update(
        &mut s,
        Event::Score(ScoreEvent::CorrectFailed {
            attempt_id: "a1".into(),
            error: "disk full".into(),
        }),
    );
    assert_eq!(s.notice.as_deref(), Some("The correction was not saved: disk full"));
    assert!(matches!(&s.stage, Stage::Review(r) if r.report.is_some()));
}

#[test]
fn nothing_to_correct_without_a_report_or_outside_review() {
    let mut s = ready();
    let mark = Command::MarkCounts {
        sentence: 0,
        cell: "boundaries".into(),
    };
    assert!(cmd(&mut s, mark.clone()).is_empty());
    let mut s = review(LONG); // scored without a report (deck missing)
    assert!(cmd(&mut s, mark).is_empty());
    assert!(s.notice.as_deref().unwrap().contains("no report to correct"));
    let mut s = reviewed_with_report();
    let far = Command::MarkCounts {
        sentence: 99,
        cell: "boundaries".into(),
    };
    assert!(cmd(&mut s, far).is_empty(), "no such sentence");
}

#[test]
fn delete_needs_confirmation() {
    let mut s = review(LONG);
    assert!(cmd(&mut s, Command::ConfirmDelete).is_empty(), "not without asking");
    cmd(&mut s, Command::AskDelete(true));
    assert!(matches!(&s.stage, Stage::Review(r) if r.confirm_delete()));
    cmd(&mut s, Command::AskDelete(false));
    assert!(cmd(&mut s, Command::ConfirmDelete).is_empty(), "cancelled");
    cmd(&mut s, Command::AskDelete(true));
    let fx = cmd(&mut s, Command::ConfirmDelete);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Io(IoCommand::Delete(id)) if id == "a1"))
    );
    assert!(matches!(s.stage, Stage::Idle));
    assert_eq!(s.screen, Screen::History);
}

#[test]
fn coverage_is_revealed_after_the_self_score_and_saved_once_complete() {
    let mut s = review(LONG);
    cmd(
        &mut s,
        Command::SetSelfScore {
            index: 0,
            value: Some(4),
        },
    );
    cmd(
        &mut s,
        Command::SetSelfScore {
            index: 1,
            value: Some(9),
        },
    ); // out of range: ignored
    let fx = cmd(&mut s, Command::RevealCoverage);
    assert!(fx.is_empty(), "incomplete self-scores are not saved: {fx:?}");
    assert!(matches!(&s.stage, Stage::Review(r) if r.revealed() && r.scores[1].is_none()));

    let mut s = review(LONG);
    for (index, v) in [4, 3, 2, 5].into_iter().enumerate() {
        cmd(&mut s, Command::SetSelfScore { index, value: Some(v) });
    }
    assert!(matches!(&s.stage, Stage::Review(r) if !r.revealed()));
    let fx = cmd(&mut s, Command::RevealCoverage);
    assert!(
        matches!(fx.as_slice(), [Effect::Io(IoCommand::SetSelfScores { attempt_id, scores })]
            if attempt_id == "a1" && scores.trade_offs == 3 && scores.communication == 5),
        "{fx:?}"
    );
    // Reopening a rated attempt shows the coverage straight away.
    let Stage::Review(r) = &s.stage else { panic!() };
    let mut entry = Entry {
        attempt: r.attempt.clone(),
        report: None,
    };
    entry.attempt.id = "a2".into();
    s.entries.push(entry);
    cmd(&mut s, Command::OpenAttempt("a2".into()));
    assert!(matches!(&s.stage, Stage::Review(r) if r.attempt.id == "a2" && r.revealed()));
}

#[test]
fn playing_is_kept_in_one_place() {
    let mut s = review(LONG);
    let fx = cmd(&mut s, Command::TogglePlay);
    assert!(matches!(fx.as_slice(), [Effect::Player(PlayerCmd::Play)]));
    assert!(matches!(&s.stage, Stage::Review(r) if r.playing()));
    update(&mut s, Event::Player(PlayerEvent::Position(3.5)));
    assert!(matches!(&s.stage, Stage::Review(r) if r.playhead_s == 3.5));
    update(&mut s, Event::Player(PlayerEvent::Finished));
    assert!(matches!(&s.stage, Stage::Review(r) if !r.playing()));
    cmd(&mut s, Command::TogglePlay);
    update(&mut s, Event::Player(PlayerEvent::Error("no output device".into())));
    assert!(matches!(&s.stage, Stage::Review(r) if !r.playing()));
    assert_eq!(s.notice.as_deref(), Some("no output device"));
    // Starting a new answer from Review pauses playback.
    cmd(&mut s, Command::TogglePlay);
    let fx = cmd(&mut s, Command::StartRecording);
    assert!(matches!(&fx[0], Effect::Player(PlayerCmd::Pause)));
}

//! Record: Start creates the attempt through the lifecycle, the recorder's and the transcriber's reports move
//! it from recording to transcribing, and its scoring opens Review.

use super::*;

/// The commands of record.
pub(super) fn command(state: &mut State, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::StartRecording => start_recording(state, fx),
        Command::StopRecording => {
            if let Stage::Recording(r) = &mut state.stage
                && r.phase != RecPhase::Stopping
            {
                r.phase = RecPhase::Stopping;
                fx.push(Effect::StopRecorder);
            }
        }
        Command::CancelTranscription => {
            if let Stage::Transcribing(t) = &state.stage
                && t.phase != TxPhase::Scoring
            {
                fx.push(Effect::CancelTranscription(t.job));
            }
        }
        Command::SetTimeBoxOverride(s) => {
            state.ui_state.time_box_override = s.filter(|s| s.is_finite()).map(|s| s.clamp(30.0, 600.0));
        }
        _ => {} // routed elsewhere by `logic::command`
    }
}

/// The disk worker's reports for record.
pub(super) fn io_event(state: &mut State, ev: IoEvent, fx: &mut Vec<Effect>) {
    match ev {
        IoEvent::Begun(new) => {
            let Stage::Preparing { question, time_box } = std::mem::take(&mut state.stage) else {
                // Nothing is waiting for it any more: keep the (empty) attempt on record as failed.
                fx.push(Effect::Io(IoCommand::Failed {
                    attempt_id: new.attempt.id.clone(),
                    reason: "the recording did not start".into(),
                }));
                return;
            };
            fx.push(Effect::Record(Take {
                request: RecordRequest {
                    path: new.wav_path.clone(),
                    time_box_s: time_box.seconds,
                    device: state.prefs.input_device.clone(),
                },
                attempt_id: new.attempt.id.clone(),
                question: Some(question.clone()),
            }));
            upsert_entry(
                state,
                Entry {
                    attempt: new.attempt.clone(),
                    report: None,
                },
            );
            state.stage = Stage::Recording(Box::new(Recording {
                attempt: new.attempt,
                question,
                wav: new.wav_path,
                time_box,
                phase: RecPhase::Starting,
                elapsed_s: 0.0,
                rms_db: -90.0,
                peak_db: -90.0,
                live: None,
            }));
        }
        IoEvent::CreateFailed(e) => {
            if matches!(state.stage, Stage::Preparing { .. }) {
                state.stage = Stage::Idle;
            }
            if state.panel.is_some() {
                finish_panel(state, fx);
                state.notice = Some(format!("{e} The panel ended; what was recorded is kept."));
            } else {
                state.notice = Some(e);
            }
        }
        _ => {} // routed elsewhere by `logic::io_event`
    }
}

pub(super) fn start_recording(state: &mut State, fx: &mut Vec<Effect>) {
    if !matches!(state.stage, Stage::Idle | Stage::Review(_)) || state.panel.is_some() {
        return;
    }
    let Some(q) = state.selected.as_deref().and_then(|id| state.question(id)).cloned() else {
        state.notice = Some("Pick a question first.".into());
        return;
    };
    if let ModelState::Unavailable(why) = &state.model {
        state.notice = Some(no_model_notice(why));
        return;
    }
    pause_review(state, fx);
    let time_box = state.time_box_for(&q);
    fx.push(Effect::Io(IoCommand::Begin {
        question: Box::new(q.clone()),
        deck_id: crate::bank::find_question(&state.decks, None, &q.id).map_or_else(String::new, |(d, _)| d.id.clone()),
        time_box,
        panel: None,
    }));
    state.ui_state.peek = false;
    state.stage = Stage::Preparing { question: q, time_box };
    state.screen = Screen::Record;
}

pub(super) fn rec_event(state: &mut State, ev: RecEvent, fx: &mut Vec<Effect>) {
    let Stage::Recording(rec) = &mut state.stage else {
        return;
    };
    match ev {
        RecEvent::Started { device, sample_rate } => {
            if rec.phase == RecPhase::Starting {
                rec.phase = RecPhase::Live;
            }
            rec.attempt.device = Some(device.clone());
            rec.attempt.sample_rate = Some(sample_rate);
            fx.push(Effect::Io(IoCommand::Started {
                attempt_id: rec.attempt.id.clone(),
                device,
                sample_rate,
            }));
        }
        RecEvent::Level { rms_db, peak_db } => {
            rec.rms_db = rms_db;
            rec.peak_db = peak_db;
        }
        RecEvent::Elapsed(s) => rec.elapsed_s = s,
        RecEvent::Stopped { duration_s, why, .. } => {
            let Stage::Recording(rec) = std::mem::take(&mut state.stage) else {
                return;
            };
            let mut attempt = rec.attempt;
            attempt.status = Status::Recorded;
            attempt.duration_s = duration_s;
            let ending = why.ending();
            match &ending {
                Ending::User => {}
                Ending::TimeUp => {
                    state.notice = Some("Time is up \u{2014} the recording stopped at the time-box.".into());
                }
                Ending::Interrupted(msg) => {
                    state.notice = Some(format!("{msg} The audio up to then is kept and is being transcribed."));
                }
            }
            fx.push(Effect::Io(IoCommand::Stopped {
                attempt_id: attempt.id.clone(),
                duration_s,
                ending,
            }));
            upsert_entry(
                state,
                Entry {
                    attempt: attempt.clone(),
                    report: None,
                },
            );
            if state.panel.is_some() {
                // No feedback during a panel: the answer is transcribed and scored behind the next question.
                let job = state.next_job;
                state.next_job += 1;
                fx.push(Effect::Transcribe {
                    job,
                    attempt_id: attempt.id.clone(),
                });
                state.background.push(BackgroundJob {
                    job,
                    attempt_id: attempt.id.clone(),
                    question: Some(rec.question),
                });
                panel_answered(state, attempt.id, fx);
            } else {
                transcribe(state, attempt, Some(rec.question), fx);
            }
        }
        RecEvent::Error(e) => {
            // Nothing usable was recorded: the attempt stays on record as failed, with the reason.
            let mut attempt = rec.attempt.clone();
            attempt.status = Status::Failed;
            attempt.error = Some(e.clone());
            fx.push(Effect::Io(IoCommand::Failed {
                attempt_id: attempt.id.clone(),
                reason: e.clone(),
            }));
            upsert_entry(state, Entry { attempt, report: None });
            state.stage = Stage::Idle;
            let ended = if state.panel.is_some() {
                finish_panel(state, fx);
                " The panel ended; what was recorded is kept."
            } else {
                ""
            };
            state.notice = Some(format!(
                "{e} Check the microphone in Settings (or pick another input) and try again; the failed attempt is kept in History.{ended}"
            ));
        }
    }
}

pub(super) fn transcribe(state: &mut State, attempt: Attempt, question: Option<Question>, fx: &mut Vec<Effect>) {
    let job = state.next_job;
    state.next_job += 1;
    fx.push(Effect::Transcribe {
        job,
        attempt_id: attempt.id.clone(),
    });
    state.stage = Stage::Transcribing(Box::new(Transcribing {
        attempt,
        question,
        job,
        phase: TxPhase::Running(0),
    }));
    state.screen = Screen::Record;
}

pub(super) fn asr_event(state: &mut State, ev: AsrEvent, fx: &mut Vec<Effect>) {
    match ev {
        AsrEvent::ModelLoading(_) => {}
        AsrEvent::ModelLoaded { name, .. } => state.model = ModelState::Ready(name),
        AsrEvent::ModelError(e) => {
            state.model = ModelState::Unavailable(format!("{e}. Choose another model in Settings."));
        }
        AsrEvent::Progress { job, percent } => {
            if let Stage::Transcribing(t) = &mut state.stage
                && t.job == job
                && t.phase != TxPhase::Scoring
            {
                t.phase = TxPhase::Running(percent);
            }
        }
        AsrEvent::Done { job, transcript, .. } => {
            let model = match &state.model {
                ModelState::Ready(name) => name.clone(),
                _ => String::new(),
            };
            if let Some(i) = state.background.iter().position(|b| b.job == job) {
                let b = state.background.remove(i);
                fx.push(Effect::Score(ScoreJob::Score {
                    attempt_id: b.attempt_id,
                    question: b.question.map(Box::new),
                    transcript: Box::new(transcript),
                    model,
                }));
                return;
            }
            let Stage::Transcribing(t) = &mut state.stage else {
                return;
            };
            if t.job != job {
                return;
            }
            t.phase = TxPhase::Scoring;
            fx.push(Effect::Score(ScoreJob::Score {
                attempt_id: t.attempt.id.clone(),
                question: t.question.clone().map(Box::new),
                transcript: Box::new(transcript),
                model,
            }));
        }
        AsrEvent::Failed { job, error } => {
            transcription_ended(state, job, &format!("Transcription failed: {error}"), fx);
        }
        AsrEvent::Cancelled { job } => transcription_ended(state, job, "Transcription was cancelled.", fx),
        // The answer so far: the engine has it scored (`engine::Prescoring`); `ScoreEvent::Live` follows.
        AsrEvent::Partial { .. } => {}
    }
}

/// A failed or cancelled job: the recording is kept; Review offers Re-transcribe.
pub(super) fn transcription_ended(state: &mut State, job: u64, why: &str, fx: &mut Vec<Effect>) {
    if let Some(i) = state.background.iter().position(|b| b.job == job) {
        // A panel's answer: kept with the reason; the panel report says so and Review offers Re-transcribe.
        let b = state.background.remove(i);
        fx.push(Effect::Io(IoCommand::TranscriptionFailed {
            attempt_id: b.attempt_id,
            error: why.to_owned(),
        }));
        return;
    }
    let Stage::Transcribing(t) = &state.stage else { return };
    if t.job != job {
        return;
    }
    let mut attempt = t.attempt.clone();
    attempt.error = Some(why.to_owned());
    fx.push(Effect::Io(IoCommand::TranscriptionFailed {
        attempt_id: attempt.id.clone(),
        error: why.to_owned(),
    }));
    let report = parse_report(&attempt);
    open_review(
        state,
        attempt,
        report,
        Some(format!(
            "{why} The recording is kept: press Re-transcribe to try again."
        )),
        fx,
    );
}

/// Silence or noise only: said plainly, with where to fix it.
pub(super) fn no_speech_notice() -> String {
    let mut s = crate::report::NO_SPEECH.to_owned();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{s} (Settings \u{2192} Microphone). The recording is kept.")
}

pub(super) fn no_model_notice(why: &str) -> String {
    format!("No transcription model: {why}")
}

/// The scorer's reports: the answer so far (the live coach), the finished answer (Review opens), a
/// correction scored again, or why not.
pub(super) fn score_event(state: &mut State, ev: ScoreEvent, fx: &mut Vec<Effect>) {
    match ev {
        ScoreEvent::Scored { attempt, report } => {
            let entry = Entry {
                attempt: *attempt,
                report: report.map(|r| *r),
            };
            upsert_entry(state, entry.clone());
            if let Stage::Transcribing(t) = &state.stage
                && t.attempt.id == entry.attempt.id
            {
                let problem = match (&entry.report, entry.attempt.status) {
                    (Some(_), _) => None,
                    (None, Status::NoSpeech) => Some(no_speech_notice()),
                    (None, _) => Some("This question's deck is not loaded, so there is no rubric report.".to_owned()),
                };
                open_review(state, entry.attempt, entry.report, problem, fx);
            }
        }
        ScoreEvent::ScoreFailed { attempt_id, error } => {
            // Review opens without a report rather than waiting for one that will not come.
            if let Stage::Transcribing(t) = &state.stage
                && t.attempt.id == attempt_id
            {
                let attempt = t.attempt.clone();
                open_review(state, attempt, None, Some(format!("No report: {error}")), fx);
            }
        }
        ScoreEvent::Live { attempt_id, report } => {
            if let Stage::Recording(r) = &mut state.stage
                && r.attempt.id == attempt_id
            {
                r.live = Some(report);
            }
        }
        ScoreEvent::Corrected { attempt, report } => super::review::corrected(
            state,
            Entry {
                attempt: *attempt,
                report: report.map(|r| *r),
            },
        ),
        ScoreEvent::CorrectFailed { attempt_id, error } => super::review::correct_failed(state, &attempt_id, &error),
        ScoreEvent::Note(why) => state.notice = Some(format!("Rubric: {why}")),
    }
}

//! The mock panel: each question and its follow-up asked (aloud or shown), answered as its own attempt,
//! no feedback until the end, then the panel report.

use super::*;

/// The commands of panel.
pub(super) fn command(state: &mut State, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::StartPanel {
            question_ids,
            time_box_s,
        } => start_panel(state, &question_ids, time_box_s, fx),
        Command::SetAskAloud(on) => {
            if let Some(p) = &mut state.panel {
                p.ask_aloud = on;
                if !on {
                    p.shown = true;
                }
            }
        }
        Command::ShowPanelQuestion => {
            if let Some(p) = &mut state.panel {
                p.shown = true;
            }
        }
        Command::EndPanel => end_panel(state, fx),
        Command::ExportPanel => {
            if let Some(r) = &state.panel_report {
                fx.push(Effect::PickExport {
                    attempt_id: r.panel_id.clone(),
                });
            }
        }
        _ => {} // routed elsewhere by `logic::command`
    }
}

/// Starts a mock panel on `ids` (in order; those not in a loaded deck are left out), or on the default
/// choice when `ids` is empty: [`crate::panel::DEFAULT_QUESTIONS`] questions of mixed difficulty, least
/// recently practised first, from the plan's deck when it has one.
pub(super) fn start_panel(state: &mut State, ids: &[String], time_box_s: Option<f64>, fx: &mut Vec<Effect>) {
    if state.panel.is_some() || !matches!(state.stage, Stage::Idle | Stage::Review(_)) {
        return;
    }
    if let ModelState::Unavailable(why) = &state.model {
        state.notice = Some(no_model_notice(why));
        return;
    }
    let questions: Vec<(String, Question)> = if ids.is_empty() {
        let plan_deck = match &state.plan {
            PlanState::Ready(d) => d.deck.clone(),
            _ => None,
        };
        let decks: Vec<crate::bank::Deck> = state
            .decks
            .iter()
            .filter(|d| plan_deck.as_deref().is_none_or(|p| p == d.id))
            .cloned()
            .collect();
        let decks = if decks.is_empty() { state.decks.clone() } else { decks };
        // Only what the choice needs: which question, when.
        let practised: Vec<Attempt> = state
            .entries
            .iter()
            .map(|e| Attempt {
                question_id: e.attempt.question_id.clone(),
                started_at: e.attempt.started_at,
                ..Attempt::default()
            })
            .collect();
        crate::panel::choose_questions(&decks, &practised, crate::panel::DEFAULT_QUESTIONS)
            .into_iter()
            .map(|(d, q)| (d.id.clone(), q.clone()))
            .collect()
    } else {
        ids.iter()
            .filter_map(|id| crate::bank::find_question(&state.decks, None, id))
            .map(|(d, q)| (d.id.clone(), q.clone()))
            .collect()
    };
    if questions.is_empty() {
        state.notice = Some("There are no questions to ask: open or import a deck in Questions.".into());
        return;
    }
    pause_review(state, fx);
    state.stage = Stage::Idle;
    state.active_step = None;
    state.panel_report = None;
    state.panel = Some(PanelRun {
        id: crate::panel::new_id(state.now),
        questions,
        position: 0,
        kind: AnswerKind::Question,
        phase: PanelPhase::Answering,
        ask_aloud: true,
        shown: false,
        question_time_box_s: time_box_s,
        follow_up_time_box_s: crate::panel::FOLLOW_UP_TIME_BOX_S,
        recorded: Vec::new(),
    });
    state.screen = Screen::Panel;
    ask(state, fx);
}

/// Asks the panel's current question or follow-up: aloud (the answer starts when the voice ends), or
/// straight away with the text on screen.
pub(super) fn ask(state: &mut State, fx: &mut Vec<Effect>) {
    let id = state.next_speech;
    let Some(p) = &mut state.panel else { return };
    p.shown = !p.ask_aloud;
    if p.ask_aloud {
        state.next_speech += 1;
        p.phase = PanelPhase::Asking(id);
        fx.push(Effect::Speak {
            id,
            text: p.asked_text().to_owned(),
        });
    } else {
        begin_panel_answer(state, fx);
    }
}

/// Creates the attempt for the panel's current slot (same lifecycle as any recording, with the panel's
/// slot); recording starts when it exists.
pub(super) fn begin_panel_answer(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(p) = &mut state.panel else { return };
    let Some((deck_id, q)) = p.current().cloned() else {
        return;
    };
    let time_box = crate::panel::answer_time_box(&q, p.kind, p.question_time_box_s, p.follow_up_time_box_s).unwrap_or(
        crate::session::TimeBox {
            seconds: q.time_box_s,
            source: crate::session::TimeBoxSource::Question,
        },
    );
    p.phase = PanelPhase::Answering;
    fx.push(Effect::Io(IoCommand::Begin {
        question: Box::new(q.clone()),
        deck_id,
        time_box,
        panel: Some(crate::panel::slot(&p.id, p.kind, p.position, p.questions.len())),
    }));
    state.selected = Some(q.id.clone());
    state.stage = Stage::Preparing { question: q, time_box };
}

/// The interviewer finished asking (or could not): the answer's clock starts.
pub(super) fn speech_event(state: &mut State, ev: SpeakerEvent, fx: &mut Vec<Effect>) {
    let Some(p) = &mut state.panel else { return };
    let (id, failed) = match ev {
        SpeakerEvent::Done { id, .. } => (id, None),
        SpeakerEvent::Failed { id, error } => (id, Some(error)),
    };
    if p.phase != PanelPhase::Asking(id) {
        return; // an earlier question's, cut short
    }
    if let Some(e) = failed {
        p.shown = true;
        state.notice = Some(format!("The question could not be spoken ({e}); it is shown instead."));
    }
    begin_panel_answer(state, fx);
}

/// The current slot's answer is on disk (`attempt_id`): ask the next one, or end the panel.
pub(super) fn panel_answered(state: &mut State, attempt_id: String, fx: &mut Vec<Effect>) {
    let Some(p) = &mut state.panel else { return };
    p.recorded.push(attempt_id);
    if p.phase == PanelPhase::Ending {
        finish_panel(state, fx);
        return;
    }
    match crate::panel::next_answer(p.kind, p.position, p.questions.len()) {
        Some((kind, position)) => {
            (p.kind, p.position) = (kind, position);
            ask(state, fx);
        }
        None => finish_panel(state, fx),
    }
}

/// End panel: a recording in progress is stopped and kept (the report opens once it is on disk); the
/// voice stops; an attempt still being created is kept as failed when it arrives.
pub(super) fn end_panel(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(p) = &mut state.panel else { return };
    match &mut state.stage {
        Stage::Recording(r) => {
            p.phase = PanelPhase::Ending;
            if r.phase != RecPhase::Stopping {
                r.phase = RecPhase::Stopping;
                fx.push(Effect::StopRecorder);
            }
        }
        Stage::Preparing { .. } => {
            state.stage = Stage::Idle;
            finish_panel(state, fx);
        }
        _ => {
            if matches!(p.phase, PanelPhase::Asking(_)) {
                fx.push(Effect::StopSpeaking);
            }
            finish_panel(state, fx);
        }
    }
}

/// The panel is over (all answered, or ended): its report opens, and fills in as the answers still being
/// transcribed are scored.
pub(super) fn finish_panel(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(p) = state.panel.take() else { return };
    if matches!(p.phase, PanelPhase::Asking(_)) {
        fx.push(Effect::StopSpeaking);
    }
    state.panel_report = panel_report_of(state, &p.id);
    if state.panel_report.is_some() {
        state.screen = Screen::Panel;
    } else {
        state.screen = Screen::Today;
        state.notice = Some("The panel ended before any answer was recorded.".into());
    }
}

/// Panel `id`'s report from the attempts known to the window.
pub(super) fn panel_report_of(state: &State, id: &str) -> Option<crate::panel::PanelReport> {
    let attempts: Vec<Attempt> = state
        .entries
        .iter()
        .filter(|e| e.attempt.panel.as_ref().is_some_and(|s| s.id == id))
        .map(|e| e.attempt.clone())
        .collect();
    crate::panel::build_report(id, &attempts, &state.decks)
}

/// Rebuilds the shown panel report (answers scored since, self-scores given in Review, a deletion).
pub(super) fn refresh_panel_report(state: &mut State) {
    if let Some(r) = &state.panel_report {
        let id = r.panel_id.clone();
        state.panel_report = panel_report_of(state, &id);
    }
}

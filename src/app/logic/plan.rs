//! Today and the practice plan: the plan's dates and deck, today's step, and the progress derived from the
//! attempts.

use super::*;

/// The commands of plan.
pub(super) fn command(state: &mut State, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::StartTodayStep => start_today_step(state, fx),
        Command::TryOneQuestion => try_one_question(state, fx),
        Command::SetPlanDates(start, interview) => match PlanDates::new(start, interview) {
            Ok(d) => {
                let deck = match &state.plan {
                    PlanState::Ready(old) => old.deck.clone(),
                    _ => None,
                };
                let d = d.with_deck(deck);
                state.plan = PlanState::Ready(d.clone());
                state.ui_state.plan_dates = None;
                fx.push(Effect::Io(IoCommand::SavePlan(d)));
            }
            Err(e) => state.notice = Some(crate::transcript::capitalised(&e.to_string())),
        },
        Command::SetPlanDeck(deck) => {
            if let PlanState::Ready(d) = &state.plan {
                let d = d.clone().with_deck(deck);
                state.plan = PlanState::Ready(d.clone());
                fx.push(Effect::Io(IoCommand::SavePlan(d)));
            } else {
                state.notice = Some("Set the plan's dates first, then choose its deck.".into());
            }
        }
        _ => {} // routed elsewhere by `logic::command`
    }
}

/// The plan's dates as read from disk: none yet, or why the file cannot be read.
pub(super) fn loaded(state: &mut State, loaded: Result<Option<PlanDates>, String>) {
    state.plan = match loaded {
        Ok(Some(d)) => PlanState::Ready(d),
        Ok(None) => PlanState::None,
        Err(why) => PlanState::Damaged(why),
    };
}

/// Recomputes Today and the plan's progress from the plan's dates and the attempts (pure; cheap for a
/// plan's size).
pub(crate) fn refresh_plan(state: &mut State) {
    (state.plan_today, state.plan_progress) = match &state.plan {
        PlanState::Ready(d) => {
            let questions = crate::plan::file::plan_questions(&state.decks, d.deck.as_deref());
            let practice = crate::plan::Practice::from_attempts(state.entries.iter().map(|e| &e.attempt));
            let today = crate::plan::today(crate::plan::Inputs {
                start: d.start,
                interview: d.interview,
                questions: &questions,
                practice: &practice,
                today: state.today,
            });
            let progress = crate::plan::progress::progress(d.start, d.interview, state.today, &practice);
            (Some(today), Some(progress))
        }
        _ => (None, None),
    };
}

/// Opens Record on the plan's next step: its question and time-box; an explain step shows the hint and
/// example first. A mock step starts a mock panel on its questions.
pub(super) fn start_today_step(state: &mut State, fx: &mut Vec<Effect>) {
    if state.stage.is_live() || state.panel.is_some() {
        return;
    }
    if let Some(next) = state.plan_today.as_ref().and_then(|t| t.next.clone())
        && next.step.kind == crate::plan::StepKind::Mock
    {
        super::panel::start_panel(
            state,
            &next.step.question_ids,
            Some(f64::from(next.step.time_box_s).clamp(30.0, 600.0)),
            fx,
        );
        return;
    }
    let Some(next) = state.plan_today.as_ref().and_then(|t| t.next.clone()) else {
        state.notice = Some("Nothing to start: set the plan's dates on the Today screen.".into());
        return;
    };
    let Some(id) = next.question_id.clone().filter(|id| state.question(id).is_some()) else {
        state.notice = Some("This step's questions are not in a loaded deck; pick one in Questions.".into());
        return;
    };
    let phase = state.plan_today.as_ref().and_then(|t| t.phase);
    state.selected = Some(id.clone());
    state.ui_state.time_box_override = Some(f64::from(next.step.time_box_s).clamp(30.0, 600.0));
    state.ui_state.peek = next.step.kind == crate::plan::StepKind::Explain;
    state.active_step = Some(ActiveStep {
        step: next.step,
        question_id: id,
        why: next.why,
        phase,
    });
    state.screen = Screen::Record;
}

/// Records the default deck's warm-up question ([`crate::bank::Deck::warm_up`]) now, with its own time-box:
/// a first try before any plan. Record opens either way, saying what is missing if recording cannot start.
fn try_one_question(state: &mut State, fx: &mut Vec<Effect>) {
    if state.stage.is_live() || state.panel.is_some() {
        return;
    }
    let Some(id) = state
        .decks
        .first()
        .and_then(crate::bank::Deck::warm_up)
        .map(|q| q.id.clone())
    else {
        state.notice = Some("No questions are loaded; open a deck in Questions.".into());
        return;
    };
    state.active_step = None;
    state.ui_state.time_box_override = None;
    state.selected = Some(id);
    state.screen = Screen::Record;
    super::record::start_recording(state, fx);
}

//! The window's behaviour as data: [`update`] takes the [`State`] and one [`Event`] (a command from a view,
//! or something an engine reported) and returns the [`Effect`]s the engines must carry out. It is the only
//! code that changes the state, does no I/O and starts no thread, so every transition is a table test
//! (see the tests below). `App::tick` feeds it the engines' events and the views' commands and hands the
//! effects to the engines. The attempt's life on disk goes through `session` (via the disk worker), the
//! same functions the CLI calls.
//!
//! Split by screen: [`record`], [`review`], [`panel`], [`plan`] (Today), [`questions`] and [`settings`] each
//! hold their commands, the reports they react to, and their helpers; this file holds the vocabulary
//! (`Command`, `Event`, `Effect`) and routes each event to its room.

use super::DeviceList;
use super::engines::{PlayerEvent, RecEvent, RecordRequest};
use super::io::{IoCommand, IoEvent, parse_report};
use super::state::{
    ActiveStep, BackgroundJob, Coverage, Entry, ModelState, PanelPhase, PanelRun, PlanState, Playback, RecPhase,
    Recording, Review, ReviewDialog, SELF_SCORE_CELLS, Screen, Stage, State, Transcribing, TxPhase,
};
use super::widgets::{Marker, MarkerKind};
use crate::asr::worker::AsrEvent;
use crate::audio::speak::SpeakerEvent;
use crate::bank::Question;
use crate::engine::score::{ScoreEvent, ScoreJob};
use crate::engine::{AttemptEvent, Take};
use crate::plan::file::PlanDates;
use crate::report::Report;
use crate::rubric::corrections::{self, Verdict};
use crate::session::Ending;
use crate::store::{AnswerKind, Attempt, SelfScores, Status};

mod first_start;
mod panel;
mod plan;
mod questions;
mod record;
mod review;
mod settings;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

pub use first_start::{SetupCommand, SetupEffect};
use panel::{finish_panel, panel_answered, refresh_panel_report};
pub(crate) use plan::refresh_plan;
use record::{no_model_notice, no_speech_notice, transcribe};
pub(crate) use review::self_score_for;
use review::{open_review, pause_review};
pub use settings::load_model;

/// Something the person asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    ShowScreen(Screen),
    SelectQuestion(String),
    OpenDeckDialog,
    /// Pick a prep guide file and read it as a deck (`bank::import`); a preview asks before saving.
    ImportGuideDialog,
    /// Read guide text pasted into the window (the same preview follows).
    PasteGuide(String),
    /// Save the previewed guide's deck.
    SaveGuide,
    /// Close the preview without saving.
    DiscardGuide,
    StartRecording,
    StopRecording,
    CancelTranscription,
    TogglePlay,
    Seek(f64),
    SetSpeed(f32),
    SetSelfScore {
        index: usize,
        value: Option<u8>,
    },
    /// Save the self-scores and show the automatic coverage.
    RevealCoverage,
    SaveNotes(String),
    Retranscribe,
    AskDelete(bool),
    ConfirmDelete,
    OpenAttempt(String),
    SetModel(String),
    ImportModelDialog,
    /// Download and convert an installable model (`asr::install`, e.g. `base`).
    InstallModel(String),
    CancelImport,
    /// The time-box for the next attempt, seconds; `None` = the question's own.
    SetTimeBoxOverride(Option<f64>),
    SetInputDevice(Option<String>),
    RefreshDevices,
    /// Turn the live coach (rubric cells and pace while recording) on or off.
    SetLiveCoach(bool),
    SetDark(bool),
    DismissNotice,
    /// Open the Record screen on the plan's next step (its question, time-box, and for fundamentals the
    /// hint and example shown first).
    StartTodayStep,
    /// The first screen's *Try one question now*: the default deck's warm-up question, recorded at once.
    TryOneQuestion,
    /// Set the practice plan's dates (start, interview) and save them.
    SetPlanDates(time::Date, time::Date),
    /// Drill this deck's questions in the plan (`None`: the built-in deck) and save it.
    SetPlanDeck(Option<String>),
    /// Export the reviewed attempt (a save dialog asks where; `.md` or `.html`).
    ExportAttempt,
    /// In Review: the person says sentence `sentence` (an index into `Review::sentences`) covers rubric cell
    /// `cell` ("this is my boundary").
    MarkCounts {
        sentence: usize,
        cell: String,
    },
    /// In Review: the person says the evidence for `cell` that starts at `start_s` doesn't count (its whole
    /// sentence is rejected for that cell).
    RejectEvidence {
        cell: String,
        start_s: f64,
    },
    /// Start a mock panel: these questions in order, or (empty) [`crate::panel::DEFAULT_QUESTIONS`] chosen by
    /// `panel::choose_questions`; each question's answer gets `time_box_s` (`None`: its own).
    StartPanel {
        question_ids: Vec<String>,
        time_box_s: Option<f64>,
    },
    /// Ask the panel's questions aloud (or not) from now on.
    SetAskAloud(bool),
    /// Show the text of what the panel is asking (it is spoken, not shown, by default).
    ShowPanelQuestion,
    /// End the panel now: what was recorded is kept (the answer being recorded included), the panel is
    /// incomplete, and its report opens.
    EndPanel,
    /// Export the panel whose report is shown (a save dialog asks where; `.md` or `.html`).
    ExportPanel,
    /// In the first-start block: download the models, cancel, or not now.
    Setup(SetupCommand),
}

/// One thing that happened: a command, or an engine's report.
#[derive(Debug)]
pub enum Event {
    Command(Command),
    Io(IoEvent),
    Rec(RecEvent),
    Asr(AsrEvent),
    /// The scorer's report (`engine::score`).
    Score(ScoreEvent),
    Player(PlayerEvent),
    Devices(DeviceList),
    /// The interviewer's voice finished (or failed) a question.
    Speech(SpeakerEvent),
    /// The first-start install reported.
    Setup(super::setup_worker::SetupEvent),
}

/// What the playback engine must do.
#[derive(Clone, Debug, PartialEq)]
pub enum PlayerCmd {
    /// Load an attempt's recording, paused at 0.
    Load {
        attempt_id: String,
        duration_s: f64,
    },
    Play,
    Pause,
    Seek(f64),
    SetSpeed(f32),
}

/// What `update` asks the engines to do.
#[derive(Debug)]
pub enum Effect {
    /// A job for the disk worker (the attempt's life goes through `session` there).
    Io(IoCommand),
    /// A job for the scorer (`engine::score`): the answer so far, a finished transcript, a correction.
    Score(ScoreJob),
    /// Record an answer (the engine transcribes it, and scores it so far, while it is spoken).
    Record(Take),
    StopRecorder,
    /// Transcribe an attempt's recording as job `job`.
    Transcribe {
        job: u64,
        attempt_id: String,
    },
    CancelTranscription(u64),
    /// Resolve and load this model (name or path).
    LoadModel(String),
    Player(PlayerCmd),
    PickDeck,
    PickGuide,
    /// Ask where to export this attempt, then export it (`export::document_for`).
    PickExport {
        attempt_id: String,
    },
    ImportModel,
    /// Run `asr::install` for this model on a thread, reporting progress like an import.
    InstallModel(String),
    CancelImport,
    RefreshDevices,
    SetTheme {
        dark: bool,
    },
    /// Say this (request `id`) in the interviewer's voice; `Event::Speech` follows.
    Speak {
        id: u64,
        text: String,
    },
    /// Stop speaking (no event follows).
    StopSpeaking,
    /// Start or stop the first-start install.
    Setup(SetupEffect),
}
impl From<AttemptEvent> for Event {
    fn from(e: AttemptEvent) -> Self {
        match e {
            AttemptEvent::Rec(e) => Self::Rec(e),
            AttemptEvent::Asr(e) => Self::Asr(e),
            AttemptEvent::Score(e) => Self::Score(e),
        }
    }
}

/// Applies one event to the state and returns what the engines must do.
pub fn update(state: &mut State, event: Event) -> Vec<Effect> {
    let mut fx = Vec::new();
    let replan = matches!(event, Event::Io(_) | Event::Command(_) | Event::Score(_));
    match event {
        Event::Command(c) => command(state, c, &mut fx),
        Event::Io(e) => io_event(state, e, &mut fx),
        Event::Rec(e) => record::rec_event(state, e, &mut fx),
        Event::Asr(e) => record::asr_event(state, e, &mut fx),
        Event::Score(e) => record::score_event(state, e, &mut fx),
        Event::Player(e) => review::player_event(state, e),
        Event::Devices(d) => state.devices = Some(d),
        Event::Speech(e) => panel::speech_event(state, e, &mut fx),
        Event::Setup(e) => first_start::event(state, e, &mut fx),
    }
    if replan {
        refresh_plan(state);
        refresh_panel_report(state);
    }
    fx
}

fn upsert_entry(state: &mut State, entry: Entry) {
    if let Some(e) = state.entries.iter_mut().find(|e| e.attempt.id == entry.attempt.id) {
        *e = entry;
    } else {
        state.entries.insert(0, entry);
    }
}

/// Routes a command to the room it belongs to.
fn command(state: &mut State, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::ShowScreen(s) => {
            let allowed = match s {
                Screen::Panel => state.panel.is_some() || state.panel_report.is_some(),
                _ => state.panel.is_none(),
            };
            if !state.stage.is_live() && allowed {
                state.screen = s;
            }
        }
        Command::DismissNotice => state.notice = None,
        c @ (Command::SelectQuestion(_)
        | Command::OpenDeckDialog
        | Command::ImportGuideDialog
        | Command::PasteGuide(_)
        | Command::SaveGuide
        | Command::DiscardGuide) => questions::command(state, c, fx),
        c @ (Command::StartRecording
        | Command::StopRecording
        | Command::CancelTranscription
        | Command::SetTimeBoxOverride(_)) => record::command(state, c, fx),
        c @ (Command::TogglePlay
        | Command::Seek(_)
        | Command::SetSpeed(_)
        | Command::SetSelfScore { .. }
        | Command::RevealCoverage
        | Command::SaveNotes(_)
        | Command::Retranscribe
        | Command::AskDelete(_)
        | Command::ConfirmDelete
        | Command::OpenAttempt(_)
        | Command::ExportAttempt
        | Command::MarkCounts { .. }
        | Command::RejectEvidence { .. }) => review::command(state, c, fx),
        c @ (Command::StartPanel { .. }
        | Command::SetAskAloud(_)
        | Command::ShowPanelQuestion
        | Command::EndPanel
        | Command::ExportPanel) => panel::command(state, c, fx),
        c @ (Command::StartTodayStep
        | Command::TryOneQuestion
        | Command::SetPlanDates(..)
        | Command::SetPlanDeck(_)) => {
            plan::command(state, c, fx);
        }
        c @ (Command::SetModel(_)
        | Command::ImportModelDialog
        | Command::InstallModel(_)
        | Command::CancelImport
        | Command::SetInputDevice(_)
        | Command::RefreshDevices
        | Command::SetLiveCoach(_)
        | Command::SetDark(_)) => settings::command(state, c, fx),
        Command::Setup(c) => first_start::command(state, c, fx),
    }
}

/// Routes a report of the disk worker to the room it belongs to.
fn io_event(state: &mut State, ev: IoEvent, fx: &mut Vec<Effect>) {
    match ev {
        IoEvent::Attempts { entries, damaged } => {
            state.entries = entries;
            state.damaged = damaged;
            state.entries_loaded = true;
        }
        IoEvent::Error(e) => state.notice = Some(e),
        IoEvent::Exported(path) => state.notice = Some(format!("Exported to {}", path.display())),
        e @ (IoEvent::Decks(_) | IoEvent::DeckImported(_) | IoEvent::GuideRead(_)) => questions::io_event(state, e),
        e @ (IoEvent::Begun(_) | IoEvent::CreateFailed(_)) => record::io_event(state, e, fx),
        e @ (IoEvent::Saved(_) | IoEvent::Wave { .. } | IoEvent::Deleted(_)) => review::io_event(state, e),
        IoEvent::Plan(loaded) => plan::loaded(state, loaded),
        e @ (IoEvent::Models(_)
        | IoEvent::ImportProgress(_)
        | IoEvent::ImportEnded
        | IoEvent::ModelImported(_)
        | IoEvent::ImportFailed(_)) => settings::io_event(state, e, fx),
    }
}

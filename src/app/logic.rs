//! The window's behaviour as data: [`update`] takes the [`State`] and one [`Event`] (a command from a view,
//! or something an engine reported) and returns the [`Effect`]s the engines must carry out. It is the only
//! code that changes the state, does no I/O and starts no thread, so every transition is a table test
//! (see the tests below). `App::tick` feeds it the engines' events and the views' commands and hands the
//! effects to the engines. The attempt's life on disk goes through `session` (via the disk worker), the
//! same functions the CLI calls.

mod first_start;

pub use first_start::{SetupCommand, SetupEffect};

use super::DeviceList;
use super::engines::{PlayerEvent, RecEvent, RecordRequest, StopWhy};
use super::io::{IoCommand, IoEvent, parse_report};
use super::state::{
    ActiveStep, BackgroundJob, Coverage, Entry, ModelState, PanelPhase, PanelRun, PlanState, Playback, RecPhase,
    Recording, Review, ReviewDialog, SELF_SCORE_CELLS, Screen, Stage, State, Transcribing, TxPhase,
};
use super::widgets::{Marker, MarkerKind};
use crate::asr::worker::AsrEvent;
use crate::audio::speak::SpeakerEvent;
use crate::bank::Question;
use crate::plan::file::PlanDates;
use crate::report::Report;
use crate::rubric::corrections::{self, Verdict};
use crate::session::Ending;
use crate::store::{AnswerKind, Attempt, SelfScores, Status};

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
    /// Start the recorder.
    Record(RecordRequest),
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

/// Applies one event to the state and returns what the engines must do.
pub fn update(state: &mut State, event: Event) -> Vec<Effect> {
    let mut fx = Vec::new();
    let replan = matches!(event, Event::Io(_) | Event::Command(_));
    match event {
        Event::Command(c) => command(state, c, &mut fx),
        Event::Io(e) => io_event(state, e, &mut fx),
        Event::Rec(e) => rec_event(state, e, &mut fx),
        Event::Asr(e) => asr_event(state, e, &mut fx),
        Event::Player(e) => player_event(state, e),
        Event::Devices(d) => state.devices = Some(d),
        Event::Speech(e) => speech_event(state, e, &mut fx),
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

fn deck_of(state: &State, question_id: &str) -> String {
    state
        .decks
        .iter()
        .find(|d| d.question(question_id).is_some())
        .map_or_else(String::new, |d| d.id.clone())
}

fn io_event(state: &mut State, ev: IoEvent, fx: &mut Vec<Effect>) {
    match ev {
        IoEvent::Attempts { entries, damaged } => {
            state.entries = entries;
            state.damaged = damaged;
            state.entries_loaded = true;
        }
        IoEvent::Begun(new) => {
            let Stage::Preparing { question, time_box } = std::mem::take(&mut state.stage) else {
                // Nothing is waiting for it any more: keep the (empty) attempt on record as failed.
                fx.push(Effect::Io(IoCommand::Failed {
                    attempt_id: new.attempt.id.clone(),
                    reason: "the recording did not start".into(),
                }));
                return;
            };
            fx.push(Effect::Record(RecordRequest {
                path: new.wav_path.clone(),
                time_box_s: time_box.seconds,
                device: state.prefs.input_device.clone(),
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
        IoEvent::Saved(attempt) => {
            if let Stage::Review(r) = &mut state.stage
                && r.attempt.id == attempt.id
            {
                r.attempt = (*attempt).clone();
            }
            let report = parse_report(&attempt);
            upsert_entry(
                state,
                Entry {
                    attempt: *attempt,
                    report,
                },
            );
        }
        IoEvent::Scored(entry) => {
            let entry = *entry;
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
        IoEvent::Deleted(id) => state.entries.retain(|e| e.attempt.id != id),
        IoEvent::Wave { attempt_id, wave } => {
            if let Stage::Review(r) = &mut state.stage
                && r.attempt.id == attempt_id
            {
                r.wave = Some(wave);
            }
        }
        IoEvent::Decks(decks) => {
            for d in decks {
                add_deck(state, d);
            }
        }
        IoEvent::DeckImported(deck) => {
            state.notice = Some(format!(
                "Added deck \u{201c}{}\u{201d} ({} questions)",
                deck.title,
                deck.questions.len()
            ));
            add_deck(state, *deck);
        }
        IoEvent::GuideRead(mut preview) => {
            preview.replaces = state
                .decks
                .iter()
                .find(|d| d.id == preview.deck.id)
                .map(|d| d.title.clone());
            state.ui_state.paste_guide = None;
            state.screen = Screen::Questions;
            state.guide_preview = Some(*preview);
        }
        IoEvent::Models(list) => state.installed_models = list,
        IoEvent::ImportProgress(f) => state.import_progress = Some(f),
        IoEvent::ImportEnded => state.import_progress = None,
        IoEvent::ModelImported(name) => {
            state.import_progress = None;
            state.notice = Some(format!("Imported model {name}; it is now in use."));
            fx.push(Effect::Io(IoCommand::ListModels));
            command(state, Command::SetModel(name), fx);
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
        IoEvent::ScoreFailed { attempt_id, error } => {
            // Review opens without a report rather than waiting for one that will not come.
            if let Stage::Transcribing(t) = &state.stage
                && t.attempt.id == attempt_id
            {
                let attempt = t.attempt.clone();
                open_review(state, attempt, None, Some(format!("No report: {error}")), fx);
            }
        }
        IoEvent::ImportFailed(e) => {
            state.import_progress = None;
            state.notice = Some(e);
        }
        IoEvent::Error(e) => state.notice = Some(e),
        IoEvent::Plan(loaded) => {
            state.plan = match loaded {
                Ok(Some(d)) => PlanState::Ready(d),
                Ok(None) => PlanState::None,
                Err(why) => PlanState::Damaged(why),
            };
        }
        IoEvent::Exported(path) => state.notice = Some(format!("Exported to {}", path.display())),
        IoEvent::Corrected(entry) => {
            let entry = *entry;
            if let Stage::Review(r) = &mut state.stage
                && r.attempt.id == entry.attempt.id
            {
                r.rescoring = false;
                r.attempt = entry.attempt.clone();
                if let Some(report) = &entry.report {
                    (r.markers, r.highlights) = markers_for(report);
                    r.sentences = corrections::sentences(&report.transcript);
                    r.report = Some(report.clone());
                }
            }
            upsert_entry(state, entry);
        }
        IoEvent::CorrectFailed { attempt_id, error } => {
            if let Stage::Review(r) = &mut state.stage
                && r.attempt.id == attempt_id
            {
                r.rescoring = false;
            }
            state.notice = Some(format!("The correction was not saved: {error}"));
        }
        IoEvent::Live { attempt_id, report } => {
            if let Stage::Recording(r) = &mut state.stage
                && r.attempt.id == attempt_id
            {
                r.live = Some(report);
            }
        }
    }
}

fn add_deck(state: &mut State, deck: crate::bank::Deck) {
    state.decks.retain(|d| d.id != deck.id);
    state.decks.push(deck);
}

fn rec_event(state: &mut State, ev: RecEvent, fx: &mut Vec<Effect>) {
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
            let ending = match why {
                StopWhy::User => Ending::User,
                StopWhy::TimeUp => {
                    state.notice = Some("Time is up \u{2014} the recording stopped at the time-box.".into());
                    Ending::TimeUp
                }
                StopWhy::Failed(msg) => {
                    state.notice = Some(format!("{msg} The audio up to then is kept and is being transcribed."));
                    Ending::Interrupted(msg)
                }
            };
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

fn transcribe(state: &mut State, attempt: Attempt, question: Option<Question>, fx: &mut Vec<Effect>) {
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

fn asr_event(state: &mut State, ev: AsrEvent, fx: &mut Vec<Effect>) {
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
                fx.push(Effect::Io(IoCommand::ScoreAndSave {
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
            fx.push(Effect::Io(IoCommand::ScoreAndSave {
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
        AsrEvent::Partial { wav, transcript } => {
            if let Stage::Recording(r) = &state.stage
                && r.wav == wav
            {
                fx.push(Effect::Io(IoCommand::Prescore {
                    attempt_id: r.attempt.id.clone(),
                    question: Box::new(r.question.clone()),
                    transcript: Box::new(transcript),
                    time_box_s: r.time_box.seconds,
                }));
            }
        }
    }
}

/// A failed or cancelled job: the recording is kept; Review offers Re-transcribe.
fn transcription_ended(state: &mut State, job: u64, why: &str, fx: &mut Vec<Effect>) {
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

fn open_review(
    state: &mut State,
    attempt: Attempt,
    report: Option<Report>,
    problem: Option<String>,
    fx: &mut Vec<Effect>,
) {
    let question = state.question(&attempt.question_id).cloned();
    fx.push(Effect::Io(IoCommand::LoadWave {
        attempt_id: attempt.id.clone(),
    }));
    fx.push(Effect::Player(PlayerCmd::Load {
        attempt_id: attempt.id.clone(),
        duration_s: attempt.duration_s,
    }));
    fx.push(Effect::Player(PlayerCmd::SetSpeed(state.prefs.speed)));
    let (markers, highlights) = report.as_ref().map(markers_for).unwrap_or_default();
    let scores = attempt.self_scores.map_or([None; 4], |s| {
        [
            Some(s.restatement),
            Some(s.trade_offs),
            Some(s.execution),
            Some(s.communication),
        ]
    });
    state.ui_state.notes.clone_from(&attempt.notes);
    state.selected = Some(attempt.question_id.clone());
    let sentences = report
        .as_ref()
        .map(|r| &r.transcript)
        .or(attempt.transcript.as_ref())
        .map(corrections::sentences)
        .unwrap_or_default();
    state.stage = Stage::Review(Box::new(Review {
        sentences,
        rescoring: false,
        coverage: if attempt.self_scores.is_some() {
            Coverage::Revealed
        } else {
            Coverage::Hidden
        },
        attempt,
        question,
        report,
        wave: None,
        markers,
        highlights,
        playhead_s: 0.0,
        playback: Playback::Paused,
        scores,
        dialog: ReviewDialog::None,
        problem,
    }));
    state.screen = Screen::Review;
}

fn player_event(state: &mut State, ev: PlayerEvent) {
    if let PlayerEvent::Error(e) = ev {
        state.notice = Some(e);
        if let Stage::Review(r) = &mut state.stage {
            r.playback = Playback::Paused;
        }
        return;
    }
    let Stage::Review(r) = &mut state.stage else { return };
    match ev {
        PlayerEvent::Loaded { .. } => r.playhead_s = 0.0,
        PlayerEvent::Position(t) => r.playhead_s = t,
        PlayerEvent::Finished => r.playback = Playback::Paused,
        PlayerEvent::Error(_) => {}
    }
}

/// Pauses playback if the review was playing (before leaving it).
fn pause_review(state: &mut State, fx: &mut Vec<Effect>) {
    if let Stage::Review(r) = &mut state.stage {
        r.playback = Playback::Paused;
        fx.push(Effect::Player(PlayerCmd::Pause));
    }
}

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
        Command::SelectQuestion(id) => {
            if state.panel.is_some() {
                state.notice = Some("End the panel before choosing another question.".into());
            } else if state.stage.is_live() {
                state.notice = Some("Stop the recording before choosing another question.".into());
            } else if state.question(&id).is_some() {
                if state.selected.as_deref() != Some(id.as_str()) {
                    state.ui_state.peek = false;
                    state.ui_state.time_box_override = None;
                    state.active_step = None;
                }
                state.selected = Some(id);
                state.screen = Screen::Record;
            }
        }
        Command::OpenDeckDialog => fx.push(Effect::PickDeck),
        Command::ImportGuideDialog => fx.push(Effect::PickGuide),
        Command::PasteGuide(text) => {
            if text.trim().is_empty() {
                state.notice = Some("Paste the guide's text first (Ctrl+V into the box).".into());
            } else {
                fx.push(Effect::Io(IoCommand::PreviewGuideText(text)));
            }
        }
        Command::SaveGuide => {
            if let Some(p) = state.guide_preview.take() {
                fx.push(Effect::Io(IoCommand::SaveDeck(Box::new(p.deck))));
            }
        }
        Command::DiscardGuide => {
            state.guide_preview = None;
        }
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
        Command::TogglePlay => {
            if let Stage::Review(r) = &mut state.stage {
                r.playback = match r.playback {
                    Playback::Paused => Playback::Playing,
                    Playback::Playing => Playback::Paused,
                };
                fx.push(Effect::Player(if r.playing() {
                    PlayerCmd::Play
                } else {
                    PlayerCmd::Pause
                }));
            }
        }
        Command::Seek(t) => {
            if let Stage::Review(r) = &mut state.stage {
                r.playhead_s = t;
                fx.push(Effect::Player(PlayerCmd::Seek(t)));
            }
        }
        Command::SetSpeed(s) => {
            state.prefs.speed = s;
            fx.push(Effect::Player(PlayerCmd::SetSpeed(s)));
        }
        Command::SetSelfScore { index, value } => {
            if let Stage::Review(r) = &mut state.stage
                && let Some(slot) = r.scores.get_mut(index)
            {
                *slot = value.filter(|v| (1..=5).contains(v));
            }
        }
        Command::RevealCoverage => {
            if let Stage::Review(r) = &mut state.stage {
                if let [Some(a), Some(b), Some(c), Some(d)] = r.scores {
                    let scores = SelfScores {
                        restatement: a,
                        trade_offs: b,
                        execution: c,
                        communication: d,
                    };
                    r.attempt.self_scores = Some(scores);
                    fx.push(Effect::Io(IoCommand::SetSelfScores {
                        attempt_id: r.attempt.id.clone(),
                        scores,
                    }));
                }
                r.coverage = Coverage::Revealed;
            }
        }
        Command::SaveNotes(notes) => {
            if let Stage::Review(r) = &mut state.stage
                && r.attempt.notes != notes
            {
                r.attempt.notes.clone_from(&notes);
                fx.push(Effect::Io(IoCommand::SetNotes {
                    attempt_id: r.attempt.id.clone(),
                    notes,
                }));
            }
        }
        Command::Retranscribe => {
            if let Stage::Review(r) = &state.stage {
                if r.attempt.status == Status::Failed {
                    state.notice = Some("This attempt has no recording to transcribe.".into());
                    return;
                }
                if let ModelState::Unavailable(why) = &state.model {
                    state.notice = Some(no_model_notice(why));
                    return;
                }
                let attempt = r.attempt.clone();
                let question = r.question.clone();
                pause_review(state, fx);
                transcribe(state, attempt, question, fx);
            }
        }
        Command::AskDelete(ask) => {
            if let Stage::Review(r) = &mut state.stage {
                r.dialog = if ask {
                    ReviewDialog::ConfirmDelete
                } else {
                    ReviewDialog::None
                };
            }
        }
        Command::ConfirmDelete => {
            if let Stage::Review(r) = &state.stage
                && r.confirm_delete()
            {
                fx.push(Effect::Io(IoCommand::Delete(r.attempt.id.clone())));
                pause_review(state, fx);
                state.stage = Stage::Idle;
                state.screen = Screen::History;
                state.notice = Some("Attempt deleted.".into());
            }
        }
        Command::OpenAttempt(id) => {
            if state.panel.is_none()
                && matches!(state.stage, Stage::Idle | Stage::Review(_))
                && let Some(e) = state.entries.iter().find(|e| e.attempt.id == id).cloned()
            {
                pause_review(state, fx);
                let problem =
                    e.attempt.error.clone().or_else(|| {
                        (e.attempt.status == Status::NoSpeech && e.report.is_none()).then(no_speech_notice)
                    });
                open_review(state, e.attempt, e.report, problem, fx);
            }
        }
        Command::SetModel(name) => {
            state.prefs.model = name;
            state.model_override = None;
            load_model(state, fx);
        }
        Command::ImportModelDialog => {
            if state.import_progress.is_none() {
                state.import_progress = Some(0.0);
                fx.push(Effect::ImportModel);
            }
        }
        Command::InstallModel(name) => {
            if state.import_progress.is_none() {
                state.import_progress = Some(0.0);
                fx.push(Effect::InstallModel(name));
            }
        }
        Command::CancelImport => fx.push(Effect::CancelImport),
        Command::Setup(c) => first_start::command(state, c, fx),
        Command::SetTimeBoxOverride(s) => {
            state.ui_state.time_box_override = s.filter(|s| s.is_finite()).map(|s| s.clamp(30.0, 600.0));
        }
        Command::SetInputDevice(d) => state.prefs.input_device = d,
        Command::RefreshDevices => {
            state.devices = None;
            fx.push(Effect::RefreshDevices);
            fx.push(Effect::Io(IoCommand::ListModels));
        }
        Command::SetLiveCoach(on) => state.prefs.live_coach = on,
        Command::SetDark(dark) => {
            state.prefs.dark = dark;
            fx.push(Effect::SetTheme { dark });
        }
        Command::DismissNotice => state.notice = None,
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
            Err(e) => state.notice = Some(capitalised(&e.to_string())),
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
        Command::ExportAttempt => {
            if let Stage::Review(r) = &state.stage {
                fx.push(Effect::PickExport {
                    attempt_id: r.attempt.id.clone(),
                });
            }
        }
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
        Command::MarkCounts { sentence, cell } => correct(state, &cell, Verdict::Counts, Some(sentence), fx),
        Command::RejectEvidence { cell, start_s } => {
            let sentence = match &state.stage {
                Stage::Review(r) => corrections::sentence_at(&r.sentences, start_s),
                _ => None,
            };
            correct(state, &cell, Verdict::DoesNotCount, sentence, fx);
        }
    }
}

/// A correction in Review: kept on the attempt (shown at once) and sent to the disk worker, which saves it,
/// adds it to the personal exemplars and scores the attempt again (`session::correct`).
fn correct(state: &mut State, cell: &str, verdict: Verdict, sentence: Option<usize>, fx: &mut Vec<Effect>) {
    let Stage::Review(r) = &mut state.stage else { return };
    if r.report.is_none() {
        state.notice = Some("There is no report to correct: the answer has not been scored.".into());
        return;
    }
    let Some(s) = sentence.and_then(|i| r.sentences.get(i)) else {
        return;
    };
    let correction = corrections::Correction {
        cell: cell.to_owned(),
        verdict,
        sentence: s.text.clone(),
        start_s: s.start_s,
        end_s: s.end_s,
    };
    corrections::upsert_correction(&mut r.attempt.corrections, correction.clone());
    r.rescoring = true;
    fx.push(Effect::Io(IoCommand::Correct {
        attempt_id: r.attempt.id.clone(),
        question: r.question.clone().map(Box::new),
        correction,
    }));
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
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
fn start_today_step(state: &mut State, fx: &mut Vec<Effect>) {
    if state.stage.is_live() || state.panel.is_some() {
        return;
    }
    if let Some(next) = state.plan_today.as_ref().and_then(|t| t.next.clone())
        && next.step.kind == crate::plan::StepKind::Mock
    {
        start_panel(
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
    start_recording(state, fx);
}

/// Starts a mock panel on `ids` (in order; those not in a loaded deck are left out), or on the default
/// choice when `ids` is empty: [`crate::panel::DEFAULT_QUESTIONS`] questions of mixed difficulty, least
/// recently practised first, from the plan's deck when it has one.
fn start_panel(state: &mut State, ids: &[String], time_box_s: Option<f64>, fx: &mut Vec<Effect>) {
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
fn ask(state: &mut State, fx: &mut Vec<Effect>) {
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
fn begin_panel_answer(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(p) = &mut state.panel else { return };
    let Some((deck_id, q)) = p.current().cloned() else {
        return;
    };
    let wanted = match p.kind {
        AnswerKind::Question => p.question_time_box_s,
        AnswerKind::FollowUp => Some(p.follow_up_time_box_s),
    };
    let time_box = crate::session::TimeBox::for_question(&q, wanted).unwrap_or(crate::session::TimeBox {
        seconds: q.time_box_s,
        source: crate::session::TimeBoxSource::Question,
    });
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
fn speech_event(state: &mut State, ev: SpeakerEvent, fx: &mut Vec<Effect>) {
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
fn panel_answered(state: &mut State, attempt_id: String, fx: &mut Vec<Effect>) {
    let Some(p) = &mut state.panel else { return };
    p.recorded.push(attempt_id);
    if p.phase == PanelPhase::Ending {
        finish_panel(state, fx);
        return;
    }
    match p.kind {
        AnswerKind::Question => p.kind = AnswerKind::FollowUp,
        AnswerKind::FollowUp => {
            p.kind = AnswerKind::Question;
            p.position += 1;
        }
    }
    if p.position >= p.questions.len() {
        finish_panel(state, fx);
    } else {
        ask(state, fx);
    }
}

/// End panel: a recording in progress is stopped and kept (the report opens once it is on disk); the
/// voice stops; an attempt still being created is kept as failed when it arrives.
fn end_panel(state: &mut State, fx: &mut Vec<Effect>) {
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
fn finish_panel(state: &mut State, fx: &mut Vec<Effect>) {
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
fn panel_report_of(state: &State, id: &str) -> Option<crate::panel::PanelReport> {
    let attempts: Vec<Attempt> = state
        .entries
        .iter()
        .filter(|e| e.attempt.panel.as_ref().is_some_and(|s| s.id == id))
        .map(|e| e.attempt.clone())
        .collect();
    crate::panel::build_report(id, &attempts, &state.decks)
}

/// Rebuilds the shown panel report (answers scored since, self-scores given in Review, a deletion).
fn refresh_panel_report(state: &mut State) {
    if let Some(r) = &state.panel_report {
        let id = r.panel_id.clone();
        state.panel_report = panel_report_of(state, &id);
    }
}

/// Asks for the configured model (the override, else the preference) to be loaded.
pub fn load_model(state: &mut State, fx: &mut Vec<Effect>) {
    let name = state
        .model_override
        .clone()
        .unwrap_or_else(|| state.prefs.model.clone());
    state.model = ModelState::Loading(name.clone());
    fx.push(Effect::LoadModel(name));
}

/// Silence or noise only: said plainly, with where to fix it.
fn no_speech_notice() -> String {
    let mut s = crate::report::NO_SPEECH.to_owned();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{s} (Settings \u{2192} Microphone). The recording is kept.")
}

fn no_model_notice(why: &str) -> String {
    format!("No transcription model: {why}")
}

fn start_recording(state: &mut State, fx: &mut Vec<Effect>) {
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
        deck_id: deck_of(state, &q.id),
        time_box,
        panel: None,
    }));
    state.ui_state.peek = false;
    state.stage = Stage::Preparing { question: q, time_box };
    state.screen = Screen::Record;
}

/// Waveform markers and transcript shading for a report: rubric evidence, fillers and long pauses.
pub(crate) fn markers_for(report: &Report) -> (Vec<Marker>, Vec<(usize, usize, MarkerKind)>) {
    let words = &report.transcript.words;
    let mut markers = Vec::new();
    let mut highlights = Vec::new();
    let word_range = |start: f64, end: f64| {
        let first = words.partition_point(|w| w.end_s <= start);
        let last = words.partition_point(|w| w.start_s < end);
        (first, last.max(first))
    };
    for cell in &report.rubric {
        for e in &cell.evidence {
            markers.push(Marker {
                start_s: e.start_s,
                end_s: e.end_s,
                kind: MarkerKind::Evidence,
                label: format!("{}: \u{201c}{}\u{201d}", cell.cell, e.text),
            });
            let (a, b) = word_range(e.start_s, e.end_s);
            highlights.push((a, b, MarkerKind::Evidence));
        }
    }
    let fillers: Vec<&str> = report.delivery.fillers.keys().map(String::as_str).collect();
    for (i, w) in words.iter().enumerate() {
        let norm: String = w
            .text
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'')
            .collect::<String>()
            .to_lowercase();
        if !norm.is_empty() && fillers.contains(&norm.as_str()) {
            markers.push(Marker {
                start_s: w.start_s,
                end_s: w.end_s,
                kind: MarkerKind::Filler,
                label: format!("filler \u{201c}{norm}\u{201d}"),
            });
            highlights.push((i, i + 1, MarkerKind::Filler));
        }
    }
    for p in &report.delivery.long_pauses {
        markers.push(Marker {
            start_s: p.start_s,
            end_s: p.start_s + p.length_s,
            kind: MarkerKind::Pause,
            label: format!("pause {:.1} s", p.length_s),
        });
    }
    (markers, highlights)
}

/// The self-score given for a report cell id, if any.
pub(crate) fn self_score_for(scores: &Option<SelfScores>, cell: &str) -> Option<u8> {
    let s = scores.as_ref()?;
    let i = SELF_SCORE_CELLS.iter().position(|(_, id)| *id == cell)?;
    Some([s.restatement, s.trade_offs, s.execution, s.communication][i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Deck;
    use crate::rubric::Rubric;
    use crate::transcript::Transcript;

    fn report(text: &str, seconds: f64) -> Report {
        let deck = Deck::embedded().expect("deck");
        let rubric = Rubric::embedded().expect("rubric");
        let q = deck.question("pm-01-success-metrics").expect("question");
        let t = Transcript::from_plain_text(text, Some(seconds));
        crate::report::score(q, &rubric, &t, 180.0)
    }

    #[test]
    fn markers_cover_evidence_and_fillers_with_matching_word_ranges() {
        let r = report(
            "So the question is which metrics tell us it is working. Um, the trade-off is latency versus cost.",
            10.0,
        );
        let (markers, highlights) = markers_for(&r);
        assert!(markers.iter().any(|m| m.kind == MarkerKind::Evidence));
        let filler = markers
            .iter()
            .find(|m| m.kind == MarkerKind::Filler)
            .expect("um is a filler");
        assert!(filler.label.contains("um"), "{}", filler.label);
        let words = &r.transcript.words;
        for (a, b, _) in &highlights {
            assert!(
                a <= b && *b <= words.len(),
                "range {a}..{b} within {} words",
                words.len()
            );
        }
        let (i, _, _) = highlights
            .iter()
            .find(|h| h.2 == MarkerKind::Filler)
            .expect("filler shaded");
        assert!(words[*i].text.to_lowercase().starts_with("um"));
    }

    #[test]
    fn self_scores_map_to_report_cells() {
        let s = Some(SelfScores {
            restatement: 4,
            trade_offs: 3,
            execution: 2,
            communication: 5,
        });
        assert_eq!(self_score_for(&s, "restatement"), Some(4));
        assert_eq!(self_score_for(&s, "trade-offs"), Some(3));
        assert_eq!(self_score_for(&s, "communication"), Some(5));
        assert_eq!(self_score_for(&s, "boundaries"), None, "not self-rated");
        assert_eq!(self_score_for(&None, "restatement"), None);
    }
}

/// Every transition of the window, as a table of (state, event) → (state, effects). No window, engine or
/// disk: the effects are checked as data.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod transitions {
    use std::path::PathBuf;

    use super::*;
    use crate::app::state::Prefs;
    use crate::bank::Deck;
    use crate::session::{TimeBox, TimeBoxSource};
    use crate::store::NewAttempt;
    use crate::transcript::Transcript;

    const SHORT: &str = "pm-15-what-and-why"; // a 90-second question
    const LONG: &str = "pm-01-success-metrics"; // a 3-minute question

    fn ready() -> State {
        let mut s = State::new(Prefs::default(), vec![Deck::embedded().unwrap()], None);
        s.model = ModelState::Ready("tiny.en".into());
        s
    }

    fn cmd(s: &mut State, c: Command) -> Vec<Effect> {
        update(s, Event::Command(c))
    }

    fn attempt(id: &str, question: &str) -> Attempt {
        Attempt {
            id: id.into(),
            question_id: question.into(),
            ..Attempt::default()
        }
    }

    /// Select `question`, Start, and the disk answers with a new attempt: the state is `Recording`.
    fn recording(question: &str) -> State {
        let mut s = ready();
        cmd(&mut s, Command::SelectQuestion(question.into()));
        cmd(&mut s, Command::StartRecording);
        update(
            &mut s,
            Event::Io(IoEvent::Begun(Box::new(NewAttempt {
                attempt: attempt("a1", question),
                dir: PathBuf::from("/d/a1"),
                wav_path: PathBuf::from("/d/a1/answer.wav"),
            }))),
        );
        update(
            &mut s,
            Event::Rec(RecEvent::Started {
                device: "mic".into(),
                sample_rate: 48_000,
            }),
        );
        s
    }

    fn transcribing(question: &str) -> State {
        let mut s = recording(question);
        cmd(&mut s, Command::StopRecording);
        update(
            &mut s,
            Event::Rec(RecEvent::Stopped {
                path: PathBuf::from("/d/a1/answer.wav"),
                duration_s: 12.0,
                why: StopWhy::User,
            }),
        );
        s
    }

    fn review(question: &str) -> State {
        let mut s = transcribing(question);
        let mut a = attempt("a1", question);
        a.status = Status::Scored;
        a.duration_s = 12.0;
        update(
            &mut s,
            Event::Io(IoEvent::Scored(Box::new(Entry {
                attempt: a,
                report: None,
            }))),
        );
        s
    }

    fn job(s: &State) -> u64 {
        match &s.stage {
            Stage::Transcribing(t) => t.job,
            other => panic!("not transcribing: {}", other.name()),
        }
    }

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
                matches!(fx.as_slice(), [Effect::Record(r)] if r.time_box_s == seconds && r.path == std::path::Path::new("/d/a1/answer.wav")),
                "{fx:?}"
            );
            assert!(matches!(&s.stage, Stage::Recording(r) if r.phase == RecPhase::Starting));
        }
    }

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
    fn the_answer_so_far_is_scored_while_recording_and_kept_for_the_live_coach() {
        let mut s = recording(LONG);
        let so_far = Transcript::from_plain_text("So the question is how to measure churn.", Some(4.0));
        // A stream of another file is stale: nothing to score.
        let fx = update(
            &mut s,
            Event::Asr(AsrEvent::Partial {
                wav: PathBuf::from("/d/old/answer.wav"),
                transcript: so_far.clone(),
            }),
        );
        assert!(fx.is_empty());
        let fx = update(
            &mut s,
            Event::Asr(AsrEvent::Partial {
                wav: PathBuf::from("/d/a1/answer.wav"),
                transcript: so_far.clone(),
            }),
        );
        let [
            Effect::Io(IoCommand::Prescore {
                attempt_id,
                question,
                transcript,
                ..
            }),
        ] = fx.as_slice()
        else {
            panic!("expected one Prescore, got {fx:?}");
        };
        assert_eq!((attempt_id.as_str(), question.id.as_str()), ("a1", LONG));
        assert_eq!(transcript.text, so_far.text);
        let report = crate::report::score(
            question,
            &crate::rubric::Rubric::embedded().expect("rubric"),
            transcript,
            180.0,
        );
        // The score of another attempt is not shown.
        update(
            &mut s,
            Event::Io(IoEvent::Live {
                attempt_id: "other".into(),
                report: Box::new(report.clone()),
            }),
        );
        assert!(matches!(&s.stage, Stage::Recording(r) if r.live.is_none()));
        update(
            &mut s,
            Event::Io(IoEvent::Live {
                attempt_id: "a1".into(),
                report: Box::new(report),
            }),
        );
        assert!(matches!(&s.stage, Stage::Recording(r) if r.live.is_some()));
        // After Stop, partial news is ignored.
        cmd(&mut s, Command::StopRecording);
        update(
            &mut s,
            Event::Rec(RecEvent::Stopped {
                path: PathBuf::from("/d/a1/answer.wav"),
                duration_s: 12.0,
                why: StopWhy::User,
            }),
        );
        let fx = update(
            &mut s,
            Event::Asr(AsrEvent::Partial {
                wav: PathBuf::from("/d/a1/answer.wav"),
                transcript: so_far,
            }),
        );
        assert!(fx.is_empty());
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
            }),
        );
        assert!(
            matches!(fx.as_slice(), [Effect::Io(IoCommand::ScoreAndSave { attempt_id, model, .. })]
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
            Event::Io(IoEvent::Scored(Box::new(Entry {
                attempt: a,
                report: None,
            }))),
        );
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Io(IoCommand::LoadWave { attempt_id }) if attempt_id == "a1"))
        );
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Player(PlayerCmd::Load { attempt_id, .. }) if attempt_id == "a1"))
        );
        assert!(
            matches!(&s.stage, Stage::Review(r) if r.coverage == Coverage::Hidden && r.playback == Playback::Paused)
        );
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
            Event::Io(IoEvent::Scored(Box::new(Entry {
                attempt: a,
                report: None,
            }))),
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
            Event::Io(IoEvent::ScoreFailed {
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
            Event::Io(IoEvent::ScoreFailed {
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
            Event::Io(IoEvent::Scored(Box::new(Entry {
                attempt: a,
                report: Some(report),
            }))),
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
            Effect::Io(IoCommand::Correct {
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
            matches!(fx.as_slice(), [Effect::Io(IoCommand::Correct { correction, .. })]
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
            Event::Io(IoEvent::Corrected(Box::new(Entry {
                attempt,
                report: Some(report),
            }))),
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
            Event::Io(IoEvent::CorrectFailed {
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

    // ── The practice plan (Today) ──

    const DAY1: time::Date = time::macros::date!(2026 - 11 - 26);

    fn planned(days: i64) -> State {
        let mut s = ready();
        s.today = DAY1;
        update(
            &mut s,
            Event::Io(IoEvent::Plan(Ok(Some(
                PlanDates::new(DAY1, DAY1 + time::Duration::days(days)).unwrap(),
            )))),
        );
        s
    }

    /// A scored attempt at `question` on day 1, every cell at `score`.
    fn scored(id: &str, question: &str, score: f64) -> Entry {
        let cells: Vec<serde_json::Value> = ["restatement", "trade-offs", "boundaries", "execution", "communication"]
            .iter()
            .map(|c| serde_json::json!({"cell": c, "covered": score > 0.5, "score": score, "evidence": []}))
            .collect();
        let mut a = attempt(id, question);
        a.status = Status::Scored;
        a.started_at = time::macros::datetime!(2026-11-26 10:00 +01:00);
        a.report = Some(serde_json::json!({ "rubric": cells }));
        Entry {
            attempt: a,
            report: None,
        }
    }

    #[test]
    fn the_window_opens_on_today_and_reads_the_plan() {
        let s = ready();
        assert_eq!(s.screen, Screen::Today);
        assert_eq!(s.plan, PlanState::Loading);
        for (loaded, expected) in [
            (Ok(None), PlanState::None),
            (
                Err("plan.json is not a valid plan".to_owned()),
                PlanState::Damaged("plan.json is not a valid plan".into()),
            ),
        ] {
            let mut s = ready();
            update(&mut s, Event::Io(IoEvent::Plan(loaded)));
            assert_eq!(s.plan, expected);
            assert!(s.plan_today.is_none());
        }
        let s = planned(8);
        let t = s.plan_today.as_ref().unwrap();
        assert_eq!((t.day, t.days_to_interview), (1, 8));
    }

    #[test]
    fn the_plan_can_drill_another_deck_and_keeps_it_when_the_dates_change() {
        let mut s = planned(8);
        let mut other = Deck::embedded().unwrap();
        other.id = "other".into();
        for q in &mut other.questions {
            q.id = format!("o-{}", q.id);
        }
        s.decks.push(other);
        let fx = cmd(&mut s, Command::SetPlanDeck(Some("other".into())));
        assert!(
            matches!(fx.as_slice(), [Effect::Io(IoCommand::SavePlan(d))] if d.deck.as_deref() == Some("other")),
            "{fx:?}"
        );
        let next = s.plan_today.as_ref().unwrap().next.as_ref().unwrap();
        let q = next.question_id.as_deref().unwrap();
        assert!(q.starts_with("o-"), "{q}");
        let fx = cmd(&mut s, Command::SetPlanDates(DAY1, DAY1 + time::Duration::days(5)));
        assert!(
            matches!(fx.as_slice(), [Effect::Io(IoCommand::SavePlan(d))] if d.deck.as_deref() == Some("other")),
            "{fx:?}"
        );
        // Without a plan there is nothing to attach a deck to: a message, nothing saved.
        let mut fresh = ready();
        assert!(cmd(&mut fresh, Command::SetPlanDeck(None)).is_empty());
        assert!(fresh.notice.is_some());
    }

    #[test]
    fn setting_the_dates_saves_them_and_a_bad_order_is_refused() {
        let mut s = ready();
        s.today = DAY1;
        let fx = cmd(&mut s, Command::SetPlanDates(DAY1, DAY1 - time::Duration::days(1)));
        assert!(fx.is_empty());
        assert!(
            s.notice.as_deref().unwrap().starts_with("The interview"),
            "{:?}",
            s.notice
        );
        let fx = cmd(&mut s, Command::SetPlanDates(DAY1, DAY1 + time::Duration::days(3)));
        assert!(
            matches!(fx.as_slice(), [Effect::Io(IoCommand::SavePlan(d))] if d.interview == DAY1 + time::Duration::days(3)),
            "{fx:?}"
        );
        assert_eq!(s.plan_today.as_ref().unwrap().days_to_interview, 3);
    }

    #[test]
    fn try_one_question_records_the_warm_up_at_once() {
        // (model, stage before, expected stage name after, a Begin effect, a notice)
        let live = || recording(LONG).stage;
        for (model_ok, before, after, begins, notice) in [
            (true, Stage::Idle, "preparing", true, false),
            (false, Stage::Idle, "idle", false, true),
            (true, live(), "recording", false, false),
        ] {
            let mut s = ready();
            if !model_ok {
                s.model = ModelState::Unavailable("no model".into());
            }
            let was_live = before.is_live();
            s.stage = before;
            s.ui_state.time_box_override = Some(30.0);
            let fx = cmd(&mut s, Command::TryOneQuestion);
            assert_eq!(s.stage.name(), after);
            assert_eq!(
                fx.iter()
                    .any(|e| matches!(e, Effect::Io(IoCommand::Begin { question, time_box, .. })
                    if question.id == SHORT && time_box.seconds == 90.0)),
                begins,
                "{fx:?}"
            );
            assert_eq!(s.notice.is_some(), notice, "{:?}", s.notice);
            if !was_live {
                assert_eq!(
                    s.screen,
                    Screen::Record,
                    "Record opens, saying what is missing if anything"
                );
                assert_eq!(s.selected.as_deref(), Some(SHORT), "the deck's warm-up question");
                assert!(s.active_step.is_none(), "not a plan step");
            }
        }
    }

    #[test]
    fn todays_step_opens_record_with_its_question_time_box_and_hint() {
        for (days, entries, kind, peek, time_box) in [
            // Day 1 of 8: a fundamentals explain drill, 90 s, hint and example shown first.
            (8, vec![], crate::plan::StepKind::Explain, true, 90.0),
            // One day left: everything shares it, two explain drills first.
            (1, vec![], crate::plan::StepKind::Explain, true, 90.0),
        ] {
            let mut s = planned(days);
            for e in entries {
                upsert_entry(&mut s, e);
            }
            let fx = cmd(&mut s, Command::StartTodayStep);
            assert!(fx.is_empty(), "opening Record starts nothing: {fx:?}");
            assert_eq!(s.screen, Screen::Record);
            let a = s.active_step.clone().unwrap();
            assert_eq!(a.step.kind, kind);
            assert_eq!(s.selected.as_deref(), Some(a.question_id.as_str()));
            assert_eq!(s.ui_state.peek, peek);
            assert_eq!(s.ui_state.time_box_override, Some(time_box));
            assert_eq!(s.time_box_for(s.question(&a.question_id).unwrap()).seconds, time_box);
        }
    }

    #[test]
    fn a_scored_answer_moves_today_on_and_choosing_another_question_leaves_the_step() {
        let mut s = planned(8);
        cmd(&mut s, Command::StartTodayStep);
        let first = s.active_step.clone().unwrap().question_id;
        let before = s.plan_today.clone().unwrap();
        assert_eq!(before.steps.iter().filter(|x| x.done).count(), 0);
        update(&mut s, Event::Io(IoEvent::Scored(Box::new(scored("a1", &first, 0.7)))));
        let after = s.plan_today.clone().unwrap();
        assert_eq!(after.steps.iter().filter(|x| x.done).count(), 1);
        assert_ne!(after.next.unwrap().question_id.as_deref(), Some(first.as_str()));
        assert_eq!(after.streak, 1);
        cmd(&mut s, Command::ShowScreen(Screen::Today));
        assert_eq!(s.screen, Screen::Today);
        cmd(&mut s, Command::StartTodayStep);
        assert_ne!(s.active_step.as_ref().unwrap().question_id, first);
        cmd(&mut s, Command::SelectQuestion(LONG.into()));
        assert!(
            s.active_step.is_none(),
            "a question picked by hand is not the plan's step"
        );
    }

    #[test]
    fn scores_and_self_ratings_flow_into_the_plans_progress() {
        let mut s = planned(8);
        let p = s.plan_progress.clone().unwrap();
        assert_eq!((p.answers, p.calibration.rated), (0, 0));
        let e = scored("a1", LONG, 0.25);
        update(&mut s, Event::Io(IoEvent::Scored(Box::new(e.clone()))));
        let p = s.plan_progress.clone().unwrap();
        assert_eq!((p.answers, p.calibration.rated), (1, 0));
        assert_eq!(p.coverage.len(), 5);
        assert_eq!(p.coverage[1].cell, "trade-offs");
        assert_eq!(p.coverage[1].days[0].day, 1);
        // The self-scores saved from Review reach the calibration.
        let mut a = e.attempt;
        a.self_scores = Some(SelfScores::new(3, 5, 2, 3).unwrap());
        update(&mut s, Event::Io(IoEvent::Saved(Box::new(a))));
        let p = s.plan_progress.clone().unwrap();
        assert_eq!(p.calibration.rated, 1);
        assert_eq!(
            p.calibration.summary(),
            "You over-rate trade-offs: you 100%, the rubric 25% (1 rated answer)."
        );
        // No plan, no progress.
        let mut s = ready();
        update(&mut s, Event::Io(IoEvent::Plan(Ok(None))));
        assert!(s.plan_progress.is_none());
    }

    #[test]
    fn a_blitz_step_carries_its_target_cell_and_a_mock_its_next_question() {
        // Everything up to the mocks done on day 1, mocks answered question by question (no panel yet).
        let mut s = planned(8);
        let plan = crate::plan::build(crate::plan::Inputs {
            start: DAY1,
            interview: DAY1 + time::Duration::days(8),
            questions: &s.decks[0].questions,
            practice: &[],
            today: DAY1,
        });
        let mut n = 0;
        let mut answer = |s: &mut State, q: &str, score: f64| {
            n += 1;
            let mut e = scored(&format!("a{n:02}"), q, score);
            e.attempt.started_at += time::Duration::minutes(n);
            upsert_entry(s, e);
        };
        for q in plan.days[..4]
            .iter()
            .flat_map(|d| &d.steps)
            .map(|st| st.question_ids[0].clone())
        {
            answer(&mut s, &q, 0.8);
        }
        refresh_plan(&mut s);
        // The mock step starts a mock panel on its questions, with its time-box.
        let step = s.plan_today.clone().unwrap().next.unwrap().step;
        assert_eq!(step.kind, crate::plan::StepKind::Mock);
        let fx = cmd(&mut s, Command::StartTodayStep);
        assert!(fx.iter().any(|e| matches!(e, Effect::Speak { .. })), "{fx:?}");
        let p = s.panel.clone().unwrap();
        let ids: Vec<_> = p.questions.iter().map(|(_, q)| q.id.clone()).collect();
        assert_eq!(ids, step.question_ids);
        assert_eq!(p.question_time_box_s, Some(f64::from(step.time_box_s)));
        assert_eq!(s.screen, Screen::Panel);
        cmd(&mut s, Command::EndPanel);
        for q in plan.days[4..6].iter().flat_map(|d| &d.steps[0].question_ids) {
            answer(&mut s, q, 0.3);
        }
        refresh_plan(&mut s);
        cmd(&mut s, Command::StartTodayStep);
        let a = s.active_step.clone().unwrap();
        assert_eq!(a.step.kind, crate::plan::StepKind::Blitz);
        assert_eq!(
            a.step.target_cell.as_deref(),
            Some("restatement"),
            "all equal: the rubric's first"
        );
        assert!(a.why.contains("last time"), "{}", a.why);
    }

    #[test]
    fn a_guide_is_previewed_then_saved_or_discarded() {
        use crate::app::state::GuidePreview;
        let mut s = ready();
        let mut deck = Deck::embedded().unwrap();
        deck.title = "Product Metrics (imported)".into();
        let preview = |deck: &Deck| GuidePreview {
            source: "guide.txt".into(),
            deck: deck.clone(),
            warnings: vec!["line 3: not a question".into()],
            replaces: None,
        };
        // Empty paste: a message, nothing read.
        assert!(cmd(&mut s, Command::PasteGuide("  \n".into())).is_empty());
        assert!(s.notice.is_some());
        let fx = cmd(&mut s, Command::PasteGuide("Q1.What?\neasyHint".into()));
        assert!(matches!(&fx[..], [Effect::Io(IoCommand::PreviewGuideText(t))] if t.starts_with("Q1.")));
        // The read guide is shown, saying that it replaces the loaded deck of the same id; nothing saved yet.
        s.ui_state.paste_guide = Some("Q1.What?".into());
        let fx = update(&mut s, Event::Io(IoEvent::GuideRead(Box::new(preview(&deck)))));
        assert!(fx.is_empty());
        assert_eq!(s.screen, Screen::Questions);
        assert_eq!(s.ui_state.paste_guide, None);
        let p = s.guide_preview.as_ref().expect("preview shown");
        assert_eq!(p.replaces.as_deref(), Some("Product Metrics"));
        assert_eq!(s.decks.len(), 1);
        // Discard: gone, nothing saved.
        assert!(cmd(&mut s, Command::DiscardGuide).is_empty());
        assert!(s.guide_preview.is_none());
        // Save: the deck goes to the disk worker, and is listed once it is written.
        update(&mut s, Event::Io(IoEvent::GuideRead(Box::new(preview(&deck)))));
        let fx = cmd(&mut s, Command::SaveGuide);
        assert!(matches!(&fx[..], [Effect::Io(IoCommand::SaveDeck(d))] if d.title == deck.title));
        assert!(s.guide_preview.is_none());
        assert!(cmd(&mut s, Command::SaveGuide).is_empty(), "nothing left to save");
        update(&mut s, Event::Io(IoEvent::DeckImported(Box::new(deck.clone()))));
        assert_eq!(s.decks.len(), 1, "same id: replaced, not duplicated");
        assert_eq!(s.decks[0].title, deck.title);
    }

    // ── The mock panel ──

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
                update(&mut s, spoken(speech + 7)).is_empty(),
                "another request's end is not this one's"
            );
            let fx = update(&mut s, spoken(speech));
            assert!(matches!(s.stage, Stage::Preparing { .. }));
            let (rec_fx, slot, time_box) = begun(&mut s, &fx, &format!("p{n}"));
            assert_eq!(
                (slot.id.as_str(), slot.kind, slot.position, slot.planned),
                ("panel-20261126-090503", kind, position, 2)
            );
            assert_eq!(time_box.seconds, seconds, "answer {n}");
            assert!(matches!(rec_fx.as_slice(), [Effect::Record(r)] if r.time_box_s == seconds));
            assert!(matches!(&s.stage, Stage::Recording(r) if r.phase == RecPhase::Live));
            assert_eq!(s.screen, Screen::Panel);
            // The window cannot wander off mid-panel.
            cmd(&mut s, Command::ShowScreen(Screen::History));
            assert_eq!(s.screen, Screen::Panel);
            cmd(&mut s, Command::StopRecording);
            let fx = stopped(&mut s, if n == 2 { StopWhy::TimeUp } else { StopWhy::User });
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
        // All answered: the panel report, complete, with answers still being transcribed.
        assert!(s.panel.is_none());
        assert_eq!(s.screen, Screen::Panel);
        let r = s.panel_report.clone().unwrap();
        assert!(r.complete);
        assert_eq!(r.answers.len(), 4);
        assert!(r.answers.iter().all(|a| a.report.is_none()));
        assert_eq!(s.background.len(), 4);

        // A background transcription is scored and saved, never opened in Review; the report fills in.
        let job = s.background[0].job;
        let fx = update(
            &mut s,
            Event::Asr(AsrEvent::Done {
                job,
                transcript: Transcript::from_plain_text("we would track latency", Some(5.0)),
                seconds: 1.0,
                streamed: Some(1),
            }),
        );
        assert!(
            matches!(fx.as_slice(), [Effect::Io(IoCommand::ScoreAndSave { attempt_id, question: Some(q), .. })]
                if attempt_id == "p1" && q.id == LONG),
            "{fx:?}"
        );
        let rubric = crate::rubric::Rubric::embedded().unwrap();
        let t = Transcript::from_plain_text(
            "So the question is how we know it works. The trade-off is latency versus cost.",
            Some(8.0),
        );
        let report = crate::report::score(&q_long, &rubric, &t, 180.0);
        let mut a = attempt("p1", LONG);
        a.status = Status::Scored;
        a.panel = Some(crate::panel::slot(&r.panel_id, AnswerKind::Question, 0, 2));
        a.transcript = Some(t);
        a.report = crate::session::report_to_store(&report);
        let entry = Entry {
            report: parse_report(&a),
            attempt: a,
        };
        let fx = update(&mut s, Event::Io(IoEvent::Scored(Box::new(entry))));
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
}

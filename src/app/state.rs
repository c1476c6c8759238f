//! What the window is doing, as data. The practice session is one [`Stage`]: a recording cannot be
//! reviewed before it stops, and a review cannot start before the transcript exists, because each variant
//! carries only what is true at that step. Only `logic.rs` moves between stages.

pub mod first_start;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::widgets::{Marker, MarkerKind, Waveform};
use crate::bank::{Deck, Difficulty, Question};
use crate::report::Report;
use crate::rubric::Rubric;
use crate::session::TimeBox;
use crate::store::Attempt;

/// The top-level screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Screen {
    /// The practice plan's step for today (the first screen).
    Today,
    Questions,
    Record,
    Review,
    History,
    Settings,
    /// A mock panel: the question being asked and answered, then the panel report. Not a tab: opened by
    /// starting a panel (Today, Questions).
    Panel,
}

impl Screen {
    /// Every screen, in tab order.
    pub const ALL: [Self; 6] = [
        Self::Today,
        Self::Questions,
        Self::Record,
        Self::Review,
        Self::History,
        Self::Settings,
    ];

    /// The tab's name (also its accessible label).
    pub fn title(self) -> &'static str {
        match self {
            Self::Today => "Today",
            Self::Questions => "Questions",
            Self::Record => "Record",
            Self::Review => "Review",
            Self::History => "History",
            Self::Settings => "Settings",
            Self::Panel => "Mock panel",
        }
    }
}

/// Preferences kept in eframe storage. Attempts never live here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Whisper model name (as in `rehearse model list`).
    pub model: String,
    /// Input device; `None` = system default.
    pub input_device: Option<String>,
    /// Dark theme (else light).
    pub dark: bool,
    /// Playback speed.
    pub speed: f32,
    /// The live coach: while recording, the rubric cells light up as they are covered and the pace shows.
    /// Off by default (some people find it distracting).
    pub live_coach: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            model: crate::asr::models::DEFAULT_MODEL.to_owned(),
            input_device: None,
            dark: false,
            speed: 1.0,
            live_coach: false,
        }
    }
}

/// The Whisper model, as the person should understand it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelState {
    Loading(String),
    Ready(String),
    /// Not installed or failed to load; the text says what to do.
    Unavailable(String),
}

/// An attempt with its parsed report, as listed in History and badges.
#[derive(Clone, Debug)]
pub struct Entry {
    pub attempt: Attempt,
    pub report: Option<Report>,
}

impl Entry {
    /// Fraction of rubric cells covered, if scored.
    pub fn coverage(&self) -> Option<f64> {
        self.report.as_ref().map(crate::report::coverage)
    }
}

/// Where a recording is: waiting for the microphone, capturing, or finishing the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecPhase {
    /// Start was sent; the engine has not confirmed it yet.
    Starting,
    /// Audio is flowing.
    Live,
    /// Stop was sent; waiting for the file.
    Stopping,
}

/// A recording in progress.
#[derive(Clone, Debug)]
pub struct Recording {
    pub attempt: Attempt,
    pub question: Question,
    pub wav: PathBuf,
    pub time_box: TimeBox,
    pub phase: RecPhase,
    pub elapsed_s: f64,
    pub rms_db: f32,
    pub peak_db: f32,
    /// The answer so far, transcribed while it is spoken and scored (for the live coach; computed whether
    /// or not it is shown, which also makes scoring at Stop quick).
    pub live: Option<Box<Report>>,
}

impl Recording {
    /// The engine confirmed the start.
    pub fn started(&self) -> bool {
        self.phase != RecPhase::Starting
    }
    /// Stop was sent.
    pub fn stopping(&self) -> bool {
        self.phase == RecPhase::Stopping
    }
}

/// Where a transcription job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxPhase {
    /// Whisper is working: percent done.
    Running(i32),
    /// The transcript is back; the report is being computed and saved.
    Scoring,
}

/// Whisper is working on an attempt.
#[derive(Clone, Debug)]
pub struct Transcribing {
    pub attempt: Attempt,
    pub question: Option<Question>,
    pub job: u64,
    pub phase: TxPhase,
}

impl Transcribing {
    /// Percent done (100 while scoring).
    pub fn progress(&self) -> i32 {
        match self.phase {
            TxPhase::Running(p) => p,
            TxPhase::Scoring => 100,
        }
    }
    /// The report is being computed and saved.
    pub fn scoring(&self) -> bool {
        self.phase == TxPhase::Scoring
    }
}

/// The four cells the candidate rates themselves on (the seed guide's rubric), with their report cell ids.
pub const SELF_SCORE_CELLS: [(&str, &str); 4] = [
    ("Restatement", "restatement"),
    ("Trade-offs", "trade-offs"),
    ("Execution", "execution"),
    ("Communication", "communication"),
];

/// Reviewing one attempt.
#[derive(Clone, Debug)]
pub struct Review {
    pub attempt: Attempt,
    pub question: Option<Question>,
    pub report: Option<Report>,
    pub wave: Option<Waveform>,
    pub markers: Vec<Marker>,
    /// Transcript word ranges to shade: (first, end exclusive, kind).
    pub highlights: Vec<(usize, usize, MarkerKind)>,
    pub playhead_s: f64,
    /// The one place that says whether the recording is playing.
    pub playback: Playback,
    /// Self-scores being entered (saved ones when reopening).
    pub scores: [Option<u8>; 4],
    /// The automatic coverage is shown (after the self-score, or straight away for a rated attempt).
    pub coverage: Coverage,
    pub dialog: ReviewDialog,
    /// Why there is no report (failed or cancelled transcription).
    pub problem: Option<String>,
    /// The transcript's sentences, which the person can mark as covering a cell.
    pub sentences: Vec<crate::rubric::corrections::SentenceSpan>,
    /// A correction was sent; the report shown is from before it until the new one arrives.
    pub rescoring: bool,
}

/// Playing or paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Playback {
    Paused,
    Playing,
}

/// Whether the automatic coverage is shown: hidden until the person has rated themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    Hidden,
    Revealed,
}

/// A question Review is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewDialog {
    None,
    ConfirmDelete,
}

impl Review {
    /// The recording is playing.
    pub fn playing(&self) -> bool {
        self.playback == Playback::Playing
    }
    /// The automatic coverage is shown.
    pub fn revealed(&self) -> bool {
        self.coverage == Coverage::Revealed
    }
    /// Delete is waiting for confirmation.
    pub fn confirm_delete(&self) -> bool {
        self.dialog == ReviewDialog::ConfirmDelete
    }
}

/// The practice session.
#[derive(Clone, Debug, Default)]
pub enum Stage {
    /// Nothing is being recorded or transcribed.
    #[default]
    Idle,
    /// The attempt folder is being created; recording starts when it exists.
    Preparing {
        question: Question,
        time_box: TimeBox,
    },
    Recording(Box<Recording>),
    Transcribing(Box<Transcribing>),
    Review(Box<Review>),
}

impl Stage {
    /// A short name, for tests and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Preparing { .. } => "preparing",
            Self::Recording(_) => "recording",
            Self::Transcribing(_) => "transcribing",
            Self::Review(_) => "review",
        }
    }

    /// Recording or about to: the rest of the window steps back.
    pub fn is_live(&self) -> bool {
        matches!(self, Self::Preparing { .. } | Self::Recording(_))
    }
}

/// State that only the views change (text being typed, toggles, selections).
#[derive(Clone, Debug, Default)]
pub struct UiState {
    pub search: String,
    pub difficulty: Option<Difficulty>,
    /// Show the hint, example and mistakes before recording.
    pub peek: bool,
    pub notes: String,
    /// History: show only this question's attempts.
    pub history_question: Option<String>,
    /// History: attempts ticked for side-by-side comparison (at most two).
    pub compare: Vec<String>,
    /// The person's time-box for the next attempt, seconds; `None` = the question's own.
    pub time_box_override: Option<f64>,
    /// Today screen: the plan's start and interview dates being edited (`YYYY-MM-DD`).
    pub plan_dates: Option<(String, String)>,
    /// Questions screen: the *Paste a guide* box is open, with what has been pasted so far.
    pub paste_guide: Option<String>,
    /// Questions screen: questions ticked for a mock panel, in the order ticked (empty: the default choice).
    pub panel_pick: Vec<String>,
}

/// Everything the window shows and decides on, as data: `logic::update` is the only code that changes it,
/// one event at a time, and says what the engines must do as effects. No engine, file or thread here, so
/// every transition is a plain table test.
#[derive(Clone, Debug)]
pub struct State {
    pub prefs: Prefs,
    pub decks: Vec<Deck>,
    pub rubric: Option<std::sync::Arc<Rubric>>,
    pub entries: Vec<Entry>,
    pub entries_loaded: bool,
    /// Attempt folders whose record cannot be read (`id: reason`); shown in History, never rewritten.
    pub damaged: Vec<String>,
    pub screen: Screen,
    pub selected: Option<String>,
    pub stage: Stage,
    pub model: ModelState,
    /// Model name or path from the command line or environment; overrides `prefs.model`.
    pub model_override: Option<String>,
    pub installed_models: Vec<crate::asr::models::InstalledModel>,
    pub devices: Option<super::DeviceList>,
    pub notice: Option<String>,
    /// A model import is running: fraction done.
    pub import_progress: Option<f32>,
    pub ui_state: UiState,
    /// The id the next transcription job gets.
    pub next_job: u64,
    /// The practice plan's dates, as loaded from `<data>/plan.json`.
    pub plan: PlanState,
    /// Today's date (local), fixed when the window opens.
    pub today: time::Date,
    /// Today's place in the plan, derived from the dates and the attempts (see `logic::refresh_plan`).
    pub plan_today: Option<crate::plan::Today>,
    /// Coverage per cell across the plan and self-rating calibration (see `logic::refresh_plan`).
    pub plan_progress: Option<crate::plan::progress::Progress>,
    /// The plan step started from Today, while the person answers and reviews it.
    pub active_step: Option<ActiveStep>,
    /// A guide read for import, waiting for the person to save or discard it.
    pub guide_preview: Option<GuidePreview>,
    /// The mock panel being run, if any.
    pub panel: Option<PanelRun>,
    /// The panel whose report the Panel screen shows once it has ended (rebuilt as its answers are scored).
    pub panel_report: Option<crate::panel::PanelReport>,
    /// Transcriptions running behind the panel (no feedback while it goes on): job and attempt.
    pub background: Vec<BackgroundJob>,
    /// The id the next spoken question gets.
    pub next_speech: u64,
    /// The time of the latest frame (`App::tick` sets it; tests set it by hand): names new panels.
    pub now: time::OffsetDateTime,
    /// The models are missing: the first-start block at the top of Today, until they are in or *Not now*.
    pub first_start: Option<first_start::FirstStart>,
}

/// A mock panel in progress: each question, then its follow-up, asked (aloud unless turned off) and
/// answered as ordinary attempts carrying the panel's id. No coverage is shown until the report.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelRun {
    /// `panel-YYYYMMDD-HHMMSS`, stored in each answer's [`crate::store::PanelSlot`].
    pub id: String,
    /// The questions and their decks, in the order asked.
    pub questions: Vec<(String, Question)>,
    /// 0-based position of the question being asked or answered.
    pub position: usize,
    /// The question itself or its follow-up.
    pub kind: crate::store::AnswerKind,
    /// Asking or answering.
    pub phase: PanelPhase,
    /// Questions and follow-ups are spoken before the clock starts.
    pub ask_aloud: bool,
    /// The text of what is being asked is on screen (always, when not asked aloud).
    pub shown: bool,
    /// Time-box of each question's answer, seconds (`None`: the question's own).
    pub question_time_box_s: Option<f64>,
    /// Time-box of each follow-up's answer, seconds.
    pub follow_up_time_box_s: f64,
    /// Answers recorded so far (attempt ids).
    pub recorded: Vec<String>,
}

impl PanelRun {
    /// The question being asked or answered, with its deck id.
    pub fn current(&self) -> Option<&(String, Question)> {
        self.questions.get(self.position)
    }

    /// What is being asked: the question's prompt or its follow-up.
    pub fn asked_text(&self) -> &str {
        self.current().map_or("", |(_, q)| crate::panel::asked(q, self.kind))
    }

    /// "Question 2 of 4" / "Follow-up 2 of 4".
    pub fn slot_title(&self) -> String {
        let what = match self.kind {
            crate::store::AnswerKind::Question => "Question",
            crate::store::AnswerKind::FollowUp => "Follow-up",
        };
        format!("{what} {} of {}", self.position + 1, self.questions.len())
    }
}

/// Where a panel's current slot is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelPhase {
    /// The interviewer is speaking (speech request id); the clock starts when it ends.
    Asking(u64),
    /// The answer is being recorded (the session stage is `Preparing` or `Recording`).
    Answering,
    /// End panel was pressed while recording: the report opens once the recording is on disk.
    Ending,
}

/// A transcription running behind a panel: its result is saved and scored, but not shown until the
/// panel report.
#[derive(Clone, Debug, PartialEq)]
pub struct BackgroundJob {
    pub job: u64,
    pub attempt_id: String,
    pub question: Option<Question>,
}

/// What the importer found in a guide, shown before anything is saved.
#[derive(Clone, Debug, PartialEq)]
pub struct GuidePreview {
    /// Where it came from: the file name, or "pasted text".
    pub source: String,
    /// The deck that would be saved.
    pub deck: Deck,
    /// What was left out or did not add up, with line numbers.
    pub warnings: Vec<String>,
    /// Title of a loaded deck with the same id, which saving replaces (history of unchanged questions kept).
    pub replaces: Option<String>,
}

impl State {
    /// The rubric's label for a cell id ("trade-offs" → "Trade-offs"); without the rubric, the id with a
    /// capital first letter.
    pub fn cell_label(&self, id: &str) -> String {
        self.rubric
            .as_ref()
            .and_then(|r| r.cells().iter().find(|c| c.id == id).map(|c| c.label.clone()))
            .unwrap_or_else(|| crate::transcript::capitalised(id))
    }

    /// A window that has just opened: the embedded deck and rubric, nothing loaded from disk yet.
    pub fn new(prefs: Prefs, decks: Vec<Deck>, rubric: Option<std::sync::Arc<Rubric>>) -> Self {
        Self {
            prefs,
            decks,
            rubric,
            entries: Vec::new(),
            entries_loaded: false,
            damaged: Vec::new(),
            screen: Screen::Today,
            selected: None,
            stage: Stage::Idle,
            model: ModelState::Unavailable(String::new()),
            model_override: None,
            installed_models: Vec::new(),
            devices: None,
            notice: None,
            import_progress: None,
            ui_state: UiState::default(),
            next_job: 1,
            plan: PlanState::Loading,
            today: crate::plan::file::today_local(),
            plan_today: None,
            plan_progress: None,
            active_step: None,
            guide_preview: None,
            panel: None,
            panel_report: None,
            background: Vec::new(),
            next_speech: 1,
            now: time::OffsetDateTime::now_utc(),
            first_start: None,
        }
    }

    /// A question from any loaded deck.
    pub fn question(&self, id: &str) -> Option<&Question> {
        crate::bank::find_question(&self.decks, None, id).map(|(_, q)| q)
    }

    /// The time-box the next attempt at `question` gets (the question's unless overridden).
    pub fn time_box_for(&self, question: &Question) -> TimeBox {
        TimeBox::for_question(question, self.ui_state.time_box_override).unwrap_or(TimeBox {
            seconds: question.time_box_s,
            source: crate::session::TimeBoxSource::Question,
        })
    }
}

/// The practice plan's dates.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanState {
    /// Not read yet.
    Loading,
    /// No plan yet: Today asks for the interview date.
    None,
    /// The plan's dates.
    Ready(crate::plan::file::PlanDates),
    /// `plan.json` cannot be read: the reason; Today offers a fresh plan (attempts are untouched).
    Damaged(String),
}

/// A plan step started from Today: what the Record and Review screens show beside the question.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveStep {
    /// The step.
    pub step: crate::plan::Step,
    /// The question being answered.
    pub question_id: String,
    /// Why it was picked.
    pub why: String,
    /// The plan's phase on the step's day.
    pub phase: Option<crate::plan::Phase>,
}

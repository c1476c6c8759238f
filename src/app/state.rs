//! What the window is doing, as data. The practice session is one [`Stage`]: a recording cannot be
//! reviewed before it stops, and a review cannot start before the transcript exists, because each variant
//! carries only what is true at that step. Only `logic.rs` moves between stages.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::widgets::{Marker, MarkerKind, Waveform};
use crate::bank::{DEFAULT_TIME_BOX_S, Difficulty, Question};
use crate::report::Report;
use crate::store::Attempt;

/// The top-level screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Screen {
    Questions,
    Record,
    Review,
    History,
    Settings,
}

impl Screen {
    /// Every screen, in tab order.
    pub const ALL: [Self; 5] = [
        Self::Questions,
        Self::Record,
        Self::Review,
        Self::History,
        Self::Settings,
    ];

    /// The tab's name (also its accessible label).
    pub fn title(self) -> &'static str {
        match self {
            Self::Questions => "Questions",
            Self::Record => "Record",
            Self::Review => "Review",
            Self::History => "History",
            Self::Settings => "Settings",
        }
    }
}

/// Preferences kept in eframe storage. Attempts never live here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Whisper model name (as in `rehearse model list`).
    pub model: String,
    /// Time-box for an answer, seconds.
    pub time_box_s: f64,
    /// Input device; `None` = system default.
    pub input_device: Option<String>,
    /// Dark theme (else light).
    pub dark: bool,
    /// Playback speed.
    pub speed: f32,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            model: crate::asr::models::DEFAULT_MODEL.to_owned(),
            time_box_s: DEFAULT_TIME_BOX_S,
            input_device: None,
            dark: false,
            speed: 1.0,
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

/// A recording in progress.
#[derive(Clone, Debug)]
pub struct Recording {
    pub attempt: Attempt,
    pub question: Question,
    pub wav: PathBuf,
    pub time_box_s: f64,
    /// The engine confirmed the start.
    pub started: bool,
    pub elapsed_s: f64,
    pub rms_db: f32,
    pub peak_db: f32,
    /// Stop was sent; waiting for the file.
    pub stopping: bool,
}

/// Whisper is working on an attempt.
#[derive(Clone, Debug)]
pub struct Transcribing {
    pub attempt: Attempt,
    pub question: Option<Question>,
    pub job: u64,
    pub progress: i32,
    /// The transcript is back; the report is being computed and saved.
    pub scoring: bool,
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
    pub playing: bool,
    /// Self-scores being entered (saved ones when reopening).
    pub scores: [Option<u8>; 4],
    /// Automatic coverage is shown (after the self-score, or straight away for a rated attempt).
    pub revealed: bool,
    pub confirm_delete: bool,
    /// Why there is no report (failed or cancelled transcription).
    pub problem: Option<String>,
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
        time_box_s: f64,
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
}

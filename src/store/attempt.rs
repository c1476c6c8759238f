//! The record of one attempt (`attempt.json`): what was asked, when, how it was recorded, and what
//! transcription and scoring later added. Loading is lenient — missing fields take defaults and
//! fields written by a newer rehearse are kept — so an upgrade never hides old answers.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::transcript::Transcript;

/// Layout version of `attempt.json` written by this build. Files without a `version` field were
/// written before it existed and count as version 1. Version 2 stores the transcript once: the
/// report no longer repeats it (see `session::stored_report`). A file with a higher version is
/// listed as damaged and never rewritten, so an older rehearse cannot drop what a newer one wrote.
pub const ATTEMPT_VERSION: u32 = 2;

fn legacy_version() -> u32 {
    1
}

/// Where an attempt is in its life. Audio is on disk from `Recorded` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The microphone is (or was, if rehearse crashed) writing `answer.wav`.
    #[default]
    Recording,
    /// `answer.wav` is complete.
    Recorded,
    /// A transcript is attached.
    Transcribed,
    /// A report is attached.
    Scored,
    /// Nothing usable was captured (e.g. the device failed before any audio); see `error`.
    Failed,
    /// Transcribed, and nothing was said (silence or noise): kept, but not scored. Tell the person
    /// [`crate::report::NO_SPEECH`].
    #[serde(rename = "no_speech")]
    NoSpeech,
}

impl Status {
    /// Lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Recording => "recording",
            Status::Recorded => "recorded",
            Status::Transcribed => "transcribed",
            Status::Scored => "scored",
            Status::Failed => "failed",
            Status::NoSpeech => "no_speech",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The person's own 1–5 ratings after listening back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfScores {
    /// Restated the problem and its constraints.
    pub restatement: u8,
    /// Named trade-offs.
    pub trade_offs: u8,
    /// Carried the answer through.
    pub execution: u8,
    /// Clear, structured delivery.
    pub communication: u8,
}

impl SelfScores {
    /// Builds scores, rejecting any outside 1–5.
    pub fn new(restatement: u8, trade_offs: u8, execution: u8, communication: u8) -> Result<Self, InvalidScore> {
        let s = Self {
            restatement,
            trade_offs,
            execution,
            communication,
        };
        s.validate()?;
        Ok(s)
    }

    /// Checks every score is within 1–5 (JSON edited by hand may not be).
    pub fn validate(&self) -> Result<(), InvalidScore> {
        for (field, value) in [
            ("restatement", self.restatement),
            ("trade_offs", self.trade_offs),
            ("execution", self.execution),
            ("communication", self.communication),
        ] {
            if !(1..=5).contains(&value) {
                return Err(InvalidScore { field, value });
            }
        }
        Ok(())
    }
}

impl SelfScores {
    /// The self-score given for rubric cell `cell` (`restatement`, `trade-offs`, `execution`,
    /// `communication`); `None` for cells people do not rate themselves on (boundaries).
    pub fn for_cell(&self, cell: &str) -> Option<u8> {
        match cell {
            "restatement" => Some(self.restatement),
            "trade-offs" => Some(self.trade_offs),
            "execution" => Some(self.execution),
            "communication" => Some(self.communication),
            _ => None,
        }
    }
}

/// What an answer in a mock panel was: the interviewer's question, or its follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerKind {
    /// The question itself.
    Question,
    /// The sharper follow-up asked after it (same question id, shorter time-box).
    FollowUp,
}

impl AnswerKind {
    /// `question` or `follow-up`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::FollowUp => "follow-up",
        }
    }
}

/// Where an attempt sits in a mock panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelSlot {
    /// The panel's id (`panel-YYYYMMDD-HHMMSS`), shared by all its answers.
    pub id: String,
    /// Question or follow-up.
    pub kind: AnswerKind,
    /// 0-based position of the question in the panel.
    pub position: usize,
    /// How many questions the panel was started with (an abandoned panel has fewer answers).
    pub planned: usize,
}

/// A self-score outside 1–5.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("self-score {field} must be between 1 and 5, not {value}")]
pub struct InvalidScore {
    /// Which score.
    pub field: &'static str,
    /// The value given.
    pub value: u8,
}

/// Contents of `attempt.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attempt {
    /// Layout version of the file (see [`ATTEMPT_VERSION`]); saving writes the current one.
    #[serde(default = "legacy_version")]
    pub version: u32,
    /// Folder name: `YYYYMMDD-HHMMSS-<question id>`, sortable by time.
    pub id: String,
    /// Question answered.
    pub question_id: String,
    /// Deck the question came from.
    pub deck_id: String,
    /// When recording started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When recording ended (`None` while recording).
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    /// Seconds of audio in `answer.wav`.
    pub duration_s: f64,
    /// The time-box the answer was recorded against, in seconds (scoring measures time used against it).
    pub time_box_s: Option<f64>,
    /// Life-cycle stage.
    pub status: Status,
    /// Input device used.
    pub device: Option<String>,
    /// Sample rate of `answer.wav`.
    pub sample_rate: Option<u32>,
    /// Free-form notes by the person.
    pub notes: String,
    /// True when start-up recovery repaired this attempt after a crash.
    pub recovered: bool,
    /// What recovery did, for the person reading the attempt later.
    pub recovery_note: Option<String>,
    /// Whisper's transcript, once transcribed.
    pub transcript: Option<Transcript>,
    /// The scorer's report (typed by `report`; kept as JSON here). From version 2 on it has no
    /// `transcript` key: the transcript is the field above, stored once.
    pub report: Option<serde_json::Value>,
    /// The person's own ratings.
    pub self_scores: Option<SelfScores>,
    /// Whisper model used for the transcript.
    pub model: Option<String>,
    /// Last failure (e.g. transcription failed); the audio stays and can be retried.
    pub error: Option<String>,
    /// The mock panel this answer was part of, if any (absent in older files and single answers; an older
    /// rehearse keeps it untouched in `extra`, so no format version change is needed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panel: Option<PanelSlot>,
    /// The person's corrections of the rubric for this answer, oldest first (absent in older files and
    /// answers never corrected; an older rehearse keeps them untouched in `extra`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<crate::rubric::corrections::Correction>,
    /// Fields this version does not know, kept so saving does not drop them.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Default for Attempt {
    fn default() -> Self {
        Self {
            version: ATTEMPT_VERSION,
            id: String::new(),
            question_id: String::new(),
            deck_id: String::new(),
            started_at: OffsetDateTime::UNIX_EPOCH,
            ended_at: None,
            duration_s: 0.0,
            time_box_s: None,
            status: Status::Recording,
            device: None,
            sample_rate: None,
            notes: String::new(),
            recovered: false,
            recovery_note: None,
            transcript: None,
            report: None,
            self_scores: None,
            model: None,
            error: None,
            panel: None,
            corrections: Vec::new(),
            extra: serde_json::Map::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn status_is_lowercase_in_json() {
        assert_eq!(serde_json::to_string(&Status::Transcribed).unwrap(), "\"transcribed\"");
        let s: Status = serde_json::from_str("\"scored\"").unwrap();
        assert_eq!(s, Status::Scored);
        assert_eq!(Status::Failed.to_string(), "failed");
    }

    #[test]
    fn unknown_and_missing_fields_do_not_break_loading_and_survive_a_save() {
        let json = r#"{"id":"20261125-121530-q1","question_id":"q1","started_at":"2026-11-25T12:15:30+01:00",
            "status":"recorded","future_field":{"x":1}}"#;
        let a: Attempt = serde_json::from_str(json).unwrap();
        assert_eq!(a.status, Status::Recorded);
        assert_eq!(a.deck_id, "");
        assert!(a.transcript.is_none());
        assert_eq!(a.extra["future_field"]["x"], 1);
        let back = serde_json::to_value(&a).unwrap();
        assert_eq!(back["future_field"]["x"], 1);
        assert_eq!(back["started_at"], "2026-11-25T12:15:30+01:00");
    }

    #[test]
    fn full_attempt_round_trips() {
        let a = Attempt {
            id: "20261125-121530-q1".into(),
            question_id: "q1".into(),
            deck_id: "system-design".into(),
            started_at: time::macros::datetime!(2026-11-25 12:15:30 UTC),
            ended_at: Some(time::macros::datetime!(2026-11-25 12:18:30 UTC)),
            duration_s: 180.0,
            status: Status::Scored,
            device: Some("USB mic".into()),
            sample_rate: Some(48_000),
            transcript: Some(Transcript::from_plain_text("hello there", Some(2.0))),
            report: Some(serde_json::json!({"coverage": 0.5})),
            self_scores: Some(SelfScores::new(3, 4, 2, 5).unwrap()),
            model: Some("base.en".into()),
            ..Attempt::default()
        };
        let json = serde_json::to_string_pretty(&a).unwrap();
        assert_eq!(serde_json::from_str::<Attempt>(&json).unwrap(), a);
    }

    #[test]
    fn panel_slot_is_optional_and_round_trips() {
        // A version-2 record from before panels existed loads without one and saves without the key.
        let old = r#"{"version":2,"id":"20261125-121530-q1","question_id":"q1",
            "started_at":"2026-11-25T12:15:30Z","status":"scored"}"#;
        let a: Attempt = serde_json::from_str(old).unwrap();
        assert_eq!(a.panel, None);
        assert!(serde_json::to_value(&a).unwrap().get("panel").is_none());
        let a = Attempt {
            panel: Some(PanelSlot {
                id: "panel-20261125-121500".into(),
                kind: AnswerKind::FollowUp,
                position: 1,
                planned: 4,
            }),
            ..a
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["panel"]["kind"], "follow-up");
        assert_eq!(serde_json::from_value::<Attempt>(v).unwrap(), a);
    }

    #[test]
    fn corrections_are_optional_and_round_trip() {
        use crate::rubric::corrections::{Correction, Verdict};
        // A record from before corrections existed loads without them and saves without the key.
        let old = r#"{"version":2,"id":"20261125-121530-q1","question_id":"q1",
            "started_at":"2026-11-25T12:15:30Z","status":"scored","report":{"rubric":[]}}"#;
        let a: Attempt = serde_json::from_str(old).unwrap();
        assert!(a.corrections.is_empty());
        assert!(serde_json::to_value(&a).unwrap().get("corrections").is_none());
        let a = Attempt {
            corrections: vec![Correction {
                cell: "boundaries".into(),
                verdict: Verdict::Counts,
                sentence: "Where this approach breaks is late data.".into(),
                start_s: 4.5,
                end_s: 7.0,
            }],
            ..a
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["corrections"][0]["verdict"], "counts");
        assert_eq!(v["corrections"][0]["cell"], "boundaries");
        assert_eq!(serde_json::from_value::<Attempt>(v).unwrap(), a);
    }

    #[test]
    fn self_scores_map_to_rubric_cells() {
        let s = SelfScores::new(1, 2, 3, 4).unwrap();
        let got: Vec<_> = ["restatement", "trade-offs", "boundaries", "execution", "communication"]
            .iter()
            .map(|c| s.for_cell(c))
            .collect();
        assert_eq!(got, [Some(1), Some(2), None, Some(3), Some(4)]);
    }

    #[test]
    fn self_scores_must_be_1_to_5() {
        assert!(SelfScores::new(1, 5, 3, 3).is_ok());
        let err = SelfScores::new(1, 6, 3, 3).unwrap_err();
        assert_eq!(err.field, "trade_offs");
        assert!(SelfScores::new(0, 1, 1, 1).is_err());
    }
}

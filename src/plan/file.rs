//! `<data>/plan.json`: the only thing the plan stores — its start and interview dates, and which deck it
//! drills (the built-in one unless the person chose an imported guide). Everything else is
//! derived from the attempts, so a damaged plan file never costs an answer: it is reported in words, a
//! fresh plan is offered, and the attempts are not touched. Written atomically, like `attempt.json`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::store::{StoreError, write_atomic};

/// File name in the data folder.
pub const PLAN_FILE: &str = "plan.json";
/// Layout version written by this build.
pub const PLAN_VERSION: u32 = 1;

/// The stored plan: its two dates and its deck.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDates {
    /// Layout version.
    #[serde(default)]
    pub version: u32,
    /// First day.
    #[serde(with = "super::ymd")]
    pub start: Date,
    /// The interview.
    #[serde(with = "super::ymd")]
    pub interview: Date,
    /// The deck whose questions the plan drills; `None` = the built-in deck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deck: Option<String>,
}

impl PlanDates {
    /// Checked dates: the interview must not be before the start.
    pub fn new(start: Date, interview: Date) -> Result<Self, PlanError> {
        if interview < start {
            return Err(PlanError::Order { start, interview });
        }
        Ok(Self {
            version: PLAN_VERSION,
            start,
            interview,
            deck: None,
        })
    }

    /// The same dates for the questions of deck `id` (`None`: the built-in deck).
    #[must_use]
    pub fn with_deck(mut self, id: Option<String>) -> Self {
        self.deck = id;
        self
    }
}

/// What went wrong with the plan file.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Reading or writing failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file is not a plan.
    #[error(
        "{path} is not a valid plan ({reason}); make a fresh one with `rehearse plan --interview YYYY-MM-DD` \
         (or set the dates on the Today screen) — your attempts are not affected"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The interview comes before the start.
    #[error(
        "the interview ({}) is before the start ({}); give an interview date on or after the start",
        super::ymd::format(*interview),
        super::ymd::format(*start)
    )]
    Order {
        /// Start.
        start: Date,
        /// Interview.
        interview: Date,
    },
}

/// `<data>/plan.json`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(PLAN_FILE)
}

/// The stored plan; `Ok(None)` when there is none yet.
pub fn load(data_dir: &Path) -> Result<Option<PlanDates>, PlanError> {
    let path = path(data_dir);
    let Some(bytes) = crate::store::read_if_exists(&path)? else {
        return Ok(None);
    };
    let dates: PlanDates = serde_json::from_slice(&bytes).map_err(|e| PlanError::Corrupt {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if dates.interview < dates.start {
        return Err(PlanError::Corrupt {
            path,
            reason: "the interview is before the start".into(),
        });
    }
    Ok(Some(dates))
}

/// Writes the plan atomically (temp file, then rename; 0600), creating the data folder if needed.
pub fn save(data_dir: &Path, dates: &PlanDates) -> Result<(), PlanError> {
    std::fs::create_dir_all(data_dir).map_err(|cause| StoreError::Io {
        action: "create folder",
        path: data_dir.to_path_buf(),
        cause,
    })?;
    let mut d = dates.clone();
    d.version = PLAN_VERSION;
    let json = serde_json::to_vec_pretty(&d).map_err(|e| PlanError::Corrupt {
        path: path(data_dir),
        reason: e.to_string(),
    })?;
    write_atomic(&path(data_dir), &json)?;
    Ok(())
}

/// Environment variable that fixes "today" (`YYYY-MM-DD`), for tests and demos.
pub const TODAY_ENV: &str = "REHEARSE_TODAY";

/// Today's date in local time (UTC when the local offset cannot be read), or `REHEARSE_TODAY`.
pub fn today_local() -> Date {
    if let Some(d) = std::env::var(TODAY_ENV).ok().and_then(|s| super::ymd::parse(&s).ok()) {
        return d;
    }
    time::OffsetDateTime::now_local()
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .date()
}

/// The questions a plan draws on: deck `deck` when it is loaded, else the built-in guide deck, else the first deck.
pub fn plan_questions(decks: &[crate::bank::Deck], deck: Option<&str>) -> Vec<crate::bank::Question> {
    decks
        .iter()
        .find(|d| Some(d.id.as_str()) == deck)
        .or_else(|| decks.iter().find(|d| d.id == "product-metrics"))
        .or_else(|| decks.first())
        .map(|d| d.questions.clone())
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn round_trips_and_reports_damage_in_words() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
        let d = PlanDates::new(date!(2026 - 11 - 26), date!(2026 - 12 - 04)).unwrap();
        save(dir.path(), &d).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(d));
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(text.contains("\"start\": \"2026-11-26\""), "{text}");
        for bad in [
            "{\"start\": \"2026-11-",
            "[]",
            "{\"start\": \"tomorrow\", \"interview\": \"2026-12-01\"}",
            "{\"start\": \"2026-12-02\", \"interview\": \"2026-12-01\"}",
        ] {
            std::fs::write(path(dir.path()), bad).unwrap();
            let e = load(dir.path()).unwrap_err().to_string();
            assert!(
                e.contains("is not a valid plan") && e.contains("attempts are not affected"),
                "{e}"
            );
        }
        assert!(PlanDates::new(date!(2026 - 12 - 02), date!(2026 - 12 - 01)).is_err());
    }
}

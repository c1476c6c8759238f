#![allow(dead_code)] // temporary stand-in
//! TEMPORARY stand-in for `crate::store` (being delivered into main by another engineer), with the same
//! names and shapes the app uses, so switching over is a one-line `use` change. Deleted once the real
//! store lands.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::transcript::Transcript;

/// Where an attempt is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Recording,
    Recorded,
    Transcribed,
    Scored,
    Failed,
}

impl Status {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recording => "recording",
            Self::Recorded => "recorded",
            Self::Transcribed => "transcribed",
            Self::Scored => "scored",
            Self::Failed => "failed",
        }
    }
}

/// The person's own 1–5 ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfScores {
    pub restatement: u8,
    pub trade_offs: u8,
    pub execution: u8,
    pub communication: u8,
}

mod unix {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(t.unix_timestamp())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let secs = i64::deserialize(d)?;
        OffsetDateTime::from_unix_timestamp(secs).map_err(serde::de::Error::custom)
    }
}

/// One attempt (`attempt.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attempt {
    pub id: String,
    pub question_id: String,
    pub deck_id: String,
    #[serde(with = "unix")]
    pub started_at: OffsetDateTime,
    pub duration_s: f64,
    pub status: Status,
    pub device: Option<String>,
    pub notes: String,
    pub transcript: Option<Transcript>,
    pub report: Option<serde_json::Value>,
    pub self_scores: Option<SelfScores>,
    pub model: Option<String>,
    pub error: Option<String>,
}

impl Default for Attempt {
    fn default() -> Self {
        Self {
            id: String::new(),
            question_id: String::new(),
            deck_id: String::new(),
            started_at: OffsetDateTime::UNIX_EPOCH,
            duration_s: 0.0,
            status: Status::Recording,
            device: None,
            notes: String::new(),
            transcript: None,
            report: None,
            self_scores: None,
            model: None,
            error: None,
        }
    }
}

/// A freshly created attempt and where its audio goes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttempt {
    pub attempt: Attempt,
    pub dir: PathBuf,
    pub wav_path: PathBuf,
}

/// Attempts under `<root>/attempts`.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

type Result<T> = std::result::Result<T, std::io::Error>;

impl Store {
    /// Opens (creating) the store.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let store = Self { root: root.into() };
        std::fs::create_dir_all(store.root.join("attempts"))?;
        Ok(store)
    }

    /// The folder of one attempt.
    pub fn attempt_dir(&self, id: &str) -> PathBuf {
        self.root.join("attempts").join(id)
    }

    /// The answer audio of one attempt.
    pub fn wav_path(&self, id: &str) -> PathBuf {
        self.attempt_dir(id).join("answer.wav")
    }

    /// Creates a new attempt folder.
    pub fn create_attempt(&self, question_id: &str, deck_id: &str) -> Result<NewAttempt> {
        let now = OffsetDateTime::now_utc();
        let base = format!("{}-{question_id}", now.unix_timestamp());
        let mut n = 1;
        let (id, dir) = loop {
            let id = if n == 1 { base.clone() } else { format!("{base}-{n}") };
            let dir = self.attempt_dir(&id);
            match std::fs::create_dir(&dir) {
                Ok(()) => break (id, dir),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
                Err(e) => return Err(e),
            }
        };
        let attempt = Attempt {
            id,
            question_id: question_id.to_owned(),
            deck_id: deck_id.to_owned(),
            started_at: now,
            ..Attempt::default()
        };
        self.save(&attempt)?;
        Ok(NewAttempt {
            attempt,
            wav_path: dir.join("answer.wav"),
            dir,
        })
    }

    /// Writes `attempt.json` atomically.
    pub fn save(&self, attempt: &Attempt) -> Result<()> {
        let dir = self.attempt_dir(&attempt.id);
        std::fs::create_dir_all(&dir)?;
        let json = serde_json::to_vec_pretty(attempt).map_err(std::io::Error::other)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        std::io::Write::write_all(&mut tmp, &json)?;
        tmp.persist(dir.join("attempt.json")).map_err(|e| e.error)?;
        Ok(())
    }

    /// Every attempt, newest first.
    pub fn list(&self) -> Result<Vec<Attempt>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.root.join("attempts"))? {
            let path = entry?.path().join("attempt.json");
            if let Some(a) = load(&path) {
                out.push(a);
            }
        }
        out.sort_by(|a: &Attempt, b| b.started_at.cmp(&a.started_at).then_with(|| b.id.cmp(&a.id)));
        Ok(out)
    }

    /// Deletes an attempt folder.
    pub fn delete(&self, id: &str) -> Result<()> {
        std::fs::remove_dir_all(self.attempt_dir(id))
    }

    /// Turns interrupted recordings into recorded attempts (stand-in: nothing to do).
    pub fn recover(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

fn load(path: &Path) -> Option<Attempt> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

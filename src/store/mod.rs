//! Attempts on disk. Each spoken answer gets a private folder `<data>/attempts/<id>/` holding
//! `answer.wav` (written by the capture engine) and `attempt.json` (this module). The audio is
//! the valuable part: it reaches the disk before transcription starts, a failed transcription only
//! records an `error`, and [`Store::recover`] turns a recording interrupted by a crash into a
//! usable attempt. JSON is written atomically (temp file in the same folder, then rename), folders
//! are 0700 and files 0600, because answers are personal.

pub mod attempt;
pub mod recover;

use std::fs::{self, DirBuilder, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;

pub use attempt::{Attempt, InvalidScore, SelfScores, Status};
pub use recover::{RepairError, RepairedWav, repair_wav};

/// Environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "REHEARSE_DATA_DIR";
/// File name of an attempt's record.
pub const ATTEMPT_FILE: &str = "attempt.json";
/// File name of an attempt's audio.
pub const WAV_FILE: &str = "answer.wav";
/// Folder (under the data folder) holding one folder per attempt.
pub const ATTEMPTS_DIR: &str = "attempts";

/// What went wrong in the store, naming the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No home directory to derive a data folder from.
    #[error("cannot find a data folder for rehearse (no home directory?); set {DATA_DIR_ENV} to a writable folder")]
    NoDataDir,
    /// A file operation failed.
    #[error("cannot {action} {path}: {cause}")]
    Io {
        /// What was being done ("create folder", "write", …).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// What the OS said.
        cause: io::Error,
    },
    /// `attempt.json` is not valid.
    #[error("{path} is not a valid attempt record: {cause}; fix or delete that attempt's folder")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What serde said.
        cause: serde_json::Error,
    },
    /// No attempt has this id (or prefix).
    #[error("no attempt matches \"{0}\"; `rehearse attempts` lists the ids")]
    NotFound(String),
    /// The prefix matches more than one attempt.
    #[error("\"{prefix}\" matches several attempts ({matches}); give more of the id")]
    Ambiguous {
        /// What was asked for.
        prefix: String,
        /// The matching ids, comma-separated.
        matches: String,
    },
    /// The id is not a plain folder name.
    #[error("\"{0}\" is not a valid attempt id")]
    InvalidId(String),
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |cause| StoreError::Io { action, path, cause }
}

/// A freshly created attempt: its record (status `recording`, already saved) and where to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttempt {
    /// The saved record.
    pub attempt: Attempt,
    /// The attempt's folder.
    pub dir: PathBuf,
    /// Where the capture engine should write the audio.
    pub wav_path: PathBuf,
}

/// The attempt store rooted at a data folder.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Opens the store in `$REHEARSE_DATA_DIR` if set, else the platform data folder
    /// (e.g. `~/.local/share/rehearse`).
    pub fn open_default() -> Result<Self> {
        Self::open(crate::paths::data_dir())
    }

    /// Opens (creating if needed, mode 0700) the store rooted at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let store = Self { root: root.into() };
        private_dir_all(&store.root)?;
        private_dir_all(&store.attempts_dir())?;
        Ok(store)
    }

    /// The data folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<data>/attempts`.
    pub fn attempts_dir(&self) -> PathBuf {
        self.root.join(ATTEMPTS_DIR)
    }

    /// Folder of attempt `id` (whether or not it exists).
    pub fn attempt_dir(&self, id: &str) -> PathBuf {
        self.attempts_dir().join(id)
    }

    /// Audio file of attempt `id`.
    pub fn wav_path(&self, id: &str) -> PathBuf {
        self.attempt_dir(id).join(WAV_FILE)
    }

    fn json_path(&self, id: &str) -> PathBuf {
        self.attempt_dir(id).join(ATTEMPT_FILE)
    }

    /// Creates an attempt starting now (local time when the offset is known, else UTC).
    pub fn create_attempt(&self, question_id: &str, deck_id: &str) -> Result<NewAttempt> {
        let now = OffsetDateTime::now_local().unwrap_or_else(|_| OffsetDateTime::now_utc());
        self.create_attempt_at(question_id, deck_id, now)
    }

    /// Creates an attempt folder and its record (status `recording`) for an answer started at
    /// `started_at`. The id is `YYYYMMDD-HHMMSS-<question id>`, with `-2`, `-3`… on collision.
    pub fn create_attempt_at(
        &self,
        question_id: &str,
        deck_id: &str,
        started_at: OffsetDateTime,
    ) -> Result<NewAttempt> {
        let stamp = started_at
            .format(format_description!("[year][month][day]-[hour][minute][second]"))
            .unwrap_or_else(|_| started_at.unix_timestamp().to_string());
        let base = format!("{stamp}-{}", sanitize(question_id));
        let mut n = 1;
        let (id, dir) = loop {
            let id = if n == 1 { base.clone() } else { format!("{base}-{n}") };
            let dir = self.attempt_dir(&id);
            match private_dir(&dir) {
                Ok(()) => break (id, dir),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => n += 1,
                Err(cause) => {
                    return Err(StoreError::Io {
                        action: "create folder",
                        path: dir,
                        cause,
                    });
                }
            }
        };
        let attempt = Attempt {
            id: id.clone(),
            question_id: question_id.to_owned(),
            deck_id: deck_id.to_owned(),
            started_at,
            status: Status::Recording,
            ..Attempt::default()
        };
        self.save(&attempt)?;
        Ok(NewAttempt {
            attempt,
            wav_path: dir.join(WAV_FILE),
            dir,
        })
    }

    /// Writes `attempt.json` atomically (0600), creating the folder if it vanished.
    pub fn save(&self, attempt: &Attempt) -> Result<()> {
        check_id(&attempt.id)?;
        let dir = self.attempt_dir(&attempt.id);
        private_dir_all(&dir)?;
        let json = serde_json::to_vec_pretty(attempt).map_err(|cause| StoreError::Corrupt {
            path: self.json_path(&attempt.id),
            cause,
        })?;
        write_atomic(&self.json_path(&attempt.id), &json)
    }

    /// Loads attempt `id_or_prefix`, applies `change`, saves it and returns the result.
    pub fn update(&self, id_or_prefix: &str, change: impl FnOnce(&mut Attempt)) -> Result<Attempt> {
        let mut attempt = self.get(id_or_prefix)?;
        let id = attempt.id.clone();
        change(&mut attempt);
        // The folder name is the identity; a changed id field would orphan the folder.
        attempt.id = id;
        self.save(&attempt)?;
        Ok(attempt)
    }

    /// All readable attempts, newest first. Unreadable ones are skipped; see [`Store::scan`].
    pub fn list(&self) -> Result<Vec<Attempt>> {
        Ok(self.scan()?.0)
    }

    /// All attempts, newest first, plus the problems met (folders without or with a broken
    /// `attempt.json`), so the caller can show them once.
    pub fn scan(&self) -> Result<(Vec<Attempt>, Vec<StoreError>)> {
        let dir = self.attempts_dir();
        let mut attempts = Vec::new();
        let mut problems = Vec::new();
        for entry in fs::read_dir(&dir).map_err(io_err("read folder", &dir))? {
            let entry = entry.map_err(io_err("read folder", &dir))?;
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Some(id) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            match self.load(&id) {
                Ok(a) => attempts.push(a),
                Err(e) => problems.push(e),
            }
        }
        attempts.sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| b.id.cmp(&a.id)));
        Ok((attempts, problems))
    }

    fn load(&self, id: &str) -> Result<Attempt> {
        let path = self.json_path(id);
        let bytes = fs::read(&path).map_err(io_err("read", &path))?;
        let mut attempt: Attempt = serde_json::from_slice(&bytes).map_err(|cause| StoreError::Corrupt {
            path: path.clone(),
            cause,
        })?;
        // The folder name is authoritative (a copied folder may carry another id).
        id.clone_into(&mut attempt.id);
        Ok(attempt)
    }

    /// Attempt with this exact id, or the only one whose id starts with it.
    pub fn get(&self, id_or_prefix: &str) -> Result<Attempt> {
        let id = self.resolve(id_or_prefix)?;
        self.load(&id)
    }

    /// Full id for an exact id or unique prefix.
    pub fn resolve(&self, id_or_prefix: &str) -> Result<String> {
        check_id(id_or_prefix)?;
        if self.json_path(id_or_prefix).is_file() {
            return Ok(id_or_prefix.to_owned());
        }
        let dir = self.attempts_dir();
        let mut matches: Vec<String> = fs::read_dir(&dir)
            .map_err(io_err("read folder", &dir))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| name.starts_with(id_or_prefix))
            .collect();
        matches.sort();
        match matches.len() {
            0 => Err(StoreError::NotFound(id_or_prefix.to_owned())),
            1 => Ok(matches.remove(0)),
            _ => Err(StoreError::Ambiguous {
                prefix: id_or_prefix.to_owned(),
                matches: matches.join(", "),
            }),
        }
    }

    /// Deletes the attempt's folder with its audio (exact id or unique prefix).
    pub fn delete(&self, id_or_prefix: &str) -> Result<()> {
        let id = self.resolve(id_or_prefix)?;
        let dir = self.attempt_dir(&id);
        fs::remove_dir_all(&dir).map_err(io_err("delete", &dir))
    }

    /// Start-up recovery: every attempt still marked `recording` was interrupted (crash, kill,
    /// power loss). Its WAV header is repaired to the whole frames on disk, the duration is
    /// recomputed and it becomes `recorded` with a recovery note — or `failed` if no audio
    /// survived. Returns the ids it changed. Call it before any recording starts.
    pub fn recover(&self) -> Result<Vec<String>> {
        let (attempts, _) = self.scan()?;
        let mut recovered = Vec::new();
        for mut attempt in attempts {
            remove_stale_temp_files(&self.attempt_dir(&attempt.id));
            if attempt.status != Status::Recording {
                continue;
            }
            let wav = self.wav_path(&attempt.id);
            attempt.recovered = true;
            match repair_wav(&wav) {
                Ok(r) if r.frames > 0 => {
                    attempt.status = Status::Recorded;
                    attempt.duration_s = r.duration_s();
                    attempt.sample_rate = Some(r.sample_rate);
                    if attempt.ended_at.is_none() {
                        attempt.ended_at = Some(attempt.started_at + time::Duration::seconds_f64(r.duration_s()));
                    }
                    let mut note = format!(
                        "recovered after rehearse stopped while recording: kept {:.1} s of audio",
                        r.duration_s()
                    );
                    if r.truncated_bytes > 0 {
                        note.push_str(&format!(" (dropped {} bytes of a cut-off sample)", r.truncated_bytes));
                    }
                    attempt.recovery_note = Some(note);
                }
                Ok(_) => {
                    attempt.status = Status::Failed;
                    attempt.duration_s = 0.0;
                    attempt.recovery_note =
                        Some("recording was interrupted before any audio reached the disk".to_owned());
                    attempt.error = attempt.recovery_note.clone();
                }
                Err(e) => {
                    attempt.status = Status::Failed;
                    attempt.recovery_note =
                        Some("recording was interrupted and its audio could not be repaired".to_owned());
                    attempt.error = Some(match e {
                        RepairError::Io { ref cause, .. } if cause.kind() == io::ErrorKind::NotFound => {
                            format!("no audio file {}", wav.display())
                        }
                        other => other.to_string(),
                    });
                }
            }
            self.save(&attempt)?;
            recovered.push(attempt.id);
        }
        Ok(recovered)
    }
}

/// Keeps `[A-Za-z0-9_-]` of a question id (others become `_`) so it is a safe folder name.
fn sanitize(question_id: &str) -> String {
    let s: String = question_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "q".to_owned() } else { s }
}

fn check_id(id: &str) -> Result<()> {
    let ok =
        !id.is_empty() && !id.starts_with('.') && !id.contains(['/', '\\']) && Path::new(id).components().count() == 1;
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidId(id.to_owned()))
    }
}

fn private_dir(path: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Creates `path` and missing parents; `path` itself ends up 0700 even if it existed.
fn private_dir_all(path: &Path) -> Result<()> {
    if !path.is_dir() {
        let mut builder = DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(path).map_err(io_err("create folder", path))?;
    }
    set_mode(path, 0o700).map_err(io_err("set permissions on", path))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = fs::metadata(path)?.permissions().mode() & 0o777;
    if current == mode {
        return Ok(());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Writes `bytes` to `path` through a temp file in the same folder, fsyncs it, renames it over
/// `path` and fsyncs the folder: readers see the old or the new file, never a torn one.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err("create a temp file in", dir))?;
    tmp.write_all(bytes).map_err(io_err("write", path))?;
    tmp.as_file().sync_all().map_err(io_err("write", path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_err("set permissions on", path))?;
    }
    tmp.persist(path).map_err(|e| StoreError::Io {
        action: "replace",
        path: path.to_path_buf(),
        cause: e.error,
    })?;
    if let Ok(d) = File::open(dir) {
        // Makes the rename durable; not all platforms allow fsync on a folder.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes `.tmp*` files left by a write interrupted before its rename.
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("data")).unwrap();
        (dir, store)
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn create_makes_a_sortable_id_and_a_recording_record() {
        let (_d, store) = store();
        let at = datetime!(2026-11-25 12:15:30 +01:00);
        let new = store.create_attempt_at("q1", "deck", at).unwrap();
        assert_eq!(new.attempt.id, "20261125-121530-q1");
        assert_eq!(new.attempt.status, Status::Recording);
        assert_eq!(new.wav_path, store.wav_path("20261125-121530-q1"));
        assert_eq!(new.dir, store.attempts_dir().join("20261125-121530-q1"));
        assert_eq!(store.get("20261125-121530-q1").unwrap(), new.attempt);
        // Same second, same question: a distinct folder.
        let again = store.create_attempt_at("q1", "deck", at).unwrap();
        assert_eq!(again.attempt.id, "20261125-121530-q1-2");
        let odd = store.create_attempt_at("../etc/passwd", "deck", at).unwrap();
        assert_eq!(odd.attempt.id, "20261125-121530-___etc_passwd");
    }

    #[cfg(unix)]
    #[test]
    fn folders_are_0700_and_files_0600() {
        let (_d, store) = store();
        let new = store
            .create_attempt_at("q1", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        assert_eq!(mode(store.root()), 0o700);
        assert_eq!(mode(&store.attempts_dir()), 0o700);
        assert_eq!(mode(&new.dir), 0o700);
        assert_eq!(mode(&new.dir.join(ATTEMPT_FILE)), 0o600);
        let mut a = new.attempt.clone();
        a.notes = "second save".into();
        store.save(&a).unwrap();
        assert_eq!(mode(&new.dir.join(ATTEMPT_FILE)), 0o600);
        // A root that existed with looser permissions is tightened.
        let loose = _d.path().join("loose");
        fs::create_dir(&loose).unwrap();
        fs::set_permissions(&loose, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        Store::open(&loose).unwrap();
        assert_eq!(mode(&loose), 0o700);
    }

    #[test]
    fn writes_are_atomic_and_leave_no_temp_files() {
        let (_d, store) = store();
        let new = store
            .create_attempt_at("q1", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        let json = new.dir.join(ATTEMPT_FILE);
        for i in 0..20 {
            store
                .update(&new.attempt.id, |a| a.notes = "x".repeat(i * 1000))
                .unwrap();
            // Every state a reader can see parses.
            let a: Attempt = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
            assert_eq!(a.notes.len(), i * 1000);
        }
        let names: Vec<String> = fs::read_dir(&new.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![ATTEMPT_FILE.to_owned()]);
    }

    #[test]
    fn list_is_newest_first_and_get_accepts_a_unique_prefix() {
        let (_d, store) = store();
        store
            .create_attempt_at("q1", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        store
            .create_attempt_at("q2", "d", datetime!(2026-03-01 10:00:00 UTC))
            .unwrap();
        store
            .create_attempt_at("q3", "d", datetime!(2026-02-01 10:00:00 UTC))
            .unwrap();
        fs::create_dir(store.attempts_dir().join("junk")).unwrap();
        let ids: Vec<String> = store.list().unwrap().into_iter().map(|a| a.id).collect();
        assert_eq!(ids, ["20260301-100000-q2", "20260201-100000-q3", "20260102-030405-q1"]);
        assert_eq!(store.scan().unwrap().1.len(), 1, "junk folder reported");
        assert_eq!(store.get("202603").unwrap().question_id, "q2");
        assert!(matches!(store.get("2026"), Err(StoreError::Ambiguous { .. })));
        assert!(matches!(store.get("1999"), Err(StoreError::NotFound(_))));
        assert!(matches!(store.get("../x"), Err(StoreError::InvalidId(_))));
        store.delete("20260201").unwrap();
        assert_eq!(store.list().unwrap().len(), 2);
        assert!(!store.attempt_dir("20260201-100000-q3").exists());
    }

    #[test]
    fn a_transcription_failure_keeps_the_audio() {
        let (_d, store) = store();
        let new = store
            .create_attempt_at("q1", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        fs::write(&new.wav_path, b"audio").unwrap();
        store
            .update(&new.attempt.id, |a| {
                a.status = Status::Recorded;
                a.error = Some("whisper failed".into());
            })
            .unwrap();
        assert!(new.wav_path.exists());
        assert_eq!(store.get(&new.attempt.id).unwrap().status, Status::Recorded);
    }

    #[test]
    fn open_default_honours_the_env_override() {
        // Only this test touches the variable.
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: no other test in this crate reads or writes this variable.
        unsafe { std::env::set_var(DATA_DIR_ENV, dir.path()) };
        let store = Store::open_default().unwrap();
        unsafe { std::env::remove_var(DATA_DIR_ENV) };
        assert_eq!(store.root(), dir.path());
        assert!(store.attempts_dir().is_dir());
    }

    /// A WAV as a crash leaves it: header flushed at `flushed` frames, more samples after it, and
    /// the last sample cut in half.
    fn crashed_wav(path: &Path, flushed: u32, extra_frames: u16) {
        let spec = crate::audio::wav::mono_spec(16_000);
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..flushed {
            w.write_sample((i % 300) as i16).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let mut f = fs::OpenOptions::new().append(true).open(path).unwrap();
        for i in 0..extra_frames {
            f.write_all(&(i as i16).to_le_bytes()).unwrap();
        }
        f.write_all(&[0x7f]).unwrap();
    }

    #[test]
    fn recover_repairs_an_interrupted_recording() {
        let (_d, store) = store();
        let new = store
            .create_attempt_at("q1", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        crashed_wav(&new.wav_path, 16_000, 8_000);
        let empty = store
            .create_attempt_at("q2", "d", datetime!(2026-01-02 03:05:00 UTC))
            .unwrap();
        crashed_wav(&empty.wav_path, 0, 0);
        let missing = store
            .create_attempt_at("q3", "d", datetime!(2026-01-02 03:06:00 UTC))
            .unwrap();
        let done = store
            .create_attempt_at("q4", "d", datetime!(2026-01-02 03:07:00 UTC))
            .unwrap();
        store.update(&done.attempt.id, |a| a.status = Status::Scored).unwrap();
        fs::write(new.dir.join(".tmpAbC123"), b"{").unwrap();

        let mut ids = store.recover().unwrap();
        ids.sort();
        assert_eq!(
            ids,
            [
                new.attempt.id.clone(),
                empty.attempt.id.clone(),
                missing.attempt.id.clone()
            ]
        );

        let a = store.get(&new.attempt.id).unwrap();
        assert_eq!(a.status, Status::Recorded);
        assert!(a.recovered);
        assert!((a.duration_s - 1.5).abs() < 1e-9, "{}", a.duration_s);
        assert_eq!(a.sample_rate, Some(16_000));
        assert_eq!(a.ended_at, Some(datetime!(2026-01-02 03:04:06.5 UTC)));
        assert!(a.recovery_note.as_deref().unwrap().contains("1.5 s"));
        let reader = hound::WavReader::open(&new.wav_path).unwrap();
        assert_eq!(reader.duration(), 24_000);
        let samples: Vec<i16> = reader.into_samples().map(Result::unwrap).collect();
        assert_eq!(samples[16_000 + 7_999], 7_999);
        assert!(!new.dir.join(".tmpAbC123").exists());

        assert_eq!(store.get(&empty.attempt.id).unwrap().status, Status::Failed);
        let m = store.get(&missing.attempt.id).unwrap();
        assert_eq!(m.status, Status::Failed);
        assert!(m.error.unwrap().contains("no audio file"));
        assert_eq!(store.get(&done.attempt.id).unwrap().status, Status::Scored);
        // Idempotent.
        assert!(store.recover().unwrap().is_empty());
    }
}

//! Attempts on disk. Each spoken answer gets a private folder `<data>/attempts/<id>/` holding
//! `answer.wav` (written by the capture engine) and `attempt.json` (this module). The audio is
//! the valuable part: it reaches the disk before transcription starts, a failed transcription only
//! records an `error`, and [`Store::recover`] turns a recording interrupted by a crash into a
//! usable attempt. JSON is written atomically (temp file in the same folder, then rename), folders
//! are 0700 and files 0600, because answers are personal.
//!
//! Several processes may share one data folder (two windows, or the window and `rehearse record`).
//! Every write takes an advisory lock on `<data>/.lock`, so a read-modify-write ([`Store::update`])
//! cannot lose another's change, and the process recording an attempt holds a lock on the attempt's
//! `.recording` file until its status moves on, so another process's start-up recovery leaves a live
//! recording alone. The kernel drops both locks when a process dies, which is what lets recovery
//! repair a crashed recording. A record that cannot be read (corrupt, or written by a newer rehearse)
//! is listed as [`Damaged`] and never written over.

pub mod attempt;
pub mod corrections;
mod decks;

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use time::OffsetDateTime;
use time::macros::format_description;

use crate::audio::wav::{RepairError, repair_wav};

pub use attempt::{ATTEMPT_VERSION, AnswerKind, Attempt, InvalidScore, PanelSlot, SelfScores, Status};
pub use decks::save_user_deck;

/// Environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "REHEARSE_DATA_DIR";
/// File name of an attempt's record.
pub const ATTEMPT_FILE: &str = "attempt.json";
/// File name of an attempt's audio.
pub const WAV_FILE: &str = "answer.wav";
/// Folder (under the data folder) holding one folder per attempt.
pub const ATTEMPTS_DIR: &str = "attempts";
/// Lock file (in the data folder) taken around every write.
const WRITE_LOCK: &str = ".lock";
/// Lock file (in an attempt folder) held by the process recording that attempt.
const RECORDING_LOCK: &str = ".recording";

/// Recording locks this process holds, by attempt folder. Process-wide, because a lock belongs to
/// an open file and every `Store` value in the process must see the same ones.
static HELD: Mutex<Vec<(PathBuf, File)>> = Mutex::new(Vec::new());

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
    /// `attempt.json` was written by a newer rehearse, in a layout this build does not know.
    #[error(
        "{path} was written by a newer rehearse (attempt format {found}; this build reads up to \
         {ATTEMPT_VERSION}); update rehearse to open it"
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// The version it declares.
        found: u64,
    },
    /// A save would have replaced a record this build cannot read; the file was left as it is.
    #[error("not saving attempt {id}: {reason}")]
    WontOverwrite {
        /// The attempt.
        id: String,
        /// Why the existing record cannot be read.
        reason: String,
    },
    /// Another process is recording this attempt.
    #[error("attempt {0} is being recorded by another rehearse; stop that recording first")]
    Busy(String),
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

/// An attempt folder whose record cannot be used: `attempt.json` missing, corrupt or written by a
/// newer rehearse. Its files are left untouched; [`Store::delete`] removes the folder on request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// Folder name.
    pub id: String,
    /// The attempt's folder (it may still hold `answer.wav`).
    pub dir: PathBuf,
    /// What is wrong, naming the file, for a person to read.
    pub reason: String,
}

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.id, self.reason)
    }
}

/// Everything in the store: the attempts that load, newest first, and the damaged folders.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    /// Readable attempts, newest first.
    pub attempts: Vec<Attempt>,
    /// Folders whose record cannot be read, by id descending.
    pub damaged: Vec<Damaged>,
}

/// Parses the bytes of an `attempt.json`; `path` names the file in errors. A `version` above
/// [`ATTEMPT_VERSION`] is [`StoreError::Newer`] even when the rest would parse.
pub fn parse_attempt(bytes: &[u8], path: &Path) -> Result<Attempt> {
    let corrupt = |cause| StoreError::Corrupt {
        path: path.to_path_buf(),
        cause,
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(corrupt)?;
    if let Some(found) = value.get("version").and_then(serde_json::Value::as_u64)
        && found > u64::from(ATTEMPT_VERSION)
    {
        return Err(StoreError::Newer {
            path: path.to_path_buf(),
            found,
        });
    }
    serde_json::from_value(value).map_err(corrupt)
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

    /// A handle on the store at `root` without touching the disk: for naming its files (e.g. where an
    /// attempt's audio is) where opening is done elsewhere.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Opens the store at `root`, creating its folders (0700) if needed.
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
    /// This process holds the attempt's recording lock until a save moves its status on from
    /// `recording` (or it is deleted), so other processes' recovery leaves it alone meanwhile.
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
        // Locked before the record says `recording`: whoever reads that status finds the lock.
        hold_recording(&dir)?;
        self.save(&attempt)?;
        Ok(NewAttempt {
            attempt,
            wav_path: dir.join(WAV_FILE),
            dir,
        })
    }

    /// Writes `attempt.json` atomically (0600, current [`ATTEMPT_VERSION`]), creating the folder if
    /// it vanished. Refuses ([`StoreError::WontOverwrite`]) to replace a record that is corrupt or
    /// from a newer rehearse. A status other than `recording` releases this process's recording lock.
    pub fn save(&self, attempt: &Attempt) -> Result<()> {
        self.with_write_lock(|| self.save_locked(attempt))
    }

    fn save_locked(&self, attempt: &Attempt) -> Result<()> {
        check_id(&attempt.id)?;
        let dir = self.attempt_dir(&attempt.id);
        private_dir_all(&dir)?;
        let path = self.json_path(&attempt.id);
        match self.load(&attempt.id) {
            Ok(_) => {}
            Err(StoreError::Io { cause, .. }) if cause.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(StoreError::WontOverwrite {
                    id: attempt.id.clone(),
                    reason: e.to_string(),
                });
            }
        }
        let mut current = attempt.clone();
        current.version = ATTEMPT_VERSION;
        let json = serde_json::to_vec_pretty(&current).map_err(|cause| StoreError::Corrupt {
            path: path.clone(),
            cause,
        })?;
        write_atomic(&path, &json)?;
        if attempt.status != Status::Recording {
            release_recording(&dir);
        }
        Ok(())
    }

    /// Loads attempt `id_or_prefix`, applies `change`, saves it and returns the result, all under
    /// the write lock, so a change made by another process meanwhile is not lost.
    pub fn update(&self, id_or_prefix: &str, change: impl FnOnce(&mut Attempt)) -> Result<Attempt> {
        self.with_write_lock(|| {
            let mut attempt = self.get(id_or_prefix)?;
            let id = attempt.id.clone();
            change(&mut attempt);
            // The folder name is the identity; a changed id field would orphan the folder.
            attempt.id = id;
            self.save_locked(&attempt)?;
            Ok(attempt)
        })
    }

    /// All readable attempts, newest first. Damaged ones are left out; see [`Store::listing`].
    pub fn list(&self) -> Result<Vec<Attempt>> {
        Ok(self.listing()?.attempts)
    }

    /// All attempts, newest first, plus the damaged folders (no, a corrupt, or a newer-version
    /// `attempt.json`), so the caller can show them. One bad folder never hides the others.
    pub fn listing(&self) -> Result<Listing> {
        let dir = self.attempts_dir();
        let mut listing = Listing::default();
        for entry in fs::read_dir(&dir).map_err(io_err("read folder", &dir))? {
            let entry = entry.map_err(io_err("read folder", &dir))?;
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Some(id) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if id.starts_with('.') {
                continue;
            }
            match self.load(&id) {
                Ok(a) => listing.attempts.push(a),
                Err(e) => {
                    let reason = match e {
                        StoreError::Io { cause, path, .. } if cause.kind() == io::ErrorKind::NotFound => {
                            format!("{} is missing", path.display())
                        }
                        other => other.to_string(),
                    };
                    listing.damaged.push(Damaged {
                        dir: self.attempt_dir(&id),
                        id,
                        reason,
                    });
                }
            }
        }
        listing
            .attempts
            .sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| b.id.cmp(&a.id)));
        listing.damaged.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(listing)
    }

    fn load(&self, id: &str) -> Result<Attempt> {
        let path = self.json_path(id);
        let bytes = fs::read(&path).map_err(io_err("read", &path))?;
        let mut attempt = parse_attempt(&bytes, &path)?;
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

    /// Whether another process is recording attempt `id` (it holds the recording lock; not this one).
    pub fn recorded_elsewhere(&self, id: &str) -> bool {
        let dir = self.attempt_dir(id);
        !recording_here(&dir) && recording_elsewhere(&dir)
    }

    /// Deletes the attempt's folder with its audio (exact id or unique prefix). A damaged attempt
    /// can be deleted; one being recorded by another process cannot ([`StoreError::Busy`]).
    pub fn delete(&self, id_or_prefix: &str) -> Result<()> {
        self.with_write_lock(|| {
            let id = self.resolve(id_or_prefix)?;
            let dir = self.attempt_dir(&id);
            if recording_here(&dir) {
                release_recording(&dir);
            } else if recording_elsewhere(&dir) {
                return Err(StoreError::Busy(id));
            }
            fs::remove_dir_all(&dir).map_err(io_err("delete", &dir))
        })
    }

    /// Runs `f` holding the store's write lock (an advisory lock on `<data>/.lock`, waiting for
    /// another process's write to finish). Not re-entrant: `f` must not call a locking method.
    fn with_write_lock<R>(&self, f: impl FnOnce() -> Result<R>) -> Result<R> {
        let path = self.root.join(WRITE_LOCK);
        let file = private_file(&path).map_err(io_err("open", &path))?;
        file.lock().map_err(io_err("lock", &path))?;
        let result = f();
        drop(file);
        result
    }

    /// Start-up recovery: every attempt still marked `recording` was interrupted (crash, kill,
    /// power loss). Its WAV header is repaired to the whole frames on disk, the duration is
    /// recomputed and it becomes `recorded` with a recovery note — or `failed` if no audio
    /// survived. Returns the ids it changed. Call it before any recording starts.
    pub fn recover(&self) -> Result<Vec<String>> {
        let listing = self.listing()?;
        self.with_write_lock(|| {
            for a in &listing.attempts {
                remove_stale_temp_files(&self.attempt_dir(&a.id));
            }
            Ok(())
        })?;
        let mut recovered = Vec::new();
        for attempt in listing.attempts {
            if attempt.status != Status::Recording || recording_live(&self.attempt_dir(&attempt.id)) {
                continue;
            }
            if let Some(id) = self.with_write_lock(|| self.recover_one(&attempt.id))? {
                recovered.push(id);
            }
        }
        Ok(recovered)
    }

    /// Repairs one interrupted recording; `None` when it turned out not to need it (re-read under
    /// the write lock: its recorder may have finished it since the listing).
    fn recover_one(&self, id: &str) -> Result<Option<String>> {
        let Ok(mut attempt) = self.load(id) else {
            return Ok(None);
        };
        if attempt.status != Status::Recording || recording_live(&self.attempt_dir(id)) {
            return Ok(None);
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
                attempt.recovery_note = Some("recording was interrupted before any audio reached the disk".to_owned());
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
        self.save_locked(&attempt)?;
        Ok(Some(attempt.id))
    }
}

/// Takes (or keeps) this process's recording lock on attempt folder `dir`.
fn hold_recording(dir: &Path) -> Result<()> {
    let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
    if held.iter().any(|(d, _)| d == dir) {
        return Ok(());
    }
    let path = dir.join(RECORDING_LOCK);
    let file = private_file(&path).map_err(io_err("open", &path))?;
    match file.try_lock() {
        Ok(()) => {
            held.push((dir.to_path_buf(), file));
            Ok(())
        }
        Err(fs::TryLockError::WouldBlock) => Err(StoreError::Busy(
            dir.file_name().unwrap_or_default().to_string_lossy().into_owned(),
        )),
        Err(fs::TryLockError::Error(cause)) => Err(StoreError::Io {
            action: "lock",
            path,
            cause,
        }),
    }
}

/// Drops this process's recording lock on `dir`, if it holds one, removing the lock file first.
fn release_recording(dir: &Path) {
    let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(i) = held.iter().position(|(d, _)| d == dir) {
        let (_, file) = held.swap_remove(i);
        let _ = fs::remove_file(dir.join(RECORDING_LOCK));
        drop(file);
    }
}

fn recording_here(dir: &Path) -> bool {
    HELD.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .any(|(d, _)| d == dir)
}

/// Whether another process (or another open of the file) holds the recording lock on `dir`.
fn recording_elsewhere(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(RECORDING_LOCK)) else {
        return false;
    };
    matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock))
}

/// Whether anyone, this process included, is recording into attempt folder `dir`.
fn recording_live(dir: &Path) -> bool {
    recording_here(dir) || recording_elsewhere(dir)
}

/// Opens (creating, 0600) a file for locking.
fn private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
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
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
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

/// The bytes of the file at `path`, or `None` when there is no such file (a file not written yet: the
/// caller's default). Any other failure is an error naming the file.
pub fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(cause) => Err(StoreError::Io {
            action: "read",
            path: path.to_path_buf(),
            cause,
        }),
    }
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
            .filter(|n| n != RECORDING_LOCK)
            .collect();
        assert_eq!(names, vec![ATTEMPT_FILE.to_owned()]);
        store.update(&new.attempt.id, |a| a.status = Status::Recorded).unwrap();
        assert!(!new.dir.join(RECORDING_LOCK).exists(), "released once recorded");
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
        assert_eq!(store.listing().unwrap().damaged.len(), 1, "junk folder reported");
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
        // While this process holds the recording locks, the recordings are live: left alone.
        assert!(store.recover().unwrap().is_empty());
        assert_eq!(store.get(&new.attempt.id).unwrap().status, Status::Recording);
        // As if the recording process had died: the kernel drops its locks.
        for dir in [&new.dir, &empty.dir, &missing.dir] {
            release_recording(dir);
        }

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

    fn attempt_bytes(store: &Store, id: &str) -> Vec<u8> {
        fs::read(store.attempt_dir(id).join(ATTEMPT_FILE)).unwrap()
    }

    #[test]
    fn damaged_records_are_listed_and_never_written_over() {
        let (_d, store) = store();
        let good = store
            .create_attempt_at("q1", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        store.update(&good.attempt.id, |a| a.status = Status::Recorded).unwrap();
        let put = |id: &str, json: &str| {
            let dir = store.attempt_dir(id);
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join(ATTEMPT_FILE), json).unwrap();
            fs::write(dir.join(WAV_FILE), b"RIFF audio kept").unwrap();
        };
        put("20260103-000000-corrupt", r#"{"id": "x", "status": "recor"#);
        put(
            "20260104-000000-newer",
            r#"{"version": 99, "status": "recording", "question_id": "q", "started_at": "2026-01-04T00:00:00Z"}"#,
        );
        put(
            "20260105-000000-wrongtype",
            r#"{"status": "recording", "duration_s": "long"}"#,
        );
        let no_record = store.attempt_dir("20260106-000000-norecord");
        fs::create_dir_all(&no_record).unwrap();
        fs::write(no_record.join(WAV_FILE), b"RIFF").unwrap();

        let listing = store.listing().unwrap();
        assert_eq!(listing.attempts.len(), 1, "the good one still loads");
        assert_eq!(listing.attempts[0].id, good.attempt.id);
        let reasons: Vec<(&str, &str)> = listing
            .damaged
            .iter()
            .map(|d| (d.id.as_str(), d.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons[0].1.contains("norecord/attempt.json is missing"), "{reasons:?}");
        assert!(reasons[1].1.contains("not a valid attempt record"), "{reasons:?}");
        assert!(
            reasons[2]
                .1
                .contains("newer rehearse (attempt format 99; this build reads up to 2)"),
            "{reasons:?}"
        );
        assert!(
            reasons[3]
                .1
                .contains("corrupt/attempt.json is not a valid attempt record"),
            "{reasons:?}"
        );
        assert_eq!(listing.damaged[1].dir, store.attempt_dir("20260105-000000-wrongtype"));
        assert_eq!(store.list().unwrap().len(), 1);

        let before: Vec<Vec<u8>> = [
            "20260103-000000-corrupt",
            "20260104-000000-newer",
            "20260105-000000-wrongtype",
        ]
        .iter()
        .map(|id| attempt_bytes(&store, id))
        .collect();
        // Recovery, updates and blind saves all leave them as they are.
        assert!(store.recover().unwrap().is_empty());
        for id in [
            "20260103-000000-corrupt",
            "20260104-000000-newer",
            "20260105-000000-wrongtype",
        ] {
            assert!(store.update(id, |a| a.notes = "x".into()).is_err());
            let blind = Attempt {
                id: id.to_owned(),
                status: Status::Recorded,
                ..Attempt::default()
            };
            let err = store.save(&blind).unwrap_err();
            assert!(matches!(err, StoreError::WontOverwrite { .. }), "{err}");
            assert!(
                err.to_string().starts_with(&format!("not saving attempt {id}: ")),
                "{err}"
            );
        }
        let after: Vec<Vec<u8>> = [
            "20260103-000000-corrupt",
            "20260104-000000-newer",
            "20260105-000000-wrongtype",
        ]
        .iter()
        .map(|id| attempt_bytes(&store, id))
        .collect();
        assert_eq!(before, after);
        assert!(store.attempt_dir("20260104-000000-newer").join(WAV_FILE).exists());
        // A record can be written where none was (the folder kept its audio).
        let rebuilt = Attempt {
            id: "20260106-000000-norecord".into(),
            status: Status::Recorded,
            ..Attempt::default()
        };
        store.save(&rebuilt).unwrap();
        assert_eq!(store.listing().unwrap().damaged.len(), 3);
        // Deleting a damaged one is allowed.
        store.delete("20260103-000000-corrupt").unwrap();
        assert_eq!(store.listing().unwrap().damaged.len(), 2);
    }

    #[test]
    fn version_is_written_and_a_missing_one_means_the_first_layout() {
        let (_d, store) = store();
        let new = store
            .create_attempt_at("q1", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&attempt_bytes(&store, &new.attempt.id)).unwrap();
        assert_eq!(v["version"], ATTEMPT_VERSION);
        let old = parse_attempt(br#"{"status": "scored"}"#, Path::new("a.json")).unwrap();
        assert_eq!(old.version, 1);
        assert_eq!(old.status, Status::Scored);
        let same = parse_attempt(br#"{"version": 2, "status": "scored"}"#, Path::new("a.json")).unwrap();
        assert_eq!(same.version, 2);
        let err = parse_attempt(br#"{"version": 3}"#, Path::new("a.json")).unwrap_err();
        assert!(matches!(err, StoreError::Newer { found: 3, .. }), "{err}");
        assert!(parse_attempt(br#"{"version": "two"}"#, Path::new("a.json")).is_err());
        assert!(parse_attempt(b"[]", Path::new("a.json")).is_err());
    }

    #[test]
    fn concurrent_stores_lose_no_update_and_no_attempt() {
        let (_d, store) = store();
        let shared = store
            .create_attempt_at("q", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        let root = store.root().to_path_buf();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let root = root.clone();
                let id = shared.attempt.id.clone();
                std::thread::Builder::new()
                    .name(format!("store-{t}"))
                    .spawn(move || {
                        // Each thread opens its own store: separate lock files, as separate processes.
                        let store = Store::open(&root).unwrap();
                        let mut ids = Vec::new();
                        for i in 0..25 {
                            store.update(&id, |a| a.notes.push(char::from(b'a' + t))).unwrap();
                            let new = store
                                .create_attempt_at("same", "d", datetime!(2026-05-05 05:05:05 UTC))
                                .unwrap();
                            store
                                .update(&new.attempt.id, |a| {
                                    a.status = Status::Recorded;
                                    a.notes = format!("{t}-{i}");
                                })
                                .unwrap();
                            ids.push(new.attempt.id);
                        }
                        ids
                    })
                    .unwrap()
            })
            .collect();
        let mut ids: Vec<String> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
        let notes = store.get(&shared.attempt.id).unwrap().notes;
        assert_eq!(notes.len(), 100, "every read-modify-write kept: {notes}");
        for t in 0..4u8 {
            assert_eq!(notes.chars().filter(|&c| c == char::from(b'a' + t)).count(), 25);
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 100, "every create got its own folder");
        let listing = store.listing().unwrap();
        assert!(listing.damaged.is_empty(), "{:?}", listing.damaged);
        assert_eq!(listing.attempts.len(), 101);
        let mut seen: Vec<String> = listing.attempts.iter().map(|a| a.notes.clone()).collect();
        seen.retain(|n| n.contains('-'));
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 100);
    }

    #[test]
    fn a_recording_held_elsewhere_is_left_alone() {
        let (_d, store) = store();
        let new = store
            .create_attempt_at("q1", "d", datetime!(2026-01-02 03:04:05 UTC))
            .unwrap();
        crashed_wav(&new.wav_path, 1600, 10);
        let wav_before = fs::read(&new.wav_path).unwrap();
        // Hand the lock to "another process": a separate open of the lock file.
        release_recording(&new.dir);
        let other = private_file(&new.dir.join(RECORDING_LOCK)).unwrap();
        other.try_lock().unwrap();
        assert!(store.recover().unwrap().is_empty());
        assert_eq!(store.get(&new.attempt.id).unwrap().status, Status::Recording);
        assert_eq!(fs::read(&new.wav_path).unwrap(), wav_before, "live WAV untouched");
        assert!(matches!(store.delete(&new.attempt.id), Err(StoreError::Busy(_))));
        // The other process dies: its lock goes, and the recording is recovered.
        drop(other);
        assert_eq!(store.recover().unwrap(), std::slice::from_ref(&new.attempt.id));
        assert_eq!(store.get(&new.attempt.id).unwrap().status, Status::Recorded);
    }

    proptest::proptest! {
        #![proptest_config(crate::fuzz::config())]

        /// Cut, edited or random `attempt.json` bytes load or give an error, never a panic; and an
        /// attempt folder holding them is listed (as an attempt or as damaged), never skipped.
        #[test]
        fn attempt_json_loading_never_panics(
            bytes in crate::fuzz::damaged(include_bytes!("../../tests/fixtures/attempt-v1.json").to_vec())
        ) {
            let _ = parse_attempt(&bytes, Path::new("attempt.json"));
        }
    }

    #[test]
    fn a_folder_with_any_record_is_listed_once() {
        use proptest::strategy::{Strategy, ValueTree};
        let (_d, store) = store();
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = crate::fuzz::damaged(include_bytes!("../../tests/fixtures/attempt-v1.json").to_vec());
        for i in 0..300 {
            let bytes = strategy.new_tree(&mut runner).unwrap().current();
            let dir = store.attempt_dir(&format!("20260101-000000-f{i:03}"));
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join(ATTEMPT_FILE), &bytes).unwrap();
        }
        let listing = store.listing().unwrap();
        assert_eq!(listing.attempts.len() + listing.damaged.len(), 300);
        assert!(!listing.damaged.is_empty() && !listing.attempts.is_empty());
        store.recover().unwrap();
        assert_eq!(
            store.listing().unwrap().damaged,
            listing.damaged,
            "damaged left as they were"
        );
    }
}

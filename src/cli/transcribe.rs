//! `rehearse transcribe`: a WAV file in, its transcript out (text or JSON).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::Args;

use crate::asr::{models, whisper};
use crate::audio::decode;
use crate::transcript::Transcript;

#[derive(Args)]
pub(super) struct TranscribeArgs {
    /// The recording to transcribe.
    wav: PathBuf,
    /// Model name (e.g. tiny.en, tiny.en-q8_0) or path to a ggml file.
    #[arg(long, default_value = models::DEFAULT_MODEL)]
    model: String,
    /// Print JSON: {text, duration_s, segments: [{start_s,end_s,text}], words: [{start_s,end_s,text}]}.
    #[arg(long)]
    json: bool,
    /// Prompt Whisper to write filler words (um, uh); costs accuracy, so off by default.
    #[arg(long)]
    filler_prompt: bool,
}

impl TranscribeArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let transcript = transcribe_file(&self.wav, &self.model, self.filler_prompt)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&transcript)?);
        } else {
            println!("{}", transcript.text);
        }
        Ok(())
    }
}

/// Transcribes a WAV with progress on stderr.
pub(super) fn transcribe_file(wav: &Path, model: &str, keep_fillers: bool) -> anyhow::Result<Transcript> {
    let (samples, _) = decode::load_for_whisper(wav)?;
    let model_path = models::resolve(model).map_err(anyhow::Error::msg)?;
    eprintln!("loading model {}", model_path.display());
    let model = whisper::Model::load(&model_path)?;
    eprintln!(
        "transcribing {} ({:.1} s of audio)",
        wav.display(),
        samples.len() as f64 / 16_000.0
    );
    let opts = whisper::Options {
        keep_fillers,
        ..Default::default()
    };
    let bar = super::bars::percent("transcribing");
    let shown = bar.clone();
    let progress = move |p: i32| shown.set_position(u64::try_from(p.clamp(0, 100)).unwrap_or_default());
    let transcript = model.transcribe(&samples, &opts, progress, Arc::new(AtomicBool::new(false)));
    bar.finish_and_clear();
    Ok(transcript?)
}

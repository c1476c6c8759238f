//! Batch transcription of one WAV file, timed over what faster-whisper's `transcribe(path)` does: read and
//! resample the file, then transcribe it (the model is loaded before the clock starts, as the anchor's is).
//! `cargo run --release --example transcribe_file -- WAV [MODEL]`; prints the seconds and the word count.
//! `scripts/bench-ratio.sh` runs it in alternation with faster-whisper.
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use rehearse::asr::models;
use rehearse::asr::whisper::{Model, Options};
use rehearse::audio::decode;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let wav = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: transcribe_file WAV [MODEL]"))?;
    let name = args.next().unwrap_or_else(|| models::DEFAULT_MODEL.to_owned());
    let model = Model::load(&models::resolve(&name).map_err(anyhow::Error::msg)?)?;
    let t = std::time::Instant::now();
    let (samples, _) = decode::load_for_whisper(std::path::Path::new(&wav))?;
    let out = model.transcribe(&samples, &Options::default(), |_| {}, Arc::new(AtomicBool::new(false)))?;
    println!(
        "{:.3} {}",
        t.elapsed().as_secs_f64(),
        out.text.split_whitespace().count()
    );
    Ok(())
}

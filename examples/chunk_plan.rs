//! Where the chunker cuts a recording (the stream's earlier chunked path; the windowed stream uses it only
//! to notice the end of speech): each chunk's start, length and whether it was cut at the end of speech,
//! and whether the tail left at the end is silence. The WAV is fed in 100 ms blocks, as the streamer reads
//! a growing file. `cargo run --release --example chunk_plan -- FILE.wav [SILENCE_S]`
//! (SILENCE_S of silence appended, e.g. the 2 s between the last word and the end of a time-box).

use rehearse::asr::chunker::{Chunker, ChunkerConfig, RATE};
use rehearse::audio::decode;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: chunk_plan FILE.wav [SILENCE_S]"))?;
    let silence: f64 = args.next().map_or(Ok(0.0), |s| s.parse())?;
    let (mut samples, _) = decode::load_for_whisper(std::path::Path::new(&path))?;
    samples.extend(std::iter::repeat_n(0.0, (silence * RATE as f64) as usize));
    let mut c = Chunker::new(ChunkerConfig::default());
    for (i, block) in samples.chunks(RATE / 10).enumerate() {
        for ch in c.push(block) {
            println!(
                "at {:>6.1} s: chunk {:>6.2}–{:>6.2} s ({:>5.2} s){}",
                (i + 1) as f64 / 10.0,
                ch.start_s(),
                ch.end_s(),
                ch.end_s() - ch.start_s(),
                if ch.ends_speech { "  end of speech" } else { "" }
            );
        }
    }
    let quiet = c.tail_is_quiet();
    if let Some(t) = c.finish() {
        println!(
            "tail {:.2}–{:.2} s ({:.2} s){}",
            t.start_s(),
            t.end_s(),
            t.end_s() - t.start_s(),
            if quiet { ", silent: skipped" } else { "" }
        );
    }
    Ok(())
}

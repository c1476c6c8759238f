//! whisper.cpp's own timing breakdown (mel, encode, decode, prompt) for a batch transcription, with the
//! context the app uses (no flash attention; `FLASH=1` turns it on):
//! `cargo run --release --example asr_timings [-- MODEL [THREADS [TOKEN_TIMESTAMPS 0|1]]]`.
//! Transcribes `target/bench-answer-3min.wav` (or `LEVERS_WAV`) as `asr_levers` does.
use std::ffi::CString;
use std::path::Path;

use rehearse::asr::models;
use rehearse::audio::decode;
use whisper_rs::whisper_rs_sys as sys;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wav = std::env::var_os("LEVERS_WAV").map_or_else(|| root.join("target/bench-answer-3min.wav"), Into::into);
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "tiny.en-q8_0".into());
    let threads: i32 = args.next().map_or(Ok(2), |t| t.parse())?;
    let token_timestamps = args.next().is_none_or(|t| t == "1");
    let (samples, _) = decode::load_for_whisper(&wav)?;
    let path = models::resolve(&name).map_err(anyhow::Error::msg)?;
    let cpath = CString::new(path.display().to_string())?;
    let lang = CString::new("en")?;
    // SAFETY: plain whisper.cpp C API calls on a context created and used only here; the strings and the
    // samples outlive the calls that read them.
    unsafe {
        let mut cp = sys::whisper_context_default_params();
        cp.flash_attn = std::env::var_os("FLASH").is_some();
        let ctx = sys::whisper_init_from_file_with_params(cpath.as_ptr(), cp);
        anyhow::ensure!(!ctx.is_null(), "cannot load {}", path.display());
        let mut p = sys::whisper_full_default_params(sys::whisper_sampling_strategy_WHISPER_SAMPLING_GREEDY);
        p.n_threads = threads;
        p.language = lang.as_ptr();
        p.token_timestamps = token_timestamps;
        p.print_progress = false;
        let n = i32::try_from(samples.len())?;
        let t = std::time::Instant::now();
        let rc = sys::whisper_full(ctx, p, samples.as_ptr(), n);
        eprintln!(
            "rc {rc}, wall {:.2} s, segments {}",
            t.elapsed().as_secs_f64(),
            sys::whisper_full_n_segments(ctx)
        );
        sys::whisper_print_timings(ctx);
        sys::whisper_free(ctx);
    }
    Ok(())
}

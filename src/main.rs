//! The `rehearse` binary: parses the command line and runs it (see `rehearse::cli`); a failure is one
//! `error:` line on stderr and a non-zero exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // First, before any thread: on a CPU with AVX-512 the package's other build runs in this one's place.
    rehearse::kernels::choose();
    tune_allocator();
    match rehearse::cli::Cli::parse().run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Gives freed memory back to the system. Every recording, and every batch transcription, allocates and
/// frees a Whisper state (compute buffers of tens of MB; this was measured when each chunk transcribed
/// while recording had its own ~120 MB state). With glibc's defaults the mmap threshold grows after the
/// first large free and each thread gets its own arena, so those buffers ended up in heaps that are not
/// returned: a 60 s recording's resident memory crept from 172 to 269 MB between chunks and peaked at
/// 357 MB. With a fixed 256 KiB threshold (large blocks are mapped and unmapped) and two arenas it stays
/// at ~175 MB between chunks and peaks at ~303 MB (`make bench-latency` for the 3-minute numbers).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

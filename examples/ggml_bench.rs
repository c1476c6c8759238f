//! whisper.cpp's matrix-multiplication benchmark (GFLOPS per weight type and size) with N threads:
//! `cargo run --release --example ggml_bench [-- THREADS]`. Shows what build flags such as
//! `GGML_LLAMAFILE` (`.cargo/config.toml`) do to the kernels Whisper runs on.
fn main() {
    let threads: i32 = std::env::args().nth(1).and_then(|t| t.parse().ok()).unwrap_or(2);
    // SAFETY: returns a pointer to a static buffer inside whisper.cpp, valid until the next call.
    let text = unsafe {
        let s = whisper_rs::whisper_rs_sys::whisper_bench_ggml_mul_mat_str(threads);
        std::ffi::CStr::from_ptr(s).to_string_lossy().into_owned()
    };
    println!("{text}");
}

//! `rehearse model download` against a real HTTP server on 127.0.0.1 (tests/support/http.rs, never the internet): full
//! download, resume of a partial file with a Range request, checksum mismatch, missing file.

#[path = "support/http.rs"]
mod http;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use rehearse::asr::download::{DownloadError, download, sha256_file};
use rehearse::fetch::FetchError;

/// Serves `body` at `/ggml-test.bin` with Range support; the server records each request's Range.
fn serve(body: Vec<u8>) -> (String, http::Server) {
    let server = http::serve(vec![("ggml-test.bin".into(), Arc::new(body))], http::Faults::default());
    (server.url.clone(), server)
}

fn ranges(server: &http::Server) -> Vec<Option<u64>> {
    server.seen().iter().map(|s| s.range).collect()
}

fn body() -> Vec<u8> {
    (0..300_000_u32).map(|i| (i * 7 % 251) as u8).collect()
}

fn sha_of(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("x");
    std::fs::write(&p, bytes).expect("write");
    sha256_file(&p).expect("sha")
}

#[test]
fn downloads_and_verifies() {
    let data = body();
    let (url, server) = serve(data.clone());
    let dest = tempfile::tempdir().expect("tmp");
    let mut last = (0, None);
    let path = download(
        "test",
        &url,
        &sha_of(&data),
        dest.path(),
        &mut |d, t| last = (d, t),
        &AtomicBool::new(false),
    )
    .expect("download");
    assert_eq!(std::fs::read(&path).expect("read"), data);
    assert_eq!(path.file_name().and_then(|f| f.to_str()), Some("ggml-test.bin"));
    assert_eq!(last, (300_000, Some(300_000)));
    assert_eq!(ranges(&server), vec![None]);
}

#[test]
fn resumes_a_partial_download_with_a_range_request() {
    let data = body();
    let (url, server) = serve(data.clone());
    let dest = tempfile::tempdir().expect("tmp");
    std::fs::write(dest.path().join("ggml-test.bin.part"), &data[..123_456]).expect("write");
    let path = download(
        "test",
        &url,
        &sha_of(&data),
        dest.path(),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .expect("download");
    assert_eq!(std::fs::read(&path).expect("read"), data);
    assert_eq!(ranges(&server), vec![Some(123_456)]);
    assert!(!dest.path().join("ggml-test.bin.part").exists());
}

#[test]
fn checksum_mismatch_is_an_error_and_leaves_no_model() {
    let (url, _) = serve(body());
    let dest = tempfile::tempdir().expect("tmp");
    let err = download(
        "test",
        &url,
        &"0".repeat(64),
        dest.path(),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .expect_err("mismatch");
    assert!(
        matches!(err, DownloadError::Fetch(FetchError::Checksum { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("checksum mismatch"), "{err}");
    assert!(!dest.path().join("ggml-test.bin").exists());
    assert!(!dest.path().join("ggml-test.bin.part").exists());
}

#[test]
fn missing_file_names_the_status() {
    let (url, _) = serve(body());
    let dest = tempfile::tempdir().expect("tmp");
    let err = download(
        "other",
        &url,
        &"0".repeat(64),
        dest.path(),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .expect_err("404");
    assert!(err.to_string().contains("HTTP 404"), "{err}");
}

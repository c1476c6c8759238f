//! `rehearse model download` against a real HTTP server on 127.0.0.1 (never the internet): full
//! download, resume of a partial file with a Range request, checksum mismatch, missing file.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use rehearse::asr::download::{DownloadError, download, sha256_file};

/// Serves `body` at `/ggml-test.bin` with Range support; records each request's Range header.
fn serve(body: Vec<u8>) -> (String, Arc<Mutex<Vec<Option<String>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&ranges);
    std::thread::Builder::new()
        .name("test-http".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut first = String::new();
                reader.read_line(&mut first).expect("read");
                let mut range = None;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).expect("read");
                    if line.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                        range = Some(v.trim().trim_end_matches('-').to_string());
                    }
                }
                seen.lock().expect("lock").push(range.clone());
                if !first.contains("/ggml-test.bin ") {
                    let _ =
                        stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    continue;
                }
                let start: usize = range.and_then(|r| r.parse().ok()).unwrap_or(0);
                let status = if start > 0 { "206 Partial Content" } else { "200 OK" };
                let part = &body[start.min(body.len())..];
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    part.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(part);
            }
        })
        .expect("spawn");
    (url, ranges)
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
    let (url, ranges) = serve(data.clone());
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
    assert_eq!(*ranges.lock().expect("lock"), vec![None]);
}

#[test]
fn resumes_a_partial_download_with_a_range_request() {
    let data = body();
    let (url, ranges) = serve(data.clone());
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
    assert_eq!(*ranges.lock().expect("lock"), vec![Some("123456".to_string())]);
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
    assert!(matches!(err, DownloadError::Checksum { .. }), "{err}");
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

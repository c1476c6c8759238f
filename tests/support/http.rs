//! A small HTTP/1.1 file server on 127.0.0.1 for the download tests: real sockets, real `Range` requests,
//! and the faults a real connection has (a connection dropped part-way, a slow line, a corrupted file).
//! It serves a bounded number of connections and then stops by itself.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Connections served before the server stops.
const MAX_CONNECTIONS: usize = 200;

/// One request the server saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The path asked for, e.g. `/x.whl`.
    pub path: String,
    /// The first byte of a `Range: bytes=N-` header.
    pub range: Option<u64>,
}

/// How the server misbehaves.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// The first response for each file closes the connection after this many body bytes.
    pub drop_first_after: Option<usize>,
    /// Sends at most this many bytes a second.
    pub bytes_per_sec: Option<usize>,
    /// Flips one byte in the middle of every file.
    pub corrupt: bool,
}

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// The requests so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

/// Serves `files` (name, bytes) at `/<name>` with `faults`.
pub fn serve(files: Vec<(String, Arc<Vec<u8>>)>, faults: Faults) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let files = Arc::new(files);
    let dropped: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let served = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new()
        .name("test-http".into())
        .spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                let Ok(stream) = stream else { continue };
                served.fetch_add(1, Ordering::SeqCst);
                let (files, log, faults, dropped) = (
                    Arc::clone(&files),
                    Arc::clone(&log),
                    faults.clone(),
                    Arc::clone(&dropped),
                );
                let _ = std::thread::Builder::new()
                    .name("test-http-conn".into())
                    .spawn(move || answer(stream, &files, &log, &faults, &dropped));
            }
        })
        .expect("spawn");
    Server { url, seen }
}

fn answer(
    mut stream: TcpStream,
    files: &[(String, Arc<Vec<u8>>)],
    log: &Mutex<Vec<Seen>>,
    faults: &Faults,
    dropped: &Mutex<Vec<String>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(clone) = stream.try_clone() else { return };
    let mut reader = BufReader::new(clone);
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
            range = v.trim().trim_end_matches('-').parse::<u64>().ok();
        }
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
    log.lock().expect("lock").push(Seen {
        path: path.clone(),
        range,
    });
    let Some((name, body)) = files.iter().find(|(n, _)| path == format!("/{n}")) else {
        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
    };
    let mut body = body.as_ref().clone();
    if faults.corrupt {
        let mid = body.len() / 2;
        body[mid] ^= 0xff;
    }
    let start = usize::try_from(range.unwrap_or(0)).unwrap_or(0).min(body.len());
    let head = if start > 0 {
        format!(
            "HTTP/1.1 206 Partial Content\r\ncontent-length: {}\r\ncontent-range: bytes {start}-{}/{}\r\nconnection: close\r\n\r\n",
            body.len() - start,
            body.len() - 1,
            body.len()
        )
    } else {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
    };
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut end = body.len();
    if let Some(after) = faults.drop_first_after {
        let mut d = dropped.lock().expect("lock");
        if !d.contains(name) {
            d.push(name.clone());
            end = (start + after).min(body.len());
        }
    }
    let chunk = 64 * 1024;
    let mut at = start;
    while at < end {
        let next = (at + chunk).min(end);
        if stream.write_all(&body[at..next]).is_err() {
            return;
        }
        at = next;
        if let Some(rate) = faults.bytes_per_sec {
            std::thread::sleep(Duration::from_secs_f64(chunk as f64 / rate as f64));
        }
    }
    let _ = stream.flush();
    // Closing here, before `content-length` bytes, is the dropped connection.
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// The folder holding the two real wheels.
pub fn wheel_dir() -> std::path::PathBuf {
    let wheel = std::env::var_os("REHEARSE_CT2_WHEEL").map_or_else(
        || {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("models/.cache")
                .join(rehearse::setup::SPEECH_WHEEL.file_name)
        },
        std::path::PathBuf::from,
    );
    let dir = wheel.parent().expect("wheel folder").to_path_buf();
    for w in [rehearse::setup::SPEECH_WHEEL, rehearse::setup::SENTENCE_WHEEL] {
        assert!(
            dir.join(w.file_name).is_file(),
            "{} is missing; run `make setup`",
            dir.join(w.file_name).display()
        );
    }
    dir
}

/// The two wheels' bytes, for the server.
pub fn wheel_files() -> Vec<(String, Arc<Vec<u8>>)> {
    let dir = wheel_dir();
    [rehearse::setup::SPEECH_WHEEL, rehearse::setup::SENTENCE_WHEEL]
        .iter()
        .map(|w| {
            (
                w.file_name.to_owned(),
                Arc::new(std::fs::read(dir.join(w.file_name)).expect("read wheel")),
            )
        })
        .collect()
}

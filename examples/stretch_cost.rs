//! CPU cost of Review's pitch-keeping speed change (`audio::stretch`, WSOLA): stretches a minute of
//! speech-like audio at each offered speed and prints the time per second of audio and the share of
//! one core that real-time playback takes. `cargo run --release --example stretch_cost [RATE]`.

use std::time::Instant;

use rehearse::audio::stretch::Stretcher;

fn main() {
    let rate: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(48_000);
    // A voice-like signal: a 140 Hz buzz with harmonics, its pitch gliding, in syllable-length bursts.
    let seconds = 60.0;
    let src: Vec<f32> = (0..(f64::from(rate) * seconds) as usize)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            let f0 = 140.0 + 30.0 * (t * 0.7).sin();
            let phase = std::f64::consts::TAU * f0 * t;
            let buzz: f64 = (1..6).map(|h| (phase * f64::from(h)).sin() / f64::from(h)).sum();
            let envelope = (0.5 + 0.5 * (std::f64::consts::TAU * 4.0 * t).sin()).powi(2);
            (0.3 * buzz * envelope) as f32
        })
        .collect();
    println!("{seconds:.0} s of audio at {rate} Hz");
    for speed in [0.75, 1.0, 1.25, 1.5] {
        let mut s = Stretcher::new(rate);
        let mut out: Vec<(f32, f64)> = Vec::with_capacity(src.len() * 2);
        let started = Instant::now();
        while s.next_block(&src, speed, &mut out) > 0 {}
        let cpu = started.elapsed().as_secs_f64();
        let played_s = out.len() as f64 / f64::from(rate);
        println!(
            "speed {speed:>4}: {:.2} ms per second of audio played, {:.2} % of one core in real time ({} samples out)",
            cpu * 1000.0 / played_s,
            cpu / played_s * 100.0,
            out.len()
        );
    }
}

//! The interviewer's voice: a question is synthesised with espeak-ng (the command, installed by
//! `scripts/setup.sh`) into a WAV and played through the same output as playback ([`Playback`], cpal), so a
//! mock panel asks its questions aloud before the clock starts, as in a real panel. Blocking: run it off the
//! UI thread (the CLI runs it on its own thread; the player is its own named thread).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::playback::{Playback, PlaybackCommand, PlaybackEvent};

/// The text-to-speech command.
pub const ESPEAK: &str = "espeak-ng";

/// What can go wrong speaking a question.
#[derive(Debug, thiserror::Error)]
pub enum SpeakError {
    /// espeak-ng is missing or failed.
    #[error(
        "cannot speak the question with {ESPEAK}: {0} (install it: sudo apt-get install espeak-ng, or use --no-voice)"
    )]
    Synth(String),
    /// The player failed.
    #[error("cannot play the question: {0}")]
    Play(String),
}

/// How a question was spoken.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spoken {
    /// Length of the synthesised speech, seconds.
    pub audio_s: f64,
    /// Wall time from Play until the player reported the end, seconds.
    pub played_s: f64,
}

/// Synthesises `text` into `wav` (espeak-ng's 22.05 kHz mono) at `words_per_minute`.
pub fn synthesize(text: &str, wav: &Path, words_per_minute: u32) -> Result<(), SpeakError> {
    let out = Command::new(ESPEAK)
        .arg("-s")
        .arg(words_per_minute.to_string())
        .arg("-w")
        .arg(wav)
        .arg("--")
        .arg(text)
        .output()
        .map_err(|e| SpeakError::Synth(e.to_string()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(SpeakError::Synth(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ))
    }
}

/// Speaks `text` through `player` and waits until it has been played (or `timeout` after its length, in
/// case the device stalls). `dir` holds the temporary WAV.
pub fn speak(player: &Playback, dir: &Path, text: &str) -> Result<Spoken, SpeakError> {
    let wav = dir.join("question.wav");
    synthesize(text, &wav, 160)?;
    // Events from an earlier question are stale.
    while player.try_recv().is_some() {}
    let wait = |what: &str, deadline: Instant| -> Result<PlaybackEvent, SpeakError> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match player.events().recv_timeout(left) {
                Ok(PlaybackEvent::Position(_)) => {}
                Ok(e) => return Ok(e),
                Err(_) => return Err(SpeakError::Play(format!("no {what} from the player"))),
            }
        }
    };
    if !player.send(PlaybackCommand::Load { path: wav.clone() }) {
        return Err(SpeakError::Play("the player stopped".into()));
    }
    let audio_s = loop {
        match wait("load", Instant::now() + Duration::from_secs(10))? {
            PlaybackEvent::Loaded { duration_s } => break duration_s,
            // No device: the player falls back to a silent clock and says so once; the person reads the
            // question instead.
            PlaybackEvent::Error(e) if e.contains("output") => eprintln!("warning: {e}"),
            PlaybackEvent::Error(e) => return Err(SpeakError::Play(e)),
            _ => {}
        }
    };
    let start = Instant::now();
    player.send(PlaybackCommand::Play);
    let deadline = start + Duration::from_secs_f64(audio_s + 10.0);
    loop {
        match wait("end", deadline)? {
            PlaybackEvent::Finished => break,
            PlaybackEvent::Error(e) => eprintln!("warning: {e}"),
            _ => {}
        }
    }
    let _ = std::fs::remove_file(&wav);
    Ok(Spoken {
        audio_s,
        played_s: start.elapsed().as_secs_f64(),
    })
}

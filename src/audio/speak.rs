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
/// The interviewer's pace.
pub const WORDS_PER_MINUTE: u32 = 160;

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
    synthesize(text, &wav, WORDS_PER_MINUTE)?;
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

/// What the window asks the [`Speaker`] to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpeakerCommand {
    /// Synthesise `text` and play it; `id` names the request in the events.
    Say {
        /// The request's id.
        id: u64,
        /// What to say.
        text: String,
    },
    /// Stop speaking now (the question was revealed, or the panel ended). No event follows.
    Stop,
    /// Stop the worker.
    Shutdown,
}

/// What the [`Speaker`] reports.
#[derive(Clone, Debug, PartialEq)]
pub enum SpeakerEvent {
    /// Request `id` was spoken to the end.
    Done {
        /// The request.
        id: u64,
        /// How long it took.
        spoken: Spoken,
    },
    /// Request `id` could not be spoken; in words for the person.
    Failed {
        /// The request.
        id: u64,
        /// Why.
        error: String,
    },
}

/// The interviewer's voice for the window: a named thread ("rehearse-speak") that synthesises with
/// espeak-ng and plays through its own [`Playback`] worker (the same default output as Review, or a silent
/// clock in tests), so the UI thread never waits on the synthesiser or the device. A newer `Say` or a
/// `Stop` cuts the current one short.
pub struct Speaker {
    tx: crossbeam_channel::Sender<SpeakerCommand>,
    rx: crossbeam_channel::Receiver<SpeakerEvent>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Speaker {
    /// Starts the worker; `silent` plays to a silent clock instead of a device (tests). `waker` is called
    /// after every event.
    pub fn spawn(silent: bool, waker: Option<super::playback::Waker>) -> std::io::Result<Self> {
        let (tx, cmd_rx) = crossbeam_channel::unbounded();
        let (ev_tx, rx) = crossbeam_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name("rehearse-speak".into())
            .spawn(move || speaker_worker(silent, &cmd_rx, &ev_tx, waker.as_deref()))?;
        Ok(Self {
            tx,
            rx,
            thread: Some(thread),
        })
    }

    /// Sends a command (ignored if the worker has stopped).
    pub fn send(&self, cmd: SpeakerCommand) {
        let _ = self.tx.send(cmd);
    }

    /// The next event, if one is waiting.
    pub fn try_recv(&self) -> Option<SpeakerEvent> {
        self.rx.try_recv().ok()
    }

    /// The event channel, for timed waits (tests).
    pub fn events(&self) -> &crossbeam_channel::Receiver<SpeakerEvent> {
        &self.rx
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        let _ = self.tx.send(SpeakerCommand::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How one `Say` ended.
enum Said {
    Done(Spoken),
    Failed(String),
    /// Cut short by this command (a newer `Say`, `Stop` or `Shutdown`).
    Interrupted(SpeakerCommand),
}

fn speaker_worker(
    silent: bool,
    cmds: &crossbeam_channel::Receiver<SpeakerCommand>,
    events: &crossbeam_channel::Sender<SpeakerEvent>,
    waker: Option<&(dyn Fn() + Send)>,
) {
    let emit = |e: SpeakerEvent| {
        if events.send(e).is_ok()
            && let Some(w) = waker
        {
            w();
        }
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            // Nothing can be synthesised: every request fails with the reason.
            while let Ok(cmd) = cmds.recv() {
                match cmd {
                    SpeakerCommand::Say { id, .. } => emit(SpeakerEvent::Failed {
                        id,
                        error: format!("cannot create a temporary folder for the spoken question: {e}"),
                    }),
                    SpeakerCommand::Stop => {}
                    SpeakerCommand::Shutdown => return,
                }
            }
            return;
        }
    };
    let mut player: Option<Playback> = None;
    let mut next = None;
    loop {
        let cmd = match next.take() {
            Some(c) => c,
            None => match cmds.recv() {
                Ok(c) => c,
                Err(_) => return,
            },
        };
        let (id, text) = match cmd {
            SpeakerCommand::Shutdown => return,
            SpeakerCommand::Stop => continue,
            SpeakerCommand::Say { id, text } => (id, text),
        };
        if player.is_none() {
            let spawned = if silent {
                Playback::spawn_silent(None)
            } else {
                Playback::spawn(None)
            };
            match spawned {
                Ok(p) => player = Some(p),
                Err(e) => {
                    emit(SpeakerEvent::Failed {
                        id,
                        error: format!("cannot start the audio output: {e}"),
                    });
                    continue;
                }
            }
        }
        let Some(p) = player.as_ref() else { continue };
        match say(p, dir.path(), &text, cmds) {
            Said::Done(spoken) => emit(SpeakerEvent::Done { id, spoken }),
            Said::Failed(error) => emit(SpeakerEvent::Failed { id, error }),
            Said::Interrupted(cmd) => {
                p.send(PlaybackCommand::Pause);
                next = Some(cmd);
            }
        }
    }
}

/// Speaks `text` through `player`, giving up at once when a command arrives on `interrupt`.
fn say(player: &Playback, dir: &Path, text: &str, interrupt: &crossbeam_channel::Receiver<SpeakerCommand>) -> Said {
    let wav = dir.join("question.wav");
    if let Err(e) = synthesize(text, &wav, WORDS_PER_MINUTE) {
        return Said::Failed(e.to_string());
    }
    if let Ok(cmd) = interrupt.try_recv() {
        return Said::Interrupted(cmd);
    }
    while player.try_recv().is_some() {}
    if !player.send(PlaybackCommand::Load { path: wav }) {
        return Said::Failed("cannot play the question: the player stopped".into());
    }
    let mut audio_s = None;
    let mut start = Instant::now();
    let mut deadline = Instant::now() + Duration::from_secs(10);
    loop {
        crossbeam_channel::select! {
            recv(interrupt) -> cmd => {
                return Said::Interrupted(cmd.unwrap_or(SpeakerCommand::Shutdown));
            }
            recv(player.events()) -> ev => match ev {
                Ok(PlaybackEvent::Loaded { duration_s }) => {
                    audio_s = Some(duration_s);
                    start = Instant::now();
                    deadline = start + Duration::from_secs_f64(duration_s + 10.0);
                    player.send(PlaybackCommand::Play);
                }
                Ok(PlaybackEvent::Finished) if audio_s.is_some() => {
                    return Said::Done(Spoken {
                        audio_s: audio_s.unwrap_or_default(),
                        played_s: start.elapsed().as_secs_f64(),
                    });
                }
                // No output device: the player goes on with a silent clock and says so; so does the panel.
                Ok(PlaybackEvent::Error(e)) if e.contains("output") => {}
                Ok(PlaybackEvent::Error(e)) => return Said::Failed(format!("cannot play the question: {e}")),
                Ok(_) => {}
                Err(_) => return Said::Failed("cannot play the question: the player stopped".into()),
            },
            default(deadline.saturating_duration_since(Instant::now())) => {
                return Said::Failed("cannot play the question: the audio output did not respond".into());
            }
        }
    }
}

//! The window's playback engine behind a small adapter ([`Player`]), and the capture side re-exported from
//! [`crate::engine::capture`], which the CLI shares.

use std::path::Path;

use crate::audio::capture;
use crate::audio::playback::{Playback, PlaybackCommand, Waker as PlaybackWaker};
pub use crate::engine::capture::{RecEvent, RecordRequest, Waker};

/// What the player reports.
pub use crate::audio::playback::PlaybackEvent as PlayerEvent;

/// Plays a recording back through the playback worker (cpal output, or a silent clock when there is no
/// output device, so Review still works without sound).
pub struct Player {
    inner: Playback,
}

impl Player {
    /// Starts the playback worker; `silent` never opens a device (tests).
    pub fn spawn(silent: bool, waker: Waker) -> std::io::Result<Self> {
        let w: PlaybackWaker = Box::new(move || waker());
        let inner = if silent {
            Playback::spawn_silent(Some(w))?
        } else {
            Playback::spawn(Some(w))?
        };
        Ok(Self { inner })
    }

    /// Loads a WAV (paused at 0).
    pub fn load(&mut self, path: &Path, _duration_s: f64) {
        self.inner.send(PlaybackCommand::Load {
            path: path.to_path_buf(),
        });
    }
    /// Plays (from the start after the end).
    pub fn play(&mut self) {
        self.inner.send(PlaybackCommand::Play);
    }
    /// Pauses.
    pub fn pause(&mut self) {
        self.inner.send(PlaybackCommand::Pause);
    }
    /// Seeks.
    pub fn seek(&mut self, t: f64) {
        self.inner.send(PlaybackCommand::Seek(t));
    }
    /// Speed 0.75–1.5.
    pub fn set_speed(&mut self, speed: f32) {
        self.inner.send(PlaybackCommand::SetSpeed(speed));
    }
    /// The next event.
    pub fn try_recv(&mut self) -> Option<PlayerEvent> {
        self.inner.try_recv()
    }
}

/// Input devices as (name, is default). Runs off the UI thread: probing devices can take a while.
pub fn list_input_devices() -> Result<Vec<(String, bool)>, String> {
    capture::list_input_devices()
        .map(|list| list.into_iter().map(|d| (d.name, d.is_default)).collect())
        .map_err(|e| e.to_string())
}

//! Colours and sizes for rehearse's own widgets, in one place so the screens stay calm and consistent.
//! The palette is muted on purpose: someone practising under a clock should not be shouted at by the UI.
//! Everything else (panels, buttons, text) follows egui's own light or dark visuals.

use egui::{Color32, Visuals};

/// Seconds left at which the countdown turns amber.
pub const COUNTDOWN_AMBER_S: f64 = 30.0;
/// Seconds left at which the countdown turns red.
pub const COUNTDOWN_RED_S: f64 = 10.0;

/// Height of the countdown's mm:ss digits, in points.
pub const COUNTDOWN_FONT_SIZE: f32 = 56.0;
/// Thickness of the countdown's progress bar and the level meter's bar, in points.
pub const BAR_THICKNESS: f32 = 6.0;
/// Height of the level meter, in points.
pub const METER_HEIGHT: f32 = 14.0;
/// Default height of the waveform, in points.
pub const WAVEFORM_HEIGHT: f32 = 96.0;
/// Height of the strip above the waveform where markers are drawn, in points.
pub const MARKER_STRIP_HEIGHT: f32 = 10.0;
/// Corner radius of pills, chips and bars, in points.
pub const ROUNDING: u8 = 4;
/// Side of a self-score button, in points.
pub const SCORE_BUTTON_SIZE: f32 = 26.0;
/// Minimum width of a self-score caption, so stacked rows line up.
pub const SCORE_LABEL_WIDTH: f32 = 110.0;

/// Line colours for the coverage chart, one per rubric cell in order; readable on light and dark.
pub const CHART_PALETTE: [Color32; 6] = [
    Color32::from_rgb(0x4C, 0x9B, 0xE8),
    Color32::from_rgb(0x5F, 0xB8, 0x8A),
    Color32::from_rgb(0xE0, 0x9A, 0x3E),
    Color32::from_rgb(0xB0, 0x7C, 0xD8),
    Color32::from_rgb(0xE0, 0x6C, 0x75),
    Color32::from_rgb(0x8A, 0x9A, 0xAA),
];

/// The palette for one light-or-dark mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theme {
    /// Normal text (the countdown while there is plenty of time).
    pub text: Color32,
    /// Secondary text: captions, "not tried".
    pub weak_text: Color32,
    /// Warnings: the last 30 seconds, mid coverage, a hot input level.
    pub amber: Color32,
    /// The last 10 seconds, clipping input.
    pub red: Color32,
    /// Good: healthy input level, high coverage.
    pub green: Color32,
    /// Background track of bars and meters.
    pub track: Color32,
    /// The countdown's progress bar while there is plenty of time.
    pub accent: Color32,
    /// Waveform envelope.
    pub wave: Color32,
    /// Waveform background.
    pub wave_bg: Color32,
    /// The playback position line.
    pub playhead: Color32,
    /// Rubric evidence spans and transcript highlights.
    pub evidence: Color32,
    /// Filler words ("um", "like").
    pub filler: Color32,
    /// Long pauses.
    pub pause: Color32,
    /// Background of the word being played now.
    pub current_word_bg: Color32,
}

impl Theme {
    /// The palette for a dark background.
    pub const DARK: Self = Self {
        text: Color32::from_rgb(0xE6, 0xE6, 0xE6),
        weak_text: Color32::from_rgb(0x9A, 0x9A, 0x9A),
        amber: Color32::from_rgb(0xE8, 0xB0, 0x4A),
        red: Color32::from_rgb(0xF0, 0x6A, 0x5E),
        green: Color32::from_rgb(0x6C, 0xC0, 0x8A),
        track: Color32::from_rgb(0x3A, 0x3D, 0x42),
        accent: Color32::from_rgb(0x7A, 0xA7, 0xE0),
        wave: Color32::from_rgb(0x8F, 0xA9, 0xC8),
        wave_bg: Color32::from_rgb(0x22, 0x25, 0x2A),
        playhead: Color32::from_rgb(0xF2, 0xF2, 0xF2),
        evidence: Color32::from_rgb(0x5F, 0xB8, 0x8A),
        filler: Color32::from_rgb(0xD9, 0xA0, 0x45),
        pause: Color32::from_rgb(0x80, 0x80, 0x90),
        current_word_bg: Color32::from_rgb(0x3C, 0x5A, 0x85),
    };

    /// The palette for a light background.
    pub const LIGHT: Self = Self {
        text: Color32::from_rgb(0x20, 0x22, 0x26),
        weak_text: Color32::from_rgb(0x6A, 0x6E, 0x75),
        amber: Color32::from_rgb(0xB0, 0x6A, 0x00),
        red: Color32::from_rgb(0xC0, 0x30, 0x28),
        green: Color32::from_rgb(0x2E, 0x8B, 0x57),
        track: Color32::from_rgb(0xDD, 0xDF, 0xE3),
        accent: Color32::from_rgb(0x3B, 0x6E, 0xB5),
        wave: Color32::from_rgb(0x4E, 0x6E, 0x96),
        wave_bg: Color32::from_rgb(0xF1, 0xF3, 0xF6),
        playhead: Color32::from_rgb(0x15, 0x15, 0x18),
        evidence: Color32::from_rgb(0x2E, 0x8B, 0x57),
        filler: Color32::from_rgb(0xC0, 0x7A, 0x10),
        pause: Color32::from_rgb(0x90, 0x94, 0xA0),
        current_word_bg: Color32::from_rgb(0xC8, 0xDA, 0xF5),
    };

    /// The palette matching egui's current visuals.
    pub fn from_visuals(visuals: &Visuals) -> Self {
        if visuals.dark_mode { Self::DARK } else { Self::LIGHT }
    }

    /// The palette for the `Ui` being drawn into.
    pub fn of(ui: &egui::Ui) -> Self {
        Self::from_visuals(ui.visuals())
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::DARK
    }
}

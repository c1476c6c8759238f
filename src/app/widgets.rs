//! Small reusable widgets for the recording and review screens: the countdown, the input level meter,
//! the waveform with markers, the clickable transcript, evidence chips, self-scores, coverage badges and
//! the coverage chart. Each is a plain function `fn x_ui(ui, …) -> Response` that only draws and reports
//! what the person did (usually "seek to this time"); the screens decide what to do with it.
//! Every widget carries an AccessKit label, so screen readers and egui_kittest tests can find it by name.

use egui::{
    Align, Align2, Button, Color32, CornerRadius, CursorIcon, EventFilter, FontId, Key, Mesh, Rect, Response, RichText,
    Role, Sense, Stroke, StrokeKind, TextStyle, Ui, WidgetInfo, pos2, vec2,
};

use super::theme::{self, Theme};
use crate::transcript::TimedText;

use crate::transcript::mmss;

/// The whole seconds a countdown shows for `remaining_s`: rounded up, so the clock reads `3:00` at the start
/// and reaches `0:00` only when time is really up.
fn countdown_seconds(remaining_s: f64) -> f64 {
    if remaining_s.is_finite() {
        remaining_s.max(0.0).ceil()
    } else {
        0.0
    }
}

/// The colour of the countdown digits: normal text, amber in the last 30 seconds, red in the last 10.
/// Decided on the seconds shown, so the colour changes exactly when the digits read `0:30` and `0:10`.
pub fn countdown_color(remaining_s: f64, theme: &Theme) -> Color32 {
    let shown = countdown_seconds(remaining_s);
    if shown <= theme::COUNTDOWN_RED_S {
        theme.red
    } else if shown <= theme::COUNTDOWN_AMBER_S {
        theme.amber
    } else {
        theme.text
    }
}

/// A large `m:ss` clock with a thin bar below it showing the share of time left.
/// Accessible as a timer labelled "Time left m:ss".
pub fn countdown_ui(ui: &mut Ui, remaining_s: f64, total_s: f64) -> Response {
    let theme = Theme::of(ui);
    let shown = mmss(countdown_seconds(remaining_s));
    let color = countdown_color(remaining_s, &theme);
    // Monospace digits keep the clock from jittering sideways as it counts.
    let galley = ui
        .painter()
        .layout_no_wrap(shown.clone(), FontId::monospace(theme::COUNTDOWN_FONT_SIZE), color);
    let gap = 6.0;
    let width = galley.size().x.max(180.0);
    let size = vec2(width, galley.size().y + gap + theme::BAR_THICKNESS);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());

    if ui.is_rect_visible(rect) {
        let painter = ui.painter();
        let text_pos = pos2(rect.center().x - galley.size().x / 2.0, rect.top());
        painter.galley(text_pos, galley, color);

        let bar = Rect::from_min_size(
            pos2(rect.left(), rect.bottom() - theme::BAR_THICKNESS),
            vec2(rect.width(), theme::BAR_THICKNESS),
        );
        let radius = CornerRadius::same(theme::ROUNDING);
        painter.rect_filled(bar, radius, theme.track);
        let frac = if total_s > 0.0 {
            (remaining_s / total_s).clamp(0.0, 1.0) as f32
        } else {
            0.0
        };
        if frac > 0.0 {
            let fill = Rect::from_min_size(bar.min, vec2(bar.width() * frac, bar.height()));
            let fill_color = if color == theme.text { theme.accent } else { color };
            painter.rect_filled(fill, radius, fill_color);
        }
    }

    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(Role::Timer, true, format!("Time left {shown}"));
        info.value = Some(remaining_s.max(0.0));
        info
    });
    response
}

/// Maps a level in dBFS onto 0..=1 across the meter's -60..0 dBFS range.
fn meter_fraction(db: f32) -> f32 {
    if db.is_finite() {
        ((db + 60.0) / 60.0).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A horizontal input meter from -60 to 0 dBFS: a bar for the RMS level and a tick for the recent peak.
/// Green while the level is comfortable, amber when loud (above -12 dBFS), red near clipping (above -3 dBFS).
/// Accessible as a meter labelled "Input level" whose value is the RMS level.
pub fn level_meter_ui(ui: &mut Ui, rms_db: f32, peak_db: f32) -> Response {
    let theme = Theme::of(ui);
    let width = ui.available_width().clamp(120.0, 320.0);
    let (rect, response) = ui.allocate_exact_size(vec2(width, theme::METER_HEIGHT), Sense::hover());

    if ui.is_rect_visible(rect) {
        let painter = ui.painter();
        let radius = CornerRadius::same(theme::ROUNDING);
        painter.rect_filled(rect, radius, theme.track);
        let level_color = |db: f32| {
            if db > -3.0 {
                theme.red
            } else if db > -12.0 {
                theme.amber
            } else {
                theme.green
            }
        };
        let frac = meter_fraction(rms_db);
        if frac > 0.0 {
            let fill = Rect::from_min_size(rect.min, vec2(rect.width() * frac, rect.height()));
            painter.rect_filled(fill, radius, level_color(rms_db));
        }
        // Faint ticks every 12 dB so "about half way" has a reference.
        for db in [-48.0_f32, -36.0, -24.0, -12.0] {
            let x = rect.left() + rect.width() * meter_fraction(db);
            painter.vline(
                x,
                rect.y_range().shrink(3.0),
                Stroke::new(1.0, theme.weak_text.gamma_multiply(0.5)),
            );
        }
        let peak = meter_fraction(peak_db);
        if peak > 0.0 {
            let x = (rect.left() + rect.width() * peak).min(rect.right() - 1.0);
            let color = if peak_db > -3.0 { theme.red } else { theme.text };
            painter.vline(x, rect.y_range(), Stroke::new(2.0, color));
        }
    }

    let response = response.on_hover_text(format!("RMS {rms_db:.0} dBFS, peak {peak_db:.0} dBFS"));
    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(Role::Meter, true, "Input level");
        info.value = Some(f64::from(rms_db));
        info
    });
    response
}

/// A min/max envelope of a recording, cheap to draw at any width.
/// Build it once per recording off the UI thread with [`Waveform::from_samples`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Waveform {
    /// Length of the recording in seconds.
    pub duration_s: f64,
    /// Lowest sample in each bucket.
    pub min: Vec<f32>,
    /// Highest sample in each bucket.
    pub max: Vec<f32>,
    /// Largest absolute sample of the whole recording; drawing scales by it so quiet recordings stay visible.
    pub peak: f32,
}

impl Waveform {
    /// Splits `samples` (mono, at `rate` Hz) into `buckets` equal time slices and keeps each slice's min and max.
    /// Uses fewer buckets when there are fewer samples than buckets. 4000 buckets are plenty for a 3-minute answer.
    pub fn from_samples(samples: &[f32], rate: u32, buckets: usize) -> Self {
        let duration_s = samples.len() as f64 / f64::from(rate.max(1));
        let buckets = buckets.min(samples.len());
        let mut min = Vec::with_capacity(buckets);
        let mut max = Vec::with_capacity(buckets);
        for i in 0..buckets {
            let start = i * samples.len() / buckets;
            let end = ((i + 1) * samples.len() / buckets).max(start + 1);
            let (lo, hi) = samples[start..end]
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &s| {
                    (lo.min(s), hi.max(s))
                });
            min.push(lo);
            max.push(hi);
        }
        let peak = min.iter().chain(&max).fold(0.0_f32, |p, s| p.max(s.abs()));
        Self {
            duration_s,
            min,
            max,
            peak,
        }
    }

    /// Like [`Waveform::from_samples`] on a WAV file's mono samples, without holding them (a 3-minute
    /// recording is 34 MB of f32 at 48 kHz): the file is read a few thousand samples at a time, each block
    /// of samples keeps its min and max, and each bucket takes the blocks it overlaps. A block is at most a
    /// quarter of a bucket (one sample for short files, so those come out exactly as `from_samples`).
    pub fn from_wav(path: &std::path::Path, buckets: usize) -> Result<Self, crate::audio::decode::DecodeError> {
        let (mut block, mut lo, mut hi) = (0_usize, Vec::new(), Vec::new());
        let (mut n, mut at) = (0_usize, 0_usize);
        let rate = crate::audio::decode::stream_wav_mono(path, |chunk, expected| {
            if block == 0 {
                block = (expected / (buckets.max(1) * 4)).max(1);
            }
            for &s in chunk {
                if at == 0 {
                    lo.push(f32::INFINITY);
                    hi.push(f32::NEG_INFINITY);
                }
                let (l, h) = (lo.last_mut(), hi.last_mut());
                if let (Some(l), Some(h)) = (l, h) {
                    *l = l.min(s);
                    *h = h.max(s);
                }
                at = (at + 1) % block;
                n += 1;
            }
        })?;
        let duration_s = n as f64 / f64::from(rate.max(1));
        let buckets = buckets.min(n);
        let (mut min, mut max) = (Vec::with_capacity(buckets), Vec::with_capacity(buckets));
        for i in 0..buckets {
            let start = i * n / buckets / block;
            let end = ((i + 1) * n / buckets).div_ceil(block).max(start + 1).min(lo.len());
            min.push(lo[start..end].iter().fold(f32::INFINITY, |a, &b| a.min(b)));
            max.push(hi[start..end].iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)));
        }
        let peak = min.iter().chain(&max).fold(0.0_f32, |p, s| p.max(s.abs()));
        Ok(Self {
            duration_s,
            min,
            max,
            peak,
        })
    }

    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.min.len()
    }

    /// True when there is no audio.
    pub fn is_empty(&self) -> bool {
        self.min.is_empty()
    }
}

/// What kind of moment a [`Marker`] points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// Words that count as evidence for a rubric cell.
    Evidence,
    /// A filler word ("um", "you know").
    Filler,
    /// A long silence.
    Pause,
}

impl MarkerKind {
    /// The colour used for this kind everywhere (waveform, transcript, chips).
    pub fn color(self, theme: &Theme) -> Color32 {
        match self {
            Self::Evidence => theme.evidence,
            Self::Filler => theme.filler,
            Self::Pause => theme.pause,
        }
    }
}

/// A span of the recording to mark on the waveform, with the text shown when hovered.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Start in seconds.
    pub start_s: f64,
    /// End in seconds (equal to `start_s` for a point).
    pub end_s: f64,
    /// What it marks.
    pub kind: MarkerKind,
    /// Hover text, e.g. the rubric cell or the filler word.
    pub label: String,
}

/// What [`waveform_ui`] reports.
#[derive(Debug)]
pub struct WaveformResponse {
    /// The widget's response (hover, focus, …).
    pub response: Response,
    /// Set when the person clicked, dragged or used the keyboard to move the playhead: the time to seek to.
    pub seek_to: Option<f64>,
}

/// Converts an x position inside `rect` into a time in `0..=duration_s`.
fn time_at_x(rect: Rect, x: f32, duration_s: f64) -> f64 {
    if rect.width() <= 0.0 {
        return 0.0;
    }
    f64::from(((x - rect.left()) / rect.width()).clamp(0.0, 1.0)) * duration_s
}

/// Converts a time into an x position inside `rect`.
fn x_at_time(rect: Rect, t: f64, duration_s: f64) -> f32 {
    if duration_s <= 0.0 {
        return rect.left();
    }
    rect.left() + rect.width() * (t / duration_s).clamp(0.0, 1.0) as f32
}

/// Seconds moved by one press of ←/→ on a focused waveform.
const KEY_SEEK_STEP_S: f64 = 5.0;

/// The recording's waveform, full width, with markers above it and the playhead as a vertical line.
/// Click or drag to seek; when focused, ←/→ move 5 s and Home/End jump to the ends.
/// Accessible as a slider labelled "Waveform" whose value is the playhead time in seconds.
pub fn waveform_ui(ui: &mut Ui, wave: &Waveform, playhead_s: f64, markers: &[Marker]) -> WaveformResponse {
    let theme = Theme::of(ui);
    let size = vec2(
        ui.available_width().max(100.0),
        theme::WAVEFORM_HEIGHT + theme::MARKER_STRIP_HEIGHT,
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    let duration = wave.duration_s;
    let strip = Rect::from_min_max(rect.min, pos2(rect.right(), rect.top() + theme::MARKER_STRIP_HEIGHT));
    let body = Rect::from_min_max(pos2(rect.left(), strip.bottom()), rect.max);

    let mut seek_to = None;
    if duration > 0.0 {
        if (response.clicked() || response.dragged() || response.is_pointer_button_down_on())
            && let Some(pos) = response.interact_pointer_pos()
        {
            seek_to = Some(time_at_x(body, pos.x, duration));
        }
        if response.has_focus() {
            ui.memory_mut(|m| {
                m.set_focus_lock_filter(
                    response.id,
                    EventFilter {
                        horizontal_arrows: true,
                        ..Default::default()
                    },
                );
            });
            let (left, right, home, end) = ui.input(|i| {
                (
                    i.key_pressed(Key::ArrowLeft),
                    i.key_pressed(Key::ArrowRight),
                    i.key_pressed(Key::Home),
                    i.key_pressed(Key::End),
                )
            });
            if left {
                seek_to = Some((playhead_s - KEY_SEEK_STEP_S).max(0.0));
            } else if right {
                seek_to = Some((playhead_s + KEY_SEEK_STEP_S).min(duration));
            } else if home {
                seek_to = Some(0.0);
            } else if end {
                seek_to = Some(duration);
            }
        }
    }

    if ui.is_rect_visible(rect) {
        paint_waveform(ui, &theme, wave, body);
        paint_markers(ui, &theme, markers, strip, body, duration);
        let painter = ui.painter();
        let x = x_at_time(body, seek_to.unwrap_or(playhead_s), duration);
        painter.vline(x, rect.y_range(), Stroke::new(1.5, theme.playhead));
        let caption = format!("{} / {}", mmss(playhead_s), mmss(duration));
        let caption = painter.layout_no_wrap(caption, FontId::proportional(11.0), theme.weak_text);
        let caption_rect = Align2::RIGHT_TOP.anchor_size(body.right_top() + vec2(-4.0, 3.0), caption.size());
        painter.rect_filled(
            caption_rect.expand(2.0),
            CornerRadius::same(2),
            theme.wave_bg.gamma_multiply(0.85),
        );
        painter.galley(caption_rect.min, caption, theme.weak_text);
        if response.has_focus() {
            let stroke = ui.visuals().selection.stroke;
            painter.rect_stroke(rect, CornerRadius::same(theme::ROUNDING), stroke, StrokeKind::Inside);
        }
    }

    let mut response = response.on_hover_cursor(CursorIcon::PointingHand);
    if let Some(pos) = response.hover_pos() {
        let tolerance = f64::from(3.0 / body.width().max(1.0)) * duration;
        let t = time_at_x(body, pos.x, duration);
        let hovered: Vec<&str> = markers
            .iter()
            .filter(|m| m.start_s - tolerance <= t && t <= m.end_s + tolerance)
            .map(|m| m.label.as_str())
            .collect();
        if !hovered.is_empty() {
            response = response.on_hover_text_at_pointer(hovered.join("\n"));
        }
    }
    response.widget_info(|| WidgetInfo::slider(true, playhead_s, "Waveform"));
    WaveformResponse { response, seek_to }
}

/// Draws the envelope as one mesh of one-point-wide columns, so the cost depends on the width, not the length.
fn paint_waveform(ui: &Ui, theme: &Theme, wave: &Waveform, body: Rect) {
    let painter = ui.painter();
    painter.rect_filled(body, CornerRadius::same(theme::ROUNDING), theme.wave_bg);
    let mid = body.center().y;
    painter.hline(body.x_range(), mid, Stroke::new(1.0, theme.wave.gamma_multiply(0.35)));
    if wave.is_empty() {
        return;
    }
    let scale = if wave.peak > 1e-4 { 1.0 / wave.peak } else { 1.0 };
    let half = body.height() / 2.0 - 2.0;
    let columns = body.width().floor().max(1.0) as usize;
    let n = wave.len();
    let visible = ui.clip_rect().x_range();
    let mut mesh = Mesh::default();
    for c in 0..columns {
        let x = body.left() + c as f32;
        if x + 1.0 < visible.min || x > visible.max {
            continue;
        }
        let lo_i = c * n / columns;
        let hi_i = ((c + 1) * n / columns).max(lo_i + 1).min(n);
        let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
        for i in lo_i..hi_i {
            lo = lo.min(wave.min[i]);
            hi = hi.max(wave.max[i]);
        }
        let top = mid - (hi * scale).clamp(-1.0, 1.0) * half;
        let bottom = (mid - (lo * scale).clamp(-1.0, 1.0) * half).max(top + 1.0);
        mesh.add_colored_rect(Rect::from_min_max(pos2(x, top), pos2(x + 1.0, bottom)), theme.wave);
    }
    painter.add(mesh);
}

/// Draws each marker as a bar in the strip above the waveform and a faint band (or line) over it.
fn paint_markers(ui: &Ui, theme: &Theme, markers: &[Marker], strip: Rect, body: Rect, duration: f64) {
    if duration <= 0.0 {
        return;
    }
    let painter = ui.painter();
    for m in markers {
        let color = m.kind.color(theme);
        let x0 = x_at_time(body, m.start_s, duration);
        let x1 = x_at_time(body, m.end_s.max(m.start_s), duration).max(x0 + 2.0);
        let bar = Rect::from_min_max(pos2(x0, strip.top() + 2.0), pos2(x1, strip.bottom() - 2.0));
        painter.rect_filled(bar, CornerRadius::same(2), color);
        let band = Rect::from_min_max(pos2(x0, body.top()), pos2(x1, body.bottom()));
        match m.kind {
            MarkerKind::Evidence | MarkerKind::Pause => {
                painter.rect_filled(band, CornerRadius::ZERO, color.gamma_multiply(0.18));
            }
            MarkerKind::Filler => {
                painter.vline(x0, body.y_range(), Stroke::new(1.0, color.gamma_multiply(0.7)));
            }
        }
    }
}

/// Index of the word being spoken at `t` seconds, if any (`None` in the gaps between words).
/// `words` must be sorted by start time, as Whisper gives them.
pub fn word_at(words: &[TimedText], t: f64) -> Option<usize> {
    let i = words.partition_point(|w| w.start_s <= t).checked_sub(1)?;
    (t <= words[i].end_s).then_some(i)
}

/// The transcript as wrapped text where every word is a button: clicking (or Enter/Space on a focused word)
/// returns that word's start time to seek to. The word playing at `current_s` is highlighted and kept in view;
/// `highlights` are `(first, end, kind)` ranges of word indices, `end` exclusive, shaded by kind.
/// Each word is accessible as a button labelled with its text. Cheap enough for 500+ words per frame:
/// word layouts come from egui's galley cache and off-screen words are not painted.
pub fn transcript_ui(
    ui: &mut Ui,
    words: &[TimedText],
    current_s: Option<f64>,
    highlights: &[(usize, usize, MarkerKind)],
) -> Option<f64> {
    let theme = Theme::of(ui);
    let current = current_s.and_then(|t| word_at(words, t));
    let mut kinds: Vec<Option<MarkerKind>> = vec![None; words.len()];
    for &(first, end, kind) in highlights {
        for k in kinds.iter_mut().take(end.min(words.len())).skip(first) {
            *k = Some(kind);
        }
    }
    let follow_id = ui.scope_id().with("rehearse_transcript_current");
    let last_current: Option<usize> = ui.data(|d| d.get_temp(follow_id)).flatten();
    ui.data_mut(|d| d.insert_temp(follow_id, current));

    let font = TextStyle::Body.resolve(ui.style());
    let text_color = ui.visuals().text_color();
    let focus_stroke = ui.visuals().selection.stroke;
    let mut seek = None;
    ui.horizontal_wrapped(|ui| {
        let space = ui
            .painter()
            .layout_no_wrap(" ".to_owned(), font.clone(), text_color)
            .size()
            .x;
        ui.spacing_mut().item_spacing = vec2(space, 6.0);
        for (i, word) in words.iter().enumerate() {
            let kind = kinds[i];
            let is_current = current == Some(i);
            let color = match kind {
                _ if is_current => theme.text,
                Some(MarkerKind::Filler) => theme.filler,
                Some(MarkerKind::Pause) => theme.weak_text,
                Some(MarkerKind::Evidence) | None => text_color,
            };
            let galley = ui.painter().layout_no_wrap(word.text.clone(), font.clone(), color);
            let (rect, response) = ui.allocate_exact_size(galley.size(), Sense::click());
            if ui.is_rect_visible(rect) {
                let painter = ui.painter();
                let pad = vec2(2.0, 1.0);
                if let Some(kind) = kind {
                    // One continuous band across a range: square, unpadded edges where it joins a neighbour.
                    let joins_prev = i > 0 && kinds[i - 1] == Some(kind);
                    let joins_next = kinds.get(i + 1).copied().flatten() == Some(kind);
                    let left = if joins_prev { rect.left() } else { rect.left() - pad.x };
                    let right = if joins_next {
                        rect.right() + space
                    } else {
                        rect.right() + pad.x
                    };
                    let band = Rect::from_x_y_ranges(left..=right, (rect.top() - pad.y)..=(rect.bottom() + pad.y));
                    let r = 3;
                    let radius = CornerRadius {
                        nw: if joins_prev { 0 } else { r },
                        sw: if joins_prev { 0 } else { r },
                        ne: if joins_next { 0 } else { r },
                        se: if joins_next { 0 } else { r },
                    };
                    let alpha = if kind == MarkerKind::Evidence { 0.28 } else { 0.14 };
                    painter.rect_filled(band, radius, kind.color(&theme).gamma_multiply(alpha));
                }
                if is_current {
                    painter.rect_filled(rect.expand2(pad), CornerRadius::same(3), theme.current_word_bg);
                } else if response.hovered() {
                    painter.rect_filled(rect.expand2(pad), CornerRadius::same(3), theme.track);
                }
                if response.has_focus() {
                    painter.rect_stroke(
                        rect.expand2(pad),
                        CornerRadius::same(3),
                        focus_stroke,
                        StrokeKind::Outside,
                    );
                }
                painter.galley(rect.min, galley, color);
            }
            if is_current && last_current != current && !ui.clip_rect().contains_rect(rect) {
                response.scroll_to_me(Some(Align::Center));
            }
            response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &word.text));
            if response.clicked() {
                seek = Some(word.start_s);
            }
            response
                .on_hover_cursor(CursorIcon::PointingHand)
                .on_hover_text(mmss(word.start_s));
        }
    });
    seek
}

/// A small rounded button quoting the evidence, `“quoted words” 0:42`; clicking it means "seek there".
/// Accessible by that same text.
pub fn evidence_chip_ui(ui: &mut Ui, text: &str, start_s: f64) -> Response {
    let theme = Theme::of(ui);
    let label = format!("“{text}” {}", mmss(start_s));
    ui.add(
        Button::new(RichText::new(label).color(theme.text))
            .small()
            .fill(theme.evidence.gamma_multiply(0.18))
            .stroke(Stroke::new(1.0, theme.evidence.gamma_multiply(0.7)))
            .corner_radius(CornerRadius::same(theme::ROUNDING * 2)),
    )
    .on_hover_text("Play from here")
    .on_hover_cursor(CursorIcon::PointingHand)
}

/// A caption and five small buttons 1–5 for the person's own rating. Clicking a number selects it;
/// clicking the selected number again clears it. Each button is accessible as "`label` n of 5".
/// The returned response is marked changed when the value changed.
pub fn self_score_ui(ui: &mut Ui, label: &str, value: &mut Option<u8>) -> Response {
    ui.horizontal(|ui| {
        let mut response = ui.label(label);
        // A common minimum caption width keeps stacked rows' buttons in columns.
        ui.add_space((theme::SCORE_LABEL_WIDTH - response.rect.width()).max(0.0));
        let mut changed = false;
        for n in 1..=5_u8 {
            let selected = *value == Some(n);
            let button = Button::selectable(selected, n.to_string())
                .min_size(vec2(theme::SCORE_BUTTON_SIZE, theme::SCORE_BUTTON_SIZE));
            let r = ui.add(button);
            if r.clicked() {
                *value = if selected { None } else { Some(n) };
                changed = true;
            }
            let now_selected = *value == Some(n);
            r.widget_info(|| WidgetInfo::selected(Role::Button, true, now_selected, format!("{label} {n} of 5")));
            response |= r;
        }
        if changed {
            response.mark_changed();
        }
        response
    })
    .inner
}

/// The text of a coverage badge: `72% · 3 attempts`, or `not tried`.
fn coverage_text(coverage: Option<f64>, attempts: usize) -> String {
    match coverage {
        Some(c) if attempts > 0 => {
            let plural = if attempts == 1 { "" } else { "s" };
            format!("{:.0}% · {attempts} attempt{plural}", (c * 100.0).clamp(0.0, 100.0))
        }
        _ => "not tried".to_owned(),
    }
}

/// A small pill showing a rubric cell's coverage (0–1) and how many attempts it is based on,
/// tinted green (≥ 70 %), amber (≥ 40 %) or red; grey "not tried" when there are none. Accessible by its text.
pub fn coverage_badge_ui(ui: &mut Ui, coverage: Option<f64>, attempts: usize) -> Response {
    let theme = Theme::of(ui);
    let text = coverage_text(coverage, attempts);
    let color = match coverage {
        _ if attempts == 0 => theme.weak_text,
        Some(c) if c >= 0.7 => theme.green,
        Some(c) if c >= 0.4 => theme.amber,
        Some(_) => theme.red,
        None => theme.weak_text,
    };
    let galley = ui
        .painter()
        .layout_no_wrap(text.clone(), FontId::proportional(12.0), color);
    let pad = vec2(8.0, 2.0);
    let (rect, response) = ui.allocate_exact_size(galley.size() + 2.0 * pad, Sense::hover());
    if ui.is_rect_visible(rect) {
        let painter = ui.painter();
        let radius = CornerRadius::same((rect.height() / 2.0).min(255.0) as u8);
        painter.rect_filled(rect, radius, color.gamma_multiply(0.16));
        painter.rect_stroke(
            rect,
            radius,
            Stroke::new(1.0, color.gamma_multiply(0.5)),
            StrokeKind::Inside,
        );
        painter.galley(rect.min + pad, galley, color);
    }
    response.widget_info(|| WidgetInfo::labeled(Role::Status, true, &text));
    response
}

/// A line chart of coverage (0–1, shown as %) per rubric cell against attempt number, with a legend.
/// `series` is `(cell name, [[attempt, coverage], …])`. Zooming and dragging are off: it is a summary, not a tool.
pub fn coverage_chart_ui(ui: &mut Ui, series: &[(String, Vec<[f64; 2]>)]) -> Response {
    use egui_plot::{Corner, Legend, Line, Plot, Points};
    let response = Plot::new("rehearse_coverage_chart")
        .legend(Legend::default().position(Corner::LeftTop))
        .height(220.0)
        .include_y(0.0)
        .include_y(1.0)
        .include_x(1.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .x_axis_label("Attempt")
        .x_axis_formatter(whole_number_tick)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(whole_number_steps))
        .y_axis_label("Coverage")
        .y_axis_formatter(|mark, _range| format!("{:.0}%", mark.value * 100.0))
        .show(ui, |plot_ui| {
            for (i, (name, points)) in series.iter().enumerate() {
                let color = theme::CHART_PALETTE[i % theme::CHART_PALETTE.len()];
                plot_ui.line(Line::new(name.as_str(), points.clone()).width(2.0).color(color));
                plot_ui.points(Points::new(name.as_str(), points.clone()).radius(3.0).color(color));
            }
        })
        .response;
    let summary = coverage_chart_summary(series);
    response.widget_info(|| WidgetInfo::labeled(Role::Image, true, &summary));
    response
}

/// Attempts are counted: a label only on whole numbers from 1 ("1", never "0.5" or "1.5").
fn whole_number_tick(mark: egui_plot::GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    let n = mark.value.round();
    if (mark.value - n).abs() < 1e-6 && n >= 1.0 {
        format!("{n:.0}")
    } else {
        String::new()
    }
}

/// Grid steps of 1, 10, 100… attempts (the powers of ten above what fits), never a fraction of one.
fn whole_number_steps(input: egui_plot::GridInput) -> [f64; 3] {
    let fine = 10f64
        .powf(input.base_step_size.max(f64::MIN_POSITIVE).log10().ceil())
        .max(1.0);
    [fine, fine * 10.0, fine * 100.0]
}

/// What the chart shows, in words, for screen readers: each cell's latest coverage.
fn coverage_chart_summary(series: &[(String, Vec<[f64; 2]>)]) -> String {
    let latest: Vec<String> = series
        .iter()
        .filter_map(|(name, points)| {
            let [attempt, coverage] = points.last()?;
            Some(format!("{name} {:.0}% on attempt {attempt}", coverage * 100.0))
        })
        .collect();
    if latest.is_empty() {
        "Coverage chart: no scored attempts".to_owned()
    } else {
        format!("Coverage chart: {}", latest.join(", "))
    }
}

/// Keeps a point inside `rect`; used by tests to aim clicks.
#[cfg(test)]
fn point_in(rect: Rect, fx: f32, fy: f32) -> egui::Pos2 {
    pos2(rect.left() + rect.width() * fx, rect.top() + rect.height() * fy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    fn word(start_s: f64, end_s: f64, text: &str) -> TimedText {
        TimedText {
            start_s,
            end_s,
            text: text.to_owned(),
        }
    }

    #[test]
    fn the_attempt_axis_counts_in_whole_numbers() {
        let mark = |value| egui_plot::GridMark { value, step_size: 1.0 };
        let labels: Vec<String> = [0.0, 0.5, 1.0, 1.5, 2.0, 12.0]
            .into_iter()
            .map(|v| whole_number_tick(mark(v), &(0.5..=1.5)))
            .collect();
        assert_eq!(labels, ["", "", "1", "", "2", "12"]);
        for (base, fine) in [(0.02, 1.0), (0.4, 1.0), (1.0, 1.0), (3.0, 10.0), (40.0, 100.0)] {
            let steps = whole_number_steps(egui_plot::GridInput {
                bounds: (0.5, 1.5),
                base_step_size: base,
            });
            assert_eq!(steps[0], fine, "base step {base}");
        }
    }

    #[test]
    fn countdown_colour_thresholds() {
        let t = Theme::DARK;
        for (remaining, expected) in [
            (180.0, t.text),
            (31.0, t.text),
            (30.5, t.text), // shows 0:31
            (30.0, t.amber),
            (29.0, t.amber),
            (11.0, t.amber),
            (10.2, t.amber), // shows 0:11
            (10.0, t.red),
            (3.0, t.red),
            (0.0, t.red),
            (-5.0, t.red),
        ] {
            assert_eq!(countdown_color(remaining, &t), expected, "remaining {remaining}");
        }
    }

    #[test]
    fn countdown_is_found_by_label() {
        let harness = Harness::new_ui(|ui| {
            countdown_ui(ui, 179.2, 180.0);
        });
        harness.get_by_label("Time left 3:00");
        let harness = Harness::new_ui(|ui| {
            countdown_ui(ui, 9.0, 180.0);
        });
        harness.get_by_label("Time left 0:09");
    }

    #[test]
    fn level_meter_is_found_by_label() {
        let harness = Harness::new_ui(|ui| {
            level_meter_ui(ui, -20.0, -6.0);
        });
        harness.get_by_label("Input level");
    }

    #[test]
    fn envelope_keeps_min_and_max_per_bucket() {
        let samples = [0.1, -0.5, 0.3, 0.9, -0.2, 0.0, 0.4, -0.8];
        let w = Waveform::from_samples(&samples, 4, 4);
        assert_eq!(w.len(), 4);
        assert!((w.duration_s - 2.0).abs() < 1e-9);
        assert_eq!(w.min, vec![-0.5, 0.3, -0.2, -0.8]);
        assert_eq!(w.max, vec![0.1, 0.9, 0.0, 0.4]);
        assert!((w.peak - 0.9).abs() < 1e-6);
    }

    #[test]
    fn envelope_handles_uneven_and_tiny_inputs() {
        let samples: Vec<f32> = (0..10).map(|i| i as f32 / 10.0).collect();
        let w = Waveform::from_samples(&samples, 10, 3);
        assert_eq!(w.len(), 3);
        // Every sample lands in exactly one bucket: the extremes survive.
        assert_eq!(w.min[0], 0.0);
        assert!((w.max[2] - 0.9).abs() < 1e-6);
        let few = Waveform::from_samples(&[0.5, -0.5], 16_000, 4000);
        assert_eq!(few.len(), 2);
        let none = Waveform::from_samples(&[], 16_000, 4000);
        assert!(none.is_empty());
        assert_eq!(none.duration_s, 0.0);
    }

    #[test]
    fn a_waveform_read_from_the_file_matches_the_one_from_its_samples() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("a.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).expect("create");
        let frames: Vec<(i16, i16)> = (0..9_001_i32)
            .map(|i| (((i * 37) % 2001 - 1000) as i16 * 20, ((i * 11) % 301) as i16 * 50))
            .collect();
        for &(l, r) in &frames {
            w.write_sample(l).expect("write");
            w.write_sample(r).expect("write");
        }
        w.finalize().expect("finalize");
        let mono = crate::audio::decode::read_wav_mono(&path).expect("read");
        // Few buckets per sample block: the same as from the samples.
        let from_file = Waveform::from_wav(&path, 3_000).expect("wave");
        let from_samples = Waveform::from_samples(&mono.samples, mono.rate, 3_000);
        assert_eq!((from_file.min, from_file.max), (from_samples.min, from_samples.max));
        assert!((from_file.duration_s - 9_001.0 / 8_000.0).abs() < 1e-9);
        // Long files per bucket: each bucket within its neighbours' blocks, the extremes kept.
        let coarse = Waveform::from_wav(&path, 40).expect("wave");
        let exact = Waveform::from_samples(&mono.samples, mono.rate, 40);
        assert_eq!(coarse.len(), 40);
        assert_eq!(coarse.peak, exact.peak);
        for i in 0..40 {
            assert!(
                coarse.min[i] <= exact.min[i] && coarse.max[i] >= exact.max[i],
                "bucket {i}"
            );
        }
    }

    #[test]
    fn envelope_of_three_minutes_keeps_every_peak() {
        // One full-scale click per bucket's worth of samples, at a different offset in each: every
        // bucket must report its click (the timing of this is for `cargo bench`, not a unit test).
        let mut samples = vec![0.0_f32; 180 * 16_000];
        let per_bucket = samples.len() / 4000;
        for b in 0..4000 {
            samples[b * per_bucket + (b * 7) % per_bucket] = if b % 2 == 0 { 1.0 } else { -1.0 };
        }
        let w = Waveform::from_samples(&samples, 16_000, 4000);
        assert_eq!(w.len(), 4000);
        assert!((w.duration_s - 180.0).abs() < 1e-9);
        for b in 0..4000 {
            let hit = if b % 2 == 0 { w.max[b] } else { -w.min[b] };
            assert!((hit - 1.0).abs() < 1e-6, "bucket {b}: {} / {}", w.min[b], w.max[b]);
        }
    }

    #[test]
    fn clicking_the_waveform_seeks_proportionally() {
        let samples = vec![0.0_f32; 100 * 100];
        let wave = Waveform::from_samples(&samples, 100, 500); // 100 s
        let seek = Rc::new(Cell::new(None));
        let out = Rc::clone(&seek);
        let mut harness = Harness::new_ui(move |ui| {
            let r = waveform_ui(ui, &wave, 0.0, &[]);
            if r.seek_to.is_some() {
                out.set(r.seek_to);
            }
        });
        let rect = harness.get_by_label("Waveform").rect();
        // The marker strip is on top; aim at the body, a quarter of the way in.
        harness.get_by_label("Waveform").hover();
        harness.drag_at(point_in(rect, 0.25, 0.6));
        harness.drop_at(point_in(rect, 0.25, 0.6));
        harness.run();
        let t = seek.get().expect("a click on the waveform seeks");
        assert!((t - 25.0).abs() < 1.0, "seek to {t}, expected about 25 s");
    }

    #[test]
    fn waveform_arrow_keys_step_five_seconds() {
        let wave = Waveform::from_samples(&vec![0.0_f32; 60 * 100], 100, 500);
        let seek = Rc::new(Cell::new(None));
        let out = Rc::clone(&seek);
        let mut harness = Harness::new_ui(move |ui| {
            let r = waveform_ui(ui, &wave, 20.0, &[]);
            if r.seek_to.is_some() {
                out.set(r.seek_to);
            }
        });
        harness.get_by_label("Waveform").focus();
        harness.run();
        harness.key_press(Key::ArrowRight);
        harness.run();
        assert_eq!(seek.get(), Some(25.0));
    }

    #[test]
    fn word_at_finds_the_spoken_word() {
        let words = [word(0.0, 0.4, "a"), word(0.5, 0.9, "b"), word(1.0, 1.2, "c")];
        assert_eq!(word_at(&words, 0.2), Some(0));
        assert_eq!(word_at(&words, 0.45), None);
        assert_eq!(word_at(&words, 0.9), Some(1));
        assert_eq!(word_at(&words, 1.1), Some(2));
        assert_eq!(word_at(&words, 5.0), None);
        assert_eq!(word_at(&words, -1.0), None);
        assert_eq!(word_at(&[], 1.0), None);
    }

    #[test]
    fn clicking_a_word_returns_its_start_time() {
        let words = vec![
            word(0.0, 0.3, "We"),
            word(0.4, 0.8, "shard"),
            word(0.9, 1.5, "by"),
            word(1.6, 2.2, "tenant."),
        ];
        let seek = Rc::new(Cell::new(None));
        let out = Rc::clone(&seek);
        let mut harness = Harness::new_ui(move |ui| {
            if let Some(t) = transcript_ui(ui, &words, Some(1.0), &[(1, 2, MarkerKind::Evidence)]) {
                out.set(Some(t));
            }
        });
        harness.get_by_label("tenant.").click();
        harness.run();
        assert_eq!(seek.get(), Some(1.6));
        harness.get_by_label("shard").click();
        harness.run();
        assert_eq!(seek.get(), Some(0.4));
    }

    #[test]
    fn a_focused_word_seeks_on_enter() {
        let words = vec![word(0.0, 0.3, "alpha"), word(0.4, 0.8, "beta")];
        let seek = Rc::new(Cell::new(None));
        let out = Rc::clone(&seek);
        let mut harness = Harness::new_ui(move |ui| {
            if let Some(t) = transcript_ui(ui, &words, None, &[]) {
                out.set(Some(t));
            }
        });
        harness.get_by_label("beta").focus();
        harness.run();
        harness.key_press(Key::Enter);
        harness.run();
        assert_eq!(seek.get(), Some(0.4));
    }

    #[test]
    fn five_hundred_words_are_all_laid_out() {
        let words: Vec<TimedText> = (0..500)
            .map(|i| word(f64::from(i) * 0.3, f64::from(i) * 0.3 + 0.25, &format!("word{i}")))
            .collect();
        let highlights = vec![(10, 40, MarkerKind::Evidence), (100, 101, MarkerKind::Filler)];
        let mut harness = Harness::builder().with_size(vec2(800.0, 600.0)).build_ui(move |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                transcript_ui(ui, &words, Some(30.1), &highlights);
            });
        });
        harness.run();
        harness.run_steps(20);
        // All 500 are laid out and reachable (the timing of this is for `cargo bench`).
        harness.get_by_label("word0");
        harness.get_by_label("word250");
        harness.get_by_label("word499");
    }

    #[test]
    fn self_score_click_sets_and_clears_the_value() {
        let value = Rc::new(RefCell::new(None));
        let state = Rc::clone(&value);
        let mut harness = Harness::new_ui(move |ui| {
            self_score_ui(ui, "Restatement", &mut state.borrow_mut());
        });
        harness.get_by_label("Restatement 3 of 5").click();
        harness.run();
        assert_eq!(*value.borrow(), Some(3));
        harness.get_by_label("Restatement 5 of 5").click();
        harness.run();
        assert_eq!(*value.borrow(), Some(5));
        harness.get_by_label("Restatement 5 of 5").click();
        harness.run();
        assert_eq!(*value.borrow(), None);
    }

    #[test]
    fn chips_are_found_by_label_and_click() {
        let clicked = Rc::new(Cell::new(None));
        let out = Rc::clone(&clicked);
        let mut harness = Harness::new_ui(move |ui| {
            for (text, t) in [("quoted words", 42.0), ("consistent hashing", 75.5)] {
                if evidence_chip_ui(ui, text, t).clicked() {
                    out.set(Some(t));
                }
            }
        });
        harness.get_by_label("“quoted words” 0:42").click();
        harness.run();
        assert_eq!(clicked.get(), Some(42.0));
        harness.get_by_label("“consistent hashing” 1:15");
    }

    #[test]
    fn coverage_badge_text() {
        assert_eq!(coverage_text(Some(0.724), 3), "72% · 3 attempts");
        assert_eq!(coverage_text(Some(1.0), 1), "100% · 1 attempt");
        assert_eq!(coverage_text(None, 0), "not tried");
        assert_eq!(coverage_text(Some(0.5), 0), "not tried");
        let harness = Harness::new_ui(|ui| {
            coverage_badge_ui(ui, Some(0.72), 3);
            coverage_badge_ui(ui, None, 0);
        });
        harness.get_by_label("72% · 3 attempts");
        harness.get_by_label("not tried");
    }

    #[test]
    fn coverage_chart_shows_each_cell_with_its_latest_coverage() {
        let series = vec![
            ("Restatement".to_owned(), vec![[1.0, 0.2], [2.0, 0.5], [3.0, 0.8]]),
            ("Trade-offs".to_owned(), vec![[1.0, 0.0], [2.0, 0.3]]),
        ];
        let height = Rc::new(Cell::new(0.0));
        let out = Rc::clone(&height);
        let mut harness = Harness::builder().with_size(vec2(500.0, 300.0)).build_ui(move |ui| {
            out.set(coverage_chart_ui(ui, &series).rect.height());
        });
        harness.run();
        harness.get_by_label("Coverage chart: Restatement 80% on attempt 3, Trade-offs 30% on attempt 2");
        // The legend names every series.
        harness.get_by_label("Restatement");
        harness.get_by_label("Trade-offs");
        // The plot area (220 px less the axes) was drawn, not collapsed.
        assert!(height.get() > 150.0, "height {}", height.get());
        assert_eq!(coverage_chart_summary(&[]), "Coverage chart: no scored attempts");
    }
}

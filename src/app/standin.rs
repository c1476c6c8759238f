#![allow(dead_code)] // temporary stand-in
//! TEMPORARY stand-ins for `app::widgets` and `app::theme` (being delivered into main by another
//! engineer), with the same function names and signatures, so the screens switch over with a `use`
//! change. Deliberately plain; deleted once the real widgets land.

use egui::{
    Button, Color32, CornerRadius, FontId, Rect, Response, RichText, Sense, Stroke, Ui, Vec2, WidgetInfo, pos2, vec2,
};

use crate::transcript::TimedText;

/// Muted palette.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub text: Color32,
    pub weak_text: Color32,
    pub amber: Color32,
    pub red: Color32,
    pub green: Color32,
    pub track: Color32,
    pub wave: Color32,
    pub playhead: Color32,
    pub evidence: Color32,
    pub filler: Color32,
    pub pause: Color32,
    pub current_word_bg: Color32,
}

impl Theme {
    /// The palette for the current visuals.
    pub fn of(ui: &Ui) -> Self {
        let dark = ui.visuals().dark_mode;
        Self {
            text: ui.visuals().strong_text_color(),
            weak_text: ui.visuals().weak_text_color(),
            amber: Color32::from_rgb(214, 150, 40),
            red: Color32::from_rgb(200, 70, 60),
            green: Color32::from_rgb(70, 160, 100),
            track: if dark {
                Color32::from_gray(50)
            } else {
                Color32::from_gray(225)
            },
            wave: if dark {
                Color32::from_rgb(120, 150, 190)
            } else {
                Color32::from_rgb(80, 110, 160)
            },
            playhead: Color32::from_rgb(220, 90, 60),
            evidence: Color32::from_rgb(70, 160, 100),
            filler: Color32::from_rgb(214, 150, 40),
            pause: Color32::from_gray(140),
            current_word_bg: Color32::from_rgba_unmultiplied(220, 180, 60, 90),
        }
    }
}

/// `m:ss`.
pub fn format_mmss(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Large `m:ss`, amber in the last 30 s and red in the last 10.
pub fn countdown_ui(ui: &mut Ui, remaining_s: f64, _total_s: f64) -> Response {
    let t = Theme::of(ui);
    let color = if remaining_s <= 10.0 {
        t.red
    } else if remaining_s <= 30.0 {
        t.amber
    } else {
        t.text
    };
    let text = format_mmss(remaining_s.ceil());
    let r = ui.label(RichText::new(&text).font(FontId::monospace(56.0)).color(color));
    r.widget_info(|| WidgetInfo::labeled(egui::Role::Label, true, format!("Time left {text}")));
    r
}

/// A horizontal input level bar.
pub fn level_meter_ui(ui: &mut Ui, rms_db: f32, peak_db: f32) -> Response {
    let t = Theme::of(ui);
    let (rect, r) = ui.allocate_exact_size(vec2(ui.available_width().min(360.0), 14.0), Sense::hover());
    let frac = |db: f32| ((db + 60.0) / 60.0).clamp(0.0, 1.0);
    ui.painter().rect_filled(rect, CornerRadius::same(4), t.track);
    let mut fill = rect;
    fill.set_width(rect.width() * frac(rms_db));
    ui.painter().rect_filled(fill, CornerRadius::same(4), t.green);
    let x = rect.left() + rect.width() * frac(peak_db);
    ui.painter().vline(x, rect.y_range(), Stroke::new(2.0, t.text));
    r.widget_info(|| WidgetInfo::labeled(egui::Role::ProgressIndicator, true, "Input level"));
    r
}

/// A min/max envelope of a recording.
#[derive(Clone, Debug, Default)]
pub struct Waveform {
    pub duration_s: f64,
    pub min: Vec<f32>,
    pub max: Vec<f32>,
    pub peak: f32,
}

impl Waveform {
    /// Envelope in `buckets` columns.
    pub fn from_samples(samples: &[f32], rate: u32, buckets: usize) -> Self {
        let buckets = buckets.max(1);
        let per = samples.len().div_ceil(buckets).max(1);
        let (mut min, mut max) = (Vec::new(), Vec::new());
        for chunk in samples.chunks(per) {
            min.push(chunk.iter().copied().fold(0.0_f32, f32::min));
            max.push(chunk.iter().copied().fold(0.0_f32, f32::max));
        }
        let peak = max.iter().chain(min.iter()).fold(0.0_f32, |a, b| a.max(b.abs()));
        Self {
            duration_s: samples.len() as f64 / f64::from(rate.max(1)),
            min,
            max,
            peak,
        }
    }
}

/// What a marker points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    Evidence,
    Filler,
    Pause,
}

impl MarkerKind {
    /// Its colour.
    pub fn color(self, t: &Theme) -> Color32 {
        match self {
            Self::Evidence => t.evidence,
            Self::Filler => t.filler,
            Self::Pause => t.pause,
        }
    }
}

/// A span to mark on the waveform.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub start_s: f64,
    pub end_s: f64,
    pub kind: MarkerKind,
    pub label: String,
}

/// What [`waveform_ui`] reports.
#[derive(Debug)]
pub struct WaveformResponse {
    pub response: Response,
    pub seek_to: Option<f64>,
}

/// The waveform with markers and playhead; click to seek.
pub fn waveform_ui(ui: &mut Ui, wave: &Waveform, playhead_s: f64, markers: &[Marker]) -> WaveformResponse {
    let t = Theme::of(ui);
    let (rect, response) = ui.allocate_exact_size(vec2(ui.available_width().max(100.0), 106.0), Sense::click());
    let strip = Rect::from_min_max(rect.min, pos2(rect.right(), rect.top() + 10.0));
    let body = Rect::from_min_max(pos2(rect.left(), strip.bottom()), rect.max);
    let d = wave.duration_s.max(1e-6);
    let x_at = |s: f64| body.left() + body.width() * (s / d).clamp(0.0, 1.0) as f32;
    let p = ui.painter();
    p.rect_filled(body, CornerRadius::same(4), t.track);
    let n = wave.max.len().max(1);
    let scale = if wave.peak > 0.0 {
        0.45 * body.height() / wave.peak
    } else {
        0.0
    };
    for (i, (lo, hi)) in wave.min.iter().zip(&wave.max).enumerate() {
        let x = body.left() + body.width() * (i as f32 + 0.5) / n as f32;
        p.vline(
            x,
            (body.center().y - hi * scale)..=(body.center().y - lo * scale),
            Stroke::new(1.0, t.wave),
        );
    }
    for m in markers {
        let r = Rect::from_min_max(
            pos2(x_at(m.start_s), strip.top()),
            pos2(x_at(m.end_s).max(x_at(m.start_s) + 2.0), strip.bottom()),
        );
        p.rect_filled(r, CornerRadius::same(2), m.kind.color(&t));
    }
    p.vline(x_at(playhead_s), rect.y_range(), Stroke::new(2.0, t.playhead));
    let seek_to = if response.clicked() {
        response
            .interact_pointer_pos()
            .map(|pos| f64::from(((pos.x - body.left()) / body.width()).clamp(0.0, 1.0)) * wave.duration_s)
    } else {
        None
    };
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Slider, true, "Waveform"));
    WaveformResponse { response, seek_to }
}

/// Index of the word spoken at `t`.
pub fn word_at(words: &[TimedText], t: f64) -> Option<usize> {
    let i = words.partition_point(|w| w.start_s <= t).checked_sub(1)?;
    (t <= words[i].end_s).then_some(i)
}

/// Wrapped transcript, each word a button; returns the time to seek to when a word is clicked.
pub fn transcript_ui(
    ui: &mut Ui,
    words: &[TimedText],
    current_s: Option<f64>,
    highlights: &[(usize, usize, MarkerKind)],
) -> Option<f64> {
    let t = Theme::of(ui);
    let current = current_s.and_then(|s| word_at(words, s));
    let mut seek = None;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing = vec2(4.0, 4.0);
        for (i, w) in words.iter().enumerate() {
            let kind = highlights.iter().find(|(a, b, _)| (*a..*b).contains(&i)).map(|h| h.2);
            let fill = if current == Some(i) {
                t.current_word_bg
            } else if let Some(k) = kind {
                k.color(&t).gamma_multiply(0.2)
            } else {
                Color32::TRANSPARENT
            };
            let r = ui.add(
                Button::new(&w.text)
                    .fill(fill)
                    .stroke(Stroke::NONE)
                    .min_size(Vec2::ZERO),
            );
            if r.clicked() {
                seek = Some(w.start_s);
            }
        }
    });
    seek
}

/// A quoted evidence chip; clicking means "seek there".
pub fn evidence_chip_ui(ui: &mut Ui, text: &str, start_s: f64) -> Response {
    let t = Theme::of(ui);
    ui.add(
        Button::new(RichText::new(format!("\u{201c}{text}\u{201d} {}", format_mmss(start_s))).small())
            .fill(t.evidence.gamma_multiply(0.18))
            .corner_radius(CornerRadius::same(8)),
    )
    .on_hover_text("Play from here")
}

/// A caption and buttons 1–5; each accessible as "`label` n of 5".
pub fn self_score_ui(ui: &mut Ui, label: &str, value: &mut Option<u8>) -> Response {
    ui.horizontal(|ui| {
        let mut response = ui.label(label);
        let mut changed = false;
        for n in 1..=5_u8 {
            let selected = *value == Some(n);
            let r = ui.add(Button::selectable(selected, n.to_string()).min_size(vec2(26.0, 26.0)));
            if r.clicked() {
                *value = if selected { None } else { Some(n) };
                changed = true;
            }
            r.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, format!("{label} {n} of 5")));
            response |= r;
        }
        if changed {
            response.mark_changed();
        }
        response
    })
    .inner
}

/// `72% · 3 attempts` or `not tried`, tinted by coverage.
pub fn coverage_badge_ui(ui: &mut Ui, coverage: Option<f64>, attempts: usize) -> Response {
    let t = Theme::of(ui);
    let (text, color) = match coverage {
        Some(c) if attempts > 0 => (
            format!(
                "{:.0}% · {attempts} attempt{}",
                c * 100.0,
                if attempts == 1 { "" } else { "s" }
            ),
            if c >= 0.7 {
                t.green
            } else if c >= 0.4 {
                t.amber
            } else {
                t.red
            },
        ),
        _ => ("not tried".to_owned(), t.weak_text),
    };
    ui.label(RichText::new(text).small().color(color))
}

/// Coverage per rubric cell against attempt number.
pub fn coverage_chart_ui(ui: &mut Ui, series: &[(String, Vec<[f64; 2]>)]) -> Response {
    use egui_plot::{Legend, Line, Plot, PlotPoints};
    Plot::new("rehearse_coverage_chart")
        .legend(Legend::default())
        .height(220.0)
        .include_y(0.0)
        .include_y(1.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            for (name, points) in series {
                plot.line(Line::new(name.clone(), PlotPoints::from(points.clone())));
            }
        })
        .response
}

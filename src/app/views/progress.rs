//! Progress on the Today screen: each rubric cell's coverage per day of the plan (a chart), and how far the
//! person's own ratings are from the rubric per cell — a one-line summary, a table (overall, earlier →
//! recent) and the gap per day. Draws [`crate::plan::progress::Progress`], computed in the core.

use egui::{Color32, RichText, Ui};
use egui_plot::{HLine, Line, LineStyle, Plot, Points, VLine};

use super::section;
use crate::app::App;
use crate::app::theme::{self, Theme};
use crate::plan::progress::{Calibration, Gap, Progress};

/// Height of the coverage chart.
const COVERAGE_HEIGHT: f32 = 210.0;
/// Height of the calibration gap chart.
const GAP_HEIGHT: f32 = 140.0;

pub(super) fn show(ui: &mut Ui, app: &App, p: &Progress) {
    section(ui, "Progress");
    if p.answers == 0 {
        ui.weak("Coverage per rubric cell and how your ratings compare with the rubric show here once you have scored answers in the plan.");
        return;
    }
    let label = |id: &str| app.state.cell_label(id);
    // One colour per cell in both charts: its place in the rubric.
    let color = |id: &str| {
        let i = p.coverage.iter().position(|c| c.cell == id).unwrap_or(0);
        theme::CHART_PALETTE[i % theme::CHART_PALETTE.len()]
    };
    coverage_chart_ui(ui, p, &label, &color);
    section(ui, "Your ratings vs the rubric");
    calibration_ui(ui, &p.calibration, p.plan_days, &label, &color);
}

/// Whole plan days on the x axis; nothing between them.
fn day_ticks(mark: egui_plot::GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    let day = mark.value.round();
    if (mark.value - day).abs() < 1e-6 && day >= 1.0 {
        format!("{day:.0}")
    } else {
        String::new()
    }
}

/// The x axis: "Plan day", a label on every whole day (egui_plot's default needs 60 points between labels,
/// more than a day gets in a long plan).
fn day_axis() -> egui_plot::AxisHints<'static> {
    egui_plot::AxisHints::new_x()
        .label("Plan day")
        .formatter(day_ticks)
        .label_spacing(24.0..=40.0)
}

/// Y grid lines every 25 points, labelled where there is room (the default steps are powers of ten).
fn quarters() -> impl Fn(egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    egui_plot::uniform_grid_spacer(|_| [0.25, 0.5, 1.0])
}

/// A row of coloured dots and names above a chart (egui_plot's own legend would cover the lines).
fn legend_ui(ui: &mut Ui, keys: &[(String, Color32)]) {
    ui.horizontal_wrapped(|ui| {
        for (name, color) in keys {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), 4.0, *color);
            ui.label(RichText::new(name).small());
            ui.add_space(6.0);
        }
    });
}

/// Coverage per cell per plan day, with today marked. Its accessible label says each cell's latest value.
fn coverage_chart_ui(
    ui: &mut Ui,
    p: &Progress,
    label: &dyn Fn(&str) -> String,
    color: &dyn Fn(&str) -> Color32,
) -> egui::Response {
    let today_color = Theme::of(ui).weak_text;
    let mut keys: Vec<(String, Color32)> = p.coverage.iter().map(|c| (label(&c.cell), color(&c.cell))).collect();
    keys.push(("today (dashed)".to_owned(), today_color));
    legend_ui(ui, &keys);
    let response = Plot::new("rehearse_plan_coverage")
        .height(COVERAGE_HEIGHT)
        .include_y(0.0)
        .include_y(1.0)
        .include_x(1.0)
        .include_x(p.plan_days as f64)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .y_axis_label("Coverage")
        .custom_x_axes(vec![day_axis()])
        .y_axis_formatter(|mark, _| format!("{:.0}%", mark.value * 100.0))
        .y_grid_spacer(quarters())
        .show(ui, |plot| {
            for c in &p.coverage {
                let color = color(&c.cell);
                let pts: Vec<[f64; 2]> = c.days.iter().map(|d| [d.day as f64, d.mean]).collect();
                let name = label(&c.cell);
                plot.line(Line::new(name.as_str(), pts.clone()).width(2.0).color(color));
                plot.points(Points::new(name.as_str(), pts).radius(3.0).color(color));
            }
            if (1..=p.plan_days).contains(&p.today) {
                plot.vline(
                    VLine::new("Today", p.today as f64)
                        .color(today_color)
                        .style(LineStyle::dashed_dense()),
                );
            }
        })
        .response;
    let latest: Vec<String> = p
        .coverage
        .iter()
        .filter_map(|c| {
            let d = c.days.last()?;
            Some(format!("{} {:.0}% on day {}", label(&c.cell), d.mean * 100.0, d.day))
        })
        .collect();
    let summary = format!("Coverage across the plan: {}", latest.join(", "));
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &summary));
    response
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The summary, a table per self-rated cell, and the signed gap per day.
fn calibration_ui(
    ui: &mut Ui,
    c: &Calibration,
    plan_days: i64,
    label: &dyn Fn(&str) -> String,
    color: &dyn Fn(&str) -> Color32,
) {
    let theme = Theme::of(ui);
    let summary = c.summary();
    match c.furthest().map(|f| f.overall) {
        Some(g) if g.bias.abs() >= crate::plan::progress::CLOSE => {
            ui.label(RichText::new(summary).color(theme.amber).strong());
        }
        _ => {
            ui.label(summary);
        }
    }
    if c.cells.is_empty() {
        return;
    }
    egui::Grid::new("calibration_table")
        .num_columns(5)
        .striped(true)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for h in ["Cell", "You", "Rubric", "Gap", "Earlier, recent"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for cell in &c.cells {
                let g = cell.overall;
                ui.label(label(&cell.cell));
                ui.label(pct(g.you));
                ui.label(pct(g.rubric));
                ui.label(g.verdict());
                ui.label(trend(cell.earlier, cell.recent));
                ui.end_row();
            }
        });
    ui.weak("You: your 1–5 ratings as 0–100%. Earlier, recent: the mean gap either way, in points, over the earlier and the recent half of your rated answers.");
    gap_chart_ui(ui, c, plan_days, label, color);
}

/// "60 then 18 pts, closer" from the two halves' mean absolute gaps.
fn trend(earlier: Option<Gap>, recent: Option<Gap>) -> String {
    let (Some(e), Some(r)) = (earlier, recent) else {
        return "—".to_owned();
    };
    let (a, b) = ((e.mean_abs * 100.0).round(), (r.mean_abs * 100.0).round());
    let word = if b + 5.0 <= a {
        ", closer"
    } else if b >= a + 5.0 {
        ", further"
    } else {
        ""
    };
    format!("{a:.0} then {b:.0} pts{word}")
}

/// Signed gap (you − rubric) per cell per plan day: above the line you rate yourself higher.
fn gap_chart_ui(
    ui: &mut Ui,
    c: &Calibration,
    plan_days: i64,
    label: &dyn Fn(&str) -> String,
    color: &dyn Fn(&str) -> Color32,
) -> egui::Response {
    let zero = Theme::of(ui).weak_text;
    ui.add_space(6.0);
    ui.label("Gap per day, you minus the rubric (above the line: you rate yourself higher)");
    let keys: Vec<(String, Color32)> = c.cells.iter().map(|x| (label(&x.cell), color(&x.cell))).collect();
    legend_ui(ui, &keys);
    let response = Plot::new("rehearse_plan_calibration")
        .height(GAP_HEIGHT)
        .include_x(1.0)
        .include_x(plan_days as f64)
        .include_y(-0.6)
        .include_y(0.6)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .y_axis_label("Gap, pts")
        .custom_x_axes(vec![day_axis()])
        .y_axis_formatter(|mark, _| format!("{:+.0}", mark.value * 100.0))
        .y_grid_spacer(quarters())
        .show(ui, |plot| {
            plot.hline(HLine::new("", 0.0).color(zero));
            for cell in &c.cells {
                let color = color(&cell.cell);
                let pts: Vec<[f64; 2]> = cell.days.iter().map(|d| [d.day as f64, d.gap.bias]).collect();
                let name = label(&cell.cell);
                plot.line(Line::new(name.as_str(), pts.clone()).width(2.0).color(color));
                plot.points(Points::new(name.as_str(), pts).radius(3.0).color(color));
            }
        })
        .response;
    let text = format!(
        "Self-rating gap per day: {}",
        c.cells
            .iter()
            .map(|cell| format!("{} {}", label(&cell.cell), cell.overall.verdict()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &text));
    response
}

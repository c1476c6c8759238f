//! Today: the practice plan's step for today — what, why, how long — and one button to start it; progress
//! through the roadmap, the streak, the interview countdown, the plan's dates, and beside them (below on a
//! narrow window) coverage per rubric cell and self-rating calibration ([`super::progress`]). Also the banner that
//! Record and Review show while a plan step is being answered (a blitz shows its target cell large).

use egui::{RichText, Ui};

use super::{St, section};
use crate::app::App;
use crate::app::logic::Command;
use crate::app::state::{ActiveStep, PlanState, Screen, Stage};
use crate::app::theme::Theme;
use crate::plan::{Phase, Step, StepKind, Today, ymd};

/// Days the guide's full roadmap needs; a new plan's default interview date.
const DEFAULT_DAYS: i64 = crate::plan::FULL_PROGRAMME_DAYS;
/// The first screen's one sentence: what the app does.
pub const WHAT_IT_DOES: &str = "Answer interview questions out loud against the clock; rehearse transcribes you on \
     this machine and shows what a strong answer covers that yours did not.";
/// Width from which progress sits beside the plan rather than below it.
const TWO_COLUMNS: f32 = 960.0;
/// Space between the two columns.
const COLUMN_GAP: f32 = 24.0;

pub(super) fn show(ui: &mut Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        let progress = match (&app.state.plan, &app.state.plan_progress) {
            (PlanState::Ready(_), Some(p)) => Some(p),
            _ => None,
        };
        match progress {
            // Wide enough: the plan on the left, progress beside it, both in view.
            Some(p) if ui.available_width() >= TWO_COLUMNS => {
                ui.horizontal_top(|ui| {
                    let left = (ui.available_width() * 0.52).min(640.0);
                    ui.vertical(|ui| {
                        ui.set_width(left);
                        plan_column(ui, app, st, cmds);
                    });
                    ui.add_space(COLUMN_GAP);
                    ui.vertical(|ui| super::progress::show(ui, app, p));
                });
            }
            Some(p) => {
                plan_column(ui, app, st, cmds);
                super::progress::show(ui, app, p);
            }
            None => plan_column(ui, app, st, cmds),
        }
    });
}

/// The plan's step for today, its dates, and the way to the question list.
fn plan_column(ui: &mut Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
    ui.label(RichText::new("Today").size(26.0).strong());
    if matches!(app.state.plan, PlanState::None) {
        ui.label(RichText::new(WHAT_IT_DOES).size(16.0));
        ui.add_space(8.0);
    }
    // The models on first start (or after they were removed): what is needed, the download and its progress.
    if let Some(first) = &app.state.first_start {
        super::first_start::show(ui, first, cmds);
        ui.add_space(12.0);
    }
    match &app.state.plan {
        PlanState::Loading => {
            ui.weak("Reading your plan…");
        }
        PlanState::None => {
            ui.weak(
                "Try a question now, or make a plan to your interview date: fundamentals, scenario drills, two \
                 mock panels, a blitz on your weakest rubric cell, then a daily drill until the interview.",
            );
            ui.add_space(4.0);
            dates_editor(ui, app, st, cmds, "Make my plan", true);
        }
        PlanState::Damaged(why) => {
            ui.colored_label(Theme::of(ui).amber, why);
            ui.label("Your attempts are safe. Set the dates to make a fresh plan:");
            dates_editor(ui, app, st, cmds, "Make a fresh plan", false);
        }
        PlanState::Ready(d) => {
            if let Some(t) = &app.state.plan_today {
                plan_today(ui, app, t, (d.interview - d.start).whole_days(), cmds);
            }
            ui.add_space(12.0);
            ui.collapsing("Plan dates and deck", |ui| {
                dates_editor(ui, app, st, cmds, "Save dates", false)
            });
        }
    }
    ui.add_space(16.0);
    if ui.button("All questions").clicked() {
        cmds.push(Command::ShowScreen(Screen::Questions));
    }
}

fn plan_today(ui: &mut Ui, app: &App, t: &Today, total: i64, cmds: &mut Vec<Command>) {
    let theme = Theme::of(ui);
    let countdown = match t.days_to_interview {
        d if d < 0 => "The interview is past".to_owned(),
        0 => "The interview is today — good luck".to_owned(),
        1 => "1 day to the interview".to_owned(),
        d => format!("{d} days to the interview"),
    };
    ui.label(RichText::new(countdown).size(20.0));
    let where_ = match t.phase {
        Some(p) => format!("Day {} of {total} · {}", t.day, p.title()),
        None if t.day < 1 => format!("The plan starts in {} day(s)", 1 - t.day),
        None => "No practice days left".to_owned(),
    };
    ui.label(where_);
    ui.label(format!(
        "Streak: {} day{}",
        t.streak,
        if t.streak == 1 { "" } else { "s" }
    ));
    let frac = t.roadmap_done as f32 / t.roadmap_total.max(1) as f32;
    let label = format!("Roadmap {} of {} done", t.roadmap_done, t.roadmap_total);
    let bar = ui.add(egui::ProgressBar::new(frac).text(&label).desired_width(360.0));
    bar.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, &label));
    if let Some(line) = t.rolled_forward_line() {
        ui.colored_label(theme.amber, line);
    }
    if let Some(w) = &t.worst_cell {
        ui.weak(format!("Mocks: {}", w.describe()));
    }
    ui.add_space(12.0);
    egui::Frame::group(ui.style()).inner_margin(12.0).show(ui, |ui| {
        ui.set_min_width(ui.available_width().min(640.0));
        match &t.next {
            Some(n) => {
                if n.ahead {
                    ui.label(RichText::new("Done for today — practise ahead?").strong());
                }
                ui.label(RichText::new(step_title(&n.step, t.phase)).size(18.0).strong());
                if let Some(cell) = &n.step.target_cell {
                    ui.label(
                        RichText::new(format!("Target: {}", app.state.cell_label(cell)))
                            .size(28.0)
                            .strong(),
                    );
                }
                if let Some(q) = n.question_id.as_deref().and_then(|id| app.state.question(id)) {
                    ui.label(RichText::new(&q.prompt).size(16.0));
                }
                if n.step.kind == StepKind::Mock {
                    ui.weak(format!(
                        "A mock panel of {} questions, each followed by its follow-up, asked aloud; no hint and no                          feedback until the panel report, as in a real loop.",
                        n.step.question_ids.len()
                    ));
                }
                ui.label(format!("Why: {}", n.why));
                ui.weak(format!(
                    "{} time-box · about {} min",
                    crate::transcript::mmss(f64::from(n.step.time_box_s)),
                    n.step.minutes
                ));
                ui.add_space(8.0);
                let label = if n.ahead {
                    "Practise ahead"
                } else {
                    "Start today's step"
                };
                let live = app.state.stage.is_live();
                if ui
                    .add_enabled(!live, egui::Button::new(RichText::new(label).size(18.0)))
                    .clicked()
                {
                    cmds.push(Command::StartTodayStep);
                }
            }
            None => {
                ui.label("Nothing left to do in the plan.");
            }
        }
    });
    if !t.steps.is_empty() {
        section(ui, "Today's steps");
        let done = t.steps.iter().filter(|s| s.done).count();
        ui.label(format!("{done} of {} steps done today", t.steps.len()));
        let prompt = |id: &str| app.state.question(id).map(|q| q.prompt.clone());
        let cell = |c: &str| app.state.cell_label(c);
        for s in &t.steps {
            ui.label(step_row(s, &prompt, &cell));
        }
    }
    if t.done_today {
        ui.colored_label(theme.green, "Done for today.");
    }
}

/// "Explain" / "Scenario drill" / "Daily drill" / "Mock panel" / "Weakness blitz".
fn step_title(s: &Step, phase: Option<Phase>) -> &'static str {
    match (s.kind, phase) {
        (StepKind::Explain, _) => "Explain it in 90 seconds",
        (StepKind::Drill, Some(Phase::Cadence)) => "Daily drill",
        (StepKind::Drill, _) => "Scenario drill",
        (StepKind::Mock, _) => "Mock panel",
        (StepKind::Blitz, _) => "Weakness blitz",
    }
}

/// "To do · Explain · What is Product Metrics and why…? · 6 min": the step's first question by its text
/// (`prompt` looks it up; the id when it is not in a loaded deck), a blitz's target by `cell`'s label.
fn step_row(s: &Step, prompt: &dyn Fn(&str) -> Option<String>, cell: &dyn Fn(&str) -> String) -> String {
    let mark = if s.done { "Done" } else { "To do" };
    let what = match s.kind {
        StepKind::Explain => "Explain",
        StepKind::Drill => "Drill",
        StepKind::Mock => "Mock panel",
        StepKind::Blitz => "Blitz",
    };
    let target = s
        .target_cell
        .as_deref()
        .map_or_else(String::new, |c| format!(" on {}", cell(c)));
    let first = s.question_ids.first().map_or_else(
        || "questions picked after the mocks".to_owned(),
        |id| prompt(id).unwrap_or_else(|| id.clone()),
    );
    let more = match s.question_ids.len() {
        0 | 1 => String::new(),
        2 => " and 1 more".to_owned(),
        n => format!(" and {} more", n - 1),
    };
    format!("{mark} · {what}{target} · {first}{more} · {} min", s.minutes)
}

/// The plan's dates and the button that saves them; on the first screen (`try_first`) *Try one question now*
/// beside it.
fn dates_editor(ui: &mut Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>, action: &str, try_first: bool) {
    let (start, interview) = st.plan_dates.get_or_insert_with(|| match &app.state.plan {
        PlanState::Ready(d) => (ymd::format(d.start), ymd::format(d.interview)),
        _ => (
            ymd::format(app.state.today),
            ymd::format(app.state.today + time::Duration::days(DEFAULT_DAYS)),
        ),
    });
    egui::Grid::new("plan_dates").num_columns(2).show(ui, |ui| {
        let l = ui.label("Start");
        ui.add(egui::TextEdit::singleline(start).desired_width(120.0))
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Interview");
        ui.add(egui::TextEdit::singleline(interview).desired_width(120.0))
            .labelled_by(l.id);
        ui.end_row();
    });
    deck_picker(ui, app, cmds);
    let parsed = (ymd::parse(start), ymd::parse(interview));
    if let (Err(e), _) | (_, Err(e)) = &parsed {
        ui.colored_label(Theme::of(ui).amber, e);
    }
    let ok = matches!(parsed, (Ok(_), Ok(_)));
    ui.add_space(4.0);
    // Without the speech model nothing can be transcribed: trying waits for the download above.
    let speech_missing = app
        .state
        .first_start
        .as_ref()
        .is_some_and(|f| f.missing.contains(&crate::setup::Item::Speech));
    ui.horizontal(|ui| {
        if try_first
            && ui
                .add_enabled(
                    !app.state.stage.is_live() && !speech_missing,
                    egui::Button::new(RichText::new("Try one question now").size(18.0)),
                )
                .on_hover_text("A short warm-up question from the built-in deck, recorded at once")
                .on_disabled_hover_text("First download the speech model (above)")
                .clicked()
        {
            cmds.push(Command::TryOneQuestion);
        }
        let size = if try_first { 18.0 } else { 14.0 };
        if ui
            .add_enabled(ok, egui::Button::new(RichText::new(action).size(size)))
            .clicked()
            && let (Ok(s), Ok(i)) = parsed
        {
            cmds.push(Command::SetPlanDates(s, i));
        }
    });
}

/// Which deck the plan drills, when there is more than one (an imported guide): chosen here, saved at once.
fn deck_picker(ui: &mut Ui, app: &App, cmds: &mut Vec<Command>) {
    let PlanState::Ready(d) = &app.state.plan else { return };
    let decks = &app.state.decks;
    if decks.len() < 2 {
        return;
    }
    let current = crate::plan::file::plan_questions(decks, d.deck.as_deref());
    let current_id = decks
        .iter()
        .find(|k| k.questions.first().map(|q| &q.id) == current.first().map(|q| &q.id))
        .map(|k| k.id.clone());
    let title = |id: &Option<String>| {
        decks
            .iter()
            .find(|k| Some(&k.id) == id.as_ref())
            .map_or_else(|| "Built-in deck".to_owned(), |k| k.title.clone())
    };
    ui.horizontal(|ui| {
        let l = ui.label("Deck");
        egui::ComboBox::from_id_salt("plan_deck")
            .selected_text(title(&current_id))
            .show_ui(ui, |ui| {
                for k in decks {
                    let chosen = current_id.as_deref() == Some(k.id.as_str());
                    if ui.selectable_label(chosen, &k.title).clicked() && !chosen {
                        cmds.push(Command::SetPlanDeck(Some(k.id.clone())));
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
}

/// The plan step being answered, above Record and Review: what it is and why; a blitz shows its target
/// cell large and, in Review, this answer's result for it.
pub(super) fn step_banner(ui: &mut Ui, app: &App, cmds: &mut Vec<Command>) {
    let Some(a) = &app.state.active_step else { return };
    let question = match &app.state.stage {
        Stage::Recording(r) => Some(r.question.id.as_str()),
        Stage::Preparing { question, .. } => Some(question.id.as_str()),
        Stage::Transcribing(t) => Some(t.attempt.question_id.as_str()),
        Stage::Review(r) if app.state.screen == Screen::Review => Some(r.attempt.question_id.as_str()),
        Stage::Idle | Stage::Review(_) => app.state.selected.as_deref(),
    };
    if question != Some(a.question_id.as_str()) {
        return;
    }
    banner(ui, app, a, cmds);
}

fn banner(ui: &mut Ui, app: &App, a: &ActiveStep, cmds: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("Today's step · {}", step_title(&a.step, a.phase))).strong());
        ui.weak(&a.why);
        if app.state.screen == Screen::Review && ui.button("Back to Today").clicked() {
            cmds.push(Command::ShowScreen(Screen::Today));
        }
    });
    if let Some(cell) = &a.step.target_cell {
        let result = match (&app.state.stage, app.state.screen) {
            (Stage::Review(r), Screen::Review) => r
                .report
                .as_ref()
                .and_then(|rep| rep.rubric.iter().find(|c| &c.cell == cell))
                .map(|c| format!(" — this answer {:.0}%", c.score * 100.0)),
            _ => None,
        };
        ui.label(
            RichText::new(format!(
                "Target: {}{}",
                app.state.cell_label(cell),
                result.unwrap_or_default()
            ))
            .size(30.0)
            .strong(),
        );
    }
    ui.separator();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::StepKind;

    fn step(kind: StepKind, ids: &[&str], done: bool, target: Option<&str>) -> Step {
        Step {
            kind,
            question_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            time_box_s: 90,
            minutes: 6,
            target_cell: target.map(str::to_owned),
            why: String::new(),
            done,
            answered: 0,
            reasons: Vec::new(),
            done_at: None,
        }
    }

    #[test]
    fn steps_are_named_by_their_questions_text() {
        let deck = crate::bank::Deck::embedded().expect("deck");
        let prompt = |id: &str| deck.question(id).map(|q| q.prompt.clone());
        let cell = |c: &str| format!("<{c}>");
        for (s, row) in [
            (
                step(StepKind::Explain, &["pm-03-smallest-poc"], false, None),
                "To do · Explain · What's the smallest proof-of-concept that demonstrates Product Metrics clearly? · 6 min",
            ),
            (
                step(StepKind::Drill, &["pm-04-debug-slow"], true, None),
                "Done · Drill · How would you debug a slow Product Metrics implementation? · 6 min",
            ),
            (
                step(
                    StepKind::Mock,
                    &["pm-04-debug-slow", "pm-03-smallest-poc", "pm-01-success-metrics"],
                    false,
                    None,
                ),
                "To do · Mock panel · How would you debug a slow Product Metrics implementation? and 2 more · 6 min",
            ),
            (
                step(StepKind::Blitz, &[], false, Some("trade-offs")),
                "To do · Blitz on <trade-offs> · questions picked after the mocks · 6 min",
            ),
            // Not in a loaded deck: the id, rather than nothing.
            (
                step(StepKind::Drill, &["gone-01"], false, None),
                "To do · Drill · gone-01 · 6 min",
            ),
        ] {
            assert_eq!(step_row(&s, &prompt, &cell), row);
        }
    }
}

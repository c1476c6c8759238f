//! Progress over time: every attempt with its coverage and delivery, a chart of coverage per rubric cell
//! across attempts at one question, any attempt reopened in Review, and two attempts side by side.

use egui::{RichText, ScrollArea};

use super::{St, section};
use crate::app::App;
use crate::app::logic::{Command, self_score_for};
use crate::app::state::Entry;
use crate::app::widgets::coverage_chart_ui;
use crate::transcript::mmss;

pub(super) fn show(ui: &mut egui::Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
    if !app.state.entries_loaded {
        ui.weak("Loading attempts…");
        return;
    }
    if !app.state.damaged.is_empty() {
        let theme = crate::app::theme::Theme::of(ui);
        ui.colored_label(
            theme.amber,
            format!(
                "{} attempt(s) could not be read and are left untouched in the data folder:",
                app.state.damaged.len()
            ),
        );
        for d in &app.state.damaged {
            ui.weak(d);
        }
        ui.add_space(8.0);
    }
    if app.state.entries.is_empty() {
        ui.label("No attempts yet. Pick a question and answer it out loud.");
        return;
    }
    let mut asked: Vec<&str> = app
        .state
        .entries
        .iter()
        .map(|e| e.attempt.question_id.as_str())
        .collect();
    asked.sort_unstable();
    asked.dedup();
    let prompt = |id: &str| {
        app.state
            .question(id)
            .map_or_else(|| id.to_owned(), |q| q.prompt.clone())
    };
    ui.horizontal(|ui| {
        let label = ui.label("Question");
        let shown = st
            .history_question
            .as_deref()
            .map_or_else(|| "All questions".to_owned(), prompt);
        egui::ComboBox::from_id_salt("history_question")
            .selected_text(shown)
            .width(520.0)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(st.history_question.is_none(), "All questions")
                    .clicked()
                {
                    st.history_question = None;
                }
                for id in &asked {
                    if ui
                        .selectable_label(st.history_question.as_deref() == Some(*id), prompt(id))
                        .clicked()
                    {
                        st.history_question = Some((*id).to_owned());
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    let list: Vec<&Entry> = app
        .state
        .entries
        .iter()
        .filter(|e| st.history_question.as_ref().is_none_or(|q| *q == e.attempt.question_id))
        .collect();
    ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        section(ui, "Attempts");
        table(ui, &list, st, cmds, &prompt);
        if st.compare.len() == 2 {
            let pick = |id: &String| app.state.entries.iter().find(|e| &e.attempt.id == id);
            if let (Some(a), Some(b)) = (pick(&st.compare[0]), pick(&st.compare[1])) {
                section(ui, "Side by side");
                compare(ui, app, a, b);
            }
        } else {
            ui.weak("Tick two attempts to compare them side by side.");
        }
        section(ui, "Coverage per rubric cell over attempts");
        if st.history_question.is_some() || asked.len() == 1 {
            chart(ui, app, &list);
        } else {
            ui.weak("Choose a question above to see how its coverage changed.");
        }
    });
}

fn when(e: &Entry) -> String {
    e.attempt
        .started_at
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]"
        ))
        .unwrap_or_default()
}

fn table(ui: &mut egui::Ui, list: &[&Entry], st: &mut St, cmds: &mut Vec<Command>, prompt: &dyn Fn(&str) -> String) {
    egui::Grid::new("history_table")
        .num_columns(8)
        .striped(true)
        .spacing([14.0, 6.0])
        .show(ui, |ui| {
            for h in [
                "Date", "Question", "Length", "Coverage", "Pace", "Fillers", "", "Compare",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for e in list {
                let date = when(e);
                ui.label(&date);
                let mut q = prompt(&e.attempt.question_id);
                if q.chars().count() > 48 {
                    q = format!("{}…", q.chars().take(47).collect::<String>());
                }
                ui.label(q);
                ui.label(mmss(e.attempt.duration_s));
                match (&e.report, e.coverage()) {
                    (Some(r), Some(c)) => {
                        ui.label(format!("{:.0}%", c * 100.0));
                        ui.label(format!("{:.0} wpm", r.delivery.wpm));
                        ui.label(format!("{:.1}/min", r.delivery.fillers_per_min));
                    }
                    _ => {
                        ui.weak(e.attempt.status.as_str());
                        ui.label("");
                        ui.label("");
                    }
                }
                let open = ui.button("Open");
                let open = open.on_hover_text(format!("Open the attempt of {date} in Review"));
                if open.clicked() {
                    cmds.push(Command::OpenAttempt(e.attempt.id.clone()));
                }
                let mut ticked = st.compare.contains(&e.attempt.id);
                if ui.checkbox(&mut ticked, format!("Compare {date}")).changed() {
                    if ticked {
                        st.compare.push(e.attempt.id.clone());
                        if st.compare.len() > 2 {
                            st.compare.remove(0);
                        }
                    } else {
                        st.compare.retain(|id| id != &e.attempt.id);
                    }
                }
                ui.end_row();
            }
        });
}

fn chart(ui: &mut egui::Ui, app: &App, list: &[&Entry]) {
    let mut scored: Vec<&&Entry> = list.iter().filter(|e| e.report.is_some()).collect();
    scored.sort_by_key(|e| e.attempt.started_at);
    if scored.is_empty() {
        ui.weak("No scored attempts yet.");
        return;
    }
    let cells: Vec<(String, String)> = app.state.rubric.as_ref().map_or_else(Vec::new, |r| {
        r.cells().iter().map(|c| (c.id.clone(), c.label.clone())).collect()
    });
    let series: Vec<(String, Vec<[f64; 2]>)> = cells
        .iter()
        .map(|(id, label)| {
            let pts = scored
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    let r = e.report.as_ref()?;
                    let c = r.rubric.iter().find(|c| &c.cell == id)?;
                    Some([(i + 1) as f64, c.score])
                })
                .collect();
            (label.clone(), pts)
        })
        .collect();
    coverage_chart_ui(ui, &series);
}

fn compare(ui: &mut egui::Ui, app: &App, a: &Entry, b: &Entry) {
    egui::Grid::new("compare")
        .num_columns(3)
        .striped(true)
        .spacing([24.0, 4.0])
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new(when(a)).strong());
            ui.label(RichText::new(when(b)).strong());
            ui.end_row();
            let both = |ui: &mut egui::Ui, name: &str, f: &dyn Fn(&Entry) -> String| {
                ui.label(name);
                ui.label(f(a));
                ui.label(f(b));
                ui.end_row();
            };
            both(ui, "Length", &|e| mmss(e.attempt.duration_s));
            both(ui, "Coverage", &|e| {
                e.coverage().map_or("—".into(), |c| format!("{:.0}%", c * 100.0))
            });
            let cells: Vec<(String, String)> = app.state.rubric.as_ref().map_or_else(Vec::new, |r| {
                r.cells().iter().map(|c| (c.id.clone(), c.label.clone())).collect()
            });
            for (id, label) in &cells {
                both(ui, label, &|e| {
                    let auto = e
                        .report
                        .as_ref()
                        .and_then(|r| r.rubric.iter().find(|c| &c.cell == id))
                        .map_or("—".to_owned(), |c| {
                            format!(
                                "{} {:.0}%",
                                if c.covered { "covered" } else { "missing" },
                                c.score * 100.0
                            )
                        });
                    match self_score_for(&e.attempt.self_scores, id) {
                        Some(s) => format!("{auto} · you {s}/5"),
                        None => auto,
                    }
                });
            }
            both(ui, "Pace", &|e| {
                e.report
                    .as_ref()
                    .map_or("—".into(), |r| format!("{:.0} wpm", r.delivery.wpm))
            });
            both(ui, "Fillers", &|e| {
                e.report
                    .as_ref()
                    .map_or("—".into(), |r| format!("{:.1}/min", r.delivery.fillers_per_min))
            });
            both(ui, "Notes", &|e| e.attempt.notes.clone());
        });
}

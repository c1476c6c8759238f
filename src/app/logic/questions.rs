//! Questions and decks: choosing a question, opening a deck file, importing a prep guide (preview, save or
//! discard).

use super::*;

/// The commands of questions.
pub(super) fn command(state: &mut State, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::SelectQuestion(id) => {
            if state.panel.is_some() {
                state.notice = Some("End the panel before choosing another question.".into());
            } else if state.stage.is_live() {
                state.notice = Some("Stop the recording before choosing another question.".into());
            } else if state.question(&id).is_some() {
                if state.selected.as_deref() != Some(id.as_str()) {
                    state.ui_state.peek = false;
                    state.ui_state.time_box_override = None;
                    state.active_step = None;
                }
                state.selected = Some(id);
                state.screen = Screen::Record;
            }
        }
        Command::OpenDeckDialog => fx.push(Effect::PickDeck),
        Command::ImportGuideDialog => fx.push(Effect::PickGuide),
        Command::PasteGuide(text) => {
            if text.trim().is_empty() {
                state.notice = Some("Paste the guide's text first (Ctrl+V into the box).".into());
            } else {
                fx.push(Effect::Io(IoCommand::PreviewGuideText(text)));
            }
        }
        Command::SaveGuide => {
            if let Some(p) = state.guide_preview.take() {
                fx.push(Effect::Io(IoCommand::SaveDeck(Box::new(p.deck))));
            }
        }
        Command::DiscardGuide => {
            state.guide_preview = None;
        }
        _ => {} // routed elsewhere by `logic::command`
    }
}

/// The disk worker's reports for questions.
pub(super) fn io_event(state: &mut State, ev: IoEvent) {
    match ev {
        IoEvent::Decks(decks) => {
            for d in decks {
                add_deck(state, d);
            }
        }
        IoEvent::DeckImported(deck) => {
            state.notice = Some(format!(
                "Added deck \u{201c}{}\u{201d} ({} questions)",
                deck.title,
                deck.questions.len()
            ));
            add_deck(state, *deck);
        }
        IoEvent::GuideRead(mut preview) => {
            preview.replaces = state
                .decks
                .iter()
                .find(|d| d.id == preview.deck.id)
                .map(|d| d.title.clone());
            state.ui_state.paste_guide = None;
            state.screen = Screen::Questions;
            state.guide_preview = Some(*preview);
        }
        _ => {} // routed elsewhere by `logic::io_event`
    }
}

pub(super) fn add_deck(state: &mut State, deck: crate::bank::Deck) {
    state.decks.retain(|d| d.id != deck.id);
    state.decks.push(deck);
}

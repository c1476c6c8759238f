//! Review: playback, self-scores and coverage, notes, re-transcribe, delete, export, and the person's
//! corrections of the rubric.

use super::*;

/// The commands of review.
pub(super) fn command(state: &mut State, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::TogglePlay => {
            if let Stage::Review(r) = &mut state.stage {
                r.playback = match r.playback {
                    Playback::Paused => Playback::Playing,
                    Playback::Playing => Playback::Paused,
                };
                fx.push(Effect::Player(if r.playing() {
                    PlayerCmd::Play
                } else {
                    PlayerCmd::Pause
                }));
            }
        }
        Command::Seek(t) => {
            if let Stage::Review(r) = &mut state.stage {
                r.playhead_s = t;
                fx.push(Effect::Player(PlayerCmd::Seek(t)));
            }
        }
        Command::SetSpeed(s) => {
            state.prefs.speed = s;
            fx.push(Effect::Player(PlayerCmd::SetSpeed(s)));
        }
        Command::SetSelfScore { index, value } => {
            if let Stage::Review(r) = &mut state.stage
                && let Some(slot) = r.scores.get_mut(index)
            {
                *slot = value.filter(|v| (1..=5).contains(v));
            }
        }
        Command::RevealCoverage => {
            if let Stage::Review(r) = &mut state.stage {
                if let [Some(a), Some(b), Some(c), Some(d)] = r.scores {
                    let scores = SelfScores {
                        restatement: a,
                        trade_offs: b,
                        execution: c,
                        communication: d,
                    };
                    r.attempt.self_scores = Some(scores);
                    fx.push(Effect::Io(IoCommand::SetSelfScores {
                        attempt_id: r.attempt.id.clone(),
                        scores,
                    }));
                }
                r.coverage = Coverage::Revealed;
            }
        }
        Command::SaveNotes(notes) => {
            if let Stage::Review(r) = &mut state.stage
                && r.attempt.notes != notes
            {
                r.attempt.notes.clone_from(&notes);
                fx.push(Effect::Io(IoCommand::SetNotes {
                    attempt_id: r.attempt.id.clone(),
                    notes,
                }));
            }
        }
        Command::Retranscribe => retranscribe(state, fx),
        Command::AskDelete(ask) => {
            if let Stage::Review(r) = &mut state.stage {
                r.dialog = if ask {
                    ReviewDialog::ConfirmDelete
                } else {
                    ReviewDialog::None
                };
            }
        }
        Command::ConfirmDelete => {
            if let Stage::Review(r) = &state.stage
                && r.confirm_delete()
            {
                fx.push(Effect::Io(IoCommand::Delete(r.attempt.id.clone())));
                pause_review(state, fx);
                state.stage = Stage::Idle;
                state.screen = Screen::History;
                state.notice = Some("Attempt deleted.".into());
            }
        }
        Command::OpenAttempt(id) => {
            if state.panel.is_none()
                && matches!(state.stage, Stage::Idle | Stage::Review(_))
                && let Some(e) = state.entries.iter().find(|e| e.attempt.id == id).cloned()
            {
                pause_review(state, fx);
                let problem =
                    e.attempt.error.clone().or_else(|| {
                        (e.attempt.status == Status::NoSpeech && e.report.is_none()).then(no_speech_notice)
                    });
                open_review(state, e.attempt, e.report, problem, fx);
            }
        }
        Command::ExportAttempt => {
            if let Stage::Review(r) = &state.stage {
                fx.push(Effect::PickExport {
                    attempt_id: r.attempt.id.clone(),
                });
            }
        }
        Command::MarkCounts { sentence, cell } => correct(state, &cell, Verdict::Counts, Some(sentence), fx),
        Command::RejectEvidence { cell, start_s } => {
            let sentence = match &state.stage {
                Stage::Review(r) => corrections::sentence_at(&r.sentences, start_s),
                _ => None,
            };
            correct(state, &cell, Verdict::DoesNotCount, sentence, fx);
        }
        _ => {} // routed elsewhere by `logic::command`
    }
}

/// The disk worker's reports for review.
pub(super) fn io_event(state: &mut State, ev: IoEvent) {
    match ev {
        IoEvent::Saved(attempt) => {
            if let Stage::Review(r) = &mut state.stage
                && r.attempt.id == attempt.id
            {
                r.attempt = (*attempt).clone();
            }
            let report = parse_report(&attempt);
            upsert_entry(
                state,
                Entry {
                    attempt: *attempt,
                    report,
                },
            );
        }
        IoEvent::Wave { attempt_id, wave } => {
            if let Stage::Review(r) = &mut state.stage
                && r.attempt.id == attempt_id
            {
                r.wave = Some(wave);
            }
        }
        IoEvent::Deleted(id) => state.entries.retain(|e| e.attempt.id != id),
        _ => {} // routed elsewhere by `logic::io_event`
    }
}

/// Re-transcribe in Review: a new transcription of the kept recording (a failed capture has none).
fn retranscribe(state: &mut State, fx: &mut Vec<Effect>) {
    let Stage::Review(r) = &state.stage else { return };
    if r.attempt.status == Status::Failed {
        state.notice = Some("This attempt has no recording to transcribe.".into());
        return;
    }
    if let ModelState::Unavailable(why) = &state.model {
        state.notice = Some(no_model_notice(why));
        return;
    }
    let attempt = r.attempt.clone();
    let question = r.question.clone();
    pause_review(state, fx);
    transcribe(state, attempt, question, fx);
}

pub(super) fn open_review(
    state: &mut State,
    attempt: Attempt,
    report: Option<Report>,
    problem: Option<String>,
    fx: &mut Vec<Effect>,
) {
    let question = state.question(&attempt.question_id).cloned();
    fx.push(Effect::Io(IoCommand::LoadWave {
        attempt_id: attempt.id.clone(),
    }));
    fx.push(Effect::Player(PlayerCmd::Load {
        attempt_id: attempt.id.clone(),
        duration_s: attempt.duration_s,
    }));
    fx.push(Effect::Player(PlayerCmd::SetSpeed(state.prefs.speed)));
    let (markers, highlights) = report.as_ref().map(markers_for).unwrap_or_default();
    let scores = attempt.self_scores.map_or([None; 4], |s| {
        [
            Some(s.restatement),
            Some(s.trade_offs),
            Some(s.execution),
            Some(s.communication),
        ]
    });
    state.ui_state.notes.clone_from(&attempt.notes);
    state.selected = Some(attempt.question_id.clone());
    let sentences = report
        .as_ref()
        .map(|r| &r.transcript)
        .or(attempt.transcript.as_ref())
        .map(corrections::sentences)
        .unwrap_or_default();
    state.stage = Stage::Review(Box::new(Review {
        sentences,
        rescoring: false,
        coverage: if attempt.self_scores.is_some() {
            Coverage::Revealed
        } else {
            Coverage::Hidden
        },
        attempt,
        question,
        report,
        wave: None,
        markers,
        highlights,
        playhead_s: 0.0,
        playback: Playback::Paused,
        scores,
        dialog: ReviewDialog::None,
        problem,
    }));
    state.screen = Screen::Review;
}

pub(super) fn player_event(state: &mut State, ev: PlayerEvent) {
    if let PlayerEvent::Error(e) = ev {
        state.notice = Some(e);
        if let Stage::Review(r) = &mut state.stage {
            r.playback = Playback::Paused;
        }
        return;
    }
    let Stage::Review(r) = &mut state.stage else { return };
    match ev {
        PlayerEvent::Loaded { .. } => r.playhead_s = 0.0,
        PlayerEvent::Position(t) => r.playhead_s = t,
        PlayerEvent::Finished => r.playback = Playback::Paused,
        PlayerEvent::Error(_) => {}
    }
}

/// Pauses playback if the review was playing (before leaving it).
pub(super) fn pause_review(state: &mut State, fx: &mut Vec<Effect>) {
    if let Stage::Review(r) = &mut state.stage {
        r.playback = Playback::Paused;
        fx.push(Effect::Player(PlayerCmd::Pause));
    }
}

/// A correction in Review: kept on the attempt (shown at once) and sent to the disk worker, which saves it,
/// adds it to the personal exemplars and scores the attempt again (`session::correct`).
pub(super) fn correct(state: &mut State, cell: &str, verdict: Verdict, sentence: Option<usize>, fx: &mut Vec<Effect>) {
    let Stage::Review(r) = &mut state.stage else { return };
    if r.report.is_none() {
        state.notice = Some("There is no report to correct: the answer has not been scored.".into());
        return;
    }
    let Some(s) = sentence.and_then(|i| r.sentences.get(i)) else {
        return;
    };
    let correction = corrections::Correction {
        cell: cell.to_owned(),
        verdict,
        sentence: s.text.clone(),
        start_s: s.start_s,
        end_s: s.end_s,
    };
    corrections::upsert_correction(&mut r.attempt.corrections, correction.clone());
    r.rescoring = true;
    fx.push(Effect::Score(ScoreJob::Correct {
        attempt_id: r.attempt.id.clone(),
        question: r.question.clone().map(Box::new),
        correction,
    }));
}

/// Waveform markers and transcript shading for a report: rubric evidence, fillers and long pauses.
pub(crate) fn markers_for(report: &Report) -> (Vec<Marker>, Vec<(usize, usize, MarkerKind)>) {
    let words = &report.transcript.words;
    let mut markers = Vec::new();
    let mut highlights = Vec::new();
    let word_range = |start: f64, end: f64| {
        let first = words.partition_point(|w| w.end_s <= start);
        let last = words.partition_point(|w| w.start_s < end);
        (first, last.max(first))
    };
    for cell in &report.rubric {
        for e in &cell.evidence {
            markers.push(Marker {
                start_s: e.start_s,
                end_s: e.end_s,
                kind: MarkerKind::Evidence,
                label: format!("{}: \u{201c}{}\u{201d}", cell.cell, e.text),
            });
            let (a, b) = word_range(e.start_s, e.end_s);
            highlights.push((a, b, MarkerKind::Evidence));
        }
    }
    let fillers: Vec<&str> = report.delivery.fillers.keys().map(String::as_str).collect();
    for (i, w) in words.iter().enumerate() {
        let norm: String = w
            .text
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'')
            .collect::<String>()
            .to_lowercase();
        if !norm.is_empty() && fillers.contains(&norm.as_str()) {
            markers.push(Marker {
                start_s: w.start_s,
                end_s: w.end_s,
                kind: MarkerKind::Filler,
                label: format!("filler \u{201c}{norm}\u{201d}"),
            });
            highlights.push((i, i + 1, MarkerKind::Filler));
        }
    }
    for p in &report.delivery.long_pauses {
        markers.push(Marker {
            start_s: p.start_s,
            end_s: p.start_s + p.length_s,
            kind: MarkerKind::Pause,
            label: format!("pause {:.1} s", p.length_s),
        });
    }
    (markers, highlights)
}

/// The self-score given for a report cell id, if any.
pub(crate) fn self_score_for(scores: &Option<SelfScores>, cell: &str) -> Option<u8> {
    let s = scores.as_ref()?;
    let i = SELF_SCORE_CELLS.iter().position(|(_, id)| *id == cell)?;
    Some([s.restatement, s.trade_offs, s.execution, s.communication][i])
}

/// A correction was saved and the attempt scored again: Review shows the new report.
pub(super) fn corrected(state: &mut State, entry: Entry) {
    if let Stage::Review(r) = &mut state.stage
        && r.attempt.id == entry.attempt.id
    {
        r.rescoring = false;
        r.attempt = entry.attempt.clone();
        if let Some(report) = &entry.report {
            (r.markers, r.highlights) = markers_for(report);
            r.sentences = corrections::sentences(&report.transcript);
            r.report = Some(report.clone());
        }
    }
    upsert_entry(state, entry);
}

/// A correction could not be saved.
pub(super) fn correct_failed(state: &mut State, attempt_id: &str, error: &str) {
    if let Stage::Review(r) = &mut state.stage
        && r.attempt.id == attempt_id
    {
        r.rescoring = false;
    }
    state.notice = Some(format!("The correction was not saved: {error}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Deck;
    use crate::rubric::Rubric;
    use crate::transcript::Transcript;

    fn report(text: &str, seconds: f64) -> Report {
        let deck = Deck::embedded().expect("deck");
        let rubric = Rubric::embedded().expect("rubric");
        let q = deck.question("pm-01-success-metrics").expect("question");
        let t = Transcript::from_plain_text(text, Some(seconds));
        crate::report::score(q, &rubric, &t, 180.0)
    }

    #[test]
    fn markers_cover_evidence_and_fillers_with_matching_word_ranges() {
        let r = report(
            "So the question is which metrics tell us it is working. Um, the trade-off is latency versus cost.",
            10.0,
        );
        let (markers, highlights) = markers_for(&r);
        assert!(markers.iter().any(|m| m.kind == MarkerKind::Evidence));
        let filler = markers
            .iter()
            .find(|m| m.kind == MarkerKind::Filler)
            .expect("um is a filler");
        assert!(filler.label.contains("um"), "{}", filler.label);
        let words = &r.transcript.words;
        for (a, b, _) in &highlights {
            assert!(
                a <= b && *b <= words.len(),
                "range {a}..{b} within {} words",
                words.len()
            );
        }
        let (i, _, _) = highlights
            .iter()
            .find(|h| h.2 == MarkerKind::Filler)
            .expect("filler shaded");
        assert!(words[*i].text.to_lowercase().starts_with("um"));
    }

    #[test]
    fn self_scores_map_to_report_cells() {
        let s = Some(SelfScores {
            restatement: 4,
            trade_offs: 3,
            execution: 2,
            communication: 5,
        });
        assert_eq!(self_score_for(&s, "restatement"), Some(4));
        assert_eq!(self_score_for(&s, "trade-offs"), Some(3));
        assert_eq!(self_score_for(&s, "communication"), Some(5));
        assert_eq!(self_score_for(&s, "boundaries"), None, "not self-rated");
        assert_eq!(self_score_for(&None, "restatement"), None);
    }
}

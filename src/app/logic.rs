//! The one place that changes the app's state: it drains every engine's events and applies the commands
//! the views emitted during the last frame. Views never touch engines or the stage directly.

use std::time::Duration;

use super::App;
use super::engines::{PlayerEvent, RecEvent, RecordRequest, StopWhy};
use super::io::{IoCommand, IoEvent, parse_report};
use super::state::{Entry, ModelState, Recording, Review, SELF_SCORE_CELLS, Screen, Stage, Transcribing};
use super::widgets::{Marker, MarkerKind};
use crate::asr::worker::{AsrCommand, AsrEvent};
use crate::bank::Question;
use crate::report::Report;
use crate::store::{Attempt, SelfScores, Status};

/// Something the person asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    ShowScreen(Screen),
    SelectQuestion(String),
    OpenDeckDialog,
    StartRecording,
    StopRecording,
    CancelTranscription,
    TogglePlay,
    Seek(f64),
    SetSpeed(f32),
    SetSelfScore {
        index: usize,
        value: Option<u8>,
    },
    /// Save the self-scores and show the automatic coverage.
    RevealCoverage,
    SaveNotes(String),
    Retranscribe,
    AskDelete(bool),
    ConfirmDelete,
    OpenAttempt(String),
    SetModel(String),
    ImportModelDialog,
    CancelImport,
    SetTimeBox(f64),
    SetInputDevice(Option<String>),
    RefreshDevices,
    SetDark(bool),
    DismissNotice,
}

impl App {
    /// One logic pass: engine events, then commands, then the testing hooks.
    pub(crate) fn tick(&mut self, ctx: &egui::Context) {
        self.drain_io();
        self.drain_recorder();
        self.drain_asr();
        self.drain_player();
        while let Ok(d) = self.devices_rx.try_recv() {
            self.devices = Some(d);
        }
        for cmd in std::mem::take(&mut self.commands) {
            self.apply(cmd, ctx);
        }
        self.automate();
        match &self.stage {
            Stage::Review(r) if r.playing => ctx.request_repaint_after(Duration::from_millis(33)),
            Stage::Recording(_) => ctx.request_repaint_after(Duration::from_millis(250)),
            _ => {}
        }
    }

    fn question(&self, id: &str) -> Option<&Question> {
        crate::bank::find_question(&self.decks, None, id).map(|(_, q)| q)
    }

    fn deck_of(&self, question_id: &str) -> String {
        self.decks
            .iter()
            .find(|d| d.question(question_id).is_some())
            .map_or_else(String::new, |d| d.id.clone())
    }

    fn upsert_entry(&mut self, entry: Entry) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.attempt.id == entry.attempt.id) {
            *e = entry;
        } else {
            self.entries.insert(0, entry);
        }
    }

    fn save(&mut self, attempt: &Attempt) {
        self.io.send(IoCommand::Save(Box::new(attempt.clone())));
    }

    fn drain_io(&mut self) {
        while let Some(ev) = self.io.try_recv() {
            match ev {
                IoEvent::Attempts(list) => {
                    self.entries = list;
                    self.entries_loaded = true;
                }
                IoEvent::Created(new) => {
                    if let Stage::Preparing { question, time_box_s } = std::mem::take(&mut self.stage) {
                        self.recorder.start(RecordRequest {
                            path: new.wav_path.clone(),
                            time_box_s,
                            device: self.prefs.input_device.clone(),
                        });
                        self.upsert_entry(Entry {
                            attempt: new.attempt.clone(),
                            report: None,
                        });
                        self.stage = Stage::Recording(Box::new(Recording {
                            attempt: new.attempt,
                            question,
                            wav: new.wav_path,
                            time_box_s,
                            started: false,
                            elapsed_s: 0.0,
                            rms_db: -90.0,
                            peak_db: -90.0,
                            stopping: false,
                        }));
                    }
                }
                IoEvent::Saved(attempt) => {
                    let report = parse_report(&attempt);
                    self.upsert_entry(Entry {
                        attempt: *attempt,
                        report,
                    });
                }
                IoEvent::Scored(entry) => {
                    let entry = *entry;
                    self.upsert_entry(entry.clone());
                    if let Stage::Transcribing(t) = &self.stage
                        && t.attempt.id == entry.attempt.id
                    {
                        let problem = entry
                            .report
                            .is_none()
                            .then(|| "This question's deck is not loaded, so there is no rubric report.".to_owned());
                        self.open_review(entry.attempt, entry.report, problem);
                    }
                }
                IoEvent::Deleted(id) => self.entries.retain(|e| e.attempt.id != id),
                IoEvent::Wave { attempt_id, wave } => {
                    if let Stage::Review(r) = &mut self.stage
                        && r.attempt.id == attempt_id
                    {
                        r.wave = Some(wave);
                    }
                }
                IoEvent::Decks(decks) => {
                    for d in decks {
                        self.add_deck(d);
                    }
                }
                IoEvent::DeckImported(deck) => {
                    self.notice = Some(format!("Opened deck \u{201c}{}\u{201d}", deck.title));
                    self.add_deck(*deck);
                }
                IoEvent::Models(list) => self.installed_models = list,
                IoEvent::ImportProgress(f) => self.import_progress = Some(f),
                IoEvent::ImportEnded => self.import_progress = None,
                IoEvent::ModelImported(name) => {
                    self.import_progress = None;
                    self.notice = Some(format!("Imported model {name}; it is now in use."));
                    self.io.send(IoCommand::ListModels);
                    self.commands.push(Command::SetModel(name));
                }
                IoEvent::CreateFailed(e) => {
                    if matches!(self.stage, Stage::Preparing { .. }) {
                        self.stage = Stage::Idle;
                    }
                    self.notice = Some(e);
                }
                IoEvent::ScoreFailed { attempt_id, error } => {
                    // Review opens without a report rather than waiting for one that will not come.
                    if let Stage::Transcribing(t) = &self.stage
                        && t.attempt.id == attempt_id
                    {
                        let attempt = t.attempt.clone();
                        self.open_review(attempt, None, Some(format!("No report: {error}")));
                    }
                }
                IoEvent::ImportFailed(e) => {
                    self.import_progress = None;
                    self.notice = Some(e);
                }
                IoEvent::Error(e) => self.notice = Some(e),
            }
        }
    }

    fn add_deck(&mut self, deck: crate::bank::Deck) {
        self.decks.retain(|d| d.id != deck.id);
        self.decks.push(deck);
    }

    fn drain_recorder(&mut self) {
        while let Some(ev) = self.recorder.try_recv() {
            let Stage::Recording(rec) = &mut self.stage else {
                continue;
            };
            match ev {
                RecEvent::Started { device } => {
                    rec.started = true;
                    rec.attempt.device = Some(device);
                }
                RecEvent::Level { rms_db, peak_db } => {
                    rec.rms_db = rms_db;
                    rec.peak_db = peak_db;
                }
                RecEvent::Elapsed(s) => rec.elapsed_s = s,
                RecEvent::Stopped { path, duration_s, why } => {
                    let Stage::Recording(rec) = std::mem::take(&mut self.stage) else {
                        continue;
                    };
                    let mut attempt = rec.attempt;
                    attempt.status = Status::Recorded;
                    attempt.duration_s = duration_s;
                    if let StopWhy::Failed(msg) = &why {
                        self.notice = Some(msg.clone());
                    }
                    if why == StopWhy::TimeUp {
                        self.notice = Some("Time is up — the recording stopped at the time-box.".into());
                    }
                    self.save(&attempt);
                    self.upsert_entry(Entry {
                        attempt: attempt.clone(),
                        report: None,
                    });
                    self.transcribe(attempt, Some(rec.question), path);
                }
                RecEvent::Error(e) => {
                    // Nothing was recorded: drop the empty attempt.
                    let id = rec.attempt.id.clone();
                    self.io.send(IoCommand::Delete(id));
                    self.stage = Stage::Idle;
                    self.notice = Some(e);
                }
            }
        }
    }

    fn transcribe(&mut self, attempt: Attempt, question: Option<Question>, wav: std::path::PathBuf) {
        let job = self.next_job;
        self.next_job += 1;
        self.asr.send(AsrCommand::Transcribe { job, wav });
        self.stage = Stage::Transcribing(Box::new(Transcribing {
            attempt,
            question,
            job,
            progress: 0,
            scoring: false,
        }));
        self.screen = Screen::Record;
    }

    fn drain_asr(&mut self) {
        while let Some(ev) = self.asr.try_recv() {
            match ev {
                AsrEvent::ModelLoading(_) => {}
                AsrEvent::ModelLoaded { name, .. } => self.model = ModelState::Ready(name),
                AsrEvent::ModelError(e) => {
                    self.model = ModelState::Unavailable(format!("{e}. Choose another model in Settings."));
                }
                AsrEvent::Progress { job, percent } => {
                    if let Stage::Transcribing(t) = &mut self.stage
                        && t.job == job
                    {
                        t.progress = percent;
                    }
                }
                AsrEvent::Done { job, transcript, .. } => {
                    let Stage::Transcribing(t) = &mut self.stage else {
                        continue;
                    };
                    if t.job != job {
                        continue;
                    }
                    t.scoring = true;
                    t.progress = 100;
                    let model = match &self.model {
                        ModelState::Ready(name) => name.clone(),
                        _ => String::new(),
                    };
                    self.io.send(IoCommand::ScoreAndSave {
                        attempt_id: t.attempt.id.clone(),
                        question: t.question.clone().map(Box::new),
                        transcript: Box::new(transcript),
                        model,
                    });
                }
                AsrEvent::Failed { job, error } => {
                    self.transcription_ended(job, &format!("Transcription failed: {error}"))
                }
                AsrEvent::Cancelled { job } => self.transcription_ended(job, "Transcription was cancelled."),
            }
        }
    }

    /// A failed or cancelled job: the recording is kept; Review offers Re-transcribe.
    fn transcription_ended(&mut self, job: u64, why: &str) {
        let Stage::Transcribing(t) = &self.stage else { return };
        if t.job != job {
            return;
        }
        let mut attempt = t.attempt.clone();
        attempt.error = Some(why.to_owned());
        self.save(&attempt);
        let report = parse_report(&attempt);
        self.open_review(
            attempt,
            report,
            Some(format!(
                "{why} The recording is kept: press Re-transcribe to try again."
            )),
        );
    }

    fn open_review(&mut self, attempt: Attempt, report: Option<Report>, problem: Option<String>) {
        let question = self.question(&attempt.question_id).cloned();
        let wav = self.io.data_dir().join("attempts").join(&attempt.id).join("answer.wav");
        self.io.send(IoCommand::LoadWave {
            attempt_id: attempt.id.clone(),
            wav: wav.clone(),
        });
        self.player.load(&wav, attempt.duration_s);
        self.player.set_speed(self.prefs.speed);
        let (markers, highlights) = report.as_ref().map(markers_for).unwrap_or_default();
        let scores = attempt.self_scores.map_or([None; 4], |s| {
            [
                Some(s.restatement),
                Some(s.trade_offs),
                Some(s.execution),
                Some(s.communication),
            ]
        });
        self.ui_state.notes.clone_from(&attempt.notes);
        self.stage = Stage::Review(Box::new(Review {
            revealed: attempt.self_scores.is_some(),
            attempt,
            question,
            report,
            wave: None,
            markers,
            highlights,
            playhead_s: 0.0,
            playing: false,
            scores,
            confirm_delete: false,
            problem,
        }));
        self.screen = Screen::Review;
    }

    fn drain_player(&mut self) {
        while let Some(ev) = self.player.try_recv() {
            let Stage::Review(r) = &mut self.stage else { continue };
            match ev {
                PlayerEvent::Loaded { .. } => r.playhead_s = 0.0,
                PlayerEvent::Position(t) => r.playhead_s = t,
                PlayerEvent::Finished => r.playing = false,
                PlayerEvent::Error(e) => self.notice = Some(e),
            }
        }
    }

    fn apply(&mut self, cmd: Command, ctx: &egui::Context) {
        match cmd {
            Command::ShowScreen(s) => {
                if !self.stage.is_live() {
                    self.screen = s;
                }
            }
            Command::SelectQuestion(id) => {
                if !self.stage.is_live() && self.question(&id).is_some() {
                    if self.selected.as_deref() != Some(id.as_str()) {
                        self.ui_state.peek = false;
                    }
                    self.selected = Some(id);
                    self.screen = Screen::Record;
                }
            }
            Command::OpenDeckDialog => self.io.pick_deck(std::sync::Arc::clone(&self.waker)),
            Command::StartRecording => self.start_recording(),
            Command::StopRecording => {
                if let Stage::Recording(r) = &mut self.stage
                    && !r.stopping
                {
                    r.stopping = true;
                    self.recorder.stop();
                }
            }
            Command::CancelTranscription => {
                if let Stage::Transcribing(t) = &self.stage {
                    self.asr.cancel(t.job);
                }
            }
            Command::TogglePlay => {
                if let Stage::Review(r) = &mut self.stage {
                    r.playing = !r.playing;
                    if r.playing {
                        self.player.play();
                    } else {
                        self.player.pause();
                    }
                }
            }
            Command::Seek(t) => {
                if let Stage::Review(r) = &mut self.stage {
                    r.playhead_s = t;
                    self.player.seek(t);
                }
            }
            Command::SetSpeed(s) => {
                self.prefs.speed = s;
                self.player.set_speed(s);
            }
            Command::SetSelfScore { index, value } => {
                if let Stage::Review(r) = &mut self.stage
                    && let Some(slot) = r.scores.get_mut(index)
                {
                    *slot = value;
                }
            }
            Command::RevealCoverage => {
                if let Stage::Review(r) = &mut self.stage {
                    if let [Some(a), Some(b), Some(c), Some(d)] = r.scores {
                        r.attempt.self_scores = Some(SelfScores {
                            restatement: a,
                            trade_offs: b,
                            execution: c,
                            communication: d,
                        });
                        let attempt = r.attempt.clone();
                        r.revealed = true;
                        self.save(&attempt);
                    } else {
                        r.revealed = true;
                    }
                }
            }
            Command::SaveNotes(notes) => {
                if let Stage::Review(r) = &mut self.stage
                    && r.attempt.notes != notes
                {
                    r.attempt.notes = notes;
                    let attempt = r.attempt.clone();
                    self.save(&attempt);
                }
            }
            Command::Retranscribe => {
                if let Stage::Review(r) = &self.stage {
                    let attempt = r.attempt.clone();
                    let question = r.question.clone();
                    let wav = self.io.data_dir().join("attempts").join(&attempt.id).join("answer.wav");
                    self.player.pause();
                    self.transcribe(attempt, question, wav);
                }
            }
            Command::AskDelete(ask) => {
                if let Stage::Review(r) = &mut self.stage {
                    r.confirm_delete = ask;
                }
            }
            Command::ConfirmDelete => {
                if let Stage::Review(r) = &self.stage {
                    self.io.send(IoCommand::Delete(r.attempt.id.clone()));
                    self.player.pause();
                    self.stage = Stage::Idle;
                    self.screen = Screen::History;
                    self.notice = Some("Attempt deleted.".into());
                }
            }
            Command::OpenAttempt(id) => {
                if matches!(self.stage, Stage::Idle | Stage::Review(_))
                    && let Some(e) = self.entries.iter().find(|e| e.attempt.id == id).cloned()
                {
                    self.player.pause();
                    self.selected = Some(e.attempt.question_id.clone());
                    let problem = e.attempt.error.clone();
                    self.open_review(e.attempt, e.report, problem);
                }
            }
            Command::SetModel(name) => {
                self.prefs.model = name;
                self.config.model = None;
                self.load_model();
            }
            Command::ImportModelDialog => {
                if self.import_progress.is_none() {
                    self.import_cancel.store(false, std::sync::atomic::Ordering::SeqCst);
                    self.import_progress = Some(0.0);
                    self.io.import_model(
                        std::sync::Arc::clone(&self.import_cancel),
                        std::sync::Arc::clone(&self.waker),
                    );
                }
            }
            Command::CancelImport => self.import_cancel.store(true, std::sync::atomic::Ordering::SeqCst),
            Command::SetTimeBox(s) => self.prefs.time_box_s = s.clamp(30.0, 600.0),
            Command::SetInputDevice(d) => self.prefs.input_device = d,
            Command::RefreshDevices => {
                self.devices = None;
                self.refresh_devices();
                self.io.send(IoCommand::ListModels);
            }
            Command::SetDark(dark) => {
                self.prefs.dark = dark;
                ctx.set_theme(if dark { egui::Theme::Dark } else { egui::Theme::Light });
            }
            Command::DismissNotice => self.notice = None,
        }
    }

    fn start_recording(&mut self) {
        if !matches!(self.stage, Stage::Idle | Stage::Review(_)) {
            return;
        }
        let Some(q) = self.selected.as_deref().and_then(|id| self.question(id)).cloned() else {
            self.notice = Some("Pick a question first.".into());
            return;
        };
        if let ModelState::Unavailable(why) = &self.model {
            self.notice = Some(format!("No transcription model: {why}"));
            return;
        }
        self.player.pause();
        let deck_id = self.deck_of(&q.id);
        self.io.send(IoCommand::Create {
            question_id: q.id.clone(),
            deck_id,
            time_box_s: self.prefs.time_box_s,
        });
        self.ui_state.peek = false;
        self.stage = Stage::Preparing {
            question: q,
            time_box_s: self.prefs.time_box_s,
        };
        self.screen = Screen::Record;
    }

    /// The testing hooks of [`super::Automation`]: the same commands the buttons send.
    fn automate(&mut self) {
        let auto = self.config.automation.clone();
        if let Some(q) = &auto.start_question
            && !self.automation_started
            && matches!(self.stage, Stage::Idle)
            && self.question(q).is_some()
        {
            self.automation_started = true;
            self.commands.push(Command::SelectQuestion(q.clone()));
            self.commands.push(Command::StartRecording);
        }
        if let (Some(after), Stage::Recording(r)) = (auto.stop_after_s, &self.stage)
            && r.started
            && !r.stopping
            && r.elapsed_s >= after
        {
            self.commands.push(Command::StopRecording);
        }
        if let (Some(scores), Stage::Review(r)) = (auto.self_scores, &self.stage)
            && !self.automation_scored
            && r.report.is_some()
            && !r.revealed
        {
            self.automation_scored = true;
            for (index, v) in scores.iter().enumerate() {
                self.commands.push(Command::SetSelfScore { index, value: Some(*v) });
            }
            self.commands.push(Command::RevealCoverage);
        }
    }
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

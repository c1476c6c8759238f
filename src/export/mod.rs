//! Exports to files a person can keep, print or share: one attempt or one mock panel as Markdown or as a
//! self-contained HTML page (coverage table, evidence with timestamps, transcript, delivery and a coverage
//! chart as inline SVG; no external resources, every text escaped), and the whole history as CSV.
//!
//! An attempt or panel is first laid out once as a small document ([`Block`]s of plain text), then written
//! by [`markdown`] or [`html`], so the two formats always say the same thing. Pure core: strings in,
//! strings out; the CLI and the window write the result to disk.

mod history;
mod html;
mod markdown;

use std::fmt::Write as _;

use crate::bank::{Deck, Question};
use crate::delivery::{Delivery, WpmFlag};
use crate::panel::PanelReport;
use crate::report::{self, Report};
use crate::store::{AnswerKind, Attempt, SelfScores, Status};
use crate::transcript::{capitalised, mmss};

pub use history::{HistoryRow, history_csv};

/// What can go wrong while exporting.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing the CSV failed.
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The CSV writer's buffer could not be taken back.
    #[error("cannot finish the CSV: {0}")]
    Finish(String),
    /// No attempt or panel has this id (or prefix).
    #[error(
        "no attempt or panel matches \"{0}\"; `rehearse attempts` lists attempt ids, `rehearse mock --list` panels"
    )]
    NotFound(String),
    /// The prefix matches several attempts or panels.
    #[error("\"{prefix}\" matches several attempts or panels ({matches}); give more of the id")]
    Ambiguous {
        /// What was asked for.
        prefix: String,
        /// The matching ids, comma-separated.
        matches: String,
    },
}

/// A file format for one attempt or one panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Markdown (CommonMark with pipe tables).
    Markdown,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    /// Markdown for a name ending in `.md` or `.markdown`, else HTML (what a save dialog picked).
    pub fn for_path(path: &std::path::Path) -> Self {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("md" | "markdown") => Self::Markdown,
            _ => Self::Html,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
        }
    }
}

/// A piece of an exported document; all text is plain and escaped by the writer.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading of level 1–4.
    Heading(u8, String),
    /// A paragraph.
    Para(String),
    /// A table with a header row.
    Table {
        /// Column titles.
        head: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// A bulleted list.
    List(Vec<String>),
    /// A horizontal bar chart of values in 0–1 (coverage per cell).
    Chart {
        /// What the chart shows (the SVG's accessible title).
        title: String,
        /// (label, value 0–1) per bar.
        bars: Vec<(String, f64)>,
    },
}

/// A document: a title and its blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The page title.
    pub title: String,
    /// The content.
    pub blocks: Vec<Block>,
}

impl Document {
    /// The document in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Markdown => markdown::render(self),
            Format::Html => html::render(self),
        }
    }
}

/// The document for `id`: an attempt or a mock panel, by exact id or unique prefix, among `attempts`
/// (questions looked up in `decks`). Returns the document and the full id.
pub fn document_for(attempts: &[Attempt], decks: &[Deck], id: &str) -> Result<(Document, String), ExportError> {
    let panels = crate::panel::list(attempts);
    let attempt_doc = |a: &Attempt| {
        (
            attempt_document(a, crate::session::question_for(decks, a)),
            a.id.clone(),
        )
    };
    let panel_doc = |pid: &str| {
        crate::panel::build_report(pid, attempts, decks)
            .map(|p| (panel_document(&p), pid.to_owned()))
            .ok_or_else(|| ExportError::NotFound(pid.to_owned()))
    };
    if let Some(a) = attempts.iter().find(|a| a.id == id) {
        return Ok(attempt_doc(a));
    }
    if panels.iter().any(|p| p.id == id) {
        return panel_doc(id);
    }
    let mut matches: Vec<&str> = attempts
        .iter()
        .map(|a| a.id.as_str())
        .chain(panels.iter().map(|p| p.id.as_str()))
        .filter(|m| !id.is_empty() && m.starts_with(id))
        .collect();
    matches.sort_unstable();
    match matches.as_slice() {
        [] => Err(ExportError::NotFound(id.to_owned())),
        [one] => match attempts.iter().find(|a| a.id == *one) {
            Some(a) => Ok(attempt_doc(a)),
            None => panel_doc(one),
        },
        many => Err(ExportError::Ambiguous {
            prefix: id.to_owned(),
            matches: many.join(", "),
        }),
    }
}

fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn span(start: f64, end: f64) -> String {
    format!("{}–{}", mmss(start), mmss(end))
}

fn date(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The blocks for one scored answer, headings at `level` and below.
fn report_blocks(report: &Report, self_scores: Option<&SelfScores>, level: u8, out: &mut Vec<Block>) {
    coverage_blocks(report, self_scores, level, out);
    evidence_blocks(report, level, out);
    point_blocks(report, level, out);
    delivery_blocks(&report.delivery, level, out);
    out.push(Block::Heading(level, "Transcript".into()));
    transcript_blocks(&report.transcript, out);
}

/// Coverage: how many cells, a bar per cell, and the table of cells with self-scores and first evidence.
fn coverage_blocks(report: &Report, self_scores: Option<&SelfScores>, level: u8, out: &mut Vec<Block>) {
    out.push(Block::Heading(level, "Coverage".into()));
    let covered = report.rubric.iter().filter(|c| c.covered).count();
    out.push(Block::Para(format!(
        "{covered} of {} rubric cells covered ({}).",
        report.rubric.len(),
        percent(report::coverage(report))
    )));
    out.push(Block::Chart {
        title: "Coverage per rubric cell".into(),
        bars: report.rubric.iter().map(|c| (capitalised(&c.cell), c.score)).collect(),
    });
    out.push(Block::Table {
        head: ["Cell", "Covered", "Score", "Self-score", "First evidence"]
            .map(String::from)
            .to_vec(),
        rows: report
            .rubric
            .iter()
            .map(|c| {
                vec![
                    capitalised(&c.cell),
                    if c.covered { "yes" } else { "no" }.into(),
                    percent(c.score),
                    self_scores
                        .and_then(|s| s.for_cell(&c.cell))
                        .map_or_else(|| "—".into(), |s| format!("{s}/5")),
                    c.evidence.first().map_or_else(
                        || "—".into(),
                        |e| format!("{} \u{201c}{}\u{201d}", mmss(e.start_s), e.text),
                    ),
                ]
            })
            .collect(),
    });
}

/// Every piece of evidence with its time, when the problem was restated, the dimensions discussed.
fn evidence_blocks(report: &Report, level: u8, out: &mut Vec<Block>) {
    out.push(Block::Heading(level, "Evidence".into()));
    let evidence: Vec<String> = report
        .rubric
        .iter()
        .flat_map(|c| {
            c.evidence.iter().map(move |e| {
                let why = e.why.as_deref().map(|w| format!(" ({w})")).unwrap_or_default();
                format!(
                    "{} {}: \u{201c}{}\u{201d}{why}",
                    span(e.start_s, e.end_s),
                    capitalised(&c.cell),
                    e.sentence.as_deref().unwrap_or(&e.text)
                )
            })
        })
        .collect();
    if evidence.is_empty() {
        out.push(Block::Para("No evidence for any rubric cell.".into()));
    } else {
        out.push(Block::List(evidence));
    }
    match report.restatement_at_s {
        Some(t) if report.restatement_late => out.push(Block::Para(format!(
            "Restated the problem late, at {} (aim for the first 30 s).",
            mmss(t)
        ))),
        Some(t) => out.push(Block::Para(format!("Restated the problem at {}.", mmss(t)))),
        None => out.push(Block::Para("Never restated the problem.".into())),
    }
    if !report.dimensions.is_empty() {
        out.push(Block::Para(format!(
            "Dimensions discussed: {}.",
            report.dimensions.join(", ")
        )));
    }
}

/// The content points covered and the common mistakes not mentioned.
fn point_blocks(report: &Report, level: u8, out: &mut Vec<Block>) {
    if !report.content_points.is_empty() {
        out.push(Block::Heading(level, "Content points".into()));
        out.push(Block::List(
            report
                .content_points
                .iter()
                .map(|p| {
                    let at = p
                        .evidence
                        .first()
                        .map(|e| format!(" — {} \u{201c}{}\u{201d}", mmss(e.start_s), e.text))
                        .unwrap_or_default();
                    format!("{} {}{at}", if p.covered { "✓" } else { "✗" }, p.point)
                })
                .collect(),
        ));
    }
    let missed: Vec<String> = report
        .mistakes
        .iter()
        .filter(|m| !m.mentioned)
        .map(|m| m.mistake.clone())
        .collect();
    if !missed.is_empty() {
        out.push(Block::Heading(level, "Common mistakes not mentioned".into()));
        out.push(Block::List(missed));
    }
}

/// Delivery's measures as a table.
fn delivery_blocks(d: &Delivery, level: u8, out: &mut Vec<Block>) {
    out.push(Block::Heading(level, "Delivery".into()));
    let pace = match d.wpm_flag {
        WpmFlag::Slow => " (slow: aim for 110–170)",
        WpmFlag::Fast => " (fast: aim for 110–170)",
        WpmFlag::Ok => "",
    };
    let pauses = if d.long_pauses.is_empty() {
        "none".to_string()
    } else {
        d.long_pauses
            .iter()
            .map(|p| format!("{} ({:.1} s)", mmss(p.start_s), p.length_s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let counts = |m: &std::collections::BTreeMap<String, usize>| {
        if m.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                m.iter()
                    .map(|(k, n)| format!("{k} ×{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    out.push(Block::Table {
        head: vec!["Measure".into(), "Value".into()],
        rows: vec![
            vec![
                "Time used".into(),
                format!("{} of {}", mmss(d.time_used_s), mmss(d.time_box_s)),
            ],
            vec!["Pace".into(), format!("{:.0} words/min{pace}", d.wpm)],
            vec![
                "Fillers".into(),
                format!("{:.1}/min{}", d.fillers_per_min, counts(&d.fillers)),
            ],
            vec![
                "Hedges".into(),
                format!("{:.1}/min{}", d.hedges_per_min, counts(&d.hedges)),
            ],
            vec!["Long pauses".into(), pauses],
            vec!["Longest run".into(), format!("{:.1} s", d.longest_run_s)],
            vec![
                "Silence before the first word / after the last".into(),
                format!("{:.1} s / {:.1} s", d.leading_silence_s, d.trailing_silence_s),
            ],
        ],
    });
}

fn transcript_blocks(t: &crate::transcript::Transcript, out: &mut Vec<Block>) {
    if !t.segments.is_empty() {
        out.push(Block::List(
            t.segments
                .iter()
                .map(|s| format!("{} {}", span(s.start_s, s.end_s), s.text.trim()))
                .collect(),
        ));
    } else if t.text.trim().is_empty() {
        out.push(Block::Para("(nothing was said)".into()));
    } else {
        out.push(Block::Para(t.text.trim().to_owned()));
    }
}

/// One attempt as a document: what was asked, when, its report (coverage, evidence, content points,
/// delivery, transcript), self-scores and notes; an attempt without a report says why.
pub fn attempt_document(attempt: &Attempt, question: Option<&Question>) -> Document {
    let mut blocks = Vec::new();
    let prompt = match (question, attempt.panel.as_ref().map(|p| p.kind)) {
        (Some(q), Some(AnswerKind::FollowUp)) => format!("Follow-up: {}", q.follow_up),
        (Some(q), _) => q.prompt.clone(),
        (None, _) => attempt.question_id.clone(),
    };
    blocks.push(Block::Heading(1, prompt.clone()));
    let mut meta = format!("Attempt {} · question {}", attempt.id, attempt.question_id);
    if let Some(q) = question {
        let _ = write!(meta, " ({})", q.difficulty);
    }
    let _ = write!(
        meta,
        " · started {} · {} recorded · {}",
        date(attempt.started_at),
        mmss(attempt.duration_s),
        attempt.status
    );
    if let Some(p) = &attempt.panel {
        let _ = write!(
            meta,
            " · {} of question {} in panel {}",
            p.kind.as_str(),
            p.position + 1,
            p.id
        );
    }
    blocks.push(Block::Para(meta));
    match crate::session::stored_report(attempt) {
        Some(r) => report_blocks(&r, attempt.self_scores.as_ref(), 2, &mut blocks),
        None => {
            let why = match attempt.status {
                Status::NoSpeech => report::NO_SPEECH.to_string(),
                Status::Failed => format!(
                    "The recording failed: {}.",
                    attempt.error.as_deref().unwrap_or("no reason recorded")
                ),
                Status::Recording | Status::Recorded => "Not transcribed yet.".to_string(),
                Status::Transcribed | Status::Scored => "No report (the question is not in any deck).".to_string(),
            };
            blocks.push(Block::Para(why));
            if let Some(t) = &attempt.transcript {
                blocks.push(Block::Heading(2, "Transcript".into()));
                transcript_blocks(t, &mut blocks);
            }
        }
    }
    if !attempt.notes.trim().is_empty() {
        blocks.push(Block::Heading(2, "Notes".into()));
        blocks.push(Block::Para(attempt.notes.trim().to_owned()));
    }
    Document {
        title: format!("rehearse — {prompt}"),
        blocks,
    }
}

/// A mock panel as a document: per-cell means with a chart, the worst cell, self vs automatic score per
/// cell, time used per answer, then every answer's report.
pub fn panel_document(panel: &PanelReport) -> Document {
    let mut blocks = vec![Block::Heading(1, format!("Mock panel {}", panel.panel_id))];
    let started = panel.answers.first().map(|a| date(a.started_at)).unwrap_or_default();
    let questions = panel.answers.iter().filter(|a| a.kind == AnswerKind::Question).count();
    blocks.push(Block::Para(format!(
        "Started {started} · {questions} of {} questions answered · {} answers · {}",
        panel.planned,
        panel.answers.len(),
        if panel.complete {
            "complete"
        } else {
            "incomplete (abandoned midway; what was recorded is kept)"
        }
    )));
    blocks.push(Block::Heading(2, "Coverage across the panel".into()));
    if panel.cells.is_empty() {
        blocks.push(Block::Para("No answer was scored.".into()));
    } else {
        blocks.push(Block::Chart {
            title: "Mean coverage per rubric cell".into(),
            bars: panel.cells.iter().map(|c| (capitalised(&c.cell), c.mean)).collect(),
        });
        blocks.push(Block::Table {
            head: ["Cell", "Mean coverage", "Mean self-score", "Scored answers"]
                .map(String::from)
                .to_vec(),
            rows: panel
                .cells
                .iter()
                .map(|c| {
                    vec![
                        capitalised(&c.cell),
                        percent(c.mean),
                        c.self_mean.map_or_else(|| "—".into(), |s| format!("{s:.1}/5")),
                        c.answers.to_string(),
                    ]
                })
                .collect(),
        });
        if let Some(w) = &panel.worst_cell {
            blocks.push(Block::Para(format!("Worst cell: {} — drill it next.", capitalised(w))));
        }
    }
    blocks.push(Block::Heading(2, "Answers".into()));
    blocks.push(Block::Table {
        head: ["#", "Kind", "Attempt", "Status", "Time used", "Coverage"]
            .map(String::from)
            .to_vec(),
        rows: panel
            .answers
            .iter()
            .map(|a| {
                vec![
                    (a.position + 1).to_string(),
                    a.kind.as_str().into(),
                    a.attempt_id.clone(),
                    a.status.to_string(),
                    format!(
                        "{} of {}",
                        mmss(a.time_used_s()),
                        a.time_box_s.map_or_else(|| "—".into(), mmss)
                    ),
                    a.report
                        .as_ref()
                        .map_or_else(|| "—".into(), |r| percent(report::coverage(r))),
                ]
            })
            .collect(),
    });
    for a in &panel.answers {
        let kind = match a.kind {
            AnswerKind::Question => "Question",
            AnswerKind::FollowUp => "Follow-up",
        };
        let prompt = if a.prompt.is_empty() { &a.question_id } else { &a.prompt };
        blocks.push(Block::Heading(2, format!("{}. {kind}: {prompt}", a.position + 1)));
        blocks.push(Block::Para(format!(
            "Attempt {} · question {} · {} · {} recorded",
            a.attempt_id,
            a.question_id,
            a.status,
            mmss(a.duration_s)
        )));
        match &a.report {
            Some(r) => report_blocks(r, a.self_scores.as_ref(), 3, &mut blocks),
            None if a.status == Status::NoSpeech => blocks.push(Block::Para(report::NO_SPEECH.into())),
            None => blocks.push(Block::Para("No report.".into())),
        }
    }
    Document {
        title: format!("rehearse — mock panel {}", panel.panel_id),
        blocks,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

//! The whole history as CSV, one row per attempt, for a spreadsheet: when, what, how long, coverage per
//! rubric cell, self-scores, pace and fillers. Cells without a value (no report, no self-score) are empty.

use crate::bank::Question;
use crate::session;
use crate::store::Attempt;

use super::ExportError;

/// One attempt and the question it answered (if still in a deck).
#[derive(Clone, Copy, Debug)]
pub struct HistoryRow<'a> {
    /// The attempt.
    pub attempt: &'a Attempt,
    /// Its question.
    pub question: Option<&'a Question>,
}

const SELF: [&str; 4] = ["restatement", "trade-offs", "execution", "communication"];

/// The CSV of `rows` (in the order given): `date, attempt_id, question_id, question, difficulty, kind,
/// panel_id, status, duration_s, time_box_s, coverage`, one `cell:<id>` column per rubric cell found in
/// any report (0–1), `self:<cell>` for the four self-scores (1–5), then `wpm, fillers_per_min`.
pub fn history_csv(rows: &[HistoryRow<'_>]) -> Result<String, ExportError> {
    let reports: Vec<_> = rows.iter().map(|r| session::stored_report(r.attempt)).collect();
    let mut cells: Vec<String> = Vec::new();
    for r in reports.iter().flatten() {
        for c in &r.rubric {
            if !cells.contains(&c.cell) {
                cells.push(c.cell.clone());
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = [
        "date",
        "attempt_id",
        "question_id",
        "question",
        "difficulty",
        "kind",
        "panel_id",
        "status",
        "duration_s",
        "time_box_s",
        "coverage",
    ]
    .map(String::from)
    .to_vec();
    head.extend(cells.iter().map(|c| format!("cell:{c}")));
    head.extend(SELF.iter().map(|c| format!("self:{c}")));
    head.extend(["wpm".into(), "fillers_per_min".into()]);
    w.write_record(&head)?;
    for (row, report) in rows.iter().zip(&reports) {
        let a = row.attempt;
        let mut rec: Vec<String> = vec![
            super::date(a.started_at),
            a.id.clone(),
            a.question_id.clone(),
            row.question.map(|q| q.prompt.clone()).unwrap_or_default(),
            row.question.map(|q| q.difficulty.to_string()).unwrap_or_default(),
            a.panel.as_ref().map_or("single", |p| p.kind.as_str()).to_owned(),
            a.panel.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            a.status.to_string(),
            format!("{:.2}", a.duration_s),
            a.time_box_s.map(|t| format!("{t:.0}")).unwrap_or_default(),
            report
                .as_ref()
                .map(|r| format!("{:.3}", crate::report::coverage(r)))
                .unwrap_or_default(),
        ];
        for cell in &cells {
            rec.push(
                report
                    .as_ref()
                    .and_then(|r| r.rubric.iter().find(|c| &c.cell == cell))
                    .map(|c| format!("{:.3}", c.score))
                    .unwrap_or_default(),
            );
        }
        for cell in SELF {
            rec.push(
                a.self_scores
                    .and_then(|s| s.for_cell(cell))
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            );
        }
        rec.push(
            report
                .as_ref()
                .map(|r| format!("{:.1}", r.delivery.wpm))
                .unwrap_or_default(),
        );
        rec.push(
            report
                .as_ref()
                .map(|r| format!("{:.2}", r.delivery.fillers_per_min))
                .unwrap_or_default(),
        );
        w.write_record(&rec)?;
    }
    let bytes = w.into_inner().map_err(|e| ExportError::Finish(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ExportError::Finish(e.to_string()))
}

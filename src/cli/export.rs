//! `rehearse export`: one attempt or one mock panel as Markdown or self-contained HTML, or the whole
//! history as CSV, to a file (written atomically) or to stdout.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::export::{self, Format, HistoryRow};
use crate::session;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// Markdown.
    Md,
    /// One self-contained HTML page (inline CSS and SVG chart, nothing fetched).
    Html,
    /// CSV, one row per attempt (with --history).
    Csv,
}

#[derive(Args)]
pub(super) struct ExportArgs {
    /// Attempt id or panel id (a unique prefix is enough; see `rehearse attempts`).
    #[arg(required_unless_present = "history", conflicts_with = "history")]
    id: Option<String>,
    /// Export every attempt as CSV instead (one row per attempt).
    #[arg(long)]
    history: bool,
    /// md or html for an attempt or panel; csv for --history. Default: md, or csv with --history.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

impl ExportArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let store = super::open_store()?;
        let decks = super::load_decks(None)?;
        let listing = store.listing()?;
        for d in &listing.damaged {
            eprintln!("warning: damaged attempt {d} (left out)");
        }
        let text = if self.history {
            match self.format.unwrap_or(FormatArg::Csv) {
                FormatArg::Csv => {}
                other => anyhow::bail!("--history is exported as CSV only (--format csv), not {other:?}"),
            }
            let mut attempts = listing.attempts;
            // Oldest first, as a spreadsheet of progress reads.
            attempts.reverse();
            let rows: Vec<HistoryRow<'_>> = attempts
                .iter()
                .map(|a| HistoryRow {
                    attempt: a,
                    question: session::question_for(&decks, a),
                })
                .collect();
            export::history_csv(&rows)?
        } else {
            let format = match self.format.unwrap_or(FormatArg::Md) {
                FormatArg::Md => Format::Markdown,
                FormatArg::Html => Format::Html,
                FormatArg::Csv => anyhow::bail!("CSV is for the whole history: use --history --format csv"),
            };
            let id = self.id.unwrap_or_default();
            let (doc, _) = export::document_for(&listing.attempts, &decks, &id)?;
            doc.render(format)
        };
        match self.output {
            Some(path) => {
                crate::store::write_atomic(&path, text.as_bytes())?;
                eprintln!("wrote {}", path.display());
            }
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())
                    .and_then(|()| out.flush())
                    .context("cannot write to stdout")?;
            }
        }
        Ok(())
    }
}

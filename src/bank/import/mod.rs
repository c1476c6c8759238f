//! Importing a prep guide as a deck, so a person can rehearse any topic without writing TOML by hand.
//!
//! The guides come from one family of pages (the seed is `product-metrics-interview-guide.txt`): a family
//! line and a title, a few paragraphs of introduction, a "Preparation roadmap" of steps, then questions laid
//! out as
//!
//! ```text
//! Q1.What metrics would you track …?
//! mediumPair a correctness metric with a latency metric and a cost metric. …
//! Example
//! dbt example: …
//! Common mistakes
//! - Skipping schema evolution — …
//! Follow-up: Walk me through …
//! ```
//!
//! and page furniture ("Interactive", "Practice it live", "Explore by domain", "Related roles", the difficulty
//! mix). The same page saved as HTML (read with `scraper`, block elements become lines) or written as
//! Markdown (headings, emphasis and bullets are unwrapped) is reduced to those lines first, each keeping the
//! line number of its source, and one line parser reads them all.
//!
//! Nothing here panics or does I/O: the input is bytes, the output a validated [`Deck`] plus warnings
//! (each with its line) for anything that was not placed, or an [`ImportError`] saying why no deck could be
//! read. Question ids are derived from the prompt, so re-importing an updated guide keeps the history of
//! the questions that did not change. A question's content points are derived from its hint ("Pair a
//! correctness metric with a latency metric and a cost metric" → three points), each with phrases taken
//! from its own words so the phrase rubric can match them.
//!
//! In three steps: `read` turns bytes into numbered lines, `parse` the lines into a page of drafted
//! questions, `build` the page into a deck, deriving content points and mistake phrases (`points`).

use std::fmt;

use super::Deck;

mod build;
mod parse;
mod points;
mod read;
#[cfg(test)]
mod tests;

/// The guide's format; [`Format::detect`] picks one when not told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text, as the seed guide.
    Text,
    /// Markdown: `#` headings, `**emphasis**`, `*`/`-` bullets, `[links](…)`.
    Markdown,
    /// A saved HTML page.
    Html,
}

impl Format {
    /// Guesses the format from a file name's extension, else from the text itself.
    pub fn detect(file_name: Option<&str>, text: &str) -> Self {
        let ext = file_name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("html" | "htm" | "xhtml") => return Self::Html,
            Some("md" | "markdown") => return Self::Markdown,
            _ => {}
        }
        let head: String = text
            .trim_start()
            .chars()
            .take(512)
            .collect::<String>()
            .to_ascii_lowercase();
        if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body") {
            Self::Html
        } else if text.lines().any(|l| l.starts_with("# ") || l.starts_with("## ")) {
            Self::Markdown
        } else {
            Self::Text
        }
    }
}

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The deck id to use instead of one derived from the guide's topic.
    pub id: Option<String>,
    /// The guide's file name: picks the format by extension and names the deck when the page has no title.
    pub file_name: Option<String>,
    /// The format, when known; detected otherwise.
    pub format: Option<Format>,
}

/// Something the importer noticed and left out or could not check; `line` is 1-based in the source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Where, when it is one line.
    pub line: Option<usize>,
    /// What, in words for the person.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A deck read from a guide, with everything that was not placed.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The deck, validated like any deck file.
    pub deck: Deck,
    /// What was left out or did not add up, in file order.
    pub warnings: Vec<Warning>,
}

/// Why no deck could be read from a guide.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Nothing but whitespace.
    #[error("the guide is empty")]
    Empty,
    /// NUL bytes or bytes that are not UTF-8 before the last line.
    #[error("line {line}: this is not a text guide (binary or not UTF-8); save the page as text, Markdown or HTML")]
    NotText {
        /// The first line with a bad byte.
        line: usize,
    },
    /// No question could be placed.
    #[error("no questions could be read (expected lines like \"Q1.What …\" followed by \"easy|medium|hard\" and the hint){}", fmt_problems(.problems))]
    NoQuestions {
        /// What went wrong along the way.
        problems: Vec<Warning>,
    },
    /// `--id` is not a usable slug.
    #[error("deck id {0:?} must be lowercase letters, digits and dashes")]
    BadId(String),
    /// The deck that came out breaks a deck rule (should not happen; reported rather than written).
    #[error("the imported deck is not valid: {0}")]
    Invalid(String),
}

fn fmt_problems(problems: &[Warning]) -> String {
    problems.iter().take(5).map(|w| format!("\n  {w}")).collect()
}

/// Imports a guide from its bytes (UTF-8, with or without BOM, LF or CRLF).
pub fn import_guide(bytes: &[u8], opts: &ImportOptions) -> Result<Imported, ImportError> {
    let mut warnings = Vec::new();
    let text = read::decode(bytes, &mut warnings)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let format = opts
        .format
        .unwrap_or_else(|| Format::detect(opts.file_name.as_deref(), &text));
    let lines = match format {
        Format::Text => read::text_lines(&text, false),
        Format::Markdown => read::text_lines(&text, true),
        Format::Html => read::html_lines(&text),
    };
    let page = parse::parse_lines(&lines, &mut warnings);
    build::build_deck(page, opts, warnings)
}

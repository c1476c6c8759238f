//! Writes a [`Document`] as Markdown: ATX headings, pipe tables, bullet lists, and the chart as a list of
//! text bars. Every text is escaped, so an answer that says `*` or `|` stays text.

use std::fmt::Write as _;

use super::{Block, Document};

/// Backslash-escapes Markdown punctuation and folds line breaks, so `text` renders as itself: inline
/// markup characters anywhere, and the ones that start a block (`#`, `-`, `+`, `1.`) at the start.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let text = text.trim_start();
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')'
                if !out.is_empty()
                    && out.chars().all(|d| d.is_ascii_digit())
                    && text.chars().nth(i + 1).is_none_or(char::is_whitespace) =>
            {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn bar(value: f64) -> String {
    const WIDTH: usize = 20;
    let full = ((value.clamp(0.0, 1.0) * WIDTH as f64).round()) as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(WIDTH - full))
}

pub(super) fn render(doc: &Document) -> String {
    let mut s = String::new();
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(
                    s,
                    "{} {}\n",
                    "#".repeat(usize::from((*level).clamp(1, 6))),
                    escape(text)
                );
            }
            Block::Para(text) => {
                let _ = writeln!(s, "{}\n", escape(text));
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(s, "- {}", escape(item));
                }
                s.push('\n');
            }
            Block::Table { head, rows } => {
                let line = |cells: &[String]| {
                    format!(
                        "| {} |",
                        cells.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")
                    )
                };
                let _ = writeln!(s, "{}", line(head));
                let _ = writeln!(s, "|{}", " --- |".repeat(head.len()));
                for row in rows {
                    let _ = writeln!(s, "{}", line(row));
                }
                s.push('\n');
            }
            Block::Chart { title, bars } => {
                let _ = writeln!(s, "{}:\n", escape(title));
                let width = bars.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
                s.push_str("```text\n");
                for (label, value) in bars {
                    // Inside a code block nothing is interpreted, except a line of backticks.
                    let label = label.replace('`', "'");
                    let _ = writeln!(s, "{label:<width$}  {} {:>3.0}%", bar(*value), value * 100.0);
                }
                s.push_str("```\n\n");
            }
        }
    }
    s
}

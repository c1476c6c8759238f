//! Reading a guide's bytes into lines: decoding (BOM, a truncated last character, binary refused) and the
//! three front ends (plain text, Markdown unwrapped, HTML's block elements as lines), each line keeping the
//! number of its source line for the warnings.

use super::{ImportError, Warning};

pub(super) fn decode(bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line_of = |offset: usize| bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() + 1;
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(ImportError::NotText { line: line_of(nul) });
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) if e.error_len().is_none() => {
            // Cut in the middle of a character: the file was truncated. Keep what is whole.
            let good = e.valid_up_to();
            warnings.push(Warning {
                line: Some(line_of(good)),
                message: "the file ends in the middle of a character (truncated?)".into(),
            });
            Ok(String::from_utf8_lossy(&bytes[..good]).into_owned())
        }
        Err(e) => Err(ImportError::NotText {
            line: line_of(e.valid_up_to()),
        }),
    }
}

/// One line of the guide's text and the line of the source it came from.
#[derive(Clone, Debug)]
pub(super) struct Line {
    pub(super) no: usize,
    pub(super) text: String,
}

pub(super) fn text_lines(text: &str, markdown: bool) -> Vec<Line> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.trim_end_matches('\r');
            let t = if markdown { unmark(l) } else { l.trim().to_string() };
            (!t.is_empty()).then_some(Line { no: i + 1, text: t })
        })
        .collect()
}

/// One Markdown line as the plain-text guide would print it.
fn unmark(line: &str) -> String {
    let mut t = line.trim();
    if t.chars().all(|c| matches!(c, '-' | '*' | '_' | '=' | ' ')) {
        return String::new();
    }
    t = t.trim_start_matches('>').trim_start();
    let hashes = t.len() - t.trim_start_matches('#').len();
    if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
        t = t[hashes..].trim_start();
    }
    let bullet = ["* ", "+ ", "- "].iter().any(|b| t.starts_with(b));
    let body = if bullet { &t[2..] } else { t };
    let mut out = String::with_capacity(body.len() + 2);
    if bullet {
        out.push_str("- ");
    }
    // Links keep their text; emphasis markers go.
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[')
            && let Some(close) = after.find("](")
            && let Some(end) = after[close..].find(')')
        {
            out.push_str(&after[..close]);
            rest = &after[close + end + 1..];
            continue;
        }
        if rest.starts_with("**") || rest.starts_with("__") {
            rest = &rest[2..];
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out.trim().to_string()
}

/// Elements whose start and end break a line.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
    "button",
    "title",
];

/// Elements whose text is never part of the guide.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "head", "iframe", "object",
];

pub(super) fn html_lines(src: &str) -> Vec<Line> {
    let doc = scraper::Html::parse_document(src);
    let mut texts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut skip_depth = 0usize;
    let flush = |cur: &mut String, texts: &mut Vec<String>| {
        let t = cur.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            texts.push(t);
        }
        cur.clear();
    };
    for edge in doc.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                scraper::Node::Element(el) => {
                    let name = el.name();
                    if skip_depth > 0 || SKIPPED.contains(&name) {
                        skip_depth += 1;
                    } else if BLOCKS.contains(&name) {
                        flush(&mut cur, &mut texts);
                    } else if name == "code" {
                        cur.push('`');
                    }
                }
                scraper::Node::Text(t) if skip_depth == 0 => {
                    let in_li = node
                        .parent()
                        .and_then(|p| p.value().as_element())
                        .is_some_and(|e| e.name() == "li");
                    if in_li && cur.trim().is_empty() && !t.trim().is_empty() {
                        // A list item (a common mistake) is a "- " line, as in the text guide.
                        cur.push_str("- ");
                    }
                    cur.push_str(t);
                }
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let scraper::Node::Element(el) = node.value() {
                    let name = el.name();
                    if skip_depth > 0 {
                        skip_depth -= 1;
                    } else if BLOCKS.contains(&name) {
                        flush(&mut cur, &mut texts);
                    } else if name == "code" {
                        cur.push('`');
                    }
                }
            }
        }
    }
    flush(&mut cur, &mut texts);
    // Each line's number in the source: where its first word next appears after the previous line's.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut cursor = src.find("<body").unwrap_or(0);
    let mut last_line = 1;
    texts
        .into_iter()
        .map(|text| {
            let word = text
                .split(|c: char| !c.is_alphanumeric())
                .find(|w| w.chars().count() >= 3)
                .unwrap_or("");
            if !word.is_empty()
                && let Some(pos) = src.get(cursor..).and_then(|s| s.find(word))
            {
                cursor += pos;
                last_line = line_starts.partition_point(|&s| s <= cursor).max(1);
                cursor += word.len();
            }
            Line { no: last_line, text }
        })
        .collect()
}

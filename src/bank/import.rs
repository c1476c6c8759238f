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

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::{ContentPoint, DEFAULT_TIME_BOX_S, Deck, Difficulty, GuideInfo, Mistake, Mix, Question, RoadmapStep};

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
    let text = decode(bytes, &mut warnings)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let format = opts
        .format
        .unwrap_or_else(|| Format::detect(opts.file_name.as_deref(), &text));
    let lines = match format {
        Format::Text => text_lines(&text, false),
        Format::Markdown => text_lines(&text, true),
        Format::Html => html_lines(&text),
    };
    let page = parse_lines(&lines, &mut warnings);
    build_deck(page, opts, warnings)
}

// ---------------------------------------------------------------------------------------------------------
// Decoding and the three front ends.

fn decode(bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<String, ImportError> {
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
struct Line {
    no: usize,
    text: String,
}

fn text_lines(text: &str, markdown: bool) -> Vec<Line> {
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

fn html_lines(src: &str) -> Vec<Line> {
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

// ---------------------------------------------------------------------------------------------------------
// The line parser.

/// Page furniture: headings whose section never holds questions.
const BOILERPLATE: &[&str] = &[
    "interactive",
    "practice it live",
    "explore by domain",
    "related roles",
    "related guides",
    "practice with an adaptive ai coach",
    "share",
    "table of contents",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Head,
    Intro,
    Roadmap,
    Questions,
    Boilerplate,
    Mix,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Prompt,
    Difficulty,
    Hint,
    Example,
    Mistakes,
    FollowUp,
    Done,
}

#[derive(Debug)]
struct Draft {
    line: usize,
    number: u32,
    prompt: String,
    difficulty: Option<Difficulty>,
    hint: String,
    example: Option<(usize, String)>,
    mistakes: Vec<String>,
    follow_up: String,
    field: Field,
    broken: bool,
}

#[derive(Debug, Default)]
struct Page {
    title: String,
    domain: String,
    roadmap: Vec<RoadmapStep>,
    scenarios: Vec<String>,
    stated_mix: Option<(usize, Mix)>,
    questions: Vec<Draft>,
}

fn heading(text: &str) -> String {
    text.trim()
        .trim_end_matches([':', '.'])
        .trim()
        .to_lowercase()
        .replace('\u{2011}', "-")
}

fn parse_lines(lines: &[Line], warnings: &mut Vec<Warning>) -> Page {
    let mut page = Page::default();
    let mut section = Section::Head;
    let mut draft: Option<Draft> = None;
    let mut seen_numbers = HashSet::new();
    for line in lines {
        let text = line.text.as_str();
        let h = heading(text);
        if let Some((number, prompt)) = question_start(text) {
            finish(&mut draft, &mut page, warnings);
            section = Section::Questions;
            if !seen_numbers.insert(number) {
                warnings.push(Warning {
                    line: Some(line.no),
                    message: format!("a second Q{number}"),
                });
            }
            let prompt = prompt.to_string();
            draft = Some(Draft {
                line: line.no,
                number,
                field: if prompt.is_empty() {
                    Field::Prompt
                } else {
                    Field::Difficulty
                },
                prompt,
                difficulty: None,
                hint: String::new(),
                example: None,
                mistakes: Vec::new(),
                follow_up: String::new(),
                broken: false,
            });
            continue;
        }
        if let Some(mix) = parse_mix(text)
            && draft.as_ref().is_none_or(|d| d.field == Field::Done)
        {
            if page.stated_mix.is_none() {
                page.stated_mix = Some((line.no, mix));
            }
            continue;
        }
        if let Some(d) = draft.as_mut().filter(|d| !d.broken) {
            if h == "example" || h == "example answer" {
                d.example = Some((line.no, String::new()));
                d.field = Field::Example;
                continue;
            }
            if h == "common mistakes" || h == "mistakes" {
                d.field = Field::Mistakes;
                continue;
            }
            if let Some(rest) = strip_follow_up(text) {
                d.follow_up = rest.to_string();
                d.field = if rest.is_empty() { Field::FollowUp } else { Field::Done };
                continue;
            }
        }
        let new_section = if h == "preparation roadmap" || h == "roadmap" {
            Some(Section::Roadmap)
        } else if h == "top interview questions" || h == "interview questions" || h == "questions" {
            Some(Section::Questions)
        } else if h == "difficulty mix" {
            Some(Section::Mix)
        } else if BOILERPLATE.contains(&h.as_str()) {
            Some(Section::Boilerplate)
        } else {
            None
        };
        if let Some(s) = new_section {
            finish(&mut draft, &mut page, warnings);
            section = s;
            continue;
        }
        if let Some(d) = draft.as_mut() {
            if d.broken {
                continue;
            }
            match d.field {
                Field::Prompt => {
                    d.prompt = text.to_string();
                    d.field = Field::Difficulty;
                }
                Field::Difficulty => match split_difficulty(text) {
                    Some((diff, rest)) => {
                        d.difficulty = Some(diff);
                        d.hint = rest.to_string();
                        d.field = Field::Hint;
                    }
                    None => {
                        d.broken = true;
                        warnings.push(Warning {
                            line: Some(line.no),
                            message: format!(
                                "Q{} has no difficulty (expected easy, medium or hard before the hint); the question is left out",
                                d.number
                            ),
                        });
                    }
                },
                Field::Hint => append(&mut d.hint, text),
                Field::Example => {
                    if let Some((_, ex)) = d.example.as_mut() {
                        append(ex, text);
                    }
                }
                Field::Mistakes => match strip_bullet(text) {
                    Some(m) => d.mistakes.push(m.to_string()),
                    None => unplaced(warnings, line, Some(d.number)),
                },
                Field::FollowUp => {
                    d.follow_up = text.to_string();
                    d.field = Field::Done;
                }
                Field::Done => unplaced(warnings, line, None),
            }
            continue;
        }
        let is_title = text.to_lowercase().contains("interview questions");
        if is_title
            && matches!(section, Section::Head | Section::Intro)
            && !page.title.to_lowercase().contains("interview questions")
        {
            // A page's menu or breadcrumb came first; the real title names the questions.
            page.title = text.to_string();
            continue;
        }
        match section {
            Section::Head => {
                if page.title.is_empty() && text.to_lowercase().contains("interview questions") {
                    page.title = text.to_string();
                } else if page.domain.is_empty() && text.contains('·') && text.len() < 80 {
                    page.domain = text.to_string();
                } else if page.title.is_empty() {
                    page.title = text.to_string();
                } else {
                    section = Section::Intro;
                    collect_scenarios(text, &mut page.scenarios);
                }
            }
            Section::Intro => collect_scenarios(text, &mut page.scenarios),
            Section::Roadmap => roadmap_line(text, &mut page),
            Section::Questions => unplaced(warnings, line, None),
            Section::Boilerplate | Section::Mix => {}
        }
        if section == Section::Roadmap {
            collect_scenarios(text, &mut page.scenarios);
        }
    }
    finish(&mut draft, &mut page, warnings);
    page
}

fn append(field: &mut String, text: &str) {
    if !field.is_empty() {
        field.push(' ');
    }
    field.push_str(text);
}

fn unplaced(warnings: &mut Vec<Warning>, line: &Line, question: Option<u32>) {
    let shown: String = line.text.chars().take(60).collect();
    let more = if line.text.chars().count() > 60 { "…" } else { "" };
    let message = match question {
        Some(n) => format!("in Q{n}'s common mistakes but not a \"- \" line, left out: \"{shown}{more}\""),
        None => format!("not part of any question, left out: \"{shown}{more}\""),
    };
    warnings.push(Warning {
        line: Some(line.no),
        message,
    });
}

fn finish(draft: &mut Option<Draft>, page: &mut Page, warnings: &mut Vec<Warning>) {
    let Some(d) = draft.take() else { return };
    if d.broken {
        return;
    }
    let at = Some(d.line);
    let n = d.number;
    if d.prompt.trim().is_empty() {
        warnings.push(Warning {
            line: at,
            message: format!("Q{n} has no prompt; the question is left out"),
        });
        return;
    }
    if d.difficulty.is_none() {
        warnings.push(Warning {
            line: at,
            message: format!("Q{n} ends before its difficulty and hint (truncated?); the question is left out"),
        });
        return;
    }
    if d.hint.trim().is_empty() {
        warnings.push(Warning {
            line: at,
            message: format!("Q{n} has no hint; the question is left out"),
        });
        return;
    }
    if let Some((line, ex)) = &d.example
        && ex.trim().is_empty()
    {
        warnings.push(Warning {
            line: Some(*line),
            message: format!("Q{n} has an empty example"),
        });
    }
    if d.mistakes.is_empty() {
        warnings.push(Warning {
            line: at,
            message: format!("Q{n} lists no common mistakes"),
        });
    }
    if d.follow_up.trim().is_empty() {
        warnings.push(Warning {
            line: at,
            message: format!("Q{n} has no follow-up (truncated?)"),
        });
    }
    page.questions.push(d);
}

/// `Q12.What …` → (12, "What …"); also `Q12) …`, `Q12: …`, `**Q12.** …`.
fn question_start(text: &str) -> Option<(u32, &str)> {
    let t = text.trim_start_matches(['*', '_', '#', ' ']);
    let rest = t.strip_prefix('Q').or_else(|| t.strip_prefix('q'))?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 4 {
        return None;
    }
    let number = rest[..digits].parse().ok()?;
    let after = &rest[digits..];
    let after = after
        .strip_prefix(['.', ')', ':'])
        .or_else(|| after.starts_with(' ').then_some(after))?;
    Some((number, after.trim_start_matches(['*', '_']).trim()))
}

/// `mediumPair a …` → (Medium, "Pair a …"); also `Medium — …`, `[hard] …`, `Difficulty: easy`.
fn split_difficulty(text: &str) -> Option<(Difficulty, &str)> {
    let mut t = text.trim_start_matches(['*', '_', '[', '(', ' ']);
    if t.len() >= 11 && t.is_char_boundary(11) && t[..11].eq_ignore_ascii_case("difficulty:") {
        t = t[11..].trim_start();
    }
    for d in [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard] {
        let name = d.as_str();
        if t.len() >= name.len() && t.is_char_boundary(name.len()) && t[..name.len()].eq_ignore_ascii_case(name) {
            let rest = &t[name.len()..];
            if rest.chars().next().is_some_and(char::is_lowercase) {
                continue; // "hardware …" is not a difficulty
            }
            let rest = rest.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '*' | '_' | ']' | ')' | ':' | '-' | '—' | '–' | '·' | '|')
            });
            return Some((d, rest));
        }
    }
    None
}

fn strip_follow_up(text: &str) -> Option<&str> {
    let t = text.trim_start_matches(['*', '_']);
    let lower = t.to_lowercase();
    for prefix in ["follow-up", "follow up", "followup", "follow\u{2011}up"] {
        if lower.starts_with(prefix) {
            let rest = t.get(prefix.len()..)?;
            let rest = rest.trim_start_matches(['*', '_']);
            if let Some(r) = rest.strip_prefix(':') {
                return Some(r.trim_start_matches(['*', '_']).trim());
            }
            if rest.trim().is_empty() {
                return Some("");
            }
        }
    }
    None
}

fn strip_bullet(text: &str) -> Option<&str> {
    ["- ", "* ", "• ", "– ", "— "]
        .iter()
        .find_map(|b| text.strip_prefix(b))
        .map(str::trim)
        .filter(|m| !m.is_empty())
}

/// `weighted 5 easy · 6 medium · 4 hard` (any separators) → the mix.
fn parse_mix(text: &str) -> Option<Mix> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut found: HashMap<&str, usize> = HashMap::new();
    for pair in words.windows(2) {
        if let ("easy" | "medium" | "hard", Ok(n)) = (pair[1], pair[0].parse::<usize>()) {
            found.entry(pair[1]).or_insert(n);
        }
    }
    Some(Mix {
        easy: *found.get("easy")?,
        medium: *found.get("medium")?,
        hard: *found.get("hard")?,
    })
}

fn roadmap_line(text: &str, page: &mut Page) {
    let lower = text.to_lowercase();
    if let Some(n) = lower
        .strip_prefix("step")
        .map(|r| r.trim().trim_end_matches([':', '.']))
        .and_then(|r| r.parse::<u32>().ok())
    {
        page.roadmap.push(RoadmapStep {
            step: n,
            ..RoadmapStep::default()
        });
        return;
    }
    let is_days = lower.starts_with("day ") || lower.starts_with("days ");
    let needs_new = page.roadmap.last().is_none_or(|s| is_days && !s.days.is_empty());
    if needs_new {
        let step = page.roadmap.last().map_or(1, |s| s.step + 1);
        page.roadmap.push(RoadmapStep {
            step,
            ..RoadmapStep::default()
        });
    }
    let Some(step) = page.roadmap.last_mut() else { return };
    if is_days && step.days.is_empty() {
        match text.split_once('·') {
            Some((days, name)) => {
                step.days = days.trim().to_string();
                step.name = name.trim().to_string();
            }
            None => step.days = text.trim().to_string(),
        }
    } else {
        append(&mut step.text, text);
    }
}

/// Named cases for scenario drills: "cases like X." and "e.g. X." / "— e.g. X. —".
fn collect_scenarios(text: &str, out: &mut Vec<String>) {
    for marker in ["cases like ", "e.g. "] {
        let mut rest = text;
        while let Some(i) = rest.find(marker) {
            let after = &rest[i + marker.len()..];
            let end = after.find(['.', ';', '—', '(']).unwrap_or(after.len());
            let case = after[..end].trim().trim_end_matches(',').trim();
            if case.split_whitespace().count() >= 2 && !out.iter().any(|c| c == case) {
                out.push(case.to_string());
            }
            rest = &after[end..];
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// From the page to a deck.

fn build_deck(page: Page, opts: &ImportOptions, mut warnings: Vec<Warning>) -> Result<Imported, ImportError> {
    if page.questions.is_empty() {
        return Err(ImportError::NoQuestions { problems: warnings });
    }
    let stem = opts
        .file_name
        .as_deref()
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
        .map(|n| n.split('.').next().unwrap_or(n).replace(['-', '_'], " "));
    let title = if page.title.is_empty() {
        stem.unwrap_or_else(|| "Imported guide".into())
    } else {
        page.title.clone()
    };
    let topic = topic_of(&title);
    let id = match &opts.id {
        Some(id) => {
            let id = id.trim();
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(ImportError::BadId(id.to_string()));
            }
            id.to_string()
        }
        None => {
            let s = slug(&topic, 8);
            if s.is_empty() { "imported-guide".into() } else { s }
        }
    };
    let prefix = id_prefix(&id);
    // The built-in deck's id is taken: a deck saved under it would hide the built-in one. The questions keep
    // their prefix (their ids come from the prompts, not from the deck id).
    let builtin = super::Deck::embedded().map(|d| d.id).unwrap_or_default();
    let id = if opts.id.is_none() && id == builtin {
        let renamed = format!("{id}-imported");
        warnings.push(Warning {
            line: None,
            message: format!(
                "the built-in deck is already called {id:?}; this one is saved as {renamed:?} (use --id to choose)"
            ),
        });
        renamed
    } else {
        id
    };
    let topic_words: HashSet<String> = words(&topic).map(str::to_lowercase).collect();
    let mut questions: Vec<Question> = Vec::new();
    for d in &page.questions {
        let Some(difficulty) = d.difficulty else { continue };
        let content_points = content_points(&d.hint, &topic_words);
        if content_points.is_empty() {
            warnings.push(Warning {
                line: Some(d.line),
                message: format!("Q{}: no content points could be derived from the hint", d.number),
            });
        }
        let mut mistakes = Vec::new();
        for m in &d.mistakes {
            let phrases = mistake_phrases(m, &topic_words);
            if phrases.is_empty() {
                warnings.push(Warning {
                    line: Some(d.line),
                    message: format!(
                        "Q{}: the mistake \"{m}\" has no words to listen for; left out",
                        d.number
                    ),
                });
            } else {
                mistakes.push(Mistake {
                    mistake: m.clone(),
                    phrases,
                    patterns: Vec::new(),
                });
            }
        }
        questions.push(Question {
            id: format!("{prefix}-{}", prompt_slug(&d.prompt, &topic_words)),
            difficulty,
            prompt: d.prompt.trim().to_string(),
            hint: d.hint.trim().to_string(),
            example: d
                .example
                .as_ref()
                .map(|(_, e)| e.trim().to_string())
                .unwrap_or_default(),
            follow_up: d.follow_up.trim().to_string(),
            time_box_s: DEFAULT_TIME_BOX_S,
            content_points,
            mistakes,
        });
    }
    disambiguate_ids(&mut questions);
    let found = Mix::of(&questions);
    let stated_mix = page.stated_mix.map(|(line, mix)| {
        if mix != found {
            warnings.push(Warning {
                line: Some(line),
                message: format!("the guide states {mix} but {found} were read"),
            });
        }
        mix
    });
    let mut numbers: Vec<u32> = page.questions.iter().map(|d| d.number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    if let Some(&max) = numbers.last() {
        let missing: Vec<String> = (1..max)
            .filter(|n| !numbers.contains(n))
            .map(|n| format!("Q{n}"))
            .collect();
        if !missing.is_empty() && missing.len() < 50 {
            warnings.push(Warning {
                line: None,
                message: format!("not read: {} (numbering skips them)", missing.join(", ")),
            });
        }
    }
    let description = format!(
        "{} {topic} questions ({found}) imported from \"{title}\".",
        questions.len()
    );
    let deck = Deck {
        id,
        title: topic,
        description,
        questions,
        guide: Some(GuideInfo {
            title,
            domain: page.domain,
            roadmap: page.roadmap,
            scenarios: page.scenarios,
            stated_mix,
        }),
    };
    deck.validate().map_err(ImportError::Invalid)?;
    warnings.sort_by_key(|w| w.line.unwrap_or(usize::MAX));
    Ok(Imported { deck, warnings })
}

/// "Product Metrics Interview Questions 2026 (2026 Prep Guide)" → "Product Metrics".
fn topic_of(title: &str) -> String {
    let lower = title.to_lowercase();
    let cut = ["interview questions", "interview guide", "prep guide", "questions"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(title.len());
    let topic = title
        .get(..cut)
        .unwrap_or(title)
        .trim()
        .trim_end_matches([':', '-', '—', '·'])
        .trim();
    if topic.is_empty() {
        title.trim().to_string()
    } else {
        topic.to_string()
    }
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
}

fn slug(text: &str, max_words: usize) -> String {
    words(text)
        .map(str::to_lowercase)
        .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
        .filter(|w| !w.is_empty())
        .take(max_words)
        .collect::<Vec<_>>()
        .join("-")
}

/// "product-metrics" → "pm"; "kafka" → "kaf".
fn id_prefix(id: &str) -> String {
    let parts: Vec<&str> = id.split('-').filter(|p| !p.is_empty()).collect();
    if parts.len() >= 2 {
        parts.iter().filter_map(|p| p.chars().next()).take(4).collect()
    } else {
        id.chars().take(3).collect()
    }
}

/// Up to five content words of the prompt: "What metrics would you track to know Product Metrics is working
/// well?" → "track-know-working-well" (topic words dropped).
fn prompt_slug(prompt: &str, topic: &HashSet<String>) -> String {
    let picked: Vec<String> = words(prompt)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()) && !topic.contains(w))
        .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    if picked.is_empty() {
        format!("q{:08x}", fnv1a(&prompt.to_lowercase()))
    } else {
        picked.join("-")
    }
}

/// Ids that collide get a short hash of their prompt, so the same prompt always gets the same id.
fn disambiguate_ids(questions: &mut [Question]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for q in questions.iter() {
        *count.entry(q.id.clone()).or_default() += 1;
    }
    for q in questions.iter_mut() {
        if count.get(&q.id).copied().unwrap_or(0) > 1 {
            q.id = format!("{}-{:04x}", q.id, fnv1a(&q.prompt.to_lowercase()) & 0xffff);
        }
    }
}

/// 32-bit FNV-1a: stable across builds and platforms, unlike `std`'s hasher.
fn fnv1a(text: &str) -> u32 {
    text.bytes()
        .fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

// ---------------------------------------------------------------------------------------------------------
// Content points and mistake phrases from the guide's words.

/// Words that carry no content on their own.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "alone",
    "also",
    "an",
    "and",
    "any",
    "are",
    "around",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "don't",
    "down",
    "during",
    "each",
    "enough",
    "every",
    "few",
    "for",
    "from",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "isn't",
    "it",
    "it's",
    "its",
    "just",
    "less",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "three",
    "through",
    "to",
    "too",
    "two",
    "under",
    "until",
    "up",
    "usually",
    "very",
    "was",
    "we",
    "were",
    "what",
    "what's",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "you'd",
    "you're",
    "your",
    "e",
    "g",
    "ie",
    "eg",
    "etc",
    "really",
    "often",
    "always",
    "never",
    "quite",
    "rather",
    "well",
    "way",
    "thing",
    "things",
    "something",
    "get",
    "got",
    "make",
    "use",
    "using",
    "used",
    "pair",
    "pick",
    "let",
    "lets",
    "want",
    "need",
    "needs",
    "able",
    "i'd",
    "we'd",
    "week",
    "day",
    "days",
    "x",
    "directly",
    "quickly",
    "clearly",
    "first",
    "next",
    "last",
    "new",
    "good",
];

/// Words that introduce a mistake rather than name it.
const MISTAKE_VERBS: &[&str] = &[
    "skipping",
    "forgetting",
    "ignoring",
    "missing",
    "neglecting",
    "overlooking",
    "assuming",
    "confusing",
    "treating",
    "using",
    "not",
    "no",
    "over",
    "under",
    "relying",
    "rushing",
    "jumping",
];

const NEGATIONS: &[&str] = &["not", "don't", "never", "no", "without", "isn't", "aren't", "avoid"];

/// The content words of a fragment, in order, with whether each follows the previous one directly (only
/// stopwords between them break adjacency); words after a negation ("don't guess", "not the taxonomy")
/// are not what a strong answer says and are left out.
fn content_words(fragment: &str, topic: &HashSet<String>, extra_stop: &[&str]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut adjacent = false;
    let mut negated = false;
    for raw in fragment.split_whitespace() {
        let w = raw
            .trim_matches(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
            .replace('\u{2019}', "'")
            .to_lowercase();
        let breaks = raw.ends_with([',', ';', ':', '.']);
        if NEGATIONS.contains(&w.as_str()) {
            negated = true;
            adjacent = false;
            continue;
        }
        let keep = !w.is_empty()
            && w.chars().any(char::is_alphabetic)
            && w.chars().count() >= 2
            && !STOPWORDS.contains(&w.as_str())
            && !extra_stop.contains(&w.as_str())
            && !topic.contains(&w)
            && !w.split('-').all(|p| STOPWORDS.contains(&p) || topic.contains(p));
        if keep && !negated {
            out.push((w, adjacent));
            adjacent = true;
        } else {
            adjacent = false;
        }
        if breaks {
            negated = false;
            adjacent = false;
        }
    }
    out
}

/// Splits a hint into the fragments that become content points.
fn hint_fragments(hint: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in sentences(hint) {
        for clause in sentence.split([';', '—', '–']) {
            // "Write a one-page runbook: what it does, how to observe, how to rollback."
            let mut parts: Vec<&str> = Vec::new();
            match clause.split_once(": ") {
                Some((lead, rest)) if lead.split_whitespace().count() > 2 => {
                    parts.push(lead);
                    parts.push(rest);
                }
                Some((_, rest)) => parts.push(rest),
                None => parts.push(clause),
            }
            for part in parts {
                for piece in split_list(part) {
                    for p in split_conjunctions(&piece) {
                        let p = tidy_fragment(&p);
                        if !p.is_empty() && !p.to_lowercase().starts_with("e.g") && !p.to_lowercase().starts_with("i.e")
                        {
                            out.push(p);
                        }
                    }
                }
            }
        }
        // The first sentence is the advice; later ones only when it gave fewer than two points.
        if out.len() >= 2 {
            break;
        }
    }
    out
}

/// Sentences, not breaking at "e.g." or decimal points.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        if matches!(c, '.' | '?' | '!') {
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            let abbreviation = cur.to_lowercase().ends_with("e.g.") || cur.to_lowercase().ends_with("i.e.");
            if !abbreviation
                && next.is_none_or(char::is_whitespace)
                && after.is_none_or(|a| a.is_uppercase() || a.is_ascii_digit() || a == '"')
            {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// "a performance twist, a correctness corner-case, and a …" → three; "a recent, relatable case" → one.
fn split_list(part: &str) -> Vec<String> {
    let pieces: Vec<&str> = part.split(", ").collect();
    let enumeration =
        pieces.len() >= 3 || part.contains(", and ") || part.contains(", or ") || part.contains(", then ");
    if enumeration {
        pieces.into_iter().map(str::to_string).collect()
    } else {
        vec![part.to_string()]
    }
}

/// "a correctness metric with a latency metric and a cost metric" → three; " + " always splits.
fn split_conjunctions(piece: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in piece.split(" + ") {
        let and_parts: Vec<&str> = p.split(" and ").collect();
        if and_parts.len() > 1
            && let Some((lead, with)) = and_parts[0].split_once(" with ")
        {
            out.push(lead.to_string());
            out.push(with.to_string());
            out.extend(and_parts[1..].iter().map(|s| (*s).to_string()));
        } else {
            out.extend(and_parts.iter().map(|s| (*s).to_string()));
        }
    }
    out
}

/// Trims connectives and a leading "Pair"-like verb before an article, and a trailing "on <topic>".
fn tidy_fragment(fragment: &str) -> String {
    let mut t = fragment
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':'));
    for lead in ["and ", "or ", "then ", "but ", "so ", "plus "] {
        if t.len() > lead.len() && t.is_char_boundary(lead.len()) && t[..lead.len()].eq_ignore_ascii_case(lead) {
            t = t[lead.len()..].trim_start();
        }
    }
    let mut ws = t.split_whitespace();
    if let (Some(first), Some(second)) = (ws.next(), ws.next())
        && ["pair", "use", "pick", "combine", "add"].contains(&first.to_lowercase().as_str())
        && ["a", "an", "the"].contains(&second.to_lowercase().as_str())
    {
        t = t[first.len()..].trim_start();
    }
    let mut s = t.to_string();
    if let Some(c) = s.chars().next() {
        s.replace_range(..c.len_utf8(), &c.to_uppercase().to_string());
    }
    s
}

/// The content points of a hint: one per fragment that has words of its own to listen for.
fn content_points(hint: &str, topic: &HashSet<String>) -> Vec<ContentPoint> {
    let fragments: Vec<(String, Vec<(String, bool)>)> = hint_fragments(hint)
        .into_iter()
        .map(|f| {
            let cw = content_words(&f, topic, &[]);
            (f, cw)
        })
        .filter(|(_, cw)| !cw.is_empty())
        .take(5)
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (_, cw) in &fragments {
        let unique: HashSet<&str> = cw.iter().map(|(w, _)| w.as_str()).collect();
        for w in unique {
            *df.entry(w).or_default() += 1;
        }
    }
    let mut points = Vec::new();
    for (label, cw) in &fragments {
        let phrases = phrases_from(cw, |w| df.get(w).copied().unwrap_or(0) <= 1);
        if !phrases.is_empty() {
            points.push(ContentPoint {
                point: label.clone(),
                phrases,
                patterns: Vec::new(),
            });
        }
    }
    points
}

/// Phrases from content words: each run of adjacent words (up to four), each adjacent pair, and each word
/// that `alone_ok` allows on its own.
fn phrases_from(cw: &[(String, bool)], alone_ok: impl Fn(&str) -> bool) -> Vec<String> {
    let mut phrases: Vec<String> = Vec::new();
    let mut push = |p: String| {
        if !phrases.contains(&p) {
            phrases.push(p);
        }
    };
    // Runs of adjacent words.
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for (w, adjacent) in cw {
        match runs.last_mut() {
            Some(run) if *adjacent => run.push(w),
            _ => runs.push(vec![w]),
        }
    }
    for run in &runs {
        if (2..=4).contains(&run.len()) {
            push(run.join(" "));
        }
        for pair in run.windows(2) {
            push(pair.join(" "));
        }
    }
    for (w, _) in cw {
        if alone_ok(w) && (w.chars().count() >= 4 || w.chars().any(|c| c.is_ascii_digit())) {
            push(w.clone());
        }
    }
    phrases.truncate(10);
    phrases
}

/// Phrases that show an answer addresses a mistake: the words that name it ("Skipping schema evolution —
/// …" → "schema evolution", "schema", "evolution") and the word pairs of its explanation.
fn mistake_phrases(mistake: &str, topic: &HashSet<String>) -> Vec<String> {
    let (head, tail) = mistake
        .split_once(" — ")
        .or_else(|| mistake.split_once(" – "))
        .or_else(|| mistake.split_once(" - "))
        .or_else(|| mistake.split_once(": "))
        .unwrap_or((mistake, ""));
    let head_words = content_words(head, topic, MISTAKE_VERBS);
    let mut phrases = phrases_from(&head_words, |_| true);
    let tail_words = content_words(tail, topic, &[]);
    for p in phrases_from(&tail_words, |_| false) {
        if !phrases.contains(&p) && p.contains(' ') {
            phrases.push(p);
        }
    }
    if phrases.is_empty() {
        phrases = phrases_from(&content_words(mistake, topic, &[]), |_| true);
    }
    phrases.truncate(12);
    phrases
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic() -> HashSet<String> {
        ["product", "metrics"].iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn hint_with_three_metrics_gives_three_points() {
        let pts = content_points(
            "Pair a correctness metric with a latency metric and a cost metric. Any two of the three alone can \
             mislead decisions on Product Metrics.",
            &topic(),
        );
        let labels: Vec<&str> = pts.iter().map(|p| p.point.as_str()).collect();
        assert_eq!(labels, ["A correctness metric", "A latency metric", "A cost metric"]);
        assert!(
            pts[0].phrases.contains(&"correctness".to_string()),
            "{:?}",
            pts[0].phrases
        );
        assert!(
            pts[1].phrases.contains(&"latency metric".to_string()),
            "{:?}",
            pts[1].phrases
        );
        // "metric" is shared by all three points: never a phrase on its own.
        assert!(pts.iter().all(|p| !p.phrases.contains(&"metric".to_string())));
    }

    #[test]
    fn enumerations_split_and_negated_words_are_dropped() {
        let pts = content_points(
            "Expect a performance twist, a correctness corner-case, and a \"how would this change at 10x scale\" follow-up.",
            &topic(),
        );
        assert_eq!(pts.len(), 3, "{pts:?}");
        let pts = content_points(
            "Anchor the trade-off in a recent, relatable case; walk them through the choice chronology, not the \
             abstract taxonomy, around Product Metrics.",
            &topic(),
        );
        assert_eq!(pts.len(), 2, "{pts:?}");
        assert!(
            pts.iter().all(|p| p.phrases.iter().all(|ph| !ph.contains("taxonomy"))),
            "{pts:?}"
        );
        let pts = content_points(
            "Measure, don't guess — attach the profiler, capture a representative workload, then zoom into the \
             top contributor.",
            &topic(),
        );
        assert!(
            pts.iter().all(|p| p.phrases.iter().all(|ph| !ph.contains("guess"))),
            "{pts:?}"
        );
        assert!(
            pts.iter().any(|p| p.phrases.contains(&"profiler".to_string())),
            "{pts:?}"
        );
    }

    #[test]
    fn mistake_phrases_name_the_mistake() {
        let p = mistake_phrases(
            "Skipping schema evolution — a nullable new column silently breaks every downstream consumer.",
            &topic(),
        );
        assert!(p.contains(&"schema evolution".to_string()), "{p:?}");
        assert!(!p.contains(&"skipping".to_string()), "{p:?}");
    }

    #[test]
    fn difficulty_runs_into_the_hint() {
        assert_eq!(
            split_difficulty("mediumPair a metric"),
            Some((Difficulty::Medium, "Pair a metric"))
        );
        assert_eq!(
            split_difficulty("**Hard** — Anchor"),
            Some((Difficulty::Hard, "Anchor"))
        );
        assert_eq!(split_difficulty("hardware matters"), None);
        assert_eq!(split_difficulty("Pair a metric"), None);
        assert_eq!(split_difficulty("easy"), Some((Difficulty::Easy, "")));
    }

    #[test]
    fn question_lines_and_mix() {
        assert_eq!(question_start("Q12.What now?"), Some((12, "What now?")));
        assert_eq!(question_start("**Q3.** Why?"), Some((3, "Why?")));
        assert_eq!(question_start("Quality matters"), None);
        assert_eq!(
            parse_mix("This guide is weighted 5 easy · 6 medium · 4 hard — use it"),
            Some(Mix {
                easy: 5,
                medium: 6,
                hard: 4
            })
        );
        assert_eq!(parse_mix("easy wins"), None);
    }

    #[test]
    fn ids_are_stable_slugs() {
        assert_eq!(id_prefix("product-metrics"), "pm");
        assert_eq!(
            prompt_slug(
                "What metrics would you track to know Product Metrics is working well?",
                &topic()
            ),
            "track-know-working"
        );
        assert_eq!(
            topic_of("Product Metrics Interview Questions 2026 (2026 Prep Guide)"),
            "Product Metrics"
        );
    }

    #[test]
    fn bad_bytes_never_panic() {
        for input in [
            &b""[..],
            b"\xEF\xBB\xBF",
            b"\x00\x01\x02",
            b"Q1.",
            b"Q1.Why?\n\xC3",
            b"\xff\xfe<html>",
            b"<html><body><p>Q1.Why?</p><p>easyBecause.</p></body></html>",
            b"Q\nQ99999999999.x\neasy",
            "Q1.é?\nhard…".as_bytes(),
        ] {
            let _ = import_guide(input, &ImportOptions::default());
            let _ = import_guide(
                input,
                &ImportOptions {
                    format: Some(Format::Html),
                    ..ImportOptions::default()
                },
            );
            let _ = import_guide(
                input,
                &ImportOptions {
                    format: Some(Format::Markdown),
                    ..ImportOptions::default()
                },
            );
        }
    }
}

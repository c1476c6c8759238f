//! The line parser: the guide's lines into a [`Page`] (title, roadmap, scenarios, the stated difficulty mix
//! and the questions as drafts), with a warning for every line it could not place.

use std::collections::{HashMap, HashSet};

use super::Warning;
use super::read::Line;
use crate::bank::{Difficulty, Mix, RoadmapStep};

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
pub(super) struct Draft {
    pub(super) line: usize,
    pub(super) number: u32,
    pub(super) prompt: String,
    pub(super) difficulty: Option<Difficulty>,
    pub(super) hint: String,
    pub(super) example: Option<(usize, String)>,
    pub(super) mistakes: Vec<String>,
    pub(super) follow_up: String,
    field: Field,
    broken: bool,
}

#[derive(Debug, Default)]
pub(super) struct Page {
    pub(super) title: String,
    pub(super) domain: String,
    pub(super) roadmap: Vec<RoadmapStep>,
    pub(super) scenarios: Vec<String>,
    pub(super) stated_mix: Option<(usize, Mix)>,
    pub(super) questions: Vec<Draft>,
}

fn heading(text: &str) -> String {
    text.trim()
        .trim_end_matches([':', '.'])
        .trim()
        .to_lowercase()
        .replace('\u{2011}', "-")
}

pub(super) fn parse_lines(lines: &[Line], warnings: &mut Vec<Warning>) -> Page {
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
            draft = Some(Draft::new(line.no, number, prompt.to_string()));
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
        if let Some(d) = draft.as_mut().filter(|d| !d.broken)
            && d.field_heading(line.no, &h, text)
        {
            continue;
        }
        if let Some(s) = section_heading(&h) {
            finish(&mut draft, &mut page, warnings);
            section = s;
            continue;
        }
        if let Some(d) = draft.as_mut() {
            if !d.broken {
                d.field_line(line, warnings);
            }
            continue;
        }
        page_line(&mut page, &mut section, text, line, warnings);
    }
    finish(&mut draft, &mut page, warnings);
    page
}

impl Draft {
    fn new(line: usize, number: u32, prompt: String) -> Self {
        Self {
            line,
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
        }
    }

    /// A heading inside a question (Example, Common mistakes, Follow-up: …) moves to its field; true if it
    /// was one.
    fn field_heading(&mut self, line_no: usize, h: &str, text: &str) -> bool {
        if h == "example" || h == "example answer" {
            self.example = Some((line_no, String::new()));
            self.field = Field::Example;
        } else if h == "common mistakes" || h == "mistakes" {
            self.field = Field::Mistakes;
        } else if let Some(rest) = strip_follow_up(text) {
            self.follow_up = rest.to_string();
            self.field = if rest.is_empty() { Field::FollowUp } else { Field::Done };
        } else {
            return false;
        }
        true
    }

    /// A line inside a question goes to the field it is in.
    fn field_line(&mut self, line: &Line, warnings: &mut Vec<Warning>) {
        let text = line.text.as_str();
        match self.field {
            Field::Prompt => {
                self.prompt = text.to_string();
                self.field = Field::Difficulty;
            }
            Field::Difficulty => match split_difficulty(text) {
                Some((diff, rest)) => {
                    self.difficulty = Some(diff);
                    self.hint = rest.to_string();
                    self.field = Field::Hint;
                }
                None => {
                    self.broken = true;
                    warnings.push(Warning {
                        line: Some(line.no),
                        message: format!(
                            "Q{} has no difficulty (expected easy, medium or hard before the hint); the question is left out",
                            self.number
                        ),
                    });
                }
            },
            Field::Hint => append(&mut self.hint, text),
            Field::Example => {
                if let Some((_, ex)) = self.example.as_mut() {
                    append(ex, text);
                }
            }
            Field::Mistakes => match strip_bullet(text) {
                Some(m) => self.mistakes.push(m.to_string()),
                None => unplaced(warnings, line, Some(self.number)),
            },
            Field::FollowUp => {
                self.follow_up = text.to_string();
                self.field = Field::Done;
            }
            Field::Done => unplaced(warnings, line, None),
        }
    }
}

/// The section a heading opens, if it is one.
fn section_heading(h: &str) -> Option<Section> {
    if h == "preparation roadmap" || h == "roadmap" {
        Some(Section::Roadmap)
    } else if h == "top interview questions" || h == "interview questions" || h == "questions" {
        Some(Section::Questions)
    } else if h == "difficulty mix" {
        Some(Section::Mix)
    } else if BOILERPLATE.contains(&h) {
        Some(Section::Boilerplate)
    } else {
        None
    }
}

/// A line outside any question: the title, the domain, the introduction's scenarios, the roadmap.
fn page_line(page: &mut Page, section: &mut Section, text: &str, line: &Line, warnings: &mut Vec<Warning>) {
    let is_title = text.to_lowercase().contains("interview questions");
    if is_title
        && matches!(section, Section::Head | Section::Intro)
        && !page.title.to_lowercase().contains("interview questions")
    {
        // A page's menu or breadcrumb came first; the real title names the questions.
        page.title = text.to_string();
        return;
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
                *section = Section::Intro;
                collect_scenarios(text, &mut page.scenarios);
            }
        }
        Section::Intro => collect_scenarios(text, &mut page.scenarios),
        Section::Roadmap => roadmap_line(text, page),
        Section::Questions => unplaced(warnings, line, None),
        Section::Boilerplate | Section::Mix => {}
    }
    if *section == Section::Roadmap {
        collect_scenarios(text, &mut page.scenarios);
    }
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
pub(super) fn question_start(text: &str) -> Option<(u32, &str)> {
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
pub(super) fn split_difficulty(text: &str) -> Option<(Difficulty, &str)> {
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
pub(super) fn parse_mix(text: &str) -> Option<Mix> {
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

//! From a parsed page to a validated deck: the deck's id and topic, question ids derived from the prompts
//! (so a re-import keeps history), time-boxes, content points and mistakes, and the checks of what the page
//! says against what was read.

use std::collections::{HashMap, HashSet};

use super::parse::{Draft, Page};
use super::points::{STOPWORDS, content_points, mistake_phrases};
use super::{ImportError, ImportOptions, Imported, Warning};
use crate::bank::{DEFAULT_TIME_BOX_S, Deck, GuideInfo, Mistake, Mix, Question};

pub(super) fn build_deck(
    page: Page,
    opts: &ImportOptions,
    mut warnings: Vec<Warning>,
) -> Result<Imported, ImportError> {
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
    let (id, prefix) = deck_id(opts, &topic, &mut warnings)?;
    let topic_words: HashSet<String> = words(&topic).map(str::to_lowercase).collect();
    let mut questions: Vec<Question> = page
        .questions
        .iter()
        .filter_map(|d| question_of(d, &prefix, &topic_words, &mut warnings))
        .collect();
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
    warn_missing_numbers(&page, &mut warnings);
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

/// The deck's id (`--id`, or a slug of the topic) and its questions' id prefix.
fn deck_id(opts: &ImportOptions, topic: &str, warnings: &mut Vec<Warning>) -> Result<(String, String), ImportError> {
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
            let s = slug(topic, 8);
            if s.is_empty() { "imported-guide".into() } else { s }
        }
    };
    let prefix = id_prefix(&id);
    // The built-in deck's id is taken: a deck saved under it would hide the built-in one. The questions keep
    // their prefix (their ids come from the prompts, not from the deck id).
    let builtin = Deck::embedded().map(|d| d.id).unwrap_or_default();
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
    Ok((id, prefix))
}

/// A drafted question as a deck question (none when it had no difficulty), its points and mistakes derived.
fn question_of(
    d: &Draft,
    prefix: &str,
    topic_words: &HashSet<String>,
    warnings: &mut Vec<Warning>,
) -> Option<Question> {
    let difficulty = d.difficulty?;
    let content_points = content_points(&d.hint, topic_words);
    if content_points.is_empty() {
        warnings.push(Warning {
            line: Some(d.line),
            message: format!("Q{}: no content points could be derived from the hint", d.number),
        });
    }
    let mut mistakes = Vec::new();
    for m in &d.mistakes {
        let phrases = mistake_phrases(m, topic_words);
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
    Some(Question {
        id: format!("{prefix}-{}", prompt_slug(&d.prompt, topic_words)),
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
    })
}

/// A warning naming the questions the page's numbering skips (Q1, Q2, Q4: Q3 was not read).
fn warn_missing_numbers(page: &Page, warnings: &mut Vec<Warning>) {
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
}

/// "Product Metrics Interview Questions 2026 (2026 Prep Guide)" → "Product Metrics".
pub(super) fn topic_of(title: &str) -> String {
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
pub(super) fn id_prefix(id: &str) -> String {
    let parts: Vec<&str> = id.split('-').filter(|p| !p.is_empty()).collect();
    if parts.len() >= 2 {
        parts.iter().filter_map(|p| p.chars().next()).take(4).collect()
    } else {
        id.chars().take(3).collect()
    }
}

/// Up to five content words of the prompt: "What metrics would you track to know Product Metrics is working
/// well?" → "track-know-working-well" (topic words dropped).
pub(super) fn prompt_slug(prompt: &str, topic: &HashSet<String>) -> String {
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

//! Question decks: what the person rehearses. A deck is a TOML file (schema below); the default
//! "Product Metrics" deck is compiled into the binary so the app works with no files around, and user decks
//! in the same schema load from `<data dir>/decks/*.toml` or a single `--deck FILE`.
//!
//! Besides the prompt and the seed guide's hint, example, mistakes and follow-up, every question lists the
//! **content points** a strong answer hits and the **common mistakes** it should address, each with
//! phrases the rubric matcher looks for (stemmed, so "dedupe", "deduplicated" and "deduplication" all match
//! "deduplicate"; see `rubric`).
//!
//! Question ids are stable short slugs `<deck prefix>-<two-digit number>-<topic>`, e.g.
//! `pm-01-success-metrics`. Attempts on disk refer to questions by id, so an id is never renumbered or
//! reused once published; new questions get new numbers.
//!
//! ```toml
//! id = "product-metrics"
//! title = "Product Metrics"
//! description = "…"
//! [[questions]]
//! id = "pm-01-success-metrics"
//! difficulty = "medium"            # easy | medium | hard
//! prompt = "What metrics would you track…?"
//! hint = "Pair a correctness metric with…"
//! example = "…"
//! follow_up = "…"
//! time_box_s = 180                 # optional, default 180
//! [[questions.content_points]]
//! point = "A correctness metric"
//! phrases = ["correctness", "error rate"]
//! patterns = [{ first = ["…"], then = ["…"], window = 4 }]   # optional
//! [[questions.mistakes]]
//! mistake = "Skipping schema evolution — …"
//! phrases = ["schema evolution", "new column"]
//! ```
//!
//! A deck imported from a prep guide (see [`import`]) also keeps the page's non-question parts in an
//! optional `[guide]` table: the page title, the preparation roadmap and the scenario cases it names, and
//! the difficulty mix it states.

pub mod import;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The default deck's source, compiled in.
pub const EMBEDDED_DECK: &str = include_str!("../../assets/decks/product-metrics.toml");

/// The time box when a question does not set one: the seed guide's three minutes.
pub const DEFAULT_TIME_BOX_S: f64 = 180.0;

/// How hard a question is. Serialises lowercase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// Warm-up questions.
    Easy,
    /// The core of a panel.
    Medium,
    /// Senior-signal questions.
    Hard,
}

impl Difficulty {
    /// The lowercase name, as in deck files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Easy => "easy",
            Self::Medium => "medium",
            Self::Hard => "hard",
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown difficulty name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown difficulty {0:?}: expected easy, medium or hard")]
pub struct ParseDifficultyError(pub String);

impl FromStr for Difficulty {
    type Err = ParseDifficultyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "easy" => Ok(Self::Easy),
            "medium" => Ok(Self::Medium),
            "hard" => Ok(Self::Hard),
            _ => Err(ParseDifficultyError(s.to_string())),
        }
    }
}

/// Raw form of a two-part pattern in a rubric or deck file: a `first` phrase followed closely by a `then`
/// phrase (compiled by `rubric::matcher::Pattern`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PatternDef {
    /// Phrases that open the pattern.
    pub first: Vec<String>,
    /// Phrases that must follow within `window` tokens.
    pub then: Vec<String>,
    /// Maximum number of tokens between the two parts.
    #[serde(default = "default_window")]
    pub window: usize,
    /// Also accept `then` before `first`.
    #[serde(default)]
    pub any_order: bool,
    /// Words that cancel the pattern when they stand right before the `first` part ("take a *break* when"
    /// is not "it *breaks* when"); compared with the normalised word, not its stem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_after: Vec<String>,
}

fn default_window() -> usize {
    6
}

/// Something a strong answer to this question should say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentPoint {
    /// Short human label, e.g. "A latency metric".
    pub point: String,
    /// Phrases that count as hitting the point (stem-aware, multi-word allowed).
    pub phrases: Vec<String>,
    /// Optional two-part patterns for words that only count in context.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<PatternDef>,
}

/// A common mistake the answer should address (reported "not mentioned" when it never does).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mistake {
    /// The mistake as the guide words it.
    pub mistake: String,
    /// Phrases that show the answer addresses it.
    pub phrases: Vec<String>,
    /// Optional two-part patterns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<PatternDef>,
}

fn default_time_box() -> f64 {
    DEFAULT_TIME_BOX_S
}

/// One interview question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable slug, e.g. `pm-01-success-metrics`.
    pub id: String,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// The question as the interviewer asks it.
    pub prompt: String,
    /// The model-answer hint.
    pub hint: String,
    /// A concrete example to borrow.
    #[serde(default)]
    pub example: String,
    /// The interviewer's likely follow-up.
    #[serde(default)]
    pub follow_up: String,
    /// Seconds allowed for the answer.
    #[serde(default = "default_time_box")]
    pub time_box_s: f64,
    /// What a strong answer covers.
    pub content_points: Vec<ContentPoint>,
    /// Mistakes the answer should steer clear of.
    #[serde(default)]
    pub mistakes: Vec<Mistake>,
}

impl Question {
    /// Case-insensitive substring search over id and prompt; an empty query matches everything.
    pub fn matches_query(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        q.is_empty() || self.id.to_lowercase().contains(&q) || self.prompt.to_lowercase().contains(&q)
    }
}

/// A deck of questions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deck {
    /// Stable slug of the deck.
    pub id: String,
    /// Display title.
    pub title: String,
    /// One or two sentences on what the deck drills.
    #[serde(default)]
    pub description: String,
    /// The questions, in deck order.
    pub questions: Vec<Question>,
    /// What an imported guide said besides its questions; absent in hand-written decks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide: Option<GuideInfo>,
}

/// The parts of an imported prep guide that are not questions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuideInfo {
    /// The page's own title, e.g. "Product Metrics Interview Questions 2026 (2026 Prep Guide)".
    pub title: String,
    /// The family line above the title, e.g. "Data Engineering · 2026".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    /// The preparation roadmap, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roadmap: Vec<RoadmapStep>,
    /// Real-world cases the guide names for scenario drills ("cases like …", "e.g. …").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<String>,
    /// The difficulty mix the page states (checked against the questions read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_mix: Option<Mix>,
}

/// One step of a guide's preparation roadmap.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoadmapStep {
    /// The step's number as printed ("Step 2" → 2).
    pub step: u32,
    /// The days it covers, as printed: "Days 3–4", "Day 8+".
    #[serde(default)]
    pub days: String,
    /// Its name: "Scenario drills".
    #[serde(default)]
    pub name: String,
    /// What to do.
    #[serde(default)]
    pub text: String,
}

/// How many questions of each difficulty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mix {
    /// Easy questions.
    pub easy: usize,
    /// Medium questions.
    pub medium: usize,
    /// Hard questions.
    pub hard: usize,
}

impl Mix {
    /// Counts the questions of each difficulty.
    pub fn of(questions: &[Question]) -> Self {
        let count = |d| questions.iter().filter(|q| q.difficulty == d).count();
        Self {
            easy: count(Difficulty::Easy),
            medium: count(Difficulty::Medium),
            hard: count(Difficulty::Hard),
        }
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} easy · {} medium · {} hard", self.easy, self.medium, self.hard)
    }
}

impl Deck {
    /// Parses and validates a deck from TOML text; `origin` names the source in errors.
    pub fn from_toml_str(src: &str, origin: &Path) -> Result<Self, DeckError> {
        if src.trim().is_empty() {
            return Err(DeckError::Invalid {
                path: origin.to_path_buf(),
                message: "the file is empty; a deck needs an id, a title and at least one [[questions]]".into(),
            });
        }
        let deck: Deck = toml::from_str(src).map_err(|e| {
            let (line, column) = e.span().map_or((None, None), |sp| {
                let (l, c) = line_col(src, sp.start);
                (Some(l), Some(c))
            });
            DeckError::Parse {
                path: origin.to_path_buf(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        deck.validate().map_err(|message| DeckError::Invalid {
            path: origin.to_path_buf(),
            message,
        })?;
        Ok(deck)
    }

    /// The built-in Product Metrics deck.
    pub fn embedded() -> Result<Self, DeckError> {
        Self::from_toml_str(EMBEDDED_DECK, Path::new("<embedded>/product-metrics.toml"))
    }

    /// Loads one deck file (`--deck FILE`).
    pub fn load_file(path: &Path) -> Result<Self, DeckError> {
        let src = std::fs::read_to_string(path).map_err(|cause| DeckError::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        Self::from_toml_str(&src, path)
    }

    /// A good first question for someone trying the app: the shortest easy one (a short warm-up, e.g. "What
    /// is Product Metrics and why…", 90 s), the first in deck order on a tie; any question when none is easy.
    pub fn warm_up(&self) -> Option<&Question> {
        let easy = self.questions.iter().filter(|q| q.difficulty == Difficulty::Easy);
        easy.min_by(|a, b| a.time_box_s.total_cmp(&b.time_box_s))
            .or_else(|| self.questions.first())
    }

    /// Looks a question up by id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Questions of the given difficulty (if any) whose id or prompt contains `query` (if any),
    /// case-insensitively, in deck order.
    pub fn filter(&self, difficulty: Option<Difficulty>, query: Option<&str>) -> Vec<&Question> {
        self.questions
            .iter()
            .filter(|q| difficulty.is_none_or(|d| q.difficulty == d))
            .filter(|q| query.is_none_or(|s| q.matches_query(s)))
            .collect()
    }

    fn validate(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("deck id is empty".into());
        }
        if self.questions.is_empty() {
            return Err("deck has no questions; add at least one [[questions]]".into());
        }
        let mut seen = std::collections::HashSet::new();
        for q in &self.questions {
            if q.id.trim().is_empty() || q.id.chars().any(char::is_whitespace) {
                return Err(format!(
                    "question id {:?} must be a non-empty slug without spaces",
                    q.id
                ));
            }
            if !seen.insert(q.id.as_str()) {
                return Err(format!("duplicate question id {:?}", q.id));
            }
            if q.prompt.trim().is_empty() {
                return Err(format!("question {}: prompt is empty", q.id));
            }
            if !(q.time_box_s.is_finite() && q.time_box_s > 0.0) {
                return Err(format!(
                    "question {}: time_box_s must be a positive number of seconds",
                    q.id
                ));
            }
            for p in &q.content_points {
                check_phrases(&q.id, &p.point, &p.phrases, &p.patterns)?;
            }
            for m in &q.mistakes {
                check_phrases(&q.id, &m.mistake, &m.phrases, &m.patterns)?;
            }
        }
        Ok(())
    }
}

fn check_phrases(qid: &str, what: &str, phrases: &[String], patterns: &[PatternDef]) -> Result<(), String> {
    let has_words = |p: &String| p.chars().any(char::is_alphanumeric);
    if phrases.is_empty() && patterns.is_empty() {
        return Err(format!("question {qid}: {what:?} has no phrases"));
    }
    if let Some(p) = phrases.iter().find(|p| !has_words(p)) {
        return Err(format!("question {qid}: {what:?} has a phrase with no words: {p:?}"));
    }
    for pat in patterns {
        if pat.first.is_empty() || pat.then.is_empty() || !pat.first.iter().chain(&pat.then).all(has_words) {
            return Err(format!("question {qid}: {what:?} has a pattern with an empty part"));
        }
    }
    Ok(())
}

/// Why a deck did not load.
#[derive(Debug, thiserror::Error)]
pub enum DeckError {
    /// The file could not be read.
    #[error("{}: cannot read deck: {cause}", path.display())]
    Io {
        /// The deck file.
        path: PathBuf,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// The TOML is malformed or does not fit the schema.
    #[error("{}{}: {message}", path.display(), fmt_pos(*line, *column))]
    Parse {
        /// The deck file.
        path: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column (in characters) of the problem, when known.
        column: Option<usize>,
        /// What was wrong or expected, from the TOML parser.
        message: String,
    },
    /// The deck could not be written to the data dir (`crate::store::save_user_deck`; the store's error).
    #[error("cannot save the deck: {0}")]
    Save(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The TOML parsed but breaks a deck rule (duplicate id, empty phrases…).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The deck file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn fmt_pos(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// 1-based line and column (in characters) of a byte offset in `src`.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Loads every `*.toml` deck in `<data_dir>/decks`, sorted by file name. Decks that fail are reported and
/// skipped; the rest still load. A missing `decks` directory is not an error.
pub fn load_user_decks(data_dir: &Path) -> (Vec<Deck>, Vec<DeckError>) {
    let dir = data_dir.join("decks");
    let mut decks = Vec::new();
    let mut errors = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (decks, errors),
        Err(cause) => {
            errors.push(DeckError::Io { path: dir, cause });
            return (decks, errors);
        }
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => {
                let p = e.path();
                if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("toml")) && p.is_file() {
                    paths.push(p);
                }
            }
            Err(cause) => errors.push(DeckError::Io {
                path: dir.clone(),
                cause,
            }),
        }
    }
    paths.sort();
    for p in paths {
        match Deck::load_file(&p) {
            Ok(d) => decks.push(d),
            Err(e) => errors.push(e),
        }
    }
    (decks, errors)
}

/// Finds question `id` across decks, looking in the deck `prefer` first (an attempt's own deck) and then in
/// every deck in order. The one look-up the CLI, the window and the session share.
pub fn find_question<'a>(decks: &'a [Deck], prefer: Option<&str>, id: &str) -> Option<(&'a Deck, &'a Question)> {
    decks
        .iter()
        .filter(|d| prefer == Some(d.id.as_str()))
        .chain(decks)
        .find_map(|d| d.question(id).map(|q| (d, q)))
}

/// The embedded deck followed by the user decks in `data_dir` (if given) and one extra deck file (if given),
/// with every error collected rather than stopping at the first.
pub fn load_all(data_dir: Option<&Path>, deck_file: Option<&Path>) -> (Vec<Deck>, Vec<DeckError>) {
    let mut decks = Vec::new();
    let mut errors = Vec::new();
    match Deck::embedded() {
        Ok(d) => decks.push(d),
        Err(e) => errors.push(e),
    }
    if let Some(dir) = data_dir {
        let (d, e) = load_user_decks(dir);
        decks.extend(d);
        errors.extend(e);
    }
    if let Some(file) = deck_file {
        match Deck::load_file(file) {
            Ok(d) => decks.push(d),
            Err(e) => errors.push(e),
        }
    }
    (decks, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded() -> Deck {
        Deck::embedded().expect("embedded deck parses")
    }

    #[test]
    fn the_warm_up_is_the_shortest_easy_question() {
        assert_eq!(embedded().warm_up().map(|q| q.id.as_str()), Some("pm-15-what-and-why"));
        let mut d = embedded();
        for q in &mut d.questions {
            q.time_box_s = 180.0;
        }
        assert_eq!(
            d.warm_up().map(|q| q.id.as_str()),
            Some("pm-03-smallest-poc"),
            "a tie: deck order"
        );
        d.questions.retain(|q| q.difficulty == Difficulty::Hard);
        assert_eq!(
            d.warm_up().map(|q| &q.id),
            d.questions.first().map(|q| &q.id),
            "no easy one"
        );
        d.questions.clear();
        assert!(d.warm_up().is_none());
    }

    #[test]
    fn embedded_deck_has_fifteen_questions_with_seed_mix() {
        let d = embedded();
        assert_eq!(d.id, "product-metrics");
        assert!(!d.title.is_empty() && !d.description.is_empty());
        assert_eq!(d.questions.len(), 15);
        let count = |x| d.questions.iter().filter(|q| q.difficulty == x).count();
        assert_eq!(
            (
                count(Difficulty::Easy),
                count(Difficulty::Medium),
                count(Difficulty::Hard)
            ),
            (5, 6, 4)
        );
        for q in &d.questions {
            assert!(q.content_points.len() >= 2, "{} has too few content points", q.id);
            assert!(!q.mistakes.is_empty(), "{} has no mistakes", q.id);
            assert!(q.id.starts_with("pm-"), "{}", q.id);
            assert!(
                !q.hint.is_empty() && !q.example.is_empty() && !q.follow_up.is_empty(),
                "{}",
                q.id
            );
            assert!(q.time_box_s == 180.0 || q.time_box_s == 90.0, "{}", q.id);
        }
        // Spot-check the seed's order and difficulties.
        assert_eq!(d.questions[0].difficulty, Difficulty::Medium);
        assert!(d.questions[0].prompt.starts_with("What metrics would you track"));
        assert_eq!(d.questions[8].difficulty, Difficulty::Hard);
        assert_eq!(d.questions[14].difficulty, Difficulty::Easy);
    }

    #[test]
    fn filter_by_difficulty_and_search() {
        let d = embedded();
        assert_eq!(d.filter(Some(Difficulty::Hard), None).len(), 4);
        assert_eq!(d.filter(None, Some("")).len(), 15);
        let debug = d.filter(None, Some("DEBUG"));
        assert_eq!(debug.len(), 1);
        assert!(debug[0].prompt.contains("debug a slow"));
        assert_eq!(d.filter(None, Some("pm-01")).len(), 1);
        assert!(d.filter(Some(Difficulty::Easy), Some("debug")).is_empty());
        assert_eq!(
            d.question("pm-01-success-metrics").map(|q| q.difficulty),
            Some(Difficulty::Medium)
        );
    }

    #[test]
    fn difficulty_parses_and_serialises_lowercase() {
        assert_eq!("Hard".parse::<Difficulty>().ok(), Some(Difficulty::Hard));
        assert!("extreme".parse::<Difficulty>().is_err());
        assert_eq!(
            serde_json::to_string(&Difficulty::Medium).ok().as_deref(),
            Some("\"medium\"")
        );
    }

    #[test]
    fn malformed_deck_names_line_and_column() {
        let src = "id = \"x\"\ntitle = \"X\"\n[[questions]]\nid = \"x-01\"\ndifficulty = \"brutal\"\n";
        let err = Deck::from_toml_str(src, Path::new("bad.toml")).expect_err("must fail");
        match &err {
            DeckError::Parse {
                line, column, message, ..
            } => {
                assert_eq!(*line, Some(5));
                assert_eq!(*column, Some(14));
                assert!(message.contains("easy") && message.contains("hard"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().starts_with("bad.toml:5:14: "), "{err}");

        let syntax = "id = \"x\"\ntitle = \"X\n";
        let err = Deck::from_toml_str(syntax, Path::new("s.toml")).expect_err("must fail");
        assert!(matches!(err, DeckError::Parse { line: Some(2), .. }), "{err:?}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncdé f", 7), (2, 4));
        assert_eq!(line_col("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_col("", 3), (1, 1));
    }

    #[test]
    fn directory_loading_keeps_good_decks_and_reports_bad_ones() {
        let dir = std::env::temp_dir().join(format!("rehearse-bank-test-{}", std::process::id()));
        let decks = dir.join("decks");
        std::fs::create_dir_all(&decks).expect("mkdir");
        let good = "id = \"mine\"\ntitle = \"Mine\"\n[[questions]]\nid = \"m-01\"\ndifficulty = \"easy\"\n\
                    prompt = \"Why?\"\nhint = \"Because.\"\n[[questions.content_points]]\npoint = \"p\"\n\
                    phrases = [\"because\"]\n";
        std::fs::write(decks.join("a.toml"), good).expect("write");
        std::fs::write(decks.join("b.toml"), "id = \"broken\"\ntitle = [\n").expect("write");
        std::fs::write(decks.join("notes.txt"), "ignored").expect("write");
        let (ok, errs) = load_user_decks(&dir);
        let (all, all_errs) = load_all(Some(&dir), None);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].questions[0].time_box_s, DEFAULT_TIME_BOX_S);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().contains("b.toml:"), "{}", errs[0]);
        assert_eq!(all.len(), 2);
        assert_eq!(all_errs.len(), 1);
        assert!(load_user_decks(Path::new("/nonexistent/rehearse")).1.is_empty());
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let q = "[[questions]]\nid = \"d\"\ndifficulty = \"easy\"\nprompt = \"P\"\nhint = \"H\"\n\
                 [[questions.content_points]]\npoint = \"p\"\nphrases = [\"x\"]\n";
        let src = format!("id = \"d\"\ntitle = \"D\"\n{q}{q}");
        let err = Deck::from_toml_str(&src, Path::new("d.toml")).expect_err("dup");
        assert!(err.to_string().contains("duplicate question id"), "{err}");
    }

    #[test]
    fn empty_decks_and_duplicate_ids_name_their_file_and_the_others_load() {
        let dir = tempfile::tempdir().expect("tmp");
        let decks = dir.path().join("decks");
        std::fs::create_dir_all(&decks).expect("mkdir");
        let q = |id: &str| {
            format!(
                "[[questions]]\nid = \"{id}\"\ndifficulty = \"easy\"\nprompt = \"P\"\nhint = \"H\"\n\
                 [[questions.content_points]]\npoint = \"p\"\nphrases = [\"x\"]\n"
            )
        };
        std::fs::write(
            decks.join("a-good.toml"),
            format!("id = \"good\"\ntitle = \"G\"\n{}", q("g-1")),
        )
        .expect("write");
        std::fs::write(
            decks.join("b-dup.toml"),
            format!("id = \"dup\"\ntitle = \"D\"\n{}{}", q("d-1"), q("d-1")),
        )
        .expect("write");
        std::fs::write(decks.join("c-empty.toml"), "").expect("write");
        std::fs::write(decks.join("d-blank.toml"), "\n  \n").expect("write");
        std::fs::write(
            decks.join("e-noq.toml"),
            "id = \"noq\"\ntitle = \"N\"\nquestions = []\n",
        )
        .expect("write");
        let (ok, errs) = load_user_decks(dir.path());
        assert_eq!(ok.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["good"]);
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 4, "{msgs:?}");
        let file = |name: &str| decks.join(name).display().to_string();
        assert_eq!(
            msgs[0],
            format!("{}: duplicate question id \"d-1\"", file("b-dup.toml"))
        );
        assert!(
            msgs[1].starts_with(&format!("{}: the file is empty", file("c-empty.toml"))),
            "{msgs:?}"
        );
        assert!(
            msgs[2].starts_with(&format!("{}: the file is empty", file("d-blank.toml"))),
            "{msgs:?}"
        );
        assert!(
            msgs[3].starts_with(&format!("{}: deck has no questions", file("e-noq.toml"))),
            "{msgs:?}"
        );
        assert!(msgs.iter().all(|m| !m.contains('\n')), "one line each: {msgs:?}");
    }

    proptest::proptest! {
        #![proptest_config(crate::fuzz::config())]

        /// Cut, edited or random deck files give an error naming the file, never a panic.
        #[test]
        fn deck_parser_never_panics(bytes in crate::fuzz::damaged(EMBEDDED_DECK.as_bytes().to_vec())) {
            let src = String::from_utf8_lossy(&bytes);
            if let Err(e) = Deck::from_toml_str(&src, Path::new("fuzz.toml")) {
                proptest::prop_assert!(e.to_string().starts_with("fuzz.toml"), "{}", e);
            }
        }
    }
}

//! `rehearse plan`: set the practice plan's dates and print the whole plan, day by day (`--json`: the plan
//! as `{"start", "interview", "days": [{"date", "phase", "missed"?, "steps": [{"kind", "question_ids",
//! "time_box_s", "minutes"}]}]}`; a day before today lists what was done on it, `"missed": true` when nothing
//! was). Progress comes from the attempts; only the dates are stored (`<data>/plan.json`).

use anyhow::Context as _;
use clap::Args;
use time::Date;

use crate::paths;
use crate::plan::file::{self, PlanDates, PlanError};
use crate::plan::{self, Day, Inputs, Practice, Step, ymd};

fn parse_date(s: &str) -> Result<Date, String> {
    ymd::parse(s)
}

#[derive(Args)]
pub(super) struct PlanArgs {
    /// First day of the plan (default: the saved start, or today for a new plan).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    start: Option<Date>,
    /// The interview date; the plan runs up to the day before (needed for a new plan).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    interview: Option<Date>,
    /// Drill this deck's questions (an id from `rehearse questions`, e.g. an imported guide); saved with the
    /// plan. `--deck default` goes back to the built-in deck.
    #[arg(long, value_name = "ID")]
    deck: Option<String>,
    /// Print the plan as JSON.
    #[arg(long)]
    json: bool,
}

/// The saved dates, or what to do when there are none or they are damaged.
pub(super) fn saved_dates() -> anyhow::Result<PlanDates> {
    match file::load(&paths::data_dir())? {
        Some(d) => Ok(d),
        None => anyhow::bail!(
            "no practice plan yet; make one with `rehearse plan --interview YYYY-MM-DD` (it starts today)"
        ),
    }
}

/// Everything a plan reads: its questions (from deck `deck`, or the built-in one) and the scored attempts.
pub(super) fn plan_inputs(deck: Option<&str>) -> anyhow::Result<(Vec<crate::bank::Question>, Vec<Practice>)> {
    let decks = super::load_decks(None)?;
    if let Some(id) = deck
        && !decks.iter().any(|d| d.id == id)
    {
        eprintln!(
            "note: the plan's deck {id:?} is not installed; planning with the built-in deck (`rehearse questions` lists the decks)"
        );
    }
    let questions = file::plan_questions(&decks, deck);
    anyhow::ensure!(
        !questions.is_empty(),
        "no questions to plan with; `rehearse questions` lists the decks"
    );
    let store = super::open_store()?;
    let listing = store.listing().context("cannot read the attempts")?;
    Ok((questions, Practice::from_attempts(&listing.attempts)))
}

impl PlanArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let data = paths::data_dir();
        let today = file::today_local();
        let dates = if self.start.is_some() || self.interview.is_some() || self.deck.is_some() {
            let saved = match file::load(&data) {
                Ok(d) => d,
                Err(e @ PlanError::Corrupt { .. }) => {
                    eprintln!("note: replacing a damaged plan file ({e})");
                    None
                }
                Err(e) => return Err(e.into()),
            };
            let start = self.start.or(saved.as_ref().map(|d| d.start)).unwrap_or(today);
            let interview = self
                .interview
                .or(saved.as_ref().map(|d| d.interview))
                .ok_or_else(|| anyhow::anyhow!("a new plan needs an interview date: add --interview YYYY-MM-DD"))?;
            let deck = match self.deck.as_deref() {
                Some("default") => None,
                Some(id) => {
                    let decks = super::load_decks(None)?;
                    anyhow::ensure!(
                        decks.iter().any(|d| d.id == id),
                        "there is no deck {id:?}; `rehearse questions` lists the decks (import a guide with `rehearse deck import GUIDE`)"
                    );
                    Some(id.to_owned())
                }
                None => saved.and_then(|d| d.deck),
            };
            let dates = PlanDates::new(start, interview)?.with_deck(deck);
            file::save(&data, &dates)?;
            dates
        } else {
            saved_dates()?
        };
        let (questions, practice) = plan_inputs(dates.deck.as_deref())?;
        let plan = plan::build(Inputs {
            start: dates.start,
            interview: dates.interview,
            questions: &questions,
            practice: &practice,
            today,
        });
        if self.json {
            println!("{}", serde_json::to_string_pretty(&plan)?);
            return Ok(());
        }
        println!(
            "Plan {} → interview {} ({} day{})",
            ymd::format(plan.start),
            ymd::format(plan.interview),
            plan.days.len(),
            if plan.days.len() == 1 { "" } else { "s" }
        );
        for day in &plan.days {
            print_day(day, day.date == today);
        }
        if plan.days.is_empty() {
            println!("The interview is today or past: nothing left to plan. Good luck!");
        }
        Ok(())
    }
}

/// "Day 3 · Sat 2026-11-28 · Scenario drills · 21 min", then one line per step; a missed day says so.
pub(super) fn print_day(day: &Day, is_today: bool) {
    let minutes: u32 = day.steps.iter().map(|s| s.minutes).sum();
    if day.missed && day.steps.is_empty() {
        println!(
            "Day {} · {} {} · missed (what it held moved to the days after)",
            day.day,
            &day.date.weekday().to_string()[..3],
            ymd::format(day.date),
        );
        return;
    }
    println!(
        "Day {} · {} {} · {} · {minutes} min{}",
        day.day,
        &day.date.weekday().to_string()[..3],
        ymd::format(day.date),
        day.phase.title(),
        if is_today { "   ← today" } else { "" }
    );
    for s in &day.steps {
        println!("  {}", step_line(s));
    }
}

/// "✓ drill pm-04-debug-slow · 3:00 each · 7 min — trade-offs weak 3 days ago".
pub(super) fn step_line(s: &Step) -> String {
    let mark = if s.done { "✓" } else { "·" };
    let target = s
        .target_cell
        .as_deref()
        .map_or_else(String::new, |c| format!(" on {c}"));
    let questions = if s.question_ids.is_empty() {
        "(questions picked after the mocks)".to_owned()
    } else {
        s.question_ids.join(", ")
    };
    format!(
        "{mark} {}{target} {questions} · {} each · {} min",
        s.kind.as_str(),
        crate::transcript::mmss(f64::from(s.time_box_s)),
        s.minutes
    )
}

//! `rehearse today`: today's step of the practice plan — what, why, how long — with the plan's progress,
//! the streak, the interview countdown and, once answers are self-rated, how the ratings compare with the
//! rubric (`--json`: the same as data, without the ratings line).

use clap::Args;

use crate::plan::{self, Inputs, StepKind, file, ymd};

#[derive(Args)]
pub(super) struct TodayArgs {
    /// Print today as JSON.
    #[arg(long)]
    json: bool,
}

impl TodayArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let dates = super::plan::saved_dates()?;
        let (questions, practice) = super::plan::plan_inputs(dates.deck.as_deref())?;
        let today = file::today_local();
        let t = plan::today(Inputs {
            start: dates.start,
            interview: dates.interview,
            questions: &questions,
            practice: &practice,
            today,
        });
        if self.json {
            println!("{}", serde_json::to_string_pretty(&t)?);
            return Ok(());
        }
        let total = (dates.interview - dates.start).whole_days();
        let countdown = match t.days_to_interview {
            d if d < 0 => "the interview is past".to_owned(),
            0 => "the interview is today".to_owned(),
            1 => "1 day to the interview".to_owned(),
            d => format!("{d} days to the interview"),
        };
        let phase = t.phase.map_or("not started", |p| p.title());
        println!(
            "{} · day {} of {total} · {phase} · {countdown} · streak {} day{}",
            ymd::format(t.date),
            t.day,
            t.streak,
            if t.streak == 1 { "" } else { "s" }
        );
        println!("Roadmap: {}/{} done", t.roadmap_done, t.roadmap_total);
        if let Some(line) = t.rolled_forward_line() {
            println!("{line}");
        }
        if let Some(w) = &t.worst_cell {
            println!("Mocks: {}", w.describe());
        }
        let progress = plan::progress::progress(dates.start, dates.interview, today, &practice);
        if progress.calibration.rated > 0 {
            println!("Your ratings: {}", progress.calibration.summary());
        }
        match &t.next {
            Some(n) => {
                let what = match (n.step.kind, n.question_id.as_deref()) {
                    (StepKind::Mock, _) => "start a mock panel".to_owned(),
                    (kind, Some(q)) => format!("{} {q}", kind.as_str()),
                    (kind, None) => kind.as_str().to_owned(),
                };
                let when = if n.ahead { " (ahead of the plan)" } else { "" };
                println!(
                    "Now{when}: {what} · {} time-box · {} min — {}",
                    crate::transcript::mmss(f64::from(n.step.time_box_s)),
                    n.step.minutes,
                    n.why
                );
                if let Some(q) = &n.question_id
                    && n.step.kind != StepKind::Mock
                {
                    println!("  rehearse record --question {q} --seconds {}", n.step.time_box_s);
                }
            }
            None if t.days_to_interview <= 0 => println!("No practice left before the interview."),
            None => println!("Everything in the plan is done."),
        }
        if t.done_today {
            println!("Done for today.");
        }
        for s in &t.steps {
            println!("  {}", super::plan::step_line(s));
        }
        Ok(())
    }
}

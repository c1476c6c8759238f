//! Today and the plan; importing a guide.

use super::*;

fn planned(days: i64) -> State {
    let mut s = ready();
    s.today = DAY1;
    update(
        &mut s,
        Event::Io(IoEvent::Plan(Ok(Some(
            PlanDates::new(DAY1, DAY1 + time::Duration::days(days)).unwrap(),
        )))),
    );
    s
}

/// A scored attempt at `question` on day 1, every cell at `score`.
fn scored(id: &str, question: &str, score: f64) -> Entry {
    let cells: Vec<serde_json::Value> = ["restatement", "trade-offs", "boundaries", "execution", "communication"]
        .iter()
        .map(|c| serde_json::json!({"cell": c, "covered": score > 0.5, "score": score, "evidence": []}))
        .collect();
    let mut a = attempt(id, question);
    a.status = Status::Scored;
    a.started_at = time::macros::datetime!(2026-11-26 10:00 +01:00);
    a.report = Some(serde_json::json!({ "rubric": cells }));
    Entry {
        attempt: a,
        report: None,
    }
}

#[test]
fn the_window_opens_on_today_and_reads_the_plan() {
    let s = ready();
    assert_eq!(s.screen, Screen::Today);
    assert_eq!(s.plan, PlanState::Loading);
    for (loaded, expected) in [
        (Ok(None), PlanState::None),
        (
            Err("plan.json is not a valid plan".to_owned()),
            PlanState::Damaged("plan.json is not a valid plan".into()),
        ),
    ] {
        let mut s = ready();
        update(&mut s, Event::Io(IoEvent::Plan(loaded)));
        assert_eq!(s.plan, expected);
        assert!(s.plan_today.is_none());
    }
    let s = planned(8);
    let t = s.plan_today.as_ref().unwrap();
    assert_eq!((t.day, t.days_to_interview), (1, 8));
}

#[test]
fn the_plan_can_drill_another_deck_and_keeps_it_when_the_dates_change() {
    let mut s = planned(8);
    let mut other = Deck::embedded().unwrap();
    other.id = "other".into();
    for q in &mut other.questions {
        q.id = format!("o-{}", q.id);
    }
    s.decks.push(other);
    let fx = cmd(&mut s, Command::SetPlanDeck(Some("other".into())));
    assert!(
        matches!(fx.as_slice(), [Effect::Io(IoCommand::SavePlan(d))] if d.deck.as_deref() == Some("other")),
        "{fx:?}"
    );
    let next = s.plan_today.as_ref().unwrap().next.as_ref().unwrap();
    let q = next.question_id.as_deref().unwrap();
    assert!(q.starts_with("o-"), "{q}");
    let fx = cmd(&mut s, Command::SetPlanDates(DAY1, DAY1 + time::Duration::days(5)));
    assert!(
        matches!(fx.as_slice(), [Effect::Io(IoCommand::SavePlan(d))] if d.deck.as_deref() == Some("other")),
        "{fx:?}"
    );
    // Without a plan there is nothing to attach a deck to: a message, nothing saved.
    let mut fresh = ready();
    assert!(cmd(&mut fresh, Command::SetPlanDeck(None)).is_empty());
    assert!(fresh.notice.is_some());
}

#[test]
fn setting_the_dates_saves_them_and_a_bad_order_is_refused() {
    let mut s = ready();
    s.today = DAY1;
    let fx = cmd(&mut s, Command::SetPlanDates(DAY1, DAY1 - time::Duration::days(1)));
    assert!(fx.is_empty());
    assert!(
        s.notice.as_deref().unwrap().starts_with("The interview"),
        "{:?}",
        s.notice
    );
    let fx = cmd(&mut s, Command::SetPlanDates(DAY1, DAY1 + time::Duration::days(3)));
    assert!(
        matches!(fx.as_slice(), [Effect::Io(IoCommand::SavePlan(d))] if d.interview == DAY1 + time::Duration::days(3)),
        "{fx:?}"
    );
    assert_eq!(s.plan_today.as_ref().unwrap().days_to_interview, 3);
}

#[test]
fn try_one_question_records_the_warm_up_at_once() {
    // (model, stage before, expected stage name after, a Begin effect, a notice)
    let live = || recording(LONG).stage;
    for (model_ok, before, after, begins, notice) in [
        (true, Stage::Idle, "preparing", true, false),
        (false, Stage::Idle, "idle", false, true),
        (true, live(), "recording", false, false),
    ] {
        let mut s = ready();
        if !model_ok {
            s.model = ModelState::Unavailable("no model".into());
        }
        let was_live = before.is_live();
        s.stage = before;
        s.ui_state.time_box_override = Some(30.0);
        let fx = cmd(&mut s, Command::TryOneQuestion);
        assert_eq!(s.stage.name(), after);
        assert_eq!(
            fx.iter()
                .any(|e| matches!(e, Effect::Io(IoCommand::Begin { question, time_box, .. })
                if question.id == SHORT && time_box.seconds == 90.0)),
            begins,
            "{fx:?}"
        );
        assert_eq!(s.notice.is_some(), notice, "{:?}", s.notice);
        if !was_live {
            assert_eq!(
                s.screen,
                Screen::Record,
                "Record opens, saying what is missing if anything"
            );
            assert_eq!(s.selected.as_deref(), Some(SHORT), "the deck's warm-up question");
            assert!(s.active_step.is_none(), "not a plan step");
        }
    }
}

#[test]
fn todays_step_opens_record_with_its_question_time_box_and_hint() {
    for (days, entries, kind, peek, time_box) in [
        // Day 1 of 8: a fundamentals explain drill, 90 s, hint and example shown first.
        (8, vec![], crate::plan::StepKind::Explain, true, 90.0),
        // One day left: everything shares it, two explain drills first.
        (1, vec![], crate::plan::StepKind::Explain, true, 90.0),
    ] {
        let mut s = planned(days);
        for e in entries {
            upsert_entry(&mut s, e);
        }
        let fx = cmd(&mut s, Command::StartTodayStep);
        assert!(fx.is_empty(), "opening Record starts nothing: {fx:?}");
        assert_eq!(s.screen, Screen::Record);
        let a = s.active_step.clone().unwrap();
        assert_eq!(a.step.kind, kind);
        assert_eq!(s.selected.as_deref(), Some(a.question_id.as_str()));
        assert_eq!(s.ui_state.peek, peek);
        assert_eq!(s.ui_state.time_box_override, Some(time_box));
        assert_eq!(s.time_box_for(s.question(&a.question_id).unwrap()).seconds, time_box);
    }
}

#[test]
fn a_scored_answer_moves_today_on_and_choosing_another_question_leaves_the_step() {
    let mut s = planned(8);
    cmd(&mut s, Command::StartTodayStep);
    let first = s.active_step.clone().unwrap().question_id;
    let before = s.plan_today.clone().unwrap();
    assert_eq!(before.steps.iter().filter(|x| x.done).count(), 0);
    update(&mut s, scored_event(scored("a1", &first, 0.7)));
    let after = s.plan_today.clone().unwrap();
    assert_eq!(after.steps.iter().filter(|x| x.done).count(), 1);
    assert_ne!(after.next.unwrap().question_id.as_deref(), Some(first.as_str()));
    assert_eq!(after.streak, 1);
    cmd(&mut s, Command::ShowScreen(Screen::Today));
    assert_eq!(s.screen, Screen::Today);
    cmd(&mut s, Command::StartTodayStep);
    assert_ne!(s.active_step.as_ref().unwrap().question_id, first);
    cmd(&mut s, Command::SelectQuestion(LONG.into()));
    assert!(
        s.active_step.is_none(),
        "a question picked by hand is not the plan's step"
    );
}

#[test]
fn scores_and_self_ratings_flow_into_the_plans_progress() {
    let mut s = planned(8);
    let p = s.plan_progress.clone().unwrap();
    assert_eq!((p.answers, p.calibration.rated), (0, 0));
    let e = scored("a1", LONG, 0.25);
    update(&mut s, scored_event(e.clone()));
    let p = s.plan_progress.clone().unwrap();
    assert_eq!((p.answers, p.calibration.rated), (1, 0));
    assert_eq!(p.coverage.len(), 5);
    assert_eq!(p.coverage[1].cell, "trade-offs");
    assert_eq!(p.coverage[1].days[0].day, 1);
    // The self-scores saved from Review reach the calibration.
    let mut a = e.attempt;
    a.self_scores = Some(SelfScores::new(3, 5, 2, 3).unwrap());
    update(&mut s, Event::Io(IoEvent::Saved(Box::new(a))));
    let p = s.plan_progress.clone().unwrap();
    assert_eq!(p.calibration.rated, 1);
    assert_eq!(
        p.calibration.summary(),
        "You over-rate trade-offs: you 100%, the rubric 25% (1 rated answer)."
    );
    // No plan, no progress.
    let mut s = ready();
    update(&mut s, Event::Io(IoEvent::Plan(Ok(None))));
    assert!(s.plan_progress.is_none());
}

#[test]
fn a_blitz_step_carries_its_target_cell_and_a_mock_its_next_question() {
    // Everything up to the mocks done on day 1, mocks answered question by question (no panel yet).
    let mut s = planned(8);
    let plan = crate::plan::build(crate::plan::Inputs {
        start: DAY1,
        interview: DAY1 + time::Duration::days(8),
        questions: &s.decks[0].questions,
        practice: &[],
        today: DAY1,
    });
    let mut n = 0;
    let mut answer = |s: &mut State, q: &str, score: f64| {
        n += 1;
        let mut e = scored(&format!("a{n:02}"), q, score);
        e.attempt.started_at += time::Duration::minutes(n);
        upsert_entry(s, e);
    };
    for q in plan.days[..4]
        .iter()
        .flat_map(|d| &d.steps)
        .map(|st| st.question_ids[0].clone())
    {
        answer(&mut s, &q, 0.8);
    }
    refresh_plan(&mut s);
    // The mock step starts a mock panel on its questions, with its time-box.
    let step = s.plan_today.clone().unwrap().next.unwrap().step;
    assert_eq!(step.kind, crate::plan::StepKind::Mock);
    let fx = cmd(&mut s, Command::StartTodayStep);
    assert!(fx.iter().any(|e| matches!(e, Effect::Speak { .. })), "{fx:?}");
    let p = s.panel.clone().unwrap();
    let ids: Vec<_> = p.questions.iter().map(|(_, q)| q.id.clone()).collect();
    assert_eq!(ids, step.question_ids);
    assert_eq!(p.question_time_box_s, Some(f64::from(step.time_box_s)));
    assert_eq!(s.screen, Screen::Panel);
    cmd(&mut s, Command::EndPanel);
    for q in plan.days[4..6].iter().flat_map(|d| &d.steps[0].question_ids) {
        answer(&mut s, q, 0.3);
    }
    refresh_plan(&mut s);
    cmd(&mut s, Command::StartTodayStep);
    let a = s.active_step.clone().unwrap();
    assert_eq!(a.step.kind, crate::plan::StepKind::Blitz);
    assert_eq!(
        a.step.target_cell.as_deref(),
        Some("restatement"),
        "all equal: the rubric's first"
    );
    assert!(a.why.contains("last time"), "{}", a.why);
}

#[test]
fn a_guide_is_previewed_then_saved_or_discarded() {
    use crate::app::state::GuidePreview;
    let mut s = ready();
    let mut deck = Deck::embedded().unwrap();
    deck.title = "Product Metrics (imported)".into();
    let preview = |deck: &Deck| GuidePreview {
        source: "guide.txt".into(),
        deck: deck.clone(),
        warnings: vec!["line 3: not a question".into()],
        replaces: None,
    };
    // Empty paste: a message, nothing read.
    assert!(cmd(&mut s, Command::PasteGuide("  \n".into())).is_empty());
    assert!(s.notice.is_some());
    let fx = cmd(&mut s, Command::PasteGuide("Q1.What?\neasyHint".into()));
    assert!(matches!(&fx[..], [Effect::Io(IoCommand::PreviewGuideText(t))] if t.starts_with("Q1.")));
    // The read guide is shown, saying that it replaces the loaded deck of the same id; nothing saved yet.
    s.ui_state.paste_guide = Some("Q1.What?".into());
    let fx = update(&mut s, Event::Io(IoEvent::GuideRead(Box::new(preview(&deck)))));
    assert!(fx.is_empty());
    assert_eq!(s.screen, Screen::Questions);
    assert_eq!(s.ui_state.paste_guide, None);
    let p = s.guide_preview.as_ref().expect("preview shown");
    assert_eq!(p.replaces.as_deref(), Some("Product Metrics"));
    assert_eq!(s.decks.len(), 1);
    // Discard: gone, nothing saved.
    assert!(cmd(&mut s, Command::DiscardGuide).is_empty());
    assert!(s.guide_preview.is_none());
    // Save: the deck goes to the disk worker, and is listed once it is written.
    update(&mut s, Event::Io(IoEvent::GuideRead(Box::new(preview(&deck)))));
    let fx = cmd(&mut s, Command::SaveGuide);
    assert!(matches!(&fx[..], [Effect::Io(IoCommand::SaveDeck(d))] if d.title == deck.title));
    assert!(s.guide_preview.is_none());
    assert!(cmd(&mut s, Command::SaveGuide).is_empty(), "nothing left to save");
    update(&mut s, Event::Io(IoEvent::DeckImported(Box::new(deck.clone()))));
    assert_eq!(s.decks.len(), 1, "same id: replaced, not duplicated");
    assert_eq!(s.decks[0].title, deck.title);
}

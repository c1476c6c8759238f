//! Prints the semantic head's probability per unit and cell for each labelled answer (a debugging aid for
//! the rubric head): `cargo run --release --example rubric_units -- LABELS.toml [ANSWER-ID-PREFIX]`.

use rehearse::bank::Deck;
use rehearse::embed::Embedder;
use rehearse::rubric::Rubric;
use rehearse::rubric::eval::LabelSet;
use rehearse::rubric::semantic::{self, Head, Mode, Signals, judge};
use rehearse::transcript::Transcript;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let set = LabelSet::load(std::path::Path::new(
        args.get(1).map_or("tests/fixtures/rubric-eval.toml", String::as_str),
    ))?;
    let prefix = args.get(2).cloned().unwrap_or_default();
    let model = Embedder::load_default()?;
    let (deck, rubric, head) = (Deck::embedded()?, Rubric::embedded()?, Head::embedded()?);
    let signals = Signals::new(&rubric);
    for a in set.answer.iter().filter(|a| a.id.starts_with(&prefix)) {
        let q = deck.question(&a.question).ok_or_else(|| anyhow::anyhow!("question"))?;
        let t = Transcript::from_plain_text(a.text.trim(), None);
        let enc = semantic::encode(&rubric, &t, &model, Some(&q.prompt));
        println!(
            "== {} ({}) R={} T={} B={}",
            a.id, a.kind, a.restatement, a.trade_offs, a.boundaries
        );
        let mut probs = vec![Vec::new(); enc.units.len()];
        for ch in &head.cells {
            let f = enc.features(&signals, &rubric, Some(q), &t, &ch.cell);
            for (i, (v, fi)) in enc.vectors.iter().zip(&f).enumerate() {
                let v = judge(ch, Mode::Hybrid, std::slice::from_ref(v), std::slice::from_ref(fi));
                probs[i].push(format!("{}{:.2}", &ch.cell[..1].to_uppercase(), v.score));
            }
            let th = ch.hybrid.threshold;
            probs.iter_mut().for_each(|p| {
                if p.len() == head.cells.len() {
                    p.push(String::new())
                }
            });
            let _ = th;
        }
        let ths: Vec<String> = head
            .cells
            .iter()
            .map(|c| format!("{:.2}", c.hybrid.threshold))
            .collect();
        println!("   thresholds {}", ths.join(" "));
        for (u, p) in enc.units.iter().zip(probs) {
            println!("   {:<20} {}", p.join(" "), u.text);
        }
    }
    Ok(())
}

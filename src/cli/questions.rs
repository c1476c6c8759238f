//! `rehearse questions`: the questions of every deck, filtered by difficulty or text.

use std::path::PathBuf;

use clap::Args;

use crate::bank;

#[derive(Args)]
pub(super) struct QuestionsArgs {
    /// Also load this deck file (TOML, same schema as assets/decks/product-metrics.toml).
    #[arg(long)]
    deck: Option<PathBuf>,
    /// Only questions of this difficulty.
    #[arg(long, value_parser = ["easy", "medium", "hard"])]
    difficulty: Option<String>,
    /// Only questions whose id or prompt contains this text.
    #[arg(long)]
    search: Option<String>,
    #[arg(long)]
    json: bool,
}

impl QuestionsArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let decks = super::load_decks(self.deck.as_deref())?;
        let difficulty = self
            .difficulty
            .as_deref()
            .map(str::parse::<bank::Difficulty>)
            .transpose()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let search = self.search.as_deref();
        let list: Vec<(&bank::Deck, &bank::Question)> = decks
            .iter()
            .flat_map(|d| d.filter(difficulty, search).into_iter().map(move |q| (d, q)))
            .collect();
        if self.json {
            let mut out = Vec::new();
            for (d, q) in list {
                let mut v = serde_json::to_value(q)?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("deck".into(), serde_json::Value::String(d.id.clone()));
                }
                out.push(v);
            }
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            for (_, q) in list {
                println!("{:<32} {:<7} {}", q.id, q.difficulty.as_str(), q.prompt);
            }
        }
        Ok(())
    }
}

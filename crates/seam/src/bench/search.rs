//! `seam bench search`: latency of the global party search (the search box
//! of every page: `parties::search`, FTS5 on SQLite, a tsvector on
//! PostgreSQL) over N generated parties, with queries a user types: the
//! start of a name, a whole name word, two words, the start of an e-mail
//! address, a tax id or a phone number, and a word that matches nothing.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use seam_app::generate::GenerateOptions;
use seam_app::{Actor, App, parties};
use seam_domain::ids::PartyId;
use serde_json::{Value, json};

use super::latency::{figures, time_runs};
use super::{app_err, round3, to_usize};

/// The most hits the search box shows (as the web page asks for).
const HITS: i64 = 20;
/// Parties the queries are taken from, spread over the data set.
const SAMPLES: u64 = 25;

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Parties to generate and search.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(20..=100_000_000), value_name = "N")]
    pub parties: u64,
    /// Times each kind of query is run (cycling through the sampled parties).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=100_000), value_name = "N")]
    pub runs: u64,
    /// Seed of the generated data set.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Also write the figures as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

fn prefix(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// The kinds of query, each as a function of a sampled party.
type Query = (&'static str, fn(&seam_store::parties::PartyRow) -> String);

const QUERIES: &[Query] = &[
    ("name, first 3 letters", |p| prefix(&p.name, 3)),
    ("name, first word", |p| {
        p.name.split(' ').next().unwrap_or_default().to_owned()
    }),
    ("name, two words", |p| {
        p.name.split(' ').take(2).collect::<Vec<_>>().join(" ")
    }),
    ("e-mail, first 6 characters", |p| {
        prefix(p.email.as_deref().unwrap_or_default(), 6)
    }),
    ("tax id or phone, first digits", |p| match &p.tax_id {
        Some(t) => prefix(t, 7),
        None => p
            .phone
            .as_deref()
            .unwrap_or_default()
            .rsplit(' ')
            .nth(2)
            .unwrap_or_default()
            .to_owned(),
    }),
    ("no match", |_| "zzzqx".to_owned()),
];

pub(super) async fn run(app: &App, args: &SearchArgs) -> anyhow::Result<Value> {
    let actor = Actor::system("bench");
    let options = GenerateOptions {
        customers: args.parties,
        seed: args.seed,
        orders_per_customer: 0,
        today: None,
    };
    let started = Instant::now();
    let data = crate::generate::run(app, &options, true).await?;
    let generate_seconds = started.elapsed().as_secs_f64();
    let mut samples = Vec::new();
    for i in 0..SAMPLES {
        let id = 1 + i * data.customers / SAMPLES;
        let row = parties::party(app, &actor, PartyId(i64::try_from(id).unwrap_or(1)))
            .await
            .map_err(|e| app_err("reading a sampled party", e))?;
        samples.push(row);
    }
    let runs = to_usize(args.runs);
    let mut out = Vec::new();
    let mut hits_total = 0_usize;
    let (app, actor, samples) = (&app.clone(), &actor, &samples);
    for (name, query) in QUERIES {
        let hits = std::cell::Cell::new(0_usize);
        let hits = &hits;
        let level = time_runs(runs, |i| async move {
            let text = samples
                .get(i % samples.len().max(1))
                .map(query)
                .unwrap_or_default();
            let found = parties::search(app, actor, &text, HITS)
                .await
                .map_err(|e| app_err("searching", e))?;
            hits.set(hits.get() + found.len());
            Ok(())
        })
        .await?;
        let mut row = figures(name, &level);
        if let Some(map) = row.as_object_mut() {
            map.insert("example".into(), json!(samples.first().map(query)));
            map.insert(
                "hits_mean".into(),
                json!(round3(hits.get() as f64 / runs.max(1) as f64)),
            );
        }
        hits_total += hits.get();
        out.push(row);
    }
    if hits_total == 0 {
        anyhow::bail!("no query found anything: the party search index is empty");
    }
    Ok(json!({
        "scenario": "search",
        "title": format!("global party search over {} parties (at most {HITS} hits)", data.customers),
        "parties": data.customers,
        "generate_seconds": round3(generate_seconds),
        "runs": out,
        "invariants": {"search_finds_generated_parties": true},
    }))
}

//! `seam bench import`: how long the party CSV import (`seam party import`,
//! the same use case as the web upload) takes for N parties. The file is
//! generated into a scratch directory (split into files of the most rows one
//! import accepts, 100,000), checked once without writing (a dry
//! run: parsing and validation alone), then imported for real; afterwards
//! every row must be in the database and the audit chain (one event per
//! imported party) must verify.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use seam_app::csv_file::IMPORT_ROWS_MAX;
use seam_app::{Actor, App, parties};
use seam_store::parties::{PartyFilter, PartySort};
use serde_json::{Value, json};

use super::{Scratch, app_err, round3};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Parties in the generated import file.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000), value_name = "N")]
    pub parties: u64,
    /// Seed of the generated file.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Also write the figures as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub(super) async fn run(app: &App, args: &ImportArgs) -> anyhow::Result<Value> {
    let actor = Actor::system("bench");
    let scratch = Scratch::new()?;
    let csv = seam_app::generate::party_csv(args.seed, args.parties)
        .map_err(|e| app_err("writing the import file", e))?;
    // One import takes at most IMPORT_ROWS_MAX rows, so more parties make
    // several files, imported one after the other as an operator would.
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default().to_owned();
    let body: Vec<&str> = lines.collect();
    let mut files = Vec::new();
    for (n, chunk) in body.chunks(IMPORT_ROWS_MAX).enumerate() {
        let file = scratch.0.join(format!("parties-{n:03}.csv"));
        let mut text = String::with_capacity(
            header.len() + chunk.iter().map(|l| l.len() + 1).sum::<usize>() + 1,
        );
        text.push_str(&header);
        text.push('\n');
        for line in chunk {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&file, &text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
        files.push(file);
    }
    drop(body);
    drop(csv);

    let mut check_seconds = 0.0;
    let mut import_seconds = 0.0;
    let mut bytes_total = 0;
    let mut created = 0;
    for file in &files {
        let bytes = std::fs::read(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
        bytes_total += bytes.len();
        let started = Instant::now();
        let preview = parties::import_csv(app, &actor, &bytes, false)
            .await
            .map_err(|e| app_err("checking the import file", e))?;
        check_seconds += started.elapsed().as_secs_f64();
        if !preview.errors.is_empty() {
            anyhow::bail!(
                "the generated import file has problems: {:?}",
                preview.errors
            );
        }
        drop(preview);
        let started = Instant::now();
        let report = parties::import_csv(app, &actor, &bytes, true)
            .await
            .map_err(|e| app_err("importing", e))?;
        import_seconds += started.elapsed().as_secs_f64();
        created += report.created;
    }
    let expected = usize::try_from(args.parties).unwrap_or(usize::MAX);
    if created != expected {
        anyhow::bail!("invariant broken: {created} parties imported of {expected}");
    }
    let page = parties::list_parties(
        app,
        &actor,
        &PartyFilter::default(),
        PartySort::NameAsc,
        None,
        1,
    )
    .await
    .map_err(|e| app_err("counting parties", e))?;
    if u64::try_from(page.total).unwrap_or(0) != args.parties {
        anyhow::bail!(
            "invariant broken: {} parties stored of {}",
            page.total,
            args.parties
        );
    }
    let chain = seam_app::audit::verify(app, &actor)
        .await
        .map_err(|e| app_err("verifying the audit chain", e))?;
    if chain.first_break.is_some() || u64::try_from(chain.events).unwrap_or(0) < args.parties {
        anyhow::bail!("invariant broken: the audit chain does not verify after the import");
    }
    let per_second = |s: f64| {
        if s > 0.0 {
            args.parties as f64 / s
        } else {
            0.0
        }
    };
    Ok(json!({
        "scenario": "import",
        "title": format!(
            "party CSV import of {} parties in {} file(s), {bytes_total} bytes",
            args.parties,
            files.len()
        ),
        "parties": args.parties,
        "files": files.len(),
        "file_bytes": bytes_total,
        "runs": [
            {
                "name": "check only (dry run)",
                "runs": 1,
                "seconds": round3(check_seconds),
                "rows_per_second": round3(per_second(check_seconds)),
            },
            {
                "name": "import",
                "runs": 1,
                "seconds": round3(import_seconds),
                "rows_per_second": round3(per_second(import_seconds)),
            },
        ],
        "invariants": {"all_rows_stored": true, "audit_chain_intact": true, "audit_events": chain.events},
    }))
}

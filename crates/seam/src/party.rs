//! `seam party …`: list, export and import companies and persons.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use seam_app::{Actor, App, parties};
use seam_domain::ids::PartyId;
use seam_store::parties::{PartyFilter, PartyRow, PartySort};

use crate::PartyCommand;
use crate::messages::field_lines;
use crate::output::{err_line, out, out_raw, table};

/// Import files above this size are refused before they are read (100 000
/// rows of a generous 1 KiB each).
const IMPORT_FILE_BYTES_MAX: u64 = 100 * 1024 * 1024;

fn cli() -> Actor {
    Actor::system("cli")
}

pub async fn party(app: &App, command: PartyCommand) -> anyhow::Result<ExitCode> {
    match command {
        PartyCommand::List { search, limit } => list(app, search, limit).await,
        PartyCommand::Export { output } => export(app, output.as_deref()).await,
        PartyCommand::Import { file, dry_run } => import(app, &file, dry_run).await,
    }
}

async fn list(app: &App, search: Option<String>, limit: i64) -> anyhow::Result<ExitCode> {
    let filter = PartyFilter {
        text: search.filter(|s| !s.trim().is_empty()),
        ..PartyFilter::default()
    };
    let page = parties::list_parties(app, &cli(), &filter, PartySort::NameAsc, None, limit).await?;
    let companies = company_names(app, &page.rows).await?;
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|row| party_cells(row, &companies))
        .collect();
    out(table(
        &[
            "id", "kind", "name", "company", "email", "phone", "city", "country", "relation",
            "tags",
        ],
        &rows,
    ))?;
    out(format!("{} of {} parties", page.rows.len(), page.total))?;
    Ok(ExitCode::SUCCESS)
}

/// The names of the companies the listed persons belong to.
async fn company_names(app: &App, rows: &[PartyRow]) -> anyhow::Result<HashMap<i64, String>> {
    let mut names: HashMap<i64, String> = rows
        .iter()
        .filter(|r| r.kind == "company")
        .map(|r| (r.id, r.name.clone()))
        .collect();
    for id in rows.iter().filter_map(|r| r.company_id) {
        if let std::collections::hash_map::Entry::Vacant(entry) = names.entry(id) {
            entry.insert(parties::party(app, &cli(), PartyId(id)).await?.name);
        }
    }
    Ok(names)
}

fn party_cells(row: &PartyRow, companies: &HashMap<i64, String>) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let relation = match (row.is_customer, row.is_vendor) {
        (true, true) => "customer, vendor",
        (true, false) => "customer",
        (false, true) => "vendor",
        (false, false) => "",
    };
    vec![
        row.id.to_string(),
        row.kind.clone(),
        row.name.clone(),
        row.company_id
            .and_then(|id| companies.get(&id).cloned())
            .unwrap_or_default(),
        opt(&row.email),
        opt(&row.phone),
        opt(&row.city),
        opt(&row.country),
        relation.to_owned(),
        row.tags.clone(),
    ]
}

async fn export(app: &App, output: Option<&Path>) -> anyhow::Result<ExitCode> {
    let csv = parties::export_csv(app, &cli(), &PartyFilter::default()).await?;
    write_export(output, &csv, "parties")?;
    Ok(ExitCode::SUCCESS)
}

/// Writes an export to standard output, or beside `output` first and then
/// renamed, so `output` is never half written.
pub fn write_export(output: Option<&Path>, text: &str, what: &str) -> anyhow::Result<()> {
    match output {
        None => out_raw(text)?,
        Some(path) => {
            let mut tmp = path.as_os_str().to_owned();
            tmp.push(".tmp");
            std::fs::write(&tmp, text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            err_line(format!("{what} exported to {}", path.display()));
        }
    }
    Ok(())
}

/// The bytes of an import file, refused unread when it is larger than an import may be.
pub fn read_import_file(file: &Path) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    if size > IMPORT_FILE_BYTES_MAX {
        anyhow::bail!(
            "{} is larger than an import may be ({} MiB)",
            file.display(),
            IMPORT_FILE_BYTES_MAX / 1024 / 1024
        );
    }
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}

/// Prints an import's problems, one per line, and says nothing was imported.
pub fn report_import_errors(errors: &seam_domain::FieldErrors, file: &Path) {
    for line in field_lines(errors) {
        err_line(line);
    }
    err_line(format!(
        "{} has problems; nothing was imported",
        file.display()
    ));
}

async fn import(app: &App, file: &Path, dry_run: bool) -> anyhow::Result<ExitCode> {
    let bytes = read_import_file(file)?;
    let report = parties::import_csv(app, &cli(), &bytes, !dry_run).await?;
    if !report.errors.is_empty() {
        report_import_errors(&report.errors, file);
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        out(format!(
            "{} parties would be created (dry run: nothing was written)",
            report.rows.len()
        ))?;
    } else {
        out(format!("created {} parties", report.created))?;
    }
    Ok(ExitCode::SUCCESS)
}

//! `seam backup`, `seam restore` and `seam audit verify`: the database as a
//! whole, moved between files and backends and checked for tampering.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use seam_app::{Actor, App, audit};
use seam_store::backup::{self, RowCounts};
use seam_store::events::{ChainBreak, ChainReport};

use crate::output::{err_line, out};

pub async fn backup(app: &App, file: &Path) -> anyhow::Result<ExitCode> {
    let tmp = tmp_path(file);
    let written = write_backup_file(app, &tmp).await;
    let counts = match written {
        Ok(counts) => counts,
        Err(err) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(err);
        }
    };
    if let Err(err) = std::fs::rename(&tmp, file) {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::Error::new(err).context(format!(
            "cannot move the backup into place at {}",
            file.display()
        )));
    }
    print_counts(&counts)?;
    out(format!("backup written to {}", file.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// `FILE.tmp` beside `FILE`, so the final rename stays on one file system.
fn tmp_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// Writes the whole backup and syncs it to disk before it may be renamed.
async fn write_backup_file(app: &App, tmp: &Path) -> anyhow::Result<RowCounts> {
    let file = File::create(tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let mut writer = BufWriter::new(file);
    let counts = backup::write_backup(&app.db, &mut writer)
        .await
        .context("cannot write the backup")?;
    writer
        .flush()
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    let file = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", tmp.display(), e.error()))?;
    file.sync_all()
        .with_context(|| format!("cannot sync {} to disk", tmp.display()))?;
    Ok(counts)
}

pub async fn restore(app: &App, file: &Path) -> anyhow::Result<ExitCode> {
    let input = File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let counts = backup::restore_backup(&app.db, BufReader::new(input))
        .await
        .with_context(|| format!("cannot restore {}; nothing was written", file.display()))?;
    print_counts(&counts)?;
    out(format!("restored {}", file.display()))?;
    audit_verify(app).await
}

pub async fn audit_verify(app: &App) -> anyhow::Result<ExitCode> {
    let report = audit::verify(app, &Actor::system("cli")).await?;
    match verdict(&report) {
        Ok(text) => {
            out(text)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(text) => {
            err_line(text);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// What the chain check found, in words: `Ok` when intact.
fn verdict(report: &ChainReport) -> Result<String, String> {
    let Some(first_break) = &report.first_break else {
        return Ok(format!("audit chain intact: {} events", report.events));
    };
    let (seq, why) = match first_break {
        ChainBreak::Tampered { seq } => (seq, "contents changed"),
        ChainBreak::Unlinked { seq } => (seq, "does not follow the event before it"),
        ChainBreak::Gap { seq } => (seq, "events are missing before it"),
        ChainBreak::Head { seq } => (
            seq,
            "the journal's head does not name it as the last event (events removed at the end?)",
        ),
    };
    Err(format!(
        "audit chain broken at event {seq}: {why} ({} events before it verify)",
        report.events
    ))
}

fn print_counts(counts: &RowCounts) -> anyhow::Result<()> {
    let width = counts.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, count) in counts {
        out(format!("{name:<width$}  {count:>8} rows"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_event_is_named_with_its_reason() {
        let report = ChainReport {
            events: 1,
            first_break: Some(ChainBreak::Tampered { seq: 2 }),
        };
        assert_eq!(
            verdict(&report),
            Err(
                "audit chain broken at event 2: contents changed (1 events before it verify)"
                    .to_owned()
            )
        );
        let intact = ChainReport {
            events: 17,
            first_break: None,
        };
        assert_eq!(
            verdict(&intact),
            Ok("audit chain intact: 17 events".to_owned())
        );
    }

    #[test]
    fn the_temporary_backup_sits_beside_the_target() {
        assert_eq!(
            tmp_path(Path::new("/var/backups/seam.backup")),
            PathBuf::from("/var/backups/seam.backup.tmp")
        );
    }
}

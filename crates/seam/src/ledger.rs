//! `seam account …`, `seam journal …`, `seam period …` and `seam export
//! ledger`: the chart of accounts, posting and reversing journal entries,
//! closing months, and the books as a plain-text journal for other tools.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use seam_app::ledger::{self, EntryRow, JournalFormat};
use seam_app::{Actor, App, AppError};
use seam_domain::FieldErrors;
use seam_domain::ledger::{AccountDraft, EntryDraft, LineDraft, format_amount};

use crate::output::{err_line, out, out_raw, table, table_aligned, yes_no};

/// Shown for a `--line` that is not `ACCOUNT:DEBIT:CREDIT`. Not in the
/// message catalogue (the web form has separate fields), so it is shown as is.
const LINE_SYNTAX: &str =
    "Write the line as ACCOUNT:DEBIT:CREDIT with one amount, e.g. 1200:125.00: or 4000::100.00.";

/// Entries are looked up by number this many at a time.
const ENTRY_PAGE: i64 = 500;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// List the chart of accounts: code, name, kind and whether archived.
    List,
    /// Add an account to the chart.
    Add {
        /// Up to 20 letters, digits, dots or dashes, e.g. 1600. Must be unused.
        code: String,
        /// What the account is called, e.g. "Vehicles".
        name: String,
        /// asset, liability, equity, revenue or expense: decides where the
        /// account appears in the balance sheet or the profit and loss.
        #[arg(long, value_name = "KIND")]
        kind: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Post a balanced journal entry and print its number.
    ///
    /// Each --line names an account and puts an amount on its debit or its
    /// credit side: ACCOUNT:DEBIT:CREDIT, e.g. a sale of 100.00 plus 25% VAT:
    ///
    ///   --line 1200:125.00: --line 4000::100.00 --line 2100::25.00
    ///
    /// The debits must equal the credits. A posted entry is never changed;
    /// correct it with `journal reverse`. Nothing is written when any part is
    /// wrong, and each problem is named on its own line.
    Post {
        /// The entry's date, YYYY-MM-DD, in an open period.
        #[arg(long, value_name = "DATE")]
        date: String,
        /// What the entry is for, e.g. "Invoice 1042 Nordlicht".
        #[arg(long, value_name = "TEXT")]
        memo: String,
        /// Three-letter currency code of every amount.
        #[arg(long, default_value = "EUR", value_name = "CODE")]
        currency: String,
        /// A line ACCOUNT:DEBIT:CREDIT; repeat for each line (at least two).
        #[arg(long = "line", required = true, value_name = "ACCOUNT:DEBIT:CREDIT")]
        lines: Vec<String>,
    },
    /// List journal entries, newest first.
    List {
        /// How many to show (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=500), value_name = "N")]
        limit: i64,
    },
    /// Undo an entry with a new one that swaps every debit and credit.
    ///
    /// The original stays as it was; an entry can be reversed once, and a
    /// reversal cannot be reversed. Prints the reversal's number.
    Reverse {
        /// The entry's number (JE-2026-000042) or id, as `journal list` shows them.
        entry: String,
        /// The reversal's date, YYYY-MM-DD, in an open period.
        #[arg(long, value_name = "DATE")]
        date: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PeriodCommand {
    /// Close a month: nothing can be posted into it afterwards. Cannot be undone.
    Close {
        /// The month, YYYY-MM.
        period: String,
    },
    /// List the closed months.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write every journal entry as a plain-text journal that hledger or
    /// Beancount reads, so the books can be checked with an independent tool.
    Ledger {
        /// The journal's format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// hledger's journal format (also read by Ledger).
    Hledger,
    /// Beancount's format, with an `open` line per account.
    Beancount,
}

fn cli() -> Actor {
    Actor::system("cli")
}

pub async fn account(app: &App, command: AccountCommand) -> anyhow::Result<ExitCode> {
    match command {
        AccountCommand::List => {
            let rows: Vec<Vec<String>> = ledger::accounts(app, &cli())
                .await?
                .into_iter()
                .map(|a| vec![a.code, a.name, a.kind, yes_no(a.archived)])
                .collect();
            out(table(&["code", "name", "kind", "archived"], &rows))?;
        }
        AccountCommand::Add { code, name, kind } => {
            let draft = AccountDraft { code, name, kind };
            ledger::create_account(app, &cli(), &draft).await?;
            out(format!(
                "added account {} {} ({})",
                draft.code.trim(),
                draft.name.trim(),
                draft.kind.trim().to_ascii_lowercase()
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn journal(app: &App, command: JournalCommand) -> anyhow::Result<ExitCode> {
    match command {
        JournalCommand::Post {
            date,
            memo,
            currency,
            lines,
        } => post(app, date, memo, currency, &lines).await,
        JournalCommand::List { limit } => list(app, limit).await,
        JournalCommand::Reverse { entry, date } => {
            let id = find_entry(app, &entry).await?;
            let (_, number) = ledger::reverse_entry(app, &cli(), id, &date).await?;
            out(number)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads `ACCOUNT:DEBIT:CREDIT`; `None` when it is not of that shape.
fn parse_line(text: &str) -> Option<LineDraft> {
    let mut parts = text.split(':');
    let (account, debit, credit) = (parts.next()?, parts.next()?, parts.next()?);
    let line = LineDraft {
        account: account.trim().to_owned(),
        debit: debit.trim().to_owned(),
        credit: credit.trim().to_owned(),
    };
    let blank = line.account.is_empty() && line.debit.is_empty() && line.credit.is_empty();
    (parts.next().is_none() && !blank).then_some(line)
}

/// Names a line's problems after the option as typed: `--line 2 (4000::x): credit`.
/// `origin` maps each parsed line to its position among the typed ones.
fn cli_field_names(errors: FieldErrors, lines: &[String], origin: &[usize]) -> FieldErrors {
    let mut renamed = FieldErrors::new();
    for e in errors.iter() {
        let field = e
            .field
            .strip_prefix("lines[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(index, name)| {
                let index = *origin.get(index.parse::<usize>().ok()?)?;
                let typed = lines.get(index)?;
                Some(format!("--line {} ({typed}): {name}", index + 1))
            })
            .unwrap_or_else(|| e.field.clone());
        renamed.add(&field, e.code);
    }
    renamed
}

async fn post(
    app: &App,
    date: String,
    memo: String,
    currency: String,
    lines: &[String],
) -> anyhow::Result<ExitCode> {
    let mut syntax = FieldErrors::new();
    let (mut drafts, mut origin) = (Vec::new(), Vec::new());
    for (index, text) in lines.iter().enumerate() {
        match parse_line(text) {
            Some(line) => {
                drafts.push(line);
                origin.push(index);
            }
            None => syntax.add(&format!("--line {} ({text})", index + 1), LINE_SYNTAX),
        }
    }
    let draft = EntryDraft {
        date,
        memo,
        currency,
        lines: drafts,
    };
    if !syntax.is_empty() {
        // Report the other fields' problems too, except the balance: a line is missing from it.
        if let Err(others) = seam_domain::ledger::validate_entry(&draft) {
            let mut others = cli_field_names(others, lines, &origin);
            others = others.iter().filter(|e| e.field != "lines").fold(
                FieldErrors::new(),
                |mut kept, e| {
                    kept.add(&e.field, e.code);
                    kept
                },
            );
            syntax.extend(others);
        }
        return Err(AppError::Invalid(syntax).into());
    }
    match ledger::post_entry(app, &cli(), &draft).await {
        Ok((_, number)) => {
            out(number)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::Invalid(errors)) => {
            Err(AppError::Invalid(cli_field_names(errors, lines, &origin)).into())
        }
        Err(other) => Err(other.into()),
    }
}

async fn list(app: &App, limit: i64) -> anyhow::Result<ExitCode> {
    let entries = ledger::entries(app, &cli(), None, limit).await?;
    let mut rows = Vec::with_capacity(entries.len());
    for e in &entries {
        let reverses = match e.reverses_id {
            None => String::new(),
            Some(id) => match entries.iter().find(|o| o.id == id) {
                Some(original) => original.number.clone(),
                None => ledger::entry(app, &cli(), id).await?.entry.number,
            },
        };
        rows.push(vec![
            e.id.to_string(),
            e.number.clone(),
            e.entry_date.clone(),
            e.currency.clone(),
            format_amount(e.total_minor, &e.currency),
            reverses,
            e.posted_by.clone(),
            e.memo.clone(),
        ]);
    }
    out(table_aligned(
        &[
            "id",
            "number",
            "date",
            "currency",
            "amount",
            "reverses",
            "posted by",
            "memo",
        ],
        &[0, 4],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The id of the entry named by its id or its number.
async fn find_entry(app: &App, text: &str) -> anyhow::Result<i64> {
    let text = text.trim();
    if let Ok(id) = text.parse::<i64>() {
        return match ledger::entry(app, &cli(), id).await {
            Err(AppError::NotFound) => anyhow::bail!("no journal entry with id {id}"),
            other => Ok(other?.entry.id),
        };
    }
    let mut before = None;
    loop {
        let page: Vec<EntryRow> = ledger::entries(app, &cli(), before, ENTRY_PAGE).await?;
        if let Some(found) = page.iter().find(|e| e.number.eq_ignore_ascii_case(text)) {
            return Ok(found.id);
        }
        match page.last() {
            Some(last) => before = Some(last.id),
            None => anyhow::bail!("no journal entry numbered {text}"),
        }
    }
}

pub async fn period(app: &App, command: PeriodCommand) -> anyhow::Result<ExitCode> {
    match command {
        PeriodCommand::Close { period } => {
            ledger::close_period(app, &cli(), &period)
                .await
                .with_context(|| format!("cannot close {}", period.trim()))?;
            out(format!(
                "closed {}: nothing can be posted into it any more",
                period.trim()
            ))?;
        }
        PeriodCommand::List => {
            for period in ledger::closed_periods(app, &cli()).await? {
                out(period)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn export(app: &App, command: ExportCommand) -> anyhow::Result<ExitCode> {
    let ExportCommand::Ledger { format, output } = command;
    let format = match format {
        ExportFormat::Hledger => JournalFormat::Hledger,
        ExportFormat::Beancount => JournalFormat::Beancount,
    };
    let journal = ledger::export_journal(app, &cli(), format).await?;
    match output {
        None => out_raw(&journal)?,
        Some(path) => {
            write_atomically(&path, &journal)?;
            err_line(format!("ledger exported to {}", path.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes beside `path` first and renames, so `path` is never half written.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let written = std::fs::write(&tmp, text.as_bytes()).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(err) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::Error::new(err).context(format!("cannot write {}", path.display())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_account_debit_credit() {
        assert_eq!(
            parse_line("1200:125.00:"),
            Some(LineDraft {
                account: "1200".into(),
                debit: "125.00".into(),
                credit: String::new(),
            })
        );
        assert_eq!(
            parse_line(" 4000 : : 100,00 ").map(|l| l.credit),
            Some("100,00".to_owned())
        );
        assert_eq!(parse_line("1200:125.00"), None);
        assert_eq!(parse_line("1200:1:2:3"), None);
        assert_eq!(parse_line("::"), None);
    }

    #[test]
    fn line_errors_are_named_after_the_option_as_typed() {
        let mut errors = FieldErrors::one("lines[1].credit", "error-amount");
        errors.add("lines", "error-entry-unbalanced");
        errors.add("lines[7].account", "error-required");
        let typed = vec!["1200:5".to_owned(), "4000::x".to_owned()];
        let fields: Vec<String> = cli_field_names(errors, &typed, &[5, 1])
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            fields,
            ["--line 2 (4000::x): credit", "lines", "lines[7].account"]
        );
    }
}

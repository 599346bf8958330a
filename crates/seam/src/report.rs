//! `seam report …`: the trial balance, the profit and loss, the balance
//! sheet and the receivables aging, as an aligned table, CSV or JSON. Amounts are exact decimals of
//! their currency (never floating point); JSON also gives them in minor units.

use std::collections::BTreeSet;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use seam_app::invoicing::AgingReport;
use seam_app::ledger::{self, ReportLine, Totals};
use seam_app::{Actor, App};
use seam_domain::ledger::format_amount;
use serde_json::{Value, json};

use crate::output::{out_raw, table_aligned};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Every account's debits, credits and balance up to the end of a day,
    /// with the totals per currency (debits equal credits).
    ///
    /// The balance is debits minus credits. CSV has one row per account.
    TrialBalance {
        /// The last day included, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
        /// How to write the report.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Revenue and expenses over a range of days, and the result (revenue minus expenses).
    ///
    /// CSV has one row per account, with its section (revenue or expense).
    ProfitAndLoss {
        /// The first day included, YYYY-MM-DD. [default: January 1 of this year]
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// The last day included, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// How to write the report.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// What the business owns (assets) and owes (liabilities, equity) at the end of a day.
    ///
    /// Revenue minus expenses not yet closed into equity shows as earnings
    /// under equity, so the two sides are equal. CSV has one row per account
    /// and one for the earnings.
    BalanceSheet {
        /// The last day included, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
        /// How to write the report.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// What each customer owes at the end of a day, by how long it is
    /// overdue: current, 1-30, 31-60, 61-90 and over 90 days.
    ///
    /// Amounts are in the company currency at each invoice's booked rate.
    /// CSV has one row per customer.
    Aging {
        /// The day to age at, YYYY-MM-DD. [default: today]
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
        /// How to write the report.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

/// How a report is written on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns with totals, for reading.
    Table,
    /// Comma-separated values with a header row, for spreadsheets.
    Csv,
    /// One JSON object with the lines and the totals, amounts as decimal strings and in minor units.
    Json,
}

/// Today's date on this machine's clock and time zone.
fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

pub async fn report(app: &App, command: ReportCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::system("cli");
    let text = match command {
        ReportCommand::TrialBalance { at, format } => {
            let at = at.unwrap_or_else(|| today().to_string());
            let tb = ledger::trial_balance(app, &actor, &at).await?;
            trial_balance(&tb, format)?
        }
        ReportCommand::ProfitAndLoss { from, to, format } => {
            let from = from.unwrap_or_else(|| today().first_of_year().to_string());
            let to = to.unwrap_or_else(|| today().to_string());
            let pl = ledger::profit_and_loss(app, &actor, &from, &to).await?;
            profit_and_loss(&pl, format)?
        }
        ReportCommand::BalanceSheet { at, format } => {
            let at = at.unwrap_or_else(|| today().to_string());
            let sheet = ledger::balance_sheet(app, &actor, &at).await?;
            balance_sheet(&sheet, format)?
        }
        ReportCommand::Aging { at, format } => {
            let at = at.unwrap_or_else(|| today().to_string());
            let report = seam_app::invoicing::aging(app, &actor, &at).await?;
            aging(&report, format)?
        }
    };
    out_raw(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// An amount as a decimal string and in minor units, for JSON: `{"x": "1.50", "x_minor": 150}`.
fn put_amount(object: &mut serde_json::Map<String, Value>, name: &str, minor: i64, currency: &str) {
    object.insert(name.to_owned(), json!(format_amount(minor, currency)));
    object.insert(format!("{name}_minor"), json!(minor));
}

fn amounts_json(currency: &str, amounts: &[(&str, i64)]) -> Value {
    let mut object = serde_json::Map::new();
    object.insert("currency".to_owned(), json!(currency));
    for (name, minor) in amounts {
        put_amount(&mut object, name, *minor, currency);
    }
    Value::Object(object)
}

fn line_json(line: &ReportLine, amounts: &[(&str, i64)]) -> Value {
    let mut value = amounts_json(&line.currency, amounts);
    if let Value::Object(object) = &mut value {
        object.insert("code".to_owned(), json!(line.code));
        object.insert("name".to_owned(), json!(line.name));
        object.insert("kind".to_owned(), json!(line.kind.name()));
    }
    value
}

fn json_text(value: &Value) -> anyhow::Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(value)?))
}

/// One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

pub(crate) fn csv_text(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut text = String::new();
    let header: Vec<String> = headers.iter().map(|h| csv_field(h)).collect();
    text.push_str(&header.join(","));
    text.push('\n');
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// Every currency named in any of the totals, in order.
fn currencies(totals: &[&Totals]) -> BTreeSet<String> {
    totals.iter().flat_map(|t| t.keys().cloned()).collect()
}

fn total_of(totals: &Totals, currency: &str) -> i64 {
    totals.get(currency).copied().unwrap_or(0)
}

fn sum_normal(lines: &[ReportLine]) -> Totals {
    let mut totals = Totals::new();
    for l in lines {
        *totals.entry(l.currency.clone()).or_default() += l.normal_minor();
    }
    totals
}

fn trial_balance(tb: &ledger::TrialBalance, format: ReportFormat) -> anyhow::Result<String> {
    let at = tb.at.iso();
    let line_cells = |l: &ReportLine| {
        vec![
            l.code.clone(),
            l.name.clone(),
            l.kind.name().to_owned(),
            l.currency.clone(),
            format_amount(l.debit_minor, &l.currency),
            format_amount(l.credit_minor, &l.currency),
            format_amount(l.net_minor(), &l.currency),
        ]
    };
    let headers = [
        "code", "name", "kind", "currency", "debit", "credit", "balance",
    ];
    let all = currencies(&[&tb.debit_totals, &tb.credit_totals]);
    match format {
        ReportFormat::Json => {
            let lines: Vec<Value> = tb
                .lines
                .iter()
                .map(|l| {
                    line_json(
                        l,
                        &[
                            ("debit", l.debit_minor),
                            ("credit", l.credit_minor),
                            ("balance", l.net_minor()),
                        ],
                    )
                })
                .collect();
            let totals: Vec<Value> = all
                .iter()
                .map(|c| {
                    let (debit, credit) = (
                        total_of(&tb.debit_totals, c),
                        total_of(&tb.credit_totals, c),
                    );
                    amounts_json(c, &[("debit", debit), ("credit", credit)])
                })
                .collect();
            json_text(&json!({
                "report": "trial-balance",
                "at": at,
                "lines": lines,
                "totals": totals,
            }))
        }
        ReportFormat::Csv => {
            let rows: Vec<Vec<String>> = tb.lines.iter().map(line_cells).collect();
            Ok(csv_text(&headers, &rows))
        }
        ReportFormat::Table => {
            let mut rows: Vec<Vec<String>> = tb.lines.iter().map(line_cells).collect();
            rows.push(Vec::new());
            for c in &all {
                let (debit, credit) = (
                    total_of(&tb.debit_totals, c),
                    total_of(&tb.credit_totals, c),
                );
                rows.push(vec![
                    String::new(),
                    "Total".to_owned(),
                    String::new(),
                    c.clone(),
                    format_amount(debit, c),
                    format_amount(credit, c),
                    format_amount(debit - credit, c),
                ]);
            }
            Ok(format!(
                "Trial balance at {at}\n\n{}\n",
                table_aligned(&headers, &[4, 5, 6], &rows)
            ))
        }
    }
}

/// A report line as cells of a sectioned statement: section, code, name, currency, amount.
fn statement_cells(section: &str, l: &ReportLine) -> Vec<String> {
    vec![
        section.to_owned(),
        l.code.clone(),
        l.name.clone(),
        l.currency.clone(),
        format_amount(l.normal_minor(), &l.currency),
    ]
}

fn total_cells(name: &str, currency: &str, minor: i64) -> Vec<String> {
    vec![
        String::new(),
        String::new(),
        name.to_owned(),
        currency.to_owned(),
        format_amount(minor, currency),
    ]
}

const STATEMENT_HEADERS: [&str; 5] = ["section", "code", "name", "currency", "amount"];

fn statement_line_json(l: &ReportLine) -> Value {
    line_json(l, &[("amount", l.normal_minor())])
}

fn profit_and_loss(pl: &ledger::ProfitAndLoss, format: ReportFormat) -> anyhow::Result<String> {
    let (from, to) = (pl.from.iso(), pl.to.iso());
    let revenue = sum_normal(&pl.revenue);
    let expenses = sum_normal(&pl.expenses);
    let all = currencies(&[&revenue, &expenses, &pl.result]);
    match format {
        ReportFormat::Json => {
            let totals: Vec<Value> = all
                .iter()
                .map(|c| {
                    amounts_json(
                        c,
                        &[
                            ("revenue", total_of(&revenue, c)),
                            ("expenses", total_of(&expenses, c)),
                            ("result", total_of(&pl.result, c)),
                        ],
                    )
                })
                .collect();
            json_text(&json!({
                "report": "profit-and-loss",
                "from": from,
                "to": to,
                "revenue": pl.revenue.iter().map(statement_line_json).collect::<Vec<_>>(),
                "expenses": pl.expenses.iter().map(statement_line_json).collect::<Vec<_>>(),
                "totals": totals,
            }))
        }
        ReportFormat::Csv => {
            let rows: Vec<Vec<String>> = pl
                .revenue
                .iter()
                .map(|l| statement_cells("revenue", l))
                .chain(pl.expenses.iter().map(|l| statement_cells("expense", l)))
                .collect();
            Ok(csv_text(&STATEMENT_HEADERS, &rows))
        }
        ReportFormat::Table => {
            let mut rows: Vec<Vec<String>> = Vec::new();
            rows.extend(pl.revenue.iter().map(|l| statement_cells("revenue", l)));
            for c in &all {
                rows.push(total_cells("Total revenue", c, total_of(&revenue, c)));
            }
            rows.push(Vec::new());
            rows.extend(pl.expenses.iter().map(|l| statement_cells("expense", l)));
            for c in &all {
                rows.push(total_cells("Total expenses", c, total_of(&expenses, c)));
            }
            rows.push(Vec::new());
            for c in &all {
                rows.push(total_cells("Result", c, total_of(&pl.result, c)));
            }
            Ok(format!(
                "Profit and loss {from} to {to}\n\n{}\n",
                table_aligned(&STATEMENT_HEADERS, &[4], &rows)
            ))
        }
    }
}

const EARNINGS_NAME: &str = "Earnings not yet closed";

fn balance_sheet(sheet: &ledger::BalanceSheet, format: ReportFormat) -> anyhow::Result<String> {
    let at = sheet.at.iso();
    let liabilities = sum_normal(&sheet.liabilities);
    let equity = sum_normal(&sheet.equity);
    let all = currencies(&[
        &sheet.total_assets,
        &sheet.total_claims,
        &liabilities,
        &equity,
        &sheet.earnings,
    ]);
    let earnings_cells = |c: &str| {
        vec![
            "equity".to_owned(),
            String::new(),
            EARNINGS_NAME.to_owned(),
            c.to_owned(),
            format_amount(total_of(&sheet.earnings, c), c),
        ]
    };
    match format {
        ReportFormat::Json => {
            let totals: Vec<Value> = all
                .iter()
                .map(|c| {
                    amounts_json(
                        c,
                        &[
                            ("assets", total_of(&sheet.total_assets, c)),
                            ("liabilities", total_of(&liabilities, c)),
                            ("equity", total_of(&equity, c)),
                            ("earnings", total_of(&sheet.earnings, c)),
                            ("liabilities_and_equity", total_of(&sheet.total_claims, c)),
                        ],
                    )
                })
                .collect();
            json_text(&json!({
                "report": "balance-sheet",
                "at": at,
                "assets": sheet.assets.iter().map(statement_line_json).collect::<Vec<_>>(),
                "liabilities": sheet.liabilities.iter().map(statement_line_json).collect::<Vec<_>>(),
                "equity": sheet.equity.iter().map(statement_line_json).collect::<Vec<_>>(),
                "totals": totals,
            }))
        }
        ReportFormat::Csv => {
            let mut rows: Vec<Vec<String>> = Vec::new();
            rows.extend(sheet.assets.iter().map(|l| statement_cells("asset", l)));
            rows.extend(
                sheet
                    .liabilities
                    .iter()
                    .map(|l| statement_cells("liability", l)),
            );
            rows.extend(sheet.equity.iter().map(|l| statement_cells("equity", l)));
            rows.extend(sheet.earnings.keys().map(|c| earnings_cells(c)));
            Ok(csv_text(&STATEMENT_HEADERS, &rows))
        }
        ReportFormat::Table => {
            let mut rows: Vec<Vec<String>> = Vec::new();
            rows.extend(sheet.assets.iter().map(|l| statement_cells("asset", l)));
            for c in &all {
                rows.push(total_cells(
                    "Total assets",
                    c,
                    total_of(&sheet.total_assets, c),
                ));
            }
            rows.push(Vec::new());
            rows.extend(
                sheet
                    .liabilities
                    .iter()
                    .map(|l| statement_cells("liability", l)),
            );
            for c in &all {
                rows.push(total_cells(
                    "Total liabilities",
                    c,
                    total_of(&liabilities, c),
                ));
            }
            rows.push(Vec::new());
            rows.extend(sheet.equity.iter().map(|l| statement_cells("equity", l)));
            rows.extend(sheet.earnings.keys().map(|c| earnings_cells(c)));
            for c in &all {
                let total = total_of(&equity, c) + total_of(&sheet.earnings, c);
                rows.push(total_cells("Total equity", c, total));
            }
            rows.push(Vec::new());
            for c in &all {
                rows.push(total_cells(
                    "Total liabilities and equity",
                    c,
                    total_of(&sheet.total_claims, c),
                ));
            }
            Ok(format!(
                "Balance sheet at {at}\n\n{}\n",
                table_aligned(&STATEMENT_HEADERS, &[4], &rows)
            ))
        }
    }
}

const AGING_HEADERS: [&str; 9] = [
    "party_id", "party", "currency", "current", "1-30", "31-60", "61-90", "over-90", "total",
];

/// The JSON names of the aging buckets, in order.
const AGING_KEYS: [&str; 5] = [
    "current",
    "days_1_30",
    "days_31_60",
    "days_61_90",
    "over_90",
];

fn aging(report: &AgingReport, format: ReportFormat) -> anyhow::Result<String> {
    let cur = report.currency.as_str();
    let cells = |id: String, name: &str, buckets: &[i64; 5], total: i64| {
        let mut row = vec![id, name.to_owned(), cur.to_owned()];
        row.extend(buckets.iter().map(|m| format_amount(*m, cur)));
        row.push(format_amount(total, cur));
        row
    };
    let amounts = |buckets: &[i64; 5], total: i64| {
        let mut pairs: Vec<(&str, i64)> = AGING_KEYS.iter().copied().zip(*buckets).collect();
        pairs.push(("total", total));
        amounts_json(cur, &pairs)
    };
    match format {
        ReportFormat::Json => {
            let rows: Vec<Value> = report
                .rows
                .iter()
                .map(|r| {
                    let mut value = amounts(&r.buckets, r.total);
                    if let Value::Object(object) = &mut value {
                        object.insert("party_id".to_owned(), json!(r.party_id));
                        object.insert("party_name".to_owned(), json!(r.party_name));
                    }
                    value
                })
                .collect();
            json_text(&json!({
                "report": "aging",
                "at": report.at,
                "currency": report.currency,
                "rows": rows,
                "totals": amounts(&report.totals, report.total),
            }))
        }
        ReportFormat::Csv => {
            let rows: Vec<Vec<String>> = report
                .rows
                .iter()
                .map(|r| cells(r.party_id.to_string(), &r.party_name, &r.buckets, r.total))
                .collect();
            Ok(csv_text(&AGING_HEADERS, &rows))
        }
        ReportFormat::Table => {
            let mut rows: Vec<Vec<String>> = report
                .rows
                .iter()
                .map(|r| cells(r.party_id.to_string(), &r.party_name, &r.buckets, r.total))
                .collect();
            rows.push(Vec::new());
            rows.push(cells(String::new(), "Total", &report.totals, report.total));
            Ok(format!(
                "Receivables aging at {} (days past due)\n\n{}\n",
                report.at,
                table_aligned(&AGING_HEADERS, &[0, 3, 4, 5, 6, 7, 8], &rows)
            ))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use seam_domain::ledger::{AccountKind, Date};

    fn line(code: &str, kind: AccountKind, debit: i64, credit: i64) -> ReportLine {
        ReportLine {
            code: code.into(),
            name: format!("Account {code}"),
            kind,
            currency: "EUR".into(),
            debit_minor: debit,
            credit_minor: credit,
        }
    }

    fn sample() -> ledger::TrialBalance {
        let mut totals = Totals::new();
        totals.insert("EUR".into(), 12_500);
        ledger::TrialBalance {
            at: Date::parse("2026-03-31").unwrap(),
            lines: vec![
                line("1200", AccountKind::Asset, 12_500, 0),
                line("2100", AccountKind::Liability, 0, 2_500),
                line("4000", AccountKind::Revenue, 0, 10_000),
            ],
            debit_totals: totals.clone(),
            credit_totals: totals,
        }
    }

    #[test]
    fn the_trial_balance_table_ends_with_aligned_totals() {
        let text = trial_balance(&sample(), ReportFormat::Table).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Trial balance at 2026-03-31");
        assert!(lines[3].ends_with("125.00    0.00   125.00"), "{text}");
        let total = lines.last().unwrap();
        assert!(
            total.contains("Total") && total.ends_with("125.00  125.00     0.00"),
            "{text}"
        );
        let widths: BTreeSet<usize> = lines[2..].iter().map(|l| l.chars().count()).collect();
        assert_eq!(
            widths.len(),
            1,
            "every row ends in the same column:\n{text}"
        );
    }

    #[test]
    fn the_aging_as_csv_and_json() {
        let report = AgingReport {
            at: "2026-03-31".into(),
            currency: "EUR".into(),
            rows: vec![seam_app::invoicing::AgingRow {
                party_id: 7,
                party_name: "Kund, AB".into(),
                buckets: [100, 0, 2_500, 0, 0],
                total: 2_600,
            }],
            totals: [100, 0, 2_500, 0, 0],
            total: 2_600,
        };
        let csv = aging(&report, ReportFormat::Csv).unwrap();
        assert_eq!(
            csv.lines().collect::<Vec<_>>(),
            [
                "party_id,party,currency,current,1-30,31-60,61-90,over-90,total",
                "7,\"Kund, AB\",EUR,1.00,0.00,25.00,0.00,0.00,26.00",
            ]
        );
        let value: Value =
            serde_json::from_str(&aging(&report, ReportFormat::Json).unwrap()).unwrap();
        assert_eq!(value["rows"][0]["days_31_60"], "25.00");
        assert_eq!(value["rows"][0]["party_id"], 7);
        assert_eq!(value["totals"]["total_minor"], 2_600);
        let table = aging(&report, ReportFormat::Table).unwrap();
        assert!(table.lines().last().unwrap().ends_with("26.00"), "{table}");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("Rent"), "Rent");
        assert_eq!(csv_field("Fees, \"legal\""), "\"Fees, \"\"legal\"\"\"");
    }

    #[test]
    fn the_trial_balance_as_json_and_csv() {
        let value: Value =
            serde_json::from_str(&trial_balance(&sample(), ReportFormat::Json).unwrap()).unwrap();
        assert_eq!(value["lines"][2]["balance"], "-100.00");
        assert_eq!(value["lines"][2]["balance_minor"], -10_000);
        assert_eq!(value["totals"][0]["debit"], "125.00");
        assert_eq!(value["totals"][0]["credit_minor"], 12_500);
        let csv = trial_balance(&sample(), ReportFormat::Csv).unwrap();
        assert_eq!(
            csv.lines().collect::<Vec<_>>(),
            [
                "code,name,kind,currency,debit,credit,balance",
                "1200,Account 1200,asset,EUR,125.00,0.00,125.00",
                "2100,Account 2100,liability,EUR,0.00,25.00,-25.00",
                "4000,Account 4000,revenue,EUR,0.00,100.00,-100.00",
            ]
        );
    }
}

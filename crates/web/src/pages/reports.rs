//! The ledger's reports as pages and CSV downloads: trial balance, profit and
//! loss, balance sheet. Each report is first laid out as [`Report`] (amounts
//! in minor units), which the page and the CSV both write out, so the two
//! always show the same numbers.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::ledger::{self, BalanceSheet, ProfitAndLoss, ReportLine, Totals, TrialBalance};
use seam_app::{Actor, AppError};
use seam_domain::ledger::format_amount;
use serde::Deserialize;

use super::ledger::{outcome, today};
use crate::AppState;
use crate::html::{Errors, Page, fail, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

const NAV_PATH: &str = "/accounting";

/// The reports' query string; empty dates mean the defaults.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// `csv` for a download; anything else shows the page.
    #[serde(default)]
    pub format: String,
}

/// One line of a report: an account, or a named line such as the result not yet closed.
struct Line {
    code: String,
    name: String,
    /// A catalogue key naming the line when it is no account.
    label_key: Option<&'static str>,
    currency: String,
    /// Two-sided reports fill debit and credit; the others fill amount.
    debit_minor: i64,
    credit_minor: i64,
    amount_minor: i64,
}

impl Line {
    /// An account's balance on its side of a two-sided report.
    fn balance(l: &ReportLine) -> Line {
        let net = l.net_minor();
        Line {
            code: l.code.clone(),
            name: l.name.clone(),
            label_key: None,
            currency: l.currency.clone(),
            debit_minor: net.max(0),
            credit_minor: (-net).max(0),
            amount_minor: net,
        }
    }

    /// An account's balance on its normal side (positive when it holds, owes or earned).
    fn normal(l: &ReportLine) -> Line {
        Line {
            amount_minor: l.normal_minor(),
            ..Line::balance(l)
        }
    }
}

/// A total per currency, named by a catalogue key taking `$currency`.
struct Total {
    key: &'static str,
    currency: String,
    debit_minor: i64,
    credit_minor: i64,
    amount_minor: i64,
}

fn totals_of(key: &'static str, totals: &Totals) -> Vec<Total> {
    totals
        .iter()
        .map(|(currency, amount)| Total {
            key,
            currency: currency.clone(),
            debit_minor: 0,
            credit_minor: 0,
            amount_minor: *amount,
        })
        .collect()
}

/// Sums of the lines' amounts per currency.
fn sums(lines: &[Line]) -> Totals {
    let mut totals = Totals::new();
    for l in lines {
        *totals.entry(l.currency.clone()).or_default() += l.amount_minor;
    }
    totals
}

struct Part {
    /// The heading's catalogue key, and the section's name in the CSV.
    key: &'static str,
    lines: Vec<Line>,
    totals: Vec<Total>,
}

struct Report {
    two_sided: bool,
    parts: Vec<Part>,
    summary: Vec<Total>,
}

fn trial_balance_report(tb: &TrialBalance) -> Report {
    let lines: Vec<Line> = tb.lines.iter().map(Line::balance).collect();
    let mut totals: Vec<Total> = Vec::new();
    for l in &lines {
        match totals.iter_mut().find(|t| t.currency == l.currency) {
            Some(t) => {
                t.debit_minor += l.debit_minor;
                t.credit_minor += l.credit_minor;
            }
            None => totals.push(Total {
                key: "report-total",
                currency: l.currency.clone(),
                debit_minor: l.debit_minor,
                credit_minor: l.credit_minor,
                amount_minor: 0,
            }),
        }
    }
    totals.sort_by(|a, b| a.currency.cmp(&b.currency));
    Report {
        two_sided: true,
        parts: vec![Part {
            key: "report-accounts",
            lines,
            totals,
        }],
        summary: Vec::new(),
    }
}

fn section(key: &'static str, total_key: &'static str, lines: Vec<Line>) -> Part {
    let totals = totals_of(total_key, &sums(&lines));
    Part { key, lines, totals }
}

fn profit_and_loss_report(pl: &ProfitAndLoss) -> Report {
    Report {
        two_sided: false,
        parts: vec![
            section(
                "report-revenue",
                "report-total-revenue",
                pl.revenue.iter().map(Line::normal).collect(),
            ),
            section(
                "report-expenses",
                "report-total-expenses",
                pl.expenses.iter().map(Line::normal).collect(),
            ),
        ],
        summary: totals_of("report-result", &pl.result),
    }
}

fn balance_sheet_report(bs: &BalanceSheet) -> Report {
    let mut equity: Vec<Line> = bs.equity.iter().map(Line::normal).collect();
    for (currency, amount) in bs.earnings.iter().filter(|(_, a)| **a != 0) {
        equity.push(Line {
            code: String::new(),
            name: String::new(),
            label_key: Some("report-earnings"),
            currency: currency.clone(),
            debit_minor: 0,
            credit_minor: 0,
            amount_minor: *amount,
        });
    }
    Report {
        two_sided: false,
        parts: vec![
            Part {
                key: "report-assets",
                lines: bs.assets.iter().map(Line::normal).collect(),
                totals: totals_of("report-total-assets", &bs.total_assets),
            },
            section(
                "report-liabilities",
                "report-total-liabilities",
                bs.liabilities.iter().map(Line::normal).collect(),
            ),
            section("report-equity", "report-total-equity", equity),
        ],
        summary: totals_of("report-total-claims", &bs.total_claims),
    }
}

/// A line as the page shows it.
pub struct RowView {
    pub code: String,
    pub name: String,
    pub debit: String,
    pub credit: String,
    pub amount: String,
}

pub struct SectionView {
    pub heading: String,
    pub rows: Vec<RowView>,
    pub totals: Vec<RowView>,
}

fn money_or_blank(i18n: &I18n, minor: i64, currency: &str) -> String {
    if minor == 0 {
        String::new()
    } else {
        i18n.money(minor, currency)
    }
}

fn total_view(i18n: &I18n, t: &Total) -> RowView {
    RowView {
        code: String::new(),
        name: i18n.t1(t.key, "currency", &t.currency),
        debit: i18n.money(t.debit_minor, &t.currency),
        credit: i18n.money(t.credit_minor, &t.currency),
        amount: i18n.money(t.amount_minor, &t.currency),
    }
}

fn sections_view(i18n: &I18n, report: &Report) -> Vec<SectionView> {
    report
        .parts
        .iter()
        .map(|part| SectionView {
            heading: i18n.t(part.key),
            rows: part
                .lines
                .iter()
                .map(|l| RowView {
                    code: l.code.clone(),
                    name: l.label_key.map_or_else(|| l.name.clone(), |k| i18n.t(k)),
                    debit: money_or_blank(i18n, l.debit_minor, &l.currency),
                    credit: money_or_blank(i18n, l.credit_minor, &l.currency),
                    amount: i18n.money(l.amount_minor, &l.currency),
                })
                .collect(),
            totals: part.totals.iter().map(|t| total_view(i18n, t)).collect(),
        })
        .collect()
}

/// A spreadsheet cell that starts like a formula is prefixed, so opening the file runs nothing.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn csv_name(key: &str) -> String {
    key.trim_start_matches("report-").replace('-', "_")
}

/// The report as CSV: one row per line and per total, amounts as plain
/// decimals. Totals have no code; their name says what they add up.
fn report_csv(report: &Report) -> Result<String, AppError> {
    let mut header = vec!["section", "code", "name", "currency"];
    if report.two_sided {
        header.extend(["debit", "credit"]);
    } else {
        header.push("amount");
    }
    let amounts = |d: i64, c: i64, a: i64, currency: &str| -> Vec<String> {
        if report.two_sided {
            vec![format_amount(d, currency), format_amount(c, currency)]
        } else {
            vec![format_amount(a, currency)]
        }
    };
    let mut records: Vec<Vec<String>> = Vec::new();
    for part in &report.parts {
        for l in &part.lines {
            let name = l.label_key.map_or_else(|| cell(&l.name), csv_name);
            let mut record = vec![csv_name(part.key), cell(&l.code), name, l.currency.clone()];
            record.extend(amounts(
                l.debit_minor,
                l.credit_minor,
                l.amount_minor,
                &l.currency,
            ));
            records.push(record);
        }
        for t in &part.totals {
            let mut record = vec![
                csv_name(part.key),
                String::new(),
                csv_name(t.key),
                t.currency.clone(),
            ];
            record.extend(amounts(
                t.debit_minor,
                t.credit_minor,
                t.amount_minor,
                &t.currency,
            ));
            records.push(record);
        }
    }
    for t in &report.summary {
        let mut record = vec![
            String::new(),
            String::new(),
            csv_name(t.key),
            t.currency.clone(),
        ];
        record.extend(amounts(
            t.debit_minor,
            t.credit_minor,
            t.amount_minor,
            &t.currency,
        ));
        records.push(record);
    }
    let csv_err = |e: csv::Error| AppError::Internal(anyhow::Error::new(e));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).map_err(csv_err)?;
    for record in records {
        out.write_record(&record).map_err(csv_err)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(anyhow::Error::new(e)))
}

/// The three reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    TrialBalance,
    ProfitAndLoss,
    BalanceSheet,
}

impl ReportKind {
    /// Its name in paths and file names.
    pub fn slug(self) -> &'static str {
        match self {
            ReportKind::TrialBalance => "trial-balance",
            ReportKind::ProfitAndLoss => "profit-and-loss",
            ReportKind::BalanceSheet => "balance-sheet",
        }
    }

    pub fn path(self) -> String {
        format!("/accounting/reports/{}", self.slug())
    }

    /// Over a range of days rather than at the end of one.
    fn is_range(self) -> bool {
        self == ReportKind::ProfitAndLoss
    }
}

/// The dates a report is asked for, with the defaults filled in: today, and
/// for a range the first of this year to today, where the user is.
pub struct ReportDates {
    pub at: String,
    pub from: String,
    pub to: String,
}

impl ReportDates {
    pub fn new(at: &str, from: &str, to: &str, time_zone: &str) -> ReportDates {
        let today = today(time_zone);
        let or = |text: &str, default: jiff::civil::Date| {
            let text = text.trim();
            if text.is_empty() {
                default.to_string()
            } else {
                text.to_owned()
            }
        };
        ReportDates {
            at: or(at, today),
            from: or(from, today.first_of_year()),
            to: or(to, today),
        }
    }

    /// The query string that asks for the same report.
    fn query(&self, kind: ReportKind) -> Vec<(&'static str, String)> {
        if kind.is_range() {
            vec![("from", self.from.clone()), ("to", self.to.clone())]
        } else {
            vec![("at", self.at.clone())]
        }
    }
}

async fn report_of(
    state: &AppState,
    actor: &Actor,
    kind: ReportKind,
    dates: &ReportDates,
) -> Result<Report, AppError> {
    let app = &state.app;
    Ok(match kind {
        ReportKind::TrialBalance => {
            trial_balance_report(&ledger::trial_balance(app, actor, &dates.at).await?)
        }
        ReportKind::ProfitAndLoss => profit_and_loss_report(
            &ledger::profit_and_loss(app, actor, &dates.from, &dates.to).await?,
        ),
        ReportKind::BalanceSheet => {
            balance_sheet_report(&ledger::balance_sheet(app, actor, &dates.at).await?)
        }
    })
}

#[derive(Template)]
#[template(path = "ledger_report.html")]
struct ReportPage {
    page: Page,
    here: &'static str,
    action: String,
    range: bool,
    dates: ReportDates,
    two_sided: bool,
    sections: Vec<SectionView>,
    summary: Vec<RowView>,
    empty: bool,
    csv_link: String,
    errors: Errors,
}

fn title_key(kind: ReportKind) -> String {
    format!("report-{}", kind.slug())
}

fn csv_response(kind: ReportKind, dates: &ReportDates, report: &Report) -> Response {
    let csv = match report_csv(report) {
        Ok(csv) => csv,
        Err(e) => {
            tracing::error!(error = %e, "report CSV failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let day = if kind.is_range() {
        format!("{}_{}", dates.from, dates.to)
    } else {
        dates.at.clone()
    };
    // The dates were checked by the report, so the name holds only digits and dashes.
    let disposition = format!("attachment; filename=\"{}-{day}.csv\"", kind.slug());
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response()
}

async fn show(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    kind: ReportKind,
    query: &ReportQuery,
) -> Response {
    let dates = ReportDates::new(&query.at, &query.from, &query.to, &actor.time_zone);
    let result = report_of(state, actor, kind, &dates).await;
    if let (Ok(report), "csv") = (&result, query.format.as_str()) {
        return csv_response(kind, &dates, report);
    }
    let page = Page::new(state, who, &title_key(kind), NAV_PATH).await;
    let i18n = page.i18n;
    let (status, errors) = match outcome(&i18n, result.as_ref().err(), "at") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let report = result.ok();
    let mut csv_query = dates.query(kind);
    csv_query.push(("format", "csv".to_owned()));
    let template = ReportPage {
        here: kind.slug(),
        action: kind.path(),
        range: kind.is_range(),
        two_sided: report.as_ref().is_some_and(|r| r.two_sided),
        sections: report
            .as_ref()
            .map(|r| sections_view(&i18n, r))
            .unwrap_or_default(),
        summary: report
            .as_ref()
            .map(|r| r.summary.iter().map(|t| total_view(&i18n, t)).collect())
            .unwrap_or_default(),
        empty: report
            .as_ref()
            .is_some_and(|r| r.parts.iter().all(|p| p.lines.is_empty())),
        csv_link: match report {
            Some(_) => format!(
                "{}?{}",
                kind.path(),
                serde_urlencoded::to_string(&csv_query).unwrap_or_default()
            ),
            None => String::new(),
        },
        dates,
        errors,
        page,
    };
    render(status, &template)
}

pub async fn trial_balance(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ReportQuery>,
) -> Response {
    show(&state, &who, &actor, ReportKind::TrialBalance, &query).await
}

pub async fn profit_and_loss(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ReportQuery>,
) -> Response {
    show(&state, &who, &actor, ReportKind::ProfitAndLoss, &query).await
}

pub async fn balance_sheet(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ReportQuery>,
) -> Response {
    show(&state, &who, &actor, ReportKind::BalanceSheet, &query).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use seam_domain::ledger::{AccountKind, Date};

    fn line(code: &str, name: &str, kind: AccountKind, debit: i64, credit: i64) -> ReportLine {
        ReportLine {
            code: code.into(),
            name: name.into(),
            kind,
            currency: "EUR".into(),
            debit_minor: debit,
            credit_minor: credit,
        }
    }

    #[test]
    fn a_balance_sheet_csv_has_every_line_and_total_and_no_formulas() {
        let totals = |minor: i64| Totals::from([("EUR".to_owned(), minor)]);
        let sheet = BalanceSheet {
            at: Date::parse("2026-11-30").unwrap(),
            assets: vec![line("1000", "=Cash", AccountKind::Asset, 12_500, 0)],
            liabilities: vec![line("2100", "Output VAT", AccountKind::Liability, 0, 2_500)],
            equity: Vec::new(),
            earnings: totals(10_000),
            total_assets: totals(12_500),
            total_claims: totals(12_500),
        };
        let csv = report_csv(&balance_sheet_report(&sheet)).unwrap();
        assert_eq!(
            csv,
            "section,code,name,currency,amount\n\
             assets,1000,'=Cash,EUR,125.00\n\
             assets,,total_assets,EUR,125.00\n\
             liabilities,2100,Output VAT,EUR,25.00\n\
             liabilities,,total_liabilities,EUR,25.00\n\
             equity,,earnings,EUR,100.00\n\
             equity,,total_equity,EUR,100.00\n\
             ,,total_claims,EUR,125.00\n"
        );
    }

    #[test]
    fn a_trial_balance_shows_each_balance_on_its_side_and_totals_per_currency() {
        let tb = TrialBalance {
            at: Date::parse("2026-11-30").unwrap(),
            lines: vec![
                line("1000", "Cash", AccountKind::Asset, 10_000, 4_000),
                line("4000", "Sales", AccountKind::Revenue, 0, 10_000),
                line("6000", "Rent", AccountKind::Expense, 4_000, 0),
            ],
            debit_totals: Totals::new(),
            credit_totals: Totals::new(),
        };
        let report = trial_balance_report(&tb);
        let lines = &report.parts[0].lines;
        assert_eq!((lines[0].debit_minor, lines[0].credit_minor), (6_000, 0));
        assert_eq!((lines[1].debit_minor, lines[1].credit_minor), (0, 10_000));
        let total = &report.parts[0].totals[0];
        assert_eq!((total.debit_minor, total.credit_minor), (10_000, 10_000));
    }
}

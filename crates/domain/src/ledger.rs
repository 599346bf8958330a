//! Double-entry bookkeeping: accounts, and journal entries that balance.
//! An entry is checked here, in full, before the store sees it; the store
//! checks the balance again from what it wrote (a paired assertion).

use crate::FieldErrors;
use crate::locale::minor_digits;

pub const ACCOUNT_CODE_CHARS_MAX: usize = 20;
pub const MEMO_CHARS_MAX: usize = 500;
/// One entry has at most this many lines (an invoice with many rates still fits).
pub const ENTRY_LINES_MAX: usize = 200;
/// No amount may exceed this many minor units, so sums of a whole ledger fit in an i64.
pub const AMOUNT_MINOR_MAX: i64 = 1_000_000_000_000_000;

/// What an account holds, which decides its side of the balance sheet or the P&L.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountKind {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

impl AccountKind {
    pub const ALL: [AccountKind; 5] = [
        AccountKind::Asset,
        AccountKind::Liability,
        AccountKind::Equity,
        AccountKind::Revenue,
        AccountKind::Expense,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AccountKind::Asset => "asset",
            AccountKind::Liability => "liability",
            AccountKind::Equity => "equity",
            AccountKind::Revenue => "revenue",
            AccountKind::Expense => "expense",
        }
    }

    pub fn parse(s: &str) -> Option<AccountKind> {
        AccountKind::ALL
            .into_iter()
            .find(|k| k.name() == s.trim().to_ascii_lowercase())
    }

    /// Assets and expenses grow with debits; the others with credits.
    pub fn debit_normal(self) -> bool {
        matches!(self, AccountKind::Asset | AccountKind::Expense)
    }

    /// Revenue and expenses close into the result of the year; the rest carry forward.
    pub fn is_result(self) -> bool {
        matches!(self, AccountKind::Revenue | AccountKind::Expense)
    }
}

/// An account as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountDraft {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAccount {
    pub code: String,
    pub name: String,
    pub kind: AccountKind,
}

pub fn validate_account(draft: &AccountDraft) -> Result<ValidAccount, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = draft.code.trim();
    if code.is_empty() {
        errors.add("code", "error-required");
    } else if code.len() > ACCOUNT_CODE_CHARS_MAX
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        errors.add("code", "error-account-code");
    }
    let name = draft.name.trim();
    if name.is_empty() {
        errors.add("name", "error-required");
    } else if name.chars().count() > crate::party::NAME_CHARS_MAX {
        errors.add("name", "error-too-long");
    }
    let kind = AccountKind::parse(&draft.kind);
    if kind.is_none() {
        errors.add("kind", "error-account-kind");
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(ValidAccount {
            code: code.to_owned(),
            name: name.to_owned(),
            kind,
        }),
        _ => Err(errors),
    }
}

/// A calendar date, checked to exist. Written and sorted as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i16,
    pub month: i8,
    pub day: i8,
}

impl Date {
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        (date.year >= 1900
            && (1..=12).contains(&date.month)
            && date.day >= 1
            && date.day <= days_in_month(date.year, date.month))
        .then_some(date)
    }

    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `YYYY-MM`: the accounting period the date falls in.
    pub fn period(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

pub fn days_in_month(year: i16, month: i8) -> i8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// `YYYY-MM`, checked.
pub fn parse_period(text: &str) -> Option<String> {
    Date::parse(&format!("{}-01", text.trim())).map(Date::period)
}

/// Reads `1234.5` or `1234,50` as minor units of `currency`, exactly; refuses
/// more decimals than the currency has, signs, and anything but digits.
pub fn parse_amount(text: &str, currency: &str) -> Result<i64, &'static str> {
    let text = text.trim().replace(['\u{a0}', ' ', '_'], "");
    let digits = minor_digits(currency) as usize;
    let (whole, fraction) = match text.rsplit_once(['.', ',']) {
        Some((w, f)) => (w.to_owned(), f.to_owned()),
        None => (text.clone(), String::new()),
    };
    let valid = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit())
        && whole.len() <= 16;
    if !valid {
        return Err("error-amount");
    }
    if fraction.len() > digits {
        return Err("error-amount-decimals");
    }
    let whole: i64 = whole.parse().map_err(|_| "error-amount")?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<digits$}")
            .parse()
            .map_err(|_| "error-amount")?
    };
    let minor = whole
        .checked_mul(10_i64.pow(digits as u32))
        .and_then(|w| w.checked_add(fraction))
        .filter(|m| *m <= AMOUNT_MINOR_MAX)
        .ok_or("error-amount-too-large")?;
    Ok(minor)
}

/// Writes minor units back as a plain decimal (`1234.50`), for forms and exports.
pub fn format_amount(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        (minor / scale).abs(),
        (minor % scale).abs(),
        width = digits as usize
    )
}

/// An ISO 4217 code: three upper-case letters.
pub fn parse_currency(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    (code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())).then_some(code)
}

/// One line as typed: an account and an amount on one side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineDraft {
    pub account: String,
    pub debit: String,
    pub credit: String,
}

/// A journal entry as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryDraft {
    pub date: String,
    pub memo: String,
    pub currency: String,
    pub lines: Vec<LineDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLine {
    pub account: String,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

/// An entry that balances: only these reach the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalancedEntry {
    date: Date,
    memo: String,
    currency: String,
    /// Invariant: at least two lines, each with exactly one positive side, and
    /// the debits equal the credits.
    lines: Vec<ValidLine>,
}

impl BalancedEntry {
    pub fn date(&self) -> Date {
        self.date
    }

    pub fn memo(&self) -> &str {
        &self.memo
    }

    pub fn currency(&self) -> &str {
        &self.currency
    }

    pub fn lines(&self) -> &[ValidLine] {
        &self.lines
    }

    pub fn total_minor(&self) -> i64 {
        self.lines.iter().map(|l| l.debit_minor).sum()
    }

    /// The entry that undoes this one: every line with its sides swapped.
    pub fn reversal(&self, date: Date, memo: String) -> BalancedEntry {
        let lines = self
            .lines
            .iter()
            .map(|l| ValidLine {
                account: l.account.clone(),
                debit_minor: l.credit_minor,
                credit_minor: l.debit_minor,
            })
            .collect();
        BalancedEntry {
            date,
            memo,
            currency: self.currency.clone(),
            lines,
        }
    }

    /// Builds an entry from lines already in the ledger (a stored entry being reversed).
    pub fn from_stored(
        date: Date,
        memo: String,
        currency: String,
        lines: Vec<ValidLine>,
    ) -> Result<BalancedEntry, FieldErrors> {
        check_balance(BalancedEntry {
            date,
            memo,
            currency,
            lines,
        })
    }
}

fn check_balance(entry: BalancedEntry) -> Result<BalancedEntry, FieldErrors> {
    let debits: i64 = entry.lines.iter().map(|l| l.debit_minor).sum();
    let credits: i64 = entry.lines.iter().map(|l| l.credit_minor).sum();
    if entry.lines.len() < 2 {
        return Err(FieldErrors::one("lines", "error-entry-lines"));
    }
    if debits != credits || debits == 0 {
        return Err(FieldErrors::one("lines", "error-entry-unbalanced"));
    }
    Ok(entry)
}

/// Checks every line and the balance; blank lines (no account, no amounts) are skipped.
pub fn validate_entry(draft: &EntryDraft) -> Result<BalancedEntry, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = Date::parse(&draft.date);
    if date.is_none() {
        errors.add("date", "error-date");
    }
    let memo = draft.memo.trim().to_owned();
    if memo.chars().count() > MEMO_CHARS_MAX {
        errors.add("memo", "error-too-long");
    }
    let currency = parse_currency(&draft.currency);
    if currency.is_none() {
        errors.add("currency", "error-currency");
    }
    let currency_code = currency.clone().unwrap_or_else(|| "EUR".to_owned());
    if draft.lines.len() > ENTRY_LINES_MAX {
        errors.add("lines", "error-entry-too-many-lines");
    }
    let mut lines = Vec::new();
    for (index, line) in draft.lines.iter().enumerate() {
        let blank = line.account.trim().is_empty()
            && line.debit.trim().is_empty()
            && line.credit.trim().is_empty();
        if blank {
            continue;
        }
        let field = |name: &str| format!("lines[{index}].{name}");
        let account = line.account.trim().to_owned();
        if account.is_empty() {
            errors.add(&field("account"), "error-required");
        }
        let side = |text: &str, name: &str, errors: &mut FieldErrors| {
            if text.trim().is_empty() {
                return 0;
            }
            parse_amount(text, &currency_code).unwrap_or_else(|code| {
                errors.add(&field(name), code);
                0
            })
        };
        let debit_minor = side(&line.debit, "debit", &mut errors);
        let credit_minor = side(&line.credit, "credit", &mut errors);
        let unreadable = errors
            .iter()
            .any(|e| e.field.starts_with(&format!("lines[{index}].")));
        if !unreadable && (debit_minor > 0) == (credit_minor > 0) {
            errors.add(&field("debit"), "error-line-one-side");
        }
        lines.push(ValidLine {
            account,
            debit_minor,
            credit_minor,
        });
    }
    let (Some(date), Some(currency)) = (date, currency) else {
        return Err(errors);
    };
    errors.into_result(())?;
    check_balance(BalancedEntry {
        date,
        memo,
        currency,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(account: &str, debit: &str, credit: &str) -> LineDraft {
        LineDraft {
            account: account.into(),
            debit: debit.into(),
            credit: credit.into(),
        }
    }

    fn entry(lines: Vec<LineDraft>) -> EntryDraft {
        EntryDraft {
            date: "2026-11-23".into(),
            memo: "test".into(),
            currency: "EUR".into(),
            lines,
        }
    }

    #[test]
    fn amounts_are_read_exactly_in_minor_units() {
        assert_eq!(parse_amount("1234.5", "EUR"), Ok(123_450));
        assert_eq!(parse_amount("1 234,56", "EUR"), Ok(123_456));
        assert_eq!(parse_amount("0.1", "EUR"), Ok(10));
        assert_eq!(parse_amount("1500", "JPY"), Ok(1500));
        assert_eq!(parse_amount("1.005", "EUR"), Err("error-amount-decimals"));
        assert_eq!(parse_amount("-5", "EUR"), Err("error-amount"));
        assert_eq!(parse_amount("1e3", "EUR"), Err("error-amount"));
        assert_eq!(
            parse_amount("99999999999999999", "EUR"),
            Err("error-amount")
        );
        assert_eq!(format_amount(123_450, "EUR"), "1234.50");
        assert_eq!(format_amount(-5, "EUR"), "-0.05");
    }

    #[test]
    fn a_balanced_entry_is_accepted_and_blank_lines_are_skipped() {
        let e = validate_entry(&entry(vec![
            line("1200", "125.00", ""),
            line("", "", ""),
            line("4000", "", "100"),
            line("2100", "", "25"),
        ]))
        .unwrap();
        assert_eq!(e.lines().len(), 3);
        assert_eq!(e.total_minor(), 12_500);
    }

    #[test]
    fn an_unbalanced_entry_is_refused() {
        let err = validate_entry(&entry(vec![
            line("1200", "100", ""),
            line("4000", "", "99.99"),
        ]))
        .unwrap_err();
        assert_eq!(err.for_field("lines"), Some("error-entry-unbalanced"));
    }

    #[test]
    fn a_line_has_exactly_one_side() {
        let err = validate_entry(&entry(vec![
            line("1200", "100", "100"),
            line("4000", "", ""),
        ]))
        .unwrap_err();
        assert_eq!(err.for_field("lines[0].debit"), Some("error-line-one-side"));
        assert_eq!(err.for_field("lines[1].debit"), Some("error-line-one-side"));
    }

    #[test]
    fn dates_periods_and_currencies_are_checked() {
        assert_eq!(
            Date::parse("2028-02-29").map(Date::iso).as_deref(),
            Some("2028-02-29")
        );
        assert_eq!(Date::parse("2026-02-29"), None);
        assert_eq!(Date::parse("2026-13-01"), None);
        assert_eq!(Date::parse("26-1-1"), None);
        assert_eq!(parse_period("2026-11").as_deref(), Some("2026-11"));
        assert_eq!(parse_currency("sek").as_deref(), Some("SEK"));
        let err = validate_entry(&EntryDraft {
            date: "yesterday".into(),
            currency: "euro".into(),
            ..EntryDraft::default()
        })
        .unwrap_err();
        assert_eq!(err.for_field("date"), Some("error-date"));
        assert_eq!(err.for_field("currency"), Some("error-currency"));
    }

    #[test]
    fn a_reversal_swaps_every_side_and_still_balances() {
        let e =
            validate_entry(&entry(vec![line("1200", "10", ""), line("4000", "", "10")])).unwrap();
        let r = e.reversal(Date::parse("2026-11-24").unwrap(), "undo".into());
        assert_eq!(r.lines()[0].credit_minor, 1000);
        assert_eq!(r.lines()[1].debit_minor, 1000);
        assert!(
            BalancedEntry::from_stored(r.date(), "x".into(), "EUR".into(), r.lines().to_vec())
                .is_ok()
        );
    }
}

//! Invoices and credit notes: their states, their numbers, their due dates,
//! the conversion of foreign-currency amounts at a dated rate, and the
//! document model that the UBL and PDF renderers turn into files.
//!
//! States: `draft` → `posted` → (`paid` once nothing is due) and `draft` →
//! `cancelled`. A posted document never changes; a credit note corrects it.
//! A draft has no number; posting gives it the next number of its series and
//! year (`INV-2026-000042`, `CN-2026-000003`), gapless.
//!
//! Amounts are minor units of the document's currency. Totals follow the same
//! EN 16931 arithmetic as orders ([`crate::sales::totals`]).

use crate::ledger::Date;
use crate::sales::div_round_half_even;

/// Invoice or credit note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 2] = [DocumentKind::Invoice, DocumentKind::CreditNote];

    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit_note",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.name() == s.trim())
    }

    /// The number series prefix: `INV` or `CN`.
    pub fn prefix(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "INV",
            DocumentKind::CreditNote => "CN",
        }
    }

    /// The number series of a year: `INV-2026`.
    pub fn series(self, year: i16) -> String {
        format!("{}-{year:04}", self.prefix())
    }

    /// The number a document gets at posting: `INV-2026-000042`.
    pub fn number(self, year: i16, seq: i64) -> String {
        format!("{}-{seq:06}", self.series(year))
    }
}

/// Where an invoice or credit note stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceState {
    Draft,
    Posted,
    Paid,
    Cancelled,
}

/// A transition a document's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: InvoiceState,
    pub action: &'static str,
}

impl IllegalTransition {
    /// The message-catalogue key every illegal transition shows.
    pub const CODE: &'static str = "error-invoice-state";
}

impl std::fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot {} a {} invoice", self.action, self.from.name())
    }
}

impl std::error::Error for IllegalTransition {}

impl InvoiceState {
    pub const ALL: [InvoiceState; 4] = [
        InvoiceState::Draft,
        InvoiceState::Posted,
        InvoiceState::Paid,
        InvoiceState::Cancelled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InvoiceState::Draft => "draft",
            InvoiceState::Posted => "posted",
            InvoiceState::Paid => "paid",
            InvoiceState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceState> {
        InvoiceState::ALL.into_iter().find(|k| k.name() == s.trim())
    }

    fn illegal(self, action: &'static str) -> IllegalTransition {
        IllegalTransition { from: self, action }
    }

    /// Only a draft may be posted.
    pub fn post(self) -> Result<InvoiceState, IllegalTransition> {
        match self {
            InvoiceState::Draft => Ok(InvoiceState::Posted),
            from => Err(from.illegal("post")),
        }
    }

    /// Only a draft may be cancelled; a posted invoice is corrected by a
    /// credit note.
    pub fn cancel(self) -> Result<InvoiceState, IllegalTransition> {
        match self {
            InvoiceState::Draft => Ok(InvoiceState::Cancelled),
            from => Err(from.illegal("cancel")),
        }
    }

    /// Payments and credits settle posted documents only. The state after
    /// is `paid` when nothing is left due, else `posted`.
    pub fn settle(self, due_after_minor: i64) -> Result<InvoiceState, IllegalTransition> {
        match self {
            InvoiceState::Posted | InvoiceState::Paid if due_after_minor == 0 => {
                Ok(InvoiceState::Paid)
            }
            InvoiceState::Posted | InvoiceState::Paid => Ok(InvoiceState::Posted),
            from => Err(from.illegal("pay")),
        }
    }

    /// A credit note may be raised against a posted or paid invoice.
    pub fn credit(self) -> Result<InvoiceState, IllegalTransition> {
        match self {
            InvoiceState::Posted | InvoiceState::Paid => Ok(self),
            from => Err(from.illegal("credit")),
        }
    }
}

/// Payment terms in days after the issue date, when none are given.
pub const DEFAULT_TERMS_DAYS: i64 = 30;
/// The longest payment terms accepted.
pub const TERMS_DAYS_MAX: i64 = 365;

/// The due date `days` after `issue`.
pub fn due_date(issue: Date, days: i64) -> Option<Date> {
    let d = jiff::civil::Date::new(issue.year, issue.month, issue.day).ok()?;
    let due = d.checked_add(jiff::Span::new().days(days)).ok()?;
    Some(Date {
        year: due.year(),
        month: due.month(),
        day: due.day(),
    })
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    let a = jiff::civil::Date::new(from.year, from.month, from.day);
    let b = jiff::civil::Date::new(to.year, to.month, to.day);
    match (a, b) {
        (Ok(a), Ok(b)) => i64::from(b.since(a).map(|s| s.get_days()).unwrap_or(0)),
        _ => 0,
    }
}

/// The aging buckets of a receivables report, by days past due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgingBucket {
    Current,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

impl AgingBucket {
    pub const ALL: [AgingBucket; 5] = [
        AgingBucket::Current,
        AgingBucket::Days1To30,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
        AgingBucket::Over90,
    ];

    /// The bucket of an amount `days_overdue` days past its due date (zero
    /// or negative: not yet due).
    pub fn of(days_overdue: i64) -> AgingBucket {
        match days_overdue {
            i64::MIN..=0 => AgingBucket::Current,
            1..=30 => AgingBucket::Days1To30,
            31..=60 => AgingBucket::Days31To60,
            61..=90 => AgingBucket::Days61To90,
            _ => AgingBucket::Over90,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AgingBucket::Current => "current",
            AgingBucket::Days1To30 => "1-30",
            AgingBucket::Days31To60 => "31-60",
            AgingBucket::Days61To90 => "61-90",
            AgingBucket::Over90 => "over-90",
        }
    }
}

/// How many company-currency units one unit of a foreign currency buys,
/// scaled by 10⁹ (`1.0845` is `1_084_500_000`).
pub const RATE_SCALE: i64 = 1_000_000_000;

/// Parses a rate typed as a decimal (`1.0845`, `0,0921`) into
/// [`RATE_SCALE`] units; `error-rate` unless positive with at most nine
/// decimals.
pub fn parse_rate(text: &str) -> Result<i64, &'static str> {
    let text = text.trim();
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || fraction.len() > 9 {
        return Err("error-rate");
    }
    let whole: i64 = whole.parse().map_err(|_| "error-rate")?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}")
            .parse()
            .map_err(|_| "error-rate")?
    };
    let rate = whole
        .checked_mul(RATE_SCALE)
        .and_then(|w| w.checked_add(fraction))
        .ok_or("error-rate")?;
    if rate <= 0 {
        return Err("error-rate");
    }
    Ok(rate)
}

/// A rate in [`RATE_SCALE`] units as a decimal without trailing zeros.
pub fn format_rate(rate: i64) -> String {
    let whole = rate / RATE_SCALE;
    let fraction = format!("{:09}", (rate % RATE_SCALE).abs());
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{whole}")
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Converts `amount_minor` of a currency with `from_digits` decimals into a
/// currency with `to_digits` decimals at `rate` ([`RATE_SCALE`] units),
/// rounded half to even.
pub fn convert(amount_minor: i64, rate: i64, from_digits: u32, to_digits: u32) -> i64 {
    let num = i128::from(amount_minor) * i128::from(rate) * 10_i128.pow(to_digits);
    let den = i128::from(RATE_SCALE) * 10_i128.pow(from_digits);
    i64::try_from(div_round_half_even(num, den)).unwrap_or(i64::MAX)
}

/// A seller or buyer as an e-invoice names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentParty {
    pub name: String,
    /// VAT identifier with its country prefix (`SE556677889901`); empty when none.
    pub vat_id: String,
    /// Company registration number (EN 16931 BT-30 / BT-47); empty when none.
    pub legal_id: String,
    pub street: String,
    pub city: String,
    pub postcode: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub email: String,
}

/// One line of an invoice or credit note document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    pub line_no: i64,
    pub description: String,
    /// Product SKU, the seller's item identifier.
    pub sku: String,
    pub qty: i64,
    /// UN/ECE Recommendation 20 code (`C62`, `HUR`).
    pub unit_code: String,
    pub unit_price_minor: i64,
    pub line_net_minor: i64,
    /// EN 16931 VAT category code: S, Z, E, AE, K, G or O.
    pub vat_category: String,
    pub vat_basis_points: i64,
}

/// One VAT breakdown of a document (EN 16931 BG-23).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentVat {
    pub vat_category: String,
    pub vat_basis_points: i64,
    pub base_minor: i64,
    pub vat_minor: i64,
    /// Why no VAT is charged (required for E, AE, K, G, O); empty for S and Z.
    pub exemption_reason: String,
}

/// Everything an outgoing invoice or credit note shows. Built by the app
/// from a posted document; rendered as UBL 2.1 and PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    pub kind: DocumentKind,
    pub number: String,
    /// `YYYY-MM-DD`.
    pub issue_date: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    /// When the goods were delivered (the last shipment's date), `YYYY-MM-DD`.
    pub delivery_date: String,
    /// ISO 4217.
    pub currency: String,
    pub seller: DocumentParty,
    pub buyer: DocumentParty,
    /// The sales order number, when the invoice comes from one.
    pub order_reference: String,
    /// For a credit note: the number and issue date of the invoice it corrects.
    pub preceding_invoice: Option<(String, String)>,
    pub lines: Vec<DocumentLine>,
    pub vat: Vec<DocumentVat>,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    /// Paid or credited so far.
    pub paid_minor: i64,
    /// `total - paid`.
    pub due_minor: i64,
    /// Human-readable payment terms: `Net 30 days`.
    pub payment_terms: String,
    /// The seller's bank account for transfers; empty when none.
    pub seller_iban: String,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn numbers_per_kind_and_year() {
        assert_eq!(DocumentKind::Invoice.number(2026, 42), "INV-2026-000042");
        assert_eq!(DocumentKind::CreditNote.number(2026, 3), "CN-2026-000003");
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.name()), Some(k));
        }
    }

    #[test]
    fn transitions() {
        use InvoiceState::*;
        assert_eq!(Draft.post(), Ok(Posted));
        assert!(Posted.post().is_err());
        assert_eq!(Draft.cancel(), Ok(Cancelled));
        assert!(Posted.cancel().is_err());
        assert_eq!(Posted.settle(0), Ok(Paid));
        assert_eq!(Posted.settle(10), Ok(Posted));
        assert_eq!(Paid.settle(10), Ok(Posted));
        assert_eq!(
            Cancelled.settle(0),
            Err(IllegalTransition {
                from: Cancelled,
                action: "pay"
            })
        );
        assert!(Draft.settle(0).is_err());
        assert!(Draft.credit().is_err());
        assert_eq!(Paid.credit(), Ok(Paid));
        for s in InvoiceState::ALL {
            assert_eq!(InvoiceState::parse(s.name()), Some(s));
        }
    }

    #[test]
    fn due_dates_and_days() {
        assert_eq!(due_date(date("2026-01-31"), 30), Some(date("2026-03-02")));
        assert_eq!(due_date(date("2026-12-15"), 30), Some(date("2027-01-14")));
        assert_eq!(days_between(date("2026-01-31"), date("2026-03-02")), 30);
        assert_eq!(days_between(date("2026-03-02"), date("2026-01-31")), -30);
    }

    #[test]
    fn aging_buckets_by_days_past_due() {
        let table = [
            (-5, AgingBucket::Current),
            (0, AgingBucket::Current),
            (1, AgingBucket::Days1To30),
            (30, AgingBucket::Days1To30),
            (31, AgingBucket::Days31To60),
            (60, AgingBucket::Days31To60),
            (61, AgingBucket::Days61To90),
            (90, AgingBucket::Days61To90),
            (91, AgingBucket::Over90),
        ];
        for (days, want) in table {
            assert_eq!(AgingBucket::of(days), want, "{days}");
        }
    }

    #[test]
    fn rates_parse_and_convert_half_even() {
        assert_eq!(parse_rate("1.0845"), Ok(1_084_500_000));
        assert_eq!(parse_rate("0,0921"), Ok(92_100_000));
        assert_eq!(parse_rate("2"), Ok(2 * RATE_SCALE));
        for bad in ["", "0", "-1", "1.2.3", "abc", "1.0000000001"] {
            assert_eq!(parse_rate(bad), Err("error-rate"), "{bad}");
        }
        assert_eq!(format_rate(1_084_500_000), "1.0845");
        assert_eq!(format_rate(2 * RATE_SCALE), "2");
        // CHF 100.00 at 1.0845 EUR/CHF = EUR 108.45.
        assert_eq!(convert(10_000, 1_084_500_000, 2, 2), 10_845);
        // SEK 0.05 at 0.09 = EUR 0.0045 → 0.00; 0.15 at 0.1 = 0.015 → 0.02.
        assert_eq!(convert(5, 90_000_000, 2, 2), 0);
        assert_eq!(convert(15, 100_000_000, 2, 2), 2);
        // JPY 1000 (no decimals) at 0.0061 = EUR 6.10.
        assert_eq!(convert(1000, 6_100_000, 0, 2), 610);
        // Negative amounts round symmetrically enough for refunds.
        assert_eq!(convert(-10_000, 1_084_500_000, 2, 2), -10_845);
    }
}

//! Sales quotes: an offer to a customer, with lines like an order's (checked
//! by [`crate::sales::validate_line`] and totalled by
//! [`crate::sales::totals`]), valid until a date.
//!
//! States: `draft` → `sent` → `accepted` | `declined`. Sending gives the
//! quote its number (`QU-2026-000001`); accepting it turns it into a sales
//! order with the same lines and prices. A sent quote whose valid-until date
//! has passed is `expired`: that state is not stored but read from the date
//! ([`QuoteState::effective`]), so a quote expires at midnight without a job
//! having to run. An expired quote may be neither accepted nor declined.
//! Every other move is an [`IllegalTransition`].

use crate::FieldErrors;
use crate::invoice::{DocumentLine, DocumentParty, DocumentVat};
use crate::ledger::Date;

/// The number series prefix: `QU-2026-000001`.
pub const NUMBER_PREFIX: &str = "QU";
/// How many days a quote is valid when no date is given.
pub const DEFAULT_VALID_DAYS: i64 = 30;
/// The longest reason a decline may carry.
pub const DECLINE_REASON_MAX: usize = 500;

/// Where a quote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteState {
    Draft,
    Sent,
    Accepted,
    Declined,
    /// A sent quote past its valid-until date; never stored.
    Expired,
}

/// A transition a quote's state does not allow: sending anything but a
/// draft, accepting anything but a sent quote that is still valid, editing
/// anything but a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: QuoteState,
    pub action: &'static str,
}

impl IllegalTransition {
    /// The message-catalogue key every illegal transition shows.
    pub const CODE: &'static str = "error-quote-state";
}

impl std::fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let article = if self.from == QuoteState::Expired || self.from == QuoteState::Accepted {
            "an"
        } else {
            "a"
        };
        write!(
            f,
            "cannot {} {article} {} quote",
            self.action,
            self.from.name()
        )
    }
}

impl std::error::Error for IllegalTransition {}

impl QuoteState {
    pub const ALL: [QuoteState; 5] = [
        QuoteState::Draft,
        QuoteState::Sent,
        QuoteState::Accepted,
        QuoteState::Declined,
        QuoteState::Expired,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QuoteState::Draft => "draft",
            QuoteState::Sent => "sent",
            QuoteState::Accepted => "accepted",
            QuoteState::Declined => "declined",
            QuoteState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<QuoteState> {
        QuoteState::ALL.into_iter().find(|k| k.name() == s.trim())
    }

    /// The state as it stands on `today` (`YYYY-MM-DD`): a sent quote whose
    /// `valid_until` lies before today is expired; any other state is as stored.
    pub fn effective(self, valid_until: &str, today: &str) -> QuoteState {
        if self == QuoteState::Sent && is_past(valid_until, today) {
            QuoteState::Expired
        } else {
            self
        }
    }

    fn illegal(self, action: &'static str) -> IllegalTransition {
        IllegalTransition { from: self, action }
    }

    /// Only a draft may be sent.
    pub fn send(self) -> Result<QuoteState, IllegalTransition> {
        match self {
            QuoteState::Draft => Ok(QuoteState::Sent),
            from => Err(from.illegal("send")),
        }
    }

    /// Only a sent quote that has not expired may be accepted.
    pub fn accept(self) -> Result<QuoteState, IllegalTransition> {
        match self {
            QuoteState::Sent => Ok(QuoteState::Accepted),
            from => Err(from.illegal("accept")),
        }
    }

    /// Only a sent quote that has not expired may be declined.
    pub fn decline(self) -> Result<QuoteState, IllegalTransition> {
        match self {
            QuoteState::Sent => Ok(QuoteState::Declined),
            from => Err(from.illegal("decline")),
        }
    }

    /// Only a draft's lines may change.
    pub fn edit(self) -> Result<QuoteState, IllegalTransition> {
        match self {
            QuoteState::Draft => Ok(QuoteState::Draft),
            from => Err(from.illegal("edit")),
        }
    }
}

/// Whether the ISO date `date` lies before `today`.
pub fn is_past(date: &str, today: &str) -> bool {
    match (Date::parse(date), Date::parse(today)) {
        (Some(d), Some(t)) => d < t,
        _ => false,
    }
}

/// The date `days` after `from`, or `None` past the calendar's end.
pub fn days_after(from: Date, days: i64) -> Option<Date> {
    let d = jiff::civil::Date::new(from.year, from.month, from.day).ok()?;
    let later = d.checked_add(jiff::Span::new().days(days)).ok()?;
    Some(Date {
        year: later.year(),
        month: later.month(),
        day: later.day(),
    })
}

/// Checks a quote's dates: `quote_date` and `valid_until` as typed (either
/// may be empty: today, and [`DEFAULT_VALID_DAYS`] after the quote date).
/// The valid-until date may not lie before the quote date. Errors name
/// `quote_date` or `valid_until`.
pub fn validate_dates(
    quote_date: &str,
    valid_until: &str,
    today: Date,
) -> Result<(Date, Date), FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = match quote_date.trim() {
        "" => Some(today),
        text => Date::parse(text).or_else(|| {
            errors.add("quote_date", "error-date");
            None
        }),
    };
    let until = match (valid_until.trim(), date) {
        ("", Some(d)) => days_after(d, DEFAULT_VALID_DAYS).or_else(|| {
            errors.add("valid_until", "error-date");
            None
        }),
        ("", None) => None,
        (text, _) => Date::parse(text).or_else(|| {
            errors.add("valid_until", "error-date");
            None
        }),
    };
    match (date, until) {
        (Some(d), Some(u)) if u < d => {
            errors.add("valid_until", "error-quote-valid-until");
            Err(errors)
        }
        (Some(d), Some(u)) if errors.is_empty() => Ok((d, u)),
        _ => Err(errors),
    }
}

/// Trims a decline's reason; errors name `reason`.
pub fn validate_reason(reason: &str) -> Result<String, FieldErrors> {
    let reason = reason.trim();
    if reason.chars().count() > DECLINE_REASON_MAX {
        return Err(FieldErrors::one("reason", "error-too-long"));
    }
    Ok(reason.to_owned())
}

/// The number a quote gets when sent: `QU-2026-000001`.
pub fn quote_number(year: i16, seq: i64) -> String {
    format!("{}-{seq:06}", series(year))
}

/// The number series of a year: `QU-2026`.
pub fn series(year: i16) -> String {
    format!("{NUMBER_PREFIX}-{year:04}")
}

/// Everything a quote sent to a customer shows, laid out as a PDF. Built by
/// the app from a numbered quote; parties, lines and the VAT breakdown are
/// the invoice document's own types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteDocument {
    /// `QU-2026-000001`.
    pub number: String,
    /// `YYYY-MM-DD`.
    pub quote_date: String,
    /// The last day the offer holds, `YYYY-MM-DD`.
    pub valid_until: String,
    /// ISO 4217.
    pub currency: String,
    pub seller: DocumentParty,
    pub buyer: DocumentParty,
    pub lines: Vec<DocumentLine>,
    pub vat: Vec<DocumentVat>,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    /// Free text printed under the totals; empty when none.
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_allows_only_its_named_transitions() {
        use QuoteState::*;
        assert_eq!(Draft.send(), Ok(Sent));
        assert_eq!(Sent.accept(), Ok(Accepted));
        assert_eq!(Sent.decline(), Ok(Declined));
        assert_eq!(Draft.edit(), Ok(Draft));
        for s in [Sent, Accepted, Declined, Expired] {
            assert_eq!(
                s.send(),
                Err(IllegalTransition {
                    from: s,
                    action: "send"
                })
            );
            assert!(s.edit().is_err());
        }
        for s in [Draft, Accepted, Declined, Expired] {
            assert!(s.accept().is_err(), "accept from {s:?}");
            assert!(s.decline().is_err(), "decline from {s:?}");
        }
        for s in QuoteState::ALL {
            assert_eq!(QuoteState::parse(s.name()), Some(s));
        }
        assert_eq!(QuoteState::parse("nope"), None);
    }

    #[test]
    fn a_sent_quote_expires_the_day_after_its_valid_until_date() {
        use QuoteState::*;
        assert_eq!(Sent.effective("2026-03-31", "2026-03-31"), Sent);
        assert_eq!(Sent.effective("2026-03-31", "2026-04-01"), Expired);
        assert_eq!(Draft.effective("2026-03-31", "2026-04-01"), Draft);
        assert_eq!(Accepted.effective("2026-03-31", "2027-01-01"), Accepted);
        assert_eq!(Declined.effective("2026-03-31", "2027-01-01"), Declined);
        let e = Sent.effective("2026-03-31", "2026-04-01").accept();
        assert_eq!(e.unwrap_err().to_string(), "cannot accept an expired quote");
        assert_eq!(IllegalTransition::CODE, "error-quote-state");
    }

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates_default_to_today_and_thirty_days_on() {
        let (d, u) = validate_dates("", "", day("2026-01-15")).unwrap();
        assert_eq!(
            (d.iso(), u.iso()),
            ("2026-01-15".into(), "2026-02-14".into())
        );
        let (d, u) = validate_dates("2026-12-10", "", day("2026-01-15")).unwrap();
        assert_eq!(
            (d.iso(), u.iso()),
            ("2026-12-10".into(), "2027-01-09".into())
        );
        let (_, u) = validate_dates("2026-01-01", "2026-01-01", day("2026-01-15")).unwrap();
        assert_eq!(u.iso(), "2026-01-01");
    }

    #[test]
    fn bad_dates_name_their_fields() {
        let today = day("2026-01-15");
        let e = validate_dates("15/01/2026", "", today).unwrap_err();
        assert_eq!(e.for_field("quote_date"), Some("error-date"));
        let e = validate_dates("", "soon", today).unwrap_err();
        assert_eq!(e.for_field("valid_until"), Some("error-date"));
        let e = validate_dates("2026-02-01", "2026-01-31", today).unwrap_err();
        assert_eq!(e.for_field("valid_until"), Some("error-quote-valid-until"));
        let long = "x".repeat(DECLINE_REASON_MAX + 1);
        assert_eq!(
            validate_reason(&long).unwrap_err().for_field("reason"),
            Some("error-too-long")
        );
        assert_eq!(validate_reason("  too dear ").unwrap(), "too dear");
    }

    #[test]
    fn numbers_are_padded_per_year() {
        assert_eq!(quote_number(2026, 7), "QU-2026-000007");
        assert_eq!(series(2026), "QU-2026");
    }
}

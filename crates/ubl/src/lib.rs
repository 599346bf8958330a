//! UBL 2.1 invoices and credit notes conforming to EN 16931, written from
//! [`seam_domain::invoice::InvoiceDocument`].
//!
//! [`to_xml`] first checks that the document can make a valid EN 16931
//! invoice (the fields each VAT category needs, and totals that add up), then
//! writes it with quick-xml, which does all escaping. The VAT categories
//! decide what the document shows: category `O` (not subject to VAT) drops
//! every VAT identifier and names the seller by its legal registration;
//! category `K` (intra-community supply) adds the deliver-to country.
//!
//! Invariant: no IO; the XML is built in memory and returned as a string.
//! Invariant: every XML name, attribute and text goes through quick-xml's
//! writer; nothing here concatenates markup.
//! Invariant: bad input is a [`UblError`], never a panic.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::todo
)]
// Tests state their expectations with unwrap and indexing; a panic there is a failed test.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod check;
mod write;

use seam_domain::invoice::InvoiceDocument;

/// The EN 16931 core specification (BT-24).
pub const CUSTOMIZATION_ID: &str = "urn:cen.eu:en16931:2017";

/// Why a document cannot be written as an EN 16931 invoice.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UblError {
    /// A field the document needs is empty. `field` names it
    /// (`seller.vat_id`), `why` says which rule wants it.
    #[error("{field} is required: {why}")]
    Missing {
        field: &'static str,
        why: &'static str,
    },
    /// A line or VAT breakdown names a category Seam does not support.
    #[error("unknown VAT category {0:?} (expected S, Z, E, AE, K, G or O)")]
    UnknownVatCategory(String),
    /// A field has a value EN 16931 rejects.
    #[error("{field} is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// Amounts that do not add up, or lines without a matching VAT breakdown.
    #[error("inconsistent document: {0}")]
    Inconsistent(String),
    /// The XML writer failed (in memory, so only on a quick-xml bug).
    #[error("cannot write XML: {0}")]
    Xml(String),
}

/// The EN 16931 VAT category codes (UNTDID 5305 subset) Seam supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VatCategory {
    /// Standard rate.
    S,
    /// Zero rated goods.
    Z,
    /// Exempt from VAT.
    E,
    /// Reverse charge.
    AE,
    /// Intra-community supply (UNTDID code `K`).
    K,
    /// Export outside the EU.
    G,
    /// Not subject to VAT.
    O,
}

impl VatCategory {
    pub const ALL: [VatCategory; 7] = [
        VatCategory::S,
        VatCategory::Z,
        VatCategory::E,
        VatCategory::AE,
        VatCategory::K,
        VatCategory::G,
        VatCategory::O,
    ];

    pub fn code(self) -> &'static str {
        match self {
            VatCategory::S => "S",
            VatCategory::Z => "Z",
            VatCategory::E => "E",
            VatCategory::AE => "AE",
            VatCategory::K => "K",
            VatCategory::G => "G",
            VatCategory::O => "O",
        }
    }

    /// The category of a code, or [`UblError::UnknownVatCategory`].
    pub fn parse(code: &str) -> Result<VatCategory, UblError> {
        VatCategory::ALL
            .into_iter()
            .find(|c| c.code() == code.trim())
            .ok_or_else(|| UblError::UnknownVatCategory(code.to_string()))
    }

    /// Whether the breakdown must state why no VAT is charged (BR-E-10,
    /// BR-AE-10, BR-IC-10, BR-G-10, BR-O-10).
    pub fn needs_exemption_reason(self) -> bool {
        !matches!(self, VatCategory::S | VatCategory::Z)
    }

    /// The VATEX code that goes with the category, where there is exactly one.
    fn exemption_code(self) -> Option<&'static str> {
        match self {
            VatCategory::AE => Some("VATEX-EU-AE"),
            VatCategory::K => Some("VATEX-EU-IC"),
            VatCategory::G => Some("VATEX-EU-G"),
            VatCategory::O => Some("VATEX-EU-O"),
            VatCategory::S | VatCategory::Z | VatCategory::E => None,
        }
    }
}

/// Writes `doc` as a UBL 2.1 `Invoice` (type code 380) or `CreditNote`
/// (type code 381, referring to the invoice it corrects), conforming to
/// EN 16931.
///
/// Errors: [`UblError::Missing`] when a field a VAT category or the standard
/// needs is empty, [`UblError::UnknownVatCategory`], [`UblError::Invalid`] for
/// malformed dates, codes and amounts EN 16931 cannot carry (more than two
/// decimals), and [`UblError::Inconsistent`] when the totals do not add up.
pub fn to_xml(doc: &InvoiceDocument) -> Result<String, UblError> {
    let facts = check::check(doc)?;
    write::document(doc, &facts)
}

/// `value` scaled down by `digits` decimals, as a plain decimal:
/// `decimal(10845, 2)` is `108.45`, `decimal(-5, 2)` is `-0.05`.
pub fn decimal(value: i64, digits: u32) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    // When 10^digits does not fit, `abs` is below it: all digits are decimals.
    let abs = u128::from(abs);
    let scale = 10_u128.checked_pow(digits).unwrap_or(u128::MAX);
    let width = digits as usize;
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale)
}

/// An amount in minor units of `currency` as EN 16931 writes it: at most two
/// decimals (UBL-DT-01). Three-decimal currencies (BHD, KWD, ...) work only
/// for whole hundredths; anything finer is [`UblError::Invalid`].
pub fn amount_text(minor: i64, currency: &str) -> Result<String, UblError> {
    let digits = seam_domain::locale::minor_digits(currency);
    if digits <= 2 {
        return Ok(decimal(minor, digits));
    }
    let excess = 10_i64.pow(digits - 2);
    if minor % excess != 0 {
        return Err(UblError::Invalid {
            field: "amount",
            reason: format!(
                "{} {currency} has more than the two decimals EN 16931 allows",
                decimal(minor, digits)
            ),
        });
    }
    Ok(decimal(minor / excess, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_place_the_point() {
        let table = [
            (10845, 2, "108.45"),
            (5, 2, "0.05"),
            (-5, 2, "-0.05"),
            (-10845, 2, "-108.45"),
            (0, 2, "0.00"),
            (100, 2, "1.00"),
            (1000, 0, "1000"),
            (-7, 0, "-7"),
            (1234, 3, "1.234"),
            (2500, 2, "25.00"),
            (i64::MIN, 2, "-92233720368547758.08"),
            (12, 40, "0.0000000000000000000000000000000000000012"),
        ];
        for (value, digits, want) in table {
            assert_eq!(decimal(value, digits), want, "{value} {digits}");
        }
    }

    #[test]
    fn amounts_follow_the_currency() {
        assert_eq!(amount_text(10845, "EUR").unwrap(), "108.45");
        assert_eq!(amount_text(10845, "JPY").unwrap(), "10845");
        assert_eq!(amount_text(1230, "BHD").unwrap(), "1.23");
        assert!(matches!(
            amount_text(1235, "BHD"),
            Err(UblError::Invalid { .. })
        ));
    }

    #[test]
    fn categories_parse_and_reject_unknown_codes() {
        for c in VatCategory::ALL {
            assert_eq!(VatCategory::parse(c.code()), Ok(c));
        }
        assert_eq!(
            VatCategory::parse("X"),
            Err(UblError::UnknownVatCategory("X".into()))
        );
    }
}

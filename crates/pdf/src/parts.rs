//! What every document kind prints alike: parties, lines and the VAT
//! breakdown turned into the JSON the templates read, and the locale that
//! writes out amounts, rates, dates and units.

use seam_domain::invoice::{DocumentLine, DocumentParty, DocumentVat};
use seam_domain::ledger::Date;
use seam_domain::locale::Locale;
use serde_json::{Value, json};

/// The language amounts and dates are written in. The templates' labels are
/// English too.
pub(crate) const LOCALE: Locale = Locale::En;

/// A document's lines, amounts in `currency`.
pub(crate) fn lines(lines: &[DocumentLine], currency: &str) -> Vec<Value> {
    lines
        .iter()
        .map(|l| {
            json!({
                "no": l.line_no.to_string(),
                "description": l.description,
                "sku": l.sku,
                "qty": LOCALE.integer(l.qty),
                "unit": unit_label(&l.unit_code),
                "unit_price": LOCALE.money(l.unit_price_minor, currency),
                "vat": LOCALE.percent(l.vat_basis_points),
                "vat_category": l.vat_category,
                "net": LOCALE.money(l.line_net_minor, currency),
            })
        })
        .collect()
}

/// A document's VAT breakdown, amounts in `currency`.
pub(crate) fn vat(vat: &[DocumentVat], currency: &str) -> Vec<Value> {
    vat.iter()
        .map(|v| {
            json!({
                "category": v.vat_category,
                "rate": LOCALE.percent(v.vat_basis_points),
                "base": LOCALE.money(v.base_minor, currency),
                "vat": LOCALE.money(v.vat_minor, currency),
                "reason": v.exemption_reason,
            })
        })
        .collect()
}

/// A seller or buyer: name, address lines and identifiers.
pub(crate) fn party(p: &DocumentParty) -> Value {
    let place = [p.postcode.trim(), p.city.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let address: Vec<&str> = [p.street.trim(), place.as_str(), p.country.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    json!({
        "name": p.name,
        "address": address,
        "vat_id": p.vat_id,
        "legal_id": p.legal_id,
        "email": p.email,
    })
}

/// `2026-11-23` as the locale writes it; other text as given.
pub(crate) fn date_label(text: &str) -> String {
    match Date::parse(text) {
        Some(d) => LOCALE.date(d.year, d.month, d.day),
        None => text.trim().to_owned(),
    }
}

/// A UN/ECE Rec 20 unit code as a reader knows it; unknown codes as given.
pub(crate) fn unit_label(code: &str) -> String {
    let label = match code {
        "C62" => "pcs",
        "HUR" => "h",
        "MIN" => "min",
        "DAY" => "days",
        "MON" => "months",
        "KGM" => "kg",
        "MTR" => "m",
        "MTK" => "m²",
        "LTR" => "l",
        other => other,
    };
    label.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(date_label("2026-11-23"), "Nov 23, 2026");
        assert_eq!(date_label(""), "");
        assert_eq!(unit_label("HUR"), "h");
        assert_eq!(unit_label("XYZ"), "XYZ");
    }
}

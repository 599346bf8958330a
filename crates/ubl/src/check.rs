//! The checks that run before any XML is written: a document that passes
//! them makes an invoice the EN 16931 rules accept. Each check names the rule
//! it stands for, so a failure here reads like the validator's.

use std::collections::BTreeSet;

use seam_domain::invoice::{DocumentKind, DocumentParty, InvoiceDocument};

use crate::{UblError, VatCategory, amount_text};

/// What the checks learned, for the writer.
pub(crate) struct Facts {
    /// The category of each line, in line order.
    pub line_categories: Vec<VatCategory>,
    /// The category of each VAT breakdown, in `doc.vat` order.
    pub vat_categories: Vec<VatCategory>,
    /// Category O is present: no VAT identifiers may appear (BR-O-02).
    pub not_subject: bool,
    /// Category K is present: the deliver-to country is required (BR-IC-12).
    pub intra_community: bool,
}

pub(crate) fn check(doc: &InvoiceDocument) -> Result<Facts, UblError> {
    check_header(doc)?;
    check_party(&doc.seller, "seller")?;
    check_party(&doc.buyer, "buyer")?;
    let line_categories = doc
        .lines
        .iter()
        .map(|l| VatCategory::parse(&l.vat_category))
        .collect::<Result<Vec<_>, _>>()?;
    let vat_categories = doc
        .vat
        .iter()
        .map(|v| VatCategory::parse(&v.vat_category))
        .collect::<Result<Vec<_>, _>>()?;
    let present: BTreeSet<VatCategory> = line_categories
        .iter()
        .chain(vat_categories.iter())
        .copied()
        .collect();
    let facts = Facts {
        not_subject: present.contains(&VatCategory::O),
        intra_community: present.contains(&VatCategory::K),
        line_categories,
        vat_categories,
    };
    if facts.not_subject && present.len() > 1 {
        return Err(UblError::Invalid {
            field: "vat_category",
            reason: "category O (not subject to VAT) cannot be mixed with other categories \
                     (BR-O-11..14)"
                .into(),
        });
    }
    for category in &present {
        check_category(doc, *category)?;
    }
    check_lines(doc, &facts)?;
    check_breakdowns(doc, &facts)?;
    check_totals(doc)?;
    Ok(facts)
}

fn check_header(doc: &InvoiceDocument) -> Result<(), UblError> {
    required(&doc.number, "number", "every invoice has a number (BR-02)")?;
    required(&doc.issue_date, "issue_date", "BR-03")?;
    date(&doc.issue_date, "issue_date")?;
    if !doc.due_date.trim().is_empty() {
        date(&doc.due_date, "due_date")?;
    }
    if !doc.delivery_date.trim().is_empty() {
        date(&doc.delivery_date, "delivery_date")?;
    }
    let currency = doc.currency.trim();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(UblError::Invalid {
            field: "currency",
            reason: format!("{:?} is not an ISO 4217 code", doc.currency),
        });
    }
    if doc.kind == DocumentKind::CreditNote {
        match &doc.preceding_invoice {
            Some((number, issue_date)) => {
                required(
                    number,
                    "preceding_invoice.number",
                    "a credit note names its invoice",
                )?;
                if !issue_date.trim().is_empty() {
                    date(issue_date, "preceding_invoice.issue_date")?;
                }
            }
            None => {
                return Err(UblError::Missing {
                    field: "preceding_invoice",
                    why: "a credit note names the invoice it corrects",
                });
            }
        }
    }
    if doc.lines.is_empty() {
        return Err(UblError::Missing {
            field: "lines",
            why: "an invoice has at least one line (BR-16)",
        });
    }
    if doc.vat.is_empty() {
        return Err(UblError::Missing {
            field: "vat",
            why: "an invoice has at least one VAT breakdown (BR-CO-18)",
        });
    }
    if doc.due_minor > 0 && doc.due_date.trim().is_empty() && doc.payment_terms.trim().is_empty() {
        return Err(UblError::Missing {
            field: "payment_terms",
            why: "an amount due needs a due date or payment terms (BR-CO-25)",
        });
    }
    Ok(())
}

fn check_party(party: &DocumentParty, role: &'static str) -> Result<(), UblError> {
    let (name, country) = match role {
        "seller" => ("seller.name", "seller.country"),
        _ => ("buyer.name", "buyer.country"),
    };
    required(&party.name, name, "BR-06, BR-07")?;
    required(&party.country, country, "BR-09, BR-11")?;
    let code = party.country.trim();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(UblError::Invalid {
            field: country,
            reason: format!("{:?} is not an ISO 3166-1 alpha-2 code", party.country),
        });
    }
    Ok(())
}

/// The parties' fields each category needs.
fn check_category(doc: &InvoiceDocument, category: VatCategory) -> Result<(), UblError> {
    let seller_vat = || {
        required(
            &doc.seller.vat_id,
            "seller.vat_id",
            "VAT categories S, Z, E, AE, K and G need the seller's VAT identifier \
             (BR-S-02, BR-Z-02, BR-E-02, BR-AE-02, BR-IC-02, BR-G-02)",
        )
    };
    match category {
        VatCategory::S | VatCategory::Z | VatCategory::E | VatCategory::G => seller_vat(),
        VatCategory::AE => {
            seller_vat()?;
            if doc.buyer.vat_id.trim().is_empty() && doc.buyer.legal_id.trim().is_empty() {
                return Err(UblError::Missing {
                    field: "buyer.vat_id",
                    why: "reverse charge needs the buyer's VAT identifier or legal \
                          registration (BR-AE-02)",
                });
            }
            Ok(())
        }
        VatCategory::K => {
            seller_vat()?;
            required(
                &doc.buyer.vat_id,
                "buyer.vat_id",
                "intra-community supply needs the buyer's VAT identifier (BR-IC-02)",
            )?;
            required(
                &doc.delivery_date,
                "delivery_date",
                "intra-community supply needs the delivery date (BR-IC-11)",
            )
        }
        VatCategory::O => required(
            &doc.seller.legal_id,
            "seller.legal_id",
            "without VAT identifiers the seller is named by its legal registration (BR-CO-26)",
        ),
    }
}

fn check_lines(doc: &InvoiceDocument, facts: &Facts) -> Result<(), UblError> {
    for (line, category) in doc.lines.iter().zip(&facts.line_categories) {
        required(
            &line.description,
            "lines.description",
            "every item has a name (BR-25)",
        )?;
        required(
            &line.unit_code,
            "lines.unit_code",
            "every quantity has a unit (BR-23)",
        )?;
        if line.unit_price_minor < 0 {
            return Err(UblError::Invalid {
                field: "lines.unit_price_minor",
                reason: format!("line {}: a price is never negative (BR-27)", line.line_no),
            });
        }
        check_rate(*category, line.vat_basis_points, "lines.vat_basis_points")?;
        amount_text(line.line_net_minor, &doc.currency)?;
        let breakdown = doc.vat.iter().zip(&facts.vat_categories).any(|(v, c)| {
            c == category
                && (*category != VatCategory::S || v.vat_basis_points == line.vat_basis_points)
        });
        if !breakdown {
            return Err(UblError::Inconsistent(format!(
                "line {} has VAT {} at {} basis points, but no VAT breakdown does \
                 (BR-S-01 and siblings)",
                line.line_no,
                category.code(),
                line.vat_basis_points
            )));
        }
    }
    Ok(())
}

fn check_breakdowns(doc: &InvoiceDocument, facts: &Facts) -> Result<(), UblError> {
    for (vat, category) in doc.vat.iter().zip(&facts.vat_categories) {
        check_rate(*category, vat.vat_basis_points, "vat.vat_basis_points")?;
        if category.needs_exemption_reason() && vat.exemption_reason.trim().is_empty() {
            return Err(UblError::Missing {
                field: "vat.exemption_reason",
                why: "VAT categories E, AE, K, G and O state why no VAT is charged \
                      (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10)",
            });
        }
        if *category != VatCategory::S && vat.vat_minor != 0 {
            return Err(UblError::Inconsistent(format!(
                "VAT category {} charges no VAT, but its breakdown has {}",
                category.code(),
                vat.vat_minor
            )));
        }
        let base: i128 = doc
            .lines
            .iter()
            .zip(&facts.line_categories)
            .filter(|(l, c)| *c == category && l.vat_basis_points == vat.vat_basis_points)
            .map(|(l, _)| i128::from(l.line_net_minor))
            .sum();
        if base != i128::from(vat.base_minor) {
            return Err(UblError::Inconsistent(format!(
                "VAT {} at {} basis points: breakdown base {} but its lines sum to {base} \
                 (BR-S-08 and siblings)",
                category.code(),
                vat.vat_basis_points,
                vat.base_minor
            )));
        }
        amount_text(vat.base_minor, &doc.currency)?;
        amount_text(vat.vat_minor, &doc.currency)?;
    }
    Ok(())
}

fn check_totals(doc: &InvoiceDocument) -> Result<(), UblError> {
    // Sums in i128 so that absurd amounts are an error, not an overflow.
    let wide = i128::from;
    let lines: i128 = doc.lines.iter().map(|l| wide(l.line_net_minor)).sum();
    let vat: i128 = doc.vat.iter().map(|v| wide(v.vat_minor)).sum();
    let sums = [
        ("sum of line net amounts", lines, "net_minor", doc.net_minor),
        ("sum of VAT breakdowns", vat, "vat_minor", doc.vat_minor),
        (
            "net + VAT",
            wide(doc.net_minor) + wide(doc.vat_minor),
            "total_minor",
            doc.total_minor,
        ),
        (
            "total - paid",
            wide(doc.total_minor) - wide(doc.paid_minor),
            "due_minor",
            doc.due_minor,
        ),
    ];
    for (what, computed, field, stated) in sums {
        if computed != wide(stated) {
            return Err(UblError::Inconsistent(format!(
                "{what} is {computed}, but {field} is {stated} (BR-CO-10..16)"
            )));
        }
    }
    for minor in [
        doc.net_minor,
        doc.vat_minor,
        doc.total_minor,
        doc.paid_minor,
        doc.due_minor,
    ] {
        amount_text(minor, &doc.currency)?;
    }
    Ok(())
}

/// S charges a positive rate (BR-S-05); every other category charges none.
fn check_rate(
    category: VatCategory,
    basis_points: i64,
    field: &'static str,
) -> Result<(), UblError> {
    let ok = match category {
        VatCategory::S => basis_points > 0,
        _ => basis_points == 0,
    };
    if ok {
        Ok(())
    } else {
        Err(UblError::Invalid {
            field,
            reason: format!(
                "VAT category {} cannot have a rate of {basis_points} basis points",
                category.code()
            ),
        })
    }
}

fn required(value: &str, field: &'static str, why: &'static str) -> Result<(), UblError> {
    if value.trim().is_empty() {
        Err(UblError::Missing { field, why })
    } else {
        Ok(())
    }
}

/// `YYYY-MM-DD`, as xs:date wants it.
fn date(value: &str, field: &'static str) -> Result<(), UblError> {
    let ok = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if ok {
        Ok(())
    } else {
        Err(UblError::Invalid {
            field,
            reason: format!("{value:?} is not a YYYY-MM-DD date"),
        })
    }
}

//! Payslips: one employee's lines of one payroll run, with the totals.

use serde_json::{Value, json};

use crate::PdfError;
use crate::parts::LOCALE;

/// The Typst template of payslips (`templates/payslip.typ`).
pub const PAYSLIP_TEMPLATE: &str = include_str!("../templates/payslip.typ");

/// What a payslip shows; amounts in minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayslipDocument {
    pub company: String,
    pub number: String,
    /// `YYYY-MM`.
    pub period: String,
    pub employee: String,
    pub employee_number: String,
    pub currency: String,
    /// A correction run's payslip shows differences, and says so.
    pub correction: bool,
    /// The employee's last payslip.
    pub is_final: bool,
    /// Days paid and days in the period.
    pub days: (i64, i64),
    /// Name, kind, base and amount of each line.
    pub lines: Vec<(String, String, Option<i64>, i64)>,
    pub gross_minor: i64,
    pub deductions_minor: i64,
    pub net_minor: i64,
    pub employer_minor: i64,
}

/// A payslip as an A4 PDF.
pub fn payslip_pdf(doc: &PayslipDocument) -> Result<Vec<u8>, PdfError> {
    crate::render(PAYSLIP_TEMPLATE, &payslip_data(doc))
}

/// The data the payslip template reads from `sys.inputs.data`.
pub fn payslip_data(doc: &PayslipDocument) -> Value {
    let money = |minor: i64| LOCALE.money(minor, &doc.currency);
    let note = match (doc.correction, doc.is_final) {
        (true, _) => "Correction: the amounts are the differences to what this period paid before.",
        (false, true) => "Final payslip.",
        (false, false) => "",
    };
    json!({
        "title": if doc.correction { "Payslip correction" } else { "Payslip" },
        "company": doc.company,
        "number": doc.number,
        "period": doc.period,
        "employee": doc.employee,
        "employee_number": doc.employee_number,
        "days": format!("{} of {}", doc.days.0, doc.days.1),
        "note": note,
        "lines": doc.lines.iter().map(|(name, kind, base, amount)| json!({
            "name": name,
            "kind": kind.replace('_', " "),
            "base": base.map(money).unwrap_or_default(),
            "amount": money(*amount),
        })).collect::<Vec<_>>(),
        "gross": money(doc.gross_minor),
        "deductions": money(doc.deductions_minor),
        "net": money(doc.net_minor),
        "employer": money(doc.employer_minor),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payslip_renders_and_places_names_as_text() {
        let doc = PayslipDocument {
            company: "Nordwind GmbH".into(),
            number: "PR-2026-03/E-0001".into(),
            period: "2026-03".into(),
            employee: "#panic() *Ana*".into(),
            employee_number: "E-0001".into(),
            currency: "EUR".into(),
            correction: false,
            is_final: true,
            days: (31, 31),
            lines: vec![
                ("Basic salary".into(), "earning".into(), None, 300_000),
                (
                    "Income tax".into(),
                    "income_tax".into(),
                    Some(285_200),
                    40_373,
                ),
            ],
            gross_minor: 300_000,
            deductions_minor: 40_373,
            net_minor: 259_627,
            employer_minor: 0,
        };
        let pdf = payslip_pdf(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(payslip_data(&doc)["note"], "Final payslip.");
    }
}

//! Warehouses and stock: where goods are kept, how many of each product lie
//! there, how many of those are promised to orders, and the moves that
//! changed the count.
//!
//! Quantities are whole numbers in the product's unit (pieces, kilograms,
//! metres, …): Seam does not count fractions of a unit. A move is never
//! changed once posted; a wrong count is corrected by an adjustment.
//!
//! What the rules guarantee for every product and warehouse:
//! `0 <= reserved <= on_hand`, and `available = on_hand - reserved`.

use crate::FieldErrors;
use crate::ledger::Date;
use crate::party::NAME_CHARS_MAX;

pub const WAREHOUSE_CODE_CHARS_MAX: usize = 20;
/// Longest reference (delivery note, supplier invoice) or reason text.
pub const MOVE_TEXT_CHARS_MAX: usize = 300;
/// The largest quantity one move may carry: far beyond any real receipt,
/// small enough that sums of many moves stay far from `i64::MAX`.
pub const MOVE_QTY_MAX: i64 = 1_000_000_000;
/// The warehouse every new database starts with.
pub const MAIN_WAREHOUSE: &str = "MAIN";

/// Why stock changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// Goods arrived (from a supplier, or opening stock): positive.
    Receipt,
    /// A stock count correction: either sign, never zero, always with a reason.
    Adjustment,
    /// Goods left (shipped to a customer): negative.
    Issue,
    /// A customer sent goods back: positive.
    Return,
}

impl MoveKind {
    pub const ALL: [MoveKind; 4] = [
        MoveKind::Receipt,
        MoveKind::Adjustment,
        MoveKind::Issue,
        MoveKind::Return,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MoveKind::Receipt => "receipt",
            MoveKind::Adjustment => "adjustment",
            MoveKind::Issue => "issue",
            MoveKind::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<MoveKind> {
        MoveKind::ALL.into_iter().find(|k| k.name() == s.trim())
    }
}

/// A warehouse as typed into a form.
#[derive(Debug, Clone, Default)]
pub struct WarehouseDraft {
    pub code: String,
    pub name: String,
}

/// A warehouse that passed [`validate_warehouse`]: the code is upper case
/// letters, digits and dashes; the name is not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidWarehouse {
    pub code: String,
    pub name: String,
}

/// Errors name `code` or `name`.
pub fn validate_warehouse(draft: &WarehouseDraft) -> Result<ValidWarehouse, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = draft.code.trim().to_ascii_uppercase();
    if code.is_empty() {
        errors.add("code", "error-required");
    } else if code.chars().count() > WAREHOUSE_CODE_CHARS_MAX
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.add("code", "error-warehouse-code");
    }
    let name = draft.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "error-required");
    } else if name.chars().count() > NAME_CHARS_MAX {
        errors.add("name", "error-too-long");
    }
    errors.into_result(ValidWarehouse { code, name })
}

/// A receipt or an adjustment as typed: the product and warehouse are the
/// app layer's to find; these are the fields the rules check.
#[derive(Debug, Clone, Default)]
pub struct MoveDraft {
    pub qty: String,
    pub date: String,
    /// The reference of a receipt, the reason of an adjustment.
    pub text: String,
}

/// A move that passed its kind's rules. Fields are private: only
/// [`validate_receipt`] and [`validate_adjustment`] build one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMove {
    /// Receipt or adjustment.
    kind: MoveKind,
    /// Signed change of on-hand stock, never zero, at most [`MOVE_QTY_MAX`] either way.
    qty: i64,
    date: Date,
    /// Trimmed; never empty for an adjustment.
    text: String,
}

impl ValidMove {
    pub fn kind(&self) -> MoveKind {
        self.kind
    }
    pub fn qty(&self) -> i64 {
        self.qty
    }
    pub fn date(&self) -> Date {
        self.date
    }
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Reads a whole quantity: `12`, `-3`, ` 4 `. Fractions and words are refused.
pub fn parse_qty(text: &str) -> Result<i64, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("error-required");
    }
    let qty: i64 = text.parse().map_err(|_| "error-qty")?;
    if qty.abs() > MOVE_QTY_MAX {
        return Err("error-qty-too-large");
    }
    Ok(qty)
}

fn common(draft: &MoveDraft, errors: &mut FieldErrors) -> (Option<i64>, Option<Date>, String) {
    let qty = match parse_qty(&draft.qty) {
        Ok(q) => Some(q),
        Err(code) => {
            errors.add("qty", code);
            None
        }
    };
    let date = Date::parse(&draft.date);
    if date.is_none() {
        errors.add("date", "error-date");
    }
    let text = draft.text.trim().to_owned();
    (qty, date, text)
}

/// A receipt brings a positive quantity; its reference may be empty.
/// Errors name `qty`, `date` or `reference`.
pub fn validate_receipt(draft: &MoveDraft) -> Result<ValidMove, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (qty, date, text) = common(draft, &mut errors);
    if qty.is_some_and(|q| q <= 0) {
        errors.add("qty", "error-qty-positive");
    }
    if text.chars().count() > MOVE_TEXT_CHARS_MAX {
        errors.add("reference", "error-too-long");
    }
    match (qty, date, errors.is_empty()) {
        (Some(qty), Some(date), true) => Ok(ValidMove {
            kind: MoveKind::Receipt,
            qty,
            date,
            text,
        }),
        _ => Err(errors),
    }
}

/// An adjustment changes the count by a non-zero delta and says why.
/// Errors name `qty`, `date` or `reason`.
pub fn validate_adjustment(draft: &MoveDraft) -> Result<ValidMove, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (qty, date, text) = common(draft, &mut errors);
    if qty == Some(0) {
        errors.add("qty", "error-qty-zero");
    }
    if text.is_empty() {
        errors.add("reason", "error-required");
    } else if text.chars().count() > MOVE_TEXT_CHARS_MAX {
        errors.add("reason", "error-too-long");
    }
    match (qty, date, errors.is_empty()) {
        (Some(qty), Some(date), true) => Ok(ValidMove {
            kind: MoveKind::Adjustment,
            qty,
            date,
            text,
        }),
        _ => Err(errors),
    }
}

/// How much of a product lies in one warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Level {
    pub on_hand: i64,
    pub reserved: i64,
}

impl Level {
    /// What can still be promised: on hand less what is reserved.
    pub fn available(self) -> i64 {
        self.on_hand - self.reserved
    }

    /// True when the level keeps `0 <= reserved <= on_hand`.
    pub fn is_consistent(self) -> bool {
        self.reserved >= 0 && self.reserved <= self.on_hand
    }

    /// The level after on-hand stock changes by `delta`, or the message key
    /// saying why it may not: below zero, or below what is reserved.
    pub fn after(self, delta: i64) -> Result<Level, &'static str> {
        let on_hand = self
            .on_hand
            .checked_add(delta)
            .ok_or("error-qty-too-large")?;
        if on_hand < 0 {
            return Err("error-stock-negative");
        }
        if on_hand < self.reserved {
            return Err("error-stock-below-reserved");
        }
        Ok(Level {
            on_hand,
            reserved: self.reserved,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(qty: &str, date: &str, text: &str) -> MoveDraft {
        MoveDraft {
            qty: qty.into(),
            date: date.into(),
            text: text.into(),
        }
    }

    #[test]
    fn receipts_bring_positive_whole_quantities() {
        let ok = validate_receipt(&draft("12", "2026-03-01", " DN-1 ")).unwrap();
        assert_eq!(ok.qty(), 12);
        assert_eq!(ok.text(), "DN-1");
        assert_eq!(ok.kind(), MoveKind::Receipt);
        for (qty, code) in [
            ("0", "error-qty-positive"),
            ("-1", "error-qty-positive"),
            ("1.5", "error-qty"),
            ("", "error-required"),
            ("2000000000", "error-qty-too-large"),
        ] {
            let errors = validate_receipt(&draft(qty, "2026-03-01", "")).unwrap_err();
            assert_eq!(errors.for_field("qty"), Some(code), "{qty}");
        }
        let errors = validate_receipt(&draft("1", "2026-02-30", "")).unwrap_err();
        assert_eq!(errors.for_field("date"), Some("error-date"));
    }

    #[test]
    fn adjustments_need_a_delta_and_a_reason() {
        let ok = validate_adjustment(&draft("-3", "2026-03-01", "Count")).unwrap();
        assert_eq!(ok.qty(), -3);
        let errors = validate_adjustment(&draft("0", "2026-03-01", " ")).unwrap_err();
        assert_eq!(errors.for_field("qty"), Some("error-qty-zero"));
        assert_eq!(errors.for_field("reason"), Some("error-required"));
    }

    #[test]
    fn available_is_on_hand_less_reserved_and_never_goes_below_it() {
        let level = Level {
            on_hand: 10,
            reserved: 4,
        };
        assert_eq!(level.available(), 6);
        assert_eq!(level.after(-6).unwrap().on_hand, 4);
        assert_eq!(level.after(-7), Err("error-stock-below-reserved"));
        assert_eq!(Level::default().after(-1), Err("error-stock-negative"));
        assert!(level.is_consistent());
    }

    #[test]
    fn warehouse_codes_are_upper_case_words() {
        let ok = validate_warehouse(&WarehouseDraft {
            code: " north-2 ".into(),
            name: "North".into(),
        })
        .unwrap();
        assert_eq!(ok.code, "NORTH-2");
        let errors = validate_warehouse(&WarehouseDraft {
            code: "a b".into(),
            name: String::new(),
        })
        .unwrap_err();
        assert_eq!(errors.for_field("code"), Some("error-warehouse-code"));
        assert_eq!(errors.for_field("name"), Some("error-required"));
    }
}

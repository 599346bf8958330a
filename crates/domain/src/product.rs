//! Products (the goods and services the business sells) and the VAT rates
//! they are sold under.
//!
//! A product's prices are exact minor units of one currency. Its tax rate
//! and revenue account are references by code; whether they exist is the
//! app layer's question, since it needs the database.
//!
//! Tax rates follow the VAT categories of EN 16931 (UNCL 5305 subset): a
//! standard rate has a positive percentage, every other category has none,
//! and the categories that are not taxed at all (exempt, reverse charge,
//! intra-community supply, export, outside the scope) must say why on the
//! invoice, so their rate carries that reason.

use crate::FieldErrors;
use crate::ledger::{parse_amount, parse_currency};
use crate::party::NAME_CHARS_MAX;

pub const SKU_CHARS_MAX: usize = 40;
pub const TAX_CODE_CHARS_MAX: usize = 10;
pub const EXEMPTION_REASON_CHARS_MAX: usize = 300;
/// 100 %: no VAT rate is higher.
pub const RATE_BP_MAX: i64 = 10_000;

/// Revenue account of goods unless the product names another.
pub const GOODS_REVENUE_ACCOUNT: &str = "4000";
/// Revenue account of services unless the product names another.
pub const SERVICE_REVENUE_ACCOUNT: &str = "4100";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    Goods,
    Service,
}

impl ProductKind {
    pub const ALL: [ProductKind; 2] = [ProductKind::Goods, ProductKind::Service];

    pub fn name(self) -> &'static str {
        match self {
            ProductKind::Goods => "goods",
            ProductKind::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<ProductKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "goods" | "good" => Some(ProductKind::Goods),
            "service" | "services" => Some(ProductKind::Service),
            _ => None,
        }
    }

    /// Where its sales are booked when the product does not say.
    pub fn default_revenue_account(self) -> &'static str {
        match self {
            ProductKind::Goods => GOODS_REVENUE_ACCOUNT,
            ProductKind::Service => SERVICE_REVENUE_ACCOUNT,
        }
    }
}

/// The units of measure Seam offers, as UN/ECE Recommendation 20 codes (what
/// an EN 16931 invoice line carries). Only these are accepted, so every
/// product's unit is one an e-invoice receiver knows.
pub const UNITS: [&str; 9] = [
    "C62", // one (a piece)
    "HUR", // hour
    "MIN", // minute
    "DAY", // day
    "MON", // month
    "KGM", // kilogram
    "MTR", // metre
    "MTK", // square metre
    "LTR", // litre
];

/// `c62` or ` C62 ` as `C62`; `None` for a unit Seam does not offer.
pub fn parse_unit(text: &str) -> Option<&'static str> {
    let code = text.trim().to_ascii_uppercase();
    UNITS.into_iter().find(|u| *u == code)
}

/// A product as typed: every field still text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductDraft {
    pub sku: String,
    pub name: String,
    /// `goods` or `service`.
    pub kind: String,
    /// A UN/ECE Rec 20 code from [`UNITS`].
    pub unit: String,
    /// ISO 4217; the currency of both prices.
    pub currency: String,
    pub list_price: String,
    /// Empty means zero (a service often has no standard cost).
    pub standard_cost: String,
    /// The tax rate's code, e.g. `S25`.
    pub tax_rate: String,
    /// An account code; empty means the kind's default (4000 goods, 4100 services).
    pub revenue_account: String,
}

/// A product whose every field passed the rules. Its tax rate and revenue
/// account still have to exist; the app checks that against the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProduct {
    /// Upper case: letters, digits, `.`, `-`, `_`.
    pub sku: String,
    pub name: String,
    pub kind: ProductKind,
    pub unit: &'static str,
    pub currency: String,
    pub list_price_minor: i64,
    pub standard_cost_minor: i64,
    /// Upper case.
    pub tax_rate: String,
    pub revenue_account: String,
}

/// `ab-100` as `AB-100`; `None` when empty, too long or holding other characters.
pub fn normalize_sku(text: &str) -> Option<String> {
    let sku = text.trim().to_ascii_uppercase();
    let ok = !sku.is_empty()
        && sku.chars().count() <= SKU_CHARS_MAX
        && sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    ok.then_some(sku)
}

fn check_name(name: &str, errors: &mut FieldErrors) -> String {
    let name = name.trim();
    if name.is_empty() {
        errors.add("name", "error-required");
    } else if name.chars().count() > NAME_CHARS_MAX {
        errors.add("name", "error-too-long");
    }
    name.to_owned()
}

/// Reads a price of `currency`; `empty` is what a blank field means (`None`: required).
fn check_price(
    field: &str,
    text: &str,
    currency: &str,
    empty: Option<i64>,
    errors: &mut FieldErrors,
) -> i64 {
    if text.trim().is_empty() {
        return empty.unwrap_or_else(|| {
            errors.add(field, "error-required");
            0
        });
    }
    parse_amount(text, currency).unwrap_or_else(|code| {
        errors.add(field, code);
        0
    })
}

/// Checks every field and reports every problem at once.
pub fn validate_product(draft: &ProductDraft) -> Result<ValidProduct, FieldErrors> {
    let mut errors = FieldErrors::new();
    let sku = if draft.sku.trim().is_empty() {
        errors.add("sku", "error-required");
        None
    } else {
        let sku = normalize_sku(&draft.sku);
        if sku.is_none() {
            errors.add("sku", "error-sku");
        }
        sku
    };
    let name = check_name(&draft.name, &mut errors);
    let kind = ProductKind::parse(&draft.kind);
    if kind.is_none() {
        errors.add("kind", "error-product-kind");
    }
    let unit = parse_unit(&draft.unit);
    if unit.is_none() {
        errors.add("unit", "error-unit");
    }
    let currency = parse_currency(&draft.currency);
    if currency.is_none() {
        errors.add("currency", "error-currency");
    }
    // Amounts are read in the currency typed, or in a two-decimal one while it is wrong,
    // so a bad currency and a bad price are both reported.
    let amounts_in = currency.clone().unwrap_or_else(|| "EUR".to_owned());
    let list_price_minor = check_price(
        "list_price",
        &draft.list_price,
        &amounts_in,
        None,
        &mut errors,
    );
    let standard_cost_minor = check_price(
        "standard_cost",
        &draft.standard_cost,
        &amounts_in,
        Some(0),
        &mut errors,
    );
    let tax_rate = draft.tax_rate.trim().to_ascii_uppercase();
    if tax_rate.is_empty() {
        errors.add("tax_rate", "error-required");
    } else if normalize_tax_code(&tax_rate).is_none() {
        errors.add("tax_rate", "error-unknown-tax-rate");
    }
    let revenue_account = draft.revenue_account.trim();
    if revenue_account.chars().count() > crate::ledger::ACCOUNT_CODE_CHARS_MAX {
        errors.add("revenue_account", "error-account-code");
    }
    let (Some(sku), Some(kind), Some(unit), Some(currency)) = (sku, kind, unit, currency) else {
        return Err(errors);
    };
    let revenue_account = if revenue_account.is_empty() {
        kind.default_revenue_account().to_owned()
    } else {
        revenue_account.to_owned()
    };
    errors.into_result(ValidProduct {
        sku,
        name,
        kind,
        unit,
        currency,
        list_price_minor,
        standard_cost_minor,
        tax_rate,
        revenue_account,
    })
}

/// The VAT categories of EN 16931 (BT-151), by their UNCL 5305 codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VatCategory {
    /// S: standard (or reduced) rate.
    Standard,
    /// Z: zero rated goods.
    ZeroRated,
    /// E: exempt from VAT.
    Exempt,
    /// AE: VAT reverse charge; the buyer accounts for it.
    ReverseCharge,
    /// K: intra-community supply of goods and services (EEA).
    IntraCommunity,
    /// G: export outside the EU.
    Export,
    /// O: services outside the scope of VAT.
    OutsideScope,
}

impl VatCategory {
    pub const ALL: [VatCategory; 7] = [
        VatCategory::Standard,
        VatCategory::ZeroRated,
        VatCategory::Exempt,
        VatCategory::ReverseCharge,
        VatCategory::IntraCommunity,
        VatCategory::Export,
        VatCategory::OutsideScope,
    ];

    /// The UNCL 5305 code an invoice carries.
    pub fn code(self) -> &'static str {
        match self {
            VatCategory::Standard => "S",
            VatCategory::ZeroRated => "Z",
            VatCategory::Exempt => "E",
            VatCategory::ReverseCharge => "AE",
            VatCategory::IntraCommunity => "K",
            VatCategory::Export => "G",
            VatCategory::OutsideScope => "O",
        }
    }

    pub fn parse(s: &str) -> Option<VatCategory> {
        let code = s.trim().to_ascii_uppercase();
        VatCategory::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Only the standard category charges a percentage; every other one has rate 0.
    pub fn is_taxed(self) -> bool {
        self == VatCategory::Standard
    }

    /// EN 16931 wants an exemption reason on the invoice for these (BR-E-10,
    /// BR-AE-10, BR-IC-10, BR-G-10, BR-O-10), and forbids one for S and Z.
    pub fn needs_exemption_reason(self) -> bool {
        !matches!(self, VatCategory::Standard | VatCategory::ZeroRated)
    }
}

/// A tax rate as typed. The rate is a percentage (`25`, `12.5`, `5,55`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaxRateDraft {
    pub code: String,
    pub name: String,
    pub category: String,
    /// Percent; empty means 0 (every category but S).
    pub rate: String,
    pub exemption_reason: String,
}

/// A tax rate that keeps the category rules: only these reach the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTaxRate {
    pub code: String,
    pub name: String,
    pub category: VatCategory,
    /// Basis points: 2500 is 25 %. Positive for S, zero otherwise.
    pub rate_bp: i64,
    /// Present exactly when the category needs one.
    pub exemption_reason: Option<String>,
}

/// `s25` as `S25`: 1 to 10 letters, digits, `.`, `-` or `_`, upper case.
pub fn normalize_tax_code(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    let ok = !code.is_empty()
        && code.chars().count() <= TAX_CODE_CHARS_MAX
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    ok.then_some(code)
}

/// Reads a percentage with at most two decimals as basis points: `25` is
/// 2500, `12,5` is 1250. Refuses signs, more decimals and more than 100 %.
pub fn parse_rate_bp(text: &str) -> Result<i64, &'static str> {
    let text = text.trim().trim_end_matches('%').trim();
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 3 || !digits_only(whole) || !digits_only(fraction) {
        return Err("error-tax-rate-percent");
    }
    if fraction.len() > 2 {
        return Err("error-tax-rate-decimals");
    }
    let whole: i64 = whole.parse().map_err(|_| "error-tax-rate-percent")?;
    let fraction: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| "error-tax-rate-percent")?;
    let bp = whole * 100 + fraction;
    if bp > RATE_BP_MAX {
        return Err("error-tax-rate-percent");
    }
    Ok(bp)
}

/// Basis points as a plain percentage without trailing zeros: `2500` as `25`, `1250` as `12.5`.
pub fn format_rate(bp: i64) -> String {
    let (whole, fraction) = (bp / 100, (bp % 100).abs());
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

/// Checks every field and the category's rules, and reports every problem at once.
pub fn validate_tax_rate(draft: &TaxRateDraft) -> Result<ValidTaxRate, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = if draft.code.trim().is_empty() {
        errors.add("code", "error-required");
        None
    } else {
        let code = normalize_tax_code(&draft.code);
        if code.is_none() {
            errors.add("code", "error-tax-code");
        }
        code
    };
    let name = check_name(&draft.name, &mut errors);
    let category = VatCategory::parse(&draft.category);
    if category.is_none() {
        errors.add("category", "error-vat-category");
    }
    let rate_bp = if draft.rate.trim().is_empty() {
        None
    } else {
        parse_rate_bp(&draft.rate)
            .map_err(|code| errors.add("rate", code))
            .ok()
    };
    let reason = draft.exemption_reason.trim();
    if reason.chars().count() > EXEMPTION_REASON_CHARS_MAX {
        errors.add("exemption_reason", "error-too-long");
    }
    let (Some(code), Some(category)) = (code, category) else {
        return Err(errors);
    };
    match (category.is_taxed(), rate_bp) {
        (true, None) if draft.rate.trim().is_empty() => errors.add("rate", "error-required"),
        (true, Some(0)) => errors.add("rate", "error-vat-rate-positive"),
        (false, Some(bp)) if bp != 0 => errors.add("rate", "error-vat-rate-zero"),
        _ => {}
    }
    match (category.needs_exemption_reason(), reason.is_empty()) {
        (true, true) => errors.add("exemption_reason", "error-exemption-reason-required"),
        (false, false) => errors.add("exemption_reason", "error-exemption-reason-not-allowed"),
        _ => {}
    }
    errors.into_result(ValidTaxRate {
        code,
        name,
        category,
        rate_bp: rate_bp.unwrap_or(0),
        exemption_reason: (!reason.is_empty()).then(|| reason.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coffee() -> ProductDraft {
        ProductDraft {
            sku: " esp-1kg ".into(),
            name: " Espresso beans 1 kg ".into(),
            kind: "goods".into(),
            unit: "c62".into(),
            currency: "eur".into(),
            list_price: "24,90".into(),
            standard_cost: String::new(),
            tax_rate: "s12".into(),
            revenue_account: String::new(),
        }
    }

    #[test]
    fn a_product_is_normalised_and_its_revenue_account_follows_its_kind() {
        let p = validate_product(&coffee()).unwrap();
        assert_eq!(p.sku, "ESP-1KG");
        assert_eq!(p.name, "Espresso beans 1 kg");
        assert_eq!(p.unit, "C62");
        assert_eq!(p.currency, "EUR");
        assert_eq!(p.list_price_minor, 2490);
        assert_eq!(p.standard_cost_minor, 0, "a blank cost is zero");
        assert_eq!(p.tax_rate, "S12");
        assert_eq!(p.revenue_account, "4000");
        let mut service = coffee();
        service.kind = "service".into();
        service.unit = "HUR".into();
        assert_eq!(validate_product(&service).unwrap().revenue_account, "4100");
        service.revenue_account = " 4150 ".into();
        assert_eq!(validate_product(&service).unwrap().revenue_account, "4150");
    }

    #[test]
    fn every_bad_product_field_is_reported_at_once() {
        let draft = ProductDraft {
            sku: "no spaces/allowed".into(),
            kind: "robot".into(),
            unit: "bucket".into(),
            currency: "euro".into(),
            list_price: "-1".into(),
            standard_cost: "1.2.3".into(),
            ..ProductDraft::default()
        };
        let errors = validate_product(&draft).unwrap_err();
        assert_eq!(errors.for_field("sku"), Some("error-sku"));
        assert_eq!(errors.for_field("name"), Some("error-required"));
        assert_eq!(errors.for_field("kind"), Some("error-product-kind"));
        assert_eq!(errors.for_field("unit"), Some("error-unit"));
        assert_eq!(errors.for_field("currency"), Some("error-currency"));
        assert_eq!(errors.for_field("list_price"), Some("error-amount"));
        assert_eq!(errors.for_field("standard_cost"), Some("error-amount"));
        assert_eq!(errors.for_field("tax_rate"), Some("error-required"));
    }

    #[test]
    fn skus_are_one_to_forty_safe_characters() {
        assert_eq!(normalize_sku("a.b-c_1").as_deref(), Some("A.B-C_1"));
        assert_eq!(normalize_sku(&"x".repeat(40)).map(|s| s.len()), Some(40));
        assert_eq!(normalize_sku(&"x".repeat(41)), None);
        assert_eq!(normalize_sku("kaffe#1"), None);
        assert_eq!(normalize_sku("ÅÄÖ"), None);
        assert_eq!(normalize_sku("  "), None);
        let mut draft = coffee();
        draft.list_price = "24.999".into();
        assert_eq!(
            validate_product(&draft)
                .unwrap_err()
                .for_field("list_price"),
            Some("error-amount-decimals")
        );
        draft.list_price = "2500".into();
        draft.currency = "JPY".into();
        assert_eq!(validate_product(&draft).unwrap().list_price_minor, 2500);
    }

    fn rate(code: &str, category: &str, rate: &str, reason: &str) -> TaxRateDraft {
        TaxRateDraft {
            code: code.into(),
            name: "A rate".into(),
            category: category.into(),
            rate: rate.into(),
            exemption_reason: reason.into(),
        }
    }

    #[test]
    fn rates_are_read_as_basis_points_and_written_back_without_trailing_zeros() {
        assert_eq!(parse_rate_bp("25"), Ok(2500));
        assert_eq!(parse_rate_bp("12,5"), Ok(1250));
        assert_eq!(parse_rate_bp("5.55 %"), Ok(555));
        assert_eq!(parse_rate_bp("0"), Ok(0));
        assert_eq!(parse_rate_bp("100"), Ok(10_000));
        assert_eq!(parse_rate_bp("100.01"), Err("error-tax-rate-percent"));
        assert_eq!(parse_rate_bp("-5"), Err("error-tax-rate-percent"));
        assert_eq!(parse_rate_bp("7.125"), Err("error-tax-rate-decimals"));
        assert_eq!(format_rate(2500), "25");
        assert_eq!(format_rate(1250), "12.5");
        assert_eq!(format_rate(555), "5.55");
        assert_eq!(format_rate(5), "0.05");
    }

    #[test]
    fn only_the_standard_category_charges_a_rate() {
        let s = validate_tax_rate(&rate("s25", "s", "25", "")).unwrap();
        assert_eq!(
            (s.code.as_str(), s.category, s.rate_bp),
            ("S25", VatCategory::Standard, 2500)
        );
        let errors = |d: TaxRateDraft| validate_tax_rate(&d).unwrap_err();
        assert_eq!(
            errors(rate("S0", "S", "0", "")).for_field("rate"),
            Some("error-vat-rate-positive")
        );
        assert_eq!(
            errors(rate("S", "S", "", "")).for_field("rate"),
            Some("error-required")
        );
        assert_eq!(
            errors(rate("Z5", "Z", "5", "")).for_field("rate"),
            Some("error-vat-rate-zero")
        );
        let z = validate_tax_rate(&rate("Z0", "z", "", "")).unwrap();
        assert_eq!((z.rate_bp, z.exemption_reason), (0, None));
    }

    #[test]
    fn untaxed_categories_need_an_exemption_reason_and_taxed_ones_refuse_it() {
        for category in ["E", "AE", "K", "G", "O"] {
            assert_eq!(
                validate_tax_rate(&rate("X", category, "0", ""))
                    .unwrap_err()
                    .for_field("exemption_reason"),
                Some("error-exemption-reason-required"),
                "{category}"
            );
            let ok = validate_tax_rate(&rate("X", category, "", " Reverse charge ")).unwrap();
            assert_eq!(ok.exemption_reason.as_deref(), Some("Reverse charge"));
            assert_eq!(ok.category.code(), category);
        }
        for category in ["S", "Z"] {
            let rate_text = if category == "S" { "25" } else { "0" };
            assert_eq!(
                validate_tax_rate(&rate("X", category, rate_text, "why"))
                    .unwrap_err()
                    .for_field("exemption_reason"),
                Some("error-exemption-reason-not-allowed"),
                "{category}"
            );
        }
        let bad = validate_tax_rate(&TaxRateDraft::default()).unwrap_err();
        assert_eq!(bad.for_field("code"), Some("error-required"));
        assert_eq!(bad.for_field("category"), Some("error-vat-category"));
        assert_eq!(
            validate_tax_rate(&rate("S 25!", "S", "25", ""))
                .unwrap_err()
                .for_field("code"),
            Some("error-tax-code")
        );
    }
}

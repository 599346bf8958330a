//! Sales orders: what a customer ordered, the states an order moves through,
//! the rules for its lines, and its totals.
//!
//! States: `draft` → `confirmed` → `cancelled`, `draft` → `cancelled`, and
//! `confirmed` → `shipped` once every line has shipped. Confirming gives the
//! order its number and reserves its goods; cancelling a confirmed order
//! gives the reservations back; shipping takes the goods out (a partly
//! shipped order stays confirmed). Every other move is an
//! [`IllegalTransition`].
//!
//! Totals follow EN 16931: a line's net is quantity × unit price; VAT is
//! computed once per rate on the sum of the line nets at that rate and
//! rounded half to even to the currency's minor unit; the document's net, VAT
//! and total are the sums.

use crate::FieldErrors;
use crate::ledger::parse_amount;

/// The most lines one order may carry.
pub const LINES_MAX: usize = 200;
/// The largest quantity one line may carry.
pub const LINE_QTY_MAX: i64 = 1_000_000;
/// The number series prefix: `SO-2026-000001`.
pub const NUMBER_PREFIX: &str = "SO";

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderState {
    Draft,
    Confirmed,
    Shipped,
    Cancelled,
}

/// A transition an order's state does not allow: confirming anything but a
/// draft, cancelling a cancelled order, editing anything but a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: OrderState,
    pub action: &'static str,
}

impl IllegalTransition {
    /// The message-catalogue key every illegal transition shows.
    pub const CODE: &'static str = "error-order-state";
}

impl std::fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot {} a {} order", self.action, self.from.name())
    }
}

impl std::error::Error for IllegalTransition {}

impl OrderState {
    pub const ALL: [OrderState; 4] = [
        OrderState::Draft,
        OrderState::Confirmed,
        OrderState::Shipped,
        OrderState::Cancelled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OrderState::Draft => "draft",
            OrderState::Confirmed => "confirmed",
            OrderState::Shipped => "shipped",
            OrderState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|k| k.name() == s.trim())
    }

    /// Only a draft may be confirmed.
    pub fn confirm(self) -> Result<OrderState, IllegalTransition> {
        match self {
            OrderState::Draft => Ok(OrderState::Confirmed),
            from => Err(IllegalTransition {
                from,
                action: "confirm",
            }),
        }
    }

    /// A draft or a confirmed order may be cancelled.
    pub fn cancel(self) -> Result<OrderState, IllegalTransition> {
        match self {
            OrderState::Draft | OrderState::Confirmed => Ok(OrderState::Cancelled),
            from => Err(IllegalTransition {
                from,
                action: "cancel",
            }),
        }
    }

    /// Only a confirmed order may ship (partly or wholly); it stays confirmed
    /// until its last line has shipped.
    pub fn ship(self) -> Result<OrderState, IllegalTransition> {
        match self {
            OrderState::Confirmed => Ok(OrderState::Confirmed),
            from => Err(IllegalTransition {
                from,
                action: "ship",
            }),
        }
    }

    /// The last shipment of a confirmed order makes it shipped.
    pub fn ship_complete(self) -> Result<OrderState, IllegalTransition> {
        match self {
            OrderState::Confirmed => Ok(OrderState::Shipped),
            from => Err(IllegalTransition {
                from,
                action: "ship",
            }),
        }
    }

    /// Only a draft's lines may change.
    pub fn edit(self) -> Result<OrderState, IllegalTransition> {
        match self {
            OrderState::Draft => Ok(OrderState::Draft),
            from => Err(IllegalTransition {
                from,
                action: "edit",
            }),
        }
    }

    /// Whether the order holds stock reservations in this state.
    pub fn holds_stock(self) -> bool {
        self == OrderState::Confirmed
    }
}

/// What the rules need to know about the product a line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFacts {
    pub id: i64,
    pub name: String,
    /// Goods are reserved on confirmation; services are not.
    pub is_goods: bool,
    pub archived: bool,
    pub currency: String,
    pub list_price_minor: i64,
    pub tax_rate_code: String,
    pub vat_basis_points: i64,
}

/// A line as typed: the quantity, and a price that may be left empty for
/// the product's list price.
#[derive(Debug, Clone, Default)]
pub struct LineDraft {
    pub qty: String,
    pub unit_price: String,
}

/// A line that passed [`validate_line`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLine {
    pub product_id: i64,
    pub description: String,
    pub is_goods: bool,
    pub qty: i64,
    pub unit_price_minor: i64,
    pub tax_rate_code: String,
    pub vat_basis_points: i64,
    pub line_net_minor: i64,
}

/// The field name of a line's field in errors: `lines[2].qty`. `n` is the
/// line's position in the input, counted from 1.
pub fn line_field(n: usize, field: &str) -> String {
    format!("lines[{n}].{field}")
}

/// Checks one line of an order in `currency`. `product` is `None` when the
/// line names no product that exists. Errors name `lines[n].product`,
/// `lines[n].qty` or `lines[n].unit_price`.
pub fn validate_line(
    n: usize,
    currency: &str,
    product: Option<&ProductFacts>,
    draft: &LineDraft,
) -> Result<ValidLine, FieldErrors> {
    let mut errors = FieldErrors::new();
    let field = |f: &str| line_field(n, f);
    match product {
        None => errors.add(&field("product"), "error-unknown-product"),
        Some(p) if p.archived => errors.add(&field("product"), "error-product-archived"),
        Some(p) if p.currency != currency => {
            errors.add(&field("product"), "error-currency-mismatch")
        }
        Some(_) => {}
    }
    let qty = match draft.qty.trim() {
        "" => {
            errors.add(&field("qty"), "error-required");
            0
        }
        text => match text.parse::<i64>() {
            Ok(q) if q > 0 && q <= LINE_QTY_MAX => q,
            Ok(q) if q > LINE_QTY_MAX => {
                errors.add(&field("qty"), "error-qty-too-large");
                0
            }
            Ok(_) => {
                errors.add(&field("qty"), "error-qty-positive");
                0
            }
            Err(_) => {
                errors.add(&field("qty"), "error-qty-whole");
                0
            }
        },
    };
    let price = match (draft.unit_price.trim(), product) {
        ("", Some(p)) => Some(p.list_price_minor),
        ("", None) => None,
        (text, _) => match parse_amount(text, currency) {
            Ok(minor) => Some(minor),
            Err(code) => {
                errors.add(&field("unit_price"), code);
                None
            }
        },
    };
    let net = price.and_then(|p| p.checked_mul(qty));
    if price.is_some() && qty > 0 && net.is_none() {
        errors.add(&field("unit_price"), "error-amount-too-large");
    }
    match (product, price, net) {
        (Some(p), Some(unit_price_minor), Some(line_net_minor)) if errors.is_empty() => {
            Ok(ValidLine {
                product_id: p.id,
                description: p.name.clone(),
                is_goods: p.is_goods,
                qty,
                unit_price_minor,
                tax_rate_code: p.tax_rate_code.clone(),
                vat_basis_points: p.vat_basis_points,
                line_net_minor,
            })
        }
        _ => Err(errors),
    }
}

/// The VAT at one rate: EN 16931's VAT breakdown line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatBreakdown {
    pub tax_rate_code: String,
    pub vat_basis_points: i64,
    /// Sum of the line nets at this rate.
    pub base_minor: i64,
    /// `base × rate`, rounded half to even.
    pub vat_minor: i64,
}

/// An order's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub net_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    /// One entry per rate, by tax rate code.
    pub breakdown: Vec<VatBreakdown>,
}

/// `n / d` rounded half to even (banker's rounding); `d` must be positive.
pub fn div_round_half_even(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal if q % 2 == 0 => q,
        std::cmp::Ordering::Equal => q + 1,
    }
}

/// VAT on `base` at `bp` basis points, in the same minor units, half to even.
pub fn vat_of(base_minor: i64, bp: i64) -> i64 {
    let vat = div_round_half_even(i128::from(base_minor) * i128::from(bp), 10_000);
    i64::try_from(vat).unwrap_or(i64::MAX)
}

/// Totals of lines given as `(line net, tax rate code, basis points)`.
pub fn totals<'a>(lines: impl IntoIterator<Item = (i64, &'a str, i64)>) -> Totals {
    let mut breakdown: Vec<VatBreakdown> = Vec::new();
    for (net, code, bp) in lines {
        match breakdown
            .iter_mut()
            .find(|b| b.tax_rate_code == code && b.vat_basis_points == bp)
        {
            Some(b) => b.base_minor = b.base_minor.saturating_add(net),
            None => breakdown.push(VatBreakdown {
                tax_rate_code: code.to_owned(),
                vat_basis_points: bp,
                base_minor: net,
                vat_minor: 0,
            }),
        }
    }
    breakdown.sort_by(|a, b| a.tax_rate_code.cmp(&b.tax_rate_code));
    for b in &mut breakdown {
        b.vat_minor = vat_of(b.base_minor, b.vat_basis_points);
    }
    let net_minor = breakdown
        .iter()
        .fold(0_i64, |s, b| s.saturating_add(b.base_minor));
    let vat_minor = breakdown
        .iter()
        .fold(0_i64, |s, b| s.saturating_add(b.vat_minor));
    Totals {
        net_minor,
        vat_minor,
        total_minor: net_minor.saturating_add(vat_minor),
        breakdown,
    }
}

/// The number an order gets at confirmation: `SO-2026-000001`.
pub fn order_number(year: i16, seq: i64) -> String {
    format!("{}-{seq:06}", series(year))
}

/// The number series of a year: `SO-2026`.
pub fn series(year: i16) -> String {
    format!("{NUMBER_PREFIX}-{year:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirm_only_from_draft_and_cancel_from_draft_or_confirmed() {
        use OrderState::*;
        assert_eq!(Draft.confirm(), Ok(Confirmed));
        assert!(Confirmed.confirm().is_err());
        assert!(Cancelled.confirm().is_err());
        assert_eq!(Draft.cancel(), Ok(Cancelled));
        assert_eq!(Confirmed.cancel(), Ok(Cancelled));
        assert_eq!(
            Cancelled.cancel(),
            Err(IllegalTransition {
                from: Cancelled,
                action: "cancel"
            })
        );
        assert!(Confirmed.edit().is_err());
        for s in OrderState::ALL {
            assert_eq!(OrderState::parse(s.name()), Some(s));
        }
    }

    #[test]
    fn half_even_rounding() {
        // (numerator, denominator, expected)
        let table = [
            (25, 10, 2),
            (35, 10, 4),
            (26, 10, 3),
            (24, 10, 2),
            (-25, 10, -2),
            (-35, 10, -4),
            (0, 10, 0),
            (5, 10, 0),
            (15, 10, 2),
        ];
        for (n, d, want) in table {
            assert_eq!(div_round_half_even(n, d), want, "{n}/{d}");
        }
    }

    #[test]
    fn worked_examples_of_vat_per_rate() {
        // 3 × 9.99 at 25% and 1 × 0.50 + 2 × 0.25 at 12%:
        // 29.97 × 25% = 7.4925 → 7.49; 1.00 × 12% = 0.12.
        let t = totals([(2997, "S25", 2500), (50, "S12", 1200), (50, "S12", 1200)]);
        assert_eq!(t.net_minor, 3097);
        assert_eq!(t.vat_minor, 749 + 12);
        assert_eq!(t.total_minor, 3097 + 761);
        assert_eq!(t.breakdown.len(), 2);
        assert_eq!(t.breakdown[0].tax_rate_code, "S12");
        assert_eq!(t.breakdown[0].base_minor, 100);
        // VAT per rate on the sum, not per line: 0.10 × 25% = 0.025 per line
        // would round to 0.02 each (0.04); on the sum 0.20 × 25% = 0.05.
        let t = totals([(10, "S25", 2500), (10, "S25", 2500)]);
        assert_eq!(t.vat_minor, 5);
        // Ties go to even: 0.02 × 25% = 0.005 → 0.00; 0.06 × 25% = 0.015 → 0.02.
        assert_eq!(vat_of(2, 2500), 0);
        assert_eq!(vat_of(6, 2500), 2);
        // 12.5% of 1.00 = 0.125 → 0.12; of 3.00 = 0.375 → 0.38.
        assert_eq!(vat_of(100, 1250), 12);
        assert_eq!(vat_of(300, 1250), 38);
        // A zero rate adds nothing.
        let t = totals([(1000, "Z0", 0), (1000, "S6", 600)]);
        assert_eq!((t.net_minor, t.vat_minor, t.total_minor), (2000, 60, 2060));
    }

    fn facts() -> ProductFacts {
        ProductFacts {
            id: 7,
            name: "Widget".into(),
            is_goods: true,
            archived: false,
            currency: "EUR".into(),
            list_price_minor: 1250,
            tax_rate_code: "S25".into(),
            vat_basis_points: 2500,
        }
    }

    #[test]
    fn a_line_takes_the_list_price_unless_one_is_given() {
        let draft = LineDraft {
            qty: "3".into(),
            unit_price: String::new(),
        };
        let line = validate_line(1, "EUR", Some(&facts()), &draft).unwrap();
        assert_eq!((line.unit_price_minor, line.line_net_minor), (1250, 3750));
        let draft = LineDraft {
            qty: "2".into(),
            unit_price: "9,99".into(),
        };
        let line = validate_line(1, "EUR", Some(&facts()), &draft).unwrap();
        assert_eq!(line.line_net_minor, 1998);
    }

    #[test]
    fn bad_lines_name_their_fields() {
        let bad = |n, product: Option<&ProductFacts>, qty: &str, price: &str, currency| {
            let draft = LineDraft {
                qty: qty.into(),
                unit_price: price.into(),
            };
            validate_line(n, currency, product, &draft).unwrap_err()
        };
        let e = bad(2, Some(&facts()), "0", "", "EUR");
        assert_eq!(e.for_field("lines[2].qty"), Some("error-qty-positive"));
        let e = bad(1, Some(&facts()), "1.5", "-1", "EUR");
        assert_eq!(e.for_field("lines[1].qty"), Some("error-qty-whole"));
        assert_eq!(e.for_field("lines[1].unit_price"), Some("error-amount"));
        let e = bad(3, None, "1", "", "EUR");
        assert_eq!(
            e.for_field("lines[3].product"),
            Some("error-unknown-product")
        );
        let e = bad(1, Some(&facts()), "1", "", "SEK");
        assert_eq!(
            e.for_field("lines[1].product"),
            Some("error-currency-mismatch")
        );
        let archived = ProductFacts {
            archived: true,
            ..facts()
        };
        let e = bad(1, Some(&archived), "1", "", "EUR");
        assert_eq!(
            e.for_field("lines[1].product"),
            Some("error-product-archived")
        );
    }

    #[test]
    fn numbers_are_padded_per_year() {
        assert_eq!(order_number(2026, 1), "SO-2026-000001");
        assert_eq!(series(2026), "SO-2026");
    }
}

//! Price lists: what a group of customers pays. A list has a code, a name, a
//! currency and a default discount; its items give a product an explicit
//! unit price in the list's currency, optionally with their own discount. A
//! customer is assigned at most one list.
//!
//! Pricing a line whose price was left empty ([`offer`]): when the customer's
//! list is in the order's currency, the base price is the list's item price
//! for the product, else the product's own list price (only when the product
//! is priced in that currency too); the discount (the item's if it has one,
//! else the list's) is then taken off and the result rounded half to even to
//! the minor unit. An item price also lets a product priced in another
//! currency be sold in the list's currency.

use crate::FieldErrors;
use crate::ledger::parse_amount;
use crate::ledger::parse_currency;
use crate::sales::{ProductFacts, div_round_half_even};

/// The longest code a price list may have.
pub const CODE_CHARS_MAX: usize = 20;
/// 100 % in basis points.
pub const DISCOUNT_BP_MAX: i64 = 10_000;

/// A price list as typed.
#[derive(Debug, Clone, Default)]
pub struct PriceListDraft {
    pub code: String,
    pub name: String,
    pub currency: String,
    /// A percentage: `10`, `12.5`; empty for none.
    pub discount: String,
}

/// A price list whose fields passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPriceList {
    /// Upper case.
    pub code: String,
    pub name: String,
    pub currency: String,
    pub discount_bp: i64,
}

/// An item price as typed, in the list's currency.
#[derive(Debug, Clone, Default)]
pub struct ItemDraft {
    pub unit_price: String,
    /// A percentage; empty for the list's default discount.
    pub discount: String,
}

/// An item price that passed the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemPrice {
    pub unit_price_minor: i64,
    /// `None`: the list's default discount applies.
    pub discount_bp: Option<i64>,
}

/// What pricing needs to know of a customer's price list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceListTerms {
    pub currency: String,
    pub discount_bp: i64,
}

/// `wholesale` as `WHOLESALE`: 1 to 20 letters, digits, `.`, `-` or `_`.
pub fn normalize_code(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    let ok = !code.is_empty()
        && code.chars().count() <= CODE_CHARS_MAX
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    ok.then_some(code)
}

/// Reads a discount percentage with at most two decimals as basis points:
/// `10` is 1000, `12,5` is 1250, `` is 0. Refuses signs and other text
/// (`error-discount`) and more than 100 % (`error-discount-range`).
pub fn parse_discount_bp(text: &str) -> Result<i64, &'static str> {
    let text = text.trim().trim_end_matches('%').trim();
    if text.is_empty() {
        return Ok(0);
    }
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || fraction.len() > 2 {
        return Err("error-discount");
    }
    if whole.len() > 3 {
        return Err("error-discount-range");
    }
    let whole: i64 = whole.parse().map_err(|_| "error-discount")?;
    let fraction: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| "error-discount")?;
    let bp = whole * 100 + fraction;
    if bp > DISCOUNT_BP_MAX {
        return Err("error-discount-range");
    }
    Ok(bp)
}

/// Checks every field of a price list and reports every problem at once.
pub fn validate_price_list(draft: &PriceListDraft) -> Result<ValidPriceList, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = if draft.code.trim().is_empty() {
        errors.add("code", "error-required");
        String::new()
    } else {
        normalize_code(&draft.code).unwrap_or_else(|| {
            errors.add("code", "error-price-list-code");
            String::new()
        })
    };
    let name = draft.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "error-required");
    } else if name.chars().count() > crate::party::NAME_CHARS_MAX {
        errors.add("name", "error-too-long");
    }
    let currency = if draft.currency.trim().is_empty() {
        errors.add("currency", "error-required");
        String::new()
    } else {
        parse_currency(&draft.currency).unwrap_or_else(|| {
            errors.add("currency", "error-currency");
            String::new()
        })
    };
    let discount_bp = parse_discount_bp(&draft.discount).unwrap_or_else(|code| {
        errors.add("discount", code);
        0
    });
    errors.into_result(ValidPriceList {
        code,
        name,
        currency,
        discount_bp,
    })
}

/// Checks an item price in `currency`: errors name `unit_price` (required,
/// not negative, at most the currency's decimals) and `discount`.
pub fn validate_item(currency: &str, draft: &ItemDraft) -> Result<ItemPrice, FieldErrors> {
    let mut errors = FieldErrors::new();
    let unit_price_minor = match draft.unit_price.trim() {
        "" => {
            errors.add("unit_price", "error-required");
            0
        }
        text => parse_amount(text, currency).unwrap_or_else(|code| {
            errors.add("unit_price", code);
            0
        }),
    };
    let discount_bp = match draft.discount.trim() {
        "" => None,
        text => match parse_discount_bp(text) {
            Ok(bp) => Some(bp),
            Err(code) => {
                errors.add("discount", code);
                None
            }
        },
    };
    errors.into_result(ItemPrice {
        unit_price_minor,
        discount_bp,
    })
}

/// `price` less `discount_bp` basis points, rounded half to even to the minor unit.
pub fn discounted(price_minor: i64, discount_bp: i64) -> i64 {
    let bp = discount_bp.clamp(0, DISCOUNT_BP_MAX);
    let net = div_round_half_even(
        i128::from(price_minor) * i128::from(DISCOUNT_BP_MAX - bp),
        i128::from(DISCOUNT_BP_MAX),
    );
    i64::try_from(net).unwrap_or(i64::MAX)
}

/// The product as offered to a customer on an order in `currency`: its
/// `list_price_minor` (what an empty price field takes) and `currency`
/// become the price list's when the customer's `list` is in `currency` and
/// either has an `item` for the product or the product is priced in that
/// currency. Otherwise the product is returned as it is, so the order rules
/// still refuse a product of another currency.
pub fn offer(
    product: ProductFacts,
    currency: &str,
    list: Option<&PriceListTerms>,
    item: Option<&ItemPrice>,
) -> ProductFacts {
    let Some(list) = list.filter(|l| l.currency == currency) else {
        return product;
    };
    match item {
        Some(item) => ProductFacts {
            currency: list.currency.clone(),
            list_price_minor: discounted(
                item.unit_price_minor,
                item.discount_bp.unwrap_or(list.discount_bp),
            ),
            ..product
        },
        None if product.currency == list.currency => ProductFacts {
            list_price_minor: discounted(product.list_price_minor, list.discount_bp),
            ..product
        },
        None => product,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::{LineDraft, validate_line};

    fn widget() -> ProductFacts {
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

    fn terms(currency: &str, bp: i64) -> PriceListTerms {
        PriceListTerms {
            currency: currency.into(),
            discount_bp: bp,
        }
    }

    #[test]
    fn discounts_round_half_to_even() {
        // 12.50 less 10 % = 11.25 exactly.
        assert_eq!(discounted(1250, 1000), 1125);
        // 0.25 less 10 % = 0.225 → 0.22 (tie, to even); 0.35 less 10 % = 0.315 → 0.32.
        assert_eq!(discounted(25, 1000), 22);
        assert_eq!(discounted(35, 1000), 32);
        // 9.99 less 12.5 % = 8.74125 → 8.74; 0.05 less 50 % = 0.025 → 0.02.
        assert_eq!(discounted(999, 1250), 874);
        assert_eq!(discounted(5, 5000), 2);
        // No discount and a full one.
        assert_eq!(discounted(999, 0), 999);
        assert_eq!(discounted(999, 10_000), 0);
    }

    #[test]
    fn discounts_are_percentages_with_two_decimals_up_to_100() {
        assert_eq!(parse_discount_bp("10"), Ok(1000));
        assert_eq!(parse_discount_bp("12,5 %"), Ok(1250));
        assert_eq!(parse_discount_bp(""), Ok(0));
        assert_eq!(parse_discount_bp("100"), Ok(10_000));
        assert_eq!(parse_discount_bp("100.01"), Err("error-discount-range"));
        assert_eq!(parse_discount_bp("150"), Err("error-discount-range"));
        assert_eq!(parse_discount_bp("-5"), Err("error-discount"));
        assert_eq!(parse_discount_bp("1.234"), Err("error-discount"));
        assert_eq!(parse_discount_bp("ten"), Err("error-discount"));
    }

    #[test]
    fn an_item_price_wins_then_the_list_price_with_the_list_discount() {
        let list = terms("EUR", 1000);
        // No item: the product's list price less the list's 10 %.
        let p = offer(widget(), "EUR", Some(&list), None);
        assert_eq!(p.list_price_minor, 1125);
        // An item with no discount of its own takes the list's.
        let item = ItemPrice {
            unit_price_minor: 1000,
            discount_bp: None,
        };
        assert_eq!(
            offer(widget(), "EUR", Some(&list), Some(&item)).list_price_minor,
            900
        );
        // An item's own discount (here none at all) replaces the list's.
        let item = ItemPrice {
            unit_price_minor: 1000,
            discount_bp: Some(0),
        };
        assert_eq!(
            offer(widget(), "EUR", Some(&list), Some(&item)).list_price_minor,
            1000
        );
        // A list in another currency than the order's changes nothing.
        assert_eq!(offer(widget(), "SEK", Some(&list), None), widget());
        assert_eq!(offer(widget(), "EUR", None, None), widget());
    }

    #[test]
    fn an_item_in_the_lists_currency_sells_a_product_of_another() {
        let chf = terms("CHF", 0);
        let item = ItemPrice {
            unit_price_minor: 1190,
            discount_bp: None,
        };
        let offered = offer(widget(), "CHF", Some(&chf), Some(&item));
        let draft = LineDraft {
            qty: "2".into(),
            unit_price: String::new(),
        };
        let line = validate_line(1, "CHF", Some(&offered), &draft).unwrap();
        assert_eq!((line.unit_price_minor, line.line_net_minor), (1190, 2380));
        // Without an item the EUR product is still refused on a CHF order.
        let offered = offer(widget(), "CHF", Some(&chf), None);
        let e = validate_line(1, "CHF", Some(&offered), &draft).unwrap_err();
        assert_eq!(
            e.for_field("lines[1].product"),
            Some("error-currency-mismatch")
        );
        // A price typed on the line overrides the list's.
        let offered = offer(widget(), "EUR", Some(&terms("EUR", 1000)), None);
        let typed = LineDraft {
            qty: "1".into(),
            unit_price: "13.00".into(),
        };
        let line = validate_line(1, "EUR", Some(&offered), &typed).unwrap();
        assert_eq!(line.unit_price_minor, 1300);
    }

    #[test]
    fn bad_price_lists_and_items_name_their_fields() {
        let e = validate_price_list(&PriceListDraft {
            code: "no spaces".into(),
            name: " ".into(),
            currency: "euro".into(),
            discount: "101".into(),
        })
        .unwrap_err();
        assert_eq!(e.for_field("code"), Some("error-price-list-code"));
        assert_eq!(e.for_field("name"), Some("error-required"));
        assert_eq!(e.for_field("currency"), Some("error-currency"));
        assert_eq!(e.for_field("discount"), Some("error-discount-range"));
        let ok = validate_price_list(&PriceListDraft {
            code: "wholesale".into(),
            name: "Wholesale".into(),
            currency: "eur".into(),
            discount: "10".into(),
        })
        .unwrap();
        assert_eq!((ok.code.as_str(), ok.discount_bp), ("WHOLESALE", 1000));
        let e = validate_item(
            "EUR",
            &ItemDraft {
                unit_price: "-1".into(),
                discount: "200".into(),
            },
        )
        .unwrap_err();
        assert_eq!(e.for_field("unit_price"), Some("error-amount"));
        assert_eq!(e.for_field("discount"), Some("error-discount-range"));
        let item = validate_item(
            "CHF",
            &ItemDraft {
                unit_price: "11.90".into(),
                discount: String::new(),
            },
        )
        .unwrap();
        assert_eq!(item.discount_bp, None);
    }
}

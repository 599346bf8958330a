//! The demo's year of sales, through the real order-to-cash use cases: six
//! orders a month, each confirmed, shipped (stock out, cost of goods booked),
//! invoiced and posted; most paid within weeks, one paid in part, one paid
//! too much (a credit balance), a few of the last months never paid (they
//! show as overdue), and now and then a credit note for goods damaged in
//! transit. The goods sold are restocked on the day they ship, so the
//! warehouse keeps its opening levels for the current orders. Then each
//! quarter's VAT is settled from the ledger's own balances.
//!
//! Like the rest of the demo it is fixed: the same plan for the same day.

use jiff::ToSpan;
use jiff::civil::Date;
use seam_domain::ids::PartyId;
use seam_domain::ledger::{EntryDraft, LineDraft, format_amount};
use seam_domain::stock::MoveDraft;

use super::{ARCHIVED_PRODUCT, CURRENCY, PRODUCTS, mix, pick};
use crate::fulfilment::{self, ShipInput, ShipLines};
use crate::invoicing::{self, CreditInput, CreditLines, InvoiceInput, PaymentInput};
use crate::sales::{self, LineInput, OrderInput};
use crate::stock::{self, MoveInput};
use crate::{Actor, App, AppError, AppResult, ledger};

/// How a demo invoice was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Paid {
    /// Not yet: still open, overdue once past its due date.
    No,
    /// In full on this date.
    Full(Date),
    /// Half on this date, the rest still open.
    Half(Date),
    /// In full plus this many cents on this date: the rest is the
    /// customer's credit balance.
    Over(Date, i64),
}

/// One sale of the demo's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PlannedSale {
    pub date: Date,
    /// Index into the customer companies, in creation order.
    pub customer: usize,
    /// SKU and quantity.
    pub lines: Vec<(&'static str, i64)>,
    pub paid: Paid,
    /// A credit note for one unit of the first line, on this date.
    pub credit: Option<Date>,
}

/// Payment terms of the demo's invoices.
pub(super) const TERMS_DAYS: i64 = 30;

/// The sales of the twelve months before `today` and of this month so far.
pub(super) fn plan_sales(today: Date, customers: usize) -> Result<Vec<PlannedSale>, jiff::Error> {
    let start = today.first_of_month().checked_sub(12.months())?;
    let sellable: Vec<&super::DemoProduct> = PRODUCTS
        .iter()
        .filter(|p| p.0 != ARCHIVED_PRODUCT && p.4 <= 100_000)
        .collect();
    let mut plan = Vec::new();
    let mut count: u64 = 0;
    for m in 0..=12_i64 {
        let first = start.checked_add(m.months())?;
        for (k, day) in [3_i8, 7, 11, 16, 20, 25].into_iter().enumerate() {
            let seed = 7_000 + u64::try_from(m).unwrap_or(0) * 100 + u64::try_from(k).unwrap_or(0);
            let offset = i8::try_from(mix(seed) % 4).unwrap_or(0);
            let date = super::day_of(first, day + offset)?;
            if date > today {
                continue;
            }
            count += 1;
            let customer =
                usize::try_from(mix(seed + 1) % u64::try_from(customers.max(1)).unwrap_or(1))
                    .unwrap_or(0);
            let mut lines: Vec<(&'static str, i64)> = Vec::new();
            for n in 0..(1 + mix(seed + 2) % 3) {
                let Some(p) = pick(&sellable, seed + 10 + n) else {
                    continue;
                };
                if lines.iter().any(|(sku, _)| *sku == p.0) {
                    continue;
                }
                // Enough of it for a line worth some hundreds of euros.
                let target = 90_000 + i64::try_from(mix(seed + 20 + n) % 400_000).unwrap_or(0);
                lines.push((p.0, (target / p.4.max(1)).clamp(1, 60)));
            }
            let after = |days: u64| date.checked_add(i64::try_from(days).unwrap_or(0).days());
            let paid_on = after(8 + mix(seed + 3) % 30)?;
            let recent = date.checked_add(120.days())? > today;
            let paid = match count {
                _ if paid_on > today => Paid::No,
                c if recent && c % 5 == 2 => Paid::No,
                c if c % 17 == 6 => Paid::Half(paid_on),
                c if c % 19 == 11 => Paid::Over(paid_on, 2_000),
                _ => Paid::Full(paid_on),
            };
            let credit = after(4)?;
            let credit = (count % 13 == 5 && credit <= today).then_some(credit);
            plan.push(PlannedSale {
                date,
                customer,
                lines,
                paid,
                credit,
            });
        }
    }
    Ok(plan)
}

fn internal(e: jiff::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("demo dates: {e}"))
}

/// Runs the planned sales for `customers` (party ids in creation order):
/// orders, shipments, invoices, credit notes, then payments in date order.
pub(super) async fn run_sales(
    app: &App,
    actor: &Actor,
    today: Date,
    customers: &[i64],
) -> AppResult<()> {
    let plan = plan_sales(today, customers.len()).map_err(internal)?;
    let goods: Vec<&str> = PRODUCTS
        .iter()
        .filter(|p| p.2 == "goods")
        .map(|p| p.0)
        .collect();
    let mut payments: Vec<(Date, PaymentInput)> = Vec::new();
    for (n, sale) in plan.iter().enumerate() {
        let Some(customer) = customers.get(sale.customer).copied() else {
            continue;
        };
        let date = sale.date.to_string();
        for (sku, qty) in sale.lines.iter().filter(|(s, _)| goods.contains(s)) {
            let input = MoveInput {
                product: (*sku).to_owned(),
                warehouse: String::new(),
                draft: MoveDraft {
                    qty: qty.to_string(),
                    date: date.clone(),
                    text: "Restock from the vendor".to_owned(),
                },
            };
            stock::receive(app, actor, &input).await?;
        }
        let order = OrderInput {
            customer: Some(PartyId(customer)),
            order_date: date.clone(),
            currency: String::new(),
            lines: sale
                .lines
                .iter()
                .map(|(sku, qty)| LineInput {
                    product: (*sku).to_owned(),
                    qty: qty.to_string(),
                    unit_price: String::new(),
                })
                .collect(),
        };
        let order = sales::create_order(app, actor, &order).await?;
        sales::confirm_order(app, actor, order, None).await?;
        let ship = ShipInput {
            lines: ShipLines::Remaining,
            ship_date: date.clone(),
            tracking_reference: format!("DHL {}", 4_000_000 + mix(n as u64) % 999_999),
        };
        fulfilment::ship_order(app, actor, order, &ship).await?;
        let input = InvoiceInput {
            issue_date: date.clone(),
            terms_days: TERMS_DAYS.to_string(),
            note: String::new(),
        };
        let invoice = invoicing::invoice_order(app, actor, order, &input).await?;
        invoicing::post_invoice(app, actor, invoice).await?;
        let total = invoicing::invoice(app, actor, invoice)
            .await?
            .invoice
            .total_minor;
        let mut credited = 0;
        if let Some(on) = sale.credit {
            let input = CreditInput {
                lines: CreditLines::These(vec![(1, 1)]),
                issue_date: on.to_string(),
                reason: "Damaged in transit".to_owned(),
            };
            let note = invoicing::credit_invoice(app, actor, invoice, &input).await?;
            invoicing::post_invoice(app, actor, note).await?;
            credited = invoicing::invoice(app, actor, note)
                .await?
                .invoice
                .total_minor;
        }
        let owed = total - credited;
        let (on, amount) = match sale.paid {
            Paid::No => continue,
            Paid::Full(on) => (on, owed),
            Paid::Half(on) => (on, owed / 2),
            Paid::Over(on, extra) => (on, owed + extra),
        };
        let allocated = amount.min(owed);
        payments.push((
            on,
            PaymentInput {
                party_id: customer,
                payment_date: on.to_string(),
                currency: String::new(),
                amount: format_amount(amount, CURRENCY),
                reference: format!(
                    "Bank transfer {}",
                    800_000 + mix(n as u64 + 50_000) % 99_999
                ),
                allocations: vec![(invoice, format_amount(allocated, CURRENCY))],
            },
        ));
    }
    payments.sort_by_key(|(on, _)| *on);
    for (_, input) in &payments {
        invoicing::record_payment(app, actor, input).await?;
    }
    Ok(())
}

/// Settles each quarter's VAT on the 12th of the month after it: output VAT
/// less input VAT as the ledger holds them at the quarter's end.
pub(super) async fn settle_vat(
    app: &App,
    actor: &Actor,
    start: Date,
    today: Date,
) -> AppResult<()> {
    let mut quarter = start.first_of_month();
    // Quarters start in January, April, July and October.
    while (quarter.month() - 1) % 3 != 0 {
        quarter = quarter.checked_add(1.month()).map_err(internal)?;
    }
    loop {
        let next = quarter.checked_add(3.months()).map_err(internal)?;
        let end = next.yesterday().map_err(internal)?;
        let due = super::day_of(next, 12).map_err(internal)?;
        if due > today {
            return Ok(());
        }
        let tb = ledger::trial_balance(app, actor, &end.to_string()).await?;
        let balance = |code: &str| {
            tb.lines
                .iter()
                .rfind(|l| l.code == code)
                .map_or(0, |l| l.debit_minor - l.credit_minor)
        };
        let output = -balance("2100");
        let input = balance("1400");
        if output != 0 || input != 0 {
            let amount = |minor: i64| {
                if minor == 0 {
                    String::new()
                } else {
                    format_amount(minor.abs(), CURRENCY)
                }
            };
            let due_to_office = output - input;
            let bank = if due_to_office >= 0 {
                LineDraft {
                    account: "1100".into(),
                    debit: String::new(),
                    credit: amount(due_to_office),
                }
            } else {
                LineDraft {
                    account: "1100".into(),
                    debit: amount(due_to_office),
                    credit: String::new(),
                }
            };
            let draft = EntryDraft {
                date: due.to_string(),
                memo: format!("VAT return {} Q{}", end.year(), (end.month() - 1) / 3 + 1),
                currency: CURRENCY.to_owned(),
                lines: vec![
                    LineDraft {
                        account: "2100".into(),
                        debit: amount(output),
                        credit: String::new(),
                    },
                    LineDraft {
                        account: "1400".into(),
                        debit: String::new(),
                        credit: amount(input),
                    },
                    bank,
                ]
                .into_iter()
                .filter(|l| !(l.debit.is_empty() && l.credit.is_empty()))
                .collect(),
            };
            ledger::post_entry(app, actor, &draft).await?;
        }
        quarter = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_year_of_sales_mostly_paid_some_overdue_one_part_paid_one_overpaid() {
        let plan = plan_sales(today(), 20).unwrap();
        assert_eq!(plan, plan_sales(today(), 20).unwrap(), "deterministic");
        assert!((70..=80).contains(&plan.len()), "{}", plan.len());
        assert!(
            plan.iter()
                .all(|s| s.date <= today() && !s.lines.is_empty())
        );
        assert!(plan.windows(2).all(|w| w[0].date <= w[1].date));
        let unpaid = plan.iter().filter(|s| s.paid == Paid::No).count();
        let overdue = plan
            .iter()
            .filter(|s| {
                s.paid == Paid::No && s.date.checked_add(TERMS_DAYS.days()).unwrap() < today()
            })
            .count();
        assert!((2..=8).contains(&overdue), "{overdue} overdue");
        assert!(unpaid * 4 < plan.len(), "most are paid");
        assert!(plan.iter().any(|s| matches!(s.paid, Paid::Half(_))));
        assert!(plan.iter().any(|s| matches!(s.paid, Paid::Over(..))));
        assert!(plan.iter().filter(|s| s.credit.is_some()).count() >= 2);
        let customers: std::collections::BTreeSet<usize> =
            plan.iter().map(|s| s.customer).collect();
        assert!(customers.len() >= 8);
        for sale in &plan {
            if let Paid::Full(on) | Paid::Half(on) | Paid::Over(on, _) = sale.paid {
                assert!(on > sale.date && on <= today());
            }
        }
    }
}

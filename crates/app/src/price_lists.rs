//! Price lists: what a group of customers pays. Create a list (code, name,
//! currency, default discount), set or remove its item prices one by one or
//! from a CSV file, assign it to customers, and read it. Orders and quotes
//! price their lines from the customer's list ([`terms_for`]).

use std::collections::{HashMap, HashSet};

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, PriceListId, ProductId};
use seam_domain::ledger::format_amount;
use seam_domain::price_list::{
    self, ItemDraft, ItemPrice, PriceListDraft, PriceListTerms, normalize_code,
};
use seam_domain::product::{format_rate, normalize_sku};
use seam_store::parties as party_store;
use seam_store::price_lists as store;
pub use seam_store::price_lists::{CustomerRow, ItemRow, PriceListRow, PriceListSummary};
use seam_store::sales as sales_store;
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::csv_file::{CsvOut, read_records};
use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// The CSV columns of a list's item prices, for export and import alike.
pub const CSV_COLUMNS: [&str; 3] = ["sku", "unit_price", "discount_percent"];
const CSV_REQUIRED: [&str; 2] = ["sku", "unit_price"];

/// What the audit journal keeps of a list.
pub fn price_list_json(row: &PriceListRow) -> serde_json::Value {
    json!({
        "code": row.code,
        "name": row.name,
        "currency": row.currency,
        "discount_bp": row.discount_bp,
    })
}

fn item_json(sku: &str, item: &ItemPrice) -> serde_json::Value {
    json!({
        "sku": sku,
        "unit_price_minor": item.unit_price_minor,
        "discount_bp": item.discount_bp,
    })
}

/// A discount as plain text (`10`, `12.5`), empty for none.
pub fn discount_text(bp: Option<i64>) -> String {
    bp.map(format_rate).unwrap_or_default()
}

/// Every price list by code, with how many items and customers each has. Needs `products.read`.
pub async fn list_price_lists(app: &App, actor: &Actor) -> AppResult<Vec<PriceListSummary>> {
    actor.require(Permission::ProductsRead)?;
    Ok(store::summaries(&app.db).await?)
}

/// Everything a price list's page shows.
#[derive(Debug, Clone)]
pub struct PriceListDetail {
    pub list: PriceListRow,
    pub items: Vec<ItemRow>,
    pub customers: Vec<CustomerRow>,
}

/// A list with its items and customers. Needs `products.read`.
pub async fn price_list_detail(
    app: &App,
    actor: &Actor,
    id: PriceListId,
) -> AppResult<PriceListDetail> {
    actor.require(Permission::ProductsRead)?;
    let list = store::get(&app.db, id.0).await?.ok_or(AppError::NotFound)?;
    let items = store::items(&app.db, id.0).await?;
    let customers = store::customers(&app.db, id.0).await?;
    Ok(PriceListDetail {
        list,
        items,
        customers,
    })
}

/// A list by its code (any case). Needs `products.read`.
pub async fn price_list_by_code(app: &App, actor: &Actor, code: &str) -> AppResult<PriceListRow> {
    actor.require(Permission::ProductsRead)?;
    let code = normalize_code(code).ok_or(AppError::NotFound)?;
    store::by_code(&app.db, &code)
        .await?
        .ok_or(AppError::NotFound)
}

/// The list a party is assigned, if any. Needs `products.read`.
pub async fn party_price_list(
    app: &App,
    actor: &Actor,
    party: PartyId,
) -> AppResult<Option<PriceListRow>> {
    actor.require(Permission::ProductsRead)?;
    Ok(store::list_of_party(&app.db, party.0).await?)
}

/// Creates a price list. Needs `products.write`.
///
/// Errors: [`AppError::Invalid`] naming `code`, `name`, `currency` or
/// `discount`; a taken code is `error-price-list-code-taken`.
pub async fn create_price_list(
    app: &App,
    actor: &Actor,
    draft: &PriceListDraft,
) -> AppResult<PriceListId> {
    actor.require(Permission::ProductsWrite)?;
    let valid = price_list::validate_price_list(draft)?;
    let mut tx = app.db.begin().await?;
    let id = match store::insert(&mut tx, &valid, now_us()).await {
        Err(StoreError::Duplicate) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "code",
                "error-price-list-code-taken",
            )));
        }
        other => other?,
    };
    let row = store::get_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "price_list",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(price_list_json(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PriceListId(id))
}

/// Changes a list's name and default discount; its code and currency stay,
/// since its item prices are in that currency. Needs `products.write`.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Invalid`] naming `name` or `discount`.
pub async fn update_price_list(
    app: &App,
    actor: &Actor,
    id: PriceListId,
    name: &str,
    discount: &str,
) -> AppResult<()> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = app.db.begin().await?;
    let before = match store::get_in_tx(&mut tx, id.0).await {
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        other => other?,
    };
    let valid = price_list::validate_price_list(&PriceListDraft {
        code: before.code.clone(),
        name: name.to_owned(),
        currency: before.currency.clone(),
        discount: discount.to_owned(),
    })?;
    store::update(&mut tx, id.0, &valid.name, valid.discount_bp, now_us()).await?;
    let after = store::get_in_tx(&mut tx, id.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "price_list",
            entity_id: id.to_string(),
            action: "update",
            before: Some(price_list_json(&before)),
            after: Some(price_list_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn list_in_tx(tx: &mut Tx, id: PriceListId) -> AppResult<PriceListRow> {
    match store::get_in_tx(tx, id.0).await {
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        other => Ok(other?),
    }
}

/// Sets a product's price on a list (adding it or replacing its price), in
/// the list's currency. Needs `products.write`.
///
/// Errors: [`AppError::NotFound`] for an unknown list; [`AppError::Invalid`]
/// naming `product` (`error-unknown-product`), `unit_price` or `discount`.
pub async fn set_item_price(
    app: &App,
    actor: &Actor,
    id: PriceListId,
    sku: &str,
    draft: &ItemDraft,
) -> AppResult<()> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = app.db.begin().await?;
    let list = list_in_tx(&mut tx, id).await?;
    let mut errors = FieldErrors::new();
    let product = match normalize_sku(sku) {
        None if sku.trim().is_empty() => {
            errors.add("product", "error-required");
            None
        }
        None => {
            errors.add("product", "error-unknown-product");
            None
        }
        Some(sku) => {
            let found =
                sales_store::product_ids_by_sku(&mut tx, std::slice::from_ref(&sku)).await?;
            match found.first() {
                Some((sku, pid)) => Some((sku.clone(), *pid)),
                None => {
                    errors.add("product", "error-unknown-product");
                    None
                }
            }
        }
    };
    let item = price_list::validate_item(&list.currency, draft).map_err(|e| errors.extend(e));
    let (Some((sku, product_id)), Ok(item)) = (product, item) else {
        return Err(AppError::Invalid(errors));
    };
    let before = store::item_in_tx(&mut tx, id.0, product_id).await?;
    store::put_item(&mut tx, id.0, product_id, &item, now_us()).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "price_list",
            entity_id: id.to_string(),
            action: "set_price",
            before: before.map(|b| {
                item_json(
                    &b.sku,
                    &ItemPrice {
                        unit_price_minor: b.unit_price_minor,
                        discount_bp: b.discount_bp,
                    },
                )
            }),
            after: Some(item_json(&sku, &item)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a product off a list. Needs `products.write`.
///
/// Errors: [`AppError::NotFound`] when the list does not exist or has no price for the product.
pub async fn remove_item(
    app: &App,
    actor: &Actor,
    id: PriceListId,
    product: ProductId,
) -> AppResult<()> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = app.db.begin().await?;
    list_in_tx(&mut tx, id).await?;
    let Some(before) = store::item_in_tx(&mut tx, id.0, product.0).await? else {
        return Err(AppError::NotFound);
    };
    store::delete_item(&mut tx, id.0, product.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "price_list",
            entity_id: id.to_string(),
            action: "remove_price",
            before: Some(item_json(
                &before.sku,
                &ItemPrice {
                    unit_price_minor: before.unit_price_minor,
                    discount_bp: before.discount_bp,
                },
            )),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Assigns a customer a list (`Some`), replacing any it had, or takes its
/// list away (`None`). Needs `products.write`.
///
/// Errors: [`AppError::NotFound`] for an unknown list; [`AppError::Invalid`]
/// naming `party` (`error-not-a-customer`) when the party is unknown, or
/// (when assigning) not a customer or archived.
pub async fn assign(
    app: &App,
    actor: &Actor,
    party: PartyId,
    list: Option<PriceListId>,
) -> AppResult<()> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = app.db.begin().await?;
    let new = match list {
        Some(id) => Some(list_in_tx(&mut tx, id).await?),
        None => None,
    };
    // Only a current customer may be given a list; any party may lose one.
    match party_store::party_in_tx(&mut tx, party.0).await {
        Ok(p) if new.is_none() || (p.is_customer && !p.archived) => {}
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "party",
                "error-not-a-customer",
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let old = store::list_of_party_in_tx(&mut tx, party.0).await?;
    if old.as_ref().map(|l| l.id) == new.as_ref().map(|l| l.id) {
        return Ok(());
    }
    match &new {
        Some(l) => store::assign(&mut tx, party.0, l.id).await?,
        None => {
            store::unassign(&mut tx, party.0).await?;
        }
    }
    let (entity, action) = match (&new, &old) {
        (Some(l), _) => (l.id, "assign"),
        (None, Some(l)) => (l.id, "unassign"),
        (None, None) => return Ok(()),
    };
    let side = |l: &Option<PriceListRow>| {
        l.as_ref()
            .map(|l| json!({"party_id": party.0, "price_list": l.code}))
    };
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "price_list",
            entity_id: entity.to_string(),
            action,
            before: side(&old),
            after: side(&new),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The customer's list terms and its item prices for `product_ids`, for
/// pricing order and quote lines inside their transaction. `None` when the
/// customer has no list.
pub(crate) async fn terms_for(
    tx: &mut Tx,
    party_id: i64,
    product_ids: &[i64],
) -> AppResult<Option<(PriceListTerms, HashMap<i64, ItemPrice>)>> {
    let Some(list) = store::list_of_party_in_tx(tx, party_id).await? else {
        return Ok(None);
    };
    let items = store::item_prices(tx, list.id, product_ids)
        .await?
        .into_iter()
        .collect();
    Ok(Some((
        PriceListTerms {
            currency: list.currency,
            discount_bp: list.discount_bp,
        },
        items,
    )))
}

/// A list's item prices as CSV (`sku,unit_price,discount_percent`), by SKU. Needs `products.read`.
pub async fn export_csv(app: &App, actor: &Actor, id: PriceListId) -> AppResult<String> {
    let detail = price_list_detail(app, actor, id).await?;
    let mut out = CsvOut::new(&CSV_COLUMNS)?;
    for item in &detail.items {
        out.row([
            item.sku.clone(),
            format_amount(item.unit_price_minor, &detail.list.currency),
            discount_text(item.discount_bp),
        ])?;
    }
    out.finish()
}

/// One row of an item price import.
#[derive(Debug, Clone)]
pub struct ItemImportRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub sku: String,
    pub item: ItemPrice,
}

/// What an item price import found, and (after commit) did.
#[derive(Debug, Clone, Default)]
pub struct ItemImportReport {
    pub rows: Vec<ItemImportRow>,
    /// Problems, each naming its line and field: `line 3: unit_price`.
    pub errors: FieldErrors,
    /// How many prices were set (0 for a preview or when there were errors).
    pub saved: usize,
}

/// Reads a CSV file of item prices (`sku`, `unit_price` in the list's
/// currency, optional `discount_percent`) and, with `commit`, sets them all
/// on the list in one transaction, or none when any line is wrong: a bad
/// price or discount, an SKU twice or one no product has. Prices already on
/// the list for other products stay. Needs `products.write`.
///
/// Errors: [`AppError::NotFound`] for an unknown list; problems with the file
/// are in the report, not errors.
pub async fn import_csv(
    app: &App,
    actor: &Actor,
    id: PriceListId,
    bytes: &[u8],
    commit: bool,
) -> AppResult<ItemImportReport> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = app.db.begin().await?;
    let list = list_in_tx(&mut tx, id).await?;
    let mut report = ItemImportReport::default();
    let records = read_records(bytes, &CSV_COLUMNS, &CSV_REQUIRED, &mut report.errors);
    let mut seen = HashSet::new();
    for r in &records {
        let prefix = format!("line {}: ", r.line);
        let sku = match normalize_sku(r.get("sku")) {
            Some(sku) => sku,
            None if r.get("sku").trim().is_empty() => {
                report.errors.add(&format!("{prefix}sku"), "error-required");
                continue;
            }
            None => {
                report.errors.add(&format!("{prefix}sku"), "error-sku");
                continue;
            }
        };
        let draft = ItemDraft {
            unit_price: r.get("unit_price").to_owned(),
            discount: r.get("discount_percent").to_owned(),
        };
        let item = match price_list::validate_item(&list.currency, &draft) {
            Ok(item) => item,
            Err(e) => {
                for err in e.iter() {
                    // The file's column is `discount_percent`.
                    let column = match err.field.as_str() {
                        "discount" => "discount_percent",
                        other => other,
                    };
                    report.errors.add(&format!("{prefix}{column}"), err.code);
                }
                continue;
            }
        };
        if !seen.insert(sku.clone()) {
            report
                .errors
                .add(&format!("{prefix}sku"), "error-csv-duplicate");
            continue;
        }
        report.rows.push(ItemImportRow {
            line: r.line,
            sku,
            item,
        });
    }
    let skus: Vec<String> = report.rows.iter().map(|r| r.sku.clone()).collect();
    let ids: HashMap<String, i64> = sales_store::product_ids_by_sku(&mut tx, &skus)
        .await?
        .into_iter()
        .collect();
    for row in &report.rows {
        if !ids.contains_key(&row.sku) {
            report
                .errors
                .add(&format!("line {}: sku", row.line), "error-unknown-product");
        }
    }
    if !commit || !report.errors.is_empty() {
        return Ok(report);
    }
    let now = now_us();
    let mut after = Vec::with_capacity(report.rows.len());
    for row in &report.rows {
        if let Some(product_id) = ids.get(&row.sku) {
            store::put_item(&mut tx, id.0, *product_id, &row.item, now).await?;
            after.push(item_json(&row.sku, &row.item));
        }
    }
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "price_list",
            entity_id: id.to_string(),
            action: "import",
            before: None,
            after: Some(json!({ "items": after })),
        },
    )
    .await?;
    tx.commit().await?;
    report.saved = report.rows.len();
    Ok(report)
}

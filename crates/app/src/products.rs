//! Products and tax rates: the master data that quotes, orders and invoices
//! will name. Create, edit, archive (never delete), list, search, and move
//! products in and out as CSV; create and edit the VAT rates they are sold under.

use std::collections::{HashMap, HashSet};

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{ProductId, TaxRateId};
use seam_domain::ledger::{AccountKind, format_amount};
use seam_domain::product::{
    self, ProductDraft, TaxRateDraft, ValidProduct, VatCategory, format_rate,
};
use seam_store::events;
pub use seam_store::events::EventRow;
use seam_store::ledger::{self as ledger_store, AccountRow};
pub use seam_store::parties::{ArchiveFilter, PAGE_SIZE_MAX};
use seam_store::products as store;
pub use seam_store::products::{
    ProductCursor, ProductFilter, ProductPage, ProductRow, ProductSort, TaxRateRow,
};
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::csv_file::{CsvOut, Record, read_records};
use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// How many timeline entries a product page shows.
pub const TIMELINE_MAX: i64 = 100;

/// The CSV columns, in order, for export and import alike.
pub const CSV_COLUMNS: [&str; 9] = [
    "sku",
    "name",
    "kind",
    "unit",
    "list_price",
    "currency",
    "standard_cost",
    "tax_rate",
    "revenue_account",
];

/// Columns an import file must have; `standard_cost` (0) and
/// `revenue_account` (the kind's default) may be left out.
const CSV_REQUIRED: [&str; 7] = [
    "sku",
    "name",
    "kind",
    "unit",
    "list_price",
    "currency",
    "tax_rate",
];

/// What the audit journal keeps of a tax rate.
pub fn tax_rate_json(row: &TaxRateRow) -> serde_json::Value {
    json!({
        "code": row.code,
        "name": row.name,
        "category": row.category,
        "rate_bp": row.rate_bp,
        "exemption_reason": row.exemption_reason,
    })
}

/// What the audit journal keeps of a product.
pub fn product_json(row: &ProductRow) -> serde_json::Value {
    json!({
        "sku": row.sku,
        "name": row.name,
        "kind": row.kind,
        "unit": row.unit,
        "currency": row.currency,
        "list_price_minor": row.list_price_minor,
        "standard_cost_minor": row.standard_cost_minor,
        "tax_rate": row.tax_rate_code,
        "revenue_account": row.revenue_account_code,
        "archived": row.archived,
    })
}

/// Creates a tax rate. Needs `products.write`.
///
/// Errors: [`AppError::Invalid`] naming the field: a bad code or name, a rate
/// that breaks its category's rule, a missing or forbidden exemption reason,
/// a code that is taken (`error-tax-code-taken`).
pub async fn create_tax_rate(
    app: &App,
    actor: &Actor,
    draft: &TaxRateDraft,
) -> AppResult<TaxRateId> {
    actor.require(Permission::ProductsWrite)?;
    let valid = product::validate_tax_rate(draft)?;
    let mut tx = app.db.begin().await?;
    let id = match store::insert_tax_rate(&mut tx, &valid, now_us()).await {
        Err(StoreError::Duplicate) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "code",
                "error-tax-code-taken",
            )));
        }
        other => other?,
    };
    let row = store::tax_rate_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "tax_rate",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(tax_rate_json(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(TaxRateId(id))
}

/// Saves an edit made to `version` of a tax rate: its name, category, rate
/// and reason. The code never changes, since products name it. Needs `products.write`.
///
/// Errors: [`AppError::Conflict`] (`error-stale`) when someone saved it in
/// between; [`AppError::Invalid`] for the rules of [`create_tax_rate`] and
/// for a changed code (`error-tax-code-fixed`).
pub async fn update_tax_rate(
    app: &App,
    actor: &Actor,
    id: TaxRateId,
    version: i64,
    draft: &TaxRateDraft,
) -> AppResult<()> {
    actor.require(Permission::ProductsWrite)?;
    let valid = product::validate_tax_rate(draft)?;
    let mut tx = app.db.begin().await?;
    let before = store::tax_rate_in_tx(&mut tx, id.0).await?;
    if before.code != valid.code {
        return Err(AppError::Invalid(FieldErrors::one(
            "code",
            "error-tax-code-fixed",
        )));
    }
    store::update_tax_rate(&mut tx, id.0, version, &valid, now_us()).await?;
    let after = store::tax_rate_in_tx(&mut tx, id.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "tax_rate",
            entity_id: id.to_string(),
            action: "update",
            before: Some(tax_rate_json(&before)),
            after: Some(tax_rate_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every tax rate, by code. Needs `products.read`.
pub async fn tax_rates(app: &App, actor: &Actor) -> AppResult<Vec<TaxRateRow>> {
    actor.require(Permission::ProductsRead)?;
    Ok(store::tax_rates(&app.db).await?)
}

/// One tax rate. Needs `products.read`.
pub async fn tax_rate(app: &App, actor: &Actor, id: TaxRateId) -> AppResult<TaxRateRow> {
    actor.require(Permission::ProductsRead)?;
    store::tax_rate(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// The tax rates and revenue accounts a set of products names, read once.
struct References {
    tax_codes: HashSet<String>,
    accounts: HashMap<String, AccountRow>,
}

impl References {
    async fn load<'a>(
        tx: &mut Tx,
        products: impl Iterator<Item = &'a ValidProduct>,
    ) -> AppResult<References> {
        let (mut tax_codes, mut account_codes) = (Vec::new(), Vec::new());
        for p in products {
            tax_codes.push(p.tax_rate.clone());
            account_codes.push(p.revenue_account.clone());
        }
        for codes in [&mut tax_codes, &mut account_codes] {
            codes.sort();
            codes.dedup();
        }
        Ok(References {
            tax_codes: store::existing_tax_codes(tx, &tax_codes).await?,
            accounts: ledger_store::accounts_by_code(tx, &account_codes).await?,
        })
    }

    /// What is wrong with the product's references, by field.
    fn check(&self, product: &ValidProduct) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if !self.tax_codes.contains(&product.tax_rate) {
            errors.add("tax_rate", "error-unknown-tax-rate");
        }
        match self.accounts.get(&product.revenue_account) {
            None => errors.add("revenue_account", "error-unknown-account"),
            Some(a) if a.kind != AccountKind::Revenue.name() => {
                errors.add("revenue_account", "error-revenue-account")
            }
            Some(a) if a.archived => errors.add("revenue_account", "error-account-archived"),
            Some(_) => {}
        }
        errors
    }
}

/// The tax rate must exist, and the revenue account must be an active revenue account.
async fn check_references(tx: &mut Tx, product: &ValidProduct) -> AppResult<()> {
    let references = References::load(tx, std::iter::once(product)).await?;
    references.check(product).into_result(())?;
    Ok(())
}

fn sku_taken() -> AppError {
    AppError::Invalid(FieldErrors::one("sku", "error-sku-taken"))
}

/// Creates a product. Needs `products.write`.
///
/// Errors: [`AppError::Invalid`] naming the field: any rule of
/// [`product::validate_product`], an unknown tax rate, a revenue account that
/// does not exist, is archived or is no revenue account, a SKU that is taken.
pub async fn create_product(
    app: &App,
    actor: &Actor,
    draft: &ProductDraft,
) -> AppResult<ProductId> {
    actor.require(Permission::ProductsWrite)?;
    let valid = product::validate_product(draft)?;
    let mut tx = app.db.begin().await?;
    check_references(&mut tx, &valid).await?;
    let id = match store::insert_product(&mut tx, &valid, now_us()).await {
        Err(StoreError::Duplicate) => return Err(sku_taken()),
        other => other?,
    };
    let row = store::product_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "product",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(product_json(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ProductId(id))
}

/// Saves an edit made to `version` of the product. Needs `products.write`.
///
/// Errors: [`AppError::Conflict`] (`error-stale`) when someone saved it in
/// between (the caller shows the current version and keeps the user's
/// input); [`AppError::Invalid`] as for [`create_product`].
pub async fn update_product(
    app: &App,
    actor: &Actor,
    id: ProductId,
    version: i64,
    draft: &ProductDraft,
) -> AppResult<()> {
    actor.require(Permission::ProductsWrite)?;
    let valid = product::validate_product(draft)?;
    let mut tx = app.db.begin().await?;
    let before = store::product_in_tx(&mut tx, id.0).await?;
    check_references(&mut tx, &valid).await?;
    match store::update_product(&mut tx, id.0, version, &valid, now_us()).await {
        Err(StoreError::Duplicate) => return Err(sku_taken()),
        other => other?,
    }
    let after = store::product_in_tx(&mut tx, id.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "product",
            entity_id: id.to_string(),
            action: "update",
            before: Some(product_json(&before)),
            after: Some(product_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Archives (hides from lists and from new documents, keeps everything) or
/// restores a product. Needs `products.write`.
pub async fn set_archived(
    app: &App,
    actor: &Actor,
    id: ProductId,
    archived: bool,
) -> AppResult<()> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = app.db.begin().await?;
    let before = store::product_in_tx(&mut tx, id.0).await?;
    if before.archived == archived {
        return Ok(());
    }
    store::set_product_archived(&mut tx, id.0, archived, now_us()).await?;
    let after = store::product_in_tx(&mut tx, id.0).await?;
    let action = if archived { "archive" } else { "restore" };
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "product",
            entity_id: id.to_string(),
            action,
            before: Some(product_json(&before)),
            after: Some(product_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One product. Needs `products.read`.
pub async fn product(app: &App, actor: &Actor, id: ProductId) -> AppResult<ProductRow> {
    actor.require(Permission::ProductsRead)?;
    store::product(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// Everything the product page shows.
#[derive(Debug, Clone)]
pub struct ProductDetail {
    pub product: ProductRow,
    pub tax_rate: Option<TaxRateRow>,
    /// The revenue account's name, when the account exists.
    pub revenue_account_name: Option<String>,
    pub timeline: Vec<EventRow>,
}

/// A product with its tax rate, revenue account and timeline. Needs `products.read`.
pub async fn product_detail(app: &App, actor: &Actor, id: ProductId) -> AppResult<ProductDetail> {
    actor.require(Permission::ProductsRead)?;
    let product = store::product(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let tax_rate = store::tax_rate_by_code(&app.db, &product.tax_rate_code).await?;
    let revenue_account_name = ledger_store::accounts(&app.db)
        .await?
        .into_iter()
        .find(|a| a.code == product.revenue_account_code)
        .map(|a| a.name);
    let timeline = events::events_of(&app.db, "product", &id.to_string(), TIMELINE_MAX).await?;
    Ok(ProductDetail {
        product,
        tax_rate,
        revenue_account_name,
        timeline,
    })
}

/// A page of products. Needs `products.read`.
pub async fn list_products(
    app: &App,
    actor: &Actor,
    filter: &ProductFilter,
    sort: ProductSort,
    cursor: Option<&ProductCursor>,
    limit: i64,
) -> AppResult<ProductPage> {
    actor.require(Permission::ProductsRead)?;
    Ok(store::list_products(&app.db, filter, sort, cursor, limit).await?)
}

/// The best few products for the global search box. Needs `products.read`.
pub async fn search_products(
    app: &App,
    actor: &Actor,
    text: &str,
    limit: i64,
) -> AppResult<Vec<ProductRow>> {
    actor.require(Permission::ProductsRead)?;
    Ok(store::search_products(&app.db, text, limit).await?)
}

/// The accounts a product's sales may be booked to: active revenue accounts,
/// by code. Needs `products.write` (it serves the product form).
pub async fn revenue_accounts(app: &App, actor: &Actor) -> AppResult<Vec<AccountRow>> {
    actor.require(Permission::ProductsWrite)?;
    Ok(ledger_store::accounts(&app.db)
        .await?
        .into_iter()
        .filter(|a| a.kind == AccountKind::Revenue.name() && !a.archived)
        .collect())
}

/// The tax rate's category as a type; a stored code this build does not know is a programmer error.
pub fn category_of(row: &TaxRateRow) -> AppResult<VatCategory> {
    VatCategory::parse(&row.category).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "tax rate {} has category {}",
            row.code,
            row.category
        ))
    })
}

/// A tax rate's percentage as plain text (`25`, `12.5`), for exports and the CLI.
pub fn rate_text(row: &TaxRateRow) -> String {
    format_rate(row.rate_bp)
}

/// All products matching the filter as CSV (the import format), by SKU. Needs `products.read`.
pub async fn export_csv(app: &App, actor: &Actor, filter: &ProductFilter) -> AppResult<String> {
    actor.require(Permission::ProductsRead)?;
    let mut out = CsvOut::new(&CSV_COLUMNS)?;
    let mut cursor: Option<ProductCursor> = None;
    loop {
        let page = store::list_products(
            &app.db,
            filter,
            ProductSort::SkuAsc,
            cursor.as_ref(),
            PAGE_SIZE_MAX,
        )
        .await?;
        for row in &page.rows {
            out.row([
                row.sku.as_str(),
                &row.name,
                &row.kind,
                &row.unit,
                &format_amount(row.list_price_minor, &row.currency),
                &row.currency,
                &format_amount(row.standard_cost_minor, &row.currency),
                &row.tax_rate_code,
                &row.revenue_account_code,
            ])?;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    out.finish()
}

/// One row of an import, as it would be created.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub product: ValidProduct,
}

/// What an import found, and (after commit) did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub rows: Vec<ImportRow>,
    /// Problems, each naming its line and field: `line 3: list_price`.
    pub errors: FieldErrors,
    /// How many products were created (0 for a preview or when there were errors).
    pub created: usize,
}

/// Reads a CSV file of products (a header row with the [`CSV_COLUMNS`]
/// names; `standard_cost` and `revenue_account` may be left out). Every row
/// is checked, also against the database: its tax rate and revenue account
/// must exist and its SKU must be new, in the file and in the catalogue.
/// With `commit`, creates them all in one transaction, or none when any row
/// is wrong. Needs `products.write`.
pub async fn import_csv(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    commit: bool,
) -> AppResult<ImportReport> {
    actor.require(Permission::ProductsWrite)?;
    let mut report = parse_import(bytes);
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let mut tx = app.db.begin().await?;
    check_import_against_catalogue(&mut tx, &mut report).await?;
    if !commit || !report.errors.is_empty() {
        return Ok(report);
    }
    let now = now_us();
    for row in &report.rows {
        let id = match store::insert_product(&mut tx, &row.product, now).await {
            Err(StoreError::Duplicate) => {
                // Another import created this SKU since the check: nothing of this one is kept.
                report
                    .errors
                    .add(&format!("line {}: sku", row.line), "error-sku-taken");
                return Ok(report);
            }
            other => other?,
        };
        let stored = store::product_in_tx(&mut tx, id).await?;
        record(
            &mut tx,
            actor,
            Change {
                entity_type: "product",
                entity_id: id.to_string(),
                action: "import",
                before: None,
                after: Some(product_json(&stored)),
            },
        )
        .await?;
    }
    tx.commit().await?;
    report.created = report.rows.len();
    Ok(report)
}

/// Reads and validates every row; touches no database.
fn parse_import(bytes: &[u8]) -> ImportReport {
    let mut report = ImportReport::default();
    let records = read_records(bytes, &CSV_COLUMNS, &CSV_REQUIRED, &mut report.errors);
    let mut seen: HashSet<String> = HashSet::new();
    for record in &records {
        let Some(product) = import_row(record, &mut report.errors) else {
            continue;
        };
        if !seen.insert(product.sku.clone()) {
            report
                .errors
                .add(&format!("line {}: sku", record.line), "error-csv-duplicate");
            continue;
        }
        report.rows.push(ImportRow {
            line: record.line,
            product,
        });
    }
    report
}

fn import_row(record: &Record, errors: &mut FieldErrors) -> Option<ValidProduct> {
    let draft = ProductDraft {
        sku: record.get("sku").to_owned(),
        name: record.get("name").to_owned(),
        kind: record.get("kind").to_owned(),
        unit: record.get("unit").to_owned(),
        currency: record.get("currency").to_owned(),
        list_price: record.get("list_price").to_owned(),
        standard_cost: record.get("standard_cost").to_owned(),
        tax_rate: record.get("tax_rate").to_owned(),
        revenue_account: record.get("revenue_account").to_owned(),
    };
    product::validate_product(&draft)
        .map_err(|e| errors.extend(e.prefixed(&format!("line {}: ", record.line))))
        .ok()
}

/// Adds an error for every row whose SKU exists already or whose tax rate
/// or revenue account does not.
async fn check_import_against_catalogue(tx: &mut Tx, report: &mut ImportReport) -> AppResult<()> {
    let skus: Vec<String> = report.rows.iter().map(|r| r.product.sku.clone()).collect();
    let taken = store::existing_skus(tx, &skus).await?;
    let references = References::load(tx, report.rows.iter().map(|r| &r.product)).await?;
    for row in &report.rows {
        let prefix = format!("line {}: ", row.line);
        if taken.contains(&row.product.sku) {
            report
                .errors
                .add(&format!("{prefix}sku"), "error-sku-taken");
        }
        report
            .errors
            .extend(references.check(&row.product).prefixed(&prefix));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "sku,name,kind,unit,list_price,currency,standard_cost,tax_rate,revenue_account\n";

    #[test]
    fn a_bad_row_is_named_by_line_and_field_and_good_rows_are_kept() {
        let csv = format!(
            "{HEADER}ESP-1KG,Espresso beans,goods,KGM,24.90,EUR,11.20,S12,\n\
             BAD SKU,,robot,KGM,-1,EUR,,S25,\n"
        );
        let report = parse_import(csv.as_bytes());
        assert_eq!(report.rows.len(), 1);
        assert_eq!(report.rows[0].product.revenue_account, "4000");
        assert_eq!(report.errors.for_field("line 3: sku"), Some("error-sku"));
        assert_eq!(
            report.errors.for_field("line 3: name"),
            Some("error-required")
        );
        assert_eq!(
            report.errors.for_field("line 3: kind"),
            Some("error-product-kind")
        );
    }

    #[test]
    fn a_sku_twice_in_one_file_is_refused_whatever_its_case() {
        let csv = format!(
            "{HEADER}esp-1kg,Espresso beans,goods,KGM,24.90,EUR,,S12,\n\
             ESP-1KG,Espresso beans again,goods,KGM,24.90,EUR,,S12,\n"
        );
        let report = parse_import(csv.as_bytes());
        assert_eq!(
            report.errors.for_field("line 3: sku"),
            Some("error-csv-duplicate")
        );
    }

    #[test]
    fn optional_columns_may_be_left_out_and_required_ones_may_not() {
        let report = parse_import(
            b"sku,name,kind,unit,list_price,currency,tax_rate\nX1,Thing,goods,C62,5,EUR,S25\n",
        );
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.rows[0].product.standard_cost_minor, 0);
        let missing = parse_import(b"sku,name\nX1,Thing\n");
        assert_eq!(
            missing.errors.for_field("column kind"),
            Some("error-csv-missing-column")
        );
    }
}

//! Products and tax rates: rows, full-text search over SKU and name, and
//! keyset pagination by name or SKU.

use std::collections::HashSet;

use seam_domain::product::{ValidProduct, ValidTaxRate};

use crate::parties::{ArchiveFilter, Arg, PAGE_SIZE_MAX, Where, bind_args, placeholders};
use crate::{Backend, Db, Result, StoreError, Tx, on_read, on_tx};

/// A tax rate as stored; `category` and `rate_bp` keep `ck_tax_rates_rate`.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct TaxRateRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// UNCL 5305: S, Z, E, AE, K, G or O.
    pub category: String,
    pub rate_bp: i64,
    pub exemption_reason: Option<String>,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const TAX_RATE_COLUMNS: &str =
    "id, code, name, category, rate_bp, exemption_reason, version, created_at_us, updated_at_us";

/// Errors: [`StoreError::Duplicate`] when the code is taken.
pub async fn insert_tax_rate(tx: &mut Tx, rate: &ValidTaxRate, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO tax_rates (code, name, category, rate_bp, exemption_reason, version, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(&rate.code)
        .bind(&rate.name)
        .bind(rate.category.code())
        .bind(rate.rate_bp)
        .bind(&rate.exemption_reason)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Overwrites a tax rate's name, category, rate and reason if it is still at
/// `version`; its code stays, since products refer to it. Errors:
/// [`StoreError::Stale`], [`StoreError::NotFound`].
pub async fn update_tax_rate(
    tx: &mut Tx,
    id: i64,
    version: i64,
    rate: &ValidTaxRate,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE tax_rates SET name = $3, category = $4, rate_bp = $5, exemption_reason = $6, \
         version = version + 1, updated_at_us = $7 WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(&rate.name)
        .bind(rate.category.code())
        .bind(rate.rate_bp)
        .bind(&rate.exemption_reason)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        tax_rate_in_tx(tx, id).await?;
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Every tax rate, by code.
pub async fn tax_rates(db: &Db) -> Result<Vec<TaxRateRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {TAX_RATE_COLUMNS} FROM tax_rates ORDER BY code"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, TaxRateRow>(sql).fetch_all(p).await?))
}

/// One tax rate by id, `None` when there is none.
pub async fn tax_rate(db: &Db, id: i64) -> Result<Option<TaxRateRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {TAX_RATE_COLUMNS} FROM tax_rates WHERE id = $1"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, TaxRateRow>(sql).bind(id).fetch_optional(p).await?))
}

/// One tax rate by its code, `None` when there is none.
pub async fn tax_rate_by_code(db: &Db, code: &str) -> Result<Option<TaxRateRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {TAX_RATE_COLUMNS} FROM tax_rates WHERE code = $1"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, TaxRateRow>(sql).bind(code).fetch_optional(p).await?))
}

/// A tax rate read inside a write transaction (locked on PostgreSQL until commit).
pub async fn tax_rate_in_tx(tx: &mut Tx, id: i64) -> Result<TaxRateRow> {
    let sqlite = sqlx::AssertSqlSafe(format!(
        "SELECT {TAX_RATE_COLUMNS} FROM tax_rates WHERE id = $1"
    ));
    let pg = sqlx::AssertSqlSafe(format!(
        "SELECT {TAX_RATE_COLUMNS} FROM tax_rates WHERE id = $1 FOR NO KEY UPDATE"
    ));
    let row = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as::<_, TaxRateRow>(sqlite)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            sqlx::query_as::<_, TaxRateRow>(pg)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
    };
    row.ok_or(StoreError::NotFound)
}

/// Which of `codes` name a tax rate.
pub async fn existing_tax_codes(tx: &mut Tx, codes: &[String]) -> Result<HashSet<String>> {
    existing_text(tx, "SELECT code FROM tax_rates WHERE code IN", codes).await
}

/// Which of `skus` a product already has.
pub async fn existing_skus(tx: &mut Tx, skus: &[String]) -> Result<HashSet<String>> {
    existing_text(tx, "SELECT sku FROM products WHERE sku IN", skus).await
}

/// The values among `values` that `select_in` (static text ending in `IN`) finds.
async fn existing_text(
    tx: &mut Tx,
    select_in: &'static str,
    values: &[String],
) -> Result<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in values.chunks(500) {
        let sql = sqlx::AssertSqlSafe(format!("{select_in} ({})", placeholders(chunk.len())));
        let rows: Vec<String> = on_tx!(tx, c => {
            let mut q = sqlx::query_scalar::<_, String>(sql);
            for value in chunk {
                q = q.bind(value.as_str());
            }
            q.fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// A product as stored. Prices are minor units of `currency`; the tax rate
/// and revenue account are codes with foreign keys to their tables.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub sort_name: String,
    /// `goods` or `service`.
    pub kind: String,
    /// UN/ECE Rec 20.
    pub unit: String,
    pub currency: String,
    pub list_price_minor: i64,
    pub standard_cost_minor: i64,
    pub tax_rate_code: String,
    pub revenue_account_code: String,
    pub archived: bool,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const PRODUCT_COLUMNS: &str = "id, sku, name, sort_name, kind, unit, currency, list_price_minor, standard_cost_minor, \
     tax_rate_code, revenue_account_code, archived, version, created_at_us, updated_at_us";

/// Binds a product's columns in the order both writes list them: sku, name,
/// sort_name, kind, unit, currency, list_price_minor, standard_cost_minor,
/// tax_rate_code, revenue_account_code.
macro_rules! bind_product {
    ($query:expr, $product:expr) => {
        $query
            .bind(&$product.sku)
            .bind(&$product.name)
            .bind(crate::parties::sort_name(&$product.name))
            .bind($product.kind.name())
            .bind($product.unit)
            .bind(&$product.currency)
            .bind($product.list_price_minor)
            .bind($product.standard_cost_minor)
            .bind(&$product.tax_rate)
            .bind(&$product.revenue_account)
    };
}

/// Errors: [`StoreError::Duplicate`] when the SKU is taken.
pub async fn insert_product(tx: &mut Tx, product: &ValidProduct, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO products (sku, name, sort_name, kind, unit, currency, list_price_minor, \
         standard_cost_minor, tax_rate_code, revenue_account_code, archived, version, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE, 1, $11, $11) RETURNING id";
    on_tx!(tx, c => bind_product!(sqlx::query_scalar::<_, i64>(SQL), product)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Overwrites a product if it is still at `version`. Errors:
/// [`StoreError::Stale`] when someone saved it in between,
/// [`StoreError::Duplicate`] when the new SKU is taken, [`StoreError::NotFound`].
pub async fn update_product(
    tx: &mut Tx,
    id: i64,
    version: i64,
    product: &ValidProduct,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE products SET sku = $3, name = $4, sort_name = $5, kind = $6, unit = $7, currency = $8, \
         list_price_minor = $9, standard_cost_minor = $10, tax_rate_code = $11, revenue_account_code = $12, \
         version = version + 1, updated_at_us = $13 WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => bind_product!(sqlx::query(SQL).bind(id).bind(version), product)
        .bind(now_us)
        .execute(c)
        .await
        .map_err(StoreError::from_insert)?
        .rows_affected());
    if done == 0 {
        product_in_tx(tx, id).await?;
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Archives or restores a product; it is never deleted, so documents that name it stay whole.
pub async fn set_product_archived(tx: &mut Tx, id: i64, archived: bool, now_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE products SET archived = $2, version = version + 1, updated_at_us = $3 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL).bind(id).bind(archived).bind(now_us).execute(c).await?.rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One product by id, `None` when there is none.
pub async fn product(db: &Db, id: i64) -> Result<Option<ProductRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, ProductRow>(sql).bind(id).fetch_optional(p).await?))
}

/// A product read inside a write transaction (locked on PostgreSQL until commit).
pub async fn product_in_tx(tx: &mut Tx, id: i64) -> Result<ProductRow> {
    let sqlite = sqlx::AssertSqlSafe(format!(
        "SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1"
    ));
    let pg = sqlx::AssertSqlSafe(format!(
        "SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1 FOR NO KEY UPDATE"
    ));
    let row = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as::<_, ProductRow>(sqlite)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            sqlx::query_as::<_, ProductRow>(pg)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
    };
    row.ok_or(StoreError::NotFound)
}

/// How a product list is ordered; the id breaks ties, so keyset pages never skip or repeat a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    #[default]
    NameAsc,
    NameDesc,
    SkuAsc,
    SkuDesc,
}

impl ProductSort {
    pub const ALL: [ProductSort; 4] = [
        ProductSort::NameAsc,
        ProductSort::NameDesc,
        ProductSort::SkuAsc,
        ProductSort::SkuDesc,
    ];

    /// The name used in query strings and the API (`name`, `-sku`, …).
    pub fn name(self) -> &'static str {
        match self {
            ProductSort::NameAsc => "name",
            ProductSort::NameDesc => "-name",
            ProductSort::SkuAsc => "sku",
            ProductSort::SkuDesc => "-sku",
        }
    }

    pub fn parse(s: &str) -> Option<ProductSort> {
        ProductSort::ALL.into_iter().find(|o| o.name() == s)
    }

    /// The key column, the direction and the comparison that continues after a cursor.
    fn keyset(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ProductSort::NameAsc => ("sort_name", "ASC", ">"),
            ProductSort::NameDesc => ("sort_name", "DESC", "<"),
            ProductSort::SkuAsc => ("sku", "ASC", ">"),
            ProductSort::SkuDesc => ("sku", "DESC", "<"),
        }
    }
}

/// What a product list shows. Every field narrows; the default is all active products by name.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Words to find at the start of words of the SKU or the name.
    pub text: Option<String>,
    /// `goods` or `service`.
    pub kind: Option<String>,
    pub archive: ArchiveFilter,
}

/// Where the next page starts: the sort key and id of the last row shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductCursor {
    pub key: String,
    pub id: i64,
}

impl ProductCursor {
    /// Opaque to clients: hex of `key \x1f id`.
    pub fn encode(&self) -> String {
        hex::encode(format!("{}\u{1f}{}", self.key, self.id))
    }

    pub fn decode(s: &str) -> Option<ProductCursor> {
        let bytes = hex::decode(s).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (key, id) = text.split_once('\u{1f}')?;
        Some(ProductCursor {
            key: key.to_owned(),
            id: id.parse().ok()?,
        })
    }

    fn of(row: &ProductRow, sort: ProductSort) -> ProductCursor {
        let key = match sort {
            ProductSort::NameAsc | ProductSort::NameDesc => row.sort_name.clone(),
            ProductSort::SkuAsc | ProductSort::SkuDesc => row.sku.clone(),
        };
        ProductCursor { key, id: row.id }
    }
}

/// One page of products and where the next one starts.
#[derive(Debug, Clone)]
pub struct ProductPage {
    pub rows: Vec<ProductRow>,
    pub next: Option<ProductCursor>,
    /// How many products match the filter in all.
    pub total: i64,
}

pub(crate) fn match_clause(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "id IN (SELECT rowid FROM product_fts WHERE product_fts MATCH $?)",
        Backend::Postgres => "search @@ to_tsquery('simple', $?)",
    }
}

fn filter_clause(backend: Backend, filter: &ProductFilter) -> Where {
    let mut w = Where::new(filter.archive.clause());
    if let Some(kind) = &filter.kind {
        w.push("kind = $?", Arg::Text(kind.clone()));
    }
    if let Some(terms) = filter
        .text
        .as_deref()
        .and_then(crate::parties::search_terms)
    {
        let query = crate::parties::prefix_query(backend, &terms);
        w.push(match_clause(backend), Arg::Text(query));
    }
    w
}

/// One page of products, `limit` rows (at most [`PAGE_SIZE_MAX`]), after `cursor`.
pub async fn list_products(
    db: &Db,
    filter: &ProductFilter,
    sort: ProductSort,
    cursor: Option<&ProductCursor>,
    limit: i64,
) -> Result<ProductPage> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut w = filter_clause(db.backend(), filter);
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM products WHERE {}", w.sql));
    let total = on_read!(db, p => bind_args!(sqlx::query_scalar::<_, i64>(count_sql), &w.args).fetch_one(p).await?);
    let (key_column, direction, cmp) = sort.keyset();
    if let Some(cursor) = cursor {
        w.args.push(Arg::Text(cursor.key.clone()));
        let n = w.args.len();
        w.push(
            &format!("({key_column}, id) {cmp} (${n}, $?)"),
            Arg::Int(cursor.id),
        );
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PRODUCT_COLUMNS} FROM products WHERE {} ORDER BY {key_column} {direction}, id {direction} LIMIT {}",
        w.sql,
        limit + 1
    ));
    let mut rows = on_read!(db, p => bind_args!(sqlx::query_as::<_, ProductRow>(sql), &w.args).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|r| ProductCursor::of(r, sort))
    } else {
        None
    };
    Ok(ProductPage { rows, next, total })
}

/// The best few matches for the global search box (active and archived alike).
pub async fn search_products(db: &Db, text: &str, limit: i64) -> Result<Vec<ProductRow>> {
    let Some(terms) = crate::parties::search_terms(text) else {
        return Ok(Vec::new());
    };
    let backend = db.backend();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PRODUCT_COLUMNS} FROM products WHERE {} ORDER BY archived, sort_name, id LIMIT $2",
        match_clause(backend).replace("$?", "$1")
    ));
    let query = crate::parties::prefix_query(backend, &terms);
    Ok(
        on_read!(db, p => sqlx::query_as::<_, ProductRow>(sql).bind(query).bind(limit.clamp(1, PAGE_SIZE_MAX)).fetch_all(p).await?),
    )
}

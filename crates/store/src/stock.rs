//! Warehouses and stock: levels maintained per product and warehouse as
//! moves post, guarded reservations, and the journal of moves.
//!
//! Every change of a level is one guarded `UPDATE … WHERE` whose row count
//! says whether it happened, so two transactions can never both take the last
//! unit, on either backend; the `ck_stock_levels_qty` constraint refuses what
//! a guard might miss.

use seam_domain::stock::{Level, MoveKind, ValidWarehouse};

use crate::parties::{Arg, PAGE_SIZE_MAX, Where, bind_args};
use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct WarehouseRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub archived: bool,
    pub created_at_us: i64,
}

const WAREHOUSE_COLUMNS: &str = "id, code, name, archived, created_at_us";

/// Errors: [`StoreError::Duplicate`] when the code is taken.
pub async fn insert_warehouse(tx: &mut Tx, warehouse: &ValidWarehouse, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO warehouses (code, name, archived, created_at_us) VALUES ($1, $2, FALSE, $3) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(&warehouse.code)
        .bind(&warehouse.name)
        .bind(now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// Every warehouse, by code.
pub async fn warehouses(db: &Db) -> Result<Vec<WarehouseRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {WAREHOUSE_COLUMNS} FROM warehouses ORDER BY code"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, WarehouseRow>(sql).fetch_all(p).await?))
}

/// A warehouse by id inside a write transaction.
pub async fn warehouse_in_tx(tx: &mut Tx, id: i64) -> Result<WarehouseRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {WAREHOUSE_COLUMNS} FROM warehouses WHERE id = $1"
    ));
    on_tx!(tx, c => sqlx::query_as::<_, WarehouseRow>(sql).bind(id).fetch_optional(c).await?)
        .ok_or(StoreError::NotFound)
}

/// A warehouse by code inside a write transaction, `None` when there is none.
pub async fn warehouse_by_code_in_tx(tx: &mut Tx, code: &str) -> Result<Option<WarehouseRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {WAREHOUSE_COLUMNS} FROM warehouses WHERE code = $1"
    ));
    Ok(on_tx!(tx, c => sqlx::query_as::<_, WarehouseRow>(sql).bind(code).fetch_optional(c).await?))
}

/// The product's id by SKU inside a write transaction, with its kind.
pub async fn product_by_sku_in_tx(tx: &mut Tx, sku: &str) -> Result<Option<(i64, String)>> {
    const SQL: &str = "SELECT id, kind FROM products WHERE sku = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (i64, String)>(SQL).bind(sku).fetch_optional(c).await?))
}

/// The level of a product in a warehouse, read inside a write transaction
/// (locked on PostgreSQL until commit); zero when nothing was ever moved.
pub async fn level_in_tx(tx: &mut Tx, product_id: i64, warehouse_id: i64) -> Result<Level> {
    const SQLITE: &str = "SELECT on_hand_qty, reserved_qty FROM stock_levels WHERE product_id = $1 AND warehouse_id = $2";
    const PG: &str = "SELECT on_hand_qty, reserved_qty FROM stock_levels WHERE product_id = $1 AND warehouse_id = $2 FOR UPDATE";
    let row: Option<(i64, i64)> = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as(SQLITE)
                .bind(product_id)
                .bind(warehouse_id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            sqlx::query_as(PG)
                .bind(product_id)
                .bind(warehouse_id)
                .fetch_optional(&mut **t)
                .await?
        }
    };
    Ok(row.map_or(Level::default(), |(on_hand, reserved)| Level {
        on_hand,
        reserved,
    }))
}

/// Makes sure the level row exists (at zero), so guarded updates have a row to guard.
async fn ensure_level(tx: &mut Tx, product_id: i64, warehouse_id: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO stock_levels (product_id, warehouse_id, on_hand_qty, reserved_qty) \
         VALUES ($1, $2, 0, 0) ON CONFLICT (product_id, warehouse_id) DO NOTHING";
    on_tx!(tx, c => sqlx::query(SQL).bind(product_id).bind(warehouse_id).execute(c).await?.rows_affected());
    Ok(())
}

/// A move to post.
pub struct NewMove<'a> {
    pub product_id: i64,
    pub warehouse_id: i64,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    /// The year the number series runs in.
    pub year: i16,
    pub kind: MoveKind,
    /// Signed change of on-hand stock; never zero.
    pub qty: i64,
    pub reference: &'a str,
    pub posted_by: &'a str,
    pub now_us: i64,
}

/// Writes a move under the next number of its year (`SM-2026-000001`) and
/// changes the level by its quantity in the same transaction, then reads the
/// level back and checks it (the second half of a paired assertion).
///
/// Errors: [`StoreError::InsufficientStock`] when on hand would fall below
/// zero or below what is reserved.
pub async fn post_move(tx: &mut Tx, new: &NewMove<'_>) -> Result<(i64, String)> {
    const LEVEL: &str = "UPDATE stock_levels SET on_hand_qty = on_hand_qty + $3 \
         WHERE product_id = $1 AND warehouse_id = $2 AND on_hand_qty + $3 >= reserved_qty AND on_hand_qty + $3 >= 0";
    const MOVE: &str = "INSERT INTO stock_moves (number, product_id, warehouse_id, move_date, kind, qty, reference, posted_by, posted_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    if new.qty == 0 {
        return Err(StoreError::Corrupt("a stock move of zero".to_owned()));
    }
    let before = level_in_tx(tx, new.product_id, new.warehouse_id).await?;
    ensure_level(tx, new.product_id, new.warehouse_id).await?;
    let changed = on_tx!(tx, c => sqlx::query(LEVEL)
        .bind(new.product_id)
        .bind(new.warehouse_id)
        .bind(new.qty)
        .execute(c)
        .await?
        .rows_affected());
    if changed != 1 {
        return Err(StoreError::InsufficientStock);
    }
    let series = format!("SM-{:04}", new.year);
    let seq = crate::ledger::next_number(tx, &series).await?;
    let number = format!("{series}-{seq:06}");
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(MOVE)
        .bind(&number)
        .bind(new.product_id)
        .bind(new.warehouse_id)
        .bind(new.date)
        .bind(new.kind.name())
        .bind(new.qty)
        .bind(new.reference)
        .bind(new.posted_by)
        .bind(new.now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert)?);
    let after = level_in_tx(tx, new.product_id, new.warehouse_id).await?;
    if after.on_hand != before.on_hand + new.qty || !after.is_consistent() {
        return Err(StoreError::Corrupt(format!(
            "stock level of product {} in warehouse {} is {after:?} after moving {} from {before:?}",
            new.product_id, new.warehouse_id, new.qty
        )));
    }
    Ok((id, number))
}

/// Reserves `qty` for an order if that much is available, atomically: the
/// guard and the increment are one statement, so concurrent reservations
/// queue on the row and never take more than is on hand.
///
/// Errors: [`StoreError::InsufficientStock`].
pub async fn reserve_stock(
    tx: &mut Tx,
    product_id: i64,
    warehouse_id: i64,
    qty: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE stock_levels SET reserved_qty = reserved_qty + $3 \
         WHERE product_id = $1 AND warehouse_id = $2 AND on_hand_qty - reserved_qty >= $3";
    guarded(tx, SQL, product_id, warehouse_id, qty).await
}

/// Gives back `qty` of a reservation. Errors: [`StoreError::InsufficientStock`]
/// when less than that is reserved.
pub async fn release_stock(
    tx: &mut Tx,
    product_id: i64,
    warehouse_id: i64,
    qty: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE stock_levels SET reserved_qty = reserved_qty - $3 \
         WHERE product_id = $1 AND warehouse_id = $2 AND reserved_qty >= $3";
    guarded(tx, SQL, product_id, warehouse_id, qty).await
}

async fn guarded(
    tx: &mut Tx,
    sql: &'static str,
    product_id: i64,
    warehouse_id: i64,
    qty: i64,
) -> Result<()> {
    if qty <= 0 {
        return Err(StoreError::Corrupt(format!(
            "a reservation change of {qty}"
        )));
    }
    let changed = on_tx!(tx, c => sqlx::query(sql)
        .bind(product_id)
        .bind(warehouse_id)
        .bind(qty)
        .execute(c)
        .await?
        .rows_affected());
    if changed != 1 {
        return Err(StoreError::InsufficientStock);
    }
    let after = level_in_tx(tx, product_id, warehouse_id).await?;
    if !after.is_consistent() {
        return Err(StoreError::Corrupt(format!(
            "stock level of product {product_id} in warehouse {warehouse_id} is {after:?}"
        )));
    }
    Ok(())
}

/// A level with the names a list shows.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct LevelRow {
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    pub sort_name: String,
    pub unit: String,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub on_hand_qty: i64,
    pub reserved_qty: i64,
}

impl LevelRow {
    pub fn level(&self) -> Level {
        Level {
            on_hand: self.on_hand_qty,
            reserved: self.reserved_qty,
        }
    }
}

const LEVEL_SELECT: &str = "SELECT l.product_id, p.sku, p.name AS product_name, p.sort_name, p.unit, \
     l.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name, l.on_hand_qty, l.reserved_qty \
     FROM stock_levels l JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id";

/// What a level list shows; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct LevelFilter {
    pub warehouse_id: Option<i64>,
    pub product_id: Option<i64>,
    /// Words to find at the start of words of the SKU or the product name.
    pub text: Option<String>,
}

/// Where the next page of levels starts: the product's sort name, its id and the warehouse id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelCursor {
    pub key: String,
    pub product_id: i64,
    pub warehouse_id: i64,
}

impl LevelCursor {
    /// Opaque to clients: hex of `key \x1f product \x1f warehouse`.
    pub fn encode(&self) -> String {
        hex::encode(format!(
            "{}\u{1f}{}\u{1f}{}",
            self.key, self.product_id, self.warehouse_id
        ))
    }

    pub fn decode(s: &str) -> Option<LevelCursor> {
        let text = String::from_utf8(hex::decode(s).ok()?).ok()?;
        let mut parts = text.split('\u{1f}');
        let key = parts.next()?.to_owned();
        let product_id = parts.next()?.parse().ok()?;
        let warehouse_id = parts.next()?.parse().ok()?;
        Some(LevelCursor {
            key,
            product_id,
            warehouse_id,
        })
    }
}

/// One page of levels and where the next one starts.
#[derive(Debug, Clone)]
pub struct LevelPage {
    pub rows: Vec<LevelRow>,
    pub next: Option<LevelCursor>,
}

fn level_where(db: &Db, filter: &LevelFilter) -> Where {
    let mut w = Where::new("TRUE");
    if let Some(id) = filter.warehouse_id {
        w.push("l.warehouse_id = $?", Arg::Int(id));
    }
    if let Some(id) = filter.product_id {
        w.push("l.product_id = $?", Arg::Int(id));
    }
    if let Some(terms) = filter
        .text
        .as_deref()
        .and_then(crate::parties::search_terms)
    {
        let backend = db.backend();
        let query = crate::parties::prefix_query(backend, &terms);
        let clause = format!(
            "l.product_id IN (SELECT id FROM products WHERE {})",
            crate::products::match_clause(backend)
        );
        w.push(&clause, Arg::Text(query));
    }
    w
}

/// One page of levels by product name, then warehouse, `limit` rows (at most [`PAGE_SIZE_MAX`]).
pub async fn levels(
    db: &Db,
    filter: &LevelFilter,
    cursor: Option<&LevelCursor>,
    limit: i64,
) -> Result<LevelPage> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut w = level_where(db, filter);
    if let Some(cursor) = cursor {
        w.args.push(Arg::Text(cursor.key.clone()));
        let key = w.args.len();
        w.args.push(Arg::Int(cursor.product_id));
        let product = w.args.len();
        w.push(
            &format!("(p.sort_name, l.product_id, l.warehouse_id) > (${key}, ${product}, $?)"),
            Arg::Int(cursor.warehouse_id),
        );
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{LEVEL_SELECT} WHERE {} ORDER BY p.sort_name, l.product_id, l.warehouse_id LIMIT {}",
        w.sql,
        limit + 1
    ));
    let mut rows = on_read!(db, p => bind_args!(sqlx::query_as::<_, LevelRow>(sql), &w.args).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|r| LevelCursor {
            key: r.sort_name.clone(),
            product_id: r.product_id,
            warehouse_id: r.warehouse_id,
        })
    } else {
        None
    };
    Ok(LevelPage { rows, next })
}

/// A posted move with the names a list shows.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct MoveRow {
    pub id: i64,
    pub number: String,
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub move_date: String,
    /// `receipt`, `adjustment`, `issue` or `return`.
    pub kind: String,
    pub qty: i64,
    pub reference: String,
    pub posted_by: String,
    pub posted_at_us: i64,
}

const MOVE_SELECT: &str = "SELECT m.id, m.number, m.product_id, p.sku, p.name AS product_name, m.warehouse_id, \
     w.code AS warehouse_code, m.move_date, m.kind, m.qty, m.reference, m.posted_by, m.posted_at_us \
     FROM stock_moves m JOIN products p ON p.id = m.product_id JOIN warehouses w ON w.id = m.warehouse_id";

/// What a move list shows; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct MoveFilter {
    pub product_id: Option<i64>,
    pub warehouse_id: Option<i64>,
}

/// One page of moves, newest first, `limit` rows (at most [`PAGE_SIZE_MAX`])
/// after the move with id `before`; the second value is where the next page starts.
pub async fn moves(
    db: &Db,
    filter: &MoveFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<MoveRow>, Option<i64>)> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut w = Where::new("TRUE");
    if let Some(id) = filter.product_id {
        w.push("m.product_id = $?", Arg::Int(id));
    }
    if let Some(id) = filter.warehouse_id {
        w.push("m.warehouse_id = $?", Arg::Int(id));
    }
    if let Some(id) = before {
        w.push("m.id < $?", Arg::Int(id));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{MOVE_SELECT} WHERE {} ORDER BY m.id DESC LIMIT {}",
        w.sql,
        limit + 1
    ));
    let mut rows = on_read!(db, p => bind_args!(sqlx::query_as::<_, MoveRow>(sql), &w.args).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok((rows, next))
}

/// One move by id inside a write transaction.
pub async fn move_in_tx(tx: &mut Tx, id: i64) -> Result<MoveRow> {
    let sql = sqlx::AssertSqlSafe(format!("{MOVE_SELECT} WHERE m.id = $1"));
    on_tx!(tx, c => sqlx::query_as::<_, MoveRow>(sql).bind(id).fetch_optional(c).await?)
        .ok_or(StoreError::NotFound)
}

/// On hand per product and warehouse summed from the moves themselves: only
/// for checking that the maintained levels agree with the journal.
pub async fn on_hand_from_moves(db: &Db) -> Result<Vec<(i64, i64, i64)>> {
    const SQL: &str = "SELECT product_id, warehouse_id, CAST(SUM(qty) AS BIGINT) FROM stock_moves \
         GROUP BY product_id, warehouse_id HAVING SUM(qty) <> 0 ORDER BY product_id, warehouse_id";
    Ok(on_read!(db, p => sqlx::query_as::<_, (i64, i64, i64)>(SQL).fetch_all(p).await?))
}

/// The maintained on-hand quantities, in the order of [`on_hand_from_moves`], zero rows left out.
pub async fn on_hand_maintained(db: &Db) -> Result<Vec<(i64, i64, i64)>> {
    const SQL: &str = "SELECT product_id, warehouse_id, on_hand_qty FROM stock_levels \
         WHERE on_hand_qty <> 0 ORDER BY product_id, warehouse_id";
    Ok(on_read!(db, p => sqlx::query_as::<_, (i64, i64, i64)>(SQL).fetch_all(p).await?))
}

/// Statements of a stock count bind at most this many values in one `IN (…)`.
const IN_CHUNK: usize = 500;

/// `$1, $2, … $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ids and kinds of the products with these SKUs, inside a write transaction,
/// a few hundred per statement; unknown SKUs are left out.
pub async fn products_by_skus_in_tx(
    tx: &mut Tx,
    skus: &[String],
) -> Result<std::collections::HashMap<String, (i64, String)>> {
    let mut found = std::collections::HashMap::with_capacity(skus.len());
    for chunk in skus.chunks(IN_CHUNK) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT sku, id, kind FROM products WHERE sku IN ({})",
            placeholders(chunk.len())
        ));
        let rows: Vec<(String, i64, String)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sql);
            for sku in chunk {
                q = q.bind(sku.as_str());
            }
            q.fetch_all(c).await?
        });
        for (sku, id, kind) in rows {
            found.insert(sku, (id, kind));
        }
    }
    Ok(found)
}

/// The levels of these products in one warehouse, read inside a write
/// transaction (locked on PostgreSQL until commit), a few hundred per
/// statement; products never moved there are left out (their level is zero).
pub async fn levels_in_tx(
    tx: &mut Tx,
    warehouse_id: i64,
    product_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Level>> {
    let mut found = std::collections::HashMap::with_capacity(product_ids.len());
    for chunk in product_ids.chunks(IN_CHUNK) {
        let lock = match tx {
            Tx::Pg(_) => " FOR UPDATE",
            Tx::Sqlite(_) => "",
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT product_id, on_hand_qty, reserved_qty FROM stock_levels \
             WHERE warehouse_id = $1 AND product_id IN ({}){lock}",
            (2..=chunk.len() + 1)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let rows: Vec<(i64, i64, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sql).bind(warehouse_id);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        for (product, on_hand, reserved) in rows {
            found.insert(product, Level { on_hand, reserved });
        }
    }
    Ok(found)
}

/// One line of a stock count to post: the product, the change of on-hand
/// stock (never zero) and the count it brings the level to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountMove {
    pub product_id: i64,
    pub qty: i64,
    pub on_hand: i64,
}

/// A stock count to post in one warehouse: adjustments dated `date`, with one reason.
pub struct NewCount<'a> {
    pub warehouse_id: i64,
    pub date: &'a str,
    pub year: i16,
    pub reference: &'a str,
    pub posted_by: &'a str,
    pub now_us: i64,
    pub moves: &'a [CountMove],
}

/// Posts the adjustments of a stock count with batched statements: the next
/// numbers of the year's series taken at once, the moves written with
/// multi-row INSERTs, the levels set with multi-row upserts, then the levels
/// read back and checked (the second half of a paired assertion). Returns the
/// id and number of each move, in the order of `moves`.
///
/// The caller has read the levels with [`levels_in_tx`] and checked that no
/// count falls below what is reserved; `ck_stock_levels_qty` refuses it anyway.
pub async fn post_count(tx: &mut Tx, count: &NewCount<'_>) -> Result<Vec<(i64, String)>> {
    use crate::generate::{Rows, Val, insert_rows, insert_rows_with};
    const SERIES: &str = "INSERT INTO number_series (series, last_value) VALUES ($1, $2) \
         ON CONFLICT (series) DO UPDATE SET last_value = number_series.last_value + excluded.last_value \
         RETURNING last_value";
    const LEVEL_UPSERT: &str =
        " ON CONFLICT (product_id, warehouse_id) DO UPDATE SET on_hand_qty = excluded.on_hand_qty";
    if count.moves.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(m) = count.moves.iter().find(|m| m.qty == 0 || m.on_hand < 0) {
        return Err(StoreError::Corrupt(format!(
            "a stock count line of {} to {} for product {}",
            m.qty, m.on_hand, m.product_id
        )));
    }
    let n = i64::try_from(count.moves.len())
        .map_err(|_| StoreError::Corrupt("too many stock count lines".to_owned()))?;
    let series = format!("SM-{:04}", count.year);
    let last = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SERIES).bind(&series).bind(n).fetch_one(c).await?);
    let numbers: Vec<String> = (last - n + 1..=last)
        .map(|seq| format!("{series}-{seq:06}"))
        .collect();
    let mut moves = Rows::new(
        "stock_moves",
        &[
            "number",
            "product_id",
            "warehouse_id",
            "move_date",
            "kind",
            "qty",
            "reference",
            "posted_by",
            "posted_at_us",
        ],
    );
    let mut levels = Rows::new(
        "stock_levels",
        &["product_id", "warehouse_id", "on_hand_qty", "reserved_qty"],
    );
    for (m, number) in count.moves.iter().zip(&numbers) {
        moves.push(vec![
            Val::Text(number.clone()),
            Val::Int(m.product_id),
            Val::Int(count.warehouse_id),
            Val::from(count.date),
            Val::from(MoveKind::Adjustment.name()),
            Val::Int(m.qty),
            Val::from(count.reference),
            Val::from(count.posted_by),
            Val::Int(count.now_us),
        ]);
        levels.push(vec![
            Val::Int(m.product_id),
            Val::Int(count.warehouse_id),
            Val::Int(m.on_hand),
            Val::Int(0),
        ]);
    }
    insert_rows(tx, &moves).await?;
    insert_rows_with(tx, &levels, LEVEL_UPSERT).await?;
    // The ids of the moves, by number.
    let mut ids = std::collections::HashMap::with_capacity(numbers.len());
    for chunk in numbers.chunks(IN_CHUNK) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT number, id FROM stock_moves WHERE number IN ({})",
            placeholders(chunk.len())
        ));
        let rows: Vec<(String, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sql);
            for number in chunk {
                q = q.bind(number.as_str());
            }
            q.fetch_all(c).await?
        });
        ids.extend(rows);
    }
    // The paired check: every level is now what was counted.
    let products: Vec<i64> = count.moves.iter().map(|m| m.product_id).collect();
    let after = levels_in_tx(tx, count.warehouse_id, &products).await?;
    let mut out = Vec::with_capacity(numbers.len());
    for (m, number) in count.moves.iter().zip(numbers) {
        let level = after.get(&m.product_id).copied().unwrap_or_default();
        if level.on_hand != m.on_hand || !level.is_consistent() {
            return Err(StoreError::Corrupt(format!(
                "stock level of product {} in warehouse {} is {level:?} after counting {}",
                m.product_id, count.warehouse_id, m.on_hand
            )));
        }
        let id = ids
            .get(&number)
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("stock move {number} was not written")))?;
        out.push((id, number));
    }
    Ok(out)
}

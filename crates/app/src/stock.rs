//! Warehouses and stock: receiving goods, correcting a count, reserving stock
//! for orders and releasing it, and reading levels and the journal of moves.
//!
//! Every move writes its row, changes the level and appends its audit event in
//! one transaction. Reservations are one guarded statement in the store, so
//! concurrent orders can never promise the same unit twice.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{ProductId, StockMoveId, WarehouseId};
use seam_domain::stock::{self, MAIN_WAREHOUSE, MoveDraft, MoveKind, ValidMove, WarehouseDraft};
use seam_store::stock as store;
pub use seam_store::stock::{
    LevelCursor, LevelFilter, LevelPage, LevelRow, MoveFilter, MoveRow, WarehouseRow,
};
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// A receipt or adjustment as typed: the product by SKU, the warehouse by
/// code (empty for the main warehouse), and the fields the rules check.
#[derive(Debug, Clone, Default)]
pub struct MoveInput {
    pub product: String,
    pub warehouse: String,
    pub draft: MoveDraft,
}

/// What the audit journal keeps of a move.
pub fn move_json(row: &MoveRow) -> serde_json::Value {
    json!({
        "number": row.number,
        "sku": row.sku,
        "warehouse": row.warehouse_code,
        "date": row.move_date,
        "kind": row.kind,
        "qty": row.qty,
        "reference": row.reference,
    })
}

/// Creates a warehouse. Needs `stock.write`.
///
/// Errors: [`AppError::Invalid`] naming `code` or `name`, a taken code
/// (`error-warehouse-code-taken`).
pub async fn create_warehouse(
    app: &App,
    actor: &Actor,
    draft: &WarehouseDraft,
) -> AppResult<WarehouseId> {
    actor.require(Permission::StockWrite)?;
    let valid = stock::validate_warehouse(draft)?;
    let mut tx = app.db.begin().await?;
    let id = match store::insert_warehouse(&mut tx, &valid, now_us()).await {
        Err(StoreError::Duplicate) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "code",
                "error-warehouse-code-taken",
            )));
        }
        other => other?,
    };
    let row = store::warehouse_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "warehouse",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(json!({ "code": row.code, "name": row.name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(WarehouseId(id))
}

/// Every warehouse, by code. Needs `stock.read`.
pub async fn warehouses(app: &App, actor: &Actor) -> AppResult<Vec<WarehouseRow>> {
    actor.require(Permission::StockRead)?;
    Ok(store::warehouses(&app.db).await?)
}

/// Finds the product (goods only) and the active warehouse a move names.
async fn resolve(tx: &mut Tx, input: &MoveInput) -> AppResult<(i64, i64)> {
    let mut errors = FieldErrors::new();
    let sku = input.product.trim();
    let product = if sku.is_empty() {
        errors.add("product", "error-required");
        None
    } else {
        match store::product_by_sku_in_tx(tx, sku).await? {
            None => {
                errors.add("product", "error-unknown-product");
                None
            }
            Some((_, kind)) if kind != "goods" => {
                errors.add("product", "error-product-not-stocked");
                None
            }
            Some((id, _)) => Some(id),
        }
    };
    let code = match input.warehouse.trim() {
        "" => MAIN_WAREHOUSE.to_owned(),
        code => code.to_ascii_uppercase(),
    };
    let warehouse = match store::warehouse_by_code_in_tx(tx, &code).await? {
        None => {
            errors.add("warehouse", "error-unknown-warehouse");
            None
        }
        Some(w) if w.archived => {
            errors.add("warehouse", "error-warehouse-archived");
            None
        }
        Some(w) => Some(w.id),
    };
    match (product, warehouse) {
        (Some(p), Some(w)) if errors.is_empty() => Ok((p, w)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Brings goods into a warehouse: a positive quantity, a date and an optional
/// reference (delivery note, supplier invoice). Needs `stock.write`.
///
/// Errors: [`AppError::Invalid`] naming `product`, `warehouse`, `qty`, `date` or `reference`.
pub async fn receive(app: &App, actor: &Actor, input: &MoveInput) -> AppResult<MoveRow> {
    actor.require(Permission::StockWrite)?;
    let valid = stock::validate_receipt(&input.draft);
    post(app, actor, input, valid).await
}

/// Corrects a count by a signed delta, with a reason. Refused when on hand
/// would fall below zero or below what is reserved. Needs `stock.write`.
///
/// Errors: [`AppError::Invalid`] naming `product`, `warehouse`, `qty`
/// (`error-stock-negative`, `error-stock-below-reserved`), `date` or `reason`.
pub async fn adjust(app: &App, actor: &Actor, input: &MoveInput) -> AppResult<MoveRow> {
    actor.require(Permission::StockWrite)?;
    let valid = stock::validate_adjustment(&input.draft);
    post(app, actor, input, valid).await
}

async fn post(
    app: &App,
    actor: &Actor,
    input: &MoveInput,
    valid: Result<ValidMove, FieldErrors>,
) -> AppResult<MoveRow> {
    let mut tx = app.db.begin().await?;
    let resolved = resolve(&mut tx, input).await;
    let (product_id, warehouse_id, valid) = match (resolved, valid) {
        (Ok((p, w)), Ok(v)) => (p, w, v),
        (resolved, valid) => {
            let mut errors = FieldErrors::new();
            if let Err(AppError::Invalid(e)) = &resolved {
                errors.extend(e.clone());
            }
            if let Err(e) = valid {
                errors.extend(e);
            }
            resolved?;
            return Err(AppError::Invalid(errors));
        }
    };
    let level = store::level_in_tx(&mut tx, product_id, warehouse_id).await?;
    if let Err(code) = level.after(valid.qty()) {
        return Err(AppError::Invalid(FieldErrors::one("qty", code)));
    }
    let date = valid.date();
    let new = store::NewMove {
        product_id,
        warehouse_id,
        date: &date.iso(),
        year: date.year,
        kind: valid.kind(),
        qty: valid.qty(),
        reference: valid.text(),
        posted_by: &actor.username,
        now_us: now_us(),
    };
    let (id, _) = match store::post_move(&mut tx, &new).await {
        Err(StoreError::InsufficientStock) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "qty",
                "error-stock-below-reserved",
            )));
        }
        other => other?,
    };
    let row = store::move_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "stock_move",
            entity_id: id.to_string(),
            action: valid.kind().name(),
            before: None,
            after: Some(move_json(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The most lines one stock count may carry.
pub const COUNT_LINES_MAX: usize = 20_000;

/// One line of a stock count as typed: a product by SKU and how many were counted.
#[derive(Debug, Clone, Default)]
pub struct CountLine {
    pub product: String,
    pub counted: String,
}

/// A stock count of one warehouse (its code, empty for the main warehouse):
/// the date, the reason every adjustment carries, and the counted lines.
#[derive(Debug, Clone, Default)]
pub struct CountInput {
    pub warehouse: String,
    pub date: String,
    pub reason: String,
    pub lines: Vec<CountLine>,
}

/// What a stock count changed: the lines counted and the adjustments posted
/// (lines whose count equals the level post nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub lines: usize,
    pub moves: Vec<String>,
}

/// Posts a stock count: each line sets the product's on-hand stock in the
/// warehouse to what was counted, through an adjustment of the difference.
/// All lines are checked first and written in one transaction with batched
/// statements, so a count of thousands of lines is all or nothing. Needs
/// `stock.write`.
///
/// Errors: [`AppError::Invalid`] naming `warehouse`, `date`, `reason`,
/// `lines` (`error-required`, `error-too-many-lines`), or a line's
/// `lines[N].product` (`error-required`, `error-unknown-product`,
/// `error-product-not-stocked`, `error-duplicate-line`) or
/// `lines[N].counted` (`error-qty-positive` for a negative count,
/// `error-stock-below-reserved`).
pub async fn count(app: &App, actor: &Actor, input: &CountInput) -> AppResult<Counted> {
    actor.require(Permission::StockWrite)?;
    let mut errors = FieldErrors::new();
    let date = seam_domain::ledger::Date::parse(&input.date);
    if date.is_none() {
        errors.add("date", "error-date");
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        errors.add("reason", "error-required");
    } else if reason.chars().count() > stock::MOVE_TEXT_CHARS_MAX {
        errors.add("reason", "error-too-long");
    }
    if input.lines.is_empty() {
        errors.add("lines", "error-required");
    } else if input.lines.len() > COUNT_LINES_MAX {
        errors.add("lines", "error-too-many-lines");
        return Err(AppError::Invalid(errors));
    }
    let mut skus = Vec::with_capacity(input.lines.len());
    let mut counts = Vec::with_capacity(input.lines.len());
    let mut seen = std::collections::HashSet::with_capacity(input.lines.len());
    for (n, line) in input.lines.iter().enumerate() {
        let sku = line.product.trim().to_owned();
        if sku.is_empty() {
            errors.add(&format!("lines[{n}].product"), "error-required");
        } else if !seen.insert(sku.clone()) {
            errors.add(&format!("lines[{n}].product"), "error-duplicate-line");
        }
        match stock::parse_qty(&line.counted) {
            Ok(q) if q < 0 => errors.add(&format!("lines[{n}].counted"), "error-qty-positive"),
            Ok(_) => {}
            Err(code) => errors.add(&format!("lines[{n}].counted"), code),
        }
        counts.push(stock::parse_qty(&line.counted).unwrap_or(0));
        skus.push(sku);
    }
    let mut tx = app.db.begin().await?;
    let code = match input.warehouse.trim() {
        "" => MAIN_WAREHOUSE.to_owned(),
        code => code.to_ascii_uppercase(),
    };
    let warehouse = match store::warehouse_by_code_in_tx(&mut tx, &code).await? {
        None => {
            errors.add("warehouse", "error-unknown-warehouse");
            None
        }
        Some(w) if w.archived => {
            errors.add("warehouse", "error-warehouse-archived");
            None
        }
        Some(w) => Some(w),
    };
    let products = store::products_by_skus_in_tx(&mut tx, &skus).await?;
    let mut ids = Vec::with_capacity(skus.len());
    for (n, sku) in skus.iter().enumerate() {
        match products.get(sku) {
            Some((id, kind)) if kind == "goods" => ids.push(*id),
            Some(_) => errors.add(&format!("lines[{n}].product"), "error-product-not-stocked"),
            None if !sku.is_empty() => {
                errors.add(&format!("lines[{n}].product"), "error-unknown-product")
            }
            None => {}
        }
    }
    let (Some(warehouse), Some(date), true) = (warehouse, date, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let levels = store::levels_in_tx(&mut tx, warehouse.id, &ids).await?;
    let mut moves = Vec::with_capacity(ids.len());
    for (n, (id, counted)) in ids.iter().zip(&counts).enumerate() {
        let level = levels.get(id).copied().unwrap_or_default();
        if *counted < level.reserved {
            errors.add(&format!("lines[{n}].counted"), "error-stock-below-reserved");
        } else if *counted != level.on_hand {
            moves.push((
                n,
                store::CountMove {
                    product_id: *id,
                    qty: counted - level.on_hand,
                    on_hand: *counted,
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let iso = date.iso();
    let count_moves: Vec<store::CountMove> = moves.iter().map(|(_, m)| *m).collect();
    let posted = store::post_count(
        &mut tx,
        &store::NewCount {
            warehouse_id: warehouse.id,
            date: &iso,
            year: date.year,
            reference: reason,
            posted_by: &actor.username,
            now_us: now_us(),
            moves: &count_moves,
        },
    )
    .await?;
    for ((n, m), (id, number)) in moves.iter().zip(&posted) {
        record(
            &mut tx,
            actor,
            Change {
                entity_type: "stock_move",
                entity_id: id.to_string(),
                action: MoveKind::Adjustment.name(),
                before: None,
                after: Some(json!({
                    "number": number,
                    "sku": skus.get(*n),
                    "warehouse": warehouse.code,
                    "date": iso,
                    "kind": MoveKind::Adjustment.name(),
                    "qty": m.qty,
                    "reference": reason,
                    "counted": m.on_hand,
                })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Counted {
        lines: input.lines.len(),
        moves: posted.into_iter().map(|(_, number)| number).collect(),
    })
}

/// Reserves `qty` of a product in a warehouse inside the caller's transaction
/// (a sales order's confirmation), or refuses: the check and the increment are
/// one statement, so concurrent confirmations never oversell.
///
/// Errors: [`AppError::Conflict`] (`error-stock-insufficient`) when less than
/// `qty` is available; [`AppError::Invalid`] for a quantity that is not positive.
pub async fn reserve(
    tx: &mut Tx,
    product: ProductId,
    warehouse: WarehouseId,
    qty: i64,
) -> AppResult<()> {
    positive(qty)?;
    match store::reserve_stock(tx, product.0, warehouse.0, qty).await {
        Err(StoreError::InsufficientStock) => Err(AppError::Conflict("error-stock-insufficient")),
        other => Ok(other?),
    }
}

/// Gives back `qty` of a reservation inside the caller's transaction.
///
/// Errors: [`AppError::Conflict`] (`error-stock-not-reserved`) when less than that is reserved.
pub async fn release(
    tx: &mut Tx,
    product: ProductId,
    warehouse: WarehouseId,
    qty: i64,
) -> AppResult<()> {
    positive(qty)?;
    match store::release_stock(tx, product.0, warehouse.0, qty).await {
        Err(StoreError::InsufficientStock) => Err(AppError::Conflict("error-stock-not-reserved")),
        other => Ok(other?),
    }
}

fn positive(qty: i64) -> AppResult<()> {
    if qty <= 0 {
        return Err(AppError::Invalid(FieldErrors::one(
            "qty",
            "error-qty-positive",
        )));
    }
    Ok(())
}

/// One page of stock levels, by product name then warehouse. Needs `stock.read`.
pub async fn stock_levels(
    app: &App,
    actor: &Actor,
    filter: &LevelFilter,
    cursor: Option<&LevelCursor>,
    limit: i64,
) -> AppResult<LevelPage> {
    actor.require(Permission::StockRead)?;
    Ok(store::levels(&app.db, filter, cursor, limit).await?)
}

/// A product's levels in every warehouse that ever held it. Needs `stock.read`.
pub async fn product_levels(
    app: &App,
    actor: &Actor,
    product: ProductId,
) -> AppResult<Vec<LevelRow>> {
    actor.require(Permission::StockRead)?;
    let filter = LevelFilter {
        product_id: Some(product.0),
        ..LevelFilter::default()
    };
    Ok(
        store::levels(&app.db, &filter, None, seam_store::parties::PAGE_SIZE_MAX)
            .await?
            .rows,
    )
}

/// One page of moves, newest first, after the move `before`. Needs `stock.read`.
pub async fn moves(
    app: &App,
    actor: &Actor,
    filter: &MoveFilter,
    before: Option<StockMoveId>,
    limit: i64,
) -> AppResult<(Vec<MoveRow>, Option<StockMoveId>)> {
    actor.require(Permission::StockRead)?;
    let (rows, next) = store::moves(&app.db, filter, before.map(|b| b.0), limit).await?;
    Ok((rows, next.map(StockMoveId)))
}

/// Whether every maintained level equals the sum of its moves: the check
/// after commit that pairs with the one in the store before it.
pub async fn verify(app: &App) -> AppResult<bool> {
    let from_moves = store::on_hand_from_moves(&app.db).await?;
    let maintained = store::on_hand_maintained(&app.db).await?;
    Ok(from_moves == maintained)
}

//! IT support: the hardware asset register (tagged `IT-000042`, moved
//! through in stock → assigned → in repair → retired, each move on the
//! asset's history and the holder's timeline), software licences with
//! their seats (never more assigned than bought; flagged when the count is
//! lowered below the seats held or the licence expires within 30 days), and
//! the Seam roles a position's login gets at onboarding. Needs `it.use`.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::it::{
    self as rules, AssetDraft, AssetStatus, LicenceDraft, LicenceWarnings, ValidAsset, ValidLicence,
};
use seam_domain::ledger::{Date, format_amount};
use seam_store::events::{self, EventRow};
use seam_store::hr as hr_store;
use seam_store::it as store;
pub use seam_store::it::{AssetFilter, AssetRow, LicenceRow, SeatRow};
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::hr;
use crate::record_event as audit;
use crate::{Actor, App, AppError, AppResult, now_us};

/// Assets per page of the register.
pub const PAGE_SIZE: i64 = 50;
/// The audit journal's entity of an asset: its history.
pub const ASSET_ENTITY: &str = "it_asset";
/// The audit journal's entity of a licence.
pub const LICENCE_ENTITY: &str = "it_licence";
/// How many events an asset's history shows.
pub const HISTORY_MAX: i64 = 100;

/// What the audit journal keeps of an asset.
pub fn asset_json(row: &AssetRow) -> serde_json::Value {
    json!({
        "tag": row.tag,
        "kind": row.kind,
        "model": row.model,
        "serial_number": row.serial_number,
        "purchase_date": row.purchase_date,
        "cost": format_amount(row.cost_minor, &row.currency),
        "currency": row.currency,
        "location": row.location,
        "status": row.status,
        "employee_id": row.employee_id,
    })
}

/// What the audit journal keeps of a licence.
pub fn licence_json(row: &LicenceRow) -> serde_json::Value {
    json!({
        "product": row.product,
        "vendor": row.vendor,
        "seats": row.seats,
        "expires_on": row.expires_on,
        "cost": format_amount(row.cost_minor, &row.currency),
        "currency": row.currency,
    })
}

fn stale(e: StoreError) -> AppError {
    match e {
        StoreError::Stale => AppError::Conflict("error-stale"),
        StoreError::Duplicate => FieldErrors::one("serial_number", "error-duplicate").into(),
        other => other.into(),
    }
}

fn asset_fields<'a>(valid: &'a ValidAsset, purchase: &'a Option<String>) -> store::AssetFields<'a> {
    store::AssetFields {
        kind: &valid.kind,
        model: &valid.model,
        serial_number: &valid.serial_number,
        purchase_date: purchase.as_deref(),
        cost_minor: valid.cost_minor,
        currency: &valid.currency,
        location: &valid.location,
    }
}

// ------------------------------------------------------------------- assets

/// Registers an asset, in stock, with the next tag of the `IT` series.
/// Returns its id and tag.
///
/// Errors: [`AppError::Invalid`] naming the field (see
/// [`rules::validate_asset`]; `serial_number` with `error-duplicate`).
pub async fn create_asset(
    app: &App,
    actor: &Actor,
    draft: &AssetDraft,
) -> AppResult<(i64, String)> {
    actor.require(Permission::ItUse)?;
    let valid = rules::validate_asset(draft, crate::today())?;
    let purchase = valid.purchase_date.map(Date::iso);
    let mut tx = app.db.begin().await?;
    let value = seam_store::ledger::next_number(&mut tx, rules::TAG_SERIES).await?;
    let tag = rules::asset_tag(value);
    let id = store::insert_asset(
        &mut tx,
        &tag,
        &asset_fields(&valid, &purchase),
        &actor.username,
        now_us(),
    )
    .await
    .map_err(stale)?;
    let row = store::asset_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        ASSET_ENTITY,
        id,
        "create",
        None,
        asset_json(&row),
    )
    .await?;
    tx.commit().await?;
    Ok((id, tag))
}

/// Saves an edit of an asset's details made to `version`; its status and
/// holder change only through [`move_asset`].
///
/// Errors: as [`create_asset`]; [`AppError::Conflict`] (`error-stale`).
pub async fn update_asset(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &AssetDraft,
) -> AppResult<()> {
    actor.require(Permission::ItUse)?;
    let valid = rules::validate_asset(draft, crate::today())?;
    let purchase = valid.purchase_date.map(Date::iso);
    let mut tx = app.db.begin().await?;
    let before = store::asset_in_tx(&mut tx, id).await.map_err(not_found)?;
    store::update_asset(
        &mut tx,
        id,
        version,
        &asset_fields(&valid, &purchase),
        now_us(),
    )
    .await
    .map_err(stale)?;
    let after = store::asset_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        ASSET_ENTITY,
        id,
        "update",
        Some(asset_json(&before)),
        asset_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    }
}

/// Where an asset goes next.
#[derive(Debug, Clone, Default)]
pub struct AssetMove {
    /// `in-stock`, `assigned`, `in-repair` or `retired`.
    pub status: String,
    /// The employee it is handed to (only for `assigned`).
    pub employee_id: Option<i64>,
    /// Its new location, or "" to keep it.
    pub location: String,
}

/// Moves an asset through its lifecycle: hand it to an employee, take it
/// back into stock, send it to repair, retire it. Needs `it.use`.
///
/// Errors: [`AppError::Invalid`] naming `status` (`error-asset-status`,
/// `error-asset-move`: not from its current status), `employee_id`
/// (`error-required`, `error-unknown-employee`) or `location`.
pub async fn move_asset(app: &App, actor: &Actor, id: i64, to: &AssetMove) -> AppResult<()> {
    actor.require(Permission::ItUse)?;
    let mut tx = app.db.begin().await?;
    move_asset_in(&mut tx, actor, id, to).await?;
    tx.commit().await?;
    Ok(())
}

/// [`move_asset`] inside the caller's transaction (onboarding hands over a
/// laptop, offboarding takes the leaver's assets back).
pub(crate) async fn move_asset_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    to: &AssetMove,
) -> AppResult<AssetRow> {
    let mut errors = FieldErrors::new();
    let status = AssetStatus::parse(&to.status);
    if status.is_none() {
        errors.add("status", "error-asset-status");
    }
    let location = to.location.trim();
    if location.chars().count() > rules::TEXT_MAX {
        errors.add("location", "error-too-long");
    }
    let Some(status) = status else {
        return Err(errors.into());
    };
    let employee = match (status, to.employee_id) {
        (AssetStatus::Assigned, None) => {
            errors.add("employee_id", "error-required");
            None
        }
        (AssetStatus::Assigned, Some(e)) => {
            if !hr_store::exists(tx, hr_store::HrTable::Employees, e).await? {
                errors.add("employee_id", "error-unknown-employee");
            }
            Some(e)
        }
        _ => None,
    };
    let before = store::asset_in_tx(tx, id).await.map_err(not_found)?;
    let current = AssetStatus::parse(&before.status).unwrap_or(AssetStatus::InStock);
    if !current.may_become(status) {
        errors.add("status", "error-asset-move");
    }
    errors.into_result(())?;
    let location = (!location.is_empty()).then_some(location);
    store::set_status(
        tx,
        id,
        before.version,
        status.name(),
        employee,
        location,
        now_us(),
    )
    .await
    .map_err(stale)?;
    let after = store::asset_in_tx(tx, id).await?;
    let action = match status {
        AssetStatus::Assigned => "assign",
        AssetStatus::InStock => "return",
        AssetStatus::InRepair => "repair",
        AssetStatus::Retired => "retire",
    };
    audit(
        tx,
        actor,
        ASSET_ENTITY,
        id,
        action,
        Some(asset_json(&before)),
        asset_json(&after),
    )
    .await?;
    // The hand-over and the return also land on the holder's timeline.
    let holder = after.employee_id.or(before.employee_id);
    if let Some(employee) = holder
        && before.employee_id != after.employee_id
    {
        let what = json!({ "asset": after.tag, "model": after.model });
        let action = if after.employee_id.is_some() {
            "asset-assigned"
        } else {
            "asset-returned"
        };
        hr::audit(tx, actor, employee, action, None, what).await?;
    }
    Ok(after)
}

/// One asset with its history from the audit journal.
#[derive(Debug, Clone)]
pub struct AssetDetail {
    pub asset: AssetRow,
    pub history: Vec<EventRow>,
}

pub async fn asset(app: &App, actor: &Actor, id: i64) -> AppResult<AssetDetail> {
    actor.require(Permission::ItUse)?;
    let asset = store::asset(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let history = events::events_of(&app.db, ASSET_ENTITY, &id.to_string(), HISTORY_MAX).await?;
    Ok(AssetDetail { asset, history })
}

/// The register, newest first, a page of [`PAGE_SIZE`] below `before`.
pub async fn assets(
    app: &App,
    actor: &Actor,
    filter: &AssetFilter,
    before: Option<i64>,
) -> AppResult<Vec<AssetRow>> {
    actor.require(Permission::ItUse)?;
    Ok(store::assets(&app.db, filter, before, PAGE_SIZE).await?)
}

/// How many assets are in each status, for the IT overview.
pub async fn asset_counts(app: &App, actor: &Actor) -> AppResult<Vec<(String, i64)>> {
    actor.require(Permission::ItUse)?;
    Ok(store::asset_counts(&app.db).await?)
}

/// The register as CSV, every asset.
pub async fn assets_csv(app: &App, actor: &Actor) -> AppResult<String> {
    actor.require(Permission::ItUse)?;
    let mut out = crate::csv_file::CsvOut::new(&[
        "tag",
        "kind",
        "model",
        "serial_number",
        "purchase_date",
        "cost",
        "currency",
        "location",
        "status",
        "employee",
    ])?;
    let mut before = None;
    loop {
        let page = store::assets(&app.db, &AssetFilter::default(), before, 1_000).await?;
        for a in &page {
            out.row([
                a.tag.as_str(),
                &a.kind,
                &a.model,
                &a.serial_number,
                a.purchase_date.as_deref().unwrap_or(""),
                &format_amount(a.cost_minor, &a.currency),
                &a.currency,
                &a.location,
                &a.status,
                a.employee_name.as_deref().unwrap_or(""),
            ])?;
        }
        match page.last() {
            Some(last) if page.len() == 1_000 => before = Some(last.id),
            _ => break,
        }
    }
    out.finish()
}

// ----------------------------------------------------------------- licences

/// A licence with what it needs attention for.
#[derive(Debug, Clone)]
pub struct Licence {
    pub row: LicenceRow,
    pub warnings: LicenceWarnings,
}

fn with_warnings(row: LicenceRow) -> Licence {
    let expires = row.expires_on.as_deref().and_then(Date::parse);
    let warnings = rules::licence_warnings(row.seats, row.assigned, expires, crate::today());
    Licence { row, warnings }
}

fn licence_fields<'a>(
    valid: &'a ValidLicence,
    expires: &'a Option<String>,
) -> store::LicenceFields<'a> {
    store::LicenceFields {
        product: &valid.product,
        vendor: &valid.vendor,
        seats: valid.seats,
        expires_on: expires.as_deref(),
        cost_minor: valid.cost_minor,
        currency: &valid.currency,
    }
}

fn duplicate_product(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate => FieldErrors::one("product", "error-duplicate").into(),
        StoreError::Stale => AppError::Conflict("error-stale"),
        other => other.into(),
    }
}

/// Adds a licence. Errors: [`AppError::Invalid`] naming the field
/// (`product` with `error-duplicate` for a product already registered).
pub async fn create_licence(app: &App, actor: &Actor, draft: &LicenceDraft) -> AppResult<i64> {
    actor.require(Permission::ItUse)?;
    let valid = rules::validate_licence(draft)?;
    let expires = valid.expires_on.map(Date::iso);
    let mut tx = app.db.begin().await?;
    let id = store::insert_licence(
        &mut tx,
        &licence_fields(&valid, &expires),
        &actor.username,
        now_us(),
    )
    .await
    .map_err(duplicate_product)?;
    let row = store::licence_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        LICENCE_ENTITY,
        id,
        "create",
        None,
        licence_json(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit made to `version`. Lowering the seats below those held is
/// allowed (a renewal with fewer seats) and flagged as over-allocated.
pub async fn update_licence(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &LicenceDraft,
) -> AppResult<()> {
    actor.require(Permission::ItUse)?;
    let valid = rules::validate_licence(draft)?;
    let expires = valid.expires_on.map(Date::iso);
    let mut tx = app.db.begin().await?;
    let before = store::licence_in_tx(&mut tx, id).await.map_err(not_found)?;
    store::update_licence(
        &mut tx,
        id,
        version,
        &licence_fields(&valid, &expires),
        now_us(),
    )
    .await
    .map_err(duplicate_product)?;
    let after = store::licence_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        LICENCE_ENTITY,
        id,
        "update",
        Some(licence_json(&before)),
        licence_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every licence with its warnings, by product.
pub async fn licences(app: &App, actor: &Actor) -> AppResult<Vec<Licence>> {
    actor.require(Permission::ItUse)?;
    Ok(store::licences(&app.db)
        .await?
        .into_iter()
        .map(with_warnings)
        .collect())
}

/// One licence with its seats and history.
#[derive(Debug, Clone)]
pub struct LicenceDetail {
    pub licence: Licence,
    pub seats: Vec<SeatRow>,
    pub history: Vec<EventRow>,
}

pub async fn licence(app: &App, actor: &Actor, id: i64) -> AppResult<LicenceDetail> {
    actor.require(Permission::ItUse)?;
    let row = store::licence(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let seats = store::seats_of_licence(&app.db, id).await?;
    let history = events::events_of(&app.db, LICENCE_ENTITY, &id.to_string(), HISTORY_MAX).await?;
    Ok(LicenceDetail {
        licence: with_warnings(row),
        seats,
        history,
    })
}

/// Gives an employee a seat of a licence. Needs `it.use`.
///
/// Errors: [`AppError::Invalid`] naming `employee_id`
/// (`error-unknown-employee`, `error-seat-held`) or `licence_id`
/// (`error-seats-full`: every seat bought is taken); nothing is written.
pub async fn assign_seat(
    app: &App,
    actor: &Actor,
    licence_id: i64,
    employee_id: i64,
) -> AppResult<()> {
    actor.require(Permission::ItUse)?;
    let mut tx = app.db.begin().await?;
    assign_seat_in(&mut tx, actor, licence_id, employee_id).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn assign_seat_in(
    tx: &mut Tx,
    actor: &Actor,
    licence_id: i64,
    employee_id: i64,
) -> AppResult<String> {
    // The licence row is locked first, so two assignments of its last seat
    // queue behind each other and the second sees it taken.
    let licence = store::licence_in_tx(tx, licence_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => FieldErrors::one("licence_id", "error-unknown-licence").into(),
            other => AppError::from(other),
        })?;
    if !hr_store::exists(tx, hr_store::HrTable::Employees, employee_id).await? {
        return Err(FieldErrors::one("employee_id", "error-unknown-employee").into());
    }
    if store::open_seat(tx, licence_id, employee_id)
        .await?
        .is_some()
    {
        return Err(FieldErrors::one("employee_id", "error-seat-held").into());
    }
    if !rules::seat_available(licence.seats, licence.assigned) {
        return Err(FieldErrors::one("licence_id", "error-seats-full").into());
    }
    store::insert_seat(tx, licence_id, employee_id, &actor.username, now_us())
        .await
        .map_err(|e| match e {
            StoreError::Duplicate => FieldErrors::one("employee_id", "error-seat-held").into(),
            other => AppError::from(other),
        })?;
    let what = json!({ "licence": licence.product, "employee_id": employee_id });
    audit(
        tx,
        actor,
        LICENCE_ENTITY,
        licence_id,
        "seat-assign",
        None,
        what.clone(),
    )
    .await?;
    hr::audit(tx, actor, employee_id, "seat-assigned", None, what).await?;
    Ok(licence.product)
}

/// Frees an employee's seat of a licence. Needs `it.use`.
///
/// Errors: [`AppError::NotFound`] when they hold none.
pub async fn release_seat(
    app: &App,
    actor: &Actor,
    licence_id: i64,
    employee_id: i64,
) -> AppResult<()> {
    actor.require(Permission::ItUse)?;
    let mut tx = app.db.begin().await?;
    store::licence_in_tx(&mut tx, licence_id)
        .await
        .map_err(not_found)?;
    let seat = store::open_seat(&mut tx, licence_id, employee_id)
        .await?
        .ok_or(AppError::NotFound)?;
    release_in(&mut tx, actor, licence_id, seat, employee_id).await?;
    tx.commit().await?;
    Ok(())
}

async fn release_in(
    tx: &mut Tx,
    actor: &Actor,
    licence_id: i64,
    seat_id: i64,
    employee_id: i64,
) -> AppResult<()> {
    store::release_seat(tx, seat_id, now_us())
        .await
        .map_err(stale)?;
    let what = json!({ "licence_id": licence_id, "employee_id": employee_id });
    audit(
        tx,
        actor,
        LICENCE_ENTITY,
        licence_id,
        "seat-release",
        None,
        what.clone(),
    )
    .await?;
    hr::audit(tx, actor, employee_id, "seat-released", None, what).await?;
    Ok(())
}

/// Frees every seat an employee holds, inside the caller's transaction
/// (offboarding). Returns the products freed.
pub(crate) async fn release_all_seats_in(
    tx: &mut Tx,
    actor: &Actor,
    employee_id: i64,
) -> AppResult<Vec<String>> {
    let seats = store::seats_of_employee_in_tx(tx, employee_id).await?;
    for seat in &seats {
        release_in(tx, actor, seat.licence_id, seat.id, employee_id).await?;
    }
    Ok(seats.into_iter().map(|s| s.product).collect())
}

/// Takes every asset an employee holds back into stock, inside the
/// caller's transaction (offboarding). Returns the tags recovered.
pub(crate) async fn recover_assets_in(
    tx: &mut Tx,
    actor: &Actor,
    employee_id: i64,
    location: &str,
) -> AppResult<Vec<String>> {
    let held = store::assets_of_employee_in_tx(tx, employee_id).await?;
    let mut tags = Vec::new();
    for asset in held.iter().filter(|a| a.status == "assigned") {
        let to = AssetMove {
            status: AssetStatus::InStock.name().to_owned(),
            employee_id: None,
            location: location.to_owned(),
        };
        move_asset_in(tx, actor, asset.id, &to).await?;
        tags.push(asset.tag.clone());
    }
    Ok(tags)
}

/// What an employee holds: assets and licence seats.
#[derive(Debug, Clone, Default)]
pub struct Holdings {
    pub assets: Vec<AssetRow>,
    pub seats: Vec<SeatRow>,
}

/// The assets and seats an employee holds. IT and HR, and the employee
/// themself; anyone else gets nothing.
pub async fn holdings(app: &App, actor: &Actor, employee_id: i64) -> AppResult<Holdings> {
    let own = hr::own_employee_id(app, actor).await? == Some(employee_id);
    if !(own || actor.may(Permission::ItUse) || actor.may(Permission::HrUse)) {
        return Ok(Holdings::default());
    }
    Ok(Holdings {
        assets: store::assets_of_employee(&app.db, employee_id).await?,
        seats: store::seats_of_employee(&app.db, employee_id).await?,
    })
}

// ---------------------------------------------------------- position roles

/// Every position with the roles its holders' logins get.
pub async fn position_roles(app: &App, actor: &Actor) -> AppResult<Vec<(i64, String, String)>> {
    if !(actor.may(Permission::ItUse) || actor.may(Permission::HrManage)) {
        return Err(AppError::Forbidden);
    }
    Ok(store::positions_with_roles(&app.db).await?)
}

/// Sets the Seam roles a login created at onboarding gets for this
/// position (comma-separated role names). IT or HR.
///
/// Errors: `login_roles` (`error-position-role`: unknown, admin or portal);
/// [`AppError::NotFound`] for no such position.
pub async fn set_position_roles(
    app: &App,
    actor: &Actor,
    position_id: i64,
    roles: &str,
) -> AppResult<()> {
    if !(actor.may(Permission::ItUse) || actor.may(Permission::HrManage)) {
        return Err(AppError::Forbidden);
    }
    let roles = rules::parse_position_roles(roles)?;
    let text = roles.iter().map(|r| r.name()).collect::<Vec<_>>().join(",");
    let mut tx = app.db.begin().await?;
    let before = store::position_login_roles(&mut tx, position_id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::set_position_login_roles(&mut tx, position_id, &text).await?;
    audit(
        &mut tx,
        actor,
        "hr_position",
        position_id,
        "login-roles",
        Some(json!({ "login_roles": before })),
        json!({ "login_roles": text }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

//! HR: the employee record (linked to a person party and optionally to a
//! login), its emergency contacts and documents, effective-dated contracts,
//! departments, positions and the org chart; leave in [`leave`].
//!
//! Who sees what:
//! - `hr.manage` (HR) writes everything and sees the confidential fields:
//!   salary, bank account and national id.
//! - `hr.use` (managers) and `it.use` (IT, which equips people) read the
//!   directory without them.
//! - An employee with a linked login sees their own record whole (their own
//!   salary too) and edits their contact data; a line manager sees their
//!   reports' records without the confidential fields.
//!
//! The confidential fields are `None` in what these functions return to
//! anyone else, so no page, API answer or CLI line can show them by
//! mistake. The audit journal (read by `audit.read`, which managers hold)
//! never holds their values: it records that they changed.

pub mod leave;

use std::collections::HashMap;

use base64::Engine;
use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::hr::{
    self, ContactDraft, ContractDraft, DepartmentDraft, EmergencyContactDraft, EmployeeDraft,
    ValidContact, ValidContract, ValidEmployee,
};
use seam_domain::ids::UserId;
use seam_domain::ledger::Date;
use seam_domain::party::PartyDraft;
use seam_store::Tx;
use seam_store::events::{self, EventRow};
use seam_store::hr as store;
pub use seam_store::hr::{
    ContractRow, DepartmentRow, DocumentRow, EmergencyContactRow, EmployeeFilter, EmployeeRow,
    PositionRow,
};
use serde_json::json;

use crate::{Actor, App, AppError, AppResult, Change, UserKind, now_us, record};

/// The most employees a list shows.
pub const LIST_MAX: i64 = 500;
/// The largest document an employee record takes, in bytes.
pub const DOCUMENT_BYTES_MAX: usize = 2 * 1024 * 1024;
/// How many events the employee's timeline shows.
pub const TIMELINE_MAX: i64 = 50;

/// The audit journal's entity for everything about one employee, so the
/// record's timeline is one indexed read.
pub const ENTITY: &str = "employee";

/// How the actor stands to one employee record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sight {
    /// Salary, bank account and national id are shown.
    pub confidential: bool,
    /// HR may change the record.
    pub may_manage: bool,
    /// It is the actor's own record.
    pub own: bool,
}

/// A contract as shown: the salary is `None` unless the reader may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub row: ContractRow,
    pub salary_minor: Option<i64>,
    pub currency: Option<String>,
    pub salary_period: Option<String>,
}

/// One employee's page: the record, contracts, contacts, documents and
/// timeline, redacted for the reader.
#[derive(Debug, Clone)]
pub struct EmployeeDetail {
    /// `national_id` and `iban` are `None` unless `sight.confidential`.
    pub employee: EmployeeRow,
    pub sight: Sight,
    pub contracts: Vec<Contract>,
    /// Only for HR and the employee themself; empty otherwise.
    pub emergency_contacts: Vec<EmergencyContactRow>,
    /// Only for HR and the employee themself; empty otherwise.
    pub documents: Vec<DocumentRow>,
    pub timeline: Vec<EventRow>,
}

/// Today in UTC, as `YYYY-MM-DD`: the date "current contract" means.
pub fn today_iso() -> String {
    crate::today().iso()
}

pub(crate) fn require_staff(actor: &Actor) -> AppResult<()> {
    match actor.kind {
        UserKind::Staff => Ok(()),
        UserKind::Portal => Err(AppError::Forbidden),
    }
}

/// The employee record linked to the actor's login, if any.
pub async fn own_employee_id(app: &App, actor: &Actor) -> AppResult<Option<i64>> {
    match actor.user_id {
        Some(user) if actor.kind == UserKind::Staff => {
            Ok(store::employee_of_user(&app.db, user.0).await?)
        }
        _ => Ok(None),
    }
}

/// How `actor` sees employee `row`; `None` when they may not see it at all.
async fn sight_of(app: &App, actor: &Actor, row: &EmployeeRow) -> AppResult<Option<Sight>> {
    let own_id = own_employee_id(app, actor).await?;
    let own = own_id == Some(row.id);
    let manage = actor.may(Permission::HrManage);
    let reads = actor.may(Permission::HrUse) || actor.may(Permission::ItUse);
    let manages_them = own_id.is_some() && row.manager_id == own_id;
    if !(manage || reads || own || manages_them) {
        return Ok(None);
    }
    Ok(Some(Sight {
        confidential: manage || own,
        may_manage: manage,
        own,
    }))
}

/// Blanks the confidential fields unless `sight` shows them.
fn redact(mut row: EmployeeRow, sight: Sight) -> EmployeeRow {
    if !sight.confidential {
        row.national_id = None;
        row.iban = None;
    }
    row
}

fn contract_of(row: ContractRow, sight: Sight) -> Contract {
    let shown = sight.confidential;
    Contract {
        salary_minor: shown.then_some(row.salary_minor),
        currency: shown.then(|| row.currency.clone()),
        salary_period: shown.then(|| row.salary_period.clone()),
        row,
    }
}

/// What the audit journal keeps of an employee: never the confidential
/// values, only whether they are set (and the IBAN's last four characters).
pub fn employee_json(row: &EmployeeRow) -> serde_json::Value {
    json!({
        "number": row.number,
        "party_id": row.party_id,
        "user_id": row.user_id,
        "name": row.name,
        "work_email": row.work_email,
        "birth_date": row.birth_date,
        "personal_email": row.personal_email,
        "personal_phone": row.personal_phone,
        "street": row.street,
        "postal_code": row.postal_code,
        "city": row.city,
        "country": row.country,
        "national_id_set": row.national_id.is_some(),
        "iban": row.iban.as_deref().map(hr::masked_iban),
    })
}

/// What the audit journal keeps of a contract: the salary as "set", not its amount.
pub fn contract_json(row: &ContractRow) -> serde_json::Value {
    json!({
        "contract_id": row.id,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "position_id": row.position_id,
        "department_id": row.department_id,
        "manager_id": row.manager_id,
        "working_time_pct": row.working_time_pct,
        "hours_per_week_x100": row.hours_per_week_x100,
        "salary": "confidential",
    })
}

/// Records an event on the employee's timeline.
pub(crate) async fn audit(
    tx: &mut Tx,
    actor: &Actor,
    employee_id: i64,
    action: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> AppResult<()> {
    record(
        tx,
        actor,
        Change {
            entity_type: ENTITY,
            entity_id: employee_id.to_string(),
            action,
            before,
            after: Some(after),
        },
    )
    .await
}

fn fields<'a>(valid: &'a ValidEmployee, birth: &'a Option<String>) -> store::EmployeeFields<'a> {
    store::EmployeeFields {
        name: &valid.name,
        work_email: valid.work_email.as_deref(),
        birth_date: birth.as_deref(),
        contact: contact_fields(&valid.contact),
        national_id: valid.national_id.as_deref(),
        iban: valid.iban.as_deref(),
    }
}

fn contact_fields(c: &ValidContact) -> store::ContactFields<'_> {
    store::ContactFields {
        personal_email: c.personal_email.as_deref(),
        personal_phone: c.personal_phone.as_deref(),
        street: &c.street,
        postal_code: &c.postal_code,
        city: &c.city,
        country: c.country.as_deref(),
    }
}

/// A new employee: the record, and the login it belongs to (by username), if any.
#[derive(Debug, Clone, Default)]
pub struct NewEmployee {
    pub employee: EmployeeDraft,
    /// The username of an existing staff login to link; empty for none.
    pub username: String,
}

/// Finds the staff login `username` may be linked to.
///
/// Errors: `username` with `error-unknown-user` or `error-user-not-staff`.
async fn login_to_link(app: &App, username: &str) -> AppResult<Option<i64>> {
    let username = username.trim();
    if username.is_empty() {
        return Ok(None);
    }
    let user = seam_store::users::user_by_username(&app.db, username)
        .await?
        .ok_or_else(|| FieldErrors::one("username", "error-unknown-user"))?;
    if user.kind != "staff" {
        return Err(FieldErrors::one("username", "error-user-not-staff").into());
    }
    Ok(Some(user.id))
}

/// Adds an employee with the next number of the `EMP` series, and the
/// person party that stands for them (kind person, tagged `employee`).
/// Needs `hr.manage`.
///
/// Errors: [`AppError::Invalid`] naming the field (bad e-mail, IBAN, birth
/// date, unknown login, a login already linked); nothing is written then.
pub async fn create_employee(
    app: &App,
    actor: &Actor,
    input: &NewEmployee,
) -> AppResult<(i64, String)> {
    actor.require(Permission::HrManage)?;
    let (valid, party, user_id) = prepare_employee(app, input).await?;
    let mut tx = app.db.begin().await?;
    let created = create_employee_in(&mut tx, actor, &valid, &party, user_id).await?;
    tx.commit().await?;
    Ok(created)
}

/// Validates what [`create_employee_in`] needs: the record, its person
/// party, and the login to link.
pub(crate) async fn prepare_employee(
    app: &App,
    input: &NewEmployee,
) -> AppResult<(
    hr::ValidEmployee,
    seam_domain::party::ValidParty,
    Option<i64>,
)> {
    let valid = hr::validate_employee(&input.employee, crate::today())?;
    let user_id = login_to_link(app, &input.username).await?;
    let party = seam_domain::party::validate(&PartyDraft {
        kind: "person".into(),
        name: valid.name.clone(),
        tags: "employee".into(),
        ..PartyDraft::default()
    })?;
    Ok((valid, party, user_id))
}

/// [`create_employee`] inside the caller's transaction (hiring adds the
/// contract and the onboarding checklist in the same one).
pub(crate) async fn create_employee_in(
    tx: &mut Tx,
    actor: &Actor,
    valid: &hr::ValidEmployee,
    party: &seam_domain::party::ValidParty,
    user_id: Option<i64>,
) -> AppResult<(i64, String)> {
    let now = now_us();
    let party_id = seam_store::parties::insert_party(tx, party, now).await?;
    let party_row = seam_store::parties::party_in_tx(tx, party_id).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "party",
            entity_id: party_id.to_string(),
            action: "create",
            before: None,
            after: Some(crate::parties::party_json(&party_row)),
        },
    )
    .await?;
    let value = seam_store::ledger::next_number(tx, hr::NUMBER_SERIES).await?;
    let number = hr::employee_number(value);
    let birth = valid.birth_date.map(Date::iso);
    let id = store::insert_employee(
        tx,
        &number,
        party_id,
        user_id,
        &fields(valid, &birth),
        &actor.username,
        now,
    )
    .await
    .map_err(|e| match e {
        seam_store::StoreError::Duplicate => {
            AppError::Invalid(FieldErrors::one("username", "error-user-linked"))
        }
        other => other.into(),
    })?;
    let row = store::employee_in_tx(tx, id, &today_iso()).await?;
    audit(tx, actor, id, "create", None, employee_json(&row)).await?;
    Ok((id, number))
}

/// Saves HR's edit of an employee made to `version`. Needs `hr.manage`.
///
/// Errors: [`AppError::Invalid`] naming the field; [`AppError::Conflict`]
/// (`error-stale`) when someone saved in between.
pub async fn update_employee(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &EmployeeDraft,
) -> AppResult<()> {
    actor.require(Permission::HrManage)?;
    let valid = hr::validate_employee(draft, crate::today())?;
    let mut tx = app.db.begin().await?;
    let before = store::employee_in_tx(&mut tx, id, &today_iso()).await?;
    let birth = valid.birth_date.map(Date::iso);
    store::update_employee(&mut tx, id, version, &fields(&valid, &birth), now_us()).await?;
    let after = store::employee_in_tx(&mut tx, id, &today_iso()).await?;
    let mut changed = employee_json(&after);
    if before.national_id != after.national_id
        && let Some(map) = changed.as_object_mut()
    {
        map.insert("national_id_changed".into(), json!(true));
    }
    audit(
        &mut tx,
        actor,
        id,
        "update",
        Some(employee_json(&before)),
        changed,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Links the employee to a staff login (by username), or unlinks it with
/// an empty name. Needs `hr.manage`.
///
/// Errors: `username` with `error-unknown-user`, `error-user-not-staff` or
/// `error-user-linked` (the login belongs to another employee).
pub async fn link_login(app: &App, actor: &Actor, id: i64, username: &str) -> AppResult<()> {
    actor.require(Permission::HrManage)?;
    let user_id = login_to_link(app, username).await?;
    let mut tx = app.db.begin().await?;
    let before = store::employee_in_tx(&mut tx, id, &today_iso()).await?;
    store::set_employee_user(&mut tx, id, user_id, now_us())
        .await
        .map_err(|e| match e {
            seam_store::StoreError::Duplicate => {
                AppError::Invalid(FieldErrors::one("username", "error-user-linked"))
            }
            other => other.into(),
        })?;
    audit(
        &mut tx,
        actor,
        id,
        "link-login",
        Some(json!({ "user_id": before.user_id })),
        json!({ "user_id": user_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One employee as the actor may see them.
///
/// Errors: [`AppError::NotFound`] when there is no such employee or the
/// actor may not see them (so guessing ids reveals nothing).
pub async fn employee(app: &App, actor: &Actor, id: i64) -> AppResult<EmployeeDetail> {
    require_staff(actor)?;
    let row = store::employee(&app.db, id, &today_iso())
        .await?
        .ok_or(AppError::NotFound)?;
    let sight = sight_of(app, actor, &row)
        .await?
        .ok_or(AppError::NotFound)?;
    let contracts = store::contracts_of(&app.db, id)
        .await?
        .into_iter()
        .map(|c| contract_of(c, sight))
        .collect();
    let (emergency_contacts, documents) = if sight.confidential {
        (
            store::emergency_contacts(&app.db, id).await?,
            store::documents(&app.db, id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let timeline = events::events_of(&app.db, ENTITY, &id.to_string(), TIMELINE_MAX).await?;
    Ok(EmployeeDetail {
        employee: redact(row, sight),
        sight,
        contracts,
        emergency_contacts,
        documents,
        timeline,
    })
}

/// The actor's own record ("My profile"), or `None` when their login is
/// linked to no employee.
pub async fn my_profile(app: &App, actor: &Actor) -> AppResult<Option<EmployeeDetail>> {
    require_staff(actor)?;
    match own_employee_id(app, actor).await? {
        Some(id) => Ok(Some(employee(app, actor, id).await?)),
        None => Ok(None),
    }
}

/// The directory: employees by name with their current position,
/// department and manager, never the confidential fields. Needs `hr.use`
/// or `it.use`.
pub async fn list_employees(
    app: &App,
    actor: &Actor,
    filter: &EmployeeFilter,
) -> AppResult<Vec<EmployeeRow>> {
    if !(actor.may(Permission::HrUse) || actor.may(Permission::ItUse)) {
        return Err(AppError::Forbidden);
    }
    let rows = store::list_employees(&app.db, filter, &today_iso(), LIST_MAX).await?;
    let hidden = Sight {
        confidential: false,
        may_manage: false,
        own: false,
    };
    Ok(rows.into_iter().map(|r| redact(r, hidden)).collect())
}

/// The employee's own edit of their contact data. Needs a login linked to
/// an employee.
///
/// Errors: [`AppError::NotFound`] without a linked record; [`AppError::Invalid`];
/// [`AppError::Conflict`] (`error-stale`).
pub async fn update_my_contact(
    app: &App,
    actor: &Actor,
    version: i64,
    draft: &ContactDraft,
) -> AppResult<()> {
    require_staff(actor)?;
    let id = own_employee_id(app, actor)
        .await?
        .ok_or(AppError::NotFound)?;
    let valid = hr::validate_contact(draft)?;
    let mut tx = app.db.begin().await?;
    let before = store::employee_in_tx(&mut tx, id, &today_iso()).await?;
    store::update_contact(&mut tx, id, version, &contact_fields(&valid), now_us()).await?;
    let after = store::employee_in_tx(&mut tx, id, &today_iso()).await?;
    audit(
        &mut tx,
        actor,
        id,
        "update-contact",
        Some(employee_json(&before)),
        employee_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// HR, or the employee themself; anyone else finds no such record.
async fn require_hr_or_self(app: &App, actor: &Actor, employee_id: i64) -> AppResult<()> {
    if actor.may(Permission::HrManage) {
        return Ok(());
    }
    require_staff(actor)?;
    if own_employee_id(app, actor).await? == Some(employee_id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Adds an emergency contact. HR, or the employee themself.
///
/// Errors: [`AppError::Invalid`] (`contact_name`, `contact_phone`);
/// [`AppError::NotFound`].
pub async fn add_emergency_contact(
    app: &App,
    actor: &Actor,
    employee_id: i64,
    draft: &EmergencyContactDraft,
) -> AppResult<i64> {
    require_hr_or_self(app, actor, employee_id).await?;
    let valid = hr::validate_emergency_contact(draft)?;
    let mut tx = app.db.begin().await?;
    store::employee_in_tx(&mut tx, employee_id, &today_iso()).await?;
    let id = store::insert_emergency_contact(
        &mut tx,
        employee_id,
        &valid.name,
        &valid.relation,
        &valid.phone,
        now_us(),
    )
    .await?;
    audit(
        &mut tx,
        actor,
        employee_id,
        "emergency-contact-add",
        None,
        json!({ "contact_id": id, "name": valid.name, "relation": valid.relation }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes an emergency contact. HR, or the employee themself.
pub async fn remove_emergency_contact(
    app: &App,
    actor: &Actor,
    employee_id: i64,
    contact_id: i64,
) -> AppResult<()> {
    require_hr_or_self(app, actor, employee_id).await?;
    let mut tx = app.db.begin().await?;
    store::delete_emergency_contact(&mut tx, employee_id, contact_id).await?;
    audit(
        &mut tx,
        actor,
        employee_id,
        "emergency-contact-remove",
        Some(json!({ "contact_id": contact_id })),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An uploaded file for an employee's record.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Keeps a document on the employee's record (contract scans, certificates).
/// Needs `hr.manage`.
///
/// Errors: `file` with `error-required` (empty) or `error-file-too-large`
/// (over [`DOCUMENT_BYTES_MAX`]); `title` with `error-required`.
pub async fn add_document(
    app: &App,
    actor: &Actor,
    employee_id: i64,
    upload: &Upload,
) -> AppResult<i64> {
    actor.require(Permission::HrManage)?;
    let mut errors = FieldErrors::new();
    if upload.bytes.is_empty() {
        errors.add("file", "error-required");
    } else if upload.bytes.len() > DOCUMENT_BYTES_MAX {
        errors.add("file", "error-file-too-large");
    }
    let title = match upload.title.trim() {
        "" => upload.file_name.trim(),
        t => t,
    };
    if title.is_empty() {
        errors.add("title", "error-required");
    } else if title.chars().count() > hr::TEXT_MAX {
        errors.add("title", "error-too-long");
    }
    errors.into_result(())?;
    let file_name: String = upload
        .file_name
        .chars()
        .filter(|c| !c.is_control() && !"/\\\"".contains(*c))
        .take(200)
        .collect();
    let content_type = match upload.content_type.trim() {
        "" => "application/octet-stream",
        t => t,
    };
    let content = base64::engine::general_purpose::STANDARD.encode(&upload.bytes);
    let mut tx = app.db.begin().await?;
    store::employee_in_tx(&mut tx, employee_id, &today_iso()).await?;
    let doc = store::NewDocument {
        title,
        file_name: &file_name,
        content_type,
        size_bytes: upload.bytes.len() as i64,
        content_b64: &content,
    };
    let id = store::insert_document(&mut tx, employee_id, &doc, &actor.username, now_us()).await?;
    audit(
        &mut tx,
        actor,
        employee_id,
        "document-add",
        None,
        json!({ "document_id": id, "title": title, "file_name": file_name, "size_bytes": upload.bytes.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A document's description and bytes. HR, or the employee themself.
pub async fn document(app: &App, actor: &Actor, id: i64) -> AppResult<(DocumentRow, Vec<u8>)> {
    let (row, content) = store::document_content(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_hr_or_self(app, actor, row.employee_id).await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("document {id}: {e}")))?;
    Ok((row, bytes))
}

// ------------------------------------------------------------------ contracts

/// Checks that what a contract refers to exists and that its manager
/// closes no loop in the reporting lines in force on its first day.
async fn check_contract_refs(
    tx: &mut Tx,
    employee_id: i64,
    contract: &ValidContract,
) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    if let Some(p) = contract.position_id
        && !store::exists(tx, store::HrTable::Positions, p).await?
    {
        errors.add("position_id", "error-unknown-position");
    }
    if let Some(d) = contract.department_id
        && !store::exists(tx, store::HrTable::Departments, d).await?
    {
        errors.add("department_id", "error-unknown-department");
    }
    if let Some(m) = contract.manager_id {
        if !store::exists(tx, store::HrTable::Employees, m).await? {
            errors.add("manager_id", "error-unknown-manager");
        } else {
            let lines: HashMap<i64, i64> = store::reporting_lines(tx, &contract.start.iso())
                .await?
                .into_iter()
                .filter(|(e, _)| *e != employee_id)
                .collect();
            if hr::closes_cycle(employee_id, m, &lines) {
                errors.add("manager_id", "error-manager-cycle");
            }
        }
    }
    errors.into_result(())?;
    Ok(())
}

/// The day before `date`.
fn day_before(date: Date) -> Option<Date> {
    let d = jiff::civil::Date::new(date.year, date.month, date.day).ok()?;
    let y = d.yesterday().ok()?;
    Some(Date {
        year: y.year(),
        month: y.month(),
        day: y.day(),
    })
}

/// Adds a contract to an employee. An open-ended contract that started
/// earlier is ended the day before the new one starts (a raise, a new
/// position); any other overlap is refused. Needs `hr.manage`.
///
/// Errors: [`AppError::Invalid`] naming the field: dates (`end_date` before
/// `start_date`), a negative `salary`, an unknown `position_id`,
/// `department_id` or `manager_id`, a `manager_id` that closes a loop,
/// `start_date` overlapping another contract. Nothing is written then.
pub async fn add_contract(
    app: &App,
    actor: &Actor,
    employee_id: i64,
    draft: &ContractDraft,
) -> AppResult<i64> {
    actor.require(Permission::HrManage)?;
    let contract = hr::validate_contract(draft, Some(employee_id))?;
    let mut tx = app.db.begin().await?;
    let id = add_contract_in(&mut tx, actor, employee_id, &contract).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`add_contract`] inside the caller's transaction (hiring).
pub(crate) async fn add_contract_in(
    tx: &mut Tx,
    actor: &Actor,
    employee_id: i64,
    contract: &hr::ValidContract,
) -> AppResult<i64> {
    store::lock_org(tx).await?;
    store::employee_in_tx(tx, employee_id, &today_iso()).await?;
    check_contract_refs(tx, employee_id, contract).await?;
    let existing = store::contracts_in_tx(tx, employee_id).await?;
    for old in &existing {
        let Some(start) = Date::parse(&old.start_date) else {
            continue;
        };
        let end = old.end_date.as_deref().and_then(Date::parse);
        if !hr::periods_overlap(start, end, contract.start, contract.end) {
            continue;
        }
        match (end, day_before(contract.start)) {
            (None, Some(last)) if start <= last => {
                store::end_contract(tx, old.id, &last.iso()).await?;
                audit(
                    tx,
                    actor,
                    employee_id,
                    "contract-end",
                    Some(json!({ "contract_id": old.id, "end_date": null })),
                    json!({ "contract_id": old.id, "end_date": last.iso() }),
                )
                .await?;
            }
            _ => {
                return Err(FieldErrors::one("start_date", "error-contract-overlap").into());
            }
        }
    }
    let end = contract.end.map(Date::iso);
    let start = contract.start.iso();
    let fields = store::ContractFields {
        start_date: &start,
        end_date: end.as_deref(),
        position_id: contract.position_id,
        department_id: contract.department_id,
        manager_id: contract.manager_id,
        working_time_pct: contract.working_time_pct,
        hours_per_week_x100: contract.hours_per_week_x100,
        salary_minor: contract.salary_minor,
        currency: &contract.currency,
        salary_period: contract.salary_period.name(),
    };
    let id = store::insert_contract(tx, employee_id, &fields, &actor.username, now_us()).await?;
    let row = store::contracts_in_tx(tx, employee_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    audit(
        tx,
        actor,
        employee_id,
        "contract-add",
        None,
        contract_json(&row),
    )
    .await?;
    Ok(id)
}

// ------------------------------------------------ departments, positions, org

/// Every department. Any member of staff.
pub async fn departments(app: &App, actor: &Actor) -> AppResult<Vec<DepartmentRow>> {
    require_staff(actor)?;
    Ok(store::departments(&app.db).await?)
}

/// Every position. Any member of staff.
pub async fn positions(app: &App, actor: &Actor) -> AppResult<Vec<PositionRow>> {
    require_staff(actor)?;
    Ok(store::positions(&app.db).await?)
}

/// True when `parent` is `id` or lies below it in `rows`.
fn parent_loops(id: i64, parent: i64, rows: &[DepartmentRow]) -> bool {
    let parents: HashMap<i64, i64> = rows
        .iter()
        .filter(|r| r.id != id)
        .filter_map(|r| r.parent_id.map(|p| (r.id, p)))
        .collect();
    hr::closes_cycle(id, parent, &parents)
}

async fn check_parent(tx: &mut Tx, id: Option<i64>, parent: Option<i64>) -> AppResult<()> {
    let Some(parent) = parent else { return Ok(()) };
    let rows = store::departments_in_tx(tx).await?;
    if !rows.iter().any(|r| r.id == parent) {
        return Err(FieldErrors::one("parent_id", "error-unknown-department").into());
    }
    if let Some(id) = id
        && parent_loops(id, parent, &rows)
    {
        return Err(FieldErrors::one("parent_id", "error-department-cycle").into());
    }
    Ok(())
}

fn duplicate_as(field: &'static str) -> impl Fn(seam_store::StoreError) -> AppError {
    move |e| match e {
        seam_store::StoreError::Duplicate => {
            AppError::Invalid(FieldErrors::one(field, "error-duplicate"))
        }
        other => other.into(),
    }
}

/// Adds a department, optionally inside another. Needs `hr.manage`.
///
/// Errors: `name` (`error-required`, `error-duplicate`), `parent_id` (`error-unknown-department`).
pub async fn create_department(
    app: &App,
    actor: &Actor,
    draft: &DepartmentDraft,
) -> AppResult<i64> {
    actor.require(Permission::HrManage)?;
    let name = hr::validate_department(draft)?;
    let mut tx = app.db.begin().await?;
    check_parent(&mut tx, None, draft.parent_id).await?;
    let id = store::insert_department(&mut tx, &name, draft.parent_id, now_us())
        .await
        .map_err(duplicate_as("name"))?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "hr_department",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(json!({ "name": name, "parent_id": draft.parent_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames or moves a department. Needs `hr.manage`.
///
/// Errors: as [`create_department`], and `parent_id` with
/// `error-department-cycle` when the new parent lies inside it.
pub async fn update_department(
    app: &App,
    actor: &Actor,
    id: i64,
    draft: &DepartmentDraft,
) -> AppResult<()> {
    actor.require(Permission::HrManage)?;
    let name = hr::validate_department(draft)?;
    let mut tx = app.db.begin().await?;
    check_parent(&mut tx, Some(id), draft.parent_id).await?;
    store::update_department(&mut tx, id, &name, draft.parent_id, now_us())
        .await
        .map_err(duplicate_as("name"))?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "hr_department",
            entity_id: id.to_string(),
            action: "update",
            before: None,
            after: Some(json!({ "name": name, "parent_id": draft.parent_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a position (a job title), optionally in a department. Needs `hr.manage`.
///
/// Errors: `title` (`error-required`, `error-duplicate`), `department_id`.
pub async fn create_position(
    app: &App,
    actor: &Actor,
    title: &str,
    department_id: Option<i64>,
) -> AppResult<i64> {
    actor.require(Permission::HrManage)?;
    let title = hr::validate_position(title)?;
    let mut tx = app.db.begin().await?;
    if let Some(d) = department_id
        && !store::exists(&mut tx, store::HrTable::Departments, d).await?
    {
        return Err(FieldErrors::one("department_id", "error-unknown-department").into());
    }
    let id = store::insert_position(&mut tx, &title, department_id, now_us())
        .await
        .map_err(duplicate_as("title"))?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "hr_position",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(json!({ "title": title, "department_id": department_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// One person in the org chart and the people who report to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgNode {
    pub id: i64,
    pub name: String,
    pub position: String,
    pub department: String,
    pub reports: Vec<OrgNode>,
}

/// One department in the org chart, its people and its sub-departments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentNode {
    pub id: i64,
    pub name: String,
    /// `(employee id, name, position)`.
    pub people: Vec<(i64, String, String)>,
    pub children: Vec<DepartmentNode>,
}

/// The org chart on today's contracts: by manager (people without a
/// manager at the top) and by department (people without one last, under
/// id 0). Any member of staff; no confidential field is in it.
pub async fn org_chart(app: &App, actor: &Actor) -> AppResult<(Vec<OrgNode>, Vec<DepartmentNode>)> {
    require_staff(actor)?;
    let rows =
        store::list_employees(&app.db, &EmployeeFilter::default(), &today_iso(), LIST_MAX).await?;
    let departments = store::departments(&app.db).await?;
    Ok((by_manager(&rows), by_department(&rows, &departments)))
}

fn by_manager(rows: &[EmployeeRow]) -> Vec<OrgNode> {
    let known: std::collections::HashSet<i64> = rows.iter().map(|r| r.id).collect();
    let mut reports: HashMap<i64, Vec<&EmployeeRow>> = HashMap::new();
    let mut tops = Vec::new();
    for r in rows {
        match r.manager_id.filter(|m| known.contains(m)) {
            Some(m) => reports.entry(m).or_default().push(r),
            None => tops.push(r),
        }
    }
    // A loop in old data would have no top; depth is bounded by the count.
    fn node(r: &EmployeeRow, reports: &HashMap<i64, Vec<&EmployeeRow>>, depth: usize) -> OrgNode {
        let children = if depth == 0 {
            Vec::new()
        } else {
            reports
                .get(&r.id)
                .map(|rs| rs.iter().map(|c| node(c, reports, depth - 1)).collect())
                .unwrap_or_default()
        };
        OrgNode {
            id: r.id,
            name: r.name.clone(),
            position: r.position_title.clone().unwrap_or_default(),
            department: r.department_name.clone().unwrap_or_default(),
            reports: children,
        }
    }
    tops.into_iter()
        .map(|t| node(t, &reports, rows.len()))
        .collect()
}

fn by_department(rows: &[EmployeeRow], departments: &[DepartmentRow]) -> Vec<DepartmentNode> {
    let ids: std::collections::HashSet<i64> = departments.iter().map(|d| d.id).collect();
    fn build(
        d: &DepartmentRow,
        departments: &[DepartmentRow],
        rows: &[EmployeeRow],
        depth: usize,
    ) -> DepartmentNode {
        let children = if depth == 0 {
            Vec::new()
        } else {
            departments
                .iter()
                .filter(|c| c.parent_id == Some(d.id) && c.id != d.id)
                .map(|c| build(c, departments, rows, depth - 1))
                .collect()
        };
        DepartmentNode {
            id: d.id,
            name: d.name.clone(),
            people: rows
                .iter()
                .filter(|r| r.department_id == Some(d.id))
                .map(|r| {
                    (
                        r.id,
                        r.name.clone(),
                        r.position_title.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            children,
        }
    }
    let mut tree: Vec<DepartmentNode> = departments
        .iter()
        .filter(|d| d.parent_id.is_none_or(|p| !ids.contains(&p)))
        .map(|d| build(d, departments, rows, departments.len()))
        .collect();
    let without: Vec<(i64, String, String)> = rows
        .iter()
        .filter(|r| r.department_id.is_none_or(|d| !ids.contains(&d)))
        .map(|r| {
            (
                r.id,
                r.name.clone(),
                r.position_title.clone().unwrap_or_default(),
            )
        })
        .collect();
    if !without.is_empty() {
        tree.push(DepartmentNode {
            id: 0,
            name: String::new(),
            people: without,
            children: Vec::new(),
        });
    }
    tree
}

/// The employee linked to a login, for the header's "My profile" link.
pub async fn has_profile(app: &App, user_id: UserId) -> AppResult<bool> {
    Ok(store::employee_of_user(&app.db, user_id.0).await?.is_some())
}

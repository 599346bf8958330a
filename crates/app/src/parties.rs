//! Parties: the companies and persons the business deals with. Create, edit,
//! archive (never delete), list, search, and move them in and out as CSV.

use std::collections::{HashMap, HashSet};

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::PartyId;
use seam_domain::party::{self, PartyDraft, PartyKind, ValidParty};
use seam_store::events;
pub use seam_store::events::EventRow;
use seam_store::parties as store;
pub use seam_store::parties::{
    ArchiveFilter, PAGE_SIZE_MAX, PartyCursor, PartyFilter, PartyPage, PartyRow, PartySort,
};
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::csv_file::{CsvOut, Record, read_records};
use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

pub use crate::csv_file::IMPORT_ROWS_MAX;
/// How many timeline entries a party page shows.
pub const TIMELINE_MAX: i64 = 100;

/// The CSV columns, in order, for export and import alike.
pub const CSV_COLUMNS: [&str; 15] = [
    "id",
    "kind",
    "name",
    "company",
    "email",
    "phone",
    "tax_id",
    "street",
    "postal_code",
    "city",
    "country",
    "customer",
    "vendor",
    "tags",
    "notes",
];

/// What the audit journal and the API keep of a party.
pub fn party_json(row: &PartyRow) -> serde_json::Value {
    json!({
        "kind": row.kind,
        "name": row.name,
        "company_id": row.company_id,
        "email": row.email,
        "phone": row.phone,
        "tax_id": row.tax_id,
        "street": row.street,
        "postal_code": row.postal_code,
        "city": row.city,
        "country": row.country,
        "is_customer": row.is_customer,
        "is_vendor": row.is_vendor,
        "tags": row.tags,
        "notes": row.notes,
        "archived": row.archived,
    })
}

/// A person's company must exist and be a company.
async fn check_company(tx: &mut Tx, party: &ValidParty) -> AppResult<()> {
    if let Some(company) = party.company_id
        && store::existing_company_ids(tx, &[company.0])
            .await?
            .is_empty()
    {
        return Err(AppError::Invalid(FieldErrors::one(
            "company_id",
            "error-unknown-company",
        )));
    }
    Ok(())
}

/// Creates a party. Needs `parties.write`.
pub async fn create_party(app: &App, actor: &Actor, draft: &PartyDraft) -> AppResult<PartyId> {
    let mut tx = app.db.begin().await?;
    let id = create_party_in(&mut tx, actor, draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create_party`] inside the caller's transaction (a qualified lead
/// becomes a party in the same transaction as its opportunity).
pub(crate) async fn create_party_in(
    tx: &mut Tx,
    actor: &Actor,
    draft: &PartyDraft,
) -> AppResult<PartyId> {
    actor.require(Permission::PartiesWrite)?;
    let valid = party::validate(draft)?;
    check_company(tx, &valid).await?;
    let id = store::insert_party(tx, &valid, now_us()).await?;
    let row = store::party_in_tx(tx, id).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "party",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(party_json(&row)),
        },
    )
    .await?;
    Ok(PartyId(id))
}

/// Saves an edit made to `version` of the party. Needs `parties.write`.
///
/// Errors: [`AppError::Conflict`] (`error-stale`) when someone saved it in
/// between; the caller shows the current version and keeps the user's input.
pub async fn update_party(
    app: &App,
    actor: &Actor,
    id: PartyId,
    version: i64,
    draft: &PartyDraft,
) -> AppResult<()> {
    actor.require(Permission::PartiesWrite)?;
    let valid = party::validate(draft)?;
    if valid.company_id == Some(id) {
        return Err(AppError::Invalid(FieldErrors::one(
            "company_id",
            "error-unknown-company",
        )));
    }
    let mut tx = app.db.begin().await?;
    let before = store::party_in_tx(&mut tx, id.0).await?;
    if before.kind == "company"
        && valid.kind == PartyKind::Person
        && !store::contacts_of(&app.db, id.0).await?.is_empty()
    {
        return Err(AppError::Invalid(FieldErrors::one(
            "kind",
            "error-company-has-contacts",
        )));
    }
    check_company(&mut tx, &valid).await?;
    store::update_party(&mut tx, id.0, version, &valid, now_us()).await?;
    let after = store::party_in_tx(&mut tx, id.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "party",
            entity_id: id.to_string(),
            action: "update",
            before: Some(party_json(&before)),
            after: Some(party_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Archives (hides from lists, keeps everything) or restores a party. Needs `parties.write`.
pub async fn set_archived(app: &App, actor: &Actor, id: PartyId, archived: bool) -> AppResult<()> {
    actor.require(Permission::PartiesWrite)?;
    let mut tx = app.db.begin().await?;
    let before = store::party_in_tx(&mut tx, id.0).await?;
    if before.archived == archived {
        return Ok(());
    }
    store::set_party_archived(&mut tx, id.0, archived, now_us()).await?;
    let after = store::party_in_tx(&mut tx, id.0).await?;
    let action = if archived { "archive" } else { "restore" };
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "party",
            entity_id: id.to_string(),
            action,
            before: Some(party_json(&before)),
            after: Some(party_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Everything the party page shows.
#[derive(Debug, Clone)]
pub struct PartyDetail {
    pub party: PartyRow,
    pub company: Option<PartyRow>,
    pub contacts: Vec<PartyRow>,
    pub timeline: Vec<EventRow>,
}

/// A party with its company, contacts and timeline. Needs `parties.read`.
pub async fn party_detail(app: &App, actor: &Actor, id: PartyId) -> AppResult<PartyDetail> {
    actor.require(Permission::PartiesRead)?;
    let party = store::party(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let company = match party.company_id {
        Some(company) => store::party(&app.db, company).await?,
        None => None,
    };
    let contacts = if party.kind == "company" {
        store::contacts_of(&app.db, id.0).await?
    } else {
        Vec::new()
    };
    let timeline = events::party_timeline(&app.db, id.0, TIMELINE_MAX).await?;
    Ok(PartyDetail {
        party,
        company,
        contacts,
        timeline,
    })
}

/// A portal customer's own party. Needs `portal.use`.
pub async fn my_party(app: &App, actor: &Actor) -> AppResult<PartyRow> {
    actor.require(Permission::PortalUse)?;
    let id = actor.party_id.ok_or(AppError::NotFound)?;
    store::party(&app.db, id.0).await?.ok_or(AppError::NotFound)
}

/// One party. Needs `parties.read`.
pub async fn party(app: &App, actor: &Actor, id: PartyId) -> AppResult<PartyRow> {
    actor.require(Permission::PartiesRead)?;
    store::party(&app.db, id.0).await?.ok_or(AppError::NotFound)
}

/// A page of parties. Needs `parties.read`.
pub async fn list_parties(
    app: &App,
    actor: &Actor,
    filter: &PartyFilter,
    sort: PartySort,
    cursor: Option<&PartyCursor>,
    limit: i64,
) -> AppResult<PartyPage> {
    actor.require(Permission::PartiesRead)?;
    Ok(store::list_parties(&app.db, filter, sort, cursor, limit).await?)
}

/// One hit of the global search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// `party` or `product`.
    pub kind: &'static str,
    pub id: i64,
    pub title: String,
    pub detail: String,
    pub archived: bool,
}

/// The global search: parties and products now, every document kind as it
/// arrives. Only kinds the actor may read are searched; each kind gives at
/// most `limit` hits.
pub async fn search(app: &App, actor: &Actor, text: &str, limit: i64) -> AppResult<Vec<SearchHit>> {
    let mut hits = Vec::new();
    if actor.may(Permission::PartiesRead) {
        for row in store::search_parties(&app.db, text, limit).await? {
            let detail = [
                row.email.as_deref(),
                row.city.as_deref(),
                row.tax_id.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            hits.push(SearchHit {
                kind: "party",
                id: row.id,
                title: row.name,
                detail,
                archived: row.archived,
            });
        }
    }
    if actor.may(Permission::ProductsRead) {
        for row in crate::products::search_products(app, actor, text, limit).await? {
            hits.push(SearchHit {
                kind: "product",
                id: row.id,
                title: row.name,
                detail: row.sku,
                archived: row.archived,
            });
        }
    }
    Ok(hits)
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// All parties matching the filter as CSV (the import format). Needs `parties.export`.
pub async fn export_csv(app: &App, actor: &Actor, filter: &PartyFilter) -> AppResult<String> {
    actor.require(Permission::PartiesExport)?;
    let mut out = CsvOut::new(&CSV_COLUMNS)?;
    let mut company_names: HashMap<i64, String> = HashMap::new();
    let mut cursor: Option<PartyCursor> = None;
    loop {
        let page = store::list_parties(
            &app.db,
            filter,
            PartySort::OldestFirst,
            cursor.as_ref(),
            store::PAGE_SIZE_MAX,
        )
        .await?;
        for row in &page.rows {
            if row.kind == "company" {
                company_names.insert(row.id, row.name.clone());
            }
        }
        for row in &page.rows {
            let company = match row.company_id {
                Some(id) => match company_names.get(&id) {
                    Some(name) => name.clone(),
                    None => store::party(&app.db, id)
                        .await?
                        .map(|c| c.name)
                        .unwrap_or_default(),
                },
                None => String::new(),
            };
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            out.row([
                row.id.to_string(),
                row.kind.clone(),
                row.name.clone(),
                company,
                opt(&row.email),
                opt(&row.phone),
                opt(&row.tax_id),
                opt(&row.street),
                opt(&row.postal_code),
                opt(&row.city),
                opt(&row.country),
                yes_no(row.is_customer).to_owned(),
                yes_no(row.is_vendor).to_owned(),
                row.tags.clone(),
                opt(&row.notes),
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
    pub party: ValidParty,
    /// The company named in the row, if any, by name.
    pub company: Option<String>,
}

/// What an import found, and (after commit) did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub rows: Vec<ImportRow>,
    /// Problems, each naming its line and field: `line 3: email`.
    pub errors: FieldErrors,
    /// How many parties were created (0 for a preview or when there were errors).
    pub created: usize,
}

fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "yes" | "y" | "true" | "1" => Some(true),
        _ => None,
    }
}

/// Reads a CSV file of parties (header row with the [`CSV_COLUMNS`] names;
/// `id` is ignored, any other column is optional except `kind` and `name`).
/// With `commit`, creates them all in one transaction, or none when any row
/// is wrong. Needs `parties.import`.
pub async fn import_csv(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    commit: bool,
) -> AppResult<ImportReport> {
    actor.require(Permission::PartiesImport)?;
    let mut report = parse_import(bytes);
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let mut tx = app.db.begin().await?;
    resolve_companies(&mut tx, &mut report).await?;
    if !commit || !report.errors.is_empty() {
        return Ok(report);
    }
    // Ids first, so people can point at companies earlier in the same file.
    let ids = store::reserve_party_ids(&mut tx, report.rows.len()).await?;
    let mut created_companies: HashMap<String, i64> = HashMap::new();
    for (row, id) in report.rows.iter_mut().zip(&ids) {
        if let Some(company) = row
            .company
            .as_ref()
            .and_then(|name| created_companies.get(&store::sort_name(name)))
        {
            row.party.company_id = Some(PartyId(*company));
        }
        if row.party.kind == PartyKind::Company {
            created_companies.insert(store::sort_name(&row.party.name), *id);
        }
    }
    // Then in batches: the rows, read back, and one audit event each.
    let now = now_us();
    let pairs: Vec<(i64, &ValidParty)> = ids
        .iter()
        .copied()
        .zip(report.rows.iter().map(|r| &r.party))
        .collect();
    for batch in pairs.chunks(IMPORT_BATCH_ROWS) {
        store::insert_parties(&mut tx, batch, now).await?;
        let (Some((first, _)), Some((last, _))) = (batch.first(), batch.last()) else {
            continue;
        };
        let mine: HashSet<i64> = batch.iter().map(|(id, _)| *id).collect();
        let stored: Vec<PartyRow> = store::parties_between_in_tx(&mut tx, *first, *last)
            .await?
            .into_iter()
            .filter(|p| mine.contains(&p.id))
            .collect();
        if stored.len() != batch.len() {
            return Err(AppError::Internal(anyhow::anyhow!(
                "{} of {} imported parties were read back",
                stored.len(),
                batch.len()
            )));
        }
        let texts: Vec<(String, String)> = stored
            .iter()
            .map(|p| (p.id.to_string(), party_json(p).to_string()))
            .collect();
        let events: Vec<events::NewEvent<'_>> = texts
            .iter()
            .map(|(id, after)| events::NewEvent {
                actor_id: actor.user_id.map(|u| u.0),
                actor_name: &actor.username,
                entity_type: "party",
                entity_id: id,
                action: "import",
                before: "",
                after,
            })
            .collect();
        events::append_events(&mut tx, &events, now_us()).await?;
    }
    tx.commit().await?;
    report.created = report.rows.len();
    Ok(report)
}

/// Imported rows written per batch (one multi-row INSERT of parties, one of their audit events).
const IMPORT_BATCH_ROWS: usize = 5_000;

/// Reads and validates every row; touches no database.
fn parse_import(bytes: &[u8]) -> ImportReport {
    let mut report = ImportReport::default();
    let records = read_records(bytes, &CSV_COLUMNS, &["kind", "name"], &mut report.errors);
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    for record in &records {
        if let Some(row) = import_row(record, &mut report.errors) {
            let key = (
                row.party.kind.name().to_owned(),
                store::sort_name(&row.party.name),
                row.party.email.clone().unwrap_or_default(),
            );
            if !seen.insert(key) {
                report.errors.add(
                    &format!("line {}: name", record.line),
                    "error-csv-duplicate",
                );
                continue;
            }
            report.rows.push(row);
        }
    }
    report
}

fn import_row(record: &Record, errors: &mut FieldErrors) -> Option<ImportRow> {
    let line = record.line;
    let get = |name: &str| record.get(name).to_owned();
    let prefix = format!("line {line}: ");
    let mut row_errors = FieldErrors::new();
    let mut flag = |name: &str| {
        parse_flag(&get(name)).unwrap_or_else(|| {
            row_errors.add(name, "error-csv-flag");
            false
        })
    };
    let is_customer = flag("customer");
    let is_vendor = flag("vendor");
    let draft = PartyDraft {
        kind: get("kind"),
        name: get("name"),
        company_id: None,
        email: get("email"),
        phone: get("phone"),
        tax_id: get("tax_id"),
        street: get("street"),
        postal_code: get("postal_code"),
        city: get("city"),
        country: get("country"),
        is_customer,
        is_vendor,
        tags: get("tags"),
        notes: get("notes"),
    };
    let company = Some(get("company").trim().to_owned()).filter(|c| !c.is_empty());
    let party = match party::validate(&draft) {
        Ok(p) => Some(p),
        Err(e) => {
            row_errors.extend(e);
            None
        }
    };
    if party.as_ref().is_some_and(|p| p.kind == PartyKind::Company) && company.is_some() {
        row_errors.add("company", "error-company-of-company");
    }
    if !row_errors.is_empty() {
        errors.extend(row_errors.prefixed(&prefix));
        return None;
    }
    party.map(|party| ImportRow {
        line,
        party,
        company,
    })
}

/// Points each person at their company: one already in the database, or one
/// earlier in the same file.
async fn resolve_companies(tx: &mut Tx, report: &mut ImportReport) -> Result<(), StoreError> {
    let mut wanted: Vec<String> = report
        .rows
        .iter()
        .filter_map(|r| r.company.as_deref())
        .map(store::sort_name)
        .collect();
    wanted.sort();
    wanted.dedup();
    let existing = store::companies_named(tx, &wanted).await?;
    let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
    for (name, id) in existing {
        by_name.entry(name).or_default().push(id);
    }
    let mut in_file: Vec<String> = Vec::new();
    for row in &mut report.rows {
        if let Some(company) = &row.company {
            let key = store::sort_name(company);
            let field = format!("line {}: company", row.line);
            match by_name.get(&key).map(Vec::as_slice) {
                Some([id]) => row.party.company_id = Some(PartyId(*id)),
                Some(_) => report.errors.add(&field, "error-company-ambiguous"),
                None if in_file.contains(&key) => {}
                None => report.errors.add(&field, "error-unknown-company"),
            }
        }
        if row.party.kind == PartyKind::Company {
            in_file.push(store::sort_name(&row.party.name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_a_bad_row_reports_the_line_and_field() {
        let csv = "kind,name,email\ncompany,Acme,info@acme.test\nperson,,bad\n";
        let report = parse_import(csv.as_bytes());
        assert_eq!(
            report.errors.for_field("line 3: name"),
            Some("error-required")
        );
        assert_eq!(
            report.errors.for_field("line 3: email"),
            Some("error-email")
        );
        assert_eq!(report.rows.len(), 1);
    }

    #[test]
    fn duplicate_rows_and_invalid_utf8_are_refused() {
        let mut csv = b"kind,name\ncompany,Acme\ncompany,ACME\ncompany,".to_vec();
        csv.extend_from_slice(&[0xff, 0xfe, b'\n']);
        let report = parse_import(&csv);
        assert_eq!(
            report.errors.for_field("line 3: name"),
            Some("error-csv-duplicate")
        );
        assert_eq!(
            report.errors.for_field("line 4: name"),
            Some("error-csv-utf8")
        );
    }

    #[test]
    fn unknown_columns_and_missing_required_ones_are_named() {
        let report = parse_import(b"name,colour\nAcme,red\n");
        assert_eq!(
            report.errors.for_field("column kind"),
            Some("error-csv-missing-column")
        );
        assert_eq!(
            report.errors.for_field("column colour"),
            Some("error-csv-unknown-column")
        );
    }
}

//! The CRM and the sales pipeline: leads from the web form, the API and
//! CSV files, found again when they come twice and merged; qualification
//! into a party and an opportunity; the pipeline board, the weighted
//! forecast; winning (a draft quote through the quote use case, in the same
//! transaction) and losing; activities with reminders and @mentions.
//!
//! Leads and activities need `crm.use`; opportunities need `sales.use`, and
//! qualifying also `parties.write`, winning also `sales.order.write` (the
//! quote's own permission).

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::crm::{
    self, ActivityDraft, Contact, ForecastCell, ForecastInput, LeadDraft, LeadSource, LeadState,
    MatchReason, OpportunityDraft, Stage, ValidLead, ValidOpportunity,
};
use seam_domain::ids::{PartyId, SalesQuoteId, UserId};
use seam_domain::party::PartyDraft;
use seam_store::Tx;
use seam_store::crm as store;
pub use seam_store::crm::{
    ActivityFilter, ActivityRow, LeadRow, OpportunityFilter, OpportunityLineRow, OpportunityRow,
};
use seam_store::jobs as job_store;
use seam_store::parties as party_store;
use seam_store::parties::PartyRow;
use serde_json::json;

use crate::csv_file::read_records;
use crate::notifications::{self, EmailText, Notice};
use crate::quotes::{self, QuoteInput};
use crate::record_event as audit;
use crate::sales::LineInput;
use crate::{Actor, App, AppError, AppResult, now_us};

/// Leads or opportunities per page of a list.
pub const PAGE_SIZE: i64 = 50;
/// The most cards a pipeline column shows.
pub const BOARD_COLUMN_MAX: i64 = 200;
/// How many leads the web form takes from one address in [`FORM_WINDOW_US`].
pub const FORM_LIMIT: i64 = 5;
pub const FORM_WINDOW_US: i64 = 3_600_000_000;
/// The job that reminds an activity's owner on its due day.
pub const REMINDER_JOB: &str = "crm-reminder";
const CANDIDATES_MAX: i64 = 200;

/// What the audit journal and the API keep of a lead.
pub fn lead_json(row: &LeadRow) -> serde_json::Value {
    json!({
        "name": row.name,
        "company": row.company,
        "email": row.email,
        "phone": row.phone,
        "source": row.source,
        "state": row.state,
        "campaign": row.campaign,
        "notes": row.notes,
        "owner_user_id": row.owner_user_id,
        "party_id": row.party_id,
        "merged_into_id": row.merged_into_id,
    })
}

/// What the audit journal and the API keep of an opportunity.
pub fn opportunity_json(row: &OpportunityRow, lines: &[OpportunityLineRow]) -> serde_json::Value {
    json!({
        "party_id": row.party_id,
        "lead_id": row.lead_id,
        "title": row.title,
        "stage": row.stage,
        "probability_bp": stage_of(row).probability_bp(),
        "amount_minor": row.amount_minor,
        "currency": row.currency,
        "expected_close": row.expected_close,
        "owner_user_id": row.owner_user_id,
        "lost_reason": row.lost_reason,
        "quote_id": row.quote_id,
        "lines": lines.iter().map(|l| json!({"product_id": l.product_id, "sku": l.sku, "qty": l.qty})).collect::<Vec<_>>(),
    })
}

/// What the audit journal and the API keep of an activity.
pub fn activity_json(row: &ActivityRow) -> serde_json::Value {
    json!({
        "kind": row.kind,
        "subject": row.subject,
        "body": row.body,
        "due_date": row.due_date,
        "done_at_us": row.done_at_us,
        "owner_user_id": row.owner_user_id,
        "lead_id": row.lead_id,
        "opportunity_id": row.opportunity_id,
        "party_id": row.party_id,
    })
}

/// The stage an opportunity is in (an unknown text, which the schema's
/// check rules out, reads as lost).
pub fn stage_of(row: &OpportunityRow) -> Stage {
    Stage::parse(&row.stage).unwrap_or(Stage::Lost)
}

fn lead_state(row: &LeadRow) -> LeadState {
    LeadState::parse(&row.state).unwrap_or(LeadState::Merged)
}

fn stale_as(code: &'static str) -> impl Fn(seam_store::StoreError) -> AppError {
    move |e| match e {
        seam_store::StoreError::Stale => AppError::Conflict(code),
        other => other.into(),
    }
}

struct Keys {
    email: Option<String>,
    phone: Option<String>,
    name: String,
    block: String,
}

fn keys(lead: &ValidLead) -> Keys {
    let name = crm::name_key(&lead.name);
    Keys {
        email: lead.email.as_deref().map(crm::email_key),
        phone: lead.phone.as_deref().map(crm::phone_key),
        block: crm::name_block(&name),
        name,
    }
}

fn fields<'a>(lead: &'a ValidLead, keys: &'a Keys) -> store::LeadFields<'a> {
    store::LeadFields {
        name: &lead.name,
        company: &lead.company,
        email: lead.email.as_deref(),
        phone: lead.phone.as_deref(),
        email_key: keys.email.as_deref(),
        phone_key: keys.phone.as_deref(),
        name_key: &keys.name,
        name_block: &keys.block,
        campaign: &lead.campaign,
        notes: &lead.notes,
    }
}

fn valid_of(row: &LeadRow) -> ValidLead {
    ValidLead {
        name: row.name.clone(),
        company: row.company.clone(),
        email: row.email.clone(),
        phone: row.phone.clone(),
        notes: row.notes.clone(),
        campaign: row.campaign.clone(),
    }
}

async fn insert_lead(
    tx: &mut Tx,
    actor: &Actor,
    lead: &ValidLead,
    source: LeadSource,
    form_ip_hash: Option<&str>,
) -> AppResult<i64> {
    let keys = keys(lead);
    let owner = actor.user_id.filter(|_| source != LeadSource::WebForm);
    let id = store::insert_lead(
        tx,
        &fields(lead, &keys),
        source.name(),
        owner.map(|u| u.0),
        form_ip_hash,
        &actor.username,
        now_us(),
    )
    .await?;
    let row = store::lead_in_tx(tx, id).await?;
    audit(tx, actor, "lead", id, "create", None, lead_json(&row)).await?;
    Ok(id)
}

/// Adds a lead typed by staff, posted to the API or read from a file.
pub async fn add_lead(
    app: &App,
    actor: &Actor,
    draft: &LeadDraft,
    source: LeadSource,
) -> AppResult<i64> {
    actor.require(Permission::CrmUse)?;
    let valid = crm::validate_lead(draft)?;
    let mut tx = app.db.begin().await?;
    let id = insert_lead(&mut tx, actor, &valid, source, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// What the public web form sends.
#[derive(Debug, Clone, Default)]
pub struct WebFormLead {
    pub lead: LeadDraft,
    /// A field people never see and bots fill in.
    pub honeypot: String,
    /// The sender's address, for the rate limit; kept only as a hash.
    pub client_ip: String,
}

/// What became of a web-form submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Received(i64),
    /// The honeypot was filled in: nothing is written, and the sender is
    /// thanked all the same, so a bot learns nothing.
    Ignored,
}

/// Takes a lead from the public web form: no login, a honeypot, and at most
/// [`FORM_LIMIT`] leads per sending address per hour (counted in the
/// database, so it holds across app nodes).
///
/// Errors: field errors as [`add_lead`]; [`AppError::Conflict`]
/// (`error-form-rate-limited`) over the limit.
pub async fn submit_web_form(app: &App, form: &WebFormLead) -> AppResult<FormOutcome> {
    let valid = crm::validate_lead(&form.lead)?;
    if !form.honeypot.trim().is_empty() {
        return Ok(FormOutcome::Ignored);
    }
    let ip_hash = seam_store::secret_hash(&format!("lead-form:{}", form.client_ip.trim()));
    let mut tx = app.db.begin().await?;
    let recent = store::form_leads_since(&mut tx, &ip_hash, now_us() - FORM_WINDOW_US).await?;
    if recent >= FORM_LIMIT {
        return Err(AppError::Conflict("error-form-rate-limited"));
    }
    let actor = Actor::system("web-form");
    let id = insert_lead(&mut tx, &actor, &valid, LeadSource::WebForm, Some(&ip_hash)).await?;
    tx.commit().await?;
    Ok(FormOutcome::Received(id))
}

/// Saves an edit of an open lead made to `version`.
///
/// Errors: [`AppError::Conflict`] (`error-stale`) when it changed since or
/// is no longer open.
pub async fn update_lead(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &LeadDraft,
) -> AppResult<()> {
    actor.require(Permission::CrmUse)?;
    let valid = crm::validate_lead(draft)?;
    let keys = keys(&valid);
    let mut tx = app.db.begin().await?;
    let before = store::lead_in_tx(&mut tx, id).await?;
    store::update_lead(
        &mut tx,
        id,
        version,
        &fields(&valid, &keys),
        before.owner_user_id,
        now_us(),
    )
    .await?;
    let after = store::lead_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        "lead",
        id,
        "update",
        Some(lead_json(&before)),
        lead_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One lead.
pub async fn lead(app: &App, actor: &Actor, id: i64) -> AppResult<LeadRow> {
    actor.require(Permission::CrmUse)?;
    store::lead(&app.db, id).await?.ok_or(AppError::NotFound)
}

/// Leads newest first, [`PAGE_SIZE`] at a time below `before`.
pub async fn list_leads(
    app: &App,
    actor: &Actor,
    state: Option<LeadState>,
    text: &str,
    before: Option<i64>,
) -> AppResult<Vec<LeadRow>> {
    actor.require(Permission::CrmUse)?;
    Ok(store::list_leads(&app.db, state.map(LeadState::name), text, before, PAGE_SIZE).await?)
}

fn contact_of(row: &LeadRow) -> Contact<'_> {
    Contact {
        name: &row.name,
        company: &row.company,
        email: row.email.as_deref(),
        phone: row.phone.as_deref(),
    }
}

/// A record that looks like the same person, and why.
#[derive(Debug, Clone)]
pub struct Duplicate<T> {
    pub record: T,
    pub reasons: Vec<MatchReason>,
}

async fn duplicate_leads(tx: &mut Tx, lead: &LeadRow) -> AppResult<Vec<Duplicate<LeadRow>>> {
    let keys = keys(&valid_of(lead));
    let candidates = store::lead_candidates(
        tx,
        keys.email.as_deref(),
        keys.phone.as_deref(),
        &keys.block,
        lead.id,
        CANDIDATES_MAX,
    )
    .await?;
    let me = contact_of(lead);
    Ok(candidates
        .into_iter()
        .filter_map(|c| {
            let reasons = crm::duplicate_reasons(&me, &contact_of(&c));
            (!reasons.is_empty()).then_some(Duplicate { record: c, reasons })
        })
        .collect())
}

/// Parties that look like the lead: found by the party search on the
/// lead's e-mail, name and company, then judged by the same rule as leads.
async fn matching_parties(app: &App, lead: &LeadRow) -> AppResult<Vec<Duplicate<PartyRow>>> {
    let mut found: Vec<PartyRow> = Vec::new();
    let texts = [
        lead.email.as_deref().unwrap_or(""),
        &lead.name,
        &lead.company,
    ];
    for text in texts.into_iter().filter(|t| !t.trim().is_empty()) {
        for row in party_store::search_parties(&app.db, text, 20).await? {
            if !found.iter().any(|f| f.id == row.id) {
                found.push(row);
            }
        }
    }
    let me = contact_of(lead);
    Ok(found
        .into_iter()
        .filter(|p| !p.archived)
        .filter_map(|p| {
            let as_company = Contact {
                name: &p.name,
                company: "",
                email: p.email.as_deref(),
                phone: p.phone.as_deref(),
            };
            let mut reasons = crm::duplicate_reasons(&me, &as_company);
            if p.kind == "company"
                && !lead.company.is_empty()
                && crm::name_similarity(&lead.company, &p.name) >= crm::NAME_SIMILARITY
                && !reasons.contains(&MatchReason::Name)
            {
                reasons.push(MatchReason::Name);
            }
            (!reasons.is_empty()).then_some(Duplicate { record: p, reasons })
        })
        .collect())
}

/// A lead with what the lead page shows beside it.
#[derive(Debug, Clone)]
pub struct LeadDetail {
    pub lead: LeadRow,
    /// Other leads that look like the same person (merge candidates).
    pub duplicates: Vec<Duplicate<LeadRow>>,
    /// Parties that look like them (qualify into one of these instead).
    pub parties: Vec<Duplicate<PartyRow>>,
    pub activities: Vec<ActivityRow>,
    pub opportunities: Vec<OpportunityRow>,
}

/// A lead with its duplicates, matching parties, activities and opportunities.
pub async fn lead_detail(app: &App, actor: &Actor, id: i64) -> AppResult<LeadDetail> {
    let lead = lead(app, actor, id).await?;
    let open = lead_state(&lead) == LeadState::Open;
    let duplicates = if open {
        let mut tx = app.db.begin_snapshot().await?;
        let found = duplicate_leads(&mut tx, &lead).await?;
        tx.commit().await?;
        found
    } else {
        Vec::new()
    };
    let parties = if open && actor.may(Permission::PartiesRead) {
        matching_parties(app, &lead).await?
    } else {
        Vec::new()
    };
    let activities = store::activities(&app.db, ActivityFilter::Lead(id), 200).await?;
    let opportunities = if actor.may(Permission::SalesUse) {
        let filter = OpportunityFilter {
            lead_id: Some(id),
            ..OpportunityFilter::default()
        };
        store::list_opportunities(&app.db, filter, None, PAGE_SIZE).await?
    } else {
        Vec::new()
    };
    Ok(LeadDetail {
        lead,
        duplicates,
        parties,
        activities,
        opportunities,
    })
}

/// Merges lead `other` into lead `keep`: `keep` takes `other`'s values where
/// its own are blank and both notes, every activity and opportunity of
/// `other` moves to `keep`, and `other` is closed as merged, pointing at `keep`.
///
/// Errors: [`AppError::Conflict`] (`error-lead-state`) unless both are open
/// and different.
pub async fn merge_leads(app: &App, actor: &Actor, keep: i64, other: i64) -> AppResult<()> {
    actor.require(Permission::CrmUse)?;
    if keep == other {
        return Err(AppError::Conflict("error-lead-state"));
    }
    let mut tx = app.db.begin().await?;
    let kept_before = store::lead_in_tx(&mut tx, keep).await?;
    let other_before = store::lead_in_tx(&mut tx, other).await?;
    if lead_state(&kept_before) != LeadState::Open || lead_state(&other_before) != LeadState::Open {
        return Err(AppError::Conflict("error-lead-state"));
    }
    let merged = crm::merged_lead(&valid_of(&kept_before), &valid_of(&other_before));
    let merged_keys = keys(&merged);
    let owner = kept_before.owner_user_id.or(other_before.owner_user_id);
    store::update_lead(
        &mut tx,
        keep,
        kept_before.version,
        &fields(&merged, &merged_keys),
        owner,
        now_us(),
    )
    .await?;
    store::relink_lead(&mut tx, other, keep).await?;
    store::close_lead(&mut tx, other, "merged", None, Some(keep), now_us())
        .await
        .map_err(stale_as("error-lead-state"))?;
    let kept_after = store::lead_in_tx(&mut tx, keep).await?;
    let other_after = store::lead_in_tx(&mut tx, other).await?;
    audit(
        &mut tx,
        actor,
        "lead",
        keep,
        "merge",
        Some(lead_json(&kept_before)),
        lead_json(&kept_after),
    )
    .await?;
    audit(
        &mut tx,
        actor,
        "lead",
        other,
        "merged_into",
        Some(lead_json(&other_before)),
        lead_json(&other_after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes an open lead as not worth pursuing; the reason joins its notes.
pub async fn disqualify(app: &App, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
    actor.require(Permission::CrmUse)?;
    let reason = crm::validate_lost_reason(reason).map_err(|e| {
        AppError::Invalid(FieldErrors::one(
            "reason",
            e.iter().next().map_or("error-required", |f| f.code),
        ))
    })?;
    let mut tx = app.db.begin().await?;
    let before = store::lead_in_tx(&mut tx, id).await?;
    if lead_state(&before) != LeadState::Open {
        return Err(AppError::Conflict("error-lead-state"));
    }
    store::close_lead(&mut tx, id, "disqualified", None, None, now_us())
        .await
        .map_err(stale_as("error-lead-state"))?;
    let after = store::lead_in_tx(&mut tx, id).await?;
    let mut after_json = lead_json(&after);
    if let Some(fields) = after_json.as_object_mut() {
        fields.insert("reason".to_owned(), json!(reason));
    }
    audit(
        &mut tx,
        actor,
        "lead",
        id,
        "disqualify",
        Some(lead_json(&before)),
        after_json,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A product and quantity on an opportunity, as typed (`sku`, `qty`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineDraft {
    pub product: String,
    pub qty: String,
}

/// Checks the product lines (blank ones are skipped): known SKUs and whole
/// quantities above zero. Returns (product id, qty) pairs.
async fn valid_lines(tx: &mut Tx, lines: &[LineDraft]) -> AppResult<Vec<(i64, i64)>> {
    let mut errors = FieldErrors::new();
    let mut out = Vec::new();
    let typed: Vec<(usize, &LineDraft)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !(l.product.trim().is_empty() && l.qty.trim().is_empty()))
        .collect();
    let skus: Vec<String> = typed
        .iter()
        .map(|(_, l)| l.product.trim().to_uppercase())
        .collect();
    let ids = seam_store::sales::product_ids_by_sku(tx, &skus).await?;
    for ((n, line), sku) in typed.iter().zip(&skus) {
        let field = |f: &str| format!("lines[{n}].{f}");
        let id = ids.iter().find(|(s, _)| s == sku).map(|(_, id)| *id);
        if id.is_none() {
            errors.add(&field("product"), "error-unknown-product");
        }
        let qty = match line.qty.trim().parse::<i64>() {
            Ok(q) if q > 0 => Some(q),
            Ok(_) => {
                errors.add(&field("qty"), "error-qty-positive");
                None
            }
            Err(_) => {
                errors.add(&field("qty"), "error-qty-whole");
                None
            }
        };
        if let (Some(id), Some(qty)) = (id, qty) {
            out.push((id, qty));
        }
    }
    errors.into_result(out).map_err(AppError::Invalid)
}

async fn check_opportunity_refs(tx: &mut Tx, valid: &ValidOpportunity) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    match party_store::party_in_tx(tx, valid.party_id).await {
        Ok(p) if !p.archived => {}
        Ok(_) | Err(seam_store::StoreError::NotFound) => {
            errors.add("party_id", "error-unknown-party")
        }
        Err(e) => return Err(e.into()),
    }
    if seam_store::reception::host(tx, valid.owner_user_id)
        .await?
        .is_none()
    {
        errors.add("owner_user_id", "error-unknown-user");
    }
    errors.into_result(()).map_err(AppError::Invalid)
}

fn opportunity_fields<'a>(
    valid: &'a ValidOpportunity,
    close: &'a str,
) -> store::OpportunityFields<'a> {
    store::OpportunityFields {
        party_id: valid.party_id,
        title: &valid.title,
        amount_minor: valid.amount_minor,
        currency: &valid.currency,
        expected_close: close,
        owner_user_id: valid.owner_user_id,
    }
}

async fn insert_opportunity(
    tx: &mut Tx,
    actor: &Actor,
    valid: &ValidOpportunity,
    lines: &[(i64, i64)],
    lead_id: Option<i64>,
) -> AppResult<i64> {
    check_opportunity_refs(tx, valid).await?;
    let close = valid.expected_close.iso();
    let id = store::insert_opportunity(
        tx,
        &opportunity_fields(valid, &close),
        lead_id,
        Stage::Prospecting.name(),
        &actor.username,
        now_us(),
    )
    .await?;
    store::replace_lines(tx, id, lines).await?;
    let row = store::opportunity_in_tx(tx, id).await?;
    let rows = store::lines_in_tx(tx, id).await?;
    audit(
        tx,
        actor,
        "opportunity",
        id,
        "create",
        None,
        opportunity_json(&row, &rows),
    )
    .await?;
    Ok(id)
}

/// Opens an opportunity for a party, in the first stage.
///
/// Errors: field errors naming `party_id`, `title`, `amount`, `currency`,
/// `expected_close`, `owner_user_id` or `lines[n].product|qty`.
pub async fn create_opportunity(
    app: &App,
    actor: &Actor,
    draft: &OpportunityDraft,
    lines: &[LineDraft],
) -> AppResult<i64> {
    actor.require(Permission::SalesUse)?;
    let valid = crm::validate_opportunity(draft);
    let mut tx = app.db.begin().await?;
    let lines = valid_lines(&mut tx, lines).await;
    let (valid, lines) = merge_errors(valid, lines)?;
    let id = insert_opportunity(&mut tx, actor, &valid, &lines, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Both results, or every field error of both.
fn merge_errors<A, B>(a: Result<A, FieldErrors>, b: AppResult<B>) -> AppResult<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(mut e), Err(AppError::Invalid(more))) => {
            e.extend(more);
            Err(AppError::Invalid(e))
        }
        (Err(e), Ok(_)) => Err(AppError::Invalid(e)),
        (_, Err(e)) => Err(e),
    }
}

/// How a lead is qualified.
#[derive(Debug, Clone, Default)]
pub struct QualifyInput {
    /// An existing party the lead turned out to be (see
    /// [`LeadDetail::parties`]); `None` makes new parties from the lead.
    pub existing_party: Option<PartyId>,
    /// The opportunity; its `party_id` is ignored (the party comes from the lead).
    pub opportunity: OpportunityDraft,
    pub lines: Vec<LineDraft>,
}

/// What qualifying made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Qualified {
    /// The customer the opportunity is for: the company, or the person.
    pub party_id: PartyId,
    /// The person, when the lead named a company too.
    pub contact_id: Option<PartyId>,
    pub opportunity_id: i64,
}

/// Qualifies an open lead, in one transaction: the lead becomes a customer
/// party (a company with the lead as its contact person when it names a
/// company, else a person), or is linked to an existing party, and an
/// opportunity is opened for that party.
pub async fn qualify(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &QualifyInput,
) -> AppResult<Qualified> {
    actor.require(Permission::SalesUse)?;
    actor.require(Permission::PartiesWrite)?;
    let mut tx = app.db.begin().await?;
    let before = store::lead_in_tx(&mut tx, id).await?;
    if lead_state(&before) != LeadState::Open {
        return Err(AppError::Conflict("error-lead-state"));
    }
    // Check the opportunity first, with a stand-in party, so that bad input
    // names its fields before any party is written.
    let probe = OpportunityDraft {
        party_id: Some(input.existing_party.map_or(0, |p| p.0)),
        ..input.opportunity.clone()
    };
    let valid = crm::validate_opportunity(&probe);
    let lines = valid_lines(&mut tx, &input.lines).await;
    let (mut valid, lines) = merge_errors(valid, lines)?;
    let (party_id, contact_id) = match input.existing_party {
        Some(party) => (party, None),
        None => make_parties(&mut tx, actor, &before).await?,
    };
    valid.party_id = party_id.0;
    let opportunity_id = insert_opportunity(&mut tx, actor, &valid, &lines, Some(id)).await?;
    store::close_lead(&mut tx, id, "qualified", Some(party_id.0), None, now_us())
        .await
        .map_err(stale_as("error-lead-state"))?;
    let after = store::lead_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        "lead",
        id,
        "qualify",
        Some(lead_json(&before)),
        lead_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(Qualified {
        party_id,
        contact_id,
        opportunity_id,
    })
}

/// The parties a lead becomes: a customer company and its contact person,
/// or a customer person.
async fn make_parties(
    tx: &mut Tx,
    actor: &Actor,
    lead: &LeadRow,
) -> AppResult<(PartyId, Option<PartyId>)> {
    let person = |company_id: Option<i64>, is_customer: bool| PartyDraft {
        kind: "person".into(),
        name: lead.name.clone(),
        company_id,
        email: lead.email.clone().unwrap_or_default(),
        phone: lead.phone.clone().unwrap_or_default(),
        is_customer,
        notes: format!("From lead {}", lead.id),
        ..PartyDraft::default()
    };
    let created = if lead.company.is_empty() {
        (
            crate::parties::create_party_in(tx, actor, &person(None, true)).await?,
            None,
        )
    } else {
        let company = PartyDraft {
            kind: "company".into(),
            name: lead.company.clone(),
            is_customer: true,
            notes: format!("From lead {}", lead.id),
            ..PartyDraft::default()
        };
        let company = crate::parties::create_party_in(tx, actor, &company).await?;
        let contact =
            crate::parties::create_party_in(tx, actor, &person(Some(company.0), false)).await?;
        (company, Some(contact))
    };
    Ok(created)
}

/// Saves an edit of an open opportunity made to `version`.
pub async fn update_opportunity(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &OpportunityDraft,
    lines: &[LineDraft],
) -> AppResult<()> {
    actor.require(Permission::SalesUse)?;
    let valid = crm::validate_opportunity(draft);
    let mut tx = app.db.begin().await?;
    let lines = valid_lines(&mut tx, lines).await;
    let (valid, lines) = merge_errors(valid, lines)?;
    check_opportunity_refs(&mut tx, &valid).await?;
    let before = store::opportunity_in_tx(&mut tx, id).await?;
    let before_lines = store::lines_in_tx(&mut tx, id).await?;
    let close = valid.expected_close.iso();
    store::update_opportunity(
        &mut tx,
        id,
        version,
        &opportunity_fields(&valid, &close),
        now_us(),
    )
    .await?;
    store::replace_lines(&mut tx, id, &lines).await?;
    let after = store::opportunity_in_tx(&mut tx, id).await?;
    let after_lines = store::lines_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        "opportunity",
        id,
        "update",
        Some(opportunity_json(&before, &before_lines)),
        opportunity_json(&after, &after_lines),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves an open opportunity to another open stage (a card on the board).
///
/// Errors: [`AppError::Conflict`] (`error-opportunity-state`) when it is
/// won or lost, or `to` is not an open stage.
pub async fn move_stage(app: &App, actor: &Actor, id: i64, to: Stage) -> AppResult<()> {
    actor.require(Permission::SalesUse)?;
    let mut tx = app.db.begin().await?;
    let before = store::opportunity_in_tx(&mut tx, id).await?;
    crm::check_move(stage_of(&before), to).map_err(AppError::Conflict)?;
    if stage_of(&before) == to {
        return Ok(());
    }
    close_or_move(&mut tx, actor, &before, to, "", None, "move").await?;
    tx.commit().await?;
    Ok(())
}

async fn close_or_move(
    tx: &mut Tx,
    actor: &Actor,
    before: &OpportunityRow,
    to: Stage,
    lost_reason: &str,
    quote_id: Option<i64>,
    action: &str,
) -> AppResult<()> {
    let lines = store::lines_in_tx(tx, before.id).await?;
    store::set_stage(tx, before.id, to.name(), lost_reason, quote_id, now_us())
        .await
        .map_err(stale_as(crm::STAGE_ERROR))?;
    let after = store::opportunity_in_tx(tx, before.id).await?;
    audit(
        tx,
        actor,
        "opportunity",
        before.id,
        action,
        Some(opportunity_json(before, &lines)),
        opportunity_json(&after, &lines),
    )
    .await
}

/// Wins an open opportunity. When it has product lines, a draft quote for
/// its party with those lines is made through the quote use case (the
/// party's price list sets the prices), in the same transaction: either
/// both happen or neither. Returns the quote.
///
/// Errors: [`AppError::Conflict`] (`error-opportunity-state`) when already
/// closed; the quote's own errors (`customer` `error-not-a-customer`, …).
pub async fn win(app: &App, actor: &Actor, id: i64) -> AppResult<Option<SalesQuoteId>> {
    actor.require(Permission::SalesUse)?;
    let mut tx = app.db.begin().await?;
    let before = store::opportunity_in_tx(&mut tx, id).await?;
    if !stage_of(&before).is_open() {
        return Err(AppError::Conflict(crm::STAGE_ERROR));
    }
    let lines = store::lines_in_tx(&mut tx, id).await?;
    let quote = if lines.is_empty() {
        None
    } else {
        let input = QuoteInput {
            customer: Some(PartyId(before.party_id)),
            quote_date: String::new(),
            valid_until: String::new(),
            currency: before.currency.clone(),
            lines: lines
                .iter()
                .map(|l| LineInput {
                    product: l.sku.clone(),
                    qty: l.qty.to_string(),
                    unit_price: String::new(),
                })
                .collect(),
        };
        Some(quotes::create_quote_in(&mut tx, actor, &input).await?)
    };
    close_or_move(
        &mut tx,
        actor,
        &before,
        Stage::Won,
        "",
        quote.map(|q| q.0),
        "win",
    )
    .await?;
    tx.commit().await?;
    Ok(quote)
}

/// Loses an open opportunity, with a reason.
pub async fn lose(app: &App, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
    actor.require(Permission::SalesUse)?;
    let reason = crm::validate_lost_reason(reason)?;
    let mut tx = app.db.begin().await?;
    let before = store::opportunity_in_tx(&mut tx, id).await?;
    if !stage_of(&before).is_open() {
        return Err(AppError::Conflict(crm::STAGE_ERROR));
    }
    close_or_move(&mut tx, actor, &before, Stage::Lost, &reason, None, "lose").await?;
    tx.commit().await?;
    Ok(())
}

/// An opportunity with its lines and activities.
#[derive(Debug, Clone)]
pub struct OpportunityDetail {
    pub opportunity: OpportunityRow,
    pub lines: Vec<OpportunityLineRow>,
    pub activities: Vec<ActivityRow>,
}

pub async fn opportunity(app: &App, actor: &Actor, id: i64) -> AppResult<OpportunityDetail> {
    actor.require(Permission::SalesUse)?;
    let opportunity = store::opportunity(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = store::lines(&app.db, id).await?;
    let activities = store::activities(&app.db, ActivityFilter::Opportunity(id), 200).await?;
    Ok(OpportunityDetail {
        opportunity,
        lines,
        activities,
    })
}

/// Opportunities newest first, [`PAGE_SIZE`] at a time below `before`.
pub async fn list_opportunities(
    app: &App,
    actor: &Actor,
    filter: OpportunityFilter<'_>,
    before: Option<i64>,
) -> AppResult<Vec<OpportunityRow>> {
    actor.require(Permission::SalesUse)?;
    Ok(store::list_opportunities(&app.db, filter, before, PAGE_SIZE).await?)
}

/// One column of the pipeline board.
#[derive(Debug, Clone)]
pub struct BoardColumn {
    pub stage: Stage,
    pub cards: Vec<OpportunityRow>,
}

/// The open opportunities by stage, each column newest first, at most
/// [`BOARD_COLUMN_MAX`] cards.
pub async fn board(app: &App, actor: &Actor) -> AppResult<Vec<BoardColumn>> {
    actor.require(Permission::SalesUse)?;
    let mut columns = Vec::with_capacity(Stage::OPEN.len());
    for stage in Stage::OPEN {
        let filter = OpportunityFilter {
            stage: Some(stage.name()),
            ..OpportunityFilter::default()
        };
        let cards = store::list_opportunities(&app.db, filter, None, BOARD_COLUMN_MAX).await?;
        columns.push(BoardColumn { stage, cards });
    }
    Ok(columns)
}

/// One row of the forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastRow {
    /// `YYYY-MM`, the month the opportunities are expected to close.
    pub month: String,
    /// The salesperson's display name.
    pub owner: String,
    pub currency: String,
    pub cell: ForecastCell,
}

/// The weighted forecast of the open opportunities, per month of expected
/// close, salesperson and currency (see [`crm::forecast`]).
pub async fn forecast(app: &App, actor: &Actor) -> AppResult<Vec<ForecastRow>> {
    actor.require(Permission::SalesUse)?;
    let filter = OpportunityFilter {
        open: true,
        ..OpportunityFilter::default()
    };
    let mut rows = Vec::new();
    let mut before = None;
    loop {
        let page = store::list_opportunities(&app.db, filter, before, 1_000).await?;
        before = page.last().map(|o| o.id);
        let done = page.len() < 1_000;
        rows.extend(page);
        if done {
            break;
        }
    }
    let cells = crm::forecast(rows.iter().map(|o| ForecastInput {
        expected_close: &o.expected_close,
        owner: &o.owner_name,
        currency: &o.currency,
        amount_minor: o.amount_minor,
        stage: stage_of(o),
    }));
    Ok(cells
        .into_iter()
        .map(|((month, owner, currency), cell)| ForecastRow {
            month,
            owner,
            currency,
            cell,
        })
        .collect())
}

/// Where an activity's record is in the web.
pub fn activity_link(row: &ActivityRow) -> String {
    match (row.lead_id, row.opportunity_id, row.party_id) {
        (Some(id), _, _) => format!("/crm/leads/{id}"),
        (_, Some(id), _) => format!("/crm/opportunities/{id}"),
        (_, _, Some(id)) => format!("/parties/{id}"),
        _ => "/crm/activities".to_owned(),
    }
}

/// The microseconds at which a due day's reminder is sent: the day's start, UTC.
fn reminder_time(due: &str) -> i64 {
    jiff::civil::Date::strptime("%Y-%m-%d", due)
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map_or(now_us(), |z| z.timestamp().as_microsecond())
}

/// Logs an activity on a lead, opportunity or party. Colleagues named as
/// `@username` in the subject or body are notified; an activity with a due
/// date gets a reminder for its owner on that day.
pub async fn add_activity(app: &App, actor: &Actor, draft: &ActivityDraft) -> AppResult<i64> {
    actor.require(Permission::CrmUse)?;
    let valid = crm::validate_activity(draft)?;
    let mut tx = app.db.begin().await?;
    let mut errors = FieldErrors::new();
    if seam_store::reception::host(&mut tx, valid.owner_user_id)
        .await?
        .is_none()
    {
        errors.add("owner_user_id", "error-unknown-user");
    }
    let exists = match (valid.lead_id, valid.opportunity_id, valid.party_id) {
        (Some(id), _, _) => store::lead_in_tx(&mut tx, id).await.map(|_| ()),
        (_, Some(id), _) => store::opportunity_in_tx(&mut tx, id).await.map(|_| ()),
        (_, _, Some(id)) => party_store::party_in_tx(&mut tx, id).await.map(|_| ()),
        _ => Err(seam_store::StoreError::NotFound),
    };
    match exists {
        Ok(()) => {}
        Err(seam_store::StoreError::NotFound) => errors.add("record", "error-unknown-record"),
        Err(e) => return Err(e.into()),
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let due = valid.due_date.map(|d| d.iso());
    let new = store::NewActivity {
        kind: valid.kind.name(),
        subject: &valid.subject,
        body: &valid.body,
        due_date: due.as_deref(),
        owner_user_id: valid.owner_user_id,
        lead_id: valid.lead_id,
        opportunity_id: valid.opportunity_id,
        party_id: valid.party_id,
        created_by: &actor.username,
    };
    let id = store::insert_activity(&mut tx, &new, now_us()).await?;
    let row = store::activity_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        "activity",
        id,
        "create",
        None,
        activity_json(&row),
    )
    .await?;
    let link = activity_link(&row);
    let mut named = crm::mentions(&valid.subject);
    for name in crm::mentions(&valid.body) {
        if !named.contains(&name) {
            named.push(name);
        }
    }
    for (user, _) in store::staff_by_username(&mut tx, &named).await? {
        if Some(UserId(user)) == actor.user_id {
            continue;
        }
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: UserId(user),
                kind: "crm-mention",
                subject: &valid.subject,
                link: &link,
                email: Some(EmailText {
                    subject: format!("{} mentioned you: {}", actor.display_name, valid.subject),
                    body: format!("{}\n\n{}\n", valid.subject, valid.body),
                }),
            },
        )
        .await?;
    }
    if let Some(due) = &due {
        let payload = json!({ "activity_id": id }).to_string();
        job_store::enqueue(&mut tx, REMINDER_JOB, &payload, reminder_time(due)).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Marks an open activity done.
///
/// Errors: [`AppError::Conflict`] (`error-activity-done`) when it already is.
pub async fn complete_activity(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::CrmUse)?;
    let mut tx = app.db.begin().await?;
    let before = store::activity_in_tx(&mut tx, id).await?;
    store::set_done(&mut tx, id, now_us())
        .await
        .map_err(stale_as("error-activity-done"))?;
    let after = store::activity_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        "activity",
        id,
        "complete",
        Some(activity_json(&before)),
        activity_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One activity.
pub async fn activity(app: &App, actor: &Actor, id: i64) -> AppResult<ActivityRow> {
    actor.require(Permission::CrmUse)?;
    let mut tx = app.db.begin().await?;
    let row = store::activity_in_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// A user's open activities, and those of them that are overdue (due before today).
#[derive(Debug, Clone, Default)]
pub struct MyActivities {
    pub overdue: Vec<ActivityRow>,
    pub open: Vec<ActivityRow>,
}

pub async fn my_activities(app: &App, actor: &Actor) -> AppResult<MyActivities> {
    actor.require(Permission::CrmUse)?;
    let Some(user) = actor.user_id else {
        return Ok(MyActivities::default());
    };
    let today = crate::today().iso();
    Ok(MyActivities {
        overdue: store::activities(&app.db, ActivityFilter::OverdueFor(user.0, &today), 200)
            .await?,
        open: store::activities(&app.db, ActivityFilter::OpenFor(user.0), 200).await?,
    })
}

/// Activities about one party (for its page).
pub async fn party_activities(
    app: &App,
    actor: &Actor,
    party: PartyId,
) -> AppResult<Vec<ActivityRow>> {
    actor.require(Permission::CrmUse)?;
    Ok(store::activities(&app.db, ActivityFilter::Party(party.0), 200).await?)
}

/// The reminder job: notifies the activity's owner once, unless it was done
/// meanwhile. Safe to repeat.
pub(crate) async fn remind_job(app: &App, payload: &str) -> Result<(), crate::jobs::JobError> {
    use crate::jobs::JobError;
    let id = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v.get("activity_id").and_then(serde_json::Value::as_i64))
        .ok_or_else(|| JobError::Permanent(format!("bad reminder payload `{payload}`")))?;
    let retry = |e: AppError| JobError::Retry(e.to_string());
    let mut tx = app.db.begin().await.map_err(|e| retry(e.into()))?;
    let row = match store::activity_in_tx(&mut tx, id).await {
        Ok(row) => row,
        Err(seam_store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(retry(e.into())),
    };
    if store::mark_reminded(&mut tx, id, now_us())
        .await
        .map_err(|e| retry(e.into()))?
    {
        let link = activity_link(&row);
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: UserId(row.owner_user_id),
                kind: "crm-due",
                subject: &row.subject,
                link: &link,
                email: None,
            },
        )
        .await
        .map_err(retry)?;
    }
    tx.commit().await.map_err(|e| retry(e.into()))?;
    Ok(())
}

/// The columns a lead import reads; `name` is required.
pub const IMPORT_COLUMNS: [&str; 6] = ["name", "company", "email", "phone", "notes", "campaign"];

/// What a lead import did.
#[derive(Debug, Clone, Default)]
pub struct LeadImport {
    pub created: Vec<i64>,
    /// How many of the new leads look like a lead that was already there.
    pub possible_duplicates: usize,
}

/// Reads a CSV file of leads (a header row naming [`IMPORT_COLUMNS`]), or a
/// `.vcf` file of vCards (see [`crate::vcard::read_cards`]), and
/// adds them all in one transaction, or none when any row is wrong; errors
/// name the line, `line 3: email`.
pub async fn import_leads(app: &App, actor: &Actor, bytes: &[u8]) -> AppResult<LeadImport> {
    actor.require(Permission::CrmUse)?;
    let mut errors = FieldErrors::new();
    // A `.vcf` file of cards, or CSV; errors name the CSV line or the card's place.
    let text = String::from_utf8_lossy(bytes);
    let drafts: Vec<(String, LeadDraft)> = if text
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("BEGIN:VCARD")
    {
        match crate::vcard::read_cards(&text) {
            Ok(cards) => (1..)
                .zip(cards)
                .map(|(n, d)| (format!("card {n}: "), d))
                .collect(),
            Err(code) => return Err(AppError::Invalid(FieldErrors::one("file", code))),
        }
    } else {
        read_records(bytes, &IMPORT_COLUMNS, &["name"], &mut errors)
            .iter()
            .map(|r| {
                let draft = LeadDraft {
                    name: r.get("name").to_owned(),
                    company: r.get("company").to_owned(),
                    email: r.get("email").to_owned(),
                    phone: r.get("phone").to_owned(),
                    notes: r.get("notes").to_owned(),
                    campaign: r.get("campaign").to_owned(),
                };
                (format!("line {}: ", r.line), draft)
            })
            .collect()
    };
    let mut leads = Vec::with_capacity(drafts.len());
    for (place, draft) in &drafts {
        match crm::validate_lead(draft) {
            Ok(valid) => leads.push(valid),
            Err(e) => errors.extend(e.prefixed(place)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if leads.is_empty() {
        return Err(AppError::Invalid(FieldErrors::one(
            "file",
            "error-csv-empty",
        )));
    }
    let mut tx = app.db.begin().await?;
    let mut report = LeadImport::default();
    for lead in &leads {
        let id = insert_lead(&mut tx, actor, lead, LeadSource::Import, None).await?;
        let row = store::lead_in_tx(&mut tx, id).await?;
        if duplicate_leads(&mut tx, &row)
            .await?
            .iter()
            .any(|d| d.record.id < id && !report.created.contains(&d.record.id))
        {
            report.possible_duplicates += 1;
        }
        report.created.push(id);
    }
    tx.commit().await?;
    Ok(report)
}

/// The staff an opportunity or activity may be given to, by name.
pub async fn colleagues(
    app: &App,
    actor: &Actor,
) -> AppResult<Vec<seam_store::reception::HostRow>> {
    actor.require(Permission::CrmUse)?;
    Ok(seam_store::reception::hosts(&app.db).await?)
}

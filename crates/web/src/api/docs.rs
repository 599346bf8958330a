//! The OpenAPI 3.1 document, generated from the handlers' annotations, and a
//! readable page of it.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    appointments, crm, helpdesk, hr, invoices, it, knowledge, ledger, marketing, misc, parties,
    payroll, portal, price_lists, problem, products, quotes, reception, sales, sla, stock,
    ticket_mail, tickets,
};
use crate::html::ok;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Seam API", description = "One system for the front office and the back office. \
        Authenticate with `Authorization: Bearer <token>` (create tokens under Settings or with `seam token create`). \
        Errors are `application/problem+json` (RFC 9457) with one entry per bad field. Lists page with `cursor` (the journal with `before`). \
        Amounts are decimal strings (`125.00`) beside their minor units, and VAT rates percentages beside basis points; never floats. \
        Every POST honours `Idempotency-Key`."),
    paths(
        misc::me, misc::search, misc::events, misc::verify_audit, misc::notification_list, misc::notification_read,
        parties::list, parties::get_one, parties::create, parties::update, parties::archive, parties::restore,
        products::list, products::get_one, products::create, products::update, products::archive, products::restore,
        products::tax_rates, products::create_tax_rate,
        price_lists::list, price_lists::create, price_lists::get_one, price_lists::update,
        price_lists::set_item, price_lists::remove_item, price_lists::assign, price_lists::unassign,
        stock::levels, stock::moves, stock::receive, stock::adjust, stock::warehouses, stock::create_warehouse,
        sales::list, sales::create, sales::detail, sales::confirm, sales::cancel, sales::ship, sales::return_goods,
        quotes::list, quotes::create, quotes::detail, quotes::pdf, quotes::send, quotes::accept, quotes::decline,
        invoices::list, invoices::detail, invoices::invoice_order, invoices::post, invoices::cancel, invoices::credit, invoices::email,
        invoices::ubl, invoices::pdf, invoices::payments, invoices::payment, invoices::record_payment,
        invoices::rates, invoices::set_rate, invoices::aging, invoices::statement,
        invoices::company_profile, invoices::update_company,
        ledger::accounts, ledger::create_account,
        ledger::entries, ledger::entry, ledger::post_entry, ledger::reverse_entry,
        ledger::trial_balance, ledger::profit_and_loss, ledger::balance_sheet,
        tickets::list, tickets::create, tickets::detail, tickets::add_message, tickets::attachment, tickets::escalate, tickets::credit_note, tickets::close, tickets::rate,
        ticket_mail::inbound, ticket_mail::replacement,
        sla::breached, sla::at_risk, sla::ticket, sla::hours, sla::set_hours, sla::policies, sla::set_policy,
        knowledge::list, knowledge::detail, knowledge::create, knowledge::update, knowledge::categories,
        reception::list, reception::create, reception::visit, reception::check_in, reception::check_out,
        crm::list_leads, crm::create_lead, crm::import_leads, crm::lead, crm::update_lead, crm::merge_lead,
        crm::qualify, crm::disqualify,
        crm::list_opportunities, crm::create_opportunity, crm::opportunity, crm::update_opportunity,
        crm::move_stage, crm::win, crm::lose, crm::forecast, crm::board,
        crm::my_activities, crm::create_activity, crm::complete_activity,
        appointments::list, appointments::create, appointments::appointment, appointments::reschedule,
        appointments::cancel, appointments::check_in, appointments::resources, appointments::create_resource,
        portal::overview, portal::orders, portal::order, portal::invoices, portal::invoice,
        portal::invoice_pdf, portal::invoice_ubl, portal::payments, portal::update_details,
        payroll::structures, payroll::structure, payroll::create_structure, payroll::add_version,
        payroll::records, payroll::set_record, payroll::runs, payroll::run, payroll::create_run,
        payroll::compute, payroll::approve, payroll::post, payroll::pay,
        payroll::payslip, payroll::payslip_pdf, payroll::my_payslips, payroll::year_to_date,
        hr::list_employees, hr::create_employee, hr::employee, hr::update_employee, hr::add_contract,
        hr::balances, hr::set_entitlement, hr::departments, hr::create_department, hr::positions,
        hr::create_position, hr::org_chart, hr::holidays, hr::add_holiday, hr::leave_types,
        hr::list_requests, hr::request_leave, hr::approve, hr::reject, hr::my_profile, hr::update_my_contact,
        helpdesk::list, helpdesk::create, helpdesk::detail, helpdesk::reply, helpdesk::close,
        helpdesk::my_access_requests, helpdesk::request_access, helpdesk::awaiting, helpdesk::access_request,
        helpdesk::approve, helpdesk::reject,
        marketing::list_segments, marketing::create_segment, marketing::preview_segment, marketing::segment,
        marketing::update_segment, marketing::segment_members,
        marketing::list_campaigns, marketing::create_campaign, marketing::campaign, marketing::update_campaign,
        marketing::send_campaign, marketing::recipients, marketing::attribution, marketing::bounce_recipient,
        marketing::record_bounce, marketing::list_suppressions, marketing::add_suppression,
        marketing::remove_suppression, marketing::list_consents, marketing::record_consent,
        it::assets, it::create_asset, it::asset, it::update_asset, it::move_asset, it::licences,
        it::create_licence, it::assign_seat, it::release_seat, it::tasks, it::complete_task,
        it::hire, it::offboard,
    ),
    components(schemas(problem::Problem, problem::FieldProblem, ledger::JournalLineInput, sales::SalesOrderLineInput, sales::ShipLineInput,
        invoices::CreditLineInput, invoices::AllocationInput, invoices::EmailInput, invoices::EmailQueued,
        crm::OpportunityLineInput, payroll::RuleInput, payroll::PayslipSummary, ticket_mail::ReplacementLineInput, marketing::SegmentFilterBody, marketing::Amount)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub parameters: Vec<String>,
    pub responses: Vec<String>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    description: String,
    operations: Vec<Operation>,
}

/// The operations of the document, for the docs page.
pub fn operations() -> Vec<Operation> {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
        return out;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let text = |key: &str| {
                op.get(key)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            let parameters = op
                .get("parameters")
                .and_then(|p| p.as_array())
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let name = p.get("name").and_then(|v| v.as_str()).unwrap_or("");
                            let place = p.get("in").and_then(|v| v.as_str()).unwrap_or("");
                            let about = p.get("description").and_then(|v| v.as_str()).unwrap_or("");
                            format!("{name} ({place}) {about}")
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op
                .get("responses")
                .and_then(|r| r.as_object())
                .map(|rs| rs.keys().cloned().collect())
                .unwrap_or_default();
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text("summary").trim().to_owned() + " " + text("description").trim(),
                parameters,
                responses,
            });
        }
    }
    out
}

pub async fn docs_page() -> Response {
    let description = ApiDoc::openapi().info.description.unwrap_or_default();
    ok(&DocsPage {
        description,
        operations: operations(),
    })
}

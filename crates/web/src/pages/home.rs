//! The start page, each area's landing page, and the global search.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use seam_app::parties::SearchHit;
use seam_app::{UserKind, parties};
use seam_domain::access::{Area, Permission};
use serde::Deserialize;

use crate::AppState;
use crate::html::{Page, ok};
use crate::routes::area_path;
use crate::who::{CurrentActor, Requester};

pub struct AreaCard {
    pub title: String,
    pub about: String,
    pub href: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    greeting: String,
    cards: Vec<AreaCard>,
    portal_party: String,
}

pub async fn home(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    // A customer's start page is their portal.
    if actor.kind == UserKind::Portal && actor.may(Permission::PortalUse) {
        return Redirect::to(crate::pages::portal::PORTAL_PATH).into_response();
    }
    let page = Page::new(&state, &who, "home-title", "/").await;
    let i18n = page.i18n;
    let cards = Area::ALL
        .into_iter()
        .filter(|a| actor.may(a.permission()))
        .map(|a| AreaCard {
            title: i18n.t(&format!("area-{}", a.slug())),
            about: i18n.t(&format!("area-{}-about", a.slug())),
            href: area_path(a),
        })
        .collect();
    let portal_party = if actor.kind == UserKind::Portal {
        parties::my_party(&state.app, &actor)
            .await
            .map(|p| p.name)
            .unwrap_or_default()
    } else {
        String::new()
    };
    ok(&HomePage {
        greeting: i18n.t1("home-greeting", "name", &actor.display_name),
        page,
        cards,
        portal_party,
    })
}

/// A link from an area to a screen that works today.
pub struct Tool {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    page: Page,
    about: String,
    tools: Vec<Tool>,
}

/// The screens each area offers now, shown only when the user may open them.
fn tools_of(area: Area) -> Vec<(&'static str, &'static str, Permission)> {
    use Permission as P;
    match area {
        Area::Reception => vec![
            ("tool-visits", "/reception/visits", P::ReceptionUse),
            (
                "tool-appointments",
                "/reception/appointments",
                P::ReceptionUse,
            ),
            ("tool-room-calendar", "/reception/calendar", P::ReceptionUse),
            ("tool-resources", "/reception/resources", P::ReceptionUse),
            ("tool-find-party", "/parties", P::PartiesRead),
            ("tool-new-party", "/parties/new", P::PartiesWrite),
        ],
        Area::Crm => vec![
            ("tool-leads", "/crm/leads", P::CrmUse),
            ("tool-pipeline", "/crm/pipeline", P::SalesUse),
            ("tool-forecast", "/crm/forecast", P::SalesUse),
            ("tool-activities", "/crm/activities", P::CrmUse),
            ("tool-import-leads", "/crm/leads/import", P::CrmUse),
            ("tool-lead-form", "/forms/lead", P::CrmUse),
            ("tool-parties", "/parties", P::PartiesRead),
            ("tool-new-party", "/parties/new", P::PartiesWrite),
            ("tool-import-parties", "/parties/import", P::PartiesImport),
            (
                "tool-export-parties",
                "/parties/export.csv",
                P::PartiesExport,
            ),
        ],
        Area::Accounting => vec![
            ("tool-journal", "/accounting/journal", P::LedgerRead),
            ("tool-new-entry", "/accounting/journal/new", P::LedgerPost),
            ("tool-accounts", "/accounting/accounts", P::LedgerRead),
            (
                "tool-trial-balance",
                "/accounting/reports/trial-balance",
                P::LedgerRead,
            ),
            (
                "tool-profit-and-loss",
                "/accounting/reports/profit-and-loss",
                P::LedgerRead,
            ),
            (
                "tool-balance-sheet",
                "/accounting/reports/balance-sheet",
                P::LedgerRead,
            ),
            ("tool-periods", "/accounting/periods", P::LedgerRead),
            ("tool-invoices", "/invoices", P::InvoicesRead),
            ("tool-payments", "/payments", P::InvoicesRead),
            ("tool-record-payment", "/payments/new", P::PaymentsRecord),
            ("tool-exchange-rates", "/accounting/rates", P::LedgerRead),
            ("tool-aging", "/reports/aging", P::InvoicesRead),
            (
                "tool-company-profile",
                "/accounting/company",
                P::LedgerAdmin,
            ),
            ("tool-customers", "/parties?role=customer", P::PartiesRead),
            (
                "tool-accounting-tickets",
                "/service/tickets?queue=accounting",
                P::AccountingUse,
            ),
        ],
        Area::Sales => vec![
            ("tool-orders", "/sales/orders", P::SalesOrderRead),
            ("tool-new-order", "/sales/orders/new", P::SalesOrderWrite),
            ("tool-quotes", "/sales/quotes", P::SalesOrderRead),
            ("tool-invoices", "/invoices", P::InvoicesRead),
            ("tool-new-quote", "/sales/quotes/new", P::SalesOrderWrite),
            ("tool-customers", "/parties?role=customer", P::PartiesRead),
            ("tool-products", "/products", P::ProductsRead),
            ("tool-new-product", "/products/new", P::ProductsWrite),
            ("tool-import-products", "/products/import", P::ProductsWrite),
            (
                "tool-export-products",
                "/products/export.csv",
                P::ProductsRead,
            ),
            ("tool-tax-rates", "/tax-rates", P::ProductsRead),
        ],
        Area::Service => vec![
            ("tool-tickets", "/service/tickets", P::ServiceUse),
            ("tool-new-ticket", "/service/tickets/new", P::ServiceUse),
            ("tool-kb", "/kb", P::ServiceUse),
            ("tool-canned", "/service/canned", P::ServiceUse),
            ("tool-sla", "/service/sla", P::ServiceUse),
            (
                "tool-sla-settings",
                "/service/sla/settings",
                P::ServiceAdmin,
            ),
            ("tool-customers", "/parties?role=customer", P::PartiesRead),
        ],
        Area::Marketing => vec![
            ("tool-segments", "/marketing/segments", P::MarketingUse),
            ("tool-campaigns", "/marketing/campaigns", P::MarketingUse),
            (
                "tool-suppressions",
                "/marketing/suppressions",
                P::MarketingUse,
            ),
            ("tool-consents", "/marketing/consents", P::MarketingUse),
            ("tool-leads", "/crm/leads", P::CrmUse),
            ("tool-customers", "/parties?role=customer", P::PartiesRead),
        ],
        Area::Inventory => vec![
            ("tool-to-ship", "/inventory/to-ship", P::SalesOrderRead),
            ("tool-stock", "/inventory/stock", P::StockRead),
            (
                "tool-stock-receipt",
                "/inventory/receipts/new",
                P::StockWrite,
            ),
            (
                "tool-stock-adjustment",
                "/inventory/adjustments/new",
                P::StockWrite,
            ),
            ("tool-stock-moves", "/inventory/moves", P::StockRead),
            ("tool-warehouses", "/inventory/warehouses", P::StockRead),
            (
                "tool-warehouse-tickets",
                "/service/tickets?queue=warehouse",
                P::InventoryUse,
            ),
            ("tool-products", "/products?kind=goods", P::ProductsRead),
            ("tool-new-product", "/products/new", P::ProductsWrite),
        ],
        Area::Purchasing => vec![
            ("tool-vendors", "/parties?role=vendor", P::PartiesRead),
            ("tool-products", "/products", P::ProductsRead),
        ],
        Area::Insights => vec![
            ("tool-audit", "/audit", P::AuditRead),
            ("tool-aging", "/reports/aging", P::InvoicesRead),
        ],
        Area::It => vec![("tool-it-tickets", "/service/tickets?queue=it", P::ItUse)],
        Area::Payroll => vec![
            ("tool-payroll-runs", "/payroll/runs", P::PayrollUse),
            (
                "tool-payroll-employees",
                "/payroll/employees",
                P::PayrollUse,
            ),
            (
                "tool-payroll-structures",
                "/payroll/structures",
                P::PayrollUse,
            ),
            ("tool-payroll-year", "/payroll/year", P::PayrollUse),
        ],
        _ => Vec::new(),
    }
}

pub async fn area(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    uri: Uri,
) -> Response {
    let area = Area::ALL
        .into_iter()
        .find(|a| area_path(*a) == uri.path())
        .unwrap_or(Area::Crm);
    let page = Page::new(&state, &who, &format!("area-{}", area.slug()), uri.path()).await;
    let i18n = page.i18n;
    let tools = tools_of(area)
        .into_iter()
        .filter(|(_, _, p)| actor.may(*p))
        .map(|(key, href, _)| Tool {
            label: i18n.t(key),
            href: href.to_owned(),
        })
        .collect();
    ok(&AreaPage {
        about: i18n.t(&format!("area-{}-about", area.slug())),
        page,
        tools,
    })
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: Page,
    text: String,
    hits: Vec<SearchHit>,
}

/// Hits shown by the global search.
pub const SEARCH_HITS_MAX: i64 = 20;

pub async fn search(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<SearchQuery>,
) -> Response {
    let hits = match parties::search(&state.app, &actor, &query.q, SEARCH_HITS_MAX).await {
        Ok(hits) => hits,
        Err(e) => {
            tracing::error!(error = %e, "search failed");
            Vec::new()
        }
    };
    let mut page = Page::new(&state, &who, "search-title", "/search").await;
    page.search_text.clone_from(&query.q);
    ok(&SearchPage {
        page,
        text: query.q,
        hits,
    })
}

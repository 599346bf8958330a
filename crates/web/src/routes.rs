//! Every route of the server with the access it needs, in one table. The
//! router is built from this table, and the access-matrix test walks it.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};
use seam_domain::access::{Area, Permission};

use crate::{AppState, api, ops, pages};

/// What a route requires of the requester.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// A login that has given its password but still owes the second factor.
    SecondFactorPending,
    /// Any logged-in user, staff or portal customer.
    Authenticated,
    /// Any logged-in member of staff.
    Staff,
    /// A user (or token) holding this permission.
    Permission(Permission),
}

/// One row of the table.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

fn route(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        access,
        handler,
    }
}

/// The table. Paths use axum's `{param}` syntax.
pub fn routes() -> Vec<Route> {
    use Access::{Authenticated, Public, SecondFactorPending, Staff};
    use Method as M;
    use seam_domain::access::Permission as P;
    let mut table = vec![
        route(M::GET, "/healthz", Public, get(ops::healthz)),
        route(M::GET, "/readyz", Public, get(ops::readyz)),
        route(M::GET, "/metrics", Public, get(ops::metrics)),
        route(M::GET, "/assets/{file}", Public, get(crate::assets::asset)),
        route(M::GET, "/login", Public, get(pages::auth::login_page)),
        route(M::POST, "/login", Public, post(pages::auth::login_submit)),
        route(M::POST, "/logout", Public, post(pages::auth::logout)),
        route(
            M::GET,
            "/login/second-factor",
            SecondFactorPending,
            get(pages::auth::second_factor_page),
        ),
        route(
            M::POST,
            "/login/second-factor",
            SecondFactorPending,
            post(pages::auth::second_factor_submit),
        ),
        route(M::GET, "/setup", Public, get(pages::auth::setup_page)),
        route(M::POST, "/setup", Public, post(pages::auth::setup_submit)),
        route(M::GET, "/", Authenticated, get(pages::home::home)),
        route(M::GET, "/search", Staff, get(pages::home::search)),
        route(
            M::GET,
            "/settings",
            Authenticated,
            get(pages::settings::settings_page),
        ),
        route(
            M::POST,
            "/settings/preferences",
            Authenticated,
            post(pages::settings::save_preferences),
        ),
        route(
            M::POST,
            "/settings/password",
            Authenticated,
            post(pages::settings::change_password),
        ),
        route(
            M::POST,
            "/settings/second-factor",
            Authenticated,
            post(pages::settings::enable_second_factor),
        ),
        route(
            M::POST,
            "/settings/second-factor/disable",
            Authenticated,
            post(pages::settings::disable_second_factor),
        ),
        route(
            M::POST,
            "/settings/tokens",
            Staff,
            post(pages::settings::create_token),
        ),
        route(
            M::POST,
            "/settings/tokens/{id}/revoke",
            Staff,
            post(pages::settings::revoke_token),
        ),
        route(
            M::GET,
            "/parties",
            Access::Permission(P::PartiesRead),
            get(pages::parties::list),
        ),
        route(
            M::POST,
            "/parties",
            Access::Permission(P::PartiesWrite),
            post(pages::parties::create),
        ),
        route(
            M::GET,
            "/parties/new",
            Access::Permission(P::PartiesWrite),
            get(pages::parties::new_form),
        ),
        route(
            M::GET,
            "/parties/export.csv",
            Access::Permission(P::PartiesExport),
            get(pages::parties::export),
        ),
        route(
            M::GET,
            "/parties/import",
            Access::Permission(P::PartiesImport),
            get(pages::parties::import_page),
        ),
        route(
            M::POST,
            "/parties/import",
            Access::Permission(P::PartiesImport),
            post(pages::parties::import_submit),
        ),
        route(
            M::GET,
            "/parties/{id}",
            Access::Permission(P::PartiesRead),
            get(pages::parties::detail),
        ),
        route(
            M::POST,
            "/parties/{id}",
            Access::Permission(P::PartiesWrite),
            post(pages::parties::update),
        ),
        route(
            M::GET,
            "/parties/{id}/edit",
            Access::Permission(P::PartiesWrite),
            get(pages::parties::edit_form),
        ),
        route(
            M::POST,
            "/parties/{id}/archive",
            Access::Permission(P::PartiesWrite),
            post(pages::parties::archive),
        ),
        route(
            M::POST,
            "/parties/{id}/restore",
            Access::Permission(P::PartiesWrite),
            post(pages::parties::restore),
        ),
        route(
            M::GET,
            "/products",
            Access::Permission(P::ProductsRead),
            get(pages::products::list),
        ),
        route(
            M::POST,
            "/products",
            Access::Permission(P::ProductsWrite),
            post(pages::products::create),
        ),
        route(
            M::GET,
            "/products/new",
            Access::Permission(P::ProductsWrite),
            get(pages::products::new_form),
        ),
        route(
            M::GET,
            "/products/export.csv",
            Access::Permission(P::ProductsRead),
            get(pages::products::export),
        ),
        route(
            M::GET,
            "/products/import",
            Access::Permission(P::ProductsWrite),
            get(pages::products::import_form),
        ),
        route(
            M::POST,
            "/products/import",
            Access::Permission(P::ProductsWrite),
            post(pages::products::import_submit),
        ),
        route(
            M::GET,
            "/products/{id}",
            Access::Permission(P::ProductsRead),
            get(pages::products::detail),
        ),
        route(
            M::POST,
            "/products/{id}",
            Access::Permission(P::ProductsWrite),
            post(pages::products::update),
        ),
        route(
            M::GET,
            "/products/{id}/edit",
            Access::Permission(P::ProductsWrite),
            get(pages::products::edit_form),
        ),
        route(
            M::POST,
            "/products/{id}/archive",
            Access::Permission(P::ProductsWrite),
            post(pages::products::archive),
        ),
        route(
            M::POST,
            "/products/{id}/restore",
            Access::Permission(P::ProductsWrite),
            post(pages::products::restore),
        ),
        route(
            M::GET,
            "/tax-rates",
            Access::Permission(P::ProductsRead),
            get(pages::products::tax_rates),
        ),
        route(
            M::POST,
            "/tax-rates",
            Access::Permission(P::ProductsWrite),
            post(pages::products::create_tax_rate),
        ),
        route(
            M::GET,
            "/inventory/stock",
            Access::Permission(P::StockRead),
            get(pages::stock::levels),
        ),
        route(
            M::GET,
            "/inventory/receipts/new",
            Access::Permission(P::StockWrite),
            get(pages::stock::receipt_form),
        ),
        route(
            M::POST,
            "/inventory/receipts",
            Access::Permission(P::StockWrite),
            post(pages::stock::create_receipt),
        ),
        route(
            M::GET,
            "/inventory/adjustments/new",
            Access::Permission(P::StockWrite),
            get(pages::stock::adjustment_form),
        ),
        route(
            M::POST,
            "/inventory/adjustments",
            Access::Permission(P::StockWrite),
            post(pages::stock::create_adjustment),
        ),
        route(
            M::GET,
            "/inventory/moves",
            Access::Permission(P::StockRead),
            get(pages::stock::moves),
        ),
        route(
            M::GET,
            "/inventory/warehouses",
            Access::Permission(P::StockRead),
            get(pages::stock::warehouses),
        ),
        route(
            M::POST,
            "/inventory/warehouses",
            Access::Permission(P::StockWrite),
            post(pages::stock::create_warehouse),
        ),
        route(
            M::GET,
            "/admin/users",
            Access::Permission(P::UsersAdmin),
            get(pages::users::list),
        ),
        route(
            M::POST,
            "/admin/users",
            Access::Permission(P::UsersAdmin),
            post(pages::users::create),
        ),
        route(
            M::GET,
            "/admin/users/new",
            Access::Permission(P::UsersAdmin),
            get(pages::users::new_form),
        ),
        route(
            M::GET,
            "/admin/users/{id}",
            Access::Permission(P::UsersAdmin),
            get(pages::users::detail),
        ),
        route(
            M::POST,
            "/admin/users/{id}/roles",
            Access::Permission(P::UsersAdmin),
            post(pages::users::set_roles),
        ),
        route(
            M::POST,
            "/admin/users/{id}/disable",
            Access::Permission(P::UsersAdmin),
            post(pages::users::disable),
        ),
        route(
            M::POST,
            "/admin/users/{id}/enable",
            Access::Permission(P::UsersAdmin),
            post(pages::users::enable),
        ),
        route(
            M::POST,
            "/admin/users/{id}/password",
            Access::Permission(P::UsersAdmin),
            post(pages::users::reset_password),
        ),
        route(
            M::GET,
            "/audit",
            Access::Permission(P::AuditRead),
            get(pages::audit::journal),
        ),
        route(
            M::POST,
            "/audit/verify",
            Access::Permission(P::AuditRead),
            post(pages::audit::verify),
        ),
        route(
            M::GET,
            "/accounting/accounts",
            Access::Permission(P::LedgerRead),
            get(pages::ledger::accounts),
        ),
        route(
            M::POST,
            "/accounting/accounts",
            Access::Permission(P::LedgerAdmin),
            post(pages::ledger::create_account),
        ),
        route(
            M::GET,
            "/accounting/accounts/{id}",
            Access::Permission(P::LedgerAdmin),
            get(pages::ledger::edit_account),
        ),
        route(
            M::POST,
            "/accounting/accounts/{id}",
            Access::Permission(P::LedgerAdmin),
            post(pages::ledger::update_account),
        ),
        route(
            M::GET,
            "/accounting/journal",
            Access::Permission(P::LedgerRead),
            get(pages::ledger::journal),
        ),
        route(
            M::POST,
            "/accounting/journal",
            Access::Permission(P::LedgerPost),
            post(pages::ledger::post_entry),
        ),
        route(
            M::GET,
            "/accounting/journal/new",
            Access::Permission(P::LedgerPost),
            get(pages::ledger::new_entry),
        ),
        route(
            M::GET,
            "/accounting/journal/{id}",
            Access::Permission(P::LedgerRead),
            get(pages::ledger::entry),
        ),
        route(
            M::POST,
            "/accounting/journal/{id}/reverse",
            Access::Permission(P::LedgerPost),
            post(pages::ledger::reverse_entry),
        ),
        route(
            M::GET,
            "/accounting/periods",
            Access::Permission(P::LedgerRead),
            get(pages::ledger::periods),
        ),
        route(
            M::POST,
            "/accounting/periods",
            Access::Permission(P::LedgerAdmin),
            post(pages::ledger::close_period),
        ),
        route(
            M::GET,
            "/accounting/reports/trial-balance",
            Access::Permission(P::LedgerRead),
            get(pages::reports::trial_balance),
        ),
        route(
            M::GET,
            "/accounting/reports/profit-and-loss",
            Access::Permission(P::LedgerRead),
            get(pages::reports::profit_and_loss),
        ),
        route(
            M::GET,
            "/accounting/reports/balance-sheet",
            Access::Permission(P::LedgerRead),
            get(pages::reports::balance_sheet),
        ),
        route(M::GET, "/api/docs", Public, get(api::docs::docs_page)),
        route(
            M::GET,
            "/api/v1/openapi.json",
            Public,
            get(api::docs::openapi_json),
        ),
        route(M::GET, "/api/v1/me", Authenticated, get(api::misc::me)),
        route(M::GET, "/api/v1/search", Staff, get(api::misc::search)),
        route(
            M::GET,
            "/api/v1/events",
            Access::Permission(P::AuditRead),
            get(api::misc::events),
        ),
        route(
            M::GET,
            "/api/v1/audit/verify",
            Access::Permission(P::AuditRead),
            get(api::misc::verify_audit),
        ),
        route(
            M::GET,
            "/api/v1/stock-levels",
            Access::Permission(P::StockRead),
            get(api::stock::levels),
        ),
        route(
            M::GET,
            "/api/v1/stock-moves",
            Access::Permission(P::StockRead),
            get(api::stock::moves),
        ),
        route(
            M::POST,
            "/api/v1/stock/receipts",
            Access::Permission(P::StockWrite),
            post(api::stock::receive),
        ),
        route(
            M::POST,
            "/api/v1/stock/adjustments",
            Access::Permission(P::StockWrite),
            post(api::stock::adjust),
        ),
        route(
            M::GET,
            "/api/v1/warehouses",
            Access::Permission(P::StockRead),
            get(api::stock::warehouses),
        ),
        route(
            M::POST,
            "/api/v1/warehouses",
            Access::Permission(P::StockWrite),
            post(api::stock::create_warehouse),
        ),
        route(
            M::GET,
            "/api/v1/parties",
            Access::Permission(P::PartiesRead),
            get(api::parties::list),
        ),
        route(
            M::POST,
            "/api/v1/parties",
            Access::Permission(P::PartiesWrite),
            post(api::parties::create),
        ),
        route(
            M::GET,
            "/api/v1/parties/{id}",
            Access::Permission(P::PartiesRead),
            get(api::parties::get_one),
        ),
        route(
            M::PUT,
            "/api/v1/parties/{id}",
            Access::Permission(P::PartiesWrite),
            put(api::parties::update),
        ),
        route(
            M::POST,
            "/api/v1/parties/{id}/archive",
            Access::Permission(P::PartiesWrite),
            post(api::parties::archive),
        ),
        route(
            M::POST,
            "/api/v1/parties/{id}/restore",
            Access::Permission(P::PartiesWrite),
            post(api::parties::restore),
        ),
        route(
            M::GET,
            "/api/v1/products",
            Access::Permission(P::ProductsRead),
            get(api::products::list),
        ),
        route(
            M::POST,
            "/api/v1/products",
            Access::Permission(P::ProductsWrite),
            post(api::products::create),
        ),
        route(
            M::GET,
            "/api/v1/products/{id}",
            Access::Permission(P::ProductsRead),
            get(api::products::get_one),
        ),
        route(
            M::PUT,
            "/api/v1/products/{id}",
            Access::Permission(P::ProductsWrite),
            put(api::products::update),
        ),
        route(
            M::POST,
            "/api/v1/products/{id}/archive",
            Access::Permission(P::ProductsWrite),
            post(api::products::archive),
        ),
        route(
            M::POST,
            "/api/v1/products/{id}/restore",
            Access::Permission(P::ProductsWrite),
            post(api::products::restore),
        ),
        route(
            M::GET,
            "/api/v1/tax-rates",
            Access::Permission(P::ProductsRead),
            get(api::products::tax_rates),
        ),
        route(
            M::POST,
            "/api/v1/tax-rates",
            Access::Permission(P::ProductsWrite),
            post(api::products::create_tax_rate),
        ),
        route(
            M::GET,
            "/api/v1/accounts",
            Access::Permission(P::LedgerRead),
            get(api::ledger::accounts),
        ),
        route(
            M::POST,
            "/api/v1/accounts",
            Access::Permission(P::LedgerAdmin),
            post(api::ledger::create_account),
        ),
        route(
            M::GET,
            "/api/v1/journal-entries",
            Access::Permission(P::LedgerRead),
            get(api::ledger::entries),
        ),
        route(
            M::POST,
            "/api/v1/journal-entries",
            Access::Permission(P::LedgerPost),
            post(api::ledger::post_entry),
        ),
        route(
            M::GET,
            "/api/v1/journal-entries/{id}",
            Access::Permission(P::LedgerRead),
            get(api::ledger::entry),
        ),
        route(
            M::POST,
            "/api/v1/journal-entries/{id}/reverse",
            Access::Permission(P::LedgerPost),
            post(api::ledger::reverse_entry),
        ),
        route(
            M::GET,
            "/api/v1/reports/trial-balance",
            Access::Permission(P::LedgerRead),
            get(api::ledger::trial_balance),
        ),
        route(
            M::GET,
            "/api/v1/reports/profit-and-loss",
            Access::Permission(P::LedgerRead),
            get(api::ledger::profit_and_loss),
        ),
        route(
            M::GET,
            "/api/v1/reports/balance-sheet",
            Access::Permission(P::LedgerRead),
            get(api::ledger::balance_sheet),
        ),
    ];
    for area in Area::ALL {
        table.push(route(
            M::GET,
            area_path(area),
            Access::Permission(area.permission()),
            get(pages::home::area),
        ));
    }
    table
}

/// Each area's landing page.
pub fn area_path(area: Area) -> &'static str {
    match area {
        Area::Reception => "/reception",
        Area::Crm => "/crm",
        Area::Sales => "/sales",
        Area::Service => "/service",
        Area::Marketing => "/marketing",
        Area::Accounting => "/accounting",
        Area::Inventory => "/inventory",
        Area::Purchasing => "/purchasing",
        Area::Hr => "/hr",
        Area::Payroll => "/payroll",
        Area::It => "/it",
        Area::Contracts => "/contracts",
        Area::Documents => "/documents",
        Area::Insights => "/insights",
    }
}

//! Product pages: the catalogue with search, filters and keyset pages;
//! create, edit, archive and restore; the product page with its timeline;
//! CSV in and out; and the tax rates products are sold under.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::products::{
    self, ImportReport, ProductCursor, ProductDetail, ProductFilter, ProductRow, ProductSort,
    TaxRateRow,
};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::ids::ProductId;
use seam_domain::ledger::format_amount;
use seam_domain::product::{ProductDraft, ProductKind, TaxRateDraft, UNITS, VatCategory};
use serde::Deserialize;

use super::ledger::{Choice, outcome};
use super::parties::{TimelineEntry, read_import, timeline};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// Rows per page in the product list.
pub const LIST_PAGE_SIZE: i64 = 50;
/// The currency a new product's form starts with.
pub const DEFAULT_CURRENCY: &str = "EUR";
/// Where the product pages sit in the navigation.
const NAV_PATH: &str = "/products";

/// The list's query string: every filter is optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListQuery {
    pub fn filter(&self) -> ProductFilter {
        let q = self.q.trim();
        ProductFilter {
            text: (!q.is_empty()).then(|| q.to_owned()),
            kind: ProductKind::parse(&self.kind).map(|k| k.name().to_owned()),
            archive: super::archive_filter(&self.status),
        }
    }

    pub fn sort(&self) -> ProductSort {
        ProductSort::parse(&self.sort).unwrap_or_default()
    }

    /// This query with another cursor, for the page links.
    fn with_cursor(&self, cursor: &str) -> String {
        let pairs = [
            ("q", self.q.as_str()),
            ("kind", &self.kind),
            ("status", &self.status),
            ("sort", &self.sort),
            ("cursor", cursor),
        ];
        super::query_string(&pairs)
    }
}

/// A product's kind, unit and prices, written for the user.
pub struct ProductView {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub list_price: String,
    pub standard_cost: String,
    pub tax_rate: String,
    pub archived: bool,
}

impl ProductView {
    fn new(i18n: &I18n, row: &ProductRow) -> ProductView {
        ProductView {
            id: row.id,
            sku: row.sku.clone(),
            name: row.name.clone(),
            kind: i18n.t(&format!("product-kind-{}", row.kind)),
            unit: unit_label(i18n, &row.unit),
            list_price: i18n.money(row.list_price_minor, &row.currency),
            standard_cost: i18n.money(row.standard_cost_minor, &row.currency),
            tax_rate: row.tax_rate_code.clone(),
            archived: row.archived,
        }
    }
}

/// `piece (C62)`: the unit's name in the user's language with its code.
fn unit_label(i18n: &I18n, code: &str) -> String {
    format!(
        "{} ({code})",
        i18n.t(&format!("unit-{}", code.to_ascii_lowercase()))
    )
}

fn category_label(i18n: &I18n, category: &str) -> String {
    i18n.t(&format!("vat-category-{}", category.to_ascii_lowercase()))
}

/// `S25 · Standard 25% (25%)`, for pickers and the product page.
fn tax_rate_label(i18n: &I18n, rate: &TaxRateRow) -> String {
    format!(
        "{} · {} ({})",
        rate.code,
        rate.name,
        i18n.locale.percent(rate.rate_bp)
    )
}

#[derive(Template)]
#[template(path = "products_list.html")]
struct ListPage {
    page: Page,
    query: ListQuery,
    rows: Vec<ProductView>,
    total: i64,
    next_link: String,
    first_link: String,
    export_link: String,
    may_write: bool,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let cursor = ProductCursor::decode(&query.cursor);
    let result = products::list_products(
        &state.app,
        &actor,
        &query.filter(),
        query.sort(),
        cursor.as_ref(),
        LIST_PAGE_SIZE,
    )
    .await;
    let list = match result {
        Ok(list) => list,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "products-title", NAV_PATH).await;
    let next_link = list
        .next
        .map(|c| format!("/products?{}", query.with_cursor(&c.encode())))
        .unwrap_or_default();
    let first_link = if query.cursor.is_empty() {
        String::new()
    } else {
        format!("/products?{}", query.with_cursor(""))
    };
    let export_link = format!("/products/export.csv?{}", query.with_cursor(""));
    ok(&ListPage {
        rows: list
            .rows
            .iter()
            .map(|r| ProductView::new(&page.i18n, r))
            .collect(),
        page,
        total: list.total,
        next_link,
        first_link,
        export_link,
        may_write: actor.may(Permission::ProductsWrite),
        query,
    })
}

#[derive(Template)]
#[template(path = "product_form.html")]
struct FormPage {
    page: Page,
    /// `None` when creating.
    id: Option<i64>,
    version: i64,
    draft: ProductDraft,
    units: Vec<Choice>,
    tax_rates: Vec<Choice>,
    accounts: Vec<Choice>,
    errors: Errors,
}

/// The pickers of the product form. A code the draft names that is no
/// longer offered (an archived account) stays selectable, so the input is kept.
struct Pickers {
    units: Vec<Choice>,
    tax_rates: Vec<Choice>,
    accounts: Vec<Choice>,
}

async fn pickers(
    state: &AppState,
    actor: &Actor,
    i18n: &I18n,
    draft: &ProductDraft,
) -> Result<Pickers, AppError> {
    let units = UNITS
        .into_iter()
        .map(|code| Choice {
            value: code.to_owned(),
            label: unit_label(i18n, code),
        })
        .collect();
    let tax_rates = products::tax_rates(&state.app, actor)
        .await?
        .iter()
        .map(|r| Choice {
            value: r.code.clone(),
            label: tax_rate_label(i18n, r),
        })
        .collect();
    let mut accounts: Vec<Choice> = products::revenue_accounts(&state.app, actor)
        .await?
        .into_iter()
        .map(|a| Choice {
            label: format!("{} · {}", a.code, a.name),
            value: a.code,
        })
        .collect();
    let chosen = draft.revenue_account.trim();
    if !chosen.is_empty() && !accounts.iter().any(|a| a.value == chosen) {
        accounts.push(Choice {
            value: chosen.to_owned(),
            label: chosen.to_owned(),
        });
    }
    Ok(Pickers {
        units,
        tax_rates,
        accounts,
    })
}

/// The form, blank or refilled; `err` puts the messages next to their fields.
async fn form_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: Option<i64>,
    version: i64,
    draft: ProductDraft,
    err: Option<&AppError>,
) -> Response {
    let title = if id.is_some() {
        "product-edit-title"
    } else {
        "product-new-title"
    };
    let page = Page::new(state, who, title, NAV_PATH).await;
    let (status, errors) = match outcome(&page.i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let Pickers {
        units,
        tax_rates,
        accounts,
    } = match pickers(state, actor, &page.i18n, &draft).await {
        Ok(p) => p,
        Err(e) => return fail(who, &e),
    };
    render(
        status,
        &FormPage {
            page,
            id,
            version,
            draft,
            units,
            tax_rates,
            accounts,
            errors,
        },
    )
}

fn draft_from_form(form: &FormData) -> ProductDraft {
    ProductDraft {
        sku: form.get("sku").to_owned(),
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        unit: form.get("unit").to_owned(),
        currency: form.get("currency").to_owned(),
        list_price: form.get("list_price").to_owned(),
        standard_cost: form.get("standard_cost").to_owned(),
        tax_rate: form.get("tax_rate").to_owned(),
        revenue_account: form.get("revenue_account").to_owned(),
    }
}

/// The stored product as the form shows it; the revenue account is left
/// empty when it is the kind's default, so a change of kind moves it along.
fn draft_of(row: &ProductRow) -> ProductDraft {
    let default_account = ProductKind::parse(&row.kind).map(ProductKind::default_revenue_account);
    ProductDraft {
        sku: row.sku.clone(),
        name: row.name.clone(),
        kind: row.kind.clone(),
        unit: row.unit.clone(),
        currency: row.currency.clone(),
        list_price: format_amount(row.list_price_minor, &row.currency),
        standard_cost: if row.standard_cost_minor == 0 {
            String::new()
        } else {
            format_amount(row.standard_cost_minor, &row.currency)
        },
        tax_rate: row.tax_rate_code.clone(),
        revenue_account: if default_account == Some(row.revenue_account_code.as_str()) {
            String::new()
        } else {
            row.revenue_account_code.clone()
        },
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    kind: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewQuery>,
) -> Response {
    let kind = ProductKind::parse(&query.kind).unwrap_or(ProductKind::Goods);
    let draft = ProductDraft {
        kind: kind.name().to_owned(),
        unit: match kind {
            ProductKind::Goods => "C62",
            ProductKind::Service => "HUR",
        }
        .to_owned(),
        currency: DEFAULT_CURRENCY.to_owned(),
        tax_rate: "S25".to_owned(),
        ..ProductDraft::default()
    };
    form_page(&state, &who, &actor, None, 0, draft, None).await
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = draft_from_form(&form);
    match products::create_product(&state.app, &actor, &draft).await {
        Ok(id) => {
            let to = format!("/products/{id}");
            redirect_with_flash(&state, &who, &to, "flash-product-created").await
        }
        Err(e) => form_page(&state, &who, &actor, None, 0, draft, Some(&e)).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match products::product(&state.app, &actor, ProductId(id)).await {
        Ok(row) => {
            form_page(
                &state,
                &who,
                &actor,
                Some(id),
                row.version,
                draft_of(&row),
                None,
            )
            .await
        }
        Err(e) => fail(&who, &e),
    }
}

pub async fn update(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let version = form.get("version").parse::<i64>().unwrap_or(0);
    let draft = draft_from_form(&form);
    match products::update_product(&state.app, &actor, ProductId(id), version, &draft).await {
        Ok(()) => {
            let to = format!("/products/{id}");
            redirect_with_flash(&state, &who, &to, "flash-product-saved").await
        }
        Err(AppError::Conflict(code)) => {
            // Someone saved in between: keep this user's input, take the current version, and say so.
            let current = products::product(&state.app, &actor, ProductId(id))
                .await
                .map(|r| r.version)
                .unwrap_or(version);
            let err = AppError::Conflict(code);
            form_page(&state, &who, &actor, Some(id), current, draft, Some(&err)).await
        }
        Err(e) => form_page(&state, &who, &actor, Some(id), version, draft, Some(&e)).await,
    }
}

#[derive(Template)]
#[template(path = "product_detail.html")]
struct DetailPage {
    page: Page,
    product: ProductView,
    currency: String,
    tax_rate: String,
    /// The rate's percentage, written the user's way.
    rate: String,
    /// `S · Standard rate`.
    category: String,
    /// The exemption reason an invoice will print, if the rate has one.
    exemption_reason: String,
    revenue_account: String,
    timeline: Vec<TimelineEntry>,
    may_write: bool,
    /// `None` unless the user may read stock and the product is goods.
    stock: Option<Vec<super::stock::LevelView>>,
    may_move_stock: bool,
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let detail: ProductDetail =
        match products::product_detail(&state.app, &actor, ProductId(id)).await {
            Ok(d) => d,
            Err(e) => return fail(&who, &e),
        };
    let mut page = Page::new(&state, &who, "product-title", NAV_PATH).await;
    page.title.clone_from(&detail.product.name);
    let i18n = page.i18n;
    let p = &detail.product;
    let (tax_rate, rate, category, exemption_reason) = match &detail.tax_rate {
        Some(r) => (
            format!("{} · {}", r.code, r.name),
            i18n.locale.percent(r.rate_bp),
            format!("{} · {}", r.category, category_label(&i18n, &r.category)),
            r.exemption_reason.clone().unwrap_or_default(),
        ),
        None => (
            p.tax_rate_code.clone(),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    let stock = if actor.may(Permission::StockRead) && p.kind == ProductKind::Goods.name() {
        match seam_app::stock::product_levels(&state.app, &actor, ProductId(id)).await {
            Ok(rows) => Some(
                rows.iter()
                    .map(|r| super::stock::LevelView::new(&i18n, r))
                    .collect(),
            ),
            Err(e) => return fail(&who, &e),
        }
    } else {
        None
    };
    let revenue_account = match &detail.revenue_account_name {
        Some(name) => format!("{} · {name}", p.revenue_account_code),
        None => p.revenue_account_code.clone(),
    };
    ok(&DetailPage {
        product: ProductView::new(&i18n, p),
        currency: p.currency.clone(),
        tax_rate,
        rate,
        category,
        exemption_reason,
        revenue_account,
        timeline: timeline(&page, &detail.timeline),
        may_write: actor.may(Permission::ProductsWrite),
        stock,
        may_move_stock: actor.may(Permission::StockWrite),
        page,
    })
}

async fn set_archived(
    state: AppState,
    who: Who,
    actor: Actor,
    id: i64,
    archived: bool,
) -> Response {
    match products::set_archived(&state.app, &actor, ProductId(id), archived).await {
        Ok(()) => {
            let flash = if archived {
                "flash-product-archived"
            } else {
                "flash-product-restored"
            };
            redirect_with_flash(&state, &who, &format!("/products/{id}"), flash).await
        }
        Err(e) => fail(&who, &e),
    }
}

pub async fn archive(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    set_archived(state, who, actor, id, true).await
}

pub async fn restore(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    set_archived(state, who, actor, id, false).await
}

pub async fn export(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    match products::export_csv(&state.app, &actor, &query.filter()).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"products.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => fail(&who, &e),
    }
}

/// An import row, ready to show in the preview.
pub struct PreviewRow {
    pub line: usize,
    pub sku: String,
    pub name: String,
    pub kind: String,
    pub list_price: String,
    pub tax_rate: String,
}

#[derive(Template)]
#[template(path = "products_import.html")]
struct ImportPage {
    page: Page,
    columns: String,
    csv: String,
    /// Rows to confirm; empty unless a clean preview is shown.
    preview: Vec<PreviewRow>,
    errors: Errors,
}

fn import_page(page: Page, csv: String, preview: Vec<PreviewRow>, errors: Errors) -> ImportPage {
    ImportPage {
        page,
        columns: products::CSV_COLUMNS.join(","),
        csv,
        preview,
        errors,
    }
}

pub async fn import_form(State(state): State<AppState>, Requester(who): Requester) -> Response {
    let page = Page::new(&state, &who, "products-import-title", NAV_PATH).await;
    ok(&import_page(
        page,
        String::new(),
        Vec::new(),
        Errors::default(),
    ))
}

fn preview_rows(i18n: &I18n, report: &ImportReport) -> Vec<PreviewRow> {
    report
        .rows
        .iter()
        .map(|r| PreviewRow {
            line: r.line,
            sku: r.product.sku.clone(),
            name: r.product.name.clone(),
            kind: i18n.t(&format!("product-kind-{}", r.product.kind.name())),
            list_price: i18n.money(r.product.list_price_minor, &r.product.currency),
            tax_rate: r.product.tax_rate.clone(),
        })
        .collect()
}

pub async fn import_submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    multipart: Multipart,
) -> Response {
    let mut page = Page::new(&state, &who, "products-import-title", NAV_PATH).await;
    let (bytes, commit) = match read_import(multipart).await {
        Ok(upload) => upload,
        Err(code) => {
            let errors = Errors::one(&page.i18n, "file", code);
            let body = import_page(page, String::new(), Vec::new(), errors);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &body);
        }
    };
    let report = match products::import_csv(&state.app, &actor, &bytes, commit).await {
        Ok(report) => report,
        Err(e) => return fail(&who, &e),
    };
    if report.created > 0 {
        page.flash = Some(
            page.i18n
                .t1("flash-products-imported", "count", report.created),
        );
        return ok(&import_page(
            page,
            String::new(),
            Vec::new(),
            Errors::default(),
        ));
    }
    if !report.errors.is_empty() {
        let errors = Errors::new(&page.i18n, &report.errors);
        let body = import_page(page, String::new(), Vec::new(), errors);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &body);
    }
    let preview = preview_rows(&page.i18n, &report);
    let csv = String::from_utf8_lossy(&bytes).into_owned();
    ok(&import_page(page, csv, preview, Errors::default()))
}

/// A tax rate, ready to show.
pub struct TaxRateView {
    pub code: String,
    pub name: String,
    pub category: String,
    pub category_code: String,
    pub rate: String,
    pub exemption_reason: String,
}

#[derive(Template)]
#[template(path = "tax_rates.html")]
struct TaxRatesPage {
    page: Page,
    rates: Vec<TaxRateView>,
    may_write: bool,
    draft: TaxRateDraft,
    categories: Vec<Choice>,
    errors: Errors,
}

/// The rates with the add form; `draft` and `err` refill the form after a refusal.
async fn tax_rates_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    draft: TaxRateDraft,
    err: Option<&AppError>,
) -> Response {
    let rows = match products::tax_rates(&state.app, actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "tax-rates-title", NAV_PATH).await;
    let (status, errors) = match outcome(&page.i18n, err, "code") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let i18n = page.i18n;
    let rates = rows
        .into_iter()
        .map(|r| TaxRateView {
            category: category_label(&i18n, &r.category),
            rate: i18n.locale.percent(r.rate_bp),
            code: r.code,
            name: r.name,
            category_code: r.category,
            exemption_reason: r.exemption_reason.unwrap_or_default(),
        })
        .collect();
    let categories = VatCategory::ALL
        .into_iter()
        .map(|c| Choice {
            value: c.code().to_owned(),
            label: format!("{} · {}", c.code(), category_label(&i18n, c.code())),
        })
        .collect();
    render(
        status,
        &TaxRatesPage {
            page,
            rates,
            may_write: actor.may(Permission::ProductsWrite),
            draft,
            categories,
            errors,
        },
    )
}

pub async fn tax_rates(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let draft = TaxRateDraft {
        category: VatCategory::Standard.code().to_owned(),
        ..TaxRateDraft::default()
    };
    tax_rates_page(&state, &who, &actor, draft, None).await
}

pub async fn create_tax_rate(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = TaxRateDraft {
        code: form.get("code").to_owned(),
        name: form.get("name").to_owned(),
        category: form.get("category").to_owned(),
        rate: form.get("rate").to_owned(),
        exemption_reason: form.get("exemption_reason").to_owned(),
    };
    match products::create_tax_rate(&state.app, &actor, &draft).await {
        Ok(_) => redirect_with_flash(&state, &who, "/tax-rates", "flash-tax-rate-created").await,
        Err(e) => tax_rates_page(&state, &who, &actor, draft, Some(&e)).await,
    }
}

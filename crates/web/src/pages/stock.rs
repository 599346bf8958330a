//! Inventory pages: stock levels with search and a warehouse filter, the
//! receipt and adjustment forms, the journal of moves, and warehouses.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use seam_app::products::{self, ProductFilter, ProductSort};
use seam_app::stock::{self, LevelCursor, LevelFilter, MoveFilter, MoveInput, MoveRow};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::ids::StockMoveId;
use seam_domain::stock::{MAIN_WAREHOUSE, MoveDraft, WarehouseDraft};
use serde::Deserialize;

use super::FormData;
use super::ledger::{Choice, outcome, today};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// Rows per page of levels and of moves.
pub const LIST_PAGE_SIZE: i64 = 50;
/// How many goods the product picker of the forms offers.
const PICKER_PRODUCTS_MAX: i64 = 500;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LevelQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub cursor: String,
}

impl LevelQuery {
    fn with_cursor(&self, cursor: &str) -> String {
        let pairs = [
            ("q", self.q.as_str()),
            ("warehouse", &self.warehouse),
            ("cursor", cursor),
        ];
        super::query_string(&pairs)
    }
}

/// A level, ready to show.
pub struct LevelView {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub warehouse: String,
    pub on_hand: String,
    pub reserved: String,
    pub available: String,
    pub unit: String,
}

impl LevelView {
    pub fn new(i18n: &I18n, row: &stock::LevelRow) -> LevelView {
        let level = row.level();
        LevelView {
            product_id: row.product_id,
            sku: row.sku.clone(),
            name: row.product_name.clone(),
            warehouse: format!("{} · {}", row.warehouse_code, row.warehouse_name),
            on_hand: i18n.integer(&level.on_hand),
            reserved: i18n.integer(&level.reserved),
            available: i18n.integer(&level.available()),
            unit: row.unit.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "stock_levels.html")]
struct LevelsPage {
    page: Page,
    query: LevelQuery,
    warehouses: Vec<Choice>,
    rows: Vec<LevelView>,
    next_link: String,
    first_link: String,
    may_write: bool,
}

pub async fn levels(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<LevelQuery>,
) -> Response {
    let warehouses = match stock::warehouses(&state.app, &actor).await {
        Ok(w) => w,
        Err(e) => return fail(&who, &e),
    };
    let q = query.q.trim();
    let filter = LevelFilter {
        warehouse_id: warehouses
            .iter()
            .find(|w| w.code == query.warehouse)
            .map(|w| w.id),
        text: (!q.is_empty()).then(|| q.to_owned()),
        ..LevelFilter::default()
    };
    let cursor = LevelCursor::decode(&query.cursor);
    let list =
        match stock::stock_levels(&state.app, &actor, &filter, cursor.as_ref(), LIST_PAGE_SIZE)
            .await
        {
            Ok(l) => l,
            Err(e) => return fail(&who, &e),
        };
    let page = Page::new(&state, &who, "stock-title", "/inventory").await;
    let next_link = list
        .next
        .map(|c| format!("/inventory/stock?{}", query.with_cursor(&c.encode())))
        .unwrap_or_default();
    let first_link = if query.cursor.is_empty() {
        String::new()
    } else {
        format!("/inventory/stock?{}", query.with_cursor(""))
    };
    ok(&LevelsPage {
        rows: list
            .rows
            .iter()
            .map(|r| LevelView::new(&page.i18n, r))
            .collect(),
        warehouses: warehouse_choices(&warehouses),
        page,
        query,
        next_link,
        first_link,
        may_write: actor.may(Permission::StockWrite),
    })
}

fn warehouse_choices(rows: &[stock::WarehouseRow]) -> Vec<Choice> {
    rows.iter()
        .filter(|w| !w.archived)
        .map(|w| Choice {
            value: w.code.clone(),
            label: format!("{} · {}", w.code, w.name),
        })
        .collect()
}

/// Which form: a receipt or an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveForm {
    Receipt,
    Adjustment,
}

impl MoveForm {
    fn action(self) -> &'static str {
        match self {
            MoveForm::Receipt => "/inventory/receipts",
            MoveForm::Adjustment => "/inventory/adjustments",
        }
    }
    fn title(self) -> &'static str {
        match self {
            MoveForm::Receipt => "stock-receipt-title",
            MoveForm::Adjustment => "stock-adjustment-title",
        }
    }
    /// The name of the text field: a receipt's reference, an adjustment's reason.
    fn text_field(self) -> &'static str {
        match self {
            MoveForm::Receipt => "reference",
            MoveForm::Adjustment => "reason",
        }
    }
}

#[derive(Template)]
#[template(path = "stock_move_form.html")]
struct MoveFormPage {
    page: Page,
    action: &'static str,
    adjustment: bool,
    products: Vec<Choice>,
    warehouses: Vec<Choice>,
    input: MoveInput,
    errors: Errors,
}

async fn move_form(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    form: MoveForm,
    input: MoveInput,
    err: Option<&AppError>,
) -> Response {
    let page = Page::new(state, who, form.title(), "/inventory").await;
    let (status, errors) = match outcome(&page.i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let goods = ProductFilter {
        kind: Some("goods".to_owned()),
        ..ProductFilter::default()
    };
    let products = match products::list_products(
        &state.app,
        actor,
        &goods,
        ProductSort::SkuAsc,
        None,
        PICKER_PRODUCTS_MAX,
    )
    .await
    {
        Ok(p) => p
            .rows
            .into_iter()
            .map(|p| Choice {
                label: format!("{} · {}", p.sku, p.name),
                value: p.sku,
            })
            .collect(),
        Err(e) => return fail(who, &e),
    };
    let warehouses = match stock::warehouses(&state.app, actor).await {
        Ok(w) => warehouse_choices(&w),
        Err(e) => return fail(who, &e),
    };
    render(
        status,
        &MoveFormPage {
            page,
            action: form.action(),
            adjustment: form == MoveForm::Adjustment,
            products,
            warehouses,
            input,
            errors,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NewMoveQuery {
    #[serde(default)]
    sku: String,
}

fn blank_input(actor: &Actor, sku: String) -> MoveInput {
    MoveInput {
        product: sku,
        warehouse: MAIN_WAREHOUSE.to_owned(),
        draft: MoveDraft {
            date: today(&actor.time_zone).to_string(),
            ..MoveDraft::default()
        },
    }
}

fn input_from_form(form: &FormData, kind: MoveForm) -> MoveInput {
    MoveInput {
        product: form.get("product").to_owned(),
        warehouse: form.get("warehouse").to_owned(),
        draft: MoveDraft {
            qty: form.get("qty").to_owned(),
            date: form.get("date").to_owned(),
            text: form.get(kind.text_field()).to_owned(),
        },
    }
}

pub async fn receipt_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewMoveQuery>,
) -> Response {
    let input = blank_input(&actor, query.sku);
    move_form(&state, &who, &actor, MoveForm::Receipt, input, None).await
}

pub async fn adjustment_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewMoveQuery>,
) -> Response {
    let input = blank_input(&actor, query.sku);
    move_form(&state, &who, &actor, MoveForm::Adjustment, input, None).await
}

async fn submit(
    state: AppState,
    who: Who,
    actor: Actor,
    form: FormData,
    kind: MoveForm,
) -> Response {
    let input = input_from_form(&form, kind);
    let result = match kind {
        MoveForm::Receipt => stock::receive(&state.app, &actor, &input).await,
        MoveForm::Adjustment => stock::adjust(&state.app, &actor, &input).await,
    };
    match result {
        Ok(_) => redirect_with_flash(&state, &who, "/inventory/moves", "flash-stock-moved").await,
        Err(e) => move_form(&state, &who, &actor, kind, input, Some(&e)).await,
    }
}

pub async fn create_receipt(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    submit(state, who, actor, form, MoveForm::Receipt).await
}

pub async fn create_adjustment(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    submit(state, who, actor, form, MoveForm::Adjustment).await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MovesQuery {
    #[serde(default)]
    pub cursor: String,
}

/// A move, ready to show.
pub struct MoveView {
    pub number: String,
    pub date: String,
    pub kind: String,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub warehouse: String,
    pub qty: String,
    pub reference: String,
    pub posted_by: String,
}

impl MoveView {
    fn new(i18n: &I18n, row: &MoveRow) -> MoveView {
        let qty = i18n.integer(&row.qty);
        MoveView {
            number: row.number.clone(),
            date: row.move_date.clone(),
            kind: i18n.t(&format!("stock-kind-{}", row.kind)),
            product_id: row.product_id,
            sku: row.sku.clone(),
            name: row.product_name.clone(),
            warehouse: row.warehouse_code.clone(),
            qty: if row.qty > 0 { format!("+{qty}") } else { qty },
            reference: row.reference.clone(),
            posted_by: row.posted_by.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "stock_moves.html")]
struct MovesPage {
    page: Page,
    rows: Vec<MoveView>,
    next_link: String,
    first_link: String,
    may_write: bool,
}

pub async fn moves(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<MovesQuery>,
) -> Response {
    let before = query.cursor.parse::<i64>().ok().map(StockMoveId);
    let (rows, next) = match stock::moves(
        &state.app,
        &actor,
        &MoveFilter::default(),
        before,
        LIST_PAGE_SIZE,
    )
    .await
    {
        Ok(m) => m,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "stock-moves-title", "/inventory").await;
    ok(&MovesPage {
        rows: rows.iter().map(|r| MoveView::new(&page.i18n, r)).collect(),
        page,
        next_link: next
            .map(|n| format!("/inventory/moves?cursor={n}"))
            .unwrap_or_default(),
        first_link: if query.cursor.is_empty() {
            String::new()
        } else {
            "/inventory/moves".to_owned()
        },
        may_write: actor.may(Permission::StockWrite),
    })
}

#[derive(Template)]
#[template(path = "warehouses.html")]
struct WarehousesPage {
    page: Page,
    rows: Vec<stock::WarehouseRow>,
    draft: WarehouseDraft,
    errors: Errors,
    may_write: bool,
}

async fn warehouses_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    draft: WarehouseDraft,
    err: Option<&AppError>,
) -> Response {
    let page = Page::new(state, who, "warehouses-title", "/inventory").await;
    let (status, errors) = match outcome(&page.i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let rows = match stock::warehouses(&state.app, actor).await {
        Ok(w) => w,
        Err(e) => return fail(who, &e),
    };
    render(
        status,
        &WarehousesPage {
            page,
            rows,
            draft,
            errors,
            may_write: actor.may(Permission::StockWrite),
        },
    )
}

pub async fn warehouses(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    warehouses_page(&state, &who, &actor, WarehouseDraft::default(), None).await
}

pub async fn create_warehouse(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = WarehouseDraft {
        code: form.get("code").to_owned(),
        name: form.get("name").to_owned(),
    };
    match stock::create_warehouse(&state.app, &actor, &draft).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                "/inventory/warehouses",
                "flash-warehouse-created",
            )
            .await
        }
        Err(e) => warehouses_page(&state, &who, &actor, draft, Some(&e)).await,
    }
}

/// One order in the warehouse's queue.
struct QueueRow {
    order: super::sales::OrderListView,
    left: String,
    partly: bool,
}

#[derive(Template)]
#[template(path = "shipping_queue.html")]
struct QueuePage {
    page: Page,
    rows: Vec<QueueRow>,
    next: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    after: Option<i64>,
}

/// Confirmed orders waiting to ship, oldest first: the warehouse's work list.
pub async fn shipping_queue(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<QueueQuery>,
) -> Response {
    const PAGE: i64 = 50;
    let rows = match seam_app::fulfilment::queue(&state.app, &actor, q.after, PAGE).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "queue-title", "/inventory").await;
    let next = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|r| r.order.id))
        .flatten();
    let rows = rows
        .iter()
        .map(|r| QueueRow {
            order: super::sales::OrderListView::new(&page.i18n, &r.order),
            left: page.i18n.integer(&(r.ordered - r.shipped)),
            partly: r.shipped > 0,
        })
        .collect();
    ok(&QueuePage { page, rows, next })
}

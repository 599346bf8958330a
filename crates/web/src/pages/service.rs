//! The service desk's pages: the ticket list per queue, a new ticket, and a
//! ticket's page with its thread, replies and notes, escalation to another
//! team, and the credit note that resolves a billing dispute.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use seam_app::knowledge;
use seam_app::service::{self, ListFilter, TicketDetail, TicketInput, TicketRow};
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::service::{Channel, Priority, Queue, TicketDraft};
use serde::Deserialize;

use super::invoices::{customer_choices, display_number};
use super::ledger::{Choice, form_errors};
use super::ticket_files::ReplyForm;
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

const NAV_PATH: &str = "/service";

/// A ticket in a list, ready to show.
pub struct TicketListView {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub party_id: i64,
    pub customer: String,
    pub queue: String,
    pub priority: String,
    pub state: String,
    pub state_name: String,
    pub updated: String,
    /// The SLA badge, on the desk's own list.
    pub sla: Option<super::sla::BadgeView>,
}

impl TicketListView {
    pub fn new(i18n: &I18n, time_zone: &str, r: &TicketRow) -> TicketListView {
        TicketListView {
            id: r.id,
            number: r.number.clone(),
            subject: r.subject.clone(),
            party_id: r.party_id,
            customer: r.party_name.clone(),
            queue: i18n.t(&format!("ticket-queue-{}", r.queue)),
            priority: i18n.t(&format!("ticket-priority-{}", r.priority)),
            state: i18n.t(&format!("ticket-state-{}", r.state)),
            state_name: r.state.clone(),
            updated: i18n.timestamp(&r.updated_at_us, time_zone),
            sla: None,
        }
    }
}

/// A queue tab with its count of active tickets.
pub struct QueueTab {
    pub name: String,
    pub label: String,
    pub count: i64,
    pub current: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub queue: String,
    /// `all` shows resolved and closed tickets too.
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "service_tickets.html")]
struct ListPage {
    page: Page,
    tabs: Vec<QueueTab>,
    queue: String,
    show_all: bool,
    rows: Vec<TicketListView>,
    next_link: String,
    may_open: bool,
    rating: RatingSummaryView,
}

pub async fn list(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Response {
    let queue = Queue::parse(&query.queue);
    let show_all = query.show == "all";
    let filter = ListFilter {
        queue,
        party_id: None,
        active_only: !show_all,
    };
    let before = query.cursor.parse::<i64>().ok();
    let rows = match service::list(&state.app, &actor, &filter, before).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let counts = match service::queue_counts(&state.app, &actor).await {
        Ok(c) => c,
        Err(e) => return fail(&who, &e),
    };
    let badges = match seam_app::sla::badges(&state.app, &actor, &rows).await {
        Ok(b) => b,
        Err(e) => return fail(&who, &e),
    };
    let summary = match seam_app::csat::rating_summary(&state.app, &actor).await {
        Ok(s) => s,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "tickets-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let rating = RatingSummaryView::new(i18n, summary);
    let queue_name = queue.map(|q| q.name()).unwrap_or("");
    let next_link = match rows.last() {
        Some(last) if rows.len() as i64 == service::PAGE_SIZE => format!(
            "/service/tickets?{}",
            super::query_string(&[
                ("queue", queue_name),
                ("show", &query.show),
                ("cursor", &last.id.to_string())
            ])
        ),
        _ => String::new(),
    };
    ok(&ListPage {
        tabs: counts
            .into_iter()
            .map(|(q, count)| QueueTab {
                name: q.name().to_owned(),
                label: i18n.t(&format!("ticket-queue-{}", q.name())),
                count,
                current: Some(q) == queue,
            })
            .collect(),
        queue: queue_name.to_owned(),
        show_all,
        rows: rows
            .iter()
            .map(|r| TicketListView {
                sla: badges
                    .get(&r.id)
                    .map(|b| super::sla::BadgeView::new(i18n, *b)),
                ..TicketListView::new(i18n, &page.time_zone, r)
            })
            .collect(),
        next_link,
        may_open: actor.may(Permission::ServiceUse),
        rating,
        page,
    })
}

/// The customers' average rating of the desk's tickets, ready to show.
pub struct RatingSummaryView {
    pub count: i64,
    /// `4.5`, with the language's decimal sign; "" with no ratings.
    pub average: String,
}

impl RatingSummaryView {
    fn new(i18n: &I18n, s: seam_app::csat::RatingSummary) -> RatingSummaryView {
        let sign = if i18n.lang() == "en-US" { "." } else { "," };
        // One decimal, rounded half up from the hundredths.
        let tenths = (s.average_centi + 5) / 10;
        RatingSummaryView {
            count: s.count,
            average: if s.count == 0 {
                String::new()
            } else {
                format!("{}{sign}{}", tenths / 10, tenths % 10)
            },
        }
    }
}

/// A customer's rating shown on the ticket.
pub struct RatingView {
    pub rating: i64,
    /// `★★★★☆`.
    pub stars: String,
    pub comment: String,
    pub at: String,
}

impl RatingView {
    pub fn new(i18n: &I18n, time_zone: &str, r: &seam_app::csat::RatingRow) -> RatingView {
        let full = r.rating.clamp(0, 5) as usize;
        RatingView {
            rating: r.rating,
            stars: format!("{}{}", "★".repeat(full), "☆".repeat(5 - full)),
            comment: r.comment.clone(),
            at: i18n.timestamp(&r.created_at_us, time_zone),
        }
    }
}

/// An article suggested on the ticket page.
pub struct SuggestionView {
    pub id: i64,
    pub title: String,
    pub excerpt: String,
    pub public: bool,
}

/// What the new-ticket form holds.
#[derive(Debug, Clone, Default)]
pub struct TicketTyped {
    pub party: String,
    pub subject: String,
    pub body: String,
    pub priority: String,
    pub channel: String,
    pub invoice: String,
    pub order: String,
}

/// What a ticket form posted (staff and portal share the field names).
pub fn typed_from_form(form: &FormData) -> TicketTyped {
    TicketTyped::from_form(form)
}

impl TicketTyped {
    fn from_form(form: &FormData) -> TicketTyped {
        TicketTyped {
            party: form.get("party_id").to_owned(),
            subject: form.get("subject").to_owned(),
            body: form.get("body").to_owned(),
            priority: form.get("priority").to_owned(),
            channel: form.get("channel").to_owned(),
            invoice: form.get("invoice").to_owned(),
            order: form.get("order").to_owned(),
        }
    }

    pub fn input(&self) -> TicketInput {
        TicketInput {
            party_id: self.party.trim().parse().ok(),
            ticket: TicketDraft {
                subject: self.subject.clone(),
                body: self.body.clone(),
                priority: self.priority.clone(),
                channel: self.channel.clone(),
            },
            invoice: self.invoice.clone(),
            order: self.order.clone(),
        }
    }
}

pub fn priority_choices(i18n: &I18n) -> Vec<Choice> {
    Priority::ALL
        .into_iter()
        .map(|p| Choice {
            value: p.name().to_owned(),
            label: i18n.t(&format!("ticket-priority-{}", p.name())),
        })
        .collect()
}

fn channel_choices(i18n: &I18n) -> Vec<Choice> {
    [Channel::Phone, Channel::FrontDesk, Channel::Email]
        .into_iter()
        .map(|c| Choice {
            value: c.name().to_owned(),
            label: i18n.t(&format!("ticket-channel-{}", c.name())),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "service_ticket_form.html")]
struct FormPage {
    page: Page,
    customers: Vec<Choice>,
    priorities: Vec<Choice>,
    channels: Vec<Choice>,
    typed: TicketTyped,
    errors: Errors,
}

async fn form_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    status: StatusCode,
    typed: TicketTyped,
    errors: Errors,
) -> Response {
    let customers = match customer_choices(state, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "ticket-new-title", NAV_PATH).await;
    render(
        status,
        &FormPage {
            customers,
            priorities: priority_choices(&page.i18n),
            channels: channel_choices(&page.i18n),
            typed,
            errors,
            page,
        },
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub invoice: String,
    #[serde(default)]
    pub order: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewQuery>,
) -> Response {
    let typed = TicketTyped {
        party: query.party,
        invoice: query.invoice,
        order: query.order,
        priority: Priority::Normal.name().to_owned(),
        ..TicketTyped::default()
    };
    form_page(
        &state,
        &who,
        &actor,
        StatusCode::OK,
        typed,
        Errors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = TicketTyped::from_form(&form);
    match service::open_ticket(&state.app, &actor, &typed.input()).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/service/tickets/{id}"),
                "ticket-opened",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => form_page(&state, &who, &actor, status, typed, errors).await,
            None => fail(&who, &e),
        },
    }
}

/// A message in the thread, ready to show.
pub struct MessageView {
    pub author: String,
    pub at: String,
    pub body: String,
    pub public: bool,
    pub by_customer: bool,
    pub files: Vec<FileView>,
}

/// A file on a message, linked for download.
pub struct FileView {
    pub id: i64,
    pub name: String,
    pub size: String,
}

/// A replacement shipment sent from the ticket.
pub struct ReplacementView {
    pub number: String,
    pub date: String,
    pub tracking: String,
}

/// An order line that can be sent again.
pub struct ReplaceLine {
    pub line_no: i64,
    pub sku: String,
    pub description: String,
    pub shipped: i64,
}

/// A size in bytes as people read it: `812 B`, `14 KiB`, `2.4 MiB`.
pub fn size_text(bytes: i64) -> String {
    const KIB: i64 = 1024;
    if bytes < KIB {
        format!("{bytes} B")
    } else if bytes < KIB * KIB {
        format!("{} KiB", bytes / KIB)
    } else {
        let tenths = bytes * 10 / (KIB * KIB);
        format!("{}.{} MiB", tenths / 10, tenths % 10)
    }
}

/// A credit note listed on the ticket.
pub struct CreditView {
    pub id: i64,
    pub number: String,
    pub total: String,
    pub state: String,
}

/// The parts of a ticket's page both the staff page and the portal page show.
pub struct TicketView {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub party_id: i64,
    pub customer: String,
    pub queue: String,
    pub priority: String,
    pub channel: String,
    pub state: String,
    pub state_name: String,
    pub opened: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub order_id: i64,
    pub order_number: String,
    pub messages: Vec<MessageView>,
    pub credit_notes: Vec<CreditView>,
    pub closed: bool,
    /// Whether the desk is done with it, so its customer may rate it.
    pub done: bool,
    pub rating: Option<RatingView>,
    /// Where files download from: `/service` for staff, `/portal` for customers.
    pub files_base: String,
    pub replacements: Vec<ReplacementView>,
    /// Ingested e-mails (staff only): `(mail id, sender)`.
    pub emails: Vec<(i64, String)>,
}

impl TicketView {
    pub fn new(i18n: &I18n, time_zone: &str, d: &TicketDetail) -> TicketView {
        let t = &d.ticket;
        TicketView {
            id: t.id,
            number: t.number.clone(),
            subject: t.subject.clone(),
            party_id: t.party_id,
            customer: t.party_name.clone(),
            queue: i18n.t(&format!("ticket-queue-{}", t.queue)),
            priority: i18n.t(&format!("ticket-priority-{}", t.priority)),
            channel: i18n.t(&format!("ticket-channel-{}", t.channel)),
            state: i18n.t(&format!("ticket-state-{}", t.state)),
            state_name: t.state.clone(),
            opened: i18n.timestamp(&t.created_at_us, time_zone),
            invoice_id: t.invoice_id.unwrap_or(0),
            invoice_number: d
                .invoice
                .as_ref()
                .map(|i| display_number(i18n, i))
                .unwrap_or_default(),
            order_id: t.order_id.unwrap_or(0),
            order_number: d.order_number.clone().unwrap_or_default(),
            messages: d
                .messages
                .iter()
                .map(|m| MessageView {
                    author: m.author_name.clone(),
                    at: i18n.timestamp(&m.created_at_us, time_zone),
                    body: m.body.clone(),
                    public: m.public,
                    by_customer: m.by_customer,
                    files: d
                        .attachments
                        .iter()
                        .filter(|a| a.ticket_message_id == m.id)
                        .map(|a| FileView {
                            id: a.id,
                            name: a.file_name.clone(),
                            size: size_text(a.size_bytes),
                        })
                        .collect(),
                })
                .collect(),
            credit_notes: d
                .credit_notes
                .iter()
                .map(|c| CreditView {
                    id: c.id,
                    number: display_number(i18n, c),
                    total: i18n.money(c.total_minor, &c.currency),
                    state: i18n.t(&format!("invoice-state-{}", c.state)),
                })
                .collect(),
            closed: t.state == "closed",
            done: t.state == "closed" || t.state == "resolved",
            rating: d
                .rating
                .as_ref()
                .map(|r| RatingView::new(i18n, time_zone, r)),
            files_base: "/service".to_owned(),
            replacements: d
                .replacements
                .iter()
                .map(|r| ReplacementView {
                    number: r.number.clone(),
                    date: i18n.date(&r.ship_date),
                    tracking: r.tracking_reference.clone(),
                })
                .collect(),
            emails: d
                .mail
                .iter()
                .filter(|m| m.direction == "in")
                .map(|m| (m.id, m.address.clone()))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "service_ticket.html")]
struct DetailPage {
    page: Page,
    t: TicketView,
    queues: Vec<Choice>,
    may_credit: bool,
    assigned_to_me: bool,
    errors: Errors,
    reply_body: String,
    suggestions: Vec<SuggestionView>,
    canned: Vec<Choice>,
    may_compose: bool,
    may_replace: bool,
    replace_lines: Vec<ReplaceLine>,
    /// The replacement form's errors, each naming its line.
    replace_errors: Vec<String>,
    sla: Option<super::sla::SlaView>,
}

async fn detail_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    status: StatusCode,
    errors: Errors,
    reply_body: String,
) -> Response {
    let detail = match service::ticket(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let may_compose = actor.may(Permission::ServiceUse);
    let (suggestions, canned) = if may_compose && detail.ticket.state != "closed" {
        let suggested = match knowledge::suggestions(&state.app, actor, &detail).await {
            Ok(s) => s,
            Err(e) => return fail(who, &e),
        };
        let canned = match knowledge::canned_replies(&state.app, actor).await {
            Ok(c) => c,
            Err(e) => return fail(who, &e),
        };
        (suggested, canned)
    } else {
        (Vec::new(), Vec::new())
    };
    let page = Page::new(state, who, "ticket-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let t = TicketView::new(i18n, &page.time_zone, &detail);
    let queues = Queue::ALL
        .into_iter()
        .filter(|q| q.name() != detail.ticket.queue)
        .map(|q| Choice {
            value: q.name().to_owned(),
            label: i18n.t(&format!("ticket-queue-{}", q.name())),
        })
        .collect();
    let may_credit = detail.invoice.as_ref().is_some_and(|i| i.kind == "invoice")
        && actor.may(Permission::InvoicesWrite)
        && actor.may(Permission::InvoicesPost);
    let may_replace = detail.ticket.state != "closed" && actor.may(Permission::SalesOrderShip);
    let replace_lines = match (may_replace, detail.ticket.order_id) {
        (true, Some(order)) => match replaceable_lines(state, actor, order).await {
            Ok(lines) => lines,
            Err(e) => return fail(who, &e),
        },
        _ => Vec::new(),
    };
    let replace_errors = errors
        .items
        .iter()
        .filter(|(field, _)| {
            field.starts_with("lines")
                || field.starts_with("qty_")
                || field == "tracking_reference"
                || field == "replace"
        })
        .map(|(field, message)| match line_of(field) {
            Some(n) => i18n.t1("ticket-replace-line-error", "line", n) + ": " + message,
            None => message.clone(),
        })
        .collect();
    render(
        status,
        &DetailPage {
            sla: detail
                .sla
                .as_ref()
                .map(|s| super::sla::SlaView::new(i18n, &page.time_zone, s)),
            assigned_to_me: detail.ticket.assignee_user_id.is_some()
                && detail.ticket.assignee_user_id == actor.user_id.map(|u| u.0),
            t,
            queues,
            may_credit,
            errors,
            reply_body,
            suggestions: suggestions
                .iter()
                .map(|a| SuggestionView {
                    id: a.id,
                    title: a.title.clone(),
                    excerpt: seam_domain::knowledge::excerpt(&a.body, 120),
                    public: knowledge::is_for_customers(a),
                })
                .collect(),
            canned: canned
                .iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: c.title.clone(),
                })
                .collect(),
            may_compose,
            may_replace: may_replace && !replace_lines.is_empty(),
            replace_lines,
            replace_errors,
            page,
        },
    )
}

/// The goods lines of the ticket's order that have shipped, for the
/// replacement form.
async fn replaceable_lines(
    state: &AppState,
    actor: &Actor,
    order: i64,
) -> Result<Vec<ReplaceLine>, AppError> {
    let id = seam_domain::ids::SalesOrderId(order);
    let detail = seam_app::sales::order_detail(&state.app, actor, id).await?;
    let progress = seam_app::fulfilment::progress(&state.app, actor, id).await?;
    Ok(detail
        .lines
        .iter()
        .filter(|l| l.kind == "goods")
        .filter_map(|l| {
            let shipped = progress
                .iter()
                .find(|p| p.line_no == l.line_no)
                .map_or(0, |p| p.shipped);
            (shipped > 0).then(|| ReplaceLine {
                line_no: l.line_no,
                sku: l.sku.clone(),
                description: l.description.clone(),
                shipped,
            })
        })
        .collect())
}

/// `lines[3].qty` names position 3 of the lines sent; the form sends them
/// in the order of the order's lines, so the message names that position.
fn line_of(field: &str) -> Option<String> {
    let rest = field.strip_prefix("lines[")?;
    let end = rest.find(']')?;
    rest.get(..end).map(str::to_owned)
}

/// The ticket's page again with the replacement form's errors.
pub async fn after_replacement_error(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    err: &AppError,
) -> Response {
    match form_errors(&I18n::new(actor.locale), err, "replace") {
        Some((status, errors)) => {
            detail_page(state, who, actor, id, status, errors, String::new()).await
        }
        None => fail(who, err),
    }
}

/// The reply box again with an article or a canned reply added to what the
/// agent has typed; nothing is saved. A plain form post, so it works
/// without script: the suggestion's and the canned reply's buttons submit
/// the reply form here instead of sending it.
pub async fn compose(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    headers: HeaderMap,
    ReplyForm { form, .. }: ReplyForm,
) -> Response {
    let typed = form.get("body").to_owned();
    let article = form.get("insert_article").trim().parse::<i64>().ok();
    let canned = form.get("canned").trim().parse::<i64>().ok();
    let addition = match (article, canned) {
        (Some(article), _) => {
            let link = portal_link(&state, &headers, article);
            knowledge::insert_text(&state.app, &actor, article, &link).await
        }
        (None, Some(canned)) if form.get("insert") == "canned" => {
            knowledge::merged_canned(&state.app, &actor, canned, id).await
        }
        _ => Ok(String::new()),
    };
    match addition {
        Ok(text) => {
            let body = knowledge::append_to_reply(&typed, &text);
            detail_page(
                &state,
                &who,
                &actor,
                id,
                StatusCode::OK,
                Errors::default(),
                body,
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                detail_page(&state, &who, &actor, id, status, errors, typed).await
            }
            None => fail(&who, &e),
        },
    }
}

/// The address of an article in the portal, as the customer will open it
/// from an e-mail: this server's own host, as the request named it.
fn portal_link(state: &AppState, headers: &HeaderMap, article: i64) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    match host {
        Some(host) => format!("{scheme}://{host}/portal/kb/{article}"),
        None => format!("/portal/kb/{article}"),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    detail_page(
        &state,
        &who,
        &actor,
        id,
        StatusCode::OK,
        Errors::default(),
        String::new(),
    )
    .await
}

/// After an action on the ticket: back to its page with a flash, or the
/// page again with the action's errors (and the typed reply kept).
async fn after_action(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    result: Result<(), AppError>,
    flash: &str,
    typed: String,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(state, who, &format!("/service/tickets/{id}"), flash).await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                detail_page(state, who, actor, id, status, errors, typed).await
            }
            None => fail(who, &e),
        },
    }
}

pub async fn reply(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ReplyForm { form, uploads }: ReplyForm,
) -> Response {
    let body = form.get("body").to_owned();
    let public = form.get("visibility") != "internal";
    let result = service::reply_with(&state.app, &actor, id, &body, public, &uploads)
        .await
        .map(|_| ());
    let flash = if public {
        "ticket-replied"
    } else {
        "ticket-noted"
    };
    after_action(&state, &who, &actor, id, result, flash, body).await
}

pub async fn escalate(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result =
        service::escalate(&state.app, &actor, id, form.get("queue"), form.get("note")).await;
    after_action(
        &state,
        &who,
        &actor,
        id,
        result,
        "ticket-escalated",
        String::new(),
    )
    .await
}

pub async fn take(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let result = service::assign(&state.app, &actor, id, actor.user_id).await;
    after_action(
        &state,
        &who,
        &actor,
        id,
        result,
        "ticket-taken",
        String::new(),
    )
    .await
}

pub async fn resolve(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let result = service::resolve(&state.app, &actor, id).await;
    after_action(
        &state,
        &who,
        &actor,
        id,
        result,
        "ticket-resolved",
        String::new(),
    )
    .await
}

pub async fn close(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let result = service::close(&state.app, &actor, id).await;
    after_action(
        &state,
        &who,
        &actor,
        id,
        result,
        "ticket-closed",
        String::new(),
    )
    .await
}

pub async fn credit(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = service::credit_invoice_from_ticket(&state.app, &actor, id, form.get("reason"))
        .await
        .map(|_| ());
    after_action(
        &state,
        &who,
        &actor,
        id,
        result,
        "ticket-credited",
        String::new(),
    )
    .await
}

//! The page layout shared by every screen, and HTML error pages.

use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use seam_app::{Actor, AppError, UserKind};
use seam_domain::FieldErrors;
use seam_domain::access::{Area, AreaGroup, Permission};
use seam_domain::locale::Locale;

use crate::AppState;
use crate::i18n::I18n;
use crate::routes::area_path;
use crate::who::Who;

pub struct NavItem {
    pub label: String,
    pub href: &'static str,
    pub current: bool,
}

pub struct NavGroup {
    pub label: String,
    pub items: Vec<NavItem>,
}

/// What the layout needs on every page.
pub struct Page {
    pub i18n: I18n,
    pub title: String,
    /// The user's display name; `None` on the login pages.
    pub user_name: Option<String>,
    pub time_zone: String,
    pub nav: Vec<NavGroup>,
    pub flash: Option<String>,
    pub is_staff: bool,
    pub search_text: String,
    pub asset_version: &'static str,
    /// How many of the user's notifications are unread (the bell in the header).
    pub unread: i64,
}

/// The navigation a user sees: only the areas their roles open.
fn navigation(actor: &Actor, i18n: &I18n, current_path: &str) -> Vec<NavGroup> {
    if actor.kind == UserKind::Portal && actor.may(Permission::PortalUse) {
        return portal_navigation(i18n, current_path);
    }
    let mut groups = Vec::new();
    for (group, key) in [
        (AreaGroup::FrontOffice, "nav-front-office"),
        (AreaGroup::BackOffice, "nav-back-office"),
        (AreaGroup::Insights, "nav-insights"),
    ] {
        let items: Vec<NavItem> = Area::ALL
            .into_iter()
            .filter(|a| a.group() == group && actor.may(a.permission()))
            .map(|a| NavItem {
                label: i18n.t(&format!("area-{}", a.slug())),
                href: area_path(a),
                current: current_path.starts_with(area_path(a)),
            })
            .collect();
        if !items.is_empty() {
            groups.push(NavGroup {
                label: i18n.t(key),
                items,
            });
        }
    }
    let mut records = Vec::new();
    if actor.may(Permission::PartiesRead) {
        records.push(NavItem {
            label: i18n.t("nav-parties"),
            href: "/parties",
            current: current_path.starts_with("/parties"),
        });
    }
    if actor.may(Permission::ProductsRead) {
        records.push(NavItem {
            label: i18n.t("nav-products"),
            href: "/products",
            current: current_path.starts_with("/products"),
        });
    }
    if actor.may(Permission::UsersAdmin) {
        records.push(NavItem {
            label: i18n.t("nav-users"),
            href: "/admin/users",
            current: current_path.starts_with("/admin/users"),
        });
    }
    if actor.may(Permission::AuditRead) {
        records.push(NavItem {
            label: i18n.t("nav-audit"),
            href: "/audit",
            current: current_path.starts_with("/audit"),
        });
    }
    if !records.is_empty() {
        groups.push(NavGroup {
            label: i18n.t("nav-records"),
            items: records,
        });
    }
    groups
}

/// A portal customer's navigation: their own records, nothing of the staff's.
fn portal_navigation(i18n: &I18n, current_path: &str) -> Vec<NavGroup> {
    let items = [
        ("portal-nav-overview", "/portal"),
        ("portal-nav-orders", "/portal/orders"),
        ("portal-nav-invoices", "/portal/invoices"),
        ("portal-nav-payments", "/portal/payments"),
        ("portal-tickets-title", "/portal/tickets"),
        ("portal-kb-title", "/portal/kb"),
        ("portal-nav-details", "/portal/details"),
    ]
    .into_iter()
    .map(|(key, href)| NavItem {
        label: i18n.t(key),
        href,
        current: if href == "/portal" {
            current_path == href
        } else {
            current_path.starts_with(href)
        },
    })
    .collect();
    vec![NavGroup {
        label: i18n.t("portal-nav"),
        items,
    }]
}

/// The language for a requester: their own setting, else the browser's.
pub fn locale_for(who: &Who, headers: &HeaderMap) -> Locale {
    match who.actor() {
        Some(actor) => actor.locale,
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::from_accept_language)
            .unwrap_or_default(),
    }
}

impl Page {
    /// The layout for a logged-in user; shows and clears the session's flash message.
    pub async fn new(state: &AppState, who: &Who, title_key: &str, current_path: &str) -> Page {
        let Some(actor) = who.actor() else {
            return Page::anonymous(I18n::new(Locale::En), title_key);
        };
        let i18n = I18n::new(actor.locale);
        let mut flash = None;
        if let Who::Session {
            secret,
            state: session,
        } = who
            && let Some(key) = &session.flash
        {
            flash = Some(i18n.t(key));
            if let Err(e) = seam_app::auth::set_flash(&state.app, secret, None).await {
                tracing::warn!(error = %e, "could not clear the flash message");
            }
        }
        let unread = seam_app::notifications::unread_count(&state.app, actor)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not count unread notifications");
                0
            });
        Page {
            unread,
            title: i18n.t(title_key),
            user_name: Some(actor.display_name.clone()),
            time_zone: actor.time_zone.clone(),
            nav: navigation(actor, &i18n, current_path),
            flash,
            is_staff: actor.kind == UserKind::Staff,
            search_text: String::new(),
            asset_version: crate::assets::ASSET_VERSION,
            i18n,
        }
    }

    /// The layout for the login and setup pages.
    pub fn anonymous(i18n: I18n, title_key: &str) -> Page {
        Page {
            title: i18n.t(title_key),
            user_name: None,
            time_zone: "UTC".to_owned(),
            nav: Vec::new(),
            flash: None,
            is_staff: false,
            search_text: String::new(),
            asset_version: crate::assets::ASSET_VERSION,
            unread: 0,
            i18n,
        }
    }
}

/// Field errors translated for display next to their fields.
#[derive(Default)]
pub struct Errors {
    pub items: Vec<(String, String)>,
}

impl Errors {
    pub fn new(i18n: &I18n, errors: &FieldErrors) -> Errors {
        Errors {
            items: errors
                .iter()
                .map(|e| (e.field.clone(), i18n.t_args(e.code, &e.args)))
                .collect(),
        }
    }

    pub fn one(i18n: &I18n, field: &str, code: &str) -> Errors {
        Errors {
            items: vec![(field.to_owned(), i18n.t(code))],
        }
    }

    /// The message for a field, or "" (templates test for emptiness).
    pub fn get(&self, field: &str) -> &str {
        self.items
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }

    pub fn any(&self) -> bool {
        !self.items.is_empty()
    }

    /// The input type for a field: `kind`, or plain text while the field has
    /// an error, so a value a date or month picker cannot hold still shows as typed.
    pub fn input_kind(&self, field: &str, kind: &'static str) -> &'static str {
        if self.get(field).is_empty() {
            kind
        } else {
            "text"
        }
    }
}

/// Renders a template as an HTML response with the given status.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            Html(body),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "internal error",
            )
                .into_response()
        }
    }
}

pub fn ok<T: Template>(template: &T) -> Response {
    render(StatusCode::OK, template)
}

/// After a successful form post: show `flash_key` on the next page and go there (303).
pub async fn redirect_with_flash(
    state: &AppState,
    who: &Who,
    to: &str,
    flash_key: &str,
) -> Response {
    if let Who::Session { secret, .. } = who
        && let Err(e) = seam_app::auth::set_flash(&state.app, secret, Some(flash_key)).await
    {
        tracing::warn!(error = %e, "could not set the flash message");
    }
    Redirect::to(to).into_response()
}

/// The error page for a use case's error, naming this request's id.
pub fn fail(who: &Who, err: &AppError) -> Response {
    error_page(who, &HeaderMap::new(), err, &crate::current_request_id())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    heading: String,
    message: String,
    request_id: String,
    errors: Errors,
    show_login: bool,
}

/// The page for an error no handler turned into a form message.
pub fn error_page(who: &Who, headers: &HeaderMap, err: &AppError, request_id: &str) -> Response {
    let i18n = I18n::new(locale_for(who, headers));
    let (status, key) = match err {
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "error-unauthenticated"),
        AppError::Forbidden => (StatusCode::FORBIDDEN, "error-forbidden"),
        AppError::NotFound => (StatusCode::NOT_FOUND, "error-not-found"),
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "error-invalid"),
        AppError::Conflict(code) => (StatusCode::CONFLICT, *code),
        AppError::Locked { .. } => (StatusCode::TOO_MANY_REQUESTS, "error-locked"),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error-internal"),
    };
    let errors = match err {
        AppError::Invalid(fields) => Errors::new(&i18n, fields),
        _ => Errors::default(),
    };
    let mut page = Page::anonymous(i18n, "error-title");
    if let Some(actor) = who.actor() {
        page.user_name = Some(actor.display_name.clone());
        page.nav = navigation(actor, &i18n, "");
        page.is_staff = actor.kind == UserKind::Staff;
    }
    let template = ErrorPage {
        heading: i18n.t(&format!("heading-{}", status.as_u16())),
        message: i18n.t(key),
        request_id: request_id.to_owned(),
        errors,
        show_login: matches!(err, AppError::Unauthenticated),
        page,
    };
    render(status, &template)
}

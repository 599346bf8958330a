//! Portable backups: every business table as gzip'd JSON lines with a SHA-256
//! over the content, readable into either backend. This is how a business
//! moves from SQLite to PostgreSQL: `seam backup` on one, `seam restore` on the other.
//!
//! Sessions and idempotency keys are left out: they are short-lived, and a
//! restored system should make everyone log in again.

use std::io::{BufRead, BufReader, Read, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

const FORMAT: &str = "seam-backup";
const FORMAT_VERSION: i64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Text,
    Bool,
    /// Binary content, written to the backup as lower-case hex.
    Bytes,
}

/// A table as the backup sees it. The order of [`TABLES`] respects foreign keys.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
    pub key: &'static str,
    /// The key is a generated identity whose sequence must move past restored rows.
    pub identity: bool,
}

use ColumnType::{Bool, Bytes, Int, Text};

pub const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("username", Text),
            ("display_name", Text),
            ("email", Text),
            ("password_hash", Text),
            ("kind", Text),
            ("party_id", Int),
            ("roles", Text),
            ("locale", Text),
            ("time_zone", Text),
            ("disabled", Bool),
            ("failed_logins", Int),
            ("locked_until_us", Int),
            ("totp_secret", Text),
            ("totp_last_step", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "parties",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("name", Text),
            ("sort_name", Text),
            ("company_id", Int),
            ("email", Text),
            ("phone", Text),
            ("tax_id", Text),
            ("street", Text),
            ("postal_code", Text),
            ("city", Text),
            ("country", Text),
            ("is_customer", Bool),
            ("is_vendor", Bool),
            ("tags", Text),
            ("notes", Text),
            ("archived", Bool),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("name", Text),
            ("token_hash", Text),
            ("prefix", Text),
            ("scopes", Text),
            ("created_at_us", Int),
            ("last_used_at_us", Int),
            ("revoked_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "events",
        columns: &[
            ("seq", Int),
            ("at_us", Int),
            ("actor_id", Int),
            ("actor_name", Text),
            ("entity_type", Text),
            ("entity_id", Text),
            ("action", Text),
            ("before_json", Text),
            ("after_json", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
        key: "seq",
        identity: false,
    },
    Table {
        name: "audit_head",
        columns: &[("id", Int), ("last_seq", Int), ("last_hash", Text)],
        key: "id",
        identity: false,
    },
    Table {
        name: "accounts",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("kind", Text),
            ("archived", Bool),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "journal_entries",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("entry_date", Text),
            ("memo", Text),
            ("currency", Text),
            ("total_minor", Int),
            ("reverses_id", Int),
            ("posted_at_us", Int),
            ("posted_by", Text),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "journal_lines",
        columns: &[
            ("id", Int),
            ("entry_id", Int),
            ("line_no", Int),
            ("account_id", Int),
            ("debit_minor", Int),
            ("credit_minor", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "account_balances",
        columns: &[
            ("account_id", Int),
            ("balance_date", Text),
            ("currency", Text),
            ("debit_minor", Int),
            ("credit_minor", Int),
        ],
        key: "account_id, balance_date, currency",
        identity: false,
    },
    Table {
        name: "closed_periods",
        columns: &[("period", Text), ("closed_at_us", Int), ("closed_by", Text)],
        key: "period",
        identity: false,
    },
    Table {
        name: "number_series",
        columns: &[("series", Text), ("last_value", Int)],
        key: "series",
        identity: false,
    },
    Table {
        name: "tax_rates",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("category", Text),
            ("rate_bp", Int),
            ("exemption_reason", Text),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "products",
        columns: &[
            ("id", Int),
            ("sku", Text),
            ("name", Text),
            ("sort_name", Text),
            ("kind", Text),
            ("unit", Text),
            ("currency", Text),
            ("list_price_minor", Int),
            ("standard_cost_minor", Int),
            ("tax_rate_code", Text),
            ("revenue_account_code", Text),
            ("archived", Bool),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "warehouses",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("archived", Bool),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "stock_levels",
        columns: &[
            ("product_id", Int),
            ("warehouse_id", Int),
            ("on_hand_qty", Int),
            ("reserved_qty", Int),
        ],
        key: "product_id, warehouse_id",
        identity: false,
    },
    Table {
        name: "stock_moves",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("product_id", Int),
            ("warehouse_id", Int),
            ("move_date", Text),
            ("kind", Text),
            ("qty", Int),
            ("reference", Text),
            ("posted_by", Text),
            ("posted_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "sales_orders",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("party_id", Int),
            ("warehouse_id", Int),
            ("state", Text),
            ("order_date", Text),
            ("currency", Text),
            ("net_minor", Int),
            ("vat_minor", Int),
            ("total_minor", Int),
            ("created_by", Text),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "sales_order_lines",
        columns: &[
            ("order_id", Int),
            ("line_no", Int),
            ("product_id", Int),
            ("description", Text),
            ("qty", Int),
            ("unit_price_minor", Int),
            ("tax_rate_code", Text),
            ("vat_basis_points", Int),
            ("line_net_minor", Int),
        ],
        key: "order_id, line_no",
        identity: false,
    },
    Table {
        name: "sales_quotes",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("party_id", Int),
            ("state", Text),
            ("quote_date", Text),
            ("valid_until", Text),
            ("currency", Text),
            ("net_minor", Int),
            ("vat_minor", Int),
            ("total_minor", Int),
            ("order_id", Int),
            ("decline_reason", Text),
            ("created_by", Text),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "sales_quote_lines",
        columns: &[
            ("quote_id", Int),
            ("line_no", Int),
            ("product_id", Int),
            ("description", Text),
            ("qty", Int),
            ("unit_price_minor", Int),
            ("tax_rate_code", Text),
            ("vat_basis_points", Int),
            ("line_net_minor", Int),
        ],
        key: "quote_id, line_no",
        identity: false,
    },
    Table {
        name: "shipments",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("order_id", Int),
            ("ship_date", Text),
            ("tracking_reference", Text),
            ("journal_entry_id", Int),
            ("posted_by", Text),
            ("posted_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "shipment_lines",
        columns: &[
            ("shipment_id", Int),
            ("order_line_no", Int),
            ("product_id", Int),
            ("qty", Int),
        ],
        key: "shipment_id, order_line_no",
        identity: false,
    },
    Table {
        name: "exchange_rates",
        columns: &[
            ("currency", Text),
            ("rate_date", Text),
            ("rate_e9", Int),
            ("created_by", Text),
            ("created_at_us", Int),
        ],
        key: "currency, rate_date",
        identity: false,
    },
    Table {
        name: "invoices",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("number", Text),
            ("party_id", Int),
            ("order_id", Int),
            ("credited_invoice_id", Int),
            ("state", Text),
            ("issue_date", Text),
            ("due_date", Text),
            ("currency", Text),
            ("rate_e9", Int),
            ("net_minor", Int),
            ("vat_minor", Int),
            ("total_minor", Int),
            ("settled_minor", Int),
            ("settled_date", Text),
            ("total_company_minor", Int),
            ("journal_entry_id", Int),
            ("note", Text),
            ("created_by", Text),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "invoice_lines",
        columns: &[
            ("invoice_id", Int),
            ("line_no", Int),
            ("order_line_no", Int),
            ("product_id", Int),
            ("description", Text),
            ("qty", Int),
            ("unit_code", Text),
            ("unit_price_minor", Int),
            ("tax_rate_code", Text),
            ("vat_basis_points", Int),
            ("line_net_minor", Int),
            ("revenue_account_code", Text),
        ],
        key: "invoice_id, line_no",
        identity: false,
    },
    Table {
        name: "payments",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("party_id", Int),
            ("payment_date", Text),
            ("currency", Text),
            ("rate_e9", Int),
            ("amount_minor", Int),
            ("unallocated_minor", Int),
            ("reference", Text),
            ("bank_account_code", Text),
            ("journal_entry_id", Int),
            ("posted_by", Text),
            ("posted_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "payment_allocations",
        columns: &[
            ("payment_id", Int),
            ("invoice_id", Int),
            ("amount_minor", Int),
        ],
        key: "payment_id, invoice_id",
        identity: false,
    },
    Table {
        name: "customer_returns",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("order_id", Int),
            ("return_date", Text),
            ("reason", Text),
            ("journal_entry_id", Int),
            ("posted_by", Text),
            ("posted_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "customer_return_lines",
        columns: &[
            ("return_id", Int),
            ("order_line_no", Int),
            ("product_id", Int),
            ("qty", Int),
        ],
        key: "return_id, order_line_no",
        identity: false,
    },
    Table {
        name: "price_lists",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("currency", Text),
            ("discount_bp", Int),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "price_list_items",
        columns: &[
            ("price_list_id", Int),
            ("product_id", Int),
            ("unit_price_minor", Int),
            ("discount_bp", Int),
            ("updated_at_us", Int),
        ],
        key: "price_list_id, product_id",
        identity: false,
    },
    Table {
        name: "party_price_lists",
        columns: &[("party_id", Int), ("price_list_id", Int)],
        key: "party_id",
        identity: false,
    },
    Table {
        name: "jobs",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("payload", Text),
            ("state", Text),
            ("attempts", Int),
            ("max_attempts", Int),
            ("run_at_us", Int),
            ("locked_by", Text),
            ("locked_until_us", Int),
            ("last_error", Text),
            ("created_at_us", Int),
            ("done_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "notifications",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("kind", Text),
            ("subject", Text),
            ("link", Text),
            ("created_at_us", Int),
            ("read_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "tickets",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("party_id", Int),
            ("subject", Text),
            ("queue", Text),
            ("priority", Text),
            ("channel", Text),
            ("state", Text),
            ("assignee_user_id", Int),
            ("invoice_id", Int),
            ("order_id", Int),
            ("opened_by", Text),
            ("first_response_at_us", Int),
            ("resolved_at_us", Int),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "visits",
        columns: &[
            ("id", Int),
            ("visitor_name", Text),
            ("visitor_company", Text),
            ("party_id", Int),
            ("host_user_id", Int),
            ("purpose", Text),
            ("badge_number", Text),
            ("expected_at_us", Int),
            ("checked_in_at_us", Int),
            ("checked_out_at_us", Int),
            ("agreement_acknowledged", Bool),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "resources",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("kind", Text),
            ("capacity", Int),
            ("active", Bool),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "appointments",
        columns: &[
            ("id", Int),
            ("uid", Text),
            ("title", Text),
            ("start_us", Int),
            ("end_us", Int),
            ("organiser_user_id", Int),
            ("visitor_name", Text),
            ("visitor_company", Text),
            ("visitor_email", Text),
            ("party_id", Int),
            ("location", Text),
            ("notes", Text),
            ("state", Text),
            ("sequence", Int),
            ("visit_id", Int),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "appointment_attendees",
        columns: &[
            ("appointment_id", Int),
            ("user_id", Int),
            ("is_organiser", Bool),
        ],
        key: "appointment_id, user_id",
        identity: false,
    },
    Table {
        name: "appointment_resources",
        columns: &[("appointment_id", Int), ("resource_id", Int)],
        key: "appointment_id, resource_id",
        identity: false,
    },
    Table {
        name: "calendar_feeds",
        columns: &[
            ("token_hash", Text),
            ("user_id", Int),
            ("resource_id", Int),
            ("created_at_us", Int),
        ],
        key: "token_hash",
        identity: false,
    },
    Table {
        name: "ticket_messages",
        columns: &[
            ("id", Int),
            ("ticket_id", Int),
            ("author_user_id", Int),
            ("author_name", Text),
            ("by_customer", Bool),
            ("public", Bool),
            ("body", Text),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "kb_categories",
        columns: &[("id", Int), ("name", Text), ("created_at_us", Int)],
        key: "id",
        identity: true,
    },
    Table {
        name: "kb_articles",
        columns: &[
            ("id", Int),
            ("category_id", Int),
            ("title", Text),
            ("body", Text),
            ("state", Text),
            ("audience", Text),
            ("author_name", Text),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
            ("published_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "canned_replies",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("body", Text),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "ticket_ratings",
        columns: &[
            ("id", Int),
            ("ticket_id", Int),
            ("rating", Int),
            ("comment", Text),
            ("rated_by_user_id", Int),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "ticket_attachments",
        columns: &[
            ("id", Int),
            ("ticket_id", Int),
            ("ticket_message_id", Int),
            ("file_name", Text),
            ("content_type", Text),
            ("size_bytes", Int),
            ("sha256", Text),
            ("created_at_us", Int),
            ("content", Bytes),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "sla_policies",
        columns: &[
            ("id", Int),
            ("priority", Text),
            ("queue", Text),
            ("first_response_min", Int),
            ("resolution_min", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "ticket_mail",
        columns: &[
            ("id", Int),
            ("ticket_id", Int),
            ("ticket_message_id", Int),
            ("message_id", Text),
            ("direction", Text),
            ("address", Text),
            ("created_at_us", Int),
            ("raw", Bytes),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "replacement_shipments",
        columns: &[
            ("shipment_id", Int),
            ("ticket_id", Int),
            ("created_at_us", Int),
        ],
        key: "shipment_id",
        identity: false,
    },
    Table {
        name: "ticket_slas",
        columns: &[
            ("ticket_id", Int),
            ("first_response_target_min", Int),
            ("first_response_used_us", Int),
            ("first_response_since_us", Int),
            ("first_response_due_at_us", Int),
            ("first_response_warn_at_us", Int),
            ("resolution_target_min", Int),
            ("resolution_used_us", Int),
            ("resolution_since_us", Int),
            ("resolution_due_at_us", Int),
            ("resolution_warn_at_us", Int),
            ("paused_at_us", Int),
            ("paused_us", Int),
            ("at_risk_notified_at_us", Int),
            ("breach_notified_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "ticket_id",
        identity: false,
    },
    Table {
        name: "csat_links",
        columns: &[
            ("id", Int),
            ("ticket_id", Int),
            ("token_hash", Text),
            ("expires_at_us", Int),
            ("used_at_us", Int),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "leads",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("company", Text),
            ("email", Text),
            ("phone", Text),
            ("email_key", Text),
            ("phone_key", Text),
            ("name_key", Text),
            ("name_block", Text),
            ("source", Text),
            ("state", Text),
            ("campaign", Text),
            ("notes", Text),
            ("owner_user_id", Int),
            ("party_id", Int),
            ("merged_into_id", Int),
            ("form_ip_hash", Text),
            ("version", Int),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "opportunities",
        columns: &[
            ("id", Int),
            ("party_id", Int),
            ("lead_id", Int),
            ("title", Text),
            ("stage", Text),
            ("amount_minor", Int),
            ("currency", Text),
            ("expected_close", Text),
            ("owner_user_id", Int),
            ("lost_reason", Text),
            ("quote_id", Int),
            ("closed_at_us", Int),
            ("version", Int),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "opportunity_lines",
        columns: &[
            ("id", Int),
            ("opportunity_id", Int),
            ("position", Int),
            ("product_id", Int),
            ("qty", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "crm_activities",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("subject", Text),
            ("body", Text),
            ("due_date", Text),
            ("done_at_us", Int),
            ("reminded_at_us", Int),
            ("owner_user_id", Int),
            ("lead_id", Int),
            ("opportunity_id", Int),
            ("party_id", Int),
            ("created_by", Text),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "segments",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("definition", Text),
            ("version", Int),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "campaigns",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("subject", Text),
            ("body", Text),
            ("from_address", Text),
            ("segment_id", Int),
            ("state", Text),
            ("scheduled_at_us", Int),
            ("started_at_us", Int),
            ("finished_at_us", Int),
            ("version", Int),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "campaign_recipients",
        columns: &[
            ("id", Int),
            ("campaign_id", Int),
            ("party_id", Int),
            ("email", Text),
            ("email_key", Text),
            ("name", Text),
            ("first_name", Text),
            ("company", Text),
            ("token", Text),
            ("status", Text),
            ("error", Text),
            ("sent_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "marketing_consents",
        columns: &[
            ("id", Int),
            ("email_key", Text),
            ("email", Text),
            ("party_id", Int),
            ("state", Text),
            ("source", Text),
            ("recorded_by", Text),
            ("at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "suppressions",
        columns: &[
            ("email_key", Text),
            ("email", Text),
            ("reason", Text),
            ("note", Text),
            ("created_by", Text),
            ("created_at_us", Int),
        ],
        key: "email_key",
        identity: false,
    },
    Table {
        name: "settings",
        columns: &[("name", Text), ("value", Text)],
        key: "name",
        identity: false,
    },
    Table {
        name: "hr_departments",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("parent_id", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_positions",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("department_id", Int),
            ("created_at_us", Int),
            ("login_roles", Text),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "employees",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("party_id", Int),
            ("user_id", Int),
            ("name", Text),
            ("work_email", Text),
            ("birth_date", Text),
            ("personal_email", Text),
            ("personal_phone", Text),
            ("street", Text),
            ("postal_code", Text),
            ("city", Text),
            ("country", Text),
            ("national_id", Text),
            ("iban", Text),
            ("version", Int),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_emergency_contacts",
        columns: &[
            ("id", Int),
            ("employee_id", Int),
            ("name", Text),
            ("relation", Text),
            ("phone", Text),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_documents",
        columns: &[
            ("id", Int),
            ("employee_id", Int),
            ("title", Text),
            ("file_name", Text),
            ("content_type", Text),
            ("size_bytes", Int),
            ("content_b64", Text),
            ("uploaded_by", Text),
            ("uploaded_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_contracts",
        columns: &[
            ("id", Int),
            ("employee_id", Int),
            ("start_date", Text),
            ("end_date", Text),
            ("position_id", Int),
            ("department_id", Int),
            ("manager_id", Int),
            ("working_time_pct", Int),
            ("hours_per_week_x100", Int),
            ("salary_minor", Int),
            ("currency", Text),
            ("salary_period", Text),
            ("created_by", Text),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_leave_types",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("needs_entitlement", Bool),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_entitlements",
        columns: &[
            ("id", Int),
            ("employee_id", Int),
            ("leave_type_id", Int),
            ("year", Int),
            ("half_days", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_holidays",
        columns: &[
            ("id", Int),
            ("date", Text),
            ("name", Text),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_leave_requests",
        columns: &[
            ("id", Int),
            ("employee_id", Int),
            ("leave_type_id", Int),
            ("start_date", Text),
            ("end_date", Text),
            ("half_day", Bool),
            ("half_days", Int),
            ("state", Text),
            ("note", Text),
            ("decided_by", Text),
            ("decided_at_us", Int),
            ("decision_note", Text),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "access_requests",
        columns: &[
            ("id", Int),
            ("employee_id", Int),
            ("kind", Text),
            ("what", Text),
            ("reason", Text),
            ("state", Text),
            ("ticket_id", Int),
            ("decided_by", Text),
            ("decided_at_us", Int),
            ("decision_note", Text),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_calendar_feeds",
        columns: &[
            ("token_hash", Text),
            ("department_id", Int),
            ("created_at_us", Int),
        ],
        key: "token_hash",
        identity: false,
    },
    Table {
        name: "payroll_structures",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("currency", Text),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "payroll_structure_versions",
        columns: &[
            ("id", Int),
            ("structure_id", Int),
            ("effective_from", Text),
            ("rules", Text),
            ("created_by", Text),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "payroll_employees",
        columns: &[
            ("employee_id", Int),
            ("structure_id", Int),
            ("start_date", Text),
            ("end_date", Text),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "employee_id",
        identity: false,
    },
    Table {
        name: "payroll_runs",
        columns: &[
            ("id", Int),
            ("number", Text),
            ("period", Text),
            ("kind", Text),
            ("state", Text),
            ("currency", Text),
            ("gross_minor", Int),
            ("net_minor", Int),
            ("employer_minor", Int),
            ("payslip_count", Int),
            ("entry_id", Int),
            ("payment_entry_id", Int),
            ("created_by", Text),
            ("approved_by", Text),
            ("version", Int),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "payslips",
        columns: &[
            ("id", Int),
            ("run_id", Int),
            ("employee_id", Int),
            ("structure_version_id", Int),
            ("currency", Text),
            ("gross_minor", Int),
            ("deductions_minor", Int),
            ("tax_minor", Int),
            ("employer_minor", Int),
            ("net_minor", Int),
            ("days_paid", Int),
            ("days_in_period", Int),
            ("is_final", Bool),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "payslip_lines",
        columns: &[
            ("id", Int),
            ("payslip_id", Int),
            ("position", Int),
            ("code", Text),
            ("name", Text),
            ("kind", Text),
            ("base_minor", Int),
            ("amount_minor", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "it_assets",
        columns: &[
            ("id", Int),
            ("tag", Text),
            ("kind", Text),
            ("model", Text),
            ("serial_number", Text),
            ("purchase_date", Text),
            ("cost_minor", Int),
            ("currency", Text),
            ("location", Text),
            ("status", Text),
            ("employee_id", Int),
            ("version", Int),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "it_licences",
        columns: &[
            ("id", Int),
            ("product", Text),
            ("vendor", Text),
            ("seats", Int),
            ("expires_on", Text),
            ("cost_minor", Int),
            ("currency", Text),
            ("version", Int),
            ("created_by", Text),
            ("created_at_us", Int),
            ("updated_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "it_seats",
        columns: &[
            ("id", Int),
            ("licence_id", Int),
            ("employee_id", Int),
            ("assigned_by", Text),
            ("assigned_at_us", Int),
            ("released_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_checklists",
        columns: &[
            ("id", Int),
            ("employee_id", Int),
            ("kind", Text),
            ("date", Text),
            ("created_by", Text),
            ("created_at_us", Int),
        ],
        key: "id",
        identity: true,
    },
    Table {
        name: "hr_checklist_tasks",
        columns: &[
            ("id", Int),
            ("checklist_id", Int),
            ("code", Text),
            ("team", Text),
            ("due_date", Text),
            ("done_by", Text),
            ("done_at_us", Int),
            ("note", Text),
        ],
        key: "id",
        identity: true,
    },
];

/// Tables that exist in the schema but are deliberately not backed up.
pub const NOT_BACKED_UP: &[&str] = &["sessions", "idempotency_keys"];

/// Tables the migrations fill with defaults (the audit head, the chart of
/// accounts, the tax rates, the main warehouse, settings, the SLA policies). A restore empties each one when the
/// backup's copy of it begins, so the backup's rows replace the defaults, and
/// a backup taken before such a table existed keeps this build's defaults.
const SEEDED: &[&str] = &[
    "audit_head",
    "accounts",
    "tax_rates",
    "warehouses",
    "settings",
    "hr_leave_types",
    "sla_policies",
];

fn select_sql(table: &Table) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns.join(", "),
        table.name,
        table.key
    )
}

macro_rules! row_values {
    ($row:expr, $table:expr) => {{
        let mut values = Vec::with_capacity($table.columns.len());
        for (name, ty) in $table.columns {
            let value = match ty {
                ColumnType::Int => $row
                    .try_get::<Option<i64>, _>(*name)?
                    .map_or(Value::Null, Value::from),
                ColumnType::Text => $row
                    .try_get::<Option<String>, _>(*name)?
                    .map_or(Value::Null, Value::from),
                ColumnType::Bool => $row
                    .try_get::<Option<bool>, _>(*name)?
                    .map_or(Value::Null, Value::from),
                ColumnType::Bytes => $row
                    .try_get::<Option<Vec<u8>>, _>(*name)?
                    .map_or(Value::Null, |b| Value::from(hex::encode(b))),
            };
            values.push(value);
        }
        values
    }};
}

/// Every row of one table, in key order, as JSON values: what a backup holds,
/// and what tests compare between two databases.
pub async fn table_rows(db: &Db, table: &Table) -> Result<Vec<Vec<Value>>> {
    let mut snapshot = db.begin_snapshot().await?;
    table_rows_in(&mut snapshot, table).await
}

/// The same, read inside a snapshot, so every table is seen at one moment.
async fn table_rows_in(snapshot: &mut Tx, table: &Table) -> Result<Vec<Vec<Value>>> {
    let sql = sqlx::AssertSqlSafe(select_sql(table));
    on_tx!(snapshot, c => {
        let rows = sqlx::query(sql).fetch_all(c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(row_values!(row, table));
        }
        Ok(out)
    })
}

/// A writer that hashes what passes through it.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn io(err: std::io::Error) -> StoreError {
    StoreError::Backup(err.to_string())
}

/// How many rows of each table a backup or restore handled.
pub type RowCounts = Vec<(&'static str, usize)>;

/// Writes a backup of `db` to `out` (gzip'd JSON lines, last line a SHA-256 of the rest).
pub async fn write_backup<W: Write>(db: &Db, out: W) -> Result<RowCounts> {
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut w = Hashing {
        inner: gz,
        hasher: Sha256::new(),
    };
    let header = json!({ "format": FORMAT, "version": FORMAT_VERSION });
    writeln!(w, "{header}").map_err(io)?;
    let mut counts = Vec::new();
    // One snapshot for all tables: writes during the backup are either wholly in it or not at all.
    let mut snapshot = db.begin_snapshot().await?;
    for table in TABLES {
        let columns: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
        writeln!(w, "{}", json!({ "table": table.name, "columns": columns })).map_err(io)?;
        let rows = table_rows_in(&mut snapshot, table).await?;
        for row in &rows {
            writeln!(w, "{}", Value::Array(row.clone())).map_err(io)?;
        }
        counts.push((table.name, rows.len()));
    }
    let digest = hex::encode(w.hasher.finalize_reset());
    writeln!(w.inner, "{}", json!({ "end": true, "sha256": digest })).map_err(io)?;
    w.inner.finish().map_err(io)?.flush().map_err(io)?;
    Ok(counts)
}

/// Loads a backup into an empty, migrated database, all or nothing: the
/// checksum is checked before commit, and any error rolls everything back.
pub async fn restore_backup<R: Read>(db: &Db, input: R) -> Result<RowCounts> {
    let existing = on_read!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM parties) + (SELECT COUNT(*) FROM events)"
    ).fetch_one(p).await?);
    if existing > 0 {
        return Err(StoreError::Backup(
            "the target database is not empty; restore needs a fresh one".to_owned(),
        ));
    }
    let reader = BufReader::new(flate2::read::GzDecoder::new(input));
    let mut tx = db.begin().await?;
    let mut hasher = Sha256::new();
    let mut counts: RowCounts = Vec::new();
    let mut current: Option<&Table> = None;
    let mut ended = false;
    for (number, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| StoreError::Backup(format!("line {}: {e}", number + 1)))?;
        let value: Value = serde_json::from_str(&line)
            .map_err(|e| StoreError::Backup(format!("line {}: not JSON: {e}", number + 1)))?;
        if value.get("end").is_some() {
            let digest = hex::encode(hasher.finalize_reset());
            if value.get("sha256").and_then(Value::as_str) != Some(digest.as_str()) {
                return Err(StoreError::Backup(
                    "checksum mismatch: the file is damaged or was edited".to_owned(),
                ));
            }
            ended = true;
            break;
        }
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
        if number == 0 {
            check_header(&value)?;
        } else if let Some(name) = value.get("table").and_then(Value::as_str) {
            let table = TABLES.iter().find(|t| t.name == name).ok_or_else(|| {
                StoreError::Backup(format!("line {}: unknown table {name}", number + 1))
            })?;
            check_columns(table, &value)?;
            if SEEDED.contains(&table.name) {
                let sql = sqlx::AssertSqlSafe(format!("DELETE FROM {}", table.name));
                on_tx!(&mut tx, c => sqlx::query(sql).execute(c).await?.rows_affected());
            }
            current = Some(table);
            counts.push((table.name, 0));
        } else {
            let table = current.ok_or_else(|| {
                StoreError::Backup(format!("line {}: row before any table", number + 1))
            })?;
            let row = value.as_array().ok_or_else(|| {
                StoreError::Backup(format!("line {}: expected a row", number + 1))
            })?;
            insert_row(&mut tx, table, row)
                .await
                .map_err(|e| StoreError::Backup(format!("line {}: {e}", number + 1)))?;
            if let Some(last) = counts.last_mut() {
                last.1 += 1;
            }
        }
    }
    if !ended {
        return Err(StoreError::Backup(
            "the file ends early: no checksum line".to_owned(),
        ));
    }
    reset_identities(&mut tx).await?;
    tx.commit().await?;
    Ok(counts)
}

fn check_header(value: &Value) -> Result<()> {
    let ok = value.get("format").and_then(Value::as_str) == Some(FORMAT)
        && value.get("version").and_then(Value::as_i64) == Some(FORMAT_VERSION);
    if ok {
        Ok(())
    } else {
        Err(StoreError::Backup(
            "not a Seam backup of a version this build reads".to_owned(),
        ))
    }
}

fn check_columns(table: &Table, value: &Value) -> Result<()> {
    let expected: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
    let found: Vec<&str> = value
        .get("columns")
        .and_then(Value::as_array)
        .map(|cs| cs.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if found == expected {
        Ok(())
    } else {
        Err(StoreError::Backup(format!(
            "table {}: columns differ from this build's schema",
            table.name
        )))
    }
}

async fn insert_row(tx: &mut Tx, table: &Table, row: &[Value]) -> Result<()> {
    if row.len() != table.columns.len() {
        return Err(StoreError::Backup(format!(
            "{}: expected {} values",
            table.name,
            table.columns.len()
        )));
    }
    let columns: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
    let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        columns.join(", "),
        placeholders.join(", ")
    ));
    on_tx!(tx, c => {
        let mut q = sqlx::query(sql);
        for ((name, ty), value) in table.columns.iter().zip(row) {
            let bad = || StoreError::Backup(format!("{}.{name}: wrong type", table.name));
            q = match (ty, value) {
                (ColumnType::Int, Value::Null) => q.bind(None::<i64>),
                (ColumnType::Int, v) => q.bind(Some(v.as_i64().ok_or_else(bad)?)),
                (ColumnType::Text, Value::Null) => q.bind(None::<String>),
                (ColumnType::Text, v) => q.bind(Some(v.as_str().ok_or_else(bad)?.to_owned())),
                (ColumnType::Bool, Value::Null) => q.bind(None::<bool>),
                (ColumnType::Bool, v) => q.bind(Some(v.as_bool().ok_or_else(bad)?)),
                (ColumnType::Bytes, Value::Null) => q.bind(None::<Vec<u8>>),
                (ColumnType::Bytes, v) => {
                    let text = v.as_str().ok_or_else(bad)?;
                    q.bind(Some(hex::decode(text).map_err(|_| bad())?))
                }
            };
        }
        q.execute(c).await?.rows_affected();
    });
    Ok(())
}

/// On PostgreSQL, moves each identity sequence past the restored ids (SQLite needs nothing).
async fn reset_identities(tx: &mut Tx) -> Result<()> {
    let Tx::Pg(t) = tx else { return Ok(()) };
    for table in TABLES.iter().filter(|t| t.identity) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), COALESCE(MAX({1}), 0) + 1, false) FROM {0}",
            table.name, table.key
        ));
        sqlx::query(sql).execute(&mut **t).await?;
    }
    Ok(())
}

/// The tables and columns the database actually has (for the schema-equivalence test).
pub async fn schema_columns(db: &Db) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = match db {
        Db::Sqlite { read, .. } => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE '\\_sqlx%' ESCAPE '\\' AND name NOT LIKE 'party\\_fts%' ESCAPE '\\' AND name NOT LIKE 'product\\_fts%' ESCAPE '\\' \
                 AND name NOT LIKE 'kb\\_article\\_fts%' ESCAPE '\\'",
            ).fetch_all(read).await?;
            let mut cols = Vec::new();
            for t in tables {
                let names: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{t}')")))
                    .fetch_all(read).await?;
                cols.extend(names.into_iter().map(|c| (t.clone(), c)));
            }
            cols
        }
        Db::Pg(pool) => sqlx::query_as::<_, (String, String)>(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%' AND column_name <> 'search'",
        ).fetch_all(pool).await?,
    };
    out.sort();
    Ok(out)
}

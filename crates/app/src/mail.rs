//! Outgoing e-mail. A use case queues a message as a job of kind `email` in
//! its own transaction (with its audit event); a node's job worker sends it
//! over SMTP. The server is named by two settings:
//!
//! - `mail.smtp_url`: `smtp://HOST:PORT` (plain, for a relay on a trusted
//!   network), `smtp://HOST:PORT?tls=required` (STARTTLS) or
//!   `smtps://USER:PASSWORD@HOST:465` (TLS); empty means no server yet.
//! - `mail.from`: the sender, e.g. `Invoices <billing@example.com>`; empty
//!   means the company profile's e-mail.
//!
//! A message sent again after a node stopped mid-way carries the same
//! Message-ID, so a receiving system can tell it is the same message.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::invoice::{DocumentKind, IllegalTransition, InvoiceState};
use seam_domain::ledger::format_amount;
use seam_store::jobs::{self as job_store, JobRow};
use seam_store::settings;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::jobs::JobError;
use crate::{Actor, App, AppError, AppResult, Change, company, invoicing, now_us, record};

/// The kind of job that sends one e-mail.
pub const JOB_KIND: &str = "email";
/// The setting naming the SMTP server.
pub const SMTP_URL_SETTING: &str = "mail.smtp_url";
/// The setting naming the sender.
pub const FROM_SETTING: &str = "mail.from";
/// The header that names the job a message was sent by.
pub const JOB_HEADER: &str = "X-Seam-Job";
/// The longest subject.
pub const SUBJECT_CHARS_MAX: usize = 200;
/// The longest body.
pub const BODY_CHARS_MAX: usize = 20_000;

/// What an `email` job carries. Attachments of an invoice are rendered when
/// the message is sent, from the posted (unchanging) document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailJob {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Attach this invoice or credit note as PDF and as UBL XML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<i64>,
    /// Attach this calendar invitation (or cancellation). It is written when
    /// the change is made, not when the message is sent: an invitation says
    /// what was true at its SEQUENCE, and a later change sends its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarAttachment>,
}

/// The threading headers of a message that belongs to a conversation (a
/// ticket's public reply). They travel beside the [`EmailJob`] in the job's
/// payload, under `thread`, so a message without them reads as before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailThread {
    /// The Message-ID to send with, without angle brackets; recorded by the
    /// sender before the message goes out, so replies can be matched to it.
    pub message_id: String,
    /// The message this one answers, without angle brackets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
}

#[derive(Deserialize)]
struct ThreadOf {
    #[serde(default)]
    thread: Option<MailThread>,
}

/// An iCalendar (RFC 5545) object sent as `invite.ics`, with the iTIP
/// method (RFC 5546) it carries: `REQUEST` or `CANCEL`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarAttachment {
    pub method: String,
    pub ics: String,
}

/// Where mail goes out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailSettings {
    pub smtp_url: String,
    pub from: String,
}

impl MailSettings {
    /// The SMTP URL with any password replaced by `***`, for display and the audit journal.
    pub fn smtp_url_masked(&self) -> String {
        mask_password(&self.smtp_url)
    }
}

fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            if user_info.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                url.to_owned()
            }
        }
        None => url.to_owned(),
    }
}

pub(crate) async fn stored_settings(app: &App) -> AppResult<MailSettings> {
    let mut out = MailSettings::default();
    for (name, value) in settings::settings_with_prefix(&app.db, "mail.").await? {
        match name.as_str() {
            SMTP_URL_SETTING => out.smtp_url = value,
            FROM_SETTING => out.from = value,
            _ => {}
        }
    }
    Ok(out)
}

/// The mail settings as stored. Needs `users.admin` (the URL may hold a password).
pub async fn mail_settings(app: &App, actor: &Actor) -> AppResult<MailSettings> {
    actor.require(Permission::UsersAdmin)?;
    stored_settings(app).await
}

/// Checks and stores the mail settings. Needs `users.admin`.
///
/// Errors: [`AppError::Invalid`] naming `smtp_url` (`error-smtp-url`: not an
/// smtp:// or smtps:// URL) or `from` (`error-email`).
pub async fn update_settings(app: &App, actor: &Actor, draft: &MailSettings) -> AppResult<()> {
    actor.require(Permission::UsersAdmin)?;
    let clean = MailSettings {
        smtp_url: draft.smtp_url.trim().to_owned(),
        from: draft.from.trim().to_owned(),
    };
    let mut errors = FieldErrors::new();
    if !clean.smtp_url.is_empty() && transport(&clean.smtp_url).is_err() {
        errors.add("smtp_url", "error-smtp-url");
    }
    if !clean.from.is_empty() && clean.from.parse::<Mailbox>().is_err() {
        errors.add("from", "error-email");
    }
    errors.into_result(())?;
    let before = stored_settings(app).await?;
    let mut tx = app.db.begin().await?;
    settings::set_setting(&mut tx, SMTP_URL_SETTING, &clean.smtp_url).await?;
    settings::set_setting(&mut tx, FROM_SETTING, &clean.from).await?;
    let as_json = |s: &MailSettings| json!({ "smtp_url": s.smtp_url_masked(), "from": s.from });
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "settings",
            entity_id: "mail".to_owned(),
            action: "update",
            before: Some(as_json(&before)),
            after: Some(as_json(&clean)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) fn transport(
    url: &str,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build())
}

/// An e-mail address typed into `field`, trimmed.
///
/// Errors: `error-email` naming `field` when it is not one address.
pub fn parse_address(field: &str, text: &str) -> Result<String, FieldErrors> {
    let text = text.trim();
    match text.parse::<lettre::Address>() {
        Ok(address) => Ok(address.to_string()),
        Err(_) => Err(FieldErrors::one(field, "error-email")),
    }
}

/// Queues `job` in the caller's transaction; it is sent once that commits.
pub async fn enqueue(tx: &mut seam_store::Tx, job: &EmailJob) -> AppResult<i64> {
    let payload = serde_json::to_string(job)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("e-mail payload: {e}")))?;
    Ok(job_store::enqueue(tx, JOB_KIND, &payload, now_us()).await?)
}

/// Queues `job` with its threading headers in the caller's transaction.
pub async fn enqueue_threaded(
    tx: &mut seam_store::Tx,
    job: &EmailJob,
    thread: &MailThread,
) -> AppResult<i64> {
    let internal =
        |e: serde_json::Error| AppError::Internal(anyhow::anyhow!("e-mail payload: {e}"));
    let mut payload = serde_json::to_value(job).map_err(internal)?;
    if let Some(object) = payload.as_object_mut() {
        object.insert(
            "thread".to_owned(),
            serde_json::to_value(thread).map_err(internal)?,
        );
    }
    Ok(job_store::enqueue(tx, JOB_KIND, &payload.to_string(), now_us()).await?)
}

/// The domain Seam's Message-IDs end in: the sender's (`mail.from`, else
/// the company's e-mail), or `seam.invalid` while neither is set.
pub async fn message_id_domain(app: &App) -> AppResult<String> {
    let config = stored_settings(app).await?;
    let from = if config.from.is_empty() {
        company::profile(app).await?.email
    } else {
        config.from
    };
    Ok(from
        .trim()
        .parse::<Mailbox>()
        .map(|m| m.email.domain().to_owned())
        .unwrap_or_else(|_| "seam.invalid".to_owned()))
}

/// Queues a plain message to one address, recorded in the audit journal.
/// Needs `users.admin`. Returns the job's id.
///
/// Errors: [`AppError::Invalid`] naming `to` (`error-email`), `subject`
/// (`error-required`, `error-too-long`) or `body` (`error-too-long`).
pub async fn queue_message(
    app: &App,
    actor: &Actor,
    to: &str,
    subject: &str,
    body: &str,
) -> AppResult<i64> {
    actor.require(Permission::UsersAdmin)?;
    let mut errors = FieldErrors::new();
    let to = match parse_address("to", to) {
        Ok(to) => to,
        Err(e) => {
            errors.extend(e);
            String::new()
        }
    };
    let subject = subject.trim();
    if subject.is_empty() {
        errors.add("subject", "error-required");
    } else if subject.chars().count() > SUBJECT_CHARS_MAX {
        errors.add("subject", "error-too-long");
    }
    if body.chars().count() > BODY_CHARS_MAX {
        errors.add("body", "error-too-long");
    }
    errors.into_result(())?;
    let job = EmailJob {
        to,
        subject: subject.to_owned(),
        body: body.to_owned(),
        invoice_id: None,
        calendar: None,
    };
    let mut tx = app.db.begin().await?;
    let id = enqueue(&mut tx, &job).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "email",
            entity_id: id.to_string(),
            action: "queue",
            before: None,
            after: Some(json!({ "to": job.to, "subject": job.subject })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Queues an e-mail of a posted invoice or credit note to its customer,
/// with the document attached as PDF and as EN 16931 UBL XML. Needs
/// `invoices.write`. `to` overrides the customer's e-mail. Returns the job's id.
///
/// Errors: [`AppError::Conflict`] with `error-invoice-state` for a draft or
/// cancelled document; [`AppError::Invalid`] naming `to` with `error-email`
/// (not an address) or `error-email-missing` (the customer has no e-mail and
/// none was given), or the field a valid e-invoice lacks (`error-ubl`).
pub async fn email_invoice(app: &App, actor: &Actor, id: i64, to: Option<&str>) -> AppResult<i64> {
    actor.require(Permission::InvoicesWrite)?;
    let detail = invoicing::invoice(app, actor, id).await?;
    let row = &detail.invoice;
    let state = invoicing::state_of_invoice(row);
    let Some(number) = row
        .number
        .clone()
        .filter(|_| matches!(state, InvoiceState::Posted | InvoiceState::Paid))
    else {
        return Err(AppError::Conflict(IllegalTransition::CODE));
    };
    let to = match to.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => parse_address("to", text)?,
        None => {
            let party = seam_store::parties::party(&app.db, row.party_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let email = party.email.unwrap_or_default();
            if email.trim().is_empty() {
                return Err(FieldErrors::one("to", "error-email-missing").into());
            }
            parse_address("to", &email)?
        }
    };
    // Refuse now what could never be attached: the customer sees which field is missing.
    invoicing::ubl(app, actor, id).await?;
    let profile = company::profile(app).await?;
    let kind = match invoicing::kind_of(row) {
        DocumentKind::Invoice => "Invoice",
        DocumentKind::CreditNote => "Credit note",
    };
    let subject = format!("{kind} {number} from {}", profile.name);
    let mut body = format!(
        "Hello {},\n\nplease find attached {} {number} of {}, for {} {}.",
        row.party_name,
        kind.to_lowercase(),
        row.issue_date,
        format_amount(row.total_minor, &row.currency),
        row.currency
    );
    if invoicing::kind_of(row) == DocumentKind::Invoice && state == InvoiceState::Posted {
        body.push_str(&format!(
            " It is due on {}: {} {}.",
            row.due_date,
            format_amount(row.due_minor(), &row.currency),
            row.currency
        ));
        if !profile.iban.is_empty() {
            body.push_str(&format!(
                " Please pay to {} quoting {number}.",
                profile.iban
            ));
        }
    }
    body.push_str(&format!(
        "\n\nThe PDF is for reading; the XML is the same document as an EN 16931 e-invoice.\n\nKind regards,\n{}\n",
        profile.name
    ));
    let job = EmailJob {
        to,
        subject,
        body,
        invoice_id: Some(id),
        calendar: None,
    };
    let mut tx = app.db.begin().await?;
    let job_id = enqueue(&mut tx, &job).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "invoice",
            entity_id: id.to_string(),
            action: "email",
            before: None,
            after: Some(json!({ "number": number, "to": job.to, "job": job_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(job_id)
}

/// Sends the message of an `email` job.
pub(crate) async fn send_job(app: &App, job: &JobRow) -> Result<(), JobError> {
    let payload: EmailJob = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Permanent(format!("the job's payload is not an e-mail: {e}")))?;
    let retry = |e: AppError| JobError::Retry(e.to_string());
    let config = stored_settings(app).await.map_err(retry)?;
    if config.smtp_url.is_empty() {
        return Err(JobError::Retry(format!(
            "no SMTP server is configured: set {SMTP_URL_SETTING}, e.g. `seam mail set --smtp-url smtp://127.0.0.1:2525`"
        )));
    }
    let from_text = if config.from.is_empty() {
        company::profile(app).await.map_err(retry)?.email
    } else {
        config.from.clone()
    };
    if from_text.trim().is_empty() {
        return Err(JobError::Retry(format!(
            "no sender address: set {FROM_SETTING} (or the company profile's e-mail)"
        )));
    }
    let from: Mailbox = from_text.trim().parse().map_err(|e| {
        JobError::Retry(format!(
            "{FROM_SETTING} `{from_text}` is not an address: {e}"
        ))
    })?;
    let to: Mailbox = payload.to.parse().map_err(|e| {
        JobError::Permanent(format!(
            "the recipient `{}` is not an address: {e}",
            payload.to
        ))
    })?;
    let mut attachments = match payload.invoice_id {
        Some(id) => invoice_attachments(app, id).await?,
        None => Vec::new(),
    };
    if let Some(calendar) = &payload.calendar {
        attachments.push(calendar_attachment(calendar)?);
    }
    let header = HeaderName::new_from_ascii(JOB_HEADER.to_owned())
        .map_err(|e| JobError::Permanent(e.to_string()))?;
    let domain = from.email.domain().to_owned();
    let thread = serde_json::from_str::<ThreadOf>(&job.payload)
        .ok()
        .and_then(|t| t.thread);
    let message_id = match &thread {
        Some(t) => format!("<{}>", t.message_id),
        None => format!("<seam-job-{}-{}@{domain}>", job.id, job.created_at_us),
    };
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(payload.subject.clone())
        .message_id(Some(message_id))
        .raw_header(HeaderValue::new(header, job.id.to_string()));
    if let Some(parent) = thread.as_ref().and_then(|t| t.in_reply_to.as_ref()) {
        builder = builder
            .in_reply_to(format!("<{parent}>"))
            .references(format!("<{parent}>"));
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(payload.body.clone());
    let message = if attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut parts = MultiPart::mixed().singlepart(text);
        for part in attachments {
            parts = parts.singlepart(part);
        }
        builder.multipart(parts)
    }
    .map_err(|e| JobError::Permanent(format!("cannot build the message: {e}")))?;
    let mailer = transport(&config.smtp_url).map_err(|e| {
        JobError::Retry(format!("{SMTP_URL_SETTING} is not a usable SMTP URL: {e}"))
    })?;
    match mailer.send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(JobError::Permanent(format!(
            "the SMTP server refused the message: {e}"
        ))),
        Err(e) => Err(JobError::Retry(format!("SMTP: {e}"))),
    }
}

/// An invitation as `invite.ics`, typed `text/calendar` with its method so
/// mail clients offer to add it to the calendar.
fn calendar_attachment(calendar: &CalendarAttachment) -> Result<SinglePart, JobError> {
    let method: String = calendar
        .method
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect();
    let text = format!("text/calendar; charset=utf-8; method={method}");
    let content =
        ContentType::parse(&text).map_err(|e| JobError::Permanent(format!("{text}: {e}")))?;
    Ok(Attachment::new("invite.ics".to_owned()).body(calendar.ics.clone().into_bytes(), content))
}

/// The PDF and UBL XML of a posted document, named by its number.
async fn invoice_attachments(app: &App, id: i64) -> Result<Vec<SinglePart>, JobError> {
    let actor = Actor::system("jobs");
    let map = |e: AppError| match e {
        AppError::NotFound => JobError::Permanent(format!("invoice {id} does not exist")),
        other => JobError::Retry(format!("invoice {id}: {other}")),
    };
    let detail = invoicing::invoice(app, &actor, id).await.map_err(map)?;
    let stem: String = detail
        .invoice
        .number
        .unwrap_or_else(|| format!("invoice-{id}"))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let pdf = invoicing::pdf(app, &actor, id).await.map_err(map)?;
    let xml = invoicing::ubl(app, &actor, id).await.map_err(map)?;
    let content = |text: &str| {
        ContentType::parse(text).map_err(|e| JobError::Permanent(format!("{text}: {e}")))
    };
    Ok(vec![
        Attachment::new(format!("{stem}.pdf")).body(pdf, content("application/pdf")?),
        Attachment::new(format!("{stem}.xml")).body(xml.into_bytes(), content("application/xml")?),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_smtp_url_is_never_shown() {
        assert_eq!(
            mask_password("smtps://mailer:s3cret@smtp.example.com:465"),
            "smtps://mailer:***@smtp.example.com:465"
        );
        assert_eq!(
            mask_password("smtp://127.0.0.1:2525"),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            mask_password("smtp://user@host:25/x?tls=required"),
            "smtp://user@host:25/x?tls=required"
        );
    }

    #[test]
    fn an_address_is_checked_and_names_its_field() {
        assert_eq!(
            parse_address("to", " ada@example.com "),
            Ok("ada@example.com".to_owned())
        );
        let err = parse_address("to", "not an address").unwrap_err();
        assert_eq!(err.for_field("to"), Some("error-email"));
    }
}

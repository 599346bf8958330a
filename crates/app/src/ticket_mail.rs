//! A ticket's files and e-mail.
//!
//! **Attachments** are stored in the database with their SHA-256 and the
//! type read from their bytes (`infer`), never the type the upload claims;
//! programs are refused. Whoever may see a ticket's message may download its
//! files: staff of the ticket's queue, and its customer for public messages
//! only, so an internal note's files never reach the portal.
//!
//! **Incoming e-mail** ([`ingest`]) is parsed with `mail-parser`. A message
//! threads onto a ticket when its In-Reply-To or References name a message
//! of that ticket (one Seam sent, or one ingested before), or when its
//! subject carries the ticket's number in brackets and it comes from the
//! ticket's customer. Otherwise it opens a new ticket (channel `email`) for
//! the customer whose e-mail (or whose contact person's) is the sender's. A
//! Message-ID is written once (`uq_ticket_mail_message_id`), so a message
//! ingested twice is written once. The thread shows the customer's own words
//! (quoted text stripped); the raw message is kept whole beside it.
//!
//! **Outgoing replies** ([`enqueue_reply`]) carry the ticket's number in the
//! subject and a Message-ID recorded before they are sent.

use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, MimeHeaders};
use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::UserId;
use seam_domain::service::{self as rules, Channel, Priority, Queue, TicketState};
use seam_domain::service_mail::{self as mail_rules, Upload};
use seam_store::Tx;
use seam_store::ticket_mail::{self as store, NewAttachment, NewMail};
pub use seam_store::ticket_mail::{AttachmentRow, MailRow};
use seam_store::tickets::{self as ticket_store, NewMessage, NewTicket, TicketUpdate};
use sha2::{Digest, Sha256};

use crate::mail::{self, EmailJob, MailThread};
use crate::notifications::{self, Notice};
use crate::service::{self, TicketRow};
use crate::{Actor, App, AppError, AppResult, Change, UserKind, now_us, record, today};

/// A checked file, ready to write.
#[derive(Debug, Clone)]
pub struct PreparedFile {
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// The type of a file read from its bytes: a known format's, `text/plain`
/// for UTF-8 text, `application/octet-stream` for other bytes. `None` for a
/// program (executables, libraries, bytecode), which is refused.
pub fn sniff(content: &[u8]) -> Option<&'static str> {
    match infer::get(content) {
        Some(kind) if kind.matcher_type() == infer::MatcherType::App => None,
        Some(kind) => Some(kind.mime_type()),
        None if std::str::from_utf8(content).is_ok() => Some("text/plain"),
        None => Some("application/octet-stream"),
    }
}

/// Checks a message's files (count, size, type) and reads their type and
/// hash. Errors name `attachments`: `error-attachment-too-many`,
/// `error-attachment-too-large`, `error-attachment-empty`,
/// `error-attachment-type`.
pub fn prepare_uploads(uploads: &[Upload]) -> Result<Vec<PreparedFile>, FieldErrors> {
    mail_rules::check_uploads(uploads)?;
    let mut files = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let Some(content_type) = sniff(&upload.content) else {
            return Err(FieldErrors::one("attachments", "error-attachment-type"));
        };
        files.push(PreparedFile {
            file_name: mail_rules::clean_file_name(&upload.file_name),
            content_type: content_type.to_owned(),
            sha256: hex::encode(Sha256::digest(&upload.content)),
            content: upload.content.clone(),
        });
    }
    Ok(files)
}

/// Writes checked files onto a message, in the caller's transaction.
pub(crate) async fn store_attachments(
    tx: &mut Tx,
    ticket_id: i64,
    message_id: i64,
    files: &[PreparedFile],
) -> AppResult<()> {
    let now = now_us();
    for file in files {
        store::insert_attachment(
            tx,
            &NewAttachment {
                ticket_id,
                ticket_message_id: message_id,
                file_name: &file.file_name,
                content_type: &file.content_type,
                sha256: &file.sha256,
                content: &file.content,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

fn require_reader(actor: &Actor) -> AppResult<()> {
    if actor.kind == UserKind::Portal {
        actor.require(Permission::PortalUse)
    } else {
        service::require_staff_desk(actor)
    }
}

/// An attachment and its content, for whoever may see its message: staff
/// who see the ticket, its customer when the message is public.
///
/// Errors: [`AppError::NotFound`] for an attachment the actor may not see,
/// so its id reveals nothing.
pub async fn attachment(app: &App, actor: &Actor, id: i64) -> AppResult<(AttachmentRow, Vec<u8>)> {
    require_reader(actor)?;
    let side = service::side_of(actor)?;
    attachment_as(app, actor, side, id).await
}

/// An attachment as `side` sees it: a requester only on their own party's
/// tickets and public messages. Errors: [`AppError::NotFound`].
pub(crate) async fn attachment_as(
    app: &App,
    actor: &Actor,
    side: service::Side,
    id: i64,
) -> AppResult<(AttachmentRow, Vec<u8>)> {
    let row = store::attachment(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    service::visible_as(app, actor, side, row.ticket_id).await?;
    if side != service::Side::Desk && !row.public {
        return Err(AppError::NotFound);
    }
    let content = store::attachment_content(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((row, content))
}

/// The raw text of an ingested e-mail, for staff who see its ticket.
///
/// Errors: [`AppError::NotFound`], also for an outgoing message (none is kept).
pub async fn raw_mail(app: &App, actor: &Actor, id: i64) -> AppResult<(MailRow, Vec<u8>)> {
    service::require_staff_desk(actor)?;
    let (row, raw) = store::mail_raw(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    service::visible(app, actor, row.ticket_id).await?;
    Ok((row, raw.ok_or(AppError::NotFound)?))
}

/// Queues the e-mail of a public reply to `to` in the caller's transaction:
/// the subject carries `[TK-…]`, the Message-ID is recorded for the ticket
/// (direction `out`), and it answers the customer's latest e-mail, if any.
pub(crate) async fn enqueue_reply(
    app: &App,
    tx: &mut Tx,
    ticket: &TicketRow,
    message_id: i64,
    to: &str,
    body: &str,
) -> AppResult<()> {
    let domain = mail::message_id_domain(app).await?;
    let token: [u8; 8] = rand::random();
    let id = format!(
        "seam.{}.{message_id}.{}@{domain}",
        ticket.number.to_lowercase(),
        hex::encode(token)
    );
    let in_reply_to = store::mail_of(&app.db, ticket.id)
        .await?
        .into_iter()
        .rev()
        .find(|m| m.direction == "in")
        .map(|m| m.message_id);
    mail::enqueue_threaded(
        tx,
        &EmailJob {
            to: to.to_owned(),
            subject: format!("[{}] {}", ticket.number, ticket.subject),
            body: body.to_owned(),
            invoice_id: None,
            calendar: None,
        },
        &MailThread {
            message_id: id.clone(),
            in_reply_to,
        },
    )
    .await?;
    store::insert_mail(
        tx,
        &NewMail {
            ticket_id: ticket.id,
            ticket_message_id: message_id,
            message_id: &id,
            direction: "out",
            address: to,
            raw: None,
        },
        now_us(),
    )
    .await?;
    Ok(())
}

/// What ingesting one e-mail did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new ticket was opened.
    Opened,
    /// The message was added to an existing ticket.
    Threaded,
    /// This Message-ID was ingested before; nothing was written.
    Duplicate,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Opened => "opened",
            Outcome::Threaded => "threaded",
            Outcome::Duplicate => "duplicate",
        }
    }
}

/// The result of ingesting one e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub outcome: Outcome,
    pub ticket_id: i64,
    pub ticket_number: String,
    /// The Message-ID it was recorded under (without angle brackets).
    pub message_id: String,
}

/// An e-mail read into what the desk needs.
struct Incoming {
    from: String,
    from_name: String,
    message_id: String,
    subject: String,
    body: String,
    references: Vec<String>,
    files: Vec<PreparedFile>,
}

fn mail_error(field: &str, code: &'static str) -> AppError {
    AppError::Invalid(FieldErrors::one(field, code))
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Reads a raw message. Errors name `message` (`error-mail-too-large`,
/// `error-mail-malformed`) or `from` (`error-mail-no-sender`, `error-email`).
fn read_message(raw: &[u8]) -> AppResult<Incoming> {
    if raw.len() > mail_rules::MAIL_BYTES_MAX {
        return Err(mail_error("message", "error-mail-too-large"));
    }
    let parsed = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| mail_error("message", "error-mail-malformed"))?;
    // mail-parser reads almost any bytes as a message with a body; a
    // message the desk can act on has a header block with a sender.
    if parsed.headers().is_empty() {
        return Err(mail_error("message", "error-mail-malformed"));
    }
    let sender = parsed
        .from()
        .and_then(|a| a.first())
        .ok_or_else(|| mail_error("from", "error-mail-no-sender"))?;
    let from = mail::parse_address("from", sender.address().unwrap_or_default())?;
    let from_name = sender
        .name()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| from.clone(), |n| cut(n, 200));
    let message_id = match parsed.message_id().map(str::trim).filter(|m| !m.is_empty()) {
        Some(id) => cut(id, 500),
        // Without a Message-ID the bytes name the message, so a repeat of
        // the same file is still recognised.
        None => format!("sha256.{}@seam.invalid", hex::encode(Sha256::digest(raw))),
    };
    let subject = parsed.subject().map(str::trim).unwrap_or_default();
    let subject = if subject.is_empty() {
        "(no subject)".to_owned()
    } else {
        cut(subject, rules::SUBJECT_MAX)
    };
    let mut references: Vec<String> = Vec::new();
    for header in [parsed.in_reply_to(), parsed.references()] {
        if let Some(list) = header.as_text_list() {
            references.extend(list.iter().map(|r| r.trim().to_owned()));
        } else if let Some(one) = header.as_text() {
            references.push(one.trim().to_owned());
        }
    }
    let text = parsed.body_text(0).unwrap_or_default();
    let mut body = mail_rules::strip_quoted(&text);
    let mut files = Vec::new();
    for part in parsed.attachments() {
        let name = part
            .attachment_name()
            .map(str::to_owned)
            .unwrap_or_else(|| {
                if part.is_message() {
                    "message.eml".to_owned()
                } else {
                    "attachment".to_owned()
                }
            });
        let upload = Upload {
            file_name: name.clone(),
            content: part.contents().to_vec(),
        };
        if upload.content.is_empty() {
            continue;
        }
        // The raw message keeps what the ticket cannot hold; the thread says so.
        if files.len() >= mail_rules::ATTACHMENTS_PER_MESSAGE_MAX {
            body.push_str(&format!(
                "\n\n({name} is kept only in the original e-mail: too many files.)"
            ));
            continue;
        }
        match prepare_uploads(std::slice::from_ref(&upload)) {
            Ok(mut prepared) => files.append(&mut prepared),
            Err(_) => body.push_str(&format!(
                "\n\n({name} is kept only in the original e-mail: too large or a program.)"
            )),
        }
    }
    let body = if body.trim().is_empty() {
        "(no text)".to_owned()
    } else {
        cut(body.trim(), rules::BODY_MAX)
    };
    Ok(Incoming {
        from,
        from_name,
        message_id,
        subject,
        body,
        references,
        files,
    })
}

/// The customer an address belongs to: a customer party with that e-mail,
/// or the customer company of a contact person with it.
async fn customer_of_address(app: &App, address: &str) -> AppResult<Option<i64>> {
    let matches = store::parties_with_email(&app.db, address).await?;
    if let Some((id, ..)) = matches
        .iter()
        .find(|(_, _, customer, archived)| *customer && !archived)
    {
        return Ok(Some(*id));
    }
    for (_, company, _, _) in &matches {
        if let Some(company) = company
            && let Some(p) = seam_store::parties::party(&app.db, *company).await?
            && p.is_customer
            && !p.archived
        {
            return Ok(Some(p.id));
        }
    }
    Ok(None)
}

/// The open ticket an e-mail answers, if any: by its references first, then
/// by the number in its subject when the sender is that ticket's customer.
/// A closed ticket takes no messages, so an answer to one opens a new ticket.
async fn thread_of(
    app: &App,
    incoming: &Incoming,
    sender_party: Option<i64>,
) -> AppResult<Option<TicketRow>> {
    for reference in &incoming.references {
        if let Some(row) = store::mail_by_message_id(&app.db, reference).await?
            && let Some(ticket) = ticket_store::ticket(&app.db, row.ticket_id).await?
            && ticket.state != TicketState::Closed.name()
        {
            return Ok(Some(ticket));
        }
    }
    if let Some(number) = mail_rules::ticket_number_in_subject(&incoming.subject)
        && let Some(id) = ticket_store::id_by_number(&app.db, &number).await?
        && let Some(ticket) = ticket_store::ticket(&app.db, id).await?
        && Some(ticket.party_id) == sender_party
        && ticket.state != TicketState::Closed.name()
    {
        return Ok(Some(ticket));
    }
    Ok(None)
}

/// Ingests one raw e-mail (RFC 5322) onto the service desk: threads it
/// onto its ticket as the customer's reply (reopening a resolved one) or
/// opens a new ticket for the sender's customer party. Needs `mail.ingest`.
///
/// Errors: [`AppError::Invalid`] naming `message` (`error-mail-too-large`,
/// `error-mail-malformed`) or `from` (`error-mail-no-sender`, `error-email`).
/// A sender no customer has the address of becomes a new customer (a person
/// with that name and address, tagged `from-email`) in the ticket's
/// transaction, so the desk can answer, merge or qualify them later.
/// Nothing is written on any error; a repeat of a Message-ID writes nothing
/// and answers [`Outcome::Duplicate`].
pub async fn ingest(app: &App, actor: &Actor, raw: &[u8]) -> AppResult<Ingested> {
    actor.require(Permission::MailIngest)?;
    let incoming = read_message(raw)?;
    if let Some(seen) = duplicate(app, &incoming.message_id).await? {
        return Ok(seen);
    }
    let sender_party = customer_of_address(app, &incoming.from).await?;
    let result = match thread_of(app, &incoming, sender_party).await? {
        Some(ticket) => append(app, actor, &ticket, &incoming, raw).await,
        None => open(app, actor, sender_party, &incoming, raw).await,
    };
    match result {
        // A concurrent ingest of the same message won the race; nothing of ours was kept.
        Err(AppError::Conflict("error-duplicate")) => duplicate(app, &incoming.message_id)
            .await?
            .ok_or(AppError::Conflict("error-mail-duplicate")),
        other => other,
    }
}

async fn duplicate(app: &App, message_id: &str) -> AppResult<Option<Ingested>> {
    let Some(row) = store::mail_by_message_id(&app.db, message_id).await? else {
        return Ok(None);
    };
    let number = ticket_store::ticket(&app.db, row.ticket_id)
        .await?
        .map(|t| t.number)
        .unwrap_or_default();
    Ok(Some(Ingested {
        outcome: Outcome::Duplicate,
        ticket_id: row.ticket_id,
        ticket_number: number,
        message_id: row.message_id,
    }))
}

/// Writes the message, its files and its e-mail record onto a ticket.
async fn write_message(
    tx: &mut Tx,
    ticket_id: i64,
    incoming: &Incoming,
    raw: &[u8],
) -> AppResult<i64> {
    let now = now_us();
    let message = ticket_store::insert_message(
        tx,
        &NewMessage {
            ticket_id,
            author_user_id: None,
            author_name: &incoming.from_name,
            by_customer: true,
            public: true,
            body: &incoming.body,
        },
        now,
    )
    .await?;
    store_attachments(tx, ticket_id, message, &incoming.files).await?;
    store::insert_mail(
        tx,
        &NewMail {
            ticket_id,
            ticket_message_id: message,
            message_id: &incoming.message_id,
            direction: "in",
            address: &incoming.from,
            raw: Some(raw),
        },
        now,
    )
    .await?;
    Ok(message)
}

async fn append(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    incoming: &Incoming,
    raw: &[u8],
) -> AppResult<Ingested> {
    let mut tx = app.db.begin().await?;
    let before = ticket_store::ticket_in_tx(&mut tx, ticket.id).await?;
    let state = service::state_of(&before)
        .after_message(true, true)
        .map_err(service::illegal)?;
    write_message(&mut tx, before.id, incoming, raw).await?;
    let update = TicketUpdate {
        state: state.name(),
        resolved_at_us: None,
        ..service::unchanged(&before)
    };
    let after = service::save(app, &mut tx, actor, &before, &update, "customer-reply").await?;
    if let Some(assignee) = after.assignee_user_id {
        let subject = format!("{} {}", after.number, after.subject);
        notifications::notify(
            app,
            &mut tx,
            &Notice {
                user_id: UserId(assignee),
                kind: "ticket-customer-reply",
                subject: &subject,
                link: &format!("/service/tickets/{}", after.id),
                email: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ingested {
        outcome: Outcome::Threaded,
        ticket_id: after.id,
        ticket_number: after.number,
        message_id: incoming.message_id.clone(),
    })
}

/// A new customer for a sender Seam does not know, in `tx`.
async fn new_contact(tx: &mut Tx, actor: &Actor, incoming: &Incoming) -> AppResult<i64> {
    let name = if incoming.from_name.trim().is_empty() {
        incoming.from.clone()
    } else {
        incoming.from_name.clone()
    };
    let valid = seam_domain::party::validate(&seam_domain::party::PartyDraft {
        kind: "person".into(),
        name,
        email: incoming.from.clone(),
        is_customer: true,
        tags: "from-email".into(),
        ..seam_domain::party::PartyDraft::default()
    })?;
    let id = seam_store::parties::insert_party(tx, &valid, now_us()).await?;
    let row = seam_store::parties::party_in_tx(tx, id).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "party",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(crate::parties::party_json(&row)),
        },
    )
    .await?;
    Ok(id)
}

async fn open(
    app: &App,
    actor: &Actor,
    party_id: Option<i64>,
    incoming: &Incoming,
    raw: &[u8],
) -> AppResult<Ingested> {
    let mut tx = app.db.begin().await?;
    let party_id = match party_id {
        Some(id) => id,
        None => new_contact(&mut tx, actor, incoming).await?,
    };
    let year = today().year;
    let seq = seam_store::ledger::next_number(&mut tx, &rules::series(year)).await?;
    let number = rules::ticket_number(year, seq);
    let id = ticket_store::insert(
        &mut tx,
        &NewTicket {
            number: &number,
            party_id,
            subject: &incoming.subject,
            queue: Queue::Service.name(),
            priority: Priority::Normal.name(),
            channel: Channel::Email.name(),
            invoice_id: None,
            order_id: None,
            opened_by: &actor.username,
        },
        now_us(),
    )
    .await?;
    write_message(&mut tx, id, incoming, raw).await?;
    let row = ticket_store::ticket_in_tx(&mut tx, id).await?;
    crate::sla::start(app, &mut tx, &row, now_us()).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "ticket",
            entity_id: id.to_string(),
            action: "open",
            before: None,
            after: Some(service::ticket_json(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ingested {
        outcome: Outcome::Opened,
        ticket_id: id,
        ticket_number: number,
        message_id: incoming.message_id.clone(),
    })
}

/// What a maildir run did, file by file.
#[derive(Debug, Default)]
pub struct MaildirReport {
    /// Files moved to `cur/`, with what each did.
    pub ingested: Vec<(String, Ingested)>,
    /// Files left in `new/`, with why.
    pub failed: Vec<(String, AppError)>,
}

/// Ingests every message in a maildir's `new/`, oldest name first. Each
/// message is one transaction; one that is written (or was already) moves to
/// `cur/` with the Seen flag (`NAME:2,S`), one that fails stays in `new/` and
/// is reported. Needs `mail.ingest`.
///
/// Errors: [`AppError::Invalid`] naming `maildir` when `DIR/new` or
/// `DIR/cur` cannot be read; per-message errors are in the report.
pub async fn ingest_maildir(app: &App, actor: &Actor, dir: &Path) -> AppResult<MaildirReport> {
    actor.require(Permission::MailIngest)?;
    let new = dir.join("new");
    let cur = dir.join("cur");
    if !cur.is_dir() {
        return Err(mail_error("maildir", "error-maildir"));
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&new)
        .map_err(|_| mail_error("maildir", "error-maildir"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut report = MaildirReport::default();
    for path in names {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Maildir readers skip dot files: they are being delivered.
        if name.starts_with('.') {
            continue;
        }
        let raw = match tokio::fs::read(&path).await {
            Ok(raw) => raw,
            Err(e) => {
                report.failed.push((
                    name,
                    AppError::Internal(anyhow::anyhow!("cannot read: {e}")),
                ));
                continue;
            }
        };
        match ingest(app, actor, &raw).await {
            Ok(done) => {
                let base = name.split(':').next().unwrap_or(&name);
                let target = cur.join(format!("{base}:2,S"));
                if let Err(e) = tokio::fs::rename(&path, &target).await {
                    report.failed.push((
                        name,
                        AppError::Internal(anyhow::anyhow!(
                            "ingested, but cannot move to cur/: {e}"
                        )),
                    ));
                } else {
                    report.ingested.push((name, done));
                }
            }
            Err(e) => report.failed.push((name, e)),
        }
    }
    Ok(report)
}

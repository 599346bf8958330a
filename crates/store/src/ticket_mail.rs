//! What a ticket holds besides its messages: attached files (stored in the
//! database, content read only for a download) and the e-mails of its thread
//! by Message-ID, in both directions, which is how replies thread and how an
//! e-mail ingested twice is recognised.

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// An attachment without its content.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_message_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at_us: i64,
    /// Whether the message it hangs on is public (the portal sees only those).
    pub public: bool,
}

const ATTACHMENT_SELECT: &str = "SELECT a.id, a.ticket_id, a.ticket_message_id, a.file_name, \
     a.content_type, a.size_bytes, a.sha256, a.created_at_us, m.public \
     FROM ticket_attachments a JOIN ticket_messages m ON m.id = a.ticket_message_id";

/// A file to attach to a message.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub ticket_id: i64,
    pub ticket_message_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
}

/// Writes one attachment. Its size is the content's length.
pub async fn insert_attachment(tx: &mut Tx, a: &NewAttachment<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO ticket_attachments (ticket_id, ticket_message_id, file_name, \
         content_type, size_bytes, sha256, created_at_us, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let size = i64::try_from(a.content.len())
        .map_err(|_| StoreError::Corrupt("attachment size".to_owned()))?;
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(a.ticket_id)
        .bind(a.ticket_message_id)
        .bind(a.file_name)
        .bind(a.content_type)
        .bind(size)
        .bind(a.sha256)
        .bind(now_us)
        .bind(a.content)
        .fetch_one(c)
        .await?))
}

/// A ticket's attachments, oldest first; only those of public messages when `public_only`.
pub async fn attachments_of(
    db: &Db,
    ticket_id: i64,
    public_only: bool,
) -> Result<Vec<AttachmentRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ATTACHMENT_SELECT} WHERE a.ticket_id = $1 AND ($2 = FALSE OR m.public) ORDER BY a.id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, AttachmentRow>(sql)
        .bind(ticket_id)
        .bind(public_only)
        .fetch_all(p)
        .await?))
}

/// One attachment's metadata.
pub async fn attachment(db: &Db, id: i64) -> Result<Option<AttachmentRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{ATTACHMENT_SELECT} WHERE a.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, AttachmentRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// One attachment's content.
pub async fn attachment_content(db: &Db, id: i64) -> Result<Option<Vec<u8>>> {
    const SQL: &str = "SELECT content FROM ticket_attachments WHERE id = $1";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, Vec<u8>>(SQL)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// An e-mail of a ticket's thread, without its raw text.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailRow {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_message_id: i64,
    pub message_id: String,
    /// `in` (ingested) or `out` (sent by Seam).
    pub direction: String,
    /// The sender of an incoming message, the recipient of an outgoing one.
    pub address: String,
    pub created_at_us: i64,
}

const MAIL_SELECT: &str = "SELECT id, ticket_id, ticket_message_id, message_id, direction, address, \
     created_at_us FROM ticket_mail";

/// An e-mail to record.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub ticket_id: i64,
    pub ticket_message_id: i64,
    pub message_id: &'a str,
    pub direction: &'a str,
    pub address: &'a str,
    pub raw: Option<&'a [u8]>,
}

/// Records an e-mail of a ticket.
///
/// Errors: [`StoreError::Duplicate`] when this Message-ID is recorded
/// already (`uq_ticket_mail_message_id`): on PostgreSQL the transaction is
/// then aborted, so the caller drops it.
pub async fn insert_mail(tx: &mut Tx, m: &NewMail<'_>, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO ticket_mail (ticket_id, ticket_message_id, message_id, direction, \
         address, created_at_us, raw) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(m.ticket_id)
        .bind(m.ticket_message_id)
        .bind(m.message_id)
        .bind(m.direction)
        .bind(m.address)
        .bind(now_us)
        .bind(m.raw)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert))
}

/// The recorded e-mail with this Message-ID, if any.
pub async fn mail_by_message_id(db: &Db, message_id: &str) -> Result<Option<MailRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{MAIL_SELECT} WHERE message_id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, MailRow>(sql)
        .bind(message_id)
        .fetch_optional(p)
        .await?))
}

/// A ticket's e-mails, oldest first.
pub async fn mail_of(db: &Db, ticket_id: i64) -> Result<Vec<MailRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{MAIL_SELECT} WHERE ticket_id = $1 ORDER BY id LIMIT 500"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, MailRow>(sql)
        .bind(ticket_id)
        .fetch_all(p)
        .await?))
}

/// One e-mail's row and its raw text (incoming messages only have one).
pub async fn mail_raw(db: &Db, id: i64) -> Result<Option<(MailRow, Option<Vec<u8>>)>> {
    let sql = sqlx::AssertSqlSafe(format!("{MAIL_SELECT} WHERE id = $1"));
    let row = on_read!(db, p => sqlx::query_as::<_, MailRow>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?);
    let Some(row) = row else { return Ok(None) };
    const RAW: &str = "SELECT raw FROM ticket_mail WHERE id = $1";
    let raw = on_read!(db, p => sqlx::query_scalar::<_, Option<Vec<u8>>>(RAW)
        .bind(id)
        .fetch_one(p)
        .await?);
    Ok(Some((row, raw)))
}

/// The parties whose e-mail is this address (compared without case), with
/// the company each works for: `(id, company_id, is_customer, archived)`.
pub async fn parties_with_email(
    db: &Db,
    address: &str,
) -> Result<Vec<(i64, Option<i64>, bool, bool)>> {
    const SQL: &str = "SELECT id, company_id, is_customer, archived FROM parties \
         WHERE LOWER(email) = LOWER($1) ORDER BY id LIMIT 20";
    Ok(
        on_read!(db, p => sqlx::query_as::<_, (i64, Option<i64>, bool, bool)>(SQL)
        .bind(address)
        .fetch_all(p)
        .await?),
    )
}

/// Marks a shipment as a no-charge replacement sent from a ticket.
pub async fn insert_replacement(
    tx: &mut Tx,
    shipment_id: i64,
    ticket_id: i64,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO replacement_shipments (shipment_id, ticket_id, created_at_us) \
         VALUES ($1, $2, $3)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(shipment_id)
        .bind(ticket_id)
        .bind(now_us)
        .execute(c)
        .await
        .map_err(StoreError::from_insert)?
        .rows_affected());
    Ok(())
}

/// How much of each order line has been sent as replacements:
/// `(line_no, qty)`, read in the caller's transaction.
pub async fn replaced_qty_in_tx(tx: &mut Tx, order_id: i64) -> Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT sl.order_line_no, CAST(SUM(sl.qty) AS BIGINT) FROM shipment_lines sl \
         JOIN shipments s ON s.id = sl.shipment_id \
         JOIN replacement_shipments r ON r.shipment_id = s.id WHERE s.order_id = $1 \
         GROUP BY sl.order_line_no ORDER BY sl.order_line_no";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (i64, i64)>(SQL)
        .bind(order_id)
        .fetch_all(c)
        .await?))
}

//! The audit journal: an append-only, hash-chained list of every change.
//! It is also each record's timeline and the outbox that automation reads
//! with a cursor.

use seam_domain::audit::{EventRecord, GENESIS_HASH};

use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// What a command records about one change.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub before: &'a str,
    pub after: &'a str,
}

#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub at_us: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub before_json: String,
    pub after_json: String,
    pub prev_hash: String,
    pub hash: String,
}

impl EventRow {
    pub fn record(&self) -> EventRecord<'_> {
        EventRecord {
            seq: self.seq,
            at_us: self.at_us,
            actor_id: self.actor_id,
            actor_name: &self.actor_name,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            action: &self.action,
            before: &self.before_json,
            after: &self.after_json,
        }
    }
}

const EVENT_COLUMNS: &str = "seq, at_us, actor_id, actor_name, entity_type, entity_id, action, before_json, after_json, prev_hash, hash";

#[derive(sqlx::FromRow)]
struct Head {
    last_seq: i64,
    last_hash: String,
}

/// An event a command recorded, kept with its transaction until commit.
#[derive(Debug, Clone)]
pub struct PendingEvent {
    actor_id: Option<i64>,
    actor_name: String,
    entity_type: String,
    entity_id: String,
    action: String,
    before: String,
    after: String,
}

impl PendingEvent {
    fn as_new(&self) -> NewEvent<'_> {
        NewEvent {
            actor_id: self.actor_id,
            actor_name: &self.actor_name,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            action: &self.action,
            before: &self.before,
            after: &self.after,
        }
    }
}

/// Records an event in the caller's transaction. It joins the chain when the
/// transaction commits ([`Tx::commit`]), after the events recorded before it,
/// so it is kept exactly when the command's other writes are.
pub fn append_event(tx: &mut Tx, event: &NewEvent<'_>) {
    let pending = PendingEvent {
        actor_id: event.actor_id,
        actor_name: event.actor_name.to_owned(),
        entity_type: event.entity_type.to_owned(),
        entity_id: event.entity_id.to_owned(),
        action: event.action.to_owned(),
        before: event.before.to_owned(),
        after: event.after.to_owned(),
    };
    match tx {
        Tx::Sqlite(t) => t.pending.push(pending),
        Tx::Pg(t) => t.pending.push(pending),
    }
}

/// Chains the events a transaction recorded, right before its COMMIT.
pub(crate) async fn append_pending(
    tx: &mut Tx,
    pending: &[PendingEvent],
    at_us: i64,
) -> Result<i64> {
    let events: Vec<NewEvent<'_>> = pending.iter().map(PendingEvent::as_new).collect();
    append_events(tx, &events, at_us).await
}

/// Appends `events` to the chain in order in the caller's transaction, at
/// once: the head row is locked first, so concurrent appends queue instead of
/// forking the chain; rows go in multi-row INSERTs and the head moves once.
/// Used at commit for a command's recorded events, and directly by bulk
/// commands such as an import. Returns the sequence number of the last (the
/// head's when empty).
pub async fn append_events(tx: &mut Tx, events: &[NewEvent<'_>], at_us: i64) -> Result<i64> {
    use crate::generate::{Rows, Val, insert_rows};
    const HEAD_SQLITE: &str = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1";
    const HEAD_PG: &str = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE";
    const COLUMNS: &[&str] = &[
        "seq",
        "at_us",
        "actor_id",
        "actor_name",
        "entity_type",
        "entity_id",
        "action",
        "before_json",
        "after_json",
        "prev_hash",
        "hash",
    ];
    let head = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as::<_, Head>(HEAD_SQLITE)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            sqlx::query_as::<_, Head>(HEAD_PG)
                .fetch_optional(&mut **t)
                .await?
        }
    }
    .ok_or_else(|| StoreError::Corrupt("audit_head row is missing".to_owned()))?;
    let mut seq = head.last_seq;
    let mut last_hash = head.last_hash;
    let mut rows = Rows::new("events", COLUMNS);
    for event in events {
        seq += 1;
        let record = EventRecord {
            seq,
            at_us,
            actor_id: event.actor_id,
            actor_name: event.actor_name,
            entity_type: event.entity_type,
            entity_id: event.entity_id,
            action: event.action,
            before: event.before,
            after: event.after,
        };
        let hash = record.chain_hash(&last_hash);
        rows.push(vec![
            Val::Int(seq),
            Val::Int(at_us),
            Val::from(event.actor_id),
            Val::from(event.actor_name),
            Val::from(event.entity_type),
            Val::from(event.entity_id),
            Val::from(event.action),
            Val::from(event.before),
            Val::from(event.after),
            Val::Text(std::mem::replace(&mut last_hash, hash.clone())),
            Val::Text(hash),
        ]);
    }
    if rows.is_empty() {
        return Ok(seq);
    }
    insert_rows(tx, &rows).await?;
    const MOVE_HEAD: &str = "UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1";
    on_tx!(tx, c => sqlx::query(MOVE_HEAD).bind(seq).bind(&last_hash).execute(c).await?.rows_affected());
    Ok(seq)
}

/// The newest events about one record, newest first: its timeline.
pub async fn events_of(
    db: &Db,
    entity_type: &str,
    entity_id: &str,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq DESC LIMIT $3"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, EventRow>(sql).bind(entity_type).bind(entity_id).bind(limit).fetch_all(p).await?),
    )
}

/// A party's timeline, newest first: the events about the party and about
/// its quotes, orders, invoices, credit notes and payments.
pub async fn party_timeline(db: &Db, party_id: i64, limit: i64) -> Result<Vec<EventRow>> {
    let documents = [
        ("sales_quote", "sales_quotes"),
        ("sales_order", "sales_orders"),
        ("invoice", "invoices"),
        ("payment", "payments"),
        ("ticket", "tickets"),
    ];
    let mut seqs =
        String::from("SELECT seq FROM events WHERE entity_type = 'party' AND entity_id = $1");
    for (entity, table) in documents {
        seqs.push_str(&format!(
            " UNION ALL SELECT e.seq FROM {table} d JOIN events e \
             ON e.entity_type = '{entity}' AND e.entity_id = CAST(d.id AS TEXT) WHERE d.party_id = $2"
        ));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE seq IN ({seqs}) ORDER BY seq DESC LIMIT $3"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, EventRow>(sql).bind(party_id.to_string()).bind(party_id).bind(limit).fetch_all(p).await?),
    )
}

/// Events after `after_seq`, oldest first: the outbox cursor.
pub async fn events_after(db: &Db, after_seq: i64, limit: i64) -> Result<Vec<EventRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, EventRow>(sql).bind(after_seq).bind(limit).fetch_all(p).await?),
    )
}

/// The newest events, newest first, before `before_seq` (for paging back through the journal).
pub async fn events_before(db: &Db, before_seq: i64, limit: i64) -> Result<Vec<EventRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE seq < $1 ORDER BY seq DESC LIMIT $2"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, EventRow>(sql).bind(before_seq).bind(limit).fetch_all(p).await?),
    )
}

/// Where the chain first breaks, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The event's stored hash is not the hash of its contents.
    Tampered { seq: i64 },
    /// The event does not point at the hash of the event before it.
    Unlinked { seq: i64 },
    /// A sequence number is missing before this one.
    Gap { seq: i64 },
    /// The head row does not name the last event.
    Head { seq: i64 },
}

/// The result of checking the whole journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub events: i64,
    pub first_break: Option<ChainBreak>,
}

/// Recomputes every hash from the first event on, in pages, and names the first break.
pub async fn verify_chain(db: &Db) -> Result<ChainReport> {
    const PAGE: i64 = 5_000;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut expected_seq = 1;
    loop {
        let page = events_after(db, expected_seq - 1, PAGE).await?;
        for row in &page {
            let broken = if row.seq != expected_seq {
                Some(ChainBreak::Gap { seq: row.seq })
            } else if row.prev_hash != prev_hash {
                Some(ChainBreak::Unlinked { seq: row.seq })
            } else if row.record().chain_hash(&prev_hash) != row.hash {
                Some(ChainBreak::Tampered { seq: row.seq })
            } else {
                None
            };
            if broken.is_some() {
                return Ok(ChainReport {
                    events: expected_seq - 1,
                    first_break: broken,
                });
            }
            prev_hash.clone_from(&row.hash);
            expected_seq += 1;
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    let head = on_read!(db, p => sqlx::query_as::<_, Head>("SELECT last_seq, last_hash FROM audit_head WHERE id = 1").fetch_optional(p).await?);
    let events = expected_seq - 1;
    let head_ok = head.is_some_and(|h| h.last_seq == events && h.last_hash == prev_hash);
    Ok(ChainReport {
        events,
        first_break: (!head_ok).then_some(ChainBreak::Head { seq: events }),
    })
}

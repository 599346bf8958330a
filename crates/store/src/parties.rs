//! Parties: companies and persons, with full-text search and keyset pagination.

use seam_domain::party::ValidParty;

use crate::{Backend, Db, Result, StoreError, Tx, on_read, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct PartyRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub sort_name: String,
    pub company_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tax_id: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub is_customer: bool,
    pub is_vendor: bool,
    pub tags: String,
    pub notes: Option<String>,
    pub archived: bool,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

const PARTY_COLUMNS: &str = "id, kind, name, sort_name, company_id, email, phone, tax_id, street, postal_code, city, \
     country, is_customer, is_vendor, tags, notes, archived, version, created_at_us, updated_at_us";

/// Page sizes are bounded so no request can ask for the whole table.
pub const PAGE_SIZE_MAX: i64 = 500;

/// The key lists sort by: lower-cased, so `acme` and `Acme` sit together.
pub fn sort_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Binds a party's columns in the order both writes list them:
/// kind, name, sort_name, company_id, email, phone, tax_id, street,
/// postal_code, city, country, is_customer, is_vendor, tags, notes.
macro_rules! bind_party {
    ($query:expr, $party:expr) => {
        $query
            .bind($party.kind.name())
            .bind(&$party.name)
            .bind(sort_name(&$party.name))
            .bind($party.company_id.map(|id| id.0))
            .bind(&$party.email)
            .bind(&$party.phone)
            .bind(&$party.tax_id)
            .bind(&$party.street)
            .bind(&$party.postal_code)
            .bind(&$party.city)
            .bind(&$party.country)
            .bind($party.is_customer)
            .bind($party.is_vendor)
            .bind($party.tags_text())
            .bind(&$party.notes)
    };
}

pub async fn insert_party(tx: &mut Tx, party: &ValidParty, now_us: i64) -> Result<i64> {
    const SQL: &str = "INSERT INTO parties (kind, name, sort_name, company_id, email, phone, tax_id, street, \
         postal_code, city, country, is_customer, is_vendor, tags, notes, archived, version, created_at_us, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, FALSE, 1, $16, $16) RETURNING id";
    Ok(
        on_tx!(tx, c => bind_party!(sqlx::query_scalar::<_, i64>(SQL), party)
        .bind(now_us)
        .fetch_one(c)
        .await?),
    )
}

/// Ids for `n` new parties, in increasing order: drawn from the table's
/// identity sequence on PostgreSQL (safe beside concurrent inserts), the
/// ones after the highest on SQLite (whose one writer runs one command at a time).
pub async fn reserve_party_ids(tx: &mut Tx, n: usize) -> Result<Vec<i64>> {
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    let mut ids = match tx {
        Tx::Sqlite(t) => {
            let max: i64 =
                sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM parties")
                    .fetch_one(&mut **t)
                    .await?;
            (1..=count).map(|i| max + i).collect::<Vec<i64>>()
        }
        Tx::Pg(t) => {
            sqlx::query_scalar::<_, i64>(
                "SELECT nextval(pg_get_serial_sequence('parties', 'id')) FROM generate_series(1, $1::BIGINT)",
            )
            .bind(count)
            .fetch_all(&mut **t)
            .await?
        }
    };
    ids.sort_unstable();
    Ok(ids)
}

/// The columns of a party row, in the order bulk inserts write them.
pub const PARTY_FIELDS: &[&str] = &[
    "id",
    "kind",
    "name",
    "sort_name",
    "company_id",
    "email",
    "phone",
    "tax_id",
    "street",
    "postal_code",
    "city",
    "country",
    "is_customer",
    "is_vendor",
    "tags",
    "notes",
    "archived",
    "version",
    "created_at_us",
    "updated_at_us",
];

/// Writes parties under ids from [`reserve_party_ids`] with multi-row INSERTs.
pub async fn insert_parties(
    tx: &mut Tx,
    parties: &[(i64, &ValidParty)],
    now_us: i64,
) -> Result<()> {
    use crate::generate::{Rows, Val, insert_rows};
    let mut rows = Rows::new("parties", PARTY_FIELDS);
    for (id, p) in parties {
        rows.push(vec![
            Val::Int(*id),
            Val::from(p.kind.name()),
            Val::Text(p.name.clone()),
            Val::Text(sort_name(&p.name)),
            Val::from(p.company_id.map(|c| c.0)),
            Val::from(p.email.clone()),
            Val::from(p.phone.clone()),
            Val::from(p.tax_id.clone()),
            Val::from(p.street.clone()),
            Val::from(p.postal_code.clone()),
            Val::from(p.city.clone()),
            Val::from(p.country.clone()),
            Val::Bool(p.is_customer),
            Val::Bool(p.is_vendor),
            Val::Text(p.tags_text()),
            Val::from(p.notes.clone()),
            Val::Bool(false),
            Val::Int(1),
            Val::Int(now_us),
            Val::Int(now_us),
        ]);
    }
    insert_rows(tx, &rows).await?;
    Ok(())
}

/// The parties with ids from `first` to `last`, by id, as the transaction sees them.
pub async fn parties_between_in_tx(tx: &mut Tx, first: i64, last: i64) -> Result<Vec<PartyRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PARTY_COLUMNS} FROM parties WHERE id >= $1 AND id <= $2 ORDER BY id"
    ));
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, PartyRow>(sql).bind(first).bind(last).fetch_all(c).await?),
    )
}

/// Overwrites a party if it is still at `version`. Errors: [`StoreError::Stale`]
/// when someone saved it in between, [`StoreError::NotFound`].
pub async fn update_party(
    tx: &mut Tx,
    id: i64,
    version: i64,
    party: &ValidParty,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE parties SET kind = $3, name = $4, sort_name = $5, company_id = $6, email = $7, \
         phone = $8, tax_id = $9, street = $10, postal_code = $11, city = $12, country = $13, is_customer = $14, \
         is_vendor = $15, tags = $16, notes = $17, version = version + 1, updated_at_us = $18 \
         WHERE id = $1 AND version = $2";
    let done = on_tx!(tx, c => bind_party!(sqlx::query(SQL).bind(id).bind(version), party)
        .bind(now_us)
        .execute(c)
        .await?
        .rows_affected());
    if done == 0 {
        party_in_tx(tx, id).await?;
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Archives or restores a party; it is never deleted, so its history stays whole.
pub async fn set_party_archived(tx: &mut Tx, id: i64, archived: bool, now_us: i64) -> Result<()> {
    const SQL: &str =
        "UPDATE parties SET archived = $2, version = version + 1, updated_at_us = $3 WHERE id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL).bind(id).bind(archived).bind(now_us).execute(c).await?.rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn party(db: &Db, id: i64) -> Result<Option<PartyRow>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {PARTY_COLUMNS} FROM parties WHERE id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, PartyRow>(sql).bind(id).fetch_optional(p).await?))
}

/// A party read inside a write transaction (locked on PostgreSQL until commit).
pub async fn party_in_tx(tx: &mut Tx, id: i64) -> Result<PartyRow> {
    let sqlite = sqlx::AssertSqlSafe(format!("SELECT {PARTY_COLUMNS} FROM parties WHERE id = $1"));
    let pg = sqlx::AssertSqlSafe(format!(
        "SELECT {PARTY_COLUMNS} FROM parties WHERE id = $1 FOR NO KEY UPDATE"
    ));
    let row = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as::<_, PartyRow>(sqlite)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            sqlx::query_as::<_, PartyRow>(pg)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
    };
    row.ok_or(StoreError::NotFound)
}

/// The persons who work for a company.
pub async fn contacts_of(db: &Db, company_id: i64) -> Result<Vec<PartyRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PARTY_COLUMNS} FROM parties WHERE company_id = $1 ORDER BY sort_name, id LIMIT {PAGE_SIZE_MAX}"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, PartyRow>(sql).bind(company_id).fetch_all(p).await?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PartySort {
    #[default]
    NameAsc,
    NameDesc,
    NewestFirst,
    OldestFirst,
}

impl PartySort {
    pub fn name(self) -> &'static str {
        match self {
            PartySort::NameAsc => "name",
            PartySort::NameDesc => "-name",
            PartySort::NewestFirst => "-created",
            PartySort::OldestFirst => "created",
        }
    }

    pub fn parse(s: &str) -> Option<PartySort> {
        [
            PartySort::NameAsc,
            PartySort::NameDesc,
            PartySort::NewestFirst,
            PartySort::OldestFirst,
        ]
        .into_iter()
        .find(|o| o.name() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArchiveFilter {
    #[default]
    Active,
    Archived,
    All,
}

impl ArchiveFilter {
    /// The start of a WHERE clause for a table with an `archived` column.
    pub(crate) fn clause(self) -> &'static str {
        match self {
            ArchiveFilter::Active => "archived = FALSE",
            ArchiveFilter::Archived => "archived = TRUE",
            ArchiveFilter::All => "TRUE",
        }
    }
}

/// What a party list shows. Every field narrows; the default is all active parties by name.
#[derive(Debug, Clone, Default)]
pub struct PartyFilter {
    /// Words to find anywhere in name, e-mail, phone, tax id, tags or city (prefix match).
    pub text: Option<String>,
    pub kind: Option<String>,
    pub customers_only: bool,
    pub vendors_only: bool,
    pub tag: Option<String>,
    pub company_id: Option<i64>,
    pub archive: ArchiveFilter,
}

/// Where the next page starts: the sort key and id of the last row shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyCursor {
    pub key: String,
    pub id: i64,
}

impl PartyCursor {
    /// Opaque to clients: hex of `key \x1f id`.
    pub fn encode(&self) -> String {
        hex::encode(format!("{}\u{1f}{}", self.key, self.id))
    }

    pub fn decode(s: &str) -> Option<PartyCursor> {
        let bytes = hex::decode(s).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (key, id) = text.split_once('\u{1f}')?;
        Some(PartyCursor {
            key: key.to_owned(),
            id: id.parse().ok()?,
        })
    }

    fn of(row: &PartyRow, sort: PartySort) -> PartyCursor {
        let key = match sort {
            PartySort::NameAsc | PartySort::NameDesc => row.sort_name.clone(),
            PartySort::NewestFirst | PartySort::OldestFirst => row.created_at_us.to_string(),
        };
        PartyCursor { key, id: row.id }
    }
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone)]
pub struct PartyPage {
    pub rows: Vec<PartyRow>,
    pub next: Option<PartyCursor>,
    pub total: i64,
}

/// A value bound to a [`Where`] clause.
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// A WHERE clause being built from static fragments, with its bound values.
pub(crate) struct Where {
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
}

impl Where {
    /// Starts with the fragments that need no bound value (e.g. `archived = FALSE`).
    pub(crate) fn new(sql: &str) -> Where {
        Where {
            sql: sql.to_owned(),
            args: Vec::new(),
        }
    }

    /// Adds ` AND fragment`, with `$?` standing for `arg`'s placeholder.
    pub(crate) fn push(&mut self, fragment: &str, arg: Arg) {
        self.args.push(arg);
        let n = self.args.len();
        self.sql.push_str(" AND ");
        self.sql.push_str(&fragment.replace("$?", &format!("${n}")));
    }
}

/// Turns what a user typed into prefix terms of letters and digits only, so
/// no search syntax of either backend can be injected. `None` when nothing is left.
pub fn search_terms(text: &str) -> Option<Vec<String>> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    (!terms.is_empty()).then_some(terms)
}

/// The bound text of a prefix search for `terms`: `"word"* "other"*` for
/// FTS5, `word:* & other:*` for PostgreSQL. Every term must match.
pub(crate) fn prefix_query(backend: Backend, terms: &[String]) -> String {
    let (form, join): (fn(&String) -> String, &str) = match backend {
        Backend::Sqlite => (|t| format!("\"{t}\"*"), " "),
        Backend::Postgres => (|t| format!("{t}:*"), " & "),
    };
    terms.iter().map(form).collect::<Vec<_>>().join(join)
}

fn match_clause(backend: Backend, terms: &[String]) -> (&'static str, String) {
    let clause = match backend {
        Backend::Sqlite => "id IN (SELECT rowid FROM party_fts WHERE party_fts MATCH $?)",
        Backend::Postgres => "search @@ to_tsquery('simple', $?)",
    };
    (clause, prefix_query(backend, terms))
}

fn filter_clause(backend: Backend, filter: &PartyFilter) -> Where {
    let mut w = Where::new(filter.archive.clause());
    if filter.customers_only {
        w.sql.push_str(" AND is_customer = TRUE");
    }
    if filter.vendors_only {
        w.sql.push_str(" AND is_vendor = TRUE");
    }
    if let Some(kind) = &filter.kind {
        w.push("kind = $?", Arg::Text(kind.clone()));
    }
    if let Some(tag) = &filter.tag {
        w.push(
            "(',' || tags || ',') LIKE ('%,' || $? || ',%')",
            Arg::Text(tag.to_lowercase()),
        );
    }
    if let Some(company_id) = filter.company_id {
        w.push("company_id = $?", Arg::Int(company_id));
    }
    if let Some(terms) = filter.text.as_deref().and_then(search_terms) {
        let (clause, query) = match_clause(backend, &terms);
        w.push(clause, Arg::Text(query));
    }
    w
}

/// Binds a [`Where`] clause's values to a query, in order.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                $crate::parties::Arg::Int(v) => q.bind(*v),
                $crate::parties::Arg::Text(v) => q.bind(v.as_str()),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// One page of parties, `limit` rows (at most [`PAGE_SIZE_MAX`]), after `cursor`.
pub async fn list_parties(
    db: &Db,
    filter: &PartyFilter,
    sort: PartySort,
    cursor: Option<&PartyCursor>,
    limit: i64,
) -> Result<PartyPage> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut w = filter_clause(db.backend(), filter);
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM parties WHERE {}", w.sql));
    let total = on_read!(db, p => bind_args!(sqlx::query_scalar::<_, i64>(count_sql), &w.args).fetch_one(p).await?);
    let (key_column, direction, cmp) = match sort {
        PartySort::NameAsc => ("sort_name", "ASC", ">"),
        PartySort::NameDesc => ("sort_name", "DESC", "<"),
        PartySort::NewestFirst => ("created_at_us", "DESC", "<"),
        PartySort::OldestFirst => ("created_at_us", "ASC", ">"),
    };
    if let Some(cursor) = cursor {
        let key = match sort {
            PartySort::NameAsc | PartySort::NameDesc => Arg::Text(cursor.key.clone()),
            PartySort::NewestFirst | PartySort::OldestFirst => {
                Arg::Int(cursor.key.parse().unwrap_or(0))
            }
        };
        w.args.push(key);
        let n = w.args.len();
        w.push(
            &format!("({key_column}, id) {cmp} (${n}, $?)"),
            Arg::Int(cursor.id),
        );
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PARTY_COLUMNS} FROM parties WHERE {} ORDER BY {key_column} {direction}, id {direction} LIMIT {}",
        w.sql,
        limit + 1
    ));
    let mut rows = on_read!(db, p => bind_args!(sqlx::query_as::<_, PartyRow>(sql), &w.args).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|r| PartyCursor::of(r, sort))
    } else {
        None
    };
    Ok(PartyPage { rows, next, total })
}

/// The best few matches for the global search box (active and archived alike).
pub async fn search_parties(db: &Db, text: &str, limit: i64) -> Result<Vec<PartyRow>> {
    let Some(terms) = search_terms(text) else {
        return Ok(Vec::new());
    };
    let (clause, query) = match_clause(db.backend(), &terms);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PARTY_COLUMNS} FROM parties WHERE {} ORDER BY archived, sort_name, id LIMIT $2",
        clause.replace("$?", "$1")
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, PartyRow>(sql).bind(query).bind(limit.clamp(1, PAGE_SIZE_MAX)).fetch_all(p).await?),
    )
}

/// `$1, $2, … $n`, for an `IN (…)` list of bound values.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Active companies whose sort name is one of `sort_names`, as (sort name, id) pairs.
pub async fn companies_named(tx: &mut Tx, sort_names: &[String]) -> Result<Vec<(String, i64)>> {
    let mut found = Vec::with_capacity(sort_names.len());
    for chunk in sort_names.chunks(500) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT sort_name, id FROM parties WHERE kind = 'company' AND archived = FALSE AND sort_name IN ({})",
            placeholders(chunk.len())
        ));
        let rows: Vec<(String, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as::<_, (String, i64)>(sql);
            for name in chunk {
                q = q.bind(name.as_str());
            }
            q.fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// Ids among `ids` that are companies, so a command can tell which references are unknown.
pub async fn existing_company_ids(tx: &mut Tx, ids: &[i64]) -> Result<Vec<i64>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id FROM parties WHERE kind = 'company' AND id IN ({})",
            placeholders(chunk.len())
        ));
        let rows: Vec<i64> = on_tx!(tx, c => {
            let mut q = sqlx::query_scalar::<_, i64>(sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

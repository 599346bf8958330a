-- Foundation: users, sessions, API tokens, parties, the audit journal.
-- Same tables, columns and constraint names as ../postgres/0001_foundation.sql.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('staff', 'portal')),
    party_id BIGINT,
    roles TEXT NOT NULL,
    locale TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until_us BIGINT,
    totp_secret TEXT,
    totp_last_step BIGINT,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_users_username UNIQUE (username)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    mfa_pending BOOLEAN NOT NULL,
    flash TEXT,
    created_at_us BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL
);
CREATE INDEX ix_sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    prefix TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    last_used_at_us BIGINT,
    revoked_at_us BIGINT,
    CONSTRAINT uq_api_tokens_hash UNIQUE (token_hash)
);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);

CREATE TABLE parties (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('company', 'person')),
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    company_id BIGINT REFERENCES parties (id),
    email TEXT,
    phone TEXT,
    tax_id TEXT,
    street TEXT,
    postal_code TEXT,
    city TEXT,
    country TEXT,
    is_customer BOOLEAN NOT NULL,
    is_vendor BOOLEAN NOT NULL,
    tags TEXT NOT NULL,
    notes TEXT,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX ix_parties_sort_name ON parties (sort_name, id);
CREATE INDEX ix_parties_created ON parties (created_at_us, id);
CREATE INDEX ix_parties_company ON parties (company_id);

-- Full-text search over parties: an external-content FTS5 table kept in step by triggers.
CREATE VIRTUAL TABLE party_fts USING fts5(
    name, email, phone, tax_id, tags, city,
    content = 'parties', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER parties_fts_insert AFTER INSERT ON parties BEGIN
    INSERT INTO party_fts (rowid, name, email, phone, tax_id, tags, city)
    VALUES (new.id, new.name, new.email, new.phone, new.tax_id, replace(new.tags, ',', ' '), new.city);
END;
CREATE TRIGGER parties_fts_delete AFTER DELETE ON parties BEGIN
    INSERT INTO party_fts (party_fts, rowid, name, email, phone, tax_id, tags, city)
    VALUES ('delete', old.id, old.name, old.email, old.phone, old.tax_id, replace(old.tags, ',', ' '), old.city);
END;
CREATE TRIGGER parties_fts_update AFTER UPDATE ON parties BEGIN
    INSERT INTO party_fts (party_fts, rowid, name, email, phone, tax_id, tags, city)
    VALUES ('delete', old.id, old.name, old.email, old.phone, old.tax_id, replace(old.tags, ',', ' '), old.city);
    INSERT INTO party_fts (rowid, name, email, phone, tax_id, tags, city)
    VALUES (new.id, new.name, new.email, new.phone, new.tax_id, replace(new.tags, ',', ' '), new.city);
END;

-- The audit journal. seq is gapless; hash chains each event to the one before.
CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    at_us BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX ix_events_entity ON events (entity_type, entity_id, seq);

-- One row: the head of the chain, locked by every append so appends serialise.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    content_type TEXT,
    body TEXT,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

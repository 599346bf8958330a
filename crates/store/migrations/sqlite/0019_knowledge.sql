-- The service desk's knowledge: articles in categories, saved (canned)
-- replies, and the customers' ratings of their resolved tickets.
--
-- An article is a draft or published, for staff only (internal) or for
-- customers too (public); the portal shows only published public ones.
-- version counts edits (optimistic concurrency). Its title and body are
-- searched through kb_article_fts, an external-content FTS5 table kept in
-- step by triggers (on PostgreSQL a weighted tsvector column instead).
-- A ticket is rated once, 1 to 5, after it was resolved or closed.
-- Timestamps are microseconds since the Unix epoch.
-- Same tables, columns and constraint names as ../postgres/0019_knowledge.sql.

CREATE TABLE kb_categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_kb_categories_name UNIQUE (name)
);

CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY,
    category_id BIGINT NOT NULL REFERENCES kb_categories (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    audience TEXT NOT NULL,
    author_name TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    published_at_us BIGINT,
    CONSTRAINT ck_kb_articles_state CHECK (state IN ('draft', 'published')),
    CONSTRAINT ck_kb_articles_audience CHECK (audience IN ('internal', 'public'))
);
CREATE INDEX ix_kb_articles_category ON kb_articles (category_id, id);
CREATE INDEX ix_kb_articles_state ON kb_articles (state, audience, id);

CREATE VIRTUAL TABLE kb_article_fts USING fts5(
    title, body,
    content = 'kb_articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_article_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_article_fts (kb_article_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER kb_articles_fts_update AFTER UPDATE ON kb_articles BEGIN
    INSERT INTO kb_article_fts (kb_article_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO kb_article_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TABLE canned_replies (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_canned_replies_title UNIQUE (title)
);

CREATE TABLE ticket_ratings (
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    rating BIGINT NOT NULL,
    comment TEXT NOT NULL,
    rated_by_user_id BIGINT REFERENCES users (id),
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_ticket_ratings_ticket UNIQUE (ticket_id),
    CONSTRAINT ck_ticket_ratings_rating CHECK (rating BETWEEN 1 AND 5)
);

-- Marketing: segments, e-mail campaigns, consent and suppression.
--
-- segments: a saved filter over parties; definition is the typed filter as
-- JSON (see seam_app::marketing), never SQL, so the query is built from
-- static fragments with bound values.
-- campaigns: an e-mail to a segment; code is the campaign code leads carry
-- (leads.campaign), which attribution follows. state: draft, scheduled
-- (sends at scheduled_at_us), sending, sent.
-- campaign_recipients: the snapshot taken when sending starts, one row per
-- address; token is the address's unsubscribe token (/u/{token}). status:
-- queued, sent, bounced, suppressed (on the suppression list at snapshot or
-- at send time), failed.
-- marketing_consents: append-only history of consent to marketing e-mail per
-- address (email_key: trimmed, lower case); the newest row is in force.
-- suppressions: addresses no campaign may write to, with why.
-- Timestamps are microseconds since the Unix epoch.
-- Same tables, columns and constraint names as ../postgres/0021_marketing.sql.

CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    from_address TEXT NOT NULL,
    segment_id BIGINT NOT NULL REFERENCES segments (id),
    state TEXT NOT NULL,
    scheduled_at_us BIGINT,
    started_at_us BIGINT,
    finished_at_us BIGINT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_campaigns_code UNIQUE (code),
    CONSTRAINT ck_campaigns_state CHECK (state IN ('draft', 'scheduled', 'sending', 'sent'))
);

CREATE TABLE campaign_recipients (
    id INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    party_id BIGINT REFERENCES parties (id),
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    company TEXT NOT NULL,
    token TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT NOT NULL,
    sent_at_us BIGINT,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_campaign_recipients_email UNIQUE (campaign_id, email_key),
    CONSTRAINT uq_campaign_recipients_token UNIQUE (token),
    CONSTRAINT ck_campaign_recipients_status CHECK (
        status IN ('queued', 'sent', 'bounced', 'suppressed', 'failed')
    )
);
CREATE INDEX ix_campaign_recipients_status ON campaign_recipients (campaign_id, status, id);
CREATE INDEX ix_campaign_recipients_email ON campaign_recipients (email_key);

CREATE TABLE marketing_consents (
    id INTEGER PRIMARY KEY,
    email_key TEXT NOT NULL,
    email TEXT NOT NULL,
    party_id BIGINT REFERENCES parties (id),
    state TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    CONSTRAINT ck_marketing_consents_state CHECK (state IN ('granted', 'withdrawn'))
);
CREATE INDEX ix_marketing_consents_email ON marketing_consents (email_key, id);

CREATE TABLE suppressions (
    email_key TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT ck_suppressions_reason CHECK (reason IN ('unsubscribe', 'bounce', 'manual'))
);

-- Attribution finds a campaign's leads by their code.
CREATE INDEX ix_leads_campaign ON leads (campaign);

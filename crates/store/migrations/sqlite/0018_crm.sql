-- The CRM and the sales pipeline.
--
-- leads: someone who may buy, until qualified (party_id set: they became a
-- party and an opportunity), disqualified, or merged into another lead
-- (merged_into_id; no foreign key, so a backup restores leads in id order
-- whichever way a merge went). email_key, phone_key and name_key are the normalised
-- forms duplicate detection looks up (see seam_domain::crm); name_block is
-- the first letters of name_key, the block a fuzzy name comparison searches.
-- form_ip_hash is set on web-form leads, for the form's rate limit.
-- opportunities: a chance to sell to a party, in a pipeline stage, with an
-- exact expected amount; won ones point at the draft quote made from them.
-- opportunity_lines: the products and quantities the quote is made from.
-- crm_activities: calls, meetings, tasks and notes about exactly one lead,
-- opportunity or party; reminded_at_us is set once the due-day reminder went out.
-- Timestamps are microseconds since the Unix epoch; dates are YYYY-MM-DD.
-- Same tables, columns and constraint names as ../postgres/0018_crm.sql.

CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    company TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    email_key TEXT,
    phone_key TEXT,
    name_key TEXT NOT NULL,
    name_block TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    campaign TEXT NOT NULL,
    notes TEXT NOT NULL,
    owner_user_id BIGINT REFERENCES users (id),
    party_id BIGINT REFERENCES parties (id),
    merged_into_id BIGINT,
    form_ip_hash TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT ck_leads_source CHECK (source IN ('web_form', 'api', 'import', 'manual')),
    CONSTRAINT ck_leads_state CHECK (state IN ('open', 'qualified', 'disqualified', 'merged')),
    CONSTRAINT ck_leads_qualified CHECK ((state = 'qualified') = (party_id IS NOT NULL)),
    CONSTRAINT ck_leads_merged CHECK ((state = 'merged') = (merged_into_id IS NOT NULL))
);
CREATE INDEX ix_leads_email_key ON leads (email_key);
CREATE INDEX ix_leads_phone_key ON leads (phone_key);
CREATE INDEX ix_leads_name_block ON leads (name_block);
CREATE INDEX ix_leads_state ON leads (state, id);
CREATE INDEX ix_leads_form_ip ON leads (form_ip_hash, created_at_us);

CREATE TABLE opportunities (
    id INTEGER PRIMARY KEY,
    party_id BIGINT NOT NULL REFERENCES parties (id),
    lead_id BIGINT REFERENCES leads (id),
    title TEXT NOT NULL,
    stage TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    expected_close TEXT NOT NULL,
    owner_user_id BIGINT NOT NULL REFERENCES users (id),
    lost_reason TEXT NOT NULL,
    quote_id BIGINT REFERENCES sales_quotes (id),
    closed_at_us BIGINT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT ck_opportunities_stage CHECK (
        stage IN ('prospecting', 'qualification', 'proposal', 'negotiation', 'won', 'lost')
    ),
    CONSTRAINT ck_opportunities_amount CHECK (amount_minor >= 0),
    CONSTRAINT ck_opportunities_closed CHECK (
        (stage IN ('won', 'lost')) = (closed_at_us IS NOT NULL)
    )
);
CREATE INDEX ix_opportunities_stage ON opportunities (stage, id);
CREATE INDEX ix_opportunities_party ON opportunities (party_id);
CREATE INDEX ix_opportunities_owner ON opportunities (owner_user_id);

CREATE TABLE opportunity_lines (
    id INTEGER PRIMARY KEY,
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id),
    position BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    qty BIGINT NOT NULL,
    CONSTRAINT ck_opportunity_lines_qty CHECK (qty > 0),
    CONSTRAINT uq_opportunity_lines_position UNIQUE (opportunity_id, position)
);

CREATE TABLE crm_activities (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    due_date TEXT,
    done_at_us BIGINT,
    reminded_at_us BIGINT,
    owner_user_id BIGINT NOT NULL REFERENCES users (id),
    lead_id BIGINT REFERENCES leads (id),
    opportunity_id BIGINT REFERENCES opportunities (id),
    party_id BIGINT REFERENCES parties (id),
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT ck_crm_activities_kind CHECK (kind IN ('call', 'meeting', 'task', 'note')),
    CONSTRAINT ck_crm_activities_one_record CHECK (
        (CASE WHEN lead_id IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN opportunity_id IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN party_id IS NULL THEN 0 ELSE 1 END) = 1
    )
);
CREATE INDEX ix_crm_activities_lead ON crm_activities (lead_id);
CREATE INDEX ix_crm_activities_opportunity ON crm_activities (opportunity_id);
CREATE INDEX ix_crm_activities_party ON crm_activities (party_id);
CREATE INDEX ix_crm_activities_open ON crm_activities (owner_user_id, done_at_us, due_date);

-- Service levels and the customer's rating link.
--
-- sla_policies: first-response and resolution targets in business minutes
-- per priority, for one queue or (queue '') for every queue without its own.
-- The working-hours calendar lives in settings (sla.zone, sla.hours,
-- sla.holidays).
--
-- ticket_slas: one row per ticket measured against a policy, holding both
-- clocks in the shape seam_domain::sla::Clock describes: the business time
-- used before the current run, since when it runs (NULL while the ticket
-- waits on the customer or is resolved), and the precomputed instants it
-- turns at risk and breaches. The breached and at-risk lists are therefore
-- comparisons of integers with "now", served by the indexes below.
--
-- csat_links: the e-mailed rating links; only the SHA-256 of the token is
-- kept. Timestamps are microseconds since the Unix epoch.
-- Same tables, columns and constraint names as ../postgres/0022_sla.sql.

CREATE TABLE sla_policies (
    id INTEGER PRIMARY KEY,
    priority TEXT NOT NULL,
    queue TEXT NOT NULL,
    first_response_min BIGINT NOT NULL,
    resolution_min BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_sla_policies_priority_queue UNIQUE (priority, queue),
    CONSTRAINT ck_sla_policies_priority CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT ck_sla_policies_queue CHECK (queue IN ('', 'service', 'accounting', 'warehouse', 'it')),
    CONSTRAINT ck_sla_policies_targets CHECK (first_response_min > 0 AND resolution_min >= first_response_min)
);
-- The default targets, with office hours of 9 business hours a day.
INSERT INTO sla_policies (priority, queue, first_response_min, resolution_min, updated_at_us) VALUES
    ('urgent', '', 30, 240, 0),
    ('high', '', 60, 540, 0),
    ('normal', '', 240, 1620, 0),
    ('low', '', 540, 2700, 0);

CREATE TABLE ticket_slas (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    first_response_target_min BIGINT NOT NULL,
    first_response_used_us BIGINT NOT NULL,
    first_response_since_us BIGINT,
    first_response_due_at_us BIGINT,
    first_response_warn_at_us BIGINT,
    resolution_target_min BIGINT NOT NULL,
    resolution_used_us BIGINT NOT NULL,
    resolution_since_us BIGINT,
    resolution_due_at_us BIGINT,
    resolution_warn_at_us BIGINT,
    paused_at_us BIGINT,
    paused_us BIGINT NOT NULL,
    at_risk_notified_at_us BIGINT,
    breach_notified_at_us BIGINT,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX ix_ticket_slas_first_response_due ON ticket_slas (first_response_due_at_us);
CREATE INDEX ix_ticket_slas_resolution_due ON ticket_slas (resolution_due_at_us);
CREATE INDEX ix_ticket_slas_first_response_warn ON ticket_slas (first_response_warn_at_us);
CREATE INDEX ix_ticket_slas_resolution_warn ON ticket_slas (resolution_warn_at_us);

CREATE TABLE csat_links (
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    token_hash TEXT NOT NULL,
    expires_at_us BIGINT NOT NULL,
    used_at_us BIGINT,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_csat_links_token UNIQUE (token_hash)
);
CREATE INDEX ix_csat_links_ticket ON csat_links (ticket_id);

-- Reception's visitor log: one row per visit. A visit is either registered
-- ahead (expected_at_us set, not yet checked in) or starts at check-in.
-- visitor_company is what the visitor said; party_id links a known company.
-- badge_number (V-YYYYMMDD-NNN) is given at check-in and never reused.
-- created_by is the actor's username. Timestamps are microseconds since the
-- Unix epoch.
-- Same tables, columns and constraint names as ../postgres/0014_reception.sql.

CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    visitor_name TEXT NOT NULL,
    visitor_company TEXT NOT NULL,
    party_id BIGINT REFERENCES parties (id),
    host_user_id BIGINT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    badge_number TEXT,
    expected_at_us BIGINT,
    checked_in_at_us BIGINT,
    checked_out_at_us BIGINT,
    agreement_acknowledged BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT ck_visits_out_after_in CHECK (
        checked_out_at_us IS NULL
        OR (checked_in_at_us IS NOT NULL AND checked_out_at_us >= checked_in_at_us)
    )
);
CREATE UNIQUE INDEX ux_visits_badge ON visits (badge_number);
CREATE INDEX ix_visits_checked_in ON visits (checked_in_at_us);
CREATE INDEX ix_visits_expected ON visits (expected_at_us);

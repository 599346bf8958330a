-- Jobs: the durable queue and outbox that every app node works through.
-- A use case enqueues a job in its own transaction (the outbox: the job is
-- committed with the business change or not at all); any node claims due
-- jobs under a lease (locked_by, locked_until_us), runs them and records the
-- outcome. A job whose lease runs out (its node stopped) is claimed again.
-- state: queued (waiting for run_at_us), running (claimed), done, failed (an
-- attempt failed; retried at run_at_us), dead (out of attempts; an operator
-- may retry it). Timestamps are microseconds since the Unix epoch.
-- Same tables, columns and constraint names as ../postgres/0011_jobs.sql.

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    run_at_us BIGINT NOT NULL,
    locked_by TEXT,
    locked_until_us BIGINT,
    last_error TEXT,
    created_at_us BIGINT NOT NULL,
    done_at_us BIGINT,
    CONSTRAINT ck_jobs_state CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
    CONSTRAINT ck_jobs_attempts CHECK (attempts >= 0 AND max_attempts >= 1)
);
CREATE INDEX ix_jobs_claim ON jobs (state, run_at_us);

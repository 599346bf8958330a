-- The customer service desk. A ticket belongs to one customer party and
-- waits in one team's queue (service, accounting, warehouse, it); escalating
-- moves it to another queue and keeps its thread. It may point at the
-- invoice or the order it is about, so the resolution (a credit note, a
-- replacement) is done from it. state: open, pending (waiting on the
-- customer), resolved, closed. number is TK-YYYY-NNNNNN, gapless per year.
-- Messages are public (the customer sees them in the portal) or internal
-- notes. Timestamps are microseconds since the Unix epoch.
-- Same tables, columns and constraint names as ../postgres/0017_service.sql.

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    party_id BIGINT NOT NULL REFERENCES parties (id),
    subject TEXT NOT NULL,
    queue TEXT NOT NULL,
    priority TEXT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    assignee_user_id BIGINT REFERENCES users (id),
    invoice_id BIGINT REFERENCES invoices (id),
    order_id BIGINT REFERENCES sales_orders (id),
    opened_by TEXT NOT NULL,
    first_response_at_us BIGINT,
    resolved_at_us BIGINT,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_tickets_number UNIQUE (number),
    CONSTRAINT ck_tickets_queue CHECK (queue IN ('service', 'accounting', 'warehouse', 'it')),
    CONSTRAINT ck_tickets_priority CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT ck_tickets_channel CHECK (channel IN ('portal', 'email', 'phone', 'front-desk')),
    CONSTRAINT ck_tickets_state CHECK (state IN ('open', 'pending', 'resolved', 'closed'))
);
CREATE INDEX ix_tickets_queue ON tickets (queue, state, id);
CREATE INDEX ix_tickets_party ON tickets (party_id, id);

CREATE TABLE ticket_messages (
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    author_user_id BIGINT REFERENCES users (id),
    author_name TEXT NOT NULL,
    by_customer BOOLEAN NOT NULL,
    public BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX ix_ticket_messages_ticket ON ticket_messages (ticket_id, id);

-- Ticket attachments, e-mail threading and replacement shipments.
--
-- ticket_attachments: files on a ticket's messages, stored in the database
-- (so a backup holds them and every node serves them), at most 10 MiB each,
-- with their SHA-256. An internal note's attachments are as internal as the
-- note: the portal reads attachments through their message's `public`.
-- The content column comes last so reading the other columns never walks it.
--
-- ticket_mail: every e-mail of a ticket by its Message-ID, in both
-- directions: 'out' for public replies Seam sent (so a customer's answer
-- threads by In-Reply-To/References), 'in' for messages ingested (so the
-- same message ingested twice is written once: uq_ticket_mail_message_id).
-- raw is the original message as received, kept whole; the reply body on
-- the thread has its quoted text stripped.
--
-- replacement_shipments: a shipment sent at no charge from a ticket to
-- replace goods already shipped. Its lines do not count as shipped
-- quantities of the order, so they are never invoiced.
-- Same tables, columns and constraint names as ../postgres/0023_ticket_mail.sql.

CREATE TABLE ticket_attachments (
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    ticket_message_id BIGINT NOT NULL REFERENCES ticket_messages (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    content BLOB NOT NULL,
    CONSTRAINT ck_ticket_attachments_size CHECK (size_bytes > 0 AND size_bytes <= 10485760)
);
CREATE INDEX ix_ticket_attachments_message ON ticket_attachments (ticket_message_id, id);
CREATE INDEX ix_ticket_attachments_ticket ON ticket_attachments (ticket_id, id);

CREATE TABLE ticket_mail (
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    ticket_message_id BIGINT NOT NULL REFERENCES ticket_messages (id),
    message_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    raw BLOB,
    CONSTRAINT uq_ticket_mail_message_id UNIQUE (message_id),
    CONSTRAINT ck_ticket_mail_direction CHECK (direction IN ('in', 'out'))
);
CREATE INDEX ix_ticket_mail_ticket ON ticket_mail (ticket_id, id);

CREATE TABLE replacement_shipments (
    shipment_id BIGINT PRIMARY KEY REFERENCES shipments (id),
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    created_at_us BIGINT NOT NULL
);
CREATE INDEX ix_replacement_shipments_ticket ON replacement_shipments (ticket_id, shipment_id);

-- In-app notifications: a message for one user about something that needs
-- them (a visitor arrived for them, a colleague mentioned them, a ticket was
-- assigned to them). The command that causes it writes the row in its own
-- transaction. kind names the message (the web shows the catalogue text
-- notice-<kind> with subject as its argument); link is a path inside Seam.
-- read_at_us stays NULL until the user has seen it. Timestamps are
-- microseconds since the Unix epoch.
-- Same tables, columns and constraint names as ../postgres/0013_notifications.sql.

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    read_at_us BIGINT
);
CREATE INDEX ix_notifications_user ON notifications (user_id, id);
CREATE INDEX ix_notifications_unread ON notifications (user_id, read_at_us);

-- Appointments and the resources (rooms, equipment) they book.
--
-- An appointment holds [start_us, end_us) in microseconds since the Unix
-- epoch, UTC (half-open: back-to-back bookings do not clash). Everyone it
-- books is a row of appointment_attendees, the organiser included
-- (is_organiser), so "who is busy when" is one join for the conflict check
-- and the feeds. state is booked or cancelled; a cancelled appointment books
-- nothing. uid is the iCalendar UID, fixed at creation; sequence is the
-- iCalendar SEQUENCE, bumped by every reschedule and by the cancellation.
-- visit_id links the visit a check-in from the appointment created.
--
-- calendar_feeds holds the SHA-256 of each secret feed token, one per user
-- or resource: the token itself is shown once and never stored.
-- Same tables, columns and constraint names as ../postgres/0020_appointments.sql.

CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    capacity BIGINT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_resources_name UNIQUE (name),
    CONSTRAINT ck_resources_kind CHECK (kind IN ('room', 'equipment')),
    CONSTRAINT ck_resources_capacity CHECK (capacity IS NULL OR capacity > 0)
);

CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL,
    title TEXT NOT NULL,
    start_us BIGINT NOT NULL,
    end_us BIGINT NOT NULL,
    organiser_user_id BIGINT NOT NULL REFERENCES users (id),
    visitor_name TEXT NOT NULL,
    visitor_company TEXT NOT NULL,
    visitor_email TEXT NOT NULL,
    party_id BIGINT REFERENCES parties (id),
    location TEXT NOT NULL,
    notes TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'booked',
    sequence BIGINT NOT NULL DEFAULT 0,
    visit_id BIGINT REFERENCES visits (id),
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_appointments_uid UNIQUE (uid),
    CONSTRAINT uq_appointments_visit UNIQUE (visit_id),
    CONSTRAINT ck_appointments_interval CHECK (end_us > start_us),
    CONSTRAINT ck_appointments_state CHECK (state IN ('booked', 'cancelled'))
);
CREATE INDEX ix_appointments_start ON appointments (start_us);

CREATE TABLE appointment_attendees (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    is_organiser BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (appointment_id, user_id)
);
CREATE INDEX ix_appointment_attendees_user ON appointment_attendees (user_id);

CREATE TABLE appointment_resources (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    PRIMARY KEY (appointment_id, resource_id)
);
CREATE INDEX ix_appointment_resources_resource ON appointment_resources (resource_id);

CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users (id),
    resource_id BIGINT REFERENCES resources (id),
    created_at_us BIGINT NOT NULL,
    CONSTRAINT ck_calendar_feeds_owner CHECK ((user_id IS NULL) <> (resource_id IS NULL))
);
CREATE UNIQUE INDEX ux_calendar_feeds_user ON calendar_feeds (user_id);
CREATE UNIQUE INDEX ux_calendar_feeds_resource ON calendar_feeds (resource_id);

-- Access requests: an employee asks for access (kind 'role': a Seam staff
-- role, `what` holding its name; kind 'system': another system, `what`
-- holding its name as typed) with a reason. The employee's current manager,
-- or HR, approves or rejects it (requested -> approved | rejected). On
-- approval an IT ticket is opened in the `it` queue for the grant, in the
-- same transaction, and linked here (ticket_id); IT grants a Seam role
-- through the users admin.
-- Same tables, columns and constraint names on both backends.

CREATE TABLE access_requests (
    id INTEGER PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    kind TEXT NOT NULL,
    what TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets (id),
    decided_by TEXT,
    decided_at_us BIGINT,
    decision_note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT ck_access_requests_kind CHECK (kind IN ('role', 'system')),
    CONSTRAINT ck_access_requests_state CHECK (state IN ('requested', 'approved', 'rejected')),
    CONSTRAINT ck_access_requests_ticket CHECK (state <> 'approved' OR ticket_id IS NOT NULL)
);
CREATE INDEX ix_access_requests_employee ON access_requests (employee_id, id);
CREATE INDEX ix_access_requests_state ON access_requests (state, id);

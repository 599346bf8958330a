-- IT support: the hardware asset register, software licences and their
-- seats, and the checklists that carry a hire or a leaver through HR, IT
-- and payroll.
--
-- An asset's status runs in-stock -> assigned -> in-repair -> retired; an
-- assigned asset names its employee and only an assigned one does. Its
-- history is the audit journal (entity it_asset), and each hand-over is
-- also an event on the employee's timeline.
-- A seat is held from assigned_at_us until released_at_us; an employee
-- holds at most one open seat of a licence. The app refuses a seat beyond
-- the licence's count; lowering the count below the seats held is allowed
-- and flagged as over-allocated.
-- hr_positions.login_roles lists the Seam roles (comma-separated) a login
-- created for the position's holder is given at onboarding.
-- A checklist (one onboarding and at most one offboarding per employee) has
-- one task per step, owned by a team (hr, it, payroll), with its due date
-- and who completed it when; the note says what was done (the asset tag,
-- the login, the seats).
-- Same tables, columns and constraint names on both backends.

ALTER TABLE hr_positions ADD COLUMN login_roles TEXT NOT NULL DEFAULT '';

CREATE TABLE it_assets (
    id INTEGER PRIMARY KEY,
    tag TEXT NOT NULL,
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    serial_number TEXT NOT NULL,
    purchase_date TEXT,
    cost_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    location TEXT NOT NULL,
    status TEXT NOT NULL,
    employee_id BIGINT REFERENCES employees (id),
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_it_assets_tag UNIQUE (tag),
    CONSTRAINT uq_it_assets_serial UNIQUE (serial_number),
    CONSTRAINT ck_it_assets_status CHECK (status IN ('in-stock', 'assigned', 'in-repair', 'retired')),
    CONSTRAINT ck_it_assets_holder CHECK ((status = 'assigned') = (employee_id IS NOT NULL)),
    CONSTRAINT ck_it_assets_cost CHECK (cost_minor >= 0)
);
CREATE INDEX ix_it_assets_status ON it_assets (status, id);
CREATE INDEX ix_it_assets_employee ON it_assets (employee_id);

CREATE TABLE it_licences (
    id INTEGER PRIMARY KEY,
    product TEXT NOT NULL,
    vendor TEXT NOT NULL,
    seats BIGINT NOT NULL,
    expires_on TEXT,
    cost_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_it_licences_product UNIQUE (product),
    CONSTRAINT ck_it_licences_seats CHECK (seats >= 0),
    CONSTRAINT ck_it_licences_cost CHECK (cost_minor >= 0)
);

CREATE TABLE it_seats (
    id INTEGER PRIMARY KEY,
    licence_id BIGINT NOT NULL REFERENCES it_licences (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    assigned_by TEXT NOT NULL,
    assigned_at_us BIGINT NOT NULL,
    released_at_us BIGINT
);
CREATE UNIQUE INDEX ux_it_seats_open ON it_seats (licence_id, employee_id) WHERE released_at_us IS NULL;
CREATE INDEX ix_it_seats_employee ON it_seats (employee_id);

CREATE TABLE hr_checklists (
    id INTEGER PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_hr_checklists UNIQUE (employee_id, kind),
    CONSTRAINT ck_hr_checklists_kind CHECK (kind IN ('onboarding', 'offboarding'))
);

CREATE TABLE hr_checklist_tasks (
    id INTEGER PRIMARY KEY,
    checklist_id BIGINT NOT NULL REFERENCES hr_checklists (id),
    code TEXT NOT NULL,
    team TEXT NOT NULL,
    due_date TEXT NOT NULL,
    done_by TEXT,
    done_at_us BIGINT,
    note TEXT NOT NULL,
    CONSTRAINT uq_hr_checklist_tasks UNIQUE (checklist_id, code),
    CONSTRAINT ck_hr_checklist_tasks_team CHECK (team IN ('hr', 'it', 'payroll'))
);
CREATE INDEX ix_hr_checklist_tasks_open ON hr_checklist_tasks (team, done_at_us, due_date);

-- One public address for every e-mailed link (campaign unsubscribe links,
-- rating links): the two settings that held it become company.public_url,
-- the service desk's value first.
INSERT INTO settings (name, value)
    SELECT 'company.public_url', value FROM settings WHERE name = 'service.public_url' AND value <> '';
INSERT INTO settings (name, value)
    SELECT 'company.public_url', value FROM settings WHERE name = 'marketing.base_url' AND value <> ''
    AND NOT EXISTS (SELECT 1 FROM settings WHERE name = 'company.public_url');
DELETE FROM settings WHERE name IN ('service.public_url', 'marketing.base_url');

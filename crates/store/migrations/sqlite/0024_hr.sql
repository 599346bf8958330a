-- HR: departments, positions, employees with their confidential fields,
-- emergency contacts and documents, effective-dated employment contracts,
-- and leave (types, yearly entitlements, public holidays, requests), with
-- secret calendar feeds of approved absences.
--
-- An employee is linked to a party (a person, for whatever pays or is
-- paid: payroll, expenses) and optionally to a login (user_id, unique), which
-- opens self-service. Personal contact data live here, not on the party,
-- because parties are read by sales and the front desk.
-- national_id, iban and the contracts' salaries are confidential: the app
-- shows them to HR and to the employee themself only.
-- Documents are kept as base64 text (content_b64), size-limited by the app,
-- so the portable backup carries them like any other column.
-- Department parents have no foreign key (like merged leads), so a backup
-- restores departments in id order whichever way they were re-parented.
-- Leave is counted in half days (half_days), so a half day needs no fraction.
-- hr_calendar_feeds holds the SHA-256 of each absence feed token, one per
-- department or (department_id NULL) for the whole company.
-- Same tables, columns and constraint names on both backends.

CREATE TABLE hr_departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id BIGINT,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_hr_departments_name UNIQUE (name)
);

CREATE TABLE hr_positions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    department_id BIGINT REFERENCES hr_departments (id),
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_hr_positions_title UNIQUE (title)
);

CREATE TABLE employees (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    party_id BIGINT NOT NULL REFERENCES parties (id),
    user_id BIGINT REFERENCES users (id),
    name TEXT NOT NULL,
    work_email TEXT,
    birth_date TEXT,
    personal_email TEXT,
    personal_phone TEXT,
    street TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT,
    national_id TEXT,
    iban TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_employees_number UNIQUE (number),
    CONSTRAINT uq_employees_party UNIQUE (party_id)
);
CREATE UNIQUE INDEX ux_employees_user ON employees (user_id);
CREATE INDEX ix_employees_name ON employees (name);

CREATE TABLE hr_emergency_contacts (
    id INTEGER PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX ix_hr_emergency_contacts_employee ON hr_emergency_contacts (employee_id);

CREATE TABLE hr_documents (
    id INTEGER PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content_b64 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at_us BIGINT NOT NULL
);
CREATE INDEX ix_hr_documents_employee ON hr_documents (employee_id);

CREATE TABLE hr_contracts (
    id INTEGER PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    start_date TEXT NOT NULL,
    end_date TEXT,
    position_id BIGINT REFERENCES hr_positions (id),
    department_id BIGINT REFERENCES hr_departments (id),
    manager_id BIGINT REFERENCES employees (id),
    working_time_pct BIGINT NOT NULL,
    hours_per_week_x100 BIGINT NOT NULL,
    salary_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    salary_period TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT ck_hr_contracts_dates CHECK (end_date IS NULL OR end_date >= start_date),
    CONSTRAINT ck_hr_contracts_salary CHECK (salary_minor >= 0),
    CONSTRAINT ck_hr_contracts_period CHECK (salary_period IN ('hour', 'month', 'year')),
    CONSTRAINT ck_hr_contracts_manager CHECK (manager_id IS NULL OR manager_id <> employee_id)
);
CREATE INDEX ix_hr_contracts_employee ON hr_contracts (employee_id, start_date);
CREATE INDEX ix_hr_contracts_manager ON hr_contracts (manager_id);

CREATE TABLE hr_leave_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    needs_entitlement BOOLEAN NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_hr_leave_types_code UNIQUE (code)
);

CREATE TABLE hr_entitlements (
    id INTEGER PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    leave_type_id BIGINT NOT NULL REFERENCES hr_leave_types (id),
    year BIGINT NOT NULL,
    half_days BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_hr_entitlements UNIQUE (employee_id, leave_type_id, year),
    CONSTRAINT ck_hr_entitlements_days CHECK (half_days >= 0)
);

CREATE TABLE hr_holidays (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_hr_holidays_date UNIQUE (date)
);

CREATE TABLE hr_leave_requests (
    id INTEGER PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    leave_type_id BIGINT NOT NULL REFERENCES hr_leave_types (id),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    half_day BOOLEAN NOT NULL,
    half_days BIGINT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL,
    decided_by TEXT,
    decided_at_us BIGINT,
    decision_note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT ck_hr_leave_requests_dates CHECK (end_date >= start_date),
    CONSTRAINT ck_hr_leave_requests_state CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled'))
);
CREATE INDEX ix_hr_leave_requests_employee ON hr_leave_requests (employee_id, start_date);
CREATE INDEX ix_hr_leave_requests_dates ON hr_leave_requests (start_date, end_date);

CREATE TABLE hr_calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    department_id BIGINT REFERENCES hr_departments (id),
    created_at_us BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_hr_calendar_feeds_department ON hr_calendar_feeds (department_id);

-- The usual leave types; HR may add more.
INSERT INTO hr_leave_types (code, name, needs_entitlement, created_at_us) VALUES
    ('annual', 'Annual leave', TRUE, 0),
    ('sick', 'Sick leave', FALSE, 0),
    ('unpaid', 'Unpaid leave', FALSE, 0);

-- A party's balance sums its posted invoices and credit notes. With only
-- (kind, state) and (party_id, id) to choose from, the planner scanned every
-- open invoice of every customer; this index finds one party's at once.
CREATE INDEX ix_invoices_party_state ON invoices (party_id, kind, state);

-- Warehouses and stock: how many of each product lie in each warehouse, how
-- many of those are reserved for orders, and the moves (never changed) that
-- brought the count there. Quantities are whole units of the product's unit.
-- Same tables, columns and constraint names as ../postgres/0004_stock.sql.

CREATE TABLE warehouses (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_warehouses_code UNIQUE (code)
);

-- Maintained in the same transaction as every move and reservation. The
-- database itself refuses a negative count and a reservation beyond it, so
-- stock is never oversold whatever the code above does.
CREATE TABLE stock_levels (
    product_id BIGINT NOT NULL REFERENCES products (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    on_hand_qty BIGINT NOT NULL,
    reserved_qty BIGINT NOT NULL,
    CONSTRAINT pk_stock_levels PRIMARY KEY (product_id, warehouse_id),
    CONSTRAINT ck_stock_levels_qty CHECK (on_hand_qty >= 0 AND reserved_qty >= 0 AND reserved_qty <= on_hand_qty)
);
CREATE INDEX ix_stock_levels_warehouse ON stock_levels (warehouse_id, product_id);

-- The journal of moves: numbered gapless per year (SM-2026-000001).
CREATE TABLE stock_moves (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    move_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'adjustment', 'issue', 'return')),
    qty BIGINT NOT NULL CHECK (qty <> 0),
    reference TEXT NOT NULL,
    posted_by TEXT NOT NULL,
    posted_at_us BIGINT NOT NULL,
    CONSTRAINT uq_stock_moves_number UNIQUE (number)
);
CREATE INDEX ix_stock_moves_product ON stock_moves (product_id, id);
CREATE INDEX ix_stock_moves_warehouse ON stock_moves (warehouse_id, id);

INSERT INTO warehouses (code, name, archived, created_at_us) VALUES ('MAIN', 'Main warehouse', FALSE, 0);

-- Products (goods and services) and the VAT rates they are sold under.
-- Same tables, columns and constraint names as ../postgres/0003_products.sql.

-- VAT rates by EN 16931 category: only S charges a percentage; E, AE, K, G
-- and O carry the exemption reason an invoice must print.
CREATE TABLE tax_rates (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('S', 'Z', 'E', 'AE', 'K', 'G', 'O')),
    rate_bp BIGINT NOT NULL,
    exemption_reason TEXT,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_tax_rates_code UNIQUE (code),
    CONSTRAINT ck_tax_rates_rate CHECK (
        (category = 'S' AND rate_bp > 0 AND rate_bp <= 10000) OR (category <> 'S' AND rate_bp = 0)
    )
);

-- A product names its tax rate and revenue account by code; both codes never change.
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('goods', 'service')),
    unit TEXT NOT NULL,
    currency TEXT NOT NULL,
    list_price_minor BIGINT NOT NULL CHECK (list_price_minor >= 0),
    standard_cost_minor BIGINT NOT NULL CHECK (standard_cost_minor >= 0),
    tax_rate_code TEXT NOT NULL REFERENCES tax_rates (code),
    revenue_account_code TEXT NOT NULL REFERENCES accounts (code),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_products_sku UNIQUE (sku)
);
CREATE INDEX ix_products_sort_name ON products (sort_name, id);
CREATE INDEX ix_products_tax_rate ON products (tax_rate_code);
CREATE INDEX ix_products_revenue_account ON products (revenue_account_code);

-- Full-text search over SKU and name: an external-content FTS5 table kept in step by triggers.
CREATE VIRTUAL TABLE product_fts USING fts5(
    sku, name,
    content = 'products', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO product_fts (rowid, sku, name) VALUES (new.id, new.sku, new.name);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO product_fts (product_fts, rowid, sku, name) VALUES ('delete', old.id, old.sku, old.name);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE ON products BEGIN
    INSERT INTO product_fts (product_fts, rowid, sku, name) VALUES ('delete', old.id, old.sku, old.name);
    INSERT INTO product_fts (rowid, sku, name) VALUES (new.id, new.sku, new.name);
END;

-- A default set of rates (Swedish levels), editable like the chart of accounts.
INSERT INTO tax_rates (code, name, category, rate_bp, exemption_reason, version, created_at_us, updated_at_us) VALUES
    ('S25', 'Standard 25%', 'S', 2500, NULL, 1, 0, 0),
    ('S12', 'Reduced 12%', 'S', 1200, NULL, 1, 0, 0),
    ('S6', 'Reduced 6%', 'S', 600, NULL, 1, 0, 0),
    ('Z0', 'Zero-rated', 'Z', 0, NULL, 1, 0, 0),
    ('E', 'Exempt', 'E', 0, 'Exempt under Article 132', 1, 0, 0),
    ('AE', 'Reverse charge', 'AE', 0, 'Reverse charge', 1, 0, 0),
    ('G', 'Export outside the EU', 'G', 0, 'Export outside the EU', 1, 0, 0);

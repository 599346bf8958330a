-- Price lists: what a group of customers pays. A list has a currency and a
-- default discount (basis points); its items give a product an explicit
-- unit price in the list's currency, optionally with their own discount
-- (NULL: the list's). A customer party is assigned at most one list.
-- Same tables, columns and constraint names as ../postgres/0010_price_lists.sql.

CREATE TABLE price_lists (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    discount_bp BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_price_lists_code UNIQUE (code),
    CONSTRAINT ck_price_lists_discount CHECK (discount_bp >= 0 AND discount_bp <= 10000)
);

CREATE TABLE price_list_items (
    price_list_id BIGINT NOT NULL REFERENCES price_lists (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    unit_price_minor BIGINT NOT NULL,
    discount_bp BIGINT,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT pk_price_list_items PRIMARY KEY (price_list_id, product_id),
    CONSTRAINT ck_price_list_items_price CHECK (unit_price_minor >= 0),
    CONSTRAINT ck_price_list_items_discount CHECK (discount_bp IS NULL OR (discount_bp >= 0 AND discount_bp <= 10000))
);
CREATE INDEX ix_price_list_items_product ON price_list_items (product_id);

CREATE TABLE party_price_lists (
    party_id BIGINT NOT NULL PRIMARY KEY REFERENCES parties (id),
    price_list_id BIGINT NOT NULL REFERENCES price_lists (id)
);
CREATE INDEX ix_party_price_lists_list ON party_price_lists (price_list_id);

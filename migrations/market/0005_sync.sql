-- Team sync of the marketplace settings (issue 17): accounts' non-secret settings (admins
-- change them), the category and attribute maps, and each product's link with its external
-- ids. Caches (dictionaries, a connection check), the publish outbox, what was last pushed and
-- a link's publishing state (status, problems, hashes) stay on this device; secrets are in
-- the store of secrets, never here.
--
-- Every write to those tables, by any code path, is recorded by the triggers below in
-- `sync_outbox` with the device's next stamp, using the functions vitrina-store registers on
-- this file's connections (sync_apply/capture.rs; a connection without them cannot write these
-- tables). The catalog's team sync pushes the outbox and deletes what the server has; it
-- writes other devices' changes through its own connection, with recording paused.

CREATE TABLE sync_outbox (
    rid       INTEGER PRIMARY KEY,
    id        BLOB NOT NULL,
    entity    TEXT NOT NULL,
    entity_id BLOB NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    old       TEXT,
    new       TEXT,
    who       TEXT NOT NULL,
    hlc       INTEGER NOT NULL
);
CREATE INDEX sync_outbox_by_entity ON sync_outbox(entity_id, rid);
CREATE INDEX sync_outbox_by_hlc ON sync_outbox(hlc);

-- Team sync's marks in this file. `rows_to_record`: the rows made before these triggers have
-- no record; if the catalog is in a team, they are recorded as created before its next push
-- (vitrina-store's Catalog::sync_record_rows), else the team's seed carries them.
CREATE TABLE sync_side (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO sync_side (key, value) VALUES ('rows_to_record', '1');

-- accounts: entity 'market_account'.
CREATE TRIGGER sync_accounts_insert AFTER INSERT ON accounts WHEN sync_capturing() BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_account', e, 'create', NULL, json_object('name', NEW.name, 'market', NEW.market, 'base_url', NEW.base_url, 'business_id', CAST(NEW.business_id AS TEXT), 'campaign_id', CAST(NEW.campaign_id AS TEXT), 'settings', NEW.settings), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT NEW.id AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_accounts_update AFTER UPDATE ON accounts
    WHEN sync_capturing() AND (OLD.name IS NOT NEW.name OR OLD.market IS NOT NEW.market OR OLD.base_url IS NOT NEW.base_url OR OLD.business_id IS NOT NEW.business_id OR OLD.campaign_id IS NOT NEW.campaign_id OR OLD.settings IS NOT NEW.settings) BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_account', e, 'update', json_object('name', OLD.name, 'market', OLD.market, 'base_url', OLD.base_url, 'business_id', CAST(OLD.business_id AS TEXT), 'campaign_id', CAST(OLD.campaign_id AS TEXT), 'settings', OLD.settings), json_object('name', NEW.name, 'market', NEW.market, 'base_url', NEW.base_url, 'business_id', CAST(NEW.business_id AS TEXT), 'campaign_id', CAST(NEW.campaign_id AS TEXT), 'settings', NEW.settings), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT NEW.id AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_accounts_delete AFTER DELETE ON accounts WHEN sync_capturing() BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_account', e, 'delete', json_object('name', OLD.name, 'market', OLD.market, 'base_url', OLD.base_url, 'business_id', CAST(OLD.business_id AS TEXT), 'campaign_id', CAST(OLD.campaign_id AS TEXT), 'settings', OLD.settings), NULL, sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT OLD.id AS e) WHERE e IS NOT NULL;
END;

-- category_map: entity 'market_category'.
CREATE TRIGGER sync_category_map_insert AFTER INSERT ON category_map WHEN sync_capturing() BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_category', e, 'create', NULL, json_object('account', sync_uuid(NEW.account_id), 'category', sync_uuid(NEW.category_id), 'ext_id', NEW.ext_id), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_category', sync_uuid(NEW.account_id), sync_uuid(NEW.category_id)) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_category_map_update AFTER UPDATE ON category_map
    WHEN sync_capturing() AND NOT (OLD.account_id IS NOT NEW.account_id OR OLD.category_id IS NOT NEW.category_id) AND (OLD.account_id IS NOT NEW.account_id OR OLD.category_id IS NOT NEW.category_id OR OLD.ext_id IS NOT NEW.ext_id) BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_category', e, 'update', json_object('account', sync_uuid(OLD.account_id), 'category', sync_uuid(OLD.category_id), 'ext_id', OLD.ext_id), json_object('account', sync_uuid(NEW.account_id), 'category', sync_uuid(NEW.category_id), 'ext_id', NEW.ext_id), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_category', sync_uuid(NEW.account_id), sync_uuid(NEW.category_id)) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_category_map_rekey AFTER UPDATE ON category_map
    WHEN sync_capturing() AND (OLD.account_id IS NOT NEW.account_id OR OLD.category_id IS NOT NEW.category_id) BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_category', e, 'delete', json_object('account', sync_uuid(OLD.account_id), 'category', sync_uuid(OLD.category_id), 'ext_id', OLD.ext_id), NULL, sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_category', sync_uuid(OLD.account_id), sync_uuid(OLD.category_id)) AS e) WHERE e IS NOT NULL;
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_category', e, 'create', NULL, json_object('account', sync_uuid(NEW.account_id), 'category', sync_uuid(NEW.category_id), 'ext_id', NEW.ext_id), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_category', sync_uuid(NEW.account_id), sync_uuid(NEW.category_id)) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_category_map_delete AFTER DELETE ON category_map WHEN sync_capturing() BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_category', e, 'delete', json_object('account', sync_uuid(OLD.account_id), 'category', sync_uuid(OLD.category_id), 'ext_id', OLD.ext_id), NULL, sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_category', sync_uuid(OLD.account_id), sync_uuid(OLD.category_id)) AS e) WHERE e IS NOT NULL;
END;

-- attribute_map: entity 'market_attribute'.
CREATE TRIGGER sync_attribute_map_insert AFTER INSERT ON attribute_map WHEN sync_capturing() BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_attribute', e, 'create', NULL, json_object('account', sync_uuid(NEW.account_id), 'ext_category', NEW.ext_category, 'attr_id', NEW.attr_id, 'source', NEW.source, 'unit_factor', CAST(NEW.unit_factor AS TEXT), 'value_map', NEW.value_map), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_attribute', sync_uuid(NEW.account_id), NEW.ext_category, NEW.attr_id) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_attribute_map_update AFTER UPDATE ON attribute_map
    WHEN sync_capturing() AND NOT (OLD.account_id IS NOT NEW.account_id OR OLD.ext_category IS NOT NEW.ext_category OR OLD.attr_id IS NOT NEW.attr_id) AND (OLD.account_id IS NOT NEW.account_id OR OLD.ext_category IS NOT NEW.ext_category OR OLD.attr_id IS NOT NEW.attr_id OR OLD.source IS NOT NEW.source OR OLD.unit_factor IS NOT NEW.unit_factor OR OLD.value_map IS NOT NEW.value_map) BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_attribute', e, 'update', json_object('account', sync_uuid(OLD.account_id), 'ext_category', OLD.ext_category, 'attr_id', OLD.attr_id, 'source', OLD.source, 'unit_factor', CAST(OLD.unit_factor AS TEXT), 'value_map', OLD.value_map), json_object('account', sync_uuid(NEW.account_id), 'ext_category', NEW.ext_category, 'attr_id', NEW.attr_id, 'source', NEW.source, 'unit_factor', CAST(NEW.unit_factor AS TEXT), 'value_map', NEW.value_map), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_attribute', sync_uuid(NEW.account_id), NEW.ext_category, NEW.attr_id) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_attribute_map_rekey AFTER UPDATE ON attribute_map
    WHEN sync_capturing() AND (OLD.account_id IS NOT NEW.account_id OR OLD.ext_category IS NOT NEW.ext_category OR OLD.attr_id IS NOT NEW.attr_id) BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_attribute', e, 'delete', json_object('account', sync_uuid(OLD.account_id), 'ext_category', OLD.ext_category, 'attr_id', OLD.attr_id, 'source', OLD.source, 'unit_factor', CAST(OLD.unit_factor AS TEXT), 'value_map', OLD.value_map), NULL, sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_attribute', sync_uuid(OLD.account_id), OLD.ext_category, OLD.attr_id) AS e) WHERE e IS NOT NULL;
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_attribute', e, 'create', NULL, json_object('account', sync_uuid(NEW.account_id), 'ext_category', NEW.ext_category, 'attr_id', NEW.attr_id, 'source', NEW.source, 'unit_factor', CAST(NEW.unit_factor AS TEXT), 'value_map', NEW.value_map), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_attribute', sync_uuid(NEW.account_id), NEW.ext_category, NEW.attr_id) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_attribute_map_delete AFTER DELETE ON attribute_map WHEN sync_capturing() BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_attribute', e, 'delete', json_object('account', sync_uuid(OLD.account_id), 'ext_category', OLD.ext_category, 'attr_id', OLD.attr_id, 'source', OLD.source, 'unit_factor', CAST(OLD.unit_factor AS TEXT), 'value_map', OLD.value_map), NULL, sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_attribute', sync_uuid(OLD.account_id), OLD.ext_category, OLD.attr_id) AS e) WHERE e IS NOT NULL;
END;

-- links: entity 'market_link'.
-- Publishing rewrites a link whole (INSERT OR REPLACE) on every status it learns: only a link
-- that is new, or whose synced values change, is recorded (before the insert, the row it
-- replaces is still there to compare with).
CREATE TRIGGER sync_links_insert BEFORE INSERT ON links
    WHEN sync_capturing() AND NOT EXISTS (
        SELECT 1 FROM links l WHERE l.account_id = NEW.account_id AND l.product_id = NEW.product_id
            AND l.offer_id IS NEW.offer_id AND l.ext_id IS NEW.ext_id AND l.ext_group IS NEW.ext_group
            AND l.ext_sku IS NEW.ext_sku AND l.sizes IS NEW.sizes AND l.card_of IS NEW.card_of) BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_link', e, 'create', NULL, json_object('account', sync_uuid(NEW.account_id), 'product', sync_uuid(NEW.product_id), 'offer_id', NEW.offer_id, 'ext_id', NEW.ext_id, 'ext_group', NEW.ext_group, 'ext_sku', NEW.ext_sku, 'sizes', NEW.sizes, 'card_of', sync_uuid(NEW.card_of)), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_link', sync_uuid(NEW.account_id), sync_uuid(NEW.product_id)) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_links_update AFTER UPDATE ON links
    WHEN sync_capturing() AND NOT (OLD.account_id IS NOT NEW.account_id OR OLD.product_id IS NOT NEW.product_id) AND (OLD.account_id IS NOT NEW.account_id OR OLD.product_id IS NOT NEW.product_id OR OLD.offer_id IS NOT NEW.offer_id OR OLD.ext_id IS NOT NEW.ext_id OR OLD.ext_group IS NOT NEW.ext_group OR OLD.ext_sku IS NOT NEW.ext_sku OR OLD.sizes IS NOT NEW.sizes OR OLD.card_of IS NOT NEW.card_of) BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_link', e, 'update', json_object('account', sync_uuid(OLD.account_id), 'product', sync_uuid(OLD.product_id), 'offer_id', OLD.offer_id, 'ext_id', OLD.ext_id, 'ext_group', OLD.ext_group, 'ext_sku', OLD.ext_sku, 'sizes', OLD.sizes, 'card_of', sync_uuid(OLD.card_of)), json_object('account', sync_uuid(NEW.account_id), 'product', sync_uuid(NEW.product_id), 'offer_id', NEW.offer_id, 'ext_id', NEW.ext_id, 'ext_group', NEW.ext_group, 'ext_sku', NEW.ext_sku, 'sizes', NEW.sizes, 'card_of', sync_uuid(NEW.card_of)), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_link', sync_uuid(NEW.account_id), sync_uuid(NEW.product_id)) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_links_rekey AFTER UPDATE ON links
    WHEN sync_capturing() AND (OLD.account_id IS NOT NEW.account_id OR OLD.product_id IS NOT NEW.product_id) BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_link', e, 'delete', json_object('account', sync_uuid(OLD.account_id), 'product', sync_uuid(OLD.product_id), 'offer_id', OLD.offer_id, 'ext_id', OLD.ext_id, 'ext_group', OLD.ext_group, 'ext_sku', OLD.ext_sku, 'sizes', OLD.sizes, 'card_of', sync_uuid(OLD.card_of)), NULL, sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_link', sync_uuid(OLD.account_id), sync_uuid(OLD.product_id)) AS e) WHERE e IS NOT NULL;
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_link', e, 'create', NULL, json_object('account', sync_uuid(NEW.account_id), 'product', sync_uuid(NEW.product_id), 'offer_id', NEW.offer_id, 'ext_id', NEW.ext_id, 'ext_group', NEW.ext_group, 'ext_sku', NEW.ext_sku, 'sizes', NEW.sizes, 'card_of', sync_uuid(NEW.card_of)), sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_link', sync_uuid(NEW.account_id), sync_uuid(NEW.product_id)) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_links_delete AFTER DELETE ON links WHEN sync_capturing() BEGIN
    INSERT INTO sync_outbox (id, entity, entity_id, op, old, new, who, hlc)
    SELECT sync_id(), 'market_link', e, 'delete', json_object('account', sync_uuid(OLD.account_id), 'product', sync_uuid(OLD.product_id), 'offer_id', OLD.offer_id, 'ext_id', OLD.ext_id, 'ext_group', OLD.ext_group, 'ext_sku', OLD.ext_sku, 'sizes', OLD.sizes, 'card_of', sync_uuid(OLD.card_of)), NULL, sync_who(), max(coalesce((SELECT max(hlc) FROM sync_outbox), 0) + 1, sync_floor(), sync_now() * 65536)
    FROM (SELECT sync_row_id('market_link', sync_uuid(OLD.account_id), sync_uuid(OLD.product_id)) AS e) WHERE e IS NOT NULL;
END;

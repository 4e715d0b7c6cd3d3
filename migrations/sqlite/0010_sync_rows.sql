-- Team sync of the settings tables (issue 17): suppliers, their sources and category mapping,
-- feed profiles, and kit, pack and related links. Every write to those tables, by any code
-- path (the window, the CLI, an import, a job), is recorded by the triggers below as a history
-- record of the row (entity = the row's kind, field '*', old and new values as JSON objects of
-- text), stamped in the same statement with the device's next HLC. History is the outbox, as
-- for products: the device pushes its records after `push_rid`.
--
-- The triggers call functions every catalog connection registers when it opens
-- (vitrina-store's sync_apply/capture.rs): sync_capturing() (0 while other devices' changes
-- are applied, so they are not recorded as this device's), sync_now() (the catalog's clock,
-- with the team server's offset), sync_floor() (after the latest stamp the connection knows:
-- at open, at each write it begins, after each apply; with the latest record's stamp, so no
-- trigger reads all of history, whose hlc index a catalog being built has not yet),
-- sync_who(), sync_device(), sync_id() (a new UUIDv7),
-- sync_uuid(blob) (a UUID as text) and sync_row_id(kind, key…) (the id derived from a row's
-- key, vitrina-domain's sync::rows::row_id). A connection without them cannot write these
-- tables: it fails with "no such function" instead of changing them unseen.
--
-- Cache-like columns (a source's etag and last_modified, a profile's last result) are not
-- fields: writing them records nothing.

-- Kit and pack values recomputed from their components are history too, but not edits: every
-- device recomputes them itself, so they are never pushed.
ALTER TABLE history ADD COLUMN derived INTEGER NOT NULL DEFAULT 0;

-- suppliers: entity 'supplier'.
CREATE TRIGGER sync_suppliers_insert AFTER INSERT ON suppliers WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier', e, 'create', '*', NULL, json_object('name', NEW.name, 'priority', CAST(NEW.priority AS TEXT), 'policy', NEW.policy, 'settings', NEW.settings), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT NEW.id AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_suppliers_update AFTER UPDATE ON suppliers
    WHEN sync_capturing() AND (OLD.name IS NOT NEW.name OR OLD.priority IS NOT NEW.priority OR OLD.policy IS NOT NEW.policy OR OLD.settings IS NOT NEW.settings) BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier', e, 'update', '*', json_object('name', OLD.name, 'priority', CAST(OLD.priority AS TEXT), 'policy', OLD.policy, 'settings', OLD.settings), json_object('name', NEW.name, 'priority', CAST(NEW.priority AS TEXT), 'policy', NEW.policy, 'settings', NEW.settings), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT NEW.id AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_suppliers_delete AFTER DELETE ON suppliers WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier', e, 'delete', '*', json_object('name', OLD.name, 'priority', CAST(OLD.priority AS TEXT), 'policy', OLD.policy, 'settings', OLD.settings), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT OLD.id AS e) WHERE e IS NOT NULL;
END;

-- supplier_sources: entity 'supplier_source'.
CREATE TRIGGER sync_supplier_sources_insert AFTER INSERT ON supplier_sources WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_source', e, 'create', '*', NULL, json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), 'position', CAST(NEW.position AS TEXT), 'spec', NEW.spec, 'read_options', NEW.read_options, 'mapping', NEW.mapping), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_source', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), CAST(NEW.position AS TEXT)) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_supplier_sources_update AFTER UPDATE ON supplier_sources
    WHEN sync_capturing() AND NOT (OLD.supplier_rid IS NOT NEW.supplier_rid OR OLD.position IS NOT NEW.position) AND (OLD.supplier_rid IS NOT NEW.supplier_rid OR OLD.position IS NOT NEW.position OR OLD.spec IS NOT NEW.spec OR OLD.read_options IS NOT NEW.read_options OR OLD.mapping IS NOT NEW.mapping) BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_source', e, 'update', '*', json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), 'position', CAST(OLD.position AS TEXT), 'spec', OLD.spec, 'read_options', OLD.read_options, 'mapping', OLD.mapping), json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), 'position', CAST(NEW.position AS TEXT), 'spec', NEW.spec, 'read_options', NEW.read_options, 'mapping', NEW.mapping), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_source', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), CAST(NEW.position AS TEXT)) AS e) WHERE e IS NOT NULL;
END;
-- A row moved to another key is another entity: the old one is deleted.
CREATE TRIGGER sync_supplier_sources_rekey AFTER UPDATE ON supplier_sources
    WHEN sync_capturing() AND (OLD.supplier_rid IS NOT NEW.supplier_rid OR OLD.position IS NOT NEW.position) BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_source', e, 'delete', '*', json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), 'position', CAST(OLD.position AS TEXT), 'spec', OLD.spec, 'read_options', OLD.read_options, 'mapping', OLD.mapping), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_source', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), CAST(OLD.position AS TEXT)) AS e) WHERE e IS NOT NULL;
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_source', e, 'create', '*', NULL, json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), 'position', CAST(NEW.position AS TEXT), 'spec', NEW.spec, 'read_options', NEW.read_options, 'mapping', NEW.mapping), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_source', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), CAST(NEW.position AS TEXT)) AS e) WHERE e IS NOT NULL;
END;
-- A row deleted with what it names cannot name it any more and is not recorded here (a
-- product's links are, by sync_products_delete_links below).
CREATE TRIGGER sync_supplier_sources_delete AFTER DELETE ON supplier_sources WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_source', e, 'delete', '*', json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), 'position', CAST(OLD.position AS TEXT), 'spec', OLD.spec, 'read_options', OLD.read_options, 'mapping', OLD.mapping), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_source', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), CAST(OLD.position AS TEXT)) AS e) WHERE e IS NOT NULL;
END;

-- category_map: entity 'supplier_category'.
CREATE TRIGGER sync_category_map_insert AFTER INSERT ON category_map WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_category', e, 'create', '*', NULL, json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), 'path', NEW.supplier_path, 'category', sync_uuid((SELECT id FROM categories WHERE rid = NEW.category_rid))), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_category', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), NEW.supplier_path) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_category_map_update AFTER UPDATE ON category_map
    WHEN sync_capturing() AND NOT (OLD.supplier_rid IS NOT NEW.supplier_rid OR OLD.supplier_path IS NOT NEW.supplier_path) AND (OLD.supplier_rid IS NOT NEW.supplier_rid OR OLD.supplier_path IS NOT NEW.supplier_path OR OLD.category_rid IS NOT NEW.category_rid) BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_category', e, 'update', '*', json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), 'path', OLD.supplier_path, 'category', sync_uuid((SELECT id FROM categories WHERE rid = OLD.category_rid))), json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), 'path', NEW.supplier_path, 'category', sync_uuid((SELECT id FROM categories WHERE rid = NEW.category_rid))), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_category', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), NEW.supplier_path) AS e) WHERE e IS NOT NULL;
END;
-- A row moved to another key is another entity: the old one is deleted.
CREATE TRIGGER sync_category_map_rekey AFTER UPDATE ON category_map
    WHEN sync_capturing() AND (OLD.supplier_rid IS NOT NEW.supplier_rid OR OLD.supplier_path IS NOT NEW.supplier_path) BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_category', e, 'delete', '*', json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), 'path', OLD.supplier_path, 'category', sync_uuid((SELECT id FROM categories WHERE rid = OLD.category_rid))), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_category', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), OLD.supplier_path) AS e) WHERE e IS NOT NULL;
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_category', e, 'create', '*', NULL, json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), 'path', NEW.supplier_path, 'category', sync_uuid((SELECT id FROM categories WHERE rid = NEW.category_rid))), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_category', sync_uuid((SELECT id FROM suppliers WHERE rid = NEW.supplier_rid)), NEW.supplier_path) AS e) WHERE e IS NOT NULL;
END;
-- A row deleted with what it names cannot name it any more and is not recorded here (a
-- product's links are, by sync_products_delete_links below).
CREATE TRIGGER sync_category_map_delete AFTER DELETE ON category_map WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'supplier_category', e, 'delete', '*', json_object('supplier', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), 'path', OLD.supplier_path, 'category', sync_uuid((SELECT id FROM categories WHERE rid = OLD.category_rid))), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('supplier_category', sync_uuid((SELECT id FROM suppliers WHERE rid = OLD.supplier_rid)), OLD.supplier_path) AS e) WHERE e IS NOT NULL;
END;

-- feed_profiles: entity 'feed_profile'.
CREATE TRIGGER sync_feed_profiles_insert AFTER INSERT ON feed_profiles WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'feed_profile', e, 'create', '*', NULL, json_object('name', NEW.name, 'format', NEW.format, 'enabled', CAST(NEW.enabled AS TEXT), 'settings', NEW.settings), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT NEW.id AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_feed_profiles_update AFTER UPDATE ON feed_profiles
    WHEN sync_capturing() AND (OLD.name IS NOT NEW.name OR OLD.format IS NOT NEW.format OR OLD.enabled IS NOT NEW.enabled OR OLD.settings IS NOT NEW.settings) BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'feed_profile', e, 'update', '*', json_object('name', OLD.name, 'format', OLD.format, 'enabled', CAST(OLD.enabled AS TEXT), 'settings', OLD.settings), json_object('name', NEW.name, 'format', NEW.format, 'enabled', CAST(NEW.enabled AS TEXT), 'settings', NEW.settings), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT NEW.id AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_feed_profiles_delete AFTER DELETE ON feed_profiles WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'feed_profile', e, 'delete', '*', json_object('name', OLD.name, 'format', OLD.format, 'enabled', CAST(OLD.enabled AS TEXT), 'settings', OLD.settings), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT OLD.id AS e) WHERE e IS NOT NULL;
END;

-- product_links: entity 'product_link'.
CREATE TRIGGER sync_product_links_insert AFTER INSERT ON product_links WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'product_link', e, 'create', '*', NULL, json_object('from', sync_uuid((SELECT id FROM products WHERE rid = NEW.from_rid)), 'to', sync_uuid((SELECT id FROM products WHERE rid = NEW.to_rid)), 'kind', NEW.kind, 'quantity', CAST(NEW.quantity AS TEXT), 'discount_bp', CAST(NEW.discount_bp AS TEXT)), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('product_link', sync_uuid((SELECT id FROM products WHERE rid = NEW.from_rid)), sync_uuid((SELECT id FROM products WHERE rid = NEW.to_rid)), NEW.kind) AS e) WHERE e IS NOT NULL;
END;
CREATE TRIGGER sync_product_links_update AFTER UPDATE ON product_links
    WHEN sync_capturing() AND NOT (OLD.from_rid IS NOT NEW.from_rid OR OLD.to_rid IS NOT NEW.to_rid OR OLD.kind IS NOT NEW.kind) AND (OLD.from_rid IS NOT NEW.from_rid OR OLD.to_rid IS NOT NEW.to_rid OR OLD.kind IS NOT NEW.kind OR OLD.quantity IS NOT NEW.quantity OR OLD.discount_bp IS NOT NEW.discount_bp) BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'product_link', e, 'update', '*', json_object('from', sync_uuid((SELECT id FROM products WHERE rid = OLD.from_rid)), 'to', sync_uuid((SELECT id FROM products WHERE rid = OLD.to_rid)), 'kind', OLD.kind, 'quantity', CAST(OLD.quantity AS TEXT), 'discount_bp', CAST(OLD.discount_bp AS TEXT)), json_object('from', sync_uuid((SELECT id FROM products WHERE rid = NEW.from_rid)), 'to', sync_uuid((SELECT id FROM products WHERE rid = NEW.to_rid)), 'kind', NEW.kind, 'quantity', CAST(NEW.quantity AS TEXT), 'discount_bp', CAST(NEW.discount_bp AS TEXT)), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('product_link', sync_uuid((SELECT id FROM products WHERE rid = NEW.from_rid)), sync_uuid((SELECT id FROM products WHERE rid = NEW.to_rid)), NEW.kind) AS e) WHERE e IS NOT NULL;
END;
-- A row moved to another key is another entity: the old one is deleted.
CREATE TRIGGER sync_product_links_rekey AFTER UPDATE ON product_links
    WHEN sync_capturing() AND (OLD.from_rid IS NOT NEW.from_rid OR OLD.to_rid IS NOT NEW.to_rid OR OLD.kind IS NOT NEW.kind) BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'product_link', e, 'delete', '*', json_object('from', sync_uuid((SELECT id FROM products WHERE rid = OLD.from_rid)), 'to', sync_uuid((SELECT id FROM products WHERE rid = OLD.to_rid)), 'kind', OLD.kind, 'quantity', CAST(OLD.quantity AS TEXT), 'discount_bp', CAST(OLD.discount_bp AS TEXT)), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('product_link', sync_uuid((SELECT id FROM products WHERE rid = OLD.from_rid)), sync_uuid((SELECT id FROM products WHERE rid = OLD.to_rid)), OLD.kind) AS e) WHERE e IS NOT NULL;
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'product_link', e, 'create', '*', NULL, json_object('from', sync_uuid((SELECT id FROM products WHERE rid = NEW.from_rid)), 'to', sync_uuid((SELECT id FROM products WHERE rid = NEW.to_rid)), 'kind', NEW.kind, 'quantity', CAST(NEW.quantity AS TEXT), 'discount_bp', CAST(NEW.discount_bp AS TEXT)), sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('product_link', sync_uuid((SELECT id FROM products WHERE rid = NEW.from_rid)), sync_uuid((SELECT id FROM products WHERE rid = NEW.to_rid)), NEW.kind) AS e) WHERE e IS NOT NULL;
END;
-- A row deleted with what it names cannot name it any more and is not recorded here (a
-- product's links are, by sync_products_delete_links below).
CREATE TRIGGER sync_product_links_delete AFTER DELETE ON product_links WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'product_link', e, 'delete', '*', json_object('from', sync_uuid((SELECT id FROM products WHERE rid = OLD.from_rid)), 'to', sync_uuid((SELECT id FROM products WHERE rid = OLD.to_rid)), 'kind', OLD.kind, 'quantity', CAST(OLD.quantity AS TEXT), 'discount_bp', CAST(OLD.discount_bp AS TEXT)), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM (SELECT sync_row_id('product_link', sync_uuid((SELECT id FROM products WHERE rid = OLD.from_rid)), sync_uuid((SELECT id FROM products WHERE rid = OLD.to_rid)), OLD.kind) AS e) WHERE e IS NOT NULL;
END;

-- A product's links go with it (ON DELETE CASCADE), when the link's own trigger can no longer
-- name the product: their deletion is recorded here, before the product goes.
CREATE TRIGGER sync_products_delete_links BEFORE DELETE ON products WHEN sync_capturing() BEGIN
    INSERT INTO history (id, entity, entity_id, op, field, old, new, who, hlc, device, batch)
    SELECT sync_id(), 'product_link', sync_row_id('product_link', sync_uuid(f.id), sync_uuid(t.id), l.kind), 'delete', '*', json_object('from', sync_uuid(f.id), 'to', sync_uuid(t.id), 'kind', l.kind, 'quantity', CAST(l.quantity AS TEXT), 'discount_bp', CAST(l.discount_bp AS TEXT)), NULL, sync_who(), max(coalesce((SELECT hlc FROM history ORDER BY rid DESC LIMIT 1), 0) + 1, sync_floor(), sync_now() * 65536), sync_device(), sync_id()
    FROM product_links l JOIN products f ON f.rid = l.from_rid JOIN products t ON t.rid = l.to_rid
    WHERE l.from_rid = OLD.rid OR l.to_rid = OLD.rid;
END;

-- A catalog already in a team: its settings rows, made before these triggers, have no record;
-- they are recorded as created before its next push (vitrina-store's Catalog::sync_record_rows).
INSERT INTO sync_meta (key, value)
    SELECT 'rows_to_record', '1' WHERE EXISTS (SELECT 1 FROM sync_meta WHERE key = 'pull_cursor');

-- The team's shared database (DESIGN §8). `vitrina team init` creates the team's roles and its
-- schema, then runs this file as the owner role (NOLOGIN: nobody signs in as it) with
-- search_path set to the schema; `@schema@`, `@owner@`, `@viewer@`, `@editor@` and `@admin@`
-- stand for the team's schema and role names. Append-only: a later change to the shared schema
-- is a new file (vitrina-sync's tests pin each file's checksum), run by `vitrina team upgrade`.
--
-- Who may do what is enforced here, not by the app: viewers read; editors push change sets,
-- register their devices and take the marketplace lease; admins manage members. Every table
-- has row-level security forced (its owner included), and the functions that write are
-- SECURITY DEFINER with EXECUTE granted to the roles that may call them.

-- Functions are executable by everyone unless revoked (a per-schema default cannot revoke):
-- the owner's functions are not, and those below are revoked again at the end.
ALTER DEFAULT PRIVILEGES FOR ROLE @owner@ REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- schema_version (set by the runner), log_horizon (the xid below which the log was pruned).
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO meta (key, value) VALUES ('log_horizon', '0');

-- The team's people: one PostgreSQL login role each, in one of the three group roles.
CREATE TABLE members (
    role       name PRIMARY KEY,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('viewer', 'editor', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Devices of editors and admins, with how far each has pulled (the log is pruned only below
-- what every active device has seen).
CREATE TABLE devices (
    id         uuid PRIMARY KEY,
    member     name NOT NULL DEFAULT session_user,
    label      text NOT NULL DEFAULT '',
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    pulled     xid8
);

-- Every change set pushed, in the order pullers read it: by the pushing transaction's id,
-- served only below the oldest transaction still running, so a push that commits late is never
-- skipped (a sequence commits out of order). `author` is the pushing login role, always.
CREATE TABLE log (
    xid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    id             uuid PRIMARY KEY,
    entity         text NOT NULL,
    entity_id      uuid NOT NULL,
    batch          uuid NOT NULL,
    device         uuid NOT NULL,
    author         name NOT NULL DEFAULT session_user,
    who            text NOT NULL,
    schema_version integer NOT NULL,
    -- {field: [value or null, hlc, old value or null]}
    fields         jsonb NOT NULL,
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX log_order ON log (xid, seq);
CREATE INDEX log_at ON log (at);

-- The current state: per entity, every field's winning value and stamp,
-- {field: [value or null, hlc, device]}; deleted entities stay (their `alive` is "0"). A new
-- device starts from here instead of replaying the log.
CREATE TABLE state (
    entity_id uuid PRIMARY KEY,
    entity    text NOT NULL,
    doc       jsonb NOT NULL
);
CREATE INDEX state_categories ON state (entity_id) WHERE entity = 'category';

-- Fields that won since the entity's doc was last folded, one row each: a push changes a few
-- fields of entities that have a doc, and an upsert of those small rows costs a fraction of
-- rewriting each whole doc (its description, every field's stamp). An entity's state is its
-- doc with these over it, field by field by the same rule; `fold_state` moves them into the
-- docs in bulk now and then.
CREATE TABLE state_fields (
    entity_id uuid NOT NULL,
    field     text NOT NULL,
    value     text,
    hlc       bigint NOT NULL,
    device    uuid NOT NULL,
    PRIMARY KEY (entity_id, field)
);

-- Docs and change sets are rewritten on every push: lz4 compresses them several times faster
-- than the default pglz, where the server has it.
DO $$
BEGIN
    IF 'lz4' = ANY ((SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression')::text[]) THEN
        ALTER TABLE state ALTER COLUMN doc SET COMPRESSION lz4;
        ALTER TABLE log ALTER COLUMN fields SET COMPRESSION lz4;
    END IF;
END
$$;

-- Single-owner leases with an epoch (the marketplaces: orders, stock and prices). Advisory locks
-- have no permissions and outlive a lost network; a row that only editors may take does not.
CREATE TABLE leases (
    name       text PRIMARY KEY,
    holder     uuid,
    member     name,
    epoch      bigint NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO leases (name) VALUES ('marketplaces');

-- Last writer wins per field: (hlc, device) decides.
CREATE FUNCTION merge_doc(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(a, '{}'::jsonb) || coalesce((
        SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(b) AS e
        WHERE a IS NULL OR NOT (a ? e.key)
           OR ((e.value->>1)::bigint, e.value->>2) > (((a->e.key)->>1)::bigint, (a->e.key)->>2)
    ), '{}'::jsonb)
$$;

CREATE AGGREGATE merge_docs(jsonb) (SFUNC = merge_doc, STYPE = jsonb);

-- A change set's fields as a doc of its device.
CREATE FUNCTION log_doc(fields jsonb, device uuid) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_array(e.value->0, e.value->1, device::text)), '{}'::jsonb)
    FROM jsonb_each(fields) AS e
$$;

-- Every push: refuses change sets made for another schema version or stamped more than five
-- minutes after the server's clock (one machine with a wrong clock must not drag every later
-- stamp into the future), folds the rest into the state, and wakes the other devices.
CREATE FUNCTION log_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    version integer := (SELECT value::integer FROM meta WHERE key = 'schema_version');
    latest  bigint := ((extract(epoch FROM clock_timestamp()) * 1000)::bigint + 300000) << 16;
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows WHERE schema_version IS DISTINCT FROM version) THEN
        RAISE EXCEPTION 'the team database is at schema version %; this change was made for another', version
            USING ERRCODE = 'VS001';
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n, jsonb_each(n.fields) f WHERE (f.value->>1)::bigint > latest) THEN
        RAISE EXCEPTION 'a change is stamped more than 5 minutes after the server''s clock'
            USING ERRCODE = 'VS002';
    END IF;
    -- An entity new to the state gets its doc; one that has a doc gets its fields' rows (the
    -- latest of this push per field, kept only when later than the row there).
    WITH created AS (
        INSERT INTO state AS s (entity_id, entity, doc)
            SELECT n.entity_id, min(n.entity), merge_docs(log_doc(n.fields, n.device)) FROM new_rows n
            WHERE NOT EXISTS (SELECT 1 FROM state t WHERE t.entity_id = n.entity_id)
            GROUP BY n.entity_id
        ON CONFLICT (entity_id) DO UPDATE SET doc = merge_doc(s.doc, excluded.doc)
        RETURNING entity_id
    )
    INSERT INTO state_fields AS o (entity_id, field, value, hlc, device)
        SELECT DISTINCT ON (n.entity_id, f.key) n.entity_id, f.key, f.value->>0, (f.value->>1)::bigint, n.device
        FROM new_rows n, jsonb_each(n.fields) f
        WHERE NOT EXISTS (SELECT 1 FROM created c WHERE c.entity_id = n.entity_id)
        ORDER BY n.entity_id, f.key, (f.value->>1)::bigint DESC, n.device::text DESC
    ON CONFLICT (entity_id, field) DO UPDATE
        SET value = excluded.value, hlc = excluded.hlc, device = excluded.device
        WHERE (excluded.hlc, excluded.device::text) > (o.hlc, o.device::text);
    PERFORM pg_notify('@schema@_log', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER log_inserted AFTER INSERT ON log REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_inserted();

-- The lease: taken when free, expired, or already this device's (same epoch while it holds
-- it, a new epoch otherwise); NULL when another device holds it.
CREATE FUNCTION take_lease(p_name text, p_device uuid, p_ttl_ms integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    got bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM devices WHERE id = p_device AND member = session_user) THEN
        RAISE EXCEPTION 'device % is not one of %''s devices', p_device, session_user USING ERRCODE = '42501';
    END IF;
    UPDATE leases SET
        epoch = CASE WHEN holder = p_device AND expires_at > clock_timestamp() THEN epoch ELSE epoch + 1 END,
        holder = p_device,
        member = session_user,
        expires_at = clock_timestamp() + p_ttl_ms * interval '1 millisecond'
    WHERE name = p_name AND (holder IS NULL OR holder = p_device OR expires_at <= clock_timestamp())
    RETURNING epoch INTO got;
    RETURN got;
END
$$;

-- Extends the lease while this device still holds it with this epoch; false: it was fenced out.
CREATE FUNCTION renew_lease(p_name text, p_device uuid, p_epoch bigint, p_ttl_ms integer) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    WITH renewed AS (
        UPDATE leases SET expires_at = clock_timestamp() + p_ttl_ms * interval '1 millisecond'
        WHERE name = p_name AND holder = p_device AND member = session_user AND epoch = p_epoch
          AND expires_at > clock_timestamp()
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM renewed)
$$;

CREATE FUNCTION release_lease(p_name text, p_device uuid, p_epoch bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    UPDATE leases SET holder = NULL, member = NULL, expires_at = '-infinity'
    WHERE name = p_name AND holder = p_device AND member = session_user AND epoch = p_epoch
$$;

-- Whether `p_epoch` is the lease's current, unexpired epoch (a side effect checks it first).
CREATE FUNCTION lease_valid(p_name text, p_epoch bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT coalesce((SELECT epoch = p_epoch AND expires_at > clock_timestamp() FROM leases WHERE name = p_name), false)
$$;

-- Deletes log rows that are older than `p_keep` and that every device active within `p_keep`
-- has pulled; `log_horizon` becomes the latest transaction deleted, and a device whose cursor
-- is not past it merges the state instead of reading the log.
CREATE FUNCTION prune_log(p_keep interval) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    running xid8 := pg_snapshot_xmin(pg_current_snapshot());
    by_age  xid8 := (SELECT min(xid) FROM log WHERE at >= now() - p_keep);
    by_dev  xid8 := (SELECT min(pulled) FROM devices WHERE last_seen >= now() - p_keep AND pulled IS NOT NULL);
    horizon xid8 := least(coalesce(by_age, running), coalesce(by_dev, running), running);
    gone    bigint;
    latest  xid8;
BEGIN
    WITH deleted AS (DELETE FROM log WHERE xid < horizon RETURNING xid)
    SELECT count(*), max(xid) INTO gone, latest FROM deleted;
    IF latest IS NOT NULL THEN
        UPDATE meta SET value = latest::text WHERE key = 'log_horizon' AND value::xid8 < latest;
    END IF;
    RETURN gone;
END
$$;

-- Folds the field rows of up to `p_limit` entities into their docs, in one statement: the rows
-- are deleted (a push of the same field meanwhile waits, then writes a new row) and merged into
-- the docs by the rule. Returns how many docs changed; 0 when nothing was left to fold.
CREATE FUNCTION fold_state(p_limit integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    folded bigint;
BEGIN
    WITH picked AS (
        SELECT DISTINCT entity_id FROM state_fields ORDER BY entity_id LIMIT p_limit
    ), gone AS (
        DELETE FROM state_fields f USING picked p WHERE f.entity_id = p.entity_id
        RETURNING f.entity_id, f.field, f.value, f.hlc, f.device
    ), docs AS (
        SELECT entity_id, jsonb_object_agg(field, jsonb_build_array(value, hlc, device::text)) AS doc
        FROM gone GROUP BY entity_id
    )
    UPDATE state s SET doc = merge_doc(s.doc, d.doc) FROM docs d WHERE s.entity_id = d.entity_id;
    GET DIAGNOSTICS folded = ROW_COUNT;
    RETURN folded;
END
$$;

-- Members. Login role names are the team's prefix and a lower-case name.
CREATE FUNCTION group_of(p_kind text) RETURNS name
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_kind WHEN 'viewer' THEN '@viewer@' WHEN 'editor' THEN '@editor@' WHEN 'admin' THEN '@admin@' END::name
$$;

CREATE FUNCTION add_member(p_role name, p_name text, p_kind text, p_password text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF group_of(p_kind) IS NULL THEN
        RAISE EXCEPTION 'a member is a viewer, an editor or an admin, not "%"', p_kind USING ERRCODE = '22023';
    END IF;
    IF p_role !~ '^@schema@_m_[a-z0-9_]{1,40}$' THEN
        RAISE EXCEPTION 'not a member role name of this team: %', p_role USING ERRCODE = '22023';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', p_role, p_password, group_of(p_kind));
    INSERT INTO members (role, name, kind) VALUES (p_role, p_name, p_kind);
END
$$;

CREATE FUNCTION set_member_kind(p_role name, p_kind text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    g text;
BEGIN
    IF group_of(p_kind) IS NULL THEN
        RAISE EXCEPTION 'a member is a viewer, an editor or an admin, not "%"', p_kind USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM members WHERE role = p_role) THEN
        RAISE EXCEPTION 'no member %', p_role USING ERRCODE = '42704';
    END IF;
    IF p_kind <> 'admin' AND NOT EXISTS (SELECT 1 FROM members WHERE kind = 'admin' AND role <> p_role) THEN
        RAISE EXCEPTION 'the team would have no admin left' USING ERRCODE = '55000';
    END IF;
    FOREACH g IN ARRAY ARRAY['viewer', 'editor', 'admin'] LOOP
        EXECUTE format('REVOKE %I FROM %I', group_of(g), p_role);
    END LOOP;
    EXECUTE format('GRANT %I TO %I', group_of(p_kind), p_role);
    UPDATE members SET kind = p_kind WHERE role = p_role;
END
$$;

CREATE FUNCTION set_member_password(p_role name, p_password text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM members WHERE role = p_role) THEN
        RAISE EXCEPTION 'no member %', p_role USING ERRCODE = '42704';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_role, p_password);
END
$$;

CREATE FUNCTION remove_member(p_role name) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM members WHERE role = p_role) THEN
        RAISE EXCEPTION 'no member %', p_role USING ERRCODE = '42704';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM members WHERE kind = 'admin' AND role <> p_role) THEN
        RAISE EXCEPTION 'the team would have no admin left' USING ERRCODE = '55000';
    END IF;
    UPDATE leases SET holder = NULL, member = NULL, expires_at = '-infinity' WHERE member = p_role;
    DELETE FROM devices WHERE member = p_role;
    DELETE FROM members WHERE role = p_role;
    EXECUTE format('DROP ROLE %I', p_role);
END
$$;

-- Row-level security on every table, for the owner too.
ALTER TABLE meta ENABLE ROW LEVEL SECURITY;
ALTER TABLE meta FORCE ROW LEVEL SECURITY;
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
ALTER TABLE devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE devices FORCE ROW LEVEL SECURITY;
ALTER TABLE log ENABLE ROW LEVEL SECURITY;
ALTER TABLE log FORCE ROW LEVEL SECURITY;
ALTER TABLE state ENABLE ROW LEVEL SECURITY;
ALTER TABLE state FORCE ROW LEVEL SECURITY;
ALTER TABLE state_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE state_fields FORCE ROW LEVEL SECURITY;
ALTER TABLE leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE leases FORCE ROW LEVEL SECURITY;

CREATE POLICY owner_all ON meta TO @owner@ USING (true) WITH CHECK (true);
CREATE POLICY owner_all ON members TO @owner@ USING (true) WITH CHECK (true);
CREATE POLICY owner_all ON devices TO @owner@ USING (true) WITH CHECK (true);
CREATE POLICY owner_all ON log TO @owner@ USING (true) WITH CHECK (true);
CREATE POLICY owner_all ON state TO @owner@ USING (true) WITH CHECK (true);
CREATE POLICY owner_all ON state_fields TO @owner@ USING (true) WITH CHECK (true);
CREATE POLICY owner_all ON leases TO @owner@ USING (true) WITH CHECK (true);

CREATE POLICY team_reads ON meta FOR SELECT TO @viewer@ USING (true);
CREATE POLICY team_reads ON members FOR SELECT TO @viewer@ USING (true);
CREATE POLICY team_reads ON devices FOR SELECT TO @viewer@ USING (true);
CREATE POLICY team_reads ON log FOR SELECT TO @viewer@ USING (true);
CREATE POLICY team_reads ON state FOR SELECT TO @viewer@ USING (true);
CREATE POLICY team_reads ON state_fields FOR SELECT TO @viewer@ USING (true);
CREATE POLICY team_reads ON leases FOR SELECT TO @viewer@ USING (true);

-- An editor pushes as itself, from one of its own devices (an uncorrelated subquery: read once
-- per push, not once per row).
CREATE POLICY editors_push ON log FOR INSERT TO @editor@
    WITH CHECK (author = session_user
                AND device IN (SELECT d.id FROM devices d WHERE d.member = session_user));
CREATE POLICY editors_register ON devices FOR INSERT TO @editor@ WITH CHECK (member = session_user);
CREATE POLICY editors_update_own ON devices FOR UPDATE TO @editor@
    USING (member = session_user) WITH CHECK (member = session_user);
CREATE POLICY editors_forget_own ON devices FOR DELETE TO @editor@ USING (member = session_user);

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @schema@ FROM PUBLIC;
GRANT USAGE ON SCHEMA @schema@ TO @viewer@;
GRANT SELECT ON meta, members, devices, log, state, state_fields, leases TO @viewer@;
GRANT INSERT (id, entity, entity_id, batch, device, who, schema_version, fields) ON log TO @editor@;
GRANT INSERT (id, label), UPDATE (label, last_seen, pulled), DELETE ON devices TO @editor@;
GRANT EXECUTE ON FUNCTION lease_valid(text, bigint) TO @viewer@;
GRANT EXECUTE ON FUNCTION take_lease(text, uuid, integer), renew_lease(text, uuid, bigint, integer),
    release_lease(text, uuid, bigint), prune_log(interval), fold_state(integer) TO @editor@;
GRANT EXECUTE ON FUNCTION add_member(name, text, text, text), set_member_kind(name, text),
    set_member_password(name, text), remove_member(name) TO @admin@;

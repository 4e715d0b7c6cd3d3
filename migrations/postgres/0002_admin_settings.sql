-- Settings only the team's admins change (issue 17). The rows of the catalog's settings tables
-- sync as entities of their own kind (suppliers, their sources and category mapping, feed
-- profiles, kit and pack links: editors change them as they change products); the kinds named
-- in `admin_entities` are refused to anyone but an admin, by the server: a restrictive policy
-- is ANDed with `editors_push`, so a hand-made INSERT by an editor fails as a push does.

CREATE TABLE admin_entities (
    entity text PRIMARY KEY
);
-- A marketplace account's settings (its connection's non-secret settings: which warehouses,
-- what is pushed on its own): they decide what the team's marketplaces receive.
INSERT INTO admin_entities (entity) VALUES ('market_account');

ALTER TABLE admin_entities ENABLE ROW LEVEL SECURITY;
ALTER TABLE admin_entities FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON admin_entities TO @owner@ USING (true) WITH CHECK (true);
CREATE POLICY team_reads ON admin_entities FOR SELECT TO @viewer@ USING (true);
GRANT SELECT ON admin_entities TO @viewer@;

CREATE POLICY admins_settings ON log AS RESTRICTIVE FOR INSERT TO @editor@
    WITH CHECK (entity NOT IN (SELECT a.entity FROM admin_entities a)
                OR pg_has_role(session_user, '@admin@', 'MEMBER'));

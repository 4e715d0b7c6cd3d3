-- Lists with any filter in any sort (issue 18). The brand and category indexes also carry the
-- other sort keys, the status and each other's column, so a brand or a category, alone or
-- together and with the window's stock, status and price filters, sorted by price, stock or
-- date, is read from its index alone (its entries, never the table) and sorted keeping only
-- the page. The name index carries price, stock and status, so walking it in name order (the
-- window's default) skips rows failing those filters without reading them, however the names
-- cluster. Widening these three costs a 1M-product build about 1.1 s (a composite index per
-- filter and sort would cost 0.8-1.3 s each; docs/benchmarks.md), and a product's update
-- already rewrites every index entry.
DROP INDEX products_by_category;
CREATE INDEX products_by_category ON products(category_rid, name_key, rid, price, stock, updated_at, status, brand);
DROP INDEX products_by_brand;
CREATE INDEX products_by_brand ON products(brand, name_key, rid, price, stock, updated_at, status, category_rid);
DROP INDEX products_by_name;
CREATE INDEX products_by_name ON products(name_key, rid, price, stock, status);

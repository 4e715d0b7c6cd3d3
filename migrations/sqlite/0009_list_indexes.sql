-- Lists with any filter in any sort (issue 18). The brand and category indexes also carry the
-- other sort keys, the status and each other's column, so a brand or a category, alone or
-- together and with the window's stock, status and price filters, sorted by price, stock or
-- date, is read from its index alone (its entries, never the table) and sorted keeping only
-- the page. The sort indexes (name, price, stock, date) carry price, stock and status, so
-- walking one in its order skips rows failing those filters without reading them. Widening
-- costs a catalog build or a first import little beyond what building these indexes already
-- cost, and a product's update already rewrites every index entry; a composite index per
-- filter and sort would cost seconds of build each (docs/benchmarks.md).
DROP INDEX products_by_category;
CREATE INDEX products_by_category ON products(category_rid, name_key, rid, price, stock, updated_at, status, brand);
DROP INDEX products_by_brand;
CREATE INDEX products_by_brand ON products(brand, name_key, rid, price, stock, updated_at, status, category_rid);
DROP INDEX products_by_name;
CREATE INDEX products_by_name ON products(name_key, rid, price, stock, status);
DROP INDEX products_by_price;
CREATE INDEX products_by_price ON products(price, rid, stock, status);
DROP INDEX products_by_stock;
CREATE INDEX products_by_stock ON products(stock, rid, price, status);
DROP INDEX products_by_updated;
CREATE INDEX products_by_updated ON products(updated_at, rid, price, stock, status);

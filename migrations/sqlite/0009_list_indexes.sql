-- Lists filtered by a brand or a category (issue 18). The two indexes that serve them in name
-- order also carry the other sort keys and the status, so the same list sorted by price, stock
-- or date, with the window's other filters on those columns, is read from the index alone (the
-- brand's or category's entries, never the table) and sorted keeping only the page. Widening
-- the two indexes costs a build or a first import about what building them already cost; a
-- composite index per filter and sort would cost several seconds each (docs/benchmarks.md).
DROP INDEX products_by_category;
CREATE INDEX products_by_category ON products(category_rid, name_key, rid, price, stock, updated_at, status);
DROP INDEX products_by_brand;
CREATE INDEX products_by_brand ON products(brand, name_key, rid, price, stock, updated_at, status);

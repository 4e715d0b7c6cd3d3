-- One letter in a list (issue 18): the search index carries, in a product's title, a token for
-- each first letter of its name's words ("§к" for "Кроссовки"; vitrina-store's
-- search/stem.rs), so the products with a name word starting with a letter are one term's list.
-- A catalog indexed before has no such tokens until its search index is rebuilt (`vitrina
-- catalog reindex`); until then its lists test each product's name instead, as before. The
-- mark below says every product's title has them: true of a catalog with no product yet.
INSERT INTO meta (key, value) SELECT 'search_initials', '1' WHERE NOT EXISTS (SELECT 1 FROM products);

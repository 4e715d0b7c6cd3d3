-- The products a card holds besides its own (the sizes of a Wildberries card): each such
-- product's link names the product whose card it is, and follows that card's status and ids.
ALTER TABLE links ADD COLUMN card_of BLOB;
CREATE INDEX links_by_card ON links(account_id, card_of) WHERE card_of IS NOT NULL;

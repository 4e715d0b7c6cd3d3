//! ym: dictionaries, cards, prices, stocks and existing cards against the fake.

//! Marketplace accounts through the application API, against the local fakes of the
//! marketplaces' APIs (`vitrina_testkit::market`).

use vitrina_testkit::market::{Fake, FakeConfig, FakeMarket, FakeToken, TokenState};

use crate::catalog::App;
use crate::error::ErrorCode;
use crate::ipc::NewMarketAccountDto;
use crate::secrets::{MemoryStore, Secrets};

fn app(dir: &std::path::Path) -> App {
    App::open(dir.join("catalog.db")).unwrap()
}

fn secrets() -> Secrets {
    Secrets::new(Box::new(MemoryStore::default()))
}

fn wb(name: &str, url: &str, token: &str) -> NewMarketAccountDto {
    NewMarketAccountDto {
        name: name.into(),
        market: "wb".into(),
        base_url: Some(url.into()),
        token: token.into(),
        ..Default::default()
    }
}

#[test]
fn an_account_is_added_checked_and_removed_with_its_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let secrets = secrets();
    let fake = FakeMarket::start(Fake::Wb, FakeConfig::new(vec![FakeToken::wb("wb-secret-token")]));

    let added = app.add_market_account(&wb("Мой WB", &fake.url(), "wb-secret-token"), &secrets).unwrap();
    assert_eq!((added.market.as_str(), added.secret_set), ("wb", true));
    assert!(added.last_check.is_none());
    let listed = app.market_accounts(Some(&secrets)).unwrap();
    assert_eq!(listed.len(), 1);
    // The credentials went to the store of secrets, and never come back out.
    assert!(!serde_json::to_string(&listed).unwrap().contains("wb-secret-token"));
    assert!(
        !std::fs::read(vitrina_market::market_path(app.path()))
            .unwrap()
            .windows(15)
            .any(|w| w == b"wb-secret-token")
    );

    let check = app.check_market_account("Мой WB", &secrets).unwrap();
    assert!(check.ok, "{check:?}");
    assert!(check.groups.iter().all(|g| g.outcome == "ok"), "{check:?}");
    assert!(fake.requests().len() >= 3, "content, prices and marketplace were asked");
    // The result is kept with the account.
    let shown = app.market_account(&added.id, Some(&secrets)).unwrap();
    assert_eq!(shown.last_check.as_ref().map(|c| c.ok), Some(true));

    let removed = app.remove_market_account("Мой WB", &secrets).unwrap();
    assert_eq!(removed.id, added.id);
    assert!(app.market_accounts(Some(&secrets)).unwrap().is_empty());
    let name = vitrina_market::secret_name(added.id.parse().unwrap());
    assert!(!secrets.market_secret_set(&name).unwrap(), "the credentials are removed too");
}

#[test]
fn a_refused_token_says_why_in_the_marketplaces_words() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let secrets = secrets();
    let fake = FakeMarket::start(
        Fake::Wb,
        FakeConfig::new(vec![
            FakeToken::wb("wb-old-token").state(TokenState::Expired),
            FakeToken::wb("good"),
        ]),
    );
    app.add_market_account(&wb("wrong", &fake.url(), "not-a-token-the-fake-knows"), &secrets).unwrap();
    let check = app.check_market_account("wrong", &secrets).unwrap();
    assert!(!check.ok);
    assert!(check.groups.iter().all(|g| g.outcome == "bad_token" && g.status == Some(401)), "{check:?}");
    assert!(check.groups.iter().all(|g| !g.message.is_empty()), "the marketplace's words are kept");

    app.add_market_account(&wb("old", &fake.url(), "wb-old-token"), &secrets).unwrap();
    let check = app.check_market_account("old", &secrets).unwrap();
    assert!(check.groups.iter().any(|g| g.outcome == "expired_token"), "{check:?}");
}

#[test]
fn an_account_without_stored_credentials_is_checked_without_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let secrets = secrets();
    let fake = FakeMarket::start(Fake::Wb, FakeConfig::new(vec![FakeToken::wb("t")]));
    let added = app.add_market_account(&wb("shop", &fake.url(), "t"), &secrets).unwrap();
    secrets.set_market_secret(&vitrina_market::secret_name(added.id.parse().unwrap()), "").unwrap();
    let check = app.check_market_account("shop", &secrets).unwrap();
    assert!(!check.ok);
    assert!(check.groups.iter().all(|g| g.outcome == "credentials_missing"), "{check:?}");
    assert!(fake.requests().is_empty());
}

#[test]
fn bad_accounts_are_refused_before_anything_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let secrets = secrets();
    let refused = |input: NewMarketAccountDto| app.add_market_account(&input, &secrets).unwrap_err();

    let ozon = NewMarketAccountDto {
        name: "o".into(),
        market: "ozon".into(),
        token: "key".into(),
        ..Default::default()
    };
    assert!(refused(ozon).message.contains("Client-Id"));
    let ym = NewMarketAccountDto { name: "y".into(), market: "ym".into(), ..Default::default() };
    assert!(refused(ym).message.contains("Api-Key"));
    let unknown = NewMarketAccountDto {
        name: "x".into(),
        market: "amazon".into(),
        token: "t".into(),
        ..Default::default()
    };
    assert_eq!(refused(unknown).code, ErrorCode::Invalid);
    assert_eq!(refused(wb("bad url", "ftp://x", "t")).code, ErrorCode::Invalid);
    let ids_on_wb = NewMarketAccountDto { business_id: Some(1), ..wb("ids", "http://127.0.0.1:1", "t") };
    assert_eq!(refused(ids_on_wb).code, ErrorCode::Invalid);
    assert!(app.market_accounts(Some(&secrets)).unwrap().is_empty(), "nothing was added");

    app.add_market_account(&wb("twice", "http://127.0.0.1:1", "t"), &secrets).unwrap();
    assert_eq!(refused(wb("twice", "http://127.0.0.1:1", "t")).code, ErrorCode::Conflict);
    assert_eq!(app.market_account("nobody", None).unwrap_err().code, ErrorCode::NotFound);
}

#[test]
fn the_precheck_lists_each_products_problems_for_the_marketplace_chosen() {
    use vitrina_domain::{Money, Product, ProductDraft};
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    {
        let mut c = app.catalog().unwrap();
        let mut ok = Product::new(ProductDraft {
            sku: "OK-1".into(),
            name: "Кружка".into(),
            price: Money::rub(50_000),
        })
        .unwrap();
        ok.brand = "Дом".into();
        ok.description = "<p>Фарфор.</p>".into();
        ok.weight_g = Some(300);
        ok.dimensions = Some(vitrina_domain::Dimensions { length_mm: 100, width_mm: 90, height_mm: 110 });
        ok.images = vec![vitrina_domain::Image { url: "https://x.ru/cup.jpg".into() }];
        c.create_product(&ok).unwrap();
        let bare =
            Product::new(ProductDraft { sku: "BARE".into(), name: "Я".repeat(70), price: Money::rub(1) })
                .unwrap();
        c.create_product(&bare).unwrap();
    }
    let wb = app.market_precheck("wb", &[]).unwrap();
    assert_eq!((wb.checked, wb.with_problems), (2, 1));
    assert_eq!(wb.products[0].sku, "BARE");
    let codes: Vec<&str> = wb.products[0].problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["name_too_long", "no_dimensions", "no_weight"]);
    let ym = app.market_precheck("ym", &["BARE".into()]).unwrap();
    assert_eq!(ym.checked, 1);
    let codes: Vec<&str> = ym.products[0].problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["no_description", "no_images", "no_brand", "no_dimensions", "no_weight"]);
    assert!(ym.counts.iter().all(|c| c.count == 1));
    assert_eq!(app.market_precheck("ym", &["NOPE".into()]).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(app.market_precheck("nobody", &[]).unwrap_err().code, ErrorCode::NotFound);
}

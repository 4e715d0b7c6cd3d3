//! `vitrina-market` against the marketplace fakes of `vitrina-testkit`: connection checks,
//! auth headers, retries and rate limits, seen from both sides of the socket.

use std::sync::Arc;
use std::time::Duration;

use vitrina_market::http::{Clock, backoff};
use vitrina_market::{
    Account, CheckOutcome, Client, ConnectionCheck, Credentials, Endpoint, ErrorKind, Group, ManualClock,
    Market, MarketStore, Method, RetryPolicy, check_connection, ozon, wb,
};
use vitrina_testkit::http::{Reply, Server};
use vitrina_testkit::market::{
    Fake, FakeCampaign, FakeConfig, FakeLimits, FakeMarket, FakeToken, Fault, TokenState,
};

#[path = "market/engine.rs"]
mod engine;
#[path = "market/mapping.rs"]
mod mapping;
#[path = "market/ozon_api.rs"]
mod ozon_api;
#[path = "market/wb_api.rs"]
mod wb_api;
#[path = "market/ym_api.rs"]
mod ym_api;

const TOKEN: &str = "s3cr3t-tok";
const CLIENT_ID: &str = "836412";
const NEVER: fn() -> bool = || false;

fn fake(kind: Fake, tokens: Vec<FakeToken>) -> FakeMarket {
    FakeMarket::start(kind, FakeConfig::new(tokens))
}

fn account(market: Market, fake: &FakeMarket) -> Account {
    let mut a = Account::new("test", market, 1);
    a.base_url = Some(fake.url());
    if market == Market::Ym {
        (a.business_id, a.campaign_id) = (Some(11_000_001), Some(21_000_001));
    }
    a
}

fn creds(market: Market, secret: &str) -> Credentials {
    match market {
        Market::Wb => Credentials::Wb { token: secret.into() },
        Market::Ozon => Credentials::Ozon { client_id: CLIENT_ID.into(), api_key: secret.into() },
        Market::Ym => Credentials::Ym { api_key: secret.into() },
    }
}

/// A client on a manual clock: waits are recorded, not slept.
fn client(account: &Account, secret: &str) -> (Client, Arc<ManualClock>) {
    let clock = ManualClock::new();
    let client = Client::new(account, creds(account.market, secret)).unwrap().with_clock(clock.clone());
    (client, clock)
}

fn check(market: Market, fake: &FakeMarket, secret: &str) -> ConnectionCheck {
    let account = account(market, fake);
    let (client, _) = client(&account, secret);
    check_connection(&account, &client)
}

fn outcomes(check: &ConnectionCheck) -> Vec<(&str, &'static str)> {
    check.groups.iter().map(|g| (g.group.as_str(), g.outcome.code())).collect()
}

fn no_secret_in(check: &ConnectionCheck) {
    let json = serde_json::to_string(check).unwrap();
    assert!(!json.contains(TOKEN), "{json}");
}

// ---- Wildberries -------------------------------------------------------------------------

#[test]
fn wb_check_passes_on_every_group_lists_warehouses_and_sends_the_raw_token() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    fake.set_wb_warehouses(&[(507, "Коледино"), (1_000_001, "Склад продавца")]);
    let c = check(Market::Wb, &fake, TOKEN);
    assert!(c.ok, "{c:?}");
    assert_eq!(outcomes(&c), [("content", "ok"), ("prices", "ok"), ("marketplace", "ok")]);
    let warehouses: Vec<_> = c.warehouses.iter().map(|w| (w.id.as_str(), w.name.as_str())).collect();
    assert_eq!(warehouses, [("507", "Коледино"), ("1000001", "Склад продавца")]);
    // One base URL serves every group; each got exactly one request (the three go at once, in
    // no set order) with the token as it is.
    let requests = fake.requests();
    let mut paths: Vec<_> = requests.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            ("GET", "/api/v2/list/goods/filter?limit=1&offset=0"),
            ("GET", "/api/v3/warehouses"),
            ("GET", "/content/v2/object/parent/all?locale=ru"),
        ]
    );
    for r in &requests {
        assert_eq!(r.header("Authorization"), Some(TOKEN));
        assert!(r.header("User-Agent").is_some_and(|ua| ua.starts_with("Vitrina/")), "{r:?}");
        assert_eq!((r.header("Api-Key"), r.header("Client-Id")), (None, None));
    }
}

#[test]
fn wb_token_without_a_category_fails_only_that_group() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN).wb_categories(&["content", "marketplace"])]);
    let c = check(Market::Wb, &fake, TOKEN);
    assert!(!c.ok);
    assert_eq!(outcomes(&c), [("content", "ok"), ("prices", "wrong_token_category"), ("marketplace", "ok")]);
    let prices = c.group("prices").unwrap();
    assert_eq!(prices.status, Some(401));
    assert!(
        prices.message.contains("Prices and discounts") && prices.message.contains("token scope not allowed")
    );
}

#[test]
fn wb_bad_expired_unpaid_and_base_tokens_are_told_apart() {
    let fake = fake(
        Fake::Wb,
        vec![
            FakeToken::wb("expired-tok").state(TokenState::Expired),
            FakeToken::wb("unpaid-tok").state(TokenState::Unpaid),
            FakeToken::wb("base-tok").state(TokenState::Base),
        ],
    );
    let bad = check(Market::Wb, &fake, TOKEN);
    assert_eq!(
        outcomes(&bad),
        [("content", "bad_token"), ("prices", "bad_token"), ("marketplace", "bad_token")]
    );
    assert!(
        bad.groups[0].message.contains("token is malformed"),
        "the marketplace's words are kept: {bad:?}"
    );
    no_secret_in(&bad);

    let expired = check(Market::Wb, &fake, "expired-tok");
    assert!(expired.groups.iter().all(|g| g.outcome == CheckOutcome::ExpiredToken), "{expired:?}");
    let unpaid = check(Market::Wb, &fake, "unpaid-tok");
    assert!(
        unpaid.groups.iter().all(|g| g.outcome == CheckOutcome::PaymentRequired && g.status == Some(402))
    );
    let base = check(Market::Wb, &fake, "base-tok");
    assert_eq!(outcomes(&base), [("content", "ok"), ("prices", "no_access"), ("marketplace", "no_access")]);
    assert!(base.groups[1].message.contains("base token is not allowed"));
    // No 4xx is retried: one request per group and check.
    assert_eq!(fake.requests().len(), 12);
}

#[test]
fn wb_rate_limit_is_waited_out_as_the_header_says_then_the_check_passes() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    fake.inject(Fault::RateLimited { retry_secs: 7 }, 2);
    let account = account(Market::Wb, &fake);
    let (client, clock) = client(&account, TOKEN);
    let clock_start = clock.now();
    let c = check_connection(&account, &client);
    assert!(c.ok, "{c:?}");
    // Two requests were refused and asked again: five in all over the three groups. Each was
    // asked again no sooner than the header said. (The groups are asked at once and share this
    // virtual clock: the second refused one may find the first's wait already moved the clock
    // past its own time, and ask at once; a CI run saw that.)
    assert_eq!(fake.requests().len(), 5);
    let sleeps: Vec<Duration> = clock.sleeps().into_iter().filter(|s| !s.is_zero()).collect();
    assert!((1..=2).contains(&sleeps.len()), "{sleeps:?}");
    assert!(sleeps.iter().all(|s| *s >= Duration::from_secs(7)), "{sleeps:?}");
    assert!(clock.now() >= clock_start + Duration::from_secs(7), "the clock moved past the wait");
}

// ---- the HTTP layer ----------------------------------------------------------------------

fn warehouses(client: &Client) -> Result<Vec<wb::Warehouse>, vitrina_market::MarketError> {
    wb::warehouses(client, &NEVER)
}

#[test]
fn a_5xx_is_retried_and_a_400_is_sent_once() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    let account = account(Market::Wb, &fake);
    let (client, clock) = client(&account, TOKEN);
    fake.inject(Fault::Status(503), 2);
    assert_eq!(warehouses(&client).unwrap().len(), 2);
    assert_eq!(fake.requests().len(), 3);
    // Back-off with jitter: 0.5–1 s, then 1–2 s.
    let sleeps = clock.sleeps();
    assert!(sleeps[0] >= Duration::from_millis(500) && sleeps[0] <= Duration::from_secs(1), "{sleeps:?}");
    assert!(sleeps[1] >= Duration::from_secs(1) && sleeps[1] <= Duration::from_secs(2), "{sleeps:?}");

    fake.inject(Fault::Status(400), 1);
    let e = warehouses(&client).unwrap_err();
    assert_eq!((e.kind, e.status, e.is_transient()), (ErrorKind::Rejected, Some(400), false));
    assert_eq!(e.message, "injected fault");
    assert_eq!(fake.requests().len(), 4, "a 400 is never retried");
}

#[test]
fn a_4xx_on_wb_warehouses_costs_ten_tokens() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    let account = account(Market::Wb, &fake);
    let (client, clock) = client(&account, TOKEN);
    fake.inject(Fault::Status(404), 1);
    assert_eq!(warehouses(&client).unwrap_err().kind, ErrorKind::NotFound);
    // Burst 20: one taken, nine more for the 4xx, so ten go at once and the next waits 200 ms.
    for _ in 0..10 {
        warehouses(&client).unwrap();
    }
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
    warehouses(&client).unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_millis(200)]);
}

#[test]
fn an_interactive_policy_gives_up_sooner() {
    let fake = fake(Fake::Ozon, vec![FakeToken::ozon(CLIENT_ID, TOKEN)]);
    fake.inject(Fault::RateLimited { retry_secs: 20 }, 1);
    let account = account(Market::Ozon, &fake);
    let (client, clock) = client(&account, TOKEN);
    let client = client.with_policy(RetryPolicy::interactive());
    let c = check_connection(&account, &client);
    assert_eq!(outcomes(&c), [("seller_api", "rate_limited")]);
    assert!(c.groups[0].message.contains("rate limit per second"));
    assert_eq!((fake.requests().len(), clock.sleeps().len()), (1, 0));
    fake.inject(Fault::Status(502), 5);
    let c = check_connection(&account, &client);
    assert_eq!(outcomes(&c), [("seller_api", "server_error")]);
    assert_eq!(fake.requests().len(), 4, "three attempts");
}

#[test]
fn rate_limits_that_never_end_give_a_transient_error_after_the_last_attempt() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    let account = account(Market::Wb, &fake);
    let (client, _) = client(&account, TOKEN);
    fake.inject(Fault::RateLimited { retry_secs: 2 }, 10);
    let e = warehouses(&client).unwrap_err();
    assert_eq!((e.kind, e.code(), e.is_transient()), (ErrorKind::RateLimited, "rate_limited", true));
    assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
    assert_eq!(fake.requests().len(), RetryPolicy::default().max_attempts as usize);
    assert!(e.message.contains("too many requests"), "{e}");
}

#[test]
fn a_wait_longer_than_the_policy_allows_goes_back_to_the_caller_at_once() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    let account = account(Market::Wb, &fake);
    let (client, clock) = client(&account, TOKEN);
    fake.inject(Fault::RateLimited { retry_secs: 600 }, 1);
    let e = warehouses(&client).unwrap_err();
    assert_eq!((e.kind, e.retry_after), (ErrorKind::RateLimited, Some(Duration::from_secs(600))));
    assert_eq!(fake.requests().len(), 1);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn a_cancel_during_a_wait_stops_the_call() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    let account = account(Market::Wb, &fake);
    let (client, _) = client(&account, TOKEN);
    fake.inject(Fault::RateLimited { retry_secs: 30 }, 5);
    let cancel = || !fake.requests().is_empty();
    let e = wb::warehouses(&client, &cancel).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn a_redirect_is_not_followed_so_the_token_stays_home() {
    let elsewhere = Server::start(|_| Reply::ok("[]"));
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    fake.inject(Fault::Redirect(elsewhere.url("/api/v3/warehouses")), 1);
    let account = account(Market::Wb, &fake);
    let (client, _) = client(&account, TOKEN);
    let e = warehouses(&client).unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Rejected, Some(302)));
    assert!(e.message.contains("not followed"), "{e}");
    assert!(elsewhere.requests().is_empty());
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn the_clients_buckets_keep_the_fakes_limiter_quiet_and_a_client_without_them_does_not() {
    // wb.prices: 10 per 6 s, burst 5 → one per 60 ms. The fake lets a request half an interval
    // early through, so the first request may take up to 30 ms to arrive on a loaded machine.
    const SCALE: f64 = 10.0;
    let fake = FakeMarket::start(
        Fake::Wb,
        FakeConfig::new(vec![FakeToken::wb(TOKEN)]).limits(FakeLimits::Scaled(SCALE)),
    );
    let account = account(Market::Wb, &fake);
    let client = Client::new(&account, creds(Market::Wb, TOKEN)).unwrap().with_time_scale(SCALE);
    for _ in 0..30 {
        wb::goods(&client, 1, 0, &NEVER).unwrap();
    }
    assert_eq!((fake.throttled(), fake.requests().len()), (0, 30));

    // The same burst from a client whose buckets run far too fast is throttled: the test can fail.
    let fast = Client::new(
        &Account { id: vitrina_market::MarketAccountId::new(), ..account },
        creds(Market::Wb, TOKEN),
    )
    .unwrap()
    .with_time_scale(SCALE * 1000.0)
    .with_policy(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() });
    let refused = (0..30).filter(|_| wb::goods(&fast, 1, 0, &NEVER).is_err()).count();
    assert!(fake.throttled() > 0 && refused > 0, "throttled {}", fake.throttled());
}

#[test]
fn an_endpoint_of_another_marketplace_or_bucket_is_refused_before_sending() {
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    let account = account(Market::Wb, &fake);
    let (client, _) = client(&account, TOKEN);
    let ozon = Endpoint::new(Group::Ozon, "ozon.global", Method::POST, "/v1/roles");
    assert_eq!(client.send(&ozon, Some(b"{}"), 1, &NEVER).unwrap_err().kind, ErrorKind::Invalid);
    let unknown = Endpoint::new(Group::WbContent, "wb.nothing", Method::GET, "/ping");
    assert_eq!(client.send(&unknown, None, 1, &NEVER).unwrap_err().kind, ErrorKind::Invalid);
    assert!(fake.requests().is_empty());
    let wrong = Client::new(&account, creds(Market::Ym, TOKEN)).unwrap_err();
    assert!(wrong.to_string().contains("Yandex Market credentials cannot sign in to Wildberries"));
}

// ---- Ozon --------------------------------------------------------------------------------

#[test]
fn ozon_check_passes_with_every_needed_role_and_sends_both_headers() {
    let fake = fake(Fake::Ozon, vec![FakeToken::ozon(CLIENT_ID, TOKEN)]);
    let c = check(Market::Ozon, &fake, TOKEN);
    assert!(c.ok, "{c:?}");
    assert_eq!(c.groups.len(), 6);
    assert_eq!(c.scopes, ["Admin"]);
    let r = &fake.requests()[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v1/roles"));
    assert_eq!((r.header("Client-Id"), r.header("Api-Key")), (Some(CLIENT_ID), Some(TOKEN)));
    assert_eq!(r.header("Authorization"), None);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.body, b"{}");
}

#[test]
fn ozon_missing_roles_are_named() {
    let fake = fake(
        Fake::Ozon,
        vec![FakeToken::ozon(CLIENT_ID, TOKEN).ozon_methods(&[
            "/v3/product/",
            "/v1/product/import/",
            "/v1/description-category/tree",
        ])],
    );
    let c = check(Market::Ozon, &fake, TOKEN);
    assert!(!c.ok);
    let missing: Vec<_> = c
        .groups
        .iter()
        .filter(|g| g.outcome == CheckOutcome::MissingScope)
        .map(|g| g.group.as_str())
        .collect();
    assert_eq!(missing, ["/v2/products/stocks"]);
    assert!(c.group("/v2/products/stocks").unwrap().message.contains("/v2/products/stocks"));
}

#[test]
fn ozon_key_errors_are_told_apart_by_their_message() {
    let fake = fake(
        Fake::Ozon,
        vec![
            FakeToken::ozon(CLIENT_ID, "old-key").state(TokenState::Expired),
            FakeToken::ozon(CLIENT_ID, "ip-key").state(TokenState::IpRestricted),
        ],
    );
    for (secret, outcome, status, words) in [
        (TOKEN, "bad_token", 401, "Invalid Api-Key"),
        ("old-key", "expired_token", 403, "deactivated"),
        ("ip-key", "ip_restricted", 403, "restricted to specific IP"),
    ] {
        let c = check(Market::Ozon, &fake, secret);
        assert_eq!(outcomes(&c), [("seller_api", outcome)], "{secret}");
        assert_eq!(c.groups[0].status, Some(status));
        assert!(c.groups[0].message.contains(words), "{c:?}");
        no_secret_in(&c);
    }
    // A right key with another Client-Id is not accepted either.
    let mut a = account(Market::Ozon, &fake);
    a.name = "other".into();
    let other =
        Client::new(&a, Credentials::Ozon { client_id: "1".into(), api_key: "old-key".into() }).unwrap();
    assert_eq!(check_connection(&a, &other).groups[0].outcome, CheckOutcome::BadToken);
}

#[test]
fn ozon_rate_limit_then_ok_honours_retry_after() {
    let fake = fake(Fake::Ozon, vec![FakeToken::ozon(CLIENT_ID, TOKEN)]);
    fake.inject(Fault::RateLimited { retry_secs: 3 }, 1);
    let account = account(Market::Ozon, &fake);
    let (client, clock) = client(&account, TOKEN);
    let roles = ozon::roles(&client, &NEVER).unwrap();
    assert!(roles.allows("/v2/products/stocks"));
    assert_eq!(fake.count("POST", "/v1/roles"), 2);
    assert!(clock.sleeps()[0] >= Duration::from_secs(3), "{:?}", clock.sleeps());
}

// ---- Yandex Market -----------------------------------------------------------------------

#[test]
fn ym_check_passes_for_the_accounts_campaign_and_sends_the_api_key() {
    let fake = fake(Fake::Ym, vec![FakeToken::ym(TOKEN)]);
    let c = check(Market::Ym, &fake, TOKEN);
    assert!(c.ok, "{c:?}");
    assert_eq!(outcomes(&c), [("auth", "ok"), ("offers", "ok"), ("pricing", "ok"), ("campaign", "ok")]);
    assert_eq!(c.scopes, ["ALL_METHODS"]);
    assert_eq!(c.campaigns[0].id, 21_000_001);
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!((requests[0].method.as_str(), requests[0].path.as_str()), ("POST", "/v2/auth/token"));
    assert_eq!(requests[1].path, "/v2/campaigns?limit=100");
    assert!(
        requests.iter().all(|r| r.header("Api-Key") == Some(TOKEN) && r.header("Authorization").is_none())
    );
}

#[test]
fn ym_missing_scopes_and_wrong_campaigns_are_named() {
    let fake = fake(
        Fake::Ym,
        vec![
            FakeToken::ym(TOKEN).ym_scopes(&["OFFERS_AND_CARDS_MANAGEMENT", "PRICING_READ_ONLY"]),
            FakeToken::ym("disabled-key").ym_campaigns(vec![FakeCampaign {
                id: 21_000_001,
                business_id: 11_000_001,
                api_availability: "MANUALLY_DISABLED".into(),
            }]),
            FakeToken::ym("other-key").ym_campaigns(vec![FakeCampaign::available(22, 12)]),
        ],
    );
    let c = check(Market::Ym, &fake, TOKEN);
    assert_eq!(
        outcomes(&c),
        [("auth", "ok"), ("offers", "ok"), ("pricing", "missing_scope"), ("campaign", "ok")]
    );
    assert!(c.group("pricing").unwrap().message.contains("PRICING"));

    let disabled = check(Market::Ym, &fake, "disabled-key");
    let campaign = disabled.group("campaign").unwrap();
    assert_eq!(campaign.outcome, CheckOutcome::WrongCampaign);
    assert!(campaign.message.contains("MANUALLY_DISABLED"), "{campaign:?}");

    let other = check(Market::Ym, &fake, "other-key");
    assert_eq!(other.group("campaign").unwrap().outcome, CheckOutcome::WrongCampaign);
    assert!(other.group("campaign").unwrap().message.contains("not among the 1 campaigns"));

    let bad = check(Market::Ym, &fake, "nope");
    assert_eq!(outcomes(&bad), [("auth", "bad_token")]);
    assert_eq!(bad.groups[0].status, Some(401));
}

#[test]
fn ym_without_ids_lists_every_campaign_across_pages() {
    let campaigns = (0..150).map(|i| FakeCampaign::available(30_000 + i, 11)).collect();
    let fake = fake(Fake::Ym, vec![FakeToken::ym(TOKEN).ym_campaigns(campaigns)]);
    let mut account = account(Market::Ym, &fake);
    (account.business_id, account.campaign_id) = (None, None);
    let (client, _) = client(&account, TOKEN);
    let c = check_connection(&account, &client);
    assert_eq!(c.campaigns.len(), 150);
    assert_eq!(c.campaigns[149].id, 30_149);
    let campaign = c.group("campaign").unwrap();
    assert_eq!(campaign.outcome, CheckOutcome::WrongCampaign);
    assert!(campaign.message.contains("--business-id") && campaign.message.contains("30000 (business 11)"));
    assert_eq!(fake.count("GET", "/v2/campaigns"), 2);
    assert!(fake.requests()[2].path.contains("pageToken=100"));
}

#[test]
fn ym_420_is_waited_out_until_the_resource_until_date() {
    let fake = fake(Fake::Ym, vec![FakeToken::ym(TOKEN)]);
    fake.inject(Fault::RateLimited { retry_secs: 3 }, 1);
    let c = {
        let account = account(Market::Ym, &fake);
        let (client, clock) = client(&account, TOKEN);
        let c = check_connection(&account, &client);
        // The date has whole seconds: the wait is 3–4 s less the time the answer took.
        let first = clock.sleeps()[0];
        assert!(first >= Duration::from_secs(2) && first <= Duration::from_secs(5), "{first:?}");
        c
    };
    assert!(c.ok, "{c:?}");
    assert_eq!(fake.count("POST", "/v2/auth/token"), 2);
}

#[test]
fn ym_5xx_fault_is_retried_and_the_check_passes() {
    let fake = fake(Fake::Ym, vec![FakeToken::ym(TOKEN)]);
    fake.inject(Fault::Status(500), 1);
    assert!(check(Market::Ym, &fake, TOKEN).ok);
    assert_eq!(fake.requests().len(), 3);
}

// ---- secrets, the store ------------------------------------------------------------------

#[test]
fn secrets_never_reach_debug_output_or_error_messages() {
    // A server that echoes what it was sent, in every shape.
    let echo = Server::start(|r| {
        let sent = format!("{:?}", r.headers);
        Reply::status(401).header("Content-Type", "application/json").body(
            serde_json::json!({"title": "unauthorized", "detail": sent, "message": sent, "errorText": sent})
                .to_string(),
        )
    });
    for market in Market::ALL {
        let mut a = Account::new("echo", market, 1);
        a.base_url = Some(echo.url(""));
        let client = Client::new(&a, creds(market, TOKEN)).unwrap();
        let shown = format!("{client:?} {:?}", creds(market, TOKEN));
        assert!(!shown.contains(TOKEN), "{shown}");
        let c = check_connection(&a, &client);
        assert!(!c.ok);
        no_secret_in(&c);
        let e = match market {
            Market::Wb => warehouses(&client).map(drop),
            Market::Ozon => ozon::roles(&client, &NEVER).map(drop),
            Market::Ym => vitrina_market::ym::token_info(&client, &NEVER).map(drop),
        }
        .unwrap_err();
        for text in [e.to_string(), format!("{e:?}"), e.message.clone()] {
            assert!(!text.contains(TOKEN) && text.contains("***"), "{text}");
        }
    }
}

#[test]
fn an_unreachable_marketplace_is_reported_as_such() {
    let closed = {
        let s = Server::start(|_| Reply::status(200));
        s.url("")
    };
    let mut a = Account::new("gone", Market::Ozon, 1);
    a.base_url = Some(closed);
    let clock = ManualClock::new();
    let client = Client::new(&a, creds(Market::Ozon, TOKEN)).unwrap().with_clock(clock.clone());
    let c = check_connection(&a, &client);
    assert_eq!(outcomes(&c), [("seller_api", "unreachable")]);
    assert_eq!(clock.sleeps().len(), 4, "connection failures are retried");
    assert!(backoff(1, Duration::from_secs(1), Duration::from_secs(60)) <= Duration::from_secs(1));
}

#[test]
fn a_check_is_stored_with_its_account() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("shop.db");
    let fake = fake(Fake::Wb, vec![FakeToken::wb(TOKEN)]);
    let account = account(Market::Wb, &fake);
    let mut store = MarketStore::open(&catalog).unwrap();
    store.add_account(&account).unwrap();
    let (client, _) = client(&account, TOKEN);
    let c = check_connection(&account, &client);
    assert!(store.set_last_check(account.id, &c).unwrap());
    drop(store);
    let store = MarketStore::open(&catalog).unwrap();
    let back = store.account("test").unwrap();
    assert_eq!(back.last_check, Some(c));
    assert_eq!(back.base_url, Some(fake.url()));
    let bytes = std::fs::read(vitrina_market::market_path(&catalog)).unwrap();
    assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));
}

//! `mp fake-server`: a marketplace's seller API, faked on this computer, until stopped.

use vitrina_app::market::demo::{DEMO_BUSINESS_ID, DEMO_CAMPAIGN_ID, DEMO_CLIENT_ID, DEMO_TOKEN, start_fake};
use vitrina_app::{AppError, ErrorCode};

use crate::args::Cli;
use crate::output::{Outcome, json, print};

pub fn serve(market: &str, port: u16, faults: f64, cli: &Cli) -> Outcome {
    let market: vitrina_app::market::Market =
        market.parse().map_err(|e: vitrina_app::market::UnknownMarket| AppError::invalid(e.to_string()))?;
    if !(0.0..=1.0).contains(&faults) {
        return Err(AppError::invalid(format!("--faults {faults}: a share between 0 and 1")));
    }
    let fake = start_fake(market, &format!("127.0.0.1:{port}"), faults)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("port {port}: {e}")))?;
    let url = fake.url();
    let mut add = format!(
        "VITRINA_MP_TOKEN={DEMO_TOKEN} vitrina mp accounts add Демо --market {} --base-url {url}",
        market.code()
    );
    match market {
        vitrina_app::market::Market::Ozon => add.push_str(&format!(" --client-id {DEMO_CLIENT_ID}")),
        vitrina_app::market::Market::Ym => {
            add.push_str(&format!(" --business-id {DEMO_BUSINESS_ID} --campaign-id {DEMO_CAMPAIGN_ID}"))
        }
        vitrina_app::market::Market::Wb => {}
    }
    if cli.json {
        json(&serde_json::json!({"market": market.code(), "url": url, "token": DEMO_TOKEN, "add": add}))?;
    } else {
        print(format!("A fake {} seller API listens on {url} (Ctrl-C stops it).", market.title()));
        print(format!("Try it:\n  {add}\n  vitrina mp map Демо --auto\n  vitrina mp publish Демо --all"));
    }
    loop {
        std::thread::park();
    }
}

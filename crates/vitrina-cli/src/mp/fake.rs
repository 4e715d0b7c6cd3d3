//! `mp fake-server`: a marketplace's seller API, faked on this computer, until stopped.

use vitrina_app::market::demo::serve;

use crate::args::Cli;
use crate::output::{Outcome, json, print};

pub fn serve_until_stopped(market: &str, port: u16, faults: f64, cli: &Cli) -> Outcome {
    let (_fake, dto) = serve(market, port, faults)?;
    if cli.json {
        json(&dto)?;
    } else {
        print(format!("A fake seller API ({}) listens on {} (Ctrl-C stops it).", dto.market, dto.url));
        print(format!(
            "Try it:\n  {}\n  vitrina mp map Демо --auto\n  vitrina mp publish Демо --all",
            dto.add
        ));
    }
    loop {
        std::thread::park();
    }
}

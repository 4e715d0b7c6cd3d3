//! `mp values`: the value map of one dictionary attribute — every value your products give it,
//! how many say it, what the card carries — and `--map YOURS=THEIRS` / `--unmap YOURS`.

use vitrina_app::ipc::AttrValuesDto;
use vitrina_app::{App, AppError};

use crate::args::Cli;
use crate::output::{Outcome, json, print, table};

/// What `mp values` was asked to do.
pub struct ValuesArgs<'a> {
    pub ext: &'a str,
    pub attr: &'a str,
    /// `yours=theirs` pairs (the dictionary value by its text or id).
    pub map: &'a [String],
    pub unmap: &'a [String],
}

pub fn values(app: &App, account: &str, args: &ValuesArgs, cli: &Cli) -> Outcome {
    let mut dto = None;
    for pair in args.map {
        let (mine, theirs) = pair
            .split_once('=')
            .ok_or_else(|| AppError::invalid(format!("{pair:?}: write YOUR_VALUE=DICTIONARY_VALUE")))?;
        dto = Some(app.set_market_value(account, args.ext, args.attr, mine.trim(), Some(theirs.trim()))?);
    }
    for mine in args.unmap {
        dto = Some(app.set_market_value(account, args.ext, args.attr, mine.trim(), None)?);
    }
    let dto = match dto {
        Some(d) => d,
        None => app.market_attribute_values(account, args.ext, args.attr)?,
    };
    rows(&dto, cli)
}

fn rows(dto: &AttrValuesDto, cli: &Cli) -> Outcome {
    if cli.json {
        return json(dto);
    }
    let Some(source) = &dto.source else {
        print(format!(
            "{}: nothing fills it yet; choose with mp map --attributes … --set {}=…",
            dto.attr.name, dto.attr.attr_id
        ));
        return Ok(());
    };
    print(format!(
        "{} ({}), filled from {source}: {} distinct values in {} products.",
        dto.attr.name,
        dto.attr.attr_id,
        dto.values.len(),
        dto.products
    ));
    let mut t = table(&["Your value", "Products", "On the marketplace", "Suggestion"]);
    for v in &dto.values {
        let becomes = match (v.state.as_str(), &v.value, &v.problem) {
            ("mapped", Some(x), _) => format!("{} (yours)", x.value),
            ("found", Some(x), _) => x.value.clone(),
            ("as_is", _, _) => "as it is (free text)".into(),
            (_, _, Some(p)) => format!("refused: {}", p.detail),
            (state, _, _) => state.to_owned(),
        };
        let suggestion = v
            .suggestion
            .as_ref()
            .map(|s| format!("{}{}", s.value, if v.suggestion_confident { "" } else { " ?" }))
            .unwrap_or_default();
        t.add_row(vec![v.text.clone(), v.products.to_string(), becomes, suggestion]);
    }
    print(t);
    Ok(())
}

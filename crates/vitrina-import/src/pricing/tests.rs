use proptest::prelude::*;
use rstest::rstest;

use super::*;

fn item(cost: Option<i64>, retail: Option<i64>, brand: &str) -> SupplierItem {
    SupplierItem { cost, retail_price: retail, brand: brand.into(), ..Default::default() }
}

fn path(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| (*s).to_owned()).collect()
}

fn rule(markup: Markup, rounding: Rounding) -> PriceRule {
    PriceRule { markup, rounding, ..Default::default() }
}

const R: i64 = MINOR_PER_UNIT;

#[rstest]
#[case(Rounding::None, 123_456, 123_456)]
#[case(Rounding::To1, 123_450, 123_500)]
#[case(Rounding::To1, 123_449, 123_400)]
#[case(Rounding::To10, 1_234 * R, 1_230 * R)]
#[case(Rounding::To10, 1_235 * R, 1_240 * R)]
#[case(Rounding::To100, 1_249 * R, 1_200 * R)]
#[case(Rounding::To100, 1_250 * R, 1_300 * R)]
#[case(Rounding::EndIn9, 1_234 * R, 1_239 * R)]
#[case(Rounding::EndIn9, 1_249 * R, 1_249 * R)]
#[case(Rounding::EndIn9, 1_240 * R, 1_249 * R)]
#[case(Rounding::EndIn9, 1_239 * R + 50, 1_249 * R)]
#[case(Rounding::EndIn9, 5 * R, 9 * R)]
#[case(Rounding::EndIn90, 1_234 * R, 1_290 * R)]
#[case(Rounding::EndIn90, 1_290 * R, 1_290 * R)]
#[case(Rounding::EndIn90, 1_291 * R, 1_390 * R)]
#[case(Rounding::EndIn99, 1_234 * R, 1_299 * R)]
#[case(Rounding::EndIn99, 1_299 * R, 1_299 * R)]
#[case(Rounding::EndIn99, 10 * R, 99 * R)]
fn rounds(#[case] rounding: Rounding, #[case] price: i64, #[case] out: i64) {
    assert_eq!(rounding.apply(price, 0), out);
}

#[test]
fn rounding_down_stops_at_the_floor() {
    // 1 234 rounds to 1 230 to the nearest ten, but the floor 1 232 forces 1 240.
    assert_eq!(Rounding::To10.apply(1_234 * R, 1_232 * R), 1_240 * R);
    assert_eq!(Rounding::To100.apply(1_249 * R, 1_201 * R), 1_300 * R);
}

#[rstest]
#[case(Markup::None, 1_000 * R, 1_000 * R)]
#[case(Markup::Percent { bp: 2_500 }, 1_000 * R, 1_250 * R)]
#[case(Markup::Percent { bp: 3_333 }, 1, 1)] // 1.3333 kopecks → 1
#[case(Markup::Percent { bp: 5_000 }, 1, 2)] // 1.5 kopecks → 2, half up
#[case(Markup::Fixed { minor: 300 * R }, 1_000 * R, 1_300 * R)]
#[case(Markup::Percent { bp: -20_000 }, 1_000 * R, 0)]
fn marks_up(#[case] markup: Markup, #[case] cost: i64, #[case] out: i64) {
    let rules = PriceRules { rules: vec![rule(markup, Rounding::None)] };
    assert_eq!(rules.price(&item(Some(cost), None, ""), &[]).price, out);
}

#[rstest]
#[case(500 * R, 800 * R)] // ≤ 500: +50 % + 50
#[case(1_000 * R, 1_300 * R)] // ≤ 5 000: +30 %
#[case(5_000 * R, 6_500 * R)]
#[case(10_000 * R, 12_000 * R)] // above: +20 %
fn tiers_follow_the_cost(#[case] cost: i64, #[case] out: i64) {
    let tiers = vec![
        Tier { up_to_minor: Some(500 * R), percent_bp: 5_000, fixed_minor: 50 * R },
        Tier { up_to_minor: Some(5_000 * R), percent_bp: 3_000, fixed_minor: 0 },
        Tier { up_to_minor: None, percent_bp: 2_000, fixed_minor: 0 },
    ];
    let rules = PriceRules { rules: vec![rule(Markup::Tiers { tiers }, Rounding::None)] };
    assert_eq!(rules.price(&item(Some(cost), None, ""), &[]).price, out);
}

#[test]
fn the_first_matching_rule_wins() {
    let rules = PriceRules {
        rules: vec![
            PriceRule {
                scope: Scope::Brand { brand: "Nike".into() },
                ..rule(Markup::Percent { bp: 5_000 }, Rounding::None)
            },
            PriceRule {
                scope: Scope::Category { path: path(&["Обувь", "Кроссовки"]) },
                ..rule(Markup::Percent { bp: 4_000 }, Rounding::None)
            },
            PriceRule {
                scope: Scope::Category { path: path(&["обувь "]) },
                ..rule(Markup::Percent { bp: 3_000 }, Rounding::None)
            },
            rule(Markup::Percent { bp: 1_000 }, Rounding::None),
        ],
    };
    let cost = Some(100 * R);
    let sneakers = path(&["Обувь", "Кроссовки", "Мужские"]);
    assert_eq!(rules.price(&item(cost, None, " NIKE"), &sneakers).price, 150 * R);
    assert_eq!(rules.price(&item(cost, None, "Puma"), &sneakers).price, 140 * R);
    assert_eq!(rules.price(&item(cost, None, "Puma"), &path(&["Обувь", "Кеды"])).price, 130 * R);
    assert_eq!(rules.price(&item(cost, None, "Puma"), &path(&["Одежда"])).price, 110 * R);
    assert_eq!(rules.price(&item(cost, None, "Puma"), &[]).price, 110 * R);
}

#[test]
fn without_a_rule_the_retail_price_then_the_cost() {
    let rules = PriceRules {
        rules: vec![PriceRule { scope: Scope::Brand { brand: "X".into() }, ..Default::default() }],
    };
    assert_eq!(rules.price(&item(Some(100), Some(150), ""), &[]).price, 150);
    assert_eq!(rules.price(&item(Some(100), None, ""), &[]).price, 100);
    assert_eq!(rules.price(&item(None, None, ""), &[]), Priced { price: 0, old_price: None });
}

#[test]
fn without_cost_the_retail_price_is_the_base() {
    let rules = PriceRules { rules: vec![rule(Markup::Percent { bp: 1_000 }, Rounding::None)] };
    assert_eq!(rules.price(&item(None, Some(1_000), ""), &[]).price, 1_100);
}

#[test]
fn minimum_margin_raises_the_price_before_rounding() {
    let r = PriceRule { min_margin_bp: Some(2_000), ..rule(Markup::Fixed { minor: 10 * R }, Rounding::To10) };
    // cost 1 000 + 10 = 1 010 < floor 1 200 → 1 200.
    assert_eq!(r.apply(1_000 * R, Some(1_000 * R), None).price, 1_200 * R);
    // cost 1 001: floor 1 201,20 → rounding to ten goes up to 1 210, never down to 1 200.
    assert_eq!(r.apply(1_001 * R, Some(1_001 * R), None).price, 1_210 * R);
}

#[test]
fn old_price_policies() {
    let base = rule(Markup::Percent { bp: 2_000 }, Rounding::EndIn9);
    let price = |old: OldPrice, supplier: Option<i64>| {
        PriceRule { old_price: old, ..base.clone() }.apply(1_000 * R, Some(1_000 * R), supplier)
    };
    assert_eq!(price(OldPrice::None, Some(2_000 * R)), Priced { price: 1_209 * R, old_price: None });
    assert_eq!(price(OldPrice::Keep, Some(2_000 * R)).old_price, Some(2_000 * R));
    assert_eq!(price(OldPrice::Keep, Some(1_100 * R)).old_price, None, "not above the new price");
    // 1 209 + 30 % = 1 571,70 → ending in 9: 1 579.
    assert_eq!(price(OldPrice::Above { bp: 3_000 }, None).old_price, Some(1_579 * R));
    assert_eq!(price(OldPrice::Above { bp: 0 }, None).old_price, Some(1_219 * R), "strictly above");
}

#[test]
fn rules_round_trip_as_json() {
    let rules = PriceRules {
        rules: vec![
            PriceRule {
                scope: Scope::Category { path: path(&["Обувь"]) },
                markup: Markup::Tiers {
                    tiers: vec![Tier { up_to_minor: Some(100_000), percent_bp: 3_000, fixed_minor: 0 }],
                },
                rounding: Rounding::EndIn99,
                min_margin_bp: Some(1_500),
                old_price: OldPrice::Above { bp: 2_000 },
            },
            PriceRule::default(),
        ],
    };
    let json = serde_json::to_string(&rules).unwrap();
    assert!(json.contains(r#""rounding":"end_in99""#), "{json}");
    assert!(json.contains(r#""kind":"tiers""#));
    assert_eq!(serde_json::from_str::<PriceRules>(&json).unwrap(), rules);
    let short: PriceRules =
        serde_json::from_str(r#"{"rules":[{"markup":{"kind":"percent","bp":2500},"rounding":"to10"}]}"#)
            .unwrap();
    assert_eq!(short.rules[0].scope, Scope::All);
    assert_eq!(short.rules[0].old_price, OldPrice::Keep);
}

fn any_rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::None),
        Just(Rounding::To1),
        Just(Rounding::To10),
        Just(Rounding::To100),
        Just(Rounding::EndIn9),
        Just(Rounding::EndIn90),
        Just(Rounding::EndIn99),
    ]
}

fn any_markup() -> impl Strategy<Value = Markup> {
    prop_oneof![
        Just(Markup::None),
        (-20_000i64..50_000).prop_map(|bp| Markup::Percent { bp }),
        (-1_000_000i64..1_000_000).prop_map(|minor| Markup::Fixed { minor }),
        (0i64..10_000_000, 0i64..10_000, 0i64..100_000).prop_map(|(up, p, f)| Markup::Tiers {
            tiers: vec![
                Tier { up_to_minor: Some(up), percent_bp: p, fixed_minor: f },
                Tier { up_to_minor: None, percent_bp: p / 2, fixed_minor: 0 },
            ]
        }),
    ]
}

proptest! {
    #[test]
    fn price_covers_the_minimum_margin(
        cost in 0i64..100_000_000_000,
        margin in 0i64..20_000,
        markup in any_markup(),
        rounding in any_rounding(),
    ) {
        let r = PriceRule { markup, rounding, min_margin_bp: Some(margin), ..Default::default() };
        let p = r.apply(cost, Some(cost), None).price;
        // price ≥ cost × (1 + margin), compared exactly.
        prop_assert!(i128::from(p) * 10_000 >= i128::from(cost) * i128::from(10_000 + margin), "{p} < {cost} +{margin}bp");
        prop_assert!(p >= cost);
    }

    #[test]
    fn rounding_is_idempotent(price in 0i64..1_000_000_000_000, floor in 0i64..1_000_000_000_000, rounding in any_rounding()) {
        let once = rounding.apply(price, floor);
        prop_assert!(once >= floor);
        prop_assert_eq!(rounding.apply(once, floor), once);
        prop_assert_eq!(rounding.apply(once, 0), once);
    }

    #[test]
    fn prices_are_never_negative_and_old_prices_are_above(
        cost in proptest::option::of(-1_000i64..i64::MAX),
        retail in proptest::option::of(-1_000i64..i64::MAX),
        old in proptest::option::of(0i64..i64::MAX),
        markup in any_markup(),
        rounding in any_rounding(),
        old_bp in 0i64..100_000,
    ) {
        let rules = PriceRules { rules: vec![PriceRule { markup, rounding, old_price: OldPrice::Above { bp: old_bp }, ..Default::default() }] };
        let item = SupplierItem { cost, retail_price: retail, old_price: old, ..Default::default() };
        let p = rules.price(&item, &[]);
        prop_assert!(p.price >= 0);
        if let Some(o) = p.old_price { prop_assert!(o > p.price); }
    }
}

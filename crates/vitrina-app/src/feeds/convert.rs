//! A profile between its DTO (names people type: category paths, supplier names) and the
//! export's profile (ids).

use std::path::PathBuf;

use vitrina_domain::{FeedProfileId, ProductStatus};
use vitrina_export::deliver::Target;
use vitrina_export::prices::{OldPriceRule, PriceRules, Rounding};
use vitrina_export::profile::{
    AvitoSettings, DeliverySettings, DescriptionSource, FieldOverrides, GoogleSettings, OutputSettings,
    ShopSettings, YmlSettings,
};
use vitrina_export::{FeedFormat, FeedProfile, ProfileSettings};
use vitrina_formats::write::PriceColumn;
use vitrina_store::Catalog;
use vitrina_store::export::Selection;

use crate::error::{AppError, AppResult};
use crate::ipc::{
    AvitoSettingsDto, DeliveryOptionDto, DeliveryTargetDto, FeedPricesDto, FeedProfileDto, FeedSelectionDto,
    FeedShopDto, GoogleSettingsDto, YmlSettingsDto,
};

/// The export's profile from a DTO; names are looked up in the catalog, and anything unknown
/// is refused with what was wrong.
pub(crate) fn profile_from_dto(c: &Catalog, d: &FeedProfileDto) -> AppResult<FeedProfile> {
    let name = d.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("a feed profile needs a name"));
    }
    let format = FeedFormat::from_code(&d.format).ok_or_else(|| {
        AppError::invalid(format!(
            "unknown format \"{}\"; use yml, avito, google, csv, xlsx or pdf",
            d.format
        ))
    })?;
    if d.output_path.trim().is_empty() {
        return Err(AppError::invalid("choose the file the profile writes (--out)"));
    }
    let id = if d.id.trim().is_empty() {
        FeedProfileId::new()
    } else {
        d.id.parse().map_err(|_| AppError::invalid(format!("\"{}\" is not a profile id", d.id)))?
    };
    let settings = ProfileSettings {
        selection: selection_from_dto(c, &d.selection)?,
        prices: prices_from_dto(&d.prices)?,
        fields: FieldOverrides {
            name_template: d.name_template.trim().to_string(),
            description: description_from(&d.description_source)?,
            url_template: d.url_template.trim().to_string(),
        },
        output: OutputSettings { path: PathBuf::from(d.output_path.trim()), gzip: d.gzip },
        target: d.target.as_ref().map(target_from_dto).transpose()?,
        shop: ShopSettings {
            name: d.shop.name.trim().into(),
            company: d.shop.company.trim().into(),
            url: d.shop.url.trim().into(),
            email: d.shop.email.trim().into(),
            currency: d.shop.currency.trim().to_ascii_uppercase(),
        },
        yml: YmlSettings {
            windows_1251: d.yml.windows_1251,
            vendor_model: d.yml.vendor_model,
            delivery: d
                .yml
                .delivery
                .iter()
                .map(|o| DeliverySettings {
                    cost: o.cost,
                    days: o.days.trim().into(),
                    order_before: o.order_before,
                })
                .collect(),
        },
        avito: AvitoSettings {
            address: d.avito.address.clone(),
            contact_phone: d.avito.contact_phone.clone(),
            manager_name: d.avito.manager_name.clone(),
            category: d.avito.category.clone(),
            goods_type: d.avito.goods_type.clone(),
            condition: d.avito.condition.clone(),
            ad_type: d.avito.ad_type.clone(),
        },
        google: GoogleSettings {
            condition: d.google.condition.clone(),
            google_product_category: d.google.google_product_category.clone(),
        },
        columns: d
            .columns
            .iter()
            .map(|c| {
                PriceColumn::from_code(c).ok_or_else(|| {
                    let known: Vec<_> = PriceColumn::ALL.iter().map(|c| c.code()).collect();
                    AppError::invalid(format!("unknown column \"{c}\"; known: {}", known.join(", ")))
                })
            })
            .collect::<AppResult<_>>()?,
        lang: if d.lang.trim().eq_ignore_ascii_case("en") { "en".into() } else { "ru".into() },
    };
    if format == FeedFormat::Yml && settings.shop.url.is_empty() {
        return Err(AppError::invalid(
            "a YML feed needs the shop's site address (Yandex requires it): fill in the shop's URL",
        ));
    }
    Ok(FeedProfile { id, name: name.to_string(), format, enabled: d.enabled, settings })
}

/// The DTO of a stored profile (read-only fields are filled by the caller).
pub(crate) fn dto_from_profile(c: &Catalog, p: &FeedProfile) -> AppResult<FeedProfileDto> {
    let s = &p.settings;
    Ok(FeedProfileDto {
        id: p.id.to_string(),
        name: p.name.clone(),
        format: p.format.code().into(),
        enabled: p.enabled,
        output_path: s.output.path.display().to_string(),
        gzip: s.output.gzip,
        selection: selection_to_dto(c, &s.selection)?,
        prices: prices_to_dto(&s.prices),
        name_template: s.fields.name_template.clone(),
        description_source: description_code(s.fields.description).into(),
        url_template: s.fields.url_template.clone(),
        target: s.target.as_ref().map(target_to_dto),
        shop: FeedShopDto {
            name: s.shop.name.clone(),
            company: s.shop.company.clone(),
            url: s.shop.url.clone(),
            email: s.shop.email.clone(),
            currency: s.shop.currency.clone(),
        },
        yml: YmlSettingsDto {
            windows_1251: s.yml.windows_1251,
            vendor_model: s.yml.vendor_model,
            delivery: s
                .yml
                .delivery
                .iter()
                .map(|o| DeliveryOptionDto {
                    cost: o.cost,
                    days: o.days.clone(),
                    order_before: o.order_before,
                })
                .collect(),
        },
        avito: AvitoSettingsDto {
            address: s.avito.address.clone(),
            contact_phone: s.avito.contact_phone.clone(),
            manager_name: s.avito.manager_name.clone(),
            category: s.avito.category.clone(),
            goods_type: s.avito.goods_type.clone(),
            condition: s.avito.condition.clone(),
            ad_type: s.avito.ad_type.clone(),
        },
        google: GoogleSettingsDto {
            condition: s.google.condition.clone(),
            google_product_category: s.google.google_product_category.clone(),
        },
        columns: p.columns().iter().map(|c| c.code().to_string()).collect(),
        lang: s.lang.clone(),
        schedule: None,
        file: p.output_path().display().to_string(),
        last_result: None,
        public_url: None,
    })
}

pub(crate) fn selection_from_dto(c: &Catalog, d: &FeedSelectionDto) -> AppResult<Selection> {
    let mut s = Selection::default();
    for path in d.categories.iter().filter(|p| !p.trim().is_empty()) {
        s.categories.push(c.find_category(path)?);
    }
    for name in d.suppliers.iter().filter(|p| !p.trim().is_empty()) {
        s.suppliers.push(c.find_supplier(name)?);
    }
    for status in d.statuses.iter().filter(|p| !p.trim().is_empty()) {
        s.statuses.push(
            status
                .parse::<ProductStatus>()
                .map_err(|e| AppError::invalid(format!("status \"{status}\": {e}")))?,
        );
    }
    for key in d.products.iter().filter(|p| !p.trim().is_empty()) {
        s.skus.push(c.product(&vitrina_store::ProductKey::parse(key))?.sku);
    }
    s.brands = d.brands.iter().map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect();
    s.in_stock_only = d.in_stock_only;
    s.price_min = d.price_min;
    s.price_max = d.price_max;
    if let (Some(min), Some(max)) = (s.price_min, s.price_max)
        && min > max
    {
        return Err(AppError::invalid("the lowest price is above the highest"));
    }
    Ok(s)
}

fn selection_to_dto(c: &Catalog, s: &Selection) -> AppResult<FeedSelectionDto> {
    let tree = c.category_tree()?;
    let suppliers = c.suppliers()?;
    Ok(FeedSelectionDto {
        categories: s
            .categories
            .iter()
            .map(|id| tree.iter().find(|n| n.id == *id).map_or_else(|| id.to_string(), |n| n.path.clone()))
            .collect(),
        brands: s.brands.clone(),
        suppliers: s
            .suppliers
            .iter()
            .map(|id| {
                suppliers.iter().find(|v| v.id == *id).map_or_else(|| id.to_string(), |v| v.name.clone())
            })
            .collect(),
        statuses: s.statuses.iter().map(|st| st.code().to_string()).collect(),
        in_stock_only: s.in_stock_only,
        price_min: s.price_min,
        price_max: s.price_max,
        products: s.skus.clone(),
    })
}

fn prices_from_dto(d: &FeedPricesDto) -> AppResult<PriceRules> {
    if !(-9_999..=100_000).contains(&d.markup_bp) {
        return Err(AppError::invalid("the markup must be above -100 % and at most +1000 %"));
    }
    let rounding = match d.rounding.trim() {
        "" | "none" => Rounding::None,
        "whole" => Rounding::Whole,
        "tens" => Rounding::Tens,
        "hundreds" => Rounding::Hundreds,
        "ends_in9" | "ends_in_9" | "9" => Rounding::EndsIn9,
        "ends_in99" | "ends_in_99" | "99" => Rounding::EndsIn99,
        other => {
            return Err(AppError::invalid(format!(
                "unknown rounding \"{other}\"; use none, whole, tens, hundreds, ends_in9 or ends_in99"
            )));
        }
    };
    let old_price = match d.old_price.trim() {
        "" | "keep" => OldPriceRule::Keep,
        "drop" | "none" => OldPriceRule::Drop,
        "above" if d.old_price_above_bp > 0 => OldPriceRule::Above(d.old_price_above_bp),
        "above" => return Err(AppError::invalid("an old price above the price needs a positive percentage")),
        other => {
            return Err(AppError::invalid(format!(
                "unknown old price rule \"{other}\"; use keep, drop or above"
            )));
        }
    };
    Ok(PriceRules { markup_bp: d.markup_bp, rounding, old_price })
}

fn prices_to_dto(r: &PriceRules) -> FeedPricesDto {
    let rounding = match r.rounding {
        Rounding::None => "none",
        Rounding::Whole => "whole",
        Rounding::Tens => "tens",
        Rounding::Hundreds => "hundreds",
        Rounding::EndsIn9 => "ends_in9",
        Rounding::EndsIn99 => "ends_in99",
    };
    let (old, bp) = match r.old_price {
        OldPriceRule::Keep => ("keep", 0),
        OldPriceRule::Drop => ("drop", 0),
        OldPriceRule::Above(bp) => ("above", bp),
    };
    FeedPricesDto {
        markup_bp: r.markup_bp,
        rounding: rounding.into(),
        old_price: old.into(),
        old_price_above_bp: bp,
    }
}

fn description_from(code: &str) -> AppResult<DescriptionSource> {
    Ok(match code.trim() {
        "" | "catalog_or_characteristics" => DescriptionSource::CatalogOrCharacteristics,
        "catalog" => DescriptionSource::Catalog,
        "characteristics" => DescriptionSource::Characteristics,
        "none" => DescriptionSource::None,
        other => {
            return Err(AppError::invalid(format!(
                "unknown description source \"{other}\"; use catalog_or_characteristics, catalog, characteristics or none"
            )));
        }
    })
}

fn description_code(d: DescriptionSource) -> &'static str {
    match d {
        DescriptionSource::CatalogOrCharacteristics => "catalog_or_characteristics",
        DescriptionSource::Catalog => "catalog",
        DescriptionSource::Characteristics => "characteristics",
        DescriptionSource::None => "none",
    }
}

fn base(s: &str) -> Option<String> {
    Some(s.trim().trim_end_matches('/').to_string()).filter(|s| !s.is_empty())
}

fn target_from_dto(d: &DeliveryTargetDto) -> AppResult<Target> {
    let need = |value: &str, what: &str| {
        if value.trim().is_empty() {
            Err(AppError::invalid(format!("the upload target needs {what}")))
        } else {
            Ok(())
        }
    };
    Ok(match d.kind.trim() {
        "folder" => {
            need(&d.path, "a folder")?;
            Target::Folder { path: PathBuf::from(d.path.trim()), public_url_base: base(&d.public_url_base) }
        }
        "s3" => {
            need(&d.endpoint, "the storage's endpoint (https://storage.yandexcloud.net)")?;
            need(&d.bucket, "a bucket")?;
            Target::S3 {
                endpoint: d.endpoint.trim().trim_end_matches('/').into(),
                region: if d.region.trim().is_empty() { "us-east-1".into() } else { d.region.trim().into() },
                bucket: d.bucket.trim().into(),
                prefix: d.prefix.trim().trim_start_matches('/').into(),
                path_style: d.path_style,
                public_read: d.public_read,
                public_url_base: base(&d.public_url_base),
            }
        }
        "ftp" => {
            need(&d.host, "a host")?;
            need(&d.user, "a user name")?;
            Target::Ftp {
                host: d.host.trim().into(),
                port: if d.port == 0 { 21 } else { d.port },
                secure: d.secure,
                user: d.user.trim().into(),
                dir: d.dir.trim().into(),
                public_url_base: base(&d.public_url_base),
            }
        }
        other => {
            return Err(AppError::invalid(format!(
                "unknown upload target \"{other}\"; use folder, s3 or ftp"
            )));
        }
    })
}

fn target_to_dto(t: &Target) -> DeliveryTargetDto {
    match t {
        Target::Folder { path, public_url_base } => DeliveryTargetDto {
            kind: "folder".into(),
            path: path.display().to_string(),
            public_url_base: public_url_base.clone().unwrap_or_default(),
            ..Default::default()
        },
        Target::S3 { endpoint, region, bucket, prefix, path_style, public_read, public_url_base } => {
            DeliveryTargetDto {
                kind: "s3".into(),
                endpoint: endpoint.clone(),
                region: region.clone(),
                bucket: bucket.clone(),
                prefix: prefix.clone(),
                path_style: *path_style,
                public_read: *public_read,
                public_url_base: public_url_base.clone().unwrap_or_default(),
                ..Default::default()
            }
        }
        Target::Ftp { host, port, secure, user, dir, public_url_base } => DeliveryTargetDto {
            kind: "ftp".into(),
            host: host.clone(),
            port: *port,
            secure: *secure,
            user: user.clone(),
            dir: dir.clone(),
            public_url_base: public_url_base.clone().unwrap_or_default(),
            ..Default::default()
        },
    }
}

//! The writer of each format, configured from a profile.

use vitrina_formats::write::{
    AvitoOptions, AvitoWriter, CsvPriceList, CsvPriceOptions, FeedHeader, FeedWriter, GoogleOptions,
    GoogleWriter, Lang, Output, WriteError, XlsxPriceList, YmlEncoding, YmlOptions, YmlWriter,
};

use crate::documents::{DocLang, PdfPriceList};
use crate::profile::{FeedFormat, FeedProfile};

pub(crate) fn make_writer(
    profile: &FeedProfile,
    out: Output,
    header: &FeedHeader,
) -> Result<Box<dyn FeedWriter>, WriteError> {
    let s = &profile.settings;
    let english = s.lang.trim().eq_ignore_ascii_case("en");
    Ok(match profile.format {
        FeedFormat::Yml => {
            let options = YmlOptions {
                encoding: if s.yml.windows_1251 { YmlEncoding::Windows1251 } else { YmlEncoding::Utf8 },
                vendor_model: s.yml.vendor_model,
                ..YmlOptions::default()
            };
            Box::new(YmlWriter::new(out, header, options)?)
        }
        FeedFormat::Avito => {
            let a = &s.avito;
            let mut options = AvitoOptions::default();
            let set = |field: &mut String, value: &str| {
                if !value.trim().is_empty() {
                    *field = value.trim().to_string();
                }
            };
            set(&mut options.address, &a.address);
            set(&mut options.contact_phone, &a.contact_phone);
            set(&mut options.manager_name, &a.manager_name);
            set(&mut options.category, &a.category);
            set(&mut options.goods_type, &a.goods_type);
            set(&mut options.condition, &a.condition);
            set(&mut options.ad_type, &a.ad_type);
            Box::new(AvitoWriter::new(out, header, options)?)
        }
        FeedFormat::Google => {
            let g = &s.google;
            let mut options = GoogleOptions::default();
            if !g.condition.trim().is_empty() {
                options.condition = g.condition.trim().to_string();
            }
            options.google_product_category =
                Some(g.google_product_category.trim().to_string()).filter(|c| !c.is_empty());
            Box::new(GoogleWriter::new(out, header, options)?)
        }
        FeedFormat::Csv => {
            let options = CsvPriceOptions {
                lang: if english { Lang::En } else { Lang::Ru },
                ..CsvPriceOptions::default()
            };
            Box::new(CsvPriceList::new(out, header, profile.columns(), options)?)
        }
        FeedFormat::Xlsx => Box::new(XlsxPriceList::new(
            out,
            header,
            profile.columns(),
            if english { Lang::En } else { Lang::Ru },
        )?),
        FeedFormat::Pdf => {
            let lang = if english { DocLang::En } else { DocLang::Ru };
            Box::new(PdfPriceList::new(out, header, Some(profile.name.clone()), lang)?)
        }
    })
}

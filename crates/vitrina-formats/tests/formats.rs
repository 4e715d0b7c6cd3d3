//! Every reader fed through the public entry points (`open_file`, `open`, `preview_file`,
//! `detect_format`) with the fixture files in `tests/fixtures`.

use std::io::Cursor;
use std::path::PathBuf;

use rstest::rstest;
use vitrina_formats::{
    ArchiveKind, Encoding, EncodingSource, FileReader, ForeignKind, Format, FormatError, HeaderRow, Notice,
    ReadError, ReadOptions, Record, RecordSource, RowError, RowProblem, SheetSelector, detect_format, open,
    open_file, preview_file, stock_hint,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn read_all(name: &str, options: &ReadOptions) -> (Vec<Record>, Vec<RowError>, Option<FormatError>) {
    let reader = open_file(&fixture(name), options).unwrap_or_else(|e| panic!("{name}: {e}"));
    split(reader)
}

fn split<R: std::io::Read>(reader: FileReader<R>) -> (Vec<Record>, Vec<RowError>, Option<FormatError>) {
    let (mut records, mut rows, mut fatal) = (Vec::new(), Vec::new(), None);
    for item in reader {
        match item {
            Ok(r) => records.push(r),
            Err(ReadError::Row(e)) => rows.push(e),
            Err(ReadError::Fatal(e)) => fatal = Some(e),
        }
    }
    (records, rows, fatal)
}

fn defaults() -> ReadOptions {
    ReadOptions::default()
}

// ---------------------------------------------------------------------------------------------
// YML

#[test]
fn generated_utf8_feed_reads_every_offer_at_its_line() {
    let path = fixture("feed_utf8.yml");
    let reader = open_file(&path, &defaults()).unwrap();
    let shop = reader.shop().cloned().expect("a YML shop header");
    assert_eq!(shop.name.as_deref(), Some("ТехноМаркет"));
    assert_eq!(shop.company.as_deref(), Some("ООО «ТехноМаркет»"));
    assert_eq!(shop.date.as_deref(), Some("2024-05-01T12:00:00+03:00"));
    assert_eq!(shop.currencies.len(), 1);
    assert_eq!((shop.currencies[0].id.as_str(), shop.currencies[0].rate.as_deref()), ("RUB", Some("1")));
    assert_eq!(shop.categories.len(), 30);
    assert_eq!((shop.categories[0].id.as_str(), shop.categories[0].name.as_str()), ("1", "Одежда и обувь"));
    assert_eq!(shop.categories[6].parent_id.as_deref(), Some("1"));
    assert_eq!(reader.settings().encoding.as_ref().map(|e| e.encoding), Some(Encoding::UTF_8));

    let (records, rows, fatal) = split(reader);
    assert!(rows.is_empty() && fatal.is_none(), "{rows:?} {fatal:?}");
    assert_eq!(records.len(), 12);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for offer in &records {
        let id = offer.id().expect("offer id");
        assert!(lines[offer.line() as usize - 1].contains(&format!("<offer id=\"{id}\"")), "line of {id}");
        for key in ["@available", "name", "vendor", "vendorCode", "url", "price", "currencyId", "categoryId"]
        {
            assert!(offer.get(key).is_some_and(|v| !v.is_empty()), "{id} lacks {key}");
        }
        assert!(offer.get_all("picture").count() >= 1);
        assert!(offer.params().len() >= 3);
        assert!(offer.get("count").is_some());
    }
    // Escaped text in the generator's plain descriptions comes back unescaped.
    assert!(records.iter().filter_map(|r| r.get("description")).any(|d| d.contains('&') || d.contains('<')));
}

#[test]
fn windows_1251_feed_is_decoded_from_its_declaration() {
    let (records, rows, fatal) = read_all("feed_cp1251.yml", &defaults());
    assert!(rows.is_empty() && fatal.is_none());
    assert_eq!(records.len(), 8);
    for offer in &records {
        let name = offer.get("name").unwrap();
        assert!(name.chars().any(|c| ('а'..='я').contains(&c)), "{name}");
        assert!(!name.contains('\u{FFFD}'));
    }
    let reader = open_file(&fixture("feed_cp1251.yml"), &defaults()).unwrap();
    let detected = reader.settings().encoding.clone().unwrap();
    assert_eq!((detected.encoding, detected.source), (Encoding::WINDOWS_1251, EncodingSource::Declared));
    assert_eq!(reader.shop().unwrap().categories[0].name, "Одежда и обувь");
}

#[test]
fn a_feed_that_lies_about_its_encoding_is_read_by_its_bytes() {
    let reader = open_file(&fixture("mislabeled_cp1251.yml"), &defaults()).unwrap();
    let settings = reader.settings().clone();
    assert_eq!(settings.encoding.as_ref().map(|e| e.encoding), Some(Encoding::WINDOWS_1251));
    assert!(settings.notices.iter().any(|n| matches!(n,
        Notice::EncodingContradictsDeclaration { declared, used } if declared == "UTF-8" && *used == Encoding::WINDOWS_1251)));
    let (mislabeled, _, _) = split(reader);
    let (honest, _, _) = read_all("feed_cp1251.yml", &defaults());
    assert_eq!(mislabeled, honest);
}

#[test]
fn wild_feed_offer_types_entities_and_stock() {
    let reader = open_file(&fixture("wild_offers.yml"), &defaults()).unwrap();
    let shop = reader.shop().cloned().unwrap();
    assert_eq!(shop.name.as_deref(), Some("Опт & Розница"));
    assert_eq!(shop.platform.as_deref(), Some("1C-Bitrix"));
    assert_eq!(shop.date.as_deref(), Some("2020-11-24 10:00"));
    assert_eq!(shop.currencies[1].plus.as_deref(), Some("2"));
    assert_eq!(shop.categories[0].parent_id.as_deref(), Some("0"));
    assert_eq!(shop.categories[2].parent_id, None);

    let (records, rows, fatal) = split(reader);
    assert!(fatal.is_none(), "{fatal:?}");
    let by_id = |id: &str| records.iter().find(|r| r.id() == Some(id)).unwrap_or_else(|| panic!("no {id}"));

    let simple = by_id("S-1");
    assert_eq!(simple.line(), 19);
    assert_eq!(simple.get("@group_id"), Some("77"));
    assert_eq!(simple.get("name"), Some("Кеды  Converse & Co"), "inner spaces kept, ends trimmed");
    assert_eq!(simple.get("url"), Some("http://opt.example/p?id=1&ref=yml"));
    assert_eq!(simple.get("price"), Some("1 990,00"), "values stay raw");
    assert_eq!(simple.get_all("barcode").collect::<Vec<_>>(), ["4601234567890", "4601234567883"]);
    assert_eq!(simple.get("description"), Some("<p>Лёгкие кеды & <b>удобные</b></p>"));
    let params: Vec<_> = simple.params().map(|p| (p.name, p.unit, p.value)).collect();
    assert_eq!(params, [("Размер", Some("RU"), "42"), ("Цвет", None, "белый")]);
    assert_eq!(simple.get("dimensions"), Some("32/20/12"));

    let vendor_model = by_id("VM-2");
    assert_eq!(vendor_model.get("@type"), Some("vendor.model"));
    assert_eq!(
        ["typePrefix", "vendor", "model"].map(|k| vendor_model.get(k)),
        [Some("Кроссовки"), Some("Nike"), Some("Air Max 90")]
    );
    let book = by_id("B-3");
    assert_eq!(book.get("@type"), Some("book"));
    assert_eq!(book.get("name"), Some("Убийство в «Восточном экспрессе»"));
    assert_eq!((book.get("author"), book.get("ISBN")), (Some("Агата Кристи"), Some("978-5-699-12345-6")));
    assert_eq!(by_id("AB-4").get("performed_by"), Some("Иванов"));
    assert_eq!(by_id("AT-5").get("title"), Some("Группа крови"));
    assert_eq!(by_id("ET-6").get("place"), Some("Большой театр"));
    assert_eq!(by_id("T-7").get("days"), Some("7"));

    let stock = |id| {
        let hint = stock_hint(by_id(id));
        (hint.quantity, hint.available, hint.source)
    };
    assert_eq!(stock("S-1"), (Some("15".into()), Some(true), Some("count")));
    assert_eq!(stock("VM-2"), (Some("4".into()), Some(true), Some("quantity")));
    assert_eq!(stock("B-3"), (Some("7".into()), Some(true), Some("stock")));
    assert_eq!(stock("O-8"), (Some("5".into()), Some(true), Some("outlets/outlet@instock")));
    assert_eq!(stock("N-9"), (None, Some(false), None));

    // The broken offer is reported with its line and id; the offers after it are read.
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].line, 66);
    assert_eq!(rows[0].id.as_deref(), Some("BAD-10"));
    assert_eq!(rows[0].problem, RowProblem::StrayClosingTag { name: "nme".into() });
    assert_eq!(
        rows[0].to_string(),
        "Line 66 (item BAD-10): there is a closing tag </nme> without a matching opening tag"
    );

    let lenient = by_id("H-11");
    assert_eq!(lenient.get("name"), Some("Куртка\u{a0}зимняя &foo; x"));
    assert_eq!(lenient.get("description"), Some("<p>Тёплая</p><br><ul><li>пух</li></ul>"));
    assert_eq!(lenient.get("price@from"), Some("true"));
    assert_eq!(lenient.get("url"), Some("http://opt.example/p?id=11&ref=yml"), "a lone & is text");
    assert_eq!(records.len(), 10);
}

#[test]
fn entities_from_the_dtd_are_never_expanded() {
    let started = std::time::Instant::now();
    let reader = open_file(&fixture("entity_attack.yml"), &defaults()).unwrap();
    assert_eq!(reader.shop().unwrap().name.as_deref(), Some("&lol9;"));
    let (records, rows, fatal) = split(reader);
    assert!(rows.is_empty() && fatal.is_none());
    assert_eq!(records[0].get("name"), Some("&lol9;"));
    assert_eq!(records[0].get("description"), Some("&xxe;"), "the external entity is not fetched");
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn a_truncated_feed_gives_its_offers_then_a_fatal_error() {
    let (records, rows, fatal) = read_all("truncated.yml", &defaults());
    assert!(rows.is_empty());
    assert!(!records.is_empty() && records.len() < 12, "{}", records.len());
    match fatal {
        Some(FormatError::Truncated { line }) => assert!(line > 40, "{line}"),
        other => panic!("expected Truncated, got {other:?}"),
    }
    let message = FormatError::Truncated { line: 3 }.to_string();
    assert!(message.contains("not downloaded or saved completely"), "{message}");
}

#[test]
fn a_broken_offer_among_thousands_does_not_stop_the_others() {
    let mut xml = String::from("<?xml version=\"1.0\"?><yml_catalog><shop><offers>\n");
    for i in 0..20_000 {
        if i == 12_345 {
            xml.push_str("<offer id=\"broken\"><name>x</nam><price>1</price></offer>\n");
        } else {
            xml.push_str(&format!(
                "<offer id=\"{i}\"><name>Товар {i} &amp; Co</name><price>{i}.50</price></offer>\n"
            ));
        }
    }
    xml.push_str("</offers></shop></yml_catalog>\n");
    let reader = open(Cursor::new(xml.into_bytes()), Some("feed.xml"), &defaults()).unwrap();
    assert_eq!(reader.settings().format, Format::Yml);
    let (records, rows, fatal) = split(reader);
    assert!(fatal.is_none());
    assert_eq!(records.len(), 19_999);
    assert_eq!((rows.len(), rows[0].line, rows[0].id.as_deref()), (1, 12_347, Some("broken")));
    assert_eq!(records[19_998].get("name"), Some("Товар 19999 & Co"));
    assert_eq!(records[19_998].line(), 20_001);
}

// ---------------------------------------------------------------------------------------------
// Sniffing and whole-file errors

#[rstest]
#[case::yml("feed_utf8.yml", Format::Yml)]
#[case::yml_cp1251("feed_cp1251.yml", Format::Yml)]
#[case::yml_named_csv("feed_named.csv", Format::Yml)]
#[case::csv_named_xlsx("csv_named.xlsx", Format::Csv)]
#[case::csv("price_cp1251.csv", Format::Csv)]
#[case::utf16_text("excel_unicode.txt", Format::Csv)]
#[case::xml("catalog.xml", Format::Xml)]
#[case::json("products.json", Format::Json)]
#[case::ods("price.ods", Format::Ods)]
#[case::xls("price.xls", Format::Xls)]
fn detects_format_by_content(#[case] name: &str, #[case] expected: Format) {
    let bytes = std::fs::read(fixture(name)).unwrap();
    assert_eq!(detect_format(&bytes, Some(name)).unwrap(), expected);
}

#[test]
fn files_that_are_not_price_lists_give_clear_errors() {
    let err = |name: &str| open_file(&fixture(name), &defaults()).unwrap_err();
    assert!(matches!(err("empty.csv"), FormatError::Empty));
    assert!(matches!(err("blank.yml"), FormatError::Empty));
    assert!(matches!(err("webpage.xls"), FormatError::NotAPriceList { kind: ForeignKind::Html }));
    assert!(err("webpage.xls").to_string().contains("save it as .xlsx"));
    assert!(matches!(err("archive.zip"), FormatError::Archive { kind: ArchiveKind::Zip }));
    assert_eq!(
        err("archive.zip").to_string(),
        "This is a ZIP archive, not a price list: unpack it and choose the file inside."
    );
    // Forced to the wrong reader: the YML reader says what it found.
    let forced = ReadOptions { format: Some(Format::Yml), ..defaults() };
    let e = open_file(&fixture("catalog.xml"), &forced).unwrap_err();
    assert_eq!(
        e.to_string(),
        "This XML file is not a YML feed: its main element is <catalog>, not <yml_catalog>."
    );
}

#[test]
fn a_file_with_the_wrong_extension_is_read_by_its_content() {
    let reader = open_file(&fixture("feed_named.csv"), &defaults()).unwrap();
    let notices = reader.settings().notices.clone();
    assert_eq!(notices, [Notice::ExtensionMismatch { extension: "csv".into(), actual: Format::Yml }]);
    assert_eq!(reader.count(), 11);

    let (records, _, _) = read_all("csv_named.xlsx", &defaults());
    assert_eq!(
        records[0].to_pairs(),
        [("id".to_owned(), "1".to_owned()), ("name".to_owned(), "x".to_owned())]
    );
}

// ---------------------------------------------------------------------------------------------
// CSV

#[test]
fn windows_1251_csv_is_detected_and_read() {
    let reader = open_file(&fixture("price_cp1251.csv"), &defaults()).unwrap();
    let settings = reader.settings().clone();
    let encoding = settings.encoding.unwrap();
    assert_eq!(
        (encoding.encoding, encoding.source, encoding.bom),
        (Encoding::WINDOWS_1251, EncodingSource::Guessed, false)
    );
    assert_eq!(settings.delimiter, Some(';'));
    assert_eq!(settings.header_line, Some(1));
    assert_eq!(&settings.header[..4], ["ID", "Артикул", "Наименование", "Производитель"]);
    assert!(settings.header.contains(&"Вес, г".to_owned()));
    let (records, rows, fatal) = split(reader);
    assert!(rows.is_empty() && fatal.is_none(), "{rows:?}");
    assert_eq!(records.len(), 6);
    assert_eq!(records.iter().map(Record::line).collect::<Vec<_>>(), [2, 3, 4, 5, 6, 7]);
    let first = &records[0];
    assert_eq!(first.get("ID"), Some("100000"));
    assert!(first.get("Цена, руб.").unwrap().contains(','), "decimal comma kept raw");
    assert_eq!(first.field_count(), settings.header.len());
}

#[test]
fn utf8_csv_with_bom() {
    let reader = open_file(&fixture("price_utf8_bom.csv"), &defaults()).unwrap();
    let encoding = reader.settings().encoding.clone().unwrap();
    assert_eq!((encoding.encoding, encoding.bom), (Encoding::UTF_8, true));
    assert_eq!(reader.settings().header[0], "ID", "the BOM is not part of the first name");
    let (records, _, _) = split(reader);
    assert_eq!(records.len(), 5);
    assert!(records.iter().all(|r| r.get("ID").unwrap().starts_with("1000")));
}

#[test]
fn multiline_fields_title_rows_and_broken_rows() {
    let reader = open_file(&fixture("multiline_broken.csv"), &defaults()).unwrap();
    let settings = reader.settings().clone();
    assert_eq!(settings.header, ["Артикул", "Наименование", "Описание", "Цена"]);
    assert_eq!(settings.header_line, Some(4));
    assert!(settings.notices.contains(&Notice::RowsBeforeHeaderSkipped { count: 2 }));
    let (records, rows, fatal) = split(reader);
    assert!(fatal.is_none());
    let lines: Vec<_> = records.iter().map(|r| (r.line(), r.get("Артикул").unwrap())).collect();
    assert_eq!(lines, [(5, "A-1"), (8, "A-3"), (12, "A-5")]);
    assert_eq!(records[0].get("Описание"), Some("Строка 1\r\nстрока 2 с \"кавычками\" и ; точкой с запятой"));
    assert_eq!(records[0].get("Цена"), Some("1 990,50"), "no \\r left at the end of the row");
    assert_eq!(records[0].get("Цена"), Some("1 990,50"));
    assert_eq!(records[1].get("Описание"), Some("Многострочное\r\n\r\nописание"));
    assert_eq!(
        rows,
        [
            RowError { line: 7, id: None, problem: RowProblem::ColumnCount { expected: 4, found: 2 } },
            RowError { line: 11, id: None, problem: RowProblem::ColumnCount { expected: 4, found: 5 } },
        ]
    );
}

#[test]
fn a_broken_row_among_100k_does_not_stop_the_others() {
    let mut csv = String::from("sku;name;price\n");
    for i in 0..100_000 {
        match i {
            50_000 => csv.push_str("broken;row\n"),
            70_000 => csv.push_str("q;\"quoted\nname\";7\n"),
            _ => csv.push_str(&format!("S{i};Товар {i};{i},90\n")),
        }
    }
    let reader = open(Cursor::new(csv.into_bytes()), Some("big.csv"), &defaults()).unwrap();
    let (records, rows, fatal) = split(reader);
    assert!(fatal.is_none());
    assert_eq!(records.len(), 99_999);
    assert_eq!(
        rows,
        [RowError { line: 50_002, id: None, problem: RowProblem::ColumnCount { expected: 3, found: 2 } }]
    );
    let quoted = records.iter().find(|r| r.get("sku") == Some("q")).unwrap();
    assert_eq!((quoted.line(), quoted.get("name")), (70_002, Some("quoted\nname")));
    assert_eq!(records.last().unwrap().line(), 100_002, "the line after a quoted newline counts physically");
}

#[test]
fn invalid_utf8_in_one_row_is_a_row_error() {
    let mut bytes = "id,name\n1,Кеды\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"2,\xff\xfe broken\n3,ok\n");
    // The sample is valid UTF-8 only if it stops before the bad row, so force the encoding.
    let options = ReadOptions { encoding: Some(Encoding::UTF_8), ..defaults() };
    let (records, rows, _) = split(open(Cursor::new(bytes), Some("a.csv"), &options).unwrap());
    assert_eq!(records.len(), 2);
    assert_eq!(rows[0].problem, RowProblem::InvalidText { encoding: "UTF-8" });
    assert_eq!(rows[0].line, 3);
}

#[test]
fn utf16_tab_separated_text_from_excel() {
    let reader = open_file(&fixture("excel_unicode.txt"), &defaults()).unwrap();
    let settings = reader.settings().clone();
    assert_eq!(settings.encoding.map(|e| e.encoding), Some(Encoding::UTF_16LE));
    assert_eq!(settings.delimiter, Some('\t'));
    let (records, _, _) = split(reader);
    assert_eq!(records[1].get("Наименование"), Some("Кроссовки"));
    assert_eq!(records[1].line(), 3);
}

#[test]
fn csv_options_override_detection() {
    let options = ReadOptions { delimiter: Some(b','), header: HeaderRow::Absent, ..defaults() };
    let data = "a;b,c\n1;2,3\n";
    let (records, _, _) =
        split(open(Cursor::new(data.as_bytes().to_vec()), Some("x.csv"), &options).unwrap());
    assert_eq!(
        records[0].to_pairs(),
        [("Column 1".to_owned(), "a;b".to_owned()), ("Column 2".to_owned(), "c".to_owned())]
    );
    let options = ReadOptions { header: HeaderRow::At(2), ..defaults() };
    let data = "junk\nid;name\n1;x\n";
    let (records, _, _) =
        split(open(Cursor::new(data.as_bytes().to_vec()), Some("x.csv"), &options).unwrap());
    assert_eq!(records[0].get("name"), Some("x"));
}

// ---------------------------------------------------------------------------------------------
// Spreadsheets

fn write_xlsx(path: &std::path::Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
    let mut book = Workbook::new();
    let cover = book.add_worksheet();
    cover.set_name("Обложка").unwrap();
    cover.write_string(0, 0, "Прайс-лист").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Прайс").unwrap();
    sheet.write_string(0, 0, "ООО «Ромашка», прайс-лист на май").unwrap();
    sheet.write_string(1, 3, "Тел. +7 495 123-45-67").unwrap();
    for (c, name) in
        ["Артикул", "Наименование", "Цена", "Штрихкод", "Дата", "", "В наличии"].iter().enumerate()
    {
        sheet.write_string(3, c as u16, *name).unwrap();
    }
    let date = CellFormat::new().set_num_format("dd.mm.yyyy");
    let stamp = CellFormat::new().set_num_format("dd.mm.yyyy hh:mm");
    sheet.write_string(4, 0, "A-1").unwrap();
    sheet.write_string(4, 1, "Кеды").unwrap();
    sheet.write_number(4, 2, 1990.0).unwrap();
    sheet.write_number(4, 3, 4_601_234_567_890.0).unwrap();
    sheet.write_datetime_with_format(4, 4, ExcelDateTime::from_ymd(2024, 5, 1).unwrap(), &date).unwrap();
    sheet.write_boolean(4, 6, true).unwrap();
    sheet.write_string(5, 0, "A-2").unwrap();
    sheet.write_string(5, 1, "Кроссовки").unwrap();
    sheet.write_number(5, 2, 5990.5).unwrap();
    sheet.write_number(5, 3, 0.1 + 0.2).unwrap();
    let noon = ExcelDateTime::from_ymd(2024, 5, 2).unwrap().and_hms(10, 30, 0).unwrap();
    sheet.write_datetime_with_format(5, 4, noon, &stamp).unwrap();
    sheet.write_string(5, 5, "без заголовка").unwrap();
    sheet.write_string(7, 0, "A-3").unwrap();
    sheet.write_number(7, 2, -3.0).unwrap();
    sheet.write_string(7, 8, "далеко справа").unwrap();
    book.save(path).unwrap();
}

#[test]
fn xlsx_sheet_by_name_with_title_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("price.xlsx");
    write_xlsx(&path);
    let options = ReadOptions { sheet: SheetSelector::Name("прайс".into()), ..defaults() };
    let reader = open_file(&path, &options).unwrap();
    let settings = reader.settings().clone();
    assert_eq!(settings.format, Format::Xlsx);
    assert_eq!(settings.sheets, ["Обложка", "Прайс"]);
    assert_eq!(settings.sheet.as_deref(), Some("Прайс"));
    assert_eq!(settings.header_line, Some(4));
    assert_eq!(
        settings.header,
        ["Артикул", "Наименование", "Цена", "Штрихкод", "Дата", "Column F", "В наличии"]
    );
    assert!(settings.notices.contains(&Notice::RowsBeforeHeaderSkipped { count: 2 }));
    let (records, rows, fatal) = split(reader);
    assert!(rows.is_empty() && fatal.is_none(), "{fatal:?}");
    assert_eq!(records.len(), 3);
    let a1 = &records[0];
    assert_eq!(a1.line(), 5);
    assert_eq!(
        ["Цена", "Штрихкод", "Дата", "Column F", "В наличии"].map(|k| a1.get(k)),
        [Some("1990"), Some("4601234567890"), Some("2024-05-01"), Some(""), Some("true")]
    );
    let a2 = &records[1];
    assert_eq!(
        ["Цена", "Штрихкод", "Дата", "Column F"].map(|k| a2.get(k)),
        [Some("5990.5"), Some("0.3"), Some("2024-05-02T10:30:00"), Some("без заголовка")]
    );
    let a3 = &records[2];
    assert_eq!((a3.line(), a3.get("Цена"), a3.get("Column I")), (8, Some("-3"), Some("далеко справа")));
    assert_eq!(a3.field_count(), 8, "every header column plus the stray cell");
}

#[test]
fn xlsx_default_sheet_and_missing_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("price.xlsx");
    write_xlsx(&path);
    let reader = open_file(&path, &defaults()).unwrap();
    assert_eq!(reader.settings().sheet.as_deref(), Some("Обложка"));
    assert_eq!(reader.settings().header, ["Прайс-лист"]);
    assert_eq!(reader.count(), 0);
    let options = ReadOptions { sheet: SheetSelector::Index(1), header: HeaderRow::At(4), ..defaults() };
    let (records, _, _) = split(open_file(&path, &options).unwrap());
    assert_eq!(records.len(), 3);
    let options = ReadOptions { sheet: SheetSelector::Name("Остатки".into()), ..defaults() };
    let err = open_file(&path, &options).unwrap_err();
    assert_eq!(err.to_string(), "The workbook has no sheet \"Остатки\". Its sheets are: Обложка, Прайс.");
}

#[test]
fn ods_sheet() {
    let reader = open_file(&fixture("price.ods"), &defaults()).unwrap();
    let settings = reader.settings().clone();
    assert_eq!((settings.format, settings.sheet.as_deref()), (Format::Ods, Some("Товары")));
    assert_eq!(settings.header, ["Артикул", "Наименование", "Цена", "Дата"]);
    let (records, _, _) = split(reader);
    assert_eq!(records.len(), 2);
    assert_eq!((records[0].get("Цена"), records[0].get("Дата")), (Some("1990"), Some("2024-05-01")));
    assert_eq!(
        (records[1].line(), records[1].get("Цена"), records[1].get("Дата")),
        (4, Some("5990.5"), Some(""))
    );
}

#[test]
fn xls_sheet() {
    let options = ReadOptions { sheet: SheetSelector::Name("Прайс".into()), ..defaults() };
    let reader = open_file(&fixture("price.xls"), &options).unwrap();
    assert_eq!(reader.settings().header_line, Some(3));
    let (records, _, _) = split(reader);
    assert_eq!(records.len(), 2);
    let a1 = &records[0];
    assert_eq!(
        ["Артикул", "Цена", "Штрихкод", "Поступление"].map(|k| a1.get(k)),
        [Some("A-1"), Some("1990"), Some("4601234567890"), Some("2024-05-01")]
    );
    assert_eq!(records[1].get("Цена"), Some("5990.5"));
}

// ---------------------------------------------------------------------------------------------
// Generic XML and JSON

#[test]
fn generic_xml_with_a_guessed_or_given_path() {
    let reader = open_file(&fixture("catalog.xml"), &defaults()).unwrap();
    assert_eq!(reader.settings().record_path.as_deref(), Some("catalog/items/item"));
    assert!(
        reader.settings().notices.contains(&Notice::RecordPathGuessed { path: "catalog/items/item".into() })
    );
    let (records, rows, fatal) = split(reader);
    assert!(rows.is_empty() && fatal.is_none());
    assert_eq!(records.len(), 3);
    let a1 = &records[0];
    assert_eq!((a1.id(), a1.line()), (Some("A-1"), 5));
    assert_eq!(a1.get("@status"), Some("active"));
    assert_eq!(a1.get("g:price"), Some("1 499.00 RUB"));
    assert_eq!(a1.get_all("images/image").count(), 2);
    assert_eq!((a1.get("stock"), a1.get("stock@warehouse")), (Some("5"), Some("msk")));
    assert_eq!((a1.get("attrs/attr@name"), a1.get("attrs/attr")), (Some("Объём"), Some("1.7")));
    assert_eq!(records[1].get("title"), Some("Тостер & гриль"));
    assert_eq!(
        records[2].to_pairs(),
        [("@id".to_owned(), "A-3".to_owned()), ("@status".to_owned(), "archived".to_owned())]
    );

    let given = ReadOptions { record_path: Some("items/item".into()), ..defaults() };
    assert_eq!(read_all("catalog.xml", &given).0, records);
    let wrong = ReadOptions { record_path: Some("/items/item".into()), ..defaults() };
    let (_, _, fatal) = read_all("catalog.xml", &wrong);
    assert!(matches!(fatal, Some(FormatError::RecordPathNotFound { .. })));
}

#[test]
fn json_array_at_a_path() {
    let options = ReadOptions { record_path: Some("data.items".into()), ..defaults() };
    let (records, rows, fatal) = read_all("products.json", &options);
    assert!(fatal.is_none());
    assert_eq!(records.len(), 2);
    let first = &records[0];
    assert_eq!((first.id(), first.line()), (Some("1001"), 6));
    assert_eq!(first.get("name"), Some("Чайник \"Steam\" 1.7 л"));
    assert_eq!(first.get("price"), Some("1499.00"));
    assert_eq!(first.get("barcode"), Some("4601234567890123"));
    assert_eq!(first.get("brand.name"), Some("Polaris"));
    assert_eq!(first.get_all("images").count(), 2);
    assert_eq!(first.get_all("attributes.name").collect::<Vec<_>>(), ["Объём", "Мощность"]);
    assert_eq!((first.get("in_stock"), first.get("discount")), (Some("true"), None));
    assert_eq!(rows, [RowError { line: 18, id: None, problem: RowProblem::NotAnObject { found: "a text" } }]);

    let (guessed, _, _) = read_all("products.json", &defaults());
    assert_eq!(guessed, records, "the first array of objects is data.items");
}

#[test]
fn json_lines() {
    let (records, rows, fatal) = read_all("products.jsonl", &defaults());
    assert!(fatal.is_none());
    assert_eq!(records.iter().map(|r| r.get("sku").unwrap()).collect::<Vec<_>>(), ["A", "B", "C"]);
    assert_eq!(records[1].get_all("tags").collect::<Vec<_>>(), ["x", "y"]);
    assert_eq!((records[2].line(), rows.len(), rows[0].line), (4, 1, 3));
}

// ---------------------------------------------------------------------------------------------
// Preview and buffer reuse

#[test]
fn preview_shows_first_records_and_settings() {
    let preview = preview_file(&fixture("feed_utf8.yml"), &defaults(), 3).unwrap();
    assert_eq!(preview.records.len(), 3);
    assert!(preview.more && preview.error.is_none());
    assert_eq!(preview.settings.format, Format::Yml);
    assert_eq!(preview.shop.map(|s| s.categories.len()), Some(30));

    let preview = preview_file(&fixture("multiline_broken.csv"), &defaults(), 10).unwrap();
    assert_eq!((preview.records.len(), preview.row_errors.len(), preview.more), (3, 2, false));
    assert_eq!(preview.settings.delimiter, Some(';'));

    let preview = preview_file(&fixture("truncated.yml"), &defaults(), 100).unwrap();
    assert!(matches!(preview.error, Some(FormatError::Truncated { .. })));
    assert!(!preview.records.is_empty());
}

#[test]
fn read_into_reuses_one_record_and_matches_the_iterator() {
    for name in ["wild_offers.yml", "price_cp1251.csv", "catalog.xml", "products.json", "price.ods"] {
        let expected: Vec<Result<Record, String>> =
            open_file(&fixture(name), &defaults()).unwrap().map(|r| r.map_err(|e| e.to_string())).collect();
        let mut reader = open_file(&fixture(name), &defaults()).unwrap();
        let mut record = Record::new();
        let mut got = Vec::new();
        while let Some(result) = reader.read_into(&mut record) {
            got.push(result.map(|()| record.clone()).map_err(|e| e.to_string()));
        }
        assert_eq!(got, expected, "{name}");
        assert!(!got.is_empty());
    }
}

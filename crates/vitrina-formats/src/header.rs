//! Finding the header row of a table and naming its columns.
//!
//! Price lists often start with a title block ("Прайс-лист ООО «Ромашка» на 01.05.2024", a
//! phone number, a blank line) above the real header. The header is taken to be the first row
//! that fills at least half of the table's width with text cells that do not look like data.

/// Which row of a CSV file or sheet holds the column names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HeaderRow {
    /// Detect it: the first row that looks like a header, skipping title rows above.
    #[default]
    Auto,
    /// This 1-based line (CSV) or sheet row (spreadsheets).
    At(u64),
    /// The file has no header: columns are named `Column 1`, `Column 2`... (`Column A` in
    /// spreadsheets).
    Absent,
}

/// How many leading rows are examined to find the header.
pub(crate) const HEADER_SCAN_ROWS: usize = 30;

/// Index (into `rows`) of the header row among the first rows of a table.
pub(crate) fn pick_header<S: AsRef<str>>(rows: &[Vec<S>]) -> Option<usize> {
    let filled = |row: &Vec<S>| row.iter().filter(|c| !c.as_ref().trim().is_empty()).count();
    let widest = rows.iter().map(filled).max()?;
    if widest == 0 {
        return None;
    }
    let needed = widest.div_ceil(2).max(2.min(widest));
    let header_like = |row: &Vec<S>| {
        let cells: Vec<&str> = row.iter().map(|c| c.as_ref().trim()).filter(|c| !c.is_empty()).collect();
        let mut distinct = cells.clone();
        distinct.sort_unstable();
        distinct.dedup();
        cells.len() >= needed
            && cells.iter().all(|c| looks_like_label(c))
            && distinct.len() * 4 >= cells.len() * 3
    };
    rows.iter().position(header_like).or_else(|| rows.iter().position(|r| filled(r) == widest))
}

/// A column label has letters and is not a number, a date or a barcode.
fn looks_like_label(cell: &str) -> bool {
    let letters = cell.chars().filter(|c| c.is_alphabetic()).count();
    let digits = cell.chars().filter(|c| c.is_ascii_digit()).count();
    letters > 0 && (letters >= digits || cell.chars().count() <= 3) && !cell.starts_with("http")
}

/// Column names: trimmed header cells, `Column N` (from `fallback`) for empty ones.
pub(crate) fn column_names<S: AsRef<str>>(cells: &[S], fallback: impl Fn(usize) -> String) -> Vec<String> {
    cells
        .iter()
        .enumerate()
        .map(|(i, c)| match c.as_ref().trim() {
            "" => fallback(i),
            name => name.to_owned(),
        })
        .collect()
}

/// "A", "B", ..., "Z", "AA" for a 0-based column index.
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&str]) -> Vec<Vec<String>> {
        lines.iter().map(|l| l.split(';').map(str::to_owned).collect()).collect()
    }

    #[test]
    fn skips_title_rows() {
        let t = rows(&[
            "Прайс-лист ООО «Ромашка»;;;",
            "Тел. +7 495 123-45-67;;;от 01.05.2024",
            ";;;",
            "Артикул;Наименование;Цена;Остаток",
            "A-1;Кроссовки;5990;3",
        ]);
        assert_eq!(pick_header(&t), Some(3));
    }

    #[test]
    fn first_row_when_it_is_the_header() {
        assert_eq!(pick_header(&rows(&["id;name;price", "1;x;2"])), Some(0));
        assert_eq!(pick_header(&rows(&["sku", "1", "2"])), Some(0));
    }

    #[test]
    fn data_only_falls_back_to_widest_row() {
        assert_eq!(pick_header(&rows(&["1;2", "3;4;5"])), Some(1));
        assert_eq!(pick_header(&rows(&[";;"])), None);
        assert_eq!(pick_header::<String>(&[]), None);
    }

    #[test]
    fn names_and_letters() {
        assert_eq!(column_names(&[" a ", "", "b"], |i| format!("Column {}", i + 1)), ["a", "Column 2", "b"]);
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}

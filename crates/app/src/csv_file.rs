//! Reading and writing the CSV files that imports and exports share: a header
//! row naming the columns, then one record per line.

use std::collections::HashMap;

use seam_domain::FieldErrors;

use crate::AppError;

/// CSV imports larger than this are refused before anything is read into the database.
pub const IMPORT_ROWS_MAX: usize = 100_000;

/// One record of a file, by column name.
#[derive(Debug, Clone)]
pub struct Record {
    /// The line in the file (the header is line 1).
    pub line: usize,
    fields: HashMap<String, String>,
}

impl Record {
    /// The value in `column`, or "" when the file has no such column.
    pub fn get(&self, column: &str) -> &str {
        self.fields.get(column).map(String::as_str).unwrap_or("")
    }
}

/// Reads every record of `bytes` (a leading UTF-8 byte-order mark is
/// skipped). The header must hold every `required` column and only `known`
/// ones, in any order and case. A problem is added to `errors` naming the
/// column or the line (`line 3`, `line 4: email`), and that record is left out.
pub fn read_records(
    bytes: &[u8],
    known: &[&str],
    required: &[&str],
    errors: &mut FieldErrors,
) -> Vec<Record> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_lowercase())
            .collect(),
        Err(_) => {
            errors.add("file", "error-csv-header");
            return Vec::new();
        }
    };
    let before = errors.iter().count();
    for column in required {
        if !headers.iter().any(|h| h == column) {
            errors.add(&format!("column {column}"), "error-csv-missing-column");
        }
    }
    if let Some(unknown) = headers.iter().find(|h| !known.contains(&h.as_str())) {
        errors.add(&format!("column {unknown}"), "error-csv-unknown-column");
    }
    if errors.iter().count() > before {
        return Vec::new();
    }
    let mut records = Vec::new();
    for (index, record) in reader.byte_records().enumerate() {
        let line = index + 2;
        if index >= IMPORT_ROWS_MAX {
            errors.add("file", "error-csv-too-many-rows");
            break;
        }
        let Ok(record) = record else {
            errors.add(&format!("line {line}"), "error-csv-row");
            continue;
        };
        let mut fields = HashMap::new();
        let mut readable = true;
        for (header, value) in headers.iter().zip(record.iter()) {
            match std::str::from_utf8(value) {
                Ok(v) => {
                    fields.insert(header.clone(), v.to_owned());
                }
                Err(_) => {
                    errors.add(&format!("line {line}: {header}"), "error-csv-utf8");
                    readable = false;
                }
            }
        }
        if readable {
            records.push(Record { line, fields });
        }
    }
    records
}

/// Collects rows into CSV text under a header row.
pub struct CsvOut {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvOut {
    pub fn new(header: &[&str]) -> Result<CsvOut, AppError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(header).map_err(internal)?;
        Ok(CsvOut { writer })
    }

    pub fn row<I, T>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(cells).map_err(internal)
    }

    pub fn finish(self) -> Result<String, AppError> {
        let bytes = self
            .writer
            .into_inner()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        String::from_utf8(bytes).map_err(|e| AppError::Internal(anyhow::Error::new(e)))
    }
}

fn internal(e: csv::Error) -> AppError {
    AppError::Internal(anyhow::Error::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_by_column_and_bad_lines_are_named() {
        let mut errors = FieldErrors::new();
        let mut bytes = b"\xef\xbb\xbfName,Kind\nAcme,company\none field\nBolt,".to_vec();
        bytes.extend_from_slice(&[0xff, b'\n']);
        let records = read_records(&bytes, &["name", "kind"], &["name"], &mut errors);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].get("name"), "Acme");
        assert_eq!(records[0].get("missing"), "");
        assert_eq!(records[0].line, 2);
        assert_eq!(errors.for_field("line 3"), Some("error-csv-row"));
        assert_eq!(errors.for_field("line 4: kind"), Some("error-csv-utf8"));
    }

    #[test]
    fn a_header_without_required_or_with_unknown_columns_reads_nothing() {
        let mut errors = FieldErrors::new();
        let records = read_records(
            b"name,colour\nAcme,red\n",
            &["name", "kind"],
            &["kind"],
            &mut errors,
        );
        assert!(records.is_empty());
        assert_eq!(
            errors.for_field("column kind"),
            Some("error-csv-missing-column")
        );
        assert_eq!(
            errors.for_field("column colour"),
            Some("error-csv-unknown-column")
        );
    }

    #[test]
    fn exports_quote_what_needs_quoting() {
        let mut out = CsvOut::new(&["a", "b"]).unwrap();
        out.row(["x, y", "z"]).unwrap();
        assert_eq!(out.finish().unwrap(), "a,b\n\"x, y\",z\n");
    }
}

//! Tables as Parquet files: the only module that knows the `parquet` crate.
//!
//! Writes one file per table (Snappy-compressed, row groups of
//! [`ROW_GROUP`] rows, every column optional; `string[]` as the standard
//! three-level `LIST`, `date` as `INT32 (DATE)`, the text types as
//! `BYTE_ARRAY (STRING)`). Reads a table given as one file or as a folder
//! of part files, the way Spark writes them, with Hive-style partition
//! folders (`date=2025-04-26/`) giving the value of that column.
//! May not touch: the graph (it sees rows of [`Cell`]s only).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;

use super::{Cell, ColType, Row, Table, TableError, err};

/// Rows per row group written.
pub const ROW_GROUP: usize = 64 * 1024;

fn schema_of(t: &Table) -> Result<Type, parquet::errors::ParquetError> {
    let mut fields = Vec::new();
    for c in &t.columns {
        let prim = |name: &str, p: Physical, l: Option<LogicalType>, r: Repetition| {
            Type::primitive_type_builder(name, p)
                .with_repetition(r)
                .with_logical_type(l)
                .build()
        };
        let f = match c.ctype {
            ColType::Int64 => prim(&c.name, Physical::INT64, None, Repetition::OPTIONAL)?,
            ColType::Double => prim(&c.name, Physical::DOUBLE, None, Repetition::OPTIONAL)?,
            ColType::Bool => prim(&c.name, Physical::BOOLEAN, None, Repetition::OPTIONAL)?,
            ColType::Date => prim(
                &c.name,
                Physical::INT32,
                Some(LogicalType::Date),
                Repetition::OPTIONAL,
            )?,
            ColType::String | ColType::Temporal | ColType::Json => prim(
                &c.name,
                Physical::BYTE_ARRAY,
                Some(LogicalType::String),
                Repetition::OPTIONAL,
            )?,
            ColType::StringList => {
                let element = prim(
                    "element",
                    Physical::BYTE_ARRAY,
                    Some(LogicalType::String),
                    Repetition::OPTIONAL,
                )?;
                let list = Type::group_type_builder("list")
                    .with_repetition(Repetition::REPEATED)
                    .with_fields(vec![Arc::new(element)])
                    .build()?;
                Type::group_type_builder(&c.name)
                    .with_repetition(Repetition::OPTIONAL)
                    .with_logical_type(Some(LogicalType::List))
                    .with_fields(vec![Arc::new(list)])
                    .build()?
            }
        };
        fields.push(Arc::new(f));
    }
    Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
}

/// Writes `rows` (cells in the order of `t.columns`) to `path`.
pub fn write_table(path: &Path, t: &Table, rows: &[Row]) -> Result<(), TableError> {
    let e = |x: parquet::errors::ParquetError| err(path, x);
    let schema = Arc::new(schema_of(t).map_err(e)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("newsgraph {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let file = File::create(path).map_err(|x| err(path, x))?;
    let mut w = SerializedFileWriter::new(file, schema, props).map_err(e)?;
    for chunk in rows.chunks(ROW_GROUP) {
        let mut rg = w.next_row_group().map_err(e)?;
        let mut ci = 0;
        while let Some(mut col) = rg.next_column().map_err(e)? {
            let c = &t.columns[ci];
            let cells = chunk.iter().map(|r| r.get(ci).unwrap_or(&Cell::Null));
            let defs: Vec<i16> = cells.clone().map(|x| i16::from(*x != Cell::Null)).collect();
            let bad = |x: &Cell| {
                err(
                    path,
                    format!(
                        "column {}: a {} cell in a {} column",
                        c.name,
                        kind(x),
                        c.ctype.name()
                    ),
                )
            };
            match c.ctype {
                ColType::Int64 => {
                    let mut v = Vec::new();
                    for x in cells {
                        match x {
                            Cell::Int(i) => v.push(*i),
                            Cell::Null => {}
                            x => return Err(bad(x)),
                        }
                    }
                    col.typed::<Int64Type>()
                        .write_batch(&v, Some(&defs), None)
                        .map_err(e)?;
                }
                ColType::Double => {
                    let mut v = Vec::new();
                    for x in cells {
                        match x {
                            Cell::Float(f) => v.push(*f),
                            Cell::Null => {}
                            x => return Err(bad(x)),
                        }
                    }
                    col.typed::<DoubleType>()
                        .write_batch(&v, Some(&defs), None)
                        .map_err(e)?;
                }
                ColType::Bool => {
                    let mut v = Vec::new();
                    for x in cells {
                        match x {
                            Cell::Bool(b) => v.push(*b),
                            Cell::Null => {}
                            x => return Err(bad(x)),
                        }
                    }
                    col.typed::<BoolType>()
                        .write_batch(&v, Some(&defs), None)
                        .map_err(e)?;
                }
                ColType::Date => {
                    let mut v = Vec::new();
                    for x in cells {
                        match x {
                            Cell::Date(d) => v.push(*d),
                            Cell::Null => {}
                            x => return Err(bad(x)),
                        }
                    }
                    col.typed::<Int32Type>()
                        .write_batch(&v, Some(&defs), None)
                        .map_err(e)?;
                }
                ColType::String | ColType::Temporal | ColType::Json => {
                    let mut v = Vec::new();
                    for x in cells {
                        match x {
                            Cell::Str(s) => v.push(ByteArray::from(s.as_str())),
                            Cell::Null => {}
                            x => return Err(bad(x)),
                        }
                    }
                    col.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&defs), None)
                        .map_err(e)?;
                }
                ColType::StringList => {
                    // levels: 0 null list, 1 empty list, 3 an element
                    // (2 would be a null element); repetition 1 continues a list
                    let (mut v, mut d, mut r) = (Vec::new(), Vec::new(), Vec::new());
                    for x in cells {
                        match x {
                            Cell::Null => {
                                d.push(0);
                                r.push(0);
                            }
                            Cell::StrList(l) if l.is_empty() => {
                                d.push(1);
                                r.push(0);
                            }
                            Cell::StrList(l) => {
                                for (i, s) in l.iter().enumerate() {
                                    d.push(3);
                                    r.push(i16::from(i > 0));
                                    v.push(ByteArray::from(s.as_str()));
                                }
                            }
                            x => return Err(bad(x)),
                        }
                    }
                    col.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&d), Some(&r))
                        .map_err(e)?;
                }
            }
            col.close().map_err(e)?;
            ci += 1;
        }
        rg.close().map_err(e)?;
    }
    w.close().map_err(e)?;
    Ok(())
}

fn kind(c: &Cell) -> &'static str {
    match c {
        Cell::Null => "null",
        Cell::Int(_) => "integer",
        Cell::Float(_) => "float",
        Cell::Bool(_) => "boolean",
        Cell::Str(_) => "string",
        Cell::Date(_) => "date",
        Cell::StrList(_) => "list",
    }
}

/// The Parquet files of a table and the partition values of each: `path`
/// itself, or the `*.parquet` files under it (Spark's `_SUCCESS`, `.crc`
/// and other hidden files skipped), in path order.
/// A part file and the `(column, value)` pairs of its partition folders.
type PartFile = (PathBuf, Vec<(String, String)>);

fn files_of(path: &Path) -> Result<Vec<PartFile>, TableError> {
    let meta = std::fs::metadata(path).map_err(|e| err(path, e))?;
    if meta.is_file() {
        return Ok(vec![(path.to_path_buf(), Vec::new())]);
    }
    let mut out = Vec::new();
    let mut stack = vec![(path.to_path_buf(), Vec::new())];
    while let Some((dir, parts)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| err(&dir, e))?;
        for entry in rd {
            let entry = entry.map_err(|e| err(&dir, e))?;
            let p = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            if p.is_dir() {
                let mut parts: Vec<(String, String)> = parts.clone();
                if let Some((k, v)) = name.split_once('=') {
                    parts.push((k.to_string(), unescape_partition(v)));
                }
                stack.push((p, parts));
            } else if name.ends_with(".parquet") {
                out.push((p, parts.clone()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A Hive partition value: `%XX` escapes decoded.
fn unescape_partition(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(x) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(x);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn cell_of(f: &Field, t: ColType) -> Result<Cell, String> {
    Ok(match f {
        Field::Null => Cell::Null,
        Field::Bool(b) => Cell::Bool(*b),
        Field::Byte(i) => Cell::Int(i64::from(*i)),
        Field::Short(i) => Cell::Int(i64::from(*i)),
        Field::Int(i) => Cell::Int(i64::from(*i)),
        Field::Long(i) => Cell::Int(*i),
        Field::UByte(i) => Cell::Int(i64::from(*i)),
        Field::UShort(i) => Cell::Int(i64::from(*i)),
        Field::UInt(i) => Cell::Int(i64::from(*i)),
        Field::ULong(i) => Cell::Int(i64::try_from(*i).map_err(|_| format!("{i} is too large"))?),
        Field::Float(x) => Cell::Float(f64::from(*x)),
        Field::Double(x) => Cell::Float(*x),
        Field::Str(s) => Cell::Str(s.clone()),
        Field::Bytes(b) => Cell::Str(
            std::str::from_utf8(b.data())
                .map_err(|_| "binary value that is not UTF-8".to_string())?
                .to_string(),
        ),
        Field::Date(d) => Cell::Date(*d),
        Field::ListInternal(l) => {
            let mut v = Vec::new();
            for x in l.elements() {
                match x {
                    Field::Str(s) => v.push(s.clone()),
                    Field::Null => {}
                    x => return Err(format!("a list of {x:?} where strings were expected")),
                }
            }
            Cell::StrList(v)
        }
        other => {
            return Err(format!(
                "a value of a type a {} column cannot hold: {other:?}",
                t.name()
            ));
        }
    })
}

/// A partition folder's value as a cell of the column's type.
fn partition_cell(v: &str, t: ColType) -> Cell {
    if v == "__HIVE_DEFAULT_PARTITION__" {
        return Cell::Null;
    }
    match t {
        ColType::Int64 => v.parse().map(Cell::Int).unwrap_or(Cell::Str(v.into())),
        ColType::Date => crate::store::Date::parse(v)
            .map(|d| Cell::Date(d.0))
            .unwrap_or(Cell::Str(v.into())),
        _ => Cell::Str(v.to_string()),
    }
}

/// Reads every row of table `t` at `path` (a file or a folder of part
/// files) and hands it to `each` as (row number in its file, file, cells
/// in the order of `t.columns`); columns a file lacks are null. A row that
/// cannot be decoded stops the read with the file and row.
pub fn read_table(
    path: &Path,
    t: &Table,
    each: &mut dyn FnMut(u64, &Path, Row),
) -> Result<(), TableError> {
    for (file, parts) in files_of(path)? {
        let f = File::open(&file).map_err(|e| err(&file, e))?;
        let reader = SerializedFileReader::new(f).map_err(|e| err(&file, e))?;
        let fields = reader
            .metadata()
            .file_metadata()
            .schema()
            .get_fields()
            .to_vec();
        // file column → table column
        let map: Vec<Option<usize>> = fields
            .iter()
            .map(|f| t.columns.iter().position(|c| c.name == f.name()))
            .collect();
        let mut fixed: Vec<(usize, Cell)> = Vec::new();
        for (k, v) in &parts {
            if let Some(i) = t.columns.iter().position(|c| &c.name == k) {
                fixed.push((i, partition_cell(v, t.columns[i].ctype)));
            }
        }
        let rows = reader.get_row_iter(None).map_err(|e| err(&file, e))?;
        for (n, row) in rows.enumerate() {
            let n = n as u64 + 1;
            let row = row.map_err(|e| err(&file, format!("row {n}: {e}")))?;
            let mut cells = vec![Cell::Null; t.columns.len()];
            for (i, (_, field)) in row.get_column_iter().enumerate() {
                if let Some(Some(ci)) = map.get(i) {
                    cells[*ci] = cell_of(field, t.columns[*ci].ctype).map_err(|e| {
                        err(
                            &file,
                            format!("row {n}, column {}: {e}", t.columns[*ci].name),
                        )
                    })?;
                }
            }
            for (i, c) in &fixed {
                cells[*i] = c.clone();
            }
            each(n, &file, cells);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{Column, Kind};

    #[test]
    fn every_column_type_reads_back_as_written() {
        let col = |n: &str, t| Column {
            name: n.into(),
            property: Some(n.into()),
            ctype: t,
        };
        let t = Table {
            kind: Kind::Nodes,
            name: "T".into(),
            file: "t.parquet".into(),
            rows: None,
            columns: vec![
                col("i", ColType::Int64),
                col("f", ColType::Double),
                col("b", ColType::Bool),
                col("d", ColType::Date),
                col("s", ColType::String),
                col("l", ColType::StringList),
            ],
        };
        let rows = vec![
            vec![
                Cell::Int(-3),
                Cell::Float(0.5),
                Cell::Bool(true),
                Cell::Date(20000),
                Cell::Str("é\n,\"".into()),
                Cell::StrList(vec!["a".into(), "b".into()]),
            ],
            vec![Cell::Null; 6],
            vec![
                Cell::Null,
                Cell::Null,
                Cell::Bool(false),
                Cell::Null,
                Cell::Str(String::new()),
                Cell::StrList(vec![]),
            ],
        ];
        let dir = std::env::temp_dir().join(format!("ng-pq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.parquet");
        write_table(&path, &t, &rows).unwrap();
        let mut back = Vec::new();
        read_table(&path, &t, &mut |_, _, r| back.push(r)).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(back, rows);
    }

    #[test]
    fn partition_values_are_unescaped() {
        assert_eq!(unescape_partition("a%3Ab"), "a:b");
        assert_eq!(unescape_partition("100%"), "100%");
    }
}

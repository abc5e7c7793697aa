//! The graph as tables: one node table per label and one relationship
//! table per type, the interchange with Spark, Kuzu and Neo4j
//! (`newsgraph export`, `newsgraph import --parquet`, docs/scale.md).
//!
//! Layout of a table folder:
//! - `schema.json`: format name and version, and per table its label or
//!   type, file (a file or a folder of part files, Hive-partitioned folders
//!   `key=value/` allowed), row count when known, and its columns with
//!   their types.
//! - `nodes/<Label>.<ext>`: every node once, in the table of its primary
//!   label (the first of `Article`, `Claim`, `Event`, `Person`,
//!   `Organization`, `Place`, `Actor`, `Country` it has, else its first
//!   label). Columns `node_id`, `labels` (all of them), one per property,
//!   and the provenance `prov_article` (a `node_id` of an `Article`),
//!   `prov_sentence`, `prov_start`, `prov_end` (byte span of the sentence).
//! - `relationships/<TYPE>.<ext>`: `src`, `dst` (`node_id`s), `src_label`,
//!   `dst_label` (the ends' tables), `rel_id` (the order), properties and
//!   provenance as for nodes.
//!
//! A property whose key is one of those column names or starts with
//! `prop_` is written as `prop_<key>`. Column types: `string`, `int64`,
//! `double`, `bool`, `date` (days since 1970), `string[]`, `temporal` (ISO
//! text: `2025-04-26` a date, `2024-08` a year and month, `2024` a year,
//! anything else a string, as ingest stores extracted times) and `json`
//! (any other value, as the store's serde form): a column gets the first
//! type that holds every one of its values exactly.
//!
//! Output is written into a temporary folder beside the target and renamed
//! over it, so the target holds a complete export or the one before.
//! Owns: the layout, the column typing, and tables → graph. The file
//! formats live in `parquet` (the only module that knows the parquet
//! crate) and `neo4j` (CSV as `neo4j-admin database import` reads it).
//! May not touch: extraction, ingest, queries.

pub mod neo4j;
pub mod parquet;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::store::schema::label;
use crate::store::{Date, Graph, NodeId, PropMap, PropValue, Provenance, Symbol, Temporal};

/// The `format` of a schema file.
pub const FORMAT: &str = "newsgraph-tables";
/// The layout version written.
pub const VERSION: u64 = 1;

/// Column names the layout itself uses.
pub const NODE_COLUMNS: [&str; 2] = ["node_id", "labels"];
pub const REL_COLUMNS: [&str; 5] = ["src", "dst", "src_label", "dst_label", "rel_id"];
pub const PROV_COLUMNS: [&str; 4] = ["prov_article", "prov_sentence", "prov_start", "prov_end"];

/// The labels that name a node's table, in order of preference.
const PRIMARY: [&str; 8] = [
    label::ARTICLE,
    label::CLAIM,
    label::EVENT,
    label::PERSON,
    label::ORGANIZATION,
    label::PLACE,
    label::ACTOR,
    label::COUNTRY,
];

/// A column's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    String,
    Int64,
    Double,
    Bool,
    Date,
    StringList,
    Temporal,
    Json,
}

impl ColType {
    pub fn name(self) -> &'static str {
        match self {
            ColType::String => "string",
            ColType::Int64 => "int64",
            ColType::Double => "double",
            ColType::Bool => "bool",
            ColType::Date => "date",
            ColType::StringList => "string[]",
            ColType::Temporal => "temporal",
            ColType::Json => "json",
        }
    }

    pub fn from_name(s: &str) -> Option<ColType> {
        [
            ColType::String,
            ColType::Int64,
            ColType::Double,
            ColType::Bool,
            ColType::Date,
            ColType::StringList,
            ColType::Temporal,
            ColType::Json,
        ]
        .into_iter()
        .find(|t| t.name() == s)
    }
}

/// One value of a table cell, as the file formats hold it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    /// Days since 1970-01-01.
    Date(i32),
    StrList(Vec<String>),
}

/// A column: its name in the file, the property it holds (none for the
/// layout's own columns) and its type.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub property: Option<String>,
    pub ctype: ColType,
}

/// Node table or relationship table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Nodes,
    Relationships,
}

/// A table: what it holds, where, and its columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub kind: Kind,
    /// The label or relationship type.
    pub name: String,
    /// Relative to the folder.
    pub file: String,
    pub rows: Option<u64>,
    pub columns: Vec<Column>,
}

/// A failure to write or read tables: the file (and row) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError(pub String);

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TableError {}

pub(crate) fn err(path: &Path, msg: impl fmt::Display) -> TableError {
    TableError(format!("{}: {msg}", path.display()))
}

/// The file formats an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Neo4jCsv,
}

impl Format {
    fn ext(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Neo4jCsv => "csv",
        }
    }
}

/// A label or type as a file name: letters, digits, `_` and `-` kept,
/// anything else as `%XX`, so two names never share a file.
fn file_stem(name: &str) -> String {
    let mut s = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    if s.is_empty() { "%".into() } else { s }
}

/// The column name of a property key.
pub fn column_name(key: &str) -> String {
    let reserved = NODE_COLUMNS
        .iter()
        .chain(&REL_COLUMNS)
        .chain(&PROV_COLUMNS)
        .any(|c| *c == key);
    if reserved || key.starts_with("prop_") {
        format!("prop_{key}")
    } else {
        key.to_string()
    }
}

/// The property key of a column that is not one of the layout's own.
pub fn property_name(column: &str) -> &str {
    column.strip_prefix("prop_").unwrap_or(column)
}

fn ymd_text(y: i64, m: u32, d: Option<u32>) -> String {
    let mut s = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        // never read back as a year: such values go to a `json` column
        format!("{y}")
    };
    s.push_str(&format!("-{m:02}"));
    if let Some(d) = d {
        s.push_str(&format!("-{d:02}"));
    }
    s
}

/// Reads ISO text the way ingest stores an extracted time: a date, a year
/// and month, a year, else the string itself.
pub fn parse_temporal(s: &str) -> PropValue {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str| {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let value = match parts.as_slice() {
        [y] if y.len() == 4 => num(y).map(|y| PropValue::Temporal(Temporal::Year(i64::from(y)))),
        [y, m] if y.len() == 4 && m.len() == 2 => match (num(y), num(m)) {
            (Some(y), Some(m)) if (1..=12).contains(&m) => {
                Some(PropValue::Temporal(Temporal::YearMonth(i64::from(y), m)))
            }
            _ => None,
        },
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            Date::parse(s).map(PropValue::Date)
        }
        _ => None,
    };
    value.unwrap_or_else(|| PropValue::from(s))
}

/// A value as a cell of a column of type `t`, when that type holds it
/// exactly (reading the cell back gives the same value).
fn to_cell(v: &PropValue, t: ColType) -> Option<Cell> {
    let cell = match (t, v) {
        (_, PropValue::Null) => Some(Cell::Null),
        (ColType::String, PropValue::Str(s)) => Some(Cell::Str(s.to_string())),
        (ColType::Int64, PropValue::Int(i)) => Some(Cell::Int(*i)),
        (ColType::Double, PropValue::Float(x)) => Some(Cell::Float(*x)),
        (ColType::Bool, PropValue::Bool(b)) => Some(Cell::Bool(*b)),
        (ColType::Date, PropValue::Date(d)) => Some(Cell::Date(d.0)),
        (ColType::StringList, PropValue::List(l)) => l
            .iter()
            .map(|x| x.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
            .map(Cell::StrList),
        (ColType::Temporal, PropValue::Date(d)) => Some(Cell::Str(d.to_string())),
        (ColType::Temporal, PropValue::Temporal(Temporal::Year(y))) => {
            Some(Cell::Str(if (0..=9999).contains(y) {
                format!("{y:04}")
            } else {
                return None;
            }))
        }
        (ColType::Temporal, PropValue::Temporal(Temporal::YearMonth(y, m))) => {
            Some(Cell::Str(ymd_text(*y, *m, None)))
        }
        (ColType::Temporal, PropValue::Str(s)) => Some(Cell::Str(s.to_string())),
        (ColType::Json, v) => serde_json::to_string(v).ok().map(Cell::Str),
        _ => None,
    }?;
    // exact or not at all
    (t == ColType::Json || from_cell(&cell, t).ok().as_ref() == Some(v)).then_some(cell)
}

/// A cell of a column of type `t` as a property value.
pub fn from_cell(c: &Cell, t: ColType) -> Result<PropValue, String> {
    Ok(match (t, c) {
        (_, Cell::Null) => PropValue::Null,
        (ColType::String, Cell::Str(s)) => PropValue::from(s.as_str()),
        (ColType::Int64, Cell::Int(i)) => PropValue::Int(*i),
        (ColType::Double, Cell::Float(x)) => PropValue::Float(*x),
        (ColType::Double, Cell::Int(i)) => PropValue::Float(*i as f64),
        (ColType::Bool, Cell::Bool(b)) => PropValue::Bool(*b),
        (ColType::Date, Cell::Date(d)) => PropValue::Date(Date(*d)),
        (ColType::Date, Cell::Str(s)) => {
            PropValue::Date(Date::parse(s).ok_or_else(|| format!("'{s}' is not a date"))?)
        }
        (ColType::StringList, Cell::StrList(l)) => {
            PropValue::List(l.iter().map(|s| PropValue::from(s.as_str())).collect())
        }
        (ColType::Temporal, Cell::Str(s)) => parse_temporal(s),
        (ColType::Temporal, Cell::Date(d)) => PropValue::Date(Date(*d)),
        (ColType::Json, Cell::Str(s)) => {
            serde_json::from_str(s).map_err(|e| format!("'{s}' is not a stored value: {e}"))?
        }
        (t, c) => return Err(format!("a {} column holds {c:?}", t.name())),
    })
}

/// The first type that holds every value exactly.
fn column_type<'a>(values: impl Iterator<Item = &'a PropValue> + Clone) -> ColType {
    [
        ColType::String,
        ColType::Int64,
        ColType::Double,
        ColType::Bool,
        ColType::Date,
        ColType::StringList,
        ColType::Temporal,
    ]
    .into_iter()
    .find(|&t| values.clone().all(|v| to_cell(v, t).is_some()))
    .unwrap_or(ColType::Json)
}

/// A node's table: its primary label, or `""` (file `%`) when it has none.
fn primary_label<'g>(g: &'g Graph, labels: &[Symbol]) -> &'g str {
    PRIMARY
        .iter()
        .find_map(|p| labels.iter().map(|&l| g.name_of(l)).find(|n| n == p))
        .or_else(|| labels.first().map(|&l| g.name_of(l)))
        .unwrap_or("")
}

/// A table's columns (its own, then the property columns, then provenance)
/// and the store key of each property column.
fn table_columns(
    g: &Graph,
    mut columns: Vec<Column>,
    props: &[Column],
) -> (Vec<Column>, Vec<Option<Symbol>>) {
    columns.extend(props.iter().cloned());
    columns.extend(PROV_COLUMNS.iter().map(|c| layout_col(c, ColType::Int64)));
    let keys = props
        .iter()
        .map(|c| c.property.as_deref().and_then(|p| g.symbol(p)))
        .collect();
    (columns, keys)
}

/// Appends a row's property cells (null where absent) and provenance cells.
fn push_props<'a>(
    r: &mut Vec<Cell>,
    props: &[Column],
    keys: &[Option<Symbol>],
    prop: impl Fn(Symbol) -> Option<&'a PropValue>,
    prov: Option<&Provenance>,
) {
    for (c, k) in props.iter().zip(keys) {
        let v = k.and_then(&prop).unwrap_or(&PropValue::Null);
        r.push(to_cell(v, c.ctype).unwrap_or(Cell::Null));
    }
    r.extend(prov_cells(prov));
}

fn prov_cells(p: Option<&Provenance>) -> [Cell; 4] {
    match p {
        Some(p) => [
            Cell::Int(i64::from(p.article.0)),
            Cell::Int(i64::from(p.sentence)),
            Cell::Int(i64::from(p.start)),
            Cell::Int(i64::from(p.end)),
        ],
        None => [Cell::Null, Cell::Null, Cell::Null, Cell::Null],
    }
}

fn layout_col(name: &str, t: ColType) -> Column {
    Column {
        name: name.to_string(),
        property: None,
        ctype: t,
    }
}

/// Property columns of a set of property maps: keys in sorted order, `name`
/// first.
fn prop_columns<'a>(g: &Graph, maps: impl Iterator<Item = &'a PropMap> + Clone) -> Vec<Column> {
    let mut keys: BTreeMap<&str, Symbol> = BTreeMap::new();
    for m in maps.clone() {
        for (k, _) in m.iter() {
            keys.entry(g.name_of(k)).or_insert(k);
        }
    }
    let mut cols: Vec<Column> = keys
        .iter()
        .map(|(&name, &k)| Column {
            name: column_name(name),
            property: Some(name.to_string()),
            ctype: column_type(maps.clone().filter_map(move |m| m.get(k))),
        })
        .collect();
    cols.sort_by_key(|c| c.property.as_deref() != Some("name"));
    cols
}

/// A table being written: its description and its rows.
pub struct TableData {
    pub table: Table,
    pub rows: Vec<Vec<Cell>>,
}

/// Every table of a graph, in a fixed order (labels, then types, by name).
pub fn tables_of(g: &Graph, format: Format) -> Vec<TableData> {
    let ext = format.ext();
    let mut by_label: BTreeMap<&str, Vec<NodeId>> = BTreeMap::new();
    for n in g.node_ids() {
        if let Some(node) = g.node(n) {
            by_label
                .entry(primary_label(g, node.labels()))
                .or_default()
                .push(n);
        }
    }
    let table_of: HashMap<NodeId, &str> = by_label
        .iter()
        .flat_map(|(l, ids)| ids.iter().map(move |&n| (n, *l)))
        .collect();
    let mut out = Vec::new();
    for (l, ids) in &by_label {
        let nodes: Vec<_> = ids.iter().filter_map(|&n| g.node(n)).collect();
        let props = prop_columns(g, nodes.iter().map(|n| n.props()));
        let (columns, keys) = table_columns(
            g,
            vec![
                layout_col("node_id", ColType::Int64),
                layout_col("labels", ColType::StringList),
            ],
            &props,
        );
        let rows = ids
            .iter()
            .zip(&nodes)
            .map(|(&n, node)| {
                let mut r = vec![
                    Cell::Int(i64::from(n.0)),
                    Cell::StrList(
                        node.labels()
                            .iter()
                            .map(|&s| g.name_of(s).to_string())
                            .collect(),
                    ),
                ];
                push_props(&mut r, &props, &keys, |k| node.prop(k), node.provenance());
                r
            })
            .collect::<Vec<_>>();
        out.push(TableData {
            table: Table {
                kind: Kind::Nodes,
                name: l.to_string(),
                file: format!("nodes/{}.{ext}", file_stem(l)),
                rows: Some(rows.len() as u64),
                columns,
            },
            rows,
        });
    }
    let mut by_type: BTreeMap<&str, Vec<crate::store::EdgeId>> = BTreeMap::new();
    for e in g.edge_ids() {
        if let Some(x) = g.edge(e) {
            by_type.entry(g.name_of(x.rel_type())).or_default().push(e);
        }
    }
    for (t, ids) in &by_type {
        let edges: Vec<_> = ids.iter().filter_map(|&e| g.edge(e)).collect();
        let props = prop_columns(g, edges.iter().map(|e| e.props()));
        let (columns, keys) = table_columns(
            g,
            vec![
                layout_col("src", ColType::Int64),
                layout_col("dst", ColType::Int64),
                layout_col("src_label", ColType::String),
                layout_col("dst_label", ColType::String),
                layout_col("rel_id", ColType::Int64),
            ],
            &props,
        );
        let rows = ids
            .iter()
            .zip(&edges)
            .filter_map(|(&e, x)| {
                let (a, b) = g.endpoints(e)?;
                let mut r = vec![
                    Cell::Int(i64::from(a.0)),
                    Cell::Int(i64::from(b.0)),
                    Cell::Str(table_of.get(&a).copied().unwrap_or("").to_string()),
                    Cell::Str(table_of.get(&b).copied().unwrap_or("").to_string()),
                    Cell::Int(i64::from(e.0)),
                ];
                push_props(&mut r, &props, &keys, |k| x.prop(k), x.provenance());
                Some(r)
            })
            .collect::<Vec<_>>();
        out.push(TableData {
            table: Table {
                kind: Kind::Relationships,
                name: t.to_string(),
                file: format!("relationships/{}.{ext}", file_stem(t)),
                rows: Some(rows.len() as u64),
                columns,
            },
            rows,
        });
    }
    out
}

/// The schema file's JSON for `tables`.
pub fn schema_json(tables: &[Table], format: Format) -> Value {
    let table = |t: &Table| {
        let mut m = serde_json::Map::new();
        let key = match t.kind {
            Kind::Nodes => "label",
            Kind::Relationships => "type",
        };
        m.insert(key.into(), json!(t.name));
        m.insert("file".into(), json!(t.file));
        m.insert("rows".into(), json!(t.rows));
        m.insert(
            "columns".into(),
            Value::Array(
                t.columns
                    .iter()
                    .map(|c| match &c.property {
                        Some(p) => json!({"name": c.name, "type": c.ctype.name(), "property": p}),
                        None => json!({"name": c.name, "type": c.ctype.name()}),
                    })
                    .collect(),
            ),
        );
        Value::Object(m)
    };
    let of = |k: Kind| -> Vec<Value> { tables.iter().filter(|t| t.kind == k).map(table).collect() };
    json!({
        "format": FORMAT,
        "version": VERSION,
        "files": match format { Format::Parquet => "parquet", Format::Neo4jCsv => "neo4j-csv" },
        "nodes": of(Kind::Nodes),
        "relationships": of(Kind::Relationships),
    })
}

/// Reads a schema file: its tables.
pub fn read_schema(dir: &Path) -> Result<Vec<Table>, TableError> {
    let path = dir.join("schema.json");
    let text = std::fs::read_to_string(&path).map_err(|e| err(&path, e))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| err(&path, e))?;
    if doc["format"] != FORMAT {
        return Err(err(&path, format!("not a {FORMAT} schema (\"format\")")));
    }
    match doc["version"].as_u64() {
        Some(v) if v <= VERSION => {}
        v => {
            return Err(err(
                &path,
                format!("layout version {v:?}; this program reads up to {VERSION}"),
            ));
        }
    }
    if doc["files"] != "parquet" {
        return Err(err(&path, "the tables are not Parquet (\"files\")"));
    }
    let mut out = Vec::new();
    for (kind, list, key) in [
        (Kind::Nodes, "nodes", "label"),
        (Kind::Relationships, "relationships", "type"),
    ] {
        let Some(items) = doc[list].as_array() else {
            return Err(err(&path, format!("\"{list}\" is not a list")));
        };
        for (i, t) in items.iter().enumerate() {
            let at = |m: &str| err(&path, format!("{list}[{i}]: {m}"));
            let name = t[key]
                .as_str()
                .ok_or_else(|| at(&format!("no \"{key}\"")))?;
            let file = t["file"].as_str().ok_or_else(|| at("no \"file\""))?;
            if Path::new(file)
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
            {
                return Err(at("\"file\" must be a relative path inside the folder"));
            }
            let cols = t["columns"]
                .as_array()
                .ok_or_else(|| at("no \"columns\""))?;
            let mut columns = Vec::new();
            for c in cols {
                let cname = c["name"]
                    .as_str()
                    .ok_or_else(|| at("a column without a name"))?;
                let ctype = c["type"]
                    .as_str()
                    .and_then(ColType::from_name)
                    .ok_or_else(|| at(&format!("column {cname}: unknown type {}", c["type"])))?;
                let layout = match kind {
                    Kind::Nodes => NODE_COLUMNS.contains(&cname),
                    Kind::Relationships => REL_COLUMNS.contains(&cname),
                } || PROV_COLUMNS.contains(&cname);
                let property = c["property"]
                    .as_str()
                    .map(String::from)
                    .or_else(|| (!layout).then(|| property_name(cname).to_string()));
                columns.push(Column {
                    name: cname.to_string(),
                    property,
                    ctype,
                });
            }
            let need: &[&str] = match kind {
                Kind::Nodes => &["node_id"],
                Kind::Relationships => &["src", "dst"],
            };
            for n in need {
                if !columns.iter().any(|c| c.name == *n && c.property.is_none()) {
                    return Err(at(&format!("no \"{n}\" column")));
                }
            }
            out.push(Table {
                kind,
                name: name.to_string(),
                file: file.to_string(),
                rows: t["rows"].as_u64(),
                columns,
            });
        }
    }
    Ok(out)
}

/// Writes every table of `g` and the schema file into `dir`, through a
/// temporary folder renamed over it. Returns the tables written.
pub fn export(g: &Graph, format: Format, dir: &Path) -> Result<Vec<Table>, TableError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dir
        .file_name()
        .ok_or_else(|| err(dir, "not a folder name"))?
        .to_string_lossy()
        .into_owned();
    std::fs::create_dir_all(&parent).map_err(|e| err(&parent, e))?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = write_all(g, format, &tmp);
    let tables = match result {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    // the old export leaves only once the new one is complete
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if dir.exists() {
        if !dir.join("schema.json").exists()
            && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
        {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(err(
                dir,
                "exists and holds no schema.json: not replaced (choose an empty or new folder)",
            ));
        }
        std::fs::rename(dir, &old).map_err(|e| err(dir, e))?;
    }
    std::fs::rename(&tmp, dir).map_err(|e| err(dir, e))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(tables)
}

fn write_all(g: &Graph, format: Format, tmp: &Path) -> Result<Vec<Table>, TableError> {
    for sub in ["nodes", "relationships"] {
        let d = tmp.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| err(&d, e))?;
    }
    let data = tables_of(g, format);
    for t in &data {
        let path = tmp.join(&t.table.file);
        match format {
            Format::Parquet => parquet::write_table(&path, &t.table, &t.rows)?,
            Format::Neo4jCsv => neo4j::write_table(&path, &t.table, &t.rows)?,
        }
    }
    let tables: Vec<Table> = data.into_iter().map(|t| t.table).collect();
    let schema =
        serde_json::to_string_pretty(&schema_json(&tables, format)).map_err(|e| err(tmp, e))?;
    let path = tmp.join("schema.json");
    std::fs::write(&path, schema + "\n").map_err(|e| err(&path, e))?;
    if format == Format::Neo4jCsv {
        neo4j::write_script(tmp, &tables)?;
    }
    Ok(tables)
}

/// What an import read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub nodes: u64,
    pub relationships: u64,
    /// Rows skipped, with file, row and reason (at most the first 1000).
    pub errors: Vec<String>,
    pub skipped: u64,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} nodes and {} relationships; skipped {} bad rows",
            self.nodes, self.relationships, self.skipped
        )
    }
}

impl ImportReport {
    fn skip(&mut self, msg: String) {
        self.skipped += 1;
        if self.errors.len() < 1000 {
            self.errors.push(msg);
        }
    }
}

/// A row as read: cells by column index of its table.
pub type Row = Vec<Cell>;

/// Reads the Parquet tables in `dir` (as written by [`export`] or by the
/// Spark job in `scale/`) into a new graph. Node ids are given in the order
/// of the tables' `node_id`s, relationships in the order of `rel_id`
/// (then file order). A bad row is reported and skipped; a missing or
/// unreadable file is an error.
pub fn import_parquet(dir: &Path) -> Result<(Graph, ImportReport), TableError> {
    let tables = read_schema(dir)?;
    let mut rep = ImportReport::default();
    // nodes: (original id, labels, props, provenance as original ids)
    struct NodeRow {
        id: i64,
        labels: Vec<String>,
        props: Vec<(String, PropValue)>,
        prov: Option<[i64; 4]>,
    }
    let mut nodes: Vec<NodeRow> = Vec::new();
    struct RelRow {
        order: (i64, usize),
        src: i64,
        dst: i64,
        rtype: String,
        props: Vec<(String, PropValue)>,
        prov: Option<[i64; 4]>,
        at: String,
    }
    let mut rels: Vec<RelRow> = Vec::new();
    let mut seq = 0usize;
    for t in &tables {
        let path = dir.join(&t.file);
        let pos = |n: &str| {
            t.columns
                .iter()
                .position(|c| c.name == n && c.property.is_none())
        };
        let prov_ix: Vec<Option<usize>> = PROV_COLUMNS.iter().map(|c| pos(c)).collect();
        let (id_ix, labels_ix) = (pos("node_id"), pos("labels"));
        let (src_ix, dst_ix, order_ix) = (pos("src"), pos("dst"), pos("rel_id"));
        parquet::read_table(&path, t, &mut |row_no, file: &Path, row: Row| {
            let at = format!("{} row {row_no}", file.display());
            let int = |i: Option<usize>| match i.map(|i| &row[i]) {
                Some(Cell::Int(v)) => Some(*v),
                _ => None,
            };
            let mut props = Vec::new();
            for (c, cell) in t.columns.iter().zip(&row) {
                let Some(p) = &c.property else { continue };
                match from_cell(cell, c.ctype) {
                    Ok(PropValue::Null) => {}
                    Ok(v) => props.push((p.clone(), v)),
                    Err(e) => {
                        rep.skip(format!("{at}: column {}: {e}", c.name));
                        return;
                    }
                }
            }
            let prov = prov_ix
                .iter()
                .map(|&i| int(i))
                .collect::<Option<Vec<i64>>>()
                .map(|v| [v[0], v[1], v[2], v[3]]);
            match t.kind {
                Kind::Nodes => {
                    let Some(id) = int(id_ix) else {
                        rep.skip(format!("{at}: no node_id"));
                        return;
                    };
                    let labels = match labels_ix.map(|i| &row[i]) {
                        Some(Cell::StrList(l)) if !l.is_empty() => l.clone(),
                        _ if t.name.is_empty() => Vec::new(),
                        _ => vec![t.name.clone()],
                    };
                    nodes.push(NodeRow {
                        id,
                        labels,
                        props,
                        prov,
                    });
                }
                Kind::Relationships => {
                    let (Some(src), Some(dst)) = (int(src_ix), int(dst_ix)) else {
                        rep.skip(format!("{at}: no src or dst"));
                        return;
                    };
                    seq += 1;
                    rels.push(RelRow {
                        order: (int(order_ix).unwrap_or(i64::MAX), seq),
                        src,
                        dst,
                        rtype: t.name.clone(),
                        props,
                        prov,
                        at,
                    });
                }
            }
        })?;
    }
    let mut g = Graph::new();
    nodes.sort_by_key(|n| n.id);
    let mut ids: HashMap<i64, NodeId> = HashMap::with_capacity(nodes.len());
    let mut provs: Vec<(NodeId, [i64; 4])> = Vec::new();
    for n in nodes {
        if ids.contains_key(&n.id) {
            rep.skip(format!(
                "node_id {} appears twice; the second is skipped",
                n.id
            ));
            continue;
        }
        let labels: Vec<Symbol> = n.labels.iter().map(|l| g.intern(l)).collect();
        let mut pm = PropMap::new();
        for (k, v) in n.props {
            let ks = g.intern(&k);
            pm.set(ks, v);
        }
        let id = g.add_node(labels, pm, None);
        ids.insert(n.id, id);
        if let Some(p) = n.prov {
            provs.push((id, p));
        }
        rep.nodes += 1;
    }
    let prov_of = |p: [i64; 4], ids: &HashMap<i64, NodeId>| -> Option<Provenance> {
        let u = |x: i64| u32::try_from(x).ok();
        Some(Provenance {
            article: *ids.get(&p[0])?,
            sentence: u(p[1])?,
            start: u(p[2])?,
            end: u(p[3])?,
        })
    };
    for (n, p) in provs {
        match prov_of(p, &ids) {
            Some(p) => {
                let _ = g.set_node_provenance(n, p);
            }
            None => rep.skip(format!(
                "node {}: provenance names no article node ({:?}); kept without it",
                n.0, p
            )),
        }
    }
    rels.sort_by_key(|r| r.order);
    for r in rels {
        let (Some(&a), Some(&b)) = (ids.get(&r.src), ids.get(&r.dst)) else {
            rep.skip(format!(
                "{}: {} from {} to {}: no such node",
                r.at, r.rtype, r.src, r.dst
            ));
            continue;
        };
        let t = g.intern(&r.rtype);
        let mut pm = PropMap::new();
        for (k, v) in r.props {
            let ks = g.intern(&k);
            pm.set(ks, v);
        }
        let prov = r.prov.and_then(|p| prov_of(p, &ids));
        match g.add_edge(a, b, t, pm, prov) {
            Ok(_) => rep.relationships += 1,
            Err(e) => rep.skip(format!("{}: {e}", r.at)),
        }
    }
    Ok((g, rep))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporal_text_reads_as_ingest_stores_times() {
        assert_eq!(
            parse_temporal("2024-08"),
            PropValue::Temporal(Temporal::YearMonth(2024, 8))
        );
        assert_eq!(
            parse_temporal("2024"),
            PropValue::Temporal(Temporal::Year(2024))
        );
        assert_eq!(
            parse_temporal("2025-04-26"),
            PropValue::Date(Date::from_ymd(2025, 4, 26).unwrap())
        );
        for s in ["2019-W03", "2024-13", "24", "", "2024-02-30"] {
            assert_eq!(parse_temporal(s), PropValue::from(s), "{s}");
        }
    }

    #[test]
    fn a_column_takes_the_first_type_that_holds_every_value() {
        let s = |x: &str| PropValue::from(x);
        let d = PropValue::Date(Date(10));
        let ym = PropValue::Temporal(Temporal::YearMonth(2024, 8));
        assert_eq!(column_type([s("a"), s("b")].iter()), ColType::String);
        assert_eq!(column_type([d.clone()].iter()), ColType::Date);
        assert_eq!(
            column_type([d.clone(), ym.clone(), s("2019-W03")].iter()),
            ColType::Temporal
        );
        // a string that reads as a year would come back as a year
        assert_eq!(column_type([ym.clone(), s("2024")].iter()), ColType::Json);
        assert_eq!(
            column_type([PropValue::Int(1), PropValue::Float(1.5)].iter()),
            ColType::Json
        );
        assert_eq!(
            column_type([PropValue::List(vec![s("x")]), PropValue::List(vec![])].iter()),
            ColType::StringList
        );
        for v in [
            d,
            ym,
            s("2024"),
            PropValue::Int(3),
            PropValue::List(vec![PropValue::Int(1)]),
        ] {
            let t = column_type(std::iter::once(&v));
            let c = to_cell(&v, t).unwrap();
            assert_eq!(from_cell(&c, t).unwrap(), v);
        }
    }

    #[test]
    fn reserved_names_and_odd_labels_are_escaped() {
        assert_eq!(column_name("node_id"), "prop_node_id");
        assert_eq!(column_name("prop_x"), "prop_prop_x");
        assert_eq!(property_name("prop_prop_x"), "prop_x");
        assert_eq!(column_name("name"), "name");
        assert_eq!(file_stem("Person"), "Person");
        assert_eq!(file_stem("a/b"), "a%2Fb");
        assert_eq!(file_stem(""), "%");
    }
}

//! Bulk import of nodes and relationships from CSV files.
//!
//! Nodes: a header row naming an id column (`id` or `:ID`), a label column
//! (`label`, `labels` or `:LABEL`; several labels separated by `;`) and
//! property columns. Relationships: `source`/`target`/`type` (or
//! `:START_ID`/`:END_ID`/`:TYPE`) and property columns. Values are typed by
//! their look: integers, floats, `true`/`false`, otherwise strings; an empty
//! field sets no property. The id column is kept as the `id` property.
//!
//! A bad row (wrong number of fields, missing id, duplicate id, unknown
//! endpoint, unterminated quote…) is reported with its file and line and
//! skipped; the import never stops on bad data.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::store::{Graph, NodeId, PropMap, PropValue, Symbol};

/// Node ids seen so far. Canonical decimal ids live in an integer map (no
/// pointer to chase per lookup, a cheap hash); other ids in a string map.
#[derive(Default)]
struct Ids {
    num: HashMap<u64, NodeId, BuildHasherDefault<MulHasher>>,
    text: HashMap<Box<str>, NodeId>,
}

impl Ids {
    fn num(id: &str) -> Option<u64> {
        let canonical = !id.is_empty()
            && id.len() <= 19
            && id.bytes().all(|b| b.is_ascii_digit())
            && (id == "0" || !id.starts_with('0'));
        canonical.then(|| id.parse().ok()).flatten()
    }
    fn get(&self, id: &str) -> Option<NodeId> {
        match Self::num(id) {
            Some(k) => self.num.get(&k).copied(),
            None => self.text.get(id).copied(),
        }
    }
    fn insert(&mut self, id: &str, n: NodeId) {
        match Self::num(id) {
            Some(k) => self.num.insert(k, n),
            None => self.text.insert(id.into(), n),
        };
    }
}

/// A multiplicative hash for integer keys (ids are not attacker-chosen here).
#[derive(Default)]
struct MulHasher(u64);

impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x517C_C1B7_2722_0A95);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(26);
    }
}

/// One skipped row: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: PathBuf,
    pub line: u64,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub nodes: u64,
    pub edges: u64,
    pub bad_node_rows: u64,
    pub bad_edge_rows: u64,
    /// Every skipped row, in file order.
    pub errors: Vec<RowError>,
    /// Bytes of CSV read.
    pub bytes: u64,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} nodes and {} relationships; skipped {} bad node rows and {} bad relationship rows",
            self.nodes, self.edges, self.bad_node_rows, self.bad_edge_rows
        )
    }
}

/// Why an import could not run at all (as opposed to a bad row).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Header { path: PathBuf, message: String },
}

/// Reads CSV records (RFC 4180 quoting, fields may span lines), tracking
/// the line each record starts on.
struct CsvReader<R> {
    inner: R,
    line: u64,
    buf: String,
}

impl<R: BufRead> CsvReader<R> {
    fn new(inner: R) -> Self {
        CsvReader {
            inner,
            line: 0,
            buf: String::new(),
        }
    }

    /// The next record with its starting line, `None` at the end. Blank
    /// lines are skipped. `bytes` grows by what was read.
    fn next(
        &mut self,
        fields: &mut Vec<String>,
        bytes: &mut u64,
    ) -> std::io::Result<Option<(u64, Result<(), String>)>> {
        loop {
            self.buf.clear();
            let n = read_line_lossy(&mut self.inner, &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            *bytes += n as u64;
            self.line += 1;
            let start = self.line;
            if self.buf.trim_end_matches(['\n', '\r']).is_empty() {
                continue;
            }
            // a quoted field may run over several lines
            while self.buf.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
                let n = read_line_lossy(&mut self.inner, &mut self.buf)?;
                if n == 0 {
                    return Ok(Some((start, Err("unterminated quoted field".into()))));
                }
                *bytes += n as u64;
                self.line += 1;
            }
            let rec = split_record(self.buf.trim_end_matches(['\n', '\r']), fields);
            return Ok(Some((start, rec)));
        }
    }
}

/// Appends one line to `buf`, replacing invalid UTF-8; returns bytes read.
fn read_line_lossy<R: BufRead>(r: &mut R, buf: &mut String) -> std::io::Result<usize> {
    let mut raw = Vec::new();
    let n = r.read_until(b'\n', &mut raw)?;
    match String::from_utf8(raw) {
        Ok(s) => buf.push_str(&s),
        Err(e) => buf.push_str(&String::from_utf8_lossy(e.as_bytes())),
    }
    Ok(n)
}

/// Splits one record into `fields` (cleared first).
fn split_record(s: &str, fields: &mut Vec<String>) -> Result<(), String> {
    fields.clear();
    if !s.contains('"') {
        fields.extend(s.split(',').map(str::to_string));
        return Ok(());
    }
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    let mut at_start = true;
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                    match chars.peek() {
                        None | Some(',') => {}
                        Some(_) => return Err("text after a closing quote".into()),
                    }
                }
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            ',' => {
                fields.push(std::mem::take(&mut cur));
                at_start = true;
                continue;
            }
            '"' if at_start => quoted = true,
            '"' => return Err("quote inside an unquoted field".into()),
            c => cur.push(c),
        }
        at_start = false;
    }
    fields.push(cur);
    Ok(())
}

/// A field's value: integer, float, boolean or string; `None` when empty.
fn typed(s: &str) -> Option<PropValue> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    if b[0].is_ascii_digit() || b[0] == b'-' || b[0] == b'+' || b[0] == b'.' {
        if let Ok(i) = s.parse::<i64>() {
            return Some(PropValue::Int(i));
        }
        if let Ok(x) = s.parse::<f64>() {
            return Some(PropValue::Float(x));
        }
    }
    Some(match s {
        "true" => PropValue::Bool(true),
        "false" => PropValue::Bool(false),
        _ => PropValue::from(s),
    })
}

fn open(path: &Path) -> Result<CsvReader<BufReader<File>>, ImportError> {
    let f = File::open(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(CsvReader::new(BufReader::with_capacity(1 << 20, f)))
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim();
        names.iter().any(|n| h.eq_ignore_ascii_case(n))
    })
}

/// Reads the header; a missing or empty header is an error for the file.
fn header<R: BufRead>(
    r: &mut CsvReader<R>,
    path: &Path,
    bytes: &mut u64,
) -> Result<Vec<String>, ImportError> {
    let mut h = Vec::new();
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    match r.next(&mut h, bytes).map_err(io)? {
        None => Err(ImportError::Header {
            path: path.to_path_buf(),
            message: "empty file: expected a header row".into(),
        }),
        Some((_, Err(m))) => Err(ImportError::Header {
            path: path.to_path_buf(),
            message: format!("bad header row: {m}"),
        }),
        Some((_, Ok(()))) => Ok(h.into_iter().map(|s| s.trim().to_string()).collect()),
    }
}

/// Imports nodes then relationships into `g`. Fails only when a file
/// cannot be read or has no usable header; bad rows are skipped and listed
/// in the report.
pub fn import_csv(
    g: &mut Graph,
    nodes_path: &Path,
    edges_path: &Path,
) -> Result<ImportReport, ImportError> {
    let mut rep = ImportReport::default();
    let mut ids = Ids::default();

    // ----- nodes -----
    let mut r = open(nodes_path)?;
    let h = header(&mut r, nodes_path, &mut rep.bytes)?;
    let id_col = column(&h, &["id", ":ID"]).ok_or_else(|| ImportError::Header {
        path: nodes_path.to_path_buf(),
        message: format!("no id column (expected `id`) in header {h:?}"),
    })?;
    let label_col = column(&h, &["label", "labels", ":LABEL"]);
    let id_key = g.intern("id");
    let node_keys: Vec<Option<Symbol>> = h
        .iter()
        .enumerate()
        .map(|(i, k)| (i != id_col && Some(i) != label_col).then(|| g.intern(k)))
        .collect();
    let mut label_cache: HashMap<String, Vec<Symbol>> = HashMap::new();
    let mut fields = Vec::new();
    let bad = |rep: &mut ImportReport, path: &Path, line: u64, message: String, node: bool| {
        if node {
            rep.bad_node_rows += 1;
        } else {
            rep.bad_edge_rows += 1;
        }
        rep.errors.push(RowError {
            file: path.to_path_buf(),
            line,
            message,
        });
    };
    loop {
        let next = r
            .next(&mut fields, &mut rep.bytes)
            .map_err(|source| ImportError::Io {
                path: nodes_path.to_path_buf(),
                source,
            })?;
        let Some((line, rec)) = next else { break };
        if let Err(m) = rec {
            bad(&mut rep, nodes_path, line, m, true);
            continue;
        }
        if fields.len() != h.len() {
            let m = format!("expected {} fields, found {}", h.len(), fields.len());
            bad(&mut rep, nodes_path, line, m, true);
            continue;
        }
        let id = fields[id_col].trim();
        if id.is_empty() {
            bad(&mut rep, nodes_path, line, "empty id".into(), true);
            continue;
        }
        if ids.get(id).is_some() {
            let m = format!("duplicate node id {id:?}");
            bad(&mut rep, nodes_path, line, m, true);
            continue;
        }
        let labels = match label_col {
            Some(c) => {
                let text = fields[c].trim();
                match label_cache.get(text) {
                    Some(v) => v.clone(),
                    None => {
                        let v: Vec<Symbol> = text
                            .split(';')
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(|l| g.intern(l))
                            .collect();
                        label_cache.insert(text.to_string(), v.clone());
                        v
                    }
                }
            }
            None => Vec::new(),
        };
        let mut props = PropMap::new();
        if let Some(v) = typed(id) {
            props.set(id_key, v);
        }
        for (i, f) in fields.iter().enumerate() {
            if let Some(k) = node_keys[i]
                && let Some(v) = typed(f)
            {
                props.set(k, v);
            }
        }
        let n = g.add_node(labels, props, None);
        ids.insert(id, n);
        rep.nodes += 1;
    }

    // ----- relationships -----
    let mut r = open(edges_path)?;
    let h = header(&mut r, edges_path, &mut rep.bytes)?;
    let need = |names: &[&str], what: &str| {
        column(&h, names).ok_or_else(|| ImportError::Header {
            path: edges_path.to_path_buf(),
            message: format!("no {what} column (expected `{}`) in header {h:?}", names[0]),
        })
    };
    let src_col = need(&["source", ":START_ID", "from", "src"], "source")?;
    let dst_col = need(&["target", ":END_ID", "to", "dst"], "target")?;
    let type_col = need(&["type", ":TYPE"], "type")?;
    let edge_keys: Vec<Option<Symbol>> = h
        .iter()
        .enumerate()
        .map(|(i, k)| (![src_col, dst_col, type_col].contains(&i)).then(|| g.intern(k)))
        .collect();
    let mut type_cache: HashMap<String, Symbol> = HashMap::new();
    loop {
        let next = r
            .next(&mut fields, &mut rep.bytes)
            .map_err(|source| ImportError::Io {
                path: edges_path.to_path_buf(),
                source,
            })?;
        let Some((line, rec)) = next else { break };
        if let Err(m) = rec {
            bad(&mut rep, edges_path, line, m, false);
            continue;
        }
        if fields.len() != h.len() {
            let m = format!("expected {} fields, found {}", h.len(), fields.len());
            bad(&mut rep, edges_path, line, m, false);
            continue;
        }
        let end = |c: usize| -> Result<NodeId, String> {
            let id = fields[c].trim();
            if id.is_empty() {
                return Err(format!("empty {}", h[c]));
            }
            ids.get(id)
                .ok_or_else(|| format!("unknown node id {id:?} in {}", h[c]))
        };
        let (a, b) = match (end(src_col), end(dst_col)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(m), _) | (_, Err(m)) => {
                bad(&mut rep, edges_path, line, m, false);
                continue;
            }
        };
        let t = fields[type_col].trim();
        if t.is_empty() {
            bad(&mut rep, edges_path, line, "empty type".into(), false);
            continue;
        }
        let t = match type_cache.get(t) {
            Some(s) => *s,
            None => {
                let s = g.intern(t);
                type_cache.insert(t.to_string(), s);
                s
            }
        };
        let mut props = PropMap::new();
        for (i, f) in fields.iter().enumerate() {
            if let Some(k) = edge_keys[i]
                && let Some(v) = typed(f)
            {
                props.set(k, v);
            }
        }
        match g.add_edge(a, b, t, props, None) {
            Ok(_) => rep.edges += 1,
            Err(e) => bad(&mut rep, edges_path, line, e.to_string(), false),
        }
    }
    Ok(rep)
}

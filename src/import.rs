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
//!
//! Speed comes from doing the text work off the graph's thread: a reader
//! thread reads each file in large blocks that end on record boundaries,
//! cuts every block into chunks and parses the chunks in parallel (fields
//! split as slices of the block, values typed, relationship endpoints
//! resolved to node ids, since every node is known by then). The calling
//! thread only adds the parsed rows to the graph, in file order. A record
//! ends at a newline preceded by an even number of quotes, so blocks and
//! chunks never split a quoted field, even one that spans lines; lines are
//! counted per chunk and offset when the rows are added, so an error names
//! the same line a sequential read would.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::store::{Graph, NodeId, PropMap, PropValue, Symbol};

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

impl ImportReport {
    fn skip(&mut self, file: &Path, line: u64, message: String) {
        self.errors.push(RowError {
            file: file.to_path_buf(),
            line,
            message,
        });
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

/// Imports nodes then relationships into `g`. Fails only when a file
/// cannot be read or has no usable header; bad rows are skipped and listed
/// in the report.
pub fn import_csv(
    g: &mut Graph,
    nodes_path: &Path,
    edges_path: &Path,
) -> Result<ImportReport, ImportError> {
    import_chunked(g, nodes_path, edges_path, Chunking::default())
}

/// How files are cut up: blocks are what the reader thread reads at a
/// time, chunks what one parser takes. Tests use tiny sizes to put
/// boundaries everywhere.
#[derive(Clone, Copy, Debug)]
struct Chunking {
    block: usize,
    chunk: usize,
}

impl Default for Chunking {
    fn default() -> Self {
        Chunking {
            block: 8 << 20,
            chunk: 512 << 10,
        }
    }
}

fn import_chunked(
    g: &mut Graph,
    nodes_path: &Path,
    edges_path: &Path,
    sizes: Chunking,
) -> Result<ImportReport, ImportError> {
    let mut rep = ImportReport::default();
    let ids = import_nodes(g, nodes_path, sizes, &mut rep)?;
    rep.bad_node_rows = rep.errors.len() as u64;
    import_edges(g, edges_path, sizes, &ids, &mut rep)?;
    rep.bad_edge_rows = rep.errors.len() as u64 - rep.bad_node_rows;
    Ok(rep)
}

/// Adds the nodes of a file; returns the nodes by their ids in the file.
fn import_nodes(
    g: &mut Graph,
    path: &Path,
    sizes: Chunking,
    rep: &mut ImportReport,
) -> Result<Ids, ImportError> {
    let mut ids = Ids::default();
    let mut file = Blocks::open(path, sizes.block)?;
    let (header, header_lines) = file.header()?;
    let columns = NodeColumns::new(g, header, path)?;
    rep.bytes += stream(
        file,
        header_lines,
        sizes.chunk,
        |fields, names| columns.row(fields, names),
        |first_line, chunk| {
            let label_sets: Vec<Vec<Symbol>> = chunk
                .names
                .texts
                .iter()
                .map(|text| {
                    text.split(';')
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| g.intern(l))
                        .collect()
                })
                .collect();
            for (at, row) in chunk.rows {
                let row = row.and_then(|r| match ids.get(&r.id) {
                    Some(_) => Err(format!("duplicate node id {:?}", r.id.to_string())),
                    None => Ok(r),
                });
                match row {
                    Ok(r) => {
                        let labels = label_sets[r.labels as usize].clone();
                        ids.insert(r.id, g.add_node(labels, r.props, None));
                        rep.nodes += 1;
                    }
                    Err(m) => rep.skip(path, first_line + at, m),
                }
            }
        },
    )?;
    Ok(ids)
}

/// Adds the relationships of a file between the nodes `ids` knows.
fn import_edges(
    g: &mut Graph,
    path: &Path,
    sizes: Chunking,
    ids: &Ids,
    rep: &mut ImportReport,
) -> Result<(), ImportError> {
    let mut file = Blocks::open(path, sizes.block)?;
    let (header, header_lines) = file.header()?;
    let columns = EdgeColumns::new(g, header, path, ids)?;
    rep.bytes += stream(
        file,
        header_lines,
        sizes.chunk,
        |fields, names| columns.row(fields, names),
        |first_line, chunk| {
            let types: Vec<Symbol> = chunk.names.texts.iter().map(|t| g.intern(t)).collect();
            for (at, row) in chunk.rows {
                let added = row.and_then(|r| {
                    g.add_edge(r.from, r.to, types[r.rel_type as usize], r.props, None)
                        .map_err(|e| e.to_string())
                });
                match added {
                    Ok(_) => rep.edges += 1,
                    Err(m) => rep.skip(path, first_line + at, m),
                }
            }
        },
    )?;
    Ok(())
}

// ----- columns and rows -----

/// What the node file's header says about its columns.
struct NodeColumns {
    width: usize,
    id: usize,
    label: Option<usize>,
    id_key: Symbol,
    /// The property key of each column (`None` for the id and label columns).
    keys: Vec<Option<Symbol>>,
}

/// A node row ready to add.
struct NodeRow {
    id: IdKey,
    /// Index of the row's label text in its chunk's [`Names`].
    labels: u32,
    props: PropMap,
}

impl NodeColumns {
    fn new(g: &mut Graph, header: Vec<String>, path: &Path) -> Result<Self, ImportError> {
        let id = column(&header, &["id", ":ID"]).ok_or_else(|| ImportError::Header {
            path: path.to_path_buf(),
            message: format!("no id column (expected `id`) in header {header:?}"),
        })?;
        let label = column(&header, &["label", "labels", ":LABEL"]);
        let id_key = g.intern("id");
        let keys = header
            .iter()
            .enumerate()
            .map(|(i, k)| (i != id && Some(i) != label).then(|| g.intern(k)))
            .collect();
        Ok(NodeColumns {
            width: header.len(),
            id,
            label,
            id_key,
            keys,
        })
    }

    fn row(&self, fields: &[Cow<str>], names: &mut Names) -> Result<NodeRow, String> {
        check_width(fields, self.width)?;
        let id = fields[self.id].trim();
        if id.is_empty() {
            return Err("empty id".into());
        }
        let labels = names.index(self.label.map_or("", |c| fields[c].trim()));
        let mut props = PropMap::new();
        if let Some(v) = typed(id) {
            props.set(self.id_key, v);
        }
        set_props(&mut props, &self.keys, fields);
        Ok(NodeRow {
            id: IdKey::of(id),
            labels,
            props,
        })
    }
}

/// What the relationship file's header says about its columns, and the
/// nodes its endpoints refer to.
struct EdgeColumns<'a> {
    header: Vec<String>,
    source: usize,
    target: usize,
    rel_type: usize,
    /// The property key of each column (`None` for the three above).
    keys: Vec<Option<Symbol>>,
    ids: &'a Ids,
}

/// A relationship row ready to add.
struct EdgeRow {
    from: NodeId,
    to: NodeId,
    /// Index of the row's type text in its chunk's [`Names`].
    rel_type: u32,
    props: PropMap,
}

impl<'a> EdgeColumns<'a> {
    fn new(
        g: &mut Graph,
        header: Vec<String>,
        path: &Path,
        ids: &'a Ids,
    ) -> Result<Self, ImportError> {
        let need = |names: &[&str], what: &str| {
            column(&header, names).ok_or_else(|| ImportError::Header {
                path: path.to_path_buf(),
                message: format!(
                    "no {what} column (expected `{}`) in header {header:?}",
                    names[0]
                ),
            })
        };
        let source = need(&["source", ":START_ID", "from", "src"], "source")?;
        let target = need(&["target", ":END_ID", "to", "dst"], "target")?;
        let rel_type = need(&["type", ":TYPE"], "type")?;
        let keys = header
            .iter()
            .enumerate()
            .map(|(i, k)| (![source, target, rel_type].contains(&i)).then(|| g.intern(k)))
            .collect();
        Ok(EdgeColumns {
            header,
            source,
            target,
            rel_type,
            keys,
            ids,
        })
    }

    fn row(&self, fields: &[Cow<str>], names: &mut Names) -> Result<EdgeRow, String> {
        check_width(fields, self.header.len())?;
        let end = |c: usize| -> Result<NodeId, String> {
            let id = fields[c].trim();
            if id.is_empty() {
                return Err(format!("empty {}", self.header[c]));
            }
            self.ids
                .find(id)
                .ok_or_else(|| format!("unknown node id {id:?} in {}", self.header[c]))
        };
        let (from, to) = match (end(self.source), end(self.target)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(m), _) | (_, Err(m)) => return Err(m),
        };
        let rel_type = fields[self.rel_type].trim();
        if rel_type.is_empty() {
            return Err("empty type".into());
        }
        let mut props = PropMap::new();
        set_props(&mut props, &self.keys, fields);
        Ok(EdgeRow {
            from,
            to,
            rel_type: names.index(rel_type),
            props,
        })
    }
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
}

fn check_width(fields: &[Cow<str>], width: usize) -> Result<(), String> {
    if fields.len() == width {
        Ok(())
    } else {
        Err(format!("expected {width} fields, found {}", fields.len()))
    }
}

/// Sets the typed value of every property column that is not empty.
fn set_props(props: &mut PropMap, keys: &[Option<Symbol>], fields: &[Cow<str>]) {
    for (k, f) in keys.iter().zip(fields) {
        if let Some(k) = *k
            && let Some(v) = typed(f)
        {
            props.set(k, v);
        }
    }
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

/// The distinct label or type texts of one chunk. Rows refer to them by
/// index, so the graph interns each text once per chunk, not once per row.
#[derive(Default)]
struct Names {
    texts: Vec<Box<str>>,
    index: HashMap<Box<str>, u32, FastHash>,
}

impl Names {
    /// Up to this many texts a scan beats hashing.
    const SCAN: usize = 8;

    fn index(&mut self, text: &str) -> u32 {
        let known = if self.texts.len() <= Self::SCAN {
            self.texts
                .iter()
                .position(|t| **t == *text)
                .map(|i| i as u32)
        } else {
            self.index.get(text).copied()
        };
        known.unwrap_or_else(|| {
            let i = self.texts.len() as u32;
            self.texts.push(text.into());
            self.index.insert(text.into(), i);
            i
        })
    }
}

// ----- node ids -----

/// A node id as written in the file: canonical decimal ids as numbers
/// (cheap to hash, or an index when ids are dense), others as text.
enum IdKey {
    Num(u64),
    Text(Box<str>),
}

impl IdKey {
    fn of(id: &str) -> IdKey {
        match canonical_number(id) {
            Some(k) => IdKey::Num(k),
            None => IdKey::Text(id.into()),
        }
    }
}

impl fmt::Display for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdKey::Num(k) => write!(f, "{k}"),
            IdKey::Text(t) => f.write_str(t),
        }
    }
}

/// The value of a decimal id written without leading zeros.
fn canonical_number(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    // 19 digits always fit in a u64
    if b.is_empty() || b.len() > 19 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    b.iter().try_fold(0u64, |k, &c| {
        c.is_ascii_digit().then(|| k * 10 + u64::from(c - b'0'))
    })
}

/// Node ids seen so far. Numeric ids that come in a run (the usual 0..n
/// or 1..n, in file order) map to their nodes by arithmetic, without a
/// memory access per lookup; other numeric ids that are dense enough index
/// a vector; the rest go in maps.
#[derive(Default)]
struct Ids {
    run: Run,
    /// `dense[k]` is the node of id `k`, or [`Ids::ABSENT`].
    dense: Vec<NodeId>,
    dense_used: usize,
    sparse: HashMap<u64, NodeId, FastHash>,
    text: HashMap<Box<str>, NodeId>,
}

/// Ids `first_id..first_id + len` are nodes `first_node..first_node + len`.
#[derive(Default)]
struct Run {
    first_id: u64,
    first_node: u32,
    len: u32,
}

impl Ids {
    /// Never a node: petgraph reserves the largest index.
    const ABSENT: NodeId = NodeId(u32::MAX);

    fn get(&self, id: &IdKey) -> Option<NodeId> {
        match id {
            IdKey::Num(k) => self.get_num(*k),
            IdKey::Text(t) => self.text.get(t).copied(),
        }
    }

    /// The node of an id as written in the file.
    fn find(&self, id: &str) -> Option<NodeId> {
        match canonical_number(id) {
            Some(k) => self.get_num(k),
            None => self.text.get(id).copied(),
        }
    }

    fn get_num(&self, k: u64) -> Option<NodeId> {
        let Run {
            first_id,
            first_node,
            len,
        } = self.run;
        if k >= first_id && k - first_id < u64::from(len) {
            return Some(NodeId(first_node + (k - first_id) as u32));
        }
        let dense = usize::try_from(k).ok().and_then(|i| self.dense.get(i));
        match dense {
            Some(&n) if n != Self::ABSENT => Some(n),
            _ => self.sparse.get(&k).copied(),
        }
    }

    /// Records a new id (callers check that it is new).
    fn insert(&mut self, id: IdKey, n: NodeId) {
        let run = &mut self.run;
        match id {
            IdKey::Num(k) if run.len == 0 => {
                *run = Run {
                    first_id: k,
                    first_node: n.0,
                    len: 1,
                }
            }
            IdKey::Num(k)
                if k == run.first_id + u64::from(run.len) && n.0 == run.first_node + run.len =>
            {
                run.len += 1
            }
            // the vector grows only while at least half of it is used
            IdKey::Num(k) if k < 2 * (self.dense_used as u64 + 1024) => {
                let i = k as usize;
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, Self::ABSENT);
                }
                self.dense[i] = n;
                self.dense_used += 1;
            }
            IdKey::Num(k) => {
                self.sparse.insert(k, n);
            }
            IdKey::Text(t) => {
                self.text.insert(t, n);
            }
        }
    }
}

type FastHash = BuildHasherDefault<MulHasher>;

/// A multiplicative hash (the keys are ids and names from the user's own
/// files, not attacker-chosen).
#[derive(Default)]
struct MulHasher(u64);

impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for part in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..part.len()].copy_from_slice(part);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(26);
    }
}

// ----- reading and splitting -----

/// A CSV file read in blocks of whole records.
struct Blocks {
    path: PathBuf,
    file: File,
    block: usize,
    /// Read but not handed out yet; starts at a record boundary.
    pending: Vec<u8>,
    eof: bool,
    /// Bytes read so far.
    bytes: u64,
}

impl Blocks {
    fn open(path: &Path, block: usize) -> Result<Self, ImportError> {
        let file = File::open(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Blocks {
            path: path.to_path_buf(),
            file,
            block,
            pending: Vec::new(),
            eof: false,
            bytes: 0,
        })
    }

    /// The next block: whole records of about the block size, or the rest
    /// of the file at its end; `None` when everything has been handed out.
    fn next_block(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut want = self.block;
        loop {
            while !self.eof && self.pending.len() < want {
                self.pending.reserve(want - self.pending.len());
                let room = (want - self.pending.len()) as u64;
                let n = (&mut self.file).take(room).read_to_end(&mut self.pending)?;
                self.bytes += n as u64;
                self.eof = n == 0;
            }
            if self.eof {
                return Ok((!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending)));
            }
            // cut near the end; the few records after the cut start the next block
            if let Some(end) = record_end_after(&self.pending, want - want / 8) {
                let mut rest = Vec::with_capacity(self.block);
                rest.extend_from_slice(&self.pending[end..]);
                self.pending.truncate(end);
                return Ok(Some(std::mem::replace(&mut self.pending, rest)));
            }
            // a quoted field longer than a block
            want *= 2;
        }
    }

    /// Reads the header, the first non-blank record: its trimmed fields and
    /// the number of lines up to its end.
    fn header(&mut self) -> Result<(Vec<String>, u64), ImportError> {
        let fail = |path: &Path, message: String| ImportError::Header {
            path: path.to_path_buf(),
            message,
        };
        let mut lines = 0;
        loop {
            let block = self.next_block().map_err(|source| ImportError::Io {
                path: self.path.clone(),
                source,
            })?;
            let Some(block) = block else {
                return Err(fail(&self.path, "empty file: expected a header row".into()));
            };
            let mut records = Records::new(&block);
            let header: Vec<String> = match records.next() {
                None => {
                    lines += records.newlines;
                    continue;
                }
                Some((_, Err(m))) => return Err(fail(&self.path, format!("bad header row: {m}"))),
                Some((_, Ok(fields))) => fields.iter().map(|f| f.trim().to_string()).collect(),
            };
            lines += records.newlines;
            // put the rows after the header back in front of the unread rest
            let mut rest = block[records.pos..].to_vec();
            rest.append(&mut self.pending);
            self.pending = rest;
            return Ok((header, lines));
        }
    }
}

/// Just past the first newline at or after `target` that ends a record,
/// if any; `data` starts a record.
fn record_end_after(data: &[u8], target: usize) -> Option<usize> {
    let mut odd = count_quotes(&data[..target]) % 2 == 1;
    for (i, &c) in data[target..].iter().enumerate() {
        match c {
            b'"' => odd = !odd,
            b'\n' if !odd => return Some(target + i + 1),
            _ => {}
        }
    }
    None
}

fn count_quotes(data: &[u8]) -> usize {
    data.iter().filter(|&&c| c == b'"').count()
}

/// Cuts a block into chunks of whole records of about `size` bytes.
fn chunk_bounds(block: &[u8], size: usize) -> Vec<(usize, usize)> {
    let mut bounds = Vec::new();
    let mut start = 0;
    while start < block.len() {
        let end = match start + size {
            target if target < block.len() => {
                record_end_after(&block[start..], target - start).map_or(block.len(), |e| start + e)
            }
            _ => block.len(),
        };
        bounds.push((start, end));
        start = end;
    }
    bounds
}

/// A record's line and its fields, or why they cannot be split.
type Record<'r, 'a> = (u64, Result<&'r [Cow<'a, str>], String>);

/// The records of a run of whole CSV lines (RFC 4180 quoting, fields may
/// span lines), each with the line it starts on.
struct Records<'a> {
    data: &'a [u8],
    /// The data as text when it is valid UTF-8 (checked once, not per field).
    text: Option<&'a str>,
    /// Where the next record starts.
    pos: usize,
    /// Newlines before `pos`.
    newlines: u64,
    fields: Vec<Cow<'a, str>>,
}

impl<'a> Records<'a> {
    fn new(data: &'a [u8]) -> Self {
        Records {
            data,
            text: std::str::from_utf8(data).ok(),
            pos: 0,
            newlines: 0,
            fields: Vec::new(),
        }
    }

    /// The next non-blank record: its line, counted from 0 at the start of
    /// the data, and its fields or why they cannot be split.
    fn next(&mut self) -> Option<Record<'_, 'a>> {
        let data = self.data;
        loop {
            if self.pos >= data.len() {
                return None;
            }
            let (start, line) = (self.pos, self.newlines);
            self.fields.clear();
            // split at commas on the way, until a quote shows that the
            // record needs the careful splitter
            let mut field = start;
            let mut quotes = false;
            let mut open = false;
            let mut end = data.len();
            for (i, &c) in data[start..].iter().enumerate() {
                match c {
                    b',' if !quotes => {
                        self.fields.push(self.field(field, start + i));
                        field = start + i + 1;
                    }
                    b'"' => {
                        quotes = true;
                        open = !open;
                    }
                    b'\n' => {
                        self.newlines += 1;
                        if !open {
                            end = start + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            self.pos = (end + 1).min(data.len());
            if open {
                return Some((line, Err("unterminated quoted field".into())));
            }
            let mut text_end = end;
            while text_end > start && matches!(data[text_end - 1], b'\r' | b'\n') {
                text_end -= 1;
            }
            if text_end == start {
                continue;
            }
            let split = if quotes {
                split_quoted(&self.field(start, text_end), &mut self.fields)
            } else {
                self.fields.push(self.field(field, text_end));
                Ok(())
            };
            return Some((line, split.map(|()| self.fields.as_slice())));
        }
    }

    /// The text of `data[a..b]`, with invalid UTF-8 replaced.
    fn field(&self, a: usize, b: usize) -> Cow<'a, str> {
        match self.text {
            Some(text) => Cow::Borrowed(&text[a..b]),
            None => String::from_utf8_lossy(&self.data[a..b]),
        }
    }
}

/// Splits a record that has quotes into `fields` (cleared first).
fn split_quoted(s: &str, fields: &mut Vec<Cow<'_, str>>) -> Result<(), String> {
    fields.clear();
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
                fields.push(Cow::Owned(std::mem::take(&mut cur)));
                at_start = true;
                continue;
            }
            '"' if at_start => quoted = true,
            '"' => return Err("quote inside an unquoted field".into()),
            c => cur.push(c),
        }
        at_start = false;
    }
    fields.push(Cow::Owned(cur));
    Ok(())
}

// ----- the pipeline -----

/// The rows parsed from one chunk.
struct Chunk<R> {
    /// Each non-blank record's line (counted from 0 at the chunk's start)
    /// and its row, or why it is bad.
    rows: Vec<(u64, Result<R, String>)>,
    names: Names,
    newlines: u64,
}

fn parse_chunk<R>(
    data: &[u8],
    row: &(impl Fn(&[Cow<str>], &mut Names) -> Result<R, String> + Sync),
) -> Chunk<R> {
    let mut names = Names::default();
    let mut rows = Vec::new();
    let mut records = Records::new(data);
    while let Some((line, fields)) = records.next() {
        rows.push((line, fields.and_then(|f| row(f, &mut names))));
    }
    Chunk {
        rows,
        names,
        newlines: records.newlines,
    }
}

/// Parses the records after the header with `row`, in parallel on a
/// reader thread, and hands each chunk in file order to `add` on this
/// thread, with the line number its first line has. `header_lines` is the
/// number of lines before the first block. Returns the bytes read.
fn stream<R: Send>(
    mut file: Blocks,
    header_lines: u64,
    chunk_size: usize,
    row: impl Fn(&[Cow<str>], &mut Names) -> Result<R, String> + Sync,
    mut add: impl FnMut(u64, Chunk<R>),
) -> Result<u64, ImportError> {
    let path = file.path.clone();
    // two parsed blocks in flight keep the reader ahead without piling up rows
    let (tx, rx) = mpsc::sync_channel::<std::io::Result<Vec<Chunk<R>>>>(2);
    let mut first_line = header_lines + 1;
    let mut failed = None;
    let row = &row;
    let bytes = std::thread::scope(|s| {
        let reader = s.spawn(move || {
            while let Some(block) = file.next_block().transpose() {
                let parsed = block.map(|block| {
                    chunk_bounds(&block, chunk_size)
                        .into_par_iter()
                        .map(|(a, b)| parse_chunk(&block[a..b], row))
                        .collect()
                });
                let failed = parsed.is_err();
                if tx.send(parsed).is_err() || failed {
                    break;
                }
            }
            file.bytes
        });
        for parsed in rx {
            match parsed {
                Ok(chunks) => {
                    for chunk in chunks {
                        let newlines = chunk.newlines;
                        add(first_line, chunk);
                        first_line += newlines;
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    match failed {
        Some(source) => Err(ImportError::Io { path, source }),
        None => Ok(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EdgeId;

    /// Every record (line, fields) of `data`, or the reason it is bad.
    fn records(data: &[u8]) -> Vec<(u64, Result<Vec<String>, String>)> {
        let mut r = Records::new(data);
        let mut out = Vec::new();
        while let Some((line, rec)) = r.next() {
            out.push((line, rec.map(|f| f.iter().map(|s| s.to_string()).collect())));
        }
        out
    }

    fn ok(fields: &[&str]) -> Result<Vec<String>, String> {
        Ok(fields.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn records_handle_quotes_newlines_crlf_and_blank_lines() {
        let data = b"a,\"b, c\r\nd\",e\r\n\r\n\"x\"\"y\",,2\n \n\"q\"z,1\nlast,row";
        assert_eq!(
            records(data),
            vec![
                (0, ok(&["a", "b, c\r\nd", "e"])),
                (3, ok(&["x\"y", "", "2"])),
                (4, ok(&[" "])),
                (5, Err("text after a closing quote".into())),
                (6, ok(&["last", "row"])),
            ]
        );
        assert_eq!(
            records(b"1,\"open\n\n2,3\n"),
            vec![(0, Err("unterminated quoted field".into()))]
        );
        assert_eq!(records(b"\r\n\n"), vec![]);
    }

    #[test]
    fn chunks_and_blocks_end_only_between_records() {
        let data = b"1,\"a\nb\"\n2,x\n3,\"c\n\"\"\nd\"\n4\n";
        // every cut lands after a newline that is outside quotes
        for size in 1..data.len() + 2 {
            let bounds = chunk_bounds(data, size);
            let mut lines = 0;
            let mut seen = Vec::new();
            for (a, b) in bounds {
                for (line, rec) in records(&data[a..b]) {
                    seen.push((lines + line, rec));
                }
                lines += data[a..b].iter().filter(|&&c| c == b'\n').count() as u64;
            }
            assert_eq!(seen, records(data), "chunk size {size}");
        }
        assert_eq!(record_end_after(b"1,\"a\nb\"\n2,\"c\nd\"\n", 3), Some(8));
        assert_eq!(record_end_after(b"1,\"a\nb\"\n2,\"c\nd\"\n", 8), Some(16));
        assert_eq!(record_end_after(b"1,\"a\nb\"\n2,\"c\nd", 8), None);
    }

    #[test]
    fn ids_map_runs_dense_sparse_and_text_ids() {
        let mut ids = Ids::default();
        let keys = ["1", "2", "3", "10", "7", "5000000000", "007", "a", "4"];
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(ids.find(k), None, "{k} before it is added");
            ids.insert(IdKey::of(k), NodeId(n as u32));
        }
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(ids.find(k), Some(NodeId(n as u32)), "{k}");
        }
        assert_eq!(ids.run.len, 3, "1, 2, 3 are a run");
        for k in ["0", "5", "8", "11", "4999999999", "07", "b", ""] {
            assert_eq!(ids.find(k), None, "{k}");
        }
        assert!(ids.get(&IdKey::of("7")).is_some());
    }

    /// Nodes and relationships with every kind of trouble: quoted commas
    /// and newlines, CRLF, blank lines, invalid UTF-8, bad rows, no final
    /// newline, and an unterminated quote at the end.
    const NODES: &[u8] = b"id,label,name,year\r\n\
1,Person;Actor,\"Putin, Vladimir\",1952\r\n\
\r\n\
2,Country,\"Rus\nsia\",\n\
3,Claim,\"Talks, \"\"soon\"\"\",2025\n\
4,Event\n\
5,Event,x\"y\",1\n\
6,Event,\"a\"b,1\n\
1,Person,dup,1\n\
,Person,noid,1\n\
7,Person,\xff\xfe bytes,2000\n\
007,Person,padded,1\n\
8,,unlabelled,\n\
9,Person,last,1999";

    const EDGES: &[u8] = b"source,target,type,note\n\
1,3,SAID,\"said, \"\"loudly\"\"\non tv\"\r\n\
3,2,ABOUT,\n\
1,99,KNOWS,\n\
007,8,KNOWS,x\n\
7,,KNOWS,\n\
2,1,,\n\
2,1,IN\n\
9,9,SELF,1.5\n\
\n\
8,2,OPEN,\"never closed\n\
9,1,X,\n";

    fn import_with(sizes: Chunking) -> (Graph, ImportReport) {
        let dir = tempfile::tempdir().unwrap();
        let (n, e) = (dir.path().join("nodes.csv"), dir.path().join("edges.csv"));
        std::fs::write(&n, NODES).unwrap();
        std::fs::write(&e, EDGES).unwrap();
        let mut g = Graph::new();
        let mut rep = import_chunked(&mut g, &n, &e, sizes).unwrap();
        for err in &mut rep.errors {
            err.file = err.file.file_name().unwrap().into();
        }
        (g, rep)
    }

    #[test]
    fn troubled_files_import_as_specified() {
        let (g, rep) = import_with(Chunking::default());
        let errors: Vec<String> = rep.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            [
                "nodes.csv:7: expected 4 fields, found 2",
                "nodes.csv:8: quote inside an unquoted field",
                "nodes.csv:9: text after a closing quote",
                "nodes.csv:10: duplicate node id \"1\"",
                "nodes.csv:11: empty id",
                "edges.csv:5: unknown node id \"99\" in target",
                "edges.csv:7: empty target",
                "edges.csv:8: empty type",
                "edges.csv:9: expected 4 fields, found 3",
                "edges.csv:12: unterminated quoted field",
            ]
        );
        assert_eq!((rep.nodes, rep.edges), (7, 4));
        assert_eq!((rep.bad_node_rows, rep.bad_edge_rows), (5, 5));
        assert_eq!(rep.bytes, (NODES.len() + EDGES.len()) as u64);

        let name = g.symbol("name").unwrap();
        let names: Vec<&str> = g
            .node_ids()
            .map(|n| {
                g.node(n)
                    .unwrap()
                    .prop(name)
                    .and_then(PropValue::as_str)
                    .unwrap()
            })
            .collect();
        assert_eq!(
            names,
            [
                "Putin, Vladimir",
                "Rus\nsia",
                "Talks, \"soon\"",
                "\u{FFFD}\u{FFFD} bytes",
                "padded",
                "unlabelled",
                "last"
            ]
        );
        let putin = g.node(NodeId(0)).unwrap();
        let labels: Vec<&str> = putin.labels().iter().map(|l| g.name_of(*l)).collect();
        assert_eq!(labels, ["Person", "Actor"]);
        assert!(g.node(NodeId(5)).unwrap().labels().is_empty());
        let id = g.symbol("id").unwrap();
        assert_eq!(
            g.node(NodeId(4)).unwrap().prop(id),
            Some(&PropValue::Int(7))
        );
        let said = g.edge(EdgeId(0)).unwrap();
        assert_eq!(g.name_of(said.rel_type()), "SAID");
        let note = g.symbol("note").unwrap();
        assert_eq!(
            said.prop(note).and_then(PropValue::as_str),
            Some("said, \"loudly\"\non tv")
        );
        assert_eq!(g.endpoints(EdgeId(2)), Some((NodeId(4), NodeId(5))));
    }

    #[test]
    fn any_block_and_chunk_size_gives_the_same_graph_and_report() {
        let (g, rep) = import_with(Chunking::default());
        let whole = g.to_parts();
        for block in [1, 2, 3, 5, 8, 13, 40] {
            for chunk in [1, 2, 7, 30] {
                let (g, r) = import_with(Chunking { block, chunk });
                assert_eq!(r, rep, "block {block}, chunk {chunk}");
                assert!(g.to_parts() == whole, "block {block}, chunk {chunk}");
            }
        }
    }

    #[test]
    fn headers_must_exist_and_name_the_key_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let good = path("good.csv", "source,target,type\n");
        for (text, expected) in [
            ("", "empty file"),
            ("\n\r\n\n", "empty file"),
            ("name,label\n1,A\n", "no id column"),
            ("\"id,name\n", "bad header row: unterminated quoted field"),
        ] {
            let n = path("n.csv", text);
            let err = import_csv(&mut Graph::new(), &n, &good).unwrap_err();
            assert!(err.to_string().contains(expected), "{text:?}: {err}");
        }
        let n = path("n.csv", "\n\nid\n1\n");
        let e = path("e.csv", "from,to,kind\n");
        let err = import_csv(&mut Graph::new(), &n, &e).unwrap_err();
        assert!(err.to_string().contains("no type column"), "{err}");
    }
}

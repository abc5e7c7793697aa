//! Binary snapshots of a graph on disk.
//!
//! Owns the file format and nothing else. It is the only module that knows
//! bincode (serde), so the codec can be swapped here alone.
//!
//! Layout of versions 2 and 3 (all integers little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `NGRAPH\r\n` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 8 | payload length in bytes |
//! | 4 | CRC-32 of the section table |
//! | 4 + 12 × 5 | section table: count, then per section its length (8) and CRC-32 (4) |
//! | … | the sections, each but the last padded with zeros to a multiple of 8 bytes |
//!
//! The five sections are: a head (bincode: metadata, interned names, node
//! slots, the byte length of each node chunk, relationship slots); the nodes
//! in chunks of [`NODE_CHUNK`] (bincode each, so they encode and decode in
//! parallel); relationship ends as raw `u32` pairs; relationship types as raw
//! `u32` (`u32::MAX` for a deleted one); and the properties and provenance of
//! the relationships that have any (bincode). The raw columns load with one
//! copy and no parsing, which is what makes a 10-million-relationship graph
//! open in well under a second.
//!
//! Version 3 has the layout of version 2; its property values may also be
//! temporal values other than dates in `i32` days (`PropValue::Temporal`:
//! times, date-times, durations, partial dates, far dates), which a
//! version 2 reader cannot decode, hence the new number. Version 2 files
//! load unchanged (their values are a subset).
//!
//! Version 4 has the layout of version 3; a temporal value may also be a
//! date-time in a named time zone (`Temporal::ZonedDateTime`, its zone
//! written by name, so the bundled zone database can change between
//! builds), which a version 3 reader cannot decode. Version 3 files load
//! unchanged.
//!
//! Version 1 (one bincode payload of the whole graph) is still read.
//!
//! Saving writes a temporary file in the same folder, syncs it and renames
//! it over the target, so a crash mid-save leaves the old file intact.

use std::borrow::Cow;
use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::store::{EdgeData, Graph, GraphParts, Node, NodeId, PropMap, Provenance, Symbol};

/// Magic bytes at the start of every snapshot (the `\r\n` catches text-mode mangling).
pub const MAGIC: &[u8; 8] = b"NGRAPH\r\n";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 4;
/// Nodes per independently encoded chunk.
pub const NODE_CHUNK: usize = 1 << 16;
const HEADER_LEN: usize = 8 + 4 + 8 + 4;
const SECTIONS: usize = 5;
const TABLE_LEN: usize = 4 + SECTIONS * 12;
const SECTION_NAMES: [&str; SECTIONS] = [
    "head",
    "nodes",
    "relationship ends",
    "relationship types",
    "relationship properties",
];

type Meta = Vec<(String, String)>;

/// The head section of version 2.
#[derive(Serialize, Deserialize)]
struct Head {
    meta: Meta,
    names: Vec<String>,
    node_slots: u64,
    node_chunks: Vec<u64>,
    edge_slots: u64,
}

/// Why a snapshot could not be saved or loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a newsgraph snapshot (bad magic bytes)")]
    Foreign { path: PathBuf },
    #[error(
        "{path}: snapshot format version {found} is newer than this newsgraph reads (up to {FORMAT_VERSION}); upgrade newsgraph"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("{path}: unsupported snapshot format version {found}")]
    BadVersion { path: PathBuf, found: u32 },
    #[error("{path}: truncated snapshot: {detail}")]
    Truncated { path: PathBuf, detail: String },
    #[error("{path}: corrupted snapshot: {detail}")]
    Corrupt { path: PathBuf, detail: String },
}

fn bincode_config() -> impl bincode::config::Config {
    // The limit stops a length field from claiming more memory than exists.
    bincode::config::standard().with_limit::<{ 1 << 40 }>()
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, bincode::config::standard())
        .unwrap_or_else(|e| unreachable!("in-memory graph always encodes: {e}"))
}

/// `u32` words as little-endian bytes (borrowed on little-endian machines).
fn le_bytes(words: &[u32]) -> Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        Cow::Borrowed(bytemuck::cast_slice(words))
    } else {
        Cow::Owned(words.iter().flat_map(|w| w.to_le_bytes()).collect())
    }
}

/// Little-endian bytes back into words (one copy).
fn words<T: bytemuck::Pod>(bytes: &[u8]) -> Vec<T> {
    let mut v: Vec<T> = bytemuck::pod_collect_to_vec(bytes);
    from_le(&mut v);
    v
}

/// Words read as little-endian bytes into native order.
fn from_le<T: bytemuck::Pod>(v: &mut [T]) {
    if cfg!(target_endian = "big") {
        for w in bytemuck::cast_slice_mut::<T, u32>(v) {
            *w = u32::from_le(*w);
        }
    }
}

/// Counts and checksums the bytes written to it, keeping none.
struct Tally(crc32fast::Hasher);

impl Write for Tally {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.update(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Length and CRC-32 of a node chunk's encoding, without keeping it.
fn tally_chunk(chunk: &[Option<Node>]) -> crc32fast::Hasher {
    let mut t = Tally(crc32fast::Hasher::new());
    bincode::serde::encode_into_std_write(chunk, &mut t, bincode::config::standard())
        .unwrap_or_else(|e| unreachable!("in-memory graph always encodes: {e}"));
    t.0
}

/// Writes a graph and metadata in the current format.
///
/// The node chunks (most of a news graph: the article texts) are encoded
/// twice rather than held: once in parallel for their lengths and
/// checksums, which the head and the section table need first, then again
/// straight into the writer. A graph of a gigabyte of articles saves
/// without a second gigabyte in memory.
fn write_to(w: &mut impl Write, graph: &Graph, meta: &[(String, String)]) -> std::io::Result<()> {
    let parts = graph.parts();
    let tallies: Vec<crc32fast::Hasher> = parts
        .nodes
        .par_chunks(NODE_CHUNK)
        .map(tally_chunk)
        .collect();
    let mut nodes_crc = crc32fast::Hasher::new();
    for t in &tallies {
        nodes_crc.combine(t);
    }
    let nodes_len = nodes_crc.total_len() as usize;
    let data: Vec<(u32, &EdgeData)> = parts.data().collect();
    let head = Head {
        meta: meta.to_vec(),
        names: parts.names.iter().map(|s| s.to_string()).collect(),
        node_slots: parts.nodes.len() as u64,
        node_chunks: tallies.iter().map(|t| t.total_len()).collect(),
        edge_slots: parts.types.len() as u64,
    };
    // the nodes section is written from the chunks below; the others are here
    let sections: [Cow<'_, [u8]>; SECTIONS] = [
        Cow::Owned(encode(&head)),
        Cow::Borrowed(&[]),
        le_bytes(bytemuck::cast_slice(parts.ends)),
        le_bytes(parts.types),
        Cow::Owned(encode(&data)),
    ];
    let lens: Vec<usize> = (0..SECTIONS)
        .map(|i| if i == 1 { nodes_len } else { sections[i].len() })
        .collect();
    let mut crcs: Vec<u32> = sections.par_iter().map(|s| crc32fast::hash(s)).collect();
    crcs[1] = nodes_crc.finalize();
    let mut table = Vec::with_capacity(TABLE_LEN);
    table.extend_from_slice(&(SECTIONS as u32).to_le_bytes());
    for (len, crc) in lens.iter().zip(&crcs) {
        table.extend_from_slice(&(*len as u64).to_le_bytes());
        table.extend_from_slice(&crc.to_le_bytes());
    }
    let pad = |i: usize, len: usize| {
        if i + 1 < SECTIONS {
            padded(len) - len
        } else {
            0
        }
    };
    let payload_len = TABLE_LEN
        + lens
            .iter()
            .enumerate()
            .map(|(i, len)| len + pad(i, *len))
            .sum::<usize>();
    w.write_all(MAGIC)?;
    w.write_all(&FORMAT_VERSION.to_le_bytes())?;
    w.write_all(&(payload_len as u64).to_le_bytes())?;
    w.write_all(&crc32fast::hash(&table).to_le_bytes())?;
    w.write_all(&table)?;
    for (i, s) in sections.iter().enumerate() {
        if i == 1 {
            for (chunk, t) in parts.nodes.chunks(NODE_CHUNK).zip(&tallies) {
                let n = bincode::serde::encode_into_std_write(
                    chunk,
                    &mut *w,
                    bincode::config::standard(),
                )
                .map_err(std::io::Error::other)?;
                if n as u64 != t.total_len() {
                    return Err(std::io::Error::other(
                        "a node chunk encoded to a different length twice",
                    ));
                }
            }
        } else {
            w.write_all(s)?;
        }
        w.write_all(&[0u8; 8][..pad(i, lens[i])])?;
    }
    w.flush()
}

fn padded(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Encodes a graph and metadata into the bytes of a snapshot file.
pub fn to_bytes(graph: &Graph, meta: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(&mut out, graph, meta).unwrap_or_else(|e| unreachable!("writing to memory: {e}"));
    out
}

/// Decodes the bytes of a snapshot file (any version this build reads);
/// `path` is only used in errors.
pub fn from_bytes(
    bytes: &[u8],
    path: &Path,
) -> Result<(Graph, Vec<(String, String)>), SnapshotError> {
    let corrupt = |detail: String| SnapshotError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        if MAGIC.starts_with(bytes) && !bytes.is_empty() {
            return Err(SnapshotError::Truncated {
                path: path.to_path_buf(),
                detail: format!("only {} bytes", bytes.len()),
            });
        }
        return Err(SnapshotError::Foreign {
            path: path.to_path_buf(),
        });
    }
    if bytes.len() < HEADER_LEN {
        return Err(SnapshotError::Truncated {
            path: path.to_path_buf(),
            detail: format!("header needs {HEADER_LEN} bytes, file has {}", bytes.len()),
        });
    }
    let version = u32_at(bytes, 8);
    if version > FORMAT_VERSION {
        return Err(SnapshotError::TooNew {
            path: path.to_path_buf(),
            found: version,
        });
    }
    if version == 0 {
        return Err(SnapshotError::BadVersion {
            path: path.to_path_buf(),
            found: version,
        });
    }
    let declared = u64_at(bytes, 12);
    let checksum = u32_at(bytes, 20);
    let payload = &bytes[HEADER_LEN..];
    if (payload.len() as u64) < declared {
        return Err(SnapshotError::Truncated {
            path: path.to_path_buf(),
            detail: format!(
                "header announces {declared} bytes of payload, file has {}",
                payload.len()
            ),
        });
    }
    if (payload.len() as u64) > declared {
        return Err(corrupt(format!(
            "{} bytes after the announced end of the payload",
            payload.len() as u64 - declared
        )));
    }
    let (parts, meta) = if version == 1 {
        decode_v1(payload, checksum).map_err(corrupt)?
    } else {
        // versions 2 to 4 share the layout
        decode_v2(payload, checksum).map_err(corrupt)?
    };
    let graph = Graph::from_parts(parts).map_err(|e| corrupt(e.to_string()))?;
    Ok((graph, meta))
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(x)
}

fn checksum_error(what: &str, stored: u32, actual: u32) -> String {
    format!("checksum mismatch in the {what} (stored {stored:08x}, computed {actual:08x})")
}

/// A bincode decoding error in words (its `Display` is its `Debug`).
fn decode_error_words(e: &bincode::error::DecodeError) -> String {
    use bincode::error::DecodeError as E;
    match e {
        E::UnexpectedEnd { additional } => {
            format!("the data ends {additional} bytes too early")
        }
        E::LimitExceeded => "a length is larger than any snapshot can hold".into(),
        E::InvalidIntegerType { .. } | E::OutsideUsizeRange(_) => "a number is out of range".into(),
        E::NonZeroTypeIsZero { .. } => "a value that must not be zero is zero".into(),
        E::UnexpectedVariant { found, .. } => format!("unknown variant number {found}"),
        E::Utf8 { .. } | E::InvalidCharEncoding(_) => "a text is not valid UTF-8".into(),
        E::InvalidBooleanValue(b) => format!("{b} is not a boolean"),
        E::ArrayLengthMismatch { required, found } => {
            format!("a list has {found} items where {required} are needed")
        }
        E::Io { inner, .. } => format!("cannot read: {inner}"),
        E::OtherString(s) => s.clone(),
        E::Other(s) => (*s).to_string(),
        _ => "the bytes do not form a valid value".into(),
    }
}

/// Decodes one bincode value that must fill `bytes` exactly.
fn decode_all<'a, T: Deserialize<'a>>(bytes: &'a [u8], what: &str) -> Result<T, String> {
    let (v, used): (T, usize) =
        bincode::serde::borrow_decode_from_slice(bytes, bincode_config())
            .map_err(|e| format!("the {what} cannot be decoded: {}", decode_error_words(&e)))?;
    if used != bytes.len() {
        return Err(format!(
            "{} undecoded bytes at the end of the {what}",
            bytes.len() - used
        ));
    }
    Ok(v)
}

/// Where the version 2 sections lie in the payload, with their checksums.
struct Table {
    ranges: [std::ops::Range<usize>; SECTIONS],
    crcs: [u32; SECTIONS],
}

/// Checks the section table (the payload's first [`TABLE_LEN`] bytes).
fn parse_table(table: &[u8], table_crc: u32, payload_len: usize) -> Result<Table, String> {
    if table.len() < TABLE_LEN {
        return Err("section table cut short".into());
    }
    let table = &table[..TABLE_LEN];
    let actual = crc32fast::hash(table);
    if actual != table_crc {
        return Err(checksum_error("section table", table_crc, actual));
    }
    if u32_at(table, 0) as usize != SECTIONS {
        return Err(format!(
            "{} sections, expected {SECTIONS}",
            u32_at(table, 0)
        ));
    }
    let mut ranges: [std::ops::Range<usize>; SECTIONS] = Default::default();
    let mut crcs = [0u32; SECTIONS];
    let mut at = TABLE_LEN;
    for i in 0..SECTIONS {
        let len = u64_at(table, 4 + i * 12);
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| at.checked_add(l))
            .filter(|e| *e <= payload_len)
            .ok_or_else(|| format!("the {} run past the end of the file", SECTION_NAMES[i]))?;
        ranges[i] = at..end;
        crcs[i] = u32_at(table, 12 + i * 12);
        at = if i + 1 < SECTIONS {
            padded(end - TABLE_LEN) + TABLE_LEN
        } else {
            end
        };
    }
    if at != payload_len {
        return Err("the sections do not fill the payload".into());
    }
    Ok(Table { ranges, crcs })
}

/// Checks every section's checksum, in parallel.
fn check_sections(table: &Table, sections: [&[u8]; SECTIONS]) -> Result<(), String> {
    (0..SECTIONS)
        .into_par_iter()
        .map(|i| {
            let (stored, actual) = (table.crcs[i], crc32fast::hash(sections[i]));
            if stored == actual {
                Ok(())
            } else {
                Err(checksum_error(SECTION_NAMES[i], stored, actual))
            }
        })
        .collect()
}

/// The checked contents of the version 2 sections, columns as words.
struct Sections<'a> {
    head: Cow<'a, [u8]>,
    nodes: Cow<'a, [u8]>,
    ends: Vec<[u32; 2]>,
    types: Vec<u32>,
    data: Cow<'a, [u8]>,
}

fn decode_v2(payload: &[u8], table_crc: u32) -> Result<(GraphParts, Meta), String> {
    let table = parse_table(payload, table_crc, payload.len())?;
    let s = table.ranges.clone().map(|r| &payload[r]);
    check_sections(&table, s)?;
    assemble(Sections {
        head: Cow::Borrowed(s[0]),
        nodes: Cow::Borrowed(s[1]),
        ends: words(s[2]),
        types: words(s[3]),
        data: Cow::Borrowed(s[4]),
    })
}

/// Decodes the sections into a graph's parts (node chunks in parallel).
fn assemble(s: Sections<'_>) -> Result<(GraphParts, Meta), String> {
    let head: Head = decode_all(&s.head, "head")?;
    let mut chunks = Vec::with_capacity(head.node_chunks.len());
    let mut rest: &[u8] = &s.nodes;
    for len in &head.node_chunks {
        let len = usize::try_from(*len)
            .ok()
            .filter(|l| *l <= rest.len())
            .ok_or("node chunks longer than the nodes section")?;
        let (chunk, tail) = rest.split_at(len);
        chunks.push(chunk);
        rest = tail;
    }
    if !rest.is_empty() {
        return Err("bytes after the last node chunk".into());
    }
    let nodes: Vec<Vec<Option<Node>>> = chunks
        .par_iter()
        .map(|c| decode_all(c, "nodes"))
        .collect::<Result<_, String>>()?;
    // moved, not cloned as `concat` would
    let mut all = Vec::with_capacity(nodes.iter().map(Vec::len).sum());
    nodes.into_iter().for_each(|c| all.extend(c));
    let nodes = all;
    if nodes.len() as u64 != head.node_slots {
        return Err(format!(
            "{} nodes where the head announces {}",
            nodes.len(),
            head.node_slots
        ));
    }
    let slots = head.edge_slots;
    if s.ends.len() as u64 != slots || s.types.len() as u64 != slots {
        return Err(format!(
            "relationship columns do not hold the {slots} relationships the head announces"
        ));
    }
    let data: Vec<(u32, EdgeData)> = decode_all(&s.data, "relationship properties")?;
    let parts = GraphParts {
        names: head.names,
        nodes,
        ends: s.ends,
        types: s.types,
        data,
    };
    Ok((parts, head.meta))
}

/// Version 1: one bincode value of the whole graph.
#[derive(Deserialize)]
struct SnapshotV1 {
    meta: Meta,
    graph: PartsV1,
}

#[derive(Deserialize)]
struct PartsV1 {
    names: Vec<String>,
    nodes: Vec<Option<Node>>,
    edges: Vec<Option<(NodeId, NodeId, EdgeV1)>>,
}

#[derive(Deserialize)]
struct EdgeV1 {
    rel_type: Symbol,
    props: PropMap,
    prov: Option<Box<Provenance>>,
}

fn decode_v1(payload: &[u8], checksum: u32) -> Result<(GraphParts, Meta), String> {
    let actual = crc32fast::hash(payload);
    if actual != checksum {
        return Err(checksum_error("payload", checksum, actual));
    }
    let v1: SnapshotV1 = decode_all(payload, "payload")?;
    let mut parts = GraphParts {
        names: v1.graph.names,
        nodes: v1.graph.nodes,
        ..GraphParts::default()
    };
    for (i, slot) in v1.graph.edges.into_iter().enumerate() {
        match slot {
            Some((a, b, e)) => {
                parts.ends.push([a.0, b.0]);
                parts.types.push(e.rel_type.0);
                let data = EdgeData {
                    props: e.props,
                    prov: e.prov,
                };
                if data != EdgeData::default() {
                    parts.data.push((i as u32, data));
                }
            }
            None => {
                parts.ends.push([u32::MAX; 2]);
                parts.types.push(crate::store::DELETED);
            }
        }
    }
    Ok((parts, v1.meta))
}

/// Saves a graph with metadata, atomically.
pub fn save(graph: &Graph, meta: &[(String, String)], path: &Path) -> Result<(), SnapshotError> {
    remove_stale_temps(path);
    write_atomically(path, |f| {
        write_to(&mut BufWriter::with_capacity(1 << 20, f), graph, meta)
    })
}

/// Loads a graph and its metadata. The columns of a version 2 or 3 file are
/// read straight into place; anything else goes through [`from_bytes`].
pub fn load(path: &Path) -> Result<(Graph, Vec<(String, String)>), SnapshotError> {
    let io = |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    };
    let corrupt = |detail: String| SnapshotError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let mut f = File::open(path).map_err(io)?;
    remove_stale_temps(path);
    let len = f.metadata().map_err(io)?.len();
    let mut start = [0u8; HEADER_LEN + TABLE_LEN];
    let whole = len < start.len() as u64 || {
        f.read_exact(&mut start).map_err(io)?;
        &start[..8] != MAGIC
            || !(2..=FORMAT_VERSION).contains(&u32_at(&start, 8))
            || u64_at(&start, 12) != len - HEADER_LEN as u64
    };
    if whole {
        // older, damaged or foreign: the in-memory path says which
        let bytes = fs::read(path).map_err(io)?;
        return from_bytes(&bytes, path);
    }
    let payload_len = (len - HEADER_LEN as u64) as usize;
    let table =
        parse_table(&start[HEADER_LEN..], u32_at(&start, 20), payload_len).map_err(corrupt)?;
    let mut read = |i: usize, buf: &mut [u8]| -> std::io::Result<()> {
        f.seek(SeekFrom::Start((HEADER_LEN + table.ranges[i].start) as u64))?;
        f.read_exact(buf)
    };
    let size = |i: usize| table.ranges[i].len();
    let mut bytes = |i: usize| -> std::io::Result<Vec<u8>> {
        let mut v = vec![0u8; size(i)];
        read(i, &mut v)?;
        Ok(v)
    };
    let (head, nodes) = (bytes(0).map_err(io)?, bytes(1).map_err(io)?);
    let data = bytes(4).map_err(io)?;
    let mut ends = vec![[0u32; 2]; size(2) / 8];
    let mut types = vec![0u32; size(3) / 4];
    if ends.len() * 8 != size(2) || types.len() * 4 != size(3) {
        return Err(corrupt("relationship columns of a partial length".into()));
    }
    read(2, bytemuck::cast_slice_mut(&mut ends)).map_err(io)?;
    read(3, bytemuck::cast_slice_mut(&mut types)).map_err(io)?;
    check_sections(
        &table,
        [
            &head,
            &nodes,
            bytemuck::cast_slice(&ends),
            bytemuck::cast_slice(&types),
            &data,
        ],
    )
    .map_err(corrupt)?;
    from_le(&mut ends);
    from_le(&mut types);
    let (parts, meta) = assemble(Sections {
        head: Cow::Owned(head),
        nodes: Cow::Owned(nodes),
        ends,
        types,
        data: Cow::Owned(data),
    })
    .map_err(corrupt)?;
    let graph = Graph::from_parts(parts).map_err(|e| corrupt(e.to_string()))?;
    Ok((graph, meta))
}

/// The temporary file a save of `path` by process `pid` writes.
fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.tmp{pid}")
}

/// Removes the temporary files that saves of `path` left behind when their
/// process was killed: `.NAME.tmpPID` beside it whose process is gone (on
/// systems without `/proc`, ones untouched for a day). Best effort.
pub fn remove_stale_temps(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = temp_name(&name, 0);
    let prefix = &prefix[..prefix.len() - 1];
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let proc_fs = Path::new("/proc/self").exists();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = file
            .strip_prefix(prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let stale = if proc_fs {
            !Path::new(&format!("/proc/{pid}")).exists()
        } else {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 86_400)
        };
        if stale {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Writes a file at `path` through a synced temporary file and a rename.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), SnapshotError> {
    let io = |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    let tmp = dir.join(temp_name(&name, std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        write(&mut f)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_are_where_the_docs_say() {
        let bytes = to_bytes(&Graph::new(), &[]);
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(bytes[8..12], FORMAT_VERSION.to_le_bytes());
        let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap());
        assert_eq!(len as usize, bytes.len() - HEADER_LEN);
        let table = &bytes[HEADER_LEN..HEADER_LEN + TABLE_LEN];
        assert_eq!(bytes[20..24], crc32fast::hash(table).to_le_bytes());
        assert_eq!(u32_at(table, 0) as usize, SECTIONS);
        // sections start 8-aligned so the raw columns can be read in place
        assert_eq!((HEADER_LEN + TABLE_LEN) % 8, 0);
    }

    #[test]
    fn sections_are_checked_one_by_one() {
        let mut g = Graph::new();
        let l = g.intern("L");
        let t = g.intern("T");
        let a = g.add_node(vec![l], PropMap::new(), None);
        let b = g.add_node(vec![], PropMap::new(), None);
        g.add_edge(a, b, t, PropMap::new(), None).unwrap();
        let good = to_bytes(&g, &[]);
        let payload = &good[HEADER_LEN..];
        let table = parse_table(payload, u32_at(&good, 20), payload.len()).unwrap();
        assert_eq!(table.ranges[3].len(), 4);
        for (i, what) in SECTION_NAMES.iter().enumerate() {
            if table.ranges[i].is_empty() {
                continue;
            }
            // flip one byte of the section
            let mut bad = good.clone();
            bad[HEADER_LEN + table.ranges[i].start] ^= 1;
            let err = from_bytes(&bad, Path::new("g.ngs"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("checksum mismatch in the {what}")),
                "{err}"
            );
        }
        let (h, _) = from_bytes(&good, Path::new("g.ngs")).unwrap();
        assert_eq!(h.to_parts(), g.to_parts());
    }
}

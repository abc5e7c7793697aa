//! Binary snapshots of a graph on disk.
//!
//! Owns the file format and nothing else: it serialises the store's
//! [`GraphParts`] with bincode (serde) behind a fixed header, and is the only
//! module that knows bincode, so the codec can be swapped here alone.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `NGRAPH\r\n` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 8 | payload length in bytes |
//! | 4 | CRC-32 of the payload |
//! | n | payload: bincode (standard config) of [`Snapshot`] |
//!
//! Saving writes a temporary file in the same folder, syncs it and renames
//! it over the target, so a crash mid-save leaves the old file intact.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::{Graph, GraphParts};

/// Magic bytes at the start of every snapshot (the `\r\n` catches text-mode mangling).
pub const MAGIC: &[u8; 8] = b"NGRAPH\r\n";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// What a snapshot holds: the graph and free-form metadata (e.g. the
/// fingerprint of the articles it was built from).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub meta: Vec<(String, String)>,
    pub graph: GraphParts,
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

/// Encodes a snapshot into bytes (header + payload).
pub fn to_bytes(snap: &Snapshot) -> Vec<u8> {
    let payload = bincode::serde::encode_to_vec(snap, bincode::config::standard())
        .unwrap_or_else(|e| unreachable!("in-memory graph always encodes: {e}"));
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// Decodes bytes written by [`to_bytes`]; `path` is only used in errors.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Snapshot, SnapshotError> {
    let path = path.to_path_buf();
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        if MAGIC.starts_with(bytes) && !bytes.is_empty() {
            return Err(SnapshotError::Truncated {
                path,
                detail: format!("only {} bytes", bytes.len()),
            });
        }
        return Err(SnapshotError::Foreign { path });
    }
    if bytes.len() < HEADER_LEN {
        return Err(SnapshotError::Truncated {
            path,
            detail: format!("header needs {HEADER_LEN} bytes, file has {}", bytes.len()),
        });
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let version = u32_at(8);
    if version > FORMAT_VERSION {
        return Err(SnapshotError::TooNew {
            path,
            found: version,
        });
    }
    if version == 0 {
        return Err(SnapshotError::BadVersion {
            path,
            found: version,
        });
    }
    let mut len_bytes = [0u8; 8];
    len_bytes.copy_from_slice(&bytes[12..20]);
    let declared = u64::from_le_bytes(len_bytes);
    let checksum = u32_at(20);
    let payload = &bytes[HEADER_LEN..];
    if (payload.len() as u64) < declared {
        return Err(SnapshotError::Truncated {
            path,
            detail: format!(
                "header announces {declared} bytes of payload, file has {}",
                payload.len()
            ),
        });
    }
    if (payload.len() as u64) > declared {
        return Err(SnapshotError::Corrupt {
            path,
            detail: format!(
                "{} bytes after the announced end of the payload",
                payload.len() as u64 - declared
            ),
        });
    }
    let actual = crc32fast::hash(payload);
    if actual != checksum {
        return Err(SnapshotError::Corrupt {
            path,
            detail: format!("checksum mismatch (stored {checksum:08x}, computed {actual:08x})"),
        });
    }
    // The limit stops a length field inside the payload from claiming more
    // bytes than the payload has.
    let config = bincode::config::standard().with_limit::<{ 1 << 40 }>();
    let (snap, used): (Snapshot, usize) = bincode::serde::decode_from_slice(payload, config)
        .map_err(|e| SnapshotError::Corrupt {
            path: path.clone(),
            detail: format!("payload does not decode: {e}"),
        })?;
    if used != payload.len() {
        return Err(SnapshotError::Corrupt {
            path,
            detail: format!("{} undecoded bytes at the end", payload.len() - used),
        });
    }
    Ok(snap)
}

/// Saves a graph with metadata, atomically.
pub fn save(graph: &Graph, meta: &[(String, String)], path: &Path) -> Result<(), SnapshotError> {
    let snap = Snapshot {
        meta: meta.to_vec(),
        graph: graph.to_parts(),
    };
    write_atomically(path, &to_bytes(&snap))
}

/// Loads a graph and its metadata.
pub fn load(path: &Path) -> Result<(Graph, Vec<(String, String)>), SnapshotError> {
    let bytes = fs::read(path).map_err(|source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let snap = from_bytes(&bytes, path)?;
    let graph = Graph::from_parts(snap.graph).map_err(|e| SnapshotError::Corrupt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    Ok((graph, snap.meta))
}

/// Writes `bytes` to `path` through a synced temporary file and a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SnapshotError> {
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
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
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
        let bytes = to_bytes(&Snapshot {
            meta: vec![],
            graph: Graph::new().to_parts(),
        });
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(bytes[8..12], FORMAT_VERSION.to_le_bytes());
        let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap());
        assert_eq!(len as usize, bytes.len() - HEADER_LEN);
    }
}

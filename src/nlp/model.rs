//! The model file format: a checked envelope around a model's bytes, so a
//! truncated, corrupted or wrong file is a clear error and never a panic.
//!
//! Layout (little-endian): magic `NGMODEL\0` (8 bytes), format version
//! (u32), kind (u32: 1 tagger, 2 parser, 3 entities), payload length (u64),
//! CRC-32 of the payload (u32), payload. The payload is written with
//! [`Writer`] and read back with [`Reader`], whose every read is bounded.
//! Saves go through a temporary file and a rename.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

pub const MAGIC: &[u8; 8] = b"NGMODEL\0";
pub const FORMAT_VERSION: u32 = 1;
const HEADER: usize = 8 + 4 + 4 + 8 + 4;

/// What a model file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    Tagger = 1,
    Parser = 2,
    Entities = 3,
}

impl ModelKind {
    fn from_u32(v: u32) -> Option<ModelKind> {
        match v {
            1 => Some(ModelKind::Tagger),
            2 => Some(ModelKind::Parser),
            3 => Some(ModelKind::Entities),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Tagger => "tagger",
            ModelKind::Parser => "parser",
            ModelKind::Entities => "entities",
        }
    }
}

/// Why a model could not be read or written.
#[derive(Debug)]
pub enum ModelError {
    Io { path: String, err: std::io::Error },
    NotAModel,
    Version(u32),
    Kind { expected: ModelKind, found: u32 },
    Truncated { expected: u64, found: u64 },
    Checksum,
    Corrupt(String),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Io { path, err } => write!(f, "model file {path}: {err}"),
            ModelError::NotAModel => write!(f, "not a newsgraph model file (bad magic)"),
            ModelError::Version(v) => write!(
                f,
                "model format version {v} is not supported (this build reads {FORMAT_VERSION}); retrain with `newsgraph train`"
            ),
            ModelError::Kind { expected, found } => write!(
                f,
                "expected a {} model, found kind {}",
                expected.name(),
                ModelKind::from_u32(*found).map_or("unknown", ModelKind::name)
            ),
            ModelError::Truncated { expected, found } => write!(
                f,
                "model is truncated: {expected} payload bytes declared, {found} present"
            ),
            ModelError::Checksum => write!(f, "model checksum mismatch: the file is corrupted"),
            ModelError::Corrupt(what) => write!(f, "model is corrupted: {what}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// Wraps a payload in the checked envelope.
pub fn wrap(kind: ModelKind, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(kind as u32).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Checks the envelope and returns the payload.
pub fn unwrap(kind: ModelKind, bytes: &[u8]) -> Result<&[u8], ModelError> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(ModelError::NotAModel);
    }
    if bytes.len() < HEADER {
        return Err(ModelError::Truncated {
            expected: HEADER as u64,
            found: bytes.len() as u64,
        });
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let version = u32_at(8);
    if version != FORMAT_VERSION {
        return Err(ModelError::Version(version));
    }
    let found_kind = u32_at(12);
    if found_kind != kind as u32 {
        return Err(ModelError::Kind {
            expected: kind,
            found: found_kind,
        });
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[16..24]);
    let len = u64::from_le_bytes(len);
    let payload = &bytes[HEADER..];
    if payload.len() as u64 != len {
        return Err(ModelError::Truncated {
            expected: len,
            found: payload.len() as u64,
        });
    }
    if crc32fast::hash(payload) != u32_at(24) {
        return Err(ModelError::Checksum);
    }
    Ok(payload)
}

/// Writes a model file atomically: temporary file, sync, rename.
pub fn save(path: &Path, kind: ModelKind, payload: &[u8]) -> Result<(), ModelError> {
    let io = |err| ModelError::Io {
        path: path.display().to_string(),
        err,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("bin.tmp");
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&wrap(kind, payload))?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Reads a whole model file (the caller checks the envelope).
pub fn read(path: &Path) -> Result<Vec<u8>, ModelError> {
    fs::read(path).map_err(|err| ModelError::Io {
        path: path.display().to_string(),
        err,
    })
}

/// Reads a model payload's leading version number and checks it.
pub fn payload_version(r: &mut Reader, what: &str, expected: u32) -> Result<(), ModelError> {
    let found = r.u32()?;
    if found == expected {
        Ok(())
    } else {
        Err(ModelError::Corrupt(format!(
            "{what} payload version {found}, this build reads {expected}"
        )))
    }
}

/// Reads a model file and returns its checked payload.
pub fn load(path: &Path, kind: ModelKind) -> Result<Vec<u8>, ModelError> {
    unwrap(kind, &read(path)?).map(<[u8]>::to_vec)
}

/// Appends little-endian values to a payload.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    pub fn u16(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f32(&mut self, v: f32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.bytes.extend_from_slice(s.as_bytes());
    }
    pub fn u16s(&mut self, v: &[u16]) {
        self.u64(v.len() as u64);
        for x in v {
            self.u16(*x);
        }
    }
    pub fn u32s(&mut self, v: &[u32]) {
        self.u64(v.len() as u64);
        for x in v {
            self.u32(*x);
        }
    }
    pub fn u64s(&mut self, v: &[u64]) {
        self.u64(v.len() as u64);
        for x in v {
            self.u64(*x);
        }
    }
    pub fn f32s(&mut self, v: &[f32]) {
        self.u64(v.len() as u64);
        for x in v {
            self.f32(*x);
        }
    }
    pub fn strs(&mut self, v: &[String]) {
        self.u64(v.len() as u64);
        for s in v {
            self.str(s);
        }
    }
}

/// Reads what [`Writer`] wrote; every read checks the remaining length.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if self.bytes.len() - self.pos < n {
            return Err(ModelError::Corrupt(format!(
                "payload ends at byte {} while {n} more were expected",
                self.bytes.len()
            )));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    pub fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }
    pub fn u16(&mut self) -> Result<u16, ModelError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    pub fn str(&mut self) -> Result<String, ModelError> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec())
            .map_err(|_| ModelError::Corrupt("a string is not UTF-8".into()))
    }
    /// A length prefix for items of `item` bytes, checked against what is left.
    fn len(&mut self, item: usize) -> Result<usize, ModelError> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.pos) as u64;
        if n.saturating_mul(item as u64) > left {
            return Err(ModelError::Corrupt(format!(
                "a list of {n} items does not fit in the {left} bytes left"
            )));
        }
        Ok(n as usize)
    }
    pub fn u16s(&mut self) -> Result<Vec<u16>, ModelError> {
        let n = self.len(2)?;
        let b = self.take(n * 2)?;
        Ok(b.chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }
    pub fn u32s(&mut self) -> Result<Vec<u32>, ModelError> {
        let n = self.len(4)?;
        let b = self.take(n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    pub fn u64s(&mut self) -> Result<Vec<u64>, ModelError> {
        let n = self.len(8)?;
        let b = self.take(n * 8)?;
        Ok(b.chunks_exact(8)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                u64::from_le_bytes(a)
            })
            .collect())
    }
    pub fn f32s(&mut self) -> Result<Vec<f32>, ModelError> {
        let n = self.len(4)?;
        let b = self.take(n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    pub fn strs(&mut self) -> Result<Vec<String>, ModelError> {
        let n = self.len(4)?;
        (0..n).map(|_| self.str()).collect()
    }
    /// Fails unless every byte was read.
    pub fn finish(self) -> Result<(), ModelError> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(ModelError::Corrupt(format!(
                "{} bytes left over after the model",
                self.bytes.len() - self.pos
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trip_and_every_corruption_is_an_error() {
        let mut w = Writer::default();
        w.str("héllo");
        w.f32s(&[1.5, -2.0]);
        w.u64s(&[7, 9]);
        let file = wrap(ModelKind::Parser, &w.bytes);
        let payload = unwrap(ModelKind::Parser, &file).expect("valid");
        let mut r = Reader::new(payload);
        assert_eq!(r.str().unwrap(), "héllo");
        assert_eq!(r.f32s().unwrap(), vec![1.5, -2.0]);
        assert_eq!(r.u64s().unwrap(), vec![7, 9]);
        r.finish().unwrap();

        assert!(matches!(
            unwrap(ModelKind::Tagger, &file),
            Err(ModelError::Kind { .. })
        ));
        assert!(matches!(
            unwrap(ModelKind::Parser, b"garbage"),
            Err(ModelError::NotAModel)
        ));
        for cut in 0..file.len() {
            assert!(
                unwrap(ModelKind::Parser, &file[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        for i in 8..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x40;
            assert!(unwrap(ModelKind::Parser, &bad).is_err(), "flip at {i}");
        }
        // A list length larger than the payload is refused before allocating.
        let mut w = Writer::default();
        w.u64(u64::MAX / 2);
        assert!(Reader::new(&w.bytes).f32s().is_err());
    }
}

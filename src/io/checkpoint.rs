//! Versioned binary checkpoint files for algorithm state.
//!
//! Layout (all integers little-endian):
//!
//! | bytes        | content                                              |
//! |--------------|------------------------------------------------------|
//! | 0..8         | magic `b"PSCKPT\0\x01"`                              |
//! | 8..16        | format version (u64, currently [`VERSION`])          |
//! | 16..24       | length `t` of the algorithm tag (u64)                |
//! | 24..24+t     | tag, UTF-8 (`"nsga2"`, `"nsga3"`, `"rvea"`)           |
//! | next 8       | payload length `p` in bytes (u64)                    |
//! | next p       | payload: a sequence of u64 / f64 words (f64 as bits) |
//! | last 8       | FNV-1a 64 checksum of every preceding byte           |
//!
//! Files are written atomically (temporary file, then rename). Any truncation, foreign magic,
//! other version, other tag or checksum mismatch is an [`Error::Format`]: a checkpoint either
//! restores the exact state or is refused.
//!
//! ```
//! use pareto_sciml::io::checkpoint::{StateReader, StateWriter, decode, encode};
//! let mut w = StateWriter::default();
//! w.u64(7);
//! w.f64s(&[1.5, -0.0]);
//! let bytes = encode("demo", &w.into_bytes());
//! let payload = decode("demo", &bytes, "memory").unwrap();
//! let mut r = StateReader::new(&payload, "memory");
//! assert_eq!(r.u64().unwrap(), 7);
//! assert_eq!(r.f64s().unwrap(), vec![1.5, -0.0]);
//! assert!(decode("other", &bytes, "memory").is_err());
//! ```

use crate::error::{Error, Result};
use std::path::Path;

/// File magic.
pub const MAGIC: [u8; 8] = *b"PSCKPT\0\x01";
/// Current format version.
pub const VERSION: u64 = 1;

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Wraps a payload into the full file image (header, tag, payload, checksum).
pub fn encode(tag: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(40 + tag.len() + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(tag.len() as u64).to_le_bytes());
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Checks a file image and returns its payload. `name` is used in error messages.
pub fn decode(tag: &str, bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    let bad = |reason: String| Error::format(name, reason);
    if bytes.len() < 8 || bytes[..8] != MAGIC {
        return Err(bad("not a pareto-sciml checkpoint (bad magic)".into()));
    }
    let word = |at: usize| -> Result<u64> {
        bytes
            .get(at..at + 8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .ok_or_else(|| bad(format!("truncated at byte {at} of {}", bytes.len())))
    };
    let version = word(8)?;
    if version != VERSION {
        return Err(bad(format!(
            "checkpoint version {version}, this build reads version {VERSION}"
        )));
    }
    let tag_len = word(16)? as usize;
    let tag_end = 24usize
        .checked_add(tag_len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| bad("truncated in the algorithm tag".into()))?;
    let found = String::from_utf8_lossy(&bytes[24..tag_end]);
    if found != tag {
        return Err(bad(format!(
            "checkpoint of algorithm '{found}', expected '{tag}'"
        )));
    }
    let payload_len = word(tag_end)? as usize;
    let start = tag_end + 8;
    let end = start
        .checked_add(payload_len)
        .filter(|&e| e.checked_add(8).is_some_and(|t| t <= bytes.len()))
        .ok_or_else(|| bad("truncated payload".into()))?;
    if end + 8 != bytes.len() {
        return Err(bad(format!(
            "{} trailing bytes after the checksum",
            bytes.len() - end - 8
        )));
    }
    let stored = word(end)?;
    if stored != fnv1a(&bytes[..end]) {
        return Err(bad("checksum mismatch (corrupted file)".into()));
    }
    Ok(bytes[start..end].to_vec())
}

/// Writes a checkpoint file atomically.
pub fn write(path: impl AsRef<Path>, tag: &str, payload: &[u8]) -> Result<()> {
    super::write_atomic(path.as_ref(), &encode(tag, payload))
}

/// Reads a checkpoint file and returns its payload after checking magic, version, tag and
/// checksum.
pub fn read(path: impl AsRef<Path>, tag: &str) -> Result<Vec<u8>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode(tag, &bytes, &path.display().to_string())
}

/// Serialises state as little-endian 64-bit words.
#[derive(Debug, Default, Clone)]
pub struct StateWriter {
    bytes: Vec<u8>,
}

impl StateWriter {
    /// Appends a u64.
    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends an f64 by its bits (NaN payloads and signed zeros survive).
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    /// Appends a length-prefixed f64 slice.
    pub fn f64s(&mut self, v: &[f64]) {
        self.u64(v.len() as u64);
        v.iter().for_each(|&x| self.f64(x));
    }
    /// Appends a length-prefixed list of indices.
    pub fn usizes(&mut self, v: &[usize]) {
        self.u64(v.len() as u64);
        v.iter().for_each(|&x| self.u64(x as u64));
    }
    /// The payload bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Reads back what a [`StateWriter`] wrote; running past the end is an [`Error::Format`].
#[derive(Debug)]
pub struct StateReader<'a> {
    bytes: &'a [u8],
    at: usize,
    name: String,
}

impl<'a> StateReader<'a> {
    /// A reader over `payload`; `name` (usually the file path) appears in errors.
    pub fn new(payload: &'a [u8], name: &str) -> Self {
        StateReader {
            bytes: payload,
            at: 0,
            name: name.to_string(),
        }
    }
    /// Reads a u64.
    pub fn u64(&mut self) -> Result<u64> {
        let b = self.bytes.get(self.at..self.at + 8).ok_or_else(|| {
            Error::format(&self.name, format!("payload ends at byte {}", self.at))
        })?;
        self.at += 8;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    /// Reads a u64 that must fit a `usize` and be at most `max` (guards allocations).
    pub fn usize_max(&mut self, max: usize) -> Result<usize> {
        let v = self.u64()?;
        if v > max as u64 {
            return Err(Error::format(
                &self.name,
                format!("value {v} exceeds the plausible maximum {max}"),
            ));
        }
        Ok(v as usize)
    }
    /// Reads an f64.
    pub fn f64(&mut self) -> Result<f64> {
        self.u64().map(f64::from_bits)
    }
    /// Reads a length-prefixed f64 slice.
    pub fn f64s(&mut self) -> Result<Vec<f64>> {
        let n = self.usize_max((self.bytes.len() - self.at) / 8)?;
        (0..n).map(|_| self.f64()).collect()
    }
    /// Reads a length-prefixed index list.
    pub fn usizes(&mut self) -> Result<Vec<usize>> {
        let n = self.usize_max((self.bytes.len() - self.at) / 8)?;
        (0..n).map(|_| self.u64().map(|v| v as usize)).collect()
    }
    /// Fails unless every byte was consumed.
    pub fn finish(&self) -> Result<()> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(Error::format(
                &self.name,
                format!("{} unread payload bytes", self.bytes.len() - self.at),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Vec<u8> {
        let mut w = StateWriter::default();
        w.u64(3);
        w.f64s(&[1.0, f64::INFINITY, -0.0]);
        w.usizes(&[4, 5]);
        encode("nsga2", &w.into_bytes())
    }

    #[test]
    fn round_trip_is_exact() {
        let p = decode("nsga2", &image(), "m").unwrap();
        let mut r = StateReader::new(&p, "m");
        assert_eq!(r.u64().unwrap(), 3);
        let v = r.f64s().unwrap();
        assert_eq!(v[2].to_bits(), (-0.0f64).to_bits());
        assert_eq!(r.usizes().unwrap(), vec![4, 5]);
        r.finish().unwrap();
        assert!(matches!(r.u64(), Err(Error::Format { .. })));
    }

    #[test]
    fn every_truncation_and_flip_is_refused() {
        let img = image();
        for cut in 0..img.len() {
            assert!(matches!(
                decode("nsga2", &img[..cut], "m"),
                Err(Error::Format { .. })
            ));
        }
        for i in 0..img.len() {
            let mut bad = img.clone();
            bad[i] ^= 0x10;
            assert!(decode("nsga2", &bad, "m").is_err(), "flip at {i}");
        }
        let mut v2 = img.clone();
        v2[8] = 2;
        let err = decode("nsga2", &v2, "m").unwrap_err();
        assert!(err.to_string().contains("version 2"));
        assert!(decode("rvea", &img, "m").is_err());
    }
}

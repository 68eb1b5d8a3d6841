//! `.npy` reading and writing (NumPy format 1.0 and 2.0, little-endian `f32`/`f64`, C order).
//!
//! Genomes, inputs and reference data move to and from PyTorch/NumPy this way. Anything else
//! (another dtype, big-endian, Fortran order, a bad magic, a truncated payload, a shape that
//! does not match what the caller expects) is a clear [`Error::Format`] or [`Error::Shape`].
//!
//! ```
//! use pareto_sciml::io::npy;
//! let dir = std::env::temp_dir().join("pareto_sciml_npy_doc");
//! let path = dir.join("a.npy");
//! npy::write_f64(&path, &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
//! let (shape, data) = npy::read_f64(&path).unwrap();
//! assert_eq!(shape, vec![2, 3]);
//! assert_eq!(data[5].to_bits(), 6.0f64.to_bits());
//! ```

use crate::{Error, Result};
use std::path::Path;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// An element type `.npy` files hold here.
pub trait NpyElement: Copy {
    /// The NumPy `descr` string (`'<f4'`, `'<f8'`).
    const DESCR: &'static str;
    /// Bytes per element.
    const SIZE: usize;
    /// Decodes one little-endian element.
    fn from_le(b: &[u8]) -> Self;
    /// Appends the little-endian bytes of `self`.
    fn put_le(self, out: &mut Vec<u8>);
}

impl NpyElement for f32 {
    const DESCR: &'static str = "<f4";
    const SIZE: usize = 4;
    fn from_le(b: &[u8]) -> Self {
        f32::from_le_bytes(b.try_into().expect("4 bytes"))
    }
    fn put_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl NpyElement for f64 {
    const DESCR: &'static str = "<f8";
    const SIZE: usize = 8;
    fn from_le(b: &[u8]) -> Self {
        f64::from_le_bytes(b.try_into().expect("8 bytes"))
    }
    fn put_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

/// Encodes an array as `.npy` bytes (format 1.0, or 2.0 when the header needs it).
pub fn to_bytes<T: NpyElement>(shape: &[usize], data: &[T]) -> Result<Vec<u8>> {
    let n: usize = shape.iter().product();
    crate::error::check_len(
        "npy::to_bytes",
        "data.len() (product of shape)",
        n,
        data.len(),
    )?;
    let dims = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {dims}, }}",
        T::DESCR
    );
    // Header (magic, version, length field, dict, padding, '\n') is padded to 64 bytes.
    let v1 = (10 + dict.len() + 1).div_ceil(64) * 64 - 10 <= u16::MAX as usize;
    let prefix = if v1 { 10 } else { 12 };
    let total = (prefix + dict.len() + 1).div_ceil(64) * 64;
    let hlen = total - prefix;
    let mut out = Vec::with_capacity(total + n * T::SIZE);
    out.extend_from_slice(MAGIC);
    if v1 {
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(hlen as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&[2, 0]);
        out.extend_from_slice(&(hlen as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    for &x in data {
        x.put_le(&mut out);
    }
    Ok(out)
}

fn header_value<'h>(dict: &'h str, key: &str) -> Option<&'h str> {
    let k = format!("'{key}'");
    let at = dict.find(&k)? + k.len();
    let rest = dict[at..].trim_start().strip_prefix(':')?.trim_start();
    Some(rest)
}

/// Decodes `.npy` bytes; `name` labels errors.
pub fn from_bytes<T: NpyElement>(bytes: &[u8], name: &str) -> Result<(Vec<usize>, Vec<T>)> {
    let bad = |r: String| Error::format(name, r);
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(bad("not a .npy file (bad magic)".into()));
    }
    let (hlen, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize,
            12,
        ),
        v => return Err(bad(format!("unsupported .npy version {v}"))),
    };
    let end = start + hlen;
    if bytes.len() < end {
        return Err(bad("truncated header".into()));
    }
    let dict =
        std::str::from_utf8(&bytes[start..end]).map_err(|_| bad("header is not text".into()))?;
    let descr = header_value(dict, "descr").ok_or_else(|| bad("header lacks 'descr'".into()))?;
    let descr = descr.trim_start_matches(['\'', '"']);
    if !descr.starts_with(T::DESCR) || !descr[T::DESCR.len()..].starts_with('\'') {
        let got: String = descr
            .chars()
            .take_while(|c| *c != '\'' && *c != '"')
            .collect();
        return Err(bad(format!("dtype is '{got}', expected '{}'", T::DESCR)));
    }
    let fo = header_value(dict, "fortran_order")
        .ok_or_else(|| bad("header lacks 'fortran_order'".into()))?;
    if fo.starts_with("True") {
        return Err(bad(
            "Fortran-ordered arrays are not supported (use C order)".into(),
        ));
    } else if !fo.starts_with("False") {
        return Err(bad("unreadable 'fortran_order'".into()));
    }
    let sh = header_value(dict, "shape").ok_or_else(|| bad("header lacks 'shape'".into()))?;
    let close = sh
        .find(')')
        .ok_or_else(|| bad("unreadable 'shape'".into()))?;
    let inner = sh
        .strip_prefix('(')
        .ok_or_else(|| bad("unreadable 'shape'".into()))?;
    let shape = inner[..close - 1]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| bad("unreadable 'shape'".into()))?;
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| bad("shape overflows".into()))?;
    let payload = &bytes[end..];
    if payload.len() != n * T::SIZE {
        return Err(bad(format!(
            "payload has {} bytes, shape {shape:?} needs {} (truncated or trailing data)",
            payload.len(),
            n * T::SIZE
        )));
    }
    let data = payload.chunks_exact(T::SIZE).map(T::from_le).collect();
    Ok((shape, data))
}

/// Writes `data` with `shape` to `path` (atomically).
pub fn write<T: NpyElement>(path: impl AsRef<Path>, shape: &[usize], data: &[T]) -> Result<()> {
    crate::io::write_atomic(path.as_ref(), &to_bytes(shape, data)?)
}

/// Reads an array of element type `T` from `path`.
pub fn read<T: NpyElement>(path: impl AsRef<Path>) -> Result<(Vec<usize>, Vec<T>)> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    from_bytes(&bytes, &path.display().to_string())
}

/// Reads an array and checks its shape ([`Error::Shape`] on mismatch, naming the first
/// differing dimension, or the rank).
pub fn read_shaped<T: NpyElement>(path: impl AsRef<Path>, shape: &[usize]) -> Result<Vec<T>> {
    let (got, data) = read::<T>(path)?;
    crate::error::check_len("npy::read_shaped", "rank", shape.len(), got.len())?;
    for (i, (&e, &g)) in shape.iter().zip(&got).enumerate() {
        crate::error::check_len("npy::read_shaped", &format!("shape[{i}]"), e, g)?;
    }
    Ok(data)
}

/// [`write()`] for `f64`.
pub fn write_f64(path: impl AsRef<Path>, shape: &[usize], data: &[f64]) -> Result<()> {
    write(path, shape, data)
}
/// [`write()`] for `f32`.
pub fn write_f32(path: impl AsRef<Path>, shape: &[usize], data: &[f32]) -> Result<()> {
    write(path, shape, data)
}
/// [`read`] for `f64`.
pub fn read_f64(path: impl AsRef<Path>) -> Result<(Vec<usize>, Vec<f64>)> {
    read(path)
}
/// [`read`] for `f32`.
pub fn read_f32(path: impl AsRef<Path>) -> Result<(Vec<usize>, Vec<f32>)> {
    read(path)
}

//! Files a person can load in Python: CSV, `.npy`, JSON manifests, SVG plots, and checkpoints.

pub mod checkpoint;
pub mod csv;
pub mod manifest;
pub mod npy;
pub mod svg;

/// Creates the parent directory of `path` if it does not exist.
pub(crate) fn ensure_parent(path: &std::path::Path) -> crate::Result<()> {
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| crate::Error::io(parent, e))?;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: into a sibling temporary file first, then renamed, so
/// a crash never leaves a half-written file under the final name.
pub(crate) fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> crate::Result<()> {
    ensure_parent(path)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| crate::Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| crate::Error::io(path, e))
}

//! Atomic file output: every file convkit writes (.npy arrays, images, figures) goes through
//! [`write()`], so a failed or interrupted run never leaves a half-written file behind.
//!
//! The bytes go to a hidden temporary file in the target's own directory (`.NAME.PID.tmp`), are
//! flushed to disk, and the temporary file is renamed over the target. A rename within one
//! directory is atomic on POSIX file systems: readers see the old file or the new one, never a
//! mixture. On failure the temporary file is removed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to a temporary file beside `path` and renames it into place.
///
/// ```
/// let path = std::env::temp_dir().join(format!("convkit-doc-{}.txt", std::process::id()));
/// convkit::atomic_file::write(&path, b"hello")?;
/// assert_eq!(std::fs::read(&path)?, b"hello");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn failed_write_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("convkit-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // A directory in the way: the rename fails and the temporary file is cleaned up.
        let target = dir.join("occupied");
        std::fs::create_dir_all(target.join("child")).unwrap();
        assert!(super::write(&target, b"x").is_err());
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "only the directory remains: {left:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Output files that appear whole or not at all: everything convkit writes goes to a temporary
//! file in the target's directory and is renamed over the target only once complete, so a
//! failure (bad input found late, full disk, a crash) never leaves a half-written output.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary sibling of `path`: same directory, hidden, same extension (so writers that
/// choose a format by extension, like image encoders, still see it).
fn temporary_for(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    dir.join(format!(".{stem}.{}.tmp{ext}", std::process::id()))
}

/// Lets `write` produce the file at a temporary path, then renames it to `path`. On error the
/// temporary file is removed and the error returned.
pub fn write_with<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    let tmp = temporary_for(path);
    let result = write(&tmp).and_then(|()| fs::rename(&tmp, path).map_err(E::from));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with(path, |tmp| {
        let mut f = fs::File::create(tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_file_or_nothing() {
        let dir = std::env::temp_dir().join(format!("convkit-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.png");
        write_bytes(&target, b"abc").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"abc");
        let failed: std::io::Result<()> = write_with(&dir.join("never.png"), |tmp| {
            fs::write(tmp, b"partial")?;
            Err(std::io::Error::other("late failure"))
        });
        assert!(failed.is_err());
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.png")]);
        fs::remove_dir_all(&dir).unwrap();
    }
}

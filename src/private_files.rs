//! Files that hold secrets or user data: those Tessera creates (the master key, the SQLite
//! database, their folders) are its own user's alone, 0600 in folders made 0700, whatever the
//! umask; key files it is given are checked for being readable by others.
use std::io;
use std::path::Path;

use crate::config::KeyFilePermissions;

/// Creates `dir` and its missing parents, each new one 0700 (existing ones are left alone:
/// they are the operator's).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates `path` with mode 0600 (its folder 0700 when Tessera makes it); never overwrites.
pub fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = create_private_file(path)?;
    io::Write::write_all(&mut file, contents)
}

/// Creates an empty `path` with mode 0600 unless it exists (its folder 0700 when Tessera
/// makes it). SQLite then opens the empty file as a new database, and gives its `-wal` and
/// `-shm` files the same mode.
pub fn create_private_file_if_missing(path: &Path) -> io::Result<()> {
    match create_private_file(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        created => created.map(drop),
    }
}

fn create_private_file(path: &Path) -> io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        create_private_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Checks that only its owner may read the key file `path`: one its group or other users may
/// read is logged, or refused (`key_file_permissions = "refuse"`) with the reason as the error.
pub fn check_key_file(path: &Path, policy: KeyFilePermissions) -> Result<(), String> {
    let Some(mode) = readable_by_others(path) else {
        return Ok(());
    };
    let problem = format!(
        "{} has mode {mode:04o}: its group or other users can read the key (chmod 600 it)",
        path.display()
    );
    match policy {
        KeyFilePermissions::Warn => {
            tracing::warn!(file = %path.display(), mode = %format!("{mode:04o}"), "a key file its group or other users can read; make it private with `chmod 600` (key_file_permissions = \"refuse\" refuses to start with one)");
            Ok(())
        }
        KeyFilePermissions::Refuse => Err(format!("{problem} (key_file_permissions = \"refuse\")")),
    }
}

/// The permission bits of `path` when its group or others have any access to it.
#[cfg(unix)]
fn readable_by_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    (mode & 0o077 != 0).then_some(mode)
}

/// Elsewhere there are no mode bits to read.
#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> Option<u32> {
    None
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_files_are_0600_in_folders_made_0700() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b/secret");
        write_private_file(&file, b"key").unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&dir.path().join("a/b")), 0o700);
        assert!(
            write_private_file(&file, b"other").is_err(),
            "never overwrites"
        );
        let db = dir.path().join("data/tessera.db");
        create_private_file_if_missing(&db).unwrap();
        std::fs::write(&db, b"kept").unwrap();
        create_private_file_if_missing(&db).unwrap();
        assert_eq!(std::fs::read(&db).unwrap(), b"kept");
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn a_key_file_others_can_read_is_warned_about_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("master.key");
        std::fs::write(&file, b"key").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(check_key_file(&file, KeyFilePermissions::Refuse).is_ok());
        for open in [0o640, 0o604, 0o644] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(open)).unwrap();
            assert!(check_key_file(&file, KeyFilePermissions::Warn).is_ok());
            let refused = check_key_file(&file, KeyFilePermissions::Refuse).unwrap_err();
            assert!(refused.contains(&format!("{open:04o}")), "{refused}");
        }
    }
}

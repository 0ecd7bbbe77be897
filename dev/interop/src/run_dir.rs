//! Fresh temporary directories for the peers' configs, databases and logs.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use std::{env, fs, process};

/// A new, empty directory under the system's temporary directory, removed with
/// everything in it on drop, unless `FERROSIP_KEEP_PEER_RUN` is set (then its
/// path is printed to stderr instead).
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates `<tmp>/ferrosip-<peer>-<pid>-<n>-<time>`.
    pub fn new(peer: &str) -> io::Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = env::temp_dir();
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = base.join(format!("ferrosip-{peer}-{}-{n}-{nanos:08x}", process::id()));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Self { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if crate::env_flag("FERROSIP_KEEP_PEER_RUN") {
            eprintln!("FERROSIP_KEEP_PEER_RUN: kept {}", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

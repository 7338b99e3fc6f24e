//! The pid file: `serve` writes its process id there, and `tessera reload` reads it, makes
//! sure the process is a Tessera server, and sends it SIGHUP.
use std::path::{Path, PathBuf};

/// Writes the process id for `tessera reload`. A failure only costs that command (SIGHUP
/// still works), so it is logged, not fatal.
pub fn write(path: &Path) -> Option<PathBuf> {
    let written = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        // Often the data folder (`data/tessera.pid` beside `data/tessera.db`): made private.
        .map_or(Ok(()), crate::private_files::create_private_dir_all)
        .and_then(|()| std::fs::write(path, format!("{}\n", std::process::id())));
    match written {
        Ok(()) => Some(path.to_path_buf()),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "cannot write the pid file; `tessera reload` will not find this server (SIGHUP still reloads)");
            None
        }
    }
}

/// Sends SIGHUP to the server `path` names; its process id, or why nothing was sent.
pub fn signal_reload(path: &Path) -> Result<u32, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{shown}: {e} (is `tessera serve` running?)"))?;
    let pid = text
        .trim()
        .parse::<u32>()
        .ok()
        // 0 would signal our own process group. 1 is allowed: in a container `serve` is
        // often process 1, and the check below makes sure it is Tessera.
        .filter(|pid| *pid > 0)
        .ok_or_else(|| format!("{shown} does not hold a process id"))?;
    // After a crash or a SIGKILL the file stays behind, and its number may belong to any
    // process by now; SIGHUP ends most programs, so a stranger is never signalled.
    check_is_tessera_server(pid).map_err(|why| {
        format!("{shown} names process {pid}, {why}: not signalling it (the pid file may be left over from a crash; is `tessera serve` running?)")
    })?;
    send_hangup(pid)?;
    Ok(pid)
}

/// The process runs this very program, with the `serve` command.
#[cfg(target_os = "linux")]
fn check_is_tessera_server(pid: u32) -> Result<(), String> {
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let cmdline = std::fs::read(proc.join("cmdline")).map_err(|_| "which is not running")?;
    let exe = std::fs::read_link(proc.join("exe")).map_err(|e| {
        format!("whose program cannot be read ({e}); run this as the server's user or root")
    })?;
    // A binary replaced by an upgrade since the server started reads as "… (deleted)".
    let exe = exe.to_string_lossy();
    let exe = exe.strip_suffix(" (deleted)").unwrap_or(&exe);
    let ours =
        std::env::current_exe().map_err(|e| format!("and this program's path is unknown ({e})"))?;
    if Path::new(exe) != ours {
        return Err(format!("which runs {exe}, not {}", ours.display()));
    }
    if !cmdline.split(|b| *b == 0).any(|arg| arg == b"serve") {
        return Err("which is a tessera command, not `tessera serve`".into());
    }
    Ok(())
}

/// Elsewhere there is no /proc to ask: the number is trusted, as kill(1) would trust it.
#[cfg(not(target_os = "linux"))]
fn check_is_tessera_server(_pid: u32) -> Result<(), String> {
    Ok(())
}

#[cfg(unix)]
fn send_hangup(pid: u32) -> Result<(), String> {
    use rustix::process::{Pid, Signal, kill_process};
    let target = i32::try_from(pid)
        .ok()
        .and_then(Pid::from_raw)
        .ok_or_else(|| format!("{pid} is not a process id"))?;
    kill_process(target, Signal::HUP).map_err(|e| format!("could not signal process {pid}: {e}"))
}

#[cfg(not(unix))]
fn send_hangup(_pid: u32) -> Result<(), String> {
    Err("reloading by signal needs a Unix system: restart the server instead".into())
}

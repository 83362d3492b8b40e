//! Waiting for and signalling a running `harvest`: every wait is on a
//! condition (the server log, a file, the child's exit) with a deadline,
//! never a sleep standing in for an event.

use super::Crawl;
use std::fs::File;
use std::process::{Child, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a condition may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(120);

/// Polls `ready` every 10 ms until it holds (event-driven tests: the
/// condition is on the server log or the files, never on elapsed time);
/// panics naming `what` after 120 s, so a hang fails instead of blocking CI.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits for `child` to exit until `deadline`: its status, or `None` when
/// it was still running (then it is killed with SIGKILL and reaped).
pub fn exit_by(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGINT (Ctrl-C) to `child`.
pub fn interrupt(child: &Child) {
    signal(child, libc::SIGINT);
}

/// SIGTERM to `child`.
pub fn terminate(child: &Child) {
    signal(child, libc::SIGTERM);
}

#[allow(unsafe_code)]
fn signal(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    // SAFETY: a plain syscall on our own child, not yet reaped (the `Child`
    // is borrowed, so nobody has waited for it), so its pid is not reused.
    let sent = unsafe { libc::kill(pid, signal) };
    assert_eq!(sent, 0, "kill: {}", std::io::Error::last_os_error());
}

/// Peak RSS of the reaped children of this process, in KiB.
#[allow(unsafe_code)]
pub fn children_peak_rss_kib() -> i64 {
    // SAFETY: `rusage` is plain old data (all zeros is valid) and
    // `getrusage` writes it through a valid pointer.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss
}

impl Crawl {
    /// `harvest run --quiet` with `RUST_LOG=filter` as a child whose stdout and
    /// stderr are appended to `harvest.out` and `harvest.err` in the crawl
    /// dir: a test can watch the log while it runs ([`log`](Self::log)),
    /// and a chatty run never stalls on a full pipe.
    pub fn spawn_logged(&self, filter: &str) -> Child {
        let append = |name: &str| {
            File::options()
                .create(true)
                .append(true)
                .open(self.path(name))
                .unwrap()
        };
        self.command_with_log(filter)
            .arg("--quiet")
            .stdout(Stdio::from(append("harvest.out")))
            .stderr(Stdio::from(append("harvest.err")))
            .spawn()
            .expect("harvest starts")
    }

    /// What the children of [`spawn_logged`](Self::spawn_logged) wrote to
    /// stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("harvest.err")).unwrap_or_default()
    }

    /// Waits for a child of [`spawn_logged`](Self::spawn_logged) to exit;
    /// its status with what it wrote. Fails the test (killing the child)
    /// when it runs longer than `bound`: a hang guard, not a timing assert.
    pub fn exit_within(&self, mut child: Child, bound: Duration) -> Output {
        let status = exit_by(&mut child, Instant::now() + bound);
        let status = status.unwrap_or_else(|| {
            panic!(
                "the crawl hung: still running after {bound:?}\nstderr:\n{}",
                self.log()
            )
        });
        Output {
            status,
            stdout: std::fs::read(self.path("harvest.out")).unwrap_or_default(),
            stderr: std::fs::read(self.path("harvest.err")).unwrap_or_default(),
        }
    }
}

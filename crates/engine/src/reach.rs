//! Which origins answer nothing but transport errors, since when and why,
//! and which ones the crawl gives up on (`[breaker] give_up_after`). Pure:
//! the supervisor feeds it outcomes and `now`, and acts on what it returns.
//!
//! An origin is *failing* from its first transport error (refused, reset,
//! DNS, TLS, timeout...) until any HTTP answer, whatever the status. One
//! failing for `give_up_after` is *given up*: for the rest of the run its
//! pages are dead-lettered with reason `origin_unreachable` instead of
//! waiting behind its breaker for hours. `retry-dead` and a new run try it
//! again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Why an origin could not be reached: a fixed vocabulary for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    Refused,
    Reset,
    Dns,
    Tls,
    Timeout,
    TooSlow,
    Connect,
    Read,
}

impl Cause {
    /// The cause of a transport failure, from the fetch error's fixed
    /// `reason` and its text (the error chain of the TCP/TLS/DNS layers).
    pub fn of(reason: &str, detail: &str) -> Self {
        let d = detail.to_ascii_lowercase();
        if d.contains("connection refused") {
            Self::Refused
        } else if d.contains("dns error")
            || d.contains("failed to lookup address")
            || d.contains("name or service not known")
        {
            Self::Dns
        } else if d.contains("certificate") || d.contains("tls") || d.contains("handshake") {
            Self::Tls
        } else if d.contains("connection reset")
            || d.contains("reset by peer")
            || d.contains("broken pipe")
            || d.contains("connection closed")
        {
            Self::Reset
        } else {
            match reason {
                "timeout" => Self::Timeout,
                "too_slow" => Self::TooSlow,
                "connect" => Self::Connect,
                _ => Self::Read,
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Refused => "connection refused",
            Self::Reset => "connection reset",
            Self::Dns => "dns",
            Self::Tls => "tls",
            Self::Timeout => "timeout",
            Self::TooSlow => "too slow",
            Self::Connect => "connect",
            Self::Read => "read",
        }
    }
}

/// What a transport failure changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// The origin's first failure since it last answered.
    Started,
    /// It still fails, for another reason than before.
    CauseChanged { was: Cause },
    /// Same failure as before.
    Same,
}

/// One failing origin.
#[derive(Debug, Clone)]
struct Failing {
    since: Instant,
    cause: Cause,
    /// The latest error text (for the dead letters' detail).
    last_error: String,
}

/// An origin given up on, with what its dead letters say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GivenUp {
    pub origin: String,
    pub cause: Cause,
    /// For each dead letter: how long, why, the last error.
    pub detail: String,
}

pub(crate) struct Reachability {
    give_up_after: Duration,
    failing: HashMap<String, Failing>,
    /// Origins given up on in this run → their dead letters' detail.
    given_up: HashMap<String, String>,
}

impl Reachability {
    pub fn new(give_up_after: Duration) -> Self {
        Self {
            give_up_after,
            failing: HashMap::new(),
            given_up: HashMap::new(),
        }
    }

    /// A call to `origin` failed in transport at `now`.
    pub fn failed(&mut self, origin: &str, cause: Cause, error: &str, now: Instant) -> Change {
        match self.failing.get_mut(origin) {
            Some(f) => {
                f.last_error.clear();
                f.last_error.push_str(error);
                let was = std::mem::replace(&mut f.cause, cause);
                if was == cause {
                    Change::Same
                } else {
                    Change::CauseChanged { was }
                }
            }
            None => {
                let failing = Failing {
                    since: now,
                    cause,
                    last_error: error.to_string(),
                };
                self.failing.insert(origin.to_string(), failing);
                Change::Started
            }
        }
    }

    /// `origin` gave an HTTP answer: reachable. Returns how long it had
    /// been failing, if it was.
    pub fn answered(&mut self, origin: &str, now: Instant) -> Option<Duration> {
        let failing = self.failing.remove(origin)?;
        Some(now.saturating_duration_since(failing.since))
    }

    /// The origins failing for `give_up_after` at `now`: given up from now
    /// on (each returned once).
    pub fn due(&mut self, now: Instant) -> Vec<GivenUp> {
        let give_up_after = self.give_up_after;
        let due: Vec<String> = self
            .failing
            .iter()
            .filter(|(_, f)| now.saturating_duration_since(f.since) >= give_up_after)
            .map(|(origin, _)| origin.clone())
            .collect();
        due.into_iter()
            .filter_map(|origin| {
                let f = self.failing.remove(&origin)?;
                let detail = format!(
                    "origin unreachable for {} ({}; give_up_after = {}); last error: {}",
                    humantime::format_duration(round_secs(now.saturating_duration_since(f.since))),
                    f.cause.as_str(),
                    humantime::format_duration(give_up_after),
                    f.last_error
                );
                self.given_up.insert(origin.clone(), detail.clone());
                Some(GivenUp {
                    origin,
                    cause: f.cause,
                    detail,
                })
            })
            .collect()
    }

    /// The dead letters' detail of `origin`, when the crawl gave it up.
    pub fn given_up(&self, origin: &str) -> Option<&str> {
        self.given_up.get(origin).map(String::as_str)
    }

    /// Whether any origin was given up (a cheap check before a lookup).
    pub fn any_given_up(&self) -> bool {
        !self.given_up.is_empty()
    }
}

fn round_secs(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFUSED: &str = "connect failed: error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)";
    const ORIGIN: &str = "http://127.0.0.1:1";

    /// A 10 s budget, and `ORIGIN` refused once at `t0`.
    fn refused_at(t0: Instant) -> Reachability {
        let mut r = Reachability::new(Duration::from_secs(10));
        assert_eq!(
            r.failed(ORIGIN, Cause::Refused, REFUSED, t0),
            Change::Started
        );
        r
    }

    #[test]
    fn causes_are_named_from_the_error_chain() {
        assert_eq!(Cause::of("connect", REFUSED), Cause::Refused);
        assert_eq!(
            Cause::of(
                "connect",
                "client error (Connect): dns error: failed to lookup address information"
            ),
            Cause::Dns
        );
        assert_eq!(
            Cause::of(
                "connect",
                "client error (Connect): invalid peer certificate: UnknownIssuer"
            ),
            Cause::Tls
        );
        assert_eq!(
            Cause::of(
                "read",
                "error reading a body from connection: Connection reset by peer (os error 104)"
            ),
            Cause::Reset
        );
        assert_eq!(Cause::of("timeout", "operation timed out"), Cause::Timeout);
        assert_eq!(
            Cause::of("too_slow", "body slower than 1024 B/s"),
            Cause::TooSlow
        );
        assert_eq!(Cause::of("read", "unexpected end of file"), Cause::Read);
    }

    #[test]
    fn an_origin_failing_for_give_up_after_is_given_up_once() {
        let t0 = Instant::now();
        let mut r = Reachability::new(Duration::from_secs(600));
        let o = ORIGIN;
        assert_eq!(r.failed(o, Cause::Refused, REFUSED, t0), Change::Started);
        assert_eq!(
            r.failed(o, Cause::Refused, REFUSED, t0 + Duration::from_secs(300)),
            Change::Same
        );
        assert!(r.due(t0 + Duration::from_secs(599)).is_empty());
        let given = r.due(t0 + Duration::from_secs(600));
        assert_eq!(given.len(), 1);
        assert_eq!(given[0].origin, o);
        assert!(
            given[0].detail.contains("connection refused"),
            "{}",
            given[0].detail
        );
        assert!(given[0].detail.contains("10m"), "{}", given[0].detail);
        assert!(r.given_up(o).is_some());
        assert!(r.due(t0 + Duration::from_secs(900)).is_empty());
    }

    #[test]
    fn any_answer_resets_the_budget() {
        let (t0, o) = (Instant::now(), ORIGIN);
        let mut r = refused_at(t0);
        assert_eq!(
            r.answered(o, t0 + Duration::from_secs(9)),
            Some(Duration::from_secs(9))
        );
        assert_eq!(r.answered(o, t0 + Duration::from_secs(9)), None);
        assert_eq!(
            r.failed(o, Cause::Timeout, "timed out", t0 + Duration::from_secs(9)),
            Change::Started
        );
        assert!(r.due(t0 + Duration::from_secs(18)).is_empty());
        assert_eq!(r.due(t0 + Duration::from_secs(19)).len(), 1);
    }

    #[test]
    fn a_new_cause_is_reported() {
        let (t0, o) = (Instant::now(), ORIGIN);
        let mut r = refused_at(t0);
        assert_eq!(
            r.failed(o, Cause::Timeout, "timed out", t0),
            Change::CauseChanged {
                was: Cause::Refused
            }
        );
    }
}

//! A test-only model of a host actor crawling a rate-limited server, driven on
//! a fake clock: the server answers 2xx or 429 (from a token bucket or a
//! sliding window), the client admits one job at a time through an
//! [`AdaptiveBucket`] the way the host actor does, and every response is fed
//! back. The convergence tests read its [`Run`] summaries.

use super::*;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// How the server decides between 2xx and 429.
#[derive(Debug, Clone, Copy)]
pub(super) enum Limit {
    /// nginx `limit_req`: `rate` per second, `burst` more at once (so
    /// `burst + 1` back to back from idle); rejected requests cost nothing.
    TokenBucket { rate: f64, burst: u32 },
    /// At most `limit` accepted requests in any window of `window`.
    SlidingWindow { limit: usize, window: Duration },
}

/// The server side: its limit and what it accepted.
#[derive(Debug)]
struct Server {
    limit: Limit,
    /// Token bucket state: excess in requests and when it was computed.
    excess: f64,
    last: Option<Instant>,
    /// Sliding window state: the accepted instants still inside the window.
    recent: VecDeque<Instant>,
}

impl Server {
    fn new(limit: Limit) -> Self {
        Self {
            limit,
            excess: 0.0,
            last: None,
            recent: VecDeque::new(),
        }
    }

    /// Whether a request arriving at `at` is accepted.
    fn accepts(&mut self, at: Instant) -> bool {
        match self.limit {
            Limit::TokenBucket { rate, burst } => {
                let excess = match self.last {
                    None => 0.0,
                    Some(last) => {
                        let drained = rate * at.saturating_duration_since(last).as_secs_f64();
                        (self.excess - drained).max(0.0) + 1.0
                    }
                };
                if excess > f64::from(burst) {
                    return false;
                }
                self.excess = excess;
                self.last = Some(at);
                true
            }
            Limit::SlidingWindow { limit, window } => {
                while self.recent.front().is_some_and(|t| *t + window <= at) {
                    self.recent.pop_front();
                }
                if self.recent.len() >= limit {
                    return false;
                }
                self.recent.push_back(at);
                true
            }
        }
    }
}

/// One simulated crawl.
#[derive(Debug, Clone)]
pub(super) struct Scenario {
    pub limit: Limit,
    pub settings: AdaptiveSettings,
    /// Independent page streams: each has one page in flight at most.
    pub streams: usize,
    /// Round trip, plus up to `jitter` more on the way in (uniform).
    pub rtt: Duration,
    pub jitter: Duration,
    /// Delay between a page's answer and its stream's next page (group
    /// commit), uniform in `0..=commit`.
    pub commit: Duration,
    /// The server's `Retry-After` on a 429: the client pauses the origin.
    pub retry_after: Option<Duration>,
    /// The simulated run stops here.
    pub length: Duration,
    pub seed: u64,
}

impl Scenario {
    /// Ten streams on loopback against `limit`, no `Retry-After`, 10 s.
    pub fn new(limit: Limit, rate_per_sec: f64, burst: u32) -> Self {
        Self {
            limit,
            settings: AdaptiveSettings::new(rate_per_sec, burst),
            streams: 10,
            rtt: Duration::from_millis(2),
            jitter: Duration::from_millis(3),
            commit: Duration::from_millis(100),
            retry_after: None,
            length: Duration::from_secs(10),
            seed: 1,
        }
    }
}

/// What a simulated crawl did.
#[derive(Debug, Default)]
pub(super) struct Run {
    /// Send instants (seconds since the start) of accepted requests.
    pub accepted: Vec<f64>,
    /// Send instants of throttled requests.
    pub throttled: Vec<f64>,
    /// The bucket's rate each 100 ms.
    pub rates: Vec<f64>,
}

impl Run {
    /// Accepted requests sent in `from..to` seconds.
    pub fn accepted_between(&self, from: f64, to: f64) -> usize {
        self.accepted
            .iter()
            .filter(|t| (from..to).contains(*t))
            .count()
    }

    /// The share of requests answered 429.
    pub fn throttled_share(&self) -> f64 {
        let all = self.accepted.len() + self.throttled.len();
        self.throttled.len() as f64 / all.max(1) as f64
    }

    /// The bucket's rate at `t` seconds.
    pub fn rate_at(&self, t: f64) -> f64 {
        self.rates[((t * 10.0) as usize).min(self.rates.len() - 1)]
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// A response for `stream`, sent at the given instant.
    Answer {
        sent_at: Instant,
        stream: usize,
        accepted: bool,
    },
    /// `stream` has its next page.
    Ready { stream: usize },
}

/// Runs `scenario`, with `extra` feeding the bucket more signals (say, a
/// stray 429) at chosen instants: called with the bucket and `now` at every
/// event.
pub(super) fn run(scenario: &Scenario, mut extra: impl FnMut(&mut AdaptiveBucket, Instant)) -> Run {
    let s = scenario;
    let mut rng = StdRng::seed_from_u64(s.seed);
    let t0 = Instant::now();
    let end = t0 + s.length;
    let mut bucket = AdaptiveBucket::new(s.settings, t0);
    let mut server = Server::new(s.limit);
    let mut events: BinaryHeap<Reverse<(Instant, Event)>> = (0..s.streams)
        .map(|stream| Reverse((t0, Event::Ready { stream })))
        .collect();
    let mut ready: VecDeque<usize> = VecDeque::new();
    // The host actor admits one job at a time: `pending` is the job whose
    // token it waits for, and when it may go.
    let mut pending: Option<(usize, Instant)> = None;
    let mut clock = t0;
    let mut run = Run::default();
    let mut next_sample = t0;
    let secs = |t: Instant| (t - t0).as_secs_f64();
    loop {
        if pending.is_none() {
            if let Some(stream) = ready.pop_front() {
                pending = Some((stream, clock + bucket.reserve(clock)));
            }
        }
        let next_event = events.peek().map(|Reverse((t, _))| *t);
        if let Some((stream, at)) = pending {
            if next_event.is_none_or(|t| at <= t) {
                if at >= end {
                    break;
                }
                clock = at;
                if bucket.paused_until(at).is_some() {
                    // A pause began during the wait: queue again.
                    pending = Some((stream, at + bucket.reserve(at)));
                    continue;
                }
                pending = None;
                // Jitter (CPU, network) delays the request on its way in.
                let arrives = at + s.rtt / 2 + s.jitter.mul_f64(rng.gen::<f64>());
                let accepted = server.accepts(arrives);
                let back = arrives + s.rtt / 2;
                let answer = Event::Answer {
                    sent_at: at,
                    stream,
                    accepted,
                };
                events.push(Reverse((back, answer)));
                continue;
            }
        }
        let Some(Reverse((now, event))) = events.pop() else {
            break;
        };

        if now >= end {
            break;
        }
        clock = now;
        while next_sample <= now {
            run.rates.push(bucket.current_rate(next_sample));
            next_sample += Duration::from_millis(100);
        }
        extra(&mut bucket, now);
        match event {
            Event::Ready { stream } => ready.push_back(stream),
            Event::Answer {
                sent_at,
                stream,
                accepted: true,
            } => {
                run.accepted.push(secs(sent_at));
                bucket.on_success(now);
                let next = now + s.commit.mul_f64(rng.gen::<f64>());
                events.push(Reverse((next, Event::Ready { stream })));
            }
            Event::Answer {
                sent_at, stream, ..
            } => {
                run.throttled.push(secs(sent_at));
                // As the host actor: the pause first, then the 429.
                let again = match s.retry_after {
                    Some(wait) => {
                        bucket.pause_until(now + wait, now);
                        now + wait
                    }
                    None => now + Duration::from_millis(rng.gen_range(50..200)),
                };
                bucket.on_throttled(sent_at, now);
                events.push(Reverse((again, Event::Ready { stream })));
            }
        }
    }
    while next_sample < end {
        run.rates.push(bucket.current_rate(next_sample));
        next_sample += Duration::from_millis(100);
    }
    run
}

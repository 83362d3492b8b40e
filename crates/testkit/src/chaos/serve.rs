//! The chaos upstream: one server per origin following its schedule — time
//! windows of refusals, resets and 503/429 bursts, per-page faults by
//! request count, dead pages, foreign next links — with the testkit's
//! server-side request log as the ground truth.

use super::listener::{listen_on, reserve, ChaosListener};
use super::oracle::{foreign_link, Oracle, Timing};
use super::schedule::{End, Schedule, Style, Transient, WindowKind, CURSOR_BASE, TRICKLE_EVERY};
use super::shared::ChaosShared;
use super::RECORDS_PER_PAGE;
use crate::log::Seen;
use crate::server::{apply_fault, json};
use crate::{FaultAction, RequestLog};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running chaos upstream. Dropping it stops the servers.
pub struct ChaosUpstream {
    shared: Arc<ChaosShared>,
    /// The down origins' ports, reserved (bound, not listening) until drop.
    _down: Vec<socket2::Socket>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ChaosUpstream {
    /// Starts one server per origin of `schedule` on 127.0.0.1 (a free port
    /// each; an origin that is down gets a port nobody listens on). The
    /// schedule's clock starts now.
    pub fn start(schedule: Schedule) -> std::io::Result<Self> {
        let mut listeners = Vec::new();
        let mut urls = Vec::new();
        // Ports of down origins: bound, never listening, held for the run.
        let mut down = Vec::new();
        for plan in &schedule.origins {
            let socket = reserve((Ipv4Addr::LOCALHOST, 0).into())?;
            let addr = socket.local_addr()?.as_socket().expect("an inet address");
            urls.push(format!("http://{addr}"));
            // A down origin's port, and the port of an origin refusing from
            // the start, stay bound without listening: refused, and reserved.
            let refusing = plan
                .window_at(Duration::ZERO)
                .is_some_and(|w| w.kind == WindowKind::Refused);
            if plan.down {
                down.push(socket);
                listeners.push(None);
            } else if refusing {
                listeners.push(Some((addr, None, Some(socket))));
            } else {
                listeners.push(Some((addr, Some(listen_on(socket)?), None)));
            }
        }
        let shared = Arc::new(ChaosShared {
            spec: schedule.spec(),
            log: RequestLog::new(),
            urls,
            seen: Mutex::new(HashMap::new()),
            resets: schedule.origins.iter().map(|_| AtomicU64::new(0)).collect(),
            schedule,
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("chaos")
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let serve_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("chaos".into())
            .spawn(move || {
                runtime.block_on(async move {
                    for (origin, l) in listeners.into_iter().enumerate() {
                        let Some((addr, l, reserved)) = l else {
                            continue;
                        };
                        let l = l.map(|l| tokio::net::TcpListener::from_std(l).expect("listener"));
                        let listener =
                            ChaosListener::new(origin, serve_shared.clone(), addr, l, reserved);
                        let state = (origin, serve_shared.clone());
                        let app = axum::Router::new().fallback(handle).with_state(state);
                        tokio::spawn(async move {
                            let _ = axum::serve(listener, app).await;
                        });
                    }
                    let _ = stop_rx.await;
                });
                runtime.shutdown_background();
            })?;
        Ok(Self {
            shared,
            _down: down,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    pub fn schedule(&self) -> &Schedule {
        &self.shared.schedule
    }

    /// `http://127.0.0.1:PORT` of origin `i`.
    pub fn origin_url(&self, i: usize) -> &str {
        &self.shared.urls[i]
    }

    /// The first page of every stream of `style`, origins interleaved.
    pub fn seeds(&self, style: Style) -> Vec<String> {
        let s = &self.shared.schedule;
        let mut seeds = Vec::new();
        for stream in 0..s.streams {
            for (o, plan) in s.origins.iter().enumerate() {
                if plan.streams[stream].style == style {
                    seeds.push(format!(
                        "{}{}",
                        self.shared.urls[o],
                        style.seed_path(stream)
                    ));
                }
            }
        }
        seeds
    }

    /// What a correct crawl with these settings yields.
    pub fn oracle(&self, timing: &Timing) -> Oracle {
        Oracle::new(&self.shared.schedule, &self.shared.urls, timing)
    }

    /// Every request that reached a server (connections reset before a
    /// request was read are counted by [`resets`](Self::resets) instead).
    pub fn log(&self) -> &RequestLog {
        &self.shared.log
    }

    /// Connections reset so far, per origin.
    pub fn resets(&self) -> Vec<u64> {
        self.shared
            .resets
            .iter()
            .map(|r| r.load(Ordering::Relaxed))
            .collect()
    }
}

impl Drop for ChaosUpstream {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn handle(
    State((origin, shared)): State<(usize, Arc<ChaosShared>)>,
    req: Request,
) -> Response {
    shared.log.arrived();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let (parts, _) = req.into_parts();
    let seen = Seen::of(&parts, &[]);
    let (status, response) = respond(&shared, origin, &path).await;
    shared.log.push(origin, path, status, seen);
    response
}

async fn respond(shared: &ChaosShared, origin: usize, path: &str) -> (u16, Response) {
    let plan = &shared.schedule.origins[origin];
    match plan.window_at(shared.now()).map(|w| w.kind) {
        Some(WindowKind::Status503) => return apply_fault(FaultAction::Status(503), None).await,
        Some(WindowKind::RateLimited(secs)) => {
            let retry_after = secs.map(|s| s.to_string());
            return apply_fault(FaultAction::RateLimited { retry_after }, None).await;
        }
        _ => {}
    }
    let Some(page) = route(shared, origin, path) else {
        return (
            404,
            json(StatusCode::NOT_FOUND, "{\"error\":\"no such page\"}".into()),
        );
    };
    let Some(body) = page.body else {
        return (
            404,
            json(StatusCode::NOT_FOUND, "{\"error\":\"past the end\"}".into()),
        );
    };
    let Some(index) = page.index else {
        return (200, json(StatusCode::OK, body));
    };
    let stream = &plan.streams[page.stream];
    if stream.end == End::Html(index) {
        return apply_fault(FaultAction::Html, None).await;
    }
    let nth = {
        let mut seen = shared.seen.lock().unwrap();
        let n = seen.entry((origin, page.stream, index)).or_default();
        *n += 1;
        *n - 1
    };
    match stream.faults.get(&index).and_then(|f| f.get(nth)) {
        Some(fault) => {
            let (status, mut resp) = apply_fault(action(*fault), Some(body)).await;
            // `apply_fault` answers the page as JSON; keep the header right.
            resp.headers_mut()
                .entry(header::CONTENT_TYPE)
                .or_insert(HeaderValue::from_static("application/json"));
            (status, resp)
        }
        None => (200, json(StatusCode::OK, body)),
    }
}

fn action(fault: Transient) -> FaultAction {
    match fault {
        Transient::Status503 => FaultAction::Status(503),
        Transient::RateLimited(secs) => FaultAction::RateLimited {
            retry_after: secs.map(|s| s.to_string()),
        },
        Transient::Stall => FaultAction::Stall,
        Transient::Trickle => FaultAction::Trickle(TRICKLE_EVERY),
        Transient::SlowFirstByte(d) => FaultAction::Delay(d),
    }
}

/// A request for a page of a stream.
struct Page {
    stream: usize,
    /// The page's index when it may draw page faults (a served page, at an
    /// offset on the stream's step).
    index: Option<usize>,
    /// `None`: a 404.
    body: Option<String>,
}

fn route(shared: &ChaosShared, origin: usize, path: &str) -> Option<Page> {
    let s = &shared.schedule;
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let param = |name: &str| -> Option<usize> {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse().ok())
    };
    let (style, stream, page) = if let Some(rest) = path.strip_prefix("/s/") {
        let (stream, page) = rest.split_once("/p/")?;
        (Style::JsonLink, stream.parse().ok()?, page.parse().ok()?)
    } else {
        let (prefix, stream) = path.strip_prefix('/')?.split_once("/s/")?;
        let stream: usize = stream.parse().ok()?;
        match prefix {
            "cursor" => {
                let cursor = param("cursor").unwrap_or(CURSOR_BASE);
                (Style::Cursor, stream, cursor.checked_sub(CURSOR_BASE)?)
            }
            "offset" => (Style::Offset, stream, 0),
            "pages" => (Style::PageNumber, stream, param("page")?.checked_sub(1)?),
            "open" => (Style::OpenPages, stream, param("page")?.checked_sub(1)?),
            _ => return None,
        }
    };
    let plan = s.origins[origin].streams.get(stream)?;
    if plan.style != style {
        return None;
    }
    let n = s.pages * RECORDS_PER_PAGE;
    let records = |from: usize, to: usize| -> String {
        let to = to.min(n);
        let list: Vec<String> = (from.min(to)..to)
            .map(|i| shared.spec.record(origin, stream, i))
            .collect();
        format!("[{}]", list.join(","))
    };
    let full = |p: usize| records(p * RECORDS_PER_PAGE, (p + 1) * RECORDS_PER_PAGE);
    let served = |p: usize| (p < s.pages).then_some(p);
    let page = match style {
        Style::JsonLink => {
            let next = match plan.end {
                End::Foreign { page: at, to } if at == page => {
                    format!(
                        "\"{}\"",
                        foreign_link(&shared.urls[to], origin, stream, page + 1)
                    )
                }
                _ if page + 1 < s.pages => {
                    format!("\"{}/s/{stream}/p/{}\"", shared.urls[origin], page + 1)
                }
                _ => "null".into(),
            };
            Page {
                stream,
                index: served(page),
                body: served(page).map(|p| format!("{{\"data\":{},\"next\":{next}}}", full(p))),
            }
        }
        Style::Cursor => {
            let next = if page + 1 < s.pages {
                (CURSOR_BASE + page + 1).to_string()
            } else {
                "null".into()
            };
            Page {
                stream,
                index: served(page),
                body: served(page).map(|p| {
                    format!(
                        "{{\"data\":{},\"meta\":{{\"next_cursor\":{next}}}}}",
                        full(p)
                    )
                }),
            }
        }
        Style::Offset => {
            let offset = param("offset").unwrap_or(0);
            let limit = param("limit").unwrap_or(RECORDS_PER_PAGE);
            let step = plan.step();
            let take = limit.min(plan.cap.unwrap_or(usize::MAX));
            Page {
                stream,
                index: (offset % step == 0 && offset < n).then_some(offset / step),
                body: Some(format!(
                    "{{\"data\":{},\"total\":{n}}}",
                    records(offset, offset.saturating_add(take))
                )),
            }
        }
        Style::PageNumber => Page {
            stream,
            index: served(page),
            body: Some(format!(
                "{{\"data\":{},\"total_pages\":{}}}",
                full(page),
                s.pages
            )),
        },
        Style::OpenPages => Page {
            stream,
            index: served(page),
            body: if page < s.pages || !s.kinds.past_end_404 {
                Some(format!("{{\"data\":{}}}", full(page)))
            } else {
                None
            },
        },
    };
    Some(page)
}

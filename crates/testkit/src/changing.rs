//! An API whose records change between passes, for incremental harvests:
//! one origin serving `GET /orders?updated_since=T&cursor=N&limit=L`.
//!
//! Each record is `{"id":N,"version":V,"updated_at":"2024-01-01T00:00:00Z"}`.
//! The API sorts by `(updated_at, id)` and returns the records with
//! `updated_at >= updated_since` (any RFC 3339 offset; `>=`, as most APIs
//! filter, so the last pass's newest records come back), `limit` per page
//! (default 10, at most 100), `{"data":[...],"meta":{"next":"<offset>"|null}}`.
//! Time is the API's own clock in whole seconds after 2024-01-01T00:00:00Z:
//! it moves only when a test adds or updates records, and several records
//! share a second (three per second), so boundaries have ties. The test
//! changes the data between passes ([`ChangingApi::add`],
//! [`ChangingApi::update`]) and checks a harvest against
//! [`ChangingApi::current`]. A malformed `updated_since` is a 400.
//!
//! Each order also has a child page, `GET /orders/{id}/lines`: one page of
//! [`LINES`] records `{"order_id":N,"version":V,"line":K}` (the order's
//! current version), for parent → child harvests.

use crate::log::{RequestLog, Seen};
use crate::server::json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The path records are served at.
pub const ORDERS_PATH: &str = "/orders";
/// The query parameter the API filters by.
pub const SINCE_PARAM: &str = "updated_since";
/// Lines per order on its `/orders/{id}/lines` page.
pub const LINES: u64 = 2;
/// Records that share one second of the API's clock when added together.
pub const PER_SECOND: u64 = 3;

/// The changing API: its records, its clock, its request log.
pub struct ChangingApi {
    shared: Arc<Shared>,
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    table: Mutex<Table>,
    log: RequestLog,
}

#[derive(Default)]
struct Table {
    /// id → (version, seconds after the epoch of the API).
    rows: BTreeMap<u64, (u32, i64)>,
    clock: i64,
    next_id: u64,
}

/// 2024-01-01T00:00:00Z in Unix seconds.
const EPOCH: i64 = 1_704_067_200;

impl ChangingApi {
    /// Starts the API on 127.0.0.1 (a free port) with `records` records.
    pub fn start(records: u64) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            table: Mutex::new(Table::default()),
            log: RequestLog::new(),
        });
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::Builder::new()
            .name("testkit-changing".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(std_listener).expect("listener");
                    let app = axum::Router::new().fallback(handle).with_state(state);
                    tokio::spawn(async move {
                        let _ = axum::serve(listener, app).await;
                    });
                    let _ = stop_rx.await;
                });
            })?;
        let api = Self {
            shared,
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        };
        api.add(records);
        Ok(api)
    }

    /// `http://127.0.0.1:PORT/orders`.
    pub fn url(&self) -> String {
        format!("http://{}{ORDERS_PATH}", self.addr)
    }

    pub fn log(&self) -> &RequestLog {
        &self.shared.log
    }

    /// Adds `n` records, [`PER_SECOND`] per second from the next second on;
    /// returns their ids.
    pub fn add(&self, n: u64) -> Vec<u64> {
        let mut t = self.shared.table.lock().unwrap();
        let ids: Vec<u64> = (t.next_id..t.next_id + n).collect();
        for (i, id) in ids.iter().enumerate() {
            if (i as u64).is_multiple_of(PER_SECOND) {
                t.clock += 1;
            }
            let at = t.clock;
            t.rows.insert(*id, (0, at));
        }
        t.next_id += n;
        ids
    }

    /// Updates the records `ids` (the ones that exist): a new version, at
    /// the next second (all of them at that one second).
    pub fn update(&self, ids: &[u64]) {
        let mut t = self.shared.table.lock().unwrap();
        t.clock += 1;
        let at = t.clock;
        for id in ids {
            if let Some(row) = t.rows.get_mut(id) {
                *row = (row.0 + 1, at);
            }
        }
    }

    /// Every record's `(id, version)` as the API holds them now.
    pub fn current(&self) -> Vec<(u64, u32)> {
        let t = self.shared.table.lock().unwrap();
        t.rows.iter().map(|(id, (v, _))| (*id, *v)).collect()
    }

    /// The `updated_at` text of record `id`.
    pub fn updated_at(&self, id: u64) -> Option<String> {
        let t = self.shared.table.lock().unwrap();
        t.rows.get(&id).map(|(_, at)| timestamp(*at))
    }
}

impl Drop for ChangingApi {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The RFC 3339 text of `at` seconds after the API's epoch.
fn timestamp(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(EPOCH + at)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    shared.log.arrived();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let seen = Seen::of(&parts, &body);
    let table = shared.table.lock().unwrap();
    let (status, text) = if parts.uri.path() == ORDERS_PATH {
        page(&table, parts.uri.query().unwrap_or(""))
    } else if let Some(body) = lines(&table, parts.uri.path()) {
        (StatusCode::OK, body)
    } else {
        (StatusCode::NOT_FOUND, "{\"error\":\"no such page\"}".into())
    };
    drop(table);
    shared.log.push(0, path, status.as_u16(), seen);
    json(status, text)
}

/// The body of `/orders/{id}/lines`, for an order that exists.
fn lines(table: &Table, path: &str) -> Option<String> {
    let id: u64 = path
        .strip_prefix(ORDERS_PATH)?
        .strip_prefix('/')?
        .strip_suffix("/lines")?
        .parse()
        .ok()?;
    let (version, _) = table.rows.get(&id)?;
    let data: Vec<serde_json::Value> = (0..LINES)
        .map(|line| serde_json::json!({ "order_id": id, "version": version, "line": line }))
        .collect();
    Some(serde_json::json!({ "data": data }).to_string())
}

/// One page of the records the query asks for.
fn page(table: &Table, query: &str) -> (StatusCode, String) {
    let mut since = None;
    let mut cursor = 0usize;
    let mut limit = 10usize;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
        match key {
            SINCE_PARAM => match OffsetDateTime::parse(&value, &Rfc3339) {
                Ok(t) => since = Some(t.unix_timestamp_nanos()),
                Err(_) => {
                    let error =
                        serde_json::json!({ "error": format!("bad {SINCE_PARAM}: {value}") });
                    return (StatusCode::BAD_REQUEST, error.to_string());
                }
            },
            "cursor" => cursor = value.parse().unwrap_or(0),
            "limit" => limit = value.parse().unwrap_or(10).clamp(1, 100),
            _ => {}
        }
    }
    let mut rows: Vec<(i64, u64, u32)> = table
        .rows
        .iter()
        .map(|(id, (v, at))| (*at, *id, *v))
        .filter(|(at, _, _)| since.is_none_or(|s| i128::from(EPOCH + at) * 1_000_000_000 >= s))
        .collect();
    rows.sort_unstable();
    let data: Vec<serde_json::Value> = rows
        .iter()
        .skip(cursor)
        .take(limit)
        .map(|(at, id, v)| serde_json::json!({ "id": id, "version": v, "updated_at": timestamp(*at) }))
        .collect();
    let next = (cursor + limit < rows.len()).then(|| (cursor + limit).to_string());
    let body = serde_json::json!({ "data": data, "meta": { "next": next } });
    (StatusCode::OK, body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(table: &Table, query: &str) -> serde_json::Value {
        let (status, body) = page(table, query);
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    fn table(n: usize) -> Table {
        let mut t = Table::default();
        for id in 0..n as u64 {
            if id.is_multiple_of(PER_SECOND) {
                t.clock += 1;
            }
            t.rows.insert(id, (0, t.clock));
        }
        t.next_id = n as u64;
        t
    }

    #[test]
    fn pages_follow_the_cursor_to_the_end() {
        let t = table(25);
        let first = get(&t, "limit=10");
        assert_eq!(first["data"].as_array().unwrap().len(), 10);
        assert_eq!(first["meta"]["next"], "10");
        let last = get(&t, "limit=10&cursor=20");
        assert_eq!(last["data"].as_array().unwrap().len(), 5);
        assert!(last["meta"]["next"].is_null());
    }

    #[test]
    fn since_filters_with_greater_or_equal_in_any_offset() {
        let t = table(9); // seconds 1, 2, 3; three records each
        let at2 = timestamp(2);
        assert_eq!(at2, "2024-01-01T00:00:02Z");
        let since = get(&t, &format!("updated_since={at2}&limit=100"));
        let ids: Vec<u64> = since["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![3, 4, 5, 6, 7, 8],
            "the boundary second comes back"
        );
        let same = get(
            &t,
            "updated_since=2024-01-01T02%3A00%3A02%2B02%3A00&limit=100",
        );
        assert_eq!(same["data"], since["data"], "+02:00 is the same instant");
        let (status, _) = page(&t, "updated_since=yesterday");
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}

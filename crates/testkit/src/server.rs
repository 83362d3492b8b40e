//! The servers: one axum app per origin on its own listener, all on one
//! background runtime.

use crate::auth::AuthState;
use crate::log::Seen;
use crate::{Credential, Fault, FaultAction, RequestLog, TokenPolicy, UpstreamSpec};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

#[cfg(feature = "tls")]
use crate::tls::Tls;
/// Without the `tls` feature there is no TLS to serve.
#[cfg(not(feature = "tls"))]
enum Tls {}

struct Shared {
    spec: UpstreamSpec,
    log: Arc<RequestLog>,
    faults: Mutex<Vec<Fault>>,
    auth: AuthState,
}

#[derive(Clone)]
struct OriginState {
    index: usize,
    port: u16,
    shared: Arc<Shared>,
}

/// A running upstream. Dropping it stops the servers.
pub struct Upstream {
    addrs: Vec<SocketAddr>,
    /// The certificate of an HTTPS upstream, PEM.
    cert_pem: Option<String>,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Upstream {
    /// Starts `spec.origins` servers on 127.0.0.1, each on a free port.
    pub fn start(spec: UpstreamSpec) -> std::io::Result<Self> {
        Self::start_bound(spec, |_| Ipv4Addr::LOCALHOST, None)
    }

    /// Like [`start`](Self::start), over HTTPS with HTTP/2 offered (see
    /// `tls.rs`): clients must trust [`ca_pem`](Self::ca_pem). Absolute next
    /// links say `http`, so use a relative [`LinkStyle`](crate::LinkStyle).
    #[cfg(feature = "tls")]
    pub fn start_tls(spec: UpstreamSpec) -> std::io::Result<Self> {
        let tls = crate::tls::Tls::generate()?;
        Self::start_bound(spec, |_| Ipv4Addr::LOCALHOST, Some(tls))
    }

    /// The certificate of an upstream from [`start_tls`](Self::start_tls), PEM.
    pub fn ca_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// Starts `spec.origins` servers, origin `i` on its own loopback address
    /// [`loopback_host`]`(i)` (Linux routes all of 127/8 to `lo`), each on a
    /// free port: many distinct origins without exhausting one address's
    /// ports. Every origin costs one listening socket. Absolute next links
    /// name 127.0.0.1, so use a relative [`LinkStyle`](crate::LinkStyle).
    pub fn start_many(spec: UpstreamSpec) -> std::io::Result<Self> {
        Self::start_bound(spec, loopback_host, None)
    }

    fn start_bound(
        spec: UpstreamSpec,
        ip: impl Fn(usize) -> Ipv4Addr,
        tls: Option<Tls>,
    ) -> std::io::Result<Self> {
        let cert_pem = tls.as_ref().map(Tls::cert_pem);
        let shared = Arc::new(Shared {
            spec,
            log: Arc::new(RequestLog::new()),
            faults: Mutex::new(Vec::new()),
            auth: AuthState::default(),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("testkit")
            .enable_all()
            .build()?;
        let mut listeners = Vec::new();
        for i in 0..shared.spec.origins {
            let std_listener = std::net::TcpListener::bind((ip(i), 0))?;
            std_listener.set_nonblocking(true)?;
            listeners.push(std_listener);
        }
        let addrs = listeners
            .iter()
            .map(|l| l.local_addr())
            .collect::<Result<Vec<_>, _>>()?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let serve_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("testkit".into())
            .spawn(move || {
                runtime.block_on(async move {
                    for (index, std_listener) in listeners.into_iter().enumerate() {
                        let listener =
                            tokio::net::TcpListener::from_std(std_listener).expect("listener");
                        let port = listener.local_addr().expect("addr").port();
                        let state = OriginState {
                            index,
                            port,
                            shared: serve_shared.clone(),
                        };
                        let app = axum::Router::new().fallback(handle).with_state(state);
                        serve(listener, app, tls.as_ref());
                    }
                    let _ = stop_rx.await;
                });
                runtime.shutdown_background();
            })?;
        Ok(Self {
            addrs,
            cert_pem,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    pub fn spec(&self) -> &UpstreamSpec {
        &self.shared.spec
    }

    /// `http://127.0.0.1:PORT` of origin `i` (`https` for [`start_tls`](Self::start_tls)).
    pub fn origin_url(&self, i: usize) -> String {
        let scheme = if self.cert_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addrs[i])
    }

    /// The first page of every stream served in `route`'s style, origins
    /// interleaved.
    pub fn seeds_for(&self, route: crate::Route) -> Vec<String> {
        let spec = &self.shared.spec;
        let mut seeds = Vec::with_capacity(spec.origins * spec.streams);
        for s in 0..spec.streams {
            for o in 0..spec.origins {
                seeds.push(format!("{}{}", self.origin_url(o), route.seed_path(s)));
            }
        }
        seeds
    }

    /// The first page of every stream, origins interleaved.
    pub fn seeds(&self) -> Vec<String> {
        let spec = &self.shared.spec;
        let mut seeds = Vec::with_capacity(spec.origins * spec.streams);
        for s in 0..spec.streams {
            for o in 0..spec.origins {
                seeds.push(format!("{}/s/{s}/p/0", self.origin_url(o)));
            }
        }
        seeds
    }

    pub fn log(&self) -> &RequestLog {
        &self.shared.log
    }

    /// Adds a fault rule; rules are tried in the order added, first match wins.
    pub fn add_fault(&self, fault: Fault) {
        self.shared.faults.lock().unwrap().push(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.faults.lock().unwrap().clear();
    }

    /// Origin `origin` answers 401 to every request without `credential`.
    pub fn require_credential(&self, origin: usize, credential: Credential) {
        self.shared.auth.require(origin, credential);
    }

    /// How the token endpoint (`POST /oauth/token`, any origin) issues tokens.
    pub fn set_token_policy(&self, policy: TokenPolicy) {
        self.shared.auth.set_policy(policy);
    }

    /// `http://127.0.0.1:PORT/oauth/token` of origin `i`.
    pub fn token_url(&self, i: usize) -> String {
        format!("{}{}", self.origin_url(i), crate::auth::TOKEN_PATH)
    }

    /// Token requests received so far (granted or not).
    pub fn token_requests(&self) -> u64 {
        self.shared.auth.token_requests()
    }

    /// Requests refused with 401 by a credential check so far.
    pub fn refused_requests(&self) -> u64 {
        self.shared.auth.refused()
    }
}

/// The loopback address of origin `i` in [`Upstream::start_many`]:
/// `127.1.(i / 250).(1 + i % 250)`, distinct for `i < 64,000`.
pub fn loopback_host(i: usize) -> Ipv4Addr {
    assert!(i < 64_000, "at most 64,000 loopback origins");
    Ipv4Addr::new(127, 1, (i / 250) as u8, (1 + i % 250) as u8)
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Tls {
    fn cert_pem(&self) -> String {
        #[cfg(feature = "tls")]
        return self.cert_pem.clone();
        #[cfg(not(feature = "tls"))]
        match *self {}
    }
}

/// Serves `app` on `listener`, over TLS when `tls` is given.
fn serve(listener: tokio::net::TcpListener, app: axum::Router, tls: Option<&Tls>) {
    #[cfg(feature = "tls")]
    if let Some(tls) = tls {
        let listener = crate::tls::TlsListener::new(listener, tls.acceptor.clone());
        tokio::spawn(async move {
            if let Ok(listener) = listener {
                let _ = axum::serve(listener, app).await;
            }
        });
        return;
    }
    #[cfg(not(feature = "tls"))]
    let _: Option<&Tls> = tls;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

async fn handle(State(origin): State<OriginState>, req: Request) -> Response {
    origin.shared.log.arrived();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let shared = &origin.shared;
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let seen = Seen::of(&parts, &body);
    let checked = shared
        .auth
        .intercept(origin.index, &parts.method, &path, &parts.headers, &body);
    if let Some((status, body)) = checked {
        shared.log.push(origin.index, path, status.as_u16(), seen);
        return json(status, body);
    }
    let fault = {
        let mut faults = shared.faults.lock().unwrap();
        faults
            .iter_mut()
            .find_map(|f| f.fires(origin.index, &path).then(|| f.action.clone()))
    };
    let page = match parse_page_path(&path) {
        Some((s, p)) => shared
            .spec
            .page_body(origin.index, origin.port, s, p)
            .map(|body| (body, Vec::new())),
        None => crate::styles::respond(&shared.spec, origin.index, &path).or_else(|| {
            crate::children::respond(origin.port, &path)
                .or_else(|| crate::detail::respond(&path))
                .or_else(|| crate::hop::respond(&path))
                .map(|body| (body, Vec::new()))
        }),
    };
    let (status, response) = match (fault, page) {
        (Some(action), page) => apply_fault(action, page.map(|(body, _)| body)).await,
        (None, Some((body, headers))) => {
            let mut resp = json(StatusCode::OK, body);
            for (name, value) in headers {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    resp.headers_mut().append(name, value);
                }
            }
            (200, resp)
        }
        (None, None) => (
            404,
            json(StatusCode::NOT_FOUND, "{\"error\":\"no such page\"}".into()),
        ),
    };
    shared.log.push(origin.index, path, status, seen);
    response
}

pub(crate) async fn apply_fault(action: FaultAction, page: Option<String>) -> (u16, Response) {
    let page = page.unwrap_or_else(|| "{\"data\":[]}".into());
    match action {
        FaultAction::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                code,
                json(status, format!("{{\"error\":\"injected {code}\"}}")),
            )
        }
        FaultAction::RateLimited { retry_after } => {
            let mut resp = json(
                StatusCode::TOO_MANY_REQUESTS,
                "{\"error\":\"rate limited\"}".into(),
            );
            if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
                resp.headers_mut().insert(header::RETRY_AFTER, value);
            }
            (429, resp)
        }
        FaultAction::Delay(d) => {
            tokio::time::sleep(d).await;
            (200, json(StatusCode::OK, page))
        }
        FaultAction::Stall => {
            let head = Bytes::from(page.as_bytes()[..page.len() / 2].to_vec());
            let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(head) })
                .chain(futures::stream::pending());
            (200, streamed(page.len(), Body::from_stream(stream)))
        }
        FaultAction::Trickle(every) => {
            let bytes = Bytes::from(page.clone().into_bytes());
            let len = bytes.len();
            let stream = futures::stream::iter(0..len).then(move |i| {
                let byte = bytes.slice(i..i + 1);
                async move {
                    tokio::time::sleep(every).await;
                    Ok::<_, std::io::Error>(byte)
                }
            });
            (200, streamed(len, Body::from_stream(stream)))
        }
        FaultAction::Truncate => {
            let head = Bytes::from(page.as_bytes()[..page.len() / 2].to_vec());
            let stream = futures::stream::iter([
                Ok(head),
                Err(std::io::Error::other("injected truncation")),
            ]);
            (200, streamed(page.len(), Body::from_stream(stream)))
        }
        FaultAction::Redirect(location) => {
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = StatusCode::FOUND;
            if let Ok(value) = HeaderValue::from_str(&location) {
                resp.headers_mut().insert(header::LOCATION, value);
            }
            (302, resp)
        }
        FaultAction::Encoded(coding) => {
            let body = crate::encode::encode(coding, page.as_bytes());
            let mut resp = Response::new(Body::from(body));
            let headers = resp.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
            (200, resp)
        }
        FaultAction::GzipBomb(size) => {
            let body = crate::encode::encode("gzip", &vec![b' '; size]);
            let mut resp = Response::new(Body::from(body));
            resp.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            (200, resp)
        }
        FaultAction::NextLink(to) => (
            200,
            json(StatusCode::OK, crate::faults::with_next(&page, &to)),
        ),
        FaultAction::Headers(headers) => {
            let mut resp = json(StatusCode::OK, page);
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) = (
                    header::HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    resp.headers_mut().append(name, value);
                }
            }
            (200, resp)
        }
        FaultAction::Html => {
            let mut resp = Response::new(Body::from("<html><body>Maintenance</body></html>"));
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            (200, resp)
        }
    }
}

use futures::StreamExt;

pub(crate) fn json(status: StatusCode, body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn streamed(len: usize, body: Body) -> Response {
    let mut resp = Response::new(body);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

/// `/s/{stream}/p/{page}` → (stream, page).
fn parse_page_path(path: &str) -> Option<(usize, usize)> {
    let rest = path.strip_prefix("/s/")?;
    let (stream, rest) = rest.split_once("/p/")?;
    let page = rest.split(['?', '#']).next()?;
    Some((stream.parse().ok()?, page.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths() {
        assert_eq!(parse_page_path("/s/3/p/7"), Some((3, 7)));
        assert_eq!(parse_page_path("/s/3/p/7?x=1"), Some((3, 7)));
        assert_eq!(parse_page_path("/s/x/p/7"), None);
        assert_eq!(parse_page_path("/other"), None);
    }

    #[test]
    fn many_origins_listen_on_distinct_loopback_addresses() {
        let up = Upstream::start_many(UpstreamSpec {
            origins: 300,
            link: crate::LinkStyle::RootRelative,
            ..Default::default()
        })
        .unwrap();
        assert!(up.origin_url(0).starts_with("http://127.1.0.1:"));
        assert!(up.origin_url(299).starts_with("http://127.1.1.50:"));
        // A plain request to the last origin is served and logged as it.
        let addr = up.origin_url(299).trim_start_matches("http://").to_string();
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        use std::io::{Read, Write};
        stream
            .write_all(b"GET /s/0/p/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut buf = String::new();
        stream.read_to_string(&mut buf).unwrap();
        assert!(buf.contains("\"next\":\"/s/0/p/1\""), "{buf}");
        assert_eq!(up.log().first().map(|r| r.origin), Some(299));
    }

    #[test]
    fn a_held_request_is_received_before_it_is_logged() {
        let up = Upstream::start(UpstreamSpec {
            origins: 1,
            ..Default::default()
        })
        .unwrap();
        up.add_fault(Fault::new(FaultAction::Delay(
            std::time::Duration::from_secs(600),
        )));
        let addr = up.origin_url(0).trim_start_matches("http://").to_string();
        let client = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream
                .write_all(b"GET /s/0/p/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            // Ends when the upstream is dropped.
            let _ = stream.read_to_end(&mut Vec::new());
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while up.log().received() == 0 {
            assert!(std::time::Instant::now() < deadline, "never received");
            std::thread::yield_now();
        }
        assert_eq!(up.log().len(), 0, "held: not answered, so not logged");
        up.log().clear();
        assert_eq!(up.log().received(), 0);
        drop(up);
        client.join().unwrap();
    }

    #[test]
    fn serves_pages_and_logs_them() {
        let up = Upstream::start(UpstreamSpec {
            origins: 2,
            ..Default::default()
        })
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (ok, missing) = rt.block_on(async {
            let get = |url: String| async move {
                let stream = tokio::net::TcpStream::connect(
                    url.trim_start_matches("http://").split('/').next().unwrap(),
                )
                .await
                .unwrap();
                let path = format!(
                    "/{}",
                    url.trim_start_matches("http://").split_once('/').unwrap().1
                );
                let (mut r, mut w) = stream.into_split();
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                w.write_all(
                    format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await
                .unwrap();
                let mut buf = String::new();
                r.read_to_string(&mut buf).await.unwrap();
                buf
            };
            (
                get(up.seeds()[1].clone()).await,
                get(format!("{}/nope", up.origin_url(0))).await,
            )
        });
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(ok.contains("\"next\":\"http://127.0.0.1:"));
        assert!(missing.starts_with("HTTP/1.1 404"));
        let log = up.log().snapshot();
        assert_eq!(log.len(), 2);
        assert_eq!(
            (log[0].origin, log[0].path.as_str(), log[0].status),
            (1, "/s/0/p/0", 200)
        );
    }
}

//! Connection-level chaos: a listener that really goes away during a refused
//! window (no listening socket on the port: connections are refused) and
//! comes back on the same port, and connections that are reset (RST) when
//! used while their origin is unreachable. While refusing, the port stays
//! *reserved* by a bound socket that does not listen, so no other server
//! (another test binding port 0) can take it meanwhile.

use super::shared::ChaosShared;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// One origin's listener, following its schedule's refused windows.
pub(crate) struct ChaosListener {
    origin: usize,
    shared: Arc<ChaosShared>,
    addr: SocketAddr,
    /// `None` while refusing.
    inner: Option<TcpListener>,
    /// While refusing: the port, bound and not listening.
    reserved: Option<socket2::Socket>,
}

impl ChaosListener {
    /// Serves `addr`: on `listener`, or (refusing) listens on `reserved`
    /// when due.
    pub(crate) fn new(
        origin: usize,
        shared: Arc<ChaosShared>,
        addr: SocketAddr,
        listener: Option<TcpListener>,
        reserved: Option<socket2::Socket>,
    ) -> Self {
        Self {
            origin,
            shared,
            addr,
            inner: listener,
            reserved,
        }
    }
}

/// A socket bound to `addr` (port 0: a free one) that does not listen:
/// connections to it are refused, and no one else can bind the port.
pub(crate) fn reserve(addr: SocketAddr) -> io::Result<socket2::Socket> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    Ok(socket)
}

/// Starts listening on a reserved socket.
pub(crate) fn listen_on(socket: socket2::Socket) -> io::Result<std::net::TcpListener> {
    socket.listen(1024)?;
    let listener: std::net::TcpListener = socket.into();
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Binds `addr` again, as soon as the system lets it (a socket of the old
/// listener may hold the port for a moment).
async fn rebind(addr: SocketAddr) -> TcpListener {
    let mut tries = 0u32;
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(e) => {
                tries += 1;
                if tries == 200 {
                    eprintln!("chaos: cannot listen on {addr} again yet: {e}");
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

impl axum::serve::Listener for ChaosListener {
    type Io = ChaosIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let now = self.shared.now();
            let plan = &self.shared.schedule.origins[self.origin];
            if let Some(w) = plan
                .window_at(now)
                .filter(|w| w.kind == super::WindowKind::Refused)
            {
                // The port stops listening (connects are refused) but stays ours.
                if self.inner.take().is_some() {
                    self.reserved = reserve(self.addr).ok();
                }
                tokio::time::sleep(w.to.saturating_sub(now)).await;
                continue;
            }
            if self.inner.is_none() {
                let listening = self
                    .reserved
                    .take()
                    .and_then(|s| listen_on(s).ok())
                    .and_then(|l| TcpListener::from_std(l).ok());
                self.inner = Some(match listening {
                    Some(l) => l,
                    None => rebind(self.addr).await,
                });
            }
            let listener = self.inner.as_ref().expect("listening");
            let next = plan.next_refusal(now);
            let refusal = async move {
                match next {
                    Some(at) => tokio::time::sleep(at.saturating_sub(now)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                conn = listener.accept() => match conn {
                    Ok((tcp, addr)) => {
                        let _ = tcp.set_nodelay(true);
                        let io = ChaosIo { tcp, origin: self.origin, shared: self.shared.clone() };
                        return (io, addr);
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                },
                () = refusal => {}
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// A served connection that breaks (reset, RST) as soon as it is read or
/// written while its origin is unreachable.
pub(crate) struct ChaosIo {
    tcp: TcpStream,
    origin: usize,
    shared: Arc<ChaosShared>,
}

impl ChaosIo {
    /// `Some(error)` when the connection must break now.
    fn broken(&self) -> Option<io::Error> {
        let plan = &self.shared.schedule.origins[self.origin];
        if !plan.unreachable_at(self.shared.now()) {
            return None;
        }
        // Closing with a zero linger sends RST, not FIN.
        let _ = self.tcp.set_zero_linger();
        self.shared.count_reset(self.origin);
        Some(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "chaos: origin unreachable",
        ))
    }
}

impl AsyncRead for ChaosIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(e) = self.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for ChaosIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

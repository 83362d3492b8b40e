//! Connection-level chaos: a listener that really goes away during a refused
//! window (no socket on the port: connections are refused) and comes back on
//! the same port, and connections that are reset (RST) when used while
//! their origin is unreachable.

use super::serve::ChaosShared;
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
}

impl ChaosListener {
    /// Serves `addr`, on `listener` (`None`: refusing, bind when due).
    pub(crate) fn new(
        origin: usize,
        shared: Arc<ChaosShared>,
        addr: SocketAddr,
        listener: Option<TcpListener>,
    ) -> Self {
        Self {
            origin,
            shared,
            addr,
            inner: listener,
        }
    }
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
                self.inner = None; // the port closes: connects are refused
                tokio::time::sleep(w.to.saturating_sub(now)).await;
                continue;
            }
            if self.inner.is_none() {
                self.inner = Some(rebind(self.addr).await);
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

//! HTTPS origins (feature `tls`): a self-signed certificate for `127.0.0.1`
//! and `localhost`, made when the upstream starts, offered with ALPN `h2`
//! and `http/1.1`. A client that trusts [`Upstream::ca_pem`] gets HTTP/2,
//! as from any API served over TLS; the request log names the version.
//!
//! [`Upstream::ca_pem`]: crate::Upstream::ca_pem

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Longest a client may take over its TLS handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// The server side of TLS: its config and the certificate, PEM.
pub(crate) struct Tls {
    pub acceptor: TlsAcceptor,
    pub cert_pem: String,
}

impl Tls {
    pub fn generate() -> io::Result<Self> {
        let other = |e: &dyn std::fmt::Display| io::Error::other(e.to_string());
        let key = rcgen::KeyPair::generate().map_err(|e| other(&e))?;
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
            .map_err(|e| other(&e))?;
        let cert = params.self_signed(&key).map_err(|e| other(&e))?;
        let key_der = rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| other(&e))?
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key_der.into())
            .map_err(|e| other(&e))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            cert_pem: cert.pem(),
        })
    }
}

/// A listener whose connections have done their TLS handshake (each on its
/// own task, so a slow or failed handshake holds no other connection up).
pub(crate) struct TlsListener {
    handshaken: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let (tx, handshaken) = tokio::sync::mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (tcp, addr) = match listener.accept().await {
                    Ok(conn) => conn,
                    Err(_) => {
                        // Out of descriptors, say: wait, as axum's own loop does.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    // A client that does not trust the certificate hangs up
                    // here; one that says nothing is dropped after a while.
                    let handshake = tokio::time::timeout(HANDSHAKE, acceptor.accept(tcp));
                    if let Ok(Ok(tls)) = handshake.await {
                        let _ = tx.send((tls, addr)).await;
                    }
                });
            }
        });
        Ok(Self { handshaken, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.handshaken.recv().await {
            Some(conn) => conn,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

//! A loopback port that refuses connections until it is opened, then
//! forwards each connection to an upstream origin: an origin outage with
//! real "connection refused" errors, over a port that stays reserved (the
//! socket is bound from the start; it just does not listen).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;

/// A port that refuses until [`Gate::open`].
pub struct Gate {
    socket: Option<socket2::Socket>,
    addr: SocketAddr,
}

impl Gate {
    pub fn closed() -> Self {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&any.into()).expect("bind");
        let addr = socket
            .local_addr()
            .unwrap()
            .as_socket()
            .expect("an inet address");
        Self {
            socket: Some(socket),
            addr,
        }
    }

    /// `http://127.0.0.1:PORT`: the origin harvest is pointed at.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts listening; every connection is forwarded to `to` (`host:port`).
    pub fn open(&mut self, to: SocketAddr) {
        let socket = self.socket.take().expect("opened once");
        socket.listen(128).expect("listen");
        let listener: std::net::TcpListener = socket.into();
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                thread::spawn(move || forward(client, to));
            }
        });
    }
}

fn forward(client: TcpStream, to: SocketAddr) {
    let Ok(server) = TcpStream::connect(to) else {
        return;
    };
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    thread::spawn(move || pipe(c2, s2));
    pipe(server, client);
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16 << 10];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

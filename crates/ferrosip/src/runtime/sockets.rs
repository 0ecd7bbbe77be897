//! The sockets behind the stack's transports and connections, non-blocking,
//! registered with one `mio::Poll`.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::SocketAddr;

use bytes::Bytes;
use mio::net::{TcpListener, TcpStream, UdpSocket};
use mio::{Interest, Registry, Token};
use sip_core::transport::{ConnectionId, TransportId};

/// Token of the waker.
pub(super) const WAKER: Token = Token(0);
/// Tokens of transports start here (transport id + 1).
const TRANSPORT_BASE: usize = 1;
/// Tokens of connections start here (connection id + base).
const CONNECTION_BASE: usize = 1 << 32;

/// What a token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    Waker,
    Transport(TransportId),
    Connection(ConnectionId),
}

pub(super) fn owner(token: Token) -> Owner {
    match token.0 {
        0 => Owner::Waker,
        n if n >= CONNECTION_BASE => Owner::Connection(ConnectionId((n - CONNECTION_BASE) as u64)),
        n => Owner::Transport(TransportId((n - TRANSPORT_BASE) as u32)),
    }
}

fn transport_token(id: TransportId) -> Token {
    Token(TRANSPORT_BASE + id.0 as usize)
}

fn connection_token(id: ConnectionId) -> Token {
    Token(CONNECTION_BASE + id.0 as usize)
}

/// A bound transport socket.
#[derive(Debug)]
pub(super) enum Listener {
    Udp(UdpSocket),
    Tcp(TcpListener),
}

/// One stream connection and what waits to be written on it.
#[derive(Debug)]
pub(super) struct Stream {
    socket: TcpStream,
    /// Still connecting (outbound): waiting for writability to learn the result.
    connecting: bool,
    out: Vec<u8>,
    /// Interest currently registered includes WRITABLE.
    wants_write: bool,
}

/// Every socket of a runtime.
#[derive(Debug, Default)]
pub(super) struct Sockets {
    pub(super) listeners: HashMap<TransportId, Listener>,
    pub(super) streams: HashMap<ConnectionId, Stream>,
    /// Datagrams the kernel refused for lack of buffer space (dropped; the
    /// transaction layer retransmits).
    pub(super) udp_send_drops: u64,
    /// Where datagrams are read into, reused (sized on first use).
    pub(super) recv_buffer: Vec<u8>,
}

/// What reading a stream found.
pub(super) enum StreamRead {
    /// Bytes read (possibly none).
    Data(Vec<u8>),
    /// The peer closed, or the connection failed.
    Closed,
}

/// The receive (and send) buffer asked for UDP sockets: room for a burst of
/// a few thousand SIP datagrams. The kernel may grant less (Linux caps it at
/// `net.core.rmem_max`).
const UDP_BUFFER: usize = 4 << 20;

/// A non-blocking UDP socket bound to `addr`, with large buffers.
pub(super) fn bind_udp(addr: SocketAddr) -> io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    // Best effort: a smaller buffer still works.
    let _ = socket.set_recv_buffer_size(UDP_BUFFER);
    let _ = socket.set_send_buffer_size(UDP_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    Ok(UdpSocket::from_std(socket.into()))
}

impl Sockets {
    pub(super) fn add_udp(
        &mut self,
        registry: &Registry,
        id: TransportId,
        mut socket: UdpSocket,
    ) -> io::Result<()> {
        registry.register(&mut socket, transport_token(id), Interest::READABLE)?;
        self.listeners.insert(id, Listener::Udp(socket));
        Ok(())
    }

    pub(super) fn add_tcp(
        &mut self,
        registry: &Registry,
        id: TransportId,
        mut listener: TcpListener,
    ) -> io::Result<()> {
        registry.register(&mut listener, transport_token(id), Interest::READABLE)?;
        self.listeners.insert(id, Listener::Tcp(listener));
        Ok(())
    }

    /// Sends a datagram; a full buffer drops it, other errors are returned.
    pub(super) fn send_datagram(
        &mut self,
        transport: TransportId,
        destination: SocketAddr,
        payload: &[u8],
    ) -> io::Result<()> {
        let Some(Listener::Udp(socket)) = self.listeners.get(&transport) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no such UDP transport",
            ));
        };
        match socket.send_to(payload, destination) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.udp_send_drops += 1;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Starts a non-blocking connect.
    pub(super) fn connect(
        &mut self,
        registry: &Registry,
        connection: ConnectionId,
        remote: SocketAddr,
    ) -> io::Result<()> {
        let mut socket = TcpStream::connect(remote)?;
        registry.register(
            &mut socket,
            connection_token(connection),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        self.streams.insert(
            connection,
            Stream {
                socket,
                connecting: true,
                out: Vec::new(),
                wants_write: true,
            },
        );
        Ok(())
    }

    /// Registers an accepted connection.
    pub(super) fn adopt(
        &mut self,
        registry: &Registry,
        connection: ConnectionId,
        mut socket: TcpStream,
    ) -> io::Result<()> {
        registry.register(
            &mut socket,
            connection_token(connection),
            Interest::READABLE,
        )?;
        self.streams.insert(
            connection,
            Stream {
                socket,
                connecting: false,
                out: Vec::new(),
                wants_write: false,
            },
        );
        Ok(())
    }

    /// After a writable event on a connecting stream: `Some(true)` once
    /// connected, `Some(false)` if the connect failed, `None` if still pending
    /// or not connecting.
    pub(super) fn finish_connect(&mut self, connection: ConnectionId) -> Option<bool> {
        let stream = self.streams.get_mut(&connection)?;
        if !stream.connecting {
            return None;
        }
        if let Ok(Some(_)) | Err(_) = stream.socket.take_error() {
            return Some(false);
        }
        match stream.socket.peer_addr() {
            Ok(_) => {
                stream.connecting = false;
                Some(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotConnected => None,
            Err(_) => Some(false),
        }
    }

    /// Queues bytes and writes what the socket takes.
    pub(super) fn write(
        &mut self,
        registry: &Registry,
        connection: ConnectionId,
        payload: &Bytes,
    ) -> io::Result<()> {
        let Some(stream) = self.streams.get_mut(&connection) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no such connection",
            ));
        };
        stream.out.extend_from_slice(payload);
        Self::flush(registry, connection, stream)
    }

    /// Writes queued bytes after a writable event.
    pub(super) fn flush_connection(
        &mut self,
        registry: &Registry,
        connection: ConnectionId,
    ) -> io::Result<()> {
        match self.streams.get_mut(&connection) {
            Some(stream) => Self::flush(registry, connection, stream),
            None => Ok(()),
        }
    }

    fn flush(registry: &Registry, connection: ConnectionId, stream: &mut Stream) -> io::Result<()> {
        if stream.connecting {
            return Ok(());
        }
        while !stream.out.is_empty() {
            match stream.socket.write(&stream.out) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "wrote nothing")),
                Ok(n) => {
                    stream.out.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let wants_write = !stream.out.is_empty();
        if wants_write != stream.wants_write {
            let interest = if wants_write {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            registry.reregister(&mut stream.socket, connection_token(connection), interest)?;
            stream.wants_write = wants_write;
        }
        Ok(())
    }

    /// Reads everything available.
    pub(super) fn read(&mut self, connection: ConnectionId) -> StreamRead {
        let Some(stream) = self.streams.get_mut(&connection) else {
            return StreamRead::Closed;
        };
        let mut data = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match stream.socket.read(&mut buf) {
                Ok(0) => return StreamRead::Closed,
                Ok(n) => data.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return StreamRead::Data(data),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return StreamRead::Closed,
            }
        }
    }

    /// The peer of a connection.
    pub(super) fn peer(&self, connection: ConnectionId) -> Option<SocketAddr> {
        self.streams.get(&connection)?.socket.peer_addr().ok()
    }

    /// Closes and forgets a connection.
    pub(super) fn close(&mut self, registry: &Registry, connection: ConnectionId) {
        if let Some(mut stream) = self.streams.remove(&connection) {
            let _ = registry.deregister(&mut stream.socket);
            let _ = stream.socket.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Closes and forgets a transport's socket (UDP or listening TCP);
    /// connections it accepted stay until they close.
    pub(super) fn close_listener(&mut self, registry: &Registry, transport: TransportId) -> bool {
        match self.listeners.remove(&transport) {
            Some(Listener::Udp(mut socket)) => {
                let _ = registry.deregister(&mut socket);
                true
            }
            Some(Listener::Tcp(mut listener)) => {
                let _ = registry.deregister(&mut listener);
                true
            }
            None => false,
        }
    }
}

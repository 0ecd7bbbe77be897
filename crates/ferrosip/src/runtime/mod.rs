//! The runtime: real sockets, the clock and a poller driving the sans-IO
//! [`Stack`].
//!
//! One call, [`Runtime::run_once`], is the whole loop: wait (at most a given
//! time) for a socket or the next timer, feed what arrived to the stack, fire
//! due timers, carry out what the stack wants sent, and return the events for
//! the transaction user. PJSUA2's `libHandleEvents(ms)` is this call on the
//! application's thread; worker threads (`threadCnt > 0`) call it in a loop.
//! Only one thread waits in the poller at a time; commands from any thread
//! ([`Runtime::with_stack`]) take the stack's lock briefly and wake the poller
//! so that it re-reads the next deadline.
//!
//! The poller is `mio` (epoll on Linux): a blocking wait with a timeout is
//! exactly the shape of `libHandleEvents`, and the stack keeps its own timers,
//! so no async executor drives SIP. DNS (RFC 3263) is the exception: the
//! stack's questions go to hickory-resolver on a thread of its own, whose
//! answers wake the poller.

mod dns;
mod sockets;

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, UdpSocket};
use mio::{Events, Poll, Registry, Waker};
use sip_core::stack::{Event, Stack, StackConfig, Transmit};
use sip_core::transport::{ConnectionId, TransportId, TransportKind};

use self::dns::Dns;
use self::sockets::{Listener, Owner, Sockets, StreamRead, WAKER};

/// The stack and its sockets, behind one lock.
#[derive(Debug)]
struct Core {
    stack: Stack,
    sockets: Sockets,
    /// Events produced by commands, returned by the next `run_once`.
    pending: VecDeque<Event>,
}

#[derive(Debug)]
struct Shared {
    poll: Mutex<Poll>,
    registry: Registry,
    waker: Arc<Waker>,
    dns: Dns,
    core: Mutex<Core>,
}

/// Drives a [`Stack`] over real sockets. Cheap to clone; every clone drives
/// the same stack.
#[derive(Debug, Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

/// Locks a mutex, recovering it if a thread panicked while holding it (the
/// stack's state is consistent between calls: no call leaves it half-changed).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Runtime {
    /// A runtime with no transports yet.
    pub fn new(config: StackConfig) -> io::Result<Self> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let dns = Dns::start(waker.clone())?;
        Ok(Self {
            shared: Arc::new(Shared {
                poll: Mutex::new(poll),
                registry,
                waker,
                dns,
                core: Mutex::new(Core {
                    stack: Stack::new(config),
                    sockets: Sockets::default(),
                    pending: VecDeque::new(),
                }),
            }),
        })
    }

    /// Binds a transport: a UDP socket, or a TCP listener (port 0 picks one).
    /// Returns its id and the address it is bound to.
    pub fn add_transport(
        &self,
        kind: TransportKind,
        bind: SocketAddr,
    ) -> io::Result<(TransportId, SocketAddr)> {
        let mut core = lock(&self.shared.core);
        let core = &mut *core;
        let local = match kind {
            TransportKind::Udp => {
                let socket = UdpSocket::bind(bind)?;
                let local = socket.local_addr()?;
                let id = core.stack.add_transport(kind, local);
                core.sockets.add_udp(&self.shared.registry, id, socket)?;
                (id, local)
            }
            TransportKind::Tcp => {
                let listener = TcpListener::bind(bind)?;
                let local = listener.local_addr()?;
                let id = core.stack.add_transport(kind, local);
                core.sockets.add_tcp(&self.shared.registry, id, listener)?;
                (id, local)
            }
            other => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!("{other} transports are not available yet"),
                ));
            }
        };
        Ok(local)
    }

    /// Runs a command on the stack (send a request, respond, …) with the
    /// current time, carries out what it wants sent, and wakes the poller.
    pub fn with_stack<R>(&self, command: impl FnOnce(&mut Stack, Instant) -> R) -> R {
        let result = {
            let mut core = lock(&self.shared.core);
            let now = Instant::now();
            let result = command(&mut core.stack, now);
            self.carry_out(&mut core, now);
            let Core { stack, pending, .. } = &mut *core;
            while let Some(e) = stack.poll_event() {
                pending.push_back(e);
            }
            result
        };
        // The poller may be waiting on an older deadline.
        let _ = self.shared.waker.wake();
        result
    }

    /// Waits at most `max_wait` for network input or the next timer, handles
    /// what came, and returns the events for the transaction user (possibly
    /// none). Never blocks longer than `max_wait`.
    pub fn run_once(&self, max_wait: Duration) -> Vec<Event> {
        let mut poll = lock(&self.shared.poll);
        let wait = {
            let mut core = lock(&self.shared.core);
            if core.pending.is_empty() {
                let now = Instant::now();
                match core.stack.poll_timeout() {
                    Some(deadline) => deadline.saturating_duration_since(now).min(max_wait),
                    None => max_wait,
                }
            } else {
                Duration::ZERO
            }
        };
        let mut events = Events::with_capacity(256);
        if let Err(e) = poll.poll(&mut events, Some(wait)) {
            if e.kind() != io::ErrorKind::Interrupted {
                // A broken poller cannot recover; report nothing this turn.
                return Vec::new();
            }
        }
        let mut core = lock(&self.shared.core);
        let now = Instant::now();
        let answers = std::mem::take(&mut *lock(&self.shared.dns.answers));
        for (id, answer) in answers {
            core.stack.handle_resolved(now, id, answer);
        }
        self.carry_out(&mut core, now);
        for event in &events {
            match sockets::owner(event.token()) {
                Owner::Waker => {}
                Owner::Transport(id) => self.read_transport(&mut core, now, id),
                Owner::Connection(id) => {
                    if event.is_writable() {
                        self.connection_writable(&mut core, now, id);
                    }
                    if event.is_readable() || event.is_read_closed() || event.is_error() {
                        self.read_connection(&mut core, now, id);
                    }
                }
            }
            self.carry_out(&mut core, now);
        }
        if core.stack.poll_timeout().is_some_and(|t| t <= now) {
            core.stack.handle_timeout(now);
        }
        self.carry_out(&mut core, now);
        let Core { stack, pending, .. } = &mut *core;
        let mut out: Vec<Event> = pending.drain(..).collect();
        while let Some(e) = stack.poll_event() {
            out.push(e);
        }
        out
    }

    /// The bound addresses of the transports.
    pub fn transport_addresses(&self) -> Vec<(TransportId, TransportKind, SocketAddr)> {
        let core = lock(&self.shared.core);
        (0..)
            .map(TransportId)
            .map_while(|id| core.stack.transport(id).map(|(k, a)| (id, k, a)))
            .collect()
    }

    fn read_transport(&self, core: &mut Core, now: Instant, id: TransportId) {
        let Core { stack, sockets, .. } = core;
        match sockets.listeners.get(&id) {
            Some(Listener::Udp(socket)) => {
                let mut buf = vec![0u8; 65_535];
                loop {
                    match socket.recv_from(&mut buf) {
                        Ok((n, from)) => stack.handle_datagram(now, id, from, &buf[..n]),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        // ICMP errors surface here on Linux; the transaction
                        // layer's timers deal with the loss.
                        Err(_) => break,
                    }
                }
            }
            Some(Listener::Tcp(listener)) => {
                let mut accepted = Vec::new();
                loop {
                    match listener.accept() {
                        Ok(pair) => accepted.push(pair),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        // WouldBlock: all taken; other errors: try next time.
                        Err(_) => break,
                    }
                }
                for (socket, remote) in accepted {
                    let connection = stack.handle_accepted(now, id, remote);
                    if sockets
                        .adopt(&self.shared.registry, connection, socket)
                        .is_err()
                    {
                        stack.handle_connection_closed(now, connection);
                    }
                }
            }
            None => {}
        }
    }

    fn connection_writable(&self, core: &mut Core, now: Instant, id: ConnectionId) {
        match core.sockets.finish_connect(id) {
            Some(true) => core.stack.handle_connected(now, id),
            Some(false) => {
                core.sockets.close(&self.shared.registry, id);
                core.stack.handle_connection_closed(now, id);
                return;
            }
            None => {}
        }
        if core
            .sockets
            .flush_connection(&self.shared.registry, id)
            .is_err()
        {
            core.sockets.close(&self.shared.registry, id);
            core.stack.handle_connection_closed(now, id);
        }
    }

    fn read_connection(&self, core: &mut Core, now: Instant, id: ConnectionId) {
        match core.sockets.read(id) {
            StreamRead::Data(data) => {
                if !data.is_empty() {
                    core.stack.handle_stream_data(now, id, &data);
                }
            }
            StreamRead::Closed => {
                core.sockets.close(&self.shared.registry, id);
                core.stack.handle_connection_closed(now, id);
            }
        }
    }

    /// Carries out every transmit the stack has queued.
    fn carry_out(&self, core: &mut Core, now: Instant) {
        let registry = &self.shared.registry;
        while let Some(t) = core.stack.poll_transmit() {
            match t {
                Transmit::Datagram {
                    transport,
                    destination,
                    payload,
                } => {
                    // A refused datagram is a lost one: the transaction layer
                    // retransmits or times out.
                    let _ = core.sockets.send_datagram(transport, destination, &payload);
                }
                Transmit::Stream {
                    connection,
                    payload,
                } => {
                    if core.sockets.write(registry, connection, &payload).is_err() {
                        core.sockets.close(registry, connection);
                        core.stack.handle_connection_closed(now, connection);
                    }
                }
                Transmit::Connect {
                    connection, remote, ..
                } => {
                    if core.sockets.connect(registry, connection, remote).is_err() {
                        core.stack.handle_connection_closed(now, connection);
                    }
                }
                Transmit::Close { connection } => core.sockets.close(registry, connection),
                Transmit::Resolve { id, query } => self.shared.dns.ask(id, query),
            }
        }
    }
}

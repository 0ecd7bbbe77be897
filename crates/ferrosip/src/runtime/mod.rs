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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mio::net::TcpListener;
use mio::{Events, Poll, Registry, Waker};
use sip_core::stack::{Event, Stack, StackConfig, Transmit};
use sip_core::transport::{ConnectionId, TransportId, TransportKind};

use self::dns::Dns;
use self::sockets::{Listener, Owner, Sockets, StreamRead, WAKER};

/// A sans-IO engine the runtime can drive: a [`Stack`], or something that
/// owns one and adds its own timers and events (the user agent).
pub trait Engine: Send + std::fmt::Debug + 'static {
    /// What the engine reports.
    type Event: Send + std::fmt::Debug;
    /// The SIP stack inside.
    fn stack(&self) -> &Stack;
    /// The SIP stack inside, for network input.
    fn stack_mut(&mut self) -> &mut Stack;
    /// The next deadline.
    fn poll_timeout(&mut self) -> Option<Instant>;
    /// Fires what is due at `now`.
    fn handle_timeout(&mut self, now: Instant);
    /// The next event, after digesting what the stack reported.
    fn poll_event(&mut self, now: Instant) -> Option<Self::Event>;
}

impl Engine for Stack {
    type Event = Event;
    fn stack(&self) -> &Stack {
        self
    }
    fn stack_mut(&mut self) -> &mut Stack {
        self
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        Self::poll_timeout(self)
    }
    fn handle_timeout(&mut self, now: Instant) {
        if Self::poll_timeout(self).is_some_and(|t| t <= now) {
            Self::handle_timeout(self, now);
        }
    }
    fn poll_event(&mut self, _now: Instant) -> Option<Event> {
        Self::poll_event(self)
    }
}

impl Engine for ua::UserAgent {
    type Event = ua::UaEvent;
    fn stack(&self) -> &Stack {
        Self::stack(self)
    }
    fn stack_mut(&mut self) -> &mut Stack {
        Self::stack_mut(self)
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        Self::poll_timeout(self)
    }
    fn handle_timeout(&mut self, now: Instant) {
        Self::handle_timeout(self, now);
    }
    fn poll_event(&mut self, now: Instant) -> Option<ua::UaEvent> {
        Self::poll_event(self, now)
    }
}

/// The engine and its sockets, behind one lock.
#[derive(Debug)]
struct Core<E: Engine> {
    engine: E,
    sockets: Sockets,
    /// Events produced by commands, returned by the next `run_once`.
    pending: VecDeque<E::Event>,
}

#[derive(Debug)]
struct Shared<E: Engine> {
    poll: Mutex<Poll>,
    registry: Registry,
    waker: Arc<Waker>,
    /// A thread is in `run_once` from before it reads the next deadline
    /// until its poll returns: only then does a command have to wake it
    /// (with `threadCnt` 0 the application's thread polls, and between its
    /// polls nobody waits: a wake-up would cost a system call and an empty
    /// turn of the next poll).
    polling: AtomicBool,
    dns: Dns,
    core: Mutex<Core<E>>,
}

/// Drives an [`Engine`] (by default a bare [`Stack`]) over real sockets.
/// Cheap to clone; every clone drives the same engine.
#[derive(Debug)]
pub struct Runtime<E: Engine = Stack> {
    shared: Arc<Shared<E>>,
}

impl<E: Engine> Clone for Runtime<E> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
        }
    }
}

/// Locks a mutex, recovering it if a thread panicked while holding it (the
/// stack's state is consistent between calls: no call leaves it half-changed).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Runtime<Stack> {
    /// A runtime over a new stack with no transports yet.
    pub fn new(config: StackConfig) -> io::Result<Self> {
        Self::from_engine(Stack::new(config))
    }
}

impl<E: Engine + std::fmt::Debug> Runtime<E> {
    /// A runtime over `engine`, whose stack has no transports yet.
    pub fn from_engine(engine: E) -> io::Result<Self> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let dns = Dns::start(waker.clone())?;
        Ok(Self {
            shared: Arc::new(Shared {
                poll: Mutex::new(poll),
                registry,
                waker,
                polling: AtomicBool::new(false),
                dns,
                core: Mutex::new(Core {
                    engine,
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
        let stack = core.engine.stack_mut();
        let local = match kind {
            TransportKind::Udp => {
                let socket = sockets::bind_udp(bind)?;
                let local = socket.local_addr()?;
                let id = stack.add_transport(kind, local);
                core.sockets.add_udp(&self.shared.registry, id, socket)?;
                (id, local)
            }
            TransportKind::Tcp => {
                let listener = TcpListener::bind(bind)?;
                let local = listener.local_addr()?;
                let id = stack.add_transport(kind, local);
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
        self.with_engine(|engine, now| command(engine.stack_mut(), now))
    }

    /// Runs a command on the engine with the current time, carries out what
    /// it wants sent, keeps its events for the next `run_once`, and wakes the
    /// poller.
    pub fn with_engine<R>(&self, command: impl FnOnce(&mut E, Instant) -> R) -> R {
        let result = {
            let mut core = lock(&self.shared.core);
            let now = Instant::now();
            let result = command(&mut core.engine, now);
            self.settle(&mut core, now);
            result
        };
        // The poller may be waiting on an older deadline (see `polling`:
        // set before the poller reads the deadline, so a command that
        // finds it unset changed the engine before the poller looks).
        if self.shared.polling.load(Ordering::SeqCst) {
            let _ = self.shared.waker.wake();
        }
        result
    }

    /// Waits at most `max_wait` for network input or the next timer, handles
    /// what came, and returns the events for the transaction user (possibly
    /// none). Never blocks longer than `max_wait`.
    pub fn run_once(&self, max_wait: Duration) -> Vec<E::Event> {
        self.run_once_with(max_wait, |events| events)
    }

    /// [`Runtime::run_once`], handing the events to `take` before another
    /// thread can poll: events reach `take` in the order the engine produced
    /// them, whichever threads poll (a dispatcher queue filled here stays in
    /// order).
    pub fn run_once_with<R>(&self, max_wait: Duration, take: impl FnOnce(Vec<E::Event>) -> R) -> R {
        let mut poll = lock(&self.shared.poll);
        self.shared.polling.store(true, Ordering::SeqCst);
        let wait = {
            let mut core = lock(&self.shared.core);
            if core.pending.is_empty() {
                let now = Instant::now();
                match core.engine.poll_timeout() {
                    Some(deadline) => deadline.saturating_duration_since(now).min(max_wait),
                    None => max_wait,
                }
            } else {
                Duration::ZERO
            }
        };
        let mut events = Events::with_capacity(256);
        let polled = poll.poll(&mut events, Some(wait));
        self.shared.polling.store(false, Ordering::SeqCst);
        if let Err(e) = polled {
            if e.kind() != io::ErrorKind::Interrupted {
                // A broken poller cannot recover; report nothing this turn.
                return take(Vec::new());
            }
        }
        let mut core = lock(&self.shared.core);
        let now = Instant::now();
        let answers = std::mem::take(&mut *lock(&self.shared.dns.answers));
        for (id, answer) in answers {
            core.engine.stack_mut().handle_resolved(now, id, answer);
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
        if core.engine.poll_timeout().is_some_and(|t| t <= now) {
            core.engine.handle_timeout(now);
        }
        self.settle(&mut core, now);
        let events: Vec<E::Event> = core.pending.drain(..).collect();
        drop(core);
        let result = take(events);
        // Only now may another thread poll.
        drop(poll);
        result
    }

    /// Drains the engine's events into `pending` and carries out what they
    /// made it send, until both are quiet.
    fn settle(&self, core: &mut Core<E>, now: Instant) {
        loop {
            self.carry_out(core, now);
            let Core {
                engine, pending, ..
            } = &mut *core;
            let before = pending.len();
            while let Some(e) = engine.poll_event(now) {
                pending.push_back(e);
            }
            if pending.len() == before {
                // No new events; anything they caused has been sent.
                self.carry_out(core, now);
                return;
            }
        }
    }

    /// Wakes a thread waiting in [`Runtime::run_once`].
    pub fn wake(&self) {
        let _ = self.shared.waker.wake();
    }

    /// Closes a transport: no new request leaves by it and its socket is
    /// closed. False if it was not open.
    pub fn close_transport(&self, id: TransportId) -> bool {
        let mut core = lock(&self.shared.core);
        let core = &mut *core;
        core.engine.stack_mut().set_transport_enabled(id, false);
        core.sockets.close_listener(&self.shared.registry, id)
    }

    /// The bound addresses of the open transports.
    pub fn transport_addresses(&self) -> Vec<(TransportId, TransportKind, SocketAddr)> {
        let core = lock(&self.shared.core);
        core.engine.stack().transports().collect()
    }

    fn read_transport(&self, core: &mut Core<E>, now: Instant, id: TransportId) {
        let Core {
            engine, sockets, ..
        } = core;
        let stack = engine.stack_mut();
        match sockets.listeners.get(&id) {
            Some(Listener::Udp(socket)) => {
                let buf = &mut sockets.recv_buffer;
                if buf.len() < 65_535 {
                    buf.resize(65_535, 0);
                }
                loop {
                    match socket.recv_from(buf) {
                        Ok((n, from)) => {
                            crate::log::sip_message("RX", from, &buf[..n]);
                            stack.handle_datagram(now, id, from, &buf[..n]);
                        }
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

    fn connection_writable(&self, core: &mut Core<E>, now: Instant, id: ConnectionId) {
        match core.sockets.finish_connect(id) {
            Some(true) => core.engine.stack_mut().handle_connected(now, id),
            Some(false) => {
                core.sockets.close(&self.shared.registry, id);
                core.engine.stack_mut().handle_connection_closed(now, id);
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
            core.engine.stack_mut().handle_connection_closed(now, id);
        }
    }

    fn read_connection(&self, core: &mut Core<E>, now: Instant, id: ConnectionId) {
        match core.sockets.read(id) {
            StreamRead::Data(data) => {
                if !data.is_empty() {
                    if crate::log::enabled(4) {
                        if let Some(peer) = core.sockets.peer(id) {
                            crate::log::sip_message("RX", peer, &data);
                        }
                    }
                    core.engine.stack_mut().handle_stream_data(now, id, &data);
                }
            }
            StreamRead::Closed => {
                core.sockets.close(&self.shared.registry, id);
                core.engine.stack_mut().handle_connection_closed(now, id);
            }
        }
    }

    /// Carries out every transmit the stack has queued.
    fn carry_out(&self, core: &mut Core<E>, now: Instant) {
        let registry = &self.shared.registry;
        while let Some(t) = core.engine.stack_mut().poll_transmit() {
            match t {
                Transmit::Datagram {
                    transport,
                    destination,
                    payload,
                } => {
                    crate::log::sip_message("TX", destination, &payload);
                    // A refused datagram is a lost one: the transaction layer
                    // retransmits or times out.
                    let _ = core.sockets.send_datagram(transport, destination, &payload);
                }
                Transmit::Stream {
                    connection,
                    payload,
                } => {
                    if crate::log::enabled(4) {
                        if let Some(peer) = core.sockets.peer(connection) {
                            crate::log::sip_message("TX", peer, &payload);
                        }
                    }
                    if core.sockets.write(registry, connection, &payload).is_err() {
                        core.sockets.close(registry, connection);
                        core.engine
                            .stack_mut()
                            .handle_connection_closed(now, connection);
                    }
                }
                Transmit::Connect {
                    connection, remote, ..
                } => {
                    if core.sockets.connect(registry, connection, remote).is_err() {
                        core.engine
                            .stack_mut()
                            .handle_connection_closed(now, connection);
                    }
                }
                Transmit::Close { connection } => core.sockets.close(registry, connection),
                Transmit::Resolve { id, query } => self.shared.dns.ask(id, query),
            }
        }
    }
}

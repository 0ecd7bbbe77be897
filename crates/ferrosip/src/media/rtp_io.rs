//! RTP and RTCP over UDP for the streams in the bridge.
//!
//! One thread waits on every stream socket (one `mio::Poll`) and hands what
//! arrives to its stream at once, stamped with the arrival time, under the
//! media lock (one lock per batch of ready sockets). Packets are made in
//! the media clock's tick (after the bridge put a frame into each stream)
//! and sent from the stream's sockets by the sending thread
//! ([`super::rtp_send`]), outside the lock, so `sendto` — a third of a busy
//! engine's CPU on loopback — neither holds up the next mix nor keeps the
//! receive thread and the SIP side waiting.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use media::bridge::{Bridge, PortId};
use media::rtp::PacketKind;
use media::stream::Stream;
use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Registry, Token, Waker};

use super::engine::{MediaEvent, MediaShared};
use super::transport::MediaTransport;
use crate::error::{Error, Result};

const WAKER: Token = Token(0);
/// Largest datagram read (RTP over UDP stays well below).
const MAX_DATAGRAM: usize = 2048;

/// One stream's sockets (shared with packets waiting to be sent).
#[derive(Debug)]
struct StreamSockets {
    rtp: Arc<UdpSocket>,
    rtcp: Option<Arc<UdpSocket>>,
    tokens: [Token; 2],
}

/// The RTP side of the media core: streams' sockets and the receive
/// thread.
pub(crate) struct RtpIo {
    registry: Option<Registry>,
    poll: Option<Poll>,
    waker: Option<Arc<Waker>>,
    streams: HashMap<PortId, StreamSockets>,
    tokens: HashMap<Token, PortId>,
    next_token: usize,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Datagrams that could not be sent (socket buffer full, unreachable).
    pub(crate) send_errors: u64,
    /// Packets the last tick made, to send once the lock is released.
    outbox: Vec<Outgoing>,
    /// RTP packets to drop on purpose, to simulate loss (PJSUA2's
    /// `MediaConfig.txDropPct` and `rxDropPct`).
    loss: LossSimulator,
}

/// Drops a percentage of RTP packets in each direction, at random.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LossSimulator {
    tx_pct: u32,
    rx_pct: u32,
    state: u64,
}

impl LossSimulator {
    fn new(tx_pct: u32, rx_pct: u32, seed: u64) -> Self {
        Self {
            tx_pct: tx_pct.min(100),
            rx_pct: rx_pct.min(100),
            state: seed | 1,
        }
    }

    /// xorshift64*: a percentile, uniform enough for simulated loss.
    fn percentile(&mut self) -> u32 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let r = self.state.wrapping_mul(0x2545_f491_4f6c_dd1d);
        u32::try_from((r >> 32) % 100).unwrap_or(0)
    }

    fn drop_tx(&mut self) -> bool {
        self.tx_pct > 0 && self.percentile() < self.tx_pct
    }

    fn drop_rx(&mut self) -> bool {
        self.rx_pct > 0 && self.percentile() < self.rx_pct
    }
}

impl std::fmt::Debug for RtpIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RtpIo")
            .field("streams", &self.streams.len())
            .finish_non_exhaustive()
    }
}

impl RtpIo {
    /// Dropping `tx_drop_pct` % of the RTP sent and `rx_drop_pct` % of the
    /// RTP received (0 for none).
    pub(crate) fn new(tx_drop_pct: u32, rx_drop_pct: u32, seed: u64) -> io::Result<Self> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        Ok(Self {
            registry: Some(registry),
            poll: Some(poll),
            waker: Some(waker),
            streams: HashMap::new(),
            tokens: HashMap::new(),
            next_token: 1,
            stop: Arc::new(AtomicBool::new(false)),
            thread: None,
            send_errors: 0,
            outbox: Vec::new(),
            loss: LossSimulator::new(tx_drop_pct, rx_drop_pct, seed),
        })
    }

    /// Starts the receive thread.
    pub(crate) fn start(&mut self, media: Weak<MediaShared>) -> Result<()> {
        let Some(poll) = self.poll.take() else {
            return Ok(());
        };
        let stop = self.stop.clone();
        let thread = std::thread::Builder::new()
            .name("ferrosip-rtp".into())
            .spawn(move || receive_loop(poll, &media, &stop))
            .map_err(|e| Error::io("Endpoint::libInit()", &e))?;
        self.thread = Some(thread);
        Ok(())
    }

    /// Stops the receive thread (the caller holds the media lock, which
    /// the thread may be waiting for: it is told to stop and not joined).
    pub(crate) fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(w) = &self.waker {
            let _ = w.wake();
        }
        // Detached: it exits at its next wake-up, and holds only a weak
        // reference to the engine.
        self.thread.take();
    }

    fn token(&mut self) -> Token {
        self.next_token += 1;
        Token(self.next_token)
    }

    /// Starts receiving for the stream of `port` on `transport`.
    pub(crate) fn add(&mut self, port: PortId, transport: MediaTransport) -> io::Result<()> {
        let tokens = [self.token(), self.token()];
        let Some(registry) = &self.registry else {
            return Err(io::Error::other("the media engine is shut down"));
        };
        let mut rtp = UdpSocket::from_std(transport.rtp);
        let mut rtcp = transport.rtcp.map(UdpSocket::from_std);
        registry.register(&mut rtp, tokens[0], Interest::READABLE)?;
        if let Some(s) = rtcp.as_mut() {
            registry.register(s, tokens[1], Interest::READABLE)?;
        }
        self.tokens.insert(tokens[0], port);
        self.tokens.insert(tokens[1], port);
        self.streams.insert(
            port,
            StreamSockets {
                rtp: Arc::new(rtp),
                rtcp: rtcp.map(Arc::new),
                tokens,
            },
        );
        Ok(())
    }

    /// Forgets the stream of `port` (its sockets close).
    pub(crate) fn remove(&mut self, port: PortId) {
        let Some(mut s) = self.streams.remove(&port) else {
            return;
        };
        for t in s.tokens {
            self.tokens.remove(&t);
        }
        if let Some(registry) = &self.registry {
            // A socket with a packet still on its way out cannot be
            // deregistered here; closing it takes it out of the poll.
            if let Some(rtp) = Arc::get_mut(&mut s.rtp) {
                let _ = registry.deregister(rtp);
            }
            if let Some(r) = s.rtcp.as_mut().and_then(Arc::get_mut) {
                let _ = registry.deregister(r);
            }
        }
        let sockets = [
            Some(Arc::downgrade(&s.rtp)),
            s.rtcp.as_ref().map(Arc::downgrade),
        ];
        drop(s);
        wait_closed(&sockets);
    }

    /// Before the bridge's tick: each stream learns the time and runs its
    /// timers (RTCP reports, the RTP timeout).
    pub(crate) fn before_tick(&mut self, bridge: &mut Bridge, now: Instant) {
        for port in self.streams.keys() {
            if let Ok(stream) = bridge.port_mut::<Stream>(*port) {
                stream.set_now(now);
                if stream.poll_timeout().is_some_and(|t| t <= now) {
                    stream.handle_timeout(now);
                }
            }
        }
    }

    /// After the tick: queue what the streams made in the outbox, collect
    /// their events.
    pub(crate) fn after_tick(
        &mut self,
        bridge: &mut Bridge,
        _now: Instant,
        events: &mut Vec<MediaEvent>,
    ) {
        for (port, sockets) in &self.streams {
            if let Ok(stream) = bridge.port_mut::<Stream>(*port) {
                flush(stream, *port, sockets, &mut self.loss, events, |o| {
                    self.outbox.push(o);
                });
            }
        }
    }

    /// Swaps the packets of the last tick with `spare` (an empty vector,
    /// whose capacity the next tick reuses).
    pub(crate) fn take_outbox(&mut self, spare: &mut Vec<Outgoing>) {
        std::mem::swap(&mut self.outbox, spare);
    }
}

/// How long [`RtpIo::remove`] waits for the sending thread to let go of a
/// stream's sockets.
const CLOSE_WAIT: Duration = Duration::from_millis(500);

/// Waits until the sending thread has sent the packets still holding these
/// sockets, so that they are closed — their ports free to bind again, as a
/// call line rebuilt on its port does — when the stream's removal returns.
/// The sending thread never takes the media lock, so it gets there (within
/// a batch: microseconds, a frame at worst); the wait is bounded anyway.
fn wait_closed(sockets: &[Option<Weak<UdpSocket>>]) {
    let open = || sockets.iter().flatten().any(|w| w.strong_count() > 0);
    if !open() {
        return;
    }
    let deadline = Instant::now() + CLOSE_WAIT;
    while open() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// A packet made in the tick, waiting for the lock to be released.
#[derive(Debug)]
pub(crate) struct Outgoing {
    socket: Arc<UdpSocket>,
    destination: SocketAddr,
    payload: Vec<u8>,
}

impl Outgoing {
    /// Sends it; false if the socket refused (buffer full, unreachable).
    pub(crate) fn send(&self) -> bool {
        self.socket.send_to(&self.payload, self.destination).is_ok()
    }
}

/// Hands a stream's packets to `send` and collects its events.
fn flush(
    stream: &mut Stream,
    port: PortId,
    sockets: &StreamSockets,
    loss: &mut LossSimulator,
    events: &mut Vec<MediaEvent>,
    mut send: impl FnMut(Outgoing),
) {
    while let Some(t) = stream.poll_transmit() {
        let socket = match t.kind {
            PacketKind::Rtcp => sockets.rtcp.as_ref().unwrap_or(&sockets.rtp),
            PacketKind::Rtp if loss.drop_tx() => continue,
            PacketKind::Rtp => &sockets.rtp,
        };
        send(Outgoing {
            socket: Arc::clone(socket),
            destination: t.destination,
            payload: t.payload,
        });
    }
    while let Some(e) = stream.poll_event() {
        events.push(MediaEvent::Stream(port, e));
    }
}

fn receive_loop(mut poll: Poll, media: &Weak<MediaShared>, stop: &AtomicBool) {
    let mut events = Events::with_capacity(256);
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut out = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        if let Err(e) = poll.poll(&mut events, Some(Duration::from_millis(200))) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            tracing::error!(target: "media", "RTP poll failed: {e}");
            return;
        }
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if events.is_empty() {
            continue;
        }
        let Some(shared) = media.upgrade() else {
            return;
        };
        let now = Instant::now();
        {
            let mut core = shared.core();
            let core = &mut *core;
            for event in &events {
                let Some(&port) = core.rtp.tokens.get(&event.token()) else {
                    continue;
                };
                let Some(sockets) = core.rtp.streams.get(&port) else {
                    continue;
                };
                let rtcp = sockets.tokens[1] == event.token();
                let socket = if rtcp {
                    sockets.rtcp.as_ref().unwrap_or(&sockets.rtp)
                } else {
                    &sockets.rtp
                };
                let Ok(stream) = core.bridge.port_mut::<Stream>(port) else {
                    continue;
                };
                let loss = &mut core.rtp.loss;
                receive_all(socket, stream, now, &mut buf, loss);
                let send_errors = &mut core.rtp.send_errors;
                flush(stream, port, sockets, loss, &mut out, |o| {
                    if !o.send() {
                        *send_errors += 1;
                    }
                });
            }
        }
        shared.emit(std::mem::take(&mut out));
    }
}

/// Reads every datagram waiting on `socket` into `stream`.
fn receive_all(
    socket: &UdpSocket,
    stream: &mut Stream,
    now: Instant,
    buf: &mut [u8],
    loss: &mut LossSimulator,
) {
    // The sockets are edge-triggered: read until the kernel says there is
    // nothing left. An error (an ICMP report queued on the socket) is
    // consumed by the read that returns it, so the next read goes on; a
    // socket that keeps failing is left until its next readiness.
    let mut errors = 0;
    loop {
        match socket.recv_from(buf) {
            Ok((n, from)) => {
                let datagram = &buf[..n];
                if !media::rtp::is_rtcp(datagram) && loss.drop_rx() {
                    continue;
                }
                // A malformed packet is counted by the session and dropped.
                let _ = stream.handle_datagram(now, from, datagram);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(_) => {
                errors += 1;
                if errors > 16 {
                    return;
                }
            }
        }
    }
}

/// The local addresses of a stream's sockets.
pub(crate) fn local_addrs(io: &RtpIo, port: PortId) -> Option<(SocketAddr, SocketAddr)> {
    let s = io.streams.get(&port)?;
    let rtp = s.rtp.local_addr().ok()?;
    let rtcp = s.rtcp.as_ref().map_or(Some(rtp), |r| r.local_addr().ok())?;
    Some((rtp, rtcp))
}

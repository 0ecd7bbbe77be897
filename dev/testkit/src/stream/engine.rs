//! The stream network's machinery: connection ends and their states, and
//! the segments (connect, accept, refuse, data, close, reset) in flight
//! between them.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use super::{ConnectionId, StreamConfig, StreamDelivery, StreamError, StreamEvent, StreamStats};
use crate::link::LinkTable;
use crate::rng::{SimRng, mix};
use crate::schedule::Schedule;
use crate::trace::Trace;

const EPHEMERAL_PORT: u16 = 49152;

#[derive(Debug)]
pub(crate) struct Streams {
    seed: u64,
    pub(crate) config: StreamConfig,
    listeners: BTreeSet<SocketAddr>,
    conns: Vec<Conn>,
    queue: Schedule<Segment>,
    ready: Vec<StreamDelivery>,
    next_port: BTreeMap<IpAddr, u16>,
    pub(crate) stats: StreamStats,
}

#[derive(Debug)]
struct Conn {
    ends: [End; 2],
    tag: u64,
    rng: SimRng,
}

#[derive(Debug)]
struct End {
    /// Where its events go.
    owner: SocketAddr,
    /// Its address on the wire.
    local: SocketAddr,
    state: EndState,
    /// When the last segment towards this end arrives; nothing overtakes it.
    last_arrival: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EndState {
    /// The accepting end before the connection reaches it.
    Pending,
    /// The connecting end, waiting for an answer.
    Connecting,
    Open,
    /// Got the peer's close.
    PeerClosed,
    /// Closed or aborted by its own side.
    Closed,
    Reset,
    Refused,
}

#[derive(Debug)]
struct Segment {
    to: ConnectionId,
    wire: Wire,
}

#[derive(Debug)]
enum Wire {
    Syn,
    SynAck,
    Refuse,
    Data(Vec<u8>),
    Fin,
    Rst,
}

impl Streams {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            config: StreamConfig::default(),
            listeners: BTreeSet::new(),
            conns: Vec::new(),
            queue: Schedule::new(),
            ready: Vec::new(),
            next_port: BTreeMap::new(),
            stats: StreamStats::default(),
        }
    }

    pub(crate) fn listen(&mut self, addr: SocketAddr) {
        self.listeners.insert(addr);
    }

    pub(crate) fn stop_listening(&mut self, addr: SocketAddr) {
        self.listeners.remove(&addr);
    }

    pub(crate) fn next_due(&self) -> Option<Instant> {
        let ready = self.ready.iter().map(|d| d.at).min();
        match (ready, self.queue.next_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub(crate) fn pending(&self) -> usize {
        self.ready.len() + self.queue.len()
    }

    pub(crate) fn connect(
        &mut self,
        links: &LinkTable,
        now: Instant,
        tag: u64,
        from: SocketAddr,
        to: SocketAddr,
    ) -> ConnectionId {
        let port = self.next_port.entry(from.ip()).or_insert(EPHEMERAL_PORT);
        let local = SocketAddr::new(from.ip(), *port);
        *port = port.checked_add(1).unwrap_or(EPHEMERAL_PORT);
        let index = self.conns.len();
        self.conns.push(Conn {
            ends: [
                End {
                    owner: from,
                    local,
                    state: EndState::Connecting,
                    last_arrival: None,
                },
                End {
                    owner: to,
                    local: to,
                    state: EndState::Pending,
                    last_arrival: None,
                },
            ],
            tag,
            rng: SimRng::from_seed(mix(self.seed, index as u64)),
        });
        self.stats.connects += 1;
        let client = ConnectionId::new(index, 0);
        self.transmit(links, now, client.peer(), Wire::Syn);
        client
    }

    pub(crate) fn send(
        &mut self,
        links: &LinkTable,
        now: Instant,
        conn: ConnectionId,
        data: Vec<u8>,
    ) -> Result<(), StreamError> {
        match self.end(conn)?.state {
            EndState::Open => {}
            // The peer closed or the connection broke, and this side may not
            // know yet: the bytes go nowhere, as on a real socket.
            EndState::PeerClosed | EndState::Reset => {
                self.stats.bytes_discarded += data.len() as u64;
                return Ok(());
            }
            EndState::Closed => return Err(StreamError::ClosedLocally(conn)),
            EndState::Pending | EndState::Connecting | EndState::Refused => {
                return Err(StreamError::NotConnected(conn));
            }
        }
        if data.is_empty() {
            return Ok(());
        }
        self.stats.bytes_sent += data.len() as u64;
        let config = self.config;
        let to = conn.peer();
        let c = &mut self.conns[conn.index()];
        let mut cuts: Vec<usize> = if data.len() > 1 {
            let n = c.rng.below(config.max_splits as u64 + 1);
            (0..n)
                .map(|_| 1 + c.rng.below(data.len() as u64 - 1) as usize)
                .collect()
        } else {
            Vec::new()
        };
        cuts.sort_unstable();
        cuts.dedup();
        let mut at = self.arrival(links, now, to);
        let mut start = 0;
        for end in cuts.into_iter().chain([data.len()]) {
            if start > 0 {
                let c = &mut self.conns[to.index()];
                at += c.rng.duration_up_to(config.split_spread);
                c.ends[to.side()].last_arrival = Some(at);
            }
            let piece = data[start..end].to_vec();
            self.queue.push(
                at,
                Segment {
                    to,
                    wire: Wire::Data(piece),
                },
            );
            start = end;
        }
        Ok(())
    }

    pub(crate) fn close(
        &mut self,
        links: &LinkTable,
        now: Instant,
        conn: ConnectionId,
        abort: bool,
    ) -> Result<(), StreamError> {
        let state = self.end(conn)?.state;
        match state {
            EndState::Open | EndState::PeerClosed => {
                let wire = if abort { Wire::Rst } else { Wire::Fin };
                self.transmit(links, now, conn.peer(), wire);
            }
            // The answer to the connect, when it comes, is met with a reset.
            EndState::Connecting => {}
            EndState::Pending => return Err(StreamError::NotConnected(conn)),
            EndState::Closed | EndState::Reset | EndState::Refused => return Ok(()),
        }
        self.end_mut(conn).state = EndState::Closed;
        Ok(())
    }

    /// Breaks the connection at once: both ends that are still in use are
    /// told (a connecting end hears `Refused`), bytes in flight are lost.
    pub(crate) fn reset(&mut self, now: Instant, conn: ConnectionId) -> Result<(), StreamError> {
        self.end(conn)?;
        let index = conn.index();
        for side in [0, 1] {
            let id = ConnectionId::new(index, side);
            let c = &mut self.conns[index];
            let tag = c.tag;
            let remote = c.ends[1 - side].local;
            let end = &mut c.ends[side];
            let event = match end.state {
                EndState::Open | EndState::PeerClosed => StreamEvent::Reset { conn: id },
                EndState::Connecting => StreamEvent::Refused {
                    conn: id,
                    tag,
                    remote,
                },
                EndState::Pending => {
                    end.state = EndState::Reset;
                    continue;
                }
                EndState::Closed | EndState::Reset | EndState::Refused => continue,
            };
            end.state = match event {
                StreamEvent::Refused { .. } => EndState::Refused,
                _ => EndState::Reset,
            };
            let to = end.owner;
            self.ready.push(StreamDelivery { at: now, to, event });
        }
        Ok(())
    }

    /// Every event due at or before `now`, in order.
    pub(crate) fn deliver_due(
        &mut self,
        links: &LinkTable,
        now: Instant,
        trace: &mut Trace,
    ) -> Vec<StreamDelivery> {
        let mut out: Vec<StreamDelivery> = std::mem::take(&mut self.ready);
        // Where in `out` the last event for each receiving end is, to join chunks.
        let mut last: BTreeMap<ConnectionId, usize> = BTreeMap::new();
        while let Some((at, segment)) = self.queue.pop_due(now) {
            let to = segment.to;
            let Some(event) = self.arrive(links, at, segment) else {
                continue;
            };
            let owner = self.end_ref(to).owner;
            if let StreamEvent::Data { data, .. } = &event {
                self.stats.bytes_delivered += data.len() as u64;
                let coalesce = self.config.coalesce;
                let joined = last.get(&to).copied().filter(|&i| {
                    matches!(out[i].event, StreamEvent::Data { .. })
                        && self.conns[to.index()].rng.chance(coalesce)
                });
                if let Some(i) = joined {
                    if let StreamEvent::Data { data: earlier, .. } = &mut out[i].event {
                        earlier.extend_from_slice(data);
                    }
                    continue;
                }
                self.stats.chunks_delivered += 1;
            }
            last.insert(to, out.len());
            out.push(StreamDelivery {
                at,
                to: owner,
                event,
            });
        }
        // Resets come first; put them in time order among the rest (they are
        // all at `now` unless the caller let time pass without delivering).
        out.sort_by_key(|d| d.at);
        for delivery in &out {
            match delivery.event {
                StreamEvent::Closed { .. } => self.stats.closed += 1,
                StreamEvent::Reset { .. } => self.stats.resets += 1,
                StreamEvent::Refused { .. } => self.stats.refused += 1,
                StreamEvent::Accepted { .. } => self.stats.accepted += 1,
                StreamEvent::Connected { .. } | StreamEvent::Data { .. } => {}
            }
            trace.stream(delivery.at, delivery.to, &delivery.event);
        }
        out
    }

    /// A segment reaches its end at `now`: the event the owner hears, if any.
    fn arrive(&mut self, links: &LinkTable, now: Instant, segment: Segment) -> Option<StreamEvent> {
        let to = segment.to;
        let index = to.index();
        let tag = self.conns[index].tag;
        let peer_local = self.conns[index].ends[1 - to.side()].local;
        let state = self.end_ref(to).state;
        let (next, event) = match (segment.wire, state) {
            (Wire::Syn, EndState::Pending) => {
                let local = self.end_ref(to).local;
                if self.listeners.contains(&local) {
                    self.transmit(links, now, to.peer(), Wire::SynAck);
                    let event = StreamEvent::Accepted {
                        conn: to,
                        local,
                        remote: peer_local,
                    };
                    (EndState::Open, Some(event))
                } else {
                    self.transmit(links, now, to.peer(), Wire::Refuse);
                    (EndState::Refused, None)
                }
            }
            (Wire::SynAck, EndState::Connecting) => {
                let event = StreamEvent::Connected {
                    conn: to,
                    tag,
                    local: self.end_ref(to).local,
                    remote: peer_local,
                };
                (EndState::Open, Some(event))
            }
            (Wire::SynAck, EndState::Closed) => {
                self.transmit(links, now, to.peer(), Wire::Rst);
                (EndState::Closed, None)
            }
            (Wire::Refuse, EndState::Connecting) => {
                let event = StreamEvent::Refused {
                    conn: to,
                    tag,
                    remote: peer_local,
                };
                (EndState::Refused, Some(event))
            }
            (Wire::Data(data), EndState::Open) => {
                (EndState::Open, Some(StreamEvent::Data { conn: to, data }))
            }
            (Wire::Data(data), state) => {
                self.stats.bytes_discarded += data.len() as u64;
                (state, None)
            }
            (Wire::Fin, EndState::Open) => {
                (EndState::PeerClosed, Some(StreamEvent::Closed { conn: to }))
            }
            (Wire::Rst, EndState::Open | EndState::PeerClosed) => {
                (EndState::Reset, Some(StreamEvent::Reset { conn: to }))
            }
            (_, state) => (state, None),
        };
        self.end_mut(to).state = next;
        event
    }

    /// Schedules `wire` towards end `to`, after the link's delay and after
    /// everything already on its way there.
    fn transmit(&mut self, links: &LinkTable, now: Instant, to: ConnectionId, wire: Wire) {
        let at = self.arrival(links, now, to);
        self.queue.push(at, Segment { to, wire });
    }

    /// When a segment sent now towards `to` arrives: the link's delay and a
    /// jitter, but never before what is already on its way there.
    fn arrival(&mut self, links: &LinkTable, now: Instant, to: ConnectionId) -> Instant {
        let c = &mut self.conns[to.index()];
        let from = c.ends[1 - to.side()].owner;
        let cfg = links.config(from, c.ends[to.side()].owner);
        let natural = now + cfg.delay + c.rng.duration_up_to(cfg.jitter);
        let end = &mut c.ends[to.side()];
        let at = end.last_arrival.map_or(natural, |last| last.max(natural));
        end.last_arrival = Some(at);
        at
    }

    fn end(&self, conn: ConnectionId) -> Result<&End, StreamError> {
        self.conns
            .get(conn.index())
            .map(|c| &c.ends[conn.side()])
            .ok_or(StreamError::UnknownConnection(conn))
    }

    /// The end of an id the kit made itself.
    fn end_ref(&self, conn: ConnectionId) -> &End {
        &self.conns[conn.index()].ends[conn.side()]
    }

    fn end_mut(&mut self, conn: ConnectionId) -> &mut End {
        &mut self.conns[conn.index()].ends[conn.side()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LinkConfig, Network};
    use std::time::Duration;

    const DELAY: Duration = Duration::from_millis(10);

    fn addrs() -> (SocketAddr, SocketAddr) {
        (
            "10.0.0.1:5060".parse().unwrap(),
            "10.0.0.2:5060".parse().unwrap(),
        )
    }

    /// Everything due up to `until`, step by step.
    fn pump(net: &mut Network, until: Instant) -> Vec<StreamDelivery> {
        let mut out = Vec::new();
        while let Some(t) = net.next_delivery().filter(|&t| t <= until) {
            out.extend(net.deliver_stream_due(t));
        }
        out
    }

    /// A connected pair: (network, start, client end, server end).
    fn connected(seed: u64) -> (Network, Instant, ConnectionId, ConnectionId) {
        let (a, b) = addrs();
        let mut net = Network::new(seed);
        net.listen(b);
        let t0 = Instant::now();
        let client = net.connect(t0, 7, a, b);
        let events = pump(&mut net, t0 + Duration::from_secs(1));
        let local = SocketAddr::new(a.ip(), EPHEMERAL_PORT);
        assert_eq!(
            events,
            [
                StreamDelivery {
                    at: t0 + DELAY,
                    to: b,
                    event: StreamEvent::Accepted {
                        conn: client.peer(),
                        local: b,
                        remote: local,
                    },
                },
                StreamDelivery {
                    at: t0 + 2 * DELAY,
                    to: a,
                    event: StreamEvent::Connected {
                        conn: client,
                        tag: 7,
                        local,
                        remote: b,
                    },
                },
            ]
        );
        (net, t0 + 2 * DELAY, client, client.peer())
    }

    fn data_of(events: &[StreamDelivery]) -> Vec<Vec<u8>> {
        events
            .iter()
            .filter_map(|d| match &d.event {
                StreamEvent::Data { data, .. } => Some(data.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn chunks_arrive_in_order_and_reassemble_exactly() {
        let (mut net, t, client, server) = connected(11);
        let mut sent = Vec::new();
        let mut boundaries = BTreeSet::new();
        let mut rng = SimRng::from_seed(1);
        for i in 0..300u64 {
            let len = 1 + rng.below(300) as usize;
            let msg: Vec<u8> = (0..len).map(|j| (i as usize * 31 + j) as u8).collect();
            sent.extend_from_slice(&msg);
            boundaries.insert(sent.len());
            let now = t + Duration::from_micros(i * 300);
            net.stream_send(now, client, msg).unwrap();
        }
        let events = pump(&mut net, t + Duration::from_secs(10));
        assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(events.iter().all(|d| d.event.conn() == server));
        let chunks = data_of(&events);
        assert_eq!(chunks.concat(), sent, "bytes reassemble exactly");
        let mut end = 0;
        let (mut split, mut joined) = (0, 0);
        for chunk in &chunks {
            let start = end;
            end += chunk.len();
            split += usize::from(!boundaries.contains(&end));
            joined += boundaries.range(start + 1..end).count().min(1);
        }
        assert!(split > 50, "{split} chunks end inside a send");
        assert!(joined > 20, "{joined} chunks span a send boundary");
        let stats = net.stream_stats();
        assert_eq!(stats.bytes_delivered, sent.len() as u64);
        assert_eq!(stats.chunks_delivered, chunks.len() as u64);
    }

    #[test]
    fn exact_config_gives_one_chunk_per_send() {
        let (mut net, t, client, _) = connected(2);
        net.set_stream_config(StreamConfig::exact());
        let sends: Vec<Vec<u8>> = (0..20u8).map(|i| vec![i; 10 + usize::from(i)]).collect();
        for s in &sends {
            net.stream_send(t, client, s.clone()).unwrap();
        }
        assert_eq!(data_of(&pump(&mut net, t + Duration::from_secs(1))), sends);
    }

    #[test]
    fn stream_chunking_is_deterministic() {
        let run = |seed| {
            let (mut net, t, client, _) = connected(seed);
            net.set_default_link(LinkConfig::default().with_jitter(Duration::from_millis(3)));
            for i in 0..50u8 {
                net.stream_send(t, client, vec![i; 100]).unwrap();
            }
            pump(&mut net, t + Duration::from_secs(1))
                .into_iter()
                .map(|d| (d.at - t, d.event))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn refused_without_listener() {
        let (a, b) = addrs();
        let mut net = Network::new(1);
        let t0 = Instant::now();
        let conn = net.connect(t0, 99, a, b);
        let events = pump(&mut net, t0 + Duration::from_secs(1));
        assert_eq!(
            events,
            [StreamDelivery {
                at: t0 + 2 * DELAY,
                to: a,
                event: StreamEvent::Refused {
                    conn,
                    tag: 99,
                    remote: b,
                },
            }]
        );
        assert_eq!(
            net.stream_send(t0, conn, b"x".to_vec()),
            Err(StreamError::NotConnected(conn))
        );
        assert_eq!(net.stream_stats().refused, 1);
    }

    #[test]
    fn close_delivers_data_then_closed() {
        let (a, b) = addrs();
        let (mut net, t, client, server) = connected(5);
        net.stream_send(t, client, b"last words".to_vec()).unwrap();
        net.close(t, client).unwrap();
        net.close(t, client).unwrap(); // twice is harmless
        assert_eq!(
            net.stream_send(t, client, b"more".to_vec()),
            Err(StreamError::ClosedLocally(client))
        );
        // The server answers before it hears of the close: the bytes vanish.
        net.stream_send(t, server, b"reply".to_vec()).unwrap();
        let events = pump(&mut net, t + Duration::from_secs(1));
        assert_eq!(data_of(&events).concat(), b"last words");
        let last = events.last().unwrap();
        assert_eq!(
            (last.to, &last.event),
            (b, &StreamEvent::Closed { conn: server })
        );
        assert!(
            events.iter().all(|d| d.to != a),
            "the closed end hears nothing"
        );
        assert_eq!(net.stream_stats().bytes_discarded, 5);
    }

    #[test]
    fn reset_is_reported_to_both_ends_at_once() {
        let (a, b) = addrs();
        let (mut net, t, client, server) = connected(6);
        net.stream_send(t, client, b"in flight".to_vec()).unwrap();
        net.reset(t, server).unwrap();
        let events = pump(&mut net, t + Duration::from_secs(1));
        assert_eq!(
            events,
            [
                StreamDelivery {
                    at: t,
                    to: a,
                    event: StreamEvent::Reset { conn: client },
                },
                StreamDelivery {
                    at: t,
                    to: b,
                    event: StreamEvent::Reset { conn: server },
                },
            ]
        );
        // Either end may send before it hears: no error, no delivery.
        net.stream_send(t, server, b"too late".to_vec()).unwrap();
        assert!(pump(&mut net, t + Duration::from_secs(2)).is_empty());
        assert_eq!(net.stream_stats().resets, 2);
        assert_eq!(net.stream_stats().bytes_discarded, 9 + 8);
    }

    #[test]
    fn abort_resets_the_peer_after_its_data() {
        let (mut net, t, client, server) = connected(8);
        net.set_stream_config(StreamConfig::exact());
        net.stream_send(t, server, b"bye".to_vec()).unwrap();
        net.abort(t, server).unwrap();
        let events = pump(&mut net, t + Duration::from_secs(1));
        assert_eq!(data_of(&events).concat(), b"bye");
        assert_eq!(
            events.last().unwrap().event,
            StreamEvent::Reset { conn: client }
        );
        assert_eq!(events.last().unwrap().at, t + DELAY);
    }

    #[test]
    fn reset_while_connecting_is_refused() {
        let (a, b) = addrs();
        let mut net = Network::new(1);
        net.listen(b);
        let t0 = Instant::now();
        let conn = net.connect(t0, 3, a, b);
        net.reset(t0, conn).unwrap();
        let events = pump(&mut net, t0 + Duration::from_secs(1));
        assert_eq!(
            events,
            [StreamDelivery {
                at: t0,
                to: a,
                event: StreamEvent::Refused {
                    conn,
                    tag: 3,
                    remote: b,
                },
            }]
        );
    }

    #[test]
    fn closing_while_connecting_resets_the_acceptor() {
        let (_, b) = addrs();
        let mut net = Network::new(1);
        net.listen(b);
        let t0 = Instant::now();
        let (a, _) = addrs();
        let conn = net.connect(t0, 3, a, b);
        net.close(t0, conn).unwrap();
        let events: Vec<StreamEvent> = pump(&mut net, t0 + Duration::from_secs(1))
            .into_iter()
            .map(|d| d.event)
            .collect();
        assert!(matches!(events[0], StreamEvent::Accepted { .. }));
        assert_eq!(events[1..], [StreamEvent::Reset { conn: conn.peer() }]);
    }

    #[test]
    fn unknown_connection_is_an_error() {
        let mut net = Network::new(1);
        let ghost = ConnectionId::new(5, 0);
        let now = Instant::now();
        assert_eq!(
            net.close(now, ghost),
            Err(StreamError::UnknownConnection(ghost))
        );
        assert_eq!(ghost.to_string(), "conn#5c");
        assert_eq!(ghost.peer().to_string(), "conn#5s");
    }
}

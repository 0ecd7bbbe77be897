//! A world of agents on one simulated network, stepped through virtual time
//! from one deadline to the next.

use std::any::type_name;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::agent::{Agent, AsAny};
use crate::clock::VirtualClock;
use crate::network::Network;
use crate::stream::{ConnectionId, StreamCommand};
use crate::trace::{Trace, TraceEvent};

/// How many steps one `run_*` call may take before the world calls it a
/// runaway test.
pub const DEFAULT_STEP_BUDGET: u64 = 1_000_000;

/// How many steps in a row may happen at one instant before the world calls
/// it a livelock.
const STALL_LIMIT: u32 = 10_000;

/// How many outputs one agent may give in one drain before the world calls
/// it a runaway agent.
const DRAIN_LIMIT: usize = 1_000_000;

/// How many trace entries a panic message shows.
const PANIC_TRACE_TAIL: usize = 30;

/// N agents, one [`Network`] and one [`VirtualClock`]. Each step jumps the
/// clock to the earliest of the next network delivery and the earliest agent
/// deadline, fires the due timeouts, hands out the due datagrams and stream
/// events, and drains every agent it touched (see [`Agent`] for the rule).
///
/// The world is generic over the agent type `A`, so that [`World::agent`]
/// gives the concrete type back with no casts. When agents of different types
/// share a world, use `World<Box<dyn Agent>>` and get them back with
/// [`World::downcast`] (or use an enum of your agent types).
///
/// Within one instant: timeouts fire first (in agent order), then datagrams
/// are delivered, then stream events, each in the order they were scheduled.
/// Everything is a function of the seed and of what the agents do, so a test
/// replays exactly.
///
/// A test that goes wrong panics with a message and the end of the trace:
/// more than the step budget in one `run_*` call, or 10,000 steps without
/// time moving (an agent whose deadline never moves on).
pub struct World<A> {
    clock: VirtualClock,
    network: Network,
    agents: Vec<A>,
    deadlines: Vec<Option<Instant>>,
    dirty: Vec<bool>,
    routes: BTreeMap<SocketAddr, usize>,
    step_budget: u64,
    unroutable: u64,
    stalled: u32,
    last_step_at: Option<Instant>,
}

impl<A: Agent> World<A> {
    /// An empty world: a clock starting now and a [`Network::new`] with
    /// `seed`.
    pub fn new(seed: u64) -> Self {
        Self::from_parts(VirtualClock::new(), Network::new(seed))
    }

    /// An empty world on the given clock and network.
    pub fn from_parts(clock: VirtualClock, network: Network) -> Self {
        Self {
            clock,
            network,
            agents: Vec::new(),
            deadlines: Vec::new(),
            dirty: Vec::new(),
            routes: BTreeMap::new(),
            step_budget: DEFAULT_STEP_BUDGET,
            unroutable: 0,
            stalled: 0,
            last_step_at: None,
        }
    }

    /// Adds an agent, owning the addresses it reports, and returns its index.
    /// It is drained (its first sends go out) at the next step.
    ///
    /// # Panics
    /// If another agent already owns one of its addresses.
    pub fn add_agent(&mut self, agent: A) -> usize {
        let index = self.agents.len();
        let addresses = agent.addresses();
        self.agents.push(agent);
        self.deadlines.push(None);
        self.dirty.push(true);
        for addr in addresses {
            self.bind(index, addr);
        }
        index
    }

    /// Routes datagrams and stream events for `addr` to agent `index` too.
    ///
    /// # Panics
    /// If another agent already owns `addr`.
    pub fn bind(&mut self, index: usize, addr: SocketAddr) {
        assert!(index < self.agents.len(), "no agent {index}");
        if let Some(&other) = self.routes.get(&addr) {
            assert_eq!(other, index, "{addr} is owned by agent {other} already");
        }
        self.routes.insert(addr, index);
    }

    /// The agent that owns `addr`.
    pub fn owner(&self, addr: SocketAddr) -> Option<usize> {
        self.routes.get(&addr).copied()
    }

    /// Agent `index`.
    pub fn agent(&self, index: usize) -> &A {
        &self.agents[index]
    }

    /// Agent `index`, to give it a command (take `now` from [`World::now`]
    /// first). The world drains it at the next step.
    pub fn agent_mut(&mut self, index: usize) -> &mut A {
        self.dirty[index] = true;
        &mut self.agents[index]
    }

    /// Every agent, in index order.
    pub fn agents(&self) -> &[A] {
        &self.agents
    }

    /// How many agents there are.
    pub fn len(&self) -> usize {
        self.agents.len()
    }

    /// Whether there are no agents.
    pub fn is_empty(&self) -> bool {
        self.agents.is_empty()
    }

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Virtual time since the world's clock started.
    pub fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }

    /// The clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The network, to change links mid-test or send raw datagrams.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.network
    }

    /// Starts recording the trace, with times from the clock's base.
    pub fn enable_trace(&mut self) {
        self.network.enable_trace(self.clock.base());
    }

    /// The trace: print it when a test fails.
    pub fn trace(&self) -> &Trace {
        self.network.trace()
    }

    /// Writes a note into the trace at the current time.
    pub fn note(&mut self, text: impl Into<String>) {
        let now = self.clock.now();
        self.network.trace_mut().note(now, text);
    }

    /// Sends a datagram that no agent wrote (a malformed packet, a stray
    /// retransmission) through the network now.
    pub fn inject(&mut self, from: SocketAddr, to: SocketAddr, payload: Vec<u8>) {
        let now = self.clock.now();
        self.network.send(now, from, to, payload);
    }

    /// Breaks a stream connection now; both ends hear of it (see
    /// [`Network::reset`]).
    ///
    /// # Panics
    /// If no connection has this id.
    pub fn reset_connection(&mut self, conn: ConnectionId) {
        let now = self.clock.now();
        if let Err(e) = self.network.reset(now, conn) {
            panic!("testkit: cannot reset: {e}");
        }
    }

    /// Datagrams and stream events dropped because no agent owns their
    /// destination.
    pub fn unroutable(&self) -> u64 {
        self.unroutable
    }

    /// Sets how many steps one `run_*` call may take
    /// ([`DEFAULT_STEP_BUDGET`] unless set).
    pub fn set_step_budget(&mut self, steps: u64) {
        self.step_budget = steps;
    }

    /// When the next thing happens: a network delivery or an agent deadline.
    pub fn next_event(&self) -> Option<Instant> {
        let agents = self.deadlines.iter().flatten().min().copied();
        match (self.network.next_delivery(), agents) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether nothing will ever happen again unless the test acts: nothing
    /// in flight, no deadline, no agent waiting to be drained.
    pub fn is_idle(&self) -> bool {
        !self.dirty.contains(&true) && self.next_event().is_none()
    }

    /// Takes one step: drains agents the test touched, then jumps to the next
    /// event and handles everything due then. Returns whether anything
    /// happened (false: the world is idle).
    pub fn step(&mut self) -> bool {
        self.step_within(None)
    }

    /// Steps until `done(world)` holds, for at most `max` of virtual time.
    /// Returns whether it holds; if not, the clock ends at now + `max`.
    #[must_use = "a test usually asserts that the condition was met"]
    pub fn run_until(&mut self, mut done: impl FnMut(&Self) -> bool, max: Duration) -> bool {
        let end = self.clock.now() + max;
        if self.run_loop(end, &mut done) {
            return true;
        }
        self.clock.advance_to(end);
        done(self)
    }

    /// Steps through everything that happens in the next `duration`, and
    /// leaves the clock at now + `duration`.
    pub fn run_for(&mut self, duration: Duration) {
        let end = self.clock.now() + duration;
        self.run_loop(end, |_| false);
        self.clock.advance_to(end);
    }

    /// Steps until the world is idle (see [`World::is_idle`]), for at most
    /// `max` of virtual time; the clock stays at the last event. Returns
    /// whether it went idle; if not, the clock ends at now + `max`. A world
    /// with a periodic timer (a keep-alive) never goes idle.
    #[must_use = "a test usually asserts that the world went idle"]
    pub fn run_until_idle(&mut self, max: Duration) -> bool {
        let end = self.clock.now() + max;
        if self.run_loop(end, Self::is_idle) {
            return true;
        }
        self.clock.advance_to(end);
        self.is_idle()
    }

    /// Steps while events come at or before `end`, until `stop` holds.
    fn run_loop(&mut self, end: Instant, mut stop: impl FnMut(&Self) -> bool) -> bool {
        let mut steps = 0;
        loop {
            if stop(self) {
                return true;
            }
            if !self.step_within(Some(end)) {
                return false;
            }
            steps += 1;
            if steps > self.step_budget {
                panic!(
                    "testkit: step budget of {} steps exhausted at +{:?} of virtual time \
                     (raise it with World::set_step_budget if the test is meant to run \
                     this long); the trace ends:\n{}",
                    self.step_budget,
                    self.clock.elapsed(),
                    self.trace().tail(PANIC_TRACE_TAIL)
                );
            }
        }
    }

    fn step_within(&mut self, limit: Option<Instant>) -> bool {
        let mut happened = false;
        for index in 0..self.agents.len() {
            if self.dirty[index] {
                happened |= self.drain(index);
            }
        }
        let Some(next) = self.next_event() else {
            return happened;
        };
        let now = next.max(self.clock.now());
        if limit.is_some_and(|limit| now > limit) {
            return happened;
        }
        self.clock.advance_to(now);
        self.check_stall(now);

        for index in 0..self.agents.len() {
            if self.deadlines[index].is_some_and(|deadline| deadline <= now) {
                let timeout = TraceEvent::Timeout { agent: index };
                self.network.trace_mut().record(now, timeout);
                self.agents[index].handle_timeout(now);
                self.drain(index);
            }
        }
        for delivery in self.network.deliver_due(now) {
            let Some(index) = self.route(delivery.to) else {
                continue;
            };
            let agent = &mut self.agents[index];
            agent.handle_datagram(now, delivery.from, delivery.to, &delivery.payload);
            self.drain(index);
        }
        for delivery in self.network.deliver_stream_due(now) {
            let Some(index) = self.route(delivery.to) else {
                continue;
            };
            self.agents[index].handle_stream_event(now, delivery.event);
            self.drain(index);
        }
        true
    }

    /// The agent owning `to`, or a count and a trace entry saying nobody does.
    fn route(&mut self, to: SocketAddr) -> Option<usize> {
        let index = self.routes.get(&to).copied();
        if index.is_none() {
            self.unroutable += 1;
            let now = self.clock.now();
            self.network
                .trace_mut()
                .record(now, TraceEvent::Unroutable { to });
        }
        index
    }

    /// Takes every output of agent `index`, then its deadline. Returns whether
    /// there was any output.
    fn drain(&mut self, index: usize) -> bool {
        let now = self.clock.now();
        let mut outputs = 0;
        loop {
            let before = outputs;
            while let Some(t) = self.agents[index].poll_transmit(now) {
                self.network.send(now, t.from, t.to, t.payload);
                outputs += 1;
                self.check_drain(index, outputs);
            }
            while let Some(command) = self.agents[index].poll_stream_command(now) {
                self.apply(index, now, command);
                outputs += 1;
                self.check_drain(index, outputs);
            }
            if outputs == before {
                break;
            }
        }
        self.deadlines[index] = self.agents[index].poll_timeout();
        self.dirty[index] = false;
        outputs > 0
    }

    fn apply(&mut self, index: usize, now: Instant, command: StreamCommand) {
        let result = match &command {
            StreamCommand::Listen { addr } => {
                self.network.listen(*addr);
                Ok(())
            }
            StreamCommand::StopListening { addr } => {
                self.network.stop_listening(*addr);
                Ok(())
            }
            StreamCommand::Connect { tag, from, to } => {
                self.network.connect(now, *tag, *from, *to);
                Ok(())
            }
            StreamCommand::Send { conn, data } => {
                self.network.stream_send(now, *conn, data.clone())
            }
            StreamCommand::Close { conn } => self.network.close(now, *conn),
            StreamCommand::Abort { conn } => self.network.abort(now, *conn),
        };
        if let Err(e) = result {
            panic!("testkit: agent {index} gave a stream command that cannot be carried out: {e}");
        }
    }

    fn check_drain(&self, index: usize, outputs: usize) {
        assert!(
            outputs < DRAIN_LIMIT,
            "testkit: agent {index} gave {DRAIN_LIMIT} outputs in one drain without stopping"
        );
    }

    fn check_stall(&mut self, now: Instant) {
        if self.last_step_at == Some(now) {
            self.stalled += 1;
        } else {
            self.stalled = 0;
            self.last_step_at = Some(now);
        }
        if self.stalled >= STALL_LIMIT {
            let due: Vec<usize> = (0..self.agents.len())
                .filter(|&i| self.deadlines[i].is_some_and(|d| d <= now))
                .collect();
            panic!(
                "testkit: livelock: {STALL_LIMIT} steps at +{:?} without virtual time moving; \
                 agents due now: {due:?}; network items pending: {}. An agent whose \
                 poll_timeout stays at or before now after handle_timeout, or agents \
                 answering each other over zero-delay links forever, never let time move. \
                 The trace ends:\n{}",
                self.clock.elapsed(),
                self.network.pending(),
                self.trace().tail(PANIC_TRACE_TAIL)
            );
        }
    }
}

impl World<Box<dyn Agent>> {
    /// Agent `index` as its concrete type.
    ///
    /// # Panics
    /// If it is not a `T`.
    pub fn downcast<T: Agent + 'static>(&self, index: usize) -> &T {
        let agent: &dyn Agent = &*self.agents[index];
        AsAny::as_any(agent)
            .downcast_ref()
            .unwrap_or_else(|| panic!("agent {index} is not a {}", type_name::<T>()))
    }

    /// Agent `index` as its concrete type, to give it a command; drained at
    /// the next step.
    ///
    /// # Panics
    /// If it is not a `T`.
    pub fn downcast_mut<T: Agent + 'static>(&mut self, index: usize) -> &mut T {
        self.dirty[index] = true;
        let agent: &mut dyn Agent = &mut *self.agents[index];
        AsAny::as_any_mut(agent)
            .downcast_mut()
            .unwrap_or_else(|| panic!("agent {index} is not a {}", type_name::<T>()))
    }
}

impl<A> fmt::Debug for World<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("World")
            .field("elapsed", &self.clock.elapsed())
            .field("agents", &self.agents.len())
            .field("deadlines", &self.deadlines)
            .field("routes", &self.routes)
            .field("seed", &self.network.seed())
            .field("in_flight", &self.network.pending())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Transmit;
    use crate::link::LinkConfig;
    use crate::stream::StreamEvent;
    use std::collections::VecDeque;

    fn addrs() -> (SocketAddr, SocketAddr) {
        (
            "10.0.0.1:5060".parse().unwrap(),
            "10.0.0.2:5060".parse().unwrap(),
        )
    }

    /// Speaks length-prefixed frames over a stream: a client sends its frames
    /// once connected and checks the echoes; a server echoes every frame.
    #[derive(Debug, Default)]
    struct FramedPeer {
        addr: Option<SocketAddr>,
        connect_to: Option<SocketAddr>,
        to_send: Vec<Vec<u8>>,
        commands: VecDeque<StreamCommand>,
        conn: Option<ConnectionId>,
        buf: Vec<u8>,
        received: Vec<Vec<u8>>,
        ends: Vec<StreamEvent>,
    }

    impl FramedPeer {
        fn server(addr: SocketAddr) -> Self {
            let mut peer = Self {
                addr: Some(addr),
                ..Self::default()
            };
            peer.commands.push_back(StreamCommand::Listen { addr });
            peer
        }

        fn client(addr: SocketAddr, server: SocketAddr, frames: Vec<Vec<u8>>) -> Self {
            let mut peer = Self {
                addr: Some(addr),
                to_send: frames,
                ..Self::default()
            };
            peer.commands.push_back(StreamCommand::Connect {
                tag: 1,
                from: addr,
                to: server,
            });
            peer.connect_to = Some(server);
            peer
        }

        fn send_frame(&mut self, conn: ConnectionId, frame: &[u8]) {
            let mut data = (frame.len() as u32).to_be_bytes().to_vec();
            data.extend_from_slice(frame);
            self.commands.push_back(StreamCommand::Send { conn, data });
        }

        fn close(&mut self) {
            let conn = self.conn.expect("connected");
            self.commands.push_back(StreamCommand::Close { conn });
        }
    }

    impl Agent for FramedPeer {
        fn addresses(&self) -> Vec<SocketAddr> {
            self.addr.into_iter().collect()
        }

        fn handle_datagram(&mut self, _: Instant, _: SocketAddr, _: SocketAddr, _: &[u8]) {}

        fn handle_stream_event(&mut self, _now: Instant, event: StreamEvent) {
            match event {
                StreamEvent::Accepted { conn, .. } => self.conn = Some(conn),
                StreamEvent::Connected { conn, .. } => {
                    self.conn = Some(conn);
                    for frame in std::mem::take(&mut self.to_send) {
                        self.send_frame(conn, &frame);
                    }
                }
                StreamEvent::Data { conn, data } => {
                    self.buf.extend_from_slice(&data);
                    while self.buf.len() >= 4 {
                        let len = u32::from_be_bytes(self.buf[..4].try_into().unwrap()) as usize;
                        if self.buf.len() < 4 + len {
                            break;
                        }
                        let frame: Vec<u8> = self.buf.drain(..4 + len).skip(4).collect();
                        if self.connect_to.is_none() {
                            self.send_frame(conn, &frame);
                        }
                        self.received.push(frame);
                    }
                }
                other => self.ends.push(other),
            }
        }

        fn handle_timeout(&mut self, _: Instant) {}

        fn poll_transmit(&mut self, _: Instant) -> Option<Transmit> {
            None
        }

        fn poll_stream_command(&mut self, _: Instant) -> Option<StreamCommand> {
            self.commands.pop_front()
        }

        fn poll_timeout(&mut self) -> Option<Instant> {
            None
        }
    }

    fn frames() -> Vec<Vec<u8>> {
        (0..40u8)
            .map(|i| format!("message {i} {}", "x".repeat(usize::from(i) * 7)).into_bytes())
            .collect()
    }

    fn echo_world(seed: u64) -> World<FramedPeer> {
        let (a, b) = addrs();
        let mut world = World::new(seed);
        world.enable_trace();
        world
            .network_mut()
            .set_default_link(LinkConfig::default().with_jitter(Duration::from_millis(4)));
        world.add_agent(FramedPeer::server(b));
        world.add_agent(FramedPeer::client(a, b, frames()));
        world
    }

    #[test]
    fn framed_echo_over_chunked_stream() {
        let mut world = echo_world(1);
        let all = frames().len();
        let echoed = world.run_until(|w| w.agent(1).received.len() == all, Duration::from_secs(5));
        assert!(echoed, "{}", world.trace());
        assert_eq!(world.agent(0).received, frames());
        assert_eq!(world.agent(1).received, frames());
        let stats = world.network().stream_stats();
        assert_ne!(
            stats.chunks_delivered,
            2 * all as u64,
            "chunks were cut or joined"
        );

        world.agent_mut(1).close();
        assert!(world.run_until_idle(Duration::from_secs(1)));
        let server = world.agent(0).conn.unwrap();
        assert_eq!(world.agent(0).ends, [StreamEvent::Closed { conn: server }]);
        assert!(world.agent(1).ends.is_empty());
    }

    #[test]
    fn same_seed_same_trace() {
        let run = |seed| {
            let mut world = echo_world(seed);
            world.run_for(Duration::from_secs(2));
            world.trace().to_string()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
    }

    #[test]
    fn reset_reaches_both_agents() {
        let mut world = echo_world(2);
        assert!(world.run_until(|w| w.agent(1).conn.is_some(), Duration::from_secs(1)));
        let server = world.agent(0).conn.unwrap();
        world.reset_connection(server);
        world.run_for(Duration::from_millis(1));
        assert_eq!(world.agent(0).ends, [StreamEvent::Reset { conn: server }]);
        assert_eq!(
            world.agent(1).ends,
            [StreamEvent::Reset {
                conn: server.peer()
            }]
        );
    }

    #[test]
    fn refused_when_nobody_listens() {
        let (a, b) = addrs();
        let mut world = World::new(1);
        world.add_agent(FramedPeer::client(a, b, frames()));
        assert!(world.run_until_idle(Duration::from_secs(1)));
        assert!(matches!(
            world.agent(0).ends[..],
            [StreamEvent::Refused { tag: 1, .. }]
        ));
        assert_eq!(world.elapsed(), Duration::from_millis(20));
    }

    /// Sends "ping" to `peer` on every datagram, and once at the start.
    #[derive(Debug)]
    struct Chatter {
        addr: SocketAddr,
        peer: SocketAddr,
        pending: u32,
        deadline: Option<Instant>,
    }

    impl Agent for Chatter {
        fn addresses(&self) -> Vec<SocketAddr> {
            vec![self.addr]
        }
        fn handle_datagram(&mut self, _: Instant, _: SocketAddr, _: SocketAddr, _: &[u8]) {
            self.pending += 1;
        }
        fn handle_timeout(&mut self, _: Instant) {}
        fn poll_transmit(&mut self, _: Instant) -> Option<Transmit> {
            self.pending = self.pending.checked_sub(1)?;
            Some(Transmit {
                from: self.addr,
                to: self.peer,
                payload: b"ping".to_vec(),
            })
        }
        fn poll_timeout(&mut self) -> Option<Instant> {
            self.deadline
        }
    }

    fn chatter_world(delay: Duration) -> World<Chatter> {
        let (a, b) = addrs();
        let mut world = World::new(1);
        world.enable_trace();
        world
            .network_mut()
            .set_default_link(LinkConfig::with_delay_only(delay));
        world.add_agent(Chatter {
            addr: a,
            peer: b,
            pending: 1,
            deadline: None,
        });
        world.add_agent(Chatter {
            addr: b,
            peer: a,
            pending: 0,
            deadline: None,
        });
        world
    }

    #[test]
    #[should_panic(expected = "step budget of 100 steps exhausted")]
    fn runaway_run_hits_the_step_budget() {
        let mut world = chatter_world(Duration::from_millis(1));
        world.set_step_budget(100);
        world.run_for(Duration::from_secs(3600));
    }

    #[test]
    #[should_panic(expected = "livelock")]
    fn zero_delay_ping_pong_is_a_livelock() {
        chatter_world(Duration::ZERO).run_for(Duration::from_secs(1));
    }

    #[test]
    #[should_panic(expected = "agents due now: [1]")]
    fn a_deadline_that_never_moves_is_a_livelock() {
        let mut world = chatter_world(Duration::from_millis(1));
        let stuck = world.now() + Duration::from_millis(5);
        world.agent_mut(1).deadline = Some(stuck);
        world.agent_mut(0).pending = 0;
        world.run_for(Duration::from_secs(1));
    }

    #[test]
    fn run_for_moves_the_clock_exactly() {
        let mut world = chatter_world(Duration::from_millis(1));
        world.agent_mut(0).pending = 0;
        world.run_for(Duration::from_millis(1500));
        assert_eq!(world.elapsed(), Duration::from_millis(1500));
        assert!(world.is_idle());
        assert!(!world.step());
    }

    #[test]
    fn unroutable_datagrams_are_counted_and_traced() {
        let (a, _) = addrs();
        let mut world = chatter_world(Duration::from_millis(1));
        world.agent_mut(0).pending = 0;
        let nowhere: SocketAddr = "10.9.9.9:5060".parse().unwrap();
        world.inject(a, nowhere, b"hello?".to_vec());
        assert!(world.run_until_idle(Duration::from_secs(1)));
        assert_eq!(world.unroutable(), 1);
        assert!(
            world
                .trace()
                .to_string()
                .contains("UNROUTABLE: no agent owns 10.9.9.9:5060")
        );
    }

    #[test]
    #[should_panic(expected = "is owned by agent 0 already")]
    fn an_address_has_one_owner() {
        let (a, b) = addrs();
        let mut world = World::new(1);
        world.add_agent(FramedPeer::server(a));
        world.add_agent(FramedPeer::client(a, b, Vec::new()));
    }

    #[test]
    fn boxed_agents_of_mixed_types_downcast() {
        let (a, b) = addrs();
        let c: SocketAddr = "10.0.0.3:5060".parse().unwrap();
        let mut world: World<Box<dyn Agent>> = World::new(3);
        world.add_agent(Box::new(FramedPeer::server(b)));
        world.add_agent(Box::new(FramedPeer::client(a, b, frames())));
        world.add_agent(Box::new(Chatter {
            addr: c,
            peer: c,
            pending: 0,
            deadline: None,
        }));
        let all = frames().len();
        let done = world.run_until(
            |w| w.downcast::<FramedPeer>(1).received.len() == all,
            Duration::from_secs(5),
        );
        assert!(done);
        world.downcast_mut::<Chatter>(2).pending = 1;
        world.run_for(Duration::from_millis(15));
        assert_eq!(world.network().stats(c, c).delivered, 1, "it pinged itself");
        let wrong = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            world.downcast::<Chatter>(0);
        }));
        assert!(wrong.is_err());
    }

    #[test]
    #[should_panic(expected = "agent 0 gave a stream command that cannot be carried out")]
    fn misuse_of_a_connection_panics() {
        let mut world = echo_world(1);
        assert!(world.run_until(|w| w.agent(1).conn.is_some(), Duration::from_secs(1)));
        let conn = world.agent(1).conn.unwrap();
        world.agent_mut(1).close();
        world.run_for(Duration::from_millis(1));
        // Agent 0 (the server) uses the client's end, which is closed.
        world.agent_mut(0).send_frame(conn, b"not mine");
        world.run_for(Duration::from_millis(1));
    }
}

//! The same transactions over TCP, through testkit's stream connections
//! (bytes cut and joined at random, never lost): every message goes out once
//! (no retransmission timer runs over a reliable transport), Timers D, I, J
//! and K are zero (RFC 3261 §17), one connection carries everything and closes
//! when idle, and a connection that breaks mid-transaction ends the client
//! transaction with a transport error (§17.1.4).

mod support;

use std::time::Duration;

use sip::Method;
use sip_core::transaction::Termination;
use support::flows::{ALICE_INDEX, BOB_INDEX, Flow, run_batch};
use support::{BOB, Plan, RequestSpec, StackAgent, ms, tcp, two_agents};
use testkit::{LinkConfig, StreamConfig, World};

/// 30 % loss and 10 ms ± 5 ms of jitter: streams ignore the loss (TCP hides
/// it) and take the delay.
fn link() -> LinkConfig {
    LinkConfig::default()
        .with_jitter(Duration::from_millis(5))
        .with_loss(0.3)
}

/// Runs a little longer than the idle timeout, then checks that both stacks
/// closed the connection and have nothing left to do.
fn assert_closed_when_idle(world: &mut World<StackAgent>) {
    world.run_for(Duration::from_secs(60));
    for index in [ALICE_INDEX, BOB_INDEX] {
        let agent = world.agent_mut(index);
        assert_eq!(agent.stack.transaction_count(), (0, 0));
        assert_eq!(agent.stack.connection_count(), 0, "{}", agent.name);
        assert_eq!(agent.stack.poll_timeout(), None, "{}", agent.name);
    }
    // Nothing in flight, no timer anywhere: the world has nothing left to do.
    assert!(world.run_until_idle(Duration::from_secs(1)));
}

#[test]
fn every_flow_over_tcp_sends_each_message_once() {
    const COUNT: usize = 20;
    for flow in Flow::ALL {
        let (mut world, result) = run_batch(1, link(), flow, tcp(BOB), COUNT, ms(250));
        // Flow::check also asserts Timers K, J and D are zero here, and M and
        // L still 64·T1 (RFC 6026 keeps them whatever the transport).
        let report = result.unwrap_or_else(|e| panic!("{e}\n{}", world.trace().tail(40)));
        println!("over TCP: {report}");
        assert_eq!(report.datagrams, (0, 0), "nothing went by UDP");
        let stats = world.network().stream_stats();
        assert_eq!((stats.connects, stats.refused), (1, 0), "one connection");
        let alice = world.agent(ALICE_INDEX);
        let bob = world.agent(BOB_INDEX);
        let requests = |method| alice.request_times(method).len();
        let responses = |code| bob.response_times(code).len();
        match flow {
            Flow::NonInvite => {
                assert_eq!(requests("OPTIONS") + requests("MESSAGE"), COUNT);
                assert_eq!(responses(200), COUNT);
            }
            Flow::InviteRejected => {
                assert_eq!(requests("INVITE"), COUNT);
                assert_eq!(responses(486), COUNT);
                assert_eq!(requests("ACK"), COUNT);
            }
            Flow::InviteAccepted => {
                assert_eq!(requests("INVITE"), COUNT);
                // The ACK comes back within T1: the TU never resends its 2xx.
                assert_eq!(responses(200), COUNT);
                assert_eq!(requests("ACK"), COUNT);
            }
            Flow::InviteCancelled => {
                assert_eq!(requests("INVITE"), COUNT);
                assert_eq!(responses(180), COUNT);
                assert_eq!(requests("CANCEL"), COUNT);
                assert_eq!(responses(487), COUNT);
                // The CANCEL's 200 and the INVITE's 487.
                assert_eq!(responses(200), COUNT);
                assert_eq!(requests("ACK"), COUNT);
            }
        }
        assert_closed_when_idle(&mut world);
    }
}

#[test]
fn timers_d_and_i_are_zero_over_tcp() {
    let mut world = two_agents(1, LinkConfig::default());
    // One chunk per send, so arrival times are exactly the link's 10 ms.
    world.network_mut().set_stream_config(StreamConfig::exact());
    let now = world.now();
    let spec = RequestSpec::new(Method::Invite, tcp(BOB)).plan(Plan::answer(486));
    let id = world.agent_mut(ALICE_INDEX).send(now, spec).expect("sent");
    world.run_for(Duration::from_secs(1));
    let alice = world.agent(ALICE_INDEX);
    let call = alice.client(id);
    let (answered, code) = call.final_response().expect("a final response");
    assert_eq!(code, 486);
    // Connect (a round trip, 20 ms), INVITE (10 ms), 486 (10 ms).
    assert_eq!(alice.offset(answered), ms(40));
    // Timer D is zero: the client transaction ends as it ACKs.
    assert_eq!(call.ended, Some((answered, Termination::Completed)));
    assert_eq!(alice.request_times("ACK"), [ms(40)]);
    // Timer I is zero: Bob's ends as the ACK arrives, 10 ms later.
    let bob = world.agent(BOB_INDEX);
    let (_, server) = bob.server_by_call_id("alice-1@192.0.2.1").expect("call");
    assert_eq!(
        server.ended.map(|(at, how)| (bob.offset(at), how)),
        Some((ms(50), Termination::Completed))
    );
    assert_closed_when_idle(&mut world);
}

/// Alice sends `method` over TCP; Bob's TU answers after 5 s; the connection
/// is reset once `ready` holds. Returns the world and the reset instant.
fn reset_mid_transaction(
    method: Method<'static>,
    plan: Plan,
    ready: impl Fn(&World<StackAgent>) -> bool,
) -> (World<StackAgent>, sip_core::stack::ClientTxId, Duration) {
    let mut world = two_agents(1, LinkConfig::default());
    let now = world.now();
    let spec = RequestSpec::new(method, tcp(BOB)).plan(plan);
    let id = world.agent_mut(ALICE_INDEX).send(now, spec).expect("sent");
    assert!(world.run_until(ready, Duration::from_secs(1)));
    let connections = world.agent(ALICE_INDEX).kit_connections();
    assert_eq!(connections.len(), 1);
    let reset_at = world.elapsed();
    world.reset_connection(connections[0]);
    world.run_for(Duration::from_secs(60));
    (world, id, reset_at)
}

#[test]
fn a_reset_connection_ends_a_non_invite_client_transaction_with_a_transport_error() {
    let (world, id, reset_at) = reset_mid_transaction(
        Method::Options,
        Plan::answer_after(Duration::from_secs(5), 200),
        |w| !w.agent(BOB_INDEX).servers.is_empty(),
    );
    let alice = world.agent(ALICE_INDEX);
    let call = alice.client(id);
    assert_eq!(
        call.ended.map(|(at, how)| (alice.offset(at), how)),
        Some((reset_at, Termination::TransportError))
    );
    assert!(call.responses.is_empty());
    assert!(
        alice.contract_breaches().is_empty(),
        "{:?}",
        alice.contract_breaches()
    );
    assert_eq!(alice.stack.transaction_count(), (0, 0));
}

#[test]
fn a_reset_connection_ends_a_ringing_invite_with_a_transport_error() {
    let (world, id, reset_at) = reset_mid_transaction(
        Method::Invite,
        Plan::ring_then(Duration::from_secs(5), 200),
        |w| {
            w.agent(ALICE_INDEX)
                .clients
                .values()
                .any(|c| c.codes() == [180])
        },
    );
    let alice = world.agent(ALICE_INDEX);
    let call = alice.client(id);
    assert_eq!(call.codes(), [180]);
    assert_eq!(
        call.ended.map(|(at, how)| (alice.offset(at), how)),
        Some((reset_at, Termination::TransportError))
    );
    assert!(
        alice.contract_breaches().is_empty(),
        "{:?}",
        alice.contract_breaches()
    );
    assert_eq!(alice.stack.transaction_count(), (0, 0));
}

/// RFC 3261 §18.2.2: when the connection a request came on is gone, the
/// server "SHOULD open a connection to the IP address in the received
/// parameter, if present, using the port in the sent-by value" — Alice's
/// listening 192.0.2.1:5060. The stack (`handle_connection_closed`, for the
/// server transactions on the connection) reconnects to the connection's
/// remote address instead, Alice's ephemeral port 192.0.2.1:49152, where
/// nobody listens. Refused, it reconnects at once, every round trip (20 ms)
/// until the server transaction ends: 250 attempts before Bob's TU answers
/// at 5 s, and the 200 is dropped with the last attempt. Seed 1; the trace
/// ends:
///
/// ```text
///     4.991648s  stream -> 192.0.2.2:5060  Refused { conn: conn#248c, tag: 249, remote: 192.0.2.1:49152 }
///     5.011648s  stream -> 192.0.2.2:5060  Refused { conn: conn#249c, tag: 250, remote: 192.0.2.1:49152 }
///     5.031648s  agent 1: timeout
///     5.031648s  stream -> 192.0.2.2:5060  Refused { conn: conn#250c, tag: 251, remote: 192.0.2.1:49152 }
/// ```
#[test]
fn a_response_after_a_reset_goes_to_the_sent_by_port() {
    let (world, _, _) = reset_mid_transaction(
        Method::Options,
        Plan::answer_after(Duration::from_secs(5), 200),
        |w| !w.agent(BOB_INDEX).servers.is_empty(),
    );
    let stats = world.network().stream_stats();
    // The first connection, and one to 192.0.2.1:5060 for the 200.
    assert_eq!((stats.connects, stats.refused), (2, 0), "{stats:?}");
    // The 200 reached Alice's stack, whose transaction had ended: a stray.
    assert_eq!(world.agent(ALICE_INDEX).stack.stats().stray_responses, 1);
}

/// RFC 3261 §17.2.4: when the transport cannot deliver a response, the server
/// transaction informs the TU of a transport error. When Alice accepts no
/// connections, the stack instead reconnects every round trip for as long as
/// the server transaction lives (for ever, if the TU never answers), queues
/// the 200 on a connection that never opens, and ends the transaction as
/// `Completed`. Seed 1; 251 connection attempts in 5 s.
#[test]
fn a_refused_reconnection_ends_the_server_transaction_with_a_transport_error() {
    let mut world = two_agents(1, LinkConfig::default());
    world.agent_mut(ALICE_INDEX).stop_listening();
    let now = world.now();
    let plan = Plan::answer_after(Duration::from_secs(5), 200);
    let spec = RequestSpec::new(Method::Options, tcp(BOB)).plan(plan);
    world.agent_mut(ALICE_INDEX).send(now, spec).expect("sent");
    assert!(world.run_until(
        |w| !w.agent(BOB_INDEX).servers.is_empty(),
        Duration::from_secs(1)
    ));
    let connection = world.agent(ALICE_INDEX).kit_connections()[0];
    world.reset_connection(connection);
    world.run_for(Duration::from_secs(60));
    let stats = world.network().stream_stats();
    assert!(stats.connects <= 2, "{stats:?}");
    let bob = world.agent(BOB_INDEX);
    let (_, server) = bob.server_by_call_id("alice-1@192.0.2.1").expect("call");
    assert_eq!(
        server.ended.map(|(_, how)| how),
        Some(Termination::TransportError)
    );
}

/// The minimal case the property tests found (`stack_props.rs`): Bob's TU
/// never answers an OPTIONS that came over TCP (a TU's fault, which the stack
/// must survive). Alice's transaction times out (Timer F, 32 s), she closes
/// the connection as it falls idle (32 s after its last use, at 32.02 s), and
/// Bob's stack, whose server transaction still waits for its TU, reconnects
/// to the connection's remote address, Alice's ephemeral port, instead of
/// received + sent-by (RFC 3261 §18.2.2); refused, it tries again every round
/// trip (20 ms), for as long as the transaction lives: for ever. Seed 1:
/// 13,398 refused attempts by 300 s.
#[test]
fn an_idle_close_by_the_peer_starts_no_reconnection_storm() {
    let mut world = two_agents(1, LinkConfig::default());
    let now = world.now();
    let spec = RequestSpec::new(Method::Options, tcp(BOB)).plan(Plan::never());
    let id = world.agent_mut(ALICE_INDEX).send(now, spec).expect("sent");
    world.run_for(Duration::from_secs(300));
    let alice = world.agent(ALICE_INDEX);
    assert_eq!(
        alice
            .client(id)
            .ended
            .map(|(at, how)| (alice.offset(at), how)),
        Some((ms(32_000), Termination::Timeout))
    );
    assert_eq!(
        alice.stack.connection_count(),
        0,
        "Alice closed it when idle"
    );
    let stats = world.network().stream_stats();
    assert_eq!(stats.refused, 0, "{stats:?}");
}

//! The timers of RFC 3261 §17 (table 4, with RFC 6026's L and M) observed
//! from outside the stack: retransmission instants on the wire as the agents
//! saw them leave, and the instants at which transactions end, in virtual
//! time to the nanosecond. Links are 10 ms one way and lossless unless a test
//! loses everything on purpose; T1 = 500 ms, T2 = 4 s, T4 = 5 s.

mod support;

use std::time::Duration;

use sip::Method;
use sip_core::stack::ClientTxId;
use sip_core::transaction::Termination;
use support::flows::{ALICE_INDEX, BOB_INDEX};
use support::{ALICE, BOB, Plan, RequestSpec, StackAgent, addr, ms, two_agents, udp};
use testkit::{LinkConfig, World};

/// Alice sends one request to Bob over UDP, with a plan for Bob's answer.
fn one_request(
    link: LinkConfig,
    method: Method<'static>,
    plan: Plan,
) -> (World<StackAgent>, ClientTxId) {
    let mut world = two_agents(1, link);
    let now = world.now();
    let spec = RequestSpec::new(method, udp(BOB)).plan(plan);
    let id = world.agent_mut(ALICE_INDEX).send(now, spec).expect("sent");
    (world, id)
}

/// The client transaction's end, as an offset from the start.
fn client_end(world: &World<StackAgent>, id: ClientTxId) -> Option<(Duration, Termination)> {
    let alice = world.agent(ALICE_INDEX);
    alice
        .client(id)
        .ended
        .map(|(at, how)| (alice.offset(at), how))
}

/// The end of Bob's only server transaction that reached his TU.
fn server_end(world: &World<StackAgent>) -> Option<(Duration, Termination)> {
    let bob = world.agent(BOB_INDEX);
    let mut ends = bob
        .servers
        .values()
        .filter(|s| s.request.is_some())
        .filter_map(|s| s.ended.map(|(at, how)| (bob.offset(at), how)));
    let end = ends.next();
    assert!(ends.next().is_none(), "one server transaction");
    end
}

/// Both stacks are empty and have nothing to wait for.
fn assert_quiet(world: &mut World<StackAgent>) {
    for index in [ALICE_INDEX, BOB_INDEX] {
        let agent = world.agent_mut(index);
        assert_eq!(agent.stack.transaction_count(), (0, 0), "{}", agent.name);
        assert_eq!(agent.stack.poll_timeout(), None, "{}", agent.name);
        assert!(
            agent.contract_breaches().is_empty(),
            "{:?}",
            agent.contract_breaches()
        );
    }
}

fn lose_everything() -> LinkConfig {
    LinkConfig::default().with_loss(1.0)
}

#[test]
fn timer_a_doubles_without_cap_and_timer_b_fires_at_64_t1() {
    let (mut world, id) = one_request(lose_everything(), Method::Invite, Plan::answer(200));
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    let alice = world.agent(ALICE_INDEX);
    assert_eq!(
        alice.request_times("INVITE"),
        [0, 500, 1500, 3500, 7500, 15500, 31500].map(ms)
    );
    assert_eq!(
        client_end(&world, id),
        Some((ms(32_000), Termination::Timeout))
    );
    assert_eq!(world.elapsed(), ms(32_000));
    assert!(
        world
            .trace()
            .to_string()
            .contains("   31.500000s  192.0.2.1:5060 -> 192.0.2.2:5060  LOST"),
        "{}",
        world.trace()
    );
    assert_quiet(&mut world);
}

#[test]
fn timer_e_doubles_up_to_t2_and_timer_f_fires_at_64_t1() {
    let (mut world, id) = one_request(lose_everything(), Method::Options, Plan::answer(200));
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    let alice = world.agent(ALICE_INDEX);
    assert_eq!(
        alice.request_times("OPTIONS"),
        [
            0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500
        ]
        .map(ms)
    );
    assert_eq!(
        client_end(&world, id),
        Some((ms(32_000), Termination::Timeout))
    );
    assert_eq!(world.elapsed(), ms(32_000));
    assert_quiet(&mut world);
}

#[test]
fn timer_e_is_t2_once_a_provisional_came() {
    // Bob says 100 at once and 200 after 10 s.
    let plan = Plan(vec![(Duration::ZERO, 100), (Duration::from_secs(10), 200)]);
    let (mut world, id) = one_request(LinkConfig::default(), Method::Options, plan);
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    let alice = world.agent(ALICE_INDEX);
    // The 100 reached Alice at 20 ms; Timer E fired once at T1 in
    // Proceeding, then every T2 (RFC 3261 §17.1.2.2).
    assert_eq!(alice.request_times("OPTIONS"), [0, 500, 4500, 8500].map(ms));
    // Bob answers each retransmission with his last response.
    let bob = world.agent(BOB_INDEX);
    assert_eq!(bob.response_times(100), [10, 510, 4510, 8510].map(ms));
    assert_eq!(bob.response_times(200), [ms(10_010)]);
    // Timer K: T4 after the 200; Timer J: 64·T1 after it.
    assert_eq!(
        client_end(&world, id),
        Some((ms(15_020), Termination::Completed))
    );
    assert_eq!(
        server_end(&world),
        Some((ms(42_010), Termination::Completed))
    );
    assert_quiet(&mut world);
}

#[test]
fn non_invite_lingers_timer_k_and_timer_j() {
    let (mut world, id) = one_request(LinkConfig::default(), Method::Options, Plan::answer(200));
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    // The 200 reaches Alice at 20 ms: Timer K = T4 later. Bob sent it at
    // 10 ms: Timer J = 64·T1 later.
    assert_eq!(
        client_end(&world, id),
        Some((ms(5_020), Termination::Completed))
    );
    assert_eq!(
        server_end(&world),
        Some((ms(32_010), Termination::Completed))
    );
    assert_eq!(world.agent(ALICE_INDEX).request_times("OPTIONS"), [ms(0)]);
    assert_quiet(&mut world);
}

#[test]
fn rejected_invite_lingers_timer_d_and_timer_i() {
    let (mut world, id) = one_request(LinkConfig::default(), Method::Invite, Plan::answer(486));
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    let alice = world.agent(ALICE_INDEX);
    assert_eq!(alice.client(id).codes(), [486]);
    // The client transaction ACKs at once (20 ms) and waits Timer D = 32 s.
    assert_eq!(alice.request_times("ACK"), [ms(20)]);
    assert_eq!(
        client_end(&world, id),
        Some((ms(32_020), Termination::Completed))
    );
    // The ACK reaches Bob at 30 ms: Timer I = T4 later.
    assert_eq!(
        server_end(&world),
        Some((ms(5_030), Termination::Completed))
    );
    // The ACK of a non-2xx stays inside the transaction.
    assert_eq!(world.agent(BOB_INDEX).acks_received, 0);
    assert_quiet(&mut world);
}

#[test]
fn accepted_invite_lingers_timer_m_and_timer_l() {
    let (mut world, id) = one_request(LinkConfig::default(), Method::Invite, Plan::answer(200));
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    let alice = world.agent(ALICE_INDEX);
    assert_eq!(alice.client(id).codes(), [200]);
    // Alice's TU ACKs the 2xx itself, outside the transaction.
    assert_eq!(alice.request_times("ACK"), [ms(20)]);
    assert_eq!(alice.client(id).acks_sent, 1);
    // RFC 6026: Timer M (64·T1) after the 2xx at Alice, Timer L at Bob.
    assert_eq!(
        client_end(&world, id),
        Some((ms(32_020), Termination::Completed))
    );
    assert_eq!(
        server_end(&world),
        Some((ms(32_010), Termination::Completed))
    );
    let bob = world.agent(BOB_INDEX);
    let (_, call) = bob
        .server_by_call_id("alice-1@192.0.2.1")
        .expect("Bob's call");
    assert_eq!(call.acked_at.map(|at| bob.offset(at)), Some(ms(30)));
    // The ACK came before T1: the 2xx went out once.
    assert_eq!(bob.response_times(200), [ms(10)]);
    assert_quiet(&mut world);
}

#[test]
fn trying_goes_out_after_200_ms_and_stops_timer_a() {
    let plan = Plan::answer_after(Duration::from_secs(1), 486);
    let (mut world, id) = one_request(LinkConfig::default(), Method::Invite, plan);
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    let bob = world.agent(BOB_INDEX);
    // The INVITE reached Bob at 10 ms; his TU had not answered 200 ms later.
    assert_eq!(bob.response_times(100), [ms(210)]);
    assert_eq!(bob.response_times(486), [ms(1010)]);
    let alice = world.agent(ALICE_INDEX);
    assert_eq!(alice.client(id).codes(), [100, 486]);
    // The 100 reached Alice at 220 ms, before Timer A's 500 ms: no retransmission.
    assert_eq!(alice.request_times("INVITE"), [ms(0)]);
    assert_quiet(&mut world);
}

/// Loses everything Alice sends once Bob has the request (so every ACK).
fn lose_alice_to_bob_after_the_request(world: &mut World<StackAgent>) {
    let arrived = world.run_until(
        |w| !w.agent(BOB_INDEX).servers.is_empty(),
        Duration::from_secs(1),
    );
    assert!(arrived);
    assert_eq!(world.elapsed(), ms(10));
    world
        .network_mut()
        .set_link(addr(ALICE), addr(BOB), LinkConfig::default().with_loss(1.0));
}

#[test]
fn timer_g_retransmits_a_final_response_until_timer_h() {
    let (mut world, id) = one_request(LinkConfig::default(), Method::Invite, Plan::answer(486));
    lose_alice_to_bob_after_the_request(&mut world);
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    // Timer G: T1, doubling up to T2, from the first 486 at 10 ms; Timer H
    // (64·T1) ends it without an ACK.
    let sent = [
        10, 510, 1510, 3510, 7510, 11_510, 15_510, 19_510, 23_510, 27_510, 31_510,
    ]
    .map(ms);
    assert_eq!(world.agent(BOB_INDEX).response_times(486), sent);
    assert_eq!(server_end(&world), Some((ms(32_010), Termination::Timeout)));
    // Alice's transaction ACKed every copy (all lost) and ended on Timer D.
    let acks: Vec<_> = sent.iter().map(|t| *t + ms(10)).collect();
    assert_eq!(world.agent(ALICE_INDEX).request_times("ACK"), acks);
    assert_eq!(world.agent(ALICE_INDEX).client(id).codes(), [486]);
    assert_eq!(
        client_end(&world, id),
        Some((ms(32_020), Termination::Completed))
    );
    assert_quiet(&mut world);
}

#[test]
fn the_tu_retransmits_a_2xx_until_64_t1_when_no_ack_comes() {
    let (mut world, id) = one_request(LinkConfig::default(), Method::Invite, Plan::answer(200));
    lose_alice_to_bob_after_the_request(&mut world);
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    // RFC 3261 §13.3.1.4: T1 doubling up to T2, for 64·T1; the server
    // transaction (Accepted, RFC 6026) passes each copy on.
    let sent = [
        10, 510, 1510, 3510, 7510, 11_510, 15_510, 19_510, 23_510, 27_510, 31_510,
    ]
    .map(ms);
    let bob = world.agent(BOB_INDEX);
    assert_eq!(bob.response_times(200), sent);
    let (_, call) = bob.server_by_call_id("alice-1@192.0.2.1").expect("call");
    assert!(call.ack_timed_out);
    // Timer L ends Bob's transaction normally at 64·T1 after the first 2xx.
    assert_eq!(
        server_end(&world),
        Some((ms(32_010), Termination::Completed))
    );
    // Alice's transaction (Accepted) passed every copy up; her TU ACKed each.
    let alice = world.agent(ALICE_INDEX);
    assert_eq!(alice.client(id).codes(), [200; 11]);
    assert_eq!(alice.client(id).acks_sent, 11);
    assert_eq!(alice.stray_2xx, 0);
    assert_eq!(
        client_end(&world, id),
        Some((ms(32_020), Termination::Completed))
    );
    assert_quiet(&mut world);
}

/// RFC 3261 §17.1.1.2: Timer B ends the transaction only "if the client
/// transaction is still in the Calling state when timer B fires"; once a
/// provisional response has come, the INVITE waits for its final response as
/// long as the callee rings (a proxy has Timer C; a UAC may CANCEL). The stack
/// keeps Timer B running in Proceeding (`ClientInvite::handle_response` leaves
/// `timer_b` armed, and its unit test says so), so a call that rings for more
/// than 32 s fails with a timeout, and its 2xx then arrives as a stray
/// response. Under loss the same bug ends cancelled INVITEs whose 487 is late
/// (see `lossy.rs`). Seed 1, lossless 10 ms links; the trace, and Alice's
/// events:
///
/// ```text
///     0.010000s  192.0.2.1:5060 -> 192.0.2.2:5060  delivered  332 B  "INVITE sip:peer@192.0.2.2:5060 SIP/2.0…
///     0.020000s  192.0.2.2:5060 -> 192.0.2.1:5060  delivered  268 B  "SIP/2.0 180 Ringing…
///    32.000000s  agent 0: timeout
///    40.010000s  agent 1: timeout
///    40.020000s  192.0.2.2:5060 -> 192.0.2.1:5060  delivered  298 B  "SIP/2.0 200 OK…
///    40.030000s  192.0.2.1:5060 -> 192.0.2.2:5060  delivered  275 B  "ACK sip:peer@192.0.2.2:5060 SIP/2.0…
/// alice 20ms response 180
/// alice 32s ended Timeout
/// alice 40.02s stray 200
/// ```
///
/// Fixing it needs RFC 3261 §9.1 too: a UAC that cancelled an INVITE
/// destroys its transaction if no final response comes within 64·T1.
#[test]
fn ringing_longer_than_64_t1_is_answered() {
    let plan = Plan::ring_then(Duration::from_secs(40), 200);
    let (mut world, id) = one_request(LinkConfig::default(), Method::Invite, plan);
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    let alice = world.agent(ALICE_INDEX);
    let call = alice.client(id);
    let responses: Vec<_> = call
        .responses
        .iter()
        .map(|&(at, code)| (alice.offset(at), code))
        .collect();
    // Today: [(20 ms, 180)], the transaction ends (32 s, Timeout), and the
    // 200 at 40.020 s is a stray response.
    assert_eq!(responses, [(ms(20), 180), (ms(40_020), 200)]);
    assert_eq!(alice.stray_2xx, 0);
    assert_eq!(
        client_end(&world, id),
        Some((ms(72_020), Termination::Completed))
    );
}

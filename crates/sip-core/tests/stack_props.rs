//! Property tests of two stacks over random schedules in virtual time: random
//! requests of random methods from either side, answered by random TU plans
//! (any code from 100 to 699, after random delays, sometimes never, sometimes
//! twice), sometimes cancelled, over random links (loss 0–40 %, duplication,
//! reordering, jitter, each direction its own), on random seeds.
//!
//! After five minutes of virtual time past the last request:
//!
//! - nothing panicked;
//! - every client transaction ended exactly once, and no event named a
//!   transaction after its `…TransactionEnded` (no timer fired after the
//!   end), no request reached a TU twice;
//! - no transaction is left behind: `transaction_count()` is `(0, n)` where
//!   `n` counts the server transactions whose TU never gave a final response
//!   (RFC 3261 gives a server transaction no timer before its final response:
//!   answering is the TU's duty, so those stay, and only those);
//! - no timer is left either, but connection timers;
//! - no transaction put anything on the wire after it ended (a request or an
//!   ACK with its branch, a response with its branch);
//! - a final response that reached the UAC is the first final response the
//!   UAS's TU gave.

mod support;

use std::time::Duration;

use proptest::prelude::*;
use sip::Method;
use support::flows::{ALICE_INDEX, BOB_INDEX};
use support::{ALICE, BOB, CancelWhen, Plan, RequestSpec, StackAgent, addr, tcp, udp};
use testkit::{LinkConfig, World};

/// How long the world runs after the last request is sent.
const SETTLE: Duration = Duration::from_secs(300);

/// One request of a schedule.
#[derive(Debug, Clone)]
struct Request {
    /// When it is sent, from the start.
    at: Duration,
    /// Bob sends it (else Alice).
    from_bob: bool,
    /// Over TCP (else UDP).
    tcp: bool,
    method: Method<'static>,
    plan: Plan,
    cancel: Option<CancelWhen>,
}

/// A whole run.
#[derive(Debug, Clone)]
struct Schedule {
    seed: u64,
    alice_to_bob: LinkConfig,
    bob_to_alice: LinkConfig,
    requests: Vec<Request>,
}

fn link() -> impl Strategy<Value = LinkConfig> {
    (
        0.0..0.4f64,
        0.0..0.2f64,
        0.0..0.2f64,
        1..300u64,
        0..50u64,
        1..80u64,
    )
        .prop_map(|(loss, duplicate, reorder, hold_ms, jitter_ms, delay_ms)| {
            LinkConfig::default()
                .with_delay(Duration::from_millis(delay_ms))
                .with_jitter(Duration::from_millis(jitter_ms))
                .with_loss(loss)
                .with_duplicate(duplicate)
                .with_reorder(reorder, Duration::from_millis(hold_ms))
        })
}

fn method() -> impl Strategy<Value = Method<'static>> {
    prop_oneof![
        3 => Just(Method::Invite),
        1 => Just(Method::Options),
        1 => Just(Method::Message),
        1 => Just(Method::Info),
        1 => Just(Method::Bye),
        1 => Just(Method::Notify),
        1 => Just(Method::Update),
        // Unknown: the stack answers 501 itself.
        1 => Just(Method::Extension("FROB".into())),
    ]
}

fn code() -> impl Strategy<Value = u16> {
    prop_oneof![
        100..=199u16,
        200..=299u16,
        300..=699u16,
        Just(100u16),
        Just(180u16),
        Just(200u16),
        Just(486u16),
        Just(487u16),
        Just(503u16),
    ]
}

/// Zero to three steps, in time order: none (never answered), provisionals
/// only, one final, or several finals (answered twice).
fn plan() -> impl Strategy<Value = Plan> {
    prop::collection::vec((0..40_000u64, code()), 0..=3).prop_map(|mut steps| {
        steps.sort_by_key(|&(ms, _)| ms);
        Plan(
            steps
                .into_iter()
                .map(|(ms, code)| (Duration::from_millis(ms), code))
                .collect(),
        )
    })
}

fn cancel() -> impl Strategy<Value = Option<CancelWhen>> {
    prop_oneof![
        3 => Just(None),
        1 => prop_oneof![Just(100u16), Just(180u16)].prop_map(|c| Some(CancelWhen::Provisional(c))),
        1 => (0..10_000u64).prop_map(|ms| Some(CancelWhen::After(Duration::from_millis(ms)))),
    ]
}

fn request(tcp_weight: u32) -> impl Strategy<Value = Request> {
    (
        0..20_000u64,
        any::<bool>(),
        prop::bool::weighted(f64::from(tcp_weight) / 100.0),
        method(),
        plan(),
        cancel(),
    )
        .prop_map(|(ms, from_bob, tcp, method, plan, cancel)| Request {
            at: Duration::from_millis(ms),
            from_bob,
            tcp,
            cancel: cancel.filter(|_| method == Method::Invite),
            method,
            plan,
        })
}

/// Schedules whose requests go over TCP `tcp_percent` % of the time.
fn schedule(tcp_percent: u32) -> impl Strategy<Value = Schedule> {
    (
        any::<u64>(),
        link(),
        link(),
        prop::collection::vec(request(tcp_percent), 1..12),
    )
        .prop_map(|(seed, alice_to_bob, bob_to_alice, requests)| Schedule {
            seed,
            alice_to_bob,
            bob_to_alice,
            requests,
        })
}

/// Runs a schedule to its end.
fn run(schedule: &Schedule) -> World<StackAgent> {
    let mut world: World<StackAgent> = World::new(schedule.seed);
    world.enable_trace();
    let (a, b) = (addr(ALICE), addr(BOB));
    world.network_mut().set_link(a, b, schedule.alice_to_bob);
    world.network_mut().set_link(b, a, schedule.bob_to_alice);
    let base = world.clock().base();
    let seed = schedule.seed;
    world.add_agent(StackAgent::new("alice", a, base, seed));
    world.add_agent(StackAgent::new("bob", b, base, seed.wrapping_add(1)));
    let start = world.now();
    for r in &schedule.requests {
        let (from, to) = if r.from_bob {
            (BOB_INDEX, ALICE)
        } else {
            (ALICE_INDEX, BOB)
        };
        let target = if r.tcp { tcp(to) } else { udp(to) };
        let mut spec = RequestSpec::new(r.method.clone(), target).plan(r.plan.clone());
        spec.cancel = r.cancel;
        world.agent_mut(from).schedule(start + r.at, spec);
    }
    let last = schedule
        .requests
        .iter()
        .map(|r| r.at)
        .max()
        .unwrap_or_default();
    world.run_for(last + SETTLE);
    world
}

/// Everything the module docs promise, as a list of what broke; with
/// `refusals`, also that no connection attempt was refused (both agents
/// listen on their address, so a refusal means the stack connected where
/// nobody listens).
fn breaches(world: &mut World<StackAgent>, refusals: bool) -> Vec<String> {
    let mut out = Vec::new();
    for index in [ALICE_INDEX, BOB_INDEX] {
        let agent = world.agent_mut(index);
        out.extend(agent.contract_breaches());
        let expected = (agent.ringing_clients(), agent.unanswered_servers());
        let count = agent.stack.transaction_count();
        if count != expected {
            out.push(format!(
                "{}: {count:?} transactions left, expected {expected:?}",
                agent.name
            ));
        }
        if agent.stack.poll_timeout().is_some() && agent.stack.connection_count() == 0 {
            out.push(format!(
                "{}: a timer is left with no connection",
                agent.name
            ));
        }
        out.extend(sent_after_end(agent));
    }
    let refused = world.network().stream_stats().refused;
    if refusals && refused > 0 {
        out.push(format!("{refused} connection attempts refused"));
    }
    out.extend(finals_match(
        world.agent(ALICE_INDEX),
        world.agent(BOB_INDEX),
    ));
    out.extend(finals_match(
        world.agent(BOB_INDEX),
        world.agent(ALICE_INDEX),
    ));
    out
}

/// Messages a transaction put on the wire after it ended.
fn sent_after_end(agent: &StackAgent) -> Vec<String> {
    let mut out = Vec::new();
    for (id, call) in &agent.clients {
        let (Some(branch), Some((end, _))) = (&call.branch, call.ended) else {
            continue;
        };
        let end = agent.offset(end);
        let late = agent.wire.iter().find(|s| {
            s.at > end
                && s.branch.as_ref() == Some(branch)
                && (s.is_request(&call.method) || (call.method == "INVITE" && s.is_request("ACK")))
        });
        if let Some(late) = late {
            out.push(format!(
                "{}: client {id:?} ended at {end:?} but sent {:?} at {:?}",
                agent.name, late.first_line, late.at
            ));
        }
    }
    for (id, call) in &agent.servers {
        let (Some(request), Some((end, _))) = (&call.request, call.ended) else {
            continue;
        };
        let Some(branch) = request.via().and_then(|v| v.branch().map(str::to_owned)) else {
            continue;
        };
        let end = agent.offset(end);
        let late: Vec<_> = agent
            .wire
            .iter()
            .filter(|s| {
                s.at > end
                    && s.status().is_some()
                    && s.branch.as_deref() == Some(branch.as_str())
                    && s.cseq_method.as_deref() == Some(call.method.as_str())
            })
            .collect();
        // Over a stream whose connection had to be reopened, the final response
        // handed to the transport before the end goes on the wire once the new
        // connection is up (Timer J is zero there): one copy is allowed.
        let queued_final = late.len() == 1 && late[0].status() == call.final_sent();
        if let (Some(late), false) = (late.first(), queued_final) {
            out.push(format!(
                "{}: server {id:?} ended at {end:?} but sent {:?} at {:?}",
                agent.name, late.first_line, late.at
            ));
        }
    }
    out
}

/// The final response each of `uac`'s requests got is the first final
/// response `uas`'s TU gave it (requests the stack answered itself aside),
/// or, when that was a 2xx to an INVITE, any 2xx the TU gave after it (the
/// server transaction passes every 2xx on, RFC 6026, and the first may be
/// lost).
fn finals_match(uac: &StackAgent, uas: &StackAgent) -> Vec<String> {
    let mut out = Vec::new();
    for (id, call) in &uac.clients {
        if call.method == "CANCEL" || call.method == "FROB" {
            continue;
        }
        let Some((_, got)) = call.final_response() else {
            continue;
        };
        let call_id = call.request.call_id().map(|c| c.as_str().to_owned());
        let server = call_id.and_then(|c| uas.server_by_call_id(&c).map(|(_, s)| s));
        let given = server.and_then(|s| s.final_sent());
        let other_2xx = call.method == "INVITE"
            && given.is_some_and(|c| (200..300).contains(&c))
            && (200..300).contains(&got)
            && server.is_some_and(|s| s.sent.iter().any(|&(_, c)| c == got));
        if given != Some(got) && !other_2xx {
            out.push(format!(
                "{}: {id:?} ({}) got {got}, {}'s TU gave {given:?}",
                uac.name, call.method, uas.name
            ));
        }
    }
    out
}

fn check(schedule: &Schedule, refusals: bool) -> Result<(), TestCaseError> {
    let mut world = run(schedule);
    let breaches = breaches(&mut world, refusals);
    prop_assert!(
        breaches.is_empty(),
        "{}\ntrace tail:\n{}",
        breaches.join("\n"),
        world.trace().tail(60)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Schedules over UDP only.
    #[test]
    fn random_schedules_over_udp_leave_nothing_behind(schedule in schedule(0)) {
        check(&schedule, true)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Schedules with a third of the requests over TCP, refused connection
    /// attempts aside (the next property).
    #[test]
    fn random_schedules_over_udp_and_tcp_leave_nothing_behind(schedule in schedule(33)) {
        check(&schedule, false)?;
    }

    /// The same, and no connection attempt refused. Fails: when a peer
    /// closes a connection (after its idle timeout, say) while a server
    /// transaction still waits for its TU, the stack reconnects to the
    /// peer's ephemeral source port instead of received + sent-by (RFC 3261
    /// §18.2.2), is refused, and tries again every round trip for as long as
    /// the transaction lives. Minimal case (seed 0, 1 ms links): one OPTIONS
    /// over TCP that Bob's TU never answers; Alice's transaction times out at
    /// 32 s, she closes the connection as it falls idle just after, and Bob
    /// makes 13,399 refused attempts by 300 s. See `streams.rs` for
    /// deterministic tests of the same bug.
    #[test]
    fn random_schedules_over_tcp_never_connect_where_nobody_listens(schedule in schedule(33)) {
        check(&schedule, true)?;
    }
}

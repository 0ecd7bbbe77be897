//! 10,000 non-INVITE transactions in virtual time, both ways at once, over
//! UDP (with some loss) and over one TCP connection: all complete, and both
//! stacks end with no transaction and no timer (over TCP, once the idle
//! connection has closed). No timing is asserted beyond that.

mod support;

use std::time::Duration;

use sip::Method;
use sip_core::transaction::Termination;
use sip_core::transport::Target;
use support::flows::{ALICE_INDEX, BOB_INDEX};
use support::{ALICE, BOB, Plan, RequestSpec, StackAgent, tcp, two_agents, udp};
use testkit::{LinkConfig, World};

/// Transactions in all, half from each side.
const TOTAL: usize = 10_000;

/// Each side sends one request every this often.
const SPACING: Duration = Duration::from_millis(2);

/// Schedules `TOTAL / 2` requests from each agent to the other.
fn schedule(world: &mut World<StackAgent>, to_bob: Target, to_alice: Target) {
    let start = world.now();
    for (index, target) in [(ALICE_INDEX, to_bob), (BOB_INDEX, to_alice)] {
        let agent = world.agent_mut(index);
        // Ten thousand requests' events would only fill memory.
        agent.record_events = false;
        for i in 0..TOTAL / 2 {
            let method = if i % 2 == 0 {
                Method::Options
            } else {
                Method::Message
            };
            let spec = RequestSpec::new(method, target).plan(Plan::answer(200));
            agent.schedule(start + SPACING * i as u32, spec);
        }
    }
}

/// Runs until both stacks are empty, then checks every transaction.
fn run_to_the_end(world: &mut World<StackAgent>) {
    world.set_step_budget(5_000_000);
    let sent = |w: &World<StackAgent>| {
        [ALICE_INDEX, BOB_INDEX]
            .iter()
            .map(|&i| w.agent(i).clients.len())
            .sum::<usize>()
    };
    let done = world.run_until(
        |w| {
            sent(w) == TOTAL
                && [ALICE_INDEX, BOB_INDEX]
                    .iter()
                    .all(|&i| w.agent(i).stack.transaction_count() == (0, 0))
        },
        Duration::from_secs(3600),
    );
    assert!(done, "not done after an hour of virtual time");
    println!(
        "{TOTAL} transactions done after {:.3} s of virtual time",
        world.elapsed().as_secs_f64()
    );
    for index in [ALICE_INDEX, BOB_INDEX] {
        let agent = world.agent(index);
        assert!(
            agent.contract_breaches().is_empty(),
            "{:?}",
            &agent.contract_breaches()[..5.min(agent.contract_breaches().len())]
        );
        assert_eq!(agent.clients.len(), TOTAL / 2);
        for (id, call) in &agent.clients {
            assert_eq!(call.codes(), [200], "{} {id:?}", agent.name);
            assert_eq!(call.ended.map(|(_, how)| how), Some(Termination::Completed));
        }
        assert_eq!(agent.servers.len(), TOTAL / 2);
    }
}

#[test]
fn ten_thousand_transactions_over_udp() {
    // 5 % loss each way: a transaction fails only if all 11 exchanges do,
    // (1 - 0.95²)¹¹ ≈ 1e-11.
    let mut world = two_agents(10, LinkConfig::default().with_loss(0.05));
    schedule(&mut world, udp(BOB), udp(ALICE));
    run_to_the_end(&mut world);
    let lost = world.network().total_stats().lost;
    assert!(lost > 0, "retransmissions made up for {lost} losses");
    for index in [ALICE_INDEX, BOB_INDEX] {
        assert_eq!(world.agent_mut(index).stack.poll_timeout(), None);
    }
}

#[test]
fn ten_thousand_transactions_over_tcp() {
    let mut world = two_agents(11, LinkConfig::default());
    schedule(&mut world, tcp(BOB), tcp(ALICE));
    run_to_the_end(&mut world);
    // Only connection timers (idle close, keep-alive) remain; once the
    // connections have been idle long enough, none.
    for index in [ALICE_INDEX, BOB_INDEX] {
        let stack = &mut world.agent_mut(index).stack;
        assert!(stack.connection_count() > 0);
        assert!(stack.poll_timeout().is_some());
    }
    world.run_for(Duration::from_secs(60));
    for index in [ALICE_INDEX, BOB_INDEX] {
        let stack = &mut world.agent_mut(index).stack;
        assert_eq!(stack.connection_count(), 0);
        assert_eq!(stack.poll_timeout(), None);
    }
}

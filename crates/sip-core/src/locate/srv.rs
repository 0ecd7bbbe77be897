//! Ordering SRV records as RFC 2782 ("Usage rules") prescribes: priority
//! ascending, and within a priority a weighted random draw.

use std::net::IpAddr;

use crate::Rng;

use super::dns::{SrvRecord, is_domain_name, is_root};

/// The most SRV records of one answer we look at; the rest are ignored. The
/// weighted draw is quadratic in the records of one priority, so this bounds
/// the work a hostile answer can cause.
pub(crate) const MAX_SRV_RECORDS: usize = 64;

/// Where an SRV record points, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SrvHost {
    /// A host name to resolve to addresses.
    Name(String),
    /// An address written as the target. RFC 2782 wants a name, but some
    /// servers publish literals; using them needs no further query.
    Literal(IpAddr),
}

/// What an SRV answer says about a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SrvOutcome {
    /// Ports and hosts to try, in RFC 2782 order.
    Hosts(Vec<(u16, SrvHost)>),
    /// The only target is `.`: the service is decidedly not available at this
    /// domain (RFC 2782), so no address fallback either.
    Unavailable,
    /// Records came, but none with a usable target.
    Unusable,
}

/// Orders an SRV answer (RFC 2782): records are sorted by priority; within a
/// priority, the next record is drawn with probability proportional to its
/// weight, where a record of weight 0 has a small chance (a draw of exactly
/// 0) and records all of weight 0 come in uniformly random order. Records
/// whose target is `.` or not a host name are dropped; the answer is kept to
/// its first [`MAX_SRV_RECORDS`] records.
pub(crate) fn order(records: &[SrvRecord], rng: &mut Rng) -> SrvOutcome {
    let records = &records[..records.len().min(MAX_SRV_RECORDS)];
    if !records.is_empty() && records.iter().all(|r| is_root(&r.target)) {
        return SrvOutcome::Unavailable;
    }
    let mut usable: Vec<(u16, u16, u16, SrvHost)> = records
        .iter()
        .filter(|r| !is_root(&r.target))
        .filter_map(|r| {
            let host = match r.target.parse::<IpAddr>() {
                Ok(ip) => SrvHost::Literal(ip),
                Err(_) if is_domain_name(&r.target) => SrvHost::Name(r.target.clone()),
                Err(_) => return None,
            };
            Some((r.priority, r.weight, r.port, host))
        })
        .collect();
    if usable.is_empty() {
        return SrvOutcome::Unusable;
    }
    usable.sort_by_key(|r| r.0);
    let mut out = Vec::with_capacity(usable.len());
    let mut rest = usable.as_slice();
    while let Some(first) = rest.first() {
        let len = rest.iter().take_while(|r| r.0 == first.0).count();
        let (group, tail) = rest.split_at(len);
        let weights: Vec<u16> = group.iter().map(|r| r.1).collect();
        for i in weighted_order(&weights, rng) {
            let (_, _, port, host) = &group[i];
            out.push((*port, host.clone()));
        }
        rest = tail;
    }
    SrvOutcome::Hosts(out)
}

/// The RFC 2782 order of one priority group, as indices into `weights`.
///
/// RFC 2782: arrange the records "in any order, except that all those with
/// weight 0 are placed at the beginning"; draw a number uniformly in
/// `0..=sum` of the weights; take the first record whose running sum of
/// weights is at least the draw; repeat with the records left. The "any
/// order" is a shuffle here, so that records of weight 0 share their chances
/// (all-zero groups come out uniformly shuffled).
pub(crate) fn weighted_order(weights: &[u16], rng: &mut Rng) -> Vec<usize> {
    let mut pool: Vec<usize> = (0..weights.len()).collect();
    for i in (1..pool.len()).rev() {
        // `below(i + 1)` is at most `i`: a valid index.
        let j = rng.below(i as u64 + 1) as usize;
        pool.swap(i, j);
    }
    // A stable sort keeps the shuffle among equals: weight 0 first.
    pool.sort_by_key(|&i| weights[i] != 0);
    let mut out = Vec::with_capacity(pool.len());
    while !pool.is_empty() {
        let sum: u64 = pool.iter().map(|&i| u64::from(weights[i])).sum();
        let draw = rng.below(sum + 1);
        let mut running = 0;
        let pick = pool
            .iter()
            .position(|&i| {
                running += u64::from(weights[i]);
                running >= draw
            })
            // The running sum ends at `sum` ≥ `draw`, so a position is always
            // found; the last record is the answer if it were not.
            .unwrap_or(pool.len() - 1);
        out.push(pool.remove(pick));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(priority: u16, weight: u16, port: u16, target: &str) -> SrvRecord {
        SrvRecord {
            priority,
            weight,
            port,
            target: target.into(),
        }
    }

    fn hosts(outcome: SrvOutcome) -> Vec<(u16, SrvHost)> {
        match outcome {
            SrvOutcome::Hosts(h) => h,
            other => panic!("expected hosts, got {other:?}"),
        }
    }

    #[test]
    fn priority_comes_first() {
        let records = [
            srv(20, 100, 5062, "c.example.com"),
            srv(10, 0, 5060, "a.example.com"),
            srv(15, 65535, 5061, "b.example.com"),
        ];
        let got = hosts(order(&records, &mut Rng::from_seed(1)));
        let ports: Vec<u16> = got.iter().map(|h| h.0).collect();
        assert_eq!(ports, [5060, 5061, 5062]);
    }

    #[test]
    fn root_target_means_unavailable() {
        let mut rng = Rng::from_seed(1);
        assert_eq!(
            order(&[srv(0, 0, 0, ".")], &mut rng),
            SrvOutcome::Unavailable
        );
        assert_eq!(
            order(&[srv(0, 0, 0, "bad name!")], &mut rng),
            SrvOutcome::Unusable
        );
        assert_eq!(order(&[], &mut rng), SrvOutcome::Unusable);
        // A root target among real ones is only skipped.
        let got = hosts(order(&[srv(0, 0, 0, "."), srv(1, 0, 7, "a.b")], &mut rng));
        assert_eq!(got, vec![(7, SrvHost::Name("a.b".into()))]);
    }

    #[test]
    fn literal_targets_need_no_lookup() {
        let got = hosts(order(
            &[srv(0, 0, 5060, "192.0.2.7")],
            &mut Rng::from_seed(3),
        ));
        assert_eq!(
            got,
            vec![(5060, SrvHost::Literal("192.0.2.7".parse().unwrap()))]
        );
    }

    /// How often each index is drawn first, over `runs` seeds.
    fn first_counts(weights: &[u16], runs: u64) -> Vec<u64> {
        let mut counts = vec![0; weights.len()];
        for seed in 0..runs {
            let order = weighted_order(weights, &mut Rng::from_seed(seed));
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..weights.len()).collect::<Vec<_>>());
            counts[order[0]] += 1;
        }
        counts
    }

    fn assert_near(count: u64, runs: u64, expected: f64) {
        let share = count as f64 / runs as f64;
        assert!(
            (share - expected).abs() < 0.02,
            "share {share:.4}, expected {expected:.4}"
        );
    }

    #[test]
    fn weights_set_the_odds_of_going_first() {
        let runs = 20_000;
        let counts = first_counts(&[10, 20, 70], runs);
        // A draw in 0..=100 picks record k with chance weight/101, plus a
        // third of the chance 1/101 of a draw of 0 (which picks whichever
        // record the shuffle put first).
        for (count, weight) in counts.into_iter().zip([10.0, 20.0, 70.0]) {
            assert_near(count, runs, (weight + 1.0 / 3.0) / 101.0);
        }
    }

    #[test]
    fn weight_zero_rarely_goes_first() {
        let runs = 20_000;
        let counts = first_counts(&[0, 99], runs);
        // Only a draw of exactly 0 (1 chance in 100) picks the weight-0 record.
        assert_near(counts[0], runs, 1.0 / 100.0);
        assert!(counts[0] > 0);
    }

    #[test]
    fn all_zero_weights_are_uniform() {
        let runs = 30_000;
        let counts = first_counts(&[0, 0, 0], runs);
        for c in counts {
            assert_near(c, runs, 1.0 / 3.0);
        }
    }

    #[test]
    fn second_place_follows_the_remaining_weights() {
        // With weights 1, 1, 98 the heavy record is almost always first; the
        // two light ones then split second place evenly.
        let runs = 20_000;
        let mut second = [0u64; 3];
        for seed in 0..runs {
            second[weighted_order(&[1, 1, 98], &mut Rng::from_seed(seed))[1]] += 1;
        }
        assert_near(second[0], runs, second[1] as f64 / runs as f64);
        assert!(second[0] > runs * 4 / 10 && second[1] > runs * 4 / 10);
    }
}

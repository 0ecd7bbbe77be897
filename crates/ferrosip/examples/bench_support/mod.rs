//! What the whole-system benchmarks (`bench_media`, `bench_calls`) share:
//! reading the process's CPU time and memory from `/proc`, and printing
//! their one `RESULT` line.

use std::process::ExitCode;
use std::time::Duration;

/// The process's resident set, in KiB (`VmRSS` of `/proc/self/status`).
pub(crate) fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The process's CPU time so far — the sum over its live threads of
/// `schedstat`'s on-CPU nanoseconds — and its thread count.
pub(crate) fn thread_cpu() -> (Duration, usize) {
    let mut ns = 0u64;
    let mut threads = 0;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            threads += 1;
            if let Ok(s) = std::fs::read_to_string(task.path().join("schedstat")) {
                ns += s
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    (Duration::from_nanos(ns), threads)
}

/// Prints the run's `RESULT` line (its fields, or `error=1`) and gives
/// the exit code.
pub(crate) fn report(
    command: &str,
    count: usize,
    seconds: f64,
    result: Result<String, String>,
) -> ExitCode {
    match result {
        Ok(fields) => {
            println!(
                "RESULT impl=ferrosip scenario={command} count={count} seconds={seconds} {fields}"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{command}: {e}");
            println!("RESULT impl=ferrosip scenario={command} count={count} error=1");
            ExitCode::FAILURE
        }
    }
}

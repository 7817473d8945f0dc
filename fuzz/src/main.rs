//! `rc-fuzz [--inputs N] [--seed S] [--threads T] [target…]`: runs N inputs in all (spread over the targets) and
//! prints, per target, the inputs run, the time, the corpus (seeds and inputs kept for a new outcome) and every
//! failure with its input. Exits 1 on any failure.

use rc_fuzz::{engine, TARGETS};
use std::time::Instant;

fn main() {
    let mut inputs: u64 = 10_000_000;
    let mut seed: u64 = 1;
    let mut threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut only = vec![];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .and_then(|v| v.replace('_', "").parse::<u64>().ok())
        };
        match a.as_str() {
            "--inputs" => inputs = value().unwrap_or(inputs),
            "--seed" => seed = value().unwrap_or(seed),
            "--threads" => threads = value().map_or(threads, |t| t.max(1) as usize),
            name => only.push(name.to_string()),
        }
    }
    let chosen: Vec<_> = TARGETS
        .iter()
        .filter(|(n, _)| only.is_empty() || only.iter().any(|o| o == n))
        .collect();
    if chosen.is_empty() {
        eprintln!(
            "no such target; targets: {}",
            TARGETS.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
        );
        std::process::exit(2);
    }
    let each = inputs.div_ceil(chosen.len() as u64);
    println!(
        "rc-fuzz: {inputs} inputs over {} targets, {threads} threads, seed {seed}",
        chosen.len()
    );
    println!(
        "{:<16} {:>11} {:>9} {:>11} {:>8} {:>9}",
        "target", "inputs", "seconds", "inputs/s", "corpus", "failures"
    );
    let started = Instant::now();
    let (mut total, mut failed, mut corpus, mut bytes) = (0, 0, 0, 0);
    for (name, make) in chosen {
        let r = engine::run(name, *make, each, threads, seed);
        let secs = r.elapsed.as_secs_f64();
        println!(
            "{:<16} {:>11} {:>9.1} {:>11.0} {:>8} {:>9}",
            r.name,
            r.inputs,
            secs,
            r.inputs as f64 / secs.max(1e-9),
            r.corpus,
            r.failures.len()
        );
        for (what, input) in &r.failures {
            println!(
                "  FAILED: {what}\n  input: {}",
                input
                    .escape_debug()
                    .to_string()
                    .chars()
                    .take(2000)
                    .collect::<String>()
            );
        }
        total += r.inputs;
        failed += r.failures.len();
        corpus += r.corpus;
        bytes += r.corpus_bytes;
    }
    println!(
        "all: {total} inputs in {:.1} s, corpus {corpus} inputs ({:.1} MB), {failed} failures",
        started.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );
    if failed > 0 {
        std::process::exit(1);
    }
}

//! The short run `make test` includes: every target, a few thousand inputs each, no failure allowed.

use rc_fuzz::{engine, TARGETS};

#[test]
fn every_target_survives_a_short_run() {
    let mut failures = vec![];
    for (name, make) in TARGETS {
        // The sandbox's targets cost more per input (a router round trip).
        let n = if name.starts_with("sandbox") {
            3_000
        } else {
            20_000
        };
        let r = engine::run(name, *make, n, 2, 0x5EED);
        assert!(r.inputs >= n, "{name} ran {} inputs", r.inputs);
        assert!(
            r.corpus > r.seeds,
            "{name} found no outcome beyond its seeds"
        );
        for (what, input) in r.failures {
            failures.push(format!("{name}: {what}\n  input: {}", input.escape_debug()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

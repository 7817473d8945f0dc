//! The driver: inputs made from a target's seeds (mutated as bytes, or as JSON values when they parse) or generated
//! from its vocabulary, each run under `catch_unwind`; an input whose outcome has a shape not seen before joins
//! the corpus, so later inputs grow from it. Outcome shapes stand in for code coverage: they need no instrumented
//! build (stable Rust, no libFuzzer), and the same run happens in `cargo test`.

use serde_json::{Map, Value};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A fuzz target: one parser (or a few that consume the same input) and the invariants its answers keep.
pub trait Target {
    /// Real inputs to start from (RingCentral's documented shapes, the widget's own messages).
    fn seeds(&self) -> Vec<String>;
    /// Words worth inserting: field names, values with meaning to the parser.
    fn words(&self) -> &'static [&'static str];
    /// Inputs are JSON texts (mutated as values too).
    fn json(&self) -> bool {
        true
    }
    /// A change that knows the input's structure (a request's parts); `None` leaves it to the generic ones.
    fn mutate(&self, _input: &str, _rng: &mut Rng) -> Option<String> {
        None
    }
    /// Runs one input; `Ok` with a description of the outcome's shape, `Err` when an invariant is broken.
    fn run(&mut self, input: &str) -> Result<String, String>;
}

/// The seeds of a target: `fuzz/seeds/<name>.txt`, inputs separated by lines holding only `%%`.
pub fn seeds(file: &str) -> Vec<String> {
    let path = format!("{}/seeds/{file}.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let seeds: Vec<String> = text
        .split("\n%%\n")
        .map(|s| s.trim_end_matches('\n').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if seeds.is_empty() {
        vec![String::new()]
    } else {
        seeds
    }
}

/// Makes a fresh target (one per thread, and again after a failure).
pub type Make = fn() -> Box<dyn Target>;

/// What one thread ends with: seeds, corpus size and bytes, failures.
type Finished = (usize, usize, usize, Vec<(String, String)>);

/// splitmix64: small, fast, and the same sequence for the same seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Strings that have broken parsers and renderers elsewhere: markup, bidi overrides, zero-width characters,
/// emoji sequences, escapes of lone surrogates, numbers at the edges of f64.
pub const HOSTILE: &[&str] = &[
    "<img src=x onerror=alert(1)>",
    "\u{202E}gnp.exe",
    "\u{2066}\u{2067}\u{2068}\u{2069}",
    "a\u{200B}\u{200C}\u{200D}\u{FEFF}b",
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "\\ud800",
    "\\udfff\\ud800",
    "\\u0000",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example",
    "/\\evil.example",
    "1e309",
    "-1e309",
    "-0",
    "9007199254740993",
    "1.7976931348623157e308",
    "5e-324",
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
    "%",
    "%zz",
    "%C3%28",
    "+",
    "&",
    "=",
    "\r\n",
    "\u{0}",
];

/// Values of every JSON type, for replacing a value in a seed.
fn value(rng: &mut Rng, words: &[&str], depth: u32) -> Value {
    match rng.below(if depth > 3 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => {
            serde_json::json!(*rng.pick(&[0.0, -1.0, 1.5, 1e21, -9.0e15, 4e9, 1e-7, 86_400_000.0]))
        }
        3 => Value::from(rng.next_u64() as i64 >> rng.below(64)),
        4 => Value::String(rng.pick(words).to_string()),
        5 => Value::String(hostile_text(rng)),
        6 => Value::Array(
            (0..rng.below(4))
                .map(|_| value(rng, words, depth + 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.below(4))
                .map(|_| (rng.pick(words).to_string(), value(rng, words, depth + 1)))
                .collect(),
        ),
    }
}

/// A string with hostile pieces, sometimes long (a party name of 100 KB reaches the views).
pub fn hostile_text(rng: &mut Rng) -> String {
    let piece = rng.pick(HOSTILE);
    match rng.below(64) {
        0 => piece.repeat(1 + rng.below(5000)),
        1 => "x".repeat(100 * 1024),
        _ => piece.to_string(),
    }
}

/// One change to a JSON value at a random place in it.
pub fn mutate_value(v: &mut Value, rng: &mut Rng, words: &[&str], depth: u32) {
    let descend = depth < 12 && rng.chance(70);
    match v {
        Value::Object(m) if descend && !m.is_empty() => {
            let k = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            if let Some(child) = m.get_mut(&k) {
                return mutate_value(child, rng, words, depth + 1);
            }
        }
        Value::Array(a) if descend && !a.is_empty() => {
            let i = rng.below(a.len());
            return mutate_value(&mut a[i], rng, words, depth + 1);
        }
        _ => {}
    }
    match (v, rng.below(6)) {
        (Value::Object(m), 0) if !m.is_empty() => {
            let k = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            m.remove(&k);
        }
        (Value::Object(m), 1) => {
            m.insert(rng.pick(words).to_string(), value(rng, words, depth));
        }
        (Value::Array(a), 0) if !a.is_empty() => {
            // Many copies of one item: big pages, repeated ids.
            let item = a[rng.below(a.len())].clone();
            // Up to about a megabyte: big pages, not inputs that only cost time.
            let size = item.to_string().len().max(1);
            let n = (*rng.pick(&[1, 2, 10, 10, 100, 1000])).min((1 << 20) / size);
            a.extend(std::iter::repeat_n(item, n));
        }
        (Value::Array(a), 1) if !a.is_empty() => {
            a.remove(rng.below(a.len()));
        }
        (v, 2) => *v = Value::Array(vec![v.take()]),
        (v, _) => *v = value(rng, words, depth),
    }
}

/// One to four byte-level changes: replace, insert a word, delete, repeat, truncate, splice another input.
fn mutate_bytes(input: &str, rng: &mut Rng, words: &[&str], other: &str) -> String {
    let mut b = input.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(7) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] = *rng.pick(b"\"{}[],:\\0-e.&=%+#?/\n\x00\xff\x7f");
            }
            1 => {
                let w = if rng.chance(50) {
                    rng.pick(words)
                } else {
                    rng.pick(HOSTILE)
                };
                b.splice(at..at, w.bytes());
            }
            2 => {
                let end = (at + 1 + rng.below(16)).min(b.len());
                b.drain(at.min(end)..end);
            }
            3 => {
                let end = (at + 1 + rng.below(32)).min(b.len());
                let chunk = b[at.min(end)..end].to_vec();
                for _ in 0..rng.below(64) {
                    b.splice(at..at, chunk.iter().copied());
                }
            }
            4 => b.truncate(at),
            5 => {
                let o = other.as_bytes();
                let from = rng.below(o.len() + 1);
                b.splice(at..at, o[from..].iter().copied().take(64));
            }
            _ => b.insert(at.min(b.len()), rng.below(256) as u8),
        }
    }
    // Inputs arrive as JavaScript strings (or UTF-8 checked by the HTTP stack): never invalid UTF-8.
    String::from_utf8_lossy(&b).into_owned()
}

fn next_input(target: &dyn Target, corpus: &[String], rng: &mut Rng) -> String {
    let words = target.words();
    let base = rng.pick(corpus);
    if rng.chance(75) {
        if let Some(m) = target.mutate(base, rng) {
            return m;
        }
    }
    if target.json() && rng.chance(60) {
        if let Ok(mut v) = serde_json::from_str::<Value>(base) {
            for _ in 0..1 + rng.below(3) {
                mutate_value(&mut v, rng, words, 0);
            }
            return v.to_string();
        }
    }
    if target.json() && rng.chance(5) {
        let mut m = Map::new();
        for _ in 0..rng.below(6) {
            m.insert(rng.pick(words).to_string(), value(rng, words, 0));
        }
        return Value::Object(m).to_string();
    }
    let other = rng.pick(corpus);
    mutate_bytes(base, rng, words, other)
}

/// What was learned about one target.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub name: &'static str,
    pub inputs: u64,
    pub seeds: usize,
    /// Inputs kept because their outcome had a new shape (summed over threads).
    pub corpus: usize,
    pub corpus_bytes: usize,
    pub elapsed: Duration,
    /// Each failure: what broke, and the input.
    pub failures: Vec<(String, String)>,
}

thread_local! {
    static PANIC_AT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Panics inside targets are caught and reported with their place; nothing is printed as they happen.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        PANIC_AT.with(|p| *p.borrow_mut() = place);
    }));
}

fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    let what = e
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into());
    format!(
        "panicked at {}: {what}",
        PANIC_AT.with(|p| p.borrow().clone())
    )
}

/// A stable hash of an outcome's shape: string contents and digits are left out, so "a record with a name" is
/// one shape whatever the name.
pub fn shape(outcome: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut last_digit = false;
    for c in outcome.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                '"'.hash(&mut h);
            }
            continue;
        }
        let digit = c.is_ascii_digit();
        if c == '"' {
            in_string = true;
        } else if !(digit && last_digit) {
            (if digit { '0' } else { c }).hash(&mut h);
        }
        last_digit = digit;
    }
    h.finish()
}

/// Most inputs a thread keeps per target (the oldest seeds stay).
const CORPUS_CAP: usize = 4096;
/// The largest input kept in the corpus.
const CORPUS_INPUT_MAX: usize = 64 * 1024;
/// Failures kept per target: one bug found a thousand times is still one bug.
const FAILURES_KEPT: usize = 5;

/// Runs `inputs` inputs through the target `make` builds, on `threads` threads (each its own target, corpus and
/// random sequence from `seed`).
pub fn run(name: &'static str, make: Make, inputs: u64, threads: usize, seed: u64) -> Report {
    quiet_panics();
    let started = Instant::now();
    let done = AtomicU64::new(0);
    let per_thread = inputs.div_ceil(threads as u64);
    let results: Vec<Finished> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let done = &done;
                s.spawn(move || {
                    let mut target = make();
                    let seeds = target.seeds();
                    let mut corpus = seeds.clone();
                    let mut seen = HashSet::new();
                    let mut rng =
                        Rng::new(seed ^ (t as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
                    let mut failures = vec![];
                    let mut i = 0;
                    while i < per_thread {
                        // Every seed as it is first, then made inputs.
                        let input = match corpus
                            .get(i as usize)
                            .filter(|_| (i as usize) < seeds.len())
                        {
                            Some(s) => s.clone(),
                            None => next_input(target.as_ref(), &corpus, &mut rng),
                        };
                        let outcome = catch_unwind(AssertUnwindSafe(|| target.run(&input)))
                            .unwrap_or_else(|e| Err(panic_text(e.as_ref())));
                        match outcome {
                            Ok(o) => {
                                // Big inputs are run but not bred from: their children would only grow.
                                let small = input.len() <= CORPUS_INPUT_MAX;
                                if seen.insert(shape(&o)) && i as usize >= seeds.len() && small {
                                    if corpus.len() >= CORPUS_CAP {
                                        let k = seeds.len() + rng.below(CORPUS_CAP - seeds.len());
                                        corpus[k] = input;
                                    } else {
                                        corpus.push(input);
                                    }
                                }
                            }
                            Err(e) => {
                                if failures.len() < FAILURES_KEPT {
                                    failures.push((e, input));
                                }
                                // A panic may leave the target half-changed: start it again.
                                target = make();
                            }
                        }
                        i += 1;
                    }
                    done.fetch_add(i, Ordering::Relaxed);
                    let bytes = corpus.iter().map(String::len).sum();
                    (seeds.len(), corpus.len(), bytes, failures)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| (0, 0, 0, vec![("thread died".into(), String::new())]))
            })
            .collect()
    });
    let _ = std::panic::take_hook();
    let mut r = Report {
        name,
        inputs: done.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
        ..Default::default()
    };
    for (seeds, corpus, bytes, failures) in results {
        r.seeds = seeds;
        r.corpus += corpus - seeds;
        r.corpus_bytes += bytes;
        r.failures.extend(failures);
    }
    r.corpus += r.seeds;
    r
}

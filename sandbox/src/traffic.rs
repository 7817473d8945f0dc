//! Simulated call traffic, deterministic for a seed: each extension has its own random stream, so what happens on
//! one extension does not depend on when the others were looked at. Time is the sandbox clock; the simulation is
//! advanced to "now" before every read, so an injected clock drives it as well as real time does.

use crate::calls::{Call, Party, Phase, ACCEPTED_DESCRIPTION};
use crate::clock::Millis;
use crate::config::User;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CALLERS: &[(&str, &str, &str)] = &[
    ("WIRELESS CALLER", "+16504366666", "San Mateo, CA"),
    ("Northwind Traders", "+12125550143", "New York, NY"),
    ("Contoso Ltd", "+14155550199", "San Francisco, CA"),
    ("MÜLLER GMBH", "+4930901820", "Berlin, Germany"),
    ("Fabrikam Support", "+13125550123", "Chicago, IL"),
    ("Tailspin Toys", "+17205550111", ", CO"),
    ("Adventure Works", "+16175550187", "Boston, MA"),
    ("Jean-Luc Ørsted", "+33142685300", "Paris, France"),
];
const QUEUES: &[&str] = &["Support Queue", "Sales Line"];
const OUTBOUND_ACTIONS: &[&str] = &["RingOut Web", "VoIP Call", "RingOut PC", "Phone Call"];

/// What will happen to a simulated call, decided when it starts.
#[derive(Debug, Clone)]
pub struct Plan {
    pub answer_at: Option<Millis>,
    pub end_at: Millis,
    pub result: String,
    pub reason: Option<String>,
}

struct ExtensionStream {
    user_id: String,
    rng: ChaCha8Rng,
    next_start: Millis,
    counter: u64,
}

pub struct Traffic {
    streams: Vec<ExtensionStream>,
    mean_gap_ms: Millis,
    pub plans: Vec<(String, Plan)>,
}

fn exp_gap(rng: &mut ChaCha8Rng, mean: Millis) -> Millis {
    let u: f64 = rng.gen_range(1e-9..1.0);
    ((-u.ln()) * mean as f64) as Millis + 1000
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

impl Traffic {
    pub fn new(seed: u64, users: &[User], mean_gap_secs: u32, now: Millis) -> Self {
        let streams = users
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let mut rng = ChaCha8Rng::seed_from_u64(
                    seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                );
                // The first call comes soon, so a new user sees traffic within seconds.
                let next_start = now + rng.gen_range(2_000..20_000);
                ExtensionStream {
                    user_id: u.id.clone(),
                    rng,
                    next_start,
                    counter: 0,
                }
            })
            .collect();
        Traffic {
            streams,
            mean_gap_ms: mean_gap_secs as Millis * 1000,
            plans: vec![],
        }
    }

    pub fn enabled(&self) -> bool {
        self.mean_gap_ms > 0
    }

    /// Starts every call due by `now` (in start order) and returns them.
    pub fn start_due(&mut self, users: &[User], now: Millis) -> Vec<Call> {
        let mut started = vec![];
        if !self.enabled() {
            return started;
        }
        for s in &mut self.streams {
            let Some(user) = users.iter().find(|u| u.id == s.user_id) else {
                continue;
            };
            while s.next_start <= now {
                let (call, plan) = new_call(s, user);
                self.plans.push((call.id.clone(), plan));
                started.push(call);
                s.next_start += exp_gap(&mut s.rng, self.mean_gap_ms);
            }
        }
        started.sort_by_key(|c| c.start);
        started
    }

    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|(c, _)| c == id).map(|(_, p)| p)
    }
}

fn new_call(s: &mut ExtensionStream, user: &User) -> (Call, Plan) {
    let rng = &mut s.rng;
    s.counter += 1;
    let start = s.next_start;
    let inbound = rng.gen_bool(0.6);
    let &(name, number, location) = pick(rng, CALLERS);
    let mut remote = Party {
        name: Some(name.to_string()),
        phone_number: Some(number.to_string()),
        location: Some(location.to_string()),
        ..Default::default()
    };
    // Real parties are often partial: no name, or a name only.
    match rng.gen_range(0..10) {
        0 | 1 => remote.name = None,
        2 => remote.location = None,
        _ => {}
    }
    if inbound && rng.gen_bool(0.2) {
        remote.name = Some(format!(
            "{} - {}",
            pick(rng, QUEUES),
            remote.name.as_deref().unwrap_or("WIRELESS CALLER")
        ));
    }
    let me = Party::of_user(user);
    let (from, to, action) = if inbound {
        (remote, me, "Phone Call".to_string())
    } else {
        (me, remote, pick(rng, OUTBOUND_ACTIONS).to_string())
    };
    let ring = rng.gen_range(3_000..15_000);
    let answered = rng.gen_bool(0.75);
    let plan = if answered {
        let talk = rng.gen_range(15_000..240_000);
        Plan {
            answer_at: Some(start + ring),
            end_at: start + ring + talk,
            result: if inbound {
                "Accepted"
            } else {
                "Call connected"
            }
            .into(),
            reason: Some("Accepted".into()),
        }
    } else {
        let (result, reason) = match (inbound, rng.gen_range(0..3)) {
            (true, 0) => ("Voicemail", "Not Answered"),
            (true, _) => ("Missed", "Not Answered"),
            (false, 0) => ("Busy", "Line Busy"),
            (false, _) => ("No Answer", "No Answer"),
        };
        Plan {
            answer_at: None,
            end_at: start + ring + 5_000,
            result: result.into(),
            reason: Some(reason.into()),
        }
    };
    let tag: u64 = rng.gen();
    let call = Call {
        id: format!("SB{}{:012X}", user.extension_number, tag & 0xFFFF_FFFF_FFFF),
        session_id: format!("{}", 400_000_000_000u64 + (tag >> 28) % 99_999_999_999),
        telephony_session_id: format!("s-{:016x}{:016x}", tag, rng.gen::<u64>()),
        extension_id: user.id.clone(),
        start,
        direction: if inbound { "Inbound" } else { "Outbound" }.into(),
        call_type: "Voice".into(),
        action,
        transport: if rng.gen_bool(0.7) { "PSTN" } else { "VoIP" }.into(),
        from,
        to,
        phase: Phase::Ringing,
        history: vec![(start, Phase::Ringing)],
        marks: Default::default(),
        result_override: None,
    };
    (call, plan)
}

/// Moves a planned call through its phases up to `now`.
pub fn apply_plan(call: &mut Call, plan: &Plan, now: Millis) {
    if matches!(call.phase, Phase::Ended { .. }) {
        return;
    }
    if let Some(at) = plan.answer_at.filter(|&at| now >= at) {
        if matches!(call.phase, Phase::Ringing) {
            call.set_phase(at, Phase::Connected { answered_at: at });
        }
    }
    if now >= plan.end_at {
        let accepted = plan.answer_at.is_some();
        call.set_phase(
            plan.end_at,
            Phase::Ended {
                ended_at: plan.end_at,
                result: plan.result.clone(),
                reason: plan.reason.clone(),
                reason_description: accepted.then(|| ACCEPTED_DESCRIPTION.to_string()),
            },
        );
    }
}

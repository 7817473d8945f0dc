//! `rc-sandbox`: starts the RingCentral-compatible server (see `--help`).

use clap::Parser;
use rc_sandbox::clock::Clock;
use rc_sandbox::config::{Limit, World};
use rc_sandbox::state::Shared;
use std::net::SocketAddr;
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(
    name = "rc-sandbox",
    version,
    about = "A local RingCentral-compatible server for rc-active-calls"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8790")]
    listen: SocketAddr,
    /// The URL clients reach this server at (used in `uri` fields); default http://<listen>.
    #[arg(long)]
    public_url: Option<String>,
    /// JSON file with apps, account, users and settings (see README); defaults are built in.
    #[arg(long)]
    config: Option<std::path::PathBuf>,
    /// Seed of the simulated call traffic.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Mean seconds between simulated calls per extension; 0 turns simulated traffic off.
    #[arg(long)]
    call_gap: Option<u32>,
    /// Seconds an ended call stays listed.
    #[arg(long)]
    linger: Option<u32>,
    /// Heavy-group limit as REQUESTS/WINDOW_SECS/PENALTY_SECS (default 10/60/60).
    #[arg(long, value_parser = parse_limit)]
    heavy_limit: Option<Limit>,
    /// Auth-group limit as REQUESTS/WINDOW_SECS/PENALTY_SECS (default 5/60/60).
    #[arg(long, value_parser = parse_limit)]
    auth_limit: Option<Limit>,
    /// Access-token lifetime in seconds when the client asks for none (default 3600).
    #[arg(long)]
    access_ttl: Option<u32>,
    /// Do not expose X-Rate-Limit-* and Retry-After to browsers (as production may not).
    #[arg(long)]
    hide_rate_limit_headers: bool,
    /// Turn the /sandbox/ control API off.
    #[arg(long)]
    no_control: bool,
    /// Start with the clock frozen (tests move it with POST /sandbox/clock).
    #[arg(long)]
    frozen_clock: bool,
    /// Seconds active-calls lags behind events (RingCentral's cache: 3–10 s). Default 0.
    #[arg(long)]
    active_calls_lag: Option<u32>,
    /// Seconds without a client frame before the gateway closes a socket with WSG-902 (default 1800).
    #[arg(long)]
    ws_idle_timeout: Option<u32>,
    /// Seconds after which the gateway closes any socket with WSG-903 (default 86400).
    #[arg(long)]
    ws_absolute_timeout: Option<u32>,
    /// Seconds a dropped WebSocket session can be recovered with `wsc` (default 180).
    #[arg(long)]
    ws_recovery_timeout: Option<u32>,
    /// Lifetime of a single-use `ws_access_token` in seconds (default 60).
    #[arg(long)]
    ws_token_ttl: Option<u32>,
}

fn parse_limit(s: &str) -> Result<Limit, String> {
    let parts: Vec<u32> = s
        .split('/')
        .map(|p| p.parse::<u32>().map_err(|e| format!("{p}: {e}")))
        .collect::<Result<_, _>>()?;
    match parts[..] {
        [requests, window_secs, penalty_secs] if requests > 0 && window_secs > 0 => Ok(Limit {
            requests,
            window_secs,
            penalty_secs,
        }),
        _ => Err("expected REQUESTS/WINDOW_SECS/PENALTY_SECS, e.g. 10/60/60".into()),
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    if let Err(e) = run(Args::parse()).await {
        eprintln!("rc-sandbox: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut world = match &args.config {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str::<World>(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => World::default(),
    };
    let s = &mut world.settings;
    if let Some(v) = args.call_gap {
        s.mean_call_gap_secs = v;
    }
    if let Some(v) = args.linger {
        s.linger_secs = v;
    }
    if let Some(v) = args.heavy_limit {
        s.heavy = v;
    }
    if let Some(v) = args.auth_limit {
        s.auth = v;
    }
    if let Some(v) = args.access_ttl {
        s.access_token_ttl_secs = v;
    }
    if let Some(v) = args.active_calls_lag {
        s.active_calls_lag_secs = v;
    }
    if let Some(v) = args.ws_idle_timeout {
        s.ws.idle_timeout_secs = v;
    }
    if let Some(v) = args.ws_absolute_timeout {
        s.ws.absolute_timeout_secs = v;
    }
    if let Some(v) = args.ws_recovery_timeout {
        s.ws.recovery_timeout_secs = v;
    }
    if let Some(v) = args.ws_token_ttl {
        s.ws.token_ttl_secs = v;
    }
    if args.hide_rate_limit_headers {
        s.expose_rate_limit_headers = false;
    }
    world.validate()?;
    let clock = Clock::system();
    if args.frozen_clock {
        clock.freeze();
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let public = args.public_url.unwrap_or_else(|| format!("http://{addr}"));
    let state = Shared::new(world, args.seed, clock, public.clone(), !args.no_control);
    let ticker = state.spawn_ticker();
    let app = rc_sandbox::router(state);
    tracing::info!(
        "rc-sandbox listening on http://{addr} (public URL {public}); control API {}",
        if args.no_control {
            "off"
        } else {
            "on at /sandbox/"
        }
    );
    println!("rc-sandbox: listening on http://{addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
        .await
        .map_err(|e| e.to_string())?;
    ticker.abort();
    Ok(())
}

//! A statistical timing test of the server's RSA ClientKeyExchange handling
//! (dudect: Reparaz, Balasch, Verbauwhede, "Dude, is my code constant
//! time?", 2017): for each malformed class, thousands of measurements of the
//! valid class and of that class, interleaved at random, compared with
//! Welch's t-test, raw and with the slowest measurements cropped at several
//! percentiles. |t| above 4.5 means the two distributions differ: the
//! report says "difference detected" and the process exits with status 1.
//!
//! `cargo bench --features rsa-kx --bench rsa_kx_timing`
//! (`SAMPLES=N` per class, default 2000). What is timed is the server
//! reading the ClientKeyExchange and ChangeCipherSpec records (decryption,
//! padding check, pre-master selection, key derivation); the setup of each
//! fresh server is not. The public length errors (a ciphertext longer or
//! shorter than the modulus, or not below it) are left out: they are
//! refused before any private-key operation, and an attacker knows them
//! anyway.
//!
//! A passing run is evidence, not proof: it covers this machine, this
//! build, and differences larger than the noise of a few thousand samples.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use support::rsa_kx::{attacker_flight, rsa_configs, server_at_client_key_exchange, Case};
use support::{KeyKind, TestPki};

/// dudect's threshold: above it, "probably not constant time".
const THRESHOLD: f64 = 4.5;

/// Welch's t statistic of two samples.
fn welch_t(a: &[f64], b: &[f64]) -> f64 {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (n, mean, var)
    };
    let (na, ma, va) = stats(a);
    let (nb, mb, vb) = stats(b);
    (ma - mb) / (va / na + vb / nb).sqrt()
}

/// The measurements at or below the `p` percentile of both classes together.
fn cropped(a: &[f64], b: &[f64], p: f64) -> (Vec<f64>, Vec<f64>) {
    let mut all: Vec<f64> = a.iter().chain(b).copied().collect();
    all.sort_by(f64::total_cmp);
    let cut = all[((all.len() - 1) as f64 * p) as usize];
    let keep = |x: &[f64]| x.iter().copied().filter(|v| *v <= cut).collect();
    (keep(a), keep(b))
}

/// A small xorshift generator: the order of classes only has to be
/// unpredictable to the code under test, not to an attacker.
struct Order(u64);

impl Order {
    fn next_is_valid(&mut self) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 & 1 == 0
    }
}

fn main() {
    let samples: usize = std::env::var("SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let pki = TestPki::generate(KeyKind::Rsa2048, &["example.com"]);
    let (client, server) = rsa_configs(&pki);
    // A different interleaving each run: seeded from the wall clock.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |t| t.as_nanos() as u64)
        | 1;
    let mut order = Order(seed ^ 0x9e37_79b9_7f4a_7c15);
    let measure = |case: Case| {
        let at = server_at_client_key_exchange(&client, &server);
        let (before, _) = attacker_flight(&at, case, 0x42);
        let mut at = at;
        let started = Instant::now();
        at.server.read_tls_bytes(&before).unwrap();
        let result = at.server.process();
        let took = started.elapsed().as_nanos() as f64;
        // Nothing is refused before Finished: no alert can tell the classes apart.
        assert!(result.is_ok(), "{case:?} refused early: {result:?}");
        took
    };
    println!(
        "RSA ClientKeyExchange timing, {samples} samples per class, Welch's t (|t| > {THRESHOLD}: difference detected)"
    );
    println!(
        "{:<20} {:>12} {:>12} {:>8} {:>8} {:>8} {:>8}  verdict",
        "class vs Valid", "mean valid", "mean class", "t raw", "t p50", "t p90", "max |t|"
    );
    let mut detected = false;
    for case in Case::ALL {
        if case == Case::Valid
            || case.is_public_length_error()
            || case == Case::CiphertextNotBelowModulus
        {
            continue;
        }
        let (mut valid, mut other) = (Vec::new(), Vec::new());
        while valid.len() < samples || other.len() < samples {
            match order.next_is_valid() {
                true if valid.len() < samples => valid.push(measure(Case::Valid)),
                false if other.len() < samples => other.push(measure(case)),
                _ => {}
            }
        }
        let raw = welch_t(&valid, &other);
        let ts: Vec<f64> = [0.5, 0.75, 0.9, 0.99]
            .iter()
            .map(|&p| {
                let (a, b) = cropped(&valid, &other, p);
                welch_t(&a, &b)
            })
            .collect();
        let max = ts.iter().chain([&raw]).map(|t| t.abs()).fold(0.0, f64::max);
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64 / 1000.0;
        let verdict = match max > THRESHOLD {
            true => "DIFFERENCE DETECTED",
            false => "no difference detected",
        };
        detected |= max > THRESHOLD;
        println!(
            "{:<20} {:>9.1} us {:>9.1} us {:>8.2} {:>8.2} {:>8.2} {:>8.2}  {verdict}",
            format!("{case:?}"),
            mean(&valid),
            mean(&other),
            raw,
            ts[0],
            ts[2],
            max
        );
    }
    if detected {
        std::process::exit(1);
    }
}

//! Signing in, for the form (`POST /login`) and the API (`POST /api/auth/token`) alike: the
//! throttle, the password check off every connection, the audit of failures, and where a
//! browser may be sent afterwards.
//!
//! # Invariants
//!
//! - **The password is verified holding no connection and no lock.** The user's hash is read
//!   on a reading connection, which is released before the (slow, Argon2id) verification;
//!   only the new session, or the audit entry of a failure, takes the writing connection, for
//!   one short transaction. At most [`Api::verify_slots`](crate::Api) verifications run at once,
//!   so a burst of sign-ins queues instead of taking every core and 19 MiB of memory each.
//! - **Throttled per account and per client address** ([`Throttle`]): after
//!   [`BY_NAME`]`.free` failures for one name, or [`BY_ADDRESS`]`.free` from one address, each
//!   further try must wait twice as long as the one before (1 s, 2 s, 4 s, …) up to a cap
//!   (1 minute for a name, 5 minutes for an address), and is answered `429` with
//!   `Retry-After` without checking the password. A successful sign-in clears its name's count;
//!   counts are forgotten 15 minutes after the last failure. So an attacker gets about one
//!   guess a minute per account, and a real user is never locked out for more than a minute
//!   at a time.
//! - **Every failed verification is in the audit log** (object `users`, action
//!   `sign-in-failed`, the client address as who, the name tried, the reason), and so is the
//!   first refusal of each throttling; the password never is.
//! - **`next` is a path on this site** ([`local_path`]), or the plans page.

use crate::Api;
use kvarter_store::auth::{self, Session, SessionKind, SignInFailure};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// When a key is throttled: after `free` failures, the wait doubles from one second up to
/// `cap`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The longest wait.
    pub cap: Duration,
}

/// The throttle of one user name, from any address.
pub const BY_NAME: Rule = Rule {
    free: 5,
    cap: Duration::from_secs(60),
};
/// The throttle of one client address, whatever the names tried.
pub const BY_ADDRESS: Rule = Rule {
    free: 20,
    cap: Duration::from_secs(300),
};
/// How long after its last failure a count is forgotten.
pub const FORGET: Duration = Duration::from_secs(15 * 60);
/// The most keys remembered; beyond it, the stalest are forgotten first.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Name(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Tries counted as failures (a try counts from its start, so that tries made at the same
    /// moment are counted before any of them is answered; a success takes its own back).
    failures: u32,
    /// When the latest try started or failed.
    last: Instant,
    /// Whether the current wait was already written to the audit log.
    reported: bool,
}

impl Rule {
    /// How long a key with this entry must still wait at `now`, if at all.
    fn wait(&self, e: &Entry, now: Instant) -> Option<Duration> {
        let over = e.failures.checked_sub(self.free)?;
        let backoff = Duration::from_secs(1u64 << over.min(20)).min(self.cap);
        (e.last + backoff)
            .checked_duration_since(now)
            .filter(|d| !d.is_zero())
    }
}

/// The sign-in throttle: counts of recent failures per user name and per client address.
#[derive(Debug, Default)]
pub struct Throttle {
    keys: Mutex<HashMap<Key, Entry>>,
}

/// A try refused by the throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// Whole seconds to wait (at least 1), for `Retry-After`.
    pub seconds: u64,
    /// Whether this is the first refusal of the current wait (to write to the audit log).
    pub first: bool,
}

impl Throttle {
    /// Starts a try for `name` from `address` at `now`: counted at once, or refused with how
    /// long to wait.
    pub fn begin(&self, address: IpAddr, name: &str, now: Instant) -> Result<(), Wait> {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() >= MAX_KEYS {
            keys.retain(|_, e| now.saturating_duration_since(e.last) < FORGET);
            if keys.len() >= MAX_KEYS {
                let mut ages: Vec<Instant> = keys.values().map(|e| e.last).collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                keys.retain(|_, e| e.last > cut);
            }
        }
        let pairs = [
            (Key::Name(name.chars().take(64).collect()), BY_NAME),
            (Key::Address(address), BY_ADDRESS),
        ];
        let mut wait: Option<(Duration, bool)> = None;
        for (key, rule) in &pairs {
            if let Some(e) = keys.get_mut(key) {
                if now.saturating_duration_since(e.last) >= FORGET {
                    *e = Entry {
                        failures: 0,
                        last: now,
                        reported: false,
                    };
                }
                if let Some(w) = rule.wait(e, now) {
                    let first = !e.reported;
                    e.reported = true;
                    wait = Some(wait.map_or((w, first), |(d, f)| (d.max(w), f || first)));
                }
            }
        }
        if let Some((w, first)) = wait {
            return Err(Wait {
                seconds: w.as_secs() + u64::from(w.subsec_nanos() > 0),
                first,
            });
        }
        for (key, _) in pairs {
            let e = keys.entry(key).or_insert(Entry {
                failures: 0,
                last: now,
                reported: false,
            });
            e.failures = e.failures.saturating_add(1);
            e.last = now;
            e.reported = false;
        }
        Ok(())
    }

    /// Ends a try that [`Throttle::begin`] let through: a success clears the name's count and
    /// takes the try back from the address's; a failure stays counted, from `now`.
    pub fn finish(&self, address: IpAddr, name: &str, success: bool, now: Instant) {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let name = Key::Name(name.chars().take(64).collect());
        let address = Key::Address(address);
        if success {
            keys.remove(&name);
            if let Some(e) = keys.get_mut(&address) {
                e.failures = e.failures.saturating_sub(1);
            }
        } else {
            for key in [name, address] {
                if let Some(e) = keys.get_mut(&key) {
                    e.last = now;
                }
            }
        }
    }
}

/// How a sign-in ended.
#[derive(Debug)]
pub enum Outcome {
    /// A new session.
    Signed(Session),
    /// The name and password did not match an active user (one answer for every reason).
    Refused,
    /// Too many failures: wait this long.
    Throttled(u64),
    /// The store cannot be written, so no session can be kept.
    ReadOnly,
    /// The store failed.
    Failed(String),
}

/// Signs `name` in with `password` from `client`: throttled, verified off every connection,
/// a failure written to the audit log.
pub(crate) async fn sign_in(
    api: Arc<Api>,
    client: IpAddr,
    name: String,
    password: String,
    kind: SessionKind,
) -> Outcome {
    if api.writer.is_none() {
        return Outcome::ReadOnly;
    }
    if let Err(wait) = api.throttle.begin(client, &name, Instant::now()) {
        if wait.first {
            let api = api.clone();
            let _ = tokio::task::spawn_blocking(move || {
                record(&api, client, &name, SignInFailure::Throttled)
            })
            .await;
        }
        return Outcome::Throttled(wait.seconds);
    }
    let Ok(slot) = api.verify_slots.clone().acquire_owned().await else {
        return Outcome::Failed("the sign-in queue is closed".into());
    };
    let (api2, name2) = (api.clone(), name.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        let found = match api2.conn() {
            Ok(conn) => auth::credentials(&conn, &name2).map_err(|e| e.to_string()),
            Err(p) => Err(p.detail),
        };
        let found = match found {
            Ok(f) => f,
            Err(e) => return Outcome::Failed(e),
        };
        let checked = found.verify(&password);
        drop(slot);
        let Some(writer) = &api2.writer else {
            return Outcome::ReadOnly;
        };
        match checked {
            Ok(user) => match writer.lock() {
                Ok(mut store) => match store.start_session(&user, kind) {
                    Ok(Some(session)) => Outcome::Signed(session),
                    Ok(None) => {
                        drop(store);
                        record(&api2, client, &name2, SignInFailure::Disabled);
                        Outcome::Refused
                    }
                    Err(e) => Outcome::Failed(e.to_string()),
                },
                Err(_) => Outcome::Failed("the store lock is poisoned".into()),
            },
            Err(why) => {
                record(&api2, client, &name2, why);
                Outcome::Refused
            }
        }
    })
    .await
    .unwrap_or_else(|e| Outcome::Failed(e.to_string()));
    api.throttle.finish(
        client,
        &name,
        matches!(outcome, Outcome::Signed(_)),
        Instant::now(),
    );
    outcome
}

/// Writes a failed sign-in to the audit log; a store that fails here is reported on stderr
/// (without the password) and does not change the answer.
fn record(api: &Api, client: IpAddr, name: &str, why: SignInFailure) {
    if let Some(Ok(mut store)) = api.writer.as_ref().map(|w| w.lock())
        && let Err(e) = store.record_failed_sign_in(&client.to_string(), name, why)
    {
        eprintln!("serve: cannot record a failed sign-in in the audit log: {e}");
    }
}

/// Where to send a browser after signing in: `next` when it is a path on this site, else
/// `/plans`.
///
/// A path on this site starts with one `/`, holds only the characters a URL's path and query
/// may hold unescaped (RFC 3986: letters, digits, `-._~!$&'()*+,;=:@/?`, and `%` followed by
/// two hex digits), and — read with every `%XX` decoded, as some browsers and proxies read it
/// — still starts with one `/`, and holds no control character and no backslash. Browsers drop
/// tabs and newlines from a URL and read `\` as `/`, so `/\t/evil.example` or `/%5Cevil.example`
/// would otherwise lead off-site.
pub fn local_path(next: Option<&str>) -> String {
    const DEFAULT: &str = "/plans";
    let Some(next) = next else {
        return DEFAULT.into();
    };
    let b = next.as_bytes();
    let allowed = |c: u8| c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&c);
    let hex = |c: u8| c.is_ascii_hexdigit();
    let well_formed = next.len() <= 2048
        && b.first() == Some(&b'/')
        && b.iter().all(|&c| allowed(c))
        && b.iter()
            .enumerate()
            .filter(|&(_, &c)| c == b'%')
            .all(|(i, _)| b.len() > i + 2 && hex(b[i + 1]) && hex(b[i + 2]));
    if !well_formed {
        return DEFAULT.into();
    }
    // Decoded (repeatedly, for double encodings), it must still be a local path.
    let mut decoded = b.to_vec();
    for _ in 0..3 {
        decoded = percent_decode(&decoded);
        let bad = decoded.first() != Some(&b'/')
            || decoded.get(1).is_some_and(|&c| c == b'/' || c == b'\\')
            || decoded.iter().any(|&c| c.is_ascii_control() || c == b'\\');
        if bad {
            return DEFAULT.into();
        }
    }
    next.to_string()
}

fn percent_decode(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let h = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(x), Some(y)) = (
                b.get(i + 1).and_then(|&c| h(c)),
                b.get(i + 2).and_then(|&c| h(c)),
            )
        {
            out.push((x * 16 + y) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_path_on_this_site_or_the_plans() {
        for ok in [
            "/plans",
            "/plans/edit/hp_actions/a1?in=2025&lang=en",
            "/areas/0101-001",
            "/plans?saved=3#top",
            "/%C3%A6bler",
        ] {
            // `#` is not allowed unescaped: the fragment is the browser's, never the server's.
            let want = if ok.contains('#') { "/plans" } else { ok };
            assert_eq!(local_path(Some(ok)), want, "{ok}");
        }
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%252F/evil.example",
            "/%0d%0aSet-Cookie:%20x=1",
            "/plans\r\nSet-Cookie: x=1",
            "https://evil.example/",
            "evil.example",
            "javascript:alert(1)",
            "/ æbler",
            "/%zz",
            "/%2",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/plans", "{bad:?}");
        }
        assert_eq!(local_path(None), "/plans");
    }

    fn at(t0: Instant, secs: u64) -> Instant {
        t0 + Duration::from_secs(secs)
    }

    #[test]
    fn a_name_waits_after_five_failures_and_the_wait_doubles_up_to_a_minute() {
        let th = Throttle::default();
        let t0 = Instant::now();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..5 {
            th.begin(a, "bo", t0).unwrap();
            th.finish(a, "bo", false, t0);
        }
        // The sixth try at once: wait 1 s, first refusal reported, the second not.
        assert_eq!(
            th.begin(a, "bo", t0),
            Err(Wait {
                seconds: 1,
                first: true
            })
        );
        assert_eq!(
            th.begin(a, "bo", t0),
            Err(Wait {
                seconds: 1,
                first: false
            })
        );
        // From another address too: the throttle is the account's.
        let b: IpAddr = "198.51.100.7".parse().unwrap();
        assert!(th.begin(b, "bo", t0).is_err());
        // Another name from the first address is not throttled (5 < 20).
        th.begin(a, "anna", t0).unwrap();
        th.finish(a, "anna", true, t0);
        // After the wait, one more failure doubles it: 2 s, then 4 s, … capped at 60 s.
        let mut t = 1;
        let mut want = 2;
        for _ in 0..10 {
            th.begin(a, "bo", at(t0, t)).unwrap();
            th.finish(a, "bo", false, at(t0, t));
            let w = th.begin(a, "bo", at(t0, t)).unwrap_err();
            assert_eq!(w.seconds, want.min(60), "at {t}");
            t += want.min(60);
            want *= 2;
        }
        // A success (after the wait) clears the name's count.
        th.begin(a, "bo", at(t0, t)).unwrap();
        th.finish(a, "bo", true, at(t0, t));
        for _ in 0..5 {
            th.begin(b, "bo", at(t0, t)).unwrap();
            th.finish(b, "bo", false, at(t0, t));
        }
        assert!(th.begin(b, "bo", at(t0, t)).is_err());
        // 15 minutes after the last failure, the count is forgotten.
        th.begin(b, "bo", at(t0, t + 15 * 60)).unwrap();
    }

    #[test]
    fn an_address_waits_after_twenty_failures_whatever_the_names() {
        let th = Throttle::default();
        let t0 = Instant::now();
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        for i in 0..20 {
            th.begin(a, &format!("navn{i}"), t0).unwrap();
            th.finish(a, &format!("navn{i}"), false, t0);
        }
        let w = th.begin(a, "ny", t0).unwrap_err();
        assert_eq!(w.seconds, 1);
        // Another address is not affected.
        th.begin("2001:db8::2".parse().unwrap(), "ny", t0).unwrap();
        // The address's wait is capped at 5 minutes.
        let mut t = 0;
        for _ in 0..20 {
            t += 301;
            th.begin(a, "ny", at(t0, t)).unwrap();
            th.finish(a, "ny", false, at(t0, t));
        }
        assert!(th.begin(a, "x", at(t0, t)).unwrap_err().seconds <= 300);
    }

    #[test]
    fn tries_at_the_same_moment_are_counted_before_any_is_answered() {
        let th = Throttle::default();
        let t0 = Instant::now();
        let a: IpAddr = "192.0.2.9".parse().unwrap();
        let let_through = (0..100).filter(|_| th.begin(a, "bo", t0).is_ok()).count();
        assert_eq!(let_through, BY_NAME.free as usize);
    }
}

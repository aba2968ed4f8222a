//! Users, sessions and the audit log (migration 4), and the one way plans are edited.
//!
//! - **Passwords** are hashed with Argon2id (the `argon2` crate's defaults, a 16-byte random
//!   salt) and kept only as the PHC string. A sign-in with an unknown name still verifies against
//!   a fixed hash, so the time taken does not tell which names exist.
//! - **Sessions** are 32 random bytes from the operating system, handed out once as hex; the
//!   store keeps only their SHA-256, the user, a CSRF token (for forms), and when they expire
//!   ([`BROWSER_TTL`] for a browser, [`API_TTL`] for an API token). Expired sessions are refused
//!   and deleted at the next sign-in.
//! - **Roles**: a [`Role::Viewer`] may sign in and read the audit log; an [`Role::Editor`] may
//!   also change the plans; an [`Role::Administrator`] may also manage users.
//! - **The audit log** is append-only (triggers refuse `UPDATE` and `DELETE`). Every change to
//!   the plans and to the users is written in the same transaction as the change itself.

use crate::{Store, StoreError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::fmt;

/// How long a browser session lasts: 8 hours (a working day), from sign-in.
pub const BROWSER_TTL: i64 = 8 * 3600;
/// How long an API token lasts: 1 hour.
pub const API_TTL: i64 = 3600;
/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 12;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Sign in and read the audit log.
    Viewer,
    /// Also create, change and delete plans.
    Editor,
    /// Also manage users.
    Administrator,
}

impl Role {
    /// Every role, least first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Administrator];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Administrator => "administrator",
        }
    }

    /// The Danish name.
    pub fn da(self) -> &'static str {
        match self {
            Role::Viewer => "læser",
            Role::Editor => "redaktør",
            Role::Administrator => "administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    /// `viewer`, `editor` or `administrator`.
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("a role (viewer, editor or administrator), not {s:?}"))
    }
}

/// A user as the dashboard sees one (never the hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The store's id.
    pub id: i64,
    /// The name signed in with.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// When the user was created (UTC, ISO 8601).
    pub created_at: String,
    /// Whether the user may no longer sign in.
    pub disabled: bool,
}

/// Whether the session is a browser's (cookie, CSRF token on forms) or an API token (bearer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser: a cookie, and forms carry the CSRF token.
    Browser,
    /// An API client: `Authorization: Bearer TOKEN`.
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The token (only at sign-in; afterwards the store knows just its hash).
    pub token: String,
    /// The token forms must carry.
    pub csrf: String,
    /// Who.
    pub user: User,
    /// When it ends (Unix seconds).
    pub expires_at: i64,
    /// Browser or API.
    pub kind: SessionKind,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its number (the revision of the plans after it).
    pub id: i64,
    /// When (UTC, ISO 8601).
    pub at: String,
    /// Who (a user's name, or `kvarter load`).
    pub user: String,
    /// `create`, `update`, `delete`, `replace`, `sign-in`…
    pub action: String,
    /// Which table (`hp_actions`, `users`, `plans`).
    pub object: String,
    /// Which row.
    pub key: String,
    /// The row before (JSON object), if any.
    pub before: Option<String>,
    /// The row after (JSON object), if any.
    pub after: Option<String>,
}

/// An edit of the plans, ready to store: the new files and what the audit log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEdit {
    /// Every plan file after the edit (name, CSV text).
    pub files: Vec<(String, String)>,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The table edited.
    pub object: String,
    /// The row's key.
    pub key: String,
    /// The row before, as a JSON object.
    pub before: Option<String>,
    /// The row after, as a JSON object.
    pub after: Option<String>,
}

/// Why an edit was not stored.
#[derive(Debug)]
pub enum EditRefused<E> {
    /// The plans changed since the editor read them (revision then, entry that changed them).
    Stale {
        /// The revision the editor read.
        read: i64,
        /// The entry that changed them since.
        by: Box<AuditEntry>,
    },
    /// The edit itself was refused.
    Invalid(E),
    /// The store failed.
    Store(StoreError),
}

/// 32 random bytes from the operating system, as hex.
pub fn random_token() -> Result<String, String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| format!("the operating system gave no randomness: {e}"))?;
    Ok(crate::hex(&b))
}

/// The Argon2id PHC string of a password.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| format!("the operating system gave no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether the password matches the PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of a password nobody has, verified against when the name is unknown.
fn dummy() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        random_token()
            .and_then(|p| hash_password(&p))
            .unwrap_or_default()
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

const ISO_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: role.parse().unwrap_or(Role::Viewer),
        created_at: r.get(3)?,
        disabled: r.get::<_, i64>(4)? != 0,
    })
}

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        user: r.get(2)?,
        action: r.get(3)?,
        object: r.get(4)?,
        key: r.get(5)?,
        before: r.get(6)?,
        after: r.get(7)?,
    })
}

/// Why a sign-in failed, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    /// No user has the name.
    UnknownUser,
    /// The password did not match.
    WrongPassword,
    /// The user is disabled.
    Disabled,
    /// Refused before checking: too many failures from the address or for the name.
    Throttled,
}

impl SignInFailure {
    /// The reason as written in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            SignInFailure::UnknownUser => "unknown user",
            SignInFailure::WrongPassword => "wrong password",
            SignInFailure::Disabled => "disabled user",
            SignInFailure::Throttled => "throttled",
        }
    }
}

/// A user's stored password hash, read for one sign-in; [`Credentials::verify`] checks a
/// password against it without any connection.
#[derive(Clone)]
pub struct Credentials(Option<(User, String)>);

impl fmt::Debug for Credentials {
    /// The user only: the hash is never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Credentials")
            .field(&self.0.as_ref().map(|(u, _)| u))
            .finish()
    }
}

/// Reads the user named `name` and their password hash (any connection, read-only included).
pub fn credentials(conn: &rusqlite::Connection, name: &str) -> rusqlite::Result<Credentials> {
    conn.query_row(
        "SELECT id, name, role, created_at, disabled, password_hash FROM users WHERE name = ?1",
        [name],
        |r| Ok((user_row(r)?, r.get(5)?)),
    )
    .optional()
    .map(Credentials)
}

impl Credentials {
    /// The user when `password` matches and the user is active. Slow on purpose (Argon2id),
    /// and as slow for an unknown name, so the time taken does not tell which names exist.
    pub fn verify(&self, password: &str) -> Result<User, SignInFailure> {
        match &self.0 {
            Some((u, hash)) => match (verify_password(password, hash), u.disabled) {
                (false, _) => Err(SignInFailure::WrongPassword),
                (true, true) => Err(SignInFailure::Disabled),
                (true, false) => Ok(u.clone()),
            },
            None => {
                let _ = verify_password(password, dummy());
                Err(SignInFailure::UnknownUser)
            }
        }
    }
}

/// Appends an audit entry inside the caller's transaction.
pub(crate) fn audit(
    tx: &rusqlite::Connection,
    user: &str,
    action: &str,
    object: &str,
    key: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> rusqlite::Result<i64> {
    tx.execute(
        &format!(
            "INSERT INTO audit_log (at, user_name, action, object, object_key, before, after) \
             VALUES ({ISO_NOW}, ?1, ?2, ?3, ?4, ?5, ?6)"
        ),
        params![user, action, object, key, before, after],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Checks a new user's name and password; `Err` says what was expected.
pub fn check_new_user(name: &str, password: &str) -> Result<(), String> {
    if name.is_empty()
        || name.chars().count() > 64
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
    {
        return Err(format!(
            "a user name of 1 to 64 letters, digits and . - _ @, not {name:?}"
        ));
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!(
            "a password of at least {MIN_PASSWORD} characters (this one has {})",
            password.chars().count()
        ));
    }
    Ok(())
}

/// A read of the audit log, the users and the sessions: works on any connection to a store,
/// read-only ones included.
pub fn session_of(
    conn: &rusqlite::Connection,
    token: &str,
    kind: SessionKind,
) -> rusqlite::Result<Option<Session>> {
    let hash = crate::sha256_hex(token.as_bytes());
    conn.query_row(
        "SELECT u.id, u.name, u.role, u.created_at, u.disabled, s.csrf, s.expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = ?1 AND s.kind = ?2 AND s.expires_at > ?3 AND u.disabled = 0",
        params![hash, kind.as_str(), now()],
        |r| {
            Ok(Session {
                token: token.to_string(),
                user: user_row(r)?,
                csrf: r.get(5)?,
                expires_at: r.get(6)?,
                kind,
            })
        },
    )
    .optional()
}

/// The audit log, newest first: `limit` entries after skipping `offset`; with `object`, only
/// that object's.
pub fn audit_log(
    conn: &rusqlite::Connection,
    object: Option<&str>,
    limit: i64,
    offset: i64,
) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut st = conn.prepare_cached(
        "SELECT id, at, user_name, action, object, object_key, before, after FROM audit_log \
         WHERE ?1 IS NULL OR object = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
    )?;
    st.query_map(params![object, limit, offset], audit_row)?
        .collect()
}

/// The revision of the plans: the id of the latest audit entry that changed them (0 if none).
pub fn plan_revision(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(id), 0) FROM audit_log WHERE object <> 'users'",
        [],
        |r| r.get(0),
    )
}

impl Store {
    /// Creates a user (`by` names who did it, for the audit log). The name must be new.
    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        password: &str,
        by: &str,
    ) -> Result<User, StoreError> {
        check_new_user(name, password).map_err(|m| self.err(format!("expected {m}")))?;
        let hash = hash_password(password).map_err(|m| self.err(m))?;
        let file = self.file.clone();
        let e = |m: String| StoreError {
            file: file.clone(),
            message: m,
        };
        let tx = self.conn.transaction().map_err(|x| e(x.to_string()))?;
        let taken: bool = tx
            .query_row("SELECT 1 FROM users WHERE name = ?1", [name], |_| Ok(true))
            .optional()
            .map_err(|x| e(x.to_string()))?
            .unwrap_or(false);
        if taken {
            return Err(e(format!("expected a new user name; {name:?} is taken")));
        }
        tx.execute(
            &format!(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, {ISO_NOW})"
            ),
            params![name, role.as_str(), hash],
        )
        .map_err(|x| e(x.to_string()))?;
        let after = format!(
            "{{\"name\":{},\"role\":\"{}\"}}",
            serde_json::Value::from(name),
            role.as_str()
        );
        audit(&tx, by, "create", "users", name, None, Some(&after))
            .map_err(|x| e(x.to_string()))?;
        let user = tx
            .query_row(
                "SELECT id, name, role, created_at, disabled FROM users WHERE name = ?1",
                [name],
                user_row,
            )
            .map_err(|x| e(x.to_string()))?;
        tx.commit().map_err(|x| e(x.to_string()))?;
        Ok(user)
    }

    /// Changes a user's role or disables them (which also ends their sessions).
    pub fn set_user(
        &mut self,
        name: &str,
        role: Role,
        disabled: bool,
        by: &str,
    ) -> Result<User, StoreError> {
        let file = self.file.clone();
        let e = |m: String| StoreError {
            file: file.clone(),
            message: m,
        };
        let tx = self.conn.transaction().map_err(|x| e(x.to_string()))?;
        let before = tx
            .query_row(
                "SELECT id, name, role, created_at, disabled FROM users WHERE name = ?1",
                [name],
                user_row,
            )
            .optional()
            .map_err(|x| e(x.to_string()))?
            .ok_or_else(|| e(format!("expected an existing user; there is no {name:?}")))?;
        tx.execute(
            "UPDATE users SET role = ?1, disabled = ?2 WHERE id = ?3",
            params![role.as_str(), disabled as i64, before.id],
        )
        .map_err(|x| e(x.to_string()))?;
        if disabled {
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [before.id])
                .map_err(|x| e(x.to_string()))?;
        }
        let json = |r: Role, d: bool| format!("{{\"role\":\"{}\",\"disabled\":{d}}}", r.as_str());
        audit(
            &tx,
            by,
            "update",
            "users",
            name,
            Some(&json(before.role, before.disabled)),
            Some(&json(role, disabled)),
        )
        .map_err(|x| e(x.to_string()))?;
        tx.commit().map_err(|x| e(x.to_string()))?;
        Ok(User {
            role,
            disabled,
            ..before
        })
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, role, created_at, disabled FROM users ORDER BY name")
            .map_err(|x| self.err(x))?;
        st.query_map([], user_row)
            .and_then(|rows| rows.collect())
            .map_err(|x| self.err(x))
    }

    /// Signs in: a new session when the name and password match an active user, else `None`.
    /// The three steps of [`credentials`], [`Credentials::verify`] and
    /// [`Store::start_session`] in one call; a server runs the slow middle step on no
    /// connection at all, so that a sign-in never holds the writing connection while hashing.
    pub fn sign_in(
        &mut self,
        name: &str,
        password: &str,
        kind: SessionKind,
    ) -> Result<Option<Session>, StoreError> {
        let found = credentials(&self.conn, name).map_err(|x| self.err(x))?;
        match found.verify(password) {
            Ok(user) => self.start_session(&user, kind),
            Err(_) => Ok(None),
        }
    }

    /// A new session for `user`, whose password was just verified ([`Credentials::verify`]).
    /// `None` when the user was disabled or removed in the meantime. Also deletes expired
    /// sessions.
    pub fn start_session(
        &mut self,
        user: &User,
        kind: SessionKind,
    ) -> Result<Option<Session>, StoreError> {
        let token = random_token().map_err(|m| self.err(m))?;
        let csrf = random_token().map_err(|m| self.err(m))?;
        let ttl = match kind {
            SessionKind::Browser => BROWSER_TTL,
            SessionKind::Api => API_TTL,
        };
        let (created, expires) = (now(), now() + ttl);
        let file = self.file.clone();
        let e = |x: rusqlite::Error| StoreError {
            file: file.clone(),
            message: x.to_string(),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let current = tx
            .query_row(
                "SELECT id, name, role, created_at, disabled FROM users WHERE id = ?1",
                [user.id],
                user_row,
            )
            .optional()
            .map_err(e)?;
        let Some(user) = current.filter(|u| !u.disabled && u.name == user.name) else {
            return Ok(None);
        };
        tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [created])
            .map_err(e)?;
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                crate::sha256_hex(token.as_bytes()),
                user.id,
                kind.as_str(),
                csrf,
                created,
                expires
            ],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(Some(Session {
            token,
            csrf,
            user,
            expires_at: expires,
            kind,
        }))
    }

    /// Records a failed sign-in in the audit log (object `users`, action `sign-in-failed`):
    /// from which client address, with which name (cut to 64 characters), and why. Neither
    /// the password nor anything derived from it is kept. Does not change the plans' revision.
    pub fn record_failed_sign_in(
        &mut self,
        client: &str,
        name: &str,
        why: SignInFailure,
    ) -> Result<i64, StoreError> {
        let name: String = name.chars().take(64).collect();
        let after = serde_json::json!({ "reason": why.as_str() }).to_string();
        audit(
            &self.conn,
            client,
            "sign-in-failed",
            "users",
            &name,
            None,
            Some(&after),
        )
        .map_err(|x| self.err(x))
    }

    /// Ends a session (signing out); an unknown token is no error.
    pub fn sign_out(&mut self, token: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                [crate::sha256_hex(token.as_bytes())],
            )
            .map(|_| ())
            .map_err(|x| self.err(x))
    }

    /// Edits the plans in one immediate transaction: reads the stored files, hands them to
    /// `edit`, and stores what it returns with its audit entry, or nothing at all. With
    /// `read`, the edit is refused as stale when the plans changed after that revision. Returns
    /// the new revision.
    pub fn edit_plans<E>(
        &mut self,
        user: &str,
        read: Option<i64>,
        edit: impl FnOnce(Vec<(String, String)>) -> Result<PlanEdit, E>,
    ) -> Result<i64, EditRefused<E>> {
        let file = self.file.clone();
        let se = |x: rusqlite::Error| {
            EditRefused::Store(StoreError {
                file: file.clone(),
                message: x.to_string(),
            })
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(se)?;
        let revision = plan_revision(&tx).map_err(se)?;
        if let Some(read) = read.filter(|r| *r != revision) {
            let by = tx
                .query_row(
                    "SELECT id, at, user_name, action, object, object_key, before, after \
                     FROM audit_log WHERE id = ?1",
                    [revision],
                    audit_row,
                )
                .map_err(se)?;
            return Err(EditRefused::Stale {
                read,
                by: Box::new(by),
            });
        }
        let files: Vec<(String, String)> = {
            let mut st = tx
                .prepare("SELECT name, content FROM plan_files ORDER BY name")
                .map_err(se)?;
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(|rows| rows.collect())
                .map_err(se)?
        };
        let e = edit(files).map_err(EditRefused::Invalid)?;
        tx.execute("DELETE FROM plan_files", []).map_err(se)?;
        for (name, content) in &e.files {
            tx.execute(
                "INSERT INTO plan_files (name, content) VALUES (?1, ?2)",
                params![name, content],
            )
            .map_err(se)?;
        }
        let id = audit(
            &tx,
            user,
            &e.action,
            &e.object,
            &e.key,
            e.before.as_deref(),
            e.after.as_deref(),
        )
        .map_err(se)?;
        tx.commit().map_err(se)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::setup(
            rusqlite::Connection::open_in_memory().unwrap(),
            ":memory:".into(),
        )
        .unwrap()
    }

    #[test]
    fn a_password_is_kept_only_as_an_argon2id_hash() {
        let mut s = store();
        s.add_user("koordinator", Role::Editor, "korrekt hest batteri", "admin")
            .unwrap();
        let hash: String = s
            .conn
            .query_row("SELECT password_hash FROM users", [], |r| r.get(0))
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("hest"));
        assert!(verify_password("korrekt hest batteri", &hash));
        assert!(!verify_password("korrekt hest batteri!", &hash));
        // A second hash of the same password differs (a fresh salt).
        assert_ne!(hash_password("korrekt hest batteri").unwrap(), hash);
    }

    #[test]
    fn signing_in_checks_the_password_and_the_session_expires() {
        let mut s = store();
        s.add_user("anna", Role::Viewer, "en lang adgangskode", "admin")
            .unwrap();
        assert_eq!(
            s.sign_in("anna", "forkert kode!!", SessionKind::Browser)
                .unwrap(),
            None
        );
        assert_eq!(
            s.sign_in("bo", "en lang adgangskode", SessionKind::Browser)
                .unwrap(),
            None
        );
        let session = s
            .sign_in("anna", "en lang adgangskode", SessionKind::Browser)
            .unwrap()
            .unwrap();
        assert_eq!(session.user.role, Role::Viewer);
        assert_eq!(session.token.len(), 64);
        let found = session_of(&s.conn, &session.token, SessionKind::Browser)
            .unwrap()
            .unwrap();
        assert_eq!(found.csrf, session.csrf);
        assert!(
            found.expires_at - now() <= BROWSER_TTL && found.expires_at - now() > BROWSER_TTL - 60
        );
        // The same token is no API token, and the store keeps only its hash.
        assert_eq!(
            session_of(&s.conn, &session.token, SessionKind::Api).unwrap(),
            None
        );
        let kept: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM sessions WHERE token_hash = ?1",
                [&session.token],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, 0);
        // Once expired, it is refused.
        s.conn
            .execute("UPDATE sessions SET expires_at = ?1", [now() - 1])
            .unwrap();
        assert_eq!(
            session_of(&s.conn, &session.token, SessionKind::Browser).unwrap(),
            None
        );
        // Disabling a user ends their sessions and refuses their password.
        let again = s
            .sign_in("anna", "en lang adgangskode", SessionKind::Api)
            .unwrap()
            .unwrap();
        s.set_user("anna", Role::Viewer, true, "admin").unwrap();
        assert_eq!(
            session_of(&s.conn, &again.token, SessionKind::Api).unwrap(),
            None
        );
        assert_eq!(
            s.sign_in("anna", "en lang adgangskode", SessionKind::Api)
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_password_is_verified_on_no_connection_and_a_failure_is_audited_outside_the_plans() {
        let mut s = store();
        s.add_user("anna", Role::Viewer, "en lang adgangskode", "admin")
            .unwrap();
        let found = credentials(&s.conn, "anna").unwrap();
        assert_eq!(
            found.verify("forkert kode!!").unwrap_err(),
            SignInFailure::WrongPassword
        );
        let user = found.verify("en lang adgangskode").unwrap();
        assert_eq!(
            credentials(&s.conn, "bo")
                .unwrap()
                .verify("en lang adgangskode")
                .unwrap_err(),
            SignInFailure::UnknownUser
        );
        // Disabled between the check and the session: no session.
        s.set_user("anna", Role::Viewer, true, "admin").unwrap();
        assert_eq!(
            credentials(&s.conn, "anna")
                .unwrap()
                .verify("en lang adgangskode")
                .unwrap_err(),
            SignInFailure::Disabled
        );
        assert_eq!(s.start_session(&user, SessionKind::Browser).unwrap(), None);
        s.set_user("anna", Role::Viewer, false, "admin").unwrap();
        assert!(
            s.start_session(&user, SessionKind::Browser)
                .unwrap()
                .is_some()
        );
        // A failure is logged with the address and reason, never the password, and is no
        // change of the plans.
        let before = plan_revision(&s.conn).unwrap();
        s.record_failed_sign_in("192.0.2.1", &"x".repeat(100), SignInFailure::WrongPassword)
            .unwrap();
        assert_eq!(plan_revision(&s.conn).unwrap(), before);
        let e = &audit_log(&s.conn, Some("users"), 1, 0).unwrap()[0];
        assert_eq!(
            (e.user.as_str(), e.action.as_str(), e.key.len()),
            ("192.0.2.1", "sign-in-failed", 64)
        );
        assert_eq!(e.after.as_deref(), Some(r#"{"reason":"wrong password"}"#));
    }

    #[test]
    fn bad_names_and_short_passwords_are_refused() {
        let mut s = store();
        let e = s
            .add_user("a b", Role::Viewer, "en lang adgangskode", "x")
            .unwrap_err();
        assert!(e.message.contains("user name"), "{e}");
        let e = s.add_user("ab", Role::Viewer, "kort", "x").unwrap_err();
        assert!(e.message.contains("at least 12"), "{e}");
        s.add_user("ab", Role::Viewer, "en lang adgangskode", "x")
            .unwrap();
        let e = s
            .add_user("ab", Role::Editor, "en lang adgangskode", "x")
            .unwrap_err();
        assert!(e.message.contains("taken"), "{e}");
        assert_eq!(
            "boss".parse::<Role>().unwrap_err(),
            "a role (viewer, editor or administrator), not \"boss\""
        );
    }

    #[test]
    fn an_edit_is_stored_with_its_audit_entry_or_not_at_all() {
        let mut s = store();
        let edit = |content: &str| PlanEdit {
            files: vec![("hp_actions.csv".into(), content.into())],
            action: "update".into(),
            object: "hp_actions".into(),
            key: "a1".into(),
            before: Some("{\"name\":\"x\"}".into()),
            after: Some("{\"name\":\"y\"}".into()),
        };
        let r1 = s
            .edit_plans::<String>("koordinator", Some(0), |files| {
                assert!(files.is_empty());
                Ok(edit("one"))
            })
            .unwrap();
        assert_eq!(plan_revision(&s.conn).unwrap(), r1);
        // A refused edit leaves files and log as they were.
        let refused = s.edit_plans("koordinator", None, |_| {
            Err::<PlanEdit, _>("no".to_string())
        });
        assert!(matches!(refused, Err(EditRefused::Invalid(m)) if m == "no"));
        // An edit from a form read before r1 is stale, and says who changed the plans.
        let stale = s.edit_plans::<String>("bo", Some(0), |_| Ok(edit("two")));
        match stale {
            Err(EditRefused::Stale { read: 0, by }) => assert_eq!(by.user, "koordinator"),
            other => panic!("{other:?}"),
        }
        let content: String = s
            .conn
            .query_row("SELECT content FROM plan_files", [], |r| r.get(0))
            .unwrap();
        assert_eq!(content, "one");
        let log = audit_log(&s.conn, None, 10, 0).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            (
                log[0].user.as_str(),
                log[0].action.as_str(),
                log[0].object.as_str(),
                log[0].key.as_str()
            ),
            ("koordinator", "update", "hp_actions", "a1")
        );
        assert_eq!(log[0].before.as_deref(), Some("{\"name\":\"x\"}"));
        // The log is append-only.
        assert!(
            s.conn
                .execute("UPDATE audit_log SET user_name = 'x'", [])
                .is_err()
        );
        assert!(s.conn.execute("DELETE FROM audit_log", []).is_err());
    }
}

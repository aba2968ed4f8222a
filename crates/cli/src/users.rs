//! `kvarter users`: who may sign in to the dashboard and the API, and with which role.
//!
//! - `users add --db FILE --name NAME --role viewer|editor|administrator` reads the password
//!   from the environment variable `KVARTER_PASSWORD` or, without it, from the first line of
//!   standard input (so it never appears in the shell history or the process list).
//! - `users list --db FILE` prints every user with role, status and creation time.
//! - `users set --db FILE --name NAME --role ROLE [--disabled]` changes a role or disables a
//!   user (which ends their sessions).
//!
//! Each change is written to the audit log as made by `kvarter users` with the operating
//! system's user name.

use super::Failure;
use clap::{Args, Subcommand};
use kvarter_store::Store;
use kvarter_store::auth::Role;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub(crate) struct UsersArgs {
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Creates a user; the password comes from KVARTER_PASSWORD or the first line of stdin.
    Add {
        /// The store `kvarter load` filled.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The name to sign in with.
        #[arg(long)]
        name: String,
        /// viewer (reads the audit log), editor (changes the plans) or administrator (manages users).
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Lists the users.
    List {
        /// The store.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
    },
    /// Changes a user's role, or disables them.
    Set {
        /// The store.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// Whose.
        #[arg(long)]
        name: String,
        /// The new role.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Disables the user: no sign-in, and their sessions end.
        #[arg(long)]
        disabled: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| format!("expected {e}"))
}

fn open(db: &Path) -> Result<Store, Failure> {
    if !db.is_file() {
        return Err(Failure(format!(
            "{}: no such database; expected a file that `kvarter load --db` filled",
            db.display()
        )));
    }
    Ok(Store::open(db)?)
}

/// Who made a change from the command line, for the audit log.
fn by() -> String {
    let os = std::env::var("USER").unwrap_or_else(|_| "?".into());
    format!("kvarter users ({os})")
}

fn password() -> Result<String, Failure> {
    if let Ok(p) = std::env::var("KVARTER_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure(format!("cannot read the password from stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub(crate) fn run_users(a: &UsersArgs) -> Result<String, Failure> {
    match &a.command {
        UsersCommand::Add { db, name, role } => {
            let mut store = open(db)?;
            let user = store.add_user(name, *role, &password()?, &by())?;
            Ok(format!("created user {} ({})\n", user.name, user.role))
        }
        UsersCommand::List { db } => {
            let store = open(db)?;
            let mut out = String::new();
            for u in store.users()? {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    u.name,
                    u.role,
                    if u.disabled { "disabled" } else { "active" },
                    u.created_at
                );
            }
            Ok(out)
        }
        UsersCommand::Set {
            db,
            name,
            role,
            disabled,
        } => {
            let mut store = open(db)?;
            let u = store.set_user(name, *role, *disabled, &by())?;
            Ok(format!(
                "user {} is now {}{}\n",
                u.name,
                u.role,
                if u.disabled { ", disabled" } else { "" }
            ))
        }
    }
}

/// The demo's users: created once with random passwords kept in `file` (readable only by the
/// owner), and told on every start.
pub(crate) fn demo_users(db: &Path, file: &Path) -> Result<Vec<(String, Role, String)>, Failure> {
    let mut store = open(db)?;
    if store.users()?.is_empty() {
        let mut lines = String::new();
        let mut made = Vec::new();
        for (name, role) in [
            ("koordinator", Role::Editor),
            ("laeser", Role::Viewer),
            ("admin", Role::Administrator),
        ] {
            let pw = kvarter_store::auth::random_token().map_err(Failure)?[..20].to_string();
            store.add_user(name, role, &pw, "kvarter demo")?;
            let _ = writeln!(lines, "{name}\t{role}\t{pw}");
            made.push((name.to_string(), role, pw));
        }
        super::write_atomically(file, lines.as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600));
        }
        return Ok(made);
    }
    let text = std::fs::read_to_string(file).unwrap_or_default();
    Ok(text
        .lines()
        .filter_map(|l| {
            let mut p = l.split('\t');
            Some((
                p.next()?.to_string(),
                p.next()?.parse().ok()?,
                p.next()?.to_string(),
            ))
        })
        .collect())
}

//! A small WebDriver client for end-to-end tests: headless Chromium driven by chromedriver
//! over plain HTTP/1.1 on loopback, with serde_json and std only.
//!
//! Use it from a test file with `mod browser;` and start a browser with
//! [`Browser::try_start`], which returns `None` only when the browser is missing and
//! `KVARTER_SKIP_BROWSER=1` is set. Every WebDriver error panics with the command, the HTTP
//! status and the error from the response, so tests read as straight-line code.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long [`Browser::find`] waits for an element to appear.
pub const FIND_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a single WebDriver command may take before the client gives up on the socket.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

const MISSING: &str = "chromium and chromedriver are needed for the end-to-end tests: \
     apt-get install chromium chromium-driver (.ci/run installs them), \
     or set KVARTER_SKIP_BROWSER=1 to skip";

/// A headless Chromium session behind its own chromedriver process.
///
/// Dropping it deletes the session (which quits Chromium), kills chromedriver and removes
/// the profile and download directories.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    root: PathBuf,
    downloads: PathBuf,
}

/// An element found on the current page; valid until the page replaces it.
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

/// Keys for [`Browser::press_key`], [`Browser::press_chord`] and, through [`Key::as_str`],
/// [`Element::send_keys`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Tab,
    Enter,
    Escape,
    Space,
    Backspace,
    Delete,
    Shift,
    Control,
    Home,
    End,
    PageUp,
    PageDown,
    ArrowLeft,
    ArrowUp,
    ArrowRight,
    ArrowDown,
}

impl Key {
    /// The WebDriver code point of the key, as a one-character string.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::Tab => "\u{E004}",
            Key::Enter => "\u{E007}",
            Key::Escape => "\u{E00C}",
            Key::Space => "\u{E00D}",
            Key::Backspace => "\u{E003}",
            Key::Delete => "\u{E017}",
            Key::Shift => "\u{E008}",
            Key::Control => "\u{E009}",
            Key::Home => "\u{E011}",
            Key::End => "\u{E010}",
            Key::PageUp => "\u{E00E}",
            Key::PageDown => "\u{E00F}",
            Key::ArrowLeft => "\u{E012}",
            Key::ArrowUp => "\u{E013}",
            Key::ArrowRight => "\u{E014}",
            Key::ArrowDown => "\u{E015}",
        }
    }
}

/// A WebDriver error: the HTTP status and the `error` and `message` of the response body.
#[derive(Debug)]
struct WdError {
    status: u16,
    error: String,
    message: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session, or panics saying what to install.
    ///
    /// Panics even when `KVARTER_SKIP_BROWSER=1` is set; tests that may be skipped use
    /// [`Browser::try_start`].
    #[track_caller]
    pub fn start() -> Browser {
        match tools() {
            Some((driver, chromium)) => Browser::launch(&driver, &chromium),
            None => panic!("{MISSING}"),
        }
    }

    /// Like [`Browser::start`], but returns `None` when chromedriver or Chromium is missing and
    /// `KVARTER_SKIP_BROWSER=1` is set, so the caller can skip. When they are missing and the
    /// variable is not set, panics saying what to install.
    #[track_caller]
    pub fn try_start() -> Option<Browser> {
        match tools() {
            Some((driver, chromium)) => Some(Browser::launch(&driver, &chromium)),
            None if std::env::var("KVARTER_SKIP_BROWSER").as_deref() == Ok("1") => None,
            None => panic!("{MISSING}"),
        }
    }

    fn launch(driver_path: &Path, chromium: &Path) -> Browser {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let root = std::env::temp_dir().join(format!(
            "kvarter-browser-{}-{}-{nanos}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let profile = root.join("profile");
        let downloads = root.join("downloads");
        for dir in [&profile, &downloads] {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        }
        let log = root.join("chromedriver.log");

        // The port is free when asked but may be taken before chromedriver binds it; then
        // chromedriver exits and another port is tried.
        let mut attempt = 0;
        let (driver, port) = loop {
            attempt += 1;
            let port = free_port();
            let log_file = std::fs::File::create(&log)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
            let mut child = Command::new(driver_path)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("log file handle"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", driver_path.display()));
            match wait_ready(&mut child, port) {
                Ok(()) => break (child, port),
                Err(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    if attempt == 3 {
                        let _ = std::fs::remove_dir_all(&root);
                        panic!(
                            "chromedriver {} on port {port} did not get ready: {why}; its log:\n{}",
                            driver_path.display(),
                            std::fs::read_to_string(&log).unwrap_or_default()
                        );
                    }
                }
            }
        };

        let download_dir = downloads.to_str().expect("temp dir is UTF-8").to_string();
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": {"implicit": 0, "pageLoad": 30_000, "script": 30_000},
                    "goog:loggingPrefs": {"browser": "ALL"},
                    "goog:chromeOptions": {
                        "binary": chromium.to_str().expect("chromium path is UTF-8"),
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--disable-extensions",
                            "--window-size=1280,900",
                            format!("--user-data-dir={}", profile.display()),
                        ],
                        "prefs": {
                            "download.default_directory": download_dir,
                            "download.prompt_for_download": false,
                            "download.directory_upgrade": true,
                            "safebrowsing.enabled": false,
                        },
                    },
                },
            },
        });
        let created = request(port, "POST", "/session", Some(&caps), COMMAND_TIMEOUT);
        let session = match created {
            Ok(v) => v["sessionId"].as_str().map(str::to_string),
            Err(e) => {
                let log_text = std::fs::read_to_string(&log).unwrap_or_default();
                let mut driver = driver;
                let _ = driver.kill();
                let _ = driver.wait();
                let _ = std::fs::remove_dir_all(&root);
                panic!(
                    "WebDriver POST /session (Chromium {}) failed: {e}; chromedriver log:\n{log_text}",
                    chromium.display()
                );
            }
        };
        let browser = Browser {
            driver,
            port,
            session: session.expect("POST /session returns a sessionId"),
            root,
            downloads,
        };
        // With Chromium 148 and --headless=new the download prefs above suffice; the old
        // headless mode ignores them and denies downloads, which this command allows.
        browser.cmd(
            "POST",
            "/chromium/send_command",
            json!({
                "cmd": "Browser.setDownloadBehavior",
                "params": {"behavior": "allow", "downloadPath": download_dir, "eventsEnabled": false},
            }),
        );
        browser
    }

    /// Navigates to `url` and waits for the page to load.
    #[track_caller]
    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", json!({ "url": url }));
    }

    /// The URL of the current page.
    #[track_caller]
    pub fn url(&self) -> String {
        string(self.cmd("GET", "/url", Value::Null))
    }

    /// The title of the current page.
    #[track_caller]
    pub fn title(&self) -> String {
        string(self.cmd("GET", "/title", Value::Null))
    }

    /// The serialized DOM of the current page.
    #[track_caller]
    pub fn source(&self) -> String {
        string(self.cmd("GET", "/source", Value::Null))
    }

    /// Goes back in history.
    #[track_caller]
    pub fn back(&self) {
        self.cmd("POST", "/back", json!({}));
    }

    /// Reloads the current page.
    #[track_caller]
    pub fn refresh(&self) {
        self.cmd("POST", "/refresh", json!({}));
    }

    /// The first element matching the CSS selector, waiting up to [`FIND_TIMEOUT`] for one to
    /// appear; panics with the selector, the URL and the start of the page's body otherwise.
    #[track_caller]
    pub fn find(&self, css: &str) -> Element<'_> {
        let deadline = Instant::now() + FIND_TIMEOUT;
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            if Instant::now() >= deadline {
                panic!(
                    "no element matches `{css}` after {FIND_TIMEOUT:?} at {}; the page:\n{}",
                    self.url(),
                    self.snippet()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The first element matching the CSS selector now, without waiting.
    #[track_caller]
    pub fn try_find(&self, css: &str) -> Option<Element<'_>> {
        let by = json!({"using": "css selector", "value": css});
        match self.try_cmd("POST", "/element", &by) {
            Ok(v) => Some(self.element(&v)),
            Err(e) if e.error == "no such element" => None,
            Err(e) => self.fail("POST", "/element", &by, e),
        }
    }

    /// All elements matching the CSS selector now, in document order, without waiting.
    #[track_caller]
    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let found = self.cmd(
            "POST",
            "/elements",
            json!({"using": "css selector", "value": css}),
        );
        found
            .as_array()
            .expect("POST /elements returns an array")
            .iter()
            .map(|v| self.element(v))
            .collect()
    }

    /// Runs `script` as the body of a function in the page, with `args` as `arguments`, and
    /// returns what it returns. Elements can be passed with [`Element::as_arg`].
    #[track_caller]
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
    }

    /// Polls `ready` every 50 ms until it returns true; panics after `timeout` saying it was
    /// waiting for `what`, with the URL.
    #[track_caller]
    pub fn wait_until(
        &self,
        mut ready: impl FnMut(&Browser) -> bool,
        timeout: Duration,
        what: &str,
    ) {
        let deadline = Instant::now() + timeout;
        while !ready(self) {
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what} at {}",
                    self.url()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The directory downloads land in; fresh and empty when the browser starts.
    pub fn downloads_dir(&self) -> &Path {
        &self.downloads
    }

    /// Waits until a completed download whose name ends with `suffix` is in
    /// [`Browser::downloads_dir`] (partial `.crdownload` files do not count) and returns its
    /// path; the newest one when several match. Panics after `timeout` listing the directory.
    #[track_caller]
    pub fn wait_for_download(&self, suffix: &str, timeout: Duration) -> PathBuf {
        let deadline = Instant::now() + timeout;
        loop {
            let mut done: Vec<(SystemTime, PathBuf)> = Vec::new();
            for entry in std::fs::read_dir(&self.downloads).into_iter().flatten() {
                let Ok(entry) = entry else { continue };
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(suffix) && !name.ends_with(".crdownload") {
                    let modified = entry
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(UNIX_EPOCH);
                    done.push((modified, entry.path()));
                }
            }
            if let Some((_, path)) = done.into_iter().max() {
                return path;
            }
            if Instant::now() >= deadline {
                let names: Vec<String> = std::fs::read_dir(&self.downloads)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                panic!(
                    "no download ending in {suffix:?} in {} after {timeout:?}; it holds {names:?}",
                    self.downloads.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Removes everything in [`Browser::downloads_dir`].
    pub fn clear_downloads(&self) {
        for entry in std::fs::read_dir(&self.downloads).into_iter().flatten() {
            let Ok(entry) = entry else { continue };
            let _ = std::fs::remove_file(entry.path());
        }
    }

    /// A PNG screenshot of the viewport.
    #[track_caller]
    pub fn screenshot_png(&self) -> Vec<u8> {
        let b64 = string(self.cmd("GET", "/screenshot", Value::Null));
        base64_decode(&b64).expect("the screenshot is valid base64")
    }

    /// Presses and releases `key` in whatever element has the focus.
    #[track_caller]
    pub fn press_key(&self, key: Key) {
        self.press_chord(&[key]);
    }

    /// Presses `keys` in order, then releases them in reverse order, e.g.
    /// `[Key::Shift, Key::Tab]` for Shift+Tab.
    #[track_caller]
    pub fn press_chord(&self, keys: &[Key]) {
        let mut actions: Vec<Value> = keys
            .iter()
            .map(|k| json!({"type": "keyDown", "value": k.as_str()}))
            .collect();
        actions.extend(
            keys.iter()
                .rev()
                .map(|k| json!({"type": "keyUp", "value": k.as_str()})),
        );
        self.cmd(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    /// The element that has the focus, if any besides the body.
    #[track_caller]
    pub fn focused(&self) -> Option<Element<'_>> {
        let v = self.execute(
            "const a = document.activeElement; return a === document.body ? null : a;",
            vec![],
        );
        (!v.is_null()).then(|| self.element(&v))
    }

    /// Messages of the browser console's errors (level SEVERE) since the last call: uncaught
    /// exceptions, `console.error` and failed resource loads (a missing favicon counts).
    /// Reading them clears them.
    #[track_caller]
    pub fn console_errors(&self) -> Vec<String> {
        let entries = self.cmd("POST", "/se/log", json!({"type": "browser"}));
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Sends a command to this session at `/session/{id}{path}`, panicking on any error.
    #[track_caller]
    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        match self.try_cmd(method, path, &body) {
            Ok(v) => v,
            Err(e) => self.fail(method, path, &body, e),
        }
    }

    fn try_cmd(&self, method: &str, path: &str, body: &Value) -> Result<Value, WdError> {
        let full = format!("/session/{}{path}", self.session);
        let body = (method == "POST").then_some(body);
        request(self.port, method, &full, body, COMMAND_TIMEOUT)
    }

    #[track_caller]
    fn fail(&self, method: &str, path: &str, body: &Value, e: WdError) -> ! {
        let mut sent = if method == "POST" {
            format!(" {body}")
        } else {
            String::new()
        };
        if sent.len() > 300 {
            let mut end = 300;
            while !sent.is_char_boundary(end) {
                end -= 1;
            }
            sent.truncate(end);
            sent.push('…');
        }
        panic!("WebDriver {method} {path}{sent} failed: {e}")
    }

    #[track_caller]
    fn element(&self, v: &Value) -> Element<'_> {
        let id = v[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("not an element reference: {v}"));
        Element {
            browser: self,
            id: id.to_string(),
        }
    }

    /// The start of the page's body (or of the whole page), for error messages.
    fn snippet(&self) -> String {
        let source = self
            .try_cmd("GET", "/source", &Value::Null)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let start = source.find("<body").unwrap_or(0);
        source[start..].chars().take(2000).collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = request(self.port, "DELETE", &path, None, Duration::from_secs(20));
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium may still be writing its profile for a moment after quitting.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.root).is_ok() || !self.root.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Element<'_> {
    /// The rendered text of the element, as a user sees it.
    #[track_caller]
    pub fn text(&self) -> String {
        string(self.cmd("GET", "/text", Value::Null))
    }

    /// The attribute `name` as written in the markup (`href="/two"` gives `/two`, not the
    /// resolved URL; see [`Element::property`] for that), `None` when absent.
    #[track_caller]
    pub fn attr(&self, name: &str) -> Option<String> {
        let v = self.cmd("GET", &format!("/attribute/{name}"), Value::Null);
        v.as_str().map(str::to_string)
    }

    /// The DOM property `name`, `Null` when absent.
    #[track_caller]
    pub fn property(&self, name: &str) -> Value {
        self.cmd("GET", &format!("/property/{name}"), Value::Null)
    }

    /// Whether the element is rendered visibly.
    #[track_caller]
    pub fn is_displayed(&self) -> bool {
        self.cmd("GET", "/displayed", Value::Null) == Value::Bool(true)
    }

    /// Scrolls the element into view and clicks its centre.
    #[track_caller]
    pub fn click(&self) {
        self.cmd("POST", "/click", json!({}));
    }

    /// Focuses the element and types `text`; [`Key::as_str`] gives special keys.
    #[track_caller]
    pub fn send_keys(&self, text: &str) {
        self.cmd("POST", "/value", json!({ "text": text }));
    }

    /// Empties an input or textarea.
    #[track_caller]
    pub fn clear(&self) {
        self.cmd("POST", "/clear", json!({}));
    }

    /// The element as an argument for [`Browser::execute`].
    pub fn as_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    #[track_caller]
    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        self.browser
            .cmd(method, &format!("/element/{}{path}", self.id), body)
    }
}

/// chromedriver and Chromium, from the environment or the usual places, if both exist.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let driver = match std::env::var_os("KVARTER_CHROMEDRIVER") {
        Some(p) => Some(PathBuf::from(p)),
        None => Some(PathBuf::from("/usr/bin/chromedriver"))
            .filter(|p| p.is_file())
            .or_else(|| on_path("chromedriver")),
    }
    .filter(|p| p.is_file())?;
    let chromium = std::env::var_os("KVARTER_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    chromium.is_file().then_some((driver, chromium))
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Waits up to 20 s for chromedriver's `/status` to say it is ready.
fn wait_ready(child: &mut Child, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited with {status}"));
        }
        match request(port, "GET", "/status", None, Duration::from_secs(5)) {
            Ok(v) if v["ready"] == true => return Ok(()),
            Ok(v) if Instant::now() >= deadline => return Err(format!("/status says {v}")),
            Err(e) if Instant::now() >= deadline => return Err(e.to_string()),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // chromedriver's messages repeat the error code in front.
        let message = self
            .message
            .strip_prefix(&*self.error)
            .and_then(|m| m.strip_prefix(": "))
            .unwrap_or(&self.message);
        write!(f, "HTTP {}: {}: {message}", self.status, self.error)
    }
}

/// One WebDriver request; the `value` of the response, or the error it reports. Transport
/// failures come back as an error with status 0.
fn request(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> Result<Value, WdError> {
    let transport = |e: io::Error| WdError {
        status: 0,
        error: "transport".to_string(),
        message: e.to_string(),
    };
    let body = body.map(Value::to_string);
    let (status, raw) = http(port, method, path, body.as_deref(), timeout).map_err(transport)?;
    let mut v: Value = serde_json::from_slice(&raw).map_err(|e| WdError {
        status,
        error: "invalid response".to_string(),
        message: format!("{e}: {}", String::from_utf8_lossy(&raw)),
    })?;
    let value = v["value"].take();
    if status == 200 && value.get("error").is_none() {
        return Ok(value);
    }
    Err(WdError {
        status,
        error: value["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_string(),
        message: value["message"].as_str().unwrap_or_default().to_string(),
    })
}

/// A minimal HTTP/1.1 exchange: status and body, honouring Content-Length and chunked bodies.
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    timeout: Duration,
) -> io::Result<(u16, Vec<u8>)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let body = body.unwrap_or("");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;

    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(bad("connection closed before the response headers ended"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no HTTP status line"))?;
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("content-length") {
            length = Some(v.parse::<usize>().map_err(|_| bad("bad Content-Length"))?);
        } else if k.eq_ignore_ascii_case("transfer-encoding") {
            chunked = v.eq_ignore_ascii_case("chunked");
        }
    }
    let mut body = buf.split_off(header_end + 4);
    match length.filter(|_| !chunked) {
        Some(len) => {
            while body.len() < len {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Err(bad("connection closed before the body ended"));
                }
                body.extend_from_slice(&chunk[..n]);
            }
            body.truncate(len);
        }
        None => {
            stream.read_to_end(&mut body)?;
        }
    }
    if chunked {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    }
    Ok((status, body))
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..eol]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

#[track_caller]
fn string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => panic!("expected a string from WebDriver, got {other}"),
    }
}

/// Decodes standard base64 (with or without padding, whitespace ignored).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let d = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(d);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

//! The WebDriver client in `browser/` against a tiny static site served from a thread:
//! navigation, clicks, a download, scripts, keys and a screenshot in headless Chromium.

mod browser;

use browser::{Browser, Key};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

const ONE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Smoke one</title></head>
<body>
<a id="go" href="/two">two</a>
<button id="b" onclick="document.getElementById('out').textContent='clicked'">press</button>
<p id="out"></p>
<input id="name" onkeydown="if (event.key === 'Enter') document.getElementById('out').textContent = 'entered ' + this.value">
</body></html>"#;

const TWO: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Smoke two</title></head>
<body><a id="dl" href="/file.csv" download>csv</a></body></html>"#;

const CSV: &str = "a;b\n1;2\n";

/// Serves the pages on a loopback port until the test process ends; returns the base URL.
fn site() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            // Chromium opens speculative connections that never send a request, so each
            // connection gets its own thread.
            std::thread::spawn(move || answer(stream));
        }
    });
    base
}

fn answer(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    while !raw.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&raw);
    let path = head.split(' ').nth(1).unwrap_or("/");
    let (status, headers, body) = match path {
        "/" => ("200 OK", "Content-Type: text/html; charset=utf-8\r\n", ONE),
        "/two" => ("200 OK", "Content-Type: text/html; charset=utf-8\r\n", TWO),
        "/file.csv" => (
            "200 OK",
            "Content-Type: text/csv; charset=utf-8\r\n\
             Content-Disposition: attachment; filename=\"file.csv\"\r\n",
            CSV,
        ),
        "/favicon.ico" => ("204 No Content", "", ""),
        _ => ("404 Not Found", "Content-Type: text/plain\r\n", "not found"),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[test]
fn browser_drives_a_small_site() {
    let started = Instant::now();
    let Some(b) = Browser::try_start() else {
        eprintln!("skipping: no chromium/chromedriver and KVARTER_SKIP_BROWSER=1");
        return;
    };
    let up = started.elapsed();
    let base = site();

    b.goto(&format!("{base}/"));
    assert_eq!(b.title(), "Smoke one");
    assert!(b.source().contains("id=\"out\""));
    assert!(b.try_find("#nowhere").is_none());
    assert_eq!(b.find_all("a, button").len(), 2);
    assert_eq!(b.find("#go").attr("href").as_deref(), Some("/two"));
    assert_eq!(b.find("#go").property("href"), json!(format!("{base}/two")));
    assert_eq!(b.find("#b").attr("id").as_deref(), Some("b"));
    assert_eq!(b.find("#b").attr("data-none"), None);

    b.find("#b").click();
    assert_eq!(b.find("#out").text(), "clicked");

    // Typing and keys: Enter in the input, then Shift+Tab moves the focus to the button.
    let name = b.find("#name");
    name.send_keys("abc");
    b.press_key(Key::Enter);
    assert_eq!(b.find("#out").text(), "entered abc");
    b.press_chord(&[Key::Shift, Key::Tab]);
    let focused = b.focused().expect("something has the focus");
    assert_eq!(focused.attr("id").as_deref(), Some("b"));

    assert_eq!(b.execute("return 1+2", vec![]), json!(3));
    assert_eq!(
        b.execute(
            "return arguments[0].id + arguments[1]",
            vec![name.as_arg(), json!("!")]
        ),
        json!("name!")
    );

    b.execute("console.error('boom')", vec![]);
    let errors = b.console_errors();
    assert!(errors.iter().any(|e| e.contains("boom")), "{errors:?}");

    let png = b.screenshot_png();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 1000, "screenshot of {} bytes", png.len());

    b.find("#go").click();
    b.wait_until(
        |b| b.url().ends_with("/two"),
        Duration::from_secs(5),
        "the second page",
    );
    assert_eq!(b.title(), "Smoke two");

    b.find("#dl").click();
    let file = b.wait_for_download(".csv", Duration::from_secs(10));
    assert_eq!(file.parent(), Some(b.downloads_dir()));
    assert_eq!(file.file_name().unwrap(), "file.csv");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), CSV);

    let used = started.elapsed();
    drop(b);
    eprintln!(
        "browser up in {up:?}, test done in {used:?}, closed after {:?}",
        started.elapsed()
    );
}

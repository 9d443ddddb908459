//! Starting and stopping moto's server (<https://github.com/getmoto/moto>) for the scenario
//! tests (`tests/moto*.rs`); each test file includes this module (`mod support;`).
//!
//! moto is run as `python3 -m moto.server`, else as `moto_server` from `PATH`, on 127.0.0.1
//! and a free port. When neither is installed a scenario says so and passes as skipped,
//! except under `CI=true`, where a missing moto fails the run (`.ci/run` installs it from
//! PyPI).

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anvil_official_clients::runtime::Config;
use anvil_official_clients::runtime::credentials::Credentials;

/// The region every scenario signs for.
pub const REGION: &str = "us-east-1";

/// A running moto server, or `None` (after saying so) when moto is not installed and CI is
/// not set; panics when it is missing under `CI=true`.
pub fn start_or_skip() -> Option<Moto> {
    let Some(command) = find_moto() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "moto_server is not installed, and CI=true requires it (pip install 'moto[server]')"
            );
        }
        println!("skipped: moto_server not installed (pip install 'moto[server]')");
        return None;
    };
    Some(Moto::start(&command))
}

/// How to run moto's server, if it is installed: `python3 -m moto.server` when `python3`
/// imports it (what `.ci/run` installs, wherever pip put the scripts), else `moto_server` on
/// `PATH`.
fn find_moto() -> Option<Vec<String>> {
    if runs(Command::new("python3").args(["-c", "import moto.server, flask"])) {
        return Some(vec!["python3".into(), "-m".into(), "moto.server".into()]);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("moto_server");
        if candidate.is_file() && runs(Command::new(&candidate).arg("--help")) {
            return Some(vec![candidate.display().to_string()]);
        }
    }
    None
}

/// Whether `command` runs and exits successfully (output discarded).
fn runs(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A running moto server, killed on drop (on every path, panics included; the log is
/// printed when a test panics).
pub struct Moto {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Moto {
    fn start(command: &[String]) -> Moto {
        let (program, args) = command.split_first().expect("a command");
        // A free port: bind port 0, read the port, release it for moto.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free local port")
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("moto-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("create the moto log");
        let child = Command::new(program)
            .args(args)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log handle"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let mut moto = Moto { child, addr, log };
        moto.wait_until_ready();
        moto
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("moto exited early ({status}):\n{}", self.log_text());
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "moto did not listen on {} in 60 s:\n{}",
                    self.addr,
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Client configuration for this server: static credentials (moto accepts any), region
    /// [`REGION`], at most `max_attempts` attempts per call; `validate` false turns off the
    /// model's constraint checks on input.
    pub fn config(&self, max_attempts: u32, validate: bool) -> Config {
        Config::builder()
            .region(REGION)
            .endpoint_url(self.url())
            .credentials(Credentials::new(
                "AKIDMOTOEXAMPLE",
                "moto/example+secret",
                None,
            ))
            .max_attempts(max_attempts)
            .validate_constraints(validate)
            .build()
    }

    fn log_text(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut text);
        }
        text
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("moto's log ({}):\n{}", self.log.display(), self.log_text());
        }
    }
}

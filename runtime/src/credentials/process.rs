//! Credentials printed by an external command (`credential_process`).

use std::fmt;
use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Credentials, CredentialsError, Env, ProvideCredentials, json_object};
use crate::BoxFuture;

/// The most output read from the command: 64 KiB.
const MAX_OUTPUT: usize = 64 * 1024;

/// How often a running command is checked for exit, timeout or cancellation.
const POLL: Duration = Duration::from_millis(10);

/// Credentials from an external command, as the shared config's `credential_process` names
/// it (a [`ProfileProvider`](super::ProfileProvider) builds one for a profile that has it).
///
/// The command line runs through the shell (`sh -c` on Unix, `cmd.exe /C` on Windows), with
/// standard input closed, standard error passed through to this process's, and the process
/// environment (plus, for a fixed [`Env`], its variables). It must exit with status 0 and
/// print, within 64 KiB, a JSON object:
///
/// ```json
/// {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
///  "SessionToken": "...", "Expiration": "2030-01-01T00:00:00Z"}
/// ```
///
/// `SessionToken` and `Expiration` (RFC 3339) are optional; without an expiry the credentials
/// never expire. A command still running after the timeout
/// ([`DEFAULT_TIMEOUT`](Self::DEFAULT_TIMEOUT) unless set) is killed, and so is one whose
/// caller gave up (its future dropped).
///
/// Errors and `Debug` name the program (the first word of the command line) but never its
/// arguments (which may hold a secret) nor anything it printed.
#[derive(Clone)]
pub struct ProcessProvider {
    command: String,
    env: Env,
    timeout: Duration,
    source: String,
}

impl ProcessProvider {
    /// How long the command may run unless [`timeout`](Self::timeout) says otherwise.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// Runs `command` (a shell command line) with the process environment.
    pub fn new(command: impl Into<String>) -> Self {
        ProcessProvider {
            command: command.into(),
            env: Env::process(),
            timeout: Self::DEFAULT_TIMEOUT,
            source: "credential_process".to_owned(),
        }
    }

    /// Adds a fixed environment's variables to the command's environment (the process
    /// environment is the command's either way).
    pub fn with_env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// How long the command may run before it is killed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The source named in errors (default `credential_process`).
    pub(super) fn source_name(mut self, source: String) -> Self {
        self.source = source;
        self
    }

    /// Runs the command on this thread, blocking it until the command exits or times out.
    pub fn load(&self) -> Result<Credentials, CredentialsError> {
        self.run(&AtomicBool::new(false))
    }

    /// Runs the command on Tokio's blocking pool when in a Tokio runtime (killing it if this
    /// future is dropped first), else on this thread.
    pub(super) async fn load_async(&self) -> Result<Credentials, CredentialsError> {
        if !super::in_tokio() {
            return self.load();
        }
        let this = self.clone();
        let cancel = Arc::new(AtomicBool::new(false));
        let guard = CancelOnDrop(cancel.clone());
        let result = tokio::task::spawn_blocking(move || this.run(&cancel)).await;
        drop(guard);
        result.unwrap_or_else(|_| Err(self.fail("the task running it failed")))
    }

    fn fail(&self, reason: impl fmt::Display) -> CredentialsError {
        CredentialsError::failed(
            self.source.clone(),
            format!("`{}` {reason}", self.program()),
        )
    }

    /// The program: the first word of the command line; never its arguments.
    fn program(&self) -> &str {
        self.command.split_whitespace().next().unwrap_or("")
    }

    fn shell(&self) -> Result<Command, CredentialsError> {
        if cfg!(unix) {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(&self.command);
            Ok(cmd)
        } else if cfg!(windows) {
            let mut cmd = Command::new("cmd.exe");
            cmd.arg("/C").arg(&self.command);
            Ok(cmd)
        } else {
            Err(self.fail("cannot run: no shell known on this platform"))
        }
    }

    fn run(&self, cancel: &AtomicBool) -> Result<Credentials, CredentialsError> {
        if self.command.trim().is_empty() {
            return Err(CredentialsError::failed(
                self.source.clone(),
                "the command is empty",
            ));
        }
        let mut cmd = self.shell()?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(vars) = self.env.fixed_vars() {
            cmd.envs(vars);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| self.fail(format_args!("could not be started: {}", e.kind())))?;
        let Some(mut stdout) = child.stdout.take() else {
            kill(&mut child);
            return Err(self.fail("could not be started: no output pipe"));
        };
        // A thread reads the output (so a chatty command never blocks on a full pipe) while
        // this one watches the clock. It stops at EOF or one byte past the limit.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let read = (&mut stdout)
                .take(MAX_OUTPUT as u64 + 1)
                .read_to_end(&mut out);
            let _ = tx.send(read.map(|_| out));
        });
        let deadline = Instant::now() + self.timeout;
        let watch = |child: &mut Child| -> Result<(), CredentialsError> {
            if cancel.load(Ordering::Relaxed) {
                kill(child);
                return Err(self.fail("was stopped: its caller gave up"));
            }
            if Instant::now() >= deadline {
                kill(child);
                return Err(self.fail(format_args!(
                    "timed out after {:?} and was killed",
                    self.timeout
                )));
            }
            Ok(())
        };
        let output = loop {
            match rx.recv_timeout(POLL) {
                Ok(Ok(out)) => break out,
                Ok(Err(e)) => {
                    kill(&mut child);
                    return Err(self.fail(format_args!("could not be read: {}", e.kind())));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    kill(&mut child);
                    return Err(self.fail("could not be read"));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => watch(&mut child)?,
            }
        };
        if output.len() > MAX_OUTPUT {
            kill(&mut child);
            return Err(self.fail(format_args!("printed more than {} KiB", MAX_OUTPUT / 1024)));
        }
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {
                    watch(&mut child)?;
                    std::thread::sleep(POLL);
                }
                Err(e) => {
                    kill(&mut child);
                    return Err(self.fail(format_args!("could not be waited for: {}", e.kind())));
                }
            }
        };
        if !status.success() {
            return Err(self.fail(format_args!("failed: {}", describe_status(status))));
        }
        parse_output(&output).map_err(|reason| self.fail(format_args!("printed {reason}")))
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn describe_status(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

/// The command's output as credentials. The error names the problem, never a value.
fn parse_output(output: &[u8]) -> Result<Credentials, String> {
    let object = json_object(output).map_err(|e| format!("output that is unusable: {e}"))?;
    match object.get("Version") {
        Some(v) if v.as_u64() == Some(1) => {}
        Some(v) if v.is_u64() => {
            return Err(format!(
                "Version {} output; only Version 1 is supported",
                v.as_u64().unwrap_or(0)
            ));
        }
        Some(_) => return Err("output whose `Version` is not 1".to_owned()),
        None => return Err("output without `Version` (it must be 1)".to_owned()),
    }
    super::credentials_from_json(output, "SessionToken")
        .map_err(|e| format!("output that is unusable: {e}"))
}

/// Sets the flag when dropped, telling the blocking task to kill the command.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl fmt::Debug for ProcessProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessProvider")
            .field("program", &self.program())
            .field("arguments", &REDACTED_ARGS)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

const REDACTED_ARGS: &str = "** redacted **";

impl ProvideCredentials for ProcessProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load_async())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_versions_and_fields_are_checked() {
        let ok = parse_output(
            br#"{"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}"#,
        )
        .expect("valid");
        assert_eq!(ok.session_token(), Some("T"));
        assert!(ok.expires_at().is_some());
        let forever =
            parse_output(br#"{"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"S"}"#).unwrap();
        assert_eq!(forever.expires_at(), None);
        for (body, want) in [
            (
                &br#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"}"#[..],
                "Version 2",
            ),
            (
                br#"{"Version":"1","AccessKeyId":"A","SecretAccessKey":"S"}"#,
                "not 1",
            ),
            (
                br#"{"AccessKeyId":"A","SecretAccessKey":"S"}"#,
                "without `Version`",
            ),
            (br#"{"Version":1,"AccessKeyId":"A"}"#, "SecretAccessKey"),
            (b"S3CRET", "not valid JSON"),
        ] {
            let err = parse_output(body).expect_err("invalid");
            assert!(err.contains(want), "{err}");
            assert!(!err.contains("S3CRET"), "{err}");
        }
    }

    #[test]
    fn debug_and_errors_hide_the_arguments() {
        let p = ProcessProvider::new("/bin/get-creds --password hunter2");
        let text = format!("{p:?}");
        assert!(
            text.contains("/bin/get-creds") && !text.contains("hunter2"),
            "{text}"
        );
        let err = p.fail("failed").to_string();
        assert!(
            err.contains("/bin/get-creds") && !err.contains("hunter2"),
            "{err}"
        );
        assert!(p.fail("x").is_failed());
    }
}

//! What the call and media tests share: an application port that keeps
//! what it hears, and a bare UDP responder that redirects INVITEs.

#![allow(dead_code)] // each test binary uses a part

use std::sync::{Arc, Mutex};

use ferrosip::Endpoint;
use ferrosip::media::{AudioMediaPort, AudioMediaPortHandler, MediaFormatAudio, MediaFrame};

/// Collects what the bridge sends an application port (16-bit samples).
#[derive(Clone, Default)]
pub(crate) struct Ear(pub(crate) Arc<Mutex<Vec<i16>>>);

impl AudioMediaPortHandler for Ear {
    fn on_frame_received(&mut self, frame: &MediaFrame) {
        let used = &frame.buf[..frame.size as usize];
        self.0.lock().unwrap().extend(
            used.chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]])),
        );
    }
}

impl Ear {
    /// What was heard so far, emptying it.
    pub(crate) fn take(&self) -> Vec<i16> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A 16 kHz mono application port named `name` with an [`Ear`] on it.
pub(crate) fn ear_port(ep: &Endpoint, name: &str) -> (AudioMediaPort, Ear) {
    let ear = Ear::default();
    let fmt = MediaFormatAudio {
        clock_rate: 16_000,
        channel_count: 1,
        bits_per_sample: 16,
        ..MediaFormatAudio::default()
    };
    let port = AudioMediaPort::create_port(ep, name, &fmt, ear.clone()).unwrap();
    (port, ear)
}

/// A bare UAS on a UDP socket that answers every INVITE with `302` to
/// `target` (and takes the ACK).
pub(crate) struct Redirector {
    socket: std::net::UdpSocket,
    target: String,
    /// How many INVITEs were answered.
    pub(crate) answered: usize,
    /// The INVITEs received, as text.
    pub(crate) invites: Vec<String>,
    user: String,
}

impl Redirector {
    /// A redirector listening on loopback, naming itself `user`, sending
    /// callers to `target`.
    pub(crate) fn new(user: &str, target: &str) -> Self {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        Self {
            socket,
            target: target.to_owned(),
            answered: 0,
            invites: Vec::new(),
            user: user.to_owned(),
        }
    }

    /// Its SIP URI.
    pub(crate) fn uri(&self) -> String {
        format!("sip:{}@{}", self.user, self.socket.local_addr().unwrap())
    }

    /// Answers what has arrived.
    pub(crate) fn serve(&mut self) {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = self.socket.recv_from(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if !text.starts_with("INVITE ") {
                continue;
            }
            self.invites.push(text.clone());
            let mut response = String::from("SIP/2.0 302 Moved Temporarily\r\n");
            for line in text.split("\r\n") {
                let name = line
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                match name.as_str() {
                    "via" | "v" | "from" | "f" | "call-id" | "i" | "cseq" => {
                        response.push_str(line);
                        response.push_str("\r\n");
                    }
                    "to" | "t" => {
                        response.push_str(line);
                        response.push_str(";tag=redir1\r\n");
                    }
                    _ => {}
                }
            }
            response.push_str(&format!(
                "Contact: <{}>\r\nContent-Length: 0\r\n\r\n",
                self.target
            ));
            self.socket.send_to(response.as_bytes(), from).unwrap();
            self.answered += 1;
        }
    }
}

/// A random even RTP port in 20000–39998, for `transportConfig.port` with
/// a `portRange` of 2000: calls on a machine where other programs hold
/// ports from 4000 up (PJSUA's and ferrosip's default start) still find
/// free pairs.
pub(crate) fn random_rtp_port() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    let random = RandomState::new().hash_one(std::process::id());
    20_000 + 2 * u32::try_from(random % 10_000).unwrap_or(0)
}

/// A ferrosip party for tests against real peers.
pub(crate) mod party;

/// A started endpoint for the tests with real peers: the application's own
/// loop (`threadCnt` 0), up to 8 calls, no logging, and `count` UDP
/// transports on 127.0.0.1 (their ids returned in order).
pub(crate) fn started_endpoint(count: usize) -> (Endpoint, Vec<i32>) {
    use ferrosip::TransportType;
    use ferrosip::config::{EpConfig, TransportConfig};
    let ep = Endpoint::new();
    ep.lib_create().unwrap();
    let mut cfg = EpConfig::default();
    cfg.ua_config.thread_cnt = 0;
    cfg.ua_config.max_calls = 8;
    cfg.log_config.console_level = 0;
    cfg.log_config.level = 0;
    ep.lib_init(&cfg).unwrap();
    let tc = TransportConfig {
        bound_address: "127.0.0.1".into(),
        ..TransportConfig::default()
    };
    let transports = (0..count)
        .map(|_| ep.transport_create(TransportType::Udp, &tc).unwrap())
        .collect();
    ep.lib_start().unwrap();
    (ep, transports)
}

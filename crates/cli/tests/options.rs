//! The options through the public API, as the softphone uses them: parse a
//! pjsua command line, and start ferrosip with the configs it gives — the
//! endpoint, every enabled transport, every account.

use ferrosip::{Account, AccountHandler, Endpoint};
use ferrosip_cli::options::{AppConfig, Options, OptionsError, Parsed, help};

struct Quiet;
impl AccountHandler for Quiet {}

fn app(args: &[&str]) -> AppConfig {
    match Options::parse(args.iter().copied()) {
        Ok(Parsed::Run(o)) => o.to_app_config().unwrap(),
        other => panic!("{args:?}: {other:?}"),
    }
}

#[test]
fn the_configs_start_ferrosip() {
    let app = app(&[
        "--null-audio",
        "--log-level=0",
        "--app-log-level=0",
        "--thread-cnt=0",
        "--local-port=0",
        "--bound-addr=127.0.0.1",
        "--max-calls=8",
        "--id=sip:alice@127.0.0.1",
        "--next-account",
        "--id=sip:bob@127.0.0.1",
        "--use-timer=2",
        "--auto-answer=200",
    ]);
    let ep = Endpoint::new();
    ep.lib_create().unwrap();
    ep.lib_init(&app.ep_config).unwrap();
    let mut ids = Vec::new();
    for t in app.transports.iter().filter(|t| t.enabled) {
        ids.push(ep.transport_create(t.type_, &t.config).unwrap());
    }
    assert_eq!(ids.len(), 2);
    for id in &ids {
        let info = ep.transport_get_info(*id).unwrap();
        assert!(info.local_address.starts_with("127.0.0.1:"), "{info:?}");
    }
    ep.lib_start().unwrap();
    let accounts: Vec<Account> = app
        .accounts
        .iter()
        .enumerate()
        .map(|(i, cfg)| Account::create(&ep, cfg, i == 0, Quiet).unwrap())
        .collect();
    assert_eq!(accounts.len(), 2);
    assert_eq!(app.call.auto_answer, Some(200));
    drop(accounts);
    ep.lib_destroy().unwrap();
}

#[test]
fn errors_and_help_for_the_user() {
    let e = Options::parse(["--auto-answer", "twohundred"]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid value \"twohundred\" for --auto-answer: expecting an integer 100-699"
    );
    assert!(matches!(
        Options::parse(["--use-ice"]),
        Err(OptionsError::NotSupported { .. })
    ));
    assert_eq!(Options::parse(["--help"]).unwrap(), Parsed::Help);
    assert!(help().contains("--auto-answer=code"));
}

-- The interop accounts (plain passwords: auth_db computes HA1 itself because
-- calculate_ha1 is on). The domain is the `Kamailio::domain()` of the harness.
INSERT INTO subscriber (username, domain, password) VALUES ('alice', '127.0.0.1', 'alicepw');
INSERT INTO subscriber (username, domain, password) VALUES ('bob',   '127.0.0.1', 'bobpw');
INSERT INTO subscriber (username, domain, password) VALUES ('carol', '127.0.0.1', 'carolpw');
INSERT INTO subscriber (username, domain, password) VALUES ('dave',  '127.0.0.1', 'davepw');
INSERT INTO subscriber (username, domain, password) VALUES ('erin',  '127.0.0.1', 'erinpw');

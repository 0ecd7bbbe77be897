//! PJSUA2 configuration structs, with PJSUA2's field names and defaults.

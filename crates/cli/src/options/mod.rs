//! pjsua's command-line options (being written).

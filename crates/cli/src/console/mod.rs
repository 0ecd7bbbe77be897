//! pjsua's console commands (being written).

//! The `jitter` module (being written).

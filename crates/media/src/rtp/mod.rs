//! The `rtp` module (being written).

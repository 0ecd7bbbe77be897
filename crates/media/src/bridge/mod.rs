//! The `bridge` module (being written).

//! The `tone` module (being written).

//! The `wav` module (being written).

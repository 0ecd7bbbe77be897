//! The `codec` module (being written).

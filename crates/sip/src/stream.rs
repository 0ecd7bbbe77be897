//! Stream framing.

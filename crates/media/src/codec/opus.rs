//! Opus.

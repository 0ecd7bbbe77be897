//! The session description model: one [`SessionDescription`] with its
//! [`MediaDescription`]s. Fields are plain public data; the attributes
//! (`a=` lines) are kept in order as [`Attribute`](crate::Attribute)s and
//! read through typed accessors (see [`crate::attr`]).

mod fields;
mod media;
mod session;

pub use fields::{Bandwidth, BandwidthType, Connection, Origin, OtherLine, Timing};
pub(crate) use fields::{fields, is_token_byte};
pub use media::MediaDescription;
pub use session::SessionDescription;

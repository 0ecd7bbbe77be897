//! [`PersistentObject`](super::PersistentObject) for every config, writing
//! what PJSUA2 2.15.1 writes and reading leniently.
//!
//! Each config writes a container named by its PJSUA2 class
//! (`"UaConfig"`), with PJSUA2's keys in PJSUA2's order, and leaves out the
//! fields PJSUA2 2.15.1 does not persist. Reading looks each key up: a
//! missing key (or a missing nested config) keeps the field's current
//! value, an unknown key is ignored, and the fields PJSUA2 leaves out are
//! read too when a file has them (under their PJSUA2 names). A config is
//! only changed when the whole read succeeds.

mod account;
mod ep;
mod misc;
mod transport;

use super::PersistentObject;
use super::node::{
    ContainerNode, bool_at, container_at, integer_at, string_at, string_vector_at, value_error,
};
use super::tree::Tree;
use crate::config::{
    BuddyStatus, CredDataType, DigestAlgorithm, DtmfMethod, HoldType, IceTrickle, Ipv6Use,
    JbDiscardAlgo, Nat64Opt, PrackUse, QosType, QosWmmPrio, RateControlMethod, RpidActivity,
    RtcpFbType, SessionTimerUse, SipHeader, SrtpKeying, SrtpSecureSignaling, SrtpUse,
    SslCertLookupType, SslMethod, StunUse, TurnConnType, TurnPasswordType, UpnpUse,
};
use crate::error::Result;

/// A field type that can be read from one JSON value.
pub(crate) trait Field: Sized {
    /// The PJSUA2 operation named in errors.
    const OP: &'static str;

    /// The value at `index`, or an error naming its path.
    fn convert(tree: &Tree, index: usize, op: &str) -> Result<Self>;
}

impl Field for bool {
    const OP: &'static str = "readBool()";

    fn convert(tree: &Tree, index: usize, op: &str) -> Result<Self> {
        bool_at(tree, index, op)
    }
}

impl Field for String {
    const OP: &'static str = "readString()";

    fn convert(tree: &Tree, index: usize, op: &str) -> Result<Self> {
        string_at(tree, index, op)
    }
}

impl Field for Vec<String> {
    const OP: &'static str = "readStringVector()";

    fn convert(tree: &Tree, index: usize, op: &str) -> Result<Self> {
        string_vector_at(tree, index, op)
    }
}

/// Integer fields: in range for their type, else an error.
macro_rules! integer_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            const OP: &'static str = "readNumber()";

            fn convert(tree: &Tree, index: usize, op: &str) -> Result<Self> {
                let v = integer_at(tree, index, op, i64::from(<$t>::MIN), i64::from(<$t>::MAX))?;
                // In range, checked above.
                Ok(v as $t)
            }
        }
    )*};
}
integer_field!(u8, i32, u32);

impl Field for Vec<i32> {
    const OP: &'static str = "readArray()";

    fn convert(tree: &Tree, index: usize, op: &str) -> Result<Self> {
        container_at(tree, index, op, true)?;
        tree.children(index)
            .iter()
            .map(|&c| i32::convert(tree, c, op))
            .collect()
    }
}

/// Enum fields: an integer that is one of the enum's values.
macro_rules! enum_field {
    ($($t:ty),* $(,)?) => {$(
        impl Field for $t {
            const OP: &'static str = "readNumber()";

            fn convert(tree: &Tree, index: usize, op: &str) -> Result<Self> {
                let v = i32::convert(tree, index, op)?;
                <$t>::try_from(v).map_err(|e| value_error(tree, index, op, &e.reason))
            }
        }
    )*};
}
crate::for_each_config_enum!(enum_field);

impl ContainerNode {
    /// Reads `name` into `field` if there is such a value; keeps `field`
    /// otherwise.
    pub(crate) fn get<T: Field>(&self, name: &str, field: &mut T) -> Result<()> {
        if let Some(value) = self.read_optional(name, T::OP, T::convert)? {
            *field = value;
        }
        Ok(())
    }

    /// Reads `name`, which must be there (the next element, in an array).
    pub(crate) fn require<T: Field>(&self, name: &str) -> Result<T> {
        self.read_required(name, T::OP, T::convert)
    }

    /// Reads the nested config `object` (whose container is `name`) if this
    /// node has it; keeps `object` otherwise.
    pub(crate) fn get_object(&self, name: &str, object: &mut dyn PersistentObject) -> Result<()> {
        if self.contains(name) {
            object.read_object(self)
        } else {
            Ok(())
        }
    }

    /// The array member `name`, if there is one.
    pub(crate) fn get_array(&self, name: &str) -> Result<Option<Self>> {
        if self.contains(name) {
            self.read_array(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The object member `name`, if there is one.
    pub(crate) fn get_container(&self, name: &str) -> Result<Option<Self>> {
        if self.contains(name) {
            self.read_container(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Writes an enum as its integer.
    pub(crate) fn write_enum(&mut self, name: &str, value: impl Into<i32>) -> Result<()> {
        self.write_int(name, value.into())
    }
}

/// Reads a `headers` array (anonymous objects `{"hname", "hvalue"}`) into
/// `headers` if `node` has one.
pub(crate) fn read_headers(
    node: &ContainerNode,
    name: &str,
    headers: &mut Vec<SipHeader>,
) -> Result<()> {
    let Some(array) = node.get_array(name)? else {
        return Ok(());
    };
    let mut read = Vec::new();
    while array.has_unread() {
        let item = array.read_container("header")?;
        let mut header = SipHeader::default();
        item.get("hname", &mut header.h_name)?;
        item.get("hvalue", &mut header.h_value)?;
        read.push(header);
    }
    *headers = read;
    Ok(())
}

/// Writes `headers` as PJSUA2 does: an array of containers named
/// `header`, each with `hname` and `hvalue`.
pub(crate) fn write_headers(
    node: &mut ContainerNode,
    name: &str,
    headers: &[SipHeader],
) -> Result<()> {
    let mut array = node.write_new_array(name)?;
    for header in headers {
        let mut item = array.write_new_container("header")?;
        item.write_string("hname", &header.h_name)?;
        item.write_string("hvalue", &header.h_value)?;
    }
    Ok(())
}

/// Writes integers into an array inline (`[ 1, 2]`, as PJSUA2's
/// `writeIntVector`).
pub(crate) fn write_int_vector(node: &mut ContainerNode, name: &str, values: &[i32]) -> Result<()> {
    let mut array = node.write_new_array(name)?;
    for &v in values {
        array.write_int("", v)?;
    }
    Ok(())
}

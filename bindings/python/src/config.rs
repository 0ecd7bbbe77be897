//! What the Python config classes (`python/ferrosip/_config.py`) learn from
//! the Rust configs of [`ferrosip::config`], so that Rust stays the single
//! source of truth for their fields, types and defaults.
//!
//! The Python side builds one class per entry of the registry below
//! (`EpConfig`, `AccountConfig`, `AuthCredInfo`, `CallOpParam`, ...) from:
//! - `_config_classes()`: the classes, which of them are persistent
//!   (PJSUA2's `PersistentObject`), which have PJSUA2's one-bool
//!   constructor (`CallSetting(useDefaultValues)`) and an `isEmpty()`;
//! - `_config_schema(name)`: each field in serde order with its PJSUA2
//!   name, its kind (`bool`, `int` with its range, `float`, `str`,
//!   `char`, `token`, `enum` with its values, `struct` naming the nested
//!   class, `vector` with the item's kind) and its default;
//! - `_config_defaults(name, variant=False)`: the serde JSON of
//!   `T::default()` (or of `T::new(true)` with `variant`);
//! - `_config_is_empty(name, json)`: PJSUA2's `isEmpty()`.
//!
//! The field kinds come from the Rust field types, read by a serde
//! serializer ([`SchemaSerializer`]) that records `std::any::type_name`
//! of each field. Objects cross as JSON (the contract of
//! [`crate::convert`]); [`read_config`] and [`write_config`] run the Rust
//! [`PersistentObject`] impls on them for `JsonDocument`.

use std::any::type_name;
use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use ferrosip::config::{
    AccountCallConfig, AccountConfig, AccountIpChangeConfig, AccountMediaConfig, AccountMwiConfig,
    AccountNatConfig, AccountPresConfig, AccountRegConfig, AccountSipConfig, AccountVideoConfig,
    AudioMediaTransmitParam, AuthCredInfo, BuddyConfig, BuddyStatus, CallOpParam,
    CallSendDtmfParam, CallSendRequestParam, CallSetting, CredDataType, DigestAlgorithm,
    DtmfMethod, EpConfig, HoldType, IceTrickle, IpChangeParam, Ipv6Use, JbDiscardAlgo, LogConfig,
    MediaConfig, Nat64Opt, PrackUse, PresenceStatus, QosParams, QosType, QosWmmPrio,
    RateControlMethod, RpidActivity, RtcpFbCap, RtcpFbConfig, RtcpFbType, SdpSession,
    SendInstantMessageParam, SendRequestParam, SendTypingIndicationParam, SessionTimerUse,
    SipHeader, SipMediaType, SipMultipartPart, SipTxOption, SockOpt, SockOptParams, SrtpCrypto,
    SrtpKeying, SrtpOpt, SrtpSecureSignaling, SrtpUse, SslCertLookupType, SslMethod, StunUse,
    TlsConfig, TransportConfig, TurnConnType, TurnPasswordType, UaConfig, UpnpUse,
};
use ferrosip::error::status::PJ_EINVAL;
use ferrosip::json::{ContainerNode, PersistentObject};
use ferrosip::media::{
    AudioDevInfo, AudioMediaPlayerInfo, CodecFmtp, CodecInfo, CodecParam, CodecParamInfo,
    CodecParamSetting, ConfPortInfo, MediaFormatAudio, MediaFrame, ToneDesc, ToneDigit,
    ToneDigitMapDigit,
};
use pyo3::exceptions::{PyKeyError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::ser::{self, Impossible, SerializeStruct};
use serde_json::{Map, Value, json};

use crate::convert::config_from_py;
use crate::error::{IntoPy, to_py};

/// One Python config class and the Rust type behind it.
trait ConfigClass: Send + Sync {
    /// The class's name in Python (PJSUA2's: `pj_qos_params` for
    /// [`QosParams`]).
    fn name(&self) -> &'static str;

    /// The Rust type's name without its path (`QosParams`).
    fn rust_name(&self) -> String;

    /// Whether it is a PJSUA2 `PersistentObject` (has `readObject` and
    /// `writeObject`).
    fn persistent(&self) -> bool;

    /// Whether it has PJSUA2's constructor with one bool
    /// (`CallSetting(useDefaultValues)`, `CallOpParam(useDefaultCallSetting)`).
    fn has_variant(&self) -> bool;

    /// Whether it has PJSUA2's `isEmpty()`.
    fn has_is_empty(&self) -> bool;

    /// `T::default()`, or `T::new(true)` with `variant`, as JSON.
    fn defaults(&self, variant: bool) -> Result<Value, String>;

    /// The fields, in serde order, with their Rust types and defaults.
    fn fields(&self) -> Result<Vec<FieldInfo>, String>;

    /// PJSUA2's `isEmpty()` of the value in `json`.
    fn is_empty(&self, json: &str) -> Result<bool, String>;

    /// Reads the Python config `obj` from `node` with the Rust
    /// [`PersistentObject`] impl and updates `obj` in place.
    fn read_object(&self, obj: &Bound<'_, PyAny>, node: &ContainerNode) -> PyResult<()>;

    /// Writes the Python config `obj` into `node` with the Rust
    /// [`PersistentObject`] impl.
    fn write_object(&self, obj: &Bound<'_, PyAny>, node: &mut ContainerNode) -> PyResult<()>;
}

/// The Rust [`PersistentObject`] methods of a config type.
struct Persist<T> {
    read: fn(&mut T, &ContainerNode) -> ferrosip::Result<()>,
    write: fn(&T, &mut ContainerNode) -> ferrosip::Result<()>,
}

/// A [`ConfigClass`] for the Rust config type `T`.
struct Class<T> {
    name: &'static str,
    variant: Option<fn(bool) -> T>,
    is_empty: Option<fn(&T) -> bool>,
    persist: Option<Persist<T>>,
    _type: PhantomData<fn() -> T>,
}

impl<T> Class<T> {
    /// A class that is plain data (no persistence).
    fn plain(name: &'static str) -> Self {
        Self {
            name,
            variant: None,
            is_empty: None,
            persist: None,
            _type: PhantomData,
        }
    }

    /// With PJSUA2's one-bool constructor, built by `new`.
    fn with_variant(mut self, new: fn(bool) -> T) -> Self {
        self.variant = Some(new);
        self
    }

    /// With PJSUA2's `isEmpty()`, computed by `is_empty`.
    fn with_is_empty(mut self, is_empty: fn(&T) -> bool) -> Self {
        self.is_empty = Some(is_empty);
        self
    }
}

impl<T: PersistentObject> Class<T> {
    /// A class that is a PJSUA2 `PersistentObject`.
    fn persistent(name: &'static str) -> Self {
        Self {
            persist: Some(Persist {
                read: T::read_object,
                write: T::write_object,
            }),
            ..Self::plain(name)
        }
    }
}

/// A JSON error as `ferrosip.Error` with status `PJ_EINVAL`.
fn invalid(what: &str, reason: impl fmt::Display) -> PyErr {
    to_py(ferrosip::Error::new(PJ_EINVAL, what, reason.to_string()))
}

impl<T> ConfigClass for Class<T>
where
    T: Default + Serialize + DeserializeOwned + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn rust_name(&self) -> String {
        short_name(type_name::<T>())
    }

    fn persistent(&self) -> bool {
        self.persist.is_some()
    }

    fn has_variant(&self) -> bool {
        self.variant.is_some()
    }

    fn has_is_empty(&self) -> bool {
        self.is_empty.is_some()
    }

    fn defaults(&self, variant: bool) -> Result<Value, String> {
        let value = match (variant, self.variant) {
            (false, _) => T::default(),
            (true, Some(new)) => new(true),
            (true, None) => return Err(format!("{} has no variant constructor", self.name)),
        };
        serde_json::to_value(value).map_err(|e| e.to_string())
    }

    fn fields(&self) -> Result<Vec<FieldInfo>, String> {
        T::default()
            .serialize(SchemaSerializer)
            .map_err(|e| format!("{}: {e}", self.name))
    }

    fn is_empty(&self, json: &str) -> Result<bool, String> {
        let is_empty = self
            .is_empty
            .ok_or_else(|| format!("{} has no isEmpty()", self.name))?;
        let value: T = serde_json::from_str(json).map_err(|e| e.to_string())?;
        Ok(is_empty(&value))
    }

    fn read_object(&self, obj: &Bound<'_, PyAny>, node: &ContainerNode) -> PyResult<()> {
        let persist = self
            .persist
            .as_ref()
            .ok_or_else(|| not_persistent(self.name))?;
        let mut value: T = config_from_py(obj, "readObject()")?;
        (persist.read)(&mut value, node).py()?;
        let json = serde_json::to_string(&value).map_err(|e| invalid("readObject()", e))?;
        obj.call_method1("_set_json", (json,))?;
        Ok(())
    }

    fn write_object(&self, obj: &Bound<'_, PyAny>, node: &mut ContainerNode) -> PyResult<()> {
        let persist = self
            .persist
            .as_ref()
            .ok_or_else(|| not_persistent(self.name))?;
        let value: T = config_from_py(obj, "writeObject()")?;
        (persist.write)(&value, node).py()
    }
}

/// The error for persisting a class that is not persistent.
fn not_persistent(name: &str) -> PyErr {
    PyTypeError::new_err(format!("{name} is not a PersistentObject"))
}

/// Every config class, in the order the Python package defines them.
fn classes() -> &'static [Box<dyn ConfigClass>] {
    static CLASSES: OnceLock<Vec<Box<dyn ConfigClass>>> = OnceLock::new();
    CLASSES.get_or_init(|| {
        vec![
            // Endpoint (persistent).
            Box::new(Class::<EpConfig>::persistent("EpConfig")),
            Box::new(Class::<UaConfig>::persistent("UaConfig")),
            Box::new(Class::<LogConfig>::persistent("LogConfig")),
            Box::new(Class::<MediaConfig>::persistent("MediaConfig")),
            // Transports.
            Box::new(Class::<TransportConfig>::persistent("TransportConfig")),
            Box::new(Class::<TlsConfig>::persistent("TlsConfig")),
            Box::new(Class::<QosParams>::plain("pj_qos_params")),
            Box::new(Class::<SockOptParams>::persistent("SockOptParams")),
            Box::new(Class::<SockOpt>::plain("SockOpt")),
            // Accounts (persistent, but for the items of their vectors).
            Box::new(Class::<AccountConfig>::persistent("AccountConfig")),
            Box::new(Class::<AccountRegConfig>::persistent("AccountRegConfig")),
            Box::new(Class::<AccountSipConfig>::persistent("AccountSipConfig")),
            Box::new(Class::<AccountCallConfig>::persistent("AccountCallConfig")),
            Box::new(Class::<AccountPresConfig>::persistent("AccountPresConfig")),
            Box::new(Class::<AccountMwiConfig>::persistent("AccountMwiConfig")),
            Box::new(Class::<AccountNatConfig>::persistent("AccountNatConfig")),
            Box::new(Class::<AccountMediaConfig>::persistent(
                "AccountMediaConfig",
            )),
            Box::new(Class::<AccountVideoConfig>::persistent(
                "AccountVideoConfig",
            )),
            Box::new(Class::<AccountIpChangeConfig>::persistent(
                "AccountIpChangeConfig",
            )),
            Box::new(Class::<SrtpOpt>::persistent("SrtpOpt")),
            Box::new(Class::<SrtpCrypto>::plain("SrtpCrypto")),
            Box::new(Class::<RtcpFbConfig>::persistent("RtcpFbConfig")),
            Box::new(Class::<RtcpFbCap>::plain("RtcpFbCap")),
            Box::new(Class::<AuthCredInfo>::persistent("AuthCredInfo")),
            Box::new(Class::<BuddyConfig>::persistent("BuddyConfig")),
            // SIP message pieces.
            Box::new(Class::<SipHeader>::plain("SipHeader")),
            Box::new(Class::<SipMediaType>::plain("SipMediaType")),
            Box::new(Class::<SipMultipartPart>::plain("SipMultipartPart")),
            Box::new(
                Class::<SipTxOption>::plain("SipTxOption").with_is_empty(SipTxOption::is_empty),
            ),
            // Operation parameters.
            Box::new(
                Class::<CallSetting>::plain("CallSetting")
                    .with_variant(CallSetting::new)
                    .with_is_empty(CallSetting::is_empty),
            ),
            Box::new(Class::<SdpSession>::plain("SdpSession")),
            Box::new(Class::<CallOpParam>::plain("CallOpParam").with_variant(CallOpParam::new)),
            Box::new(Class::<SendInstantMessageParam>::plain(
                "SendInstantMessageParam",
            )),
            Box::new(Class::<SendTypingIndicationParam>::plain(
                "SendTypingIndicationParam",
            )),
            Box::new(Class::<CallSendDtmfParam>::plain("CallSendDtmfParam")),
            Box::new(Class::<CallSendRequestParam>::plain("CallSendRequestParam")),
            Box::new(Class::<SendRequestParam>::plain("SendRequestParam")),
            Box::new(Class::<PresenceStatus>::plain("PresenceStatus")),
            Box::new(Class::<IpChangeParam>::plain("IpChangeParam")),
            Box::new(Class::<AudioMediaTransmitParam>::plain(
                "AudioMediaTransmitParam",
            )),
            // Media (plain data).
            Box::new(Class::<MediaFormatAudio>::plain("MediaFormatAudio")),
            Box::new(Class::<ConfPortInfo>::plain("ConfPortInfo")),
            Box::new(Class::<ToneDesc>::plain("ToneDesc")),
            Box::new(Class::<ToneDigit>::plain("ToneDigit")),
            Box::new(Class::<ToneDigitMapDigit>::plain("ToneDigitMapDigit")),
            Box::new(Class::<AudioMediaPlayerInfo>::plain("AudioMediaPlayerInfo")),
            Box::new(Class::<CodecInfo>::plain("CodecInfo")),
            Box::new(Class::<CodecFmtp>::plain("CodecFmtp")),
            Box::new(Class::<CodecParamInfo>::plain("CodecParamInfo")),
            Box::new(Class::<CodecParamSetting>::plain("CodecParamSetting")),
            Box::new(Class::<CodecParam>::plain("CodecParam")),
            Box::new(Class::<AudioDevInfo>::plain("AudioDevInfo")),
            Box::new(Class::<MediaFrame>::plain("MediaFrame")),
        ]
    })
}

/// The class named `name` in Python.
fn class(name: &str) -> PyResult<&'static dyn ConfigClass> {
    classes()
        .iter()
        .find(|c| c.name() == name)
        .map(|c| &**c)
        .ok_or_else(|| PyKeyError::new_err(format!("no config class named {name:?}")))
}

/// The class whose Rust type is named `rust_name` (without its path).
fn class_by_rust_name(rust_name: &str) -> Option<&'static dyn ConfigClass> {
    classes()
        .iter()
        .find(|c| c.rust_name() == rust_name)
        .map(|c| &**c)
}

/// The class of a Python config object (its `_pj_class` attribute).
fn class_of(obj: &Bound<'_, PyAny>) -> PyResult<&'static dyn ConfigClass> {
    let name: String = obj.getattr("_pj_class")?.extract()?;
    class(&name)
}

/// Reads the persistent Python config `obj` from `node` and updates it in
/// place (PJSUA2's `obj.readObject(node)`).
pub(crate) fn read_config(obj: &Bound<'_, PyAny>, node: &ContainerNode) -> PyResult<()> {
    class_of(obj)?.read_object(obj, node)
}

/// Writes the persistent Python config `obj` into `node` (PJSUA2's
/// `obj.writeObject(node)`).
pub(crate) fn write_config(obj: &Bound<'_, PyAny>, node: &mut ContainerNode) -> PyResult<()> {
    class_of(obj)?.write_object(obj, node)
}

/// Declares the enums a config field can have, with their values.
macro_rules! config_enums {
    ($($e:ident),* $(,)?) => {
        /// The values of the config enum named `name`: (variant, integer).
        fn enum_values(name: &str) -> Option<Vec<(String, i32)>> {
            match name {
                $(stringify!($e) => Some(
                    $e::ALL.iter().map(|v| (format!("{v:?}"), v.as_i32())).collect(),
                ),)*
                _ => None,
            }
        }

        /// The names of the config enums.
        const ENUM_NAMES: &[&str] = &[$(stringify!($e)),*];
    };
}

ferrosip::for_each_config_enum!(config_enums);

/// A type name without module paths:
/// `alloc::vec::Vec<ferrosip::config::sip::SipHeader>` gives
/// `Vec<SipHeader>`.
fn short_name(full: &str) -> String {
    let mut short = String::new();
    let mut segment = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            segment.push(c);
        } else {
            short.push_str(segment.rsplit("::").next().unwrap_or(""));
            segment.clear();
            short.push(c);
        }
    }
    short.push_str(segment.rsplit("::").next().unwrap_or(""));
    short
}

/// The kind of a field of Rust type `rust_type` (a short name), for the
/// Python side.
fn kind_of(rust_type: &str) -> Result<Value, String> {
    let int = |min: i64, max: u64| json!({"kind": "int", "min": min, "max": max});
    Ok(match rust_type {
        "bool" => json!({"kind": "bool"}),
        "u8" => int(0, u8::MAX.into()),
        "i16" => int(i16::MIN.into(), i16::MAX as u64),
        "u32" => int(0, u32::MAX.into()),
        "i32" => int(i32::MIN.into(), i32::MAX as u64),
        // `config::Token` is the only u64 of the configs.
        "u64" => json!({"kind": "token", "min": 0, "max": u64::MAX}),
        "f32" => json!({"kind": "float", "max": f64::from(f32::MAX)}),
        "String" => json!({"kind": "str"}),
        // `ToneDigit.digit`: a one-character str in Python.
        "char" => json!({"kind": "char"}),
        _ => {
            if let Some(item) = rust_type
                .strip_prefix("Vec<")
                .and_then(|t| t.strip_suffix('>'))
            {
                json!({"kind": "vector", "item": kind_of(item)?})
            } else if let Some(values) = enum_values(rust_type) {
                json!({"kind": "enum", "enum": rust_type, "values": values})
            } else if let Some(class) = class_by_rust_name(rust_type) {
                json!({"kind": "struct", "class": class.name()})
            } else {
                return Err(format!("no Python mapping for the Rust type {rust_type}"));
            }
        }
    })
}

/// One field of a config struct, as serde sees it.
#[derive(Debug)]
struct FieldInfo {
    /// The serde (PJSUA2) name.
    name: &'static str,
    /// The Rust type, without paths.
    rust_type: String,
    /// The value in `T::default()`.
    default: Value,
}

/// A serde serializer that only accepts a struct, and records each field's
/// name, Rust type and value.
struct SchemaSerializer;

/// The fields recorded so far.
struct SchemaFields(Vec<FieldInfo>);

/// Why a type has no schema.
#[derive(Debug)]
struct SchemaError(String);

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SchemaError {}

impl ser::Error for SchemaError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Self(msg.to_string())
    }
}

/// The error of every serializer method but `serialize_struct`.
fn not_a_struct<T>() -> Result<T, SchemaError> {
    Err(SchemaError(
        "a config must serialize as a struct".to_owned(),
    ))
}

/// Serializer methods that reject their input.
macro_rules! reject {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ok, SchemaError> {
            not_a_struct()
        }
    )*};
}

impl ser::Serializer for SchemaSerializer {
    type Ok = Vec<FieldInfo>;
    type Error = SchemaError;
    type SerializeSeq = Impossible<Self::Ok, SchemaError>;
    type SerializeTuple = Impossible<Self::Ok, SchemaError>;
    type SerializeTupleStruct = Impossible<Self::Ok, SchemaError>;
    type SerializeTupleVariant = Impossible<Self::Ok, SchemaError>;
    type SerializeMap = Impossible<Self::Ok, SchemaError>;
    type SerializeStruct = SchemaFields;
    type SerializeStructVariant = Impossible<Self::Ok, SchemaError>;

    reject! {
        serialize_bool(bool) -> Self::Ok;
        serialize_i8(i8) -> Self::Ok;
        serialize_i16(i16) -> Self::Ok;
        serialize_i32(i32) -> Self::Ok;
        serialize_i64(i64) -> Self::Ok;
        serialize_u8(u8) -> Self::Ok;
        serialize_u16(u16) -> Self::Ok;
        serialize_u32(u32) -> Self::Ok;
        serialize_u64(u64) -> Self::Ok;
        serialize_f32(f32) -> Self::Ok;
        serialize_f64(f64) -> Self::Ok;
        serialize_char(char) -> Self::Ok;
        serialize_str(&str) -> Self::Ok;
        serialize_bytes(&[u8]) -> Self::Ok;
        serialize_none() -> Self::Ok;
        serialize_unit() -> Self::Ok;
        serialize_unit_struct(&'static str) -> Self::Ok;
        serialize_unit_variant(&'static str, u32, &'static str) -> Self::Ok;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize)
            -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize)
            -> Self::SerializeStructVariant;
    }

    fn serialize_some<V: ?Sized + Serialize>(self, _: &V) -> Result<Self::Ok, SchemaError> {
        not_a_struct()
    }

    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &V,
    ) -> Result<Self::Ok, SchemaError> {
        not_a_struct()
    }

    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<Self::Ok, SchemaError> {
        not_a_struct()
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<SchemaFields, SchemaError> {
        Ok(SchemaFields(Vec::with_capacity(len)))
    }
}

impl SerializeStruct for SchemaFields {
    type Ok = Vec<FieldInfo>;
    type Error = SchemaError;

    fn serialize_field<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), SchemaError> {
        self.0.push(FieldInfo {
            name: key,
            rust_type: short_name(type_name::<V>()),
            default: serde_json::to_value(value).map_err(|e| SchemaError(e.to_string()))?,
        });
        Ok(())
    }

    fn end(self) -> Result<Vec<FieldInfo>, SchemaError> {
        Ok(self.0)
    }
}

/// `_config_classes()`: the config classes as JSON, in definition order:
/// `[{"name", "rust", "persistent", "variant", "isEmpty"}, ...]`.
#[pyfunction]
fn _config_classes() -> String {
    let list: Vec<Value> = classes()
        .iter()
        .map(|c| {
            json!({
                "name": c.name(),
                "rust": c.rust_name(),
                "persistent": c.persistent(),
                "variant": c.has_variant(),
                "isEmpty": c.has_is_empty(),
            })
        })
        .collect();
    Value::Array(list).to_string()
}

/// `_config_schema(name)`: the fields of class `name` as JSON, in serde
/// order: `[{"name", "rust", "default", "kind", ...kind details}, ...]`.
/// An unmapped Rust type is a `RuntimeError` (a bug of the binding).
#[pyfunction]
fn _config_schema(name: &str) -> PyResult<String> {
    let fields = class(name)?.fields().map_err(PyRuntimeError::new_err)?;
    let mut list = Vec::with_capacity(fields.len());
    for field in fields {
        let kind = kind_of(&field.rust_type)
            .map_err(|e| PyRuntimeError::new_err(format!("{name}.{}: {e}", field.name)))?;
        let mut entry = Map::new();
        entry.insert("name".into(), field.name.into());
        entry.insert("rust".into(), field.rust_type.into());
        entry.insert("default".into(), field.default);
        if let Value::Object(kind) = kind {
            entry.extend(kind);
        }
        list.push(Value::Object(entry));
    }
    Ok(Value::Array(list).to_string())
}

/// `_config_defaults(name, variant=False)`: the default value of class
/// `name` as serde JSON; with `variant`, the value of PJSUA2's constructor
/// given `True` (`CallSetting(True)`).
#[pyfunction]
#[pyo3(signature = (name, variant = false))]
fn _config_defaults(name: &str, variant: bool) -> PyResult<String> {
    let value = class(name)?
        .defaults(variant)
        .map_err(PyRuntimeError::new_err)?;
    Ok(value.to_string())
}

/// `_config_is_empty(name, json)`: PJSUA2's `isEmpty()` of the value.
#[pyfunction]
fn _config_is_empty(name: &str, json: &str) -> PyResult<bool> {
    class(name)?
        .is_empty(json)
        .map_err(|e| invalid(&format!("{name}::isEmpty()"), e))
}

/// `_config_enums()`: every config enum as JSON, `{name: [[variant,
/// value], ...]}`.
#[pyfunction]
fn _config_enums() -> String {
    let map: Map<String, Value> = ENUM_NAMES
        .iter()
        .map(|&name| (name.to_owned(), json!(enum_values(name))))
        .collect();
    Value::Object(map).to_string()
}

/// Adds the functions of this module to the extension module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_config_classes, m)?)?;
    m.add_function(wrap_pyfunction!(_config_schema, m)?)?;
    m.add_function(wrap_pyfunction!(_config_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(_config_is_empty, m)?)?;
    m.add_function(wrap_pyfunction!(_config_enums, m)?)?;
    Ok(())
}

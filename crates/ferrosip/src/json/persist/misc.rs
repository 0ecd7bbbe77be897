//! Persistence of [`AuthCredInfo`], [`BuddyConfig`], [`SrtpOpt`] and
//! [`RtcpFbConfig`].

use crate::config::{AuthCredInfo, BuddyConfig, RtcpFbCap, RtcpFbConfig, SrtpCrypto, SrtpOpt};
use crate::error::Result;
use crate::json::{ContainerNode, PersistentObject};

impl PersistentObject for AuthCredInfo {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AuthCredInfo")?;
        let mut v = self.clone();
        this.get("scheme", &mut v.scheme)?;
        this.get("realm", &mut v.realm)?;
        this.get("username", &mut v.username)?;
        this.get("dataType", &mut v.data_type)?;
        this.get("data", &mut v.data)?;
        this.get("algoType", &mut v.algo_type)?;
        this.get("akaK", &mut v.aka_k)?;
        this.get("akaOp", &mut v.aka_op)?;
        this.get("akaAmf", &mut v.aka_amf)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AuthCredInfo")?;
        this.write_string("scheme", &self.scheme)?;
        this.write_string("realm", &self.realm)?;
        this.write_string("username", &self.username)?;
        this.write_enum("dataType", self.data_type)?;
        this.write_string("data", &self.data)?;
        this.write_string("akaK", &self.aka_k)?;
        this.write_string("akaOp", &self.aka_op)?;
        this.write_string("akaAmf", &self.aka_amf)
    }
}

impl PersistentObject for BuddyConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("BuddyConfig")?;
        let mut v = self.clone();
        this.get("uri", &mut v.uri)?;
        this.get("subscribe", &mut v.subscribe)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("BuddyConfig")?;
        this.write_string("uri", &self.uri)?;
        this.write_bool("subscribe", self.subscribe)
    }
}

/// `cryptos` is flattened as PJSUA2 writes it: `[key, name, flags, key,
/// name, flags, ...]`.
impl PersistentObject for SrtpOpt {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("SrtpOpt")?;
        let mut v = self.clone();
        if let Some(array) = this.get_array("cryptos")? {
            v.cryptos.clear();
            while array.has_unread() {
                v.cryptos.push(SrtpCrypto {
                    key: array.require("key")?,
                    name: array.require("name")?,
                    flags: array.require("flags")?,
                });
            }
        }
        this.get("keyings", &mut v.keyings)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("SrtpOpt")?;
        let mut cryptos = this.write_new_array("cryptos")?;
        for crypto in &self.cryptos {
            cryptos.write_string("key", &crypto.key)?;
            cryptos.write_string("name", &crypto.name)?;
            cryptos.write_uint("flags", crypto.flags)?;
        }
        // Named elements, as PJSUA2 writes them: one per line.
        let mut keyings = this.write_new_array("keyings")?;
        for &keying in &self.keyings {
            keyings.write_int("keying", keying)?;
        }
        Ok(())
    }
}

/// `caps` is flattened as PJSUA2 writes it: `[codecId, type, typeName,
/// param, ...]`.
impl PersistentObject for RtcpFbConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("RtcpFbConfig")?;
        let mut v = self.clone();
        this.get("dontUseAvpf", &mut v.dont_use_avpf)?;
        if let Some(array) = this.get_array("caps")? {
            v.caps.clear();
            while array.has_unread() {
                v.caps.push(RtcpFbCap {
                    codec_id: array.require("codecId")?,
                    type_: array.require("type")?,
                    type_name: array.require("typeName")?,
                    param: array.require("param")?,
                });
            }
        }
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("RtcpFbConfig")?;
        this.write_bool("dontUseAvpf", self.dont_use_avpf)?;
        let mut caps = this.write_new_array("caps")?;
        for cap in &self.caps {
            caps.write_string("codecId", &cap.codec_id)?;
            caps.write_enum("type", cap.type_)?;
            caps.write_string("typeName", &cap.type_name)?;
            caps.write_string("param", &cap.param)?;
        }
        Ok(())
    }
}

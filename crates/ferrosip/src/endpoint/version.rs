//! The library version, in PJSUA2's `Version` shape.

/// PJSUA2's `Version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Major number.
    pub major: i32,
    /// Minor number.
    pub minor: i32,
    /// Revision.
    pub rev: i32,
    /// Suffix (`"-dev"`, or empty).
    pub suffix: String,
    /// The whole version as text.
    pub full: String,
    /// `major << 24 | minor << 16 | rev << 8`.
    pub numeric: u32,
}

impl Version {
    /// This crate's version.
    pub fn current() -> Self {
        let major: i32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap_or(0);
        let minor: i32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap_or(0);
        let rev: i32 = env!("CARGO_PKG_VERSION_PATCH").parse().unwrap_or(0);
        let suffix = env!("CARGO_PKG_VERSION_PRE").to_owned();
        Self {
            major,
            minor,
            rev,
            full: env!("CARGO_PKG_VERSION").to_owned(),
            suffix,
            numeric: ((major as u32) << 24) | ((minor as u32) << 16) | ((rev as u32) << 8),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numeric_packs_like_pjsip() {
        let v = super::Version::current();
        assert_eq!(v.numeric >> 24, v.major as u32);
        assert_eq!((v.numeric >> 16) & 0xff, v.minor as u32);
        assert!(
            v.full
                .starts_with(&format!("{}.{}.{}", v.major, v.minor, v.rev))
        );
    }
}

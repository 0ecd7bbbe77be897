//! JSON persistence in PJSUA2's document shape.

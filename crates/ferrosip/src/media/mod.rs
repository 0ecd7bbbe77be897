//! The media API (PJSUA2's `media.hpp`) and the runtime that drives the
//! sans-IO media engine (`media` crate) in real time.
//!
//! Every audio source and sink is a port of the endpoint's conference
//! bridge, reached through an [`AudioMedia`] handle: players
//! ([`AudioMediaPlayer`]), recorders ([`AudioMediaRecorder`]), tone
//! generators ([`ToneGenerator`]), application ports ([`AudioMediaPort`]),
//! RTP streams ([`AudioStream`], what calls carry), and the sound device
//! (port 0, from [`AudDevManager`]). Any port transmits to any other.
//!
//! The bridge is ticked every `MediaConfig.audioFramePtime` by a clock
//! thread of its own (the null device's clock), under a lock the SIP engine
//! never takes; a second thread receives RTP. Real sound devices (feature
//! `sound-device`) and echo cancellation (feature `echo-cancel`) plug into
//! port 0 through ring buffers: see [`AudDevManager`].
//!
//! ```no_run
//! use ferrosip::config::EpConfig;
//! use ferrosip::media::{AudioMediaPlayer, AudioMediaRecorder};
//! use ferrosip::Endpoint;
//!
//! let ep = Endpoint::new();
//! ep.lib_create()?;
//! ep.lib_init(&EpConfig::default())?;
//! ep.lib_start()?;
//! let player = AudioMediaPlayer::create_player(&ep, "hello.wav", 0)?;
//! let recorder = AudioMediaRecorder::create_recorder(&ep, "copy.wav", 0, 0, 0)?;
//! player.start_transmit(&recorder)?;
//! std::thread::sleep(std::time::Duration::from_secs(1));
//! drop(recorder); // completes copy.wav
//! ep.lib_destroy()?;
//! # Ok::<(), ferrosip::Error>(())
//! ```

mod audio_media;
pub mod clock;
mod codecs;
mod custom_port;
mod device;
mod engine;
mod errors;
mod player;
mod recorder;
mod rtp_io;
mod rtp_send;
mod stream;
mod tone;
mod transport;
mod types;

pub use self::audio_media::AudioMedia;
pub use self::custom_port::{
    AudioMediaPort, AudioMediaPortHandler, MediaFrame, PJMEDIA_FRAME_TYPE_AUDIO,
    PJMEDIA_FRAME_TYPE_NONE,
};
pub(crate) use self::device::start_sound_device;
pub use self::device::{
    AudDevManager, ExtraAudioDevice, PJSUA_SND_DEFAULT_CAPTURE_DEV, PJSUA_SND_DEFAULT_PLAYBACK_DEV,
    PJSUA_SND_NO_DEV, PJSUA_SND_NULL_DEV, SoundDeviceStats,
};
pub(crate) use self::engine::{MediaEvent, MediaShared, deliver};
pub use self::player::{
    AudioMediaPlayer, AudioMediaPlayerHandler, NoPlayerHandler, PJMEDIA_FILE_NO_LOOP,
};
pub use self::recorder::AudioMediaRecorder;
pub use self::stream::AudioStream;
pub use self::tone::ToneGenerator;
pub use self::transport::MediaTransport;
pub use self::types::{
    AudioDevInfo, AudioMediaPlayerInfo, CodecFmtp, CodecInfo, CodecParam, CodecParamInfo,
    CodecParamSetting, ConfPortInfo, MediaFormatAudio, PJMEDIA_TYPE_AUDIO, ToneDesc, ToneDigit,
    ToneDigitMapDigit,
};
/// The stream types calls and call-less streams are built from.
pub use media::stream::{StreamConfig, StreamEvent, StreamStat};

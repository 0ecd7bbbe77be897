"""Asks the real PJSUA2 (the `pjsua2` module) what ferrosip is compared to.

Run in a subprocess by the tests, so that PJSUA2's native objects never
live in the pytest process (they can crash at interpreter exit); every
command prints one JSON document on stdout and ends with os._exit(0).

    python pjsua2_oracle.py defaults            # every class's default fields
    python pjsua2_oracle.py shape               # dir() of the module and classes, constants
    python pjsua2_oracle.py assign CASES_JSON   # [[class, field, value], ...]: result or exception
    python pjsua2_oracle.py save SPEC_JSON PATH # build configs from a spec, saveFile; prints saveString
    python pjsua2_oracle.py load SPEC_JSON PATH # loadFile, readObject into fresh configs; prints them
    python pjsua2_oracle.py pygui PATH          # reads a pygui-like document with the node API
    python pjsua2_oracle.py media DIR           # media: codecs, errors, names (files in DIR)

A spec is {"ClassName": {field: value, ...}, ...}: nested configs are
dicts, vectors are lists (of dicts for config items). `save` writes the
objects in the spec's order; `load` reads the spec's classes.
"""

import json
import os
import sys

import pjsua2 as pj

# Attributes of SWIG proxies that are not PJSUA2 API.
SWIG = {"this", "thisown"}


def fields(obj):
    """The public data attributes of a PJSUA2 object."""
    names = []
    for name in dir(type(obj)):
        if name.startswith("_") or name in SWIG:
            continue
        if callable(getattr(type(obj), name, None)) and not isinstance(
            getattr(type(obj), name), property
        ):
            continue
        names.append(name)
    return names


def plain(value):
    """A PJSUA2 value as JSON: scalars as is, vectors as lists, objects as
    dicts; what has no value (a raw SWIG pointer) as {"__swig__": type}."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    type_name = type(value).__name__
    if type_name == "SwigPyObject":
        return {"__swig__": type_name}
    if type_name.endswith("Vector") or type_name.endswith("Vector2"):
        return [plain(v) for v in value]
    return {name: plain(getattr(value, name)) for name in fields(value)}


CLASSES = [
    "EpConfig", "UaConfig", "LogConfig", "MediaConfig", "TransportConfig", "TlsConfig",
    "pj_qos_params", "SockOptParams", "SockOpt", "AccountConfig", "AccountRegConfig",
    "AccountSipConfig", "AccountCallConfig", "AccountPresConfig", "AccountMwiConfig",
    "AccountNatConfig", "AccountMediaConfig", "AccountVideoConfig", "AccountIpChangeConfig",
    "SrtpOpt", "SrtpCrypto", "RtcpFbConfig", "RtcpFbCap", "AuthCredInfo", "BuddyConfig",
    "SipHeader", "SipMediaType", "SipMultipartPart", "SipTxOption", "CallSetting",
    "SdpSession", "CallOpParam", "SendInstantMessageParam", "SendTypingIndicationParam",
    "CallSendDtmfParam", "CallSendRequestParam", "SendRequestParam", "PresenceStatus",
    "IpChangeParam", "AudioMediaTransmitParam",
    # Media (plain data).
    "MediaFormatAudio", "ConfPortInfo", "ToneDesc", "ToneDigit", "ToneDigitMapDigit",
    "AudioMediaPlayerInfo", "CodecInfo", "CodecFmtp", "CodecParamInfo", "CodecParamSetting",
    "CodecParam", "AudioDevInfo", "MediaFrame",
]


def cmd_defaults():
    # After libCreate(), as applications make them: PJSUA2's AccountConfig()
    # copies the session timer and SRTP signalling defaults from the
    # library's state, which is all zero before libCreate().
    return with_endpoint(defaults)


def defaults():
    out = {}
    for name in CLASSES:
        obj = getattr(pj, name)()
        out[name] = plain(obj)
    # PJSUA2's constructors with a bool; the object is kept alive while its
    # nested fields are read (a temporary's would be freed memory).
    for name in ("CallSetting", "CallOpParam"):
        obj = getattr(pj, name)(True)
        out[name + "(True)"] = plain(obj)
    return out


# What dir(pjsua2) shows that is not PJSUA2's API: modules it imports, and
# SWIG's own iterator class.
NOT_API = {"ctypes", "glob", "import_module", "weakref", "SwigPyIterator"}


def cmd_shape():
    module = sorted(n for n in dir(pj) if not n.startswith("_") and n not in NOT_API)
    classes = {}
    for name in module:
        value = getattr(pj, name)
        if isinstance(value, type):
            classes[name] = sorted(
                a for a in dir(value) if not a.startswith("_") and a not in SWIG
            )
    constants = {
        n: getattr(pj, n)
        for n in module
        if isinstance(getattr(pj, n), int) and not isinstance(getattr(pj, n), bool)
    }
    return {"module": module, "classes": classes, "constants": constants}


def cmd_assign(cases_text):
    """Tries each [class, field, value] assignment on a new object: what it
    reads back, or the exception's type."""
    out = []
    for cls, field, value in json.loads(cases_text):
        obj = getattr(pj, cls)()
        try:
            setattr(obj, field, value)
            out.append({"ok": plain(getattr(obj, field))})
        except Exception as e:  # noqa: BLE001 - the type is the answer
            out.append({"raises": type(e).__name__})
    return out


def build(cls_name, spec):
    obj = getattr(pj, cls_name)()
    apply(obj, spec)
    return obj


def apply(obj, spec):
    """Sets the fields of `spec` on the PJSUA2 object `obj`."""
    for name, value in spec.items():
        current = getattr(obj, name)
        if isinstance(value, dict):
            apply(current, value)
        elif isinstance(value, list):
            vector = type(current)()
            for item in value:
                if isinstance(item, dict):
                    item_class = type(current).__name__[: -len("Vector")]
                    vector.append(build(item_class, item))
                else:
                    vector.append(item)
            setattr(obj, name, vector)
        else:
            setattr(obj, name, value)


def with_endpoint(work):
    """Runs `work` between libCreate and libDestroy: PJSUA2's JsonDocument
    needs the library, and must be gone before libDestroy."""
    ep = pj.Endpoint()
    ep.libCreate()
    try:
        return work()
    finally:
        ep.libDestroy()


def cmd_save(spec_text, path):
    spec = json.loads(spec_text)

    def work():
        doc = pj.JsonDocument()
        objects = [build(name, values) for name, values in spec.items()]
        for obj in objects:
            doc.writeObject(obj)
        doc.saveFile(path)
        text = doc.saveString()
        del doc
        return text

    return with_endpoint(work)


def cmd_load(spec_text, path):
    spec = json.loads(spec_text)

    def work():
        doc = pj.JsonDocument()
        doc.loadFile(path)
        out = {}
        for name in spec:
            obj = getattr(pj, name)()
            doc.readObject(obj)
            out[name] = plain(obj)
        del doc
        return out

    return with_endpoint(work)


def cmd_pygui(path):
    """Reads what a pygui-like application wrote: an EpConfig, then an
    array "transports" of {"SipTransport": {type, enabled, TransportConfig}}."""

    def work():
        doc = pj.JsonDocument()
        doc.loadFile(path)
        ep_cfg = pj.EpConfig()
        doc.readObject(ep_cfg)
        transports = []
        array = doc.readArray("transports")
        while array.hasUnread():
            node = array.readContainer("SipTransport")
            entry = {"type": node.readInt("type"), "enabled": node.readBool("enabled")}
            cfg = pj.TransportConfig()
            cfg.readObject(node)
            entry["config"] = plain(cfg)
            transports.append(entry)
        out = {"EpConfig": plain(ep_cfg), "transports": transports}
        del array, node, doc
        return out

    return with_endpoint(work)


def cmd_media(directory):
    """What the media API does, with the null sound device and no worker
    thread: codecs and their parameters, port names and formats, the digit
    map, and the status of each error case (the cases that abort PJSUA2
    are left out). DIR holds tone.wav (a 16 kHz mono PCM file) and
    corrupt.wav."""
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.logConfig.level = 0
    cfg.logConfig.consoleLevel = 0
    ep.libInit(cfg)
    ep.audDevManager().setNullDev()
    ep.libStart()
    out = {}

    def status(work):
        try:
            work()
            return 0
        except pj.Error as e:
            return e.status

    out["codecs"] = [[c.codecId, c.priority] for c in ep.codecEnum2()]
    params = {}
    for c in ep.codecEnum2():
        p = ep.codecGetParam(c.codecId)
        params[c.codecId] = {"info": plain(p.info), "setting": plain(p.setting)}
    out["params"] = params
    ep.codecSetPriority("pcm", 200)
    out["codecs_after_pcm_200"] = [[c.codecId, c.priority] for c in ep.codecEnum2()]
    ep.codecSetPriority("G", 0)
    out["codecs_after_G_0"] = [[c.codecId, c.priority] for c in ep.codecEnum2()]
    tone = os.path.join(directory, "tone.wav")
    player = pj.AudioMediaPlayer()
    player.createPlayer(tone, pj.PJMEDIA_FILE_NO_LOOP)
    info = player.getInfo()
    out["player_info"] = plain(info)
    gen = pj.ToneGenerator()
    gen.createToneGenerator()
    playlist = pj.AudioMediaPlayer()
    playlist.createPlaylist([tone, tone])
    adm = ep.audDevManager()
    out["names"] = {
        "player": player.getPortInfo().name,
        "tonegen": gen.getPortInfo().name,
        "playlist": playlist.getPortInfo().name,
        "port0": adm.getPlaybackDevMedia().getPortInfo().name,
    }
    out["player_format"] = plain(player.getPortInfo().format)
    out["digit_map"] = [[d.digit, d.freq1, d.freq2] for d in gen.getDigitMap()]
    out["cap_names"] = [adm.capName(1 << i) for i in range(16)] + [adm.capName(3)]
    out["devices"] = {
        "count": adm.getDevCount(),
        "capture": adm.getCaptureDev(),
        "playback": adm.getPlaybackDev(),
        "ec_tail": adm.getEcTail(),
        "active": adm.sndIsActive(),
    }
    bad = pj.ToneDigit()
    bad.digit = "x"
    bad.on_msec = 100
    out["errors"] = {
        "missing_file": status(
            lambda: pj.AudioMediaPlayer().createPlayer(os.path.join(directory, "nope.wav"))
        ),
        "corrupt_wav": status(
            lambda: pj.AudioMediaPlayer().createPlayer(os.path.join(directory, "corrupt.wav"))
        ),
        "recorder_mp3": status(
            lambda: pj.AudioMediaRecorder().createRecorder(os.path.join(directory, "x.mp3"))
        ),
        "capture_dev_5": status(lambda: adm.setCaptureDev(5)),
        "dev_info_5": status(lambda: adm.getDevInfo(5)),
        "lookup_unknown": status(lambda: adm.lookupDev("nodriver", "nodevice")),
        "bad_digit": status(lambda: gen.playDigits(pj.ToneDigitVector([bad]))),
        "codec_get_unknown": status(lambda: ep.codecGetParam("nonexistent")),
        "codec_priority_unknown": status(lambda: ep.codecSetPriority("nonexistent", 0)),
        "player_twice": status(lambda: player.createPlayer(tone)),
        "tonegen_twice": status(lambda: gen.createToneGenerator()),
    }
    out["ports"] = ep.mediaActivePorts()
    del player, gen, playlist, adm
    ep.libDestroy()
    return out


def main():
    command, *args = sys.argv[1:]
    # PJSUA2 logs to the C stdout: send that to stderr, keep stdout for JSON.
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    try:
        result = {
            "defaults": cmd_defaults,
            "shape": cmd_shape,
            "assign": cmd_assign,
            "save": cmd_save,
            "load": cmd_load,
            "pygui": cmd_pygui,
            "media": cmd_media,
        }[command](*args)
        out.write(json.dumps({"ok": result}))
    except pj.Error as e:
        out.write(json.dumps({"error": {"status": e.status, "reason": e.reason, "title": e.title}}))
    out.flush()
    # PJSUA2's objects can crash at interpreter exit: skip it.
    os._exit(0)


if __name__ == "__main__":
    main()

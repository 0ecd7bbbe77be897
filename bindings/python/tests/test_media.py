"""The media API (PJSUA2's `media.hpp`): players, recorders, tone generators,
application ports, the device manager and the codecs, with PJSUA2's names
and behaviour.

Every test runs the library with threadCnt=0: the callbacks of players
(`onEof2`) come inside `libHandleEvents`, and the frame callbacks of
`AudioMediaPort` on the media clock's thread. Tests wait for what they
expect by polling `libHandleEvents` with generous deadlines; audio is
checked by its content (a Goertzel filter), not by timing.

What PJSUA2 itself does is asked of the real module in a subprocess
(tests/data/pjsua2_oracle.py `media`); where it is not installed, its
recorded answer (tests/data/pjsua2_media.json, PJSUA2 2.15.1) stands in.
"""

import gc
import importlib.util
import json
import math
import os
import struct
import threading
import time
import wave
import weakref
from pathlib import Path

import pytest

import ferrosip as pj
from conftest import run_oracle
from peers import no_endpoint_left, pjsua2, poll, run_program, start_endpoint  # noqa: F401

RATE = 16000  # the bridge's clock rate by default (MediaConfig.clockRate)
FRAME_BYTES = RATE // 50 * 2  # one 20 ms frame of 16-bit mono
RECORDED = Path(__file__).parent / "data" / "pjsua2_media.json"


# Signals.


def tone_samples(freq, count, amplitude=8000, rate=RATE, start=0):
    return [
        int(amplitude * math.sin(2 * math.pi * freq * (start + i) / rate)) for i in range(count)
    ]


def write_wav(path, samples, rate=RATE):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return str(path)


def read_wav(path):
    """(rate, channels, samples) of a 16-bit WAV file."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        data = w.readframes(w.getnframes())
        return w.getframerate(), w.getnchannels(), list(struct.unpack(f"<{len(data) // 2}h", data))


def pcm(data):
    """The samples of 16-bit little-endian bytes."""
    data = bytes(data)
    return list(struct.unpack(f"<{len(data) // 2}h", data))


def goertzel(samples, freq, rate=RATE):
    """The power of `samples` at `freq` (normalised by the length)."""
    k = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - k * s1 * s2) / max(1, len(samples)) ** 2


def dominant(samples, freqs):
    """The frequencies of `freqs`, strongest first."""
    return sorted(freqs, key=lambda f: -goertzel(samples, f))


def peak(samples):
    return max((abs(s) for s in samples), default=0)


# The library.


def start():
    ep = start_endpoint(pj, thread_cnt=0, transport=False)
    ep.audDevManager().setNullDev()
    return ep


def collect():
    """Collects garbage (a deleted object may sit in a reference cycle)."""
    for _ in range(3):
        gc.collect()


class Eof(pj.AudioMediaPlayer):
    """A player that counts its ends of file and where they came."""

    def __init__(self):
        super().__init__()
        self.eofs = []

    def onEof2(self):
        self.eofs.append(threading.get_ident())


class Sink(pj.AudioMediaPort):
    """Keeps every frame it receives: (type, size, bytes, buf type, thread)."""

    def __init__(self):
        super().__init__()
        self.frames = []

    def onFrameReceived(self, frame):
        self.frames.append(
            (frame.type, frame.size, bytes(frame.buf), type(frame.buf), threading.get_ident())
        )

    def samples(self, first=0):
        return [s for f in self.frames[first:] for s in pcm(f[2])]


class Source(pj.AudioMediaPort):
    """Makes a continuous tone of `freq` Hz, as a ByteVector or as bytes."""

    def __init__(self, freq, amplitude=8000, as_bytes=False):
        super().__init__()
        self.freq, self.amplitude, self.as_bytes = freq, amplitude, as_bytes
        self.made = 0
        self.requests = []

    def onFrameRequested(self, frame):
        if len(self.requests) < 3:
            self.requests.append((frame.type, frame.size, len(frame.buf), type(frame.buf)))
        count = frame.size // 2
        data = struct.pack(
            f"<{count}h", *tone_samples(self.freq, count, self.amplitude, start=self.made)
        )
        self.made += count
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        if self.as_bytes:
            frame.buf = data
        else:
            frame.buf = pj.ByteVector(data)


def mono16k():
    fmt = pj.MediaFormatAudio()
    fmt.init(0, RATE, 1, 20000, 16)
    return fmt


# PJSUA2's answers.


def write_oracle_files(directory):
    write_wav(directory / "tone.wav", tone_samples(1000, RATE))
    (directory / "corrupt.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunk")


_PJSUA2 = {}


def pjsua2_media(tmp_path_factory):
    """What PJSUA2 answers to `pjsua2_oracle.py media`: asked of the real
    module when it is importable (and then checked against the recording),
    else the recording."""
    recorded = json.loads(RECORDED.read_text())
    if "answer" not in _PJSUA2:
        if importlib.util.find_spec("pjsua2") is None:
            _PJSUA2["answer"] = recorded
        else:
            directory = tmp_path_factory.mktemp("oracle")
            write_oracle_files(directory)
            live = run_oracle("media", str(directory))
            live["names"].pop("player")
            live["params"] = {k: live["params"][k] for k in recorded["params"]}
            assert {k: live[k] for k in recorded} == recorded, (
                "PJSUA2 answers differently from tests/data/pjsua2_media.json"
            )
            _PJSUA2["answer"] = live
    return _PJSUA2["answer"]


@pytest.fixture
def theirs(tmp_path_factory):
    return pjsua2_media(tmp_path_factory)


# Players and recorders.


def test_player_to_recorder_copies_a_1khz_tone_and_eof_comes_once(tmp_path):
    ep = start()
    src = write_wav(tmp_path / "tone.wav", tone_samples(1000, RATE // 2))
    player = Eof()
    player.createPlayer(src, pj.PJMEDIA_FILE_NO_LOOP)
    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder(str(tmp_path / "copy.wav"))
    player.startTransmit(recorder)
    assert poll(ep, lambda: player.eofs, timeout=20)
    # The end of file came inside libHandleEvents, on this thread; a
    # NO_LOOP player reports it once.
    assert player.eofs == [threading.get_ident()]
    poll(ep, lambda: len(player.eofs) > 1, timeout=0.5)
    assert len(player.eofs) == 1
    del recorder  # completes the file
    collect()
    rate, channels, samples = read_wav(tmp_path / "copy.wav")
    assert (rate, channels) == (RATE, 1)
    loud = [s for s in samples if abs(s) > 1000]
    assert len(loud) > RATE // 4, "the recording holds the tone"
    start_at = next(i for i, s in enumerate(samples) if abs(s) > 1000)
    window = samples[start_at : start_at + 4000]
    assert goertzel(window, 1000) > 100 * max(goertzel(window, f) for f in (500, 1500, 2000))
    ep.libDestroy()


def test_a_looping_player_reports_every_pass(tmp_path):
    ep = start()
    player = Eof()
    player.createPlayer(write_wav(tmp_path / "short.wav", tone_samples(440, RATE // 10)))
    player.startTransmit(ep.audDevManager().getPlaybackDevMedia())
    assert poll(ep, lambda: len(player.eofs) >= 3, timeout=20)
    ep.libDestroy()


def test_player_info_and_position(tmp_path, theirs):
    ep = start()
    player = pj.AudioMediaPlayer()
    player.createPlayer(write_wav(tmp_path / "tone.wav", tone_samples(1000, RATE)))
    info = player.getInfo()
    assert type(info) is pj.AudioMediaPlayerInfo
    assert {
        "formatId": info.formatId,
        "payloadBitsPerSample": info.payloadBitsPerSample,
        "sizeBytes": info.sizeBytes,
        "sizeSamples": info.sizeSamples,
    } == theirs["player_info"]
    player.setPos(8000)
    assert 8000 <= player.getPos() < RATE
    player.setPos(0)
    assert player.getPos() < 8000
    with pytest.raises(pj.Error):
        player.setPos(10 * RATE)  # PJSUA2 asserts and aborts here
    ep.libDestroy()


def test_playlist_plays_its_files_and_is_named_like_pjsua2s(tmp_path, theirs):
    ep = start()
    a = write_wav(tmp_path / "a.wav", tone_samples(500, RATE // 10))
    b = write_wav(tmp_path / "b.wav", tone_samples(1500, RATE // 10))
    playlist = Eof()
    playlist.createPlaylist(pj.StringVector([a, b]), "", pj.PJMEDIA_FILE_NO_LOOP)
    assert playlist.getPortInfo().name == theirs["names"]["playlist"] == "WAV playlist"
    labelled = pj.AudioMediaPlayer()
    labelled.createPlaylist([a], "my list")
    assert labelled.getPortInfo().name == "my list"
    sink = Sink()
    sink.createPort("sink", mono16k())
    playlist.startTransmit(sink)
    assert poll(ep, lambda: playlist.eofs, timeout=20)
    heard = sink.samples()
    starts = [i for i in range(0, len(heard) - 800, 160) if peak(heard[i : i + 800]) > 1000]
    first = heard[starts[0] : starts[0] + 800]
    assert dominant(first, [500, 1500])[0] == 500
    last = heard[starts[-1] : starts[-1] + 800]
    assert dominant(last, [500, 1500])[0] == 1500
    ep.libDestroy()


# Tone generators and application ports.


DTMF_ROWS = (697, 770, 852, 941)
DTMF_COLUMNS = (1209, 1336, 1477, 1633)


def bursts(samples, threshold=500, gap=160):
    """The stretches of `samples` louder than `threshold`, split at silences
    of at least `gap` samples."""
    out, current, quiet = [], [], 0
    for s in samples:
        if abs(s) > threshold:
            current.append(s)
            quiet = 0
        elif current:
            quiet += 1
            current.append(s)
            if quiet >= gap:
                out.append(current[:-quiet])
                current, quiet = [], 0
    if current:
        out.append(current)
    return [b for b in out if len(b) > 400]


def test_tone_generator_plays_dtmf_into_an_application_port():
    ep = start()
    sink = Sink()
    sink.createPort("sink", mono16k())
    gen = pj.ToneGenerator()
    gen.createToneGenerator()
    gen.startTransmit(sink)
    digits = pj.ToneDigitVector()
    for c in "15#":
        d = pj.ToneDigit()
        d.digit = c
        d.on_msec = 100
        d.off_msec = 60
        digits.append(d)
    gen.playDigits(digits)
    assert gen.isBusy()
    assert poll(ep, lambda: not gen.isBusy() and len(sink.frames) > 30, timeout=20)
    # The frames as PJSUA2 gives them: a ByteVector of `size` bytes of
    # audio, on the media clock's thread.
    ftype, size, data, buf_type, thread = sink.frames[0]
    assert (ftype, size, len(data)) == (pj.PJMEDIA_FRAME_TYPE_AUDIO, FRAME_BYTES, FRAME_BYTES)
    assert buf_type is pj.ByteVector
    assert thread != threading.get_ident()
    heard = [
        tuple(sorted(dominant(b, DTMF_ROWS + DTMF_COLUMNS)[:2])) for b in bursts(sink.samples())
    ]
    assert heard == [(697, 1209), (770, 1336), (941, 1477)]
    ep.libDestroy()


def test_tones_loop_stop_and_rewind():
    ep = start()
    gen = pj.ToneGenerator()
    gen.createToneGenerator(8000, 1)
    assert gen.getPortInfo().format.clockRate == 8000
    tone = pj.ToneDesc()
    tone.freq1, tone.freq2, tone.on_msec, tone.off_msec = 440, 480, 50, 50
    gen.play([tone], True)
    sink = Sink()
    sink.createPort("sink", mono16k())
    gen.startTransmit(sink)
    assert poll(ep, lambda: len(bursts(sink.samples(), gap=400)) >= 3, timeout=20)
    assert gen.isBusy(), "a looping queue plays until stopped"
    heard = bursts(sink.samples(), gap=400)[1]
    assert sorted(dominant(heard, [350, 440, 480, 620])[:2]) == [440, 480]
    gen.stop()
    assert not gen.isBusy()
    gen.play(pj.ToneDescVector([tone]))
    gen.rewind()
    assert gen.isBusy()
    with pytest.raises(TypeError):
        gen.play([pj.ToneDigit()])  # not a ToneDesc
    ep.libDestroy()


def test_digit_map(theirs):
    ep = start()
    gen = pj.ToneGenerator()
    gen.createToneGenerator()
    dmap = gen.getDigitMap()
    assert type(dmap) is tuple and all(type(d) is pj.ToneDigitMapDigit for d in dmap)
    # The same digits and frequencies as PJSUA2's (listed in keypad order,
    # where PJSUA2 lists 0-9, a-d, *, #).
    assert sorted([d.digit, d.freq1, d.freq2] for d in dmap) == sorted(theirs["digit_map"])
    mine = pj.ToneDigitMapDigit()
    mine.digit, mine.freq1, mine.freq2 = "x", 400, 2000
    gen.setDigitMap(pj.ToneDigitMapVector([mine]))
    assert [(d.digit, d.freq1, d.freq2) for d in gen.getDigitMap()] == [("x", 400, 2000)]
    x = pj.ToneDigit()
    x.digit, x.on_msec = "x", 50
    gen.playDigits([x])
    one = pj.ToneDigit()
    one.digit, one.on_msec = "1", 50
    with pytest.raises(pj.Error) as e:
        gen.playDigits([one])
    assert e.value.status == 220106  # PJMEDIA_RTP_EINDTMF: not in the map
    ep.libDestroy()


def test_an_application_port_makes_a_tone_a_recorder_records(tmp_path):
    ep = start()
    for as_bytes in (False, True):
        src = Source(1000, as_bytes=as_bytes)
        src.createPort("source", mono16k())
        path = tmp_path / f"port-{as_bytes}.wav"
        recorder = pj.AudioMediaRecorder()
        recorder.createRecorder(str(path))
        src.startTransmit(recorder)
        assert poll(ep, lambda: src.made >= RATE // 2, timeout=20)
        # As in PJSUA2: an empty buffer, `size` its capacity.
        assert src.requests[0] == (pj.PJMEDIA_FRAME_TYPE_NONE, FRAME_BYTES, 0, pj.ByteVector)
        del recorder, src
        collect()
        _, _, samples = read_wav(path)
        start_at = next(i for i, s in enumerate(samples) if abs(s) > 1000)
        window = samples[start_at : start_at + 4000]
        assert len(window) == 4000
        assert goertzel(window, 1000) > 100 * max(goertzel(window, f) for f in (500, 1500))
    ep.libDestroy()


def test_levels():
    ep = start()
    src = Source(1000, amplitude=10000)
    src.createPort("source", mono16k())
    sink = Sink()
    sink.createPort("sink", mono16k())
    src.startTransmit(sink)
    assert poll(ep, lambda: len(sink.frames) >= 10, timeout=20)
    full = peak(sink.samples(len(sink.frames) - 5))
    assert 9000 < full <= 10000
    assert src.getRxLevel() > 0 and sink.getTxLevel() > 0
    src.adjustRxLevel(0.5)
    assert src.getPortInfo().rxLevelAdj == 0.5
    mark = len(sink.frames)
    assert poll(ep, lambda: len(sink.frames) >= mark + 10, timeout=20)
    half = peak(sink.samples(mark + 3))
    assert abs(half / full - 0.5) < 0.03, (full, half)
    sink.adjustTxLevel(0.0)
    assert sink.getPortInfo().txLevelAdj == 0.0
    mark = len(sink.frames)
    assert poll(ep, lambda: len(sink.frames) >= mark + 6, timeout=20)
    assert peak(sink.samples(mark + 3)) == 0
    # startTransmit2 with a level: the connection's own level.
    src.adjustRxLevel(1.0)
    sink.adjustTxLevel(1.0)
    prm = pj.AudioMediaTransmitParam()
    prm.level = 0.25
    src.startTransmit2(sink, prm)
    mark = len(sink.frames)
    assert poll(ep, lambda: len(sink.frames) >= mark + 8, timeout=20)
    assert abs(peak(sink.samples(mark + 3)) / full - 0.25) < 0.03
    src.stopTransmit(sink)
    assert src.getPortInfo().listeners == []
    ep.libDestroy()


# Ports, devices, codecs.


def test_port_infos_and_enumeration(tmp_path, theirs):
    ep = start()
    assert ep.mediaActivePorts() == 1
    master = pj.AudioMedia.getPortInfoFromId(0)
    assert type(master) is pj.ConfPortInfo
    assert master.portId == 0 and master.name == theirs["names"]["port0"] == "Master/sound"
    path = write_wav(tmp_path / "tone.wav", tone_samples(1000, RATE))
    player = pj.AudioMediaPlayer()
    player.createPlayer(path)
    gen = pj.ToneGenerator()
    gen.createToneGenerator()
    info = player.getPortInfo()
    assert (info.portId, info.name) == (player.getPortId(), path)
    got = {f: getattr(info.format, f) for f in theirs["player_format"]}
    assert got == theirs["player_format"]
    assert gen.getPortInfo().name == theirs["names"]["tonegen"] == "tonegen"
    player.startTransmit(gen)
    assert list(player.getPortInfo().listeners) == [gen.getPortId()]
    assert type(player.getPortInfo().listeners) is pj.IntVector
    ports = ep.mediaEnumPorts2()
    assert type(ports) is tuple and all(type(p) is pj.AudioMedia for p in ports)
    assert [p.getPortId() for p in ports] == [0, player.getPortId(), gen.getPortId()]
    assert ep.mediaActivePorts() == 3 and ep.mediaMaxPorts() >= 3
    # A handle from mediaEnumPorts2 acts on the port but does not own it.
    ports[1].stopTransmit(ports[2])
    assert list(player.getPortInfo().listeners) == []
    del ports
    collect()
    assert ep.mediaActivePorts() == 3
    assert pj.AudioMedia.typecastFromMedia(player) is player
    assert pj.AudioMediaPlayer.typecastFromAudioMedia(player) is player
    with pytest.raises(TypeError):
        pj.AudioMediaRecorder.typecastFromAudioMedia(player)
    assert player.getType() == pj.PJMEDIA_TYPE_AUDIO
    with pytest.raises(pj.Error):
        pj.AudioMedia.getPortInfoFromId(99)
    ep.libDestroy()


def test_aud_dev_manager(theirs):
    ep = start()
    adm = ep.audDevManager()
    assert {
        "count": adm.getDevCount(),
        "capture": adm.getCaptureDev(),
        "playback": adm.getPlaybackDev(),
        "ec_tail": adm.getEcTail(),
        "active": adm.sndIsActive(),
    } == theirs["devices"]
    assert [adm.capName(1 << i) for i in range(16)] + [adm.capName(3)] == theirs["cap_names"]
    assert adm.enumDev2() == ()
    adm.refreshDevs()
    adm.setEcOptions(100, 0)
    assert adm.getEcTail() == 100
    adm.setNoDev()
    assert (adm.getCaptureDev(), adm.getPlaybackDev()) == (pj.PJSUA_SND_NO_DEV, pj.PJSUA_SND_NO_DEV)
    adm.setNullDev()
    assert adm.getCaptureDev() == adm.getPlaybackDev() == pj.PJSUA_SND_NULL_DEV
    assert adm.getCaptureDevMedia().getPortId() == adm.getPlaybackDevMedia().getPortId() == 0
    extra = pj.ExtraAudioDevice(pj.PJSUA_SND_NULL_DEV, pj.PJSUA_SND_NULL_DEV)
    assert not extra.isOpened() and extra.getPortId() == -1
    extra.open()
    assert extra.isOpened() and ep.mediaActivePorts() == 2
    extra.open()  # already open: nothing happens
    extra.close()
    assert not extra.isOpened() and ep.mediaActivePorts() == 1
    extra.open()
    del extra
    collect()
    assert ep.mediaActivePorts() == 1
    with pytest.raises(pj.Error) as e:
        pj.ExtraAudioDevice(5, 5).open()  # PJSUA2 throws past its wrapper and aborts here
    assert e.value.status == 420004
    ep.libDestroy()


def test_codecs_as_pjsua2(theirs):
    ep = start()

    def listed():
        known = dict(theirs["codecs"])
        return [[c.codecId, c.priority] for c in ep.codecEnum2() if c.codecId in known]

    def common(listing):
        mine = {c.codecId for c in ep.codecEnum2()}
        return [[cid, prio] for cid, prio in listing if cid in mine]

    codecs = ep.codecEnum2()
    assert type(codecs) is tuple and all(type(c) is pj.CodecInfo for c in codecs)
    shared = [[c.codecId, c.priority] for c in codecs if c.codecId in dict(theirs["codecs"])]
    assert [c for c, _ in shared] == [
        "PCMU/8000/1", "PCMA/8000/1", "G722/16000/1", "L16/44100/1", "L16/44100/2"
    ]  # fmt: skip
    assert shared == common(theirs["codecs"])
    for cid, expected in theirs["params"].items():
        param = ep.codecGetParam(cid)
        assert type(param) is pj.CodecParam
        got = {
            "info": {f: getattr(param.info, f) for f in expected["info"]},
            "setting": {
                f: (
                    [{"name": x.name, "val": x.val} for x in getattr(param.setting, f)]
                    if f.endswith("Fmtp")
                    else getattr(param.setting, f)
                )
                for f in expected["setting"]
            },
        }
        assert got == expected, cid
    ep.codecSetPriority("pcm", 200)  # a prefix, any case: PCMU and PCMA
    assert listed() == common(theirs["codecs_after_pcm_200"])
    ep.codecSetPriority("G", 0)
    assert listed() == common(theirs["codecs_after_G_0"])
    with pytest.raises(OverflowError):
        ep.codecSetPriority("PCMU", 256)
    # codecSetParam changes what codecGetParam gives.
    param = ep.codecGetParam("PCMU/8000/1")
    param.setting.frmPerPkt = 3
    param.setting.decFmtp.append(pj.CodecFmtp(name="x", val="1"))
    ep.codecSetParam("PCMU/8000/1", param)
    again = ep.codecGetParam("PCMU/8000/1")
    assert again.setting.frmPerPkt == 3 and again.setting.decFmtp[0].name == "x"
    ep.libDestroy()


def media_errors(tmp_path, ep):
    """The status of each error case of the oracle's `media` command."""

    def status(work):
        try:
            work()
            return 0
        except pj.Error as e:
            return e.status

    def in_tmp(name):
        return str(tmp_path / name)

    write_oracle_files(tmp_path)
    adm = ep.audDevManager()
    gen = pj.ToneGenerator()
    gen.createToneGenerator()
    player = pj.AudioMediaPlayer()
    player.createPlayer(str(tmp_path / "tone.wav"))
    bad = pj.ToneDigit()
    bad.digit = "x"
    bad.on_msec = 100
    return {
        "missing_file": status(lambda: pj.AudioMediaPlayer().createPlayer(in_tmp("nope.wav"))),
        "corrupt_wav": status(lambda: pj.AudioMediaPlayer().createPlayer(in_tmp("corrupt.wav"))),
        "recorder_mp3": status(lambda: pj.AudioMediaRecorder().createRecorder(in_tmp("x.mp3"))),
        "capture_dev_5": status(lambda: adm.setCaptureDev(5)),
        "dev_info_5": status(lambda: adm.getDevInfo(5)),
        "lookup_unknown": status(lambda: adm.lookupDev("nodriver", "nodevice")),
        "bad_digit": status(lambda: gen.playDigits(pj.ToneDigitVector([bad]))),
        "codec_get_unknown": status(lambda: ep.codecGetParam("nonexistent")),
        "codec_priority_unknown": status(lambda: ep.codecSetPriority("nonexistent", 0)),
        "player_twice": status(lambda: player.createPlayer(str(tmp_path / "tone.wav"))),
        "tonegen_twice": status(lambda: gen.createToneGenerator()),
    }


def test_errors_have_pjsua2s_status(tmp_path, theirs):
    ep = start()
    ours = media_errors(tmp_path, ep)
    assert ours == theirs["errors"]
    assert theirs["errors"]["missing_file"] == 70006
    assert theirs["errors"]["corrupt_wav"] == 220180
    assert theirs["errors"]["recorder_mp3"] == 70012
    assert theirs["errors"]["capture_dev_5"] == 420004
    assert theirs["errors"]["bad_digit"] == 220106
    with pytest.raises(pj.Error) as e:
        pj.AudioMediaPlayer().createPlayer(str(tmp_path / "nope.wav"))
    assert e.value.title == "AudioMediaPlayer::createPlayer()" and e.value.reason
    ep.libDestroy()


def test_objects_without_media_raise_instead_of_aborting(tmp_path):
    """PJSUA2 asserts (and aborts the process) on these."""
    for work in (
        lambda: pj.AudioMedia().getPortInfo(),
        lambda: pj.AudioMediaPlayer().getInfo(),
        lambda: pj.AudioMediaPlayer().getPos(),
        lambda: pj.ToneGenerator().isBusy(),
        lambda: pj.AudioMediaPort().adjustRxLevel(0.5),
        lambda: pj.AudioMediaPlayer().createPlayer("x.wav"),  # no library
        lambda: pj.AudioMedia().startTransmit(pj.AudioMedia()),
    ):
        with pytest.raises(pj.Error):
            work()
    assert pj.AudioMedia().getPortId() == pj.AudioMediaRecorder().getPortId() == -1
    with pytest.raises(TypeError):
        pj.AudioMedia().startTransmit("not a media")
    with pytest.raises(TypeError):
        pj.Media()
    ep = start()
    player = pj.AudioMediaPlayer()
    player.createPlayer(write_wav(tmp_path / "tone.wav", tone_samples(1000, RATE)))
    port = player.getPortId()
    ep.libDestroy()
    with pytest.raises(pj.Error):
        player.getPos()
    with pytest.raises(pj.Error):
        player.getPortInfo()
    assert player.getPortId() == port
    del player  # stale: harmless
    collect()


# Lifetimes.


def test_ports_leave_the_bridge_when_their_objects_are_collected(tmp_path):
    ep = start()
    path = write_wav(tmp_path / "tone.wav", tone_samples(1000, RATE))
    player = Eof()  # its onEof2 is kept by the Rust side
    player.createPlayer(path)
    port = Source(1000)  # its frame callbacks are kept by the Rust side
    port.createPort("source", mono16k())
    gen = pj.ToneGenerator()
    gen.createToneGenerator()
    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder(str(tmp_path / "rec.wav"))
    port.startTransmit(recorder)
    player.startTransmit(recorder)
    assert ep.mediaActivePorts() == 5
    refs = [weakref.ref(o) for o in (player, port, gen, recorder)]
    assert poll(ep, lambda: port.made >= RATE // 5, timeout=20)

    del player
    collect()
    assert ep.mediaActivePorts() == 4
    # A reference cycle through the object itself is collected too.
    port.me = port
    del port
    collect()
    assert ep.mediaActivePorts() == 3
    del gen
    assert ep.mediaActivePorts() == 2
    del recorder  # completes the file
    collect()
    assert ep.mediaActivePorts() == 1
    assert [r() for r in refs] == [None] * 4
    _, _, samples = read_wav(tmp_path / "rec.wav")
    assert len(samples) >= RATE // 5
    data = (tmp_path / "rec.wav").read_bytes()
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8  # the RIFF size is final
    ep.libDestroy()


def test_a_port_dropped_from_its_own_callback():
    """The last reference goes on the media clock's thread, inside the
    tick: the port leaves at the next one, nothing deadlocks."""
    ep = start()
    kept = {}

    class Once(pj.AudioMediaPort):
        calls = 0

        def onFrameRequested(self, frame):
            Once.calls += 1
            kept.clear()

    port = Once()
    port.createPort("once", mono16k())
    port.startTransmit(ep.audDevManager().getPlaybackDevMedia())
    kept["port"] = port
    del port
    assert poll(ep, lambda: ep.mediaActivePorts() == 1, timeout=20)
    calls = Once.calls
    poll(ep, lambda: Once.calls > calls, timeout=0.3)
    assert Once.calls == calls
    ep.libDestroy()


def test_a_player_dropped_from_its_own_on_eof2(tmp_path):
    """PJSUA2 warns not to destroy a player from onEof2; here it leaves the
    bridge at once."""
    ep = start()
    kept = {}

    class Once(pj.AudioMediaPlayer):
        def onEof2(self):
            kept.clear()

    player = Once()
    player.createPlayer(
        write_wav(tmp_path / "short.wav", tone_samples(1000, RATE // 10)), pj.PJMEDIA_FILE_NO_LOOP
    )
    player.startTransmit(ep.audDevManager().getPlaybackDevMedia())
    kept["player"] = weakref.ref(player)
    kept["strong"] = player
    del player
    assert poll(ep, lambda: not kept, timeout=20)
    assert ep.mediaActivePorts() == 1
    ep.libDestroy()


def test_callback_exceptions_are_reported_and_rate_limited(tmp_path, monkeypatch):
    ep = start()
    reported = []
    monkeypatch.setattr("sys.excepthook", lambda *exc: reported.append(exc[1]))

    class Broken(pj.AudioMediaPort):
        calls = 0

        def onFrameRequested(self, frame):
            Broken.calls += 1
            raise ValueError("broken source")

    class BrokenPlayer(pj.AudioMediaPlayer):
        def onEof2(self):
            raise RuntimeError("broken player")

    port = Broken()
    port.createPort("broken", mono16k())
    port.startTransmit(ep.audDevManager().getPlaybackDevMedia())
    assert poll(ep, lambda: Broken.calls >= 60, timeout=20)
    assert 1 <= sum(isinstance(e, ValueError) for e in reported) <= 3
    assert str(reported[0]) == "broken source"
    del port
    collect()
    player = BrokenPlayer()
    player.createPlayer(
        write_wav(tmp_path / "short.wav", tone_samples(1000, RATE // 10)), pj.PJMEDIA_FILE_NO_LOOP
    )
    player.startTransmit(ep.audDevManager().getPlaybackDevMedia())  # a port nobody hears is idle
    assert poll(ep, lambda: any(isinstance(e, RuntimeError) for e in reported), timeout=20)
    assert ep.libHandleEvents(10) >= 0  # the library goes on
    ep.libDestroy()


def test_the_media_api_refuses_to_be_called_from_a_frame_callback():
    ep = start()
    seen = []

    class Curious(pj.AudioMediaPort):
        def onFrameReceived(self, frame):
            if not seen:
                try:
                    self.getPortInfo()
                    seen.append("no error")
                except pj.Error as e:
                    seen.append(e.status)

    port = Curious()
    port.createPort("curious", mono16k())
    gen = pj.ToneGenerator()
    gen.createToneGenerator()
    gen.startTransmit(port)
    assert poll(ep, lambda: seen, timeout=20)
    assert seen == [70013]  # PJ_EINVALIDOP, not a deadlock
    ep.libDestroy()


STRESS = """
import threading, time, gc, struct
import ferrosip as pj

ep = pj.Endpoint(); ep.libCreate()
cfg = pj.EpConfig(); cfg.uaConfig.threadCnt = 0; cfg.logConfig.consoleLevel = 0
ep.libInit(cfg); ep.audDevManager().setNullDev(); ep.libStart()
fmt = pj.MediaFormatAudio(); fmt.init(0, 16000, 1, 20000, 16)

class Busy(pj.AudioMediaPort):
    frames = 0
    def onFrameRequested(self, frame):
        Busy.frames += 1
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        frame.buf = bytes(frame.size)
    def onFrameReceived(self, frame):
        Busy.frames += 1
        sum(frame.buf)

ports = []
for i in range(4):
    p = Busy(); p.createPort("busy%d" % i, fmt); ports.append(p)
for a in ports:
    for b in ports:
        a.startTransmit(b)

stop = False
calls = [0]
def hammer():
    while not stop:
        for p in ports:
            p.getPortInfo(); p.adjustRxLevel(1.0); p.getTxLevel()
        extra = Busy(); extra.createPort("extra", fmt); ports[0].startTransmit(extra)
        del extra
        gc.collect()
        calls[0] += 1

threads = [threading.Thread(target=hammer) for _ in range(3)]
for t in threads: t.start()
end = time.time() + 2
while time.time() < end:
    ep.libHandleEvents(5)
    ep.mediaEnumPorts2()
stop = True
for t in threads: t.join(20)
alive = all(not t.is_alive() for t in threads)
print("ALIVE", alive, Busy.frames > 100, calls[0] > 10, ep.mediaActivePorts())
ep.libDestroy()
print("DONE")
"""


def test_no_deadlock_between_frame_callbacks_and_api_calls():
    """Threads calling the media API while the media clock runs Python
    frame callbacks (which need the GIL): in a subprocess, so that a
    deadlock is a timeout, not a hung test run."""
    out = run_program(STRESS, "ferrosip", timeout=60)
    assert not out.timed_out, out
    assert out.returncode == 0, out
    assert out.lines("ALIVE") == ["ALIVE True True True 5"], out
    assert out.lines("DONE") == ["DONE"]


# Data classes and vectors.


def test_data_classes_as_pjsua2():
    d = pj.ToneDigit()
    assert d.digit == "\0" and (d.on_msec, d.off_msec, d.volume) == (0, 0, 0)
    d.digit = "5"
    assert d.digit == "5"
    frame = pj.MediaFrame()
    assert (frame.type, frame.size, list(frame.buf), type(frame.buf)) == (0, 0, [], pj.ByteVector)
    frame.buf = b"\x01\x02"  # bytes too (PJSUA2 takes only a ByteVector)
    assert frame.buf == [1, 2] and bytes(frame.buf) == b"\x01\x02"
    fmt = pj.MediaFormatAudio()
    fmt.init(0, 8000, 2, 10000, 16, 1, 2)
    assert fmt == pj.MediaFormatAudio(
        id=0, type=pj.PJMEDIA_TYPE_AUDIO, clockRate=8000, channelCount=2, frameTimeUsec=10000,
        bitsPerSample=16, avgBps=1, maxBps=2,
    )  # fmt: skip
    assert type(pj.CodecParam().setting.encFmtp) is pj.CodecFmtpVector
    for vec, item in (
        (pj.ToneDescVector, pj.ToneDesc),
        (pj.ToneDigitVector, pj.ToneDigit),
        (pj.ToneDigitMapVector, pj.ToneDigitMapDigit),
        (pj.CodecInfoVector2, pj.CodecInfo),
        (pj.AudioDevInfoVector2, pj.AudioDevInfo),
    ):
        v = vec([item()])
        assert len(v) == 1 and type(v[0]) is item
        with pytest.raises(TypeError):
            v.append(pj.SipHeader())
    media = pj.AudioMedia()
    v = pj.AudioMediaVector2([media])
    assert v[0] is media
    with pytest.raises(TypeError):
        v.append(pj.ToneDesc())


# Assignments tried on both PJSUA2 and ferrosip: (class, field, value).
ASSIGNMENTS = [
    ("ToneDigit", "digit", "5"),
    ("ToneDigit", "digit", ""),
    ("ToneDigit", "digit", 5),
    ("ToneDigit", "digit", "55"),
    ("ToneDigit", "digit", "é"),
    ("ToneDigit", "digit", None),
    ("ToneDesc", "freq1", 32767),
    ("ToneDesc", "freq1", 32768),
    ("ToneDesc", "on_msec", -32769),
    ("ToneDesc", "freq2", 1.5),
    ("CodecInfo", "priority", 255),
    ("CodecInfo", "priority", 256),
    ("ConfPortInfo", "rxLevelAdj", 0.5),
    ("MediaFrame", "type", 1),
]


def test_assignment_rules_are_pjsua2s(pjsua2):
    theirs = run_oracle("assign", json.dumps(ASSIGNMENTS))
    for (cls, field, value), expected in zip(ASSIGNMENTS, theirs):
        obj = getattr(pj, cls)()
        try:
            setattr(obj, field, value)
            got = {"ok": getattr(obj, field)}
        except Exception as e:  # noqa: BLE001 - the exception's type is compared
            got = {"raises": type(e).__name__}
        assert got == expected, f"{cls}.{field} = {value!r}"


def test_stubs_cover_the_media_classes():
    import ast

    stubs = Path(pj.__file__).with_name("__init__.pyi").read_text()
    tree = ast.parse(stubs)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}

    def declared(name):
        """The methods the stub declares for class `name` and its bases."""
        node = classes[name]
        names = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                names |= declared(base.id)
        return names

    for name in (
        "Media", "AudioMedia", "AudioMediaPlayer", "AudioMediaRecorder", "ToneGenerator",
        "AudioMediaPort", "ExtraAudioDevice", "AudDevManager",
    ):  # fmt: skip
        assert name in classes, name
        public = {a for a in dir(getattr(pj, name)) if not a.startswith("_")}
        assert public <= declared(name), (name, public - declared(name))
        assert getattr(pj, name).__doc__, name
    for name in (
        "AudioMediaVector", "AudioMediaVector2", "ToneDescVector", "ToneDigitVector",
        "ToneDigitMapVector", "CodecInfoVector2", "AudioDevInfoVector2", "CodecFmtpVector",
    ):  # fmt: skip
        assert name in classes, name
    assert {"audDevManager", "codecEnum2", "mediaEnumPorts2", "codecSetParam"} <= declared(
        "Endpoint"
    )


# A PJSUA2 program, unchanged but for its import.

SAMPLE = """\
import pjsua2 as pj
import time

# Subclass to get the end-of-file notification
class Player(pj.AudioMediaPlayer):
    def __init__(self):
        pj.AudioMediaPlayer.__init__(self)
        self.finished = False

    def onEof2(self):
        print("*** onEof2")
        self.finished = True

def main():
    ep = pj.Endpoint()
    ep.libCreate()
    ep_cfg = pj.EpConfig()
    ep_cfg.uaConfig.threadCnt = 0
    ep_cfg.logConfig.consoleLevel = 0
    ep.libInit(ep_cfg)
    # No sound device on this machine: let the null device clock the bridge
    ep.audDevManager().setNullDev()
    ep.libStart()

    player = Player()
    player.createPlayer("{SRC}", pj.PJMEDIA_FILE_NO_LOOP)
    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder("{DST}")
    player.startTransmit(recorder)
    print("*** player port %d, recorder port %d" % (player.getPortId(), recorder.getPortId()))
    print("*** %d ports" % ep.mediaActivePorts())
    info = player.getInfo()
    print("*** %d samples, %d bytes" % (info.sizeSamples, info.sizeBytes))

    deadline = time.time() + 10
    while not player.finished and time.time() < deadline:
        ep.libHandleEvents(10)

    player.stopTransmit(recorder)
    del recorder
    del player
    print("*** after del: %d ports" % ep.mediaActivePorts())
    ep.libDestroy()

if __name__ == "__main__":
    main()
"""


def run_sample(module, tmp_path):
    src = write_wav(tmp_path / "tone.wav", tone_samples(1000, RATE))
    dst = tmp_path / f"copy-{module}.wav"
    program = SAMPLE.replace("import pjsua2 as pj", f"import {module} as pj")
    out = run_program(program, module, timeout=60, SRC=src, DST=dst)
    assert out.returncode == 0, out
    _, _, samples = read_wav(dst)
    start_at = next(i for i, s in enumerate(samples) if abs(s) > 1000)
    window = samples[start_at : start_at + 4000]
    assert goertzel(window, 1000) > 100 * goertzel(window, 1500)
    return out


def test_pjsua2_sample_plays_a_file_into_a_recorder(tmp_path):
    ours = run_sample("ferrosip", tmp_path)
    assert ours.lines("***") == [
        "*** player port 1, recorder port 2",
        "*** 3 ports",
        "*** 16000 samples, 32000 bytes",
        "*** onEof2",
        "*** after del: 1 ports",  # gone at once when deleted
    ], ours


def test_pjsua2_sample_prints_the_same_as_pjsua2(tmp_path, pjsua2):
    real = run_sample("pjsua2", tmp_path)
    ours = run_sample("ferrosip", tmp_path)
    # But for the ports left after `del`: PJSUA2's director objects linger
    # (the garbage-collection problems of its documentation).
    assert real.lines("***")[:-1] == ours.lines("***")[:-1], (real, ours)


def test_the_garbage_collector_traverses_media_objects_safely():
    """Regression: gc.collect() with media objects alive crashed the
    interpreter (PyO3's traversal of AudioMediaPlayer, whose base had a
    __dict__ slot)."""
    ep = start()

    class Mine(pj.AudioMediaPlayer):
        def __init__(self):
            super().__init__()
            self.attribute = [self]  # a cycle the collector must walk

    alive = [
        pj.AudioMedia(),
        pj.AudioMediaPlayer(),
        pj.AudioMediaRecorder(),
        pj.ToneGenerator(),
        pj.AudioMediaPort(),
        Mine(),
    ]
    collect()
    del alive
    collect()
    ep.libDestroy()

"""The Python half of PJSUA2's ``Call`` (``src/call.rs``): the ``Call``
class applications subclass, and the plain data a call reports
(``CallInfo``, ``CallMediaInfo``, ``TimeVal``, ``StreamInfo``,
``StreamStat`` and its parts) and its callbacks receive (``SipEvent``,
``OnIncomingCallParam``, ``OnCallStateParam``, ...).

The data classes are plain Python objects with PJSUA2's field names,
types and defaults; the Rust side builds them from JSON (``_from_json``).
"""

import json

from . import _ferrosip
from ._ferrosip import Deferred as _Deferred
from ._config import from_json as _config_from_json
from ._vectors import object_vector

__all__ = [
    "Call",
    "CallInfo",
    "CallMediaInfo",
    "CallMediaInfoVector",
    "JbufState",
    "LossType",
    "MathStat",
    "OnCallMediaStateParam",
    "OnCallRedirectedParam",
    "OnCallReplaceRequestParam",
    "OnCallReplacedParam",
    "OnCallRxOfferParam",
    "OnCallSdpCreatedParam",
    "OnCallTransferRequestParam",
    "OnCallTransferStatusParam",
    "OnDtmfDigitParam",
    "OnDtmfEventParam",
    "OnInstantMessageParam",
    "OnInstantMessageStatusParam",
    "OnTypingIndicationParam",
    "OnCallStateParam",
    "OnCallTsxStateParam",
    "OnIncomingCallParam",
    "OnStreamCreatedParam",
    "OnStreamDestroyedParam",
    "RtcpSdes",
    "RtcpStat",
    "RtcpStreamStat",
    "RxMsgEvent",
    "SipEvent",
    "SipEventBody",
    "SipTransaction",
    "SipTxData",
    "TimerEvent",
    "TsxStateEvent",
    "TsxStateEventSrc",
    "TxErrorEvent",
    "TxMsgEvent",
    "UserEvent",
    "StreamInfo",
    "StreamStat",
    "TimeVal",
]

PJSUA_INVALID_ID = -1
PJSIP_REDIRECT_STOP = 4


class _Data:
    """Plain data with PJSUA2's fields: ``_fields`` maps each field's name to
    the factory of its default (``int``, ``str``, ``bool``, a data class, a
    config class or a vector). The fields in ``_lazy`` may hold a
    ``Deferred`` from the Rust side, converted when first read (see
    ``_slotted``)."""

    __slots__ = ()
    _fields: dict = {}
    _lazy: tuple = ()

    def __init__(self):
        for name, make in self._fields.items():
            setattr(self, name, make())

    def __repr__(self):
        values = ", ".join(f"{n}={getattr(self, n, None)!r}" for n in self._fields)
        return f"{type(self).__name__}({values})"

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, n) == getattr(other, n) for n in self._fields
        )

    __hash__ = None

    @classmethod
    def _from(cls, value):
        """An object of this class from its JSON value (a dict). Each field
        is made once: from the value when it has the field, else its
        default (making every default first and then replacing it cost
        more than a thousand objects per call in nested events)."""
        obj = cls.__new__(cls)
        for name, make, convert in _plan(cls):
            if name in value:
                setattr(obj, name, convert(value[name]))
            else:
                setattr(obj, name, make())
        return obj


_PLANS = {}


def _plan(cls):
    """(name, default factory, converter from JSON) of each field of `cls`,
    worked out once per class."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = tuple((n, m, _converter(m)) for n, m in cls._fields.items())
    return plan


def _identity(value):
    return value


def _converter(make):
    """How a JSON value becomes the value of a field whose default comes
    from `make`."""
    if isinstance(make, type) and issubclass(make, _Data):
        return make._from
    if make is CallMediaInfoVector:
        return lambda value: CallMediaInfoVector([CallMediaInfo._from(v) for v in value])
    name = getattr(make, "_config_name", None)
    if name is not None:
        return lambda value: _config_from_json(name, json.dumps(value))
    return _identity


def _config(name):
    """The factory of config class `name` (of ``_config``), tagged for
    ``_convert``."""

    def make():
        return getattr(_config_module(), name)()

    make._config_name = name
    return make


def _config_module():
    from . import _config as module

    return module


def _lazy_field(name, convert):
    """The property of lazy field `name`: its slot ``_lazy_<name>`` holds
    the value, or a ``Deferred`` (a Rust value) converted from its JSON by
    `convert` when first read, as SWIG converts PJSUA2's fields on access."""
    slot = "_lazy_" + name

    def get(self):
        value = getattr(self, slot)
        if type(value) is _Deferred:
            value = convert(json.loads(value.json()))
            setattr(self, slot, value)
        return value

    def put(self, value):
        setattr(self, slot, value)

    return property(get, put)


def _slotted(cls):
    """Gives a data class ``__slots__`` for its fields, as PJSUA2's SWIG
    objects refuse unknown attributes (a typo raises instead of being lost);
    a field in ``_lazy`` gets a property over the slot ``_lazy_<name>``."""
    lazy = cls._lazy
    namespace = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
    namespace["__slots__"] = tuple(n for n in cls._fields if n not in lazy) + tuple(
        "_lazy_" + n for n in lazy
    )
    for name in lazy:
        namespace[name] = _lazy_field(name, _converter(cls._fields[name]))
    return type(cls.__name__, cls.__bases__, namespace)


@_slotted
class TimeVal(_Data):
    """PJSUA2's ``TimeVal``: a time or duration in seconds and
    milliseconds."""

    _fields = {"sec": int, "msec": int}


@_slotted
class CallMediaInfo(_Data):
    """PJSUA2's ``CallMediaInfo``: one media line of a call (``index`` in
    the SDP, ``type`` ``PJMEDIA_TYPE_AUDIO``, ``dir`` a ``PJMEDIA_DIR_*``,
    ``status`` a ``PJSUA_CALL_MEDIA_*``, ``audioConfSlot`` the conference
    port of its stream or -1, ``videoIncomingWindowId`` -1 and
    ``videoCapDev`` ``PJMEDIA_VID_INVALID_DEV``: ferrosip has no video)."""

    _fields = {
        "index": lambda: 255,  # PJSUA2's default
        "type": int,
        "dir": int,
        "status": int,
        "audioConfSlot": lambda: -1,
        "videoIncomingWindowId": lambda: -1,
        "videoCapDev": lambda: -3,
    }


CallMediaInfoVector = object_vector(CallMediaInfo, "CallMediaInfoVector")


@_slotted
class CallInfo(_Data):
    """PJSUA2's ``CallInfo``, what ``Call.getInfo()`` reports: ``id``,
    ``role`` (``PJSIP_ROLE_UAC``/``UAS``), ``accId``, ``localUri``,
    ``localContact``, ``remoteUri``, ``remoteContact``, ``callIdString``,
    ``setting`` (a ``CallSetting``), ``state`` (a ``PJSIP_INV_STATE_*``),
    ``stateText`` (PJSIP's name: ``"CONFIRMED"``, ``"DISCONNECTED"``),
    ``lastStatusCode``, ``lastReason``, ``media`` and ``provMedia``
    (``CallMediaInfoVector``), ``connectDuration`` and ``totalDuration``
    (``TimeVal``), ``remOfferer``, ``remAudioCount``, ``remVideoCount``."""

    _fields = {
        "id": lambda: PJSUA_INVALID_ID,
        "role": int,
        "accId": lambda: PJSUA_INVALID_ID,
        "localUri": str,
        "localContact": str,
        "remoteUri": str,
        "remoteContact": str,
        "callIdString": str,
        "setting": _config("CallSetting"),
        "state": int,
        "stateText": str,
        "lastStatusCode": int,
        "lastReason": str,
        "media": CallMediaInfoVector,
        "provMedia": CallMediaInfoVector,
        "connectDuration": TimeVal,
        "totalDuration": TimeVal,
        "remOfferer": bool,
        "remAudioCount": int,
        "remVideoCount": int,
    }
    _lazy = ("setting",)


@_slotted
class StreamInfo(_Data):
    """PJSUA2's ``StreamInfo``: how a media line's stream was set up (codec,
    payload types, peer addresses, jitter buffer)."""

    _fields = {
        "type": int,
        "proto": int,
        "dir": int,
        "remoteRtpAddress": str,
        "remoteRtcpAddress": str,
        "txPt": int,
        "rxPt": int,
        "audTxEventPt": int,
        "audRxEventPt": int,
        "codecName": str,
        "codecClockRate": int,
        "audCodecParam": _config("CodecParam"),
        "jbInit": lambda: -1,
        "jbMinPre": lambda: -1,
        "jbMaxPre": lambda: -1,
        "jbMax": lambda: -1,
        "jbDiscardAlgo": int,
        "rtcpSdesByeDisabled": bool,
    }


@_slotted
class MathStat(_Data):
    """PJSUA2's ``MathStat``: count, extremes, last and mean of a measure."""

    _fields = {"n": int, "max": int, "min": int, "last": int, "mean": int}


@_slotted
class LossType(_Data):
    """PJSUA2's ``LossType``: whether losses came in bursts or at random."""

    _fields = {"burst": int, "random": int}


@_slotted
class RtcpStreamStat(_Data):
    """PJSUA2's ``RtcpStreamStat``: one direction's RTP statistics."""

    _fields = {
        "update": TimeVal,
        "updateCount": int,
        "pkt": int,
        "bytes": int,
        "discard": int,
        "loss": int,
        "reorder": int,
        "dup": int,
        "lossPeriodUsec": MathStat,
        "lossType": LossType,
        "jitterUsec": MathStat,
    }


@_slotted
class RtcpSdes(_Data):
    """PJSUA2's ``RtcpSdes``: the peer's RTCP source description."""

    _fields = {
        "cname": str,
        "name": str,
        "email": str,
        "phone": str,
        "loc": str,
        "tool": str,
        "note": str,
    }


@_slotted
class RtcpStat(_Data):
    """PJSUA2's ``RtcpStat``: a stream's RTP/RTCP statistics (``start`` is
    the wall-clock time the session started)."""

    _fields = {
        "start": TimeVal,
        "txStat": RtcpStreamStat,
        "rxStat": RtcpStreamStat,
        "rttUsec": MathStat,
        "rtpTxLastTs": int,
        "rtpTxLastSeq": int,
        "rxIpdvUsec": MathStat,
        "rxRawJitterUsec": MathStat,
        "peerSdes": RtcpSdes,
    }


@_slotted
class JbufState(_Data):
    """PJSUA2's ``JbufState``: the jitter buffer's state."""

    _fields = {
        "frameSize": int,
        "minPrefetch": int,
        "maxPrefetch": int,
        "burst": int,
        "prefetch": int,
        "size": int,
        "avgDelayMsec": int,
        "minDelayMsec": int,
        "maxDelayMsec": int,
        "devDelayMsec": int,
        "avgBurst": int,
        "lost": int,
        "discard": int,
        "empty": int,
    }


@_slotted
class StreamStat(_Data):
    """PJSUA2's ``StreamStat``: what ``Call.getStreamStat()`` reports."""

    _fields = {"rtcp": RtcpStat, "jbuf": JbufState}


def _rx_from(value):
    """A ``SipRxData`` from its JSON value."""
    rdata = _ferrosip.SipRxData()
    rdata.info = value.get("info", "")
    rdata.wholeMsg = value.get("wholeMsg", "")
    rdata.srcAddress = value.get("srcAddress", "")
    return rdata


@_slotted
class SipTxData(_Data):
    """PJSUA2's ``SipTxData``: a message sent (``info``, a one-line summary;
    ``wholeMsg``, its text; ``dstAddress``, not carried yet)."""

    _fields = {"info": str, "wholeMsg": str, "dstAddress": str, "pjTxData": lambda: None}


@_slotted
class SipTransaction(_Data):
    """PJSUA2's ``SipTransaction``: ``role`` (``PJSIP_ROLE_UAC``/``UAS``),
    ``method``, ``statusCode``, ``statusText``, ``state`` (a
    ``PJSIP_TSX_STATE_*``), ``lastTx`` (the last message it sent)."""

    _fields = {
        "role": int,
        "method": str,
        "statusCode": int,
        "statusText": str,
        "state": int,
        "lastTx": SipTxData,
        "pjTransaction": lambda: None,
    }


@_slotted
class TsxStateEventSrc(_Data):
    """PJSUA2's ``TsxStateEventSrc``: the message received (``rdata``) or
    sent (``tdata``) that changed the transaction, or a transport error's
    ``status``."""

    _fields = {
        "rdata": lambda: _ferrosip.SipRxData(),
        "tdata": SipTxData,
        "timer": lambda: None,
        "status": int,
        "data": lambda: None,
    }

    @classmethod
    def _from(cls, value):
        value = dict(value)
        rdata = value.pop("rdata", None)
        obj = _Data._from.__func__(cls, value)
        if rdata is not None:
            obj.rdata = _rx_from(rdata)
        return obj


@_slotted
class TsxStateEvent(_Data):
    """PJSUA2's ``TsxStateEvent``: ``tsx`` (the transaction after the
    change), ``src`` (what made it), ``prevState``, ``type`` (a
    ``PJSIP_EVENT_*``: ``TX_MSG``, ``RX_MSG``, ``TIMER``, ``USER``)."""

    _fields = {"src": TsxStateEventSrc, "tsx": SipTransaction, "prevState": int, "type": int}


@_slotted
class TxMsgEvent(_Data):
    """PJSUA2's ``TxMsgEvent``: ``tdata``, the message sent."""

    _fields = {"tdata": SipTxData}


@_slotted
class RxMsgEvent(_Data):
    """PJSUA2's ``RxMsgEvent``: ``rdata``, the message received."""

    _fields = {"rdata": lambda: _ferrosip.SipRxData()}

    @classmethod
    def _from(cls, value):
        obj = cls()
        if "rdata" in value:
            obj.rdata = _rx_from(value["rdata"])
        return obj


@_slotted
class TimerEvent(_Data):
    """PJSUA2's ``TimerEvent`` (``entry``, not carried)."""

    _fields = {"entry": lambda: None}


@_slotted
class TxErrorEvent(_Data):
    """PJSUA2's ``TxErrorEvent`` (not reported by ferrosip yet)."""

    _fields = {"tdata": SipTxData, "tsx": SipTransaction}


@_slotted
class UserEvent(_Data):
    """PJSUA2's ``UserEvent`` (its pointers are not carried)."""

    _fields = {"user1": lambda: None, "user2": lambda: None, "user3": lambda: None, "user4": lambda: None}


@_slotted
class SipEventBody(_Data):
    """PJSUA2's ``SipEventBody``: the part the event's ``type`` names
    (``tsxState`` for ``PJSIP_EVENT_TSX_STATE``, ``txMsg``, ``rxMsg``)."""

    _fields = {
        "timer": TimerEvent,
        "tsxState": TsxStateEvent,
        "txMsg": TxMsgEvent,
        "txError": TxErrorEvent,
        "rxMsg": RxMsgEvent,
        "user": UserEvent,
    }


@_slotted
class SipEvent(_Data):
    """PJSUA2's ``SipEvent``: what caused a change of a call — ``type`` (a
    ``PJSIP_EVENT_*``) and ``body``, with the message as text (e.g.
    ``e.body.tsxState.src.rdata.wholeMsg`` for the request or response
    received, ``e.body.tsxState.tsx.lastTx`` for the last one sent,
    ``e.body.txMsg.tdata`` for the ACK that confirmed a call)."""

    _fields = {"type": int, "body": SipEventBody, "pjEvent": lambda: None}


@_slotted
class OnIncomingCallParam(_Data):
    """PJSUA2's ``OnIncomingCallParam``: ``Account.onIncomingCall`` gets the
    call's id (``callId``, for ``Call(acc, prm.callId)``) and the INVITE
    (``rdata``, a ``SipRxData``: ``info``, ``wholeMsg``, ``srcAddress``)."""

    _fields = {"callId": int, "rdata": lambda: _ferrosip.SipRxData()}

    @classmethod
    def _from(cls, value):
        obj = cls()
        obj.callId = value["callId"]
        if "rdata" in value:
            obj.rdata = _rx_from(value["rdata"])
        return obj


@_slotted
class OnCallStateParam(_Data):
    """PJSUA2's ``OnCallStateParam``: ``e``, the ``SipEvent``. ferrosip adds
    ``state``, ``code`` and ``reason``: the state the call entered and the
    status then (``getInfo()`` shows the state now, which may be later)."""

    _fields = {"e": SipEvent, "state": int, "code": int, "reason": str}
    _lazy = ("e",)


@_slotted
class OnCallMediaStateParam(_Data):
    """PJSUA2's ``OnCallMediaStateParam`` (no fields): read
    ``getInfo().media`` and connect ``getAudioMedia()``."""

    _fields = {}


@_slotted
class OnCallTsxStateParam(_Data):
    """PJSUA2's ``OnCallTsxStateParam``: ``e``, the ``SipEvent`` of a
    transaction of the call changing state (every transaction: INVITE,
    re-INVITE, UPDATE, BYE, CANCEL, INFO, MESSAGE, REFER, ...)."""

    _fields = {"e": SipEvent}
    _lazy = ("e",)


@_slotted
class OnStreamCreatedParam(_Data):
    """PJSUA2's ``OnStreamCreatedParam``: ``stream`` (the stream's
    ``AudioMedia`` in the bridge), ``streamIdx`` (its media line);
    ``destroyPort`` and ``pPort`` (PJSUA2's port replacement) are kept but
    not used."""

    _fields = {"stream": lambda: None, "streamIdx": int, "destroyPort": bool, "pPort": int}


@_slotted
class OnStreamDestroyedParam(_Data):
    """PJSUA2's ``OnStreamDestroyedParam``: ``stream`` (its ``AudioMedia``,
    still in the bridge during the callback) and ``streamIdx``."""

    _fields = {"stream": lambda: None, "streamIdx": int}


def _rdata():
    return _ferrosip.SipRxData()


class _WithRdata(_Data):
    """Data with an ``rdata`` (a ``SipRxData``) built from its JSON."""

    __slots__ = ()

    @classmethod
    def _from(cls, value):
        value = dict(value)
        text = value.pop("rdata", None)
        obj = _Data._from.__func__(cls, value)
        if text is not None:
            rdata = _ferrosip.SipRxData()
            rdata.info = text["info"]
            rdata.wholeMsg = text["wholeMsg"]
            rdata.srcAddress = text["srcAddress"]
            obj.rdata = rdata
        return obj


def _token(value):
    return None if value == 0 else value


@_slotted
class OnDtmfDigitParam(_Data):
    """PJSUA2's ``OnDtmfDigitParam``: a DTMF digit came (``method`` a
    ``PJSUA_DTMF_METHOD_*``, ``digit``, ``duration`` in ms)."""

    _fields = {"method": int, "digit": str, "duration": int}


@_slotted
class OnDtmfEventParam(_Data):
    """PJSUA2's ``OnDtmfEventParam``: a DTMF digit started or ended
    (``flags`` ``PJMEDIA_STREAM_DTMF_IS_END`` at its end)."""

    _fields = {"method": int, "timestamp": int, "digit": str, "duration": int, "flags": int}


@_slotted
class OnInstantMessageParam(_WithRdata):
    """PJSUA2's ``OnInstantMessageParam``: a MESSAGE came within the call."""

    _fields = {
        "fromUri": str,
        "toUri": str,
        "contactUri": str,
        "contentType": str,
        "msgBody": str,
        "rdata": _rdata,
    }


@_slotted
class OnTypingIndicationParam(_WithRdata):
    """PJSUA2's ``OnTypingIndicationParam``: the peer is (not) typing."""

    _fields = {"fromUri": str, "toUri": str, "contactUri": str, "isTyping": bool, "rdata": _rdata}


@_slotted
class OnInstantMessageStatusParam(_WithRdata):
    """PJSUA2's ``OnInstantMessageStatusParam``: the answer to
    ``sendInstantMessage`` (``userData`` as given there, ``code``,
    ``reason``)."""

    _fields = {
        "userData": lambda: None,
        "toUri": str,
        "msgBody": str,
        "code": int,
        "reason": str,
        "rdata": _rdata,
    }

    @classmethod
    def _from(cls, value):
        obj = _WithRdata._from.__func__(cls, value)
        obj.userData = _token(obj.userData)
        return obj


@_slotted
class OnCallRxOfferParam(_Data):
    """PJSUA2's ``OnCallRxOfferParam``: the peer sent a new offer. In ferrosip
    a notification: the answer has been made when it comes (changing
    ``statusCode`` or ``opt`` has no effect)."""

    _fields = {"offer": _config("SdpSession"), "statusCode": int, "opt": _config("CallSetting")}


@_slotted
class OnCallSdpCreatedParam(_Data):
    """PJSUA2's ``OnCallSdpCreatedParam``: our SDP offer or answer was made
    and waits to be sent. Change ``sdp.wholeSdp`` to send something else
    (an SDP that does not parse, or with other media lines, is not used:
    the one made goes). ``remSdp`` is the peer's offer it answers (empty
    for an offer)."""

    _fields = {"sdp": _config("SdpSession"), "remSdp": _config("SdpSession")}


@_slotted
class OnCallTransferRequestParam(_Data):
    """PJSUA2's ``OnCallTransferRequestParam``: the peer asks us to call
    ``dstUri`` (which may be changed). Set ``statusCode`` to a final error
    to refuse, and ``newCall`` to a ``Call(acc)`` of yours to get the new
    call's callbacks (the library makes the call)."""

    _fields = {"dstUri": str, "statusCode": int, "opt": _config("CallSetting"), "newCall": lambda: None}


@_slotted
class OnCallTransferStatusParam(_Data):
    """PJSUA2's ``OnCallTransferStatusParam``: how the call we asked the
    peer to make goes; set ``cont`` false to get no more reports."""

    _fields = {"statusCode": int, "reason": str, "finalNotify": bool, "cont": bool}


@_slotted
class OnCallReplaceRequestParam(_WithRdata):
    """PJSUA2's ``OnCallReplaceRequestParam``: an INVITE with Replaces asks
    to replace this call (``statusCode`` 200 accepts; ``newCall`` as in
    ``OnCallTransferRequestParam``)."""

    _fields = {
        "rdata": _rdata,
        "statusCode": int,
        "reason": str,
        "opt": _config("CallSetting"),
        "newCall": lambda: None,
    }


@_slotted
class OnCallReplacedParam(_Data):
    """PJSUA2's ``OnCallReplacedParam``: this call was replaced by
    ``newCallId`` (``newCall``, its ``Call``, or None)."""

    _fields = {"newCallId": int, "newCall": lambda: None}


@_slotted
class OnCallRedirectedParam(_Data):
    """PJSUA2's ``OnCallRedirectedParam``: the INVITE was redirected to
    ``targetUri``; ``onCallRedirected`` returns a ``PJSIP_REDIRECT_*``."""

    _fields = {"targetUri": str, "e": SipEvent}


_CLASSES = {
    cls.__name__: cls
    for cls in (
        TimeVal,
        CallMediaInfo,
        CallInfo,
        StreamInfo,
        StreamStat,
        SipEvent,
        OnIncomingCallParam,
        OnCallStateParam,
        OnCallMediaStateParam,
        OnCallTsxStateParam,
        OnStreamCreatedParam,
        OnStreamDestroyedParam,
        OnDtmfDigitParam,
        OnDtmfEventParam,
        OnInstantMessageParam,
        OnTypingIndicationParam,
        OnInstantMessageStatusParam,
        OnCallRxOfferParam,
        OnCallSdpCreatedParam,
        OnCallTransferRequestParam,
        OnCallTransferStatusParam,
        OnCallReplaceRequestParam,
        OnCallReplacedParam,
        OnCallRedirectedParam,
    )
}


def _from_json(name, text):
    """The data object of class `name` from JSON `text` (called by the Rust
    side)."""
    return _CLASSES[name]._from(json.loads(text))


def _stream_param(name, stream, idx):
    """An ``OnStreamCreatedParam``/``OnStreamDestroyedParam`` (called by the
    Rust side)."""
    prm = _CLASSES[name]()
    prm.stream = stream
    prm.streamIdx = idx
    return prm


class Call(_ferrosip.Call):
    """PJSUA2's ``Call``: ``Call(acc)`` for a call to make with
    ``makeCall``, ``Call(acc, prm.callId)`` inside
    ``Account.onIncomingCall`` to take an incoming call. Subclass it and
    override ``onCallState``, ``onCallMediaState``, ... to get its
    callbacks.

    The library keeps the object alive while its call runs (no reference
    needs keeping) and lets go of it after ``onCallState`` reported
    DISCONNECTED. Collecting the object never ends a call, nor touches a
    later call with the same id.
    """

    def __init__(self, acc, call_id=PJSUA_INVALID_ID):
        _ferrosip.Call._bind(self, acc, call_id)

    def onCallState(self, prm):
        """Callback: the call's state changed (``getInfo().state``). The base
        class does nothing."""

    def onCallTsxState(self, prm):
        """Callback: a transaction of the call changed state. The base class
        does nothing."""

    def onCallMediaState(self, prm):
        """Callback: the call's media changed: connect ``getAudioMedia(i)``
        of the active lines. The base class does nothing."""

    def onStreamCreated(self, prm):
        """Callback: an audio stream joined the bridge. The base class does
        nothing."""

    def onStreamDestroyed(self, prm):
        """Callback: an audio stream is about to leave the bridge. The base
        class does nothing."""

    def onDtmfDigit(self, prm):
        """Callback: a DTMF digit came. The base class does nothing."""

    def onDtmfEvent(self, prm):
        """Callback: a DTMF digit started or ended. The base class does
        nothing."""

    def onInstantMessage(self, prm):
        """Callback: a MESSAGE came within the call. The base class does
        nothing."""

    def onInstantMessageStatus(self, prm):
        """Callback: the answer to ``sendInstantMessage``. The base class
        does nothing."""

    def onTypingIndication(self, prm):
        """Callback: a typing indication came. The base class does nothing."""

    def onCallRxOffer(self, prm):
        """Callback: the peer sent a new offer (a notification in ferrosip:
        already answered). The base class does nothing."""

    def onCallSdpCreated(self, prm):
        """Callback: our SDP offer or answer was made; change
        ``prm.sdp.wholeSdp`` to send another. Nothing is sent until it
        returns (a class that does not override it is not asked). The base
        class does nothing."""

    def onCallTransferRequest(self, prm):
        """Callback: the peer asks us to call ``prm.dstUri``; the base class
        accepts (202)."""

    def onCallTransferStatus(self, prm):
        """Callback: progress of the call the peer was asked to make. The
        base class does nothing."""

    def onCallReplaceRequest(self, prm):
        """Callback: an INVITE asks to replace this call; the base class
        accepts."""

    def onCallReplaced(self, prm):
        """Callback: this call was replaced by ``prm.newCallId``. The base
        class does nothing."""

    def onCallRedirected(self, prm):
        """Callback: the call was redirected to ``prm.targetUri``: return a
        ``PJSIP_REDIRECT_*``. The base class returns
        ``PJSIP_REDIRECT_STOP`` (the redirection is not followed)."""
        return PJSIP_REDIRECT_STOP

    def setUserData(self, user_data):
        """Attaches any object to the call (PJSUA2's ``void*``), for
        ``getUserData()``."""
        self._user_data = user_data

    def getUserData(self):
        """What ``setUserData`` attached, or None."""
        return getattr(self, "_user_data", None)

    def getMedia(self, med_idx):
        """The ``Media`` of media line ``med_idx`` (its ``AudioMedia``), or
        None."""
        try:
            return self.getAudioMedia(med_idx)
        except Exception:  # noqa: BLE001 - PJSUA2 returns NULL
            return None


Call.__module__ = "ferrosip"
for _cls in _CLASSES.values():
    _cls.__module__ = "ferrosip"
CallMediaInfoVector.__module__ = "ferrosip"

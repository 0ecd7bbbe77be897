"""ferrosip: a SIP/VoIP user agent with PJSUA2's Python API, written in Rust.

Port a PJSUA2 application by changing its import::

    import ferrosip as pj

Classes, methods, fields, constants and callbacks carry PJSUA2's names.
Differences from PJSUA2 that an application can notice are on purpose and
documented: no compile-time limits on accounts or calls, no thread
registration needed, and objects that cannot be crashed by the garbage
collector.
"""

from . import _ferrosip
from ._ferrosip import __version__
from ._constants import *  # noqa: F403  PJSUA2's integer constants, with its values
from ._vectors import ByteVector, IntVector, StringVector
from ._config import *  # noqa: F403  config classes, their vectors, PersistentObject
from ._ferrosip import ContainerNode, JsonDocument, PersistentDocument
from ._ferrosip import (  # the media classes (src/media.rs)
    AudDevManager,
    AudioMedia,
    AudioMediaPlayer,
    AudioMediaPort,
    AudioMediaRecorder,
    ExtraAudioDevice,
    Media,
    ToneGenerator,
)
from ._media import AudioMediaVector, AudioMediaVector2
from ._call import *  # noqa: F403  Call, CallInfo and the call's data (src/call.rs)
from ._ferrosip import (  # Endpoint, Account, LogWriter and their types
    Account,
    AccountInfo,
    Endpoint,
    LogEntry,
    LogWriter,
    OnRegStartedParam,
    OnRegStateParam,
    OnTimerParam,
    OnTransportStateParam,
    SipRxData,
    TransportInfo,
    Version,
)


class Error(Exception):
    """PJSUA2's ``pj.Error``: every failing call raises it.

    Attributes: ``status`` (a PJSIP status number), ``title`` (the operation
    that failed), ``reason``, ``srcFile``, ``srcLine``.
    """

    def __init__(self, status=0, title="", reason="", srcFile="", srcLine=0):
        super().__init__(status, title, reason, srcFile, srcLine)
        self.status = status
        self.title = title
        self.reason = reason
        self.srcFile = srcFile
        self.srcLine = srcLine

    def info(self, multiLine=False):
        """The error as text: one line, or four labelled lines."""
        if multiLine:
            return (
                f"Title:       {self.title}\n"
                f"Code:        {self.status}\n"
                f"Description: {self.reason}\n"
                f"Location:    {self.srcFile}:{self.srcLine}"
            )
        text = self.title
        if self.reason:
            text += " error: " + self.reason
        return f"{text} (status={self.status}) [{self.srcFile}:{self.srcLine}]"

    def __str__(self):
        return self.info(False)

"""The Python half of the media classes (``src/media.rs``): the vectors of
``AudioMedia`` and the fast path of ``MediaFrame`` for the frame callbacks
of ``AudioMediaPort``.

A frame callback runs 50 times a second per port: its ``MediaFrame`` is
built and read here directly (``_frame_in``, ``_frame_out``), not through
the JSON of the other config objects.
"""

from ._config import MediaFrame
from ._ferrosip import AudioMedia
from ._vectors import ByteVector, object_vector

__all__ = ["AudioMediaVector", "AudioMediaVector2"]

AudioMediaVector = object_vector(AudioMedia, "AudioMediaVector")
AudioMediaVector2 = object_vector(AudioMedia, "AudioMediaVector2")


def _frame_in(type_, data, size):
    """A ``MediaFrame`` of type ``type_`` holding the bytes ``data``, with
    ``size`` (called by the Rust side)."""
    frame = MediaFrame.__new__(MediaFrame)
    buf = ByteVector()
    list.extend(buf, data)
    object.__setattr__(frame, "_d", {"type": type_, "buf": buf, "size": size})
    return frame


def _frame_out(frame):
    """``(type, bytes, size)`` of a ``MediaFrame`` after a callback (called
    by the Rust side); raises if the callback stored bad values."""
    values = frame._d
    return values["type"], bytes(values["buf"]), values["size"]

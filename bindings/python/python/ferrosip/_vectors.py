"""PJSUA2's vector classes (``StringVector``, ``IntVector``,
``AuthCredInfoVector``, ...) as Python lists that check their items.

Each vector is a ``list`` subclass: ``len``, indexing, slicing, iteration,
``append``, ``extend``, ``insert``, ``pop``, ``==`` with any list all work
as on a list. Every item is checked when it goes in (a ``TypeError`` for an
item of the wrong type, as PJSUA2 raises), and items that are config
objects are copied in, as PJSUA2 copies them into its C++ vector:

    cred = pj.AuthCredInfo("digest", "*", "alice", 0, "secret")
    acfg.sipConfig.authCreds.append(cred)
    cred.username = "bob"          # the config still has "alice"
    acfg.sipConfig.authCreds[0].username = "carol"   # this changes it

The constructors accept what PJSUA2's do (nothing, another vector, a
size, a size and a value) and any iterable. The C++ ``std::vector``
methods PJSUA2 exposes are there too where they mean something in Python:
``push_back``, ``pop_back``, ``back``, ``front``, ``empty``, ``size``,
``resize``, ``reserve``, ``capacity``, ``assign``, ``swap``, ``iterator``.
"""

import copy as _copy

__all__ = ["ByteVector", "IntVector", "StringVector"]


def _check_str(value, where):
    if not isinstance(value, str):
        raise TypeError(f"{where}: expected str, got {type(value).__name__}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValueError(f"{where}: the string cannot be encoded as UTF-8 ({e.reason})") from None
    return str(value)


def _int_checker(lo, hi, label):
    def check(value, where):
        if not isinstance(value, int):
            try:
                value = value.__index__()
            except (AttributeError, TypeError):
                raise TypeError(f"{where}: expected int, got {type(value).__name__}") from None
        value = int(value)
        if not lo <= value <= hi:
            raise OverflowError(f"{where}: {value} is out of range for {label} ({lo} to {hi})")
        return value

    return check


class _Vector(list):
    """A list whose items are checked (and config items copied) on the way in."""

    __slots__ = ()
    #: The item checker: (value, where) -> the value to store.
    _check = None
    #: What a new item is (resize, the size constructor).
    _new_item = None

    def __init__(self, *args):
        super().__init__()
        if not args:
            return
        if len(args) == 1 and not (isinstance(args[0], int) and not isinstance(args[0], bool)):
            self.extend(args[0])
        elif len(args) in (1, 2) and isinstance(args[0], int):
            self.assign(*args)
        else:
            name = type(self).__name__
            raise TypeError(f"{name}() takes an iterable, or a size and an optional value")

    # Checking items.

    def _item(self, value):
        return type(self)._check(value, f"{type(self).__name__} item")

    def _items(self, values):
        if isinstance(values, (str, bytes, bytearray)) and type(self) is not ByteVector:
            raise TypeError(
                f"{type(self).__name__}: expected an iterable of items, got {type(values).__name__}"
            )
        try:
            iterator = iter(values)
        except TypeError:
            raise TypeError(
                f"{type(self).__name__}: expected an iterable of items, got {type(values).__name__}"
            ) from None
        return [self._item(v) for v in iterator]

    # list methods that add items.

    def append(self, value):
        super().append(self._item(value))

    def extend(self, values):
        super().extend(self._items(values))

    def insert(self, index, value):
        super().insert(index, self._item(value))

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            super().__setitem__(index, self._items(value))
        else:
            super().__setitem__(index, self._item(value))

    def __iadd__(self, values):
        self.extend(values)
        return self

    def __imul__(self, n):
        items = list(self)
        super().clear()
        for _ in range(max(0, n.__index__())):
            self.extend(items)
        return self

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(super().__getitem__(index))
        return super().__getitem__(index)

    def copy(self):
        """A new vector with copies of the items."""
        return type(self)(self)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        new = type(self)()
        list.extend(new, (_copy.deepcopy(v, memo) for v in self))
        return new

    def __repr__(self):
        return f"{type(self).__name__}({list.__repr__(self)})"

    # PJSUA2's std::vector methods.

    def push_back(self, value):
        """Appends ``value`` (``append``)."""
        self.append(value)

    def pop_back(self):
        """Removes the last item."""
        if not self:
            raise IndexError(f"pop_back() on an empty {type(self).__name__}")
        del self[-1]

    def back(self):
        """The last item."""
        if not self:
            raise IndexError(f"back() on an empty {type(self).__name__}")
        return self[-1]

    def front(self):
        """The first item."""
        if not self:
            raise IndexError(f"front() on an empty {type(self).__name__}")
        return self[0]

    def empty(self):
        """True when there is no item."""
        return not self

    def size(self):
        """The number of items (``len``)."""
        return len(self)

    def capacity(self):
        """The number of items (a Python list grows as needed)."""
        return len(self)

    def reserve(self, n):
        """Nothing to do: a Python list grows as needed. ``n`` is checked."""
        if n.__index__() < 0:
            raise OverflowError("reserve() needs a size >= 0")

    def resize(self, n, value=None):
        """Truncates to ``n`` items, or adds new items (copies of ``value``,
        or default ones) up to ``n``."""
        n = n.__index__()
        if n < 0:
            raise OverflowError("resize() needs a size >= 0")
        if n <= len(self):
            del self[n:]
            return
        missing = n - len(self)
        if value is None:
            self.extend(type(self)._new_item() for _ in range(missing))
        else:
            self.extend(value for _ in range(missing))

    def assign(self, n, value=None):
        """Replaces the items with ``n`` copies of ``value`` (or default
        items)."""
        n = n.__index__()
        if n < 0:
            raise OverflowError("assign() needs a size >= 0")
        super().clear()
        self.resize(n, value)

    def swap(self, other):
        """Exchanges the items with the vector ``other`` of the same type."""
        if type(other) is not type(self):
            raise TypeError(
                f"swap() needs a {type(self).__name__}, got {type(other).__name__}"
            )
        mine = list(self)
        list.__setitem__(self, slice(None), other)
        list.__setitem__(other, slice(None), mine)

    def iterator(self):
        """An iterator over the items."""
        return iter(self)


class StringVector(_Vector):
    """A list of ``str`` (PJSUA2's ``StringVector``)."""

    __slots__ = ()
    _check = staticmethod(_check_str)
    _new_item = staticmethod(str)


class IntVector(_Vector):
    """A list of 32-bit ``int`` (PJSUA2's ``IntVector``)."""

    __slots__ = ()
    _check = staticmethod(_int_checker(-(2**31), 2**31 - 1, "a 32-bit int"))
    _new_item = staticmethod(int)


class ByteVector(_Vector):
    """A list of bytes as ``int`` 0 to 255 (PJSUA2's ``ByteVector``);
    accepts ``bytes`` too."""

    __slots__ = ()
    _check = staticmethod(_int_checker(0, 255, "a byte"))
    _new_item = staticmethod(int)


def class_vector(item_class, name=None):
    """The vector class of the config class ``item_class``, named ``name``
    (by default ``AuthCredInfoVector`` for ``AuthCredInfo``): items must be
    instances of it and are copied in."""
    item_name = item_class.__name__
    name = name or f"{item_name}Vector"

    def check(value, where):
        if not isinstance(value, item_class):
            raise TypeError(f"{where}: expected {item_name}, got {type(value).__name__}")
        return value._clone()

    return type(
        name,
        (_Vector,),
        {
            "__slots__": (),
            "__doc__": f"A list of ``{item_name}`` (PJSUA2's ``{name}``); "
            "items are copied in.",
            "__module__": "ferrosip",
            "_check": staticmethod(check),
            "_new_item": staticmethod(item_class),
        },
    )


def object_vector(item_class, name):
    """A vector class named ``name`` of objects of ``item_class`` (not
    config objects: ``AudioMediaVector``); items are checked and kept, not
    copied."""
    item_name = item_class.__name__

    def check(value, where):
        if not isinstance(value, item_class):
            raise TypeError(f"{where}: expected {item_name}, got {type(value).__name__}")
        return value

    def new_item():
        raise TypeError(f"{name} cannot make a {item_name} by itself: give one")

    return type(
        name,
        (_Vector,),
        {
            "__slots__": (),
            "__doc__": f"A list of ``{item_name}`` (PJSUA2's ``{name}``).",
            "__module__": "ferrosip",
            "_check": staticmethod(check),
            "_new_item": staticmethod(new_item),
        },
    )


for _cls in (StringVector, IntVector, ByteVector):
    _cls.__module__ = "ferrosip"
del _cls

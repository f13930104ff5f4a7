"""Enum support at C level. The C enum values shared by every ``_core`` module are declared in
``enums.pxd``; this module holds the one runtime helper the Python enums need.

``plain_type_getattr(meta)``: on CPython 3.11, ``enum.EnumType`` defines ``__getattr__``, so every
class-attribute load such as ``OrderSide.BUY`` goes through a Python-level slot (``type``'s own
lookup, then the hook; ~140 ns instead of ~10). 3.12 removed that ``__getattr__``
(python/cpython#106762) because every member is a class attribute since 3.11 and the hook only
ever ran for names that do not exist. This gives a metaclass derived from ``EnumType`` the
lookup of ``type`` itself, as 3.12 has it: members and methods resolve the same, a missing name
raises ``AttributeError`` as before.
"""

cdef extern from "Python.h":
    ctypedef struct _TypeGetattro "PyTypeObject":
        void *tp_getattro
    void PyType_Modified(object tp)


def plain_type_getattr(type meta not None) -> None:
    """Give ``meta`` (a metaclass, a subclass of ``type``) the attribute lookup of ``type``."""
    if not issubclass(meta, type):
        raise TypeError(f"plain_type_getattr needs a metaclass (a subclass of type), got {meta!r}")
    (<_TypeGetattro*><void*>meta).tp_getattro = (<_TypeGetattro*><void*>type).tp_getattro
    PyType_Modified(meta)

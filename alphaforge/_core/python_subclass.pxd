# Support for the cdef classes users subclass in Python (Strategy, the execution models, the user
# bar aggregator), whose Python hooks run per event.
#
# CPython 3.11/3.12 give an instance of a Python subclass of an extension type no inline attribute
# values (only object.__new__ sets them up), so its __dict__ is materialized as a split-table dict
# on the first attribute store; the specializing interpreter cannot cache attribute access on such
# a dict (LOAD_ATTR/STORE_ATTR stay generic, ~4-5x slower). A plain combined dict specializes
# (LOAD_ATTR_WITH_HINT), which makes ``self.x`` in a hook as cheap as on an ordinary Python object.
# 3.13+ allocates inline values itself. Call from the base class's __cinit__.
from cpython.version cimport PY_VERSION_HEX


cdef inline int use_combined_dict(object obj) except -1:
    if PY_VERSION_HEX < 0x030D0000 and type(obj).__dictoffset__ != 0:
        object.__setattr__(obj, "__dict__", {})
    return 0

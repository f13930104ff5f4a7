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


# Read-only object attributes as member descriptors. Cython exposes ``cdef readonly object x`` as
# a getset property, which CPython 3.11/3.12 never specialize: each ``self.x`` in a Python hook is
# a generic attribute lookup (~40 ns). A member descriptor over the same C field loads through
# LOAD_ATTR_SLOT (~1 ns). ``readonly_members`` swaps them in at import time.
from cpython.mem cimport PyMem_Malloc
from cpython.object cimport PyObject, PyTypeObject
from libc.string cimport memcpy, strlen

cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        const char* name
        int type
        Py_ssize_t offset
        int flags
        const char* doc
    ctypedef struct _TypeWithDict "PyTypeObject":
        PyObject* tp_dict
    object PyDescr_NewMember(PyTypeObject* tp, PyMemberDef* member)
    void PyType_Modified(PyTypeObject* tp)
    const char* PyUnicode_AsUTF8(object s) except NULL


cdef inline Py_ssize_t object_field_offset(object probe, object sentinel) except -1:
    """Byte offset of the object field of ``probe`` that holds ``sentinel`` (found by address:
    Cython takes no address of an object attribute)."""
    cdef char* base = <char*><PyObject*>probe
    cdef Py_ssize_t off
    for off in range(sizeof(PyObject), type(probe).__basicsize__ - sizeof(void*) + 1, sizeof(void*)):
        if (<PyObject**>(base + off))[0] == <PyObject*>sentinel:
            return off
    raise RuntimeError(f"{type(probe).__name__}: no field holds the probe's sentinel")


cdef inline const char* _kept_copy(str s) except NULL:
    """A C string copy that lives as long as the process (member names and docs of a type)."""
    cdef const char* src = PyUnicode_AsUTF8(s)
    cdef size_t n = strlen(src) + 1
    cdef char* dst = <char*>PyMem_Malloc(n)
    if dst == NULL:
        raise MemoryError()
    memcpy(dst, src, n)
    return dst


cdef inline int readonly_members(type cls, object probe, dict sentinels, dict docs=None) except -1:
    """Make each ``name`` of ``sentinels`` a read-only member descriptor of ``cls`` over the object
    field in which the caller stored ``sentinels[name]`` on ``probe`` (an instance of ``cls``); its
    docstring from ``docs``, else the replaced attribute's. T_OBJECT_EX: a NULL field raises
    AttributeError (Cython sets object fields to None)."""
    cdef dict d = <dict><object>(<_TypeWithDict*><PyTypeObject*>cls).tp_dict
    cdef PyMemberDef* m
    for name, sentinel in sentinels.items():
        m = <PyMemberDef*>PyMem_Malloc(sizeof(PyMemberDef))
        if m == NULL:
            raise MemoryError()
        if docs is not None and name in docs:
            doc = docs[name]
        else:
            doc = getattr(d.get(name), "__doc__", None)
        m.name = _kept_copy(name)
        m.type = 16                 # structmember.h T_OBJECT_EX (Py_T_OBJECT_EX in 3.12+)
        m.offset = object_field_offset(probe, sentinel)
        m.flags = 1                 # READONLY
        m.doc = _kept_copy(doc) if isinstance(doc, str) else NULL
        d[name] = PyDescr_NewMember(<PyTypeObject*>cls, m)
    PyType_Modified(<PyTypeObject*>cls)
    return 0

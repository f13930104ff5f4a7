# Support for the cdef classes users subclass in Python (Strategy, the execution models, the user
# bar aggregator), whose Python hooks run per event.
#
# Instance attributes. CPython 3.11/3.12 keep the attributes of an ordinary Python object in
# "inline values" that the specializing interpreter reads and writes directly (LOAD_ATTR /
# STORE_ATTR_INSTANCE_VALUE, LOAD_METHOD_WITH_VALUES for ``self.method()``). Only object.__new__
# sets those values up; an extension type's tp_new (Cython's) allocates with tp_alloc and never
# does, so an instance of a Python subclass gets a split-table __dict__ on its first attribute store,
# which nothing specializes (each ``self.x`` in a hook ~4-5x slower, each ``self.method()`` a
# generic lookup). ``inline_values_for_subclasses(Base)`` fixes that for every Python subclass of
# ``Base``: Base gets an ``__init_subclass__`` that gives the subclass an allocator running
# object.__new__'s own allocation path (tp_alloc, then the inline values), which Cython's tp_new
# then fills in as usual. ``use_combined_dict`` (from the base's __cinit__) is the fallback for an
# instance that still has no inline values (a subclass whose allocator was replaced): a plain
# combined dict, which at least specializes attribute access (LOAD_ATTR_WITH_HINT). 3.13+
# allocates inline values in tp_alloc itself (and 3.10 has no specializing interpreter): there the
# allocator is not installed, and 3.10 keeps the combined dict.
from cpython.object cimport PyObject, PyTypeObject
from cpython.version cimport PY_VERSION_HEX

cdef extern from *:
    """
    #if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030D0000
    static int afx_in_object_new = 0;
    static PyObject *afx_no_args = NULL;            /* () */
    static PyObject *afx_init_subclass_name = NULL; /* "__init_subclass__" */

    /* tp_alloc of a Python subclass: allocate through object.__new__ (which calls tp_alloc again,
       served by PyType_GenericAlloc, then sets up the inline values). */
    static PyObject *afx_alloc_with_inline_values(PyTypeObject *t, Py_ssize_t nitems) {
        PyObject *o;
        if (afx_in_object_new || nitems != 0)
            return PyType_GenericAlloc(t, nitems);
        afx_in_object_new = 1;          /* afx_no_args: made with the __init_subclass__ descriptor */
        o = PyBaseObject_Type.tp_new(t, afx_no_args, NULL);
        afx_in_object_new = 0;
        return o;
    }

    static PyMethodDef afx_init_subclass_def;

    /* Base.__init_subclass__: give the new class the allocator, then hand over to the next
       __init_subclass__ in its MRO after the base that holds this one (object's by default, which
       refuses class keywords; a mixin's when there is one). */
    static PyObject *afx_init_subclass(PyObject *cls, PyObject *args, PyObject *kwds) {
        PyTypeObject *t = (PyTypeObject *)cls;
        PyObject *mro = t->tp_mro, *owner = NULL, *sup, *next, *res;
        Py_ssize_t i;
        if ((t->tp_flags & Py_TPFLAGS_HEAPTYPE) && (t->tp_flags & Py_TPFLAGS_MANAGED_DICT)
                && t->tp_alloc == PyType_GenericAlloc)
            t->tp_alloc = afx_alloc_with_inline_values;
        for (i = 0; mro != NULL && i < PyTuple_GET_SIZE(mro); i++) {
            PyObject *d = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
            PyObject *v = d ? PyDict_GetItemWithError(d, afx_init_subclass_name) : NULL;
            if (v == NULL && PyErr_Occurred())
                return NULL;
            if (v != NULL && Py_IS_TYPE(v, &PyClassMethodDescr_Type)
                    && ((PyMethodDescrObject *)v)->d_method == &afx_init_subclass_def) {
                owner = PyTuple_GET_ITEM(mro, i);
                break;
            }
        }
        if (owner == NULL) {
            PyErr_Format(PyExc_TypeError, "%s: no base holds alphaforge's __init_subclass__", t->tp_name);
            return NULL;
        }
        sup = PyObject_CallFunctionObjArgs((PyObject *)&PySuper_Type, owner, cls, NULL);
        if (sup == NULL)
            return NULL;
        next = PyObject_GetAttr(sup, afx_init_subclass_name);
        Py_DECREF(sup);
        if (next == NULL)
            return NULL;
        res = PyObject_Call(next, args != NULL ? args : afx_no_args, kwds);
        Py_DECREF(next);
        return res;
    }

    static PyMethodDef afx_init_subclass_def = {
        "__init_subclass__", (PyCFunction)(void (*)(void))afx_init_subclass,
        METH_VARARGS | METH_KEYWORDS | METH_CLASS,
        "Python subclasses allocate their instances with inline attribute values (fast self.x)."};

    static CYTHON_UNUSED int afx_has_inline_values(PyObject *obj) {
        return Py_TYPE(obj)->tp_alloc == afx_alloc_with_inline_values;
    }
    static CYTHON_UNUSED PyObject *afx_init_subclass_descr(PyObject *base) {
        if (afx_no_args == NULL && (afx_no_args = PyTuple_New(0)) == NULL)
            return NULL;
        if (afx_init_subclass_name == NULL
                && (afx_init_subclass_name = PyUnicode_InternFromString("__init_subclass__")) == NULL)
            return NULL;
        return PyDescr_NewClassMethod((PyTypeObject *)base, &afx_init_subclass_def);
    }
    #define AFX_INLINE_VALUES 1
    #else
    static CYTHON_UNUSED int afx_has_inline_values(PyObject *obj) { return 0; }
    static CYTHON_UNUSED PyObject *afx_init_subclass_descr(PyObject *base) { Py_RETURN_NONE; }
    #define AFX_INLINE_VALUES 0
    #endif
    """
    bint afx_has_inline_values(object obj)
    object afx_init_subclass_descr(object base)
    const bint AFX_INLINE_VALUES

cdef extern from "Python.h":
    ctypedef struct _TypeWithDict "PyTypeObject":
        PyObject* tp_dict
    void PyType_Modified(PyTypeObject* tp)


cdef inline int inline_values_for_subclasses(type base) except -1:
    """Give every Python subclass of ``base`` (created from now on) inline attribute values. Call
    once, at import of the module that defines ``base``."""
    if AFX_INLINE_VALUES:
        (<dict><object>(<_TypeWithDict*><PyTypeObject*>base).tp_dict)["__init_subclass__"] = \
            afx_init_subclass_descr(base)
        PyType_Modified(<PyTypeObject*>base)
    return 0


cdef inline int use_combined_dict(object obj) except -1:
    if PY_VERSION_HEX < 0x030D0000 and type(obj).__dictoffset__ != 0 and not afx_has_inline_values(obj):
        object.__setattr__(obj, "__dict__", {})
    return 0


# Read-only object attributes as member descriptors. Cython exposes ``cdef readonly object x`` as
# a getset property, which CPython 3.11/3.12 never specialize: each ``self.x`` in a Python hook is
# a generic attribute lookup (~40 ns). A member descriptor over the same C field loads through
# LOAD_ATTR_SLOT (~1 ns). ``readonly_members`` swaps them in at import time.
from cpython.mem cimport PyMem_Malloc
from libc.string cimport memcpy, strlen

cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        const char* name
        int type
        Py_ssize_t offset
        int flags
        const char* doc
    object PyDescr_NewMember(PyTypeObject* tp, PyMemberDef* member)
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

# Lists that keep their item array across the engine's per-order churn.
#
# ``[x]`` allocates room for exactly one item, so the next append reallocates it; a list emptied
# with ``del lst[:]`` or rebuilt by a comprehension frees it, so the next append allocates again.
# On the order path (an Order's event list, the matching engine's working list) those reallocations
# were about 300 instructions per order. These helpers keep the array: the list stays a normal list
# (``allocated`` >= size, slots past the size unused), only its spare room differs.
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF

cdef extern from "Python.h":
    void Py_SET_SIZE(object o, Py_ssize_t size)
    PyObject* PyList_GET_ITEM(object lst, Py_ssize_t i)
    Py_ssize_t PyList_GET_SIZE(object lst)
    void _PyList_SET_ITEM_PTR "PyList_SET_ITEM" (object lst, Py_ssize_t i, PyObject* item)


cdef inline list list_with_room(object first, Py_ssize_t room):
    """``[first]`` with room for ``room`` (>= 1) items before its first reallocation."""
    cdef list out = PyList_New(room)
    Py_INCREF(first)
    PyList_SET_ITEM(out, 0, first)
    Py_SET_SIZE(out, 1)           # slots 1..room-1 stay NULL, past the size
    return out


cdef inline int list_truncate(list lst, Py_ssize_t n) except -1:
    """``del lst[n:]`` that keeps the item array (0 <= n <= len(lst)). Call it only where no
    iteration over ``lst`` is in progress."""
    cdef Py_ssize_t i = PyList_GET_SIZE(lst)
    cdef PyObject* item
    while i > n:            # shrink first, then release: a destructor never sees a dead slot
        i -= 1
        item = PyList_GET_ITEM(lst, i)
        _PyList_SET_ITEM_PTR(lst, i, NULL)
        Py_SET_SIZE(lst, i)
        Py_XDECREF(item)
    return 0

# Lists that keep their item array across the engine's per-order churn.
#
# A list emptied with ``del lst[:]`` or rebuilt by a comprehension frees its item array, so the
# next append allocates again; on the order path (the matching engine's lists of working orders)
# those reallocations were a measurable part of the per-order cost. ``list_truncate`` keeps the
# array: the list stays a normal list (``allocated`` >= size, slots past the size unused).
from cpython.object cimport PyObject
from cpython.ref cimport Py_XDECREF

cdef extern from "Python.h":
    void Py_SET_SIZE(object o, Py_ssize_t size)
    PyObject* PyList_GET_ITEM(object lst, Py_ssize_t i)
    Py_ssize_t PyList_GET_SIZE(object lst)
    void _PyList_SET_ITEM_PTR "PyList_SET_ITEM" (object lst, Py_ssize_t i, PyObject* item)


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

# Message bus: topic pub/sub with cached wildcard matching, point-to-point endpoints, request/response.
#
# Hot path: publish_c(topic, msg) = one dict lookup (topic -> _Route) + a loop over the route's
# precomputed tuple of Handler objects calling the C-level Handler.handle through the vtable.
# Python callables are wrapped in a Handler subclass so the loop is uniform. A _Route object stays
# valid for the bus's lifetime (it is updated in place on (un)subscribe), so a C caller can keep it
# (route_c) and use publish_route_c to skip even the dict lookup.
from libc.stdint cimport int64_t


cdef class Handler:
    # Override in a cdef subclass: the bus calls this without Python call overhead.
    cdef int handle(self, object msg) except -1


cdef class PyHandler(Handler):
    cdef readonly object callback
    """The wrapped Python callable, invoked as ``callback(msg)``."""


cdef class Subscription:
    cdef readonly str topic
    """The subscribed topic pattern (may contain ``*`` and ``?``)."""
    cdef readonly object handler
    """The handler exactly as given to ``subscribe`` (a callable or a ``Handler``)."""
    cdef readonly int priority
    """Higher priority is delivered first."""
    cdef readonly int64_t sequence
    """Subscription order on this bus (ties between equal priorities)."""
    cdef Handler _handler


cdef class Request:
    cdef readonly object correlation_id
    """Id that the endpoint passes to ``MessageBus.response`` to answer this request."""
    cdef readonly str endpoint
    """Endpoint the request was sent to."""
    cdef readonly object payload
    """The request message as given to ``MessageBus.request``."""


cdef class _Route:
    cdef str topic
    cdef list subs                # Subscriptions matching topic, in delivery order
    cdef tuple handlers           # snapshot of subs' Handler objects (replaced, never mutated)
    cdef int64_t count            # publishes on this topic


cdef bint glob_match(str pattern, str text) except -1


cdef class MessageBus:
    cdef readonly object trader_id
    """Trader id this bus belongs to (or None)."""
    cdef readonly int64_t published_count
    """Number of publish calls."""
    cdef readonly int64_t delivered_count
    """Number of handler invocations by publish."""
    cdef readonly int64_t sent_count
    """Number of point-to-point messages delivered by send/request/response."""
    cdef list _subs               # every Subscription in subscription order
    cdef dict _routes             # topic -> _Route (cache; routes updated in place)
    cdef dict _endpoints          # endpoint -> Subscription (priority 0)
    cdef dict _pending            # correlation_id -> callback
    cdef int64_t _seq
    cdef int64_t _next_correlation_id

    cdef _Route route_c(self, str topic)
    cdef int publish_c(self, str topic, object msg) except -1
    cdef int publish_route_c(self, _Route route, object msg) except -1
    # Count a publish on `route` (no handlers) whose message the caller did not build.
    cdef int count_publish_c(self, _Route route) except -1
    cdef int send_c(self, str endpoint, object msg) except -1
    cdef _Route _new_route(self, str topic)
    cdef Subscription _find(self, list subs, str pattern, object handler)

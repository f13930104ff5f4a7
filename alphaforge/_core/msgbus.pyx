"""Message bus: topic publish/subscribe, point-to-point endpoints and request/response.

Topics and patterns
    A topic is a non-empty str such as ``"data.trades.BINANCE.BTCUSDT"``. A subscription pattern may
    use ``*`` (any run of characters, dots included, possibly empty) and ``?`` (exactly one
    character); every other character matches itself.

Delivery order
    Higher ``priority`` first; equal priorities in subscription order. Deterministic: nothing
    depends on hashing or memory addresses.

Caching
    The first publish on a topic computes its matching subscriptions once and caches them as a
    route (a tuple of handlers). Later publishes do one dict lookup and loop over that tuple: no
    pattern work on the hot path. ``subscribe``/``unsubscribe`` update the cached routes in place.
    The cache holds one small entry per distinct topic ever published or queried.

Re-entrancy
    Handlers may publish, subscribe and unsubscribe. A publish delivers to the handlers that were
    subscribed when it started: (un)subscribing inside a handler takes effect from the next publish.
    An exception raised by a handler propagates to the publisher; later handlers of that publish
    are not called.

Handlers
    Any Python callable ``handler(msg)``, or an instance of a Cython subclass of ``Handler``
    overriding ``cdef int handle(self, object msg) except -1``, which the bus calls without Python
    call overhead. ``unsubscribe``/``deregister`` find a handler by equality (so a bound method
    ``obj.on_bar`` given again matches).

Point-to-point
    ``register(endpoint, handler)`` / ``deregister(endpoint)`` / ``send(endpoint, msg)``: exactly one
    handler per endpoint. ``request(endpoint, payload, callback)`` delivers a ``Request`` envelope
    (``correlation_id``, ``endpoint``, ``payload``) to the endpoint and returns the correlation id;
    the endpoint answers with ``response(correlation_id, msg)``, which calls ``callback(msg)``.
"""
cimport cython
from libc.stdint cimport int64_t

_INT_MIN = -(2 ** 31)
_INT_MAX = 2 ** 31 - 1


cdef class Handler:
    """Base class of C-level message handlers.

    Subclass it in Cython and override ``cdef int handle(self, object msg) except -1`` (return 0);
    the bus then calls it through the vtable, with no Python call. Calling the object from Python
    (``handler(msg)``) runs ``handle`` too.
    """

    cdef int handle(self, object msg) except -1:
        raise NotImplementedError(
            f"{type(self).__name__} must override cdef handle(self, object msg) in a Cython subclass"
        )

    def __call__(self, msg):
        self.handle(msg)


cdef class PyHandler(Handler):
    """Adapter that lets the bus call a Python callable through the ``Handler`` interface."""

    def __init__(self, callback):
        if not callable(callback):
            raise TypeError(f"invalid handler {callback!r}: not callable")
        self.callback = callback

    cdef int handle(self, object msg) except -1:
        self.callback(msg)
        return 0

    def __repr__(self):
        return f"PyHandler({self.callback!r})"


cdef Handler _as_handler(object handler):
    if isinstance(handler, Handler):
        return <Handler>handler
    if not callable(handler):
        raise TypeError(f"invalid handler {handler!r}: not callable and not a Handler")
    cdef PyHandler h = PyHandler.__new__(PyHandler)
    h.callback = handler
    return h


cdef class Subscription:
    """A topic subscription: ``topic`` pattern, ``handler``, ``priority`` and ``sequence``."""

    def __init__(self, *args, **kwargs):
        raise TypeError("Subscription objects are created by MessageBus.subscribe")

    def __repr__(self):
        return (f"Subscription(topic={self.topic!r}, handler={self.handler!r}, "
                f"priority={self.priority}, sequence={self.sequence})")


cdef class Request:
    """Envelope delivered to an endpoint by ``MessageBus.request``."""

    def __init__(self, correlation_id, str endpoint, payload):
        self.correlation_id = correlation_id
        self.endpoint = endpoint
        self.payload = payload

    def __repr__(self):
        return (f"Request(correlation_id={self.correlation_id!r}, endpoint={self.endpoint!r}, "
                f"payload={self.payload!r})")


cdef class _Route:
    """Cached delivery list of one concrete topic."""
    pass


cdef extern from "Python.h":
    # Direct access to a str's code points (PEP 393 canonical representation).
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index) nogil


cdef bint glob_match(str pattern, str text) except -1:
    """True if ``text`` matches ``pattern`` (``*`` any run, ``?`` one character).

    Iterative matcher with single-star backtracking: O(len(pattern) * len(text)) worst case,
    linear for the usual patterns. Both arguments must be str (not None).
    """
    cdef Py_ssize_t p = 0, t = 0
    cdef Py_ssize_t np_ = len(pattern), nt = len(text)
    cdef Py_ssize_t star = -1, mark = 0
    cdef int pk = PyUnicode_KIND(pattern), tk = PyUnicode_KIND(text)
    cdef void* pd = PyUnicode_DATA(pattern)
    cdef void* td = PyUnicode_DATA(text)
    cdef Py_UCS4 pc
    while t < nt:
        if p < np_:
            pc = PyUnicode_READ(pk, pd, p)
            if pc == 42:                # '*'
                star = p
                mark = t
                p += 1
                continue
            if pc == 63 or pc == PyUnicode_READ(tk, td, t):    # '?' or the same character
                p += 1
                t += 1
                continue
        if star >= 0:
            p = star + 1
            mark += 1
            t = mark
            continue
        return False
    while p < np_ and PyUnicode_READ(pk, pd, p) == 42:
        p += 1
    return p == np_


def is_matching(str topic not None, str pattern not None) -> bool:
    """True if ``topic`` matches the wildcard ``pattern`` (``*`` any run, ``?`` one character)."""
    return glob_match(pattern, topic)


cdef inline str _check_topic(object topic, str field):
    if not isinstance(topic, str) or not topic:
        raise ValueError(f"invalid {field} {topic!r}: must be a non-empty str")
    return <str>topic


cdef inline tuple _handlers_of(list subs):
    return tuple([(<Subscription>s)._handler for s in subs])


cdef class MessageBus:
    """Publish/subscribe, point-to-point and request/response messaging (see the module docstring).

    Counters: ``published_count`` (publish calls), ``delivered_count`` (handler invocations by
    publish), ``sent_count`` (point-to-point deliveries by send/request/response) and
    ``topic_count(topic)`` (publish calls on one topic).
    """

    def __init__(self, trader_id=None):
        self.trader_id = trader_id
        self.published_count = 0
        self.delivered_count = 0
        self.sent_count = 0
        self._subs = []
        self._routes = {}
        self._endpoints = {}
        self._pending = {}
        self._seq = 0
        self._next_correlation_id = 1

    # -- publish/subscribe -------------------------------------------------------------------

    cdef _Route _new_route(self, str topic):
        _check_topic(topic, "topic")
        cdef _Route r = _Route.__new__(_Route)
        cdef Subscription s
        r.topic = topic
        r.count = 0
        r.subs = [s for s in self._subs if glob_match(s.topic, topic)]
        r.subs.sort(key=_delivery_key)
        r.handlers = _handlers_of(r.subs)
        self._routes[topic] = r
        return r

    cdef _Route route_c(self, str topic):
        cdef object r = self._routes.get(topic)
        if r is None:
            return self._new_route(topic)
        return <_Route>r

    cdef int publish_route_c(self, _Route route, object msg) except -1:
        cdef tuple hs = route.handlers
        cdef Py_ssize_t i
        route.count += 1
        self.published_count += 1
        for i in range(len(hs)):
            (<Handler>hs[i]).handle(msg)
            self.delivered_count += 1
        return 0

    cdef int count_publish_c(self, _Route route) except -1:
        """The counters of ``publish_route_c`` for a route with no handlers, without a message (a
        sender that skips building messages nobody receives keeps the bus statistics the same)."""
        route.count += 1
        self.published_count += 1
        return 0

    cdef int publish_c(self, str topic, object msg) except -1:
        cdef object r = self._routes.get(topic)
        if r is None:
            r = self._new_route(topic)
        return self.publish_route_c(<_Route>r, msg)

    @cython.binding(False)      # a plain method descriptor: CPython's call specializations apply
    def publish(self, str topic not None, msg) -> None:
        """Deliver ``msg`` to every handler subscribed to a pattern matching ``topic``."""
        cdef object r = self._routes.get(topic)
        if r is None:
            r = self._new_route(topic)
        self.publish_route_c(<_Route>r, msg)

    cdef Subscription _find(self, list subs, str pattern, object handler):
        cdef Subscription s
        for s in subs:
            if s.topic == pattern and (s.handler is handler or s.handler == handler):
                return s
        return None

    def subscribe(self, topic_pattern, handler, priority=0) -> bool:
        """Subscribe ``handler`` to every topic matching ``topic_pattern``.

        Returns False (and changes nothing) if this exact (pattern, handler) pair is already
        subscribed. ``priority``: higher is delivered first (any int in the C int range).
        """
        cdef str pattern = _check_topic(topic_pattern, "topic_pattern")
        cdef Handler h = _as_handler(handler)
        if isinstance(priority, bool) or not isinstance(priority, int) or not (_INT_MIN <= priority <= _INT_MAX):
            raise ValueError(f"invalid priority {priority!r}: must be an int in [-2**31, 2**31 - 1]")
        if self._find(self._subs, pattern, handler) is not None:
            return False
        cdef Subscription sub = Subscription.__new__(Subscription)
        sub.topic = pattern
        sub.handler = handler
        sub._handler = h
        sub.priority = <int>priority
        self._seq += 1
        sub.sequence = self._seq
        self._subs.append(sub)
        cdef _Route r
        cdef Py_ssize_t i, n
        for r in self._routes.values():
            if not glob_match(pattern, r.topic):
                continue
            # The new subscription is the latest: it goes after every one with priority >= its own.
            n = len(r.subs)
            i = 0
            while i < n and (<Subscription>r.subs[i]).priority >= sub.priority:
                i += 1
            r.subs.insert(i, sub)
            r.handlers = _handlers_of(r.subs)
        return True

    def unsubscribe(self, topic_pattern, handler) -> bool:
        """Remove the subscription of ``handler`` to ``topic_pattern`` (matched by equality).

        Returns True if it was removed, False if there was no such subscription.
        """
        cdef str pattern = _check_topic(topic_pattern, "topic_pattern")
        cdef Subscription sub = self._find(self._subs, pattern, handler)
        if sub is None:
            return False
        self._subs.remove(sub)
        cdef _Route r
        for r in self._routes.values():
            if glob_match(pattern, r.topic):
                r.subs.remove(sub)
                r.handlers = _handlers_of(r.subs)
        return True

    def is_subscribed(self, topic_pattern, handler) -> bool:
        """True if ``handler`` is subscribed to exactly ``topic_pattern``."""
        cdef str pattern = _check_topic(topic_pattern, "topic_pattern")
        return self._find(self._subs, pattern, handler) is not None

    def has_subscribers(self, topic) -> bool:
        """True if a publish on the concrete ``topic`` would reach at least one handler."""
        return len(self.route_c(_check_topic(topic, "topic")).handlers) > 0

    def subscriptions(self, pattern=None) -> list:
        """Subscriptions in subscription order; with ``pattern``, only those whose topic pattern
        text matches it (e.g. ``subscriptions("data.*")``)."""
        cdef Subscription s
        if pattern is None:
            return list(self._subs)
        cdef str p = _check_topic(pattern, "pattern")
        return [s for s in self._subs if glob_match(p, s.topic)]

    def matching_subscriptions(self, topic) -> list:
        """Subscriptions a publish on the concrete ``topic`` reaches, in delivery order."""
        return list(self.route_c(_check_topic(topic, "topic")).subs)

    def topics(self) -> list:
        """Distinct subscribed topic patterns, sorted."""
        cdef Subscription s
        return sorted({s.topic for s in self._subs})

    def topic_count(self, topic) -> int:
        """Number of publish calls on the concrete ``topic`` (0 if never published)."""
        cdef object r = self._routes.get(_check_topic(topic, "topic"))
        return 0 if r is None else (<_Route>r).count

    @property
    def subscription_count(self) -> int:
        """Number of active subscriptions."""
        return len(self._subs)

    # -- point-to-point ----------------------------------------------------------------------

    def register(self, endpoint, handler) -> None:
        """Register ``handler`` as the single receiver of ``send(endpoint, msg)``.

        ``ValueError`` if the endpoint already has a handler.
        """
        cdef str ep = _check_topic(endpoint, "endpoint")
        cdef Handler h = _as_handler(handler)
        if ep in self._endpoints:
            raise ValueError(f"invalid endpoint {ep!r}: already registered")
        cdef Subscription sub = Subscription.__new__(Subscription)
        sub.topic = ep
        sub.handler = handler
        sub._handler = h
        sub.priority = 0
        self._seq += 1
        sub.sequence = self._seq
        self._endpoints[ep] = sub

    def deregister(self, endpoint, handler=None) -> None:
        """Remove the endpoint's handler. With ``handler``, it must be the registered one.

        ``KeyError`` if the endpoint is not registered; ``ValueError`` if ``handler`` differs.
        """
        cdef str ep = _check_topic(endpoint, "endpoint")
        cdef Subscription sub = self._endpoints.get(ep)
        if sub is None:
            raise KeyError(f"endpoint {ep!r} is not registered")
        if handler is not None and not (sub.handler is handler or sub.handler == handler):
            raise ValueError(f"invalid handler {handler!r}: not the one registered at endpoint {ep!r}")
        del self._endpoints[ep]

    def is_registered(self, endpoint) -> bool:
        """True if ``endpoint`` has a handler."""
        return _check_topic(endpoint, "endpoint") in self._endpoints

    @property
    def endpoints(self) -> list:
        """Registered endpoints, sorted."""
        return sorted(self._endpoints)

    cdef int send_c(self, str endpoint, object msg) except -1:
        cdef object sub = self._endpoints.get(endpoint)
        if sub is None:
            raise KeyError(f"endpoint {endpoint!r} is not registered")
        (<Subscription>sub)._handler.handle(msg)
        self.sent_count += 1
        return 0

    @cython.binding(False)
    def send(self, str endpoint not None, msg) -> None:
        """Deliver ``msg`` to the handler registered at ``endpoint``; ``KeyError`` if none."""
        self.send_c(endpoint, msg)

    def request(self, endpoint, payload, callback, correlation_id=None):
        """Send ``Request(correlation_id, endpoint, payload)`` to ``endpoint``; return the correlation id.

        ``callback(msg)`` runs when ``response(correlation_id, msg)`` arrives (possibly before this
        call returns, if the endpoint answers synchronously). ``correlation_id`` defaults to the
        bus's next integer id (1, 2, ...: deterministic); a given one must be hashable and not
        pending. ``KeyError`` if the endpoint is not registered (nothing is left pending). If the
        endpoint handler raises, the request is dropped from the pending set and the error propagates.
        """
        cdef str ep = _check_topic(endpoint, "endpoint")
        if not callable(callback):
            raise TypeError(f"invalid callback {callback!r}: not callable")
        if ep not in self._endpoints:
            raise KeyError(f"endpoint {ep!r} is not registered")
        cdef object cid = correlation_id
        if cid is None:
            cid = self._next_correlation_id
            while cid in self._pending:
                cid += 1
            self._next_correlation_id = cid + 1
        elif cid in self._pending:
            raise ValueError(f"invalid correlation_id {cid!r}: a request with this id is pending")
        cdef Request req = Request.__new__(Request)
        req.correlation_id = cid
        req.endpoint = ep
        req.payload = payload
        self._pending[cid] = callback
        try:
            self.send_c(ep, req)
        except BaseException:
            self._pending.pop(cid, None)
            raise
        return cid

    def response(self, correlation_id, msg, bint final=True) -> None:
        """Deliver ``msg`` to the callback of the pending request ``correlation_id``.

        ``final=True`` (default) completes the request; ``final=False`` keeps it pending for more
        responses. ``KeyError`` if no request with that id is pending.
        """
        cdef object callback = self._pending.get(correlation_id)
        if callback is None:
            raise KeyError(f"invalid correlation_id {correlation_id!r}: no pending request")
        if final:
            del self._pending[correlation_id]
        callback(msg)
        self.sent_count += 1

    @property
    def pending_requests(self) -> list:
        """Correlation ids of the requests awaiting a final response, in request order."""
        return list(self._pending)

    def __repr__(self):
        return (f"MessageBus(trader_id={self.trader_id!r}, subscriptions={len(self._subs)}, "
                f"endpoints={len(self._endpoints)})")


def _delivery_key(Subscription s):
    return (-s.priority, s.sequence)

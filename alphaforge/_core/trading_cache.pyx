# cython: binding=False
"""Trading cache: instruments, latest market data, order books, orders and positions.

Market data
-----------
Per instrument (``InstrumentId.index``, the ``instrument_id`` of the C records) the latest quotes
and trades, and per bar type (``BarType.index`` = ``bar_type_id``) the latest bars, are kept in
fixed-capacity ring buffers of C records (:class:`RecordRing`; ``tick_capacity`` / ``bar_capacity``
rows each, default 10,000). Appending is O(1) (one ``memcpy``; the oldest row is overwritten when
full), so memory is bounded by the capacities and the number of instruments, not by the length of
a backtest. ``quote(instrument_id, index=0)`` returns a :class:`QuoteTick` view of the ``index``-th
latest quote (0 = latest) or None; ``quotes(instrument_id)`` the stored records as a
``QUOTE_TICK_DTYPE`` array, newest first. Trades and bars likewise. Other ``_core`` modules append
and read records with the cdef API (``add_quote_rec_c``, ``quote_rec_c``...), no Python objects.

Orders and positions
--------------------
The store keeps every order by ``client_order_id`` and indexes it by strategy, instrument, venue
and state (open / closed / inflight, from the order's ``is_open``, ``is_closed`` and
``is_inflight``); ``update_order`` re-reads the state flags and moves the order between state
sets. Only the live states are stored as sets (open, in flight, and idle for INITIALIZED orders);
an order in none of them is closed, so the closed orders, most of a run's, cost no entry per order
(``orders_closed()`` walks the store, ``orders_closed_count()`` is computed from the set sizes).
Positions are kept by ``id`` and indexed by strategy, instrument, venue and open/closed (closed:
not open, likewise stored nowhere). An engine Order's position id is read from the order itself.
Queries (``orders_open(strategy_id=..., instrument_id=..., venue=...)`` etc.) intersect the
smallest index with the others and return objects in the order they were first added (a
deterministic order, never hash order). Identifier arguments may be given as identifier objects
or as their strings. Optional ``closed_order_capacity`` / ``closed_position_capacity`` bound the
number of closed orders/positions kept (the oldest closed are dropped first); by default
everything is kept.
"""
import numpy as np

from cpython.dict cimport PyDict_SetDefault, PyDict_Values
from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy

from alphaforge._core.data cimport Bar, BarType, QuoteTick, TradeTick
from alphaforge._core.identifiers cimport InstrumentId
from alphaforge._core.records cimport BarRec, QuoteTickRec, TradeTickRec

from alphaforge._core.identifiers import StrategyId, Venue
from alphaforge._core.records import BAR_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE


cdef class RecordRing:
    """Fixed-capacity ring buffer of C records (one numpy record array, rows overwritten when full).

    ``len(ring)`` rows are stored; ``ring[0]`` is the latest row as a numpy record, ``ring[k]`` the
    ``k``-th latest; ``to_array()`` copies the stored rows newest first; ``total`` counts every row
    ever appended.
    """

    def __cinit__(self, dtype, Py_ssize_t capacity):
        if capacity < 1:
            raise ValueError(f"ring capacity must be >= 1, got {capacity}")
        self.array = np.zeros(capacity, dtype=dtype)
        cdef unsigned char[::1] raw = self.array.view(np.uint8)
        self._data = <char*>&raw[0]
        self._itemsize = self.array.dtype.itemsize
        self.capacity = capacity

    cdef void append_c(self, const void* rec) noexcept:
        memcpy(self._data + self._head * self._itemsize, rec, self._itemsize)
        self._head += 1
        if self._head == self.capacity:
            self._head = 0
        if self._count < self.capacity:
            self._count += 1
        self.total += 1

    cdef const void* get_c(self, Py_ssize_t index) noexcept:
        cdef Py_ssize_t pos
        if index < 0 or index >= self._count:
            return NULL
        pos = self._head - 1 - index
        if pos < 0:
            pos += self.capacity
        return self._data + pos * self._itemsize

    def __len__(self):
        return self._count

    def __getitem__(self, Py_ssize_t index):
        if index < 0 or index >= self._count:
            raise IndexError(f"ring index {index} out of range (0..{self._count - 1})")
        cdef Py_ssize_t pos = self._head - 1 - index
        if pos < 0:
            pos += self.capacity
        return self.array[pos]

    def to_array(self):
        """Copy of the stored rows, newest first."""
        if self._count == 0:
            return self.array[:0].copy()
        idx = (self._head - 1 - np.arange(self._count)) % self.capacity
        return self.array[idx]


cdef uint32_t _instrument_index(object instrument_id) except 0:
    if isinstance(instrument_id, InstrumentId):
        return (<InstrumentId>instrument_id).index
    if isinstance(instrument_id, str):
        return (<InstrumentId>InstrumentId.from_str(instrument_id)).index
    if isinstance(instrument_id, int) and 0 < instrument_id <= 0xFFFFFFFF:
        return instrument_id
    raise TypeError(
        f"instrument_id must be an InstrumentId, its string or its index (>= 1), got {instrument_id!r}"
    )


cdef uint32_t _bar_type_index(object bar_type) except 0:
    if isinstance(bar_type, BarType):
        return (<BarType>bar_type).index
    if isinstance(bar_type, str):
        return (<BarType>BarType.from_str(bar_type)).index
    if isinstance(bar_type, int) and 0 < bar_type <= 0xFFFFFFFF:
        return bar_type
    raise TypeError(f"bar_type must be a BarType, its string or its index (>= 1), got {bar_type!r}")


cdef inline object _norm_iid(object v):
    return InstrumentId.from_str(v) if isinstance(v, str) else v


cdef inline object _norm_venue(object v):
    return Venue(v) if isinstance(v, str) else v


cdef inline object _norm_sid(object v):
    return StrategyId(v) if isinstance(v, str) else v


# Order._cache_flags bits: which of this cache's order state sets hold the order. _PLACED alone:
# placed and in no set, i.e. closed; 0: not placed yet. _PENDING: queued in _state_pending.
cdef enum:
    _IN_OPEN = 1
    _IN_INFLIGHT = 2
    _IN_IDLE = 4
    _PLACED = 8
    _PENDING = 16

# _state_pending is brought up to date when it reaches this length, even if nothing reads the sets
cdef enum:
    _PENDING_MAX = 4096


cdef inline int _set_member(set s, object key, bint member) except -1:
    if member:
        s.add(key)
    else:
        s.discard(key)
    return 0


cdef inline void _index_add(dict index, object key, object member):
    cdef dict members = index.get(key)
    if members is None:
        members = {}
        index[key] = members
    members[member] = None


cdef inline void _index_remove(dict index, object key, object member):
    cdef dict members = index.get(key)
    if members is not None:
        members.pop(member, None)
        if not members:
            del index[key]


cdef class _KeyIndex:
    """Orders by one key (strategy, instrument or venue): key -> {client order id: None}.

    While every indexed order has the same key (one strategy, one instrument, one venue: the usual
    backtest) no member dicts are kept: that key's members are all the cache's orders (``all``, the
    cache's own ``_orders``). The first order with another key writes the members out. Saves three
    dict entries per order and their growth with the run."""
    cdef int add(self, object key, object coid) except -1:
        """Index ``coid`` (already in ``all``) under ``key``."""
        if self.uniform is not None:
            if key is self.uniform or key == self.uniform:
                return 0
            self._write_out(coid)
        elif not self.by_key:
            self.uniform = key     # nothing indexed yet: `all` holds only this order
            return 0
        _index_add(self.by_key, key, coid)
        return 0

    cdef int remove(self, object key, object coid, bint leaving) except -1:
        """Unindex ``coid`` from ``key``; ``leaving``: it is being removed from ``all`` too."""
        if self.uniform is not None:
            if leaving:
                return 0
            self._write_out(None)
        _index_remove(self.by_key, key, coid)
        return 0

    cdef object members(self, object key):
        """The {coid: ...} dict of ``key``'s orders, or None when it has none."""
        if self.uniform is not None:
            return self.all if (key is self.uniform or key == self.uniform) else None
        return self.by_key.get(key)

    cdef int _write_out(self, object exclude) except -1:
        """Leave uniform mode: the uniform key's members become every order but ``exclude``."""
        self.by_key = {self.uniform: {c: None for c in self.all if c is not exclude}}
        self.uniform = None
        return 0


cdef _KeyIndex _key_index(dict all_orders):
    cdef _KeyIndex ix = _KeyIndex.__new__(_KeyIndex)
    ix.by_key = {}
    ix.uniform = None
    ix.all = all_orders
    return ix


cdef list _select(dict store, object seq_of, list sets, bint materialize):
    """Members of every container (dict or set) in ``sets`` (or all of ``store`` when empty), in
    add order (``seq_of(key)``: a key's add sequence)."""
    cdef list keys
    if not sets:
        keys = list(store)
    else:
        for s in sets:
            if s is None:
                return []
        sets = sorted(sets, key=len)
        smallest = sets[0]
        rest = sets[1:]
        if rest:
            keys = [k for k in smallest if all(k in r for r in rest)]
        else:
            keys = list(smallest)
        keys.sort(key=seq_of)
    if materialize:
        return [store[k] for k in keys]
    return keys


cdef uint64_t _last_cache_serial = 0   # Cache serials: 1, 2, ... in creation order


cdef class Cache:
    """The trading cache: instruments, market-data ring buffers, order books, orders, positions.

    Parameters
    ----------
    tick_capacity : int
        Quotes and trades kept per instrument (ring buffers of C records), default 10,000.
    bar_capacity : int
        Bars kept per bar type, default 10,000.
    closed_order_capacity, closed_position_capacity : int, optional
        Keep at most this many closed orders / positions (oldest closed dropped first, with their
        index entries). None (default): keep all.

    See the module docstring for the data layout, the index semantics and the iteration order.
    Not thread-safe: it belongs to one engine (one thread).
    """

    def __cinit__(self, *args, **kwargs):
        global _last_cache_serial
        _last_cache_serial += 1
        self._serial = _last_cache_serial

    def __init__(self, Py_ssize_t tick_capacity=10_000, Py_ssize_t bar_capacity=10_000,
                 closed_order_capacity=None, closed_position_capacity=None):
        if tick_capacity < 1:
            raise ValueError(f"tick_capacity must be >= 1, got {tick_capacity}")
        if bar_capacity < 1:
            raise ValueError(f"bar_capacity must be >= 1, got {bar_capacity}")
        for name, v in (("closed_order_capacity", closed_order_capacity),
                        ("closed_position_capacity", closed_position_capacity)):
            if v is not None and (not isinstance(v, int) or v < 0):
                raise ValueError(f"{name} must be None or an int >= 0, got {v!r}")
        self.tick_capacity = tick_capacity
        self.bar_capacity = bar_capacity
        self.closed_order_capacity = closed_order_capacity
        self.closed_position_capacity = closed_position_capacity
        self._quote_rings = []
        self._trade_rings = []
        self._bar_rings = []
        self._quote_dtype = QUOTE_TICK_DTYPE
        self._trade_dtype = TRADE_TICK_DTYPE
        self._bar_dtype = BAR_DTYPE
        self._instruments = {}
        self._books = {}
        self._orders = {}
        self._order_seq = {}
        self._order_keys = {}
        self._orders_by_strategy = _key_index(self._orders)
        self._orders_by_instrument = _key_index(self._orders)
        self._orders_by_venue = _key_index(self._orders)
        self._orders_open = set()
        self._orders_inflight = set()
        self._orders_idle = set()
        self._state_pending = []
        self._orders_closed = {}
        self._order_position = {}
        self._positions = {}
        self._position_seq = {}
        self._position_keys = {}
        self._positions_by_strategy = {}
        self._positions_by_instrument = {}
        self._positions_by_venue = {}
        self._positions_open = {}
        self._open_closing = []
        self._positions_closed = {}

    # ------------------------------------------------------------------ instruments and books

    def add_instrument(self, instrument) -> None:
        """Store ``instrument`` under ``instrument.id`` (replaces an earlier one with that id)."""
        self._instruments[instrument.id] = instrument
        self.instruments_version += 1

    def instrument(self, instrument_id):
        """The instrument with this id (object or string), or None."""
        return self._instruments.get(_norm_iid(instrument_id))

    def instruments(self, venue=None) -> list:
        """Instruments in the order they were added, optionally only those of ``venue``."""
        if venue is None:
            return list(self._instruments.values())
        v = _norm_venue(venue)
        return [i for iid, i in self._instruments.items() if iid.venue == v]

    def instrument_ids(self, venue=None) -> list:
        """Instrument ids in the order they were added, optionally only those of ``venue``."""
        if venue is None:
            return list(self._instruments)
        v = _norm_venue(venue)
        return [iid for iid in self._instruments if iid.venue == v]

    def add_order_book(self, book, instrument_id=None) -> None:
        """Store an order book (any object) for ``instrument_id`` (default ``book.instrument_id``)."""
        key = book.instrument_id if instrument_id is None else _norm_iid(instrument_id)
        self._books[key] = book

    def order_book(self, instrument_id):
        """The order book stored for this instrument, or None."""
        return self._books.get(_norm_iid(instrument_id))

    # ------------------------------------------------------------------ market data: cdef API

    cdef RecordRing _ring(self, list rings, uint32_t idx, object dtype, Py_ssize_t capacity):
        cdef RecordRing r
        if idx >= len(rings):
            rings.extend([None] * (idx + 1 - len(rings)))
        r = rings[idx]
        if r is None:
            r = RecordRing(dtype, capacity)
            rings[idx] = r
        return r

    cdef int add_quote_rec_c(self, const QuoteTickRec* rec) except -1:
        """Append one quote record to its instrument's ring (O(1))."""
        cdef uint32_t idx = rec.instrument_id
        cdef object r
        if idx < <uint32_t>len(self._quote_rings):
            r = self._quote_rings[idx]
            if r is not None:
                (<RecordRing>r).append_c(rec)
                return 0
        if idx == 0:
            raise ValueError("quote record: instrument_id is 0 (unset)")
        self._ring(self._quote_rings, idx, self._quote_dtype, self.tick_capacity).append_c(rec)
        return 0

    cdef int add_trade_rec_c(self, const TradeTickRec* rec) except -1:
        """Append one trade record to its instrument's ring (O(1))."""
        cdef uint32_t idx = rec.instrument_id
        cdef object r
        if idx < <uint32_t>len(self._trade_rings):
            r = self._trade_rings[idx]
            if r is not None:
                (<RecordRing>r).append_c(rec)
                return 0
        if idx == 0:
            raise ValueError("trade record: instrument_id is 0 (unset)")
        self._ring(self._trade_rings, idx, self._trade_dtype, self.tick_capacity).append_c(rec)
        return 0

    cdef int add_bar_rec_c(self, const BarRec* rec) except -1:
        """Append one bar record to its bar type's ring (O(1))."""
        cdef uint32_t idx = rec.bar_type_id
        cdef object r
        if idx < <uint32_t>len(self._bar_rings):
            r = self._bar_rings[idx]
            if r is not None:
                (<RecordRing>r).append_c(rec)
                return 0
        if idx == 0:
            raise ValueError("bar record: bar_type_id is 0 (unset)")
        self._ring(self._bar_rings, idx, self._bar_dtype, self.bar_capacity).append_c(rec)
        return 0

    cdef const QuoteTickRec* quote_rec_c(self, uint32_t instrument_index, Py_ssize_t index) noexcept:
        """The ``index``-th latest quote record of the instrument (0 = latest), NULL if none."""
        if instrument_index >= <uint32_t>len(self._quote_rings):
            return NULL
        r = self._quote_rings[instrument_index]
        if r is None:
            return NULL
        return <const QuoteTickRec*>(<RecordRing>r).get_c(index)

    cdef const TradeTickRec* trade_rec_c(self, uint32_t instrument_index, Py_ssize_t index) noexcept:
        """The ``index``-th latest trade record of the instrument (0 = latest), NULL if none."""
        if instrument_index >= <uint32_t>len(self._trade_rings):
            return NULL
        r = self._trade_rings[instrument_index]
        if r is None:
            return NULL
        return <const TradeTickRec*>(<RecordRing>r).get_c(index)

    cdef const BarRec* bar_rec_c(self, uint32_t bar_type_index, Py_ssize_t index) noexcept:
        """The ``index``-th latest bar record of the bar type (0 = latest), NULL if none."""
        if bar_type_index >= <uint32_t>len(self._bar_rings):
            return NULL
        r = self._bar_rings[bar_type_index]
        if r is None:
            return NULL
        return <const BarRec*>(<RecordRing>r).get_c(index)

    # ------------------------------------------------------------------ market data: Python API

    def add_quote(self, QuoteTick tick not None) -> None:
        """Append a quote (its C record) to its instrument's ring buffer."""
        self.add_quote_rec_c(&tick.rec)

    def add_trade(self, TradeTick tick not None) -> None:
        """Append a trade (its C record) to its instrument's ring buffer."""
        self.add_trade_rec_c(&tick.rec)

    def add_bar(self, Bar bar not None) -> None:
        """Append a bar (its C record) to its bar type's ring buffer."""
        self.add_bar_rec_c(&bar.rec)

    def add_quotes(self, records) -> None:
        """Append every row of a ``QUOTE_TICK_DTYPE`` record array, in order.

        All rows are checked first (``instrument_id`` != 0); on error nothing is appended."""
        if getattr(records, "dtype", None) != QUOTE_TICK_DTYPE:
            raise TypeError("add_quotes expects a QUOTE_TICK_DTYPE record array")
        cdef const QuoteTickRec[::1] v = np.ascontiguousarray(records)
        cdef Py_ssize_t i, n = v.shape[0]
        for i in range(n):
            if v[i].instrument_id == 0:
                raise ValueError(f"quote record {i}: instrument_id is 0 (unset)")
        for i in range(n):
            self.add_quote_rec_c(&v[i])

    def add_trades(self, records) -> None:
        """Append every row of a ``TRADE_TICK_DTYPE`` record array, in order (validated first)."""
        if getattr(records, "dtype", None) != TRADE_TICK_DTYPE:
            raise TypeError("add_trades expects a TRADE_TICK_DTYPE record array")
        cdef const TradeTickRec[::1] v = np.ascontiguousarray(records)
        cdef Py_ssize_t i, n = v.shape[0]
        for i in range(n):
            if v[i].instrument_id == 0:
                raise ValueError(f"trade record {i}: instrument_id is 0 (unset)")
        for i in range(n):
            self.add_trade_rec_c(&v[i])

    def add_bars(self, records) -> None:
        """Append every row of a ``BAR_DTYPE`` record array, in order (validated first)."""
        if getattr(records, "dtype", None) != BAR_DTYPE:
            raise TypeError("add_bars expects a BAR_DTYPE record array")
        cdef const BarRec[::1] v = np.ascontiguousarray(records)
        cdef Py_ssize_t i, n = v.shape[0]
        for i in range(n):
            if v[i].bar_type_id == 0:
                raise ValueError(f"bar record {i}: bar_type_id is 0 (unset)")
        for i in range(n):
            self.add_bar_rec_c(&v[i])

    def quote(self, instrument_id, Py_ssize_t index=0):
        """The ``index``-th latest quote (0 = latest) as a :class:`QuoteTick`, or None."""
        cdef const QuoteTickRec* rec = self.quote_rec_c(_instrument_index(instrument_id), index)
        return None if rec == NULL else QuoteTick.from_rec_c(rec)

    def trade(self, instrument_id, Py_ssize_t index=0):
        """The ``index``-th latest trade (0 = latest) as a :class:`TradeTick`, or None."""
        cdef const TradeTickRec* rec = self.trade_rec_c(_instrument_index(instrument_id), index)
        return None if rec == NULL else TradeTick.from_rec_c(rec)

    def bar(self, bar_type, Py_ssize_t index=0):
        """The ``index``-th latest bar (0 = latest) of ``bar_type`` as a :class:`Bar`, or None."""
        cdef const BarRec* rec = self.bar_rec_c(_bar_type_index(bar_type), index)
        return None if rec == NULL else Bar.from_rec_c(rec)

    cdef object _ring_or_none(self, list rings, uint32_t idx):
        return rings[idx] if idx < <uint32_t>len(rings) else None

    def quotes(self, instrument_id):
        """Stored quotes of the instrument as a ``QUOTE_TICK_DTYPE`` array, newest first."""
        r = self._ring_or_none(self._quote_rings, _instrument_index(instrument_id))
        return np.zeros(0, dtype=QUOTE_TICK_DTYPE) if r is None else r.to_array()

    def trades(self, instrument_id):
        """Stored trades of the instrument as a ``TRADE_TICK_DTYPE`` array, newest first."""
        r = self._ring_or_none(self._trade_rings, _instrument_index(instrument_id))
        return np.zeros(0, dtype=TRADE_TICK_DTYPE) if r is None else r.to_array()

    def bars(self, bar_type):
        """Stored bars of the bar type as a ``BAR_DTYPE`` array, newest first."""
        r = self._ring_or_none(self._bar_rings, _bar_type_index(bar_type))
        return np.zeros(0, dtype=BAR_DTYPE) if r is None else r.to_array()

    def quote_count(self, instrument_id) -> int:
        """Number of quotes stored for the instrument (<= tick_capacity)."""
        r = self._ring_or_none(self._quote_rings, _instrument_index(instrument_id))
        return 0 if r is None else len(r)

    def trade_count(self, instrument_id) -> int:
        """Number of trades stored for the instrument (<= tick_capacity)."""
        r = self._ring_or_none(self._trade_rings, _instrument_index(instrument_id))
        return 0 if r is None else len(r)

    def bar_count(self, bar_type) -> int:
        """Number of bars stored for the bar type (<= bar_capacity)."""
        r = self._ring_or_none(self._bar_rings, _bar_type_index(bar_type))
        return 0 if r is None else len(r)

    # ------------------------------------------------------------------ orders

    cdef tuple _keys_of(self, object coid):
        """(strategy_id, instrument_id, venue) the cached order ``coid`` is indexed under, or
        None. Orders added through the typed path keep no key tuple: an Order's keys never change
        and are read from the order itself."""
        cdef tuple keys = self._order_keys.get(coid)
        cdef object o
        if keys is None:
            o = self._orders.get(coid)
            if type(o) is Order:
                keys = ((<Order>o).strategy_id, (<Order>o).instrument_id, (<Order>o).instrument_id.venue)
        return keys

    cdef int _index_order(self, object order, tuple old) except -1:
        """Index ``order`` under its keys; ``old``: the keys it was indexed under (None: new)."""
        coid = order.client_order_id
        sid = order.strategy_id
        iid = order.instrument_id
        venue = iid.venue
        if old is not None:
            if old == (sid, iid, venue):
                if type(order) is not Order:
                    self._order_keys[coid] = old        # a duck-typed object: keep its keys here
                return 0
            self._orders_by_strategy.remove(old[0], coid, False)
            self._orders_by_instrument.remove(old[1], coid, False)
            self._orders_by_venue.remove(old[2], coid, False)
        self._order_keys[coid] = (sid, iid, venue)
        self._orders_by_strategy.add(sid, coid)
        self._orders_by_instrument.add(iid, coid)
        self._orders_by_venue.add(venue, coid)
        return 0

    cdef int _set_order_state(self, object coid, object order) except -1:
        if isinstance(order, Order):
            (<Order>order)._cache_owner = 0       # placed here without its flags: not trusted
        return self._place_order(coid, order.is_open, order.is_inflight, order.is_closed,
                                 getattr(order, "position_id", None))

    cdef int _set_order_state_c(self, object coid, Order order) except -1:
        """``_set_order_state`` for an Order. An order this cache owns is queued (once) and its
        state sets are brought up to date when something next reads them (``_sync_states``): most
        orders of a run are submitted, accepted and filled between two reads, and a closed order is
        in no set, so the sets never change for them. With a closed_order_capacity, or for an
        order this cache does not own, the sets change now."""
        if order._cache_owner == self._serial and self.closed_order_capacity is None:
            if not (order._cache_flags & _PENDING):
                order._cache_flags |= _PENDING
                self._state_pending.append(order)
                if len(self._state_pending) >= _PENDING_MAX:
                    self._sync_states()
            return 0
        return self._apply_order_state(coid, order)

    cdef int _sync_states(self) except -1:
        """Bring the order state sets up to date for the queued orders (each read of the sets
        calls this first). An order dropped or replaced since it was queued is skipped: the drop
        or the replacement updated the sets for its id."""
        cdef list pending = self._state_pending
        cdef Order o
        if not pending:
            return 0
        self._state_pending = []
        for item in pending:
            o = <Order>item
            o._cache_flags &= ~_PENDING
            if o._cache_owner == self._serial or self._orders.get(o.client_order_id) is o:
                self._apply_order_state(o.client_order_id, o)
        return 0

    cdef int _apply_order_state(self, object coid, Order order) except -1:
        """Put an Order's id in the state sets its C status calls for. The order remembers which
        of this cache's state sets hold it, so only the sets that change are touched (a full
        placement when another cache placed it last)."""
        cdef bint is_open = order.is_open_c(), is_inflight = order.is_inflight_c()
        cdef bint is_closed = order.is_closed_c()
        cdef uint8_t now = (_PLACED | (_IN_OPEN if is_open else 0) | (_IN_INFLIGHT if is_inflight else 0)
                            | (_IN_IDLE if not (is_open or is_inflight or is_closed) else 0))
        cdef uint8_t was = order._cache_flags & ~_PENDING
        if order._cache_owner != self._serial:
            self._place_order(coid, is_open, is_inflight, is_closed, order.position_id)
        else:
            if (now ^ was) & _IN_OPEN:
                _set_member(self._orders_open, coid, is_open)
            if (now ^ was) & _IN_INFLIGHT:
                _set_member(self._orders_inflight, coid, is_inflight)
            if (now ^ was) & _IN_IDLE:
                _set_member(self._orders_idle, coid, (now & _IN_IDLE) != 0)
            if self.closed_order_capacity is not None and (now == _PLACED) != (was == _PLACED):
                self._track_closed(coid, now == _PLACED)
        order._cache_owner = self._serial
        order._cache_flags = now
        return 0

    cdef int _track_closed(self, object coid, bint closed) except -1:
        """With a closed_order_capacity: keep ``coid`` in the closing-order FIFO while it is closed
        and drop the oldest closed orders beyond the capacity."""
        if not closed:
            self._orders_closed.pop(coid, None)
            return 0
        if coid not in self._orders_closed:
            self._orders_closed[coid] = None
        while len(self._orders_closed) > self.closed_order_capacity:
            self._drop_order(next(iter(self._orders_closed)))
        return 0

    cdef int _place_order(self, object coid, bint is_open, bint is_inflight, bint is_closed,
                          object position_id) except -1:
        """Move a cached order id into / out of the open, inflight and idle sets (closed: none of
        them); with a ``closed_order_capacity`` closed ids are kept in closing order (oldest
        first) and dropped beyond it."""
        cdef bint idle = not (is_open or is_inflight or is_closed)
        _set_member(self._orders_open, coid, is_open)
        _set_member(self._orders_inflight, coid, is_inflight)
        _set_member(self._orders_idle, coid, idle)
        if position_id is not None:
            self._order_position[coid] = position_id
        if self.closed_order_capacity is not None:
            self._track_closed(coid, not (is_open or is_inflight or idle))
        return 0

    cdef object _position_id_of(self, object coid):
        """The position id of a cached order: an engine Order's own ``position_id`` (not copied into
        ``_order_position``), else the explicit link (add_order / add_position_id / a position's
        opening order / a duck-typed order's), or None."""
        cdef object o = self._orders.get(coid)
        if type(o) is Order and (<Order>o).position_id is not None:
            return (<Order>o).position_id
        return self._order_position.get(coid)

    cdef set _closed_ids(self):
        """Ids of the cached orders in none of the open / in-flight / idle sets: the closed ones."""
        self._sync_states()
        cdef set opened = self._orders_open, inflight = self._orders_inflight, idle = self._orders_idle
        return {k for k in self._orders if k not in opened and k not in inflight and k not in idle}

    cdef Py_ssize_t _closed_count(self) except -1:
        """Number of closed cached orders, from the sizes of the (small) live sets."""
        self._sync_states()
        cdef set opened = self._orders_open, inflight = self._orders_inflight
        cdef Py_ssize_t both = len(inflight & opened) if inflight and opened else 0
        return len(self._orders) - len(opened) - len(inflight) + both - len(self._orders_idle)

    cdef int add_order_c(self, Order order, object position_id) except -1:
        cdef object coid = order.client_order_id
        cdef InstrumentId iid = order.instrument_id
        cdef object sid = order.strategy_id
        if <object>PyDict_SetDefault(self._orders, coid, order) is not order:   # one lookup
            raise ValueError(f"order {coid} is already in the cache")
        self._seq += 1
        if order._seq_owner == 0:               # numbered by no other cache: the order keeps it
            order._seq_owner = self._serial
            order._seq_in_owner = self._seq
        else:
            self._order_seq[coid] = self._seq
        self._orders_by_strategy.add(sid, coid)
        self._orders_by_instrument.add(iid, coid)
        self._orders_by_venue.add(iid.venue, coid)
        if position_id is not None:
            self._order_position[coid] = position_id
        # a new id is in none of the state sets (a dropped id left all of them): place it from empty
        order._cache_owner = self._serial
        order._cache_flags = 0
        self._set_order_state_c(coid, order)
        return 0

    cdef int update_order_c(self, Order order) except -1:
        cdef object coid = order.client_order_id
        if order._cache_owner == self._serial:   # this very object is stored under its id here
            self._set_order_state_c(coid, order)
            return 0
        cdef object cached = self._orders.get(coid)
        if cached is not order:             # another object for the id: the generic path re-indexes
            self.update_order(order)
            return 0
        # an Order's strategy, instrument and venue never change: only the state sets move
        self._set_order_state_c(coid, order)
        return 0

    cdef int _release_order(self, object order, object coid, bint keep_seq) except -1:
        """``order`` leaves this cache's store (dropped, or replaced by another object under
        ``coid``): clear what it holds for this cache; ``keep_seq``: the id keeps its add
        sequence (moved to ``_order_seq``)."""
        if not isinstance(order, Order):
            return 0
        if (<Order>order)._cache_owner == self._serial:
            (<Order>order)._cache_owner = 0
        if (<Order>order)._seq_owner == self._serial:
            if keep_seq:
                self._order_seq[coid] = (<Order>order)._seq_in_owner
            (<Order>order)._seq_owner = 0
        return 0

    cdef int _drop_order(self, object coid) except -1:
        cdef object order = self._orders.get(coid)
        self._links_version += 1              # its position link goes: positions check theirs again
        self._release_order(order, coid, False)
        keys = self._keys_of(coid)
        self._order_keys.pop(coid, None)
        self._orders_by_strategy.remove(keys[0], coid, True)
        self._orders_by_instrument.remove(keys[1], coid, True)
        self._orders_by_venue.remove(keys[2], coid, True)
        self._orders_open.discard(coid)
        self._orders_inflight.discard(coid)
        self._orders_idle.discard(coid)
        for d in (self._orders_closed, self._order_position, self._order_seq):
            d.pop(coid, None)
        del self._orders[coid]
        return 0

    def add_order(self, order, position_id=None) -> None:
        """Add a new order (keyed by ``order.client_order_id``) and index it; optionally link it to
        ``position_id``. Raises ValueError if the client order id is already cached."""
        if type(order) is Order:
            self.add_order_c(<Order>order, position_id)
            return
        coid = order.client_order_id
        if coid in self._orders:
            raise ValueError(f"order {coid} is already in the cache")
        self._seq += 1
        self._orders[coid] = order
        self._order_seq[coid] = self._seq
        try:
            self._index_order(order, None)
            if position_id is not None:
                self._order_position[coid] = position_id
            self._set_order_state(coid, order)
        except BaseException:
            if coid in self._order_keys:
                self._drop_order(coid)
            else:
                del self._orders[coid]
                del self._order_seq[coid]
            raise

    def update_order(self, order) -> None:
        """Re-index a cached order after a state change (open / closed / inflight, position id)."""
        if type(order) is Order and self._orders.get((<Order>order).client_order_id) is order:
            self._set_order_state_c((<Order>order).client_order_id, <Order>order)
            return
        coid = order.client_order_id
        if coid not in self._orders:
            raise KeyError(f"order {coid} is not in the cache")
        old = self._keys_of(coid)
        self._release_order(self._orders[coid], coid, True)     # replaced: the id keeps its sequence
        self._orders[coid] = order
        self._index_order(order, old)
        self._set_order_state(coid, order)

    def order(self, client_order_id):
        """The order with this client order id, or None."""
        return self._orders.get(client_order_id)

    def order_exists(self, client_order_id) -> bool:
        """True if the client order id is cached."""
        return client_order_id in self._orders

    cdef list _order_sets(self, object state, object strategy_id, object instrument_id, object venue):
        """The id sets to intersect: ``state`` (one of the order state sets, or a set of ids, or
        None) and the members of each given key."""
        cdef list sets = []
        if state is not None:
            self._sync_states()             # the state sets are kept in place: now up to date
            sets.append(state)
        if strategy_id is not None:
            sets.append(self._orders_by_strategy.members(_norm_sid(strategy_id)))
        if instrument_id is not None:
            sets.append(self._orders_by_instrument.members(_norm_iid(instrument_id)))
        if venue is not None:
            sets.append(self._orders_by_venue.members(_norm_venue(venue)))
        return sets

    def orders(self, strategy_id=None, instrument_id=None, venue=None) -> list:
        """Cached orders matching every given filter, in the order they were added."""
        return _select(self._orders, self._order_seq_of,
                       self._order_sets(None, strategy_id, instrument_id, venue), True)

    def orders_open(self, strategy_id=None, instrument_id=None, venue=None) -> list:
        """Open orders (``is_open``) matching the filters, in add order."""
        return _select(self._orders, self._order_seq_of,
                       self._order_sets(self._orders_open, strategy_id, instrument_id, venue), True)

    def orders_closed(self, strategy_id=None, instrument_id=None, venue=None) -> list:
        """Closed orders (``is_closed``) matching the filters, in add order."""
        return _select(self._orders, self._order_seq_of,
                       self._order_sets(self._closed_ids(), strategy_id, instrument_id, venue), True)

    def orders_inflight(self, strategy_id=None, instrument_id=None, venue=None) -> list:
        """In-flight orders (``is_inflight``) matching the filters, in add order."""
        return _select(self._orders, self._order_seq_of,
                       self._order_sets(self._orders_inflight, strategy_id, instrument_id, venue), True)

    def client_order_ids(self, strategy_id=None, instrument_id=None, venue=None) -> list:
        """Client order ids matching the filters, in add order."""
        return _select(self._orders, self._order_seq_of,
                       self._order_sets(None, strategy_id, instrument_id, venue), False)

    cdef Py_ssize_t _count(self, dict store, list sets) except -1:
        """Number of keys in every container of ``sets`` (all of ``store`` when empty)."""
        cdef Py_ssize_t n = 0
        if not sets:
            return len(store)
        for s in sets:
            if s is None:
                return 0
        if len(sets) == 1:
            return len(sets[0])
        sets = sorted(sets, key=len)
        rest = sets[1:]
        for k in sets[0]:
            if all(k in r for r in rest):
                n += 1
        return n

    def _order_seq_of(self, coid) -> int:
        """A cached order's add sequence: kept on an Order this cache numbered first (see
        Order._seq_owner), else in ``_order_seq``."""
        cdef object o = self._orders.get(coid)
        if type(o) is Order and (<Order>o)._seq_owner == self._serial:
            return (<Order>o)._seq_in_owner
        return self._order_seq[coid]

    def orders_total_count(self, strategy_id=None, instrument_id=None, venue=None) -> int:
        """Number of cached orders matching the filters."""
        return self._count(self._orders, self._order_sets(None, strategy_id, instrument_id, venue))

    def orders_open_count(self, strategy_id=None, instrument_id=None, venue=None) -> int:
        """Number of open orders matching the filters."""
        return self._count(self._orders,
                           self._order_sets(self._orders_open, strategy_id, instrument_id, venue))

    def orders_closed_count(self, strategy_id=None, instrument_id=None, venue=None) -> int:
        """Number of closed orders matching the filters."""
        if strategy_id is None and instrument_id is None and venue is None:
            return self._closed_count()
        return self._count(self._orders,
                           self._order_sets(self._closed_ids(), strategy_id, instrument_id, venue))

    def orders_inflight_count(self, strategy_id=None, instrument_id=None, venue=None) -> int:
        """Number of in-flight orders matching the filters."""
        return self._count(self._orders,
                           self._order_sets(self._orders_inflight, strategy_id, instrument_id, venue))

    # ------------------------------------------------------------------ positions

    cdef int _index_position(self, object position) except -1:
        pid = position.id
        sid = position.strategy_id
        iid = position.instrument_id
        venue = iid.venue
        old = self._position_keys.get(pid)
        if old is not None:
            if old == (sid, iid, venue):
                return 0
            _index_remove(self._positions_by_strategy, old[0], pid)
            _index_remove(self._positions_by_instrument, old[1], pid)
            _index_remove(self._positions_by_venue, old[2], pid)
        self._position_keys[pid] = (sid, iid, venue)
        _index_add(self._positions_by_strategy, sid, pid)
        _index_add(self._positions_by_instrument, iid, pid)
        _index_add(self._positions_by_venue, venue, pid)
        return 0

    cdef int _set_position_state(self, object pid, object position) except -1:
        """Move a cached position into / out of the open dict (closed: not in it, once brought up
        to date); with a ``closed_position_capacity`` closed ids are kept in closing order and the
        oldest dropped beyond it.

        A closed Position's entry leaves the open dict when something reads the dict
        (``_sync_open``) or 64 ids wait (other position objects leave at once). A position that
        reopens before then (a NETTING position opens and closes under one id) is written over
        its own entry: a dict that loses and gains an entry per fill gets a new slot each time
        and is rebuilt every few fills."""
        cdef bint typed = type(position) is Position
        cdef bint is_open = ((<Position>position)._side != 0) if typed else position.is_open
        self.positions_version += 1
        if is_open:
            self._positions_open[pid] = position
        elif not typed:
            self._positions_open.pop(pid, None)
        elif (<Position>position)._cache_owner != self._serial:
            self._open_closing.append(pid)
        elif not (<Position>position)._cache_closing:      # queued once until the next _sync_open
            (<Position>position)._cache_closing = True
            self._open_closing.append(pid)
        if len(self._open_closing) >= 64:
            self._sync_open()
        if typed and (<Position>position)._cache_owner == self._serial:
            (<Position>position)._cache_open = is_open
            self._link_opening(pid, <Position>position)
        else:
            opening = (<Position>position).opening_order_id if typed else getattr(position, "opening_order_id", None)
            if opening is not None and self._position_id_of(opening) is None:
                self._order_position[opening] = pid
        cap = self.closed_position_capacity
        if cap is not None:
            if is_open:
                self._positions_closed.pop(pid, None)
            else:
                if pid not in self._positions_closed:
                    self._positions_closed[pid] = None
                while len(self._positions_closed) > cap:
                    self._drop_position(next(iter(self._positions_closed)))
        return 0

    cdef int _sync_open(self) except -1:
        """Drop the entries of positions closed since the last call from the open dict (unless
        they reopened). Every reader of ``_positions_open`` calls this first, except the
        portfolio's equity sample, which skips flat positions itself. The entry is judged by the
        cached position of its id, which may be another object than the one the entry holds."""
        cdef list closing = self._open_closing
        cdef dict opened = self._positions_open
        cdef object pid, position
        if not closing:
            return 0
        self._open_closing = []
        for pid in closing:
            position = self._positions.get(pid)
            if type(position) is Position and (<Position>position)._cache_owner == self._serial:
                (<Position>position)._cache_closing = False
            if pid not in opened:
                continue
            if position is None or (type(position) is Position and (<Position>position)._side == 0):
                del opened[pid]
            elif type(position) is Position:
                opened[pid] = position
        return 0

    cdef set _closed_position_ids(self):
        """Ids of the cached positions that are not open: the closed ones."""
        self._sync_open()
        cdef dict opened = self._positions_open
        return {k for k in self._positions if k not in opened}

    cdef list positions_open_c(self):
        """Open positions, unfiltered, in the order they (re)opened (no sort; for the portfolio)."""
        self._sync_open()
        return PyDict_Values(self._positions_open)

    cdef int _link_opening(self, object pid, Position position) except -1:
        """Link the opening order of a position this cache owns to it (unless it is linked: an
        engine Order carries its position id), remembering the check until the opening order
        changes or an order drop may have removed a link."""
        cdef object opening = position.opening_order_id
        if opening is None or (opening is position._cache_linked
                               and position._cache_linked_at == self._links_version):
            return 0
        if self._position_id_of(opening) is None:
            self._order_position[opening] = pid
        position._cache_linked = opening
        position._cache_linked_at = self._links_version
        return 0

    cdef int _drop_position(self, object pid) except -1:
        self.positions_version += 1
        dropped = self._positions.get(pid)
        if type(dropped) is Position and (<Position>dropped)._cache_owner == self._serial:
            (<Position>dropped)._cache_owner = 0
        keys = self._position_keys.pop(pid)
        _index_remove(self._positions_by_strategy, keys[0], pid)
        _index_remove(self._positions_by_instrument, keys[1], pid)
        _index_remove(self._positions_by_venue, keys[2], pid)
        for s in (self._positions_open, self._positions_closed, self._position_seq):
            s.pop(pid, None)
        del self._positions[pid]
        return 0

    def add_position(self, position) -> None:
        """Add a new position (keyed by ``position.id``) and index it. Its ``opening_order_id``
        (if any) is linked to it. Raises ValueError if the position id is already cached."""
        pid = position.id
        if pid in self._positions:
            raise ValueError(f"position {pid} is already in the cache")
        self._seq += 1
        self._positions[pid] = position
        self._position_seq[pid] = self._seq
        self._own_position(position)
        try:
            self._index_position(position)
            self._set_position_state(pid, position)
        except BaseException:
            if pid in self._position_keys:
                self._drop_position(pid)
            else:
                del self._positions[pid]
                del self._position_seq[pid]
            raise

    def update_position(self, position) -> None:
        """Re-index a cached position after a change (open / closed)."""
        pid = position.id
        if pid not in self._positions:
            raise KeyError(f"position {pid} is not in the cache")
        cached = self._positions[pid]
        if cached is not position and type(cached) is Position and (<Position>cached)._cache_owner == self._serial:
            (<Position>cached)._cache_owner = 0     # replaced: no longer the object stored here
        self._positions[pid] = position
        self._own_position(position)
        self._index_position(position)
        self._set_position_state(pid, position)

    cdef int _own_position(self, object position) except -1:
        """Mark a Position just stored here as this cache's (its open flag and link memo are set
        by _set_position_state, which follows)."""
        if type(position) is Position and (<Position>position)._cache_owner != self._serial:
            (<Position>position)._cache_owner = self._serial
            (<Position>position)._cache_linked = None
            (<Position>position)._cache_closing = False    # (an id still queued is handled twice)
        return 0

    cdef int update_position_c(self, Position position) except -1:
        """``update_position`` for the cached Position object itself: its keys never change, so
        only an open/closed change moves it between the state sets (and bumps positions_version)."""
        cdef object pid = position.id
        if position._cache_owner != self._serial:   # not (or no longer) trusted: the generic path
            self.update_position(position)
            return 0
        if (position._side != 0) != position._cache_open:
            self._set_position_state(pid, position)
        else:
            self._link_opening(pid, position)
        return 0

    def position(self, position_id):
        """The position with this id, or None."""
        return self._positions.get(position_id)

    def position_exists(self, position_id) -> bool:
        """True if the position id is cached."""
        return position_id in self._positions

    def add_position_id(self, position_id, client_order_id) -> None:
        """Link ``client_order_id`` to ``position_id`` (used by ``position_for_order``)."""
        self._order_position[client_order_id] = position_id

    def position_id(self, client_order_id):
        """The position id linked to this client order id, or None."""
        return self._position_id_of(client_order_id)

    def position_for_order(self, client_order_id):
        """The cached position linked to this client order id, or None."""
        pid = self._position_id_of(client_order_id)
        return None if pid is None else self._positions.get(pid)

    cdef list _position_sets(self, object state, object strategy_id, object instrument_id,
                             object venue):
        """The id sets to intersect: ``state`` (the open dict, or a set of ids, or None) and the
        members of each given key."""
        cdef list sets = []
        if state is not None:
            if state is self._positions_open:
                self._sync_open()           # the open dict is kept in place: now up to date
            sets.append(state)
        if strategy_id is not None:
            sets.append(self._positions_by_strategy.get(_norm_sid(strategy_id)))
        if instrument_id is not None:
            sets.append(self._positions_by_instrument.get(_norm_iid(instrument_id)))
        if venue is not None:
            sets.append(self._positions_by_venue.get(_norm_venue(venue)))
        return sets

    def positions(self, strategy_id=None, instrument_id=None, venue=None) -> list:
        """Cached positions matching every given filter, in the order they were added."""
        return _select(self._positions, self._position_seq.__getitem__,
                       self._position_sets(None, strategy_id, instrument_id, venue), True)

    def positions_open(self, strategy_id=None, instrument_id=None, venue=None) -> list:
        """Open positions matching the filters, in add order."""
        return _select(self._positions, self._position_seq.__getitem__,
                       self._position_sets(self._positions_open, strategy_id, instrument_id, venue),
                       True)

    def positions_closed(self, strategy_id=None, instrument_id=None, venue=None) -> list:
        """Closed positions matching the filters, in add order."""
        return _select(self._positions, self._position_seq.__getitem__,
                       self._position_sets(self._closed_position_ids(), strategy_id, instrument_id, venue),
                       True)

    def positions_total_count(self, strategy_id=None, instrument_id=None, venue=None) -> int:
        """Number of cached positions matching the filters."""
        return self._count(self._positions, self._position_sets(None, strategy_id, instrument_id, venue))

    def positions_open_count(self, strategy_id=None, instrument_id=None, venue=None) -> int:
        """Number of open positions matching the filters."""
        return self._count(self._positions,
                           self._position_sets(self._positions_open, strategy_id, instrument_id, venue))

    def positions_closed_count(self, strategy_id=None, instrument_id=None, venue=None) -> int:
        """Number of closed positions matching the filters."""
        self._sync_open()
        if strategy_id is None and instrument_id is None and venue is None:
            return len(self._positions) - len(self._positions_open)
        return self._count(self._positions,
                           self._position_sets(self._closed_position_ids(), strategy_id, instrument_id, venue))

    def __repr__(self):
        return (
            f"Cache(instruments={len(self._instruments)}, orders={len(self._orders)}, "
            f"positions={len(self._positions)}, tick_capacity={self.tick_capacity}, "
            f"bar_capacity={self.bar_capacity})"
        )

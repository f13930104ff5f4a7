"""Order books: L1 (top of book), L2 (aggregated by price) and L3 (market-by-order).

``OrderBook(instrument_id, book_type="L2")`` is a Cython book over sorted C level arrays (best
level last) with an L3 order-id hash map and per-level FIFO queues; see its docstring for the
delta semantics, the sequence-gap and crossed-book policies, and own-order queue tracking.
Prices and sizes are decimal floats (or ``Price``/``Quantity``) in the Python API and int64 raw
values at scale 10^9 in the ``*_raw`` variants and record arrays.
"""

from alphaforge._core.book import (
    BOOK_TOP_DTYPE,
    BookIntegrityError,
    CrossedBookError,
    OrderBook,
    SequenceGapError,
)
from alphaforge._core.records import ORDER_BOOK_DELTA_DTYPE
from alphaforge.model.enums import BookAction, BookType, OrderSide, RecordFlag

GAP_POLICIES = ("raise", "flag", "ignore")
"""Values accepted by ``OrderBook(gap_policy=...)``."""

CROSSED_POLICIES = ("keep", "resolve", "raise")
"""Values accepted by ``OrderBook(crossed_policy=...)``."""

QUEUE_RULES = ("pessimistic", "proportional")
"""Values accepted by ``OrderBook(queue_rule=...)`` (L2 own-order queue estimate)."""

__all__ = [
    "BOOK_TOP_DTYPE",
    "CROSSED_POLICIES",
    "GAP_POLICIES",
    "ORDER_BOOK_DELTA_DTYPE",
    "QUEUE_RULES",
    "BookAction",
    "BookIntegrityError",
    "BookType",
    "CrossedBookError",
    "OrderBook",
    "OrderSide",
    "RecordFlag",
    "SequenceGapError",
]

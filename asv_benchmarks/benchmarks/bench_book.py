"""Order book speed (asv).

Workload: the ``N`` = 2M synthetic L2 deltas of ``/work/shared/bench/gen_data.py`` (seed 7: a
drifting mid on a 0.01 tick, updates at geometrically distributed depths, a crossed level deleted
by its own delta) as an ORDER_BOOK_DELTA_DTYPE array, plus a deep book (10 / 1000 / 10000 levels
a side) updated within its top 10 levels.

* ``time_python_apply_and_read``: ``apply_delta(action, side, price, size)`` + ``best_bid_price()``
  + ``best_ask_price()`` per delta from a Python loop over ``N_PY`` deltas;
* ``time_python_noop_floor``: the same loop on ``bench_book.NoopBook`` (same signature, no work);
* ``time_c_apply_and_read``: the cdef ``apply_raw`` + two raw reads per record (C driver);
* ``time_batch_apply_deltas``: ``apply_deltas(records, out=top)`` (nogil, best bid/ask per delta);
* ``time_price_indexed_reference``: a dense price-indexed array book over the same records;
* ``DeepBook.time_batch_top_updates`` / ``time_python_top_updates``: the deep-book workload.

Divide by ``N`` (``N_PY`` for Python loops) for the time per delta; ``python
scripts/bench_book.py`` prints deltas/s with ratios and the issue's targets.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from alphaforge._core.bench_book import NoopBook, c_apply_and_read, price_indexed_reference
from alphaforge.book import BOOK_TOP_DTYPE, ORDER_BOOK_DELTA_DTYPE, OrderBook

N = 2_000_000
N_PY = 500_000
TICK = 10_000_000


GEN = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_data.py"


def _deltas(n):
    """The generator's deltas (``/tmp/afdata/deltas_*.npy``, seed 7; generated into a temporary
    folder with ``gen_data.py`` when missing) as an ORDER_BOOK_DELTA_DTYPE array."""
    d = Path("/tmp/afdata")
    names = ("ts_ns", "action", "side", "price", "size")
    if not all((d / f"deltas_{x}.npy").exists() for x in names):
        d = Path(tempfile.mkdtemp(prefix="afdata"))
        subprocess.run([sys.executable, str(GEN), str(d), "--deltas", str(n), "--bars", "10",
                        "--ticks", "10", "--seed", "7"], check=True)
    cols = {x: np.load(d / f"deltas_{x}.npy")[:n] for x in names}
    recs = np.zeros(len(cols["action"]), ORDER_BOOK_DELTA_DTYPE)
    recs["ts_event"] = cols["ts_ns"]
    recs["action"], recs["side"] = cols["action"], cols["side"]
    recs["price"] = np.round(cols["price"] * 100).astype(np.int64) * TICK
    recs["size"] = np.round(cols["size"]).astype(np.int64) * 10**9
    recs["price_prec"], recs["size_prec"] = 2, 0
    return recs


def _book():
    return OrderBook("BTCUSDT.BINANCE", "L2", price_precision=2, size_precision=0)


class L2Deltas:
    timeout = 300

    def setup(self):
        self.recs = _deltas(N)
        self.n = len(self.recs)
        sub = self.recs[:N_PY]
        self.cols = [sub["action"].tolist(), sub["side"].tolist(), (sub["price"] / 1e9).tolist(),
                     (sub["size"] / 1e9).tolist()]
        self.top = np.full(self.n, 1, BOOK_TOP_DTYPE)
        self.ref = np.full((self.n, 4), 1, np.int64)

    def _loop(self, book):
        ap, bb, ba = book.apply_delta, book.best_bid_price, book.best_ask_price
        for a, s, p, z in zip(*self.cols, strict=True):
            ap(a, s, p, z)
            bb()
            ba()

    def time_python_apply_and_read(self):
        self._loop(_book())

    def time_python_noop_floor(self):
        self._loop(NoopBook())

    def time_c_apply_and_read(self):
        c_apply_and_read(_book(), self.recs)

    def time_batch_apply_deltas(self):
        _book().apply_deltas(self.recs, out=self.top)

    def time_price_indexed_reference(self):
        price_indexed_reference(self.recs, TICK, self.ref)


class DeepBook:
    timeout = 300
    params = [[10, 1000, 10000]]
    param_names = ["depth"]

    def setup(self, depth):
        rng = np.random.default_rng(7)
        n = 1_000_000
        mid = 20_000
        self.snap = ((mid - np.arange(1, depth + 1)) * TICK, np.full(depth, 10**10, np.int64),
                     (mid + np.arange(1, depth + 1)) * TICK, np.full(depth, 10**10, np.int64))
        recs = np.zeros(n, ORDER_BOOK_DELTA_DTYPE)
        side = rng.integers(1, 3, n)
        off = rng.integers(1, 11, n)
        kind = rng.random(n)
        recs["side"] = side
        recs["price"] = np.where(side == 1, mid - off, mid + off) * TICK
        recs["action"] = np.where(kind < 0.2, 3, np.where(kind < 0.4, 1, 2))
        recs["size"] = np.where(recs["action"] == 3, 0, rng.integers(1, 500, n) * 10**9)
        self.recs = recs
        self.top = np.full(n, 1, BOOK_TOP_DTYPE)
        sub = recs[:N_PY]
        self.cols = [sub["action"].tolist(), sub["side"].tolist(), (sub["price"] / 1e9).tolist(),
                     (sub["size"] / 1e9).tolist()]

    def _book(self):
        b = _book()
        b.apply_snapshot_raw(*self.snap)
        return b

    def time_batch_top_updates(self, depth):
        self._book().apply_deltas(self.recs, out=self.top)

    def time_python_top_updates(self, depth):
        b = self._book()
        ap, bb, ba = b.apply_delta, b.best_bid_price, b.best_ask_price
        for a, s, p, z in zip(*self.cols, strict=True):
            ap(a, s, p, z)
            bb()
            ba()

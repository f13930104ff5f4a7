"""A market maker on an L2 book rebuilt from Binance spot BTCUSDT depth, with queue position.

Data (2024-08-08 23:54:14 -> 23:59:59 UTC): ``book/binance-spot_btcusdt_20240808_depth.csv.gz``
(the REST snapshot plus every ``@depth@100ms`` diff, synced by Binance's documented rule in
``load_binance_depth``) and ``trades/binance-spot_btcusdt_20240808_trades.csv``. The venue keeps an
L2 book from the deltas (``book_type="L2"``) and the built-in FIFO ``QueueModel``: a resting limit
order joins behind the size displayed at its level; trades at that price eat the size ahead of it
first, a trade through its price fills it. Commands take 5 ms to reach the venue (``LatencyModel``).

The strategy subscribes to the book deltas. At the end of every ``requote_every``-th depth message
it quotes ``trade_size`` BTC with post-only GTC limit orders at the current best bid and best ask;
a quote whose price is no longer the best is canceled and replaced. Inventory limit: a new buy is
posted only while position + open buy quantity + trade_size <= ``max_inventory`` (sells
symmetric). Each requote also reads the venue book's own-order table (``OrderBook.own_orders()``,
``ahead_raw`` = size still ahead of the order in its level's queue) and records it.

    python examples/market_maker_l2.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from alphaforge.analysis import format_statistics
from alphaforge.backtest import BacktestEngine, BacktestResult
from alphaforge.config import ConfigError
from alphaforge.data.loaders import load_binance_depth, load_binance_trades
from alphaforge.execution import LatencyModel, QueueModel
from alphaforge.model import CurrencyPair, InstrumentId, OrderSide, Price, RecordFlag
from alphaforge.trading import Strategy, StrategyConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
DEPTH_FILE = Path("book") / "binance-spot_btcusdt_20240808_depth.csv.gz"
TRADES_FILE = Path("trades") / "binance-spot_btcusdt_20240808_trades.csv"
LATENCY_NS = 5_000_000  # 5 ms order entry / cancel latency
_LAST = int(RecordFlag.LAST)


class MarketMakerConfig(StrategyConfig):
    """``instrument_id``: the book to quote; ``trade_size``: BTC per quote; ``max_inventory``:
    absolute BTC position limit (open quotes included); ``requote_every``: depth messages (about
    100 ms each) between requotes."""

    instrument_id: InstrumentId
    trade_size: float = 0.001
    max_inventory: float = 0.005
    requote_every: int = 5

    def validate(self) -> None:
        super().validate()
        if self.trade_size <= 0:
            raise ConfigError("trade_size", self.trade_size, "must be > 0")
        if self.max_inventory < self.trade_size:
            raise ConfigError("max_inventory", self.max_inventory, f"must be >= trade_size ({self.trade_size})")
        if self.requote_every < 1:
            raise ConfigError("requote_every", self.requote_every, "must be >= 1")


class BookMarketMaker(Strategy):
    """Quotes the best bid and ask of the L2 book (see the module docstring).

    ``venue_book`` (set before the run): a callable returning the venue's matching-engine book,
    whose own-order table gives the queue position of resting orders. Kept for inspection:
    ``posted`` (client order id -> (ts ns, side, price raw, best bid raw, best ask raw) when the order
    was created), ``queue`` (one (ts ns, client order id, ahead raw) row per resting order per
    requote), ``rejected`` (post-only rejections: the book moved before the order arrived)."""

    def __init__(self, config: MarketMakerConfig) -> None:
        super().__init__(config)
        self.instrument_id = config.instrument_id
        self.venue_book: Callable[[], Any] | None = None
        self.posted: dict[str, tuple[int, int, int, int, int]] = {}
        self.queue: list[tuple[int, str, int]] = []
        self.rejected = 0
        self._quotes: dict[int, Any] = {}  # side (1 buy, 2 sell) -> latest quote order
        self._messages = 0
        self._position = 0.0
        self._prec = 2

    def on_start(self) -> None:
        self._prec = self.cache.instrument(self.instrument_id).price_precision
        self.subscribe_order_book_deltas(self.instrument_id, book_type="L2")

    def on_order_book_deltas(self, delta) -> None:
        if not delta.flags & _LAST:
            return  # requote on complete messages only
        self._messages += 1
        if self._messages % self.config.requote_every == 0:
            self._requote()

    def _requote(self) -> None:
        book = self.cache.order_book(self.instrument_id)
        bid, ask = book.best_bid_price_raw(), book.best_ask_price_raw()
        if bid is None or ask is None:
            return
        self._sample_queue()
        open_orders = self.cache.orders_open(self.id, self.instrument_id)
        open_buy = sum(float(o.leaves_qty) for o in open_orders if o.side_c == 1)
        open_sell = sum(float(o.leaves_qty) for o in open_orders if o.side_c == 2)
        size = self.config.trade_size
        limit = self.config.max_inventory + 1e-12
        for side, px in ((1, bid), (2, ask)):
            order = self._quotes.get(side)
            if order is not None and not order.is_closed:
                if order.price_raw == px:
                    continue  # still at the best price: keep the queue position
                self.cancel_order(order)
            room = (self._position + open_buy + size <= limit) if side == 1 else \
                (-self._position + open_sell + size <= limit)
            if not room:
                continue
            quote = self.order_factory.limit(self.instrument_id, OrderSide(side), size,
                                             Price.from_raw(px, self._prec), post_only=True)
            self.posted[quote.client_order_id.value] = (self.clock.timestamp_ns(), side, px, bid, ask)
            self._quotes[side] = quote
            self.submit_order(quote)
            if side == 1:
                open_buy += size
            else:
                open_sell += size

    def _sample_queue(self) -> None:
        if self.venue_book is None:
            return
        own = self.venue_book().own_orders()
        now = self.clock.timestamp_ns()
        for order in self.cache.orders_open(self.id, self.instrument_id):
            for entry in own:
                if entry["side"] == order.side_c and entry["price_raw"] == order.price_raw:
                    self.queue.append((now, order.client_order_id.value, entry["ahead_raw"]))
                    break

    def on_order_rejected(self, event) -> None:
        self.rejected += 1

    def on_order_filled(self, fill) -> None:
        qty = float(fill.last_qty)
        self._position += qty if fill.order_side == OrderSide.BUY else -qty

    def on_stop(self) -> None:
        self.cancel_all_orders(self.instrument_id)

    def on_reset(self) -> None:
        self.posted = {}
        self.queue = []
        self.rejected = 0
        self._quotes = {}
        self._messages = 0
        self._position = 0.0


def instrument() -> CurrencyPair:
    """Binance spot BTCUSDT: tick 0.01 USDT; sizes with 8 decimals as in the files."""
    return CurrencyPair("BTCUSDT.BINANCE", "BTC", "USDT", 2, 8)


def build_engine(data_dir: Path) -> tuple[BacktestEngine, BookMarketMaker]:
    """Venue BINANCE (L2 book, FIFO queue model, 5 ms latency; netting margin account with
    1,000,000 USDT), the pair, its depth deltas and trades, and the market maker."""
    inst = instrument()
    deltas = load_binance_depth(data_dir / DEPTH_FILE, inst)
    # The loader already applied Binance's U/u sync rule. Its ``sequence`` is each message's last
    # update id u, which jumps by the message's range, so the strategy-side book (default
    # gap_policy "raise", per-delta "last or last + 1" check) would report a gap at the first diff;
    # sequence 0 means "not checked".
    deltas["sequence"] = 0
    trades = load_binance_trades(data_dir / TRADES_FILE, inst)
    # equity sampled at every event: the engine's end-of-run sample is only taken when an interval
    # boundary is due, and a position opened after the last sampled point makes the statistics fail
    engine = BacktestEngine(sample_interval_ns=0)
    engine.add_venue("BINANCE", oms_type="NETTING", account_type="MARGIN", base_currency="USDT",
                     starting_balances=["1000000 USDT"], book_type="L2", queue_model=QueueModel("fifo"),
                     latency_model=LatencyModel(LATENCY_NS))
    engine.add_instrument(inst)
    engine.add_data(deltas)
    engine.add_data(trades)
    strategy = BookMarketMaker(MarketMakerConfig(instrument_id=inst.id))
    # the venue's book exists once the run has built the engine (before on_start is called)
    strategy.venue_book = lambda: engine.exchanges["BINANCE"].matching_engine(inst.id).book
    engine.add_strategy(strategy)
    return engine, strategy


def main(argv: Sequence[str] | None = None) -> BacktestResult:
    """Run the market maker and print its fills and queue positions; returns the BacktestResult."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="shared data folder")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    args = parser.parse_args(argv)

    engine, strategy = build_engine(args.data_dir)
    result = engine.run(progress=args.progress)
    fills = result.fills_report()
    print(f"{result.events:,} book deltas and trades; {len(strategy.posted)} quotes posted, "
          f"{strategy.rejected} post-only rejections, {len(fills)} fills "
          f"({(fills['liquidity_side'] == 'MAKER').sum() if len(fills) else 0} MAKER)")
    if strategy.queue:
        ahead = np.array([a for _, _, a in strategy.queue], dtype=np.float64) / 1e9
        print(f"queue ahead of resting quotes: {len(ahead)} samples, median {np.median(ahead):.5f} BTC, "
              f"{(ahead == 0).mean():.1%} at the front of the queue")
    if len(fills):
        print(fills[["ts_event", "side", "last_px", "last_qty", "liquidity_side", "data_type"]].head(10).to_string())
    print(format_statistics(result.stats()))
    return result


if __name__ == "__main__":
    main()

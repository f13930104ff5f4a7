"""Strategy framework: lifecycle state machine, fault isolation between strategies, timers,
order-book snapshots at an interval, indicator registration and per-strategy statistics."""

import dis
import sys

import numpy as np
import pytest

from alphaforge.backtest import BacktestEngine
from alphaforge.config import ConfigError
from alphaforge.indicators import SMA
from alphaforge.model import BarType, Equity, InstrumentId, OrderSide, deltas_from_arrays
from alphaforge.trading import InvalidStateTransition, Strategy, StrategyConfig

BT = BarType.from_str("STRAT.SIM-1-MINUTE-LAST-EXTERNAL")
MIN = 60_000_000_000


def _bars(n=50, start=1_700_000_000 * 10**9):
    close = 100.0 + np.arange(n) * 0.5
    return {"ts_event": start + np.arange(1, n + 1, dtype=np.int64) * MIN, "open": close - 0.25,
            "high": close + 0.5, "low": close - 0.5, "close": close, "volume": np.full(n, 10.0)}


def _engine(*strategies, n=50):
    engine = BacktestEngine()
    engine.add_venue("SIM", oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["100000 USD"])
    engine.add_instrument(Equity(InstrumentId.from_str("STRAT.SIM"), price_precision=2, currency="USD"))
    engine.add_data(BT, _bars(n))
    for s in strategies:
        engine.add_strategy(s)
    return engine


class Recorder(Strategy):
    def __init__(self, config=None, fail_at=None):
        super().__init__(config)
        self.fail_at = fail_at
        self.closes = []
        self.sma = SMA(3)
        self.sma_values = []
        self.timer_events = []
        self.hooks = []

    def on_start(self):
        self.hooks.append("start")
        self.register_indicator_for_bars(BT, self.sma)
        self.subscribe_bars(BT)
        self.clock.set_timer("every-5m", 5 * MIN)

    def on_bar(self, bar):
        self.closes.append(float(bar.close))
        self.sma_values.append(self.sma.value)
        if self.fail_at is not None and len(self.closes) == self.fail_at:
            order = self.order_factory.limit(BT.instrument_id, OrderSide.BUY, 1, 1.00)
            self.submit_order(order)  # a resting order the fault must cancel
            raise RuntimeError("boom")

    def on_timer(self, event):
        self.timer_events.append((event.name, event.ts_event))

    def on_stop(self):
        self.hooks.append("stop")


def test_lifecycle_transitions_and_invalid_ones():
    s = Recorder()
    assert s.state == "INITIALIZED"
    with pytest.raises(InvalidStateTransition, match="INITIALIZED -> STARTING"):
        s.start()
    _engine(s).run(progress=False)
    assert s.state == "STOPPED" and s.hooks == ["start", "stop"]
    with pytest.raises(InvalidStateTransition, match="STOPPED -> STOPPING"):
        s.stop()
    s.resume()
    assert s.state == "RUNNING"
    s.stop()
    s.reset()
    assert s.state == "READY" and s.sma.count == 0   # registered indicators are reset too
    s.dispose()
    assert s.state == "DISPOSED"
    with pytest.raises(InvalidStateTransition):
        s.start()


def test_indicator_updated_before_handler_and_timers_in_simulated_time():
    s = Recorder()
    _engine(s, n=30).run(progress=False)
    closes = np.array(s.closes)
    assert len(closes) == 30
    # SMA(3) was updated with the bar before on_bar ran: value == mean of the last 3 closes
    expected = [closes[max(0, i - 2): i + 1].mean() for i in range(30)]
    assert np.allclose(s.sma_values, expected)
    # 5-minute timer from the start time: fires at start + 5m, 10m, ... within the data
    start = 1_700_000_000 * 10**9 + MIN
    fired = [ts for _, ts in s.timer_events]
    assert fired == [start + k * 5 * MIN for k in range(1, len(fired) + 1)]
    assert fired[-1] <= start + 29 * MIN and len(fired) == 5


def test_fault_in_one_strategy_is_isolated_and_its_orders_canceled():
    bad = Recorder(StrategyConfig(order_id_tag="BAD"), fail_at=10)
    good = Recorder(StrategyConfig(order_id_tag="GOOD"))
    result = _engine(bad, good, n=40).run(progress=False)
    assert bad.state == "FAULTED" and len(bad.faults) == 1
    ts, name, text, tb = bad.faults[0]
    assert name == "on_bar" and "boom" in text and "RuntimeError" in tb
    assert len(bad.closes) == 10          # no more events after the fault
    assert len(good.closes) == 40         # the other strategy went on
    orders = result.orders_report()
    bad_orders = orders[orders["strategy_id"] == bad.id.value]
    assert list(bad_orders["status"]) == ["CANCELED"]   # on_fault="cancel_orders" (default)
    stats = {row["strategy_id"]: row for row in result.strategy_statistics()}
    assert stats[good.id.value]["events"] >= 40 and stats[good.id.value]["p99_ns"] >= stats[good.id.value]["p50_ns"] > 0
    assert stats[bad.id.value]["state"] == "FAULTED" and stats[bad.id.value]["faults"] == 1


def test_config_errors_name_the_field():
    class Cfg(StrategyConfig):
        period: int = 10

    with pytest.raises(ConfigError, match=r"invalid Cfg.period = 'x': expected int"):
        Cfg(period="x")
    with pytest.raises(ConfigError, match="on_fault"):
        Cfg(on_fault="explode")


class BookWatcher(Strategy):
    def __init__(self):
        super().__init__(StrategyConfig(order_id_tag="BOOK"))
        self.snapshots = []
        self.deltas = 0

    def on_start(self):
        self.subscribe_order_book_deltas("STRAT.SIM")
        self.subscribe_order_book_at_interval("STRAT.SIM", interval_ms=1000)

    def on_order_book_deltas(self, delta):
        self.deltas += 1

    def on_order_book(self, book):
        self.snapshots.append((self.clock.timestamp_ns(), book.best_bid_price(), book.best_ask_price()))


def test_order_book_deltas_and_snapshots_at_interval():
    t0 = 1_700_000_000 * 10**9
    # bids 99.00/98.00 and ask 101.00 at t0; at t0+1.5s the best bid moves to 99.50
    ts = np.array([t0, t0, t0, t0 + 1_500_000_000, t0 + 3_200_000_000], dtype=np.int64)
    deltas = deltas_from_arrays(ts, [1, 1, 1, 1, 1], [1, 1, 2, 1, 2], [99.0, 98.0, 101.0, 99.5, 100.5],
                                [1, 1, 1, 1, 1], price_precision=2, size_precision=0,
                                instrument_id="STRAT.SIM")
    engine = BacktestEngine()
    engine.add_venue("SIM", oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["100000 USD"], book_type="L2")
    engine.add_instrument(Equity(InstrumentId.from_str("STRAT.SIM"), price_precision=2, currency="USD"))
    engine.add_data(deltas)
    s = BookWatcher()
    engine.add_strategy(s)
    engine.run(progress=False)
    assert s.deltas == 5
    assert s.snapshots == [(t0 + 1_000_000_000, 99.0, 101.0), (t0 + 2_000_000_000, 99.5, 101.0),
                           (t0 + 3_000_000_000, 99.5, 101.0)]


def test_equity_curve_ends_at_the_last_event():
    s = Recorder()
    result = _engine(s, n=30).run(progress=False)
    curve = result.equity_curve()
    assert curve.index[-1].value == 1_700_000_000 * 10**9 + 30 * MIN


# The inline-values allocator is installed on CPython 3.11/3.12 only: 3.10 has no specializing
# interpreter (nor dis's adaptive view), 3.13+ allocates inline values itself.
SPECIALIZING_3_11_3_12 = pytest.mark.skipif(not (3, 11) <= sys.version_info[:2] <= (3, 12),
                                            reason="the allocator is for CPython 3.11/3.12")
# what self.x, self.x = ... and self.method() specialize to on an object with inline attribute values
INLINE_VALUE_OPS = {"LOAD_ATTR_INSTANCE_VALUE", "STORE_ATTR_INSTANCE_VALUE",
                    "LOAD_METHOD_WITH_VALUES" if sys.version_info < (3, 12) else "LOAD_ATTR_METHOD_WITH_VALUES"}


@SPECIALIZING_3_11_3_12
def test_strategy_attributes_specialize_like_a_plain_object():
    """A Python subclass's instances keep their attributes in inline values, as an ordinary Python
    object does, so ``self.x`` loads/stores and ``self.method()`` specialize in the interpreter (on
    a materialized __dict__ they stay generic or hinted, 1.2-5x slower per access)."""

    class Attrs(Strategy):
        def __init__(self):
            super().__init__()
            self.a = 1.0

        def bump(self):
            return 1.0

        def touch(self):
            self.a = self.a + self.bump()

    class Deeper(Attrs):  # a subclass of a subclass gets the same allocator
        pass

    for cls in (Attrs, Deeper):
        s = cls()
        for _ in range(200):  # past the specializer's warm-up
            s.touch()
        ops = {i.opname for i in dis.get_instructions(cls.touch, adaptive=True)}
        assert INLINE_VALUE_OPS <= ops, (cls, ops)
        assert s.a == 201.0
        assert vars(s) == {"a": 201.0}  # __dict__ still reads (and materializes) as usual
        s.b = 2
        assert s.b == 2 and vars(s) == {"a": 201.0, "b": 2}
    assert Strategy().__class__ is Strategy  # the base itself has no instance dict and still builds
    with pytest.raises(TypeError, match="takes no keyword arguments"):  # object's, as for any class
        type("WithKw", (Strategy,), {}, flag=True)

    class Mixin:  # a mixin's __init_subclass__ still runs, with the class keywords
        seen = []

        def __init_subclass__(cls, tag=None, **kwargs):
            super().__init_subclass__(**kwargs)
            Mixin.seen.append((cls.__name__, tag))

    class Mixed(Attrs, Mixin, tag="m"):
        def touch_mixed(self):
            self.a = self.a + self.bump()

    assert Mixin.seen == [("Mixed", "m")]
    m = Mixed()
    for _ in range(200):
        m.touch_mixed()
    assert INLINE_VALUE_OPS <= {i.opname for i in dis.get_instructions(Mixed.touch_mixed, adaptive=True)}
    assert m.a == 201.0


def test_bars_kept_by_a_handler_are_never_overwritten():
    """The engine reuses the Bar view of a bar no handler kept; every bar a handler does keep
    must keep its own values (checked against the input columns)."""

    class Keeper(Strategy):
        def __init__(self):
            super().__init__()
            self.kept = []
            self.seen = []

        def on_start(self):
            self.subscribe_bars(BT)

        def on_bar(self, bar):
            self.seen.append(float(bar.close))
            if len(self.seen) % 3 == 0:
                self.kept.append(bar)

    s = Keeper()
    _engine(s, n=60).run(progress=False)
    close = _bars(60)["close"]
    assert s.seen == list(close)
    assert [float(b.close) for b in s.kept] == list(close[2::3])
    assert [b.ts_event for b in s.kept] == list(_bars(60)["ts_event"][2::3])


@SPECIALIZING_3_11_3_12
@pytest.mark.parametrize("base_name", ["FillModel", "QueueModel", "LatencyModel", "FeeModel", "BarAggregator"])
def test_model_subclass_attributes_specialize(base_name):
    """The execution models and the bar aggregator users subclass in Python get the same inline
    attribute values."""
    import alphaforge.data as data
    import alphaforge.execution as execution

    base = getattr(execution, base_name, None) or getattr(data, base_name)

    class Sub(base):
        def one(self):
            return 1.0

        def touch(self):
            self.a = getattr(self, "a", 0.0) + 1.0
            self.a = self.a + self.one()

    s = Sub.__new__(Sub) if base_name == "BarAggregator" else Sub()
    for _ in range(200):
        s.touch()
    ops = {i.opname for i in dis.get_instructions(Sub.touch, adaptive=True)}
    assert INLINE_VALUE_OPS <= ops, ops
    assert s.a == 400.0


class Trader(Strategy):
    """Market orders on every other bar (alternating sides) and one limit order that rests."""

    def __init__(self, config=None):
        super().__init__(config)
        self.orders = []

    def on_start(self):
        self.subscribe_bars(BT)

    def on_bar(self, bar):
        n = len(self.orders)
        if n == 3:
            order = self.order_factory.limit(BT.instrument_id, OrderSide.BUY, 1, 1.00)
        elif n < 12:
            order = self.order_factory.market(BT.instrument_id, OrderSide.BUY if n % 2 else OrderSide.SELL, 1)
        else:
            return
        self.orders.append(order)
        self.submit_order(order)


class ListeningTrader(Trader):
    """The same orders, with handlers for the events the engine otherwise builds only when read."""

    def __init__(self, config=None):
        super().__init__(config)
        self.received = []
        self.positions_seen = []

    def on_order_submitted(self, event):
        self.received.append(event)

    def on_order_accepted(self, event):
        self.received.append(event)

    def on_position_opened(self, event):
        self.positions_seen.append(event)

    def on_position_changed(self, event):
        self.positions_seen.append(event)


class ClosedListener(Trader):
    """The same orders, with a handler for PositionClosed only."""

    def __init__(self, config=None):
        super().__init__(config)
        self.closed_seen = []

    def on_position_closed(self, event):
        self.closed_seen.append(event)


def _event_fields(order):
    return [(type(e).__name__, e.client_order_id, e.ts_event, e.ts_init, e.event_id, e.account_id,
             e.venue_order_id) for e in order.events]


def test_order_events_nobody_receives_are_rebuilt_equal_when_read():
    """Without a receiver the engine applies OrderSubmitted/OrderAccepted without building them
    (and makes no PositionOpened/PositionChanged); the events read from the orders afterwards must
    equal the ones a listening strategy was sent, field by field, and the engine and bus counters
    and the closed positions must be the same."""
    from alphaforge._core.identifiers import TradeId, VenueOrderId
    from alphaforge.model import Quantity
    from alphaforge.orders import OrderAccepted, OrderSubmitted, OrderUpdated

    quiet = Trader(StrategyConfig(strategy_id="T-001"))
    loud = ListeningTrader(StrategyConfig(strategy_id="T-001"))
    closer = ClosedListener(StrategyConfig(strategy_id="T-001"))
    runs = []
    for s in (quiet, loud, closer):
        engine = _engine(s, n=20)
        engine.run(progress=False)
        runs.append(engine)
    assert len(quiet.orders) == len(loud.orders) == 12
    for q, lo in zip(quiet.orders, loud.orders, strict=True):
        assert q.status == lo.status and _event_fields(q) == _event_fields(lo)
        assert [type(e) for e in q.events[1:3]] == [OrderSubmitted, OrderAccepted]
        assert q.events[1] == lo.events[1] and q.events[2] == lo.events[2]
        assert q.events[1] is q.events[1]           # built once, then kept
        # venue order ids and trade ids are sequence ids: hashed from their number, formatted when read
        if q.venue_order_id is not None:
            h = hash(q.venue_order_id)
            same = VenueOrderId(q.venue_order_id.value)
            assert h == hash(same) and {same: 1}[q.venue_order_id] == 1 and same == q.venue_order_id
        if q.last_trade_id is not None:
            h = hash(q.last_trade_id)
            same = TradeId(q.last_trade_id.value)
            assert h == hash(same) and {same: 1}[q.last_trade_id] == 1 and same == q.last_trade_id
    # the listening strategy got exactly the events its orders hold
    assert loud.received == [e for o in loud.orders for e in o.events[1:3]]
    assert all(a is b for a, b in zip(loud.received, [e for o in loud.orders for e in o.events[1:3]], strict=True))
    a, b, c = runs
    # PositionOpened/PositionChanged nobody receives are not made at all, only counted; a
    # PositionClosed is always made (the run keeps it) but sent only to a strategy that handles it
    assert {type(e).__name__ for e in loud.positions_seen} == {"PositionOpened", "PositionChanged"}
    assert a.exec_engine.event_count == b.exec_engine.event_count == c.exec_engine.event_count
    assert a.msgbus.published_count == b.msgbus.published_count == c.msgbus.published_count
    closed = [[(e.position_id, e.ts_event, e.realized_pnl_raw, e.trade_id) for e in r.closed_positions] for r in runs]
    assert closed[0] == closed[1] == closed[2] and closed[0]
    assert len(closer.closed_seen) == len(c.closed_positions)
    assert all(x is y for x, y in zip(closer.closed_seen, c.closed_positions, strict=True))

    # the resting limit order is ACCEPTED; an update that brings a new venue order id must leave
    # the OrderAccepted (still implicit on the quiet side) with the id it was accepted under
    resting = [o for o in quiet.orders if o.status.name == "ACCEPTED"]
    assert len(resting) == 1
    o = resting[0]
    vid = o.venue_order_id
    o.apply(OrderUpdated(o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id,
                         VenueOrderId("SIM-NEW"), o.account_id, Quantity(2, 0), None, None,
                         o.ts_last + 1, o.ts_last + 1))
    assert o.venue_order_id == VenueOrderId("SIM-NEW")
    assert o.events[2].venue_order_id == vid and type(o.last_event) is OrderUpdated


def test_cache_position_links_and_closed_positions_after_a_run():
    """Engine orders keep their position id on the order only (the cache reads it from there) and
    closed positions are stored in no set: after a HEDGING run that opens and closes many
    positions, every link and every open/closed query must equal a brute-force filter. Also the
    risk check of close_position under HEDGING (reduce-only against the targeted position)."""
    from alphaforge.model import PositionId

    class Hedger(Strategy):
        def __init__(self, config=None):
            super().__init__(config)
            self.n = 0

        def on_start(self):
            self.subscribe_bars(BT)

        def on_bar(self, bar):
            self.n += 1
            if self.n % 3 == 0:          # close the oldest open position
                opened = self.cache.positions_open()
                if opened:
                    self.close_position(opened[0])
            else:
                side = OrderSide.BUY if self.n % 2 else OrderSide.SELL
                self.submit_order(self.order_factory.market(BT.instrument_id, side, 1))

    s = Hedger()
    engine = BacktestEngine()
    engine.add_venue("SIM", oms_type="HEDGING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["100000 USD"])
    engine.add_instrument(Equity(InstrumentId.from_str("STRAT.SIM"), price_precision=2, currency="USD"))
    engine.add_data(BT, _bars(60))
    engine.add_strategy(s)
    engine.run(progress=False)
    cache = engine.cache
    orders, positions = cache.orders(), cache.positions()
    filled = [o for o in orders if o.status.name == "FILLED"]
    # every close_position is a reduce-only order judged against the position it targets (not the
    # strategy's net over its hedging positions, which is often flat here): none is denied
    assert len(orders) == 60 and len(filled) == 59 and len(positions) == 40   # the last bar's order waits
    assert not [o for o in orders if o.status.name == "DENIED"]
    for o in filled:
        assert o.client_order_id in cache.position(o.position_id).client_order_ids
        assert cache.position_id(o.client_order_id) == o.position_id
        assert cache.position_for_order(o.client_order_id) is cache.position(o.position_id)
    closed = [p for p in positions if not p.is_open]
    opened = [p for p in positions if p.is_open]
    assert len(closed) >= 5 and opened
    assert cache.positions_closed() == closed and cache.positions_open() == opened
    assert cache.positions_closed_count() == len(closed) and cache.positions_open_count() == len(opened)
    sid = s.id
    assert cache.positions_closed(strategy_id=sid, instrument_id=BT.instrument_id) == closed
    assert cache.positions_closed_count(strategy_id="nobody") == 0
    # an explicit link for an order the cache does not hold still answers
    cache.add_position_id(closed[0].id, type(orders[0].client_order_id)("EXTERNAL-1"))
    assert cache.position_id(type(orders[0].client_order_id)("EXTERNAL-1")) == closed[0].id
    assert isinstance(closed[0].id, PositionId)


def test_strategy_config_oms_type_overrides_the_venue():
    """StrategyConfig(oms_type="HEDGING") on a NETTING venue: each opening order gets a position
    of its own; the default strategy on the same venue nets into one position."""

    class Opener(Strategy):
        def on_start(self):
            self.subscribe_bars(BT)

        def on_bar(self, bar):
            self.submit_order(self.order_factory.market(BT.instrument_id, OrderSide.BUY, 1))

    hedger = Opener(StrategyConfig(strategy_id="H-001", oms_type="HEDGING"))
    netter = Opener(StrategyConfig(strategy_id="N-001"))
    engine = _engine(hedger, netter, n=6)
    engine.run(progress=False)
    mine = [p for p in engine.cache.positions() if p.strategy_id == hedger.id]
    theirs = [p for p in engine.cache.positions() if p.strategy_id == netter.id]
    assert len(mine) == 5 and all(float(p.quantity) == 1.0 for p in mine)   # 5 fills (the 6th order waits)
    assert len(theirs) == 1 and float(theirs[0].quantity) == 5.0


def test_public_attributes_are_read_only_members_with_their_values():
    # hooks read self.cache / self.order_factory / self.clock ... per event: they are member
    # descriptors (CPython specializes their loads), read-only, holding the registered objects
    import types

    from alphaforge._core.strategy import Strategy as CoreStrategy

    names = ("id", "trader_id", "config", "clock", "cache", "portfolio", "msgbus", "log", "order_factory",
             "faults", "stats")
    for name in names:
        assert type(CoreStrategy.__dict__[name]) is types.MemberDescriptorType, name
        assert CoreStrategy.__dict__[name].__doc__, name

    class S(CoreStrategy):
        def touch(self):
            return self.cache, self.order_factory, self.clock

    s = S()
    for _ in range(200):  # past the specializer's warm-up
        s.touch()
    if sys.version_info[:2] in ((3, 11), (3, 12)):
        ops = [i.opname for i in dis.get_instructions(S.touch, adaptive=True) if i.opname.startswith("LOAD_ATTR")]
        assert ops.count("LOAD_ATTR_SLOT") == 3, ops
    assert s.cache is None and s.order_factory is None and s.faults == [] and s.id.value.startswith("S")
    with pytest.raises(AttributeError):
        s.cache = object()
    from alphaforge._core.clock import TestClock
    from alphaforge._core.identifiers import TraderId
    from alphaforge.cache import Cache

    clock, cache = TestClock(), Cache()
    s.register(TraderId("T-1"), clock, None, cache, None, None, None, None)
    assert s.cache is cache and s.clock is clock and s.trader_id == TraderId("T-1")
    assert s.order_factory is not None and s.order_factory.strategy_id == s.id


class CacheReader(Strategy):
    """Market orders on most bars (some bars two, some none) and one resting limit order; reads the
    cache's open / in-flight / closed orders in every handler and compares them with its own
    orders' states at that moment."""

    def __init__(self, config=None):
        super().__init__(config)
        self.mine = []
        self.bars = 0
        self.reads = 0
        self.mismatches = []

    def on_start(self):
        self.subscribe_bars(BT)

    def _read(self, where):
        cache = self.cache
        for name, pred in (("orders_open", lambda o: o.is_open), ("orders_inflight", lambda o: o.is_inflight),
                           ("orders_closed", lambda o: o.is_closed)):
            want = [o for o in self.mine if pred(o)]
            if getattr(cache, name)() != want or getattr(cache, f"{name}_count")() != len(want):
                self.mismatches.append((where, name))
        self.reads += 1

    def on_bar(self, bar):
        self._read("bar")
        self.bars += 1
        n = len(self.mine)
        if n == 4:
            order = self.order_factory.limit(BT.instrument_id, OrderSide.BUY, 1, 1.00)   # rests
        elif self.bars % 5 == 3 or n >= 40:
            return
        else:
            order = self.order_factory.market(BT.instrument_id, OrderSide.BUY if n % 2 else OrderSide.SELL, 1)
        self.mine.append(order)
        self.submit_order(order)
        self._read("after submit")
        if n % 7 == 0:
            extra = self.order_factory.market(BT.instrument_id, OrderSide.BUY, 1)
            self.mine.append(extra)
            self.submit_order(extra)

    def on_order_accepted(self, event):
        self._read("accepted")

    def on_order_filled(self, fill):
        self._read("filled")


def test_cache_order_state_reads_in_handlers_match_the_orders():
    """The cache brings its order state sets up to date when they are read: every read in a hook
    (bar, right after a submit, on accepted, on filled) equals a filter of the strategy's own
    orders by their state at that moment."""
    s = CacheReader(StrategyConfig(strategy_id="R-001"))
    engine = _engine(s, n=60)
    result = engine.run(progress=False)
    assert s.mismatches == []
    assert s.reads > 100
    filled = [o for o in s.mine if o.status.name == "FILLED"]
    assert len(filled) == len(s.mine) - 1 and len(s.mine) > 30       # all but the resting limit
    assert result.cache.orders_open() == [s.mine[4]] and result.cache.orders_closed() == filled

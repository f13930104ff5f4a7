"""OrderFactory: every order type, input conversion, validation errors, ids, contingent lists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alphaforge._core.clock import TestClock
from alphaforge._core.fixed import Price, Quantity
from alphaforge._core.identifiers import ClientOrderId, InstrumentId, OrderListId, StrategyId, TraderId
from alphaforge._core.instruments import CurrencyPair, Equity
from alphaforge.orders import (
    ContingencyType,
    OrderFactory,
    OrderList,
    OrderSide,
    OrderStatus,
    OrderSubmitted,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)

AAPL = InstrumentId.from_str("AAPL.XNAS")
EURUSD = InstrumentId.from_str("EUR/USD.SIM")
Q = Quantity.from_str
P = Price.from_str


@pytest.fixture
def clock():
    c = TestClock()
    c.set_time(1_700_000_000_000_000_000)
    return c


@pytest.fixture
def f(clock):
    return OrderFactory("TRADER-001", "EMA-001", clock)


@pytest.fixture
def fx(clock):
    fac = OrderFactory(TraderId("TRADER-001"), StrategyId("FX-001"), clock)
    fac.register_instrument(CurrencyPair(EURUSD, "EUR", "USD", price_precision=5, size_precision=0))
    return fac


# ------------------------------------------------------------------------------ order types


def test_market(f, clock):
    o = f.market(AAPL, "BUY", Q("100"))
    assert o.order_type == OrderType.MARKET and o.side == OrderSide.BUY
    assert o.quantity == Q("100") and o.quantity_raw == 100 * 10**9
    assert o.price is None and o.trigger_price is None
    assert o.time_in_force == TimeInForce.GTC and o.status == OrderStatus.INITIALIZED
    assert o.ts_init == 1_700_000_000_000_000_000 == o.init_event.ts_event
    assert o.client_order_id == ClientOrderId("O-EMA-001-1")
    assert (o.trader_id, o.strategy_id) == (TraderId("TRADER-001"), StrategyId("EMA-001"))
    assert o.is_aggressive and not o.is_passive and not o.is_contingency
    o2 = f.market(AAPL, OrderSide.SELL, Q("5"), time_in_force="IOC", reduce_only=True, tags="exit")
    assert o2.side == OrderSide.SELL and o2.time_in_force == TimeInForce.IOC
    assert o2.reduce_only and o2.tags == ["exit"]


def test_market_orders_made_in_a_row_keep_their_own_initial_events(f, clock):
    # the fast market path fills one scratch event per call: each order's OrderInitialized (rebuilt
    # from the order) must stay its own, whatever was made after it
    made = []
    for i, (side, qty, reduce) in enumerate((("BUY", "3", False), ("SELL", "7", True), ("BUY", "1", False))):
        clock.set_time(1_700_000_000_000_000_000 + i)
        made.append((f.market(AAPL, side, Q(qty), reduce_only=reduce), side, qty, reduce, i))
    ids = set()
    for o, side, qty, reduce, i in made:
        e = o.init_event
        assert (e.client_order_id, e.side.name, e.quantity, e.reduce_only) == \
            (o.client_order_id, side, Q(qty), reduce)
        assert e.ts_event == e.ts_init == 1_700_000_000_000_000_000 + i and e.price is None
        assert e.order_type == OrderType.MARKET and e.display_qty is None and not e.tags
        assert o.events == [e] and e.event_id not in ids
        ids.add(e.event_id)


def test_limit(f):
    o = f.limit(AAPL, "SELL", Q("10"), P("189.25"), time_in_force=TimeInForce.GTD,
                expire_time_ns=1_800_000_000_000_000_000, post_only=True, display_qty=Q("2"))
    assert o.order_type == OrderType.LIMIT and o.price == P("189.25") and o.price_raw == 189_250_000_000
    assert o.expire_time_ns == 1_800_000_000_000_000_000 and o.post_only
    assert o.display_qty == Q("2") and o.is_passive


def test_stop_market_and_stop_limit(f):
    s = f.stop_market(AAPL, "SELL", Q("10"), P("180.00"), trigger_type=TriggerType.BID_ASK)
    assert s.order_type == OrderType.STOP_MARKET and s.trigger_price == P("180.00") and s.price is None
    assert s.trigger_type == TriggerType.BID_ASK and s.has_trigger and not s.has_price
    sl = f.stop_limit(AAPL, "BUY", Q("10"), P("191.00"), P("190.50"), trigger_type="LAST_PRICE")
    assert sl.order_type == OrderType.STOP_LIMIT
    assert (sl.price, sl.trigger_price) == (P("191.00"), P("190.50"))
    assert sl.trigger_type == TriggerType.LAST_PRICE


def test_if_touched_and_market_to_limit(f):
    mit = f.market_if_touched(AAPL, "BUY", Q("1"), P("170.00"))
    assert mit.order_type == OrderType.MARKET_IF_TOUCHED and mit.trigger_price == P("170.00") and mit.price is None
    lit = f.limit_if_touched(AAPL, "BUY", Q("1"), P("170.10"), P("170.00"))
    assert lit.order_type == OrderType.LIMIT_IF_TOUCHED and lit.price == P("170.10")
    mtl = f.market_to_limit(AAPL, "SELL", Q("3"), time_in_force="DAY")
    assert mtl.order_type == OrderType.MARKET_TO_LIMIT and mtl.price is None
    assert mtl.time_in_force == TimeInForce.DAY


def test_trailing_stops(f):
    t = f.trailing_stop_market(AAPL, "SELL", Q("1"), trailing_offset=Decimal("50"),
                               trailing_offset_type="BASIS_POINTS", activation_price=P("200.00"))
    assert t.order_type == OrderType.TRAILING_STOP_MARKET
    assert t.trailing_offset == Decimal("50") and t.trailing_offset_raw == 50 * 10**9
    assert t.trailing_offset_type == TrailingOffsetType.BASIS_POINTS
    assert t.activation_price == P("200.00") and not t.is_activated
    assert t.limit_offset is None and t.trigger_price is None
    tl = f.trailing_stop_limit(AAPL, "BUY", Q("1"), limit_offset=2, trailing_offset=5,
                               trailing_offset_type=TrailingOffsetType.TICKS)
    assert tl.order_type == OrderType.TRAILING_STOP_LIMIT
    assert (tl.limit_offset, tl.trailing_offset) == (Decimal("2"), Decimal("5"))
    assert tl.is_activated  # no activation price: trails from the start
    tp = f.trailing_stop_market(AAPL, "SELL", Q("1"), trailing_offset="0.25")
    assert tp.trailing_offset_type == TrailingOffsetType.PRICE and tp.trailing_offset_raw == 250_000_000


# ------------------------------------------------------------------------------ input conversion


def test_numbers_and_strings_use_registered_instrument(fx):
    o = fx.limit(EURUSD, "BUY", 100_000, 1.08345)
    assert o.quantity == Q("100000") and o.qty_prec == 0
    assert o.price_raw == 1_083_450_000 and o.px_prec == 5 and str(o.price) == "1.08345"
    o2 = fx.limit(EURUSD, "BUY", "250000", "1.0834")
    assert o2.price_raw == 1_083_400_000 and o2.px_prec == 5 and str(o2.price) == "1.08340"
    o3 = fx.stop_market("EUR/USD.SIM", "SELL", Decimal("5"), Decimal("1.07"))
    assert o3.trigger_price_raw == 1_070_000_000 and o3.quantity_raw == 5 * 10**9


def test_precision_beyond_instrument_refused(fx):
    with pytest.raises(ValueError, match="price"):
        fx.limit(EURUSD, "BUY", 1000, 1.083451)
    with pytest.raises(ValueError, match="price"):
        fx.limit(EURUSD, "BUY", 1000, P("1.083451"))
    with pytest.raises(ValueError, match="quantity"):
        fx.market(EURUSD, "BUY", Q("0.5"))


def test_cache_supplies_instrument(clock):
    inst = Equity(AAPL, price_precision=2)

    class Cache:
        def instrument(self, iid):
            return inst if iid == AAPL else None

    fac = OrderFactory("T-1", "S-1", clock, cache=Cache())
    o = fac.limit(AAPL, "BUY", 10, 187.5)
    assert o.price == P("187.50") and o.quantity == Q("10")
    with pytest.raises(ValueError, match="precision"):
        fac.market(InstrumentId.from_str("MSFT.XNAS"), "BUY", 10)


def test_instrument_replaced_in_the_trading_cache_or_registered_later_is_used(clock):
    # the factory keeps its last instrument lookup: a replacement in the cache or a later
    # register_instrument must still be seen
    from alphaforge.cache import Cache

    cache = Cache()
    iid = InstrumentId.from_str("BTCUSD.SIM")
    cache.add_instrument(CurrencyPair(iid, "BTC", "USD", 2, 3))
    fac = OrderFactory("T-1", "S-1", clock, cache=cache)
    o = fac.market(iid, "BUY", 1)
    assert (o.quantity_raw, o.qty_prec, o.px_prec) == (10**9, 3, 2)
    assert fac.market(iid, "BUY", 1.5).quantity_raw == 1_500_000_000
    cache.add_instrument(CurrencyPair(iid, "BTC", "USD", 1, 0))
    o = fac.market(iid, "BUY", 2)
    assert (o.quantity_raw, o.qty_prec, o.px_prec) == (2 * 10**9, 0, 1)
    with pytest.raises(ValueError, match="quantity"):
        fac.market(iid, "BUY", 1.5)
    fac.register_instrument(CurrencyPair(iid, "BTC", "USD", 4, 2))   # the factory's own wins
    o = fac.market(iid, "BUY", 1.25)
    assert (o.quantity_raw, o.qty_prec, o.px_prec) == (1_250_000_000, 2, 4)
    bare = OrderFactory("T-1", "S-2", clock)                          # no cache
    with pytest.raises(ValueError, match="register_instrument"):
        bare.market(iid, "BUY", 1)
    bare.register_instrument(CurrencyPair(iid, "BTC", "USD", 2, 3))
    assert bare.market(iid, "BUY", 1).qty_prec == 3


def test_plain_numbers_need_a_precision(f):
    with pytest.raises(ValueError, match="register_instrument"):
        f.market(AAPL, "BUY", 10)
    with pytest.raises(ValueError, match="register_instrument"):
        f.limit(AAPL, "BUY", Q("1"), 10.5)
    o = f.limit(AAPL, "BUY", "1.5", "10.25")  # strings carry their precision
    assert (o.quantity_raw, o.qty_prec, o.price_raw, o.px_prec) == (1_500_000_000, 1, 10_250_000_000, 2)


@pytest.mark.parametrize("side", ["HOLD", 0, 3, None, 10**30, True])
def test_bad_side(f, side):
    with pytest.raises((ValueError, TypeError), match="(?i)side"):
        f.market(AAPL, side, Q("1"))


@pytest.mark.parametrize("side, expected", [(OrderSide.BUY, 1), (OrderSide.SELL, 2), (1, 1), (2, 2), ("sell", 2)])
def test_side_as_enum_int_or_name(f, side, expected):
    assert f.market(AAPL, side, Q("1")).side_c == expected


# ------------------------------------------------------------------------------ validation errors


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda f: f.market(AAPL, "BUY", Q("0")), "quantity must be positive"),
        (lambda f: f.limit(AAPL, "BUY", Q("1"), None), "price is required"),
        (lambda f: f.limit(AAPL, "BUY", Q("1"), P("1.00"), time_in_force="GTD"), "GTD requires expire_time_ns"),
        (lambda f: f.limit(AAPL, "BUY", Q("1"), P("1.00"), time_in_force="GTD", expire_time_ns=5),
         "not after ts_init"),
        (lambda f: f.limit(AAPL, "BUY", Q("1"), P("1.00"), expire_time_ns=2 * 10**18), "use GTD"),
        (lambda f: f.market(AAPL, "BUY", Q("1"), time_in_force="GTD"), "GTD"),
        (lambda f: f.limit(AAPL, "BUY", Q("1"), P("1.00"), time_in_force="IOC", post_only=True), "post_only"),
        (lambda f: f.limit(AAPL, "BUY", Q("5"), P("1.00"), display_qty=Q("6")), "display_qty"),
        (lambda f: f.stop_market(AAPL, "BUY", Q("1"), None), "trigger_price is required"),
        (lambda f: f.stop_limit(AAPL, "BUY", Q("1"), P("1.00"), None), "trigger_price is required"),
        (lambda f: f.stop_limit(AAPL, "BUY", Q("1"), None, P("1.00")), "price is required"),
        (lambda f: f.market_if_touched(AAPL, "BUY", Q("1"), None), "trigger_price is required"),
        (lambda f: f.limit_if_touched(AAPL, "BUY", Q("1"), P("1.00"), None), "trigger_price is required"),
        (lambda f: f.trailing_stop_market(AAPL, "SELL", Q("1"), None), "trailing_offset is required"),
        (lambda f: f.trailing_stop_market(AAPL, "SELL", Q("1"), 0), "trailing_offset must be positive"),
        (lambda f: f.trailing_stop_market(AAPL, "SELL", Q("1"), -1), "trailing_offset must be positive"),
        (lambda f: f.trailing_stop_market(AAPL, "SELL", Q("1"), 1, trailing_offset_type="NO_TRAILING_OFFSET"),
         "trailing_offset_type"),
        (lambda f: f.trailing_stop_market(AAPL, "SELL", Q("1"), "1.5", trailing_offset_type="TICKS"),
         "whole numbers of ticks"),
        (lambda f: f.trailing_stop_market(AAPL, "SELL", Q("1"), "x"), "trailing_offset"),
        (lambda f: f.trailing_stop_limit(AAPL, "SELL", Q("1"), None, 1), "limit_offset is required"),
        (lambda f: f.trailing_stop_limit(AAPL, "SELL", Q("1"), -1, 1), "limit_offset must be >= 0"),
        (lambda f: f.market(AAPL, "BUY", Q("1"), time_in_force="FOREVER"), "time_in_force"),
        (lambda f: f.stop_market(AAPL, "BUY", Q("1"), P("1.00"), trigger_type="LAST"), "trigger_type"),
    ],
)
def test_validation_errors(f, call, match):
    with pytest.raises(ValueError, match=match):
        call(f)
    # a refused order does not consume a client order id
    assert f.market(AAPL, "BUY", Q("1")).client_order_id == ClientOrderId("O-EMA-001-1")


def test_post_only_on_market_refused_at_event_level(f):
    # the factory's market() has no post_only argument; the init-event validation refuses it too
    from alphaforge.orders import OrderInitialized

    with pytest.raises(ValueError, match="post_only is not valid for a MARKET"):
        OrderInitialized(TraderId("T-1"), StrategyId("S-1"), AAPL, ClientOrderId("O-1"), "BUY", "MARKET",
                         Q("1"), "GTC", 0, post_only=True)
    with pytest.raises(ValueError, match="price is not valid for a MARKET"):
        OrderInitialized(TraderId("T-1"), StrategyId("S-1"), AAPL, ClientOrderId("O-1"), "BUY", "MARKET",
                         Q("1"), "GTC", 0, price=P("1.00"))
    with pytest.raises(ValueError, match="activation_price is only valid"):
        OrderInitialized(TraderId("T-1"), StrategyId("S-1"), AAPL, ClientOrderId("O-1"), "BUY", "LIMIT",
                         Q("1"), "GTC", 0, price=P("1.00"), activation_price=P("1.00"))


# ------------------------------------------------------------------------------ ids


def test_ids_deterministic_and_counters(clock):
    a = OrderFactory("T-1", "S-7", clock)
    b = OrderFactory("T-1", "S-7", clock)
    ids_a = [a.market(AAPL, "BUY", Q("1")).client_order_id.value for _ in range(3)]
    ids_b = [b.limit(AAPL, "SELL", Q("1"), P("1.00")).client_order_id.value for _ in range(3)]
    assert ids_a == ids_b == ["O-S-7-1", "O-S-7-2", "O-S-7-3"]
    assert a.count == 3
    a.set_count(41)
    assert a.market(AAPL, "BUY", Q("1")).client_order_id.value == "O-S-7-42"
    assert a.generate_order_list_id() == OrderListId("OL-S-7-1")
    a.reset()
    assert a.generate_client_order_id() == ClientOrderId("O-S-7-1")
    c = OrderFactory("T-1", "S-7", clock, initial_count=10)
    assert c.market(AAPL, "BUY", Q("1")).client_order_id.value == "O-S-7-11"


# ------------------------------------------------------------------------------ lists


def ids(orders):
    return [o.client_order_id for o in orders]


def test_bracket_market_entry_linkage(f):
    bl = f.bracket(AAPL, "BUY", Q("10"), tp_price=P("110.00"), sl_trigger_price=P("90.00"))
    assert isinstance(bl, OrderList) and len(bl) == 3
    entry, tp, sl = bl
    assert bl.id == OrderListId("OL-EMA-001-1") and bl.contingency_type == ContingencyType.OTO
    assert bl.first is entry and bl.instrument_id == AAPL
    assert entry.order_type == OrderType.MARKET and entry.side == OrderSide.BUY and not entry.reduce_only
    assert tp.order_type == OrderType.LIMIT and tp.side == OrderSide.SELL and tp.price == P("110.00")
    assert sl.order_type == OrderType.STOP_MARKET and sl.side == OrderSide.SELL and sl.trigger_price == P("90.00")
    assert tp.reduce_only and sl.reduce_only and not tp.post_only
    assert [o.quantity for o in bl] == [Q("10")] * 3
    assert entry.contingency_type == ContingencyType.OTO and entry.linked_order_ids == [tp.client_order_id,
                                                                                      sl.client_order_id]
    assert entry.is_parent_order and not entry.is_child_order and entry.parent_order_id is None
    assert tp.contingency_type == ContingencyType.OCO and tp.linked_order_ids == [sl.client_order_id]
    assert sl.contingency_type == ContingencyType.OCO and sl.linked_order_ids == [tp.client_order_id]
    assert tp.parent_order_id == sl.parent_order_id == entry.client_order_id
    assert tp.is_child_order and sl.is_child_order
    assert all(o.order_list_id == bl.id for o in bl)
    # the init events carry the linkage too (an order rebuilt from them is the same)
    assert tp.init_event.linked_order_ids == (sl.client_order_id,)
    assert tp.init_event.parent_order_id == entry.client_order_id
    assert entry.init_event.contingency_type == ContingencyType.OTO


def test_bracket_limit_entry_sell_and_options(f):
    bl = f.bracket(AAPL, "SELL", Q("4"), tp_price=P("95.00"), sl_trigger_price=P("105.00"),
                   entry_price=P("100.00"), sl_order_type="STOP_LIMIT", sl_price=P("105.50"),
                   contingency_type="OUO", tp_post_only=True)
    entry, tp, sl = bl
    assert entry.order_type == OrderType.LIMIT and entry.price == P("100.00") and entry.side == OrderSide.SELL
    assert tp.side == sl.side == OrderSide.BUY and tp.post_only
    assert sl.order_type == OrderType.STOP_LIMIT and sl.price == P("105.50")
    assert tp.contingency_type == sl.contingency_type == ContingencyType.OUO


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(side="BUY", tp_price=P("90.00"), sl_trigger_price=P("95.00")), "below"),
        (dict(side="SELL", tp_price=P("110.00"), sl_trigger_price=P("105.00")), "above"),
        (dict(side="BUY", tp_price=P("110.00"), sl_trigger_price=P("90.00"), entry_price=P("111.00")),
         "sl_trigger_price < entry price < tp_price"),
        (dict(side="BUY", sl_trigger_price=P("90.00")), "tp_price is required"),
        (dict(side="BUY", tp_price=P("110.00")), "sl_trigger_price is required"),
        (dict(side="BUY", tp_price=P("110.00"), sl_trigger_price=P("90.00"), sl_order_type="STOP_LIMIT"),
         "sl_price is required"),
        (dict(side="BUY", tp_price=P("110.00"), sl_trigger_price=P("90.00"), entry_order_type="LIMIT"),
         "entry_price is required"),
        (dict(side="BUY", tp_price=P("110.00"), sl_trigger_price=P("90.00"), contingency_type="OTO"),
         "OCO or OUO"),
    ],
)
def test_bracket_errors(f, kwargs, match):
    with pytest.raises(ValueError, match=match):
        f.bracket(AAPL, quantity=Q("1"), **kwargs)
    # nothing consumed: the next order still gets id 1
    assert f.market(AAPL, "BUY", Q("1")).client_order_id == ClientOrderId("O-EMA-001-1")


def test_oco_ouo_oto_and_create_list(f):
    a = f.limit(AAPL, "SELL", Q("1"), P("110.00"))
    b = f.stop_market(AAPL, "SELL", Q("1"), P("90.00"))
    c = f.limit(AAPL, "SELL", Q("1"), P("120.00"))
    ol = f.oco([a, b, c])
    assert ol.contingency_type == ContingencyType.OCO and ids(ol) == ids([a, b, c])
    assert a.linked_order_ids == ids([b, c]) and b.linked_order_ids == ids([a, c])
    assert c.linked_order_ids == ids([a, b]) and a.contingency_type == ContingencyType.OCO
    entry = f.market(AAPL, "BUY", Q("1"))
    oto = f.oto(entry, [a, b, c])  # children keep their OCO links
    assert entry.contingency_type == ContingencyType.OTO and entry.linked_order_ids == ids([a, b, c])
    assert a.parent_order_id == entry.client_order_id and a.contingency_type == ContingencyType.OCO
    assert a.order_list_id == oto.id == entry.order_list_id
    x = f.limit(AAPL, "BUY", Q("1"), P("99.00"))
    y = f.limit(AAPL, "BUY", Q("1"), P("98.00"))
    ouo = f.ouo([x, y])
    assert x.contingency_type == ContingencyType.OUO and x.linked_order_ids == [y.client_order_id]
    plain = f.create_list([f.market(AAPL, "BUY", Q("1"))])
    assert plain.contingency_type == ContingencyType.NO_CONTINGENCY and not plain.first.is_contingency
    assert len({ouo.id, oto.id, ol.id, plain.id}) == 4


def test_list_errors(f):
    a = f.limit(AAPL, "SELL", Q("1"), P("110.00"))
    with pytest.raises(ValueError, match="at least 2"):
        f.oco([a])
    other = f.limit(InstrumentId.from_str("MSFT.XNAS"), "SELL", Q("1"), P("110.00"))
    with pytest.raises(ValueError, match="different instruments"):
        f.oco([a, other])
    assert not a.is_contingency  # nothing changed
    with pytest.raises(ValueError, match="twice"):
        f.oco([a, a])
    b = f.limit(AAPL, "SELL", Q("1"), P("111.00"))
    b.apply(OrderSubmitted(b.trader_id, b.strategy_id, AAPL, b.client_order_id, None, 1, 1))
    with pytest.raises(ValueError, match="INITIALIZED"):
        f.oco([a, b])


@pytest.mark.parametrize("quantity", [Q("3"), 3, 3.0, "3", Decimal("3")])
def test_market_short_path_builds_what_the_full_path_builds(clock, quantity):
    """A GTC market order with no tags takes a shorter path than the other orders; every field,
    and its OrderInitialized, must equal what the full path (reached here through
    time_in_force="GTC" as a string) builds for the same inputs, on a factory with an instrument."""
    pair = [OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock) for _ in range(2)]
    for fac in pair:
        fac.register_instrument(CurrencyPair(EURUSD, "EUR", "USD", price_precision=5, size_precision=0))
    short = pair[0].market(EURUSD, OrderSide.SELL, quantity, reduce_only=True)
    full = pair[1].market(EURUSD, "SELL", quantity, time_in_force="GTC", reduce_only=True)
    a, b = short.init_event, full.init_event
    fields = ("client_order_id", "order_type", "side", "quantity", "qty_prec", "px_prec", "time_in_force",
              "reduce_only", "post_only", "quote_quantity", "expire_time_ns", "ts_init", "display_qty",
              "trigger_type", "trailing_offset_type", "tags", "price", "trigger_price")
    for name in fields:
        assert getattr(a, name) == getattr(b, name), name
        if hasattr(short, name):
            assert getattr(short, name) == getattr(full, name), name
    assert (short.px_prec, short.qty_prec, short.quantity_raw) == (5, 0, 3 * 10**9)
    with pytest.raises(ValueError, match="quantity must be positive"):
        pair[0].market(EURUSD, "BUY", 0)
    with pytest.raises(ValueError, match="invalid side"):
        pair[0].market(EURUSD, "HOLD", -1)


def test_order_time_comes_from_any_clock_kind():
    """ts_init is the clock's time: a TestClock is read in place, a Python subclass that overrides
    timestamp_ns and a duck-typed clock are asked."""

    class Shifted(TestClock):
        def timestamp_ns(self):
            return 7_000 + 3

    class Duck:
        def timestamp_ns(self):
            return 42

    plain = TestClock(1_000)
    plain.set_time(5_000)
    for clock, want in ((plain, 5_000), (Shifted(), 7_003), (Duck(), 42)):
        fac = OrderFactory("TRADER-001", "EMA-001", clock)
        fac.register_instrument(Equity(InstrumentId.from_str("AAPL.XNAS"), 2, "USD"))
        o = fac.market(InstrumentId.from_str("AAPL.XNAS"), "BUY", 1)
        assert o.ts_init == want and o.init_event.ts_event == want

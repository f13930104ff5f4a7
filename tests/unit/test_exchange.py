"""SimulatedExchange: command queue and latency, expiry scheduling, accounts, models, reset."""
import numpy as np
import pytest

from alphaforge._core.clock import TestClock
from alphaforge._core.columnar import quotes_from_arrays
from alphaforge._core.currency import Money
from alphaforge._core.fixed import Quantity
from alphaforge._core.identifiers import InstrumentId, StrategyId, TraderId
from alphaforge._core.instruments import CurrencyPair, Equity
from alphaforge._core.order_factory import OrderFactory
from alphaforge.execution import (
    ExecutionEngine,
    FeeModel,
    FillModel,
    FixedFeeModel,
    LatencyModel,
    PerUnitFeeModel,
    QueueModel,
    SimulatedExchange,
)
from alphaforge.model.enums import OrderStatus

IID = InstrumentId.from_str("EXCH.XEXC")
INST = Equity(IID, 2, "USD", taker_fee=0.001, maker_fee=-0.0001)
PAIR = CurrencyPair("BTCUSD.XEXC", "BTC", "USD", 2, 3, taker_fee=0.001)
INT64_MAX = 2**63 - 1


def venue(**kw):
    clock = TestClock()
    args = dict(venue="XEXC", oms_type="NETTING", account_type="CASH", base_currency=None,
                starting_balances=["10000 USD"], clock=clock)
    args.update(kw)
    ex = SimulatedExchange(**args)
    ex.add_instrument(INST)
    fac = OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock)
    fac.register_instrument(INST)
    fac.register_instrument(PAIR)
    return clock, ex, fac


def quote(ts, bid=99.0, ask=100.0, size=100, iid=IID):
    return quotes_from_arrays([ts], [bid], [ask], [size], [size], price_precision=2, size_precision=3,
                              instrument_id=iid)


def names(ex):
    return [type(e).__name__ for e in ex.events]


def test_standalone_venue_default_sink_applies_events():
    clock, ex, fac = venue()
    ex.process(quote(1000))
    o = fac.market(IID, "BUY", 2)
    ex.send_submit(o)
    assert ex.next_command_time_ns() == 1000
    ex.process(quote(2000, 99.5, 100.5))
    assert names(ex) == ["OrderAccepted", "OrderFilled"]
    assert o.status == OrderStatus.FILLED and float(o.avg_px) == 100.5
    assert ex.next_command_time_ns() == INT64_MAX


def test_commands_apply_in_arrival_order_then_sequence():
    lat = LatencyModel(base_latency_ns=0, insert_latency_ns=5000, cancel_latency_ns=1000)
    clock, ex, fac = venue(latency_model=lat)
    ee = ExecutionEngine(clock, None)
    ee.register_venue(ex)
    seen = []
    ee.register_strategy("S-1", type("H", (), {"handle_order_event": lambda self, e: seen.append(e)})())
    ex.process(quote(1000))
    o = fac.limit(IID, "BUY", 1, 90.0)
    ee.submit_order(o)                       # arrives 6000
    ee.cancel_order(o)                       # arrives 2000: before the order is known
    assert ex.next_command_time_ns() == 2000
    ex.process_commands_until(2000)
    assert [type(e).__name__ for e in seen] == ["OrderSubmitted", "OrderPendingCancel", "OrderCancelRejected"]
    assert o.status == OrderStatus.SUBMITTED
    ex.process_commands_until(5999)
    assert o.status == OrderStatus.SUBMITTED
    ex.process_commands_until(6000)
    assert type(seen[-1]).__name__ == "OrderAccepted" and seen[-1].ts_event == 6000


def test_sampled_latency_is_seeded():
    a = LatencyModel(samples_ns=[10, 20, 30, 40], random_seed=3, jitter_ns=5)
    b = LatencyModel(samples_ns=[10, 20, 30, 40], random_seed=3, jitter_ns=5)
    xs = [a.latency_ns("submit") for _ in range(50)]
    assert xs == [b.latency_ns("submit") for _ in range(50)]
    assert all(10 <= x <= 45 for x in xs) and len(set(xs)) > 4
    a.reset()
    assert [a.latency_ns("submit") for _ in range(50)] == xs


def test_unknown_instrument_rejected_at_venue():
    clock, ex, fac = venue()
    o = fac.market(PAIR.id, "BUY", 1)
    ex.send_submit(o)
    ex.process_commands_until(0)
    assert names(ex) == ["OrderRejected"] and "not traded" in ex.events[0].reason


def test_cash_venue_rejects_unaffordable_fill_and_short_sale():
    clock, ex, fac = venue()
    ex.process(quote(1000))
    big = fac.market(IID, "BUY", 200)        # 200 * 100 > 10000
    short = fac.market(IID, "SELL", 1)
    ex.send_submit(big)
    ex.send_submit(short)
    ex.process(quote(2000))
    assert big.status == OrderStatus.REJECTED and short.status == OrderStatus.REJECTED
    assert float(ex.account.balance_total().as_double()) == 10000.0


def test_fee_models():
    clock, ex, fac = venue(fee_model=PerUnitFeeModel(0.01))
    ex.process(quote(1000))
    o = fac.market(IID, "BUY", 30)
    ex.send_submit(o)
    ex.process(quote(2000, size=20))
    ex.process(quote(3000, size=20))
    assert [float(e.commission) for e in ex.events if type(e).__name__ == "OrderFilled"] == [0.2, 0.1]
    clock, ex, fac = venue(fee_model=FixedFeeModel(1.5))
    ex.process(quote(1000))
    o = fac.market(IID, "BUY", 30)
    ex.send_submit(o)
    ex.process(quote(2000, size=20))
    ex.process(quote(3000, size=20))
    assert [float(e.commission) for e in ex.events if type(e).__name__ == "OrderFilled"] == [1.5, 0.0]
    # maker rebate from the instrument: 10 * 98 * -0.0001 = -0.098 -> -0.10
    clock, ex, fac = venue()
    ex.process(quote(1000))
    lim = fac.limit(IID, "BUY", 10, 98.0)
    ex.send_submit(lim)
    ex.process(quote(2000))
    ex.process(quote(3000, 97.0, 97.5))
    (f,) = [e for e in ex.events if type(e).__name__ == "OrderFilled"]
    assert float(f.commission) == pytest.approx(-0.10) and float(f.last_px) == 98.0


def test_python_model_subclasses():
    class NeverTouch(FillModel):
        def is_limit_filled(self):
            return False

        def slippage_ticks(self):
            return 2

    class HalfFee(FeeModel):
        def commission(self, order, quantity, price, liquidity_side, instrument, first_fill):
            return Money(float(quantity) * 0.5, "USD")

    class Slow(LatencyModel):
        def latency_ns(self, command):
            return 7000 if command == "submit" else 0

    class HalfQueue(QueueModel):
        def size_ahead_on_join(self, level_size):
            return level_size // 2

    assert HalfQueue("fifo").size_ahead_on_join(10) == 5
    clock, ex, fac = venue(fill_model=NeverTouch(), fee_model=HalfFee(), latency_model=Slow())
    ex.process(quote(1000))
    o = fac.market(IID, "BUY", 4)
    ex.send_submit(o)
    assert ex.next_command_time_ns() == 8000
    ex.process(quote(9000))
    (f,) = [e for e in ex.events if type(e).__name__ == "OrderFilled"]
    assert float(f.last_px) == 100.02 and float(f.commission) == 2.0


def test_reset_restores_account_and_clears_orders():
    clock, ex, fac = venue()
    ee = ExecutionEngine(clock, None)
    ee.register_venue(ex)
    ex.process(quote(1000))
    ee.submit_order(fac.market(IID, "BUY", 10))
    ee.submit_order(fac.limit(IID, "BUY", 1, 50.0))
    ex.process(quote(2000))
    # 10 * 100 + 1.00 commission
    assert float(ex.account.balance_total().as_double()) == pytest.approx(10000 - 1001.0)
    assert len(ex.matching_engine(IID).working_orders()) == 1
    ex.reset()
    ee.reset()
    assert float(ex.account.balance_total().as_double()) == 10000.0
    assert ex.matching_engine(IID).working_orders() == []
    assert ex.next_command_time_ns() == INT64_MAX


def test_config_validation():
    with pytest.raises(ValueError, match="bar_path"):
        venue(bar_path="random")
    with pytest.raises(ValueError, match="book_type"):
        venue(book_type="L9")
    with pytest.raises(ValueError, match="oms_type|OmsType"):
        venue(oms_type="BOTH")
    clock, ex, fac = venue()
    with pytest.raises(ValueError, match="already added"):
        ex.add_instrument(INST)
    with pytest.raises(ValueError, match="not on venue"):
        ex.add_instrument(Equity(InstrumentId.from_str("X.OTHER"), 2, "USD"))
    with pytest.raises(ValueError, match="prob_fill_on_limit"):
        FillModel(prob_fill_on_limit=1.5)
    with pytest.raises(ValueError, match="insert_latency_ns"):
        LatencyModel(insert_latency_ns=-1)


def test_pair_on_multi_currency_cash_account_with_execution_engine():
    clock = TestClock()
    ex = SimulatedExchange("XEXC", "NETTING", "CASH", None, ["10000 USD", "1 BTC"], clock)
    ex.add_instrument(PAIR)
    ee = ExecutionEngine(clock, None)
    ee.register_venue(ex)
    fac = OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock)
    fac.register_instrument(PAIR)
    ex.process(quote(1000, 1000.0, 1001.0, iid=PAIR.id))
    ee.submit_order(fac.market(PAIR.id, "SELL", Quantity.from_str("0.5")))
    ex.process(quote(2000, 1000.0, 1001.0, iid=PAIR.id))
    # sold 0.5 BTC at 1000: +500 USD - 0.5 fee, -0.5 BTC
    assert float(ex.account.balance_total("USD").as_double()) == pytest.approx(10499.5)
    assert float(ex.account.balance_total("BTC").as_double()) == pytest.approx(0.5)
    assert np.isclose(ee.net_position_raw(PAIR.id, "S-1"), -0.5e9)


def test_cash_account_locks_for_open_orders():
    clock, ex, fac = venue()
    ee = ExecutionEngine(clock, None)
    ee.register_venue(ex)
    ex.process(quote(1000))
    a = fac.limit(IID, "BUY", 50, 98.0)       # locks 50 * 98 * 1.001 = 4904.90
    b = fac.limit(IID, "BUY", 60, 90.0)       # would lock 5405.40 > free 5095.10: rejected
    ee.submit_order(a)
    ee.submit_order(b)
    ex.process(quote(2000))
    acc = ex.account
    assert a.status == OrderStatus.ACCEPTED and b.status == OrderStatus.REJECTED
    assert "lock" in b.events[-1].reason
    assert float(acc.balance_locked("USD").as_double()) == pytest.approx(4904.90)
    # 20 fill as maker at 98 (maker rebate -0.0001): 20/50 of the lock released, cash paid
    ex.process(quote(3000, 97.0, 97.5, size=20))
    assert float(a.filled_qty) == 20.0
    assert float(acc.balance_locked("USD").as_double()) == pytest.approx(4904.90 * 30 / 50, abs=0.011)
    ee.cancel_order(a)
    ex.process(quote(4000, 99.0, 100.0))
    assert a.status == OrderStatus.CANCELED
    assert float(acc.balance_locked("USD").as_double()) == 0.0
    # 10000 - 20 * 98 + rebate 0.196 -> 0.20
    assert float(acc.balance_total("USD").as_double()) == pytest.approx(10000 - 1960 + 0.20)


def test_matching_engine_lookup_by_instrument():
    """Engines are found through the instrument id's interned index: every instrument of the venue
    (as id or string) and nothing else (another venue's id, an id interned after the venue's)."""
    _, ex, _ = venue()
    ex.add_instrument(PAIR)
    assert ex.matching_engine(IID).instrument is INST
    assert ex.matching_engine("BTCUSD.XEXC").instrument is PAIR
    for other in (InstrumentId.from_str("EXCH.OTHERVENUE"), InstrumentId.from_str("LATE-INTERNED-9.XEXC")):
        with pytest.raises(KeyError, match="is not traded on XEXC"):
            ex.matching_engine(other)


def test_queued_commands_hold_their_orders_until_processed_reset_or_dropped():
    # the command heap owns one reference per queued command: released when the command is
    # processed, when reset() drops it, and when the exchange is freed with it still queued
    import gc
    import sys

    lat = LatencyModel(base_latency_ns=0, insert_latency_ns=5000, cancel_latency_ns=1000)
    clock, ex, fac = venue(latency_model=lat)
    ex.process(quote(1000))
    orders = [fac.limit(IID, "BUY", 1, 90.0 + i) for i in range(3)]
    base = [sys.getrefcount(orders[i]) for i in range(3)]

    def held():
        return [sys.getrefcount(orders[i]) - base[i] for i in range(3)]

    stray = fac.market(PAIR.id, "BUY", 1)              # an instrument this venue does not list
    base_stray = sys.getrefcount(stray)
    for i in range(3):
        ex.send_submit(orders[i])                     # sent at 1000: arrive at 6000
    ex.send_submit(stray, ts_sent=0)                  # arrives at 5000
    assert held() == [1, 1, 1] and sys.getrefcount(stray) - base_stray == 1
    assert ex.next_command_time_ns() == 5000
    ex.process_commands_until(5000)                   # the stray: rejected, its reference released
    assert names(ex) == ["OrderRejected"]
    assert held() == [1, 1, 1] and sys.getrefcount(stray) == base_stray
    ex.reset()
    assert held() == [0, 0, 0]
    assert ex.next_command_time_ns() == INT64_MAX
    for i in range(3):                                # queued again, then the exchange is dropped
        ex.send_submit(orders[i])
    assert held() == [1, 1, 1]
    del ex
    gc.collect()
    assert held() == [0, 0, 0]


def test_venue_finds_orders_by_id_and_refuses_duplicates_however_many_are_working():
    """The matching engine indexes its working orders by client order id only when something looks
    one up (cancel, duplicate check, contingencies). Resting limit orders, more of them than the
    index keeps pending (32), canceled in a shuffled order, a duplicate id sent while the first is
    working (refused) and after it closed (accepted): each answer as if every order were indexed
    when it arrived."""
    import random

    clock, ex, fac = venue(account_type="MARGIN", starting_balances=["1000000 USD"])
    rng = random.Random(3)
    ex.process(quote(1000))
    resting = []
    for i in range(70):
        o = fac.limit(IID, "BUY", 1, 50.0 + i * 0.01)
        resting.append(o)
        ex.send_submit(o)
        clock.advance_time(clock.timestamp_ns() + 1)
        if i % 9 == 4:                            # a cancel while newer orders are not indexed yet
            ex.send_cancel(resting[i - 2])
    ex.process(quote(2000))
    canceled = {resting[i - 2].client_order_id for i in range(70) if i % 9 == 4}
    assert {o.client_order_id for o in resting if o.status == OrderStatus.CANCELED} == canceled
    working = [o for o in resting if o.status == OrderStatus.ACCEPTED]
    assert len(working) == 70 - len(canceled)
    # a second Order object under a working order's id is refused; under a closed one's, accepted
    twin = OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock)      # makes the same ids again
    twin.register_instrument(INST)
    same_ids = [twin.limit(IID, "BUY", 1, 1.0) for _ in range(71)]
    dup_working = same_ids[resting.index(working[5])]
    closed_idx = resting.index(next(o for o in resting if o.status == OrderStatus.CANCELED))
    dup_closed = same_ids[closed_idx]
    ex.send_submit(dup_working)
    ex.send_submit(dup_closed)
    ex.process(quote(3000))
    assert dup_working.status == OrderStatus.REJECTED
    assert "duplicate client order id" in dup_working.events[-1].reason
    assert dup_closed.status == OrderStatus.ACCEPTED
    # an order and its duplicate arriving together (nothing looked an id up in between)
    fresh = fac.limit(IID, "BUY", 1, 40.0)
    assert fresh.client_order_id == same_ids[70].client_order_id
    ex.send_submit(fresh)
    ex.send_submit(same_ids[70])
    ex.process(quote(3500))
    assert fresh.status == OrderStatus.ACCEPTED and same_ids[70].status == OrderStatus.REJECTED
    # cancel the rest in a shuffled order: every one is found
    rng.shuffle(working)
    for o in working:
        ex.send_cancel(o)
    ex.process(quote(4000))
    assert all(o.status == OrderStatus.CANCELED for o in working)
    ex.send_cancel(fresh)
    ex.process(quote(4500))
    assert ex.matching_engine(IID).working_orders() == [dup_closed]

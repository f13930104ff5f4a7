"""Position: hand-worked PnL/average-price cases, flips, inverse and multiplier instruments,
events, input errors, and a randomized comparison against a plain-Python reference model."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest

from alphaforge.model import (
    AccountId,
    ClientOrderId,
    CryptoPerpetual,
    Currency,
    Equity,
    FuturesContract,
    InstrumentId,
    Money,
    OrderSide,
    PositionId,
    PositionSide,
    Price,
    Quantity,
    StrategyId,
    TradeId,
)
from alphaforge.portfolio import Position, PositionChanged, PositionClosed, PositionOpened

AAPL = Equity(InstrumentId.from_str("AAPL.XNAS"), 2, "USD")
XBT = CryptoPerpetual(
    "XBTUSD.BITMEX", "BTC", "USD", "BTC", 1, 0, is_inverse=True, multiplier=100.0, price_increment="0.5"
)
ES = FuturesContract("ESZ6.XCME", "ES", "USD", 2, multiplier=50.0, price_increment="0.25")


@dataclass
class Fill:
    """Duck-typed OrderFilled (Python attributes only)."""

    instrument_id: InstrumentId
    order_side: OrderSide
    last_qty: Quantity
    last_px: Price
    trade_id: TradeId
    client_order_id: ClientOrderId
    commission: Money | None
    ts_event: int
    ts_init: int
    strategy_id: StrategyId = StrategyId("S-001")
    account_id: AccountId = AccountId("SIM-001")
    position_id: PositionId | None = PositionId("P-001")


@dataclass
class RawFill:
    """Duck-typed OrderFilled exposing the C fields (the fast reading path)."""

    instrument_id: InstrumentId
    side: int
    last_qty_raw: int
    last_px_raw: int
    commission_raw: int
    commission_currency: Currency | None
    trade_id: TradeId
    client_order_id: ClientOrderId
    ts_event: int
    ts_init: int
    strategy_id: StrategyId = StrategyId("S-001")
    account_id: AccountId = AccountId("SIM-001")
    position_id: PositionId | None = PositionId("P-001")


_n = [0]


def fill(inst, side, qty, px, *, comm=None, ts=0, qty_prec=None, px_prec=None, tid=None, coid=None):
    _n[0] += 1
    qp = inst.size_precision if qty_prec is None else qty_prec
    pp = inst.price_precision if px_prec is None else px_prec
    return Fill(
        instrument_id=inst.id,
        order_side=OrderSide.parse(side),
        last_qty=Quantity.from_str(f"{qty:.{qp}f}"),
        last_px=Price.from_str(f"{px:.{pp}f}"),
        trade_id=TradeId(tid or f"T-{_n[0]}"),
        client_order_id=ClientOrderId(coid or f"O-{_n[0]}"),
        commission=None if comm is None else (comm if isinstance(comm, Money) else Money.from_str(comm)),
        ts_event=ts,
        ts_init=ts + 1,
    )


def usd(s: str) -> Money:
    return Money.from_str(f"{s} USD")


# ---------------------------------------------------------------------------------------------
# hand-worked


def test_average_price_realized_pnl_with_commissions_and_close():
    p = Position(AAPL, fill(AAPL, "BUY", 10, 100, comm="1 USD", ts=1_000))
    assert p.side == PositionSide.LONG and p.is_open and p.is_long and not p.is_short
    assert p.quantity == Quantity.from_int(10) and p.signed_qty == 10.0
    assert p.avg_px_open == 100.0
    assert p.realized_pnl == usd("-1.00")  # the commission
    assert p.ts_opened == 1_000 and p.entry == OrderSide.BUY

    p.apply(fill(AAPL, "BUY", 10, 110, comm="1 USD", ts=2_000))
    assert p.avg_px_open == 105.0  # (10*100 + 10*110) / 20
    assert p.quantity == Quantity.from_int(20) and p.peak_qty == Quantity.from_int(20)
    assert p.realized_pnl == usd("-2.00")

    p.apply(fill(AAPL, "SELL", 15, 120, comm="1.50 USD", ts=3_000))
    # (120 - 105) * 15 = 225, minus commissions 1 + 1 + 1.5
    assert p.realized_pnl == usd("221.50")
    assert p.last_pnl_raw == 225 * 10**9
    assert p.avg_px_close == 120.0
    assert p.realized_return == pytest.approx(15 / 105, rel=1e-15)
    assert p.quantity == Quantity.from_int(5) and p.peak_qty == Quantity.from_int(20)
    assert p.unrealized_pnl(Price.from_str("130.00")) == usd("125.00")  # 5 * (130 - 105)
    assert p.unrealized_pnl(130.0) == usd("125.00")
    assert p.total_pnl(130.0) == usd("346.50")
    assert p.notional_value(130.0) == usd("650.00")
    assert p.commissions() == [usd("3.50")]
    assert p.commission("USD") == usd("3.50")
    assert p.duration_ns == 0 and p.ts_closed == 0

    p.apply(fill(AAPL, "SELL", 5, 90, comm="0.50 USD", ts=5_000, coid="O-CLOSE"))
    # 5 * (90 - 105) = -75
    assert p.realized_pnl == usd("146.00")
    assert p.avg_px_close == 112.5  # (15*120 + 5*90) / 20
    assert p.realized_return == pytest.approx((112.5 - 105) / 105, rel=1e-15)
    assert p.side == PositionSide.FLAT and p.is_closed and p.quantity == Quantity.from_int(0)
    assert p.ts_closed == 5_000 and p.duration_ns == 4_000 and p.ts_last == 5_000
    assert p.closing_order_id == ClientOrderId("O-CLOSE")
    assert p.unrealized_pnl(500.0) == usd("0.00")
    assert p.event_count == 4 and len(p.trade_ids) == 4 and len(p.client_order_ids) == 4
    assert p.buy_qty_raw == 20 * 10**9 and p.sell_qty_raw == 20 * 10**9


def test_short_position_pnl():
    p = Position(AAPL, fill(AAPL, "SELL", 4, 50, ts=1))
    assert p.side == PositionSide.SHORT and p.signed_qty == -4.0 and p.entry == OrderSide.SELL
    assert p.unrealized_pnl(48.0) == usd("8.00")
    assert p.notional_value(48.0) == usd("192.00")
    p.apply(fill(AAPL, "SELL", 4, 60, ts=2))
    assert p.avg_px_open == 55.0
    p.apply(fill(AAPL, "BUY", 8, 45.5, ts=3))
    assert p.realized_pnl == usd("76.00")  # 8 * (55 - 45.5)
    assert p.realized_return == pytest.approx((55 - 45.5) / 55, rel=1e-15)
    assert p.is_closed


def test_flip_in_place_and_split_helper():
    p = Position(AAPL, fill(AAPL, "BUY", 10, 100, comm="1 USD", ts=10))
    flip = fill(AAPL, "SELL", 15, 110, comm="1.01 USD", ts=20, coid="O-FLIP")
    close_q, open_q, close_c, open_c = p.split_fill_for_flip(flip)
    assert close_q == Quantity.from_int(10) and open_q == Quantity.from_int(5)
    assert close_c == usd("0.67") and open_c == usd("0.34")  # 1.01 * 10/15 = 0.6733 -> 0.67; rest 0.34
    p.apply(flip)
    assert p.last_fill_flipped
    assert p.side == PositionSide.SHORT and p.signed_qty == -5.0
    assert p.avg_px_open == 110.0 and p.entry == OrderSide.SELL and p.ts_opened == 20
    assert p.realized_pnl == usd("97.99")  # 10 * (110 - 100) - 1 - 1.01
    assert p.opening_order_id == ClientOrderId("O-FLIP") and p.closing_order_id == ClientOrderId("O-FLIP")
    assert p.peak_qty == Quantity.from_int(10)
    assert isinstance(p.make_event(flip), PositionChanged)
    p.apply(fill(AAPL, "BUY", 5, 100, ts=30))
    assert not p.last_fill_flipped
    assert p.realized_pnl == usd("147.99")  # + 5 * (110 - 100)
    assert p.is_closed and p.duration_ns == 10  # the short leg opened at 20, closed at 30

    q = Position(AAPL, fill(AAPL, "BUY", 10, 100, ts=1))
    with pytest.raises(ValueError, match="does not flip"):
        q.split_fill_for_flip(fill(AAPL, "SELL", 10, 100))
    with pytest.raises(ValueError, match="does not flip"):
        q.split_fill_for_flip(fill(AAPL, "BUY", 20, 100))
    close_q, open_q, close_c, open_c = q.split_fill_for_flip(fill(AAPL, "SELL", 12, 100))
    assert (close_q, open_q, close_c, open_c) == (Quantity.from_int(10), Quantity.from_int(2), None, None)


def test_reopen_after_close_starts_a_new_cycle():
    p = Position(AAPL, fill(AAPL, "BUY", 1, 100, comm="1 USD", ts=1))
    p.apply(fill(AAPL, "SELL", 1, 101, comm="1 USD", ts=2))
    assert p.realized_pnl == usd("-1.00")
    closed = p.make_event(p.last_event)
    assert isinstance(closed, PositionClosed) and closed.realized_pnl == usd("-1.00") and closed.duration_ns == 1
    p.apply(fill(AAPL, "SELL", 3, 200, comm="2 USD", ts=10, coid="O-RE"))
    assert p.side == PositionSide.SHORT and p.avg_px_open == 200.0 and p.ts_opened == 10
    assert p.realized_pnl == usd("-2.00") and p.commissions() == [usd("2.00")]
    assert p.avg_px_close == 0.0 and p.ts_closed == 0 and p.peak_qty == Quantity.from_int(3)
    assert p.opening_order_id == ClientOrderId("O-RE")
    assert isinstance(p.make_event(p.last_event), PositionOpened)
    assert p.event_count == 3 and len(p.trade_ids) == 3  # history accumulates


def test_inverse_pnl_in_base_currency():
    # 1000 contracts of 100 USD: long at 50000, close at 60000 -> 1000*100*(1/50000 - 1/60000) BTC
    p = Position(XBT, fill(XBT, "BUY", 1000, 50000, comm=Money.from_str("0.001 BTC"), ts=1))
    assert p.pnl_currency.code == "BTC"
    expected_unreal = Decimal(1000 * 100) * (Decimal(1) / 50000 - Decimal(1) / 55000)
    # PnL keeps the full fixed-point precision (1e-9), it is not rounded to BTC's 8 decimals
    assert p.unrealized_pnl(55000.0).as_decimal() == expected_unreal.quantize(Decimal("0.000000001"), ROUND_HALF_UP)
    assert str(p.unrealized_pnl(55000.0)) == f"{expected_unreal.quantize(Decimal('0.00000001'), ROUND_HALF_UP)} BTC"
    assert p.notional_value(50000.0) == Money.from_str("2.00000000 BTC")  # 1000*100/50000
    p.apply(fill(XBT, "SELL", 1000, 60000, comm=Money.from_str("0.50 USD"), ts=2))
    pnl = (Decimal(1000 * 100) * (Decimal(1) / 50000 - Decimal(1) / 60000)).quantize(
        Decimal("0.000000001"), ROUND_HALF_UP
    )
    # the BTC commission reduces realized PnL, the USD one does not
    assert p.realized_pnl.as_decimal() == pnl - Decimal("0.001")
    assert p.commissions() == [Money.from_str("0.001 BTC"), Money.from_str("0.50 USD")]

    s = Position(XBT, fill(XBT, "SELL", 100, 40000, ts=1))
    s.apply(fill(XBT, "BUY", 100, 50000, ts=2))
    loss = Decimal(100 * 100) * (Decimal(1) / 50000 - Decimal(1) / 40000)
    assert s.realized_pnl.as_decimal() == loss.quantize(Decimal("0.000000001"), ROUND_HALF_UP)


def test_multiplier_futures():
    p = Position(ES, fill(ES, "BUY", 2, 4000.25, ts=1))
    assert p.unrealized_pnl(4001.0) == usd("75.00")  # 2 * 0.75 * 50
    p.apply(fill(ES, "SELL", 2, 4010.0, comm="4.20 USD", ts=2))
    assert p.realized_pnl == usd("970.80")  # 2 * 9.75 * 50 - 4.20


def test_events_snapshot_values():
    f1 = fill(AAPL, "BUY", 10, 100, comm="1 USD", ts=100)
    p = Position(AAPL, f1)
    e = p.make_event(f1)
    assert isinstance(e, PositionOpened)
    assert e.position_id == PositionId("P-001") and e.instrument_id == AAPL.id
    assert e.strategy_id == StrategyId("S-001") and e.account_id == AccountId("SIM-001")
    assert e.side == PositionSide.LONG and e.entry == OrderSide.BUY
    assert e.quantity == Quantity.from_int(10) and e.signed_qty == 10.0
    assert e.last_qty == Quantity.from_int(10) and e.last_px == Price.from_str("100.00")
    assert e.realized_pnl == usd("-1.00") and e.unrealized_pnl == usd("0.00")
    assert e.trade_id == f1.trade_id and e.ts_event == 100 and e.ts_init == 101 and e.ts_opened == 100
    f2 = fill(AAPL, "BUY", 5, 106, ts=200)
    p.apply(f2)
    e2 = PositionChanged.create(p, f2, ts_init=999)
    assert e2.avg_px_open == pytest.approx(102.0, rel=1e-15) and e2.ts_init == 999
    assert e2.unrealized_pnl == usd("60.00")  # 15 * (106 - 102)
    f3 = fill(AAPL, "SELL", 15, 104, ts=300)
    p.apply(f3)
    e3 = p.make_event(f3)
    assert isinstance(e3, PositionClosed) and e3.side == PositionSide.FLAT
    assert e3.realized_pnl == usd("29.00")  # 15 * 2 - 1
    assert e3.ts_closed == 300 and e3.duration_ns == 200
    with pytest.raises(TypeError):
        PositionOpened()


def test_raw_field_fill_path_matches_python_attributes():
    rng = random.Random(3)
    steps = [(rng.choice("BS"), rng.randint(1, 9), round(rng.uniform(90, 110), 2)) for _ in range(40)]

    def py_fill(i, s, q, px):
        return fill(AAPL, "BUY" if s == "B" else "SELL", q, px, comm="0.37 USD", ts=i, tid=f"X{i}")

    def raw_fill(i, s, q, px):
        return RawFill(
            instrument_id=AAPL.id, side=1 if s == "B" else 2, last_qty_raw=q * 10**9,
            last_px_raw=round(px * 100) * 10**7, commission_raw=37 * 10**7,
            commission_currency=Currency.from_str("USD"), trade_id=TradeId(f"X{i}"),
            client_order_id=ClientOrderId(f"O{i}"), ts_event=i, ts_init=i,
        )

    a = Position(AAPL, py_fill(0, *steps[0]))
    b = Position(AAPL, raw_fill(0, *steps[0]))
    for i, st in enumerate(steps[1:], start=1):
        a.apply(py_fill(i, *st))
        b.apply(raw_fill(i, *st))
        assert (a.signed_qty_raw, a.avg_px_open, a.realized_pnl_raw) == (b.signed_qty_raw, b.avg_px_open, b.realized_pnl_raw)


def test_bad_input_raises_and_changes_nothing():
    p = Position(AAPL, fill(AAPL, "BUY", 10, 100, tid="DUP"))
    with pytest.raises(ValueError, match="duplicate fill.trade_id DUP"):
        p.apply(fill(AAPL, "SELL", 5, 100, tid="DUP"))
    with pytest.raises(ValueError, match="does not match position"):
        p.apply(fill(ES, "SELL", 5, 100))
    with pytest.raises(ValueError, match="last_qty raw 0"):
        p.apply(fill(AAPL, "SELL", 0, 100))
    bad = fill(AAPL, "SELL", 1, 100)
    bad.order_side = 0
    with pytest.raises(ValueError, match="order_side"):
        p.apply(bad)
    bad = fill(AAPL, "SELL", 1, 100)
    bad.last_px = 100.0
    with pytest.raises(TypeError, match="last_px"):
        p.apply(bad)
    assert p.signed_qty == 10.0 and p.event_count == 1
    nid = fill(AAPL, "BUY", 1, 1)
    nid.position_id = None
    with pytest.raises(ValueError, match="no position id"):
        Position(AAPL, nid)
    assert Position(AAPL, nid, PositionId("P-X")).id == PositionId("P-X")
    with pytest.raises(ValueError, match="must be > 0"):
        Position(XBT, fill(XBT, "BUY", 1, 0))


# ---------------------------------------------------------------------------------------------
# randomized against a plain-Python reference


def _round_half_away(x: float, decimals: int) -> int:
    """x rounded half away from zero to `decimals`, as an integer count of 10^-decimals."""
    y = abs(x * 10**decimals)
    n = math.floor(y + 0.5)
    return n if x >= 0 else -n


class RefPosition:
    """Independent netting model: integer quantity, float average entry, per-fill PnL rounded to
    the fixed-point unit (1e-9; not to cents, so many fills do not accumulate rounding)."""

    def __init__(self, multiplier=1.0):
        self.qty = 0  # signed, in units
        self.avg = 0.0
        self.realized_raw = 0
        self.mult = multiplier

    def apply(self, side, qty, px, comm_cents):
        sign = 1 if side == "BUY" else -1
        self.realized_raw -= comm_cents * 10**7
        if self.qty == 0:
            self.realized_raw = -comm_cents * 10**7  # new cycle
            self.qty, self.avg = sign * qty, px
            return
        if (self.qty > 0) == (sign > 0):
            cur = abs(self.qty)
            self.avg = (self.avg * cur + px * qty) / (cur + qty)
            self.qty += sign * qty
            return
        closing = min(qty, abs(self.qty))
        direction = 1 if self.qty > 0 else -1
        pnl = closing * self.mult * (px - self.avg) * direction
        self.realized_raw += _round_half_away(pnl, 9)
        rest = qty - closing
        self.qty += sign * qty
        if rest > 0:
            self.avg = px


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_fills_against_reference(seed):
    rng = random.Random(seed)
    inst = ES if seed % 2 else AAPL
    ref = RefPosition(inst.multiplier)
    pos = None
    for i in range(400):
        side = rng.choice(["BUY", "SELL"])
        qty = rng.randint(1, 12)
        px = round(rng.uniform(50, 150) * 4) / 4  # quarter ticks
        comm_cents = rng.randint(0, 300)
        f = fill(inst, side, qty, px, comm=Money.from_raw(comm_cents * 10**7, "USD"), ts=i)
        if pos is None:
            pos = Position(inst, f)
        else:
            pos.apply(f)
        ref.apply(side, qty, px, comm_cents)
        assert pos.signed_qty_raw == ref.qty * 10**9
        if ref.qty != 0:
            assert pos.avg_px_open == pytest.approx(ref.avg, rel=1e-12)
        assert pos.realized_pnl_raw == ref.realized_raw, f"fill {i}"
        expected_side = PositionSide.LONG if ref.qty > 0 else PositionSide.SHORT if ref.qty < 0 else PositionSide.FLAT
        assert pos.side == expected_side


def test_real_order_filled_events_give_the_same_results():
    """The OrderFilled event class (read through its C fields) and duck-typed fills agree."""
    from alphaforge.model import TraderId, VenueOrderId
    from alphaforge.orders import OrderFilled
    from alphaforge.portfolio import MarginAccount

    rng = random.Random(9)
    usd = Currency.from_str("USD")
    acc_a = MarginAccount("SIM-001", "100000 USD")
    acc_b = MarginAccount("SIM-001", "100000 USD")
    a = b = None
    for i in range(200):
        side = rng.choice(["BUY", "SELL"])
        qty = rng.randint(1, 9)
        px = round(rng.uniform(90, 110), 2)
        comm = Money.from_raw(rng.randint(0, 99) * 10**7, usd)
        duck = fill(AAPL, side, qty, px, comm=comm, ts=i, tid=f"R{i}")
        real = OrderFilled(
            TraderId("TRADER-001"), StrategyId("S-001"), AAPL.id, ClientOrderId(f"O-R{i}"), VenueOrderId(f"V{i}"),
            AccountId("SIM-001"), TradeId(f"R{i}"), side, "MARKET", duck.last_qty, duck.last_px, usd, comm,
            "TAKER", i, i, position_id=PositionId("P-001"),
        )
        if a is None:
            a, b = Position(AAPL, duck), Position(AAPL, real)
        else:
            a.apply(duck)
            b.apply(real)
        acc_a.apply_fill(duck, AAPL, a)
        acc_b.apply_fill(real, AAPL, b)
        assert (b.signed_qty_raw, b.avg_px_open, b.realized_pnl_raw) == (a.signed_qty_raw, a.avg_px_open, a.realized_pnl_raw)
        assert acc_b.balance_total() == acc_a.balance_total()
    assert b.last_event.trade_id == TradeId("R199") and b.trade_ids == a.trade_ids
    before = (b.signed_qty_raw, b.realized_pnl_raw, len(b.trade_ids))
    with pytest.raises(ValueError, match="duplicate fill.trade_id R199"):
        b.apply(real)  # the OrderFilled path refuses a repeated trade id and changes nothing
    assert (b.signed_qty_raw, b.realized_pnl_raw, len(b.trade_ids)) == before

"""Portfolio: equity, exposure and PnL views against hand-computed values, currency conversion,
the cache protocol, maintenance margins on fills and the sampled equity curve."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from alphaforge.model import (
    AccountId,
    ClientOrderId,
    CryptoPerpetual,
    CurrencyPair,
    Equity,
    InstrumentId,
    Money,
    OrderSide,
    PositionId,
    Price,
    Quantity,
    StrategyId,
    TradeId,
    Venue,
)
from alphaforge.portfolio import CashAccount, MarginAccount, MarginBalance, Portfolio, Position

AAPL = Equity(InstrumentId.from_str("AAPL.XNAS"), 2, "USD")
MSFT = Equity(InstrumentId.from_str("MSFT.XNAS"), 2, "USD")
BTCUSDT = CurrencyPair("BTCUSDT.BINANCE", "BTC", "USDT", 2, 5)
PERP = CryptoPerpetual("ETHUSDT-PERP.BINANCE", "ETH", "USDT", "USDT", 2, 3, margin_init=0.1, margin_maint=0.05)
EURUSD = CurrencyPair("EUR/USD.IDEALPRO", "EUR", "USD", 5, 0)


@dataclass
class Fill:
    instrument_id: InstrumentId
    order_side: OrderSide
    last_qty: Quantity
    last_px: Price
    trade_id: TradeId
    commission: Money | None
    ts_event: int
    position_id: PositionId | None
    strategy_id: StrategyId = StrategyId("S-1")
    client_order_id: ClientOrderId = ClientOrderId("O-1")
    account_id: AccountId | None = None
    ts_init: int = 0


_n = [0]


def fill(inst, side, qty: str, px: str, comm: str | None = None, ts: int = 0, pid: str = "P-1",
         strategy: str = "S-1") -> Fill:
    _n[0] += 1
    return Fill(
        inst.id, OrderSide.parse(side), Quantity.from_str(qty), Price.from_str(px), TradeId(f"T{_n[0]}"),
        None if comm is None else Money.from_str(comm), ts, PositionId(pid), StrategyId(strategy),
    )


def m(s: str) -> Money:
    return Money.from_str(s)


class FakeCache:
    def __init__(self):
        self.positions = []

    def positions_open(self):
        return [p for p in self.positions if p.is_open]


def test_cash_equity_marks_equity_holdings():
    pf = Portfolio()
    acc = CashAccount("XNAS-001", "100000 USD")
    pf.register_account(acc)
    assert pf.account("XNAS") is acc and pf.account(Venue("XNAS")) is acc and pf.accounts() == [acc]
    f1 = fill(AAPL, "BUY", "100", "150.00", "1 USD", ts=1)
    p1 = Position(AAPL, f1)
    pf.add_position(p1)
    pf.update_fill(f1, AAPL, p1)
    assert pf.last_price(AAPL.id) == 150.0  # seeded by the fill
    f2 = fill(MSFT, "BUY", "10", "300.00", ts=2, pid="P-2")
    p2 = Position(MSFT, f2)
    pf.add_position(p2)
    pf.update_fill(f2, MSFT, p2)
    pf.update_price(AAPL.id, Price.from_str("155.50"))
    pf.update_price(MSFT.id, 290.0)
    # balance 100000 - 15000 - 1 - 3000 = 81999; holdings 100*155.5 + 10*290 = 18450
    assert pf.balance_value() == m("81999 USD")
    assert pf.positions_value() == m("18450 USD")
    assert pf.equity() == m("100449 USD") == pf.equity("XNAS")
    assert pf.unrealized_pnl(AAPL.id) == m("550 USD") and pf.unrealized_pnl(MSFT.id) == m("-100 USD")
    assert pf.unrealized_pnls("XNAS") == {m("1 USD").currency: m("450 USD")}
    assert pf.net_exposure(AAPL.id) == m("15550 USD")
    assert pf.net_exposures("XNAS") == {m("1 USD").currency: m("18450 USD")}
    assert pf.realized_pnl(AAPL.id) == m("-1 USD")
    assert pf.is_net_long(AAPL.id) and not pf.is_net_short(AAPL.id) and not pf.is_flat(AAPL.id)
    assert not pf.is_completely_flat()
    # close AAPL: equity is unchanged by the trade itself except the commission
    f3 = fill(AAPL, "SELL", "100", "155.50", "1 USD", ts=3)
    p1.apply(f3)
    pf.update_fill(f3, AAPL, p1)
    assert pf.equity() == m("100448 USD")
    assert pf.is_flat(AAPL.id) and pf.net_exposure(AAPL.id) is None and pf.realized_pnl(AAPL.id) is None
    assert pf.unrealized_pnl(AAPL.id) == m("0 USD")  # known instrument, flat
    assert pf.unrealized_pnl(InstrumentId.from_str("ZZZ.XNAS")) is None


def test_margin_equity_hedging_positions_and_maintenance_margin():
    pf = Portfolio()
    acc = MarginAccount("BINANCE-001", "10000 USDT", default_leverage=5.0)
    pf.register_account(acc)
    # hedging: two positions in one instrument
    fa = fill(PERP, "BUY", "10", "2000", "2 USDT", ts=1, pid="P-A")
    pa = Position(PERP, fa)
    pf.add_position(pa)
    pf.update_fill(fa, PERP, pa)
    fb = fill(PERP, "SELL", "4", "2100", "0.84 USDT", ts=2, pid="P-B", strategy="S-2")
    pb = Position(PERP, fb)
    pf.add_position(pb)
    state = pf.update_fill(fb, PERP, pb)
    # maintenance: (10*2000 + 4*2100) * 0.05 / 5 = 284
    assert acc.margins() == [MarginBalance(m("0 USDT"), m("284 USDT"), PERP.id)]
    assert state.reason == "margin" and state.margins == acc.margins()
    assert acc.balance_total() == m("9997.16 USDT")
    pf.update_price(PERP.id, 2050.0)
    # unrealized: 10 * 50 + 4 * 50 = 700
    assert pf.unrealized_pnl(PERP.id) == m("700 USDT")
    assert pf.equity() == m("10697.16 USDT")
    assert pf.net_position(PERP.id) == 6.0 and pf.is_net_long(PERP.id)
    assert pf.net_exposure(PERP.id) == m("12300 USDT")  # 6 * 2050
    assert len(pf.positions_open(instrument_id=PERP.id)) == 2
    assert pf.positions_open(strategy_id=StrategyId("S-2")) == [pb]
    assert pf.positions_open(venue="XNAS") == []
    # closing B realizes 4 * (2100 - 2000) = 400 into the balance and lowers the margin
    fc = fill(PERP, "BUY", "4", "2000", "0.80 USDT", ts=3, pid="P-B")
    pb.apply(fc)
    pf.update_fill(fc, PERP, pb)
    assert acc.balance_total() == m("10396.36 USDT")
    assert acc.margin(PERP.id).maintenance == m("200 USDT")
    assert pf.equity() == m("10896.36 USDT")  # + 10 * 50 unrealized on A


def test_currency_conversion_rate_fn_and_from_prices():
    usd = m("1 USD").currency
    eur = m("1 EUR").currency
    pf = Portfolio(base_currency="USD")
    pf.register_account(CashAccount("XNAS-001", "1000 USD"))
    pf.register_account(CashAccount("IDEALPRO-001", "500 EUR"))
    with pytest.raises(ValueError, match="no exchange rate from EUR to USD"):
        pf.equity()
    pf.register_instrument(EURUSD)
    pf.update_price(EURUSD.id, 1.1)
    assert pf.equity() == m("1550 USD")  # 1000 + 500 * 1.1
    assert pf.equity("IDEALPRO") == m("550 USD")
    pf_eur = Portfolio(base_currency="EUR")
    pf_eur.register_account(CashAccount("XNAS-001", "1100 USD"))
    pf_eur.register_instrument(EURUSD)
    pf_eur.update_price(EURUSD.id, 1.1)
    assert pf_eur.equity() == m("1000 EUR")  # inverse rate 1/1.1
    calls = []

    def rate(src, dst):
        calls.append((src.code, dst.code))
        return 2.0

    pf2 = Portfolio(base_currency=usd, rate_fn=rate)
    pf2.register_account(CashAccount("A-001", "10 EUR"))
    assert pf2.equity() == m("20 USD") and calls == [("EUR", "USD")]
    pf3 = Portfolio()
    pf3.register_account(CashAccount("A-001", ["10 EUR", "1 USD"]))
    with pytest.raises(ValueError, match="span currencies EUR, USD"):
        pf3.equity()
    pf4 = Portfolio(base_currency=eur, rate_fn=lambda s, d: -1.0)
    pf4.register_account(CashAccount("A-001", "1 USD"))
    with pytest.raises(ValueError, match="positive number"):
        pf4.equity()


def test_cash_currency_pair_holdings_are_balances():
    pf = Portfolio(base_currency="USDT")
    acc = CashAccount("BINANCE-001", "10000 USDT")
    pf.register_account(acc)
    f = fill(BTCUSDT, "BUY", "0.1", "50000", ts=1)
    pos = Position(BTCUSDT, f)
    pf.add_position(pos)
    pf.update_fill(f, BTCUSDT, pos)
    pf.update_price(BTCUSDT.id, 52000.0)
    # balances 5000 USDT + 0.1 BTC (rate from the position's last price), no double counting
    assert pf.balance_value() == m("10200 USDT")
    assert pf.positions_value() == m("0 USDT")
    assert pf.equity() == m("10200 USDT")
    assert pf.unrealized_pnl(BTCUSDT.id) == m("200 USDT")


def test_cache_protocol_and_missing_price():
    cache = FakeCache()
    pf = Portfolio(cache=cache)
    pf.register_account(MarginAccount("BINANCE-001", "1000 USDT"))
    with pytest.raises(TypeError, match="positions_open"):
        Portfolio(cache=object())
    f = fill(PERP, "SELL", "1", "2000", ts=1)
    pos = Position(PERP, f)
    cache.positions.append(pos)
    with pytest.raises(ValueError, match="no last price for ETHUSDT-PERP.BINANCE"):
        pf.equity()
    pf.update_price_raw(PERP.id, 1990 * 10**9)
    assert pf.equity() == m("1010 USDT")
    with pytest.raises(ValueError, match="from its cache"):
        pf.add_position(pos)
    pos.apply(fill(PERP, "BUY", "1", "1990", ts=2))
    assert pf.is_completely_flat() and pf.positions_open() == []


def test_equity_curve_sampling_interval_growth_and_frame():
    interval = 60_000_000_000  # 1 minute
    pf = Portfolio(sample_interval_ns=interval, initial_capacity=2)
    acc = MarginAccount("BINANCE-001", "1000 USDT")
    pf.register_account(acc)
    f = fill(PERP, "BUY", "1", "100", ts=0)
    pos = Position(PERP, f)
    pf.add_position(pos)
    pf.update_fill(f, PERP, pos)
    rng = random.Random(5)
    t = 0
    calls = []
    for _ in range(300):
        t += rng.randint(1, 40) * 1_000_000_000
        px = round(rng.uniform(90, 110), 2)
        pf.update_price(PERP.id, px)
        recorded = pf.sample(t)
        calls.append((t, px, recorded))
    # reference: first call records, then a call records when it reaches the next minute boundary
    expected = []
    next_due = None
    for t, px, _ in calls:
        if next_due is None or t >= next_due:
            expected.append((t, 1000.0 + (px - 100.0)))
            next_due = (t // interval + 1) * interval
    assert [c[2] for c in calls].count(True) == len(expected)
    arrs = pf.equity_curve_arrays()
    assert pf.sample_count == len(expected) and pf.sample_capacity >= len(expected)
    assert pf.sample_capacity & (pf.sample_capacity - 1) == 0  # doubled from 2
    np.testing.assert_array_equal(arrs["ts"], [e[0] for e in expected])
    np.testing.assert_allclose(arrs["equity"], [e[1] for e in expected], rtol=0, atol=1e-9)
    np.testing.assert_allclose(arrs["balance"], 1000.0)
    np.testing.assert_allclose(arrs["positions_value"], arrs["equity"] - 1000.0, atol=1e-9)
    # reserving room keeps every recorded point and never shrinks
    n = pf.sample_count
    pf.reserve_samples(5000)
    assert pf.sample_capacity == 5000 and pf.sample_count == n
    pf.reserve_samples(10)
    assert pf.sample_capacity == 5000
    np.testing.assert_array_equal(pf.equity_curve_arrays()["equity"], arrs["equity"])
    df = pf.equity_curve()
    assert list(df.columns) == ["ts", "equity", "balance", "positions_value"]
    assert df.index[0] == pd.Timestamp(expected[0][0], unit="ns", tz="UTC")
    with pytest.raises(ValueError, match="earlier than the previous call"):
        pf.sample(t - 1)

    every = Portfolio()
    every.register_account(CashAccount("XNAS-001", "5 USD"))
    assert every.sample(10) and every.sample(10) and every.sample(11)
    assert list(every.equity_curve_arrays()["equity"]) == [5.0, 5.0, 5.0]


def test_equity_samples_follow_the_trading_cache_as_positions_open_close_and_stay():
    # Samples read the cache's open positions in place right after a change and from a kept list
    # while nothing opens or closes; both must value the same positions. Expected values by hand:
    # balance 1000 USDT, positions_value = sum of qty * (price - avg open) per open position.
    from alphaforge.cache import Cache

    cache = Cache()
    pf = Portfolio(cache=cache)
    pf.register_account(MarginAccount("BINANCE-001", "1000 USDT"))
    a = Position(PERP, fill(PERP, "BUY", "2", "2000", ts=1, pid="P-A"))
    steps = []                                   # (price, expected positions value)

    def sample(price: float, expected: float) -> None:
        pf.update_price_raw(PERP.id, int(round(price * 10**9)))
        assert pf.sample(len(steps) + 1)
        steps.append((price, expected))

    sample(2000, 0.0)                            # nothing open
    cache.add_position(a)
    sample(2010, 20.0)                           # opened: first sample after the change
    sample(2020, 40.0)                           # unchanged: the kept list
    sample(1990, -20.0)
    b = Position(PERP, fill(PERP, "SELL", "1", "1990", ts=2, pid="P-B"))
    cache.add_position(b)
    sample(1980, -40.0 + 10.0)                   # two open
    sample(1970, -60.0 + 20.0)
    a.apply(fill(PERP, "SELL", "2", "1970", ts=3, pid="P-A"))
    cache.update_position(a)                     # a closed
    sample(1960, 30.0)
    a.apply(fill(PERP, "BUY", "1", "1960", ts=4, pid="P-A"))
    cache.update_position(a)                     # a reopened: 1 at 1960
    sample(1965, 5.0 + 25.0)
    b.apply(fill(PERP, "BUY", "1", "1965", ts=5, pid="P-B"))
    cache.update_position(b)                     # b closed
    sample(1975, 15.0)
    sample(1985, 25.0)
    curve = pf.equity_curve_arrays()
    assert curve["positions_value"].tolist() == pytest.approx([e for _, e in steps])
    assert curve["balance"].tolist() == pytest.approx([1000.0] * len(steps))

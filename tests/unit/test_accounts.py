"""Accounts: hand-worked cash and margin settlement, locks, margins, order checks, events."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from alphaforge.model import (
    AccountId,
    AccountType,
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
)
from alphaforge.portfolio import (
    AccountBalance,
    AccountBalanceNegative,
    AccountState,
    CashAccount,
    MarginAccount,
    MarginBalance,
    Position,
)

AAPL = Equity(InstrumentId.from_str("AAPL.XNAS"), 2, "USD", taker_fee=0.001)
BTCUSDT = CurrencyPair("BTCUSDT.BINANCE", "BTC", "USDT", 2, 5, taker_fee=0.001)
PERP = CryptoPerpetual(
    "ETHUSDT-PERP.BINANCE", "ETH", "USDT", "USDT", 2, 3, margin_init=0.10, margin_maint=0.05
)
INVERSE = CryptoPerpetual(
    "XBTUSD.BITMEX", "BTC", "USD", "BTC", 1, 0, is_inverse=True, multiplier=100.0,
    margin_init=0.02, margin_maint=0.01,
)


@dataclass
class Fill:
    instrument_id: InstrumentId
    order_side: OrderSide
    last_qty: Quantity
    last_px: Price
    trade_id: TradeId
    commission: Money | None
    ts_event: int
    client_order_id: ClientOrderId = ClientOrderId("O-1")
    strategy_id: StrategyId = StrategyId("S-1")
    account_id: AccountId = AccountId("SIM-001")
    position_id: PositionId | None = PositionId("P-1")
    ts_init: int = 0


_n = [0]


def fill(inst, side, qty: str, px: str, comm: str | None = None, ts: int = 0) -> Fill:
    _n[0] += 1
    return Fill(
        inst.id, OrderSide.parse(side), Quantity.from_str(qty), Price.from_str(px), TradeId(f"T{_n[0]}"),
        None if comm is None else Money.from_str(comm), ts,
    )


def m(s: str) -> Money:
    return Money.from_str(s)


def test_starting_balances_and_balance_views():
    a = CashAccount("SIM-001", ["1000000 USD", "2.5 BTC"], ts_event=7)
    assert a.id == AccountId("SIM-001") and a.account_type == AccountType.CASH
    assert a.balance_total("USD") == m("1000000 USD") and a.balance_free("BTC") == m("2.5 BTC")
    assert a.balance("USD") == AccountBalance(m("1000000 USD"), m("0 USD"), m("1000000 USD"))
    assert [c.code for c in a.currencies()] == ["USD", "BTC"]
    with pytest.raises(ValueError, match="several currencies"):
        a.balance()
    st = a.last_event
    assert isinstance(st, AccountState) and st.reason == "initial" and st.ts_event == 7
    assert st.account_type == AccountType.CASH and st.balance("BTC").total == m("2.5 BTC")
    with pytest.raises(AccountBalanceNegative):
        CashAccount("SIM-002", ["-1 USD"])
    with pytest.raises(ValueError, match="invalid starting balance"):
        CashAccount("SIM-002", ["1000000"])
    with pytest.raises(ValueError, match="single-currency USD: cannot hold EUR"):
        CashAccount("SIM-003", ["1 USD", "1 EUR"], base_currency=m("1 USD").currency)
    with pytest.raises(TypeError, match="abstract"):
        from alphaforge.portfolio import Account

        Account("SIM-004")


def test_cash_equity_round_trip_matches_position_realized_pnl():
    a = CashAccount("SIM-001", "100000 USD")
    f1 = fill(AAPL, "BUY", "100", "150.25", "1.00 USD", ts=1)
    pos = Position(AAPL, f1)
    st = a.apply_fill(f1, AAPL, pos)
    assert st.reason == "fill" and st.ts_event == 1
    assert a.balance_total() == m("84974.00 USD")  # 100000 - 15025 - 1
    f2 = fill(AAPL, "SELL", "40", "160.10", "0.50 USD", ts=2)
    pos.apply(f2)
    a.apply_fill(f2, AAPL, pos)
    assert a.balance_total() == m("91377.50 USD")  # + 6404 - 0.5
    f3 = fill(AAPL, "SELL", "60", "149.00", "0.75 USD", ts=3)
    pos.apply(f3)
    a.apply_fill(f3, AAPL, pos)
    assert a.balance_total() == m("100316.75 USD")  # + 8940 - 0.75
    assert pos.is_closed
    # cash change over the round trip == realized PnL (which includes the commissions)
    assert a.balance_total() - m("100000 USD") == pos.realized_pnl == m("316.75 USD")
    assert [e.reason for e in a.events] == ["initial", "fill", "fill", "fill"]


def test_cash_rejects_negative_balance_and_changes_nothing():
    a = CashAccount("SIM-001", "1000 USD")
    with pytest.raises(AccountBalanceNegative, match="USD balance negative"):
        a.apply_fill(fill(AAPL, "BUY", "10", "100.01"), AAPL)
    with pytest.raises(AccountBalanceNegative, match="USD balance negative"):
        a.apply_fill(fill(AAPL, "BUY", "10", "100.00", "0.01 USD"), AAPL)
    assert a.balance_total() == m("1000 USD") and a.event_count == 1
    b = CashAccount("SIM-002", "1000 USD", allow_borrowing=True)
    b.apply_fill(fill(AAPL, "BUY", "10", "100.01"), AAPL)
    assert b.balance_total() == m("-0.10 USD")
    with pytest.raises(ValueError, match="SPOT instruments only"):
        a.apply_fill(fill(PERP, "BUY", "1", "10"), PERP)


def test_cash_currency_pair_moves_base_and_quote():
    a = CashAccount("BINANCE-001", ["10000 USDT"])
    a.apply_fill(fill(BTCUSDT, "BUY", "0.12345", "50000.10", "0.00012345 BTC"), BTCUSDT)
    # quote: -0.12345 * 50000.10 = -6172.5123450 ; base: +0.12345 - 0.00012345 commission
    assert a.balance_total("USDT") == m("3827.48765500 USDT")
    assert a.balance_total("BTC") == m("0.12332655 BTC")
    a.apply_fill(fill(BTCUSDT, "SELL", "0.1", "51000", "5.1 USDT"), BTCUSDT)
    assert a.balance_total("USDT") == m("8922.38765500 USDT")  # + 5100 - 5.1
    assert a.balance_total("BTC") == m("0.02332655 BTC")
    with pytest.raises(AccountBalanceNegative, match="BTC balance negative"):
        a.apply_fill(fill(BTCUSDT, "SELL", "0.1", "51000"), BTCUSDT)


def test_cash_order_checks_and_locks():
    a = CashAccount("SIM-001", "10000 USD")
    # buy lock = notional * (1 + taker_fee)
    assert a.order_lock_amount(AAPL, "BUY", 10, 100.0) == m("1001.00 USD")
    assert a.order_lock_amount(AAPL, OrderSide.SELL, 10, 100.0) == m("0 USD")
    assert a.check_order(AAPL, "BUY", 99, 100.0) is None  # 9900 * 1.001 = 9909.90
    reason = a.check_order(AAPL, "BUY", 100, 100.0)
    assert reason.startswith("insufficient free balance") and "10010.00 USD" in reason
    assert not a.can_afford(AAPL, "BUY", 100, 100.0)
    # equity short selling
    assert "short selling not allowed" in a.check_order(AAPL, "SELL", 1, 100.0)
    f = fill(AAPL, "BUY", "5", "100")
    pos = Position(AAPL, f)
    assert a.check_order(AAPL, "SELL", Quantity.from_int(5), Price.from_str("100"), pos) is None
    assert "exceeds the long position 5" in a.check_order(AAPL, "SELL", 6, 100.0, pos)
    assert CashAccount("SIM-002", "1 USD", allow_borrowing=True).check_order(AAPL, "SELL", 6, 100.0) is None
    assert "SPOT instruments only" in a.check_order(PERP, "BUY", 1, 1.0)

    # locks: free = total - locked
    st = a.lock(AAPL.id, a.order_lock_amount(AAPL, "BUY", 50, 100.0), ts_event=5)
    assert st.reason == "lock" and st.ts_event == 5
    assert a.balance() == AccountBalance(m("10000 USD"), m("5005.00 USD"), m("4995.00 USD"))
    assert a.locked_for(AAPL.id, "USD") == m("5005 USD")
    assert "insufficient free balance" in a.check_order(AAPL, "BUY", 50, 100.0)
    with pytest.raises(AccountBalanceNegative, match="cannot lock"):
        a.lock(AAPL.id, m("4995.01 USD"))
    with pytest.raises(ValueError, match="exceeds its locked"):
        a.unlock(AAPL.id, m("5005.01 USD"))
    a.unlock(AAPL.id, m("5005 USD"))
    assert a.balance_locked() == m("0 USD") and a.locked_for(AAPL.id, "USD") == m("0 USD")
    assert [e.reason for e in a.events] == ["initial", "lock", "unlock"]

    # currency pair sells lock the base quantity and are limited by it
    b = CashAccount("BINANCE-001", ["1000 USDT", "0.5 BTC"])
    assert b.order_lock_amount(BTCUSDT, "SELL", 0.3, 50000) == m("0.3 BTC")
    assert b.check_order(BTCUSDT, "SELL", 0.5, 50000) is None
    assert "short selling not allowed" in b.check_order(BTCUSDT, "SELL", 0.50001, 50000)


def test_update_balances_and_adjust():
    a = CashAccount("SIM-001", "100 USD")
    a.lock(AAPL.id, m("30 USD"))
    st = a.update_balances(["250 USD", "1 EUR"], ts_event=9)
    assert st.is_reported and st.reason == "update_balances"
    assert a.balance("USD") == AccountBalance(m("250 USD"), m("30 USD"), m("220 USD"))
    assert a.balance_total("EUR") == m("1 EUR")
    with pytest.raises(AccountBalanceNegative):
        a.update_balances("-1 USD")
    a.adjust_balance("-50 USD", reason="withdrawal")
    assert a.balance_total("USD") == m("200 USD") and a.last_event.reason == "withdrawal"
    with pytest.raises(AccountBalanceNegative):
        a.adjust_balance("-200.01 USD")
    assert a.balance_total("USD") == m("200 USD")


def test_margin_requirements_and_leverage():
    a = MarginAccount("BINANCE-001", "10000 USDT", default_leverage=5.0, leverages={PERP.id: 10.0})
    assert a.account_type == AccountType.MARGIN
    assert a.leverage(PERP.id) == 10.0 and a.leverage(InstrumentId.from_str("X.Y")) == 5.0
    # 3 ETH @ 2000 = 6000 notional; init 10% / 10x = 60; maint 5% / 10x = 30
    assert a.margin_init_for(PERP, 3, 2000.0) == m("60 USDT")
    assert a.margin_maint_for(PERP, 3, 2000.0) == m("30 USDT")
    a.set_leverage(PERP.id, 2.0)
    assert a.margin_init_for(PERP, 3, 2000.0) == m("300 USDT")
    with pytest.raises(ValueError, match="must be > 0"):
        a.set_leverage(PERP.id, 0.0)
    # inverse: notional in BTC = 1000 * 100 / 50000 = 2 BTC; init 2% / 5x
    b = MarginAccount("BITMEX-001", "1 BTC", default_leverage=5.0)
    assert b.margin_init_for(INVERSE, 1000, 50000.0) == m("0.008 BTC")
    # checks: margin needed for the increasing part only
    # 2000 * 0.1 / 2 = 100 USDT a unit: 100 units use the whole free balance
    assert a.check_order(PERP, "BUY", 100, 2000.0) is None
    assert "insufficient free margin" in a.check_order(PERP, "BUY", 101, 2000.0)
    f = fill(PERP, "SELL", "300", "2000")
    pos = Position(PERP, f)
    assert a.check_order(PERP, "BUY", 300, 2000.0, pos) is None  # pure reduction
    assert a.check_order(PERP, "BUY", 400, 2000.0, pos) is None  # 100 more than the short
    assert "insufficient free margin" in a.check_order(PERP, "BUY", 401, 2000.0, pos)


def test_margin_fills_settle_pnl_and_commission_and_margins_lock():
    a = MarginAccount("BINANCE-001", "10000 USDT", default_leverage=10.0)
    f1 = fill(PERP, "BUY", "2", "100", "0.10 USDT", ts=1)
    pos = Position(PERP, f1)
    a.apply_fill(f1, PERP, pos)
    assert a.balance_total() == m("9999.90 USDT")  # only the commission
    a.lock(PERP.id, a.margin_init_for(PERP, 1, 100.0))  # an open order: 100 * 0.1 / 10 = 1
    a.update_margin_maint(PERP.id, a.margin_maint_for(PERP, 2, 100.0), ts_event=2)  # 200 * .05/10 = 1
    assert a.margins() == [MarginBalance(m("1 USDT"), m("1 USDT"), PERP.id)]
    assert a.margin(PERP.id).maintenance == m("1 USDT")
    assert a.balance() == AccountBalance(m("9999.90 USDT"), m("2 USDT"), m("9997.90 USDT"))
    assert a.last_event.margins == [MarginBalance(m("1 USDT"), m("1 USDT"), PERP.id)]
    f2 = fill(PERP, "SELL", "2", "110.5", "0.11 USDT", ts=3)
    with pytest.raises(ValueError, match="apply the fill to the position before the account"):
        a.apply_fill(f2, PERP, pos)
    pos.apply(f2)
    a.apply_fill(f2, PERP, pos)
    assert a.balance_total() == m("10020.79 USDT")  # + 2 * 10.5 - 0.11
    assert a.balance_total() - m("10000 USDT") == pos.realized_pnl
    a.update_margin_maint(PERP.id, m("0 USDT"))
    a.unlock(PERP.id, m("1 USDT"))
    assert a.margins() == [] and a.balance_locked() == m("0 USDT")
    with pytest.raises(ValueError, match="needs the position"):
        a.apply_fill(f2, PERP)
    assert [e.reason for e in a.events] == ["initial", "fill", "lock", "margin", "fill", "margin", "unlock"]


def test_margin_random_round_trips_cash_change_equals_realized_pnl():
    """Invariant: balance change == sum over cycles of realized PnL (commissions included)."""
    rng = random.Random(11)
    a = MarginAccount("BINANCE-001", "1000000 USDT")
    pos = None
    realized_closed = 0
    for i in range(300):
        side = rng.choice(["BUY", "SELL"])
        f = fill(PERP, side, f"{rng.randint(1, 5000) / 1000:.3f}", f"{rng.uniform(90, 110):.2f}",
                 f"{rng.randint(0, 99) / 100:.2f} USDT", ts=i)
        if pos is None:
            pos = Position(PERP, f)
        else:
            if pos.is_closed:
                realized_closed += pos.realized_pnl_raw
            pos.apply(f)
        a.apply_fill(f, PERP, pos)
        assert a.total_raw(m("1 USDT").currency) - 10**15 == realized_closed + pos.realized_pnl_raw

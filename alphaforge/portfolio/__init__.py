"""Positions, accounts and the portfolio.

* :class:`Position` - quantity, side, average open/close prices, realized PnL (commissions in the
  PnL currency included, as in NautilusTrader), unrealized PnL at a last price, flips through zero;
  events :class:`PositionOpened`, :class:`PositionChanged`, :class:`PositionClosed`.
* :class:`CashAccount` / :class:`MarginAccount` - balances per currency (total, locked, free),
  order locks, margins and leverage, fill settlement; each change is an :class:`AccountState`.
* :class:`Portfolio` - accounts by venue, last prices, equity / exposure / PnL views and an
  equity curve sampled at a configured interval.
"""

from alphaforge._core.accounts import (
    Account,
    AccountBalance,
    AccountBalanceNegative,
    AccountState,
    CashAccount,
    MarginAccount,
    MarginBalance,
)
from alphaforge._core.portfolio import Portfolio
from alphaforge._core.position import (
    Position,
    PositionChanged,
    PositionClosed,
    PositionEvent,
    PositionOpened,
)

__all__ = [
    "Account",
    "AccountBalance",
    "AccountBalanceNegative",
    "AccountState",
    "CashAccount",
    "MarginAccount",
    "MarginBalance",
    "Portfolio",
    "Position",
    "PositionChanged",
    "PositionClosed",
    "PositionEvent",
    "PositionOpened",
]

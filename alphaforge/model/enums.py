"""Public enums. Values equal the C enums in ``alphaforge/_core/enums.pxd`` (kept in step by a test)."""

from __future__ import annotations

import sys
from enum import EnumType, IntEnum


class _EnumType(EnumType):
    """The metaclass of the public enums. On Python 3.11 it looks class attributes up like
    ``type`` does (``OrderSide.BUY`` ~10x faster; see ``alphaforge._core.enums``); from 3.12
    on it is ``EnumType`` unchanged."""


if sys.version_info < (3, 12):
    from alphaforge._core.enums import plain_type_getattr

    plain_type_getattr(_EnumType)


class _ParseMixin:
    @classmethod
    def parse(cls, value):  # type: ignore[no-untyped-def]
        """Accept a member, its int value or its name (case-insensitive)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            try:
                return cls[value.strip().upper()]  # type: ignore[index]
            except KeyError:
                names = ", ".join(m.name for m in cls)  # type: ignore[attr-defined]
                raise ValueError(f"invalid {cls.__name__} {value!r}: expected one of {names}") from None
        try:
            return cls(value)  # type: ignore[call-arg]
        except ValueError:
            raise ValueError(f"invalid {cls.__name__} {value!r}") from None


class OrderSide(_ParseMixin, IntEnum, metaclass=_EnumType):
    """Order side; on a book BUY is the bid side and SELL the ask side."""

    NO_ORDER_SIDE = 0
    BUY = 1
    SELL = 2


class AggressorSide(_ParseMixin, IntEnum, metaclass=_EnumType):
    """Which side of a trade took liquidity."""

    NO_AGGRESSOR = 0
    BUYER = 1
    SELLER = 2


class BookAction(_ParseMixin, IntEnum, metaclass=_EnumType):
    ADD = 1
    UPDATE = 2
    DELETE = 3
    CLEAR = 4


class BookType(_ParseMixin, IntEnum, metaclass=_EnumType):
    """L1: top of book; L2: aggregated by price (MBP); L3: individual orders (MBO)."""

    L1_MBP = 1
    L2_MBP = 2
    L3_MBO = 3


class PriceType(_ParseMixin, IntEnum, metaclass=_EnumType):
    BID = 1
    ASK = 2
    MID = 3
    LAST = 4


class BarAggregation(_ParseMixin, IntEnum, metaclass=_EnumType):
    TICK = 1
    TICK_IMBALANCE = 2
    TICK_RUNS = 3
    VOLUME = 4
    VOLUME_IMBALANCE = 5
    VOLUME_RUNS = 6
    VALUE = 7
    VALUE_IMBALANCE = 8
    VALUE_RUNS = 9
    MILLISECOND = 10
    SECOND = 11
    MINUTE = 12
    HOUR = 13
    DAY = 14
    WEEK = 15
    RENKO = 16


class AggregationSource(_ParseMixin, IntEnum, metaclass=_EnumType):
    """EXTERNAL: bars come from the data; INTERNAL: the engine aggregates them from ticks."""

    EXTERNAL = 1
    INTERNAL = 2


class RecordFlag(IntEnum, metaclass=_EnumType):
    """Bits of a record's ``flags`` field (Databento-compatible values)."""

    LAST = 128
    TOB = 64
    SNAPSHOT = 32
    MBP = 16
    BAD_TS_RECV = 8


class CurrencyType(_ParseMixin, IntEnum, metaclass=_EnumType):
    FIAT = 1
    CRYPTO = 2
    COMMODITY_BACKED = 3


class AssetClass(_ParseMixin, IntEnum, metaclass=_EnumType):
    EQUITY = 1
    FX = 2
    CRYPTOCURRENCY = 3
    INDEX = 4
    COMMODITY = 5
    DEBT = 6


class OrderType(_ParseMixin, IntEnum, metaclass=_EnumType):
    MARKET = 1
    LIMIT = 2
    STOP_MARKET = 3
    STOP_LIMIT = 4
    MARKET_TO_LIMIT = 5
    MARKET_IF_TOUCHED = 6
    LIMIT_IF_TOUCHED = 7
    TRAILING_STOP_MARKET = 8
    TRAILING_STOP_LIMIT = 9


class TimeInForce(_ParseMixin, IntEnum, metaclass=_EnumType):
    GTC = 1
    IOC = 2
    FOK = 3
    GTD = 4
    DAY = 5
    AT_THE_OPEN = 6
    AT_THE_CLOSE = 7


class OrderStatus(_ParseMixin, IntEnum, metaclass=_EnumType):
    INITIALIZED = 1
    DENIED = 2
    SUBMITTED = 3
    ACCEPTED = 4
    REJECTED = 5
    TRIGGERED = 6
    PENDING_UPDATE = 7
    PENDING_CANCEL = 8
    PARTIALLY_FILLED = 9
    FILLED = 10
    CANCELED = 11
    EXPIRED = 12


class LiquiditySide(_ParseMixin, IntEnum, metaclass=_EnumType):
    NO_LIQUIDITY_SIDE = 0
    MAKER = 1
    TAKER = 2


class ContingencyType(_ParseMixin, IntEnum, metaclass=_EnumType):
    NO_CONTINGENCY = 0
    OCO = 1
    OTO = 2
    OUO = 3


class TriggerType(_ParseMixin, IntEnum, metaclass=_EnumType):
    """Which price triggers a stop / if-touched order (DEFAULT = LAST_PRICE for trades/bars, BID_ASK for quotes)."""

    DEFAULT = 0
    LAST_PRICE = 1
    BID_ASK = 2
    MID_POINT = 3
    MARK_PRICE = 4


class TrailingOffsetType(_ParseMixin, IntEnum, metaclass=_EnumType):
    NO_TRAILING_OFFSET = 0
    PRICE = 1
    BASIS_POINTS = 2
    TICKS = 3


class PositionSide(_ParseMixin, IntEnum, metaclass=_EnumType):
    FLAT = 0
    LONG = 1
    SHORT = 2


class OmsType(_ParseMixin, IntEnum, metaclass=_EnumType):
    """NETTING: one position per instrument (and strategy); HEDGING: a position per opening order."""

    UNSPECIFIED = 0
    NETTING = 1
    HEDGING = 2


class AccountType(_ParseMixin, IntEnum, metaclass=_EnumType):
    CASH = 1
    MARGIN = 2


class TradingState(_ParseMixin, IntEnum, metaclass=_EnumType):
    ACTIVE = 1
    REDUCING = 2
    HALTED = 3

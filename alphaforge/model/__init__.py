"""The core model: fixed-point values, currencies, identifiers, instruments, market data.

Prices and quantities are int64 raw values at scale 10^9 plus a precision; timestamps are int64
UNIX nanoseconds. Each market-data type has a C record (numpy dtype ``*_DTYPE``) and a view class.
"""

from alphaforge._core.columnar import (
    bars_from_arrays,
    deltas_from_arrays,
    from_frame,
    quotes_from_arrays,
    to_pandas,
    trades_from_arrays,
)
from alphaforge._core.currency import Currency, Money
from alphaforge._core.data import Bar, BarSpecification, BarType, OrderBookDelta, QuoteTick, TradeTick
from alphaforge._core.fixed import Price, Quantity
from alphaforge._core.identifiers import (
    AccountId,
    ClientOrderId,
    ComponentId,
    Identifier,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    Symbol,
    TradeId,
    TraderId,
    Venue,
    VenueOrderId,
)
from alphaforge._core.instruments import CryptoPerpetual, CurrencyPair, Equity, FuturesContract, Instrument
from alphaforge._core.records import (
    BAR_DTYPE,
    ORDER_BOOK_DELTA_DTYPE,
    QUOTE_TICK_DTYPE,
    TRADE_TICK_DTYPE,
    empty_records,
)
from alphaforge.model.enums import (
    AccountType,
    AggregationSource,
    AggressorSide,
    AssetClass,
    BarAggregation,
    BookAction,
    BookType,
    ContingencyType,
    CurrencyType,
    LiquiditySide,
    OmsType,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    PriceType,
    RecordFlag,
    TimeInForce,
    TradingState,
    TrailingOffsetType,
    TriggerType,
)

__all__ = [
    "BAR_DTYPE", "ORDER_BOOK_DELTA_DTYPE", "QUOTE_TICK_DTYPE", "TRADE_TICK_DTYPE",
    "AccountId", "AccountType", "AggregationSource", "AggressorSide", "AssetClass", "Bar",
    "BarAggregation", "BarSpecification", "BarType", "BookAction", "BookType", "ClientOrderId",
    "ComponentId", "ContingencyType", "CryptoPerpetual", "Currency", "CurrencyPair", "CurrencyType",
    "Equity", "FuturesContract", "Identifier", "Instrument", "InstrumentId", "LiquiditySide", "Money",
    "OmsType", "OrderBookDelta", "OrderListId", "OrderSide", "OrderStatus", "OrderType", "PositionId",
    "PositionSide", "Price", "PriceType", "Quantity", "QuoteTick", "RecordFlag", "StrategyId", "Symbol",
    "TimeInForce", "TradeId", "TradeTick", "TraderId", "TradingState", "TrailingOffsetType", "TriggerType",
    "Venue", "VenueOrderId", "bars_from_arrays", "deltas_from_arrays", "empty_records", "from_frame",
    "quotes_from_arrays", "to_pandas", "trades_from_arrays",
]

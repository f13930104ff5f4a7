import numpy as np

from alphaforge._core.accounts import Account
from alphaforge._core.currency import Currency
from alphaforge._core.identifiers import InstrumentId
from alphaforge._core.instruments import Instrument
from alphaforge._core.portfolio import Portfolio
from alphaforge._core.position import Position

def apply_raw_loop(
    position: Position,
    sides: np.ndarray,
    qty_raw: np.ndarray,
    px_raw: np.ndarray,
    commission_raw: int,
    commission_currency: Currency | None,
) -> int: ...
def position_account_loop(
    position: Position,
    account: Account,
    instrument: Instrument,
    sides: np.ndarray,
    qty_raw: np.ndarray,
    px_raw: np.ndarray,
    commission_raw: int,
    commission_currency: Currency | None,
) -> int: ...
def unrealized_loop(position: Position, prices: np.ndarray) -> tuple[int, float]: ...
def update_price_loop(portfolio: Portfolio, instrument_id: InstrumentId, px_raw: np.ndarray) -> int: ...

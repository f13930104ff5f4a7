from alphaforge._core.currency import Currency
from alphaforge._core.identifiers import AccountId, InstrumentId
from alphaforge._core.order_factory import OrderFactory

def create_market_orders(factory: OrderFactory, instrument_id: InstrumentId, n: int) -> int: ...
def order_round_trips(
    factory: OrderFactory,
    instrument_id: InstrumentId,
    account_id: AccountId,
    currency: Currency,
    n: int,
    fresh_ids: bool = False,
) -> int: ...

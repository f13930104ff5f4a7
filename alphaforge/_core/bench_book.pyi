import numpy as np

from alphaforge._core.book import OrderBook

class NoopBook:
    """Same Python signature as OrderBook.apply_delta/best_*_price; does no work (the floor)."""

    def apply_delta(
        self,
        action: int,
        side: int,
        price: object,
        size: object,
        order_id: int = 0,
        ts_event: int = 0,
        sequence: int = 0,
        flags: int = 0,
    ) -> None: ...
    def best_bid_price(self) -> float: ...
    def best_ask_price(self) -> float: ...

def c_apply_and_read(book: OrderBook, records: np.ndarray) -> int: ...
def price_indexed_reference(records: np.ndarray, tick_raw: int, out: np.ndarray) -> None: ...

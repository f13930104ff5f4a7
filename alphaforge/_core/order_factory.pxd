# OrderFactory: deterministic client order ids ("O-{strategy_id}-{n}", n from 1) and list ids
# ("OL-{strategy_id}-{n}"), order construction with validation, contingent order lists.
from libc.stdint cimport int64_t, uint8_t

from alphaforge._core.identifiers cimport (
    ClientOrderId,
    InstrumentId,
    OrderListId,
    SeqPrefix,
    StrategyId,
    TraderId,
)
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.order_events cimport OrderInitialized
from alphaforge._core.orders cimport Order


cdef class OrderList:
    cdef readonly OrderListId id
    cdef readonly InstrumentId instrument_id
    cdef readonly StrategyId strategy_id
    cdef readonly int contingency_type_c        # ContingencyType of the list (OTO for a bracket)
    cdef readonly int64_t ts_init
    cdef list _orders

    cdef int _setup(self, OrderListId list_id, list orders, int contingency_type, int64_t ts_init) except -1

    @staticmethod
    cdef OrderList create_c(OrderListId list_id, list orders, int contingency_type, int64_t ts_init)


cdef class OrderFactory:
    cdef readonly TraderId trader_id
    cdef readonly StrategyId strategy_id
    cdef object _clock                          # anything with timestamp_ns() -> int (UNIX ns)
    cdef object _cache                          # optional object with .instrument(InstrumentId)
    cdef dict _instruments                      # InstrumentId -> Instrument
    cdef SeqPrefix _coid_prefix                 # "O-{strategy_id}-": client order ids are prefix + count
    cdef str _olid_prefix
    cdef int64_t _order_count
    cdef int64_t _list_count
    # _instrument's last answer: for this InstrumentId object, at this Cache.instruments_version
    # (-1: not kept; cleared by register_instrument)
    cdef object _last_iid
    cdef OrderInitialized _market_init          # market_c's scratch event (see market_c)
    cdef Instrument _last_inst
    cdef int64_t _last_inst_version

    cdef int64_t now_c(self) except? -1
    cdef ClientOrderId next_client_order_id_c(self)
    cdef ClientOrderId _coid_for(self, int64_t n)
    cdef Instrument _instrument(self, InstrumentId instrument_id)
    cdef list _check_fresh(self, object orders, int min_len, str what)
    cdef Order _build(self, object instrument_id, object side, int order_type, object quantity,
                      object price, object trigger_price, object time_in_force, int64_t expire_time_ns,
                      bint post_only, bint reduce_only, bint quote_quantity, object display_qty,
                      object trigger_type, object trailing_offset_type, object trailing_offset,
                      object limit_offset, object activation_price, object tags)
    cdef OrderListId next_order_list_id_c(self)
    # Fast C path for a market order (no validation beyond qty > 0; side must be 1 or 2; px_prec:
    # the instrument's price precision, 0 when unknown, as the full path stores it).
    cdef Order market_c(self, InstrumentId instrument_id, int side, int64_t qty_raw, uint8_t qty_prec,
                        int time_in_force, bint reduce_only, uint8_t px_prec=*)
    # Full C constructor: validates every field and builds the OrderInitialized + Order.
    cdef Order create_c(self, InstrumentId instrument_id, int side, int order_type,
                        int64_t qty_raw, uint8_t qty_prec, bint has_price, int64_t price_raw,
                        bint has_trigger, int64_t trigger_price_raw, uint8_t px_prec,
                        int time_in_force, int64_t expire_time_ns, bint post_only,
                        bint reduce_only, bint quote_quantity, int64_t display_qty_raw,
                        int trigger_type, int trailing_offset_type, int64_t trailing_offset_raw,
                        int64_t limit_offset_raw, bint has_activation,
                        int64_t activation_price_raw, tuple tags)

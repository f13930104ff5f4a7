# C records: the fixed-size structs every hot path consumes. Each has a numpy structured dtype with
# the same layout (records.pyx asserts sizes and offsets), so a numpy record array is a C array of
# these structs and typed memoryviews (`TradeTickRec[::1]`) walk it with no Python object per row.
#
# Conventions: ts_* are int64 UNIX nanoseconds (ts_event = venue time, ts_init = receive time);
# price/size/volume fields are int64 raw fixed-point at scale 10^9 (see fixed.pxd); *_prec are the
# decimal precisions (0-9) of the value; instrument_id is InstrumentId.index (an interned uint32,
# 0 = unset); bar_type_id is BarType.index likewise. Fields are ordered so no padding is implied.
from libc.stdint cimport int64_t, uint64_t, uint32_t, uint16_t, uint8_t

ctypedef struct TradeTickRec:          # 48 bytes
    int64_t ts_event
    int64_t ts_init
    int64_t price
    int64_t size
    uint64_t trade_id                  # numeric venue trade id (0 if the venue's id is not numeric)
    uint32_t instrument_id
    uint8_t aggressor_side             # AggressorSideC
    uint8_t price_prec
    uint8_t size_prec
    uint8_t flags

ctypedef struct QuoteTickRec:          # 56 bytes
    int64_t ts_event
    int64_t ts_init
    int64_t bid_price
    int64_t ask_price
    int64_t bid_size
    int64_t ask_size
    uint32_t instrument_id
    uint8_t price_prec
    uint8_t size_prec
    uint16_t flags

ctypedef struct BarRec:                # 64 bytes
    int64_t ts_event                   # bar close time
    int64_t ts_init
    int64_t open
    int64_t high
    int64_t low
    int64_t close
    int64_t volume
    uint32_t bar_type_id
    uint8_t price_prec
    uint8_t size_prec
    uint16_t flags

ctypedef struct OrderBookDeltaRec:     # 64 bytes
    int64_t ts_event
    int64_t ts_init
    int64_t price
    int64_t size
    uint64_t order_id                  # L3 order id (0 on L2)
    uint64_t sequence
    uint32_t instrument_id
    uint8_t action                     # BookActionC
    uint8_t side                       # OrderSideC (BUY = bid, SELL = ask)
    uint8_t price_prec
    uint8_t size_prec
    uint8_t flags                      # RecordFlagC bits
    uint8_t _pad8
    uint16_t _pad16
    uint32_t _pad32

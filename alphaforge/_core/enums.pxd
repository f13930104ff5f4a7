# C-level enum values shared by every _core module. The Python IntEnums with the same names and
# values live in alphaforge/model/enums.py (tests/unit/test_enums.py keeps the two in step).

cdef enum OrderSideC:
    SIDE_NONE = 0
    SIDE_BUY = 1        # bids on a book
    SIDE_SELL = 2       # asks on a book

cdef enum AggressorSideC:
    AGGRESSOR_NONE = 0
    AGGRESSOR_BUYER = 1
    AGGRESSOR_SELLER = 2

cdef enum BookActionC:
    ACTION_ADD = 1
    ACTION_UPDATE = 2
    ACTION_DELETE = 3
    ACTION_CLEAR = 4

cdef enum PriceTypeC:
    PRICE_BID = 1
    PRICE_ASK = 2
    PRICE_MID = 3
    PRICE_LAST = 4

cdef enum BarAggregationC:
    AGG_TICK = 1
    AGG_TICK_IMBALANCE = 2
    AGG_TICK_RUNS = 3
    AGG_VOLUME = 4
    AGG_VOLUME_IMBALANCE = 5
    AGG_VOLUME_RUNS = 6
    AGG_VALUE = 7
    AGG_VALUE_IMBALANCE = 8
    AGG_VALUE_RUNS = 9
    AGG_MILLISECOND = 10
    AGG_SECOND = 11
    AGG_MINUTE = 12
    AGG_HOUR = 13
    AGG_DAY = 14
    AGG_WEEK = 15
    AGG_RENKO = 16

cdef enum AggregationSourceC:
    SOURCE_EXTERNAL = 1
    SOURCE_INTERNAL = 2

# Record flags (uint8/uint16 `flags` fields). Bit values follow Databento's so CME feeds map 1:1.
cdef enum RecordFlagC:
    FLAG_LAST = 128        # last record of an event (apply the group atomically)
    FLAG_TOB = 64          # top-of-book message
    FLAG_SNAPSHOT = 32     # part of a snapshot
    FLAG_MBP = 16
    FLAG_BAD_TS_RECV = 8

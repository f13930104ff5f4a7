"""Bar aggregation (public API): specs, streaming aggregators and the batch ``aggregate``.

See :mod:`alphaforge._core.aggregation` for the exact rules of every aggregation. Quick use::

    from alphaforge.data.aggregation import aggregate, make_aggregator
    bars = aggregate(trades, "1-MINUTE-LAST")          # BAR_DTYPE array, nogil loop
    agg = make_aggregator("1000-TICK-LAST")
    agg.update(ts_event_ns, price_raw, size_raw, aggressor_side)   # per tick, raw int64 at 1e9
    bars = agg.pop_bars()

User-defined aggregators subclass :class:`BarAggregator` (override ``on_tick``) and are made
available to specs with :func:`register_aggregator`.
"""

from alphaforge._core import aggregation as _core_aggregation
from alphaforge._core.aggregation import (
    AGGREGATIONS,
    PRICE_TYPES,
    BarAggregator,
    BarSpec,
    ImbalanceBarAggregator,
    RenkoBarAggregator,
    RunsBarAggregator,
    TickBarAggregator,
    TimeBarAggregator,
    ValueBarAggregator,
    VolumeBarAggregator,
    aggregate,
    aggregate_bars,
    make_aggregator,
    parse_bar_spec,
    register_aggregator,
    registered_aggregators,
    unregister_aggregator,
)

# The exact rules of every aggregation (splitting, ties, clock, precision) live in the compiled
# module's docstring; expose them here for help().
__doc__ = f"{__doc__}\n{_core_aggregation.__doc__}"

__all__ = [
    "AGGREGATIONS",
    "PRICE_TYPES",
    "BarAggregator",
    "BarSpec",
    "ImbalanceBarAggregator",
    "RenkoBarAggregator",
    "RunsBarAggregator",
    "TickBarAggregator",
    "TimeBarAggregator",
    "ValueBarAggregator",
    "VolumeBarAggregator",
    "aggregate",
    "aggregate_bars",
    "make_aggregator",
    "parse_bar_spec",
    "register_aggregator",
    "registered_aggregators",
    "unregister_aggregator",
]

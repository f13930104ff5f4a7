"""Common infrastructure: clocks and timers, the message bus, logging.

* ``TestClock`` / ``LiveClock`` / ``TimeEvent``: int64 UNIX-ns time; timers and one-shot alerts.
* ``MessageBus``: topic pub/sub with ``*``/``?`` wildcards, point-to-point endpoints,
  request/response; ``Handler`` is the base class of C-level (Cython) handlers.
* ``Logger`` / ``LogLevel`` / ``LoggingConfig``: per-component logging with lazy formatting and a
  global bypass for backtests.
"""

from alphaforge._core.clock import Clock, LiveClock, TestClock, TimeEvent
from alphaforge._core.logger import (
    Logger,
    LoggingConfig,
    LogLevel,
    LogRecord,
    format_ns,
    get_default_level,
    init_logging,
    is_bypassed,
    set_bypass,
)
from alphaforge._core.msgbus import Handler, MessageBus, PyHandler, Request, Subscription, is_matching

__all__ = [
    "Clock",
    "Handler",
    "LiveClock",
    "LogLevel",
    "LogRecord",
    "Logger",
    "LoggingConfig",
    "MessageBus",
    "PyHandler",
    "Request",
    "Subscription",
    "TestClock",
    "TimeEvent",
    "format_ns",
    "get_default_level",
    "init_logging",
    "is_bypassed",
    "is_matching",
    "set_bypass",
]

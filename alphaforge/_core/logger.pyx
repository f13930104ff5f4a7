"""Per-component logging: levels, lazy formatting, pluggable sinks, a global bypass for backtests.

* ``Logger(name, level=None, sink=None, clock=None)``. ``level=None`` follows the global default
  level (``LoggingConfig.level``, INFO unless configured); ``sink=None`` the global default sink
  (``sys.stderr`` looked up at write time, unless configured).
* ``log.debug(msg, *args)`` / ``info`` / ``warning`` / ``error``: the record is built only when the
  level is enabled; then the text is ``msg % args`` (or ``str(msg)`` without args). A filtered-out
  call never formats ``msg`` and never calls ``str``/``repr`` on the arguments.
* Global bypass (``set_bypass(True)`` or ``init_logging(LoggingConfig(bypass=True))``): every
  logger is disabled, at the cost of one C flag test per call. Meant for fast backtests.
* Sinks: a ``list`` (each ``LogRecord`` is appended), an object with ``write`` (a text stream: the
  formatted line plus ``"\\n"`` is written), or any callable (called with the ``LogRecord``).
* Timestamps: ``clock.timestamp_ns()`` when the logger has a clock (use the ``TestClock`` in a
  backtest for deterministic logs), else ``time.time_ns()``.
* Line format: ``2024-01-02T03:04:05.123456789Z [INFO] Name: message``.
"""
import sys
import time
from datetime import datetime, timezone
from enum import IntEnum

cimport cython
from libc.stdint cimport int64_t


class LogLevel(IntEnum):
    """Logging levels (higher is more severe). ``OFF`` disables a logger."""

    DEBUG = 10
    INFO = 20
    WARNING = 30
    ERROR = 40
    OFF = 100


_LEVEL_NAMES = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 100: "OFF"}

cdef bint _BYPASS = False
cdef int _DEFAULT_LEVEL = LOG_INFO
cdef object _DEFAULT_SINK = None      # None: sys.stderr at write time


cdef int _check_level(object level, str field) except -1:
    if isinstance(level, bool) or not isinstance(level, int) or int(level) not in _LEVEL_NAMES:
        raise ValueError(f"invalid {field} {level!r}: must be a LogLevel (DEBUG, INFO, WARNING, ERROR, OFF)")
    return <int>level


cdef object _check_sink(object sink):
    if sink is None or isinstance(sink, list) or hasattr(sink, "write") or callable(sink):
        return sink
    raise TypeError(f"invalid sink {sink!r}: must be a list, a text stream with write(), or a callable")


def format_ns(int64_t ts_ns) -> str:
    """UNIX ns -> ISO-8601 UTC text with 9 decimals, e.g. ``2024-01-02T03:04:05.123456789Z``."""
    cdef int64_t secs = ts_ns // 1_000_000_000
    cdef int64_t frac = ts_ns - secs * 1_000_000_000
    if frac < 0:                      # cdivision: C truncation; fix up for times before 1970
        secs -= 1
        frac += 1_000_000_000
    dt = datetime.fromtimestamp(secs, tz=timezone.utc)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{frac:09d}Z"


cdef class LogRecord:
    """One log record: ``ts_ns``, ``level``, ``name``, ``message``; ``format()`` gives the line."""

    def __init__(self, int64_t ts_ns, int level, str name, str message):
        self.ts_ns = ts_ns
        self.level = level
        self.name = name
        self.message = message

    @property
    def level_name(self) -> str:
        """Level name, e.g. ``"INFO"``."""
        return _LEVEL_NAMES.get(self.level, str(self.level))

    def format(self) -> str:
        """The record as one line: ``<ISO UTC time> [LEVEL] name: message``."""
        return f"{format_ns(self.ts_ns)} [{self.level_name}] {self.name}: {self.message}"

    def __repr__(self):
        return (f"LogRecord(ts_ns={self.ts_ns}, level={self.level_name}, name={self.name!r}, "
                f"message={self.message!r})")


class LoggingConfig:
    """Global logging settings applied by ``init_logging``.

    ``level``: default level of loggers created without one (LogLevel, default INFO).
    ``bypass``: disable every logger (default False; True for fast backtests).
    ``sink``: default sink of loggers created without one (None: ``sys.stderr``).
    """

    __slots__ = ("level", "bypass", "sink")

    def __init__(self, level=LogLevel.INFO, bypass=False, sink=None):
        _check_level(level, "level")
        if not isinstance(bypass, bool):
            raise TypeError(f"invalid bypass {bypass!r}: must be a bool")
        self.level = LogLevel(level)
        self.bypass = bypass
        self.sink = _check_sink(sink)

    def __repr__(self):
        return f"LoggingConfig(level={self.level.name}, bypass={self.bypass}, sink={self.sink!r})"


def init_logging(config=None) -> None:
    """Apply a ``LoggingConfig`` globally (None: the defaults INFO, no bypass, stderr)."""
    global _BYPASS, _DEFAULT_LEVEL, _DEFAULT_SINK
    if config is None:
        config = LoggingConfig()
    if not isinstance(config, LoggingConfig):
        raise TypeError(f"invalid config {config!r}: must be a LoggingConfig")
    _BYPASS = config.bypass
    _DEFAULT_LEVEL = int(config.level)
    _DEFAULT_SINK = config.sink


def set_bypass(bint bypass) -> None:
    """Turn the global logging bypass on (every logger disabled) or off."""
    global _BYPASS
    _BYPASS = bypass


def is_bypassed() -> bool:
    """True if the global logging bypass is on."""
    return _BYPASS


def get_default_level() -> LogLevel:
    """The global default level used by loggers created without a level."""
    return LogLevel(_DEFAULT_LEVEL)


cdef class Logger:
    """A component's logger (see the module docstring).

    ``level``: LogLevel or None (follow the global default). ``sink``: list, text stream, callable
    or None (global default). ``clock``: any object with ``timestamp_ns()`` (e.g. ``TestClock``).
    """

    def __init__(self, str name not None, level=None, sink=None, clock=None):
        self.name = name
        self._level = -1 if level is None else _check_level(level, "level")
        self._sink = _check_sink(sink)
        if clock is not None and not callable(getattr(clock, "timestamp_ns", None)):
            raise TypeError(f"invalid clock {clock!r}: has no timestamp_ns()")
        self._clock = clock

    @property
    def level(self) -> LogLevel:
        """Effective level (the global default when the logger follows it)."""
        return LogLevel(_DEFAULT_LEVEL if self._level < 0 else self._level)

    @level.setter
    def level(self, value) -> None:
        self._level = -1 if value is None else _check_level(value, "level")

    cdef bint enabled_c(self, int level) noexcept:
        if _BYPASS:
            return False
        if self._level < 0:
            return level >= _DEFAULT_LEVEL
        return level >= self._level

    @cython.binding(False)
    def is_enabled(self, int level) -> bool:
        """True if a record at ``level`` would be emitted (False whenever bypass is on)."""
        return self.enabled_c(level)

    cdef int log_c(self, int level, object msg, tuple args) except -1:
        if not self.enabled_c(level):
            return 0
        cdef str text = (msg % args) if args else str(msg)
        cdef int64_t ts = self._clock.timestamp_ns() if self._clock is not None else time.time_ns()
        cdef LogRecord rec = LogRecord.__new__(LogRecord)
        rec.ts_ns = ts
        rec.level = level
        rec.name = self.name
        rec.message = text
        sink = self._sink if self._sink is not None else _DEFAULT_SINK
        if sink is None:
            sys.stderr.write(rec.format() + "\n")
        elif isinstance(sink, list):
            (<list>sink).append(rec)
        elif hasattr(sink, "write"):
            sink.write(rec.format() + "\n")
        else:
            sink(rec)
        return 0

    @cython.binding(False)      # plain method descriptor: cheaper call when filtered out
    def debug(self, msg, *args) -> None:
        """Log at DEBUG; ``msg % args`` is built only if DEBUG is enabled."""
        if self.enabled_c(LOG_DEBUG):
            self.log_c(LOG_DEBUG, msg, args)

    @cython.binding(False)      # plain method descriptor: cheaper call when filtered out
    def info(self, msg, *args) -> None:
        """Log at INFO; ``msg % args`` is built only if INFO is enabled."""
        if self.enabled_c(LOG_INFO):
            self.log_c(LOG_INFO, msg, args)

    @cython.binding(False)      # plain method descriptor: cheaper call when filtered out
    def warning(self, msg, *args) -> None:
        """Log at WARNING; ``msg % args`` is built only if WARNING is enabled."""
        if self.enabled_c(LOG_WARNING):
            self.log_c(LOG_WARNING, msg, args)

    @cython.binding(False)      # plain method descriptor: cheaper call when filtered out
    def error(self, msg, *args) -> None:
        """Log at ERROR; ``msg % args`` is built only if ERROR is enabled."""
        if self.enabled_c(LOG_ERROR):
            self.log_c(LOG_ERROR, msg, args)

    def log(self, level, msg, *args) -> None:
        """Log at ``level`` (a LogLevel other than OFF)."""
        cdef int lv = _check_level(level, "level")
        if lv == LOG_OFF:
            raise ValueError("invalid level OFF: not a record level")
        if self.enabled_c(lv):
            self.log_c(lv, msg, args)

    def __repr__(self):
        return f"Logger(name={self.name!r}, level={self.level.name})"

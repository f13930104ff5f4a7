"""Logger: level filtering, lazy formatting (no string built when filtered), sinks, bypass, clocks."""

import io
import time
from datetime import datetime, timedelta, timezone

import pytest

from alphaforge.common import (
    Logger,
    LoggingConfig,
    LogLevel,
    LogRecord,
    TestClock,
    format_ns,
    get_default_level,
    init_logging,
    is_bypassed,
    set_bypass,
)


@pytest.fixture(autouse=True)
def _reset_logging():
    init_logging()
    yield
    init_logging()


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class CountingArg:
    """An argument that counts how often it is turned into text."""

    def __init__(self):
        self.calls = 0

    def __str__(self):
        self.calls += 1
        return "ARG"

    def __repr__(self):
        self.calls += 1
        return "ARG"

    def __format__(self, spec):
        self.calls += 1
        return "ARG"


class CountingMsg(CountingArg):
    def __mod__(self, args):
        self.calls += 1
        return "MSG"


def ref_line(ts_ns, level, name, message):
    secs, frac = divmod(ts_ns, 1_000_000_000)
    dt = EPOCH + timedelta(seconds=secs)
    return f"{dt.strftime('%Y-%m-%dT%H:%M:%S')}.{frac:09d}Z [{level}] {name}: {message}"


def test_levels_filter_and_records_go_to_list_sink():
    sink = []
    clock = TestClock(1_700_000_000_123_456_789)
    log = Logger("DataEngine", level=LogLevel.INFO, sink=sink, clock=clock)
    log.debug("hidden %d", 1)
    log.info("bars %d for %s", 3, "ORCL")
    clock.set_time(1_700_000_001_000_000_000)
    log.warning("late")
    log.error("bad %r", "x")
    assert [(r.level, r.name, r.message, r.ts_ns) for r in sink] == [
        (20, "DataEngine", "bars 3 for ORCL", 1_700_000_000_123_456_789),
        (30, "DataEngine", "late", 1_700_000_001_000_000_000),
        (40, "DataEngine", "bad 'x'", 1_700_000_001_000_000_000),
    ]
    assert [r.level_name for r in sink] == ["INFO", "WARNING", "ERROR"]
    assert sink[0].format() == "2023-11-14T22:13:20.123456789Z [INFO] DataEngine: bars 3 for ORCL"
    assert sink[0].format() == ref_line(1_700_000_000_123_456_789, "INFO", "DataEngine", "bars 3 for ORCL")


def test_filtered_level_never_builds_the_string():
    sink = []
    log = Logger("X", level=LogLevel.WARNING, sink=sink)
    arg, msg = CountingArg(), CountingMsg()
    log.debug("value %s %r", arg, arg)
    log.info("value %s", arg)
    log.info(msg, arg)
    log.debug(arg)
    assert (arg.calls, msg.calls, sink) == (0, 0, [])
    log.warning("value %s %r", arg, arg)
    assert arg.calls == 2
    assert sink[-1].message == "value ARG ARG"
    log.error(msg, 1)
    assert msg.calls == 1 and sink[-1].message == "MSG"


def test_bypass_disables_everything_without_formatting():
    sink = []
    log = Logger("X", level=LogLevel.DEBUG, sink=sink)
    arg = CountingArg()
    set_bypass(True)
    assert is_bypassed() is True
    assert log.is_enabled(LogLevel.ERROR) is False
    log.error("boom %s", arg)
    log.log(LogLevel.ERROR, "boom %s", arg)
    assert (arg.calls, sink) == (0, [])
    set_bypass(False)
    assert log.is_enabled(LogLevel.DEBUG) is True
    log.debug("ok %s", arg)
    assert arg.calls == 1 and len(sink) == 1


def test_is_enabled_per_level():
    log = Logger("X", level=LogLevel.WARNING, sink=[])
    assert [log.is_enabled(lv) for lv in (10, 20, 30, 40)] == [False, False, True, True]
    log.level = LogLevel.DEBUG
    assert log.level is LogLevel.DEBUG
    assert log.is_enabled(LogLevel.DEBUG)
    off = Logger("Y", level=LogLevel.OFF, sink=[])
    assert not off.is_enabled(LogLevel.ERROR)


def test_global_config_level_and_sink():
    default_sink = []
    init_logging(LoggingConfig(level=LogLevel.DEBUG, sink=default_sink))
    assert get_default_level() is LogLevel.DEBUG
    follows = Logger("Follows")  # level None: follows the global default
    own = Logger("Own", level=LogLevel.ERROR, sink=[])
    follows.debug("d")
    own.warning("w")
    assert [(r.name, r.message) for r in default_sink] == [("Follows", "d")]
    init_logging(LoggingConfig(level=LogLevel.ERROR, sink=default_sink))
    follows.warning("not shown")
    assert follows.level is LogLevel.ERROR
    assert len(default_sink) == 1
    init_logging(LoggingConfig(bypass=True))
    assert is_bypassed()
    init_logging()
    assert not is_bypassed() and get_default_level() is LogLevel.INFO


def test_stream_and_callable_sinks_and_stderr_default(capsys):
    stream = io.StringIO()
    clock = TestClock(0)
    Logger("S", sink=stream, clock=clock).info("hello %s", "world")
    assert stream.getvalue() == "1970-01-01T00:00:00.000000000Z [INFO] S: hello world\n"
    got = []
    Logger("C", sink=got.append, clock=clock).error("e")
    assert isinstance(got[0], LogRecord) and got[0].message == "e"
    Logger("Default", clock=clock).warning("to stderr")
    assert capsys.readouterr().err == "1970-01-01T00:00:00.000000000Z [WARNING] Default: to stderr\n"


def test_message_without_args_is_not_percent_formatted():
    sink = []
    log = Logger("X", sink=sink)
    log.info("100% done")
    log.info(42)
    log.info("%d%%", 5)
    assert [r.message for r in sink] == ["100% done", "42", "5%"]


def test_wall_clock_timestamp_without_clock():
    sink = []
    before = time.time_ns()
    Logger("X", sink=sink).info("t")
    after = time.time_ns()
    assert before <= sink[0].ts_ns <= after


def test_format_ns_against_datetime():
    for ts in (0, 1, 999_999_999, 1_700_000_000_123_456_789, -1, -1_000_000_001):
        secs, frac = divmod(ts, 1_000_000_000)
        dt = EPOCH + timedelta(seconds=secs)
        assert format_ns(ts) == f"{dt:%Y-%m-%dT%H:%M:%S}.{frac:09d}Z"
    assert format_ns(-1) == "1969-12-31T23:59:59.999999999Z"


def test_bad_inputs_raise_naming_the_field():
    for bad in (15, "INFO", 1.0, True):
        with pytest.raises(ValueError, match="level"):
            Logger("X", level=bad)
        with pytest.raises(ValueError, match="level"):
            LoggingConfig(level=bad)
    with pytest.raises(TypeError, match="sink"):
        Logger("X", sink=42)
    with pytest.raises(TypeError, match="clock"):
        Logger("X", clock=object())
    with pytest.raises(TypeError):
        Logger(None)
    with pytest.raises(TypeError, match="bypass"):
        LoggingConfig(bypass=1)
    with pytest.raises(TypeError, match="config"):
        init_logging({"level": 10})
    log = Logger("X", sink=[])
    with pytest.raises(ValueError, match="OFF"):
        log.log(LogLevel.OFF, "m")
    with pytest.raises(ValueError, match="level"):
        log.log(12, "m")
    with pytest.raises(ValueError, match="level"):
        log.level = 7
    assert repr(log) == "Logger(name='X', level=INFO)"

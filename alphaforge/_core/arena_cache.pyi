"""Python small-object arenas for the backtest loop: faulted in ahead by a helper thread, kept for
reuse after they are freed. See ``alphaforge._core.arena_cache``'s module docstring."""

DEFAULT_CAP_MB: int
DEFAULT_AHEAD_MB: int

def install(cap_mb: int | None = None, ahead_mb: int | None = None) -> bool:
    """Install the cache (once per process); sizes in MiB, ``None`` keeps the current size.
    False when ``ALPHAFORGE_ARENA_CACHE=0``."""

def start_prefault() -> None:
    """A run starts: the helper thread keeps ``ahead_mb`` of arenas faulted in."""

def stop_prefault() -> None:
    """A run ends: the helper stops when no other run needs it."""

def release() -> int:
    """Give every cached free arena back to the OS; returns the bytes given back."""

def stats() -> dict[str, int | bool]:
    """Counters: installed, reused, fresh, prefaulted, released, cached, arena_size (bytes)."""

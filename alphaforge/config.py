"""Typed configuration objects with clear validation errors.

Subclass :class:`Config` (or :class:`StrategyConfig`) and declare fields with type annotations and
defaults, as in a dataclass::

    class EMACrossConfig(StrategyConfig):
        bar_type: BarType
        fast: int = 10
        slow: int = 20
        trade_size: float = 1.0

        def validate(self) -> None:
            if self.fast >= self.slow:
                raise ConfigError("fast", self.fast, "must be below slow")

Values are checked (and coerced where unambiguous: ``str`` -> ``InstrumentId``/``BarType``/enums,
``int`` -> ``float``) when the object is made; a bad value raises :class:`ConfigError` naming the
class, the field, the value and what was expected. Instances are frozen.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints


class ConfigError(ValueError):
    """A configuration value is invalid: ``ConfigError(field, value, reason)``."""

    def __init__(self, field: str, value: Any, reason: str, owner: str = "") -> None:
        self.field = field
        self.value = value
        self.reason = reason
        self.owner = owner
        where = f"{owner}.{field}" if owner else field
        super().__init__(f"invalid {where} = {value!r}: {reason}")


def _coerce(owner: str, name: str, value: Any, tp: Any) -> Any:
    from alphaforge.model import BarType, InstrumentId

    if tp is Any or tp is typing.Any:
        return value
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(owner, name, value, arg)
            except ConfigError as e:
                errors.append(e.reason)
        raise ConfigError(name, value, " or ".join(errors) or "no type matched", owner)
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            raise ConfigError(name, value, f"expected one of {', '.join(map(repr, allowed))}", owner)
        return value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(name, value, f"expected a {origin.__name__}", owner)
        args = get_args(tp)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(value):
                raise ConfigError(name, value, f"expected {len(args)} items", owner)
            return tuple(_coerce(owner, f"{name}[{i}]", v, a) for i, (v, a) in enumerate(zip(value, args, strict=True)))
        item = args[0] if args else Any
        out = [_coerce(owner, f"{name}[{i}]", v, item) for i, v in enumerate(value)]
        return tuple(out) if origin is tuple else out
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(name, value, "expected a dict", owner)
        kt, vt = get_args(tp) or (Any, Any)
        return {_coerce(owner, f"{name} key", k, kt): _coerce(owner, f"{name}[{k!r}]", v, vt)
                for k, v in value.items()}
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(name, value, "expected bool (True/False)", owner)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(name, value, "expected int", owner)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(name, value, "expected a number", owner)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(name, value, "expected str", owner)
        return value
    if tp is InstrumentId and isinstance(value, str):
        try:
            return InstrumentId.from_str(value)
        except ValueError as e:
            raise ConfigError(name, value, str(e), owner) from None
    if tp is BarType and isinstance(value, str):
        try:
            return BarType.from_str(value)
        except ValueError as e:
            raise ConfigError(name, value, str(e), owner) from None
    if isinstance(tp, type) and issubclass(tp, enum.Enum) and not isinstance(value, tp):
        try:
            return tp.parse(value) if hasattr(tp, "parse") else tp[value]
        except (KeyError, ValueError):
            raise ConfigError(name, value, f"expected one of {', '.join(m.name for m in tp)}", owner) from None
    if isinstance(tp, type) and not isinstance(value, tp):
        raise ConfigError(name, value, f"expected {tp.__name__}", owner)
    return value


class Config:
    """Base of typed, frozen, validated configuration classes (see the module docstring)."""

    __config_fields__: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)
        cls.__config_fields__ = tuple(f.name for f in dataclasses.fields(cls))

    def __post_init__(self) -> None:
        hints = get_type_hints(type(self))
        owner = type(self).__name__
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            coerced = _coerce(owner, f.name, value, hints.get(f.name, Any))
            if coerced is not value:
                object.__setattr__(self, f.name, coerced)
        try:
            self.validate()
        except ConfigError as e:
            if not e.owner:
                raise ConfigError(e.field, e.value, e.reason, owner) from None
            raise

    def validate(self) -> None:
        """Cross-field checks; raise ``ConfigError(field, value, reason)``. Default: nothing."""

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Config:
        """Build from a plain dict (e.g. a TOML table); unknown keys raise ConfigError."""
        unknown = sorted(set(data) - set(cls.__config_fields__))
        if unknown:
            raise ConfigError(unknown[0], data[unknown[0]],
                              f"unknown field (known: {', '.join(cls.__config_fields__)})", cls.__name__)
        try:
            return cls(**data)
        except TypeError as e:  # a required field is missing
            missing = str(e).split("argument")[-1].strip(": '\"")
            raise ConfigError(missing, None, "required field is missing", cls.__name__) from None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__config_fields__}


class StrategyConfig(Config):
    """Base configuration of a strategy.

    * ``strategy_id``: explicit id ("Name-TAG"); default ``"{ClassName}-{order_id_tag}"``.
    * ``order_id_tag``: unique tag per strategy instance, used in client order ids.
    * ``oms_type``: override the venue's OMS ("NETTING"/"HEDGING"); None uses the venue's.
    * ``on_fault``: when a handler raises, the strategy becomes FAULTED and its open orders are
      canceled; ``"close_positions"`` also closes its positions, ``"leave"`` cancels nothing.
    """

    strategy_id: str | None = None
    order_id_tag: str = "000"
    oms_type: str | None = None
    on_fault: Literal["cancel_orders", "close_positions", "leave"] = "cancel_orders"

    def validate(self) -> None:
        if self.oms_type is not None and self.oms_type.upper() not in ("NETTING", "HEDGING"):
            raise ConfigError("oms_type", self.oms_type, "expected 'NETTING' or 'HEDGING'")
        if not self.order_id_tag or any(c.isspace() for c in self.order_id_tag):
            raise ConfigError("order_id_tag", self.order_id_tag, "must be non-empty, without spaces")

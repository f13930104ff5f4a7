"""Enum support at C level (see the module docstring in enums.pyx)."""

def plain_type_getattr(meta: type) -> None:
    """Give ``meta`` (a metaclass, a subclass of ``type``) the attribute lookup of ``type``."""

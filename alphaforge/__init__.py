"""AlphaForge: an event-driven algorithmic trading platform with Cython hot paths.

Import public names from the subpackages: ``alphaforge.model``, ``alphaforge.common``,
``alphaforge.cache``, ``alphaforge.data``, ``alphaforge.book``, ``alphaforge.indicators``.
Importing ``alphaforge`` itself is cheap: no pandas/pyarrow on this path.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

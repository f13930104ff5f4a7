"""Build AlphaForge: compiles every ``alphaforge/_core/*.pyx`` into a C extension.

Environment switches (read at build time):

* ``ALPHAFORGE_DEBUG=1``  bounds checks, wraparound, initialized checks and Cython ``assert``
  statements back on, ``-O0 -g``; use it to chase a memory error.
* ``ALPHAFORGE_ONLY=a,b`` build only the named ``_core`` modules (developer convenience for
  quick rebuilds: ``ALPHAFORGE_ONLY=book python setup.py build_ext --inplace``).
* ``ALPHAFORGE_ANNOTATE=1`` write Cython's HTML annotation next to each module.
"""

import os
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

ROOT = Path(__file__).parent
CORE = ROOT / "alphaforge" / "_core"
DEBUG = os.environ.get("ALPHAFORGE_DEBUG", "0") == "1"
ONLY = {s.strip() for s in os.environ.get("ALPHAFORGE_ONLY", "").split(",") if s.strip()}

# One set of directives for every module. cdivision is on: C semantics for / and % on C ints
# (truncation toward zero, no ZeroDivisionError). A module that divides negative numbers or may
# divide by zero says so locally with @cython.cdivision(False) or checks the divisor itself.
DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "nonecheck": False,
    "cdivision": not DEBUG,
    "embedsignature": True,
    "always_allow_keywords": True,
}

MACROS = [("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")]
if not DEBUG:
    MACROS.append(("CYTHON_WITHOUT_ASSERTIONS", None))

COMPILE_ARGS = ["-O0", "-g"] if DEBUG else ["-O3"]
COMPILE_ARGS += ["-Wno-unused-function", "-Wno-unreachable-code"]


def _mode_changed() -> bool:
    """True when the last build used the other mode (debug vs release): the generated C then
    carries the wrong directives and must be regenerated even though it is newer than the .pyx."""
    marker = ROOT / "build" / ".alphaforge-build-mode"
    mode = "debug" if DEBUG else "release"
    previous = marker.read_text().strip() if marker.exists() else None
    marker.parent.mkdir(exist_ok=True)
    marker.write_text(mode)
    return previous is not None and previous != mode


def extensions() -> list[Extension]:
    exts = []
    for pyx in sorted(CORE.glob("*.pyx")):
        if ONLY and pyx.stem not in ONLY:
            continue
        exts.append(
            Extension(
                f"alphaforge._core.{pyx.stem}",
                [str(pyx.relative_to(ROOT))],
                include_dirs=[np.get_include(), str(CORE)],
                define_macros=MACROS,
                extra_compile_args=COMPILE_ARGS,
                language="c",
            )
        )
    return exts


setup(
    ext_modules=cythonize(
        extensions(),
        compiler_directives=DIRECTIVES,
        nthreads=os.cpu_count() or 1,
        annotate=os.environ.get("ALPHAFORGE_ANNOTATE", "0") == "1",
        force=_mode_changed(),
    ),
    zip_safe=False,
)

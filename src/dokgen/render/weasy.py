"""Import WeasyPrint without its native-library look-ups (issue 14, target 4).

WeasyPrint's text/ffi.py opens each native library (GObject, Pango, HarfBuzz, fontconfig,
PangoFT2) by trying several names, the Windows and macOS ones first. cffi hands every
name without a dot to ctypes.util.find_library, which on Linux runs `ldconfig -p`, then
gcc, then ld: 22 look-ups of ~15 ms each, most for names that cannot exist here, about
0.3 s of the 0.6 s `import weasyprint`. While dokgen imports WeasyPrint, find_library
answers from one `ldconfig -p` listing with the pattern ctypes itself uses; a name the
listing lacks is not found (gcc and ld are not asked), and WeasyPrint then tries the
library's soname ('libpango-1.0.so.0'), which the dynamic loader opens itself, from
LD_LIBRARY_PATH too. The libraries found are the ones plain `import weasyprint` finds.

WeasyPrint's pdf/fonts.py also imports fontTools' subsetter and variable-font instancer
(~90 ms, most of fontTools), which it calls only for a font HarfBuzz cannot subset or a
variable font. While it is imported they are stand-ins (_Deferred) that import the real
module when first used.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import re
import struct
import subprocess
import sys
import threading
from types import ModuleType
from typing import Any

_lock = threading.Lock()

# ctypes.util._findSoname_ldconfig's table: the ldconfig tag of this interpreter's ABI
_ABI_TYPES = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
              "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def _ldconfig_listing() -> bytes | None:
    """The output of `ldconfig -p` as ctypes runs it, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        done = subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"}, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 and done.stdout else None


def _finder(listing: bytes):
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi_type = _ABI_TYPES.get(machine, "libc6")

    def find_library(name: str) -> str | None:
        found = re.search(os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), abi_type)), listing)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


@contextlib.contextmanager
def _quick_find_library():
    import ctypes.util

    listing = _ldconfig_listing()
    if listing is None:  # not Linux, or no ldconfig: ctypes' own way
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = _finder(listing)
    try:
        yield
    finally:
        ctypes.util.find_library = original


class _Deferred(ModuleType):
    """Stands in for a module during WeasyPrint's import; the real one is imported at first use.

    Inside the import, the functions named in `later` are handed out as functions that look
    the real one up when called; any other attribute imports the real module at once.
    """

    def __init__(self, name: str, later: frozenset[str]):
        super().__init__(name)
        self._later = later

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if attribute in self._later and sys.modules.get(self.__name__) is self:
            return functools.partial(_call_later, self.__name__, attribute)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


def _call_later(module: str, attribute: str, *args: Any, **kwargs: Any) -> Any:
    return getattr(importlib.import_module(module), attribute)(*args, **kwargs)


# What WeasyPrint's pdf/fonts.py takes from fontTools without needing it for most fonts
_DEFERRED = {"fontTools.subset": frozenset(), "fontTools.varLib.instancer": frozenset({"instantiateVariableFont"})}


@contextlib.contextmanager
def _deferred(modules: dict[str, frozenset[str]]):
    stand_ins = {name: _Deferred(name, later) for name, later in modules.items() if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def load() -> ModuleType:
    """Return the weasyprint module, importing it the quick way the first time."""
    with _lock:
        if "weasyprint" in sys.modules:  # imported, or being imported by another thread: import_module waits
            return importlib.import_module("weasyprint")
        with _quick_find_library(), _deferred(_DEFERRED):
            return importlib.import_module("weasyprint")

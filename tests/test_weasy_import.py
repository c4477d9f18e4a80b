"""dokgen's quick `import weasyprint` (render/weasy.py) opens the same native libraries."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from dokgen.render import weasy

LOADED = """
import sys
if sys.argv[1] == "dokgen":
    from dokgen.render.weasy import load
    load()
else:
    import weasyprint
import ctypes.util
print(ctypes.util.find_library.__module__)
# the native libraries WeasyPrint's text/ffi.py opens (fontTools, deferred, brings Python extensions of its own)
native = ("gobject", "pango", "harfbuzz", "fontconfig", "glib")
print("\\n".join(sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line and any(n in line for n in native)})))
"""

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or weasy._ldconfig_listing() is None,
                                reason="the quick look-up is used only where `ldconfig -p` answers")


@linux_only
def test_same_shared_libraries_as_plain_import():
    def libraries(how: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", LOADED, how], check=True, capture_output=True, text=True).stdout
        return out.splitlines()

    quick, plain = libraries("dokgen"), libraries("plain")
    assert quick[0] == "ctypes.util"  # the look-up is given back after the import
    assert quick == plain
    assert any("libpango-1.0" in line for line in quick)


@linux_only
@pytest.mark.parametrize("name", ["c", "m", "pango-1.0", "harfbuzz", "fontconfig", "gobject-2.0", "libpango-1.0-0", "no-such-library-here"])
def test_finder_agrees_with_ldconfig_lookup_of_ctypes(name):
    find = weasy._finder(weasy._ldconfig_listing())
    assert find(name) == ctypes.util._findSoname_ldconfig(name)


def test_load_returns_weasyprint():
    module = weasy.load()
    assert module.__name__ == "weasyprint" and hasattr(module, "HTML")
    assert weasy.load() is module


DEFERRED = """
import sys
from dokgen.render.weasy import load
load()
import weasyprint.pdf.fonts as fonts
print('fontTools.subset' in sys.modules, 'fontTools.varLib.instancer' in sys.modules)
subsetter = fonts.subset.Subsetter  # first use imports the real module
import fontTools.subset
print(subsetter is fontTools.subset.Subsetter, fonts.subset.Options is fontTools.subset.Options)
import traceback
try:
    fonts.instantiateVariableFont(None, {})
except TypeError as exc:  # the real instancer answered (not a font)
    print("varLib/instancer" in traceback.extract_tb(exc.__traceback__)[-1].filename)
"""


def test_font_tools_subsetter_and_instancer_imported_at_first_use():
    out = subprocess.run([sys.executable, "-c", DEFERRED], check=True, capture_output=True, text=True).stdout.split()
    assert out == ["False", "False", "True", "True", "True"]

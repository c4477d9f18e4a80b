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
print("\\n".join(sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line})))
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

"""The UNO side of convert.py: run by the Python that can `import uno`, never imported by dokgen.

LibreOffice's Python bridge (Debian's python3-uno) is built for the system Python, not for
dokgen's virtual environment, so convert.py runs this file under that Python and talks to it
over a pipe, one JSON object a line (the same client/server split as unoserver, without its
XML-RPC server): {"src": path, "dst": path, "pdf_version": n} -> {"ok": true} or
{"ok": false, "error": text, "dead": bool}. It uses the standard library and uno only.
"""

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(address, seconds):
    """Return LibreOffice's desktop, waiting up to seconds for it to accept connections."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            ctx = resolver.resolve(f"uno:{address};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException while soffice starts
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def convert(desktop, src, dst, pdf_version):
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0,
                                       (prop("Hidden", True), prop("ReadOnly", True), prop("UpdateDocMode", 0)))
    if doc is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", (prop("SelectPdfVersion", pdf_version),))
        doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "writer_pdf_Export"), prop("FilterData", filter_data)))
    finally:
        doc.close(True)


def main():
    address, seconds = sys.argv[1], float(sys.argv[2])
    try:
        desktop = connect(address, seconds)
    except Exception as exc:
        print(json.dumps({"ok": False, "error": f"LibreOffice did not start: {exc}", "dead": True}), flush=True)
        return
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        try:
            convert(desktop, job["src"], job["dst"], job.get("pdf_version", 0))
            answer = {"ok": True}
        except Exception as exc:
            # DisposedException / RuntimeException after soffice died: the connection is gone
            dead = type(exc).__name__ in ("DisposedException", "RuntimeException") or "disposed" in str(exc).lower()
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "dead": dead}
        print(json.dumps(answer), flush=True)
        if not answer["ok"] and answer["dead"]:
            return
    # End of input: dokgen closed the pipe, or died (even by kill -9). LibreOffice runs in a
    # session of its own, so nothing else would stop it: ask it to quit.
    try:
        desktop.terminate()
    except Exception:
        pass  # already gone, or the connection dropped as it quit


if __name__ == "__main__":
    main()

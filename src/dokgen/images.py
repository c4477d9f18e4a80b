"""Party logos as the documents embed them: decoded once, checked, re-encoded the same way every time.

A logo straight from a scanner or a website trips the renderers in ways its header does
not show: python-docx cannot read a CMYK JPEG and sizes a picture by its pHYs density (a
density of 1 x 5000 dpi gives a logo kilometres wide), WeasyPrint cannot draw a 16-bit
PNG, Word and the PDF disagree on an EXIF-rotated photo. So every logo is decoded by
Pillow and written again as a plain 8-bit PNG (JPEG stays JPEG, to keep photos small)
with no density, no EXIF and no colour profile: the Word draft and the report then get
the same pixels, and the same file gives the same bytes on every build.

`clean_logo` raises LogoError with a sentence for the user; records.py calls it when the
records are checked, so a logo that cannot be used stops `dokgen check`, naming the party.
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

from .files import MAX_LOGO_BYTES, read_regular
from .i18n import _

MAX_IMAGE_PIXELS = 40_000_000  # a logo of 40 megapixels is a mistake or a decompression bomb
JPEG_QUALITY = 95


class LogoError(ValueError):
    """The image cannot be used as a logo; the message says why, for the user."""


def clean_logo(path: Path) -> tuple[bytes, str]:
    """Return (bytes, MIME type) of the logo at path as the documents embed it; raise LogoError."""
    st = os.stat(path)
    return _clean(str(path), st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


@functools.lru_cache(maxsize=32)
def _clean(path: str, _mtime_ns: int, _size: int, _ino: int, _ctime_ns: int) -> tuple[bytes, str]:
    # keyed on the file's times, size and inode too: a logo replaced or rewritten during a
    # long-lived process is read again (a write moves the ctime, which no tool sets back)
    from .cache import keep_user, load_user, sha256

    data = read_regular(path, MAX_LOGO_BYTES, "a logo")  # an OSError: a pipe or device would hang Pillow
    # A logo cleaned before, by this dokgen and this Pillow, from these very bytes: Pillow is
    # neither imported nor run (~60 ms of a process that renders one document with three logos).
    key = sha256(f"{_pillow()}\0".encode() + data)
    kept = load_user("logos", key)
    if kept is not None and isinstance(kept.get("data"), bytes) and kept.get("mime") in ("image/png", "image/jpeg"):
        return kept["data"], kept["mime"]
    cleaned = _decode_and_write(data)
    keep_user("logos", key, {"data": cleaned[0], "mime": cleaned[1]})
    return cleaned


@functools.lru_cache(maxsize=1)
def _pillow() -> str:
    """Which Pillow would clean a logo (its compiled part, with the codecs, as installed), without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("PIL")
    folder = Path(spec.origin).parent if spec is not None and spec.origin else None
    if folder is None:
        return "none"
    found = []
    for lib in sorted([*folder.glob("_imaging.*"), *folder.parent.glob("pillow.libs/*")]):
        try:
            st = lib.stat()
        except OSError:
            continue
        found.append(f"{lib.name}:{st.st_size}:{st.st_mtime_ns}")
    return f"{folder}\0" + "\0".join(found)


def _decode_and_write(data: bytes) -> tuple[bytes, str]:
    """The logo decoded, checked and written again (see the module's docstring); raise LogoError."""
    from PIL import Image, ImageFile, ImageOps

    guard, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # judged below, before decoding
    # WeasyPrint's import sets this to True for the whole process: a truncated logo would then
    # pass in a process that has rendered a report before, and fail in a fresh one.
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("PNG", "JPEG"):
                raise LogoError(_("is a {format} image, not PNG or JPEG").format(format=img.format))
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise LogoError(_("declares {width}x{height} pixels; a logo needs far fewer (at most {limit})").format(width=width, height=height, limit=f"{MAX_IMAGE_PIXELS:,}"))
            fmt = img.format
            img.load()  # decodes every pixel: a truncated file fails here, not in the renderer
            upright = ImageOps.exif_transpose(img)
            pixels = _eight_bit(upright)
    except LogoError:
        raise
    except Exception as exc:  # Pillow raises many kinds for a broken file
        raise LogoError(_("is not a readable image ({error})").format(error=f"{type(exc).__name__}: {exc}")) from None
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = guard, truncated
    out = io.BytesIO()
    if fmt == "JPEG" and pixels.mode in ("RGB", "L"):
        pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
        return out.getvalue(), "image/jpeg"
    pixels.save(out, "PNG", optimize=False)
    return out.getvalue(), "image/png"


def _eight_bit(img):
    """The image in a mode every renderer draws: L, RGB or RGBA with 8 bits a channel."""
    if img.mode in ("L", "RGB", "RGBA"):
        return img
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: scale to 8 bits (a plain convert would clip everything above 255 to white)
        return img.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if img.mode == "F":
        return img.convert("L")
    if img.mode == "P" and "transparency" not in img.info:
        return img.convert("RGB")
    if img.mode in ("1",):
        return img.convert("L")
    if img.mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        return img.convert("RGB")
    return img.convert("RGBA")  # LA, PA, P with transparency, RGBa, La ...

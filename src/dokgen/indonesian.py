"""Indonesian formatting helpers, registered as Jinja filters for every template kind.

Dates and currency come from Babel (locale "id"), number words from num2words
(lang "id"); this module only fixes their known gaps (see domain.md, section 6).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_currency, format_decimal
from num2words import num2words

from .i18n import _

LOCALE = "id"

# num2words spells numbers below 10**36 only (desiliun is its largest scale).
_MAX_WORDS = 10**36

# Digits with an optional sign and decimal part; rejects "1e3", "NaN", "1_000", "1.500.000".
_NUMBER_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")

# "satu ribu" after a scale word (or at the start) is a thousands group of exactly 1,
# which must read "seribu"; after "seratus", "dua puluh" etc. (101 000, 21 000) it is right.
_SATU_RIBU = re.compile(r"(^|(?:juta|miliar|iliun) )satu ribu\b")

# Kata tugas that stay lowercase in headlines unless they come first (PUEBI).
KATA_TUGAS = frozenset(
    "di ke dari dan yang untuk serta melalui atau pada dengan dalam bagi oleh "
    "tentang antara sebagai terhadap akan".split()
)

NBSP = "\u00a0"  # no-break space: keeps a NIP, and a gelar with its name, on one line
NOWRAP_PREFIX = 24  # front titles up to this long are kept on one line with the name

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)


# --- dates -----------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # a batch of drafts formats the same few dates again and again
def format_date(d: date, pattern: str, locale: str = LOCALE) -> str:
    return _babel_format_date(d, pattern, locale=locale)


def long_date(d: date) -> str:
    """Format as "Rabu, 11 November 2015"."""
    # Babel's 'full' pattern is "EEEE, dd MMMM y", which zero-pads the day.
    return format_date(d, "EEEE, d MMMM y", locale=LOCALE)


def plain_date(d: date) -> str:
    """Format as "11 November 2015"."""
    return format_date(d, "d MMMM y", locale=LOCALE)


def numeric_date(d: date) -> str:
    """Format as "11-11-2015" (zero-padded, as in MoU openings)."""
    return format_date(d, "dd-MM-y", locale=LOCALE)


def date_in_words(d: date) -> str:
    """Format as "Rabu tanggal sebelas bulan November tahun dua ribu lima belas (11-11-2015)"."""
    # Day and year are cardinals ("sebelas"), never num2words' ordinal ("kesebelas").
    weekday = format_date(d, "EEEE", locale=LOCALE)
    month = format_date(d, "MMMM", locale=LOCALE)
    return (
        f"{weekday} tanggal {terbilang(d.day)} bulan {month} "
        f"tahun {terbilang(d.year)} ({numeric_date(d)})"
    )


def press_date(d: date) -> str:
    """Format as "Rabu (11/11/2015)", the humas news style."""
    return format_date(d, "EEEE (d/M/y)", locale=LOCALE)


def date_range(start: date, end: date) -> str:
    """Format as "11–13 November 2015", sharing the month and year when they agree."""
    # Babel's format_interval has no full-month form for "id" (it gives "11–13 Nov 2015").
    if end < start:
        raise ValueError(f"date range ends before it starts: {start} to {end}")
    if start == end:
        return plain_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{plain_date(end)}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMMM', locale=LOCALE)} – {plain_date(end)}"
    return f"{plain_date(start)} – {plain_date(end)}"


def date_span_since(start: date, end: date) -> str:
    """Format as "sejak 11 hingga 13 November 2015" (something held in stages), or
    "pada 11 November 2015" for a single day."""
    if end < start:
        raise ValueError(f"date range ends before it starts: {start} to {end}")
    if start == end:
        return f"pada {plain_date(start)}"
    if (start.year, start.month) == (end.year, end.month):
        first = str(start.day)
    elif start.year == end.year:
        first = format_date(start, "d MMMM", locale=LOCALE)
    else:
        first = plain_date(start)
    return f"sejak {first} hingga {plain_date(end)}"


# --- numbers and money -----------------------------------------------------


def _to_decimal(value: int | Decimal | str) -> Decimal:
    """Convert an int, Decimal or digit string to Decimal; refuse floats and bools."""
    # Floats are refused: num2words reads them as "... koma nol" and they round money.
    if isinstance(value, float):
        raise TypeError(f"floats are not accepted, pass an int, Decimal or digit string: {value!r}")
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise TypeError(f"expected an int, Decimal or digit string, got {value!r}")
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value.strip()):
            raise ValueError(f"not a plain number: {value!r}")
        return Decimal(value.strip())
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return Decimal(value)


def _to_int(value: int | Decimal | str) -> int:
    """Convert an integral int, Decimal or digit string to int."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _to_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def _positive_int(n: int) -> int:
    """Return n if it is an int >= 1."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {n!r}")
    if n < 1:
        raise ValueError(f"expected a number >= 1, got {n!r}")
    return n


def terbilang(n: int | Decimal | str) -> str:
    """Spell a whole number in lowercase Indonesian: 1500000 -> "satu juta lima ratus ribu"."""
    number = _to_int(n)
    if number < 0:
        return f"minus {terbilang(-number)}"  # num2words says "min"
    if number >= _MAX_WORDS:
        raise ValueError(f"number too large to spell (limit is 10**36 - 1): {n!r}")
    return _spelled(number)


@functools.lru_cache(maxsize=1024)  # term years, days and years recur in every draft
def _spelled(number: int) -> str:
    # Always hand num2words an int: Decimal("5.00") would come out as "lima koma nol nol".
    words = num2words(number, lang=LOCALE)
    words = words.replace("kuantiliun", "kuintiliun")  # 10**18 in KBBI
    return _SATU_RIBU.sub(r"\1seribu", words)


def _money(amount: int | Decimal | str) -> Decimal:
    """Validate an amount of rupiah with at most two decimals (sen)."""
    value = _to_decimal(amount)
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"rupiah amounts have at most 2 decimals, got {amount!r}")
    return value


def rupiah_amount(amount: int | Decimal | str) -> str:
    """Format as "Rp5.000.000,00" (PUEBI: no space after Rp)."""
    value = _money(amount)
    # currency_digits=False keeps the ",00" that IDR's CLDR data would drop.
    return format_currency(value, "IDR", locale=LOCALE, currency_digits=False)


def rupiah(amount: int | Decimal | str) -> str:
    """Format as "Rp5.000.000,00 (lima juta rupiah)"."""
    value = _money(amount)
    whole = int(abs(value))
    sen = int((abs(value) - whole) * 100)
    parts = []
    if whole or not sen:
        parts.append(f"{terbilang(whole)} rupiah")
    if sen:
        parts.append(f"{terbilang(sen)} sen")
    words = " ".join(parts)
    if value < 0:
        words = f"minus {words}"
    return f"{rupiah_amount(value)} ({words})"


def count_in_words(n: int | Decimal | str, unit: str | None = None) -> str:
    """Format as "5 (lima)" or, with a unit, "5 (lima) tahun"."""
    number = _to_int(n)
    text = f"{format_decimal(number, locale=LOCALE)} ({terbilang(number)})"
    unit = (unit or "").strip()
    return f"{text} {unit}" if unit else text


def roman(n: int) -> str:
    """Write 1..3999 in Roman numerals: 2015 -> "MMXV"."""
    if _positive_int(n) > 3999:
        raise ValueError(f"Roman numerals cover 1..3999, got {n!r}")
    out = []
    for value, symbol in _ROMAN:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


def letter(n: int) -> str:
    """Return the list letter for n: 1 -> "a", 26 -> "z", 27 -> "aa"."""
    n = _positive_int(n)
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)  # bijective base 26: there is no zero letter
        out = chr(ord("a") + rest) + out
    return out


def party_ordinal(n: int) -> str:
    """Return the government-style ordinal: 1 -> "KESATU", 21 -> "KEDUA PULUH SATU"."""
    # "ke" + cardinal for every n; num2words says "pertama" for 1 and has no "kesatu".
    return f"ke{terbilang(_positive_int(n))}".upper()


def party_label(n: int) -> str:
    """Return the party name used in agreements: 1 -> "PIHAK KESATU"."""
    return f"PIHAK {party_ordinal(n)}"


# --- people ----------------------------------------------------------------


def _clean(text: object) -> str:
    """Collapse whitespace; None becomes ""."""
    return " ".join(str(text).split()) if text is not None else ""


def full_name(
    person_or_name: object,
    title_prefix: str | None = None,
    title_suffix: str | None = None,
    nowrap: bool = False,
) -> str:
    """Join name and titles: "Dr. Adi Suryanto, M.Si.".

    With nowrap, no-break spaces bind the gelar to the name (the front titles to the first
    word, the first back title to the last), so a line never ends between a title and the
    name it belongs to; the name itself and a list of back titles may still wrap, and so
    may a run of front titles longer than NOWRAP_PREFIX (no real one is: "Prof. Dr. Ir. H."
    is 16), which would otherwise be broken inside a word by a narrow column.
    """
    # Accept a person object (e.g. a pydantic model) or dict; explicit titles win.
    fields: Mapping[str, object]
    if isinstance(person_or_name, str):
        fields = {"name": person_or_name}
    elif isinstance(person_or_name, Mapping):
        fields = person_or_name
    else:
        keys = ("name", "title_prefix", "title_suffix")
        fields = {key: getattr(person_or_name, key, None) for key in keys}
    name = _clean(fields.get("name"))
    if not name:
        raise ValueError(f"person has no name: {person_or_name!r}")
    prefix = _clean(title_prefix if title_prefix is not None else fields.get("title_prefix"))
    suffix = _clean(title_suffix if title_suffix is not None else fields.get("title_suffix"))
    suffix = suffix.lstrip(", ")  # the comma is ours to add
    space = NBSP if nowrap else " "
    if nowrap and len(prefix) <= NOWRAP_PREFIX:
        prefix = prefix.replace(" ", NBSP)  # "Prof. Dr." is one block before the name
    text = f"{prefix}{space}{name}" if prefix else name
    return f"{text},{space}{suffix}" if suffix else text


def check_nip(s: str) -> str:
    """Return the 18 digits of a valid NIP or raise ValueError saying what is wrong."""
    # Layout (Perka BKN 22/2007): birth YYYYMMDD, TMT CPNS YYYYMM, gender, serial NNN.
    digits = "".join(str(s).split())
    if not re.fullmatch(r"[0-9]{18}", digits):
        raise ValueError(_("NIP must be 18 digits, got {value}").format(value=repr(s)))
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValueError(
            _("NIP {nip}: birth date {date} (YYYYMMDD) is not a real date").format(nip=digits, date=digits[0:8])
        ) from None
    tmt_year, tmt_month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= tmt_month <= 12:
        raise ValueError(_("NIP {nip}: TMT CPNS {month} (YYYYMM) is not a real month").format(nip=digits, month=digits[8:14]))
    if tmt_year < born.year:
        raise ValueError(
            _("NIP {nip}: TMT CPNS {month} is before the birth year {year}").format(nip=digits, month=digits[8:14], year=born.year)
        )
    if digits[14] not in "12":
        raise ValueError(
            _("NIP {nip}: gender digit must be 1 (male) or 2 (female), got {digit}").format(nip=digits, digit=digits[14])
        )
    return digits


def format_nip(s: str) -> str:
    """Group a NIP as "19660801 198803 1 001", with no-break spaces: a NIP never wraps."""
    d = check_nip(s)
    return NBSP.join((d[0:8], d[8:14], d[14], d[15:18]))


# --- text ------------------------------------------------------------------


def _capitalise(word: str) -> str:
    """Uppercase the first letter of each hyphen part: "hak-hak" -> "Hak-Hak"."""
    return re.sub(r"(^|-)(\W*)(\w)", lambda m: m[1] + m[2] + m[3].upper(), word)


def headline_case(s: str) -> str:
    """Title-case a headline, keeping kata tugas lowercase except as the first word."""
    tokens = re.split(r"(\s+)", s.strip())
    out = []
    for i, token in enumerate(tokens):
        core = token.strip("\"'“”‘’()[],.:;!?")
        if token.isspace() or not token or any(c.isupper() for c in core[1:]):
            out.append(token)  # cased by the writer: LAN, MoU, DI Yogyakarta
        elif i > 0 and core.split("-")[0].lower() in KATA_TUGAS:
            out.append(token.lower())  # also "ke-20"
        else:
            out.append(_capitalise(token))
    return "".join(out)


FILTERS: dict[str, Callable[..., str]] = {
    f.__name__: f
    for f in (
        long_date,
        plain_date,
        numeric_date,
        date_in_words,
        press_date,
        date_range,
        terbilang,
        rupiah,
        rupiah_amount,
        count_in_words,
        roman,
        letter,
        party_ordinal,
        party_label,
        full_name,
        format_nip,
        headline_case,
    )
}

"""Tests for dokgen.indonesian against hand-checked Indonesian values."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dokgen.indonesian import (
    FILTERS,
    check_nip,
    count_in_words,
    date_in_words,
    date_range,
    format_nip,
    full_name,
    headline_case,
    letter,
    long_date,
    numeric_date,
    party_label,
    party_ordinal,
    plain_date,
    press_date,
    roman,
    rupiah,
    rupiah_amount,
    terbilang,
)

WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
    "Agustus", "September", "Oktober", "November", "Desember",
]
MOU_DAY = date(2015, 11, 11)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def every_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def reference_terbilang(n: int) -> str:
    """Independent, plain-rules speller used to cross-check num2words."""
    small = "nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas".split()
    scales = [
        (10**33, "desiliun"), (10**30, "noniliun"), (10**27, "oktiliun"),
        (10**24, "septiliun"), (10**21, "sekstiliun"), (10**18, "kuintiliun"),
        (10**15, "kuadriliun"), (10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"),
    ]

    def join(head: str, rest: int) -> str:
        return f"{head} {reference_terbilang(rest)}" if rest else head

    if n < 12:
        return small[n]
    if n < 20:
        return f"{small[n - 10]} belas"
    if n < 100:
        return join(f"{small[n // 10]} puluh", n % 10)
    if n < 1000:
        head = "seratus" if n < 200 else f"{small[n // 100]} ratus"
        return join(head, n % 100)
    if n < 10**6:
        head = "seribu" if n < 2000 else f"{reference_terbilang(n // 1000)} ribu"
        return join(head, n % 1000)
    for value, name in scales:
        if n >= value:
            return join(f"{reference_terbilang(n // value)} {name}", n % value)
    raise AssertionError(n)


# --- dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    "d", every_day(date(2015, 1, 1), date(2016, 12, 31))
    + [date(2000, 2, 29), date(2016, 2, 29), date(2024, 2, 29)],
    ids=str,
)
def test_weekday_and_month_match_the_date(d: date) -> None:
    weekday, month = WEEKDAYS[d.weekday()], MONTHS[d.month - 1]
    assert long_date(d) == f"{weekday}, {d.day} {month} {d.year}"
    assert press_date(d) == f"{weekday} ({d.day}/{d.month}/{d.year})"
    assert date_in_words(d).startswith(f"{weekday} tanggal ")
    assert f" bulan {month} tahun " in date_in_words(d)


def test_known_dates() -> None:
    assert long_date(MOU_DAY) == "Rabu, 11 November 2015"
    assert long_date(date(2015, 11, 12)) == "Kamis, 12 November 2015"
    assert long_date(date(2015, 11, 13)) == "Jumat, 13 November 2015"
    assert long_date(date(2016, 2, 11)) == "Kamis, 11 Februari 2016"
    assert long_date(date(2016, 9, 27)) == "Selasa, 27 September 2016"
    assert plain_date(date(2015, 8, 17)) == "17 Agustus 2015"


def test_no_zero_padding_except_numeric_date() -> None:
    d = date(2015, 5, 4)
    assert long_date(d) == "Senin, 4 Mei 2015"
    assert plain_date(d) == "4 Mei 2015"
    assert press_date(d) == "Senin (4/5/2015)"
    assert numeric_date(d) == "04-05-2015"


def test_press_date_and_numeric_date() -> None:
    assert press_date(MOU_DAY) == "Rabu (11/11/2015)"
    assert numeric_date(MOU_DAY) == "11-11-2015"


def test_datetime_is_accepted() -> None:
    assert long_date(datetime(2015, 11, 11, 9, 30)) == "Rabu, 11 November 2015"


def test_date_in_words_mou_opening() -> None:
    assert date_in_words(MOU_DAY) == (
        "Rabu tanggal sebelas bulan November tahun dua ribu lima belas (11-11-2015)"
    )
    assert date_in_words(date(2016, 2, 1)) == (
        "Senin tanggal satu bulan Februari tahun dua ribu enam belas (01-02-2016)"
    )


@given(dates)
def test_date_in_words_bracket_equals_words(d: date) -> None:
    text = date_in_words(d)
    assert text.endswith(f"({numeric_date(d)})")
    assert f"tanggal {terbilang(d.day)} bulan" in text
    assert f"tahun {terbilang(d.year)} (" in text
    assert "kesatu" not in text and "pertama" not in text


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2015, 11, 11), date(2015, 11, 13), "11–13 November 2015"),
        (date(2015, 11, 30), date(2015, 12, 2), "30 November – 2 Desember 2015"),
        (date(2015, 12, 30), date(2016, 1, 2), "30 Desember 2015 – 2 Januari 2016"),
        (date(2015, 11, 11), date(2015, 11, 11), "11 November 2015"),
    ],
)
def test_date_range(start: date, end: date, expected: str) -> None:
    assert date_range(start, end) == expected


def test_date_range_rejects_reversed() -> None:
    with pytest.raises(ValueError, match="ends before"):
        date_range(date(2015, 11, 13), date(2015, 11, 11))


# --- numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "nol"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (100, "seratus"),
        (101, "seratus satu"),
        (111, "seratus sebelas"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1100, "seribu seratus"),
        (2015, "dua ribu lima belas"),
        (21_000, "dua puluh satu ribu"),
        (101_000, "seratus satu ribu"),
        (1_000_000, "satu juta"),
        (1_001_000, "satu juta seribu"),  # num2words says "satu juta satu ribu"
        (5_001_234, "lima juta seribu dua ratus tiga puluh empat"),
        (2_000_001_000, "dua miliar seribu"),
        (1_500_000, "satu juta lima ratus ribu"),
        (1_000_000_000, "satu miliar"),
        (10**12, "satu triliun"),
        (10**15, "satu kuadriliun"),
        (10**18, "satu kuintiliun"),  # num2words says "kuantiliun"
        (10**21, "satu sekstiliun"),
        (10**24, "satu septiliun"),
        (10**27, "satu oktiliun"),
        (10**30, "satu noniliun"),
        (10**33, "satu desiliun"),
        (-5, "minus lima"),
        (-1_500_000, "minus satu juta lima ratus ribu"),
        ("2015", "dua ribu lima belas"),
        (" 11 ", "sebelas"),
        (Decimal("5000000"), "lima juta"),
        (Decimal("5.00"), "lima"),  # num2words says "lima koma nol nol"
    ],
)
def test_terbilang(n: int | Decimal | str, expected: str) -> None:
    assert terbilang(n) == expected


@pytest.mark.parametrize("bad", [1.0, 1500000.0, True, False, None, [1]])
def test_terbilang_rejects_wrong_types(bad: object) -> None:
    with pytest.raises(TypeError, match=repr(bad).replace("[", r"\[")):
        terbilang(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", [Decimal("1.5"), "1.5", "1e3", "1.500.000", "", "lima", Decimal("NaN"), 10**36]
)
def test_terbilang_rejects_bad_values(bad: object) -> None:
    with pytest.raises(ValueError):
        terbilang(bad)  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**36) + 1, max_value=10**36 - 1))
def test_terbilang_matches_plain_rules(n: int) -> None:
    words = terbilang(n)
    expected = reference_terbilang(abs(n))
    assert words == (f"minus {expected}" if n < 0 else expected)
    assert "koma" not in words and "kuantiliun" not in words and words == words.lower()


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (5_000_000, "Rp5.000.000,00 (lima juta rupiah)"),
        (Decimal("1500.50"), "Rp1.500,50 (seribu lima ratus rupiah lima puluh sen)"),
        ("1500.5", "Rp1.500,50 (seribu lima ratus rupiah lima puluh sen)"),
        ("1500000", "Rp1.500.000,00 (satu juta lima ratus ribu rupiah)"),
        (6000, "Rp6.000,00 (enam ribu rupiah)"),
        (Decimal("0.05"), "Rp0,05 (lima sen)"),
        (0, "Rp0,00 (nol rupiah)"),
        (-2500, "-Rp2.500,00 (minus dua ribu lima ratus rupiah)"),
    ],
)
def test_rupiah(amount: int | Decimal | str, expected: str) -> None:
    assert rupiah(amount) == expected
    assert rupiah_amount(amount) == expected.split(" (")[0]


def test_rupiah_rejects_floats_and_fractions_of_sen() -> None:
    with pytest.raises(TypeError, match="1500000.0"):
        rupiah(1500000.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2 decimals"):
        rupiah(Decimal("1.005"))


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=99))
def test_rupiah_words_never_read_decimals(whole: int, sen: int) -> None:
    text = rupiah(Decimal(f"{whole}.{sen:02d}"))
    assert text.startswith("Rp") and " " not in text.split(" (")[0]
    assert "koma" not in text and text.endswith(("rupiah)", "sen)"))


@pytest.mark.parametrize(
    ("n", "unit", "expected"),
    [
        (5, None, "5 (lima)"),
        (5, "tahun", "5 (lima) tahun"),
        (2, "rangkap", "2 (dua) rangkap"),
        (1000, "", "1.000 (seribu)"),
        ("3", " hari ", "3 (tiga) hari"),
    ],
)
def test_count_in_words(n: int | str, unit: str | None, expected: str) -> None:
    assert count_in_words(n, unit) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (20, "XX"), (40, "XL"), (49, "XLIX"),
     (90, "XC"), (400, "CD"), (944, "CMXLIV"), (1999, "MCMXCIX"), (2015, "MMXV"),
     (3999, "MMMCMXCIX")],
)
def test_roman(n: int, expected: str) -> None:
    assert roman(n) == expected


@pytest.mark.parametrize("bad", [0, -1, 4000])
def test_roman_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        roman(bad)


@pytest.mark.parametrize(
    ("n", "expected"), [(1, "a"), (2, "b"), (26, "z"), (27, "aa"), (28, "ab"), (52, "az"),
                        (53, "ba"), (702, "zz"), (703, "aaa")]
)
def test_letter(n: int, expected: str) -> None:
    assert letter(n) == expected


def test_letter_rejects_zero_and_bool() -> None:
    with pytest.raises(ValueError):
        letter(0)
    with pytest.raises(TypeError):
        letter(True)


PARTY_ORDINALS = [
    "KESATU", "KEDUA", "KETIGA", "KEEMPAT", "KELIMA", "KEENAM", "KETUJUH", "KEDELAPAN",
    "KESEMBILAN", "KESEPULUH", "KESEBELAS", "KEDUA BELAS", "KETIGA BELAS", "KEEMPAT BELAS",
    "KELIMA BELAS", "KEENAM BELAS", "KETUJUH BELAS", "KEDELAPAN BELAS", "KESEMBILAN BELAS",
    "KEDUA PULUH", "KEDUA PULUH SATU", "KEDUA PULUH DUA", "KEDUA PULUH TIGA",
    "KEDUA PULUH EMPAT", "KEDUA PULUH LIMA",
]


@pytest.mark.parametrize(("n", "expected"), list(enumerate(PARTY_ORDINALS, start=1)))
def test_party_ordinal(n: int, expected: str) -> None:
    assert party_ordinal(n) == expected


def test_party_label() -> None:
    assert party_label(1) == "PIHAK KESATU"
    assert party_label(2) == "PIHAK KEDUA"
    with pytest.raises(ValueError):
        party_label(0)


# --- people ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("Adi Suryanto", "Dr.", "M.Si."), "Dr. Adi Suryanto, M.Si."),
        (("Sutarmidji", "H.", "S.H., M.Hum."), "H. Sutarmidji, S.H., M.Hum."),
        (("Adi Suryanto",), "Adi Suryanto"),
        (("  Adi   Suryanto ", "  ", None), "Adi Suryanto"),
        (("Tri Widodo Wahyu Utomo", "Dr.", "S.H.,  M.A."),
         "Dr. Tri Widodo Wahyu Utomo, S.H., M.A."),
        (("Adi Suryanto", "Prof.  Dr.", ", M.Si."), "Prof. Dr. Adi Suryanto, M.Si."),
    ],
)
def test_full_name_from_strings(args: tuple[str | None, ...], expected: str) -> None:
    assert full_name(*args) == expected


def test_full_name_from_object_and_dict() -> None:
    person = SimpleNamespace(name="Sutarmidji", title_prefix="H.", title_suffix="S.H., M.Hum.")
    assert full_name(person) == "H. Sutarmidji, S.H., M.Hum."
    assert full_name({"name": "Adi Suryanto", "title_prefix": "Dr.", "title_suffix": "M.Si."}) == (
        "Dr. Adi Suryanto, M.Si."
    )
    assert full_name({"name": "Edi Rusdi Kamtono"}) == "Edi Rusdi Kamtono"
    assert full_name(person, title_suffix="") == "H. Sutarmidji"  # explicit titles win


def test_full_name_nowrap_binds_each_gelar_to_the_name() -> None:
    nb = "\u00a0"
    assert full_name("Siti Rahma Wulandari", "Prof. Dr. Ir.", "M.T., M.Sc.", nowrap=True) == (
        f"Prof.{nb}Dr.{nb}Ir.{nb}Siti Rahma Wulandari,{nb}M.T., M.Sc."
    )
    assert full_name("Sutarmidji", nowrap=True) == "Sutarmidji"
    # a run of front titles too long for a narrow column may wrap between titles, not inside one
    long_prefix = "Prof. Dr. Ir. H. Kolonel (Purn.) Drs."
    assert full_name("Adi", long_prefix, nowrap=True) == f"{long_prefix}{nb}Adi"


def test_full_name_requires_a_name() -> None:
    with pytest.raises(ValueError, match="no name"):
        full_name({"name": "  ", "title_prefix": "Dr."})


VALID_NIP = "196608011988031001"


@pytest.mark.parametrize("nip", [VALID_NIP, "19660801 198803 1 001", " 19660801  198803 1 001 "])
def test_valid_nip(nip: str) -> None:
    assert check_nip(nip) == VALID_NIP
    assert format_nip(nip) == "19660801\u00a0198803\u00a01\u00a0001"  # no-break spaces: never wraps


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19660801 198803 1 01", "18 digits"),  # too short
        ("19660801 198803 1 0011", "18 digits"),  # too long
        ("19660801 198803 1 0O1", "18 digits"),  # letter O
        ("", "18 digits"),
        ("19660231 198803 1 001", "birth date 19660231"),  # 31 February
        ("19661301 198803 1 001", "birth date"),  # month 13
        ("19660800 198803 1 001", "birth date"),  # day 0
        ("19660801 198813 1 001", "TMT CPNS 198813"),  # month 13
        ("19660801 198800 1 001", "not a real month"),
        ("19660801 196503 1 001", "before the birth year"),
        ("19660801 198803 3 001", "gender digit"),
        ("19660801 198803 0 001", "gender digit"),
    ],
)
def test_invalid_nip(nip: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_nip(nip)
    with pytest.raises(ValueError, match=message):
        format_nip(nip)


def test_female_nip_and_leap_day_birth() -> None:
    assert format_nip("198002292005012002").replace("\u00a0", " ") == "19800229 200501 2 002"


# --- text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pemkot pontianak gandeng LAN untuk inovasi",
         "Pemkot Pontianak Gandeng LAN untuk Inovasi"),
        ("dari ave maria ke jalan lain ke roma", "Dari Ave Maria ke Jalan Lain ke Roma"),
        ("LAN dan pemkot teken MoU di aula SSA", "LAN dan Pemkot Teken MoU di Aula SSA"),
        ("inovasi yang lahir dari bawah serta melalui kerja sama",
         "Inovasi yang Lahir dari Bawah serta melalui Kerja Sama"),
        ("sebanyak 149 inovasi diluncurkan pada hari kamis",
         "Sebanyak 149 Inovasi Diluncurkan pada Hari Kamis"),
        ("wali kota: hak-hak warga (pontianak)", "Wali Kota: Hak-Hak Warga (Pontianak)"),
        ("festival inovasi ke-2 di DI Yogyakarta", "Festival Inovasi ke-2 di DI Yogyakarta"),
        ("Dan Inovasi Untuk Warga", "Dan Inovasi untuk Warga"),
    ],
)
def test_headline_case(text: str, expected: str) -> None:
    assert headline_case(text) == expected


# --- registration ----------------------------------------------------------


def test_filters_registry() -> None:
    assert set(FILTERS) == {
        "long_date", "plain_date", "numeric_date", "date_in_words", "press_date", "date_range",
        "terbilang", "rupiah", "rupiah_amount", "count_in_words", "roman", "letter",
        "party_ordinal", "party_label", "full_name", "format_nip", "headline_case",
    }
    assert "check_nip" not in FILTERS and "upper" not in FILTERS
    assert all(FILTERS[name].__name__ == name for name in FILTERS)

"""Record-level warnings: printed by check and build, errors only with --strict."""

from __future__ import annotations

import pytest

from dokgen import advice
from dokgen.errors import Location, Problem


@pytest.fixture
def one_warning(monkeypatch):
    def lonely_party(ws):
        rec = ws.parties["lan"]
        yield Problem(rec.location("name"), "name", "a test warning about this party")

    monkeypatch.setattr(advice, "CHECKS", [lonely_party])


def test_warning_is_printed_and_build_goes_on(workspace, run, one_warning):
    code, out, err = run("-C", str(workspace), "build", "--jobs", "1")
    assert code == 0
    assert "warning: records/parties/lan.yaml:2:7: name: a test warning about this party" in err
    assert (workspace / "out/mou/pontianak-lan-2015.docx").is_file()


def test_strict_turns_warnings_into_errors_before_anything_is_written(workspace, run, one_warning):
    code, _, err = run("-C", str(workspace), "build", "--strict")
    assert code == 1
    assert "records/parties/lan.yaml:2:7: name: a test warning about this party" in err
    assert "1 problem in 1 file (warnings are errors with --strict); nothing was written" in err
    assert not (workspace / "out").exists()
    code, _, err = run("-C", str(workspace), "check", "--strict")
    assert code == 1 and "a test warning" in err


def test_warnings_are_sorted_and_said_once(workspace, monkeypatch):
    from dokgen.records import load_workspace

    later = Problem(Location("records/b.yaml", 2, 1), "x", "later")
    earlier = Problem(Location("records/a.yaml", 9, 1), "x", "earlier")
    monkeypatch.setattr(advice, "CHECKS", [lambda ws: [later, earlier], lambda ws: [earlier]])
    assert advice.collect_warnings(load_workspace(workspace)) == [earlier, later]

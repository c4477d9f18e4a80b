"""Guarantee 1: malformed records never crash dokgen and are always located.

Hypothesis takes each record of the worked example, picks any field of it, and breaks it
in a way that is certain to be invalid (wrong shape, unknown key, bad choice, control
character, missing required field), or breaks the YAML itself (tabs, NUL, a BOM in the
middle, unclosed brackets, deep nesting, huge scalars). Every run must exit 1 with every
message in the `file:line:col: field.path: message` form, and write nothing.
"""

from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dokgen.cli import cli

from .conftest import scale

EXAMPLES = [
    "records/parties/lan.yaml",
    "records/parties/pemkot-pontianak.yaml",
    "records/scopes.yaml",
    "records/mou/pontianak-lan-2015.yaml",
    "records/labs/labinov-pontianak-2015.yaml",
    "records/press/pemkot-gandeng-lan-2015.yaml",
]
PROBLEM = re.compile(r"^records/\S+:\d+:\d+: (?:[\w.\[\]#?-]+: )?\S.*$")
CONTROL = [chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\x7f", "\ufffe"]
REQUIRED_TEXT = {"name", "short_name", "address", "position", "subject", "purpose", "funding", "title",
                 "headline", "locus", "venue", "city", "credit", "description", "problem", "text"}


def leaf_paths(data, path=()):
    """Every (path, value) in a record, mappings and lists included."""
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from leaf_paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from leaf_paths(v, (*path, i))


def set_at(data, path, value):
    target = data
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value


def structural_mutation(draw, data):
    """Break one field in a way no schema accepts; return the new data."""
    paths = [(p, v) for p, v in leaf_paths(data) if p]
    path, value = draw(st.sampled_from(paths))
    if isinstance(value, dict):
        choice = draw(st.sampled_from(["list", "unknown-key", "text"]))
        if choice == "list":
            set_at(data, path, ["x"])
        elif choice == "text":
            set_at(data, path, "teks biasa")
        else:
            value[draw(st.sampled_from(["nama", "ttl", "x_extra", "Name", "positon"]))] = "x"
    elif isinstance(value, list):
        set_at(data, path, {"bukan": "daftar"})
    elif isinstance(value, str):
        choice = draw(st.sampled_from(["mapping", "list", "control", "missing"]))
        if choice == "mapping":
            set_at(data, path, {"a": "b"})
        elif choice == "list" and not isinstance(path[-1], int):
            set_at(data, path, ["a", "b"])
        elif choice == "missing" and path[-1] in REQUIRED_TEXT:
            parent = data
            for p in path[:-1]:
                parent = parent[p]
            del parent[path[-1]]
        else:
            pos = draw(st.integers(0, len(value)))
            set_at(data, path, value[:pos] + draw(st.sampled_from(CONTROL)) + value[pos:])
    else:  # None (an optional field left empty): give it a shape nothing accepts
        set_at(data, path, {"a": ["b"]})
    return data


def textual_mutation(draw, text: str) -> bytes:
    """Break the YAML text itself."""
    lines = text.splitlines(keepends=True)
    content = [i for i, l in enumerate(lines) if l.strip() and not l.lstrip().startswith("#")]
    n = draw(st.sampled_from(content))
    kind = draw(st.sampled_from(["tab", "nul", "bom-middle", "bracket", "quote", "deep", "huge", "dup", "anchor", "tag", "bad-utf8"]))
    if kind == "tab":
        lines[n] = "\t" + lines[n]
    elif kind == "nul":
        lines[n] = lines[n].rstrip("\n") + "\x00\n"
    elif kind == "bom-middle":
        lines[n] = lines[n].rstrip("\n") + "\ufeff\n"
    elif kind == "bracket":
        lines.insert(n, "kurung: [tidak, ditutup\n")
    elif kind == "quote":
        lines.insert(n, "zz: 'tidak ditutup\n")
    elif kind == "deep":
        lines.append("dalam: " + "[" * 60 + "]" * 60 + "\n")
    elif kind == "huge":
        lines.append("besar: " + "a" * 2_100_000 + "\n")
    elif kind == "dup":
        top = [l for l in lines if re.match(r"^[a-z_]+:", l)]
        lines.append(draw(st.sampled_from(top)) if top else "a: 1\na: 2\n")
    elif kind == "anchor":
        lines.insert(0, "jangkar: &j nilai\nalias: *j\n")
    elif kind == "tag":
        lines.insert(0, "bertag: !!python/object:os.system ls\n")
    raw = "".join(lines).encode("utf-8")
    if kind == "bad-utf8":
        raw = raw.replace(b"a", b"\xc3\x28", 1)
    return raw


@pytest.mark.guarantee("1 bad input: malformed records")
@settings(max_examples=scale(220, 2000), deadline=None, derandomize=not __import__("os").environ.get("DOKGEN_SOAK"), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_malformed_record_is_located_never_a_traceback(workspace, figure, data):
    rel = data.draw(st.sampled_from(EXAMPLES))
    path = workspace / rel
    original = path.read_bytes()
    try:
        if data.draw(st.booleans()):
            record = yaml.safe_load(original.decode())
            # dates come back as datetime.date: keep them text as the user typed them
            broken = structural_mutation(data.draw, yaml.safe_load(yaml.safe_dump(record, default_style=None).replace("!!timestamp", "")))
            raw = yaml.safe_dump(_as_text(broken), allow_unicode=True, sort_keys=False).encode()
        else:
            raw = textual_mutation(data.draw, original.decode())
        path.write_bytes(raw)
        result = CliRunner().invoke(cli, ["-C", str(workspace), "check"])
        figure.cases += 1
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        figure.tracebacks += crashed or "Traceback" in result.output
        lines = [l for l in result.stderr.splitlines() if not l.startswith("error: ")]
        located = bool(lines) and all(PROBLEM.match(l) for l in lines)
        ok = result.exit_code == 1 and located and not crashed and not (workspace / "out").exists()
        figure.failures += not ok
        assert not crashed, result.exception
        assert result.exit_code == 1, (rel, raw[:300], result.output)
        assert located, result.stderr
        assert not (workspace / "out").exists()
    finally:
        path.write_bytes(original)


def _as_text(value):
    import datetime as dt

    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return str(value)
    return value

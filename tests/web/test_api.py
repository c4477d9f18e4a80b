"""The JSON contract of `dokgen serve` (issue 10), through Flask's test client on a fresh
copy of the example workspace per test; the files on disk are read back after each call."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from dokgen.web.app import create_app
from dokgen.yamlfile import read_yaml

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MOU = "records/mou/pontianak-lan-2015.yaml"


@pytest.fixture
def client(workspace: Path):
    app = create_app(workspace, TOKEN)
    return app.test_client()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def get(client, url: str):
    response = client.get(url, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()


def test_records_lists_every_kind_with_its_fields(client, workspace):
    records = get(client, "/api/records")
    assert {r["kind"] for r in records} == {"party", "scope", "mou", "lab", "press"}
    assert all(set(r) == {"kind", "id", "source", "title", "status"} for r in records)
    mou = next(r for r in records if r["kind"] == "mou")
    assert mou == {"kind": "mou", "id": "pontianak-lan-2015", "source": MOU, "status": "draft",
                   "title": read_yaml((workspace / MOU).read_bytes(), MOU).data["subject"]}
    assert {r["id"] for r in records if r["kind"] == "scope"} == {"kajian-kebijakan", "diklat", "inovasi", "pendidikan-tinggi"}


def test_record_gives_data_and_the_sha256_of_its_file(client, workspace):
    body = get(client, "/api/records/mou/pontianak-lan-2015")
    assert body["version"] == sha(workspace / MOU)
    assert body["data"] == read_yaml((workspace / MOU).read_bytes(), MOU).data


def test_put_saves_the_change_and_keeps_comments_and_layout(client, workspace):
    before = (workspace / MOU).read_text(encoding="utf-8")
    body = get(client, "/api/records/mou/pontianak-lan-2015")
    body["data"]["signing"]["date"] = "2024-02-29"
    response = client.put("/api/records/mou/pontianak-lan-2015", headers=AUTH, json=body)
    assert response.status_code == 200, response.data
    after = (workspace / MOU).read_text(encoding="utf-8")
    assert response.get_json() == {"version": sha(workspace / MOU)}
    assert after == before.replace("date: 2015-11-11", "date: 2024-02-29")  # only that line changed
    assert after.startswith("# Nota Kesepahaman Pemkot Pontianak dan LAN")


def test_put_with_a_stale_version_is_a_conflict_and_writes_nothing(client, workspace):
    body = get(client, "/api/records/mou/pontianak-lan-2015")
    stale = body["version"]
    body["data"]["signing"]["city"] = "Jakarta"
    assert client.put("/api/records/mou/pontianak-lan-2015", headers=AUTH, json=body).status_code == 200
    saved = (workspace / MOU).read_bytes()
    body["data"]["signing"]["city"] = "Bandung"  # a second tab, opened before the first save
    response = client.put("/api/records/mou/pontianak-lan-2015", headers=AUTH, json={"data": body["data"], "version": stale})
    assert response.status_code == 409
    assert response.get_json()["version"] == sha(workspace / MOU)
    assert (workspace / MOU).read_bytes() == saved
    # what the second clerk typed is not lost: it is kept as a draft of that record
    assert get(client, "/api/records/mou/pontianak-lan-2015")["draft"]["data"]["signing"]["city"] == "Bandung"


def test_invalid_put_is_422_with_the_checks_own_words_and_nothing_written(client, workspace, run, tmp_path):
    before = (workspace / MOU).read_bytes()
    body = get(client, "/api/records/mou/pontianak-lan-2015")
    body["data"]["parties"][1]["party"] = "lann"
    response = client.put("/api/records/mou/pontianak-lan-2015", headers=AUTH, json=body)
    assert response.status_code == 422
    problems = {p["field"]: p["message"] for p in response.get_json()["problems"]}
    body["data"]["parties"][1]["party"] = "lan"
    body["data"]["signing"]["date"] = "29/02/2024"
    response = client.put("/api/records/mou/pontianak-lan-2015", headers=AUTH, json=body)
    assert response.status_code == 422
    problems.update({p["field"]: p["message"] for p in response.get_json()["problems"]})
    assert set(problems) == {"parties[1].party", "signing.date"}
    assert (workspace / MOU).read_bytes() == before
    # the same file written by hand: `dokgen check` prints the same messages for the same fields
    (workspace / MOU).write_text(before.decode().replace("date: 2015-11-11", "date: 29/02/2024"), encoding="utf-8")
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1
    assert f"signing.date: {problems['signing.date']}" in err
    assert problems["signing.date"] == "'29/02/2024' is not a date; write YYYY-MM-DD, e.g. 2015-11-11"
    (workspace / MOU).write_bytes(before.replace(b"party: lan\n", b"party: lann\n"))
    code, _, err = run("-C", str(workspace), "check")
    assert f"parties[1].party: {problems['parties[1].party']}" in err
    # kept as a draft until fixed or discarded
    (workspace / MOU).write_bytes(before)
    draft = get(client, "/api/records/mou/pontianak-lan-2015")["draft"]
    assert draft["data"]["signing"]["date"] == "29/02/2024"
    assert client.delete("/api/drafts/mou/pontianak-lan-2015", headers=AUTH).status_code == 200
    assert "draft" not in get(client, "/api/records/mou/pontianak-lan-2015")


def test_references_and_lab_rules_are_checked_like_dokgen_check(client, workspace):
    body = get(client, "/api/records/lab/labinov-pontianak-2015")
    body["data"]["mou"] = "pontianak-lan-2051"
    body["data"]["period"]["end"] = "2015-01-01"
    response = client.put("/api/records/lab/labinov-pontianak-2015", headers=AUTH, json=body)
    assert response.status_code == 422
    problems = {p["field"]: p["message"] for p in response.get_json()["problems"]}
    assert problems["mou"] == "no mou 'pontianak-lan-2051' in records/mou/ (did you mean 'pontianak-lan-2015'?); known: pontianak-lan-2015"
    assert problems["period.end"] == "ends before it starts"


def test_post_creates_as_a_copy_and_refuses_existing_and_bad_ids(client, workspace):
    lab = get(client, "/api/records/lab/labinov-pontianak-2015")
    lab["data"]["title"] = "Laboratorium Inovasi Daerah Kota Pontianak 2016"
    response = client.post("/api/records/lab", headers=AUTH, json={"id": "labinov-pontianak-2016", "data": lab["data"]})
    assert response.status_code == 201, response.data
    created = workspace / "records/labs/labinov-pontianak-2016.yaml"
    assert response.get_json()["version"] == sha(created)
    assert read_yaml(created.read_bytes(), "x").data == lab["data"]
    again = client.post("/api/records/lab", headers=AUTH, json={"id": "labinov-pontianak-2016", "data": lab["data"]})
    assert again.status_code == 409
    for bad in ("../labs/x", "Lab Baru", "con", "", "a/b", "x" * 81):
        response = client.post("/api/records/lab", headers=AUTH, json={"id": bad, "data": lab["data"]})
        assert response.status_code == 422, bad
        assert response.get_json()["problems"][0]["field"] == "id"
    assert sorted(p.name for p in (workspace / "records/labs").iterdir()) == ["labinov-pontianak-2015.yaml", "labinov-pontianak-2016.yaml"]


def test_post_of_an_invalid_record_writes_nothing_but_keeps_a_draft(client, workspace):
    response = client.post("/api/records/mou", headers=AUTH, json={"id": "baru-2024", "data": {"subject": "Kerja sama"}})
    assert response.status_code == 422
    assert "document_type" in {p["field"] for p in response.get_json()["problems"]}
    assert not (workspace / "records/mou/baru-2024.yaml").exists()
    assert json.loads((workspace / ".dokgen/drafts/mou/baru-2024.json").read_text())["data"] == {"subject": "Kerja sama"}


def test_scopes_are_saved_inside_scopes_yaml(client, workspace):
    body = get(client, "/api/records/scope/diklat")
    body["data"]["title"] = "Pendidikan dan Pelatihan Aparatur"
    assert client.put("/api/records/scope/diklat", headers=AUTH, json=body).status_code == 200
    data = read_yaml((workspace / "records/scopes.yaml").read_bytes(), "s").data
    assert data["diklat"]["title"] == "Pendidikan dan Pelatihan Aparatur"
    assert set(data) == {"kajian-kebijakan", "diklat", "inovasi", "pendidikan-tinggi"}


def test_build_gives_the_cli_summary_and_outputs_download(client, workspace, run):
    response = client.post("/api/build", headers=AUTH)
    assert response.status_code == 200, response.data
    summary = response.get_json()
    code, out, _ = run("-C", str(workspace), "build", "--json")
    cli_summary = json.loads(out)
    assert set(summary) == set(cli_summary)
    assert summary["built"] == 5 and summary["failed"] == 0 and cli_summary["skipped"] == 5
    download = client.get("/out/mou/pontianak-lan-2015.docx", headers=AUTH)
    assert download.status_code == 200
    assert download.data == (workspace / "out/mou/pontianak-lan-2015.docx").read_bytes()
    assert "attachment" in download.headers["Content-Disposition"]
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()


def test_beranda_explains_a_kept_hand_edited_draft(client, workspace):
    assert client.post("/api/build", headers=AUTH).status_code == 200
    docx = workspace / "out/mou/pontianak-lan-2015.docx"
    docx.write_bytes(docx.read_bytes() + b"\0")  # staff edited it in Word
    body = get(client, "/api/records/mou/pontianak-lan-2015")
    body["data"]["signing"]["city"] = "Jakarta"
    assert client.put("/api/records/mou/pontianak-lan-2015", headers=AUTH, json=body).status_code == 200
    assert client.post("/api/build", headers=AUTH).get_json()["kept"] == 1
    page = client.get("/", headers=AUTH).data.decode()
    assert "Diubah manual" in page
    assert 'href="/out/mou/pontianak-lan-2015.dokgen-new.docx"' in page
    assert client.get("/out/mou/pontianak-lan-2015.dokgen-new.docx", headers=AUTH).status_code == 200


def test_check_gives_the_problems_and_the_advice_dokgen_check_prints(client, workspace, run):
    before = (workspace / MOU).read_bytes()
    body = get(client, "/api/records/mou/pontianak-lan-2015")
    body["data"]["signing"]["date"] = "2024-02-29"  # PP 50/2007, cited in the recitals, was repealed in 2018
    response = client.post("/api/records/mou/pontianak-lan-2015/check", headers=AUTH, json={"data": body["data"]})
    assert response.status_code == 200
    result = response.get_json()
    assert result["problems"] == []
    assert result["warnings"], "a repealed regulation is advice"
    assert (workspace / MOU).read_bytes() == before  # a check writes nothing
    (workspace / MOU).write_text((workspace / MOU).read_text().replace("date: 2015-11-11", "date: 2024-02-29"))
    _, _, err = run("-C", str(workspace), "check")
    printed = [line for line in err.splitlines() if line.startswith(f"warning: {MOU}:")]
    assert sorted(f"warning: {w['where']}: {w['field']}: {w['message']}" for w in result["warnings"]) == sorted(printed)



def test_a_file_that_is_not_readable_yaml_is_never_replaced_by_a_form(client, workspace):
    broken = "name: Lembaga Administrasi Negara\nshort_name: [LAN\n# the clerk's unfinished edit\n"
    (workspace / "records/parties/lan.yaml").write_text(broken, encoding="utf-8")
    page = client.get("/records/party/lan", headers=AUTH)
    assert page.status_code == 200 and "tidak dapat dibaca" in page.data.decode() and "data-root" not in page.data.decode()
    body = {"data": {"name": "X", "short_name": "X", "type": "lainnya", "address": "X", "signatory": {"name": "X", "position": "X"}},
            "version": sha(workspace / "records/parties/lan.yaml")}
    response = client.put("/api/records/party/lan", headers=AUTH, json=body)
    assert response.status_code == 422
    assert (workspace / "records/parties/lan.yaml").read_text(encoding="utf-8") == broken


def test_a_save_while_a_build_holds_the_lock_is_kept_as_a_draft(client, workspace):
    from dokgen.lock import BuildLock

    body = get(client, "/api/records/mou/pontianak-lan-2015")
    before = (workspace / MOU).read_bytes()
    body["data"]["signing"]["city"] = "Jakarta"
    with BuildLock(workspace / "out"):  # another process builds for longer than a save waits
        response = client.put("/api/records/mou/pontianak-lan-2015", headers=AUTH, json=body)
    assert response.status_code == 503
    assert (workspace / MOU).read_bytes() == before
    assert get(client, "/api/records/mou/pontianak-lan-2015")["draft"]["data"]["signing"]["city"] == "Jakarta"


def test_check_of_a_new_record_names_a_bad_id(client):
    response = client.post("/api/records/lab/Lab%20Baru/check", headers=AUTH, json={"data": {}, "new": True})
    problems = response.get_json()["problems"]
    assert problems[0]["field"] == "id" and "is not an id" in problems[0]["message"]


def test_serve_outside_a_workspace_says_so(run, tmp_path):
    code, _, err = run("-C", str(tmp_path), "serve", "--no-browser", "--port", "0")
    assert code == 1
    assert "no records/ folder here" in err and "Traceback" not in err

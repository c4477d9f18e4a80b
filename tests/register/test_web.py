"""The register in serve, through the real app (create_app) with a real register behind it."""

from __future__ import annotations

import io
import re

import pytest

from .conftest import MOU

pytest.importorskip("flask")


@pytest.fixture
def client(final_ws):
    from dokgen.web.app import create_app

    app = create_app(final_ws, "t0ken")
    c = app.test_client()
    c.set_cookie("dokgen_token", "t0ken")
    c.environ_base["HTTP_ORIGIN"] = "http://localhost"  # the app's own pages post with their origin
    return c


def test_rekap_filters_by_state_and_gives_the_reminders(client):
    page = client.get("/rekap?per=2020-06-01").get_data(as_text=True)
    assert "segera berakhir" in page and "2020-11-10" in page and "pontianak-lan-2015" in page
    page = client.get("/rekap?per=2020-06-01&keadaan=berakhir").get_data(as_text=True)
    assert 'data-id="pontianak-lan-2015"' not in page and "0 dari 1 kerja sama" in page
    ics = client.get("/rekap/pengingat.ics?per=2018-01-01")
    assert ics.mimetype == "text/calendar" and ics.get_data(as_text=True).count("BEGIN:VEVENT") == 3


def test_issue_button_then_verify_an_upload(client, final_ws):
    page = client.get("/register").get_data(as_text=True)
    assert f'value="{MOU}"' in page
    answer = client.post("/register/issue", data={"source": MOU})
    assert answer.status_code == 303
    code = re.search(r"terbit=([2-9A-Z-]+)", answer.headers["Location"]).group(1)
    assert f"verification: {code}" in (final_ws / MOU).read_text(encoding="utf-8")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"<strong>{code}</strong>" in page and "terdaftar" in page
    docx = (final_ws / "out/mou/pontianak-lan-2015.docx").read_bytes()
    page = client.post("/register/verify", data={"berkas": (io.BytesIO(docx), "mou.docx")}, content_type="multipart/form-data")
    assert "mou.docx: terdaftar" in page.get_data(as_text=True)
    page = client.post("/register/verify", data={"berkas": (io.BytesIO(docx + b"x"), "lain.docx")}, content_type="multipart/form-data")
    assert "lain.docx: tidak terdaftar" in page.get_data(as_text=True)


def test_a_draft_cannot_be_issued_from_the_page(client, final_ws):
    path = final_ws / MOU
    path.write_text(path.read_text(encoding="utf-8").replace("status: final", "status: draft"), encoding="utf-8")
    assert f'value="{MOU}"' not in client.get("/register").get_data(as_text=True)
    answer = client.post("/register/issue", data={"source": MOU})
    assert answer.status_code == 422 and "bukan rekaman final" in answer.get_data(as_text=True)


def test_a_post_from_another_site_is_refused(client):
    answer = client.post("/register/issue", data={"source": MOU}, headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403

"""帮助: a guide per role, in Chinese, linked from every page's header, open without login and
to a user who must first change the password."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from eco263.runtime import Runtime
from tests.web.conftest import page_login

ROLES = (
    "city_office",
    "district_office",
    "department",
    "supervisor",
    "police",
    "viewer",
    "enterprise",
)
#: A word of the Latin alphabet in the text a reader sees (tags and attributes removed), except
#: the name the ledger's own button uses (导出 Excel).
_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def _visible(html: str) -> str:
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main).replace("Excel", "")


@pytest.mark.parametrize(
    "who", ["city", "kunshan", "ks_epb", "jiwei", "sz_police", "leader", "yld"]
)
def test_every_page_links_the_help_and_every_guide_is_chinese(
    rt: Runtime, client: TestClient, who: str
) -> None:
    page_login(client, who)
    for path in ("/workbench", "/problems", "/account/password"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<a class="help-link" href="/help">帮助</a>' in page.text, path
    index = client.get("/help")
    assert index.status_code == 200
    own = re.search(r'<li class="own"><a href="/help/([a-z_]+)">', index.text)
    assert own is not None
    for role in ROLES:
        guide = client.get(f"/help/{role}")
        assert guide.status_code == 200, role
        assert "使用说明" in guide.text
        assert not _ASCII_WORD.search(_visible(guide.text)), (
            role,
            _ASCII_WORD.findall(_visible(guide.text)),
        )
    assert not _ASCII_WORD.search(_visible(index.text))


def test_the_help_opens_without_login_and_unknown_guides_are_missing(client: TestClient) -> None:
    client.cookies.clear()
    assert 'href="/help"' in client.get("/login").text
    assert client.get("/help").status_code == 200
    assert client.get("/help/city_office").status_code == 200
    assert "help-link" not in client.get("/xinfang").text  # the public form: no staff guides
    for bad in ("mayor", "public", "..%2Fbase"):
        assert client.get(f"/help/{bad}").status_code == 404

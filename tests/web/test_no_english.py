"""§6 of #16: no English word or raw code reaches a user.  Each demo role logs in on the seeded
demo (the bulletin's cases, the sweep, and the tampering case: an alarm, its sealed pack, its
clue and its police transfer) and follows every link it can (same origin, GET, bounded); the
visible text of every page it reaches must hold no ASCII word outside the allow-list of
:mod:`tests.web.crawl` (units, standards, file formats) and no raw code (factor codes, ISO
timestamps)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from eco263.runtime import Runtime
from tests.e2e.test_workflow import _seed_demo
from tests.factories.alarms import tampering_case
from tests.web.conftest import page_login
from tests.web.crawl import crawl, english_words

#: city, a district office, a department, the 纪委, a leader, the enterprise, the police.
ROLES = ("city", "kunshan", "ks_epb", "jiwei", "leader", "yld", "ks_police")

#: Pages each role must have reached (the crawl is not silently cut short).
MUST_VISIT = {
    "city": ("/workbench", "/problems", "/problems/{n}", "/supervision/clues/{n}", "/alarms/{n}"),
    "jiwei": ("/supervision", "/supervision/clues/{n}"),
    "ks_epb": ("/workbench", "/problems/{n}"),
    "yld": ("/workbench",),
    "ks_police": ("/transfers/{n}",),
}

#: Pages known to still show English, each with its reason; the test fails when one of them
#: turns clean (take it off the list) and for any page not on it.
XFAIL: dict[str, str] = {}


def _shape(url: str) -> str:
    return re.sub(r"\d+", "{n}", url.split("?", 1)[0])


def test_the_scanner_finds_words_and_codes_and_spares_units_scripts_and_marked_codes() -> None:
    html = (
        "<p>总铜 0.3 mg/L，HJ 212，导出 PDF；状态 clue.status 于 2018-05-09T23:00:00+00:00"
        "（w20122），点位 010000A8900016F000169DC0</p><script>var x = 'english';</script>"
        "<style>.a{color:red}</style><td translate='no'>ks_epb</td><br><p>multiplicative</p>"
        "<input placeholder='keyword'><img alt='总铜曲线'><span title='x' translate='no'>ab</span>"
    )
    assert english_words(html) == {
        "clue",
        "status",
        "multiplicative",
        "keyword",
        "w20122",
        "2018-05-09T23:00",
    }


def test_no_page_of_the_demo_shows_english_to_any_role(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    _seed_demo(rt)
    tampering_case(rt, as_user)
    found: dict[str, dict[str, set[str]]] = {}  # page shape → role → words
    clean: set[str] = set()
    for username in ROLES:
        page_login(client, username)
        result = crawl(client, "/")
        shapes = {_shape(u) for u in result.visited}
        for needed in MUST_VISIT.get(username, ()):
            assert needed in shapes, (username, needed, sorted(shapes))
        assert len(result.visited) >= (20 if username in ("yld", "ks_police") else 60), username
        for url in result.visited:
            if url in result.found:
                found.setdefault(_shape(url), {}).setdefault(username, set()).update(
                    result.found[url]
                )
            else:
                clean.add(_shape(url))
    unexpected = {shape: roles for shape, roles in found.items() if shape not in XFAIL}
    assert not unexpected, "English or raw codes on these pages:\n" + "\n".join(
        f"  {shape} ({', '.join(sorted(roles))}): {sorted(set().union(*roles.values()))}"
        for shape, roles in sorted(unexpected.items())
    )
    fixed = [shape for shape in XFAIL if shape not in found and shape in clean]
    assert not fixed, f"now clean, take them off XFAIL: {fixed}"

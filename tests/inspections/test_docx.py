"""The 监督意见书 as a DOCX from its page, read back with python-docx: the number, the
addressee, the findings, the measures, the deadlines in Chinese dates and the 纪委's signature.
The addressee downloads its own; a unit of another area gets the same 404 as a missing row."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import unquote

from docx import Document
from fastapi.testclient import TestClient

from eco263.runtime import Runtime
from tests.factories.inspections import village_with_opinion
from tests.web.conftest import page_login


def _text(body: bytes) -> list[str]:
    return [p.text for p in Document(BytesIO(body)).paragraphs if p.text.strip()]


def test_the_opinion_downloads_as_docx(client: TestClient, rt: Runtime) -> None:
    _, _, _, op = village_with_opinion(client, rt)
    url = f"/inspections/opinions/{op['id']}/opinion.docx"
    page_login(client, "jiwei")
    assert f'href="{url}"' in client.get(f"/inspections/opinions/{op['id']}").text
    answer = client.get(url)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].endswith("wordprocessingml.document")
    assert "监督意见书-苏纪监意〔2018〕1号.docx" in unquote(answer.headers["content-disposition"])
    lines = _text(answer.content)
    assert lines[:3] == ["监督意见书", "苏纪监意〔2018〕1号", "相城区黄埭镇："]
    assert "2018年污染防治攻坚战专项巡察" in lines[3] and "相城区黄埭镇冯梦龙村" in lines[3]
    body = "\n".join(lines)
    for expected in (
        "一、发现的主要问题",
        "村内河道沿岸违规堆放垃圾，长效管护缺失",
        "二、整改要求",
        "建立河道长效管护机制",
        "三、回复要求",
        "请于2018年6月11日前报送整改方案",
        "请于2018年7月10日前报送整改情况报告",
    ):
        assert expected in body, expected
    assert lines[-2:] == ["苏州市纪委监委", "2018年5月10日"]

    # the town it is addressed to reads the same document; another area's unit does not
    page_login(client, "xc_huangdai")
    assert _text(client.get(url).content) == lines
    page_login(client, "ks_epb")
    assert client.get(url).status_code == 404

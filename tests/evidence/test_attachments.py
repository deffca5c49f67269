"""Evidence upload: content-addressed, type sniffed from bytes, limited in size, scoped."""

from __future__ import annotations

import hashlib
import io
import zipfile

from fastapi.testclient import TestClient

from tests.conftest import login
from tests.test_api import _file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _upload(client: TestClient, headers: dict[str, str], pid: object, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/problems/{pid}/attachments", files={"file": (name, data)}, headers=headers
    )


def test_photo_pdf_and_docx_are_kept_by_hash_and_served_in_scope(
    client: TestClient, settings
) -> None:  # type: ignore[no-untyped-def]
    city = login(client, "city")
    problem = _file(client, city)
    for name, data in (("现场.png", PNG), ("报告.pdf", PDF), ("方案.docx", _docx())):
        response = _upload(client, city, problem["id"], name, data)
        assert response.status_code == 201, response.text
        digest = hashlib.sha256(data).hexdigest()
        assert response.json()["sha256"] == digest
        stored = settings.attachments_path / digest[:2] / digest[2:4] / digest
        assert stored.read_bytes() == data
    listing = client.get(f"/api/v1/problems/{problem['id']}/attachments", headers=city).json()
    assert [a["filename"] for a in listing] == ["现场.png", "报告.pdf", "方案.docx"]
    first = listing[0]["id"]
    served = client.get(f"/api/v1/attachments/{first}", headers=city)
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert (
        client.get(f"/api/v1/attachments/{first}", headers=login(client, "wujiang")).status_code
        == 404
    )
    timeline = client.get(f"/api/v1/problems/{problem['id']}/timeline", headers=city).json()
    assert [e["action"] for e in timeline].count("attachment.add") == 3


def test_wrong_type_is_refused_and_nothing_kept(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    city = login(client, "city")
    problem = _file(client, city)
    for name, data in (
        ("photo.png", b"<html><script>alert(1)</script></html>"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("photo.pdf", PNG),  # real PNG named .pdf: bytes and name disagree
        ("fake.docx", b"PK\x03\x04not a zip"),
    ):
        response = _upload(client, city, problem["id"], name, data)
        assert response.status_code == 422, name
        assert "不支持的文件类型" in response.json()["error"]["message"]
    assert client.get(f"/api/v1/problems/{problem['id']}/attachments", headers=city).json() == []
    assert not settings.attachments_path.exists() or not any(settings.attachments_path.rglob("*"))


def test_oversized_file_is_413(client: TestClient, rt) -> None:  # type: ignore[no-untyped-def]
    rt.settings.max_upload_bytes = 1024
    city = login(client, "city")
    problem = _file(client, city)
    response = _upload(client, city, problem["id"], "big.png", PNG + b"\x00" * 2048)
    assert response.status_code == 413


def test_path_traversal_name_is_only_a_label(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    city = login(client, "city")
    problem = _file(client, city)
    response = _upload(client, city, problem["id"], "../../../../etc/passwd.png", PNG)
    assert response.status_code == 201
    assert response.json()["filename"] == "passwd.png"
    outside = settings.attachments_path.parent.parent / "passwd.png"
    assert not outside.exists()


def test_out_of_scope_upload_is_404_and_supervisor_403(client: TestClient) -> None:
    city = login(client, "city")
    problem = _file(client, city)
    assert _upload(client, login(client, "wujiang"), problem["id"], "a.png", PNG).status_code == 404
    assert _upload(client, login(client, "jiwei"), problem["id"], "a.png", PNG).status_code == 403

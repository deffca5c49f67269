"""``eco263 enforcement export`` run through its real command (CliRunner, both databases): the
案卷, every document and evidence file, and a manifest whose SHA-256 match the files re-hashed,
the same digests printed in the 案卷's closing 文件清单; a ZIP the same; an unknown case, a case
out of scope, the party concerned, a case not yet filed and an unknown user each a clear
Chinese error with a non-zero exit and nothing written."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eco263.cli import app
from eco263.config import get_settings
from eco263.enforcement import actions
from eco263.enforcement.enums import Outcome
from eco263.enforcement.schemas import EvidenceIn
from eco263.runtime import Runtime
from tests.enforcement.test_documents import ARTICLE, at, docx_text, open_case, pdf_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


@pytest.fixture
def cli_env(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ECO263_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("ECO263_ATTACHMENTS_DIR", str(rt.settings.attachments_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["enforcement", "export", *args])
    return result.exit_code, result.output


def served_case(rt: Runtime, as_user) -> int:  # type: ignore[no-untyped-def]
    """The 依利安达 case filed, notified, decided and served, with a photo file as evidence."""
    case_id = open_case(rt, as_user)
    with as_user("ks_epb", at(date(2018, 5, 9))) as ctx:
        actions.do_add_evidence(
            ctx,
            case_id,
            EvidenceIn(
                kind="photo",
                title="采样管照片",
                source="现场拍摄",
                collected_by="钱科长",
                collected_at=at(date(2018, 5, 8), 23),
            ),
            filename="../采样管.png",
            data=PNG,
        )
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    with as_user("ks_epb", at(date(2018, 5, 10))) as ctx:
        actions.do_finish_investigation(
            ctx, case_id, article=ARTICLE, proposed_fine=150_000, facts="总排口废水总铜超标"
        )
        actions.do_notify(ctx, case_id, received_on=date(2018, 5, 10))
    with as_user("ks_epb_head", at(date(2018, 5, 18))) as ctx:
        actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 18), fine=150_000
        )
    with as_user("ks_epb", at(date(2018, 5, 21))) as ctx:
        actions.do_serve(ctx, case_id, served_on=date(2018, 5, 21))
    return case_id


def _check(files: dict[str, bytes], case_id: int) -> None:
    manifest = json.loads(files["manifest.json"])
    assert manifest["case_id"] == case_id and manifest["algorithm"] == "sha256"
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for path, entry in listed.items():  # re-hash every file
        assert hashlib.sha256(files[path]).hexdigest() == entry["sha256"], path
        assert len(files[path]) == entry["size"]
    dossier = f"案卷-{case_id}.pdf"
    names = {
        dossier,
        f"文书/立案审批表-{case_id}.pdf",
        f"文书/行政处罚事先（听证）告知书-{case_id}.docx",
        f"文书/行政处罚决定书-{case_id}.pdf",
        f"文书/送达回证-{case_id}.pdf",
        f"文书/送达回证-{case_id}.docx",
        "证据/002-采样管.png",
    }
    assert names <= set(listed)
    assert not any("移送书" in p or "结案审批表" in p for p in listed)  # steps not reached
    assert files["证据/002-采样管.png"] == PNG
    assert "送达回证" in docx_text(files[f"文书/送达回证-{case_id}.docx"])
    pages = pdf_text(files[dossier])
    assert "行政处罚案卷" in pages[0] and "文件清单" in pages[0]  # in the 卷内目录
    last = re.sub(r"\s", "", "".join(p for p in pages if p.lstrip().startswith("文件清单")))
    assert last, "the 文件清单 closes the 案卷"
    for path, entry in listed.items():
        if path != dossier:
            assert entry["sha256"] in last, path
    assert re.sub(r"\s", "", pages[-1]).startswith("文件清单") or "文件清单" in pages[-2]


@pytest.mark.usefixtures("cli_env")
def test_export_to_a_folder_and_to_a_zip(rt: Runtime, as_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case_id = served_case(rt, as_user)
    folder = tmp_path / "out"
    code, out = _run(str(case_id), "--output", str(folder), "--as", "ks_epb")
    assert code == 0, out
    assert "已导出案件 昆山市环保局〔2018〕第" in out
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
    _check(files, case_id)

    archive = tmp_path / "zip" / "案卷.zip"
    code, out = _run(str(case_id), "-o", str(archive), "--as", "kunshan")
    assert code == 0, out
    with zipfile.ZipFile(archive) as z:
        _check({n: z.read(n) for n in z.namelist()}, case_id)


@pytest.mark.usefixtures("cli_env")
def test_export_refusals_are_clear_and_write_nothing(rt: Runtime, as_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)  # not filed yet
    out = tmp_path / "out"
    for args, words in (
        (("99999", "--as", "ks_epb"), "案件不存在"),
        ((str(case_id), "--as", "wujiang"), "案件不存在"),  # out of scope
        ((str(case_id), "--as", "yld"), "案件不存在"),  # the party concerned
        ((str(case_id), "--as", "nobody"), "没有用户 nobody"),
        ((str(case_id), "--as", "ks_epb"), "尚未立案"),
    ):
        code, text = _run(args[0], "--output", str(out), *args[1:])
        assert code == 1, (args, text)
        assert words in text and "导出失败" in text and "Traceback" not in text, (args, text)
        assert not out.exists()
    code, text = _run("abc", "--output", str(out), "--as", "ks_epb")
    assert code == 2 and not out.exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    code, text = _run(str(case_id), "--output", str(blocker), "--as", "ks_epb")
    assert code == 1 and "不是文件夹" in text
    assert blocker.read_text() == "x"

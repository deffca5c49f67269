"""The later documents of a penalty case — 送达回证 (once the 决定书 is served) and 案件移送书
(once the case went to the police) — and the 文件清单 that closes an exported 案卷 with the
SHA-256 of every file exported with it.  Blocks only; :mod:`documents` renders them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from eco263.enforcement.enums import DOC_LABELS, DocKind
from eco263.web.pdf import Block, Fields, Form, Grid, Section, Text

if TYPE_CHECKING:
    from eco263.enforcement.documents import CaseSheet


def cn_date(d: date | None) -> str:
    return "—" if d is None else f"{d.year}年{d.month}月{d.day}日"


def party_rows(s: CaseSheet) -> list[tuple[str, str]]:
    rows = [("当事人", s.case.party_name)]
    if s.party_uscc:
        rows.append(("统一社会信用代码", s.party_uscc))
    if s.party_address:
        rows.append(("地址", s.party_address))
    return rows


def service_form(s: CaseSheet) -> Form:
    """送达回证 of the 行政处罚决定书: what was served, on whom, where, when, by whom."""
    c = s.case
    rows = [
        ("送达文书", f"{DOC_LABELS[DocKind.DECISION]}（{s.number}）"),
        ("受送达人", c.party_name),
        ("送达地点", s.party_address or "—"),
        ("送达日期", cn_date(c.served_on)),
        ("送达人", s.who(c.investigator_id)),
        ("受送达人签收", "　"),
        ("备注", "受送达人拒绝签收的，送达人应当注明情况，并由见证人签名。"),
    ]
    return Form(
        DOC_LABELS[DocKind.SERVICE],
        f"案号：{s.number}",
        [Fields(rows), Text(f"{s.unit}\n{cn_date(c.served_on)}")],
    )


def transfer_form(s: CaseSheet) -> Form:
    """案件移送书 to the police, copied to the procuratorate (移送涉嫌犯罪案件的规定)."""
    c = s.case
    day, reference = s.transfer if s.transfer else (None, "")
    body = (
        "公安机关：\n"
        f"　　本机关办理的“{c.title}”一案，经调查，{(c.facts or c.title).rstrip('。；，')}，"
        f"当事人{c.party_name}涉嫌犯罪。"
        "根据《中华人民共和国行政处罚法》第二十七条和《行政执法机关移送涉嫌犯罪案件的规定》"
        "第三条的规定，现将该案移送你单位依法处理，请于收到之日起依法审查并书面告知本机关。\n"
        "　　抄送：同级人民检察院。"
    )
    rows = [
        ("案号", s.number),
        ("移送编号", reference or "—"),
        *party_rows(s),
        ("移送日期", cn_date(day)),
        ("附送材料", f"执法笔录 {len(s.records)} 份；证据清单所列证据 {len(s.evidence)} 项"),
        ("承办人", s.who(c.investigator_id)),
    ]
    return Form(
        DOC_LABELS[DocKind.TRANSFER],
        f"案号：{s.number}",
        [Text(body), Fields(rows), Text(f"{s.unit}\n{cn_date(day)}")],
    )


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One exported file: its path in the export, its size and SHA-256."""

    path: str
    size: int
    sha256: str


def files_form(s: CaseSheet, files: Sequence[FileEntry], on: date) -> Form:
    """文件清单: every other file of the export with its SHA-256 (the 案卷's own digest, which
    cannot be printed inside it, is in the manifest next to it)."""
    rows = [[str(i), f"{f.path}（{f.size} 字节）\n{f.sha256}"] for i, f in enumerate(files, 1)]
    blocks: list[Block] = [
        Text(
            f"本案卷于 {cn_date(on)} 导出，随卷文件 {len(files)} 个，校验算法 SHA-256。"
            "本案卷文件本身的校验值见随附清单文件（manifest.json）。"
        ),
        Section("随卷文件及校验值"),
        Grid(["序号", "文件（大小）及 SHA-256 校验值"], rows, [14, 156])
        if rows
        else Text("无随卷文件。"),
    ]
    return Form("文件清单", f"案号：{s.number}", blocks)

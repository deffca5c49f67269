"""The documents of a penalty case, generated from its record: 立案审批表,
行政处罚事先（听证）告知书, 行政处罚决定书, 结案审批表, the 全过程 records
(现场检查（勘察）笔录, 调查询问笔录), the 证据清单, and the 案卷 that puts them all in
order behind a cover and a 卷内目录 — as DOCX (python-docx, :mod:`eco263.web.docx`) and PDF
(ReportLab, :mod:`eco263.web.pdf`), from the same blocks.

A document exists only once the case has reached its step (:func:`rules.document_refusal`:
a Chinese 409 otherwise).  Who may read which is :func:`service.case_for_document`: the party
concerned reads only the 告知书 and the 决定书 served on it, which carry no internal approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.auth.service import user_names
from eco263.enforcement import rules, service
from eco263.enforcement.doc_forms import (
    FileEntry,
    cn_date,
    files_form,
    party_rows,
    service_form,
    transfer_form,
)
from eco263.enforcement.enums import (
    DOC_LABELS,
    EVIDENCE_LABELS,
    OUTCOME_LABELS,
    RECORD_LABELS,
    SOURCE_LABELS,
    CaseSource,
    DocKind,
    EvidenceKind,
    Outcome,
    RecordKind,
)
from eco263.enforcement.models import CaseEvidence, CaseRecord, PenaltyCase
from eco263.errors import Conflict, NotFound
from eco263.registry import service as registry
from eco263.web.docx import forms_docx
from eco263.web.pdf import Block, Fields, Form, Grid, Section, Text, forms_pdf
from eco263.web.templating import local_time

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True, slots=True)
class CaseSheet:
    """Everything the documents print of one case, read once."""

    case: PenaltyCase
    number: str
    unit: str
    division: str
    party_address: str
    party_uscc: str
    article: str
    names: dict[int, str]
    records: list[CaseRecord]
    evidence: list[CaseEvidence]
    #: When the case went to the police and the transfer's reference, if it did.
    transfer: tuple[date, str] | None = None

    def who(self, user_id: int | None) -> str:
        return self.names.get(user_id, "—") if user_id is not None else "—"


def case_number(unit: str, year: int, case_id: int) -> str:
    """The case's number in the office's form: ``常熟市环保局〔2018〕第3号``."""
    return f"{unit}〔{year}〕第{case_id}号"


def sheet(session: Session, case: PenaltyCase) -> CaseSheet:
    unit = registry.organization_names(session, {case.organization_id}).get(
        case.organization_id, ""
    )
    address = uscc = ""
    if case.enterprise_id is not None:
        enterprise = registry.get_enterprise(session, case.enterprise_id)
        address, uscc = enterprise.address or "", enterprise.uscc
    articles = rules.load_articles()
    people = {
        case.opened_by,
        case.investigator_id,
        case.filed_by,
        case.legal_reviewed_by,
        case.decided_by,
        case.closed_by,
    }
    return CaseSheet(
        case=case,
        number=case_number(unit, (case.filed_on or case.found_on).year, case.id),
        unit=unit,
        division=registry.division_name(session, case.division_code) or "",
        party_address=address,
        party_uscc=uscc,
        article=articles[case.article].title if case.article in articles else "",
        names=user_names(session, {p for p in people if p is not None}),
        records=service.records_of(session, case.id),
        evidence=service.evidence_of(session, case.id),
        transfer=service.transfer_of(session, case),
    )


# -- the documents -------------------------------------------------------------------------------


_party = party_rows


def filing_form(s: CaseSheet) -> Form:
    c = s.case
    rows = [
        ("案号", s.number),
        ("案件名称", c.title),
        ("案件来源", SOURCE_LABELS[CaseSource(c.source)]),
        *_party(s),
        ("发现日期", cn_date(c.found_on)),
        ("案情摘要", c.facts or "—"),
        ("承办单位", f"{s.unit}（{s.division}）"),
        ("承办人", s.who(c.investigator_id)),
        ("立案期限", f"{cn_date(c.filing_due)}（{c.filing_due_reason}）"),
    ]
    approval = f"同意立案。\n审批人：{s.who(c.filed_by)}　　{cn_date(c.filed_on)}"
    return Form(
        DOC_LABELS[DocKind.FILING],
        f"案号：{s.number}",
        [Fields(rows), Section("负责人审批意见"), Text(approval)],
    )


def notice_form(s: CaseSheet) -> Form:
    c = s.case
    fine = f"罚款人民币 {c.proposed_fine} 元" if c.proposed_fine is not None else "行政处罚"
    rights = "陈述、申辩的权利"
    if c.hearing_right:
        rights = "陈述、申辩和要求举行听证的权利"
    body = (
        f"{c.party_name}：\n"
        f"　　经调查，本机关认定你（单位）存在以下违法行为：{c.facts or c.title}\n"
        f"　　依据{s.article or '有关法律规定'}，本机关拟对你（单位）作出如下行政处罚：{fine}。\n"
        f"　　根据《中华人民共和国行政处罚法》第四十四条、第四十五条"
        f"{'、第六十三条、第六十四条' if c.hearing_right else ''}的规定，你（单位）享有{rights}。"
        f"如需陈述、申辩{'或者要求听证' if c.hearing_right else ''}，"
        f"请于 {cn_date(c.statement_until)} 前向本机关提出，逾期视为放弃上述权利。"
    )
    rows = [
        *_party(s),
        ("拟处罚依据", s.article or "—"),
        ("拟处罚", fine),
        ("收到告知书日期", cn_date(c.notified_on)),
        ("陈述申辩期限", cn_date(c.statement_until)),
    ]
    return Form(
        DOC_LABELS[DocKind.NOTICE],
        f"案号：{s.number}",
        [Text(body), Fields(rows), Text(f"{s.unit}\n{cn_date(c.notified_on)}")],
    )


def decision_form(s: CaseSheet) -> Form:
    c = s.case
    proofs = "、".join(e.title for e in s.evidence) or "现场检查（勘察）笔录、调查询问笔录"
    body = (
        f"　　当事人：{c.party_name}\n"
        f"　　经查，{c.facts or c.title}\n"
        f"　　以上事实有{proofs}等证据为证。\n"
        f"　　本机关已于 {cn_date(c.notified_on)} 告知你（单位）拟作出行政处罚的事实、理由、依据"
        f"及依法享有的权利{'，并依法举行了听证' if c.hearing_held_on else ''}。\n"
        f"　　依据{s.article or '有关法律规定'}，"
        f"本机关决定对你（单位）处以罚款人民币 {c.fine} 元。\n"
        "　　你（单位）应当自收到本决定书之日起十五日内缴纳罚款；到期不缴纳的，每日按罚款数额的"
        "百分之三加处罚款，加处罚款的数额不超过罚款数额。\n"
        "　　如不服本决定，可以在收到本决定书之日起六十日内申请行政复议，或者在六个月内依法向"
        "人民法院提起行政诉讼。"
    )
    rows = [
        *_party(s),
        ("处罚依据", s.article or "—"),
        ("处罚决定", f"罚款人民币 {c.fine} 元"),
        ("决定日期", cn_date(c.decided_on)),
        ("送达日期", cn_date(c.served_on)),
        ("缴纳期限", cn_date(c.payment_due)),
    ]
    return Form(
        DOC_LABELS[DocKind.DECISION],
        f"案号：{s.number}",
        [Text(body), Fields(rows), Text(f"{s.unit}\n{cn_date(c.decided_on)}")],
    )


def closing_form(s: CaseSheet) -> Form:
    c = s.case
    outcome = OUTCOME_LABELS[Outcome(c.outcome)] if c.outcome else "—"
    paid = "—"
    if c.paid_on is not None:
        paid = f"{cn_date(c.paid_on)} 缴纳 {c.paid_amount} 元（其中加处罚款 {c.surcharge or 0} 元）"
    rows = [
        ("案号", s.number),
        ("案件名称", c.title),
        *_party(s),
        ("立案日期", cn_date(c.filed_on)),
        ("处理结果", outcome + ("（集体讨论决定）" if c.collective else "")),
        ("罚款", f"{c.fine} 元" if c.fine is not None else "—"),
        ("决定日期", cn_date(c.decided_on)),
        ("送达日期", cn_date(c.served_on)),
        ("执行情况", paid),
        ("承办人", s.who(c.investigator_id)),
    ]
    approval = f"同意结案。\n审批人：{s.who(c.closed_by)}　　{cn_date(c.closed_on)}"
    return Form(
        DOC_LABELS[DocKind.CLOSING],
        f"案号：{s.number}",
        [Fields(rows), Section("负责人审批意见"), Text(approval)],
    )


def officers_text(record: CaseRecord) -> str:
    return "、".join(f"{o['name']}（执法证 {o['badge']}）" for o in record.officers)


def record_form(s: CaseSheet, record: CaseRecord) -> Form:
    kind = RecordKind(record.kind)
    rows = [
        ("时间", f"{local_time(record.started_at)} 至 {local_time(record.ended_at)}"),
        ("地点", f"{record.place}（东经 {record.lon:.5f}，北纬 {record.lat:.5f}）"),
        ("执法人员", officers_text(record)),
        ("在场当事人", f"{record.party_present}（{record.party_role}）"),
        ("当事人", s.case.party_name),
    ]
    blocks: list[Block] = [
        Fields(rows),
        Text("执法人员已出示执法证件，告知当事人依法享有的权利和义务。"),
    ]
    if kind == RecordKind.INSPECTION:
        blocks += [Section("检查（勘察）情况"), Text(str(record.content.get("findings", "")))]
        if record.content.get("measures"):
            blocks += [Section("现场采取的措施"), Text(str(record.content["measures"]))]
    else:
        qa = record.content.get("qa", [])
        blocks += [Section("询问内容"), Text("\n".join(f"问：{p['q']}\n答：{p['a']}" for p in qa))]
    names = "、".join(o["name"] for o in record.officers)
    blocks.append(Text(f"执法人员签名：{names}　　当事人签名：{record.party_present}"))
    return Form(RECORD_LABELS[kind], f"案号：{s.number}　笔录第 {record.id} 号", blocks)


def evidence_form(s: CaseSheet) -> Form:
    rows = [
        [
            str(i),
            e.title,
            EVIDENCE_LABELS[EvidenceKind(e.kind)],
            e.source,
            e.collected_by,
            local_time(e.collected_at),
            _link(e),
        ]
        for i, e in enumerate(s.evidence, start=1)
    ]
    header = ["序号", "证据名称", "种类", "来源", "收集人", "收集时间", "载体"]
    blocks: list[Block] = [Grid(header, rows, [10, 34, 18, 26, 18, 26, 38])]
    if not rows:
        blocks = [Text("本案尚未登记证据。")]
    return Form("证据清单", f"案号：{s.number}", blocks)


def _link(e: CaseEvidence) -> str:
    parts = []
    if e.record_id is not None:
        parts.append(f"执法笔录第 {e.record_id} 号")
    if e.sha256:
        parts.append(f"{e.filename}（校验码 {e.sha256[:16]}…）")
    return "；".join(parts)


def dossier_forms(
    s: CaseSheet, files: Sequence[FileEntry] | None = None, on: date | None = None
) -> list[Form]:
    """The 案卷: a cover, the 卷内目录, then every document and record in the order of the case;
    with ``files`` (an export), a closing 文件清单 of them with their SHA-256."""
    c = s.case
    facts = service.facts_of(c, s.transfer[0] if s.transfer else None)
    # Sort keys: a record by its start (Beijing time); a document dated by a day only after the
    # records of that day (the on-site act comes before the approval it leads to); the
    # evidence list just before the notice (the investigation's end), or last.
    dated: list[tuple[str, str, Form]] = [
        (local_time(r.started_at), local_time(r.started_at), record_form(s, r)) for r in s.records
    ]
    evidence_day = max((local_time(e.collected_at) for e in s.evidence), default="—")
    evidence_key = f"{c.notified_on} 23:59:1" if c.notified_on else "9999"
    dated.append((evidence_key, evidence_day, evidence_form(s)))
    for order, (kind, day) in enumerate(
        (
            (DocKind.FILING, c.filed_on),
            (DocKind.NOTICE, c.notified_on),
            (DocKind.DECISION, c.decided_on),
            (DocKind.SERVICE, c.served_on),
            (DocKind.TRANSFER, facts.transferred_on),
            (DocKind.CLOSING, c.closed_on),
        )
    ):
        if rules.document_refusal(kind, facts) is None:
            dated.append((f"{day} 23:59:{order * 2}", cn_date(day), BUILDERS[kind](s)))
    dated.sort(key=lambda x: x[0])
    forms = [f for _, _, f in dated]
    days = [d for _, d, _ in dated]
    if files is not None and on is not None:
        forms.append(files_form(s, files, on))
        days.append(cn_date(on))
    toc = Grid(
        ["序号", "文书名称", "日期"],
        [[str(i), f.title, d] for i, (f, d) in enumerate(zip(forms, days, strict=True), start=1)],
        [15, 110, 45],
    )
    cover = Form(
        "行政处罚案卷",
        f"案号：{s.number}",
        [
            Fields(
                [
                    ("案件名称", c.title),
                    *_party(s),
                    ("办案单位", f"{s.unit}（{s.division}）"),
                    ("立案日期", cn_date(c.filed_on)),
                    ("处理结果", OUTCOME_LABELS[Outcome(c.outcome)] if c.outcome else "办理中"),
                    ("结案日期", cn_date(c.closed_on)),
                    ("卷内文书", f"{len(forms)} 份"),
                ]
            ),
            Section("卷内目录"),
            toc,
        ],
    )
    return [cover, *forms]


BUILDERS = {
    DocKind.FILING: filing_form,
    DocKind.NOTICE: notice_form,
    DocKind.DECISION: decision_form,
    DocKind.SERVICE: service_form,
    DocKind.TRANSFER: transfer_form,
    DocKind.CLOSING: closing_form,
}


def render(session: Session, case: PenaltyCase, kind: DocKind, fmt: str) -> tuple[bytes, str]:
    """Document ``kind`` of ``case`` as ``fmt`` (pdf, docx) and its file name; a Conflict (409)
    naming the missing step when the case has not reached it.  The caller checked the reader."""
    refusal = rules.document_refusal(kind, service.full_facts(session, case))
    if refusal:
        raise Conflict(refusal, state=case.state)
    s = sheet(session, case)
    forms = dossier_forms(s) if kind == DocKind.DOSSIER else [BUILDERS[kind](s)]
    title = f"{DOC_LABELS[kind]}（{s.number}）"
    footer = s.number
    data = (
        forms_pdf(forms, footer, title=title)
        if fmt == "pdf"
        else forms_docx(forms, footer, title=title)
    )
    return data, f"{DOC_LABELS[kind]}-{case.id}.{fmt}"


def listing(
    session: Session, case: PenaltyCase, *, party: bool, base: str
) -> list[dict[str, object]]:
    """The case's documents for a reader: available or why not, with their links."""
    facts = service.full_facts(session, case)
    out: list[dict[str, object]] = []
    for kind in DocKind:
        if party and rules.hidden_from_party(kind, facts):
            continue
        refusal = rules.document_refusal(kind, facts)
        link = f"{base}/{case.id}/documents/{kind.value}"
        out.append(
            {
                "kind": kind.value,
                "title": DOC_LABELS[kind],
                "available": refusal is None,
                "reason": refusal,
                "docx": None if refusal else f"{link}.docx",
                "pdf": None if refusal else f"{link}.pdf",
            }
        )
    return out


def fetch(session: Session, actor: Actor, case_id: int, name: str) -> tuple[bytes, str, str]:
    """``name`` (``decision.pdf``) of case ``case_id`` for ``actor``: bytes, media type, file
    name.  An unknown name or a reader who may not have it is a 404; a step not reached a 409."""
    kind_text, _, fmt = name.partition(".")
    if fmt not in FORMATS or kind_text not in {k.value for k in DocKind}:
        raise NotFound("文书")
    kind = DocKind(kind_text)
    case = service.case_for_document(session, actor, case_id, kind)
    data, filename = render(session, case, kind, fmt)
    return data, FORMATS[fmt], filename


def disposition(filename: str) -> dict[str, str]:
    """Headers of a download with a Chinese file name (RFC 6266 ``filename*``)."""
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
        "X-Content-Type-Options": "nosniff",
    }

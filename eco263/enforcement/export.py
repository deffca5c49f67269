"""Export of a case's whole file (``eco263 enforcement export``): the 案卷 PDF, every document
the case has reached as PDF and DOCX, every evidence file as kept, and a manifest with the size
and SHA-256 of each.  The 案卷 ends with a 文件清单 of every other file and its SHA-256 (its own
digest is in the manifest).  A read: the reader must have the case in scope, and the party
concerned never exports a file (it reads only the documents served on it)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.enforcement import documents, rules, service
from eco263.enforcement.doc_forms import FileEntry
from eco263.enforcement.enums import DOC_LABELS, DocKind
from eco263.errors import Conflict, NotFound
from eco263.evidence.store import BlobStore
from eco263.web.docx import forms_docx
from eco263.web.pdf import forms_pdf

MANIFEST = "manifest.json"


@dataclass(slots=True)
class CaseExport:
    """The files of one exported case, in order (the 案卷 first), and its manifest."""

    case_id: int
    number: str
    files: dict[str, bytes] = field(default_factory=dict)
    entries: list[FileEntry] = field(default_factory=list)

    def add(self, path: str, data: bytes) -> FileEntry:
        entry = FileEntry(path, len(data), hashlib.sha256(data).hexdigest())
        self.files[path] = data
        self.entries.append(entry)
        return entry

    def manifest(self, exported_at: datetime) -> bytes:
        body = {
            "case_id": self.case_id,
            "case_number": self.number,
            "exported_at": exported_at.isoformat(),
            "algorithm": "sha256",
            "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.entries],
        }
        return json.dumps(body, ensure_ascii=False, indent=2).encode()


def _safe_name(name: str) -> str:
    """A stored file name reduced to its last part, with nothing that leaves the folder."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip().lstrip(".")
    return base or "证据文件"


def export_case(
    session: Session, actor: Actor, case_id: int, blobs: BlobStore, today: date, now: datetime
) -> CaseExport:
    """Every file of case ``case_id`` for ``actor``: NotFound (404) when the case is unknown,
    out of scope or the actor is the party concerned; Conflict (409) before 立案 (no 案卷)."""
    if service.is_party(actor):
        raise NotFound("案件")
    case = service.get_case(session, actor, case_id)
    facts = service.full_facts(session, case)
    refusal = rules.document_refusal(DocKind.DOSSIER, facts)
    if refusal:
        raise Conflict(refusal, state=case.state)
    sheet = documents.sheet(session, case)
    out = CaseExport(case.id, sheet.number)
    body = CaseExport(case.id, sheet.number)  # everything but the 案卷, listed inside it
    for kind in DocKind:
        if kind == DocKind.DOSSIER or rules.document_refusal(kind, facts):
            continue
        form = documents.BUILDERS[kind](sheet)
        title = f"{DOC_LABELS[kind]}（{sheet.number}）"
        stem = f"文书/{DOC_LABELS[kind]}-{case.id}"
        body.add(f"{stem}.pdf", forms_pdf([form], sheet.number, title=title))
        body.add(f"{stem}.docx", forms_docx([form], sheet.number, title=title))
    for i, item in enumerate(sheet.evidence, start=1):
        if item.sha256 is None:
            continue
        try:
            data = blobs.get(item.sha256)
        except OSError:
            raise Conflict(
                f"证据“{item.title}”的文件在存储中缺失（校验码 {item.sha256}），不能导出案卷",
                state=case.state,
            ) from None
        body.add(f"证据/{i:03d}-{_safe_name(item.filename or '证据文件')}", data)
    forms = documents.dossier_forms(sheet, body.entries, today)
    title = f"{DOC_LABELS[DocKind.DOSSIER]}（{sheet.number}）"
    out.add(f"案卷-{case.id}.pdf", forms_pdf(forms, sheet.number, title=title))
    for entry in body.entries:
        out.add(entry.path, body.files[entry.path])
    out.files[MANIFEST] = out.manifest(now)
    return out

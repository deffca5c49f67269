"""Which files are accepted as evidence, judged by their bytes, not by the name the client sent."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

#: magic prefix → (content type, allowed filename endings)
_SIGNATURES: list[tuple[bytes, str, tuple[str, ...]]] = [
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage", (".doc", ".xls", ".ppt")),
]

_OOXML = {
    ".docx": ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}

ACCEPTED_LABEL = "照片（JPG/PNG）、PDF、办公文档（DOC/DOCX/XLS/XLSX/PPT/PPTX）"


def sniff(data: bytes, filename: str) -> str | None:
    """The content type if the bytes are an accepted kind matching the name's ending, else None."""
    ending = _ending(filename)
    for magic, content_type, endings in _SIGNATURES:
        if data.startswith(magic):
            return content_type if ending in endings else None
    if data.startswith(b"PK\x03\x04") and ending in _OOXML:
        return _sniff_ooxml(data, ending)
    return None


def _sniff_ooxml(data: bytes, ending: str) -> str | None:
    folder, content_type = _OOXML[ending]
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" in names and any(n.startswith(folder) for n in names):
        return content_type
    return None


def _ending(filename: str) -> str:
    match = re.search(r"(\.[A-Za-z0-9]{1,5})$", filename)
    return match.group(1).lower() if match else ""


def safe_filename(filename: str) -> str:
    """Keep only the last path component, printable, at most 200 chars; it is a label only."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return (name or "附件")[-200:]

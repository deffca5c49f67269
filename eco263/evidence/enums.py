"""Evidence vocabulary: what the evidence store records in the audit chain."""

from __future__ import annotations

from eco263.vocabulary import LabelledAction


class AuditAction(LabelledAction):
    ATTACH = ("attachment.add", "上传材料")

"""An audit chain checker written from docs/audit-chain.md alone: json and hashlib, no
eco263 import (docs/audit-chain.md shows this code verbatim; a test keeps them equal)."""

import hashlib
import json


def check_chain(export_lines, witness_lines=()):
    problems, hashes, prev, first, seq = [], {}, None, None, None
    for line in export_lines:
        event = json.loads(line)
        if prev is None:  # the export may start anywhere: trust its first link
            prev, first, seq = event["prev_hash"], event["seq"], event["seq"]
            hashes[seq - 1] = prev
        fields = {k: v for k, v in event.items() if k not in ("prev_hash", "hash")}
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
        if event["seq"] != seq or event["prev_hash"] != prev or event["hash"] != digest:
            problems.append(f"event {event['seq']}: does not fit the chain")
        hashes[event["seq"]], prev, seq = event["hash"], event["hash"], event["seq"] + 1
    for witness in map(json.loads, witness_lines):
        found = hashes.get(witness["seq"], "missing" if witness["seq"] >= (first or 1) else None)
        if found is not None and found != witness["hash"]:
            problems.append(f"event {witness['seq']}: witnessed {witness['hash']}, found {found}")
    return problems

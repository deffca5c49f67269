"""The reference receiver: the 智慧监督 side of docs/supervision-api.yaml, runnable.

``eco263 supervision-receiver`` verifies signatures (with secret rotation), refuses stale
timestamps and replays, deduplicates clues by idempotency key, stores them in its own
small database (a SQLite file by default, tables ``rx_clue`` and ``rx_sent``; any
SQLAlchemy URL works), and sends clue statuses, 监督意见书 and 问责 back to eco263.
Integration tests and ``make demo`` run it; a commission without a platform can too.
"""

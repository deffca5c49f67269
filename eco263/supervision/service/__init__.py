"""Supervision's reads.

:mod:`.clues` (the clues in a reader's jurisdiction, who may do what, the reads the rules
need), :mod:`.documents` (a clue's evidence and the document sent to the platform, one clue
or a batch), :mod:`.deliveries` (a clue's outbox delivery and the delivery health),
:mod:`.record` (one clue with everything the commission checks).
"""

"""Supervision's writes (``do_*``): clues opened with their evidence and delivery, in the
cause's transaction.

One module per concern: :mod:`.clues` (the one clue-draft shape and opening clues, one or a
batch), :mod:`.rules_checks` (the rules' entry points, called where the cause happens — ledger
events, the sweep, monitoring and enforcement), :mod:`.manual` (人工移送 by the city office),
:mod:`.delivery` (what the outbox worker records).  What comes back from the platform is
:mod:`eco263.supervision.inbound`.
"""

"""系统管理: accounts, units and monitoring points, for the 263 offices (pages and CLI).

The writes are the owning packages' actions (``auth.admin``, ``registry.actions``,
``monitoring.actions``); this package only gathers what a unit's deactivation must know from
the ledger and puts the pages together.
"""

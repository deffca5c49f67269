"""驾驶舱: the read-only dashboard on top of the domains (see :mod:`eco263.dashboard.service`)."""

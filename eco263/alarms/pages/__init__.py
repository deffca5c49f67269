"""Pages of the alarms domain: the live-monitoring console on top of monitoring and alarms.

* :mod:`.points` — 在线监测: the points with their latest values and unclosed alarms, and a
  point's page with its chart and its alarms;
* :mod:`.alarms` — 监测告警: the alarm list and an alarm's detail.

One router for ``app.py`` to mount.
"""

from __future__ import annotations

from fastapi import APIRouter

from eco263.alarms.pages import alarms, points
from eco263.web.routing import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
router.include_router(points.router)
router.include_router(alarms.router)

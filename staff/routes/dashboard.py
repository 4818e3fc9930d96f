"""The overview page: a few charts people would rather look at than read."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from staff import charts, dashboard, summary
from staff.access import Staff
from staff.deps import config, current_staff, db
from staff.templating import percent, render

router = APIRouter()
CACHE_SECONDS = 30  # the figures aggregate weeks of data; half a minute old is fresh enough
_cache: dict[tuple, tuple[float, dashboard.Overview]] = {}


def _overview(session: Session, staff: Staff) -> dashboard.Overview:
    key = (str(session.get_bind().url), staff.id, staff.role, staff.regions)
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    data = dashboard.overview(session, staff)
    if len(_cache) > 500:
        _cache.clear()
    _cache[key] = (time.monotonic(), data)
    return data


@router.get("/", name="dashboard")
def overview(request: Request, staff: Staff = Depends(current_staff), session: Session = Depends(db)) -> Response:
    cfg = config(request)
    if cfg.refresh_summaries:
        summary.safe_refresh(session, cfg.tracker_engine)
    data = _overview(session, staff)
    labels = [d[8:10] + "-" + d[5:7] for d in data.days]
    return render(
        request, "dashboard.html", data=data,
        chart_channels=charts.bars(labels, data.per_channel or {"web": [0] * len(labels)},
                                   "Gesprekken per dag per kanaal"),
        chart_intents=charts.hbars(data.top_intents, "Meest herkende intenties (30 dagen)"),
        chart_fallback=charts.bars(labels, {"fallback": data.fallback_rate}, "Aandeel gesprekken met fallback",
                                   fmt=percent, max_value=max(data.fallback_rate + [0.1])),
        chart_handoffs=charts.bars(labels, {"overnames": data.handoffs}, "Overnames per dag"),
    )

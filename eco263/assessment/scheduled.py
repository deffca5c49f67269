"""The scheduled computation: every scheme in use, its year so far, recomputed and stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from eco263.actor import SYSTEM
from eco263.assessment.actions import do_compute_scores
from eco263.assessment.enums import SchemeState
from eco263.assessment.models import AssessmentScheme
from eco263.clock import local_date
from eco263.runtime import Runtime


def compute_in_use(rt: Runtime, now: datetime) -> list[str]:
    """Recompute the current year's scores under each scheme in use; the computed periods."""
    year = local_date(now).year
    with rt.sessions() as session:
        ids = list(
            session.scalars(
                select(AssessmentScheme.id).where(
                    AssessmentScheme.state == SchemeState.IN_USE.value,
                    AssessmentScheme.year == year,
                )
            )
        )
    done = []
    for scheme_id in ids:
        with rt.unit_of_work(SYSTEM) as ctx:
            do_compute_scores(ctx, scheme_id, str(year))
        done.append(f"{scheme_id}:{year}")
    return done

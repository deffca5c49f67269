"""The 2018-04-27 专题询问 of bulletin no. 70 (``eco263/data/demo_inquiries.yaml``), replayed
through the real actions, each step by the demo user who takes it at its own time."""

from __future__ import annotations

from typing import Any

from eco263.auth.replay import acting_as as _as
from eco263.auth.replay import as_date as _date
from eco263.auth.replay import load_story
from eco263.context import Ctx
from eco263.inquiries import actions, service
from eco263.inquiries.schemas import AnswerIn, OpinionIn, QuestionIn, SittingIn, TaskIn
from eco263.problems import actions as ledger
from eco263.problems.enums import Move
from eco263.registry import service as registry


def load() -> dict[str, Any]:
    return load_story("demo_inquiries.yaml")


def replay(ctx: Ctx) -> int:
    """Record the sitting, its questions and answers, the 审议意见's receipt and the tasks;
    returns 1 (the sitting), or 0 if a sitting of that name exists already."""
    story = load()
    units = {o.name: o.id for o in registry.list_organizations(ctx.session)}
    s = story["sitting"]
    office = _as(ctx, s["by"], s["at"])
    if any(
        x.session_name == s["session_name"]
        for x in service.list_sittings(ctx.session, office.actor)
    ):
        return 0
    sitting = actions.do_record_sitting(
        office,
        SittingIn(
            committee_org_id=units[s["committee"]],
            session_name=s["session_name"],
            held_on=_date(s["held_on"]),
            theme=s["theme"],
            category_code=s["category"],
        ),
    )
    for q in story["questions"]:
        question = actions.do_add_question(
            office,
            sitting.id,
            QuestionIn(
                asker=q["asker"],
                asker_title=q["asker_title"],
                topic=q["topic"],
                question=q["question"],
                organization_id=units[q["unit"]],
            ),
        )
        actions.do_answer(
            _as(ctx, q["answer_by"], s["at"]),
            question.id,
            AnswerIn(answerer=q["answerer"], answer=q["answer"]),
        )
    o = story["opinion"]
    actions.do_receive_opinion(
        _as(ctx, o["by"], o["at"]),
        sitting.id,
        OpinionIn(text=o["text"], received_on=_date(o["received_on"])),
    )
    tasks = {}
    for t in story["tasks"]:
        task = actions.do_add_task(
            _as(ctx, t["by"], t["at"]),
            sitting.id,
            TaskIn(
                organization_id=units[t["unit"]],
                title=t["title"],
                content=t["content"],
                due_date=_date(t["due"]) if t.get("due") else None,
            ),
        )
        tasks[t["title"]] = task.assignment_id
    for m in story.get("moves", []):
        ledger.do_move(_as(ctx, m["user"], m["at"]), tasks[m["task"]], Move(m["move"]))
    return 1

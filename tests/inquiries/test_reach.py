"""专题询问 beyond the API's writes, on both databases: who reads a sitting, the pages in
Chinese, the workbench items, the catalogue key in the CLI, a committee's own rule from the
office's file, and the demo's replay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from eco263.cli import app
from eco263.clock import FixedClock, parse_now
from eco263.deadlines import load_catalogue
from eco263.inquiries import actions, service
from eco263.inquiries import demo as inquiries_demo
from eco263.inquiries.schemas import OpinionIn, SittingIn, TaskIn
from eco263.runtime import Runtime
from eco263.workbench.sources import waiting
from tests.conftest import actor, login
from tests.factories.inquiries import URL, held, org_id, received, sitting_body
from tests.web.conftest import page_login


def test_who_reads_a_sitting(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    sid = held(client, rt, clock)["id"]
    for who in ("city", "leader", "jiwei", "sz_epb", "sz_transport", "sz_police"):
        assert client.get(f"{URL}/{sid}", headers=login(client, who)).status_code == 200, who
    for who in ("ks_epb", "wujiang", "kunshan", "yld"):
        assert client.get(f"{URL}/{sid}", headers=login(client, who)).status_code == 404, who
        assert client.get(URL, headers=login(client, who)).json() == [], who


def test_pages_in_chinese(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    sid = received(client, rt, clock)
    page_login(client, "city")
    listing = client.get("/inquiries")
    assert listing.status_code == 200 and "苏州市十六届人大常委会第11次会议" in listing.text
    assert "登记专题询问会议" in listing.text and "人大询问" in listing.text
    detail = client.get(f"/inquiries/{sid}")
    assert detail.status_code == 200
    assert "2018-08-20" in detail.text and "分解任务" in detail.text
    assert "npc.report" not in detail.text
    docx = client.get(f"/inquiries/{sid}/report.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    page_login(client, "ks_epb")
    assert client.get(f"/inquiries/{sid}").status_code == 404


def test_workbench_items(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    held(client, rt, clock)
    with rt.unit_of_work(actor(rt, "sz_epb")) as ctx:
        kinds = [i.kind for i in waiting(ctx)]
    assert "待答复的询问" in kinds
    with rt.unit_of_work(actor(rt, "city")) as ctx:
        sid = service.list_sittings(ctx.session, ctx.actor)[0].id
        actions.do_receive_opinion(ctx, sid, OpinionIn(text="审议意见正文", received_on=ctx.today))
    with rt.unit_of_work(actor(rt, "city")) as ctx:
        far = [i for i in waiting(ctx) if i.href == f"/inquiries/{sid}"]
        near = [
            i
            for i in waiting(replace(ctx, now=parse_now("2018-07-20T09:00")))
            if i.href == f"/inquiries/{sid}"
        ]
    assert far == []  # three months ahead: not yet 临期
    assert [i.kind for i in near] == ["报告临期"]


def test_npc_report_in_the_cli() -> None:
    result = CliRunner().invoke(app, ["deadlines", "due", "npc.report", "2018-05-20"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2018-08-20"), result.output


def test_a_committee_rule_from_the_office_file(
    rt: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    office = tmp_path / "deadlines.yaml"
    office.write_text(
        "npc.report.320500: {title: 审议意见落实报告, n: 2, unit: months, "
        "runs_from: 收到审议意见之日, basis: 市人大常委会规定（示例）, certainty: RECALLED}\n",
        encoding="utf-8",
    )
    assert "npc.report.320500" in load_catalogue(office)
    settings = rt.settings.model_copy(update={"deadline_rules_file": office})
    body = SittingIn(**sitting_body(rt))
    epb = org_id(rt, "苏州市环保局")
    with rt.unit_of_work(actor(rt, "city")) as ctx:
        ctx = replace(ctx, settings=settings)
        sitting = actions.do_record_sitting(ctx, body)
        actions.do_receive_opinion(
            ctx, sitting.id, OpinionIn(text="审议意见正文", received_on=ctx.today)
        )
        assert sitting.report_due_rule == "npc.report.320500"
        assert sitting.report_due is not None and sitting.report_due.isoformat() == "2018-07-10"
        task = actions.do_add_task(
            ctx,
            sitting.id,
            TaskIn(organization_id=epb, title="挥发性有机物治理"),
        )
        views = service.task_views(ctx.session, ctx.actor, sitting.id)
    # the ledger's own rule (3 months) would end after the report: the task ends with it
    assert task.problem_id and [v.due_date.isoformat() for v in views] == ["2018-07-10"]


def test_the_demo_replays(rt: Runtime) -> None:
    with rt.unit_of_work(actor(rt, "city")) as ctx:
        assert inquiries_demo.replay(ctx) == 1
        assert inquiries_demo.replay(ctx) == 0
        (sitting,) = service.list_sittings(ctx.session, ctx.actor)
        assert sitting.opinion_received_on is not None
        assert sitting.report_due is not None and sitting.report_due.isoformat() == "2018-08-08"
        assert len(service.questions_of(ctx.session, sitting.id)) == 3
        assert all(q.answer for q in service.questions_of(ctx.session, sitting.id))
        views = service.task_views(ctx.session, ctx.actor, sitting.id)
    assert [v.state for v in views] == ["rectifying", "assigned", "assigned"]
    assert max(v.due_date for v in views).isoformat() <= "2018-08-08"

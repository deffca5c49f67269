"""``eco263 supervision-receiver``: run the reference receiver, or answer a clue by hand."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eco263.config import get_settings
from eco263.outbox.signing import KeyRing
from eco263.supervision.delivery import keyring
from eco263.supervision.enums import AccountabilityForm
from eco263.supervision.receiver.sender import PlatformSender
from eco263.supervision.receiver.store import ReceiverStore

receiver_app = typer.Typer(
    help="智慧监督参考接收端：不带子命令时启动服务；子命令查看线索、回传状态/意见书/问责",
    invoke_without_command=True,
)
console = Console()
err = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class _Options:
    database: str
    eco263_url: str
    ring: KeyRing


@receiver_app.callback()
def receiver(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="端口（默认 ECO263_RECEIVER_PORT）")] = None,
    database: Annotated[
        str | None, typer.Option(help="接收端数据库 URL（默认 ECO263_RECEIVER_DATABASE_URL）")
    ] = None,
    eco263_url: Annotated[
        str | None, typer.Option(help="eco263 地址（默认 ECO263_RECEIVER_ECO263_URL）")
    ] = None,
    auto_reply: Annotated[bool, typer.Option(help="收到线索后自动回传“已签收”")] = False,
    auto_opinion: Annotated[
        bool, typer.Option(help="并自动受理、下发监督意见书（演示用）")
    ] = False,
) -> None:
    """启动参考接收端：验签（含密钥轮换）、拒绝过期与重放、按幂等键去重、存储。"""
    settings = get_settings()
    options = _Options(
        database or settings.receiver_database_url,
        eco263_url or settings.receiver_eco263_url,
        keyring(settings),
    )
    ctx.obj = options
    if ctx.invoked_subcommand is not None:
        return
    from eco263.supervision.receiver.run import serve

    bind_port = port or settings.receiver_port
    console.print(f"智慧监督参考接收端：http://{host}:{bind_port}/clues（存储 {options.database}）")
    serve(
        host=host,
        port=bind_port,
        database_url=options.database,
        ring=options.ring,
        eco263_url=options.eco263_url,
        max_skew=settings.supervision_max_skew_seconds,
        max_bytes=settings.inbound_max_bytes,
        auto_reply=auto_reply,
        auto_opinion=auto_opinion,
    )


def _sender(ctx: typer.Context) -> tuple[PlatformSender, ReceiverStore]:
    options: _Options = ctx.obj
    store = ReceiverStore(options.database)
    return PlatformSender(options.eco263_url, options.ring.current, store), store


def _report(answer_ok: bool, status: int | None, body: Any) -> None:
    text = json.dumps(body, ensure_ascii=False) if not isinstance(body, str) else body
    if answer_ok:
        console.print(f"eco263 已接收（HTTP {status}）：{text}")
        return
    err.print(f"[red]eco263 拒绝或不可达（HTTP {status}）：{text}[/red]")
    raise typer.Exit(1)


@receiver_app.command("clues")
def clues(ctx: typer.Context) -> None:
    """列出已接收的线索。"""
    store = ReceiverStore(ctx.obj.database)
    table = Table("回执", "线索", "原因", "失职类型", "单位", "接收时间")
    for row in store.clues():
        table.add_row(
            row["receipt_id"],
            str(row["clue_id"]),
            row["cause"],
            row["duty_failure"],
            row["unit_name"] or "",
            row["received_at"].isoformat(),
        )
    console.print(table)


@receiver_app.command("heads")
def heads(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写入文件（默认标准输出）")
    ] = None,
) -> None:
    """导出收到的审计链头与事件哈希（JSON 行：线索、序号、哈希、接收时间）。

    供 eco263 audit verify --against 比对。
    """
    store = ReceiverStore(ctx.obj.database)
    target = output.open("w", encoding="utf-8", newline="\n") if output else sys.stdout
    try:
        for item in store.witnesses():
            target.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
    finally:
        if output:
            target.close()
        store.close()


@receiver_app.command("status")
def send_status(
    ctx: typer.Context,
    clue_id: int,
    status: Annotated[str, typer.Argument(help="received | accepted | rejected | concluded")],
    note: Annotated[str, typer.Option(help="说明")] = "",
) -> None:
    """向 eco263 回传线索状态。"""
    sender, _ = _sender(ctx)
    answer = sender.send("clue_status", {"clue_id": clue_id, "status": status, "note": note})
    _report(answer.ok, answer.status, answer.body)


@receiver_app.command("opinion")
def send_opinion(
    ctx: typer.Context,
    clue_id: int,
    opinion_no: Annotated[str, typer.Option("--no", help="文号，如 苏纪监意〔2018〕3号")],
    deadline: Annotated[str, typer.Option(help="整改期限 YYYY-MM-DD")],
    title: Annotated[str, typer.Option(help="标题")],
    issued_on: Annotated[str, typer.Option(help="签发日期 YYYY-MM-DD")],
    content: Annotated[str, typer.Option(help="正文")] = "",
    organization_id: Annotated[
        int | None, typer.Option(help="责任单位（默认线索所指单位）")
    ] = None,
) -> None:
    """向 eco263 下发监督意见书（生成整改问题）。"""
    sender, store = _sender(ctx)
    doc = store.document(clue_id)
    org = organization_id or ((doc or {}).get("unit") or {}).get("id")
    if org is None:
        err.print("[red]本接收端没有该线索的单位，请用 --organization-id 指定[/red]")
        raise typer.Exit(2)
    body = {
        "opinion_no": opinion_no,
        "clue_id": clue_id,
        "organization_id": int(org),
        "title": title,
        "content": content,
        "issued_on": date.fromisoformat(issued_on).isoformat(),
        "deadline": date.fromisoformat(deadline).isoformat(),
    }
    answer = sender.send("opinion", body)
    _report(answer.ok, answer.status, answer.body)


@receiver_app.command("accountability")
def send_accountability(
    ctx: typer.Context,
    clue_id: int,
    person: Annotated[str, typer.Option(help="被问责人")],
    form: Annotated[AccountabilityForm, typer.Option(help="四种形态")],
    measure: Annotated[str, typer.Option(help="处理方式，如 诫勉谈话")],
    decided_on: Annotated[str, typer.Option(help="决定日期 YYYY-MM-DD")],
    position: Annotated[str | None, typer.Option(help="职务")] = None,
    note: Annotated[str, typer.Option(help="说明")] = "",
) -> None:
    """向 eco263 回传问责结果。"""
    sender, _ = _sender(ctx)
    body = {
        "clue_id": clue_id,
        "person": person,
        "position": position,
        "form": form.value,
        "measure": measure,
        "decided_on": date.fromisoformat(decided_on).isoformat(),
        "note": note,
    }
    answer = sender.send("accountability", body)
    _report(answer.ok, answer.status, answer.body)

"""Monitoring commands: `eco263 hj212 decode|encode` (see eco263.cli)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from eco263.monitoring.hj212 import Hj212Error, Packet, decode, encode

hj212_app = typer.Typer(help="HJ 212 报文编解码", no_args_is_help=True)
err = Console(stderr=True)


def packet_json(packet: Packet) -> dict[str, Any]:
    """A decoded packet as plain JSON (values typed, times ISO 8601 with offset)."""
    cp = packet.cp
    return {
        "qn": packet.qn,
        "st": packet.st,
        "cn": packet.cn,
        "pw": packet.pw,
        "mn": packet.mn,
        "flag": packet.flag.value if packet.flag else None,
        "pnum": packet.pnum,
        "pno": packet.pno,
        "version": packet.version,
        "data_time": cp.data_time.isoformat() if cp.data_time else None,
        "cp": [[name, _plain(cp.values.get(name, text))] for name, text in cp.fields],
        "crc": f"{packet.crc:04X}",
        "tolerances": list(packet.tolerances),
    }


def _plain(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


@hj212_app.command("decode")
def decode_command() -> None:
    """从标准输入逐行读取报文，输出 JSON Lines；错误也输出为 JSON（含原因与位置）。"""
    failures = 0
    for number, line in enumerate(sys.stdin.buffer, start=1):
        raw = line.rstrip(b"\r\n")
        if not raw.strip():
            continue
        try:
            out = packet_json(decode(raw + b"\r\n"))
        except Hj212Error as exc:
            failures += 1
            out = {
                "line": number,
                "error": exc.reason,
                "message": str(exc),
                "position": exc.position,
            }
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    if failures:
        raise typer.Exit(1)


@hj212_app.command("encode")
def encode_command(
    cn: Annotated[str, typer.Option(help="命令编码，如 2051")],
    mn: Annotated[str, typer.Option(help="设备唯一标识 MN")],
    cp: Annotated[str, typer.Option(help="CP 数据区内容（不含 &&）")] = "",
    pw: Annotated[str, typer.Option(help="访问密码")] = "123456",
    st: Annotated[str, typer.Option(help="系统编码")] = "32",
    qn: Annotated[str | None, typer.Option(help="请求编码 QN")] = None,
    flag: Annotated[int, typer.Option(help="Flag")] = 5,
) -> None:
    """生成一条带长度与 CRC 的完整报文。"""
    try:
        packet = encode(st=st, cn=cn, pw=pw, mn=mn, cp=cp, qn=qn, flag=flag)
    except ValueError as exc:
        err.print(f"[red]无法编码：{exc}[/red]")
        raise typer.Exit(2) from exc
    sys.stdout.write(packet.decode("utf-8"))

"""DOCX → PDF with LibreOffice headless (``soffice --headless --convert-to pdf``).

The distribution's CJK fonts stand in for the official ones: a fontconfig file made here maps
仿宋_GB2312 and 方正小标宋简体 to Noto Serif CJK SC (regular and bold) and 黑体/宋体 to the Noto
families, on top of the system's configuration.  Each process keeps its own LibreOffice
profile, so conversions running in parallel do not share one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from eco263.errors import DomainError

ALIASES = {
    "仿宋_GB2312": "Noto Serif CJK SC",
    "仿宋": "Noto Serif CJK SC",
    "方正小标宋简体": "Noto Serif CJK SC",
    "宋体": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC",
    "楷体_GB2312": "Noto Serif CJK SC",
}


class OfficeMissing(DomainError):
    status_code = 503


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _fontconfig(work: Path) -> Path:
    aliases = "".join(
        f'<alias binding="same"><family>{name}</family><prefer><family>{sub}</family>'
        "</prefer></alias>"
        for name, sub in ALIASES.items()
    )
    conf = work / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{aliases}</fontconfig>',
        encoding="utf-8",
    )
    return conf


def _home() -> Path:
    home = Path(tempfile.gettempdir()) / f"eco263-soffice-{os.getuid()}-{os.getpid()}"
    home.mkdir(parents=True, exist_ok=True)
    return home


def docx_to_pdf(docx: bytes, *, timeout: float = 120) -> bytes:
    """The PDF of ``docx`` as LibreOffice lays it out."""
    binary = soffice()
    if binary is None:
        raise OfficeMissing(
            "未安装 LibreOffice，无法生成 PDF（make office 安装 libreoffice-writer-nogui）"
        )
    home = _home()
    with tempfile.TemporaryDirectory(dir=home) as tmp:
        work = Path(tmp)
        src = work / "bulletin.docx"
        src.write_bytes(docx)
        env = dict(os.environ, FONTCONFIG_FILE=str(_fontconfig(home)), HOME=str(home))
        done = subprocess.run(  # noqa: S603 - our own argument list, no shell
            [
                binary,
                f"-env:UserInstallation={(home / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(src),
            ],
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        out = work / "bulletin.pdf"
        if done.returncode != 0 or not out.exists():
            raise DomainError(f"PDF 生成失败：{done.stderr.decode(errors='replace')[-300:]}")
        return out.read_bytes()

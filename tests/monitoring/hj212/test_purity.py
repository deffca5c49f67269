"""The protocol package stays pure: standard library and its own modules only, none over 500 lines.

The gateway server and the simulator (``eco263.gateway``) sit above monitoring; nothing of the
database, the web or another domain may leak into ``eco263.monitoring.hj212``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import eco263.monitoring.hj212 as hj212

PACKAGE = Path(hj212.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
OWN = "eco263.monitoring.hj212"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_module_imports_only_the_standard_library_and_its_package(path: Path) -> None:
    foreign = {
        name
        for name in _imports(path)
        if not (name == OWN or name.startswith(OWN + "."))
        and name.partition(".")[0] not in sys.stdlib_module_names
    }
    assert not foreign, f"{path.name} imports {sorted(foreign)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_module_stays_under_500_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 500


def test_importing_the_package_loads_nothing_else_of_eco263() -> None:
    code = (
        "import sys, eco263.monitoring.hj212, eco263.monitoring.hj212.framer\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(  # noqa: S603 - this interpreter, a constant script
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    ours = {m for m in loaded if m.startswith("eco263")}
    assert ours <= {"eco263", "eco263.monitoring"} | {m for m in ours if m.startswith(OWN)}
    assert not {m for m in loaded if m.partition(".")[0] in ("sqlalchemy", "pydantic", "fastapi")}

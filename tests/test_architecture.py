"""The house's shape (issue #11): every package is in a layer of `.importlinter`, the pure
modules load no database, and no module passes the 500-line budget.  `make lint` runs
`lint-imports`, which checks the contracts themselves."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "eco263"
BUDGET = 500


def _contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter", encoding="utf-8")
    return parser


def _top_level_modules() -> set[str]:
    names = set()
    for path in PACKAGE.iterdir():
        if path.name.startswith(("_", ".")) and path.name != "__main__.py":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            names.add(f"eco263.{path.name}")
        elif path.suffix == ".py":
            names.add(f"eco263.{path.stem}")
    return names


def test_every_package_is_in_a_layer() -> None:
    layers = _contracts()["importlinter:contract:layers"]["layers"]
    named = {
        name.strip()
        for line in layers.splitlines()
        for name in line.replace("|", ":").split(":")
        if name.strip()
    }
    missing = _top_level_modules() - named
    assert not missing, f"add these to a layer in .importlinter: {sorted(missing)}"


def test_every_domain_is_in_the_domain_order_and_guards_its_tables() -> None:
    contracts = _contracts()
    domains = {
        name.strip()
        for line in contracts["importlinter:contract:domains"]["layers"].splitlines()
        for name in line.replace("|", ":").split(":")
        if name.strip()
    }
    protected = {
        module.strip().rsplit(".", 1)[0]
        for section in contracts.sections()
        if contracts[section].get("type") == "protected"
        for module in contracts[section]["protected_modules"].splitlines()
        if module.strip().endswith(".models")
    }
    assert domains <= protected, sorted(domains - protected)


def _loads(module: str) -> set[str]:
    probe = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(  # noqa: S603 - our own interpreter on a fixed probe
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return set(out.split())


def test_the_pure_modules_load_no_database() -> None:
    for module in (
        "eco263.problems.rules",
        "eco263.supervision.rules",
        "eco263.actor",
        "eco263.workdays",
        "eco263.deadlines",
        "eco263.monitoring.detectors",
    ):
        loaded = _loads(module)
        assert "sqlalchemy" not in loaded and "eco263.db" not in loaded, module


def test_no_module_passes_the_size_budget() -> None:
    big = {
        str(path.relative_to(ROOT)): n
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > BUDGET
    }
    assert not big, big

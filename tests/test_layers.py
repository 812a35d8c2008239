"""No package imports upward: each feature package may import only the packages before it
in ``portal.FEATURES`` (the order they are set up in), ``search`` (shared ground, fed by
signals) and ``audit.spec`` (the declaration every audited model carries)."""

from __future__ import annotations

import ast
from pathlib import Path

import portal

ROOT = Path(portal.__file__).parent
SHARED = {"search", "audit.spec"}


def imported_packages(path: Path, package: str) -> set[str]:
    """The portal packages (and audit.spec) a module imports, relative or absolute."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level >= 2:
            name = node.module or ""
        elif node.level == 0 and (node.module or "").startswith("portal."):
            name = node.module.removeprefix("portal.")
        else:
            continue
        parts = name.split(".")
        found.add(".".join(parts[:2]) if parts[:2] == ["audit", "spec"] else parts[0])
    return found - {package, ""}


def test_no_package_imports_a_package_above_it():
    order = portal.FEATURES
    upward = []
    for index, package in enumerate(order):
        allowed = set(order[:index]) | SHARED
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in imported_packages(path, package):
                if name in order and name not in allowed:
                    upward.append(f"{path.relative_to(ROOT)} imports {name}")
    assert upward == []


def test_the_checker_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from ..publishing.services import publish\nfrom ..audit.spec import A\n")
    assert imported_packages(module, "submissions") == {"publishing", "audit.spec"}

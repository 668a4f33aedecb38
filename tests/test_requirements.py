"""The production install (`pip install -r requirements.txt`) carries no development or test tool, and the
product needs none: the tools are in requirements-dev.txt, and no product module imports one of them."""

from __future__ import annotations

import ast
import re
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_TOOLS = {"playwright", "pytest-playwright", "schemathesis", "hypothesis", "ruff", "factory-boy", "faker"}
TEST_TOOLS |= {"import-linter", "pytest", "pytest-django", "pip-tools"}
PRODUCT = ["vip", "candidates", "notifications", "reports", "scripts", "manage.py"]
NOT_PRODUCT = {"tests", "migrations"}  # test suites; the test helpers of vip/testing.py are excluded by name


def pinned(requirements: str) -> set[str]:
    """The distributions a compiled requirements file pins, by their normalised names."""
    lines = (ROOT / requirements).read_text().splitlines()
    return {normalise(line.split("==")[0]) for line in lines if "==" in line and not line.lstrip().startswith("#")}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().strip()


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def product_files() -> list[Path]:
    files = []
    for entry in PRODUCT:
        path = ROOT / entry
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            parts = set(file.relative_to(ROOT).parts)
            if not parts & NOT_PRODUCT and file.name != "conftest.py" and file != ROOT / "vip" / "testing.py":
                files.append(file)
    return files


def test_it_installs_no_test_tool_in_production():
    assert pinned("requirements.txt") & TEST_TOOLS == set()
    assert TEST_TOOLS - {"factory-boy", "faker"} <= pinned("requirements-dev.txt")  # the two are used nowhere


def test_it_imports_no_development_tool_in_product_code():
    dev_only = pinned("requirements-dev.txt") - pinned("requirements.txt")
    dev_modules = {
        module for module, dists in packages_distributions().items() if {normalise(d) for d in dists} & dev_only
    }
    offending = {
        str(file.relative_to(ROOT)): sorted(modules)
        for file in product_files()
        if (modules := imported_modules(file) & dev_modules)
    }
    assert offending == {}

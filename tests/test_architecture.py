"""The code keeps its shape: layers point down (``.importlinter``, checked by ``lint-imports`` in CI)
and no project import hides inside a function to dodge a cycle."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from salingsapa.core.events import Event

PACKAGE = Path(__file__).resolve().parent.parent / "salingsapa"

# Function-local imports of project modules that are there for a reason other than a cycle.
ALLOWED_LOCAL_IMPORTS = {
    # the console command reads the configuration before Django is set up
    "cli.py",
    # the WSGI application is built only when a server is started
    "core/management/commands/serve.py",
    # Django's start-up wiring: AppConfig.ready() subscribes domain-event handlers (core/events.py)
    # once the models are loaded; importing them at module level would run before that
    "cases/apps.py", "network/apps.py", "stats/apps.py",
}


def _local_project_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("salingsapa"):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} from {node.module}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("salingsapa") for a in node.names):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} import")
    return found


def test_no_project_import_inside_a_function():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if "/migrations/" in rel or rel in ALLOWED_LOCAL_IMPORTS:
            continue
        offenders += _local_project_imports(path)
    assert offenders == [], "move these imports to the top of the module (and fix the layer if that cycles)"


def test_the_scan_sees_a_local_import(tmp_path):
    sample = PACKAGE / "_sample_for_test.py"
    try:
        sample.write_text("def f():\n    from salingsapa.cases.models import Case\n    return Case\n")
        assert _local_project_imports(sample) == ["_sample_for_test.py:2 from salingsapa.cases.models"]
    finally:
        sample.unlink()


def test_import_contracts_hold():
    """The same check CI runs with ``lint-imports`` (the contracts are in ``.importlinter``)."""
    config = PACKAGE.parent / ".importlinter"
    assert config.exists()
    command = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(command), "--config", str(config), "--no-cache"], cwd=PACKAGE.parent,  # noqa: S603
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def _contract_layers() -> list[str]:
    text = (PACKAGE.parent / ".importlinter").read_text(encoding="utf-8")
    block = re.split(r"\n(?:ignore_imports|\[)", text.split("layers =\n", 1)[1], maxsplit=1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_architecture_doc_draws_the_contract_layers():
    """docs/architecture.md shows the same layers, top to bottom, as the import contract."""
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawing = doc.split("## Layers", 1)[1].split("```", 2)[1]
    rows = [re.split(r"\s{3,}", line)[0].strip() for line in drawing.splitlines()
            if line.strip() and not line.startswith("─")]
    normalise = lambda layer: " | ".join(part.strip() for part in layer.split("|"))  # noqa: E731
    assert [normalise(r) for r in rows] == [normalise(layer) for layer in _contract_layers()]


def _architecture_doc() -> str:
    return (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_architecture_doc_lists_every_domain_event():
    """The events table of docs/architecture.md names each ``core.events.Event``, and no other."""
    table = _architecture_doc().split("| event | published by | handled by |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.M))
    assert documented == {event.name for event in Event}


def test_architecture_doc_has_a_row_for_every_app():
    """The package table of docs/architecture.md has a row ``| `app/` |`` for each app of the project."""
    doc = _architecture_doc()
    apps = sorted(path.parent.name for path in PACKAGE.glob("*/apps.py"))
    assert apps and [app for app in apps if f"| `{app}/` |" not in doc] == []

"""README's variable tables and the variables read agree: the app's configuration, `make`'s and the benchmarks'."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READERS = {"env_str", "env_bool", "env_int", "env_list", "env_networks", "_secret", "decode_key", "getenv", "get"}
NAME = re.compile(r"(SALINGSAPA_[A-Z0-9_]+|DATABASE_URL|DATABASE_REPLICA_URL|BENCH_[A-Z0-9_]+|SOAK_[A-Z0-9_]+|HOST|PORT"
                  r"|PYTHON|VENV|FULL)")
MAKE_VARIABLE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*\?=", re.M)  # a variable the caller may set: NAME ?= default


def variables_read() -> set[str]:
    """Every variable name the package and the benchmarks pass to an environment reader (``env_*``,
    ``os.environ``), and every variable the Makefile lets its caller set (``NAME ?=``, ``$(FULL)``)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    names: set[str] = set(MAKE_VARIABLE.findall(makefile)) | ({"FULL"} if "$(FULL)" in makefile else set())
    for path in [*(ROOT / "salingsapa").rglob("*.py"), *(ROOT / "bench").glob("*.py")]:
        if "migrations" in path.parts or path.name == "test_settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            arg = None
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called in READERS:
                    arg = node.args[0]
            elif isinstance(node, ast.Subscript) and "environ" in ast.unparse(node.value):
                arg = node.slice
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and NAME.fullmatch(arg.value):
                names.add(arg.value)
    return names


def variables_documented() -> set[str]:
    """The names in the first column of README's variable table."""
    names: set[str] = set()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= {n for n in re.findall(r"`([^`]+)`", first_cell) if NAME.fullmatch(n)}
    return names


def test_every_variable_read_is_in_the_readme_table():
    missing = variables_read() - variables_documented()
    assert not missing, f"add to README's table: {sorted(missing)}"


def test_every_variable_in_the_readme_table_is_read():
    unread = variables_documented() - variables_read()
    assert not unread, f"README documents variables nothing reads: {sorted(unread)}"


def test_the_scan_finds_the_readers():
    read = variables_read()
    # one of each way of reading: env_int, env_str, a secret, DATABASE_URL
    assert {"SALINGSAPA_STAFF_PAGE_SIZE", "SALINGSAPA_REGION", "SALINGSAPA_INDEX_KEY", "DATABASE_URL"} <= read
    # demo-logins (os.environ.get), the benchmarks, the Makefile (?= and $(FULL))
    assert {"HOST", "PORT", "BENCH_DATABASE_URL", "SALINGSAPA_BENCH_REDIS_URL", "SOAK_SECONDS", "BENCH_CASES",
            "FULL"} <= read
    assert len(read) > 30

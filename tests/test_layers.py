"""The house's layers are a contract (pyproject.toml, `[tool.importlinter]`) that `make check`
runs; this shows the contract really catches an upward import, on a copy of the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pmf", "kpis", "scorecards", "committees", "reports", "demo")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.html", "*.css", "*.js"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own venv's lint-imports, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _add_import(module: Path, line: str) -> None:
    module.write_text(module.read_text() + f"\n{line}\n")


def test_the_copy_keeps_the_contracts(copy_of_the_code):
    result = _lint_imports(copy_of_the_code)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("kpis/register/selectors.py", "import scorecards.selectors", "kpis.register.selectors ->"),
        ("kpis/rating/trends.py", "from kpis.reporting import periods", "kpis.rating.trends ->"),
        ("kpis/rating/engine.py", "import django.db", "kpis.rating.engine -> django"),
        ("pmf/roles.py", "from committees import selectors", "pmf.roles -> committees"),
    ],
)
def test_an_upward_import_breaks_the_contract(copy_of_the_code, module, line, broken):
    _add_import(copy_of_the_code / module, line)

    result = _lint_imports(copy_of_the_code)

    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert broken in result.stdout

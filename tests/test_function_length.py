"""`make check` refuses a product function of 80 lines or more (bin/check_function_length.py)."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bin" / "check_function_length.py"


def _check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
        [sys.executable, str(SCRIPT), str(folder)], capture_output=True, text=True, timeout=60
    )


def test_a_long_function_fails_the_check_but_not_in_tests(tmp_path):
    body = "\n".join(f"    x{n} = {n}" for n in range(80))
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        f"def short():\n    return 1\n\n\ndef long():\n{body}\n"
    )
    (tmp_path / "app" / "tests").mkdir()
    (tmp_path / "app" / "tests" / "test_it.py").write_text(f"def test_long():\n{body}\n")

    result = _check(tmp_path)

    assert result.returncode == 1
    assert "app/views.py:5 long is 81 lines" in result.stdout
    assert "test_it" not in result.stdout and "short" not in result.stdout


def test_the_product_has_none():
    assert _check(SCRIPT.parents[1]).returncode == 0

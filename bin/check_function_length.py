"""Fail if a function in the product's code is 80 lines or longer (`make check` runs this).

Tests, benchmarks and migrations are left out: a test may read best as one long story.
Usage: python bin/check_function_length.py [root]
"""

import ast
import sys
from pathlib import Path

LIMIT = 80
SKIPPED_PARTS = {"tests", "bench", "migrations", ".venv", "node_modules", "bin"}


def long_functions(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if SKIPPED_PARTS & set(relative.parts) or path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length >= LIMIT:
                    found.append(f"{relative}:{node.lineno} {node.name} is {length} lines")
    return found


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    found = long_functions(root)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} function(s) of {LIMIT} lines or more: split them to read at a glance.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

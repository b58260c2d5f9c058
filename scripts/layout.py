"""Architecture figures of rfi_cn: modules, lines, and imports between its top-level units.

``python3 scripts/layout.py [ROOT]`` (ROOT: a checkout, default this one). A unit is a
package under ``rfi_cn/`` or a top-level module; an edge is one unit importing another.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path


def unit_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def main(root: Path) -> None:
    files = sorted((root / "rfi_cn").rglob("*.py"))
    imports: dict[str, set[str]] = defaultdict(set)
    for path in files:
        source = unit_of(".".join(path.relative_to(root).with_suffix("").parts))
        imports.setdefault(source, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rfi_cn."):
                target = unit_of(node.module)
                if target != source:
                    imports[source].add(target)
    modules = sum(1 for path in files if path.name != "__init__.py")
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files)
    edges = sum(len(targets) for targets in imports.values())
    print(f"modules {modules}, lines {lines}, units {len(imports)}, import edges between units {edges}")
    for unit in sorted(imports):
        print(f"  {unit} -> {', '.join(sorted(imports[unit])) or '-'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)

"""Print the import cycles inside a package: its strongly connected sets of modules (grimp's graph, with
imports inside functions counted), one line each. `.venv/bin/python scripts/import_cycles.py generation`.
Exits 1 when there is a cycle, so it can guard a package that import-linter's layers do not cover."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm, iterative (a package's import chains can be deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            child = next(imported, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == module:
                        break
                found.append(sorted(members))
    return [members for members in found if len(members) > 1]


def main(package: str) -> int:
    graph = grimp.build_graph(package)
    cycles = strongly_connected(graph)
    print(f"{package}: {len(graph.modules)} modules, {len(cycles)} import cycle(s)")
    for members in cycles:
        print(f"  {len(members)} modules: " + ", ".join(m.removeprefix(package + ".") for m in members))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(max(main(package) for package in sys.argv[1:] or ["generation"]))

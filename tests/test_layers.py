"""The import-direction contract: each layer imports only from layers below it.

exc/_typing/url -> sql -> pool -> dialects -> engine -> orm -> ext, web

Imports inside ``if TYPE_CHECKING:`` blocks are exempt (annotations only). The package's own
``__init__`` and top-level convenience modules (``inspection``) sit on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "athanor"

LAYERS: dict[str, int] = {
    "exc": 0,
    "_typing": 0,
    "url": 0,
    "sql": 1,
    "pool": 2,
    "dialects": 3,
    "engine": 4,
    "orm": 5,
    "ext": 6,
    "web": 6,
    "inspection": 6,
    "types": 6,
    "schema": 6,
    "events": 6,
    "event": 6,
    "_event": 0,
    "__init__": 7,
}


def _layer_of(dotted: str) -> int | None:
    parts = dotted.split(".")
    if parts[0] != "athanor":
        return None
    if len(parts) == 1:
        return LAYERS["__init__"]
    return LAYERS.get(parts[1], -1)


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_pkg: bool) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".")
                    drop = child.level - (1 if is_pkg else 0)
                    base = base[: len(base) - drop] if drop else base
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target == "athanor":
                    # ``from athanor import exc`` imports the submodule, not the package.
                    found.extend(
                        (f"athanor.{a.name}" if a.name in LAYERS else target, child.lineno)
                        for a in child.names
                    )
                    continue
                found.append((target, child.lineno))
            visit(child)

    visit(tree)
    return found


def test_every_subpackage_has_a_layer() -> None:
    unknown = sorted(
        p.stem if p.is_file() else p.name
        for p in SRC.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py")
        if (p.stem if p.is_file() else p.name) not in LAYERS
    )
    assert not unknown, f"give these a layer in tests/test_layers.py: {unknown}"


def test_imports_only_go_down() -> None:
    violations = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        own = _layer_of(module)
        assert own is not None
        tree = ast.parse(path.read_text(), filename=str(path))
        for target, line in _imports(tree, module, path.name == "__init__.py"):
            layer = _layer_of(target)
            if layer is None or own == LAYERS["__init__"]:
                continue
            if layer > own:
                violations.append(f"{path.relative_to(SRC.parent)}:{line} imports {target}")
    if violations:
        pytest.fail("upward imports:\n" + "\n".join(violations))

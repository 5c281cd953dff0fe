"""Async twins of the ORM's I/O functions (flush, relationship loading), generated from
their sync source.

The flush (``athanor.orm.flush.run_plan``, the relationship-aware ``dependency.flush`` and
the helpers they call) is written once, synchronously, against a connection argument. An
AsyncSession needs the same code with every statement awaited. Rather than keep a
hand-written copy in step, this module reads the sync functions' source and rewrites it
(an ``ast`` transform, once per process):

* a function is *I/O* if it calls ``<name>.execute(...)`` / ``<name>.exec_driver_sql(...)``
  (or ``session._connection().execute(...)``: inside a twin the AsyncSession's backing
  session hands out the awaiting connection, see ``AsyncSession._run_twin``) or calls
  another I/O function of the tracked modules (found by resolving the called name
  through the module's globals or the function's own ``from ... import``), to a fixpoint;
* each I/O function becomes ``async def``; its I/O calls are wrapped in ``await``, and calls
  to other I/O functions go to their twins.

Twins run in a snapshot of their module's globals (plus the twins), are compiled with the
original file name and line numbers (tracebacks point at the real source), and keep the
original's behaviour exactly, statement for statement -- the shared behavioural tests
exercise both. A nested function or lambda that would need to await is refused at build
time with an error naming it (it would need a manual twin).
"""

from __future__ import annotations
import __future__

import ast
import importlib
import inspect
import textwrap
from collections.abc import Callable
from types import FunctionType, ModuleType
from typing import Any

from athanor import exc

_IO_METHODS = frozenset({"execute", "exec_driver_sql"})
_TRACKED = (
    "athanor.orm.flush", "athanor.orm.context", "athanor.orm.dependency", "athanor.orm.joined",
    "athanor.orm.strategies", "athanor.orm._deferred",
)
#: A local variable named like a tracked module (``joined = _joined()``) stands for it.
_BY_SHORT_NAME = {name.rpartition(".")[2]: name for name in _TRACKED}


class _Module:
    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.filename = inspect.getsourcefile(module) or module.__name__
        tree = ast.parse(textwrap.dedent(inspect.getsource(module)), self.filename)
        self.functions = {
            node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)
        }


def _local_imports(node: ast.FunctionDef) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for sub in ast.walk(node):
        if isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
            mod = importlib.import_module(sub.module)
            for alias in sub.names:
                found[alias.asname or alias.name] = getattr(mod, alias.name, None)
    return found


def _resolve(
    call: ast.Call, module: ModuleType, local: dict[str, Any], unique: dict[str, Any]
) -> Any:
    """The function a call refers to: ``f(...)``, ``module.f(...)``, or ``getter().f(...)``
    where ``f`` names exactly one function of the tracked modules (lazy module getters)."""
    func = call.func
    if isinstance(func, ast.Name):
        return local.get(func.id, module.__dict__.get(func.id))
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = local.get(func.value.id, module.__dict__.get(func.value.id))
        if isinstance(owner, ModuleType):
            return getattr(owner, func.attr, None)
        tracked = _BY_SHORT_NAME.get(func.value.id)  # ``joined = _joined(); joined.f(...)``
        if tracked is not None and owner is None:
            return getattr(importlib.import_module(tracked), func.attr, None)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        return unique.get(func.attr)
    return None


def _is_driver_call(call: ast.Call) -> bool:
    """``conn.execute(...)`` / ``conn.exec_driver_sql(...)`` or
    ``session._connection().execute(...)``."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _IO_METHODS):
        return False
    receiver = func.value
    if isinstance(receiver, ast.Name):
        return True
    return (
        isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr == "_connection"
    )


def _own_calls(node: ast.FunctionDef) -> tuple[list[ast.Call], str | None]:
    """Calls in the function's own body (not in nested functions or lambdas), and why the
    function cannot be twinned (a nested function that runs a statement), if so."""
    calls: list[ast.Call] = []
    refusal: str | None = None
    stack: list[ast.AST] = list(node.body)
    while stack:
        sub = stack.pop()
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            if any(isinstance(c, ast.Call) and _is_driver_call(c) for c in ast.walk(sub)):
                refusal = (
                    f"a nested function or lambda of {node.name}() (line "
                    f"{getattr(sub, 'lineno', '?')}) runs a statement, which cannot be awaited "
                    "there"
                )
            continue
        if isinstance(sub, ast.Call):
            calls.append(sub)
        stack.extend(ast.iter_child_nodes(sub))
    return calls, refusal


class _Rewrite(ast.NodeTransformer):
    """Await the I/O calls of one function; route calls to I/O functions to their twins."""

    def __init__(self, targets: dict[int, str]) -> None:
        self.targets = targets  # id(ast.Call) -> twin name, or "" for a driver call

    def visit_Call(self, node: ast.Call) -> Any:  # noqa: N802 - ast API
        self.generic_visit(node)
        twin = self.targets.get(id(node))
        if twin is None:
            return node
        if twin:
            node.func = ast.copy_location(ast.Name(id=twin, ctx=ast.Load()), node.func)
        return ast.copy_location(ast.Await(value=node), node)


def _build() -> dict[Any, Callable[..., Any]]:
    modules = [_Module(importlib.import_module(name)) for name in _TRACKED]
    by_object: dict[Any, tuple[_Module, str]] = {}
    for m in modules:
        for name in m.functions:
            obj = m.module.__dict__.get(name)
            if isinstance(obj, FunctionType):
                by_object[obj] = (m, name)
    names: dict[str, list[Any]] = {}
    for obj, (_m, name) in by_object.items():
        names.setdefault(name, []).append(obj)
    unique = {name: objs[0] for name, objs in names.items() if len(objs) == 1}
    calls: dict[tuple[int, str], list[tuple[ast.Call, Any]]] = {}
    broken: dict[Any, str] = {}
    for obj, (m, name) in by_object.items():
        node = m.functions[name]
        local = _local_imports(node)
        own, refusal = _own_calls(node)
        if refusal is not None:
            broken[obj] = refusal
        calls[(id(m), name)] = [
            (c, None if _is_driver_call(c) else _resolve(c, m.module, local, unique))
            for c in own
        ]
    io: set[Any] = set(broken)
    changed = True
    while changed:
        changed = False
        for obj, (m, name) in by_object.items():
            for c, target in calls[(id(m), name)]:
                callee_io = isinstance(target, FunctionType) and target in io
                if isinstance(target, FunctionType) and target in broken and obj not in broken:
                    broken[obj] = broken[target]
                    changed = True
                if obj not in io and (callee_io or (target is None and _is_driver_call(c))):
                    io.add(obj)
                    changed = True
    _broken.update({obj: why for obj, why in broken.items()})
    io -= set(broken)
    twin_names = {obj: f"__async_twin_{by_object[obj][1]}_{i}" for i, obj in enumerate(io)}
    compiled: dict[Any, Callable[..., Any]] = {}
    namespaces: dict[int, dict[str, Any]] = {}
    for obj in io:
        m, name = by_object[obj]
        node = m.functions[name]
        targets: dict[int, str] = {}
        for c, target in calls[(id(m), name)]:
            if target is None and _is_driver_call(c):
                targets[id(c)] = ""
            elif isinstance(target, FunctionType) and target in io:
                targets[id(c)] = twin_names[target]
        new = _Rewrite(targets).visit(node)
        fn = ast.AsyncFunctionDef(
            name=twin_names[obj], args=new.args, body=new.body, decorator_list=[],
            returns=new.returns, type_comment=None,
        )
        ast.copy_location(fn, node)
        tree = ast.fix_missing_locations(ast.Module(body=[fn], type_ignores=[]))
        code = compile(
            tree, f"{m.filename} (async twin)", "exec",
            flags=__future__.annotations.compiler_flag, dont_inherit=True,
        )
        ns = namespaces.setdefault(id(m), dict(m.module.__dict__))
        exec(code, ns)  # noqa: S102 - the ORM's own source, rewritten above
        compiled[obj] = ns[twin_names[obj]]
    for ns in namespaces.values():  # every twin can call every other twin
        for obj, twin in compiled.items():
            ns[twin_names[obj]] = twin
    return compiled


_twins: dict[Any, Callable[..., Any]] | None = None
_broken: dict[Any, str] = {}


def twin(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The async twin of a sync ORM flush function (built on first use)."""
    global _twins
    if _twins is None:
        _twins = _build()
    found = _twins.get(fn)
    if fn in _broken:
        raise exc.InvalidRequestError(
            f"Building the async twin of {getattr(fn, '__qualname__', fn)}() failed: "
            f"{_broken[fn]}. It needs a hand-written twin."
        )
    if found is None:
        raise exc.InvalidRequestError(
            f"No async twin for {getattr(fn, '__qualname__', fn)!r}: it runs no statement, or "
            f"lives outside {', '.join(_TRACKED)}. Call it directly."
        )
    return found


__all__ = ["twin"]

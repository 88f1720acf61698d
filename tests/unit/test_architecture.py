"""The layout of DESIGN §3, checked on the source: the tiers' imports point down, there is no
import cycle, boto3 stays in storage, and the event dictionary stops at folio.web.

Every import counts, also one inside a function: a lazy import upward is still upward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "folio" / "folio"
#: The tiers, bottom first: a module may import its own tier and the ones before it.
TIERS = ("core", "storage", "web", "dialects", "local")
#: What reads an API Gateway or S3 event; only folio.web (and folio local, which makes events) may.
EVENT_FIELDS = ("raw_event", "current_event", "pathParameters", "queryStringParameters", "requestContext",
                "isBase64Encoded", "Records")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports (absolute names; ``from pkg import sub`` counts ``pkg.sub``)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                found.add(candidate if candidate in MODULES else module)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _tier(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "folio" and parts[1] in TIERS else None


def test_the_tiers_are_packages():
    for tier in TIERS:
        assert (PACKAGE / tier / "__init__.py").is_file(), tier
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"modules outside the tiers: {loose}"


def test_every_import_points_down():
    upward = []
    for module, imports in GRAPH.items():
        tier = _tier(module)
        for target in imports:
            target_tier = _tier(target)
            if tier and target_tier and TIERS.index(target_tier) > TIERS.index(tier):
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_a_dialect_imports_no_other_dialect():
    crossing = []
    for module, imports in GRAPH.items():
        if _tier(module) == "dialects" and module.count(".") >= 2:
            own = ".".join(module.split(".")[:3])
            crossing += [f"{module} -> {t}" for t in imports
                         if _tier(t) == "dialects" and t != "folio.dialects" and not t.startswith(own)]
    assert crossing == []


def test_core_knows_neither_web_nor_storage_nor_aws():
    for module, imports in GRAPH.items():
        if _tier(module) == "core":
            bad = {t for t in imports if _tier(t) in ("storage", "web", "dialects", "local")
                   or t.split(".")[0] in ("boto3", "botocore", "aws_lambda_powertools")}
            assert not bad, f"{module} imports {bad}"


def test_boto3_only_under_storage():
    users = sorted(module for module, imports in GRAPH.items()
                   if any(t.split(".")[0] in ("boto3", "botocore") for t in imports) and _tier(module) != "storage")
    assert users == []


def test_no_import_cycle():
    """Tarjan's strongly connected components over folio's own modules (lazy imports included)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, ()):
            if target not in MODULES or target == node:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in MODULES:
        if module not in index:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("tier", ["core", "storage", "dialects"])
def test_the_event_dictionary_stops_at_web(tier):
    readers = []
    for module, path in MODULES.items():
        if _tier(module) == tier:
            tree = ast.parse(path.read_text())
            names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
            names |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
            readers += [f"{module}: {field}" for field in EVENT_FIELDS if field in names
                        and (module, field) not in NOT_EVENTS]
    assert readers == []


#: Names an AWS API answer shares with events: the DynamoDB Streams API's GetRecords answer holds
#: its records in ``Records``, read by storage (the replay of a batch Lambda gave up on).
NOT_EVENTS = {("folio.storage.changes", "Records")}


def test_handlers_take_the_request_object_not_the_event():
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        tree = ast.parse(app.read_text())
        attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not attributes & {"raw_event", "current_event"}, app
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {m for m in imported if m and (m.startswith("folio.local") or m.startswith("boto"))}, app

"""The house's rules, read from the source: each package imports only its own layer or those below it
(docs/architecture.md draws the road), no import cycle between modules, a dozen top-level modules at
most, and light packages that load without Chroma or a web server."""

import ast
import subprocess
import sys
from pathlib import Path

from assistant.settings import PROJECT_DIR

PACKAGE = PROJECT_DIR / "assistant"
# Bottom to top: a module may import from its own layer and the layers before it, never after.
LAYERS = [
    {"models", "settings", "wording"},
    {"text", "neural"},
    {"profiles"},
    {"retrieval"},
    {"ingest"},
    {"question"},
    {"answering"},
    {"store"},
    {"assistant"},
    {"web"},
    {"console"},
    {"server"},
    {"cli", "__main__", "__init__"},
]
LAYER = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, top_level_only: bool) -> set[str]:
    """The `assistant.*` modules `path` imports (at module level only when `top_level_only`), outside
    `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if inner and top_level_only:
                continue
            if isinstance(child, ast.ImportFrom) and child.module and child.module.split(".")[0] == "assistant":
                for alias in child.names:
                    candidate = f"{child.module}.{alias.name}"
                    found.add(candidate if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists()
                              or (PACKAGE.parent / candidate.replace(".", "/")).is_dir() else child.module)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.split(".")[0] == "assistant")
            visit(child, inner)

    visit(tree, False)
    return found


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYER[parts[1] if len(parts) > 1 else "__init__"]


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def test_every_package_has_a_layer():
    assert {m.split(".")[1] for m in MODULES if "." in m} <= set(LAYER)


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{module} imports {target}" for module, path in MODULES.items() if module != "assistant"
              for target in imports(path, top_level_only=False) if layer_of(target) > layer_of(module)]
    assert upward == []


def test_no_import_cycle_between_modules():
    graph = {module: {t for t in imports(path, top_level_only=True) if t in MODULES and t != module}
             for module, path in MODULES.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [module, target])
            elif target not in state:
                walk(target, trail + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    # A package's __init__ is imported with its modules: only cycles between modules count.
    assert [c for c in cycles if not any(m.count(".") < 2 and (PACKAGE / m.split(".")[-1]).is_dir() for m in c)] == []


def test_at_most_a_dozen_top_level_modules():
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top


def test_light_packages_load_without_chroma_uvicorn_or_gradio():
    code = ("import sys, assistant, assistant.text.figures, assistant.text.french, assistant.question.analysis, "
            "assistant.answering.extractive.answerer, assistant.store.masking, assistant.wording; "
            "print(','.join(m for m in ('chromadb', 'uvicorn', 'gradio', 'fastapi') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_DIR)
    assert loaded.stdout.strip() == ""


PATTERN_METHODS = {"search", "match", "fullmatch", "finditer", "findall", "sub", "split"}


def reads_the_question(call: ast.Call) -> bool:
    """`PATTERN.search(analysis.question)` and the like: a pattern run on the question's text."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in PATTERN_METHODS):
        return False
    return any(isinstance(node, ast.Attribute) and node.attr == "question"
               for arg in call.args for node in ast.walk(arg))


def test_the_question_is_read_once_in_question_and_no_answerer_runs_a_pattern_on_it():
    offenders = []
    for path in sorted((PACKAGE / "answering").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and reads_the_question(node):
                offenders.append(f"{path.relative_to(PROJECT_DIR)}:{node.lineno}")
    assert offenders == [], "read it in assistant/question/cues.py instead: " + ", ".join(offenders)

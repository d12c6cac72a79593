"""Imports at the top (issue 20, item 5): the one list of imports deferred into functions, and no
import cycles between modules.

An import inside a function hides what a module depends on and hides import cycles from
`lint-imports`. The only accepted reason to defer one is start-up: keeping a heavy module out of the
process before the window's first paint or the command line's fast start (bench figure 4). Each such
import is listed once, in DEFERRED below, with its reason, and its line carries `# noqa: PLC0415` for
ruff. The list lives here, beside the test that reads it, rather than in the package: nothing at run
time reads it, and a reviewer who adds a deferred import sees the rule and the list in one file.

The list may only shrink: an entry whose import is gone fails the test, and so does a 41st entry.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "desktop"
MOST_DEFERRED = 40

# "desktop/path.py: imported.module" -> why it is deferred. One entry covers every import of that
# module inside functions of that file.
DEFERRED: dict[str, str] = {
    "desktop/gui/contender_picker.py: PySide6.QtWidgets":
        "QFileDialog, a widget the first paint does not need: PySide6 sets a class up when first named "
        "(~0.5 ms at import)",
    "desktop/gui/main_window.py: desktop.gui.after_paint":
        "the window's one deferral point for the work started right after its first paint (key check, "
        "GGUF and server scans, warm-up, icon, prompt sets, message boxes, the Workspace with the store, "
        "importers, numpy and the statistics): none is needed to paint",
    "desktop/gui/main_window.py: desktop.gui.on_demand":
        "the results views, the Settings and Models dialogs, the background judge and batch: built when "
        "first wanted (~70 ms more than after_paint), not before or right after the first paint",
    "desktop/gui/round_controller.py: desktop.gui.round_parts":
        "the round session, the store, the battle runner and llama.cpp's worker pool load when the first "
        "round starts (warm_up loads them off the UI thread after the paint)",
    "desktop/gui/qt_namespace.py: PySide6.QtCore":
        "`Qt` (the namespace of Qt's enums) costs ~15-20 ms when first touched; the one place it is "
        "loaded, on first use after the paint (measured: the window showed ~20 ms later with it at the top)",
    "desktop/gui/answer_pane.py: desktop.gui.markdown_doc":
        "the Markdown renderer's Qt text classes load with the first answer, not before the first paint",
    "desktop/gui/wording.py: html":
        "html (with its entity tables) is first needed after the vote, not before the first paint",
    "desktop/cli/ask.py: desktop.core.local.workers":
        "the llama.cpp worker pool (~14 ms) loads for a local side only; every command's parser imports ask",
    "desktop/cli/display.py: socket":
        "socket (with selectors) asks an X server whether it answers: not needed on Wayland or a "
        "headless platform, and the check runs before the window's first paint (~3 ms)",
    "desktop/cli/display.py: ctypes":
        "ctypes loads libxcb-cursor to check Qt's X11 plugin can start: X11 only, before the first "
        "paint (~2 ms)",
    "desktop/core/prompts/starter_sets.py: desktop.core.prompts.promptsets":
        "the prompt set reader (with csv, ~3 ms) loads a set's prompts; the window lists the sets' "
        "titles in its File menu before its first paint without it",
    "desktop/core/providers/clients.py: httpx":
        "httpx, httpcore and ssl (~0.1 s) load with the first HTTP client: every provider module loads "
        "before the first paint (the pickers read the registry), so all of them reach httpx through "
        "clients.httpx_module()",
    "desktop/core/providers/clients.py: socket":
        "Stop's shutdown of a stream's socket: a stream exists only once httpx (which loads socket) "
        "has, while the providers load before the window's first paint (~3 ms with selectors)",
    "desktop/core/providers/clients.py: httpcore":
        "the network backend that lets Stop cut a pooled connection; loads with httpx, on the first client",
    "desktop/core/providers/failures.py: email.utils":
        "a Retry-After date is parsed only when a server sends one (~6 ms; providers load before the paint)",
    "desktop/core/base/keys.py: desktop.core.base.keyring_parts":
        "keyring and its backends probe D-Bus and are slow to load; the one deferral point for them, on "
        "the first key read",
    "desktop/gui/tasks.py: concurrent.futures":
        "the thread pool is made on first use: concurrent.futures (with queue, heapq) is not needed to paint "
        "the window",
    "desktop/core/library/download.py: filelock":
        "filelock (about 30 modules) loads only when a model is downloaded, not before every command",
    "desktop/cli/__init__.py: desktop.core.local.worker":
        "the worker's modules (ctypes, importlib.metadata, subprocess...; ~100 ms) load only in the "
        "llama.cpp worker process, not before every command and the window",
    "desktop/cli/gui.py: desktop.gui.app":
        "PySide6 loads only when the window opens: no command but `gui` pays for Qt, and a missing PySide6 "
        "is reported plainly",
    "desktop/core/base/paths.py: platformdirs":
        "the data folder is asked for after start-up; platformdirs stays out of the CLI's fast start and the "
        "first paint",
    "desktop/core/library/download.py: huggingface_hub":
        "huggingface_hub (with requests, tqdm...) loads only when a model is downloaded",
    "desktop/core/library/hub.py: huggingface_hub":
        "huggingface_hub loads only when the Hub is searched (`models search/files`, the models dialog)",
    "desktop/core/local/worker_threads.py: llama_cpp":
        "llama_cpp-free start: the worker process starts light and loads llama.cpp only with the model "
        "(see worker.py's docstring)",
    "desktop/core/local/worker.py: llama_cpp":
        "llama_cpp-free start: llama.cpp loads in the worker process only, after it has set up its output "
        "and threads; its chat formats (jinja2) only for a model whose template needs them",
    "desktop/core/prompts/starter_sets.py: importlib.resources":
        "importlib.resources pulls zipfile, tempfile and more: not before the window's first paint",
    "desktop/core/team/server.py: psycopg":
        "psycopg loads only for a team server (PostgreSQL), never for the single-user app",
    "desktop/gui/compare_view.py: desktop.core.contenders.identity":
        "its patterns (~5 ms) are compiled only when a battle with a leak is shown, not before the window's "
        "first paint",
}

def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """The absolute names of the modules one import statement reads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.level:
        module = node.module or ""
    else:
        package = _module_name(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        base = package[: len(package) - (node.level - 1)]
        module = ".".join(base + ([node.module] if node.module else []))
    # `from desktop.gui import after_paint` reads the module desktop.gui.after_paint: named so,
    # one entry cannot cover every other module of the package imported the same way later.
    folder = ROOT.joinpath(*module.split("."))
    submodules = [f"{module}.{alias.name}" for alias in node.names
                  if (folder / f"{alias.name}.py").is_file() or (folder / alias.name).is_dir()]
    return submodules or [module]


def imports_inside_functions() -> dict[str, list[int]]:
    """Every import inside a function or method under desktop/ (what ruff's PLC0415 flags), as
    "desktop/path.py: module" -> line numbers. Module-level `if TYPE_CHECKING:` blocks are at the
    top of the module, so they are not counted."""
    found: dict[str, list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        relative = path.relative_to(ROOT).as_posix()

        def visit(node: ast.AST, in_function: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                    for module in _imported(child, path):
                        found.setdefault(f"{relative}: {module}", []).append(child.lineno)
                visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

        visit(tree, False)
    return found


def test_every_import_inside_a_function_is_on_the_one_list_with_its_reason():
    found = imports_inside_functions()
    unlisted = sorted(f"{key} (line {', '.join(map(str, lines))})" for key, lines in found.items()
                      if key not in DEFERRED)
    assert not unlisted, (
        "imports inside functions that are not on tests/test_imports.py's DEFERRED list: move them to the "
        "top of the module, or (only to keep a heavy module out of start-up) list them with the reason:\n  "
        + "\n  ".join(unlisted))


def test_the_list_only_shrinks_no_stale_entry_and_at_most_40():
    found = imports_inside_functions()
    stale = sorted(key for key in DEFERRED if key not in found)
    assert not stale, "entries whose import is no longer inside a function; remove them:\n  " + "\n  ".join(stale)
    assert len(DEFERRED) <= MOST_DEFERRED, f"{len(DEFERRED)} deferred imports; at most {MOST_DEFERRED}"
    assert all(reason.strip() for reason in DEFERRED.values()), "every deferred import says why"


def test_every_deferred_import_line_carries_ruffs_noqa():
    # ruff's PLC0415 and this list agree: a deferred line says so in the code too.
    missing = []
    for key, lines in imports_inside_functions().items():
        if key not in DEFERRED:
            continue
        path = ROOT / key.split(": ")[0]
        text = path.read_text(encoding="utf-8").splitlines()
        missing += [f"{key} line {n}" for n in lines if "noqa: PLC0415" not in _statement(text, n)]
    assert not missing, "deferred imports without `# noqa: PLC0415`:\n  " + "\n  ".join(missing)


def _statement(lines: list[str], lineno: int) -> str:
    """The source of the import statement starting at lineno (it may continue over a few lines)."""
    text = lines[lineno - 1]
    n = lineno
    while text.count("(") > text.count(")") and n < len(lines):
        text += lines[n]
        n += 1
    return text


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def test_no_import_cycle_between_modules():
    # grimp sees imports inside functions too, which lint-imports' contracts would miss, and those
    # under `if TYPE_CHECKING:`: a module that needs another's types while that one imports it is
    # a cycle of ownership even if it never runs (store/migrations, results/report_html and
    # gui/main_menu each had one).
    graph = grimp.build_graph("desktop")
    cycles = _cycles(graph)
    assert not cycles, "import cycles between modules:\n  " + "\n  ".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_names_a_cycle(tmp_path, monkeypatch):
    # The check above can fail: a two-module package that imports itself round is reported.
    package = tmp_path / "roundabout"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "first.py").write_text("def f():\n    from roundabout import second\n")
    (package / "second.py").write_text("from roundabout import first\n")
    (package / "alone.py").write_text("from roundabout import first\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("roundabout", cache_dir=None)
    assert _cycles(graph) == [["roundabout.first", "roundabout.second"]]

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
import tomllib
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
    "desktop/gui/theme.py: PySide6.QtCore":
        "`Qt` (the namespace of Qt's enums) costs ~15-20 ms when first touched at import; the first paint "
        "does without it (measured: the window showed ~20 ms later with it at the top)",
    "desktop/gui/compare_view.py: PySide6.QtCore":
        "`Qt` (the namespace of Qt's enums) costs ~15-20 ms when first touched at import; the first paint "
        "does without it",
    "desktop/gui/tasks.py: concurrent.futures":
        "the thread pool is made on first use: concurrent.futures (with queue, heapq) is not needed to paint "
        "the window",
    "desktop/cli/models.py: desktop.core.library":
        "the model library (Hub, catalogue, downloads, servers: about a dozen modules) loads for `models` "
        "only, not before every command",
    "desktop/cli/models.py: desktop.core.library.memory":
        "this machine's memory probe (subprocess) loads for `models search` only, not before every command",
    "desktop/cli/doctor.py: desktop.core.doctor":
        "the checks' modules (llama.cpp build info, importlib.metadata, email, zipfile, the worker client) "
        "load for `doctor` only, not before every command",
    "desktop/cli/leaderboard.py: desktop.core.stats.results":
        "the fits (numpy, the stats package) load for `leaderboard` only, not before every command",
    "desktop/cli/leaderboard.py: desktop.core.stats.style_control":
        "the style-control fit loads for `leaderboard` only, not before every command",
    "desktop/cli/report.py: desktop.core.results.report":
        "the report's statistics and page (about 20 modules) load for `report` only, not before every command",
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

# TEMPORARY (issue 20 is refactored on parallel branches): the in-function imports in files that
# other branches own, as they stand on this branch. The lead empties this dict at the merge, once
# those branches have moved their imports to the top or into DEFERRED; it does not count toward
# MOST_DEFERRED and must be empty on main. The same files are in pyproject's per-file-ignores.
PENDING_AT_MERGE: dict[str, str] = {
    "desktop/cli/ask.py: argparse": "another branch owns this file",
    "desktop/cli/ask.py: desktop.cli._store": "another branch owns this file",
    "desktop/cli/ask.py: desktop.cli.ask_results": "another branch owns this file",
    "desktop/cli/ask.py: desktop.cli.live": "another branch owns this file",
    "desktop/cli/ask.py: desktop.cli.reveal_output": "another branch owns this file",
    "desktop/cli/ask.py: desktop.cli.starter_run": "another branch owns this file",
    "desktop/cli/ask.py: desktop.core.battle.specs": "another branch owns this file",
    "desktop/cli/ask.py: desktop.core.local.workers": "another branch owns this file",
    "desktop/cli/ask.py: desktop.core.prompts.promptsets": "another branch owns this file",
    "desktop/cli/ask.py: desktop.core.store": "another branch owns this file",
    "desktop/cli/export.py: desktop.core.results.export": "another branch owns this file",
    "desktop/cli/export.py: desktop.core.results.export_sources": "another branch owns this file",
    "desktop/cli/export.py: desktop.core.store.sources": "another branch owns this file",
    "desktop/cli/keys.py: desktop.core.base": "another branch owns this file",
    "desktop/cli/keys.py: desktop.core.base.keys": "another branch owns this file",
    "desktop/cli/keys.py: desktop.core.providers.registry": "another branch owns this file",
    "desktop/core/base/keys.py: desktop.core.base.paths": "another branch owns this file",
    "desktop/core/base/keys.py: desktop.core.providers.registry": "another branch owns this file",
    "desktop/core/base/keys.py: keyring": "another branch owns this file",
    "desktop/core/base/keys.py: keyring.backends": "another branch owns this file",
    "desktop/core/base/keys.py: keyring.errors": "another branch owns this file",
    "desktop/core/battle/engine.py: desktop.core.contenders.prices": "another branch owns this file",
    "desktop/core/battle/round_session.py: desktop.core.battle.engine": "another branch owns this file",
    "desktop/core/battle/round_session.py: desktop.core.store.battles": "another branch owns this file",
    "desktop/core/battle/specs.py: desktop.core.providers.registry": "another branch owns this file",
    "desktop/core/contenders/prices.py: desktop.core.base.paths": "another branch owns this file",
    "desktop/core/contenders/prices.py: desktop.core.providers.registry": "another branch owns this file",
    "desktop/core/library/servers.py: concurrent.futures": "another branch owns this file",
    "desktop/core/library/servers.py: httpx": "another branch owns this file",
    "desktop/core/local/client.py: desktop.core.local.build_info": "another branch owns this file",
    "desktop/core/local/client.py: time": "another branch owns this file",
    "desktop/core/local/workers.py: desktop.core.base.paths": "another branch owns this file",
    "desktop/core/providers/anthropic.py: desktop.core.base.keys": "another branch owns this file",
    "desktop/core/providers/clients.py: desktop.core.providers.http": "another branch owns this file",
    "desktop/core/providers/clients.py: httpcore": "another branch owns this file",
    "desktop/core/providers/clients.py: httpx": "another branch owns this file",
    "desktop/core/providers/compat.py: desktop.core.base.keys": "another branch owns this file",
    "desktop/core/providers/failures.py: email.utils": "another branch owns this file",
    "desktop/core/providers/failures.py: httpx": "another branch owns this file",
    "desktop/core/providers/gemini.py: desktop.core.base.keys": "another branch owns this file",
    "desktop/core/providers/http.py: desktop.core.providers.clients": "another branch owns this file",
    "desktop/core/providers/http.py: desktop.core.providers.sse": "another branch owns this file",
    "desktop/core/providers/http.py: httpx": "another branch owns this file",
    "desktop/core/providers/http_errors.py: httpx": "another branch owns this file",
    "desktop/core/providers/lmstudio.py: desktop.core.library.servers": "another branch owns this file",
    "desktop/core/providers/ollama.py: desktop.core.library.servers": "another branch owns this file",
    "desktop/core/providers/ollama.py: httpx": "another branch owns this file",
    "desktop/core/providers/openai.py: desktop.core.base.keys": "another branch owns this file",
    "desktop/core/providers/warm.py: desktop.core.base.errors": "another branch owns this file",
    "desktop/core/providers/warm.py: desktop.core.base.keys": "another branch owns this file",
    "desktop/core/providers/warm.py: desktop.core.battle.specs": "another branch owns this file",
    "desktop/core/providers/warm.py: desktop.core.providers.registry": "another branch owns this file",
    "desktop/core/store/battles.py: desktop.core.store.votes": "another branch owns this file",
    "desktop/gui/answer_pane.py: PySide6.QtCore": "another branch owns this file",
    "desktop/gui/answer_pane.py: desktop.gui.markdown_doc": "another branch owns this file",
    "desktop/gui/answer_pane.py: html": "another branch owns this file",
    "desktop/gui/app.py: PySide6.QtWidgets": "another branch owns this file",
    "desktop/gui/app.py: dataclasses": "another branch owns this file",
    "desktop/gui/app.py: desktop.gui": "another branch owns this file",
    "desktop/gui/app.py: desktop.gui.main_window": "another branch owns this file",
    "desktop/gui/key_check.py: desktop.core.base": "another branch owns this file",
    "desktop/gui/key_check.py: desktop.core.base.errors": "another branch owns this file",
    "desktop/gui/key_check.py: desktop.core.battle.specs": "another branch owns this file",
    "desktop/gui/key_check.py: desktop.core.providers": "another branch owns this file",
    "desktop/gui/main_window.py: PySide6.QtWidgets": "another branch owns this file",
    "desktop/gui/main_window.py: desktop": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.core.library": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.core.library.servers": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.core.prompts.promptsets": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.core.prompts.starter_sets": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.core.providers.clients": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.core.providers.warm": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.background_judge": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.batch_task": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.history_view": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.key_check": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.leaderboard_view": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.models_dialog": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.review_view": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.settings_dialog": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.verdict_view": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.warm_up": "another branch owns this file",
    "desktop/gui/main_window.py: desktop.gui.window_icon": "another branch owns this file",
    "desktop/gui/main_window.py: gc": "another branch owns this file",
    "desktop/gui/round_controller.py: desktop.core.battle.round_session": "another branch owns this file",
    "desktop/gui/round_controller.py: desktop.core.battle.specs": "another branch owns this file",
    "desktop/gui/round_controller.py: desktop.core.contenders.answer": "another branch owns this file",
    "desktop/gui/round_controller.py: desktop.core.local.workers": "another branch owns this file",
    "desktop/gui/round_controller.py: desktop.core.store": "another branch owns this file",
    "desktop/gui/round_controller.py: desktop.gui.battle_runner": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.battle.categories": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.importing": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.judge.verdict": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.prompts.starter_sets": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.results.export": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.results.export_sources": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.results.report": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.stats.pair_votes": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.stats.results": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.stats.style_control": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.stats.verdict": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.store": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.store.judge_verdicts": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.store.sources": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.team.push": "another branch owns this file",
    "desktop/gui/services.py: desktop.core.team.settings": "another branch owns this file",
    "desktop/gui/vote_bar.py: PySide6.QtCore": "another branch owns this file",
    "desktop/gui/wording.py: desktop.core.contenders.answer": "another branch owns this file",
    "desktop/gui/wording.py: desktop.core.providers.registry": "another branch owns this file",
    "desktop/gui/wording.py: html": "another branch owns this file",
}

# TEMPORARY as PENDING_AT_MERGE: import cycles whose modules other branches own. Each is a set of
# module names; emptied by the lead at the merge.
PENDING_CYCLES: list[frozenset[str]] = [
    frozenset({"desktop.core.providers.clients", "desktop.core.providers.http"}),
    frozenset({"desktop.core.store.battles", "desktop.core.store.votes"}),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """The absolute names of the modules one import statement reads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.level:
        return [node.module or ""]
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return [".".join(base + ([node.module] if node.module else []))]


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
                      if key not in DEFERRED and key not in PENDING_AT_MERGE)
    assert not unlisted, (
        "imports inside functions that are not on tests/test_imports.py's DEFERRED list: move them to the "
        "top of the module, or (only to keep a heavy module out of start-up) list them with the reason:\n  "
        + "\n  ".join(unlisted))


def test_the_list_only_shrinks_no_stale_entry_and_at_most_40():
    found = imports_inside_functions()
    stale = sorted(key for key in {**DEFERRED, **PENDING_AT_MERGE} if key not in found)
    assert not stale, "entries whose import is no longer inside a function; remove them:\n  " + "\n  ".join(stale)
    assert len(DEFERRED) <= MOST_DEFERRED, f"{len(DEFERRED)} deferred imports; at most {MOST_DEFERRED}"
    assert not set(DEFERRED) & set(PENDING_AT_MERGE)
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


def test_pending_files_are_exactly_rufs_temporary_per_file_ignores():
    # The two temporary lists go together, so that clearing one at the merge reminds of the other.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ignores = config["tool"]["ruff"]["lint"].get("per-file-ignores", {})
    ignored = {path for path, codes in ignores.items() if "PLC0415" in codes}
    pending = {key.split(": ")[0] for key in PENDING_AT_MERGE}
    assert pending <= ignored, sorted(pending - ignored)


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
    new = [cycle for cycle in cycles if frozenset(cycle) not in PENDING_CYCLES]
    assert not new, "import cycles between modules:\n  " + "\n  ".join(" <-> ".join(c) for c in new)
    stale = [sorted(cycle) for cycle in PENDING_CYCLES if sorted(cycle) not in cycles]
    assert not stale, f"pending cycles that are gone; remove them from PENDING_CYCLES: {stale}"


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

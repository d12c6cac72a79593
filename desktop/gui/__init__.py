"""The window: a thin Qt face on the Qt-free core (`desktop.core`).

Widgets render and forward intents; `round_controller` drives the engine and the store;
`battle_runner` brings engine events to the UI thread; `tasks` runs store calls on one writer
thread. Nothing here holds business logic, and nothing heavy is imported before the first paint.

PySide6's import hook reads the source of every module imported after Qt (`inspect.getsource`,
through linecache, decoded and split into lines) to see whether it names PySide6, for its opt-in
`__feature__` switches; at start-up that is every module of the window and the core, ~10 ms
before the first paint (bench figure 4). The same question is answered here from the file's bytes.
"""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401 - loads the import hook that the function below lightens


def _read_only_the_bytes() -> None:
    feature = sys.modules.get("shibokensupport.feature")
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if upstream is None or getattr(upstream, "reads_bytes", False):
        return  # another PySide6 release: left as it is

    def _mod_uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return upstream(module)  # built in, compiled or frozen: PySide's own answer
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return upstream(module)

    _mod_uses_pyside.reads_bytes = True
    feature._mod_uses_pyside = _mod_uses_pyside


_read_only_the_bytes()

"""What the window starts right after its first paint, imported together at that moment.

Checking keys, finding GGUF files and model servers, warming connections and imports, the
window icon, a prompt set to reopen, the message boxes and the file dialog (~2 ms to wrap), and
the data folder's operations (`Workspace`: the store, the importers, numpy and the statistics):
none of it is needed to paint, so `MainWindow` imports this module when its first frame is out
(or when `services` is first used).
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.core.battle.warm import warm_specs
from desktop.core.library import gguf_scan
from desktop.core.library.servers import served_models
from desktop.core.operations.workspace import Workspace
from desktop.core.prompts.promptsets import PromptSetError, load_prompt_set
from desktop.gui import refresh as refresh
from desktop.gui.key_check import missing_keys
from desktop.gui.warm_up import warm_up
from desktop.gui.window_icon import set_window_icon

__all__ = ["PromptSetError", "QFileDialog", "QMessageBox", "Workspace", "gguf_scan",
           "load_prompt_set", "missing_keys", "refresh", "served_models", "set_window_icon",
           "warm_specs", "warm_up"]

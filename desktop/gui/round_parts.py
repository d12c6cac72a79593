"""The round's engine, imported together when the first round starts.

`RoundController` is built with the window, but the round session, the store, the battle
runner and the local model's worker pool are needed only once a prompt is sent (warm_up loads
them on a worker thread after the first paint). This is the controller's one deferral point for
them.
"""

from __future__ import annotations

from desktop.core import store as store
from desktop.core.battle import round_session as round_session
from desktop.core.local import workers as workers
from desktop.gui import battle_runner as battle_runner

__all__ = ["battle_runner", "round_session", "store", "workers"]

"""The window's parts built on demand: the results views, the dialogs, the background judge
and the batch launcher, imported together the first time one of them is wanted.

They pull in the store, the statistics (numpy) and the importers, and their own widget modules
cost ~70 ms more, so `MainWindow` imports this module only when a tab is opened, a dialog or a
menu action is used: neither before its first paint nor in the work right after it.
"""

from __future__ import annotations

from desktop.gui import background_judge as background_judge
from desktop.gui import batch_task as batch_task
from desktop.gui import history_view as history_view
from desktop.gui import leaderboard_view as leaderboard_view
from desktop.gui import models_dialog as models_dialog
from desktop.gui import review_view as review_view
from desktop.gui import settings_dialog as settings_dialog
from desktop.gui import team_dialog as team_dialog
from desktop.gui import verdict_view as verdict_view

__all__ = ["background_judge", "batch_task", "history_view", "leaderboard_view", "models_dialog",
           "review_view", "settings_dialog", "team_dialog", "verdict_view"]

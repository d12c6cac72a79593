"""The Votes box the Leaderboard and the Verdict share: whose votes count.

Your own votes (the default), one imported source, or all of them; imported votes never mix with
yours unless asked. A data folder in a team also lists the team's votes (read from its server).
The list of imported sources comes back with each computation (read on the
worker thread), so the box only fills it in.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

OWN_LABEL = "Your votes"
ALL_SOURCES_LABEL = "Yours and all imported"
TEAM = "team"
TEAM_LABEL = "The team's votes"


class SourceBox(QComboBox):
    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(OWN_LABEL, "own")
        self.setAccessibleName(accessible_name)
        self.setMinimumContentsLength(14)

    def current_source(self) -> str:
        return self.currentData() or "own"

    def imported_names(self) -> list[str]:
        return [self.itemData(i) for i in range(self.count())
                if self.itemData(i) not in ("own", "all")]

    def set_sources(self, names: list[str]) -> None:
        """List these imported sources, keeping the current choice (own if it went away),
        without signalling a change."""
        current = self.current_source()
        self.blockSignals(True)
        self.clear()
        self.addItem(OWN_LABEL, "own")
        imported = [name for name in names if name != TEAM]
        for name in imported:
            self.addItem(f"Imported: {name}", name)
        if imported:
            self.addItem(ALL_SOURCES_LABEL, "all")
        if TEAM in names:  # `Workspace.result_sources` lists it only for a folder in a team
            self.addItem(TEAM_LABEL, TEAM)
        self.setCurrentIndex(max(0, self.findData(current)))
        self.blockSignals(False)

"""The Votes box the Leaderboard and the Verdict share: whose votes count.

Your own votes (the default), one imported source, or all of them; imported votes never mix with
yours unless asked. The list of imported sources comes back with each computation (read on the
worker thread), so the box only fills it in.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

OWN_LABEL = "Your votes"
ALL_SOURCES_LABEL = "Yours and all imported"


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
        for name in names:
            self.addItem(f"Imported: {name}", name)
        if names:
            self.addItem(ALL_SOURCES_LABEL, "all")
        self.setCurrentIndex(max(0, self.findData(current)))
        self.blockSignals(False)

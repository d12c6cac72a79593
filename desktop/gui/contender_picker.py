"""Picks one contender: the embedded model, a GGUF on disk, a provider's model, or a server.

The picker only builds a spec string (see `desktop.core.battle.specs`) and a kind; it never starts
anything. Its providers are those the provider registry declares. GGUF files found by
`gguf_scan`, and models served by Ollama or LM Studio, arrive later through `add_found()`: the
scans run off the UI thread after the window is shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from desktop.core.base.errors import ContenderError
from desktop.core.providers import registry
from desktop.core.battle.specs import parse_spec
from desktop.gui.settings_store import ContenderChoice

EMBEDDED = "local"
CHOOSE = "__choose__"
CHOSEN = "your file"  # the source shown for a GGUF chosen through the file dialog


def picker_providers() -> dict[str, tuple[str, str]]:
    """provider -> (label, default model), for every contender provider but the local engine."""
    return {p.name: (p.label, p.default_model) for p in registry.contender_providers()
            if p.name != "local"}


def _asks_for_server(provider: str) -> bool:
    info = registry.get(provider)
    return info is not None and info.shape == registry.SHAPE_MODEL_AT_URL


KINDS = (("Open model", "open"), ("Proprietary model", "proprietary"))


class ContenderPicker(QWidget):
    changed = Signal()

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self._models: dict[str, str] = {p: d for p, (_, d) in picker_providers().items()}
        self._previous = 0

        self.caption = QLabel(f"Contender {number}", objectName="muted")
        self.source = QComboBox()
        self.source.setAccessibleName(f"Contender {number}")
        self.source.setMinimumContentsLength(22)
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.caption.setBuddy(self.source)
        self.caption.setText(f"Contender &{number}")
        self.model = QLineEdit()
        self.model.setPlaceholderText("Model name")
        self.model.setAccessibleName(f"Contender {number} model name")
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("Server address, e.g. http://localhost:8080/v1")
        self.base_url.setAccessibleName(f"Contender {number} server address")
        self.kind = QComboBox()
        self.kind.setAccessibleName(f"Contender {number} kind")
        for label, value in KINDS:
            self.kind.addItem(label, value)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(6)
        layout.setVerticalSpacing(4)
        layout.addWidget(self.caption, 0, 0, 1, 2)
        layout.addWidget(self.source, 1, 0)
        layout.addWidget(self.model, 1, 1)
        layout.addWidget(self.base_url, 2, 0)
        layout.addWidget(self.kind, 2, 1)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)

        self._fill()
        self.source.currentIndexChanged.connect(self._on_source)
        self.model.editingFinished.connect(self._on_edit)
        self.base_url.editingFinished.connect(self.changed)
        self.kind.currentIndexChanged.connect(self.changed)
        self._update_fields()

    # -- entries ---------------------------------------------------------------------------
    def _fill(self) -> None:
        self.source.blockSignals(True)
        self.source.addItem("Embedded model (SmolLM2 135M)", EMBEDDED)
        self.source.setItemData(0, "The small open model that ships with Side by Side", 3)
        self.source.insertSeparator(self.source.count())
        for provider, (label, _) in picker_providers().items():
            self.source.addItem(label, f"{provider}:")
        self.source.insertSeparator(self.source.count())
        self.source.addItem("Choose GGUF file…", CHOOSE)
        self.source.blockSignals(False)

    def _local_insert_index(self) -> int:
        return 1  # right after the embedded model

    def add_gguf(self, path: str, name: str, source: str) -> int:
        spec = f"local:{path}"
        existing = self.source.findData(spec)
        if existing >= 0:
            return existing
        index = self._local_insert_index()
        self.source.blockSignals(True)
        self.source.insertItem(index, f"{name} · {source}", spec)
        self.source.setItemData(index, path, 3)  # tooltip: the full path
        self.source.blockSignals(False)
        return index

    def add_served(self, spec: str, name: str, source: str) -> int:
        """A model a server offers (`ollama:qwen3:8b`), listed with the files on disk."""
        existing = self.source.findData(spec)
        if existing >= 0:
            return existing
        index = self._local_insert_index()
        self.source.blockSignals(True)
        self.source.insertItem(index, f"{name} · {source}", spec)
        self.source.setItemData(index, spec, 3)
        self.source.blockSignals(False)
        return index

    def add_found(self, models) -> None:
        """GGUF files (with `path`) and served models (with `spec`), as the scans find them."""
        for model in models:
            if getattr(model, "spec", None):
                self.add_served(model.spec, model.name, model.source)
            else:
                self.add_gguf(model.path, model.name, model.source)

    def _served(self) -> bool:
        """A whole spec is chosen (a served model), not a provider waiting for a model name."""
        data = self.source.currentData() or EMBEDDED
        return ":" in data and not data.endswith(":") and not data.startswith("local")

    def chosen_ggufs(self) -> list[str]:
        out = []
        for i in range(self.source.count()):
            data = self.source.itemData(i)
            if isinstance(data, str) and data.startswith("local:") and self.source.itemText(i).endswith("· " + CHOSEN):
                out.append(data[len("local:"):])
        return out

    # -- choice ----------------------------------------------------------------------------
    def set_choice(self, choice: ContenderChoice) -> None:
        try:
            spec = parse_spec(choice.spec)
        except ContenderError:
            spec = parse_spec(EMBEDDED)
        self.source.blockSignals(True)
        if spec.provider == "local" and spec.path is None:
            index = self.source.findData(EMBEDDED)
        elif spec.provider == "local":
            index = self.add_gguf(spec.path, Path(spec.path).stem, CHOSEN)
        elif self.source.findData(spec.raw) >= 0:
            index = self.source.findData(spec.raw)
        else:
            index = self.source.findData(f"{spec.provider}:")
            if index < 0:  # a provider this picker does not list yet: keep it selectable
                index = self.source.count()
                self.source.addItem(spec.provider, f"{spec.provider}:")
            self._models[spec.provider] = spec.model
            self.model.setText(spec.model)
            self.base_url.setText(spec.base_url or "")
        self.source.setCurrentIndex(max(0, index))
        self._previous = self.source.currentIndex()
        kind_index = self.kind.findData(choice.kind or "open")
        self.kind.setCurrentIndex(max(0, kind_index))
        self.source.blockSignals(False)
        self._update_fields()

    def provider(self) -> str:
        data = self.source.currentData() or EMBEDDED
        return "local" if data.startswith("local") else data.partition(":")[0]

    def choice(self) -> ContenderChoice:
        data = self.source.currentData() or EMBEDDED
        provider = self.provider()
        if provider == "local" or self._served():
            return ContenderChoice(data)
        model = self.model.text().strip()
        if _asks_for_server(provider):
            url = self.base_url.text().strip().rstrip("/")
            return ContenderChoice(f"{provider}:{model}@{url}", self.kind.currentData())
        return ContenderChoice(f"{provider}:{model}")

    def problem(self) -> str | None:
        """What is missing before this contender can run, in plain words, or None."""
        provider = self.provider()
        if provider == "local" or self._served():
            return None
        if not self.model.text().strip():
            return f"Contender {self.number} needs a model name."
        url = self.base_url.text().strip()
        if _asks_for_server(provider) and not url.startswith(("http://", "https://")):
            return f"Contender {self.number} needs the server's address (starting with http:// or https://)."
        return None

    # -- reactions --------------------------------------------------------------------------
    def _on_source(self, index: int) -> None:
        if self.source.itemData(index) == CHOOSE:
            self._choose_file()
            return
        self._previous = index
        provider = self.provider()
        if provider != "local" and not self._served():
            self.model.setText(self._models.get(provider, ""))
        self._update_fields()
        self.changed.emit()

    def _on_edit(self) -> None:
        provider = self.provider()
        if provider != "local" and not self._served():
            self._models[provider] = self.model.text().strip()
        self.changed.emit()

    def _choose_file(self) -> None:
        # deferred: a widget class the first paint does not need (its type is set up on first use)
        from PySide6.QtWidgets import QFileDialog  # noqa: PLC0415

        path, _ = QFileDialog.getOpenFileName(
            self, f"Choose a GGUF model for contender {self.number}", str(Path.home()),
            "GGUF models (*.gguf);;All files (*)",
        )
        self.source.blockSignals(True)
        if path:
            self._previous = self.add_gguf(path, Path(path).stem, CHOSEN)
        self.source.setCurrentIndex(self._previous)
        self.source.blockSignals(False)
        self._update_fields()
        if path:
            self.changed.emit()

    def _update_fields(self) -> None:
        provider = self.provider()
        typed = provider != "local" and not self._served()  # a model name to type
        self.model.setVisible(typed)
        grid = self.layout()
        grid.removeWidget(self.source)
        grid.addWidget(self.source, 1, 0, 1, 1 if typed else 2)
        self.base_url.setVisible(typed and _asks_for_server(provider))
        self.kind.setVisible(typed and _asks_for_server(provider))
        default = picker_providers().get(provider, ("", ""))[1]
        self.model.setPlaceholderText(f"Model, e.g. {default}" if default else "Model name")
        data = self.source.currentData() or ""
        self.source.setToolTip(data[len("local:"):] if data.startswith("local:") else "")

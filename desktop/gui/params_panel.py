"""The generation parameters both sides share: temperature, top p, max tokens, seed, reasoning.

Reasoning ("Default" sends nothing, so each provider decides) is mapped per provider by
desktop/core/contenders/reasoning.py; a model that cannot take it answers anyway, with a note in its pane.

The system prompt has its own collapsible editor in the comparison view; local-model settings
(context, threads) keep the values they were loaded with from settings.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from desktop.core.contenders.params import REASONING_LEVELS, GenerationParams


class ParamsPanel(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = GenerationParams()
        self.temperature = self._double("&Temperature", 0.0, 2.0, 0.05)
        self.top_p = self._double("Top &p", 0.0, 1.0, 0.05)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(1, 32768)
        self.max_tokens.setSingleStep(64)
        self.max_tokens.setAccessibleName("Maximum answer length in tokens")
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2**31 - 1)
        self.seed.setSpecialValueText("random")
        self.seed.setAccessibleName("Seed")
        self.seed.setToolTip("With a fixed seed a model that supports seeds repeats its answer; random by default.")
        self.reasoning = QComboBox()
        self.reasoning.addItem("Default", None)
        for level in REASONING_LEVELS:
            self.reasoning.addItem(level.capitalize(), level)
        self.reasoning.setAccessibleName("Reasoning effort")
        self.reasoning.setToolTip(
            "How hard reasoning models think before answering. Default leaves it to each "
            "provider; a model that cannot take the setting answers without it, with a note.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for text, widget in (
            ("&Temperature", self.temperature), ("Top &p", self.top_p),
            ("Max &tokens", self.max_tokens), ("S&eed", self.seed),
            ("Reasoning", self.reasoning),
        ):
            label = QLabel(text, objectName="muted")
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
            layout.addSpacing(8)
            if widget is self.reasoning:
                widget.currentIndexChanged.connect(self.changed)
            else:
                widget.valueChanged.connect(self.changed)
        self.temperature.setAccessibleName("Temperature")
        self.top_p.setAccessibleName("Top p")

    def _double(self, name: str, low: float, high: float, step: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setSingleStep(step)
        box.setDecimals(2)
        return box

    def set_params(self, params: GenerationParams) -> None:
        self._base = params
        self.temperature.setValue(params.temperature)
        self.top_p.setValue(params.top_p)
        self.max_tokens.setValue(params.max_tokens)
        self.seed.setValue(-1 if params.seed is None else params.seed)
        level = params.reasoning
        self.reasoning.setCurrentIndex(
            REASONING_LEVELS.index(level) + 1 if level in REASONING_LEVELS else 0)

    def params(self, system: str) -> GenerationParams:
        seed = self.seed.value()
        return replace(
            self._base, system=system, temperature=round(self.temperature.value(), 2),
            top_p=round(self.top_p.value(), 2), max_tokens=self.max_tokens.value(),
            seed=None if seed < 0 else seed,
            reasoning=REASONING_LEVELS[self.reasoning.currentIndex() - 1]
            if self.reasoning.currentIndex() > 0 else None,
        )

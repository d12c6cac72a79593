"""Settings: API keys, stored straight in the system keyring, with a connection test.

Keys are typed into masked fields and handed to `desktop.core.base.keys` at once; the dialog never
keeps, logs or shows one again (a stored key reads "Stored in the keyring"). Keyring calls and
the connection test run on a worker thread, since a keyring may take a while to answer. With no
keyring available the dialog says so and explains the environment variables instead.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
    QWidget,
)

from desktop.core.providers import registry
from desktop.core.base import keys
from desktop.core.contenders.base import CancelToken
from desktop.core.base.errors import ContenderError
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender


def key_providers() -> list[registry.ProviderInfo]:
    """The providers that take one key each, as the registry declares them."""
    return registry.keyed_providers()


def _statuses():
    return keys.keyring_problem(), {row.provider: row for row in keys.list_keys()}


def _store(provider: str, key: str) -> str:
    keys.set_key(provider, key)
    return provider


def _remove(provider: str) -> bool:
    return keys.delete_key(provider)


def _test(provider: str, model: str) -> str:
    """Send a one-token request; return a line to show. Raises nothing: errors are the result."""
    contender = None
    try:
        contender = make_contender(f"{provider}:{model}")  # its own connection, closed below
        request = Request("Reply with the word OK.", GenerationParams(max_tokens=5, temperature=0))
        for item in contender.stream(request, CancelToken()):
            if isinstance(item, str):
                break
        return f"✓ Connected: {model} answered."
    except ContenderError as exc:
        return f"✗ {exc.message}"
    except Exception as exc:  # a bug must not take the dialog down
        return f"✗ The test failed ({type(exc).__name__})."
    finally:
        if contender is not None:
            contender.close()


class SettingsDialog(QDialog):
    def __init__(self, work, focus_provider: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.setWindowTitle("Settings and API keys")
        self.resize(680, 10)
        self.banner = QLabel(objectName="warning")
        self.banner.setWordWrap(True)
        self.banner.hide()
        env = ", ".join(p.key_env_vars[0] for p in key_providers() if p.key_env_vars)
        self.intro = intro = QLabel(
            "Keys go straight to your system keyring and are never written to a file. "
            f"A key set in the environment ({env}) is used when the keyring holds none.",
            objectName="muted")
        intro.setWordWrap(True)
        cards = QVBoxLayout()
        cards.setSpacing(10)
        self.rows: dict[str, dict] = {}
        for info in key_providers():
            provider, label = info.name, info.label
            card = QFrame(objectName="card")
            name = QLabel(f"<b>{label}</b>")
            if info.key_hint:
                name.setToolTip(f"Get a key at {info.key_hint}")
            status = QLabel("Checking…", objectName="muted")
            field = QLineEdit()
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText("Paste a new key")
            field.setAccessibleName(f"{label} API key")
            name.setBuddy(field)
            save = QPushButton("Save")
            save.setAccessibleName(f"Save the {label} key")
            remove = QPushButton("Remove")
            remove.setAccessibleName(f"Remove the {label} key")
            test = QPushButton("Test connection")
            test.setAccessibleName(f"Test the {label} connection")
            test.setVisible(info.is_contender)  # a key for a model source has no chat to test
            result = QLabel(objectName="muted")
            result.setWordWrap(True)
            result.hide()
            head = QHBoxLayout()
            head.addWidget(name)
            head.addStretch(1)
            head.addWidget(status)
            entry = QHBoxLayout()
            entry.addWidget(field, 1)
            for button in (save, remove, test):
                entry.addWidget(button)
            box = QVBoxLayout(card)
            box.setContentsMargins(12, 10, 12, 10)
            box.addLayout(head)
            box.addLayout(entry)
            box.addWidget(result)
            cards.addWidget(card)
            save.clicked.connect(lambda _=False, p=provider: self._save(p))
            field.returnPressed.connect(lambda p=provider: self._save(p))
            remove.clicked.connect(lambda _=False, p=provider: self._remove(p))
            test.clicked.connect(lambda _=False, p=provider: self._test(p))
            self.rows[provider] = dict(field=field, status=status, save=save, remove=remove,
                                       test=test, result=result, label=label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.banner)
        layout.addWidget(intro)
        layout.addLayout(cards)
        layout.addWidget(buttons)
        if focus_provider in self.rows:
            self.rows[focus_provider]["field"].setFocus()
        self._fit()
        self._refresh()

    def _refresh(self) -> None:
        self.work.submit(_statuses, on_done=self._show_statuses,
                         on_error=lambda exc: self._show_problem(str(exc)))

    def _show_problem(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self._fit()

    def _fit(self) -> None:
        """Grow to the height the wrapped texts need at the current width."""
        layout = self.layout()
        height = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else 0
        self.resize(self.width(), max(self.height(), height, layout.totalMinimumSize().height()))

    def _show_statuses(self, result) -> None:
        problem, rows = result
        if problem:
            self.intro.hide()
            self._show_problem(problem)
        for provider, row in self.rows.items():
            key_row = rows.get(provider)
            if key_row is None or not key_row.present:
                text = "Not set"
            elif key_row.source == "keyring":
                text = "Stored in the keyring"
            else:
                text = "From the environment (" + key_row.source.removeprefix("env ") + ")"
            row["status"].setText(text)
            row["save"].setEnabled(problem is None)
            row["field"].setEnabled(problem is None)
            row["remove"].setEnabled(problem is None and key_row is not None
                                     and key_row.source == "keyring")

    def _save(self, provider: str) -> None:
        row = self.rows[provider]
        key = row["field"].text().strip()
        if not key:
            self._say(row, "Paste a key first.")
            return
        row["field"].clear()  # the key leaves the widget at once
        self._say(row, "Saving…")
        self.work.submit(_store, provider, key,
                         on_done=lambda _: (self._say(row, "Saved."), self._refresh()),
                         on_error=lambda exc: self._say(row, str(exc)))

    def _remove(self, provider: str) -> None:
        row = self.rows[provider]
        self.work.submit(_remove, provider,
                         on_done=lambda _: (self._say(row, "Removed."), self._refresh()),
                         on_error=lambda exc: self._say(row, str(exc)))

    def _test(self, provider: str) -> None:
        row = self.rows[provider]
        if row["field"].text().strip():
            self._say(row, "Save the key first, then test it.")
            return
        self._say(row, "Testing…")
        model = registry.get(provider).default_model
        self.work.submit(_test, provider, model, on_done=lambda text: self._say(row, text),
                         on_error=lambda exc: self._say(row, str(exc)))

    def _say(self, row: dict, text: str) -> None:
        row["result"].setText(text)
        row["result"].setVisible(bool(text))

"""File → Team…: join a team's PostgreSQL store, see where pushing stands, or leave.

The same operations as `sidebyside team join|status|leave` (desktop.core.team.settings), run on
the work runner since joining waits on the network. The password is typed into a masked field,
handed to the join and cleared at once: the dialog never keeps, logs or shows it; it ends up in
the system keyring. Failures read as the command line's plain messages.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
)


class TeamDialog(QDialog):
    def __init__(self, services, runner, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Team")
        self._services, self._runner = services, runner
        self.address = QLineEdit()
        self.address.setPlaceholderText("postgresql://USER@HOST[:PORT]/DB")
        self.address.setAccessibleName("Team store address")
        self.voter = QLineEdit()
        self.voter.setAccessibleName("Your voter name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.keep_texts = QCheckBox("Keep prompts and answer texts here (push only the votes)")
        form = QFormLayout()
        form.addRow("Address", self.address)
        form.addRow("Your name", self.voter)
        form.addRow("Password", self.password)
        form.addRow("", self.keep_texts)
        self.state = QLabel("Reading…")
        self.state.setWordWrap(True)
        self.state.setAccessibleName("Team status")
        self.join_button = QPushButton("&Join")
        self.leave_button = QPushButton("&Leave the team")
        self.join_button.clicked.connect(self.join)
        self.leave_button.clicked.connect(self.leave)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.join_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.leave_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.state)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self._runner.submit(self._services.team_status, on_done=self._show, on_error=self._failed)

    def join(self) -> None:
        password = self.password.text()
        self.password.clear()  # handed on, not kept
        self._busy("Connecting…")
        self._runner.submit(self._services.team_join, self.address.text(), password,
                            self.voter.text(), not self.keep_texts.isChecked(),
                            on_done=lambda _: self.refresh(), on_error=self._failed)

    def leave(self) -> None:
        self._busy("Leaving…")
        self._runner.submit(self._services.team_leave, on_done=lambda _: self.refresh(),
                            on_error=self._failed)

    def _busy(self, text: str) -> None:
        self.state.setText(text)
        self.join_button.setEnabled(False)
        self.leave_button.setEnabled(False)

    def _show(self, status) -> None:
        self.join_button.setEnabled(True)
        self.leave_button.setEnabled(status.joined)
        if not status.joined:
            self.state.setText("Not in a team. Enter the team store's address, your name and the "
                               "password, then Join.")
            return
        self.address.setText(status.server)
        self.voter.setText(status.voter)
        self.keep_texts.setChecked(not status.push_texts)
        when = (status.last_push_at or "").replace("T", " ")[:19]
        text = (f"In the team at {status.server} as '{status.voter}'. Last push: "
                f"{when + ' UTC' if when else 'never'}. Votes waiting: {status.votes_waiting}.")
        if status.last_error and status.battles_waiting:
            text += f"\nLast try: {status.last_error}"
        self.state.setText(text)

    def _failed(self, exc: BaseException) -> None:
        self.join_button.setEnabled(True)
        self.state.setText(getattr(exc, "message", None)
                           or f"That did not work ({type(exc).__name__}).")

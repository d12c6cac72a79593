"""Get models: the curated catalogue and the Hub's GGUF repositories, downloaded into the Hub
cache with progress and Cancel. A thin face on `desktop.core.library.hub` and `.download`, like
`models` in the CLI: searches and listings run on the window's worker, a download on its own
thread (it can take an hour, and the worker must stay free). A finished file is announced
through `downloaded` so the pickers list it at once.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)
from desktop.core.library import LibraryError, catalogue, download, hub
from desktop.core.library.memory import this_machine

FITS = {"yes": "fits", "tight": "tight", "no": "too big", "": ""}
ROLE = Qt.ItemDataRole.UserRole


def _gb(size: int | None) -> str:
    if not size:
        return ""
    return f"{size / 1e9:.2f} GB" if size >= 1e8 else f"{size / 1e6:.1f} MB"


class _Pull(QObject):
    """Carries a download's news from its thread to the UI thread (queued signals)."""

    progress = Signal(object)
    finished = Signal(object, object)  # installed model, error


class ModelsDialog(QDialog):
    downloaded = Signal(object)  # desktop.core.library.hub.Installed

    def __init__(self, work, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.setWindowTitle("Get models")
        self.resize(980, 600)
        self._cancel: threading.Event | None = None
        self._pull = _Pull(self)
        self._pull.progress.connect(self._show_progress)
        self._pull.finished.connect(self._pull_done)

        self.query = QLineEdit(placeholderText="Search the Hugging Face Hub, e.g. qwen3")
        self.query.setAccessibleName("Search the Hub")
        self.search_button = QPushButton("Search")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Model or file", "Size", "Memory", "This machine", "Licence"])
        self.tree.setColumnWidth(0, 360)
        self.tree.setAccessibleName("Models")
        self.status = QLabel("The curated catalogue; search for more.", objectName="muted")
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.hide()
        self.download_button = QPushButton("Download")
        self.download_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.search_button)
        actions = QHBoxLayout()
        actions.addWidget(self.bar, 1)
        actions.addWidget(self.download_button)
        actions.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        layout.addWidget(buttons)

        self.search_button.clicked.connect(self.search)
        self.query.returnPressed.connect(self.search)
        self.tree.currentItemChanged.connect(self._selected)
        self.tree.itemExpanded.connect(self._expanded)
        self.download_button.clicked.connect(self.download)
        self.cancel_button.clicked.connect(self.cancel)
        self.work.submit(_catalogue, on_done=self._show_catalogue, on_error=self._failed)

    # -- listing ----------------------------------------------------------------------------
    def _show_catalogue(self, models) -> None:
        self.tree.clear()
        for model in models:
            # The row itself shows the file most worth having here: the first quantisation that
            # fits comfortably (the catalogue lists the better ones first), else the smallest;
            # each file is one level down.
            files = model["files"]
            pick = next((f for f in files if f["fits"] == "yes"),
                        min(files, key=lambda f: f["memory_bytes"] or 0) if files else None)
            top = QTreeWidgetItem([
                model["name"], _gb(pick["size_bytes"]) if pick else "",
                _gb(pick["memory_bytes"]) if pick else "",
                f"{FITS.get(pick['fits'], '')} ({pick['quant']})" if pick and pick["fits"] else "",
                model["licence"]])
            top.setData(0, ROLE, ("repo", model["repo"]))
            for f in model["files"]:
                self._file_item(top, model["repo"], f["file"], f["quant"], f["size_bytes"],
                                f["memory_bytes"], f["fits"], model["licence"])
            self.tree.addTopLevelItem(top)

    def _file_item(self, parent, repo, file, quant, size, memory, fits, licence) -> None:
        item = QTreeWidgetItem([f"{file}  ({quant})" if quant else file, _gb(size),
                                _gb(memory), FITS.get(fits, ""), licence])
        item.setData(0, ROLE, ("file", repo, file))
        parent.addChild(item)

    def search(self) -> None:
        words = self.query.text().strip()
        if not words:
            self.work.submit(_catalogue, on_done=self._show_catalogue, on_error=self._failed)
            return
        self.status.setText(f"Searching the Hub for '{words}'…")
        self.work.submit(_search, words, on_done=self._show_hits, on_error=self._failed)

    def _show_hits(self, hits) -> None:
        self.tree.clear()
        for hit in hits:
            top = QTreeWidgetItem([hit.repo + ("  (gated)" if hit.gated else ""), "", "", "", ""])
            top.setData(0, ROLE, ("repo", hit.repo))
            top.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self.tree.addTopLevelItem(top)
        self.status.setText(f"{len(hits)} GGUF repositories. Open one to see its files."
                            if hits else "No GGUF repositories match.")

    def _expanded(self, item: QTreeWidgetItem) -> None:
        data = item.data(0, ROLE)
        if item.childCount() or not data or data[0] != "repo":
            return
        self.status.setText(f"Listing the files of {data[1]}…")
        self.work.submit(_files, data[1], on_done=lambda listing: self._show_files(item, listing),
                         on_error=self._failed)

    def _show_files(self, item: QTreeWidgetItem, listing) -> None:
        for f in listing.files:
            self._file_item(item, listing.repo, f.file, f.quant, f.size_bytes, f.memory_bytes,
                            f.fits, listing.licence)
        item.setText(4, listing.licence)
        self.status.setText(f"{len(listing.files)} GGUF files in {listing.repo}.")

    def _selected(self, item, _previous=None) -> None:
        data = item.data(0, ROLE) if item is not None else None
        self.download_button.setEnabled(bool(data) and data[0] == "file" and self._cancel is None)

    # -- downloading ------------------------------------------------------------------------
    def download(self) -> None:
        item = self.tree.currentItem()
        data = item.data(0, ROLE) if item is not None else None
        if not data or data[0] != "file" or self._cancel is not None:
            return
        _, repo, file = data
        self._cancel = cancel = threading.Event()
        self.download_button.setEnabled(False)
        self.cancel_button.show()
        self.bar.setValue(0)
        self.bar.show()
        self.status.setText(f"Downloading {file}…")
        pull = self._pull

        def run() -> None:
            try:
                done = download.pull(repo, file, on_progress=pull.progress.emit, cancel=cancel)
            except LibraryError as exc:
                pull.finished.emit(None, exc.message)
            except Exception as exc:  # a bug must not leave the dialog waiting forever
                pull.finished.emit(None, f"The download failed ({type(exc).__name__}).")
            else:
                pull.finished.emit(done, None)

        threading.Thread(target=run, daemon=True, name="model-download").start()

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _show_progress(self, progress) -> None:
        if progress.state == "verifying":
            self.status.setText("Checking the file against the Hub's SHA-256…")
            return
        if progress.total_bytes:
            self.bar.setValue(int(1000 * progress.done_bytes / progress.total_bytes))
        speed = f" · {progress.speed_bps / 1e6:.1f} MB/s" if progress.speed_bps else ""
        eta = f" · {progress.eta_s:.0f} s left" if progress.eta_s is not None else ""
        self.status.setText(f"{_gb(progress.done_bytes)} of {_gb(progress.total_bytes)}"
                            f"{speed}{eta}")

    def _pull_done(self, done, error) -> None:
        self._cancel = None
        self.cancel_button.hide()
        self.bar.hide()
        self._selected(self.tree.currentItem())
        if error:
            self.status.setText(error)
            return
        self.status.setText(f"Downloaded and verified {done.file}. It is in the contender "
                            "lists now.")
        self.downloaded.emit(done)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(getattr(exc, "message", None) or str(exc))

    def done(self, result: int) -> None:  # closing cancels a running download (it resumes later)
        self.cancel()
        super().done(result)


def _catalogue() -> list[dict]:
    machine = this_machine()
    return [{"name": m.name, "repo": m.repo, "licence": m.licence, "files": [
        {"file": q.file, "quant": q.quant, "size_bytes": q.size_bytes,
         "memory_bytes": q.memory_bytes, "fits": machine.fits(q.memory_bytes)}
        for q in m.quants]} for m in catalogue.load()]


def _search(words: str):
    return hub.search(words)


def _files(repo: str):
    return hub.files(repo)

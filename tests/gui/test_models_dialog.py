"""The window's "Get models" dialog against the stand-in Hub: the catalogue, a search, a
repository's files, a download with progress, and the file in both pickers at once."""

from __future__ import annotations

from pathlib import Path

from tests.library.conftest import FILE, REPO, fake_hub, hub_env, tiny_gguf_data  # noqa: F401


def test_search_download_and_the_pickers_list_it(qtbot, make_window, hub_env,  # noqa: F811
                                                 tiny_gguf_data):  # noqa: F811
    window = make_window("local", "local")
    window.open_models()
    dialog = window.models_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() > 10, timeout=10_000)  # catalogue
    names = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert any("Qwen3" in n for n in names) and any("SmolLM3" in n for n in names)
    smallest = dialog.tree.topLevelItem(names.index("Qwen3 0.6B"))
    # The row says, without expanding it, what the best file here costs and whether it fits.
    assert smallest.text(1).endswith("GB") and smallest.text(2).endswith("GB")
    assert smallest.text(3).startswith(("fits", "tight", "too big")) and "(" in smallest.text(3)

    dialog.query.setText("tiny")
    dialog.search()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1
                    and dialog.tree.topLevelItem(0).text(0) == REPO, timeout=10_000)
    repo = dialog.tree.topLevelItem(0)
    repo.setExpanded(True)
    qtbot.waitUntil(lambda: repo.childCount() == 2, timeout=10_000)
    first = repo.child(0)
    assert first.text(0).startswith(FILE) and "Q8_0" in first.text(0)
    dialog.tree.setCurrentItem(first)
    assert dialog.download_button.isEnabled()
    with qtbot.waitSignal(dialog.downloaded, timeout=30_000) as got:
        dialog.download()
    installed = got.args[0]
    assert Path(installed.path).read_bytes() == tiny_gguf_data
    assert "verified" in dialog.status.text()
    for picker in window.compare.pickers:
        index = picker.source.findData(f"local:{installed.path}")
        assert index >= 0 and "Hugging Face" in picker.source.itemText(index)
    dialog.close()

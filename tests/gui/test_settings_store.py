"""Window settings: Qt-free, atomic, and forgiving of a damaged file."""

from __future__ import annotations

from desktop.core.contenders.params import GenerationParams
from desktop.gui import settings_store as ss


def test_round_trip(tmp_path):
    path = tmp_path / "settings.json"
    s = ss.WindowSettings(
        contenders=[ss.ContenderChoice("local"), ss.ContenderChoice("compat:m@http://h/v1", "open")],
        params=GenerationParams(system="Be brief.", max_tokens=64, seed=7),
        blind=False, category="coding", geometry="AAAA", promptset_path="/x.txt", promptset_index=3,
    )
    ss.save(s, path)
    assert ss.load(path) == s
    assert not (tmp_path / "settings.json.tmp").exists()


def test_missing_or_broken_file_gives_defaults(tmp_path):
    assert ss.load(tmp_path / "nope.json") == ss.WindowSettings()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert ss.load(bad) == ss.WindowSettings()


def test_bad_fields_fall_back_one_by_one(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"blind": "yes", "category": "reasoning", "contenders": [{"spec": "local"}],'
                    ' "params": {"max_tokens": -5}, "promptset_index": 2}', encoding="utf-8")
    s = ss.load(path)
    assert s.blind is True  # wrong type: default
    assert s.category == "reasoning"
    assert [c.spec for c in s.contenders] == list(ss.DEFAULT_CONTENDERS)  # needs two
    assert s.params == GenerationParams()
    assert s.promptset_index == 2


def test_default_path_is_in_the_data_directory(gui_home):
    ss.save(ss.WindowSettings(category="x"))
    assert (gui_home / "settings.json").is_file()
    assert ss.load().category == "x"

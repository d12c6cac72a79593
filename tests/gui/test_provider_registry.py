"""A new provider is one module: declared in a test module here, the picker, keys (core and
CLI), the key check, spec parsing and the window's wording all pick it up."""

from __future__ import annotations

import json

import pytest

from desktop.core.providers import registry
from desktop.core.providers.openai import OpenAIContender
from desktop.core.providers.registry import KEY_REQUIRED


# --- the whole provider: one class declaring itself (OpenAI's wire format, another label) ------
class AcmeContender(OpenAIContender):
    provider = "acme"
    label = "Acme AI"
    spec_form, spec_example = "acme:MODEL", "acme:acme-large"
    key, key_env_vars = KEY_REQUIRED, ("ACME_API_KEY",)
    auth = "Authorization: Bearer KEY"
    base_url_env, default_base_url = "ACME_BASE_URL", "https://api.acme.example/v1"
    default_models = ("acme-large",)
    framing = "Chat Completions, server-sent events"
    order = 40
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def acme(monkeypatch):
    monkeypatch.delenv("ACME_API_KEY", raising=False)
    info = registry.register(AcmeContender)
    yield info
    registry.unregister(info.name)


def test_the_picker_lists_it_with_its_label_and_default_model(qtbot, acme):
    from desktop.gui.contender_picker import ContenderPicker

    picker = ContenderPicker(1)
    qtbot.addWidget(picker)
    index = picker.source.findData("acme:")
    assert index >= 0 and picker.source.itemText(index) == "Acme AI"
    picker.source.setCurrentIndex(index)
    assert picker.model.text() == "acme-large"
    assert picker.choice().spec == "acme:acme-large"
    assert not picker.base_url.isVisible()


def test_keys_core_and_cli_know_it(acme, memory_keyring, capsys, monkeypatch):
    from desktop.cli import main
    from desktop.core.base import keys

    assert "acme" in keys.keyed_names()
    assert keys.parse_provider("acme") == ("acme", None)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("acme-secret-123\n"))
    assert main(["keys", "set", "acme"]) == 0
    assert keys.get_key("acme") == ("acme-secret-123", "keyring")
    capsys.readouterr()
    assert main(["keys", "list", "--json"]) == 0
    rows = {r["provider"]: r for r in json.loads(capsys.readouterr().out)["keys"]}
    assert rows["acme"]["present"] and rows["acme"]["source"] == "keyring"
    assert main(["keys", "delete", "acme"]) == 0
    monkeypatch.setenv("ACME_API_KEY", "from-env")
    assert keys.get_key("acme") == ("from-env", "env ACME_API_KEY")


def test_the_key_check_and_the_missing_key_message_name_it(acme, memory_keyring):
    from desktop.core.base import keys
    from desktop.gui.key_check import missing_keys
    from desktop.gui.settings_store import ContenderChoice

    check = missing_keys([ContenderChoice("local"), ContenderChoice("acme:acme-large")])
    number, provider, headline, detail = check.missing
    assert (number, provider) == (2, "acme")
    assert "Acme AI" in headline and "ACME_API_KEY" in detail
    assert "sidebyside keys set acme" in keys.missing_key_message("acme")


def test_specs_and_wording_read_it(acme):
    from desktop.core.battle.specs import make_contender, spec_help
    from desktop.gui import wording

    contender = make_contender("acme:acme-large")
    assert isinstance(contender, AcmeContender) and contender.kind == "proprietary"
    assert "'acme:MODEL'" in spec_help()
    assert wording.provider_label("acme") == "Acme AI"
    assert wording.spec_label("acme:acme-large") == "acme-large · Acme AI"


def test_the_settings_dialog_has_a_key_card_for_it(qtbot, acme):
    from desktop.gui.settings_dialog import SettingsDialog

    class Work:
        def submit(self, fn, *args, on_done=None, on_error=None):
            pass

    dialog = SettingsDialog(Work())
    qtbot.addWidget(dialog)
    assert "acme" in dialog.rows and dialog.rows["acme"]["label"] == "Acme AI"
    assert "huggingface" in dialog.rows  # the Hub token is a key like any other
    assert "ACME_API_KEY" in dialog.intro.text()


def test_every_built_in_provider_declares_itself_once():
    names = [p.name for p in registry.providers()]
    assert names[:1] == ["local"]
    assert {"openai", "anthropic", "gemini", "compat", "ollama", "lmstudio",
            "huggingface"} <= set(names)
    assert len(names) == len(set(names))
    from desktop.core.battle.specs import contender_class

    for info in registry.contender_providers():
        assert contender_class(info.name).provider == info.name

"""Keys: keyring first, then the environment; never in plain text; `sidebyside keys` CLI.

Most tests use the in-memory keyring from conftest.py. One test uses the real Secret Service
(gnome-keyring under dbus-run-session in CI); it skips only outside CI when none is reachable.
"""

from __future__ import annotations

import io
import json
import os
import sys
import uuid
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop.cli import main
from desktop.core.base import keys
from desktop.core.base.errors import ContenderError
from desktop.core.battle.specs import make_contender

from .fake_server import Reply
from .helpers import run


def cli(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def files_under(path: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in path.rglob("*") if p.is_file())


# --- lookup ---------------------------------------------------------------------------------------

def test_keyring_first_then_env(memory_keyring, monkeypatch):
    assert keys.get_key("openai") == (None, "none")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert keys.get_key("openai") == ("sk-env", "env OPENAI_API_KEY")
    keys.set_key("openai", "  sk-ring \n")
    assert keys.get_key("openai") == ("sk-ring", "keyring")
    assert memory_keyring.entries == {("sidebyside", "openai"): "sk-ring"}


def test_gemini_falls_back_to_google_api_key(monkeypatch):
    monkeypatch.setenv("GOOGLE_API_KEY", "g-key")
    assert keys.get_key("gemini") == ("g-key", "env GOOGLE_API_KEY")
    monkeypatch.setenv("GEMINI_API_KEY", "gem-key")
    assert keys.get_key("gemini") == ("gem-key", "env GEMINI_API_KEY")


def test_compat_keys_only_for_their_exact_base_url(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    keys.set_key("compat", "k1", "http://a:1/v1/")
    assert keys.get_key("compat", "http://a:1/v1") == ("k1", "keyring")
    assert keys.get_key("compat", "http://b:1/v1") == (None, "none")


def test_require_key_message():
    with pytest.raises(ContenderError) as info:
        keys.require_key("anthropic")
    assert info.value.kind == "missing_key"
    assert info.value.message == (
        "No Anthropic API key found. Store one with `sidebyside keys set anthropic` or set "
        "ANTHROPIC_API_KEY in the environment."
    )


def test_delete(memory_keyring):
    keys.set_key("gemini", "abc")
    assert keys.delete_key("gemini") is True
    assert keys.delete_key("gemini") is False
    assert memory_keyring.entries == {}


def test_list_shows_presence_and_source_never_the_key(monkeypatch):
    keys.set_key("openai", "sk-listed-secret")
    keys.set_key("compat", "compat-secret", "http://box:8000/v1")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-env-secret")
    rows = {r.provider: r for r in keys.list_keys()}
    assert rows["openai"] == keys.KeyRow("openai", True, "keyring")
    assert rows["anthropic"] == keys.KeyRow("anthropic", True, "env ANTHROPIC_API_KEY")
    assert rows["gemini"] == keys.KeyRow("gemini", False, "none")
    assert rows["compat:http://box:8000/v1"].present
    assert "secret" not in repr(rows)


def test_parse_provider():
    assert keys.parse_provider("openai") == ("openai", None)
    assert keys.parse_provider("compat:http://h:1/v1/") == ("compat", "http://h:1/v1")
    for bad in ("", "mistral", "compat:", "compat:ftp://x"):
        with pytest.raises(ValueError):
            keys.parse_provider(bad)


def test_empty_or_multiline_key_is_refused():
    with pytest.raises(keys.KeyStoreError):
        keys.set_key("openai", "   ")
    with pytest.raises(keys.KeyStoreError):
        keys.set_key("openai", "sk-a\nsk-b")


# --- no usable keyring ------------------------------------------------------------------------

@pytest.fixture
def no_keyring():
    keyring.set_keyring(fail.Keyring())


def test_no_keyring_is_explained_and_env_still_works(no_keyring, monkeypatch):
    assert not keys.keyring_available()
    assert "OPENAI_API_KEY" in keys.keyring_problem()
    with pytest.raises(keys.KeyStoreError) as info:
        keys.set_key("openai", "sk-x")
    assert "environment" in str(info.value)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert keys.get_key("openai") == ("sk-env", "env OPENAI_API_KEY")


def test_chainer_with_no_backends_counts_as_none(monkeypatch):
    from keyring.backends import chainer

    monkeypatch.setattr(chainer.ChainerBackend, "backends", property(lambda self: []))
    keyring.set_keyring(chainer.ChainerBackend())
    assert not keys.keyring_available()


def test_cli_set_without_keyring_fails_plainly(no_keyring, monkeypatch, capsys, fresh_home):
    code, out, err = cli(monkeypatch, capsys, "keys", "set", "openai", stdin="sk-should-not-land\n")
    assert code == 1
    assert "No system keyring is available" in err and "OPENAI_API_KEY" in err
    assert "sk-should-not-land" not in files_under(fresh_home)


# --- the CLI ----------------------------------------------------------------------------------

def test_cli_set_list_delete(monkeypatch, capsys, memory_keyring, fresh_home):
    secret = "sk-cli-" + uuid.uuid4().hex
    code, out, err = cli(monkeypatch, capsys, "keys", "set", "openai", stdin=secret + "\n")
    assert (code, err) == (0, "")
    assert "Stored the key for openai" in out
    assert memory_keyring.entries[("sidebyside", "openai")] == secret

    code, out, _ = cli(monkeypatch, capsys, "keys", "list")
    assert code == 0
    assert "openai" in out and "key from keyring" in out and secret not in out
    code, out, _ = cli(monkeypatch, capsys, "keys", "list", "--json")
    data = json.loads(out)
    assert data["keyring_available"] is True
    assert {"provider": "openai", "present": True, "source": "keyring"} in data["keys"]

    code, out, _ = cli(monkeypatch, capsys, "keys", "delete", "openai")
    assert code == 0 and "Deleted" in out
    code, _, err = cli(monkeypatch, capsys, "keys", "delete", "openai")
    assert code == 1 and "holds no key" in err
    assert secret not in files_under(fresh_home)


def test_cli_compat_key(monkeypatch, capsys, memory_keyring):
    code, _, _ = cli(monkeypatch, capsys, "keys", "set", "compat:http://box:8000/v1", stdin="ck\n")
    assert code == 0
    assert memory_keyring.entries[("sidebyside", "compat:http://box:8000/v1")] == "ck"
    code, out, _ = cli(monkeypatch, capsys, "keys", "list")
    assert "compat:http://box:8000/v1" in out


def test_cli_rejects_unknown_provider_and_empty_input(monkeypatch, capsys):
    code, _, err = cli(monkeypatch, capsys, "keys", "set", "mistral", stdin="x")
    assert code == 2 and "not a provider" in err
    code, _, err = cli(monkeypatch, capsys, "keys", "set", "openai", stdin="\n")
    assert code == 1 and "No key" in err


def test_cli_delete_mentions_env_key_still_in_use(monkeypatch, capsys):
    monkeypatch.setenv("GEMINI_API_KEY", "from-env")
    keys.set_key("gemini", "stored")
    code, _, err = cli(monkeypatch, capsys, "keys", "delete", "gemini")
    assert code == 0 and "GEMINI_API_KEY is still set" in err and "from-env" not in err


# --- a real Secret Service --------------------------------------------------------------------

def _secret_service():
    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        if SecretService.Keyring.priority <= 0:
            return None
        return backend
    except Exception:
        return None


def test_real_keyring_round_trip(monkeypatch, capsys, fake_server, fresh_home):
    backend = _secret_service()
    if backend is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a Secret Service (gnome-keyring under dbus-run-session).")
        pytest.skip("no Secret Service reachable (run under dbus-run-session with gnome-keyring)")
    # A service name of our own, so a developer's real 'sidebyside' entries are never touched.
    monkeypatch.setattr(keys, "SERVICE", f"sidebyside-test-{uuid.uuid4().hex[:8]}")
    keyring.set_keyring(backend)
    secret = "sk-real-keyring-" + uuid.uuid4().hex
    try:
        code, _, err = cli(monkeypatch, capsys, "keys", "set", "openai", stdin=secret)
        assert code == 0, err
        assert backend.get_password(keys.SERVICE, "openai") == secret

        code, out, _ = cli(monkeypatch, capsys, "keys", "list")
        assert "key from keyring" in out and secret not in out

        monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url("openai"))
        fake_server.expected_keys["openai"] = secret
        fake_server.default_reply = Reply(text="Keyed.")
        answer = run(make_contender("openai:gpt-4o-mini")).answer
        assert answer.ok, answer.error
        assert answer.text == "Keyed."

        code, _, _ = cli(monkeypatch, capsys, "keys", "delete", "openai")
        assert code == 0
        assert backend.get_password(keys.SERVICE, "openai") is None
        assert secret not in files_under(fresh_home)
    finally:
        try:
            backend.delete_password(keys.SERVICE, "openai")
        except Exception:
            pass

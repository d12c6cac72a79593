"""Providers declare themselves on their class; the registry, keys and prices read what the
classes say, and the lower layers import nothing above them (imports inside functions too)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.base import keys
from desktop.core.battle.specs import contender_class, make_contender
from desktop.core.providers import registry
from desktop.core.providers.compat import CompatContender, ModelServerContender
from desktop.core.providers.http import RemoteContender

CORE = Path(__file__).resolve().parents[2] / "desktop" / "core"


class RelayContender(CompatContender):
    """A second provider with per-server keys, named anything but compat."""

    provider = "relay"
    label = "Relay"
    spec_form, spec_example = "relay:MODEL@BASE_URL", "relay:m@http://relay.example/v1"


@pytest.fixture
def relay():
    info = registry.register(RelayContender)
    yield info
    registry.unregister(info.name)


def test_the_registry_holds_what_each_class_declares():
    for info in registry.contender_providers():
        declared = registry.ProviderInfo.of(contender_class(info.name))
        assert declared.label == info.label and declared.key_env_vars == info.key_env_vars
        assert declared.priced == info.priced and declared.default_base_url == info.default_base_url
    names = {p.name for p in registry.providers()}
    # Classes that only pass behaviour on declare nothing of their own.
    assert not {RemoteContender.provider, ModelServerContender.__dict__.get("provider")} & names
    assert registry.get("ollama").priced is registry.get("lmstudio").priced is False
    assert registry.get("local").priced is False and registry.get("openai").priced is True


def test_per_server_keys_come_from_the_declaration_not_the_name_compat(relay, memory_keyring,
                                                                       monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-for-a-relay")
    assert keys.parse_provider("relay:http://relay.example/v1/") == ("relay",
                                                                     "http://relay.example/v1")
    keys.set_key("relay", "relay-key", "http://relay.example/v1")
    assert keys.get_key("relay", "http://relay.example/v1") == ("relay-key", "keyring")
    assert keys.get_key("relay", "http://other.example/v1") == (None, "none")
    assert "relay:http://relay.example/v1" in {row.provider for row in keys.list_keys()}
    contender = make_contender("relay:m@http://relay.example/v1")
    assert contender.resolve_key() == "relay-key"
    contender.close()


def _imports(path: Path) -> set[str]:
    """Every module a file imports, wherever in the file the import is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("files,forbidden", [
    ("base/*.py", ("desktop.core.contenders", "desktop.core.providers", "desktop.core.local",
                   "desktop.core.battle", "desktop.core.store", "desktop.core.library")),
    ("contenders/*.py", ("desktop.core.providers", "desktop.core.local", "desktop.core.battle")),
    ("providers/*.py", ("desktop.core.battle", "desktop.core.store", "desktop.core.library",
                        "desktop.core.local", "desktop.gui", "desktop.cli")),
    # Declarations stay light: the window lists providers before its first paint.
    ("providers/declared/*.py", ("desktop.core.providers.http", "desktop.core.providers.clients",
                                 "desktop.core.providers.sse", "desktop.core.providers.failures",
                                 "httpx", "desktop.core.battle", "desktop.core.local",
                                 "desktop.gui", "desktop.cli")),
])
def test_lower_layers_import_nothing_above_them(files, forbidden):
    for path in sorted(CORE.glob(files)):
        above = {m for m in _imports(path) if m.startswith(forbidden)}
        assert not above, f"{path.relative_to(CORE)} imports {sorted(above)}"


def test_the_http_transport_modules_import_each_other_one_way():
    assert "desktop.core.providers.clients" in _imports(CORE / "providers" / "http.py")
    assert not {m for m in _imports(CORE / "providers" / "clients.py")
                if m.startswith("desktop.core.providers.http")}


def test_listing_providers_loads_no_http_machinery():
    """A fresh interpreter lists every provider, with what each declares, and has loaded no
    contender, transport or event-stream parser: those load with the first contender made."""
    probe = (
        "import json, sys\n"
        "from desktop.core.providers import registry\n"
        "names = [(p.name, p.label, p.contender) for p in registry.providers()]\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('desktop.core.providers.')\n"
        "                and not m.startswith('desktop.core.providers.declared'))\n"
        "print(json.dumps({'names': names, 'loaded': loaded,\n"
        "                  'httpx': 'httpx' in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=True, cwd=CORE.parents[1])
    seen = json.loads(done.stdout)
    assert {name for name, _, _ in seen["names"]} == {p.name for p in registry.providers()}
    assert ["openai", "OpenAI", "desktop.core.providers.openai:OpenAIContender"] in seen["names"]
    assert seen["loaded"] == ["desktop.core.providers.registry"] and not seen["httpx"]

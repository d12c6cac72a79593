from __future__ import annotations

import pytest

from desktop.core.base.errors import ContenderError
from desktop.core.battle.specs import parse_spec


def test_spec_forms():
    assert parse_spec("local").provider == "local"
    assert parse_spec("local:/m/x.gguf").path == "/m/x.gguf"
    assert parse_spec("openai:gpt-4o-mini").model == "gpt-4o-mini"
    compat = parse_spec("compat:llama3@http://127.0.0.1:8080/v1/")
    assert (compat.model, compat.base_url) == ("llama3", "http://127.0.0.1:8080/v1")


@pytest.mark.parametrize("bad", ["", "gpt4", "nosuch:model", "openai:", "compat:x", "compat:x@ftp://h"])
def test_bad_specs_are_explained(bad):
    with pytest.raises(ContenderError) as info:
        parse_spec(bad)
    assert info.value.kind == "bad_spec"
    assert "local" in info.value.message or "compat" in info.value.message

"""Every text argument is settled before anything is sent or saved (tests/reliability/
test_trust.py covers the prompt and standard input): a category, a system prompt or a contender
holding bytes that are not UTF-8 (as Python hands over a Latin-1 argument) is refused with exit
2 and a plain message, no request reaches the provider, and nothing is saved. In process against
the loopback fake server (OpenAI's wire format), on a fresh data folder."""

from __future__ import annotations

import os

import pytest

from desktop.cli import main
from tests.reliability.support import assert_plain, query

LATIN1 = os.fsdecode(b"caf\xe9")


@pytest.mark.parametrize("flag, what", [("--category", "The category"),
                                        ("--system", "The system prompt"),
                                        ("--right", "The --right contender")])
def test_a_text_option_that_is_not_utf8_is_refused_before_anything_is_sent(
        flag, what, server, monkeypatch, capsys, fresh_home):
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-text-input")
    args = ["ask", "Say hi.", "--left", "openai:gpt-4o-mini", "--right", "openai:gpt-4o"]
    args = [*args, flag, LATIN1] if flag != "--right" else [*args[:-1], f"openai:{LATIN1}"]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert f"{what} is not valid UTF-8 text (byte 0xe9 at character" in err, err
    assert_plain(err)
    assert server.requests_for("openai") == []
    db = fresh_home / "sidebyside.db"
    assert not db.exists() or query(db, "SELECT count(*) FROM battles") == [(0,)]

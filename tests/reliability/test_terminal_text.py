"""Terminal-safe text beyond escape sequences (tests/reliability/test_trust.py has those): a
carriage return in a server's answer cannot overwrite the label of its line, live or in `show`;
Windows line ends still read as plain lines; `--json` keeps the exact text. The command line
runs in process against the loopback fake server (OpenAI's wire format), on a fresh data folder.
"""

from __future__ import annotations

import json
import re

from desktop.cli import main
from tests.providers.fake_server import Reply

ANSWER = "First line\r\nB │ forged line\rsecond"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_a_carriage_return_in_an_answer_is_shown_not_obeyed(server, monkeypatch, capsys):
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-terminal")
    server.script("openai", Reply(text=ANSWER, pieces=[ANSWER]), Reply(text=ANSWER, pieces=[ANSWER]))
    assert main(["ask", "Say hi.", "--left", "openai:gpt-4o-mini", "--right",
                 server.compat_spec()]) == 0
    out, err = capsys.readouterr()
    assert not RAW_CONTROL.search(out + err), repr(out)
    lines = out.splitlines()
    assert "left  │ First line" in lines  # the Windows line end is just a line end
    assert "left  │ B │ forged line\\u000dsecond" in lines
    battle_id = re.search(r"Battle (\w+) saved", out)[1]

    assert main(["show", battle_id]) == 0
    out, _ = capsys.readouterr()
    assert not RAW_CONTROL.search(out), repr(out)
    assert "forged line\\u000dsecond" in out

    assert main(["show", battle_id, "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["turns"][0]["a"]["text"] == ANSWER

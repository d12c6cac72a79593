"""Blind stays blind: before the vote nothing a blind battle prints or saves-and-shows names a
provider, model or host, even when a side retries or fails; after the vote the names come back.

The command line runs in process (`desktop.cli.main`) against the loopback fake server speaking
OpenAI's and Anthropic's wire formats, on the fresh data folder tests/conftest.py gives each test.
The window's half (panes and History) is tests/gui/test_blind_failure.py.
"""

from __future__ import annotations

import json
import re

from desktop.cli import main
from desktop.core.store import get_battle, open_store
from tests.providers.fake_server import Reply

# Whatever would tell which seat is which provider.
NAMES = re.compile(r"openai|anthropic|gpt|claude|127\.0\.0\.1|localhost|sonnet|haiku",
                   re.IGNORECASE)
OPENAI, ANTHROPIC = "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5"


def point_at(server, monkeypatch) -> None:
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-blind-openai")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-blind")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_names_nothing(text: str, where: str) -> None:
    found = NAMES.findall(text)
    assert not found, f"{where} names a side before the vote ({found}):\n{text}"


def test_a_blind_retry_notice_names_a_seat_not_the_provider(server, monkeypatch, capsys):
    point_at(server, monkeypatch)
    server.script("openai", Reply.fail("rate_limit", headers={"retry-after": "1"}),
                  Reply(text="Worth the wait."))
    server.script("anthropic", Reply(text="Straight away."))
    # Live reveal prints each side's status lines; the default for a blind battle (paced) prints
    # none, since only a remote side ever retries (tests/test_cli_reveal.py).
    code, out, err = run(capsys, "ask", "Say something.", "--blind", "--reveal", "live",
                         "--left", OPENAI, "--right", ANTHROPIC)
    assert code == 0, err
    assert "Worth the wait." in out and "Straight away." in out
    notice = re.search(r"Side ([AB]): the service is rate limiting requests; trying again", out)
    assert notice, out
    assert_names_nothing(out + err, "ask --blind")
    # The seat named is the one that really waited: its answer is on that seat's lines.
    seat = notice.group(1)
    assert any(line.startswith(f"{seat} │") and "Worth" in line for line in out.splitlines())


def test_a_failed_blind_side_is_named_by_seat_everywhere_and_cannot_be_voted(
        server, monkeypatch, capsys, fresh_home):
    point_at(server, monkeypatch)
    server.script("openai", Reply.fail("quota"))
    server.script("anthropic", Reply(text="All fine here."))
    code, out, err = run(capsys, "ask", "Say something.", "--blind", "--json", "--left", OPENAI,
                         "--right", ANTHROPIC)
    assert code == 1
    data = json.loads(out)
    assert_names_nothing(out + err, "ask --blind --json")
    failed = next(seat for seat in ("a", "b") if data[seat]["error"])
    assert data[failed]["error"]["kind"] == "quota"
    assert data[failed]["error"]["message"].startswith(f"Side {failed.upper()}: ")
    assert data["vote"]["allowed"] is False
    assert_names_nothing(data["vote"]["reason"], "the vote refusal in the JSON")
    battle_id = data["battle_id"]

    server.script("openai", Reply.fail("quota"))
    code, out, err = run(capsys, "ask", "Say something.", "--blind", "--left", OPENAI,
                         "--right", ANTHROPIC)  # the same, live: the metrics lines name a seat
    assert code == 1 and "the account is out of credit" in out
    assert_names_nothing(out + err, "ask --blind (live)")

    for args in (["show", battle_id], ["show", battle_id, "--json"]):
        code, out, err = run(capsys, *args)
        assert code == 0, err
        assert_names_nothing(out + err, " ".join(args))
        assert f"Side {failed.upper()}: the account is out of credit" in out
    code, out, err = run(capsys, "vote", battle_id, "a")
    assert code == 1
    assert "cannot be voted on" in err
    assert_names_nothing(out + err, "vote refused")

    # The stored error keeps the provider's full words, for after the vote.
    store = open_store()
    try:
        stored = getattr(get_battle(store, battle_id), failed).error
    finally:
        store.close()
    assert stored.message.startswith("OpenAI says the account is out of credit")


def test_after_the_vote_show_names_both_sides(server, monkeypatch, capsys):
    point_at(server, monkeypatch)
    code, out, err = run(capsys, "ask", "Say something.", "--blind", "--json", "--left", OPENAI,
                         "--right", ANTHROPIC)
    assert code == 0, err
    battle_id = json.loads(out)["battle_id"]
    code, out, _ = run(capsys, "show", battle_id, "--json")
    assert_names_nothing(out, "show before the vote")
    assert run(capsys, "vote", battle_id, "tie")[0] == 0
    code, out, _ = run(capsys, "show", battle_id, "--json")
    shown = json.loads(out)
    assert {shown["turns"][0][seat]["contender"] for seat in ("a", "b")} == {OPENAI, ANTHROPIC}

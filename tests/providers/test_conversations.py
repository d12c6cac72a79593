"""Conversations on the loopback server: each side is sent its own history, in its own wire
format, turn after turn; a vote ends the conversation; the votes CSV counts its turns."""

from __future__ import annotations

import csv
import json

import pytest

from desktop.cli import main

from .fake_server import Reply

SYSTEM = "Answer in one sentence."
PROMPTS = ["Name a colour.", "Why that one?", "And its opposite?"]


def ask_json(capsys, *args: str) -> dict:
    code = main(["ask", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def three_turns(server, capsys, left: str, right: str, left_protocol: str,
                right_protocol: str) -> tuple[str, dict]:
    """A three-turn blind conversation; returns the battle id and each protocol's answers."""
    answers = {left_protocol: [f"{left_protocol} answer {n}" for n in (1, 2, 3)],
               right_protocol: [f"{right_protocol} answer {n}" for n in (1, 2, 3)]}
    for protocol, texts in answers.items():
        server.script(protocol, *[Reply(text=text) for text in texts])
    first = ask_json(capsys, PROMPTS[0], "--left", left, "--right", right, "--blind",
                     "--system", SYSTEM)
    assert first["turn"] == 1 and first["mode"] == "blind"
    battle_id = first["battle_id"]
    for number, prompt in enumerate(PROMPTS[1:], 2):
        data = ask_json(capsys, "--continue", battle_id[:8], prompt)
        assert data["turn"] == number and data["battle_id"] == battle_id
        assert set(data) >= {"a", "b"} and "left" not in data
        for seat in ("a", "b"):  # still blind: no names in follow-ups either
            assert not {"contender", "model", "provider", "kind"} & set(data[seat])
    return battle_id, answers


def chat_turns(messages: list[dict]) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in messages]


def expected(own: list[str]) -> list[tuple[str, str]]:
    return [("user", PROMPTS[0]), ("assistant", own[0]), ("user", PROMPTS[1]),
            ("assistant", own[1]), ("user", PROMPTS[2])]


def test_openai_and_anthropic_each_get_their_own_answers_back_then_the_vote_ends_it(
        provider_env, capsys, tmp_path):
    server = provider_env
    battle_id, answers = three_turns(server, capsys, "openai:gpt-4o-mini",
                                     "anthropic:claude-sonnet-4-5", "openai", "anthropic")
    openai_third = server.requests_for("openai")[2].body
    assert openai_third["messages"][0] == {"role": "system", "content": SYSTEM}
    assert chat_turns(openai_third["messages"][1:]) == expected(answers["openai"])
    anthropic_third = server.requests_for("anthropic")[2].body
    assert anthropic_third["system"] == SYSTEM
    assert chat_turns(anthropic_third["messages"]) == expected(answers["anthropic"])

    assert main(["vote", battle_id, "b"]) == 0
    capsys.readouterr()
    assert main(["ask", "--continue", battle_id, "One more?", "--json"]) == 1
    _, err = capsys.readouterr()
    assert "voted" in err and "B is better" in err and "Traceback" not in err
    assert len(server.requests_for("openai")) == 3  # nothing was sent for the refused turn

    path = tmp_path / "votes.csv"
    assert main(["export", "votes", str(path)]) == 0
    capsys.readouterr()
    (row,) = list(csv.DictReader(path.open(encoding="utf-8")))
    assert row["battle_id"] == battle_id and row["turns"] == "3"

    assert main(["show", battle_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [t["prompt"] for t in shown["turns"]] == PROMPTS
    assert shown["ended"] and {shown["turns"][0]["a"]["contender"],
                               shown["turns"][0]["b"]["contender"]} == {
        "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5"}


def test_gemini_gets_user_model_turns_and_a_system_instruction_and_compat_its_messages(
        provider_env, capsys):
    server = provider_env
    compat = server.compat_spec("llama3")
    _, answers = three_turns(server, capsys, "gemini:gemini-2.5-flash", compat, "gemini",
                             "compat")
    gemini_third = server.requests_for("gemini")[2].body
    assert gemini_third["systemInstruction"] == {"parts": [{"text": SYSTEM}]}
    own = answers["gemini"]
    assert [(c["role"], c["parts"][0]["text"]) for c in gemini_third["contents"]] == [
        ("user", PROMPTS[0]), ("model", own[0]), ("user", PROMPTS[1]), ("model", own[1]),
        ("user", PROMPTS[2])]
    compat_third = server.requests_for("compat")[2].body
    assert compat_third["messages"][0] == {"role": "system", "content": SYSTEM}
    assert chat_turns(compat_third["messages"][1:]) == expected(answers["compat"])


def test_blind_show_hides_names_until_the_vote(provider_env, capsys):
    server = provider_env
    server.script("openai", Reply(text="One."))
    server.script("anthropic", Reply(text="Two."))
    first = ask_json(capsys, "Count.", "--left", "openai:gpt-4o-mini", "--right",
                     "anthropic:claude-sonnet-4-5", "--blind")
    assert main(["show", first["battle_id"][:8]]) == 0
    out = capsys.readouterr().out
    assert "Turn 1" in out and "Count." in out and "One." in out
    assert "openai" not in out and "anthropic" not in out


def test_a_failed_turn_is_retried_and_the_conversation_stays_votable(provider_env, capsys):
    server = provider_env
    server.script("openai", Reply(text="First."), Reply.fail("bad_request"), Reply(text="Third."))
    server.script("anthropic", Reply(text="Uno."), Reply(text="Dos."), Reply(text="Tres."))
    first = ask_json(capsys, "Start.", "--left", "openai:gpt-4o-mini", "--right",
                     "anthropic:claude-sonnet-4-5")
    battle_id = first["battle_id"]
    assert main(["ask", "--continue", battle_id, "Go on.", "--json"]) == 1
    failed = json.loads(capsys.readouterr().out)
    assert failed["turn"] == 2 and failed["left"]["error"] is not None
    assert failed["vote"]["allowed"] is True  # turn 1 is finished and can be judged
    retried = ask_json(capsys, "--continue", battle_id, "Go on.")
    assert retried["turn"] == 2 and retried["left"]["text"] == "Third."
    third = server.requests_for("openai")[2].body["messages"]
    assert chat_turns(third) == [("user", "Start."), ("assistant", "First."),
                                 ("user", "Go on.")]


@pytest.mark.parametrize("battle_id", ["ffffffff-0000-4000-8000-000000000000", "nope"])
def test_continue_to_an_unknown_battle_exits_1_plainly(capsys, battle_id):
    assert main(["ask", "--continue", battle_id, "Hello?"]) == 1
    err = capsys.readouterr().err
    assert "No battle has the id" in err and "Traceback" not in err


def test_a_closed_output_pipe_ends_ask_and_show_quietly(provider_env, tmp_path):
    """`sidebyside ask ... --json | head`: the reader is gone before the JSON is written."""
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    for command in (["ask", "Hi.", "--left", "openai:gpt-4o-mini", "--right",
                     "anthropic:claude-sonnet-4-5", "--json"],
                    ["ask", "Hi.", "--left", "openai:gpt-4o-mini", "--right",
                     "anthropic:claude-sonnet-4-5"]):
        reader, writer = os.pipe()
        os.close(reader)  # like `head` that has already quit
        done = subprocess.run([sys.executable, "-m", "desktop", *command], stdout=writer,
                              stderr=subprocess.PIPE, env=env, text=True, timeout=120)
        os.close(writer)
        assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
        assert done.returncode == 141

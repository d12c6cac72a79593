"""`sidebyside team join|status|leave` against a real PostgreSQL server."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from desktop.cli import main
from desktop.core.team.schema import TEAM_MIGRATIONS
from tests.team.pg_cluster import free_port


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def files_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def assert_nowhere(password: str, home: Path, *texts: str) -> None:
    for text in texts:
        assert password not in text
    assert password.encode() not in files_under(home)


def test_join_creates_schema_keeps_address_and_password_in_keyring(team, capsys, monkeypatch,
                                                                   memory_keyring, fresh_home):
    monkeypatch.setenv("SIDEBYSIDE_TEAM_PASSWORD", team.password)
    status, out, err = run(capsys, "team", "join", team.address, "--name", "ana")
    assert status == 0, err
    assert "as 'ana'" in out
    assert team.sql("SELECT name FROM team_migrations").split() == [n for n, _ in TEAM_MIGRATIONS]
    stored = {name: secret for (service, name), secret in memory_keyring.entries.items()}
    assert stored == {f"team:{team.address}": team.password}
    monkeypatch.delenv("SIDEBYSIDE_TEAM_PASSWORD")
    status, out, err = run(capsys, "team", "status", "--json")
    assert status == 0
    state = json.loads(out)
    assert state["server"] == team.address and state["voter"] == "ana"
    assert state["votes_waiting"] == 0 and state["push_texts"] is True
    assert_nowhere(team.password, fresh_home, out, err)
    # Joining twice (a second member, or again) leaves the schema as it is.
    status, _, err = run(capsys, "team", "join", team.address, "--name", "ana")
    assert status == 0, err  # with the password the keyring keeps for this address
    status, out, _ = run(capsys, "team", "leave")
    assert status == 0 and "Left the team store" in out
    assert memory_keyring.entries == {}
    status, out, _ = run(capsys, "team", "status", "--json")
    assert json.loads(out)["joined"] is False


def test_wrong_password_is_a_plain_refusal(team, capsys, monkeypatch, fresh_home):
    wrong = team.password + "-nope"
    monkeypatch.setenv("SIDEBYSIDE_TEAM_PASSWORD", wrong)
    status, out, err = run(capsys, "team", "join", team.address)
    assert status == 1
    assert "refused the password" in err and "Traceback" not in err
    assert_nowhere(wrong, fresh_home, out, err)
    assert_nowhere(team.password, fresh_home, out, err)
    assert json.loads(run(capsys, "team", "status", "--json")[1])["joined"] is False


def test_unreachable_host_is_a_plain_refusal(team, capsys, monkeypatch, fresh_home):
    monkeypatch.setenv("SIDEBYSIDE_TEAM_PASSWORD", team.password)
    address = f"postgresql://{team.user}@127.0.0.1:{free_port()}/{team.db}"
    status, out, err = run(capsys, "team", "join", address)
    assert status == 1
    assert "Could not reach the team store" in err and "Traceback" not in err
    assert_nowhere(team.password, fresh_home, out, err)


def test_team_schema_newer_than_this_app_is_refused(team, capsys, monkeypatch, fresh_home):
    monkeypatch.setenv("SIDEBYSIDE_TEAM_PASSWORD", team.password)
    assert run(capsys, "team", "join", team.address)[0] == 0
    team.sql("INSERT INTO team_migrations (name) VALUES ('t999_from_the_future')")
    status, out, err = run(capsys, "team", "join", team.address, "--name", "bo")
    assert status == 1
    assert "newer version of Side by Side" in err and "t999_from_the_future" in err
    assert_nowhere(team.password, fresh_home, out, err)


def test_password_in_the_address_is_refused_without_echoing_it(capsys, fresh_home):
    status, out, err = run(capsys, "team", "join", "postgresql://ana:hunter2secret@db/arena")
    assert status == 1
    assert "Leave the password out of the address" in err
    assert_nowhere("hunter2secret", fresh_home, out, err)


def test_concurrent_first_joins_migrate_once(team):
    from desktop.core.team.address import parse_address
    from desktop.core.team.schema import ensure_schema
    from desktop.core.team.server import connect
    import threading

    address = parse_address(team.address)
    errors = []

    def join_once():
        try:
            with connect(address, team.password) as conn:
                ensure_schema(conn)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=join_once) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(host="127.0.0.1", port=team.cluster.port, user=team.user,
                         dbname=team.db, password=team.password) as conn:
        assert conn.execute("SELECT count(*) FROM team_migrations").fetchone()[0] == len(TEAM_MIGRATIONS)


@pytest.mark.parametrize("text", ["mysql://a@b/c", "postgresql://b/c", "postgresql://a@b/"])
def test_bad_address(capsys, text):
    status, _, err = run(capsys, "team", "join", text)
    assert status == 1 and "postgresql://USER@HOST[:PORT]/DB" in err


def test_password_read_from_stdin_lives_in_the_real_keyring(team, capsys, monkeypatch, fresh_home):
    import io
    import os
    import uuid

    import keyring

    from desktop.core.base import keys

    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring() if SecretService.Keyring.priority > 0 else None
    except Exception:
        backend = None
    if backend is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a Secret Service (gnome-keyring under dbus-run-session).")
        pytest.skip("no Secret Service reachable (run under dbus-run-session with gnome-keyring)")
    monkeypatch.setattr(keys, "SERVICE", f"sidebyside-test-{uuid.uuid4().hex[:8]}")
    keyring.set_keyring(backend)
    monkeypatch.delenv("SIDEBYSIDE_TEAM_PASSWORD", raising=False)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    entry = f"team:{team.address}"
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO(team.password + "\n"))
        status, out, err = run(capsys, "team", "join", team.address, "--name", "ana")
        assert status == 0, err
        assert backend.get_password(keys.SERVICE, entry) == team.password
        # A later command finds the password in the keyring alone.
        status, out, err = run(capsys, "leaderboard", "--source", "team")
        assert status == 0, err
        assert_nowhere(team.password, fresh_home, out, err)
        assert run(capsys, "team", "leave")[0] == 0
        assert backend.get_password(keys.SERVICE, entry) is None
    finally:
        try:
            backend.delete_password(keys.SERVICE, entry)
        except Exception:
            pass


def test_without_a_keyring_an_env_password_still_joins_and_a_typed_one_is_refused(
        team, capsys, monkeypatch, fresh_home):
    import io

    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr("sys.stdin", io.StringIO(team.password + "\n"))
    status, out, err = run(capsys, "team", "join", team.address)
    assert status == 1 and "No system keyring" in err
    assert json.loads(run(capsys, "team", "status", "--json")[1])["joined"] is False
    monkeypatch.setenv("SIDEBYSIDE_TEAM_PASSWORD", team.password)
    status, out, err = run(capsys, "team", "join", team.address, "--name", "ana")
    assert status == 0, err
    assert "read from the environment" in err
    assert_nowhere(team.password, fresh_home, out, err)

"""Which team this data folder has joined, kept in the local database's `team_settings` row
(the address, the voter name, whether texts are pushed; never the password), and the
operations on it: join, leave, status.

The setting lives in the database rather than a JSON file so that saving a battle can queue it
for the team in the same transaction, by checking that row (desktop/core/store/outbox.py).
"""

from __future__ import annotations

import getpass
from dataclasses import asdict, dataclass

from desktop.core.base import keys
from desktop.core.store.db import Store, utc_now
from desktop.core.team.address import (
    BAD_ADDRESS, NO_PASSWORD, NOT_JOINED, Address, TeamError, parse_address,
)
from desktop.core.team.schema import ensure_schema
from desktop.core.team.server import connect, server_error


@dataclass
class TeamSettings:
    server: str
    voter: str
    push_texts: bool
    joined_at: str
    last_push_at: str | None
    last_error: str | None

    @property
    def address(self) -> Address:
        return parse_address(self.server)


@dataclass
class TeamStatus:
    joined: bool
    server: str | None
    voter: str | None
    push_texts: bool | None
    last_push_at: str | None
    votes_waiting: int
    battles_waiting: int
    last_error: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def load(store: Store) -> TeamSettings | None:
    with store.read() as db:
        row = db.execute("SELECT server, voter, push_texts, joined_at, last_push_at, last_error "
                         "FROM team_settings WHERE id = 1").fetchone()
    if row is None:
        return None
    return TeamSettings(row[0], row[1], bool(row[2]), row[3], row[4], row[5])


def require(store: Store) -> TeamSettings:
    settings = load(store)
    if settings is None:
        raise TeamError(NOT_JOINED, "This data folder has not joined a team. Join one with "
                        "`sidebyside team join postgresql://USER@HOST/DB`.")
    return settings


def default_voter() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "voter"


def check_voter(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100 or any(ord(c) < 32 for c in name):
        raise TeamError(BAD_ADDRESS, "A voter name is 1 to 100 characters with no control "
                        "characters; give one with --name NAME.")
    return name


def join(store: Store, address_text: str, password: str | None, *, voter: str | None = None,
         push_texts: bool = True, remember: bool = True) -> TeamSettings:
    """Check the connection, create or upgrade the team schema, store the password in the
    keyring (when `remember`) and keep the address in `team_settings`. Joining again changes
    the name or the texts setting; votes already queued stay queued."""
    address = parse_address(address_text)
    voter = check_voter(voter or default_voter())
    if not password:
        raise TeamError(NO_PASSWORD, f"No password was given for {address}; nothing was changed.")
    conn = connect(address, password)
    try:
        try:
            ensure_schema(conn)
        except Exception as exc:
            raise server_error(address, "set up the team tables", exc) from None
    finally:
        conn.close()
    if remember:
        try:
            keys.set_secret(address.keyring_name, password)
        except keys.KeyStoreError as exc:
            raise TeamError(NO_PASSWORD, f"{exc} (SIDEBYSIDE_TEAM_PASSWORD works in its place.)") from None
    with store.transaction("join the team") as db:
        db.execute(
            "INSERT INTO team_settings (id, server, voter, push_texts, joined_at) "
            "VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET server = excluded.server, "
            "voter = excluded.voter, push_texts = excluded.push_texts, last_error = NULL",
            (str(address), voter, int(push_texts), utc_now()),
        )
    return require(store)


def leave(store: Store) -> TeamSettings:
    """Forget the team: its row, the queue and the stored password. The team store keeps what
    was pushed; local battles and votes are untouched."""
    settings = require(store)
    with store.transaction("leave the team") as db:
        db.execute("DELETE FROM team_outbox")
        db.execute("DELETE FROM team_settings")
    try:
        keys.delete_secret(settings.address.keyring_name)
    except keys.KeyStoreError:
        pass  # the keyring is locked or gone: nothing more this command can do about it
    return settings


def status(store: Store) -> TeamStatus:
    settings = load(store)
    with store.read() as db:
        battles = db.execute("SELECT count(*) FROM team_outbox").fetchone()[0]
        votes = db.execute("SELECT count(*) FROM team_outbox o JOIN votes v "
                           "ON v.battle_id = o.battle_id").fetchone()[0]
    if settings is None:
        return TeamStatus(False, None, None, None, None, votes, battles, None)
    return TeamStatus(True, settings.server, settings.voter, settings.push_texts,
                      settings.last_push_at, votes, battles, settings.last_error)


def record_push(store: Store, error: str | None) -> None:
    """Note the outcome of a push: its time when it drained the queue's batch, or the error."""
    with store.transaction("note the push") as db:
        if error is None:
            db.execute("UPDATE team_settings SET last_push_at = ?, last_error = NULL", (utc_now(),))
        else:
            db.execute("UPDATE team_settings SET last_error = ?", (error,))

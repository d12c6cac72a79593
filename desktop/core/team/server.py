"""Connecting to the team store: one short-lived psycopg connection per push or read.

Every failure becomes a TeamError whose message says what happened and what to do, built here
from the error's kind (never from the server's text, which could quote a connection string), so
no password reaches a message or a log. A server older than PostgreSQL 15 is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.team.address import (
    AUTH, NO_PASSWORD, SERVER, UNREACHABLE, WRONG_VERSION, Address, TeamError, password_for,
)

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S = 3  # a command waits this long for a server that is down, then goes on
MIN_SERVER = 150000  # PostgreSQL 15


def connect(address: Address, password: str | None = None) -> psycopg.Connection:
    """An open connection to the team store, or TeamError saying why not."""
    password = password if password is not None else password_for(address)
    if not password:
        raise TeamError(NO_PASSWORD, f"No password for the team store {address}. Run `sidebyside "
                        f"team join {address}` again to store it, or set SIDEBYSIDE_TEAM_PASSWORD.")
    # imported lazily: psycopg costs ~0.15 s to load, which the window's start and every
    # command of someone not in a team would pay (stats and export import this module)
    import psycopg  # noqa: PLC0415

    try:
        conn = psycopg.connect(
            host=address.host, port=address.port, user=address.user, dbname=address.database,
            password=password, connect_timeout=CONNECT_TIMEOUT_S, application_name="sidebyside",
        )
    except psycopg.OperationalError as exc:
        raise connect_error(address, exc) from None
    if conn.info.server_version < MIN_SERVER:
        version = conn.info.server_version
        conn.close()
        raise TeamError(WRONG_VERSION, f"The team store at {address.where} runs PostgreSQL "
                        f"{version // 10000}; Side by Side needs PostgreSQL 15 or newer.")
    return conn


def connect_error(address: Address, exc: BaseException) -> TeamError:
    sqlstate = getattr(exc, "sqlstate", None) or ""
    text = str(exc).lower()
    if sqlstate == "28P01" or "password authentication failed" in text:
        return TeamError(AUTH, f"The team store at {address.where} refused the password for "
                         f"'{address.user}'. Check it and try again.")
    if sqlstate.startswith("28"):
        return TeamError(AUTH, f"The team store at {address.where} does not let '{address.user}' "
                         f"connect to the database '{address.database}'. Ask whoever runs it.")
    if sqlstate == "3D000" or ("database" in text and "does not exist" in text):
        return TeamError(SERVER, f"The server at {address.where} has no database "
                         f"'{address.database}'. Check the address, or ask whoever runs it to "
                         "create it.")
    return TeamError(UNREACHABLE, f"Could not reach the team store at {address.where} (no answer "
                     "or connection refused). Check the address and that the server is running.")


def server_error(address: Address, doing: str, exc: BaseException) -> TeamError:
    """A failure after connecting (the server went away, a query was refused)."""
    if isinstance(exc, TeamError):
        return exc
    import psycopg  # loaded already: only a connection's failure gets here  # noqa: PLC0415

    if isinstance(exc, psycopg.OperationalError):
        return TeamError(UNREACHABLE, f"Lost the team store at {address.where} while trying to "
                         f"{doing}. Nothing is lost; try again when it is back.")
    sqlstate = getattr(exc, "sqlstate", None) or ""
    return TeamError(SERVER, f"The team store at {address.where} refused to {doing} "
                     f"(PostgreSQL error {sqlstate or type(exc).__name__}). Ask whoever runs it.")

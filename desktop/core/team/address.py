"""A team store's address (`postgresql://USER@HOST[:PORT]/DB`), its password, and TeamError.

The address never carries the password: one written into it is refused, so it cannot end up in
settings, shell history of later commands, or messages. The password is looked up in the
keyring entry `team:` + the address, then SIDEBYSIDE_TEAM_PASSWORD, then PGPASSWORD.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from desktop.core.base import keys
from desktop.core.store.sources import SourceError

DEFAULT_PORT = 5432
PASSWORD_ENV = ("SIDEBYSIDE_TEAM_PASSWORD", "PGPASSWORD")
USAGE = "postgresql://USER@HOST[:PORT]/DB"

# TeamError kinds
BAD_ADDRESS = "bad_address"
NOT_JOINED = "not_joined"
NO_PASSWORD = "no_password"
AUTH = "auth"
UNREACHABLE = "unreachable"
WRONG_VERSION = "wrong_version"
SERVER = "server"


class TeamError(SourceError):
    """A team store that cannot be used as asked; `message` is fit to show and holds no secret.
    A SourceError, so every command that reads a source reports it as it reports the others."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Address:
    user: str
    host: str
    port: int
    database: str

    def __str__(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def keyring_name(self) -> str:
        return f"team:{self}"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_address(text: str) -> Address:
    value = (text or "").strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise TeamError(BAD_ADDRESS, f"'{_redacted(value)}' is not an address of the form {USAGE}.") from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise TeamError(BAD_ADDRESS, f"A team store's address looks like {USAGE}, for example "
                        "postgresql://ana@db.example.com/arena.")
    if parts.password is not None:
        raise TeamError(BAD_ADDRESS, "Leave the password out of the address: you are asked for it "
                        "(or set SIDEBYSIDE_TEAM_PASSWORD), and it is kept in the system keyring.")
    user, host = unquote(parts.username or ""), parts.hostname or ""
    database = unquote(parts.path.lstrip("/"))
    if not user or not host or not database or "/" in database or parts.query:
        raise TeamError(BAD_ADDRESS, f"'{_redacted(value)}' is not an address of the form {USAGE} "
                        "(a user, a host and a database name are all needed).")
    return Address(user, host, port or DEFAULT_PORT, database)


def _redacted(text: str) -> str:
    """The address as typed, minus anything between ':' and '@' after the scheme."""
    head, sep, tail = text.partition("://")
    if sep and "@" in tail:
        who, at, rest = tail.rpartition("@")
        return f"{head}://{who.split(':')[0]}:***@{rest}" if ":" in who else text
    return text


def password_for(address: Address) -> str | None:
    """The stored password for this address, else the environment's, else None."""
    secret = keys.get_secret(address.keyring_name)
    if secret:
        return secret
    for var in PASSWORD_ENV:
        value = os.environ.get(var)
        if value:
            return value
    return None


def scrub(text: str, password: str | None) -> str:
    """`text` with the password blotted out, should a server or library ever echo it."""
    return text.replace(password, "***") if password else text

"""Credentials inside URLs, hidden wherever text leaves the app: messages, log lines, stored
errors. One function, `redact`, so every place hides the same things the same way.

Hidden: the password in a URL's user-info (`http://user:pw@host` -> `http://user:[hidden]@host`;
a plain user name such as `postgresql://alice@db/arena` is no secret and stays, unless it is long
enough to be a token used as a user name, `https://<token>@host`), and the
value of query or form parameters whose name says it is a secret (`key=`, `api_key=`, `token=`,
`access_token=`, `secret=`, `password=`, `sig=`, ...), in any case, wherever they appear in the
text. The rest of the URL stays: the host is what a person needs to fix a wrong address.
Redacting twice changes nothing more.
"""

from __future__ import annotations

import re

HIDDEN = "[hidden]"

# scheme://user[:password]@ ; the user-info ends at the first '@' before the host, and holds
# no '/', '?', '#' or whitespace.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<userinfo>[^/?#@\s\"'<>]+)@")
# name=value where name names a secret, after '?', '&', ';' or the start of a word.
_SECRET_PARAM = re.compile(
    r"(?P<name>(?<![A-Za-z0-9_\-])(?:[A-Za-z0-9_\-]*[_\-])?"
    r"(?:key|apikey|token|secret|password|passwd|pwd|sig|signature|auth|credential|credentials)"
    r")=(?P<value>[^&#\s\"'<>;,)]+)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with every credential inside a URL replaced by HIDDEN."""
    if not text or ("@" not in text and "=" not in text):
        return text
    text = _USERINFO.sub(_hide_userinfo, text)
    return _SECRET_PARAM.sub(lambda m: f"{m['name']}={HIDDEN}", text)


TOKEN_LIKE = 24  # a user name this long is a token used as one (`https://<token>@github.com`)


def _hide_userinfo(match: re.Match) -> str:
    user, colon, password = match["userinfo"].partition(":")
    if colon:
        shown = f"{user}:{HIDDEN}" if password != HIDDEN else match["userinfo"]
    else:
        shown = user if len(user) < TOKEN_LIKE or user == HIDDEN else HIDDEN
    return f"{match['scheme']}{shown}@"


def host_of(url: str) -> str:
    """The host (and port) of a URL as messages name it: never its user-info."""
    # Parsed by hand rather than with urllib.parse: this module loads with the command line,
    # before the window's first paint, and urllib.parse pulls in ipaddress (~8 ms).
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        return redact(url)
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
    return netloc.rpartition("@")[2] if netloc else redact(url)

"""The keyring package and the backend classes `keys` tells apart, imported together.

keyring probes D-Bus and is slow to load, so `desktop.core.base.keys` imports this module only
when a key is first read, stored or deleted (its one deferral point), never at start-up.
"""

from __future__ import annotations

import keyring
import keyring.errors
from keyring.backends import chainer, fail, null

__all__ = ["chainer", "fail", "keyring", "null"]

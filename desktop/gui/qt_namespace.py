"""PySide6's `Qt` namespace, loaded on first use.

Importing `Qt` from QtCore makes Python wrap the whole namespace (~20 ms), and nothing the
first paint needs uses it: panes, the vote bar and the like ask for it here when they first
set a flag or format. The one deferral point for it.
"""

from __future__ import annotations


def qt():
    """`PySide6.QtCore.Qt`."""
    # deferred: wrapping the Qt namespace costs ~20 ms, which the first paint must not wait for
    from PySide6.QtCore import Qt  # noqa: PLC0415

    return Qt

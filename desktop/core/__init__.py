"""The Qt-free core: contenders, the battle engine, the store, statistics, export and keys.

Nothing under this package may import Qt; the CLI and the window are thin faces on it.
"""

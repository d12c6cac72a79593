"""The window: a thin Qt face on the Qt-free core (`desktop.core`).

Widgets render and forward intents; `round_controller` drives the engine and the store;
`battle_runner` brings engine events to the UI thread; `tasks` runs store calls on one writer
thread. Nothing here holds business logic, and nothing heavy is imported before the first paint.
"""

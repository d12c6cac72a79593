"""The Qt-free core: one engine under both faces (the command line and the window).

Its rooms are stacked; each imports only the rooms below it (import-linter checks it; the floor
plan, what each room owns and the glossary are in docs/architecture.md):

    operations | doctor     what a user does to the data; `sidebyside doctor`
    results | importing     exports and the report; votes from elsewhere
    judge                   a model judge and its agreement with this user
    battle                  running and recording rounds (the round session owns a round)
    stats | prompts         the numbers; prompt sets
    team                    a team's shared PostgreSQL store
    store                   the one SQLite file
    local | library         llama.cpp in a worker process; open models to get
    providers               remote contenders, one module each, and the registry
    contenders              what a contender is, gets and gives; the blind rule
    base                    errors, redaction, paths, safe writing, the CSV guard, API keys

Nothing under this package may import Qt, the window or the command line.
"""

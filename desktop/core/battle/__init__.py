"""Running and recording rounds: the engine that runs two contenders at once, the round session
that owns a round's rules (seats, the fair coin, turns, categories, saving, voting), contender
specs, reveal pacing, batches of prompts run unattended, and review of battles run without a vote.

May import: base, contenders, providers, local, library, store, stats, prompts.
Imported by: judge, results, importing, team, doctor, operations, and the two faces.
"""

"""Prompts to run many at a time: prompt-set files (`promptsets`) and the seven starter sets
shipped with the app (`starter_sets`).

May import: base, store.
"""

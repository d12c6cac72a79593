"""Statistics over votes, with numpy and without Qt.

Every function here takes plain arrays: for each counted vote the index of contender A, the index
of contender B and an outcome code (`A_WINS`, `B_WINS`, `TIE`, `BOTH_BAD`, from the vote table
in `desktop/core/contenders/choices.py`). `results` loads those arrays from the store and puts
the pieces together.
"""

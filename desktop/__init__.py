"""Side by Side: compare a local open model with a proprietary one, blind, side by side."""

import os

# numpy's BLAS starts a thread per core for every linear solve. The ratings solve batches of
# small systems (k × k, k ≈ 129 at Chatbot Arena's scale), where those threads only wait on
# each other: on a busy 2-core machine a 100-round bootstrap spent 8 s in `solve` with them and
# 0.1 s without. Set before numpy is first imported; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
APP_NAME = "Side by Side"
APP_ID = "sidebyside"

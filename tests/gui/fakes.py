"""A scripted contender for fast window tests (the real engine drives it; only the model is fake).

Spec: `fake:NAME` streams `NAME says: ` followed by numbered words; `fake:slow-NAME` waits on
its cancel token between pieces, so Stop can be tested; `fake:fail-NAME` raises a server error.
"""

from __future__ import annotations

from desktop.core.contenders.answer import Status
from desktop.core.contenders.base import Contender, Finish, Usage
from desktop.core.base.errors import SERVER, ContenderError


class FakeContender(Contender):
    provider = "fake"
    default_kind = "proprietary"
    pieces = 40
    delay_s = 0.0

    @classmethod
    def from_spec(cls, spec, kind=None, **resources):  # the caller's pools: not needed
        return cls(spec.raw, spec.model, kind)

    def stream(self, request, cancel):
        name = self.model
        if name.startswith("fail"):
            raise ContenderError(SERVER, "The fake server failed on purpose.")
        slow = name.startswith("slow")
        yield Status("loading", "", 0.5)
        words = [f"Word{i} " for i in range(self.pieces)]
        yield "Answer text: "
        for i, word in enumerate(words):
            if slow and cancel.wait(0.05):
                return
            if i and i % 10 == 0:
                yield "\n\n"
            yield word
        yield Usage(prompt_tokens=3, output_tokens=len(words) + 1)
        yield Finish("stop")

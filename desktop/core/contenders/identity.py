"""Identity leaks: an answer that names a model maker or family gives a blind battle away.

A name counts when it stands as a word of its own, in any case: "GPT" matches "GPT-4o", "gpt4"
and "a GPT model" but not "ChatGPTs" (that is "ChatGPT" plus a letter) or "Phillip". A version
number may follow directly ("Llama3", "Qwen2.5"); another letter may not. "Hugging Face" also
matches "HuggingFace" and "Hugging-Face". The check is deliberately simple and errs towards
flagging: a flagged battle is still stored and can be voted on, it is only left out of ratings
unless the user asks for it.
"""

from __future__ import annotations

import re

# Canonical spelling -> pattern body (already escaped where needed).
NAMES: dict[str, str] = {
    "OpenAI": r"open\s?ai",
    "ChatGPT": r"chat\s?gpt",
    "GPT": r"gpt",
    "Anthropic": r"anthropic",
    "Claude": r"claude",
    "Google": r"google",
    "Gemini": r"gemini",
    "Bard": r"bard",
    "Meta": r"meta",
    "Llama": r"llama",
    "Mistral": r"mistral",
    "Qwen": r"qwen",
    "DeepSeek": r"deep\s?seek",
    "Gemma": r"gemma",
    "Phi": r"phi",
    "Microsoft": r"microsoft",
    "SmolLM": r"smol\s?lm",
    "Hugging Face": r"hugging[\s-]?face",
}

# Not preceded by a word character; not followed by a letter or underscore (a digit may follow).
_PATTERN = re.compile(
    "|".join(f"(?P<n{i}>(?<!\\w){body}(?![^\\W\\d]))" for i, body in enumerate(NAMES.values())),
    re.IGNORECASE,
)
_CANONICAL = list(NAMES)
# Every match begins with one of these plain lower-case words. Python's regex engine is slow at
# a case-insensitive alternation of look-behinds (about 30 ms over a 40 KB answer, holding the
# interpreter lock all along, which stalls the window). Lower-casing once and finding these
# beginnings takes well under a millisecond; the full pattern then runs only where one begins.
_STARTS = re.compile("|".join(sorted({re.match("[a-z]+", body).group() for body in NAMES.values()})))


def find_identity_leaks(*texts: str) -> list[str]:
    """The maker and family names found in `texts`, canonically spelt, in order of first use."""
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        for match in _matches(text):
            name = _CANONICAL[int(match.lastgroup[1:])]
            if name not in found:
                found.append(name)
    return found


def _matches(text: str):
    """What `_PATTERN.finditer(text)` yields, found faster."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character that lower-cases to two: positions differ
        yield from _PATTERN.finditer(text)
        return
    pos = 0
    while (start := _STARTS.search(lowered, pos)) is not None:
        match = _PATTERN.match(text, start.start())  # its look-behind sees text before pos
        if match:
            yield match
            pos = match.end()
        else:
            pos = start.start() + 1


def leak_warning(names: list[str]) -> str:
    """The sentence shown to a voter before a flagged battle's vote."""
    listed = ", ".join(names)
    return (
        f"Identity leak: an answer names {listed}, so this battle may not be blind. You can still "
        "vote; it is left out of ratings unless you ask to include leaks."
    )

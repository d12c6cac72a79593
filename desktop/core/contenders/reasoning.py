"""The reasoning setting (`--reasoning off|low|medium|high`) in each provider's own words.

Not given (None), nothing is sent and every model thinks as its provider decides. Otherwise:

- OpenAI GPT-5.1 and later: `reasoning_effort` of the level's name; off is `"none"`.
- OpenAI GPT-5, -mini, -nano: the same, but off is `"minimal"` (GPT-5 cannot stop thinking).
- OpenAI o1, o3, o4-mini: `reasoning_effort`; off is left out with a note (they always think).
- Other OpenAI models: off sends nothing (they do not think); a level is left out with a note.
- OpenAI-compatible servers: `reasoning_effort`; off is `chat_template_kwargs:
  {"enable_thinking": false}`, the switch of Qwen3-style templates on vLLM, SGLang and the
  llama.cpp server.
- Anthropic (Claude 3.7, 4 and later): `thinking: {type: "enabled", budget_tokens: B}` with
  `max_tokens` = B + max tokens and no temperature; off sends nothing (thinking is off unless
  asked for). Older models: a level is left out with a note.
- Gemini 2.5: `thinkingConfig: {includeThoughts: true, thinkingBudget: B}`, 0 for off (2.5 Pro
  cannot stop thinking: note).
- Gemini 3: `thinkingConfig: {includeThoughts: true, thinkingLevel: ...}`; Flash takes all four
  (off is "minimal"), Pro only low and high (others: note).
- Local GGUF: the chat template's `enable_thinking` switch where it has one (on for any level),
  and `reasoning_effort` for templates that read it (gpt-oss); otherwise a note.

B (thinking budget in tokens): low 1,024 (Anthropic's minimum), medium 8,192, high 24,576 (the
most Gemini 2.5 Flash takes). A setting a model cannot take is left out and the answer still
comes, with a note (`not_taken`) that names no model, so a blind pane can show it. A
compatible server that refuses the fields is asked once more without them, with the same note.
"""

from __future__ import annotations

import re
from typing import Any

BUDGETS = {"low": 1024, "medium": 8192, "high": 24576}

Fields = dict[str, Any]


def not_taken(level: str) -> str:
    return (f"This model does not take the reasoning setting “{level}”, so it was left out: "
            "the model answers as it does by default.")


# --- OpenAI -----------------------------------------------------------------------------------
_GPT5_POINT = re.compile(r"^gpt-5\.(\d+)")


def openai_fields(model: str, level: str | None) -> tuple[Fields, str | None]:
    """(fields for the body, note or None) for OpenAI Chat Completions."""
    if level is None:
        return {}, None
    name = model.lower()
    thinks = name.startswith(("o1", "o3", "o4", "gpt-5")) and not name.startswith(
        ("gpt-5-chat", "o1-mini", "o1-preview"))
    if not thinks:
        return {}, None if level == "off" else not_taken(level)
    if name.startswith("gpt-5-pro"):  # takes only its default, high
        return ({"reasoning_effort": "high"}, None) if level == "high" else ({}, not_taken(level))
    if level != "off":
        return {"reasoning_effort": level}, None
    if _GPT5_POINT.match(name):
        return {"reasoning_effort": "none"}, None
    if name.startswith("gpt-5"):
        return {"reasoning_effort": "minimal"}, None
    return {}, not_taken(level)  # o-series always think


def compat_fields(level: str | None) -> Fields:
    """Fields for an OpenAI-compatible server (models unknown: the server decides)."""
    if level is None:
        return {}
    if level == "off":
        return {"chat_template_kwargs": {"enable_thinking": False}}
    return {"reasoning_effort": level}


# --- Anthropic --------------------------------------------------------------------------------
_CLAUDE_WITHOUT_THINKING = ("claude-3-5", "claude-3-haiku", "claude-3-opus", "claude-3-sonnet",
                            "claude-2", "claude-instant")


def anthropic_thinking(model: str, level: str | None) -> tuple[int | None, str | None]:
    """(thinking budget in tokens or None for no thinking block, note or None)."""
    if level is None or level == "off":
        return None, None  # thinking is off unless asked for
    if model.lower().startswith(_CLAUDE_WITHOUT_THINKING):
        return None, not_taken(level)
    return BUDGETS[level], None


# --- Gemini -----------------------------------------------------------------------------------
_GEMINI_WITHOUT_THINKING = ("gemini-1", "gemini-2.0", "gemini-pro", "gemma")
_GEMINI3_PRO_LEVELS = {"low": "low", "high": "high"}
_GEMINI3_FLASH_LEVELS = {"off": "minimal", "low": "low", "medium": "medium", "high": "high"}


def gemini_thinking(model: str, level: str | None) -> tuple[Fields | None, str | None]:
    """(thinkingConfig or None, note or None) for Gemini's generationConfig."""
    if level is None:
        return None, None
    name = model.lower().removeprefix("models/")
    if name.startswith(_GEMINI_WITHOUT_THINKING):
        return None, None if level == "off" else not_taken(level)
    if name.startswith("gemini-3"):
        levels = _GEMINI3_PRO_LEVELS if "pro" in name else _GEMINI3_FLASH_LEVELS
        if level not in levels:
            return None, not_taken(level)
        return {"includeThoughts": True, "thinkingLevel": levels[level]}, None
    if level == "off":
        if "pro" in name:  # 2.5 Pro thinks at least 128 tokens
            return None, not_taken(level)
        return {"includeThoughts": True, "thinkingBudget": 0}, None
    return {"includeThoughts": True, "thinkingBudget": BUDGETS[level]}, None


# --- local (chat templates) --------------------------------------------------------------------
def template_switches(template: str | None, level: str | None) -> tuple[Fields, str | None]:
    """(variables for the Jinja chat template, note or None) for a local GGUF model."""
    if level is None:
        return {}, None
    text = template or ""
    values: Fields = {}
    if "enable_thinking" in text:
        values["enable_thinking"] = level != "off"
    if "reasoning_effort" in text and level != "off":
        values["reasoning_effort"] = level
    if not values:
        if level == "off" and "think" not in text.lower():
            return {}, None  # a model that does not think needs no switch to stop
        return {}, not_taken(level)
    return values, None

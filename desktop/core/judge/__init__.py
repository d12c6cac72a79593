"""A model judge: asks any contender which of a battle's two answers is better, in both orders,
and keeps its verdicts apart from the user's votes (see docs/judge.md)."""

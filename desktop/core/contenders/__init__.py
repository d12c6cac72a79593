"""Contenders: every model, local or remote, streams through one interface (`base.Contender`)."""

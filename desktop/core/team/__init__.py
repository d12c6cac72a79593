"""Team arena: many people's votes pooled in one shared PostgreSQL store, each machine offline-first.

The local SQLite file stays the source of truth. A data folder that has joined a team
(`settings.join`) queues every battle it saves or votes on in `team_outbox`, in the same
transaction (desktop/core/store/outbox.py); `push.push_outbox` sends the queue to the server with
upserts keyed by (battle id, voter), so a retry or a crash mid-push never duplicates or loses a
vote; `read` asks the server for vote counts aggregated per pair, outcome and category and fits
them here exactly as own votes are fitted. The server's schema has its own ordered migrations
(`schema`). The password lives in the system keyring (or SIDEBYSIDE_TEAM_PASSWORD / PGPASSWORD),
never in a file, a message or a log.
"""

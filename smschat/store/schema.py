"""The database schema, as an ordered list of migrations.

`PRAGMA user_version` holds the number of migrations applied. `migrate` runs the missing ones in
order, each in its own transaction, so an old database is brought up to date without losing data.
Add a migration by appending to `MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# v1: messages by id, per-conversation state, drafts, sync cursors, outbox.
_V1 = """
CREATE TABLE messages (
    id           TEXT PRIMARY KEY,
    customer     TEXT NOT NULL,            -- normalised
    account      TEXT NOT NULL,            -- normalised
    direction    TEXT NOT NULL,            -- inbound | outbound
    status       TEXT NOT NULL,            -- queued | sent | received | failure
    delivery     TEXT NOT NULL DEFAULT 'unknown',
    ts           INTEGER NOT NULL,         -- sort key, epoch seconds
    requested_at INTEGER,
    responded_at INTEGER,
    to_number    TEXT NOT NULL,            -- raw, as the provider sent it
    from_number  TEXT NOT NULL,
    body         TEXT NOT NULL,
    result_url   TEXT NOT NULL DEFAULT '',
    parts        TEXT NOT NULL DEFAULT '[]',   -- JSON list of the ids of one send
    error        TEXT NOT NULL DEFAULT '',
    local        INTEGER NOT NULL DEFAULT 0,   -- 1: an outbox row not (yet) acknowledged
    first_seen   INTEGER NOT NULL
);
CREATE INDEX messages_thread ON messages (customer, account, ts, id);

CREATE TABLE conversation_state (
    customer      TEXT NOT NULL,
    account       TEXT NOT NULL,
    read_upto     INTEGER NOT NULL DEFAULT 0,  -- inbound messages with ts <= this are read
    last_read_at  INTEGER,
    done_at       INTEGER,                     -- triage (later work)
    snoozed_until INTEGER,                     -- triage (later work)
    PRIMARY KEY (customer, account)
);

CREATE TABLE drafts (
    customer   TEXT NOT NULL,
    account    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (customer, account)
);

CREATE TABLE cursors (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE outbox (
    local_id    TEXT PRIMARY KEY,              -- 'local:<uuid4 hex>', also the messages row id
    to_number   TEXT NOT NULL,
    from_number TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    uncertain   INTEGER NOT NULL DEFAULT 0,    -- 1: the request may have gone out
    error       TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 1,
    result_ids  TEXT NOT NULL DEFAULT '[]',    -- provider ids once sent
    updated_at  INTEGER NOT NULL
);
"""

# v2: a conversation summary maintained on write (contacts paint without scanning messages),
# and the status-poll schedule of each outbound message.
_V2 = """
CREATE TABLE conversations (
    customer TEXT NOT NULL,
    account  TEXT NOT NULL,
    total    INTEGER NOT NULL DEFAULT 0,
    inbound  INTEGER NOT NULL DEFAULT 0,
    outbound INTEGER NOT NULL DEFAULT 0,
    unread   INTEGER NOT NULL DEFAULT 0,
    failed   INTEGER NOT NULL DEFAULT 0,
    last_ts  INTEGER NOT NULL DEFAULT 0,
    last_id  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (customer, account)
);
CREATE INDEX conversations_recent ON conversations (last_ts DESC, last_id DESC);

ALTER TABLE messages ADD COLUMN poll_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN next_poll_at INTEGER;   -- NULL: due now
ALTER TABLE messages ADD COLUMN poll_done INTEGER NOT NULL DEFAULT 0;  -- 1: never poll again
CREATE INDEX messages_pending ON messages (ts)
    WHERE direction = 'outbound' AND local = 0 AND poll_done = 0
      AND status != 'failure' AND delivery = 'unknown';
"""

REBUILD_CONVERSATIONS = """
INSERT OR REPLACE INTO conversations
    (customer, account, total, inbound, outbound, unread, failed, last_ts, last_id)
SELECT m.customer, m.account, count(*),
       sum(m.direction = 'inbound'), sum(m.direction = 'outbound'),
       sum(m.direction = 'inbound' AND m.ts > coalesce(s.read_upto, 0)),
       sum(m.status = 'failure' OR m.delivery = 'undelivered'),
       max(m.ts),
       (SELECT l.id FROM messages AS l WHERE l.customer = m.customer AND l.account = m.account
         ORDER BY l.ts DESC, l.id DESC LIMIT 1)
FROM messages AS m
LEFT JOIN conversation_state AS s ON s.customer = m.customer AND s.account = m.account
WHERE {where}
GROUP BY m.customer, m.account
"""


# v3: records whose text the client never saw (Plivo lists carry no text), MMS media URLs, and the
# media of an outbox send.
_V3 = """
ALTER TABLE messages ADD COLUMN body_known INTEGER NOT NULL DEFAULT 1;  -- 0: text never seen
ALTER TABLE messages ADD COLUMN media TEXT NOT NULL DEFAULT '[]';       -- JSON list of media URLs
ALTER TABLE outbox ADD COLUMN media TEXT NOT NULL DEFAULT '[]';
"""

# v4: who wrote. Every Store (one per connection) bumps its own row in a write transaction that
# changed something, so a reader can tell writes by other processes (a second client, the webhook
# receiver) from the writes of connections it knows about (its own sync engine).
_V4 = """
CREATE TABLE writers (
    id  TEXT PRIMARY KEY,            -- a Store instance (uuid4 hex)
    seq INTEGER NOT NULL DEFAULT 0,  -- its committed write transactions that changed rows
    at  INTEGER NOT NULL             -- epoch seconds of its last one
);
"""


# v5: triage and the address book. Done and snoozed remember the newest inbound message they covered
# (`*_upto`, the message's own ts), so a later text wakes the conversation whatever the clocks say;
# partial indexes make "the customer's last word" and "our last answer" one index seek each.
_V5 = """
ALTER TABLE conversation_state ADD COLUMN done_upto INTEGER;    -- ts of the newest inbound marked done
ALTER TABLE conversation_state ADD COLUMN snooze_upto INTEGER;  -- ts of the newest inbound snoozed
CREATE TABLE names (
    number     TEXT PRIMARY KEY,              -- normalised customer number
    name       TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
CREATE INDEX messages_inbound ON messages (customer, account, ts) WHERE direction = 'inbound';
CREATE INDEX messages_answers ON messages (customer, account, ts)
    WHERE direction = 'outbound' AND status != 'failure';
"""


def _v2(conn: sqlite3.Connection) -> None:
    for statement in _split(_V2):
        conn.execute(statement)
    conn.execute(REBUILD_CONVERSATIONS.format(where="1"))


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        for statement in _split(sql):
            conn.execute(statement)

    return run


def _split(sql: str) -> list[str]:
    """Statements of a script (the schema has no ';' inside literals or triggers)."""
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _v6(conn: sqlite3.Connection) -> None:
    """v6: the full-text index of message bodies (see `search_index`; filled from the messages)."""
    from smschat.store import search_index

    search_index.migrate(conn)


#: Ordered migrations; index i upgrades user_version i to i + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _script(_V1), _v2, _script(_V3), _script(_V4), _script(_V5), _v6,
]  # fmt: skip

CURRENT_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, *, target: int = CURRENT_VERSION) -> int:
    """Apply the missing migrations up to `target` (the connection must be in autocommit mode).

    Each step runs in one IMMEDIATE transaction together with its `user_version` bump, so two
    processes opening the same old database migrate it once. Returns the version reached.
    """
    version = user_version(conn)
    if version > CURRENT_VERSION:
        raise RuntimeError(
            f"this database has schema version {version}, newer than this smschat ({CURRENT_VERSION}); "
            "upgrade smschat"
        )
    while version < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = user_version(conn)  # another process may have migrated meanwhile
            if version >= target:
                conn.execute("COMMIT")
                break
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version += 1
    return version

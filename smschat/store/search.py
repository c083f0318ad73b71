"""Search every message (bodies through the full-text index), customer numbers and contact names.

`search(text)` answers with conversations whose number, name or notes match first (each shown by its
newest message), then the messages whose body matches, newest first, at most `limit` of them
(`SearchResults.capped` says when more matched). Matching rules: `smschat.domain.search`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from smschat.domain.model import Message
from smschat.domain.numbers import normalize
from smschat.domain.search import Query, SearchHit, SearchResults, matches, parse_query
from smschat.store.base import StoreBase
from smschat.store.codec import MESSAGE_COLUMNS, decode
from smschat.store.search_index import TABLE

SEARCH_LIMIT = 200  # messages listed (the newest); the rest are counted as "more"
CONTACT_LIMIT = 50  # conversations matched by number or name
_MIN_TRIGRAM = 3  # the index matches terms of 3 characters or more; shorter ones are scanned for
_COLUMNS = ", ".join(f"m.{c}" for c in MESSAGE_COLUMNS)


def _phrase(term: str) -> str:
    """An FTS5 string literal (the term is matched as a substring, never parsed as syntax)."""
    return '"' + term.replace('"', '""') + '"'


class SearchMixin(StoreBase):
    def search(
        self,
        text: str,
        *,
        accounts: Sequence[str] = (),
        limit: int = SEARCH_LIMIT,
        contact_limit: int = CONTACT_LIMIT,
    ) -> SearchResults:
        """Conversations and messages matching `text` on `accounts` (all when empty)."""
        query = parse_query(text)
        if query.empty:
            return SearchResults(query)
        wanted = sorted({normalize(a) for a in accounts if normalize(a)})
        limit, contact_limit = max(0, int(limit)), max(0, int(contact_limit))
        with self._read() as conn:
            contacts, contacts_capped = self._contact_hits(conn, query, wanted, contact_limit)
            if self._indexing:
                rows = self._indexed(conn, query, wanted, limit + 1)
            else:
                rows = self._scanned(conn, query, wanted, limit + 1)
        n = len(MESSAGE_COLUMNS)
        messages = tuple(
            SearchHit(decode(row), customer=row[1], account=row[2], name=row[n] or "") for row in rows[:limit]
        )
        return SearchResults(query, contacts + messages, capped=len(rows) > limit, contacts_capped=contacts_capped)

    # ----------------------------------------------------------------- parts

    def _indexed(self, conn: sqlite3.Connection, query: Query, accounts: list[str], limit: int) -> list[tuple]:
        terms = query.terms
        long_terms = [t for t in terms if len(t) >= _MIN_TRIGRAM]
        where: list[str] = []
        params: list[object] = []
        if long_terms:
            where.append(f"{TABLE} MATCH ?")
            params.append(" AND ".join(_phrase(t) for t in long_terms))
        for term in terms:
            if len(term) < _MIN_TRIGRAM:
                where.append("(instr(s.text, ?) > 0 OR instr(s.digits, ?) > 0)")
                params += [term, term]
        if accounts:
            where.append(f"m.account IN ({', '.join('?' * len(accounts))})")
            params += accounts
        # the index drives (newest first, stopping at the limit); messages and names are looked up
        sql = (
            f"SELECT {_COLUMNS}, n.name FROM {TABLE} AS s CROSS JOIN messages AS m ON m.id = s.id "
            "LEFT JOIN names AS n ON n.number = m.customer "
            f"WHERE {' AND '.join(where)} ORDER BY s.rowid DESC LIMIT ?"
        )
        return conn.execute(sql, [*params, limit]).fetchall()

    def _scanned(self, conn: sqlite3.Connection, query: Query, accounts: list[str], limit: int) -> list[tuple]:
        """Without the index (no FTS5): a scan, newest first, checked with the same rules."""
        where = ["m.body != ''"]
        params: list[object] = []
        if accounts:
            where.append(f"m.account IN ({', '.join('?' * len(accounts))})")
            params += accounts
        sql = (
            f"SELECT {_COLUMNS}, n.name FROM messages AS m LEFT JOIN names AS n ON n.number = m.customer "
            f"WHERE {' AND '.join(where)} ORDER BY m.ts DESC, m.id DESC"
        )
        found: list[tuple] = []
        for row in conn.execute(sql, params):
            if matches(row[11], query):
                found.append(row)
                if len(found) >= limit:
                    break
        return found

    def _contact_hits(
        self, conn: sqlite3.Connection, query: Query, accounts: list[str], limit: int
    ) -> tuple[tuple[SearchHit, ...], bool]:
        """Conversations whose customer number (a number query) or name or notes match, newest first."""
        where = ["c.total > 0"]
        params: list[object] = []
        if accounts:
            where.append(f"c.account IN ({', '.join('?' * len(accounts))})")
            params += accounts
        if query.digits:
            where.append("instr(c.customer, ?) > 0")
            params.append(query.digits)
        else:
            where.append("(n.name != '' OR n.notes != '')")
        sql = (
            "SELECT c.customer, c.account, c.last_id, coalesce(n.name, ''), coalesce(n.notes, '') "
            "FROM conversations AS c LEFT JOIN names AS n ON n.number = c.customer "
            f"WHERE {' AND '.join(where)} ORDER BY c.last_ts DESC, c.last_id DESC"
        )
        found: list[tuple[str, str, str, str]] = []
        capped = False
        for customer, account, last_id, name, notes in conn.execute(sql, params):
            if not query.digits and not (matches(name, query) or matches(notes, query)):
                continue
            if len(found) >= limit:
                capped = True
                break
            found.append((customer, account, last_id, name))
        if not found:
            return (), capped
        ids = [last_id for _, _, last_id, _ in found]
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM messages AS m WHERE m.id IN ({', '.join('?' * len(ids))})", ids
        ).fetchall()
        last: dict[str, Message] = {row[0]: decode(row) for row in rows}
        hits = tuple(
            SearchHit(last[last_id], customer=customer, account=account, name=name, contact_match=True)
            for customer, account, last_id, name in found
            if last_id in last
        )
        return hits, capped

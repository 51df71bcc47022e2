"""Knowledge-base search for the agent, through the knowledge engine's own code (app.knowledge).

Names are checked when the turn starts (a typo fails at once, not after the model has run); the
embedding model and the indexes load on the first search only, so a turn that never searches
pays nothing for them.
"""

from __future__ import annotations

from app.core.db.database import open_database
from app.core.errors import UserError
from app.core.kb import DocFilter, KnowledgeStore
from app.knowledge.base import Knowledge, find_kb

DEFAULT_TOP_K = 4
MAX_TOP_K = 10


class KBSearcher:
    def __init__(self, refs: list[str], filters: DocFilter | None = None):
        """``filters``: only documents whose tags, source and date match (the chat's "Only documents")."""
        self.filters = filters
        self.db = open_database()
        self.store = KnowledgeStore(self.db)
        try:
            self.kbs = {}
            for ref in refs:
                kb = find_kb(self.store, ref)
                self.kbs[kb.name] = kb
        except BaseException:
            self.db.close()
            raise
        self._open: dict[str, object] = {}

    @property
    def names(self) -> list[str]:
        return list(self.kbs)

    def _knowledge(self, name: str):
        if name not in self._open:
            self._open[name] = Knowledge(self.kbs[name], self.store)
        return self._open[name]

    def search(self, query: str, kb: str | None = None, top_k: int = DEFAULT_TOP_K) -> list[dict]:
        """The best chunks over the chosen (default: every attached) knowledge base, best first."""
        if kb:
            if kb not in self.kbs:
                raise UserError(f"no attached knowledge base named {kb!r}; attached: {', '.join(self.kbs)}",
                                code="agent.kb_unknown", params={"kb": kb, "attached": ", ".join(self.kbs)})
            names = [kb]
        else:
            names = list(self.kbs)
        top_k = max(1, min(int(top_k), MAX_TOP_K))
        found = []
        for name in names:
            res = self._knowledge(name).query(query, top_k=top_k, filters=self.filters)
            found += [dict(c, kb=name) for c in res["chunks"]]
        found.sort(key=lambda c: -float(c.get("score") or 0.0))
        return found[:top_k]

    def close(self) -> None:
        self.db.close()


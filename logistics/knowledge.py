"""Search of the fault knowledge base (知识库): plain documents in, ranked results out.

Text is cut into terms that work for Chinese without a dictionary: each run of CJK
characters gives its character bigrams (a lone character is kept as a unigram), each run of
Latin letters or digits gives one lower-cased word. Documents are ranked by Okapi BM25
(k1 = 1.2, b = 0.75, the non-negative idf ``ln(1 + (N - n + 0.5) / (n + 0.5))``), so the same
ranking comes out whatever database the documents were read from.

Why not a library: jieba (segmentation, last release 2020) loads a 20 MB dictionary at first
use and rank-bm25 (last release 2022) is thirty lines of the formula below; bigrams need
neither and are the standard dictionary-free indexing for Chinese.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

K1 = 1.2
B = 0.75
# at most this many characters of a query are read (bounded work for any input)
MAX_QUERY_CHARS = 500

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*")
_IS_CJK = re.compile(rf"[{_CJK}]")


def terms(text: str) -> list[str]:
    """The index terms of a text: CJK character bigrams and lower-cased Latin words.

    >>> terms("电源模块故障 PSU failed")
    ['电源', '源模', '模块', '块故', '故障', 'psu', 'failed']
    """
    out: list[str] = []
    for run in _RUN.findall(text):
        if _IS_CJK.match(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run.lower())
    return out


@dataclass(frozen=True)
class KnowledgeDoc:
    """One searchable thing: a published article or a closed ticket.

    ``kind`` is ``article`` or ``ticket``; ``ref`` its number; ``parts`` the part numbers
    that fixed it; ``models`` the equipment models (part numbers) it concerns.
    """

    kind: str
    ref: str
    text: str
    parts: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class Hit:
    doc: KnowledgeDoc
    score: float


@dataclass(frozen=True)
class PartSuggestion:
    """A part that fixed similar faults; ``score`` sums the scores of the hits naming it."""

    part_number: str
    score: float
    refs: tuple[str, ...] = field(default=())


class KnowledgeIndex:
    """BM25 over a fixed set of documents; build once, query many times."""

    def __init__(self, docs: Sequence[KnowledgeDoc]) -> None:
        self.docs = tuple(docs)
        self._tf = [Counter(terms(d.text)) for d in self.docs]
        self._len = [sum(tf.values()) for tf in self._tf]
        self._avg = (sum(self._len) / len(self._len)) if self._len else 0.0
        df: Counter[str] = Counter()
        for tf in self._tf:
            df.update(tf.keys())
        n = len(self.docs)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def score(self, query_terms: Iterable[str], i: int) -> float:
        tf, length = self._tf[i], self._len[i]
        norm = K1 * (1 - B + B * length / self._avg) if self._avg else K1
        total = 0.0
        for t in query_terms:
            f = tf.get(t)
            if f:
                total += self._idf[t] * f * (K1 + 1) / (f + norm)
        return total

    def search(self, query: str, *, model: str | None = None, limit: int = 10) -> list[Hit]:
        """Documents sharing terms with the query, best first (ties: articles, then ref).

        ``model`` (an equipment part number) boosts documents about that model by half:
        the same symptom on the same model is the better precedent.
        """
        wanted = set(terms(query[:MAX_QUERY_CHARS]))
        if not wanted:
            return []
        hits = []
        for i, doc in enumerate(self.docs):
            s = self.score(wanted, i)
            if s <= 0:
                continue
            if model and model in doc.models:
                s *= 1.5
            hits.append(Hit(doc, s))
        hits.sort(key=lambda h: (-h.score, h.doc.kind != "article", h.doc.ref))
        return hits[: max(limit, 0)]


def suggest_parts(hits: Sequence[Hit], limit: int = 3) -> list[PartSuggestion]:
    """The parts that fixed the hits, ranked by the summed score of the hits naming them."""
    scores: dict[str, float] = {}
    refs: dict[str, list[str]] = {}
    for h in hits:
        for p in dict.fromkeys(h.doc.parts):
            scores[p] = scores.get(p, 0.0) + h.score
            refs.setdefault(p, []).append(h.doc.ref)
    ranked = sorted(scores, key=lambda p: (-scores[p], p))
    return [PartSuggestion(p, round(scores[p], 4), tuple(refs[p])) for p in ranked[:limit]]

"""Generated suspicious papers with known copied passages, under every disguise the checker must see
through — and the copies it must NOT count.

Counted (PAN ``plagiarism`` features): ``verbatim``, ``punctuation`` (punctuation and whitespace added
or changed), ``full-width`` (ASCII letters, digits and spaces as full-width forms, punctuation swapped),
``traditional`` (simplified → traditional characters), ``edits`` (a character or two inserted, deleted
or substituted every 15–30 characters).

Also counted: ``cited`` (a sentence carrying a citation mark that resolves to the paper's reference
list, without quotation marks: CNKI leaves out quotations, not cited sentences).

Not counted as copying (recorded as ``excluded-copy`` features): ``quoted`` (a quotation CNKI leaves
out of 去除引用文献复制比: inside “…” or 「…」, at most 200 characters, followed by a citation mark that
resolves to the reference list — it still counts in 去除本人已发表文献复制比), ``own`` (copied from an
earlier publication of one of the paper's authors), ``later`` (from a source published after the
paper), ``short`` (shared phrases of 8–12 characters).

The corpus documents are runs of consecutive lines of the source text with a few ASCII tokens (years,
statistics) so that full-width forms have something to disguise; a paper's own prose is made of lines
the corpus does not contain, shuffled.  The true ratio of a paper is the number of normalised
characters inside its counted cases over the normalised characters of its body (no reference list) —
``true_ratio`` is the ratio excluding own publications (quotations included), as CNKI defines
``copy_ratio_excluding_own``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from plagiarism_service.domain import CheckInput, CorpusDocument, JournalLevel, normalise_text

from .source_text import SourceText, to_traditional

__all__ = ["COUNTED", "EXCLUDED", "Case", "EvaluationSet", "SuspiciousPaper", "generate"]

COUNTED = ("verbatim", "punctuation", "full-width", "traditional", "edits")
EXCLUDED = ("quoted", "cited", "own", "later", "short")
PAPER_DATE = date(2023, 6, 1)
_ASCII_TOKENS = ("2019年", "SPSS 22.0", "n=120", "P<0.05", "95% CI", "GDP", "2.5 mg/kg", "Table 3", "R2=0.87")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬辉鹏飞鑫波宁晨阳斌建国志红春梅海燕"
_JOURNALS = ("中国教育学刊", "数学通报", "中华医学杂志", "农业工程学报", "甘肃社会科学", "西北农业学报")


@dataclass(frozen=True, slots=True)
class Case:
    """A copied passage: ``this_*`` are offsets into the suspicious text, ``source_*`` into the source's."""

    obfuscation: str
    this_offset: int
    this_length: int
    source_reference: str
    source_offset: int
    source_length: int
    normalised_chars: int

    @property
    def counted(self) -> bool:
        """Copying, as the detections should find it: not a cited quotation, not excluded."""
        return self.obfuscation in COUNTED or self.obfuscation == "cited"


@dataclass(frozen=True, slots=True)
class SuspiciousPaper:
    name: str
    text: str
    title: str
    authors: tuple[str, ...]
    journal_level: JournalLevel
    published_on: date
    cases: tuple[Case, ...]
    body_chars: int  # normalised characters before the reference list: the ratios' denominator
    # The corpus sources registered as the author's own publications (issue 12, finding 6: "own work" is a
    # registered fact, never read from author names): those sharing an author with the paper.
    owner_sources: frozenset[str] = frozenset()

    @property
    def true_ratio(self) -> float:
        """The ratio excluding own publications (quotations count) that a perfect checker reports."""
        kinds = (*COUNTED, "quoted", "cited")
        return sum(c.normalised_chars for c in self.cases if c.obfuscation in kinds) / self.body_chars

    @property
    def true_total_ratio(self) -> float:
        """总文字复制比: every copy of 13 characters or more from a source the checker considers."""
        kinds = (*COUNTED, "quoted", "cited", "own")
        return sum(c.normalised_chars for c in self.cases if c.obfuscation in kinds) / self.body_chars

    @property
    def threshold(self) -> float:
        return 0.15 if self.journal_level == "core" else 0.25

    def check_input(self) -> CheckInput:
        """The check of this paper as plagiarism-service runs it: the generated date stands for the day the
        paper entered the system, the sources sharing an author for the owner's registered publications."""
        return CheckInput(
            self.text,
            self.title,
            self.authors,
            self.journal_level,
            self.published_on,
            sources_until=self.published_on,
            owner_sources=self.owner_sources,
        )


@dataclass(slots=True)
class EvaluationSet:
    origin: str
    corpus: list[CorpusDocument]
    papers: list[SuspiciousPaper] = field(default_factory=list)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2)))


def _build_corpus(rng: random.Random, lines: Iterator[str], n_docs: int, doc_chars: int) -> list[CorpusDocument]:
    docs: list[CorpusDocument] = []
    for i in range(n_docs):
        target = rng.randint(doc_chars // 2, doc_chars * 3 // 2)
        parts: list[str] = []
        size = 0
        while size < target:
            line = next(lines)
            if rng.random() < 0.12:
                line = line[: len(line) // 2] + rng.choice(_ASCII_TOKENS) + line[len(line) // 2 :]
            if rng.random() < 0.1:
                line += "\n"
            parts.append(line)
            size += len(line)
        later = i % 20 == 19  # one document in twenty is published after the papers
        published = date(2024, 1 + rng.randrange(12), 1) if later else date(2000 + rng.randrange(23), 1, 1)
        docs.append(
            CorpusDocument(
                external_id=f"source-document{i:05d}",
                title=f"比对文献{i:05d}",
                text="".join(parts),
                authors=(_name(rng), _name(rng)),
                published_on=published,
            )
        )
    return docs


def _punctuation(rng: random.Random, s: str) -> str:
    out: list[str] = []
    for ch in s:
        if not ch.isalnum():
            out.append(rng.choice(("，", "、", " ", "；", "", "\u3000", ",")))
            continue
        out.append(ch)
        if rng.random() < 0.12:
            out.append(rng.choice((" ", "，", "、", "·", "\u3000", "—", "  ")))
    return "".join(out)


def _full_width(rng: random.Random, s: str) -> str:
    swap = {"，": ",", "。": ".", "！": "!", "？": "?", "；": ";", "：": ":"}
    out = []
    for ch in s:
        if "!" <= ch <= "~":
            out.append(chr(ord(ch) + 0xFEE0))
        elif ch == " ":
            out.append("\u3000")
        else:
            out.append(swap.get(ch, ch))
    return "".join(out)


def _edits(rng: random.Random, s: str, alphabet: str) -> str:
    chars = list(s)
    pos = 10 + rng.randint(0, 15)
    while pos < len(chars) - 10:
        op = rng.randrange(3)
        if op == 0:
            chars[pos:pos] = rng.choices(alphabet, k=rng.randint(1, 2))
        elif op == 1:
            del chars[pos]
        else:
            chars[pos] = rng.choice(alphabet)
        pos += rng.randint(15, 30)
    return "".join(chars)


class _Generator:
    def __init__(self, rng: random.Random, corpus: list[CorpusDocument], own_lines: list[str], alphabet: str):
        self.rng = rng
        self.corpus = corpus
        self.own_lines = own_lines
        self.own_pos = 0
        self.alphabet = alphabet
        self.earlier = [d for d in corpus if d.published_on and d.published_on < PAPER_DATE]
        self.later = [d for d in corpus if d.published_on and d.published_on > PAPER_DATE]

    def prose(self, n: int) -> str:
        """About ``n`` normalised characters of the paper's own prose (lines the corpus does not contain)."""
        parts: list[str] = []
        size = 0
        while size < n:
            if self.own_pos >= len(self.own_lines):
                self.rng.shuffle(self.own_lines)
                self.own_pos = 0
            line = self.own_lines[self.own_pos]
            self.own_pos += 1
            parts.append(line)
            size += len(normalise_text(line))
        return "".join(parts)

    def span(self, doc: CorpusDocument, n: int) -> tuple[int, str]:
        n = min(n, len(doc.text) - 1)
        start = self.rng.randrange(0, len(doc.text) - n)
        return start, doc.text[start : start + n]

    def paper(self, name: str, target_ratio: float, body_chars: int, level: JournalLevel) -> SuspiciousPaper:
        """A paper of about ``body_chars`` normalised characters, ``target_ratio`` of them copied."""
        rng = self.rng
        author = _name(rng) + "申"  # no corpus author has this shape
        authors: tuple[str, ...] = (author,)
        pieces: list[tuple[str, str, CorpusDocument | None, int, int]] = []  # (kind, text, src, s_off, s_len)

        def others() -> CorpusDocument:
            while True:
                doc = rng.choice(self.earlier)
                if not set(doc.authors) & set(authors):
                    return doc

        used: set[str] = set()
        copied = int(target_ratio * body_chars)
        kinds = list(COUNTED)
        while copied > 0:
            n = min(copied, rng.randint(40, 320))
            if n < 20:
                break
            kind = rng.choice(kinds)
            doc = others()
            used.add(doc.external_id)
            start, text = self.span(doc, n)
            if kind == "punctuation":
                shown = _punctuation(rng, text)
            elif kind == "full-width":
                shown = _full_width(rng, text)
            elif kind == "traditional":
                shown = to_traditional(text)
            elif kind == "edits":
                shown = _edits(rng, text, self.alphabet)
            else:
                shown = text
            pieces.append((kind, shown, doc, start, len(text)))
            copied -= len(normalise_text(shown))
        references: list[CorpusDocument] = []
        for kind in EXCLUDED:
            if rng.random() < 0.5:
                continue
            if kind == "own":
                doc = rng.choice(self.earlier)
                while doc.external_id in used:
                    doc = rng.choice(self.earlier)
                authors = (author, doc.authors[0])
            elif kind == "later":
                doc = rng.choice(self.later)
            else:
                doc = others()
            if kind == "short":
                for _ in range(rng.randint(1, 3)):
                    start, text = self.span(doc, 30)
                    letters = [i for i, ch in enumerate(text) if ch.isalnum()]
                    want = rng.randint(8, 12)
                    if len(letters) < want:
                        continue
                    first = rng.randrange(0, len(letters) - want + 1)
                    a, b = letters[first], letters[first + want - 1] + 1
                    pieces.append(("short", text[a:b], doc, start + a, b - a))
                continue
            start, text = self.span(doc, rng.randint(40, 200))
            if kind == "quoted":
                references.append(doc)
                opening, closing = rng.choice((("“", "”"), ("「", "」")))
                clean = "".join(ch for ch in text if ch not in '\n“”「」『』"＂')
                pieces.append((kind, opening + clean + closing + f"[{len(references)}]", doc, start, len(text)))
            elif kind == "cited":
                references.append(doc)
                clean = "".join("，" if ch in "。！？!?；;\n" else ch for ch in text)
                pieces.append((kind, clean + f"[{len(references)}]", doc, start, len(text)))
            else:
                pieces.append((kind, text, doc, start, len(text)))
        rng.shuffle(pieces)

        own_total = max(body_chars - sum(len(normalise_text(p[1])) for p in pieces), 200)
        cuts = sorted(rng.randint(0, own_total) for _ in range(len(pieces)))
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, own_total], strict=True)]
        out: list[str] = []
        pos = 0
        cases: list[Case] = []
        for i, size in enumerate(sizes):
            prose = self.prose(max(size, 20))
            if i < len(pieces) and pieces[i][0] == "cited" and prose[-1] not in "。！？":
                prose += "。"  # the cited sentence starts with the copy
            out.append(prose)
            pos += len(prose)
            if i == len(pieces):
                break
            kind, shown, source, s_off, s_len = pieces[i]
            assert source is not None
            body = shown.removesuffix("]").rsplit("[", 1)[0] if kind == "cited" else shown
            if kind == "quoted":
                body = shown.rsplit("[", 1)[0][1:-1]
            lead = 1 if kind == "quoted" else 0
            cases.append(Case(kind, pos + lead, len(body), source.external_id, s_off, s_len, len(normalise_text(body))))
            if kind == "cited":
                shown += "。"
            out.append(shown)
            pos += len(shown)
        body_text = "".join(out)
        text = body_text
        if references or rng.random() < 0.5:
            references = references or [others()]
            entries = [
                f"[{i}] {'，'.join(d.authors)}. {d.title}[J]. {rng.choice(_JOURNALS)}, "
                f"{d.published_on.year if d.published_on else 2015}(3): 1-9."
                for i, d in enumerate(references, 1)
            ]
            text += "\n参考文献\n" + "\n".join(entries) + "\n"
        return SuspiciousPaper(
            name=name,
            text=text,
            title=f"送审论文{name}",
            authors=authors,
            journal_level=level,
            published_on=PAPER_DATE,
            cases=tuple(cases),
            body_chars=len(normalise_text(body_text)),
            owner_sources=frozenset(d.external_id for d in self.corpus if set(d.authors) & set(authors)),
        )


def generate(
    source: SourceText,
    *,
    n_docs: int = 400,
    doc_chars: int = 3000,
    n_papers: int = 120,
    paper_chars: tuple[int, int] = (3000, 8000),
    seed: int = 2024,
) -> EvaluationSet:
    """A corpus of ``n_docs`` documents and ``n_papers`` suspicious papers.  Target ratios: a third
    spread over 0–40 %, a third within 3 points of 15 %, a third within 3 points of 25 % (the POL-PA-4
    thresholds, where a wrong decision would hurt)."""
    rng = random.Random(seed)
    lines = list(source.lines)
    rng.shuffle(lines)
    need = n_docs * doc_chars * 3 // 2
    taken = 0
    split = 0
    while split < len(lines) and taken < need:
        taken += len(lines[split])
        split += 1
    corpus_lines, own_lines = lines[:split], lines[split:]
    if len(own_lines) < 1000:
        raise ValueError("the source text is too small for this corpus size")
    corpus = _build_corpus(rng, iter(corpus_lines), n_docs, doc_chars)
    alphabet = "".join(sorted({ch for line in own_lines[:2000] for ch in line if ch.isalnum()}))
    gen = _Generator(rng, corpus, own_lines, alphabet)
    evaluation = EvaluationSet(source.origin, corpus)
    for i in range(n_papers):
        band = i % 3
        level: JournalLevel = "core" if (i // 3) % 2 == 0 else "provincial"
        if band == 0:
            target = rng.uniform(0.0, 0.40)
        else:
            centre = 0.15 if band == 1 else 0.25
            level = "core" if band == 1 else "provincial"
            target = centre + rng.uniform(-0.03, 0.03)
        paper = gen.paper(f"suspicious-document{i:05d}", target, rng.randint(*paper_chars), level)
        evaluation.papers.append(paper)
    return evaluation

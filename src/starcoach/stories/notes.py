"""Read interview-prep notes (Markdown, English and Chinese mixed) into stories.

People keep their behavioral-interview stories in whatever shape a template, a forum post
or a coach gave them, so one file often mixes several (DESIGN §5). :func:`parse_notes`
reads all of these, in any mix, line by line:

* ``### Question N: …`` headings (or any heading ending in ``?``): the question becomes
  :attr:`Story.question`; the title comes from a bold title line or from the question.
* ``Situation:``/``Task:``/``Action:``/``Result:`` blocks, plain, bold (``**Task:**``),
  as bullets (``- **Situation**: …``), numbered (``1. Situation:``), as headings
  (``#### Action``) or inside ``` fences; also ``Reflection:``/``Learned:``/``Lesson:``
  and Chinese labels (情境/背景, 任务, 行动, 结果, 反思/收获…, with ``：``).
* Guidance followed by an ``Example:`` quote: only the example is kept.
* Numbered or bulleted lists under a label stay in that section (e.g. numbered actions).
* Plain paragraphs with no labels: the STAR labeller sorts their sentences into sections.
* Principle headings (``## 3. Invent and Simplify``, ``## 创新简化 (Invent and Simplify)``)
  tag the stories below them until a heading of the same or a higher level that is not a
  story or question heading.
* Metadata lines (``- Company: …``, ``Role``, ``Started``/``Ended``/``Dates``, ``Tags``,
  ``Principles``, ``Question``, ``Title``) fill the story's other fields.
* ``Note:``/``Tip:``/``备注:`` blocks, italic-only lines and prose before the first or
  after the last STAR label go to :attr:`Story.notes`, so no words of the user are lost
  yet guidance never pollutes a section. ``Follow-ups:``/``Questions:`` lists and question
  headings without an answer are returned as questions.

A new story starts at a heading, a horizontal rule, a title line or a second
``Situation`` label. A line starting with a backslash is literal text (Markdown's escape):
:mod:`starcoach.stories.export` relies on it to write text that reads back unchanged.
Parts that cannot be read are reported as :class:`NoteProblem` with their line number,
and the rest of the file is still imported. Empty labels and metadata (an unfilled
template) are ignored rather than reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from starcoach.errors import InputError
from starcoach.stories.model import MAX_TITLE_CHARS, SECTIONS, Story

if TYPE_CHECKING:
    from starcoach.knowledge.base import KnowledgeBase

Label = Callable[[str], list[tuple[str, str]]]
"""Takes a plain paragraph, returns (sentence text, section) pairs in order."""

MIN_PLAIN_WORDS = 20
"""Unlabelled text shorter than this (and without a question or title) is not a story."""
DERIVED_TITLE_CHARS = 80


@dataclass(frozen=True)
class NoteProblem:
    """A part of the notes that could not be read; the rest was still imported."""

    line: int
    """1-based line number in the notes (0 when the problem is not tied to a line)."""
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class NotesImport:
    """What one notes file holds."""

    stories: list[Story] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    """Questions found with no answer (unanswered question headings, follow-up lists)."""
    problems: list[NoteProblem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    """The line each story starts on, parallel to :attr:`stories`."""
    duplicates: list[Story] = field(default_factory=list)
    """Stories repeated in the file (same :meth:`Story.fingerprint`), imported once."""


# --- labels -----------------------------------------------------------------------------

_LABEL_WORDS: dict[str, tuple[str, ...]] = {
    "situation": (
        "situation",
        "context",
        "background",
        "setting",
        "s",
        "情境",
        "情景",
        "背景",
        "场景",
        "背景情况",
    ),
    "task": ("task", "tasks", "goal", "goals", "objective", "t", "任务", "目标"),
    "action": (
        "action",
        "actions",
        "what i did",
        "steps",
        "approach",
        "行动",
        "做法",
        "行为",
        "措施",
        "具体行动",
    ),
    "result": (
        "result",
        "results",
        "outcome",
        "outcomes",
        "impact",
        "r",
        "结果",
        "成果",
        "影响",
        "效果",
    ),
    "reflection": (
        "reflection",
        "reflections",
        "learned",
        "learning",
        "learnings",
        "lesson",
        "lessons",
        "lesson learned",
        "lessons learned",
        "what i learned",
        "takeaway",
        "takeaways",
        "l",
        "反思",
        "收获",
        "教训",
        "总结",
        "学到",
        "感悟",
    ),
    "example": (
        "example",
        "example answer",
        "sample answer",
        "my example",
        "sample",
        "my answer example",
        "例子",
        "示例",
        "范例",
        "举例",
        "例",
    ),
    "answer": ("answer", "a", "my answer", "回答", "答", "答案"),
    "notes": (
        "note",
        "notes",
        "tip",
        "tips",
        "hint",
        "hints",
        "guidance",
        "remember",
        "reminder",
        "ps",
        "p.s.",
        "备注",
        "提示",
        "注意",
        "笔记",
        "注",
    ),
    "questions": (
        "questions",
        "common questions",
        "sample questions",
        "related questions",
        "follow-up",
        "follow-ups",
        "follow up",
        "follow ups",
        "followup",
        "followups",
        "follow-up questions",
        "possible follow-ups",
        "追问",
        "常见问题",
        "相关问题",
        "问题列表",
    ),
    "title": ("title", "story", "story title", "标题", "故事"),
    "question": ("question", "q", "问题", "题目", "面试题"),
    "company": ("company", "employer", "公司"),
    "role": ("role", "position", "职位", "岗位", "角色"),
    "started": ("started", "start", "开始"),
    "ended": ("ended", "end", "结束"),
    "dates": ("dates", "date", "when", "period", "时间"),
    "tags": ("tags", "tag", "标签"),
    "principles": ("principles", "principle", "lp", "lps", "leadership principles", "原则"),
}
_LABELS = {word: kind for kind, words in _LABEL_WORDS.items() for word in words}
_BLOCK_KINDS = frozenset({*SECTIONS, "notes", "questions", "answer"})
_WHOLE_LINE_KINDS = frozenset({*SECTIONS, "example", "notes", "questions", "answer"})
_META_KINDS = frozenset({"company", "role", "started", "ended", "dates", "tags", "principles"})

_CN_NUM = "一二三四五六七八九十"
_LIST_MARKER = re.compile(
    rf"^(?:[-*+•·]\s+|\d{{1,3}}[.)]\s+|\d{{1,3}}[、）．]\s*|[（(]\d{{1,3}}[)）]\s*"
    rf"|[{_CN_NUM}]{{1,3}}[、.．]\s*)"
)
_LABEL = re.compile(
    r"^(?P<open>\*\*|__|\*|_)?(?P<body>[^:：*_\n]{1,40}?)(?P<close>\*\*|__|\*|_)?"
    r"(?:\s*(?P<colon>[:：])(?P<close2>\*\*|__|\*|_)?|\s+(?P<dash>[-–—])(?=\s)|\s*$)"
    r"\s*(?P<rest>.*)$"
)
_TRAILING_NUMBER = re.compile(rf"\s*(?:#?\d+|[{_CN_NUM}]+)$")
_LABEL_SPLIT = re.compile(r"[()（）/／&+|,，、]|\s[-–—]\s")
_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?))?\s*$")
_CLOSING_HASHES = re.compile(r"(?:^|\s+)#+$")
_RULE = re.compile(r"^(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,}|(?:=\s*){3,})$")
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
_BOLD_LINE = re.compile(r"^(\*\*|__)(?=\S)(.+?)(?<=\S)\1$")
_ASIDE_LINE = re.compile(r"^([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1$")
_QUOTE = re.compile(r"^(?:>\s?)+")
_QUESTION_HEADING = re.compile(
    rf"^(?:question|q|问题|题目)\s*#?\s*(?:\d+|[{_CN_NUM}]+)?\s*[:：.、)）\-–—]\s*(?P<q>.+)$",
    re.IGNORECASE,
)
_QUESTION_LEADS = re.compile(
    r"^(?:tell me (?:about|of)|describe (?:a|an|the|how|your|one)|give (?:me )?an example"
    r"|share (?:a|an)|walk me through|have you ever|talk about a time|what (?:is|was) the"
    r"|how do you|why do you|讲一个|讲讲|说说|请描述|描述一次|描述一个|举一个|举个例子|分享一个|有没有)",
    re.IGNORECASE,
)
_TITLE_LEAD = re.compile(
    r"^(?:tell me (?:about|of)|describe|give (?:me )?an example of|share|walk me through"
    r"|talk about)\s+(?:(?:a|an|the)\s+)?(?:(?:time|situation|moment|occasion|example)\s+)?"
    r"(?:(?:when|where|in which|that)\s+)?(?:you\s+)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+|\d+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|me|my|we|our|us)\b|我|我们", re.IGNORECASE)
_DATE_SPLIT = re.compile(r"\s+(?:[-–—~]|to|until|至|到)\s+|\s*[–—~至到]\s*")


@dataclass(frozen=True)
class LabelMatch:
    """A line that starts with a label such as ``**Situation:**`` or ``- Company:``."""

    kind: str
    """A section name, or example/answer/notes/questions/title/question, or a metadata key."""
    rest: str
    """The text after the label on the same line."""
    listed: bool = False
    """The label followed a list marker (``-``, ``1.``)."""


def label_kind(body: str) -> str | None:
    """The kind of a label's words ("Situation (情境)", "Q3", "Lessons learned"), or None."""
    key = _key(body)
    if not key:
        return None
    if key in _LABELS:
        return _LABELS[key]
    kinds: list[str] = []
    for raw in _LABEL_SPLIT.split(key):
        part = _strip_number(raw.strip())
        if not part:
            continue
        if part in _LABELS:
            kinds.append(_LABELS[part])
            continue
        tokens = [_strip_number(t) for t in part.split()]
        if len(tokens) > 1 and all(t in _LABELS for t in tokens):
            kinds.extend(_LABELS[t] for t in tokens)
            continue
        return None
    return kinds[0] if kinds else None


def match_label(line: str) -> LabelMatch | None:
    """Read ``line`` (without indentation) as a label line, or None when it is not one."""
    marker = _LIST_MARKER.match(line)
    body_text = line[marker.end() :] if marker else line
    m = _LABEL.match(body_text)
    if not m:
        return None
    kind = label_kind(m["body"])
    if kind is None:
        return None
    opened, closed = m["open"], m["close"]
    if opened and closed and opened != closed:
        return None
    rest = m["rest"]
    if m["colon"] is None and m["dash"] is None:  # the whole line is the label
        if kind not in _WHOLE_LINE_KINDS or (opened and not closed) or rest:
            return None
    elif m["dash"] is not None and not ((opened and closed) or marker):
        return None
    if m["close2"] and (not opened or closed):  # emphasis that belongs to the text
        rest = body_text[m.start("close2") :].strip()
    elif opened and not closed and not m["close2"] and rest.endswith(opened):
        rest = rest[: -len(opened)].rstrip()
    return LabelMatch(kind, rest.strip(), listed=bool(marker))


def is_question_like(text: str) -> bool:
    """Does this line read as an interview question rather than a part of an answer?"""
    text = text.strip()
    if not text or len(text) > 300:
        return False
    return text.endswith(("?", "？")) or bool(_QUESTION_LEADS.match(text))


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _strip_number(" ".join(text.split()))


def _strip_number(text: str) -> str:
    stripped = _TRAILING_NUMBER.sub("", text).strip()
    return stripped or text


# --- lines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int
    kind: str
    """blank, heading, rule, fence, comment, label, title, aside, text."""
    indent: int
    text: str
    """The line without its indentation and quote markers."""
    quoted: bool = False
    escaped: bool = False
    level: int = 0
    label: LabelMatch | None = None
    listed: bool = False


def classify_line(raw: str, number: int = 0, *, in_fence: bool = False) -> _Line:
    """What a single line is, without looking at its neighbours."""
    line = raw.rstrip()
    text = line.lstrip()
    indent = len(line[: len(line) - len(text)].expandtabs(4))
    quoted = False
    if text.startswith(">"):
        quoted = True
        text = _QUOTE.sub("", text, count=1).strip()
        indent += 2
    if not text:
        return _Line(number, "blank", indent, "", quoted)
    if text.startswith("\\"):
        return _Line(number, "text", indent, text, quoted, escaped=True)
    fence = _FENCE.match(text)
    if fence and (in_fence or "`" not in fence[2] or fence[1][0] == "~"):
        return _Line(number, "fence", indent, text, quoted)
    listed = bool(_LIST_MARKER.match(text))
    if not in_fence:
        if text.startswith("<!--"):
            return _Line(number, "comment", indent, text, quoted)
        heading = _HEADING.match(text)
        if heading:
            return _Line(
                number,
                "heading",
                indent,
                _heading_text(heading[2] or ""),
                quoted,
                level=len(heading[1]),
            )
        if _RULE.match(text):
            return _Line(number, "rule", indent, text, quoted)
    label = match_label(text)
    if label is not None:
        return _Line(number, "label", indent, text, quoted, label=label, listed=listed)
    bold = _BOLD_LINE.match(text)
    if bold:
        return _Line(number, "title", indent, bold[2].strip(), quoted)
    if _ASIDE_LINE.match(text):
        return _Line(number, "aside", indent, text, quoted)
    return _Line(number, "text", indent, text, quoted, listed=listed)


def needs_escape(line: str) -> bool:
    """Would :func:`parse_notes` read this line of a section as anything but plain text?"""
    if not line:
        return False
    if line[0].isspace() or line[0] in "\\>":
        return True
    return classify_line(line).kind != "text"


def _heading_text(text: str) -> str:
    text = _CLOSING_HASHES.sub("", text.strip()).strip()
    if text.endswith("\\#"):
        text = text[:-2] + "#"
    return text


# --- principles -------------------------------------------------------------------------

_PRINCIPLE_ALIASES: dict[str, tuple[str, ...]] = {
    "customer-obsession": ("客户至上", "顾客至上", "customer first"),
    "ownership": ("主人翁", "主人翁意识", "owner"),
    "invent-and-simplify": ("创新与简化", "innovate and simplify"),
    "are-right-a-lot": ("判断正确", "are right"),
    "learn-and-be-curious": ("好学求知", "learn and be curious"),
    "hire-and-develop-the-best": ("hire and develop", "develop the best"),
    "insist-on-the-highest-standards": ("highest standards", "insist on high standards"),
    "bias-for-action": ("bias to action",),
    "dive-deep": ("deep dive", "深入研究"),
    "have-backbone-disagree-and-commit": (
        "have backbone",
        "disagree and commit",
        "backbone",
        "敢于谏言",
        "服从大局",
    ),
    "deliver-results": ("交付结果", "deliver result"),
    "strive-to-be-earths-best-employer": ("earths best employer", "best employer", "最佳雇主"),
    "success-and-scale-bring-broad-responsibility": (
        "success and scale",
        "broad responsibility",
    ),
}
_HEADING_FILLER = tuple(
    sorted(
        (
            "leadershipprinciples",
            "leadershipprinciple",
            "principles",
            "principle",
            "lps",
            "lp",
            "amazon",
            "stories",
            "story",
            "questions",
            "question",
            "examples",
            "example",
            "and",
            "原则",
            "领导力",
            "准则",
            "故事",
            "问题",
            "例子",
            "相关",
            "的",
            "和",
            "与",
        ),
        key=len,
        reverse=True,
    )
)
_HEADING_NUMBER = re.compile(
    rf"^\s*(?:lp\s*|principle\s*|第\s*)?(?:#?\d+|[{_CN_NUM}]+)\s*(?:条)?\s*[.、:：)）\-–—]?\s*",
    re.IGNORECASE,
)


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


class PrincipleNames:
    """Finds principles by their English or Chinese names, ids and common short forms."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        names: dict[str, str] = {}
        for p in knowledge.principles:
            for name in (p.id, p.name, p.name_zh, *_PRINCIPLE_ALIASES.get(p.id, ())):
                if _compact(name):
                    names.setdefault(_compact(name), p.id)
        self._names = sorted(names.items(), key=lambda item: len(item[0]), reverse=True)
        self._exact = names

    def resolve(self, text: str) -> str | None:
        """The id of the principle named by ``text`` exactly (id, English or Chinese name)."""
        return self._exact.get(_compact(text))

    def heading(self, text: str) -> list[str]:
        """The principles a heading is about, or [] when the heading is about something else."""
        compact = _compact(_HEADING_NUMBER.sub("", text, count=1))
        if not compact:
            return []
        found: list[tuple[int, str]] = []
        for name, pid in self._names:
            start = compact.find(name)
            while start >= 0:
                found.append((start, pid))
                compact = compact[:start] + "\0" * len(name) + compact[start + len(name) :]
                start = compact.find(name)
        if not found:
            return []
        rest = compact.replace("\0", " ")
        for filler in _HEADING_FILLER:
            rest = rest.replace(filler, " ")
        if rest.replace(" ", "").strip("0123456789"):
            return []
        return list(dict.fromkeys(pid for _, pid in sorted(found)))


# --- drafts -----------------------------------------------------------------------------


@dataclass
class _Block:
    kind: str
    """A section name, notes, questions, answer (prose to label) or text (a paragraph)."""
    line: int
    indent: int
    first: str = ""
    """The text after the label, on the label's own line."""
    rows: list[tuple[int, str, bool]] = field(default_factory=list)
    """(indent, text, escaped) of the following lines; blank lines are (0, "", False)."""
    example_at: int | None = None
    """Index into [first, *rows] where an ``Example:`` starts (what precedes is guidance)."""
    last_quoted: bool = False
    fenced: bool = False
    """Opened inside a ``` fence: the fence's end ends it."""
    label: str = ""


@dataclass
class _Draft:
    line: int
    level: int | None
    principles: list[str]
    title: str | None = None
    explicit_title: bool = False
    question: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    meta_lines: dict[str, int] = field(default_factory=dict)
    blocks: list[_Block] = field(default_factory=list)
    skip: bool = False
    used_example: bool = False
    """The answer was marked with ``Example:``: prose around it is guidance."""

    @property
    def has_content(self) -> bool:
        return any(b.kind != "questions" for b in self.blocks)

    def has_section(self, *names: str) -> bool:
        return any(b.kind in names for b in self.blocks)


class _Scanner:
    """Walks the lines once, cutting them into story drafts."""

    def __init__(self, lines: list[str], names: PrincipleNames) -> None:
        self.lines = lines
        self.names = names
        self.drafts: list[_Draft] = []
        self.problems: list[NoteProblem] = []
        self.principles: list[str] = []
        self.principle_level: int | None = None
        self.draft = _Draft(1, None, [])
        self.block: _Block | None = None
        self.after_blank = False
        self.fence: str | None = None
        self.fence_line = 0

    def run(self) -> list[_Draft]:
        in_comment = 0
        for number, raw in enumerate(self.lines, start=1):
            if in_comment:
                if "-->" in raw:
                    in_comment = 0
                continue
            line = classify_line(raw, number, in_fence=self.fence is not None)
            if line.kind == "comment":
                if "-->" not in line.text[4:]:
                    in_comment = number
                continue
            self.feed(line)
        if in_comment:
            self.problem(
                in_comment,
                "an HTML comment opened here is never closed; the rest of the file was skipped",
            )
        if self.fence is not None:
            self.problem(self.fence_line, "a ``` fence opened here is never closed")
        self.finish_draft()
        return self.drafts

    def problem(self, line: int, message: str) -> None:
        self.problems.append(NoteProblem(line, message))

    # -- one line ---------------------------------------------------------------------
    def feed(self, line: _Line) -> None:
        if line.kind == "fence":
            self.toggle_fence(line)
            return
        if line.kind == "blank":
            if self.block is not None and self.block.kind != "text":
                self.block.rows.append((0, "", False))
            self.after_blank = True
            return
        handler = {
            "heading": self.on_heading,
            "rule": self.on_rule,
            "label": self.on_label,
            "title": self.on_title,
            "aside": self.on_aside,
        }.get(line.kind, self.on_text)
        handler(line)
        self.after_blank = False

    def toggle_fence(self, line: _Line) -> None:
        marker = _FENCE.match(line.text)
        assert marker is not None
        if self.fence is None:
            self.fence, self.fence_line = marker[1], line.number
        elif marker[1][0] == self.fence[0] and len(marker[1]) >= len(self.fence):
            self.fence = None
            if self.block is not None and self.block.fenced:
                self.close_block()
        else:  # a shorter fence inside a fence is text
            self.on_text(line)
            return
        self.after_blank = True  # a fence ends a paragraph like a blank line

    def on_heading(self, line: _Line) -> None:
        text, level = line.text, line.level
        label = match_label(text) if text else None
        if label is not None and label.kind in (*SECTIONS, "example", "answer", "questions"):
            self.on_label(line, label)
            return
        if label is not None and label.kind == "notes":
            if self.draft.level is not None and level > self.draft.level:
                self.on_label(line, label)
                return
            self.new_draft(line.number, level).skip = True
            self.reset_principles(level)
            return
        question = _QUESTION_HEADING.match(text)
        if label is not None and label.kind in ("question", "title"):
            draft = self.new_draft(line.number, level)
            if label.kind == "title":
                self.set_title(draft, label.rest, line.number, explicit=True)
            elif label.rest:
                draft.question = _one_line(label.rest)
            else:
                self.problem(line.number, "a question heading without the question")
            return
        if question is not None or is_question_like(text):
            self.new_draft(line.number, level).question = _one_line(
                question["q"] if question else text
            )
            return
        principles = self.names.heading(text)
        if principles:
            self.principles, self.principle_level = principles, level
            self.new_draft(line.number, level)
            return
        self.reset_principles(level)
        draft = self.new_draft(line.number, level)
        if text:
            self.set_title(draft, text, line.number, explicit=False)

    def reset_principles(self, level: int) -> None:
        if self.principle_level is not None and level <= self.principle_level:
            self.principles, self.principle_level = [], None

    def on_rule(self, line: _Line) -> None:
        self.new_draft(line.number + 1, None)

    def on_title(self, line: _Line) -> None:
        draft, block = self.draft, self.block
        if (
            block is not None
            and block.kind != "text"
            and (not self.after_blank or line.indent > block.indent)
        ):
            self.on_text(line)  # bold words inside a section, not a new story
            return
        if draft.has_content:
            self.set_title(self.new_draft(line.number, None), line.text, line.number, True)
        elif not draft.explicit_title:
            self.close_block()
            self.set_title(draft, line.text, line.number, explicit=True)
        else:
            self.on_text(line)

    def on_aside(self, line: _Line) -> None:
        if self.block is not None and self.block.kind != "text" and not self.after_blank:
            self.on_text(line)
            return
        self.close_block()
        self.block = _Block("notes", line.number, line.indent, line.text[1:-1].strip())
        self.draft.blocks.append(self.block)

    def on_label(self, line: _Line, label: LabelMatch | None = None) -> None:
        label = label or line.label
        assert label is not None
        kind = label.kind
        if kind == "answer" and self.draft.has_section("situation", "task"):
            kind = "action"  # S/T/A/R letters: here "A:" is the action
        if kind == "example":
            self.on_example(line, label)
            return
        self.close_block()
        draft = self.draft
        if kind in _BLOCK_KINDS:
            if kind == "situation" and draft.has_section("situation"):
                draft = self.new_draft(line.number, None)
            self.block = _Block(
                kind,
                line.number,
                line.indent,
                label.rest,
                label=line.text,
                fenced=self.fence is not None,
            )
            draft.blocks.append(self.block)
            example = match_label(label.rest) if kind in SECTIONS else None
            if example is not None and example.kind == "example":  # "1. Situation: Example: …"
                draft.used_example = True
                self.block.first, self.block.example_at = example.rest, 0
        elif kind == "title":
            if draft.has_content or draft.explicit_title:
                draft = self.new_draft(line.number, None)
            self.set_title(draft, label.rest, line.number, explicit=True)
        elif kind == "question":
            if draft.has_content or draft.question:
                draft = self.new_draft(line.number, None)
            if label.rest:  # an empty one is an unfilled template
                draft.question = _one_line(label.rest)
        elif kind in _META_KINDS and label.rest:
            if kind in draft.meta:
                draft.meta[kind] += ", " + label.rest
            else:
                draft.meta[kind] = label.rest
                draft.meta_lines[kind] = line.number

    def on_example(self, line: _Line, label: LabelMatch) -> None:
        block = self.block
        self.draft.used_example = True
        if (
            block is not None
            and block.kind in SECTIONS
            and (not self.after_blank or line.indent > block.indent or line.quoted or line.listed)
        ):
            if block.example_at is None:
                block.example_at = len(block.rows) + 1
            block.rows.append((line.indent, label.rest, False))
            return
        self.close_block()
        # What came before the example in this story was guidance on how to answer.
        self.draft.blocks = [b for b in self.draft.blocks if b.kind != "text"]
        self.block = _Block("answer", line.number, line.indent, label.rest)
        self.draft.blocks.append(self.block)

    def on_text(self, line: _Line) -> None:
        block = self.block
        row = (line.indent, line.text, line.escaped)
        if block is not None and block.kind != "text":
            if (
                not self.after_blank
                or self.fence is not None
                or block.kind == "answer"
                or line.indent > block.indent
                or line.listed
                or (line.quoted and block.last_quoted)
            ):
                block.rows.append(row)
                block.last_quoted = line.quoted
                return
        elif block is not None and not self.after_blank:
            block.rows.append(row)
            return
        self.close_block()
        self.block = _Block("text", line.number, line.indent, rows=[row])
        self.block.last_quoted = line.quoted
        self.draft.blocks.append(self.block)

    # -- drafts -----------------------------------------------------------------------
    def close_block(self) -> None:
        self.block = None

    def new_draft(self, line: int, level: int | None) -> _Draft:
        self.finish_draft()
        self.draft = _Draft(line, level, list(self.principles))
        return self.draft

    def finish_draft(self) -> None:
        self.close_block()
        if self.draft.blocks or self.draft.question or self.draft.explicit_title:
            self.drafts.append(self.draft)

    def set_title(self, draft: _Draft, title: str, line: int, explicit: bool) -> None:
        title = _one_line(title)
        if not title:  # an unfilled template
            return
        draft.title, draft.explicit_title = title, explicit


# --- turning drafts into stories --------------------------------------------------------


def _block_lines(block: _Block) -> list[str]:
    """The block's lines: the label's own line, then the rest dedented, escapes removed."""
    common = min((indent for indent, text, _ in block.rows if text), default=0)
    rows = [
        " " * (indent - common) + _unescape(text, escaped) if text else ""
        for indent, text, escaped in block.rows
    ]
    lines = rows if block.kind == "text" else [_unescape(block.first, True), *rows]
    if block.example_at is not None:
        lines = lines[block.example_at :]
    return lines


def _unescape(text: str, escaped: bool) -> str:
    return text[1:] if escaped and text.startswith("\\") else text


def _block_text(block: _Block) -> str:
    text = _clean("\n".join(_block_lines(block)))
    if block.example_at is not None:
        text = _unquote(text)
    return text


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "'": "'", "‘": "’"}


def _unquote(text: str) -> str:
    """The quoted example itself, without the quote marks or guidance after the quote."""
    if not text or text[0] not in _QUOTES:
        return text
    end = text.rfind(_QUOTES[text[0]])
    return _clean(text[1:end]) if end > 0 else _clean(text[1:])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _word_count(text: str) -> int:
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk // 2


def _join_sentences(parts: Iterable[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and not ((_CJK.match(part[0]) and _CJK.match(out[-1])) or out[-1] in "。！？"):
            out += " "
        out += part
    return out


def title_from_question(question: str) -> str:
    """A short title from a question: "Tell me about a time you failed." → "Failed"."""
    text = _TITLE_LEAD.sub("", question.strip()).strip().rstrip("?？.。!！ ")
    text = text or question.strip().rstrip("?？")
    return _shorten(text[:1].upper() + text[1:])


def _shorten(text: str, limit: int = DERIVED_TITLE_CHARS) -> str:
    text = _one_line(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:，；：") + "…"


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?。！？])(?:\s|$)", _one_line(text))
    return match[1] if match else _one_line(text)


def _split_escaped(text: str) -> list[str]:
    """Split a list on commas (ASCII or full-width); a backslash escapes the next character."""
    items, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char in ",，":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item for item in (_one_line(i) for i in items) if item]


class _Builder:
    """Turns drafts into stories, labelling unlabelled prose."""

    def __init__(self, label: Label, names: PrincipleNames, result: NotesImport) -> None:
        self.label = label
        self.names = names
        self.result = result

    def problem(self, line: int, message: str) -> None:
        self.result.problems.append(NoteProblem(line, message))

    def build(self, draft: _Draft) -> Story | None:
        if draft.skip:
            return None
        sections: dict[str, list[str]] = {}
        notes: list[str] = []
        plain: list[_Block] = []
        kinds = [b.kind for b in draft.blocks]
        section_at = [i for i, k in enumerate(kinds) if k in SECTIONS]
        current = None
        for i, block in enumerate(draft.blocks):
            text = _block_text(block)
            if block.kind in SECTIONS:
                current = block.kind
                if text:  # an empty label (an unfilled template) is not a problem
                    sections.setdefault(block.kind, []).append(text)
            elif block.kind == "questions":
                for line in text.split("\n"):
                    question = _one_line(_LIST_MARKER.sub("", line.strip()).strip("*_ "))
                    if question:
                        self.result.questions.append(question)
            elif block.kind == "notes":
                if text:
                    notes.append(text)
            elif block.kind == "text" and section_at and section_at[0] < i < section_at[-1]:
                if text and current:
                    sections.setdefault(current, []).append(text)
            elif block.kind == "text" and section_at:
                if text and not draft.used_example:  # around an example it is guidance
                    notes.append(text)
            elif text:
                plain.append(block)

        question = draft.question
        if plain and not section_at:
            question = self._pull_questions(draft, plain)
        prose = "\n\n".join(_block_text(b) for b in plain)
        if prose and not section_at and not draft.question and not draft.explicit_title:
            prose = self._story_or_nothing(draft, prose)
        if prose:
            for name, text in self._label(prose, draft.line).items():
                sections.setdefault(name, []).append(text)

        joined = {name: "\n\n".join(sections[name]) for name in SECTIONS if sections.get(name)}
        if not joined:
            if question and not draft.explicit_title:
                self.result.questions.append(question)
            elif draft.explicit_title:
                self.problem(draft.line, f"'{draft.title or 'story'}' has no story text; skipped")
            return None
        return Story(
            title=self._title(draft, question, joined),
            sections=joined,
            question=question,
            principles=self._principles(draft),
            company=self._meta(draft, "company"),
            role=self._meta(draft, "role"),
            started=self._dates(draft)[0],
            ended=self._dates(draft)[1],
            tags=tuple(dict.fromkeys(_split_escaped(draft.meta.get("tags", "")))),
            notes="\n\n".join(notes),
        )

    def _story_or_nothing(self, draft: _Draft, prose: str) -> str:
        """Unlabelled prose under no question: a story only if it reads like one.

        Intros, reminders and to-do lines are common in notes; a story has some length and
        is told in the first person. Short fragments and a file's preamble (under its
        level-1 title) are skipped quietly, longer impersonal text with a problem.
        """
        words = _word_count(prose)
        if words >= MIN_PLAIN_WORDS and _FIRST_PERSON.search(prose):
            return prose
        if words >= MIN_PLAIN_WORDS and draft.level != 1:
            self.problem(
                draft.line,
                f"skipped {words} words with no STAR labels that do not read as a story "
                "(no 'I' or 'we'); add a 'Situation:' label or a question heading to keep it",
            )
        return ""

    def _pull_questions(self, draft: _Draft, plain: list[_Block]) -> str | None:
        """Paragraphs that are only questions are questions, not part of the answer."""
        found: list[str] = []
        for block in list(plain):
            if block.kind != "text":
                continue
            lines = [line for line in _block_text(block).split("\n") if line.strip()]
            cleaned = [_LIST_MARKER.sub("", line.strip()).strip("*_ ") for line in lines]
            if cleaned and all(is_question_like(line) for line in cleaned):
                found.extend(_one_line(line) for line in cleaned)
                plain.remove(block)
        question = draft.question
        if plain and question is None and len(found) == 1:
            return found[0]
        self.result.questions.extend(found)
        return question

    def _label(self, prose: str, line: int) -> dict[str, str]:
        pairs = self.label(prose)
        grouped: dict[str, list[str]] = {}
        pending: list[str] = []
        previous: str | None = None
        for sentence, section in pairs:
            if section not in SECTIONS:
                if previous is None:
                    pending.append(sentence)
                else:
                    grouped[previous].append(sentence)
                continue
            grouped.setdefault(section, []).extend([*pending, sentence])
            pending, previous = [], section
        if pending:
            grouped.setdefault("situation", []).extend(pending)
        return {name: _join_sentences(grouped[name]) for name in SECTIONS if grouped.get(name)}

    def _title(self, draft: _Draft, question: str | None, sections: dict[str, str]) -> str:
        if draft.title:
            return draft.title
        if question:
            return title_from_question(question)
        first = next(iter(sections.values()))
        return _shorten(_first_sentence(first).rstrip(".。"))[:MAX_TITLE_CHARS]

    def _principles(self, draft: _Draft) -> tuple[str, ...]:
        ids = list(draft.principles)
        for item in re.split(r"[,，;；、/]", draft.meta.get("principles", "")):
            if not item.strip():
                continue
            pid = self.names.resolve(item)
            if pid is None:
                self.problem(
                    draft.meta_lines.get("principles", draft.line),
                    f"unknown principle '{item.strip()}'; `starcoach principles` lists them",
                )
            else:
                ids.append(pid)
        return tuple(dict.fromkeys(ids))

    def _meta(self, draft: _Draft, key: str) -> str | None:
        return _one_line(draft.meta.get(key, "")) or None

    def _dates(self, draft: _Draft) -> tuple[str | None, str | None]:
        started, ended = self._meta(draft, "started"), self._meta(draft, "ended")
        dates = self._meta(draft, "dates")
        if dates:
            parts = [p.strip() for p in _DATE_SPLIT.split(dates, maxsplit=1)]
            started = started or parts[0] or None
            if len(parts) > 1:
                ended = ended or parts[1] or None
        return started, ended


# --- entry points -----------------------------------------------------------------------


def default_label(text: str) -> list[tuple[str, str]]:
    """The real STAR labeller, loaded on first use (it needs the embedding model)."""
    from starcoach.analysis.star import get_labeller, label_text
    from starcoach.nlp.embedding import get_embedder

    return [(s.text, s.section) for s in label_text(text, get_labeller(), get_embedder())]


def parse_notes(
    text: str,
    *,
    label: Label | None = None,
    knowledge: KnowledgeBase | None = None,
) -> NotesImport:
    """Read Markdown notes into stories, unanswered questions and problems.

    ``label`` sorts the sentences of unlabelled prose into STAR sections (default: the
    real labeller, loaded only if some prose needs it); ``knowledge`` names the principles
    (default: the shipped knowledge base).
    """
    if not isinstance(text, str):
        raise InputError("Notes must be text.")
    if knowledge is None:
        from starcoach.knowledge import load_knowledge

        knowledge = load_knowledge()
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    names = PrincipleNames(knowledge)
    scanner = _Scanner(text.split("\n"), names)
    drafts = scanner.run()
    result = NotesImport(problems=list(scanner.problems))
    builder = _Builder(label or default_label, names, result)
    seen: set[str] = set()
    for draft in drafts:
        story = builder.build(draft)
        if story is None:
            continue
        fingerprint = story.fingerprint()
        if fingerprint in seen:
            result.duplicates.append(story)
            continue
        seen.add(fingerprint)
        result.stories.append(story)
        result.lines.append(draft.line)
    answered = {_key(s.question) for s in result.stories if s.question}
    result.questions = list(
        dict.fromkeys(q for q in result.questions if q and _key(q) not in answered)
    )
    result.problems.sort(key=lambda p: p.line)
    return result


def read_notes_file(path: Path) -> str:
    """The text of a notes file (UTF-8, with or without BOM, or UTF-16 with BOM)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"No such notes file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; give a Markdown file.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again."
        ) from None

"""Reading Markdown notes into stories: every format of DESIGN §5, mixed, messy, Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from starcoach.errors import InputError
from starcoach.stories.notes import (
    NoteProblem,
    label_kind,
    match_label,
    parse_notes,
    read_notes_file,
    title_from_question,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "notes"


def fake_label(text: str) -> list[tuple[str, str]]:
    """A fast stand-in for the STAR labeller, driven by obvious cue words."""
    pairs = []
    for sentence in re.split(r"(?<=[.!?])\s+|(?<=。)", text.strip()):
        low = sentence.lower()
        if "learn" in low or "学到" in sentence:
            section = "reflection"
        elif re.search(r"\d", sentence):
            section = "result"
        elif "my job" in low or "i was asked" in low:
            section = "task"
        elif low.startswith("i ") or sentence.startswith("我"):
            section = "action"
        elif "thanks" in low:
            section = "other"
        else:
            section = "situation"
        pairs.append((sentence, section))
    return pairs


def no_label(text: str) -> list[tuple[str, str]]:
    raise AssertionError(f"labelled text needs no labeller: {text!r}")


@pytest.fixture
def parse(kb):
    def run(text: str, label=fake_label):
        return parse_notes(text, label=label, knowledge=kb)

    return run


# --- the formats, one at a time ---------------------------------------------------------


def test_question_heading_with_a_plain_answer(parse):
    notes = parse(
        "### Question 1: Tell me about a time you failed.\n\n"
        "We ran the billing system for a small shop. I shipped a migration without a dry run "
        "on a Friday evening. We lost 2 hours of invoices. I learned to rehearse every "
        "migration.\n"
    )
    (story,) = notes.stories
    assert story.question == "Tell me about a time you failed."
    assert story.title == "Failed"
    assert story.sections == {
        "situation": "We ran the billing system for a small shop.",
        "action": "I shipped a migration without a dry run on a Friday evening.",
        "result": "We lost 2 hours of invoices.",
        "reflection": "I learned to rehearse every migration.",
    }
    assert notes.questions == [] and notes.problems == []


def test_question_heading_with_a_bold_title_line(parse):
    notes = parse(
        "### Question 2: Describe a time you simplified a process?\n"
        "**The release checklist**\n"
        "Situation: Releases took a day.\nAction: I automated them.\n",
        label=no_label,
    )
    assert notes.stories[0].title == "The release checklist"
    assert notes.stories[0].question == "Describe a time you simplified a process?"


def test_plain_labelled_blocks(parse):
    notes = parse(
        "Situation: Our release took two days.\n"
        "Task: My job was to cut it.\n"
        "Action: I mapped every step\nand automated the sign-off.\n"
        "Result: Releases take 3 hours.\n"
        "Learned: Measure first.\n",
        label=no_label,
    )
    (story,) = notes.stories
    assert story.sections == {
        "situation": "Our release took two days.",
        "task": "My job was to cut it.",
        "action": "I mapped every step\nand automated the sign-off.",
        "result": "Releases take 3 hours.",
        "reflection": "Measure first.",
    }
    assert story.title == "Our release took two days"


def test_labels_inside_a_fence(parse):
    notes = parse(
        "```text\nSituation: A flaky suite.\nAction: I quarantined 40 tests.\n"
        "Result: Failures fell to 1%.\n```\n",
        label=no_label,
    )
    assert notes.stories[0].sections == {
        "situation": "A flaky suite.",
        "action": "I quarantined 40 tests.",
        "result": "Failures fell to 1%.",
    }


def test_bold_bullets(parse):
    notes = parse(
        "- **Situation**: The dashboard was slow.\n"
        "- **Task:** I owned the fix.\n"
        "- __Action__ — I added an index.\n"
        "* **Result**: p99 fell from 4 s to 300 ms.\n",
        label=no_label,
    )
    assert notes.stories[0].sections == {
        "situation": "The dashboard was slow.",
        "task": "I owned the fix.",
        "action": "I added an index.",
        "result": "p99 fell from 4 s to 300 ms.",
    }


def test_numbered_guidance_keeps_only_the_examples(parse):
    notes = parse(
        "Here is how to structure it.\n\n"
        "1. Situation: Set the scene in two sentences.\n"
        '   Example: "In 2022 our ETL ran for six hours."\n'
        "2. **Task** — What was yours to do?\n"
        "   - Example: I owned the rewrite.\n"
        "3. Action: Steps, in order.\n"
        "   Example:\n"
        "   > I profiled the job.\n"
        "   > I batched the writes.\n"
        '4. Result: Example: "It now runs in 40 minutes." Note the number.\n'
        "\nThe guidance above came from a template.\n",
        label=no_label,
    )
    (story,) = notes.stories
    assert story.sections == {
        "situation": "In 2022 our ETL ran for six hours.",
        "task": "I owned the rewrite.",
        "action": "I profiled the job.\nI batched the writes.",
        "result": "It now runs in 40 minutes.",
    }
    assert story.notes == ""


def test_numbered_actions_stay_in_the_action(parse):
    notes = parse(
        "Situation: A bug double-charged refunds.\n"
        "Action:\n\n"
        "1. I stopped the job.\n"
        "2. I refunded 214 customers.\n\n"
        "   The same day.\n"
        "Result: Nobody complained.\n",
        label=no_label,
    )
    assert notes.stories[0].section("action") == (
        "1. I stopped the job.\n2. I refunded 214 customers.\n\n   The same day."
    )


def test_labels_as_headings_inside_a_story(parse):
    notes = parse(
        "### Question 4: Tell me about a conflict.\n"
        "#### Situation\nTwo teams owned one queue.\n"
        "#### Action\nI wrote an ownership doc.\n"
        "#### Notes\nUse for earn trust too.\n",
        label=no_label,
    )
    (story,) = notes.stories
    assert story.sections == {
        "situation": "Two teams owned one queue.",
        "action": "I wrote an ownership doc.",
    }
    assert story.notes == "Use for earn trust too."


def test_star_letters_and_q_a(parse):
    notes = parse(
        "S: A slow build.\nT: I owned CI.\nA: I cached the deps.\nR: Builds take 4 minutes.\n"
        "L: Cache early.\n\n---\n"
        "Q: Tell me about a time you helped a colleague?\n"
        "A: I paired with a new hire twice a week. She shipped 3 features in a month.\n"
    )
    first, second = notes.stories
    assert first.section("action") == "I cached the deps."
    assert first.section("reflection") == "Cache early."
    assert second.question == "Tell me about a time you helped a colleague?"
    assert second.sections == {
        "action": "I paired with a new hire twice a week.",
        "result": "She shipped 3 features in a month.",
    }


def test_plain_paragraph_story_and_other_sentences(parse):
    notes = parse(
        "### Cutting the cloud bill\n\n"
        "Thanks for asking. Our cloud bill kept growing while revenue was flat last year. "
        "I shut down idle clusters at night. The bill fell by 45 percent. Thanks.\n"
    )
    (story,) = notes.stories
    assert story.title == "Cutting the cloud bill"
    assert story.section("situation").startswith("Thanks for asking. Our cloud bill")
    assert story.section("result") == "The bill fell by 45 percent. Thanks."


# --- principles, metadata, questions ----------------------------------------------------


def test_principle_headings_tag_what_follows(parse):
    notes = parse(
        "# My notes\n\n"
        "## 3. Invent and Simplify\n\n"
        "### Question 1: Tell me about a simplification.\nSituation: A.\nAction: B.\n\n"
        "### Question 2: Another one?\nSituation: C.\nAction: D.\n\n"
        "## 创新简化 (Invent and Simplify)\nSituation: E.\nAction: F.\n\n"
        "## 十二、赢得信任 Earn Trust / Dive Deep\nSituation: G.\nAction: H.\n\n"
        "## Have Backbone; Disagree and Commit\nSituation: I.\nAction: J.\n\n"
        "## Other stories\nSituation: K.\nAction: L.\n",
        label=no_label,
    )
    assert [s.principles for s in notes.stories] == [
        ("invent-and-simplify",),
        ("invent-and-simplify",),
        ("invent-and-simplify",),
        ("earn-trust", "dive-deep"),
        ("have-backbone-disagree-and-commit",),
        (),
    ]
    assert notes.stories[-1].title == "Other stories"


def test_a_heading_that_merely_mentions_a_principle_is_a_title(parse):
    notes = parse("## Deliver Results under pressure\nSituation: A.\nAction: B.\n", label=no_label)
    assert notes.stories[0].title == "Deliver Results under pressure"
    assert notes.stories[0].principles == ()


def test_metadata_lines(parse):
    notes = parse(
        "## Ownership\n"
        "### Story: Owning the on-call rotation\n"
        "- Company: Acme\n- Role: SRE\n- Dates: 2021-03 – 2022-01\n"
        "- Tags: on-call, ops\\, infra\n- Principles: Dive Deep, 刨根问底, earn-trust\n"
        "- Question: Tell me about a time you took ownership.\n\n"
        "**Situation:** Pages went unanswered.\n**Action:** I rewrote the runbook.\n",
        label=no_label,
    )
    (story,) = notes.stories
    assert story.title == "Owning the on-call rotation"
    assert story.principles == ("ownership", "dive-deep", "earn-trust")
    assert (story.company, story.role, story.started, story.ended) == (
        "Acme",
        "SRE",
        "2021-03",
        "2022-01",
    )
    assert story.tags == ("on-call", "ops, infra")
    assert story.question == "Tell me about a time you took ownership."


def test_unanswered_questions_and_follow_ups(parse):
    notes = parse(
        "## Earn Trust\n"
        "### Question 1: Tell me about a time you disagreed with your manager.\n\n"
        "### Question 2: Tell me about a time you earned trust.\n"
        "Situation: A new team.\nAction: I shared my plans weekly.\n\n"
        "Follow-ups:\n- How did you know it worked?\n- What would you change?\n\n"
        "## Questions to prepare\n"
        "- Describe a time you gave hard feedback.\n"
        "- Have you ever been convinced by someone else?\n",
        label=no_label,
    )
    assert len(notes.stories) == 1
    assert notes.questions == [
        "Tell me about a time you disagreed with your manager.",
        "How did you know it worked?",
        "What would you change?",
        "Describe a time you gave hard feedback.",
        "Have you ever been convinced by someone else?",
    ]


def test_notes_and_guidance_are_kept_out_of_the_sections(parse):
    notes = parse(
        "### Question 1: Tell me about a mistake.\n"
        "Tip: keep the apology short.\n\n"
        "*Pick a real mistake.*\n\n"
        "What interviewers want: honesty.\n\n"
        "Situation: I broke refunds.\nAction: I fixed them.\n\n"
        "Remember to quantify!\n",
        label=no_label,
    )
    (story,) = notes.stories
    assert story.sections == {"situation": "I broke refunds.", "action": "I fixed them."}
    assert story.notes == (
        "keep the apology short.\n\nPick a real mistake.\n\n"
        "What interviewers want: honesty.\n\nRemember to quantify!"
    )


def test_example_answer_after_guidance_paragraphs(parse):
    notes = parse(
        "## Dive Deep\n"
        "This principle is about finding root causes with data, not guesses.\n\n"
        "**Example answer:**\n"
        "I traced a 8% drop in clicks to a unit change upstream. I fixed the feature. "
        "I learned to split metrics first.\n"
    )
    (story,) = notes.stories
    assert "root causes" not in story.answer_text()
    assert story.section("result").startswith("I traced a 8% drop")


# --- Chinese and mixed ------------------------------------------------------------------


def test_chinese_labels_and_full_width_colons(parse):
    notes = parse(
        "## 刨根问底\n"
        "**推荐点击率下跌**\n"
        "情境：首页推荐的点击率下降了 8%。\n"
        "任务（Task）：我负责排查。\n"
        "行动 Action：\n一、我拆分了指标。\n二、我对比了特征日志。\n"
        "结果：两天内恢复。\n"
        "反思/收获：先拆分维度。\n"
        "备注：也适用于 Ownership。\n",
        label=no_label,
    )
    (story,) = notes.stories
    assert story.title == "推荐点击率下跌"
    assert story.principles == ("dive-deep",)
    assert story.sections == {
        "situation": "首页推荐的点击率下降了 8%。",
        "task": "我负责排查。",
        "action": "一、我拆分了指标。\n二、我对比了特征日志。",
        "result": "两天内恢复。",
        "reflection": "先拆分维度。",
    }
    assert story.notes == "也适用于 Ownership。"


def test_chinese_question_heading_and_plain_answer(parse):
    notes = parse(
        "### 问题 3：讲一个你失败的经历。\n\n"
        "去年我们的团队负责支付系统，一次迁移出了问题导致退款失败，影响了很多用户。"
        "我当天停止了任务并通知了经理。我们在 24 小时内退款给 214 位客户。\n"
    )
    (story,) = notes.stories
    assert story.question == "讲一个你失败的经历。"
    assert story.section("situation").startswith("去年")
    assert "214" in story.section("result")


def test_a_mixed_file_in_all_formats(parse):
    notes = parse(
        "# Prep\n## 1. Customer Obsession 客户至尚\n"
        "### Question 1: Tell me about a customer?\n"
        "- **Situation**: Finance fixed CSVs by hand.\n- **Action**: I added an Excel export.\n"
        "## 3. Invent and Simplify\n"
        '1. Situation: set the scene\n   Example: "A 40-step checklist."\n'
        '2. Action: steps\n   Example: "I automated 25 steps."\n'
        "## 刨根问底 (Dive Deep)\n```\n情境：点击率下降。\n行动：我拆分了指标。\n```\n"
        "### Question 9: Tell me about a time you missed a deadline.\n"
        "I was the only data engineer and had promised a dashboard by March, but the API "
        "limited history to 90 days. I told the marketing lead the same day and shipped the "
        "last 90 days first.\n",
    )
    assert [s.principles for s in notes.stories] == [
        ("customer-obsession",),
        ("invent-and-simplify",),
        ("dive-deep",),
        ("dive-deep",),
    ]
    assert notes.stories[1].section("action") == "I automated 25 steps."
    assert notes.stories[3].question == "Tell me about a time you missed a deadline."
    assert notes.problems == []


# --- messiness, problems, duplicates ----------------------------------------------------


def test_windows_line_endings_bom_and_tabs(parse):
    text = (
        "\ufeff## Ownership\r\n**Title:**\tOwning CI\r\nSituation:\tCI was red.\r\n\tStill red.\r\n"
    )
    text += "Action: I fixed it.\r\n"
    (story,) = parse(text, label=no_label).stories
    assert story.title == "Owning CI"
    assert story.principles == ("ownership",)
    assert story.section("situation") == "CI was red.\nStill red."


def test_malformed_parts_are_reported_with_their_line_and_the_rest_imported(parse):
    notes = parse(
        "### Question:\n"  # 1: no question
        "Situation: A.\nAction: B.\n"  # 2-3
        "### Story: Second\n"  # 4
        "Situation:\n"  # 5: empty, as in an unfilled template: not a problem
        "Action: I did it.\n"  # 6
        "- Principles: ownership, bravery\n"  # 7: unknown principle
        "### Story: Third\n"  # 8
        "Situation: C.\n```\nAction: never closed\n",  # 9-11
        label=no_label,
    )
    assert [s.title for s in notes.stories] == ["A", "Second", "Third"]
    assert notes.stories[1].principles == ("ownership",)
    assert notes.problems == [
        NoteProblem(1, "a question heading without the question"),
        NoteProblem(7, "unknown principle 'bravery'; `starcoach principles` lists them"),
        NoteProblem(10, "a ``` fence opened here is never closed"),
    ]
    assert str(notes.problems[0]) == "line 1: a question heading without the question"


def test_a_story_with_no_text_is_reported(parse):
    notes = parse("### Story: Empty one\n- Company: Acme\n\n### Story: Real\nAction: I did.\n")
    assert [s.title for s in notes.stories] == ["Real"]
    assert notes.problems == [NoteProblem(1, "'Empty one' has no story text; skipped")]


def test_short_fragments_and_preambles_are_not_stories(parse):
    notes = parse(
        "# My prep notes\nThese notes are for the Amazon loop in June, with reminders about "
        "structure, numbers, lessons, timing and follow-up questions for each principle.\n\n"
        "## Misc\nTODO: write more.\n\n"
        "## Background reading\nThe sixteen principles describe how the company expects "
        "people to behave, and interviewers are given two or three of them each to probe.\n",
    )
    assert notes.stories == []
    assert len(notes.problems) == 1 and "do not read as a story" in notes.problems[0].message


def test_identical_stories_are_imported_once(parse):
    block = "Situation: A flaky suite.\nAction: I quarantined 40 tests.\n"
    notes = parse(f"## Ownership\n{block}\n---\n## Dive Deep\n{block}", label=no_label)
    assert len(notes.stories) == 1 and len(notes.duplicates) == 1
    assert notes.lines == [1]  # the story starts at its heading


def test_stories_are_separated_by_rules_titles_and_a_new_situation(parse):
    notes = parse(
        "Situation: one.\nAction: one.\n---\nSituation: two.\nAction: two.\n"
        "Situation: three.\nAction: three.\n\n**Fourth story**\nSituation: four.\n",
        label=no_label,
    )
    assert [s.section("situation") for s in notes.stories] == ["one.", "two.", "three.", "four."]
    assert notes.stories[3].title == "Fourth story"


def test_a_backslash_makes_a_line_literal(parse):
    notes = parse("Situation: \\Result: not a label\n  \\## not a heading\n", label=no_label)
    assert notes.stories[0].section("situation") == "Result: not a label\n## not a heading"


def test_not_text_is_an_input_error(kb):
    with pytest.raises(InputError):
        parse_notes(b"Situation: x", knowledge=kb)  # type: ignore[arg-type]


# --- the pieces -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Situation", "situation"),
        ("Situation (情境)", "situation"),
        ("情境 Situation", "situation"),
        ("背景", "situation"),
        ("Lessons learned", "reflection"),
        ("反思/收获", "reflection"),
        ("What I did", "action"),
        ("Q3", "question"),
        ("问题一", "question"),
        ("Story 2", "title"),
        ("Follow-ups", "questions"),
        ("Example answer", "example"),
        ("In 2021 I joined", None),
        ("Result summary", None),
    ],
)
def test_label_kinds(body, kind):
    assert label_kind(body) == kind


def test_label_lines():
    assert match_label("**Situation:** text").rest == "text"  # type: ignore[union-attr]
    assert match_label("**Q: Why us?**").rest == "Why us?"  # type: ignore[union-attr]
    assert match_label("- Question: **bold** q").rest == "**bold** q"  # type: ignore[union-attr]
    assert match_label("Situation") is not None
    assert match_label("Company") is None  # metadata needs a value
    assert match_label("I said: no") is None
    assert match_label("Result - 30% faster") is None  # a dash needs emphasis or a list


def test_titles_from_questions():
    assert title_from_question("Tell me about a time when you had to say no.") == "Had to say no"
    assert title_from_question("Why Amazon?") == "Why Amazon"
    assert len(title_from_question("Describe " + "a very long question " * 10)) <= 81


def test_read_notes_file(tmp_path):
    path = tmp_path / "n.md"
    path.write_bytes("\ufeffSituation: 情境".encode())
    assert read_notes_file(path) == "Situation: 情境"
    path.write_bytes("Situation: x".encode("utf-16"))
    assert read_notes_file(path) == "Situation: x"
    path.write_bytes(b"caf\xe9")
    with pytest.raises(InputError, match="not UTF-8"):
        read_notes_file(path)
    with pytest.raises(InputError, match="No such"):
        read_notes_file(tmp_path / "missing.md")
    with pytest.raises(InputError, match="folder"):
        read_notes_file(tmp_path)


# --- the shipped examples ---------------------------------------------------------------


def test_the_messy_example_notes(parse):
    notes = parse((EXAMPLES / "amazon-lp-notes.md").read_text(encoding="utf-8"), label=no_label)
    assert [(s.title, s.principles) for s in notes.stories] == [
        ("Rebuilding the CSV export for the finance team", ("customer-obsession",)),
        (
            "Our team of six shipped a mobile backend, and every release needed a 40-step…",
            ("invent-and-simplify",),
        ),
        ("推荐模型的点击率下跌", ("dive-deep",)),
        (
            "Six months after I joined a payments team, I discovered that a retry job I had…",
            ("earn-trust",),
        ),
        ("Pushing back on launching without load tests", ("have-backbone-disagree-and-commit",)),
    ]
    for story in notes.stories:
        assert set(story.sections) == {"situation", "task", "action", "result", "reflection"}
        assert "Example" not in story.answer_text() and "guidance" not in story.notes.lower()
    assert notes.stories[2].question == "讲一个你通过深入分析数据发现问题根源的经历。"
    assert "3. I wrote a data-contract check" in notes.stories[2].section("action")
    assert len(notes.questions) == 4 and notes.problems == []


def test_the_plain_example_with_the_real_labeller(kb):
    text = (EXAMPLES / "plain-stories.md").read_text(encoding="utf-8")
    notes = parse_notes(text, knowledge=kb)
    assert [s.title for s in notes.stories] == [
        "Missed a deadline",
        "Helped a teammate grow",
        "Cutting our cloud bill",
    ]
    assert notes.problems == [] and notes.questions == []
    for story in notes.stories:
        assert {"situation", "action", "result"} <= set(story.sections)
        # Nothing is lost or repeated: every sentence lands in exactly one section.
        (source,) = [p for p in text.split("\n\n") if story.section("situation")[:30] in p]
        assert sorted(story.answer_text().split()) == sorted(source.split())

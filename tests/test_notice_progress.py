"""archive/progress.py: status sentences, deadlines, ledger cells and a notice's summary figures."""

from __future__ import annotations

import pytest

from archive.kinds import RectStatus
from archive.models import Progress
from archive.progress import cell_deadline, cell_status, notice_progress, problem_status, status_sentence


@pytest.mark.parametrize("sentence, status", [
    ("已完成整改。", RectStatus.DONE), ("目前已整改完成。", RectStatus.DONE), ("该问题已完成整改。", RectStatus.DONE),
    ("已整改到位。", RectStatus.DONE), ("截至目前，已完成整改。", RectStatus.DONE), ("整改进展：已完成。", RectStatus.DONE),
    ("正在整改，2023年12月底前完成。", RectStatus.IN_PROGRESS), ("正在整改中，预计2024年6月底前完成。", RectStatus.IN_PROGRESS),
    ("持续推进中。", RectStatus.IN_PROGRESS), ("整改进展：正在整改。", RectStatus.IN_PROGRESS),
    ("未完成。", RectStatus.NOT_DONE), ("未完成整改。", RectStatus.NOT_DONE),
    ("长期坚持。", RectStatus.ONGOING), ("长期坚持，持续整改。", RectStatus.ONGOING),
    # not statements of a problem's status
    ("已基本完成整改。", None), ("已完成电梯语音播报设备安装。", None), ("严格落实整改完成。", None),
    ("完成时限：2024年6月底。", None),
])
def test_status_sentences(sentence: str, status: RectStatus | None) -> None:
    assert status_sentence(sentence) == status


def test_status_is_read_where_it_closes_the_problem_not_inside_a_measure() -> None:
    inside = "一是开展专项清理，截至2021年11月底全部完成。二是建立台账，每月通报进展。"
    assert problem_status(inside) == (None, None, [])
    closing = "一是开展专项清理；二是建立台账。正在整改，2024年3月底前完成。"
    assert problem_status(closing) == (RectStatus.IN_PROGRESS, "2024-03", ["正在整改，2024年3月底前完成。"])
    own_line = "整改措施：一是学习；二是审核。\n整改进展：已完成。"
    assert problem_status(own_line) == (RectStatus.DONE, None, ["整改进展：已完成。"])
    # a progress field that opens with its status and goes on with detail (round 12's fixture writer: it read none)
    opened = "整改措施：一是复核；二是退回。\n整改进展：正在整改。已复核项目47个，退回资金12万元。"
    assert problem_status(opened) == (RectStatus.IN_PROGRESS, None, ["整改进展：正在整改。"])
    # … but a measure's own 完成 inside a plain line is still no status
    assert problem_status("一是开展专项清理，截至11月底全部完成。二是建立台账。\n三是每月通报。")[0] is None


@pytest.mark.parametrize("cell, status", [("已完成", RectStatus.DONE), ("完成", RectStatus.DONE),
                                          ("正在整改", RectStatus.IN_PROGRESS), ("推进中", RectStatus.IN_PROGRESS),
                                          ("基本完成", RectStatus.IN_PROGRESS), ("未完成", RectStatus.NOT_DONE),
                                          ("长期坚持", RectStatus.ONGOING), ("", None), ("见附件", None)])
def test_ledger_status_cells(cell: str, status: RectStatus | None) -> None:
    assert cell_status(cell) == status


@pytest.mark.parametrize("cell, iso", [("2023年12月底前", "2023-12"), ("2024-06-30", "2024-06-30"),
                                       ("2024.3", "2024-03"), ("2024年1月15日", "2024-01-15"), ("长期坚持", None),
                                       ("2024年13月", None)])
def test_ledger_deadline_cells(cell: str, iso: str | None) -> None:
    assert cell_deadline(cell) == iso


def test_summary_figures() -> None:
    text = ("巡察反馈的4个方面共21个问题，已全部完成整改18个，其余3个正在整改。挽回经济损失35.6万元，其中追缴12万元。"
            "诫勉谈话2人，组织处理1人，党纪处分3人，政务处分1人。建立完善制度14项。问题整改完成率为85.7%。")
    assert notice_progress(text) == Progress(
        problems_total=21, problems_done=18, problems_in_progress=3, completion_rate=85.7,
        money_recovered_yuan=356000.0, people_disciplined=4, people_handled=1, people_admonished=2, rules_made=14)
    assert notice_progress("针对巡察反馈的五方面十九个问题，建章立制8项，其中修订制度3项。") == Progress(
        problems_total=19, rules_made=8)
    assert notice_progress("没有数字的整改情况。") == Progress()


def test_all_of_a_stated_count_done() -> None:
    """7个问题已全部完成整改 (round 12's fixture writer: it read the total and no done count) states 7 done; a count
    after 已全部完成整改 is still the one done."""
    said = notice_progress("截至2020年4月30日，7个问题已全部完成整改。")
    assert (said.problems_total, said.problems_done) == (7, 7)
    part = notice_progress("反馈的12个问题中，已全部完成整改10个，正在整改2个。")
    assert (part.problems_total, part.problems_done, part.problems_in_progress) == (12, 10, 2)


@pytest.mark.parametrize("text", [
    "一是聘请第三方机构对9个项目进行复核，已完成5个；二是建立结算审核台账。正在整改。",
    "一是对9个项目进行复核，其中5个已完成整改；二是建立结算审核台账。",
    "一是排查安全隐患12个，已整改10个，完成率83.3%；二是建立隐患台账。",
    "一是开展评审，已完成5个。",
    "一是排查隐患12个，其中10个已完成整改。",
], ids=["projects-done", "projects-rectified", "hazards-rate", "bare", "hazards-before"])
def test_a_measures_count_of_other_things_is_no_count_of_problems(text: str) -> None:
    """A measure's own count (对9个项目进行复核，已完成5个: 5 of 9 projects; round 14's fixture writer met it as 5 problems
    done and a summary warning) is no count of problems done, in progress or a rate."""
    said = notice_progress(text)
    assert (said.problems_done, said.problems_in_progress, said.completion_rate) == (None, None, None)


@pytest.mark.parametrize("text, done, in_progress, rate", [
    ("目前，已完成整改3个，正在整改2个，需长期坚持1个。", 3, 2, None),
    ("巡察反馈的7个问题已完成5个，完成率71.4%。", 5, None, 71.4),
    ("对巡察反馈的8个问题，已完成整改5个。", 5, None, None),
    ("截至2021年6月20日，这3个问题已全部完成整改。", 3, None, None),
    ("截至2022年3月底，82条整改措施已完成77条。", 77, None, None),  # the measures a notice counts as its tasks
    ("市委巡察反馈问题共4个，已完成整改3个，1个需长期坚持。", 3, None, None),  # the noun before its count
    ("目前，1个需长期坚持，2个正在整改。", None, 2, None),  # 1个需长期坚持 counts no other things
    ("共整改问题12个，已完成整改10个，完成率83.3%。", 10, None, 83.3),
    # a measure's count before the summary does not hide it
    ("一是对9个项目进行复核，已完成5个。\n目前，反馈的4个问题已完成整改3个，1个正在整改。", 3, 1, None),
])
def test_a_count_of_problems_done_is_read_from_sentences_about_problems(text: str, done: int, in_progress: int | None,
                                                                        rate: float | None) -> None:
    said = notice_progress(text)
    assert (said.problems_done, said.problems_in_progress, said.completion_rate) == (done, in_progress, rate)


def test_a_measures_count_gives_no_summary_warning() -> None:
    from archive.notice import parse_notice

    notice = parse_notice("""中共示例县住建局党组关于巡察整改情况的通报
根据县委统一部署，2024年3月1日至4月30日，县委第一巡察组对县住建局党组进行了巡察。2024年6月1日反馈了巡察意见。现将整改情况予以公布。
一、落实全面从严治党方面
1.针对工程项目结算审核不严的问题。一是聘请第三方机构对9个项目进行复核，已完成5个；二是建立结算审核台账。正在整改。
2.针对公务用车管理不规范的问题。一是修订公务用车管理办法；二是安装车辆定位系统。已完成整改。
3.针对党员发展程序不规范的问题。一是开展党员档案专项检查；二是补齐发展党员材料。已完成整改。
中共示例县住建局党组
2024年9月1日""")
    assert notice.progress.problems_done is None
    assert not any(w.startswith("statuses do not add up") for w in notice.warnings)


@pytest.mark.parametrize("label", ["整改进展", "整改结果", "销号情况", "整改状态"])
def test_a_status_label_opens_a_progress_field(label: str) -> None:
    """Every progress or status label may open its field with the status and its deadline, then go on."""
    line = f"{label}：正在整改，预计2024年6月底前完成。已建立巡查台账。"
    assert problem_status(line) == (RectStatus.IN_PROGRESS, "2024-06", [f"{label}：正在整改，预计2024年6月底前完成。"])

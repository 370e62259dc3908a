"""A unit's notices grouped into rounds and ordered (archive/rounds.py): stated rounds win, the rest are inferred
from dates with a warning, a 回头看 follows the round it revisits, progress reports follow the rectification."""

from __future__ import annotations

from archive.kinds import ReportStage
from archive.rounds import RoundNotice, as_of_date, place, round_number, stage_of


def test_round_number_and_stage_read_from_titles() -> None:
    assert round_number("中共某局党组关于区委第五轮巡察整改情况的通报") == 5
    assert round_number("关于第12轮巡察") == 12
    assert round_number("关于巡察整改情况的通报") is None
    assert stage_of("关于巡察“回头看”反馈意见整改情况的通报") is ReportStage.REVISIT
    assert stage_of("关于巡察整改进展情况的通报") is ReportStage.PROGRESS
    assert stage_of("关于巡察整改情况的通报") is ReportStage.RECTIFICATION
    assert stage_of("关于巡察反馈意见的通报") is ReportStage.FEEDBACK
    assert stage_of("关于巡察整改情况的通报", "progress") is ReportStage.PROGRESS  # the header's stated stage wins
    assert as_of_date("截至2019年12月，现将整改进展") == "2019-12"
    assert as_of_date("截至2022年3月31日") == "2022-03-31"


def test_stated_rounds_order_rectification_progress_revisit_next_round() -> None:
    notices = [
        RoundNotice("r5", "第五轮整改", 5, inspection_start="2022-04-06", feedback_date="2022-06-30"),
        RoundNotice("prog", "第二轮整改进展", 2, inspection_start="2019-03-11", feedback_date="2019-06-05",
                    stage=ReportStage.PROGRESS, as_of="2019-12"),
        RoundNotice("look", "回头看", None, inspection_start="2021-03-01", feedback_date="2021-04-20",
                    stage=ReportStage.REVISIT, revisit=True),
        RoundNotice("r2", "第二轮整改", 2, inspection_start="2019-03-11", feedback_date="2019-06-05"),
        RoundNotice("fb", "第二轮反馈", 2, inspection_start="2019-03-11", feedback_date="2019-06-05",
                    stage=ReportStage.FEEDBACK),
    ]
    placed = place(notices)
    assert [p.doc_id for p in placed] == ["fb", "r2", "prog", "look", "r5"]
    assert [p.order for p in placed] == [0, 1, 2, 3, 4]
    assert {p.round_key for p in placed[:3]} == {"r2"}
    assert placed[3].round_key.endswith("-revisit") and "回头看" in placed[3].round_label
    assert not any(p.inferred for p in placed) and all(p.warning is None for p in placed)


def test_a_notice_without_round_is_placed_by_dates_with_a_warning() -> None:
    notices = [
        RoundNotice("r4", "第四轮整改", 4, inspection_start="2021-03-15", feedback_date="2021-06-10"),
        RoundNotice("r7", "第七轮整改", 7, inspection_start="2024-03-04", feedback_date="2024-05-28"),
        RoundNotice("p", "整改进展", None, feedback_date="2021-06-10", stage=ReportStage.PROGRESS,
                    as_of="2022-03-31"),
        RoundNotice("late", "整改进展", None, stage=ReportStage.PROGRESS, as_of="2025-01"),
    ]
    placed = {p.doc_id: p for p in place(notices)}
    assert placed["p"].round_key == "r4" and placed["p"].inferred
    assert "round inferred" in placed["p"].warning and "2021-06-10" in placed["p"].warning
    assert placed["late"].round_key == "r7" and placed["late"].inferred and "date 2025-01" in placed["late"].warning
    assert [p.doc_id for p in place(notices)] == ["r4", "p", "r7", "late"]
    assert not placed["r4"].inferred


def test_notices_with_no_round_at_all_form_rounds_by_their_dates() -> None:
    placed = place([RoundNotice("b", "整改情况", None, inspection_start="2023-03-01", feedback_date="2023-05-01"),
                    RoundNotice("a", "整改情况", None, inspection_start="2020-03-01", feedback_date="2020-05-01")])
    assert [p.doc_id for p in placed] == ["a", "b"]
    assert placed[0].round_key != placed[1].round_key and all(p.inferred for p in placed)
    assert placed[0].round_label == "2020年巡察"

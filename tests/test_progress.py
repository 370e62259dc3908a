"""Progress in any output: periodic lines when the stream is not a terminal."""

import io

from indexer.progress import Lines, meter


def test_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    m = meter("indexed", "documents", 3550, stream=out, every_s=0.0)
    assert isinstance(m, Lines)
    m.update(400)
    m.close()
    first = out.getvalue().splitlines()[0]
    assert first.startswith("indexed 400 of 3,550 documents, ") and "/s, ETA " in first


def test_no_eta_without_a_total_and_a_final_line() -> None:
    out = io.StringIO()
    m = meter("ingested", "files", stream=out, every_s=3600)
    m.update(2)
    assert out.getvalue() == ""  # not yet time for a line
    m.close()
    assert out.getvalue().startswith("ingested 2 files, ") and "ETA" not in out.getvalue()

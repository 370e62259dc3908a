"""What linking reads and writes, apart from how it scores (archive/linking.py): the options chosen on the judged pairs
(benchmarks/quality/links/results.md says how), a problem as linking reads it, a scored pair, and the hint phrase a
later finding uses to say it came back."""

from __future__ import annotations

from dataclasses import dataclass

from .cooccur import MineOptions
from .records import ProblemLink
from .titles import HINTS, core_title


@dataclass(frozen=True, slots=True)
class LinkOptions:
    """The thresholds, chosen on the tune split of benchmarks/quality/links (results.md says how)."""

    same_round: float = 0.24  # same unit, same round, two reports (matched one to one)
    # same unit, later round (and each the other's best match between the rounds); LINKS_VERSION 20: 0.24 → 0.22, the
    # best F0.5 on tune, rounds 1–12 (0.16 … 0.24: P / R 0.742 / 0.759, 0.797 / 0.724, 0.824 / 0.701, 0.853 / 0.667,
    # 0.833 / 0.575): since v18 every pair of a unit's two rounds is scored, and restated faults with short titles
    # (回头看: 公务用车私用的问题) score 0.2–0.24
    recurring: float = 0.22
    # … when the later problem says so (反弹, 仍然, 再次 …): the text says the fault came back, so the score has only to
    # say which earlier finding it is, and the rounds' alignment (mutual best, one link a round) still picks that one.
    # Chosen on its own since LINKS_VERSION 21 (with the recurring bar from v12 to v20), the best F0.5 on tune,
    # rounds 1–13, the recurring bar held at 0.22 (0.22 … 0.02: P / R 0.849 / 0.633, 0.857 / 0.673 at 0.18, 0.861 /
    # 0.694 at 0.14, 0.852 / 0.704 at 0.12, 0.854 / 0.714 from 0.06 down; no bar reaches 0.9)
    recurring_explicit: float = 0.06
    common: float = 0.12  # average link within a cluster of the same fault across units
    other_kind: float = 0.60  # any link between problems of two different fault kinds
    cite_bonus: float = 0.05  # a regulation both problems cite
    linkage: str = "average"  # clusters: average (mean similarity ≥ common) or complete (every pair ≥ common)
    related_weight: float = 1.0  # soft cosine: weight of related bigrams (0: plain cosine, LINKS_VERSION ≤ 10)
    related: MineOptions = MineOptions(min_df=2, max_df_share=0.5, min_pair=2, per_word=10, floor=0.5)
    related_min_problems: int = 20  # fewer problems say nothing about which terms go together: plain cosine
    broad_chars: int = 8  # a broad finding (Scorer.broad): its area at most this long; 0 turns the gate off
    headings: bool = True  # a title that states no fault (在…上下功夫, 加强组织领导，压实整改责任) links to nothing
    # two findings of the catch-all kind (faults.FALLBACK: a unit's own line of work) join a common cluster only at
    # the other_kind bar: across units they share an area (安全生产, 监管, 执法), not a named fault
    business_common: bool = True
    # within a unit, across its rounds, the broad-finding gate is not applied (LINKS_VERSION 15): a later round often
    # heads a restated fault broadly (关于下乡用车审批不严的问题) and details it in the text; the judges grade those the same
    # fault, and the rounds' mutual-best alignment still keeps a unit's sibling findings apart (tune, rounds 1–7:
    # recurring 0.909 / 0.588 → 0.915 / 0.632, nothing else moves)
    broad_recurring: bool = True
    # two findings of different units that are each an area + a general verdict (关于党支部组织生活不规范的问题, 关于落实
    # 意识形态工作责任制不力的问题; areas up to this many characters; 0: off) join a common cluster only at other_kind: the
    # judges grade two findings that name no specific fault related, not the same (LINKS_VERSION 17; tune, rounds 1–9:
    # common 0.851 / 0.708 → 0.871 / 0.688, distractor links 4 → 3 of 173; 12, 16 and 30 alike, 8 a little lower)
    broad_common: int = 12
    # the heading gate (Scorer.broader: a short title whose terms sit in the other's) for common clusters too; off
    # since LINKS_VERSION 19: across units the judges grade a heading and a finding under it the same fault more often
    # than not (tune, rounds 1–11: 98 of 129 such pairs graded 2; common 0.876 / 0.627 → 0.877 / 0.651, and at every
    # common bar from 0.12 to 0.18 as precise with more recall). Recurring and same-round links keep the gate.
    broader_common: bool = False
    # the heading and broad-finding gates for same-round links; off since LINKS_VERSION 24: a progress report of a
    # round restates a finding under a shorter title (执法罚没款票据管理不规范的问题 for …，罚没收据领用、核销登记不完整
    # 的问题), which the heading gate took for a heading over a sibling; the one-to-one matching of two reports still
    # keeps siblings apart (tune, rounds 1–15: same round 1.0 / 0.849 → 1.0 / 0.959, recurring 0.875 / 0.724 →
    # 0.878 / 0.741 through the chains, no distractor linked)
    same_round_gates: bool = False


@dataclass(frozen=True, slots=True)
class LinkProblem:
    """What linking reads of one problem."""

    id: str
    doc_id: str
    title: str
    text: str
    cited: tuple[str, ...] = ()
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Pair:
    """Two problems scored as the same fault (a < b by id), with the reason."""

    a: str
    b: str
    score: float
    same_kind: bool
    reason: str


def full_text(p: LinkProblem) -> str:
    title = core_title(p.title)
    return "\n".join((title, title, p.text))


def hint_of(p: LinkProblem) -> str | None:
    """The hint phrase a problem's title or text uses to say it came back (None when it does not)."""
    text = p.title + p.text[:200]
    return next((h for h in HINTS if h in text), None)


# a derived link is the record the archive keeps and reads back (records.ProblemLink): same_round | recurring,
# a and b problem ids (recurring: a earlier, b later); archive/pairlinks.py derives them from the scored pairs
Link = ProblemLink

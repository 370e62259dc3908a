"""How a problem's title reads (issue 30): the fault's own words, its bigrams, whether it states a fault at all or
is a direction of the work, whether it is a broad finding (an area + a general verdict), and the phrases two
texts share. Pure: strings in, strings and flags out; archive/linking.py and archive/clustering.py read it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from .faults import FRAME

HINTS = ("整改不彻底", "反弹", "回潮", "仍然", "仍有", "仍存在", "依然", "再次", "又出现", "屡改屡犯", "上轮巡察", "回头看")
HAN = re.compile(r"[\u4e00-\u9fff]+")
# what says that something went wrong: 问题, a negation or a word of lack, excess, breach, evasion or misuse
FAULT = re.compile(r"问题|[不未无缺少差弱低超违私乱滥假虚漏拆欠错避挪套骗贪占截瞒]|走过场|流于形式|形式主义|化整为零|"
                   r"小金库|收受|闲置|失职|失责|失察|失管|失控")
# a direction of the work opens with what is to be done (加强组织领导，压实整改责任; 持续提升…; 在…上下功夫): with no
# fault word as well it is a heading over the measures, not a finding (挪用公款, 小金库 name faults with no 问题)
DIRECTION = re.compile(r"^(?:在.{2,30}上下功夫|(?:加强|持续|深化|突出|细化|注重|聚焦|强化|提升|推动|推进|扎实|理顺|坚持|"
                       r"压实|健全|完善|严格|深入|着力|全面|切实|进一步|坚定|巩固|筑牢|优化|规范|抓实|抓好|落实))")
# the general verdicts (an area + one of them is a broad finding: 公务接待管理不严格), and the frame words around
# them, which say how something is run, not what went wrong
VERDICT = re.compile(r"(?:工作|管理|程序|制度|执行|落实|开展|监管|审核)*(?:把关不严|不严格|不严谨|不严|不规范|不到位|"
                      r"不完善|不健全|不够|不力|不高|不强|薄弱|不扎实|不深入|不及时)$")
# particles and function characters: a bigram holding one straddles two words (来的, 由当), shown in no reason
FUNCTION = "的了和与及等并或"  # (not 为, 在, 把, 从: 化整为零, 在建, 把关, 从严)
FUNCTION_SET = frozenset(FUNCTION)
WRAP = re.compile(r"^(?:针对|关于|对于|对)|(?:的问题|问题|方面)[。.]?$")
# bigrams of how a finding is framed, beyond faults.FRAME: they say that something is wrong, not what
MORE_FRAME = frozenset("不足 个别 部分 存在 出现 没有 未按 按照 相关 有关 情况 一些 较大 突出 不强 不高 不力 不够 "
                        "流于 形式 走过 过场 上轮 巡察 指出 仍然 再次 反弹 彻底 "
                        # the rest of VERDICT's general verdicts (不及时, 不深入, 不扎实, 不严谨, 不完善, 不健全)
                        "不及 及时 不深 深入 不扎 扎实 严谨 不完 不健".split())


def core_title(title: str) -> str:
    """针对“…”不规范的问题 → the fault's own words."""
    t = title.strip().strip("。")
    for _ in range(2):
        t = WRAP.sub("", t).strip()
    return t


def grams(text: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for run in HAN.findall(text):
        out.update(g for g in (run[i:i + 2] for i in range(len(run) - 1)) if g not in FRAME and g not in MORE_FRAME)
    return out


def states_fault(title: str) -> bool:
    """Whether a title names a fault; False for a direction of the work (DIRECTION with no FAULT word)."""
    return bool(FAULT.search(title)) or not DIRECTION.search(core_title(title))


def broad_area(title: str) -> int:
    """The length of a broad finding's area (公务接待管理不严格 → 公务接待: 4), 0 when the title is not an area and a
    general verdict alone (a detail clause after a comma, or a named fault: 公车私用, 无公函接待)."""
    t = core_title(title)
    if re.search(r"[，,、；;：:]", t) or not VERDICT.search(t):
        return 0
    return len("".join(HAN.findall(VERDICT.sub("", t))))


def phrases(text: str, weights: Mapping[str, float], top: int = 3) -> list[str]:
    """The shared bigrams put back together as the phrases of the text they come from (发展对象, not 展对),
    heaviest first."""
    found: dict[str, float] = {}
    for run in HAN.findall(text):
        i = 0
        while i < len(run) - 1:
            if run[i:i + 2] not in weights:
                i += 1
                continue
            j = i
            while j < len(run) - 1 and run[j:j + 2] in weights:
                j += 1
            phrase = run[i:j + 1]
            weight = sum(weights[phrase[k:k + 2]] for k in range(len(phrase) - 1))
            for shown in re.split(f"[{FUNCTION}]", phrase):  # 采购的问 → 采购: words, not the particles between
                if len(shown) >= 2:
                    found[shown] = max(found.get(shown, 0.0), weight)
            i = j
    return sorted(found, key=lambda x: (-found[x], x))[:top]

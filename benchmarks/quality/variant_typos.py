"""Synthetic homophone typos of TUNE queries, and how indexer/variants.py's thresholds fare on them.

    python -m benchmarks.quality.variant_typos --home DIR [--n 20] [--seed 31]

The rule (no query chosen by hand): a tune query's content word of two or more characters (jieba) is picked at
random, one of its characters replaced by a random homophone (pypinyin's table, indexer/variants.homophones).
For each threshold setting it prints how many typo'd queries get their word back (recovered), how many get a
wrong correction, and how many of the tune queries as written get any correction at all (false alarms).
Only the tune split is read: the `new` split's variant queries are the held-out measure.
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import replace
from pathlib import Path

from benchmarks.quality.runner import load_split

_CJK2 = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def typos(queries: list[dict], n: int, seed: int) -> list[tuple[str, str, str, str]]:
    """(query id, typo'd query, typed pair … as the original word, the typo'd word), n of them by the rule."""
    from indexer.analysis import query_words
    from indexer.query import STOP
    from indexer.variants import homophones

    rng = random.Random(seed)
    out: list[tuple[str, str, str, str]] = []
    order = list(queries)
    rng.shuffle(order)
    for q in order:
        words = [w for w in query_words(q["query"]) if _CJK2.match(w) and w not in STOP]
        if not words:
            continue
        word = rng.choice(words)
        k = rng.randrange(len(word))
        subs = homophones(word[k])
        if not subs:
            continue
        bad = word[:k] + rng.choice(subs) + word[k + 1:]
        out.append((q["id"], q["query"].replace(word, bad, 1), word, bad))
        if len(out) == n:
            break
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=31)
    args = ap.parse_args()
    from indexer.search import SearchService
    from indexer.variants import VariantOptions, rewrite
    from xuncha.settings import load_settings

    service = SearchService(load_settings(environ={}, home=args.home).search_options(), warm=False)
    df = service.backend.doc_frequency
    tune = load_split("tune")
    cases = typos(tune, args.n, args.seed)
    for qid, text, word, bad in cases:
        print(f"{qid}\t{word}→{bad}\t{text}")
    base = VariantOptions()
    for rare in (0, 2, 5):
        for min_df in (5, 20, 50):
            for ratio in (10.0, 50.0, 200.0):
                o = replace(base, rare_df=rare, min_df=min_df, ratio=ratio)
                rec = wrong = 0
                for _, text, word, bad in cases:
                    fixed = rewrite(text, df, o).corrected or text
                    rec += word in fixed and bad not in fixed
                    wrong += fixed != text and not (word in fixed and bad not in fixed)
                alarms = sum(rewrite(q["query"], df, o).corrected is not None for q in tune)
                print(f"rare_df={rare} min_df={min_df} ratio={ratio:g}: recovered {rec}/{len(cases)}, "
                      f"wrong {wrong}, false alarms on {alarms}/{len(tune)} tune queries")


if __name__ == "__main__":
    main()

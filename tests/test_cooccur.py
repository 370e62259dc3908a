"""Related words and the soft cosine (archive/cooccur.py): the packed expansion of every vector at once gives
the values the one-vector expansion gives, to the last bit, whichever problems are packed; many problems scored
at once score as one at a time."""

from __future__ import annotations

import random

import numpy as np

from archive.cooccur import CHUNK, MineOptions, Packed, SoftCosine, mine, symmetric


def _vectors(n: int, seed: int = 7) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    rng = random.Random(seed)
    terms = [f"词{k:03d}" for k in range(120)]
    vectors = {f"p{i:04d}": {t: rng.random() for t in rng.sample(terms, rng.randint(0, 12))} for i in range(n)}
    related: dict[str, dict[str, float]] = {}
    for t in rng.sample(terms, 80):  # a term similarity is symmetric (cooccur.symmetric)
        for u in rng.sample(terms, rng.randint(0, 4)):
            if u != t:
                related.setdefault(t, {})[u] = related.setdefault(u, {})[t] = rng.uniform(0.5, 1.0)
    return vectors, related


def _packed(soft: SoftCosine, ids: list[str]) -> dict[str, int]:
    vocab: dict[str, int] = {}
    for i in ids:
        for t in soft.vectors[i]:
            vocab.setdefault(t, len(vocab))
    for t in list(vocab):
        for u in soft.related.get(t, ()):
            vocab.setdefault(u, len(vocab))
    soft.packed(vocab, ids)
    return vocab


def test_packed_expansion_is_the_one_vector_expansion_to_the_last_bit() -> None:
    vectors, related = _vectors(CHUNK * 2 + 37)  # three blocks, the last one short
    for ids in (list(vectors), sorted(vectors)[::7]):  # the archive, and the few problems an incremental link packs
        soft = SoftCosine(vectors, related, 0.8)
        vocab = _packed(soft, ids)
        lazy = SoftCosine(vectors, related, 0.8)
        for k, i in enumerate(ids):
            dense = soft._packed_expanded.dense_rows(np.array([k]))[0]
            expanded = lazy.expanded(i)
            assert {t: dense[vocab[t]] for t in expanded} == expanded  # exactly: each sum in one order
            assert np.count_nonzero(dense) == len(expanded)
            assert soft._self_sims[k] == lazy.self_sim(i)


def test_batched_soft_cosine_is_the_pair_by_pair_one() -> None:
    vectors, related = _vectors(300, seed=3)
    soft = SoftCosine(vectors, related, 1.0)
    ids = list(vectors)
    _packed(soft, ids)
    rng = random.Random(5)
    ka = np.array(sorted(rng.sample(range(len(ids)), 40)), np.int64)
    which = np.repeat(np.arange(len(ka)), 9)
    rows = np.array([rng.randrange(len(ids)) for _ in which], np.int64)
    got = soft.batch(ka, which, rows)
    for k, (w, r) in enumerate(zip(which.tolist(), rows.tolist())):
        assert abs(got[k] - soft(ids[int(ka[w])], ids[r])) < 1e-12
        # one problem or many: the same bits
        assert got[k] == soft.batch(ka[w:w + 1], np.zeros(1, np.int64), np.array([r]))[0]


def test_batch_dots_are_those_of_one_dense_row_at_a_time() -> None:
    vectors, _ = _vectors(200, seed=11)
    vocab = {t: k for k, t in enumerate(sorted({t for v in vectors.values() for t in v}))}
    packed = Packed(vectors, vocab)
    ids = list(vectors)
    ks = np.array([3, 50, 199], np.int64)
    dense = packed.dense_rows(ks)
    rows = np.arange(len(ids), dtype=np.int64)
    for w, k in enumerate(ks.tolist()):
        one = packed.batch_dots(packed.dense_rows(ks[w:w + 1]), np.zeros(len(rows), np.int64), rows)
        assert np.array_equal(packed.batch_dots(dense, np.full(len(rows), w), rows), one)
        assert {t: dense[w][vocab[t]] for t in vectors[ids[k]]} == vectors[ids[k]]
        assert np.count_nonzero(dense[w]) == sum(1 for x in vectors[ids[k]].values() if x)
        # each dot product is the sum over the row's entries
        assert all(abs(one[j] - sum(x * vectors[ids[j]].get(t, 0.0) for t, x in vectors[ids[k]].items())) < 1e-12
                   for j in range(len(ids)))


def test_mined_words_are_related_both_ways() -> None:
    texts = [["化整为零", "拆分", "招标"], ["化整为零", "拆分", "发包"], ["化整为零", "拆分"], ["陪餐", "接待"],
             ["陪餐", "接待", "公函"], ["会议", "培训"]]
    table = symmetric(mine(texts, MineOptions(min_df=2, max_df_share=1.0, min_pair=2, floor=0.1)))
    assert "拆分" in table["化整为零"] and "化整为零" in table["拆分"]
    assert "陪餐" not in table.get("拆分", {})

"""The search service's bounded answer cache, keyed by the backend's version."""

from indexer.cache import ResultCache


def test_result_cache_is_bounded_and_lru() -> None:
    cache = ResultCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_result_cache_of_size_zero_keeps_nothing() -> None:
    cache = ResultCache(0)
    cache.put("a", 1)
    assert cache.get("a") is None


def test_cached_answer_is_the_same_and_keyed_by_generation(service) -> None:
    first = service.search("公务用车", per_page=5)
    again = service.search("公务用车", per_page=5)
    assert again is first
    name, generation = service.version().split(":")
    assert name.startswith("gen-") and generation.isdigit()

from archive.citations import abbreviation_match, is_abbreviation


def test_abbreviations_by_rule() -> None:
    assert is_abbreviation("保密法", "保守国家秘密法") and is_abbreviation("招投标法", "招标投标法")
    assert is_abbreviation("残保法", "残疾人保障法") and is_abbreviation("政务处分法", "公职人员政务处分法")
    # the kind must agree, the first character must, and a general word is no abbreviation
    assert not is_abbreviation("保密法", "保守国家秘密法实施条例")
    assert not is_abbreviation("密法", "保守国家秘密法")
    assert not is_abbreviation("议事规则", "示例区党组议事规则")


def test_the_best_match_is_the_closest_national_title() -> None:
    keys = ["招标投标法实施条例", "浙江省招标投标条例", "招标投标法"]
    assert abbreviation_match("招投标法", keys) == "招标投标法"
    assert abbreviation_match("招投标法实施条例", keys) == "招标投标法实施条例"
    assert abbreviation_match("会计法", keys) is None

from indexer.vocabulary import mine


def test_mine_reads_the_short_names_texts_define() -> None:
    texts = ["中国残疾人联合会（以下简称中国残联）负责……", "各级残疾人联合会（以下简称残联）依照法律",
             "国务院国有资产监督管理委员会（简称“国资委”）", "本条例所称国有企业（以下简称企业）", "本办法（以下简称本办法）"]
    found = mine(texts)
    assert found["残联"] == "残疾人联合会" and found["国资委"] == "国有资产监督管理委员会"
    assert found["中国残联"] == "中国残疾人联合会"
    assert "企业" not in found and "本办法" not in found  # a part of the full name, or the text itself

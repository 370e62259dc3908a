#!/usr/bin/env python3
"""Regenerate the two Word notices among the fictional multi-round samples in corpus/rounds/ (issue 30).

The texts (fictional, 示例, written for the project) live here; each file is built with python-docx: the
title as a Title paragraph, then one paragraph a line. The other samples of corpus/rounds/ are text, Markdown
and HTML files written by hand; tests/fixtures/rounds_key.json says which unit and round each belongs to.

Usage::

    python tools/make_round_samples.py [--out-dir corpus/rounds]
"""

from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CITY_INVEST_2020 = """\
中共示例市城市建设投资集团有限公司委员会关于十二届市委第五轮巡察整改情况的通报
根据市委统一部署，2020年6月8日至7月24日，十二届市委第五轮巡察第三巡察组对市城投集团党委进行了巡察。2020年8月31日，市委第三巡察组向市城投集团党委反馈了巡察意见。按照巡察工作有关要求，现将巡察整改情况予以公布。
一、把抓好巡察整改作为检验“四个意识”的试金石
（一）统一思想，提高站位。集团党委召开专题会议，学习反馈意见，逐条对照认领问题，成立由党委书记、董事长任组长的整改工作领导小组，制定整改任务清单，共梳理三方面七个问题，细化整改措施28项。
（二）压实责任，挂图作战。领导班子成员按分工包干问题，各下属公司党组织同步对照检查，集团纪委对整改情况开展专项监督。
二、对账销号，扎实推进反馈问题整改
（一）关于党的领导和重大决策方面的问题
1.针对“三重一大”决策制度执行不到位、重大投资项目未经党委会前置研究的问题。一是修订《集团党委前置研究讨论重大经营管理事项清单》，明确投资额5000万元以上项目必须经党委会前置研究。二是对2019年以来未经前置研究的2个投资项目补充履行程序，并对相关责任人进行提醒谈话。目前已完成整改。
2.针对闲置房产低价出租、国有资产收益流失的问题。一是对集团及下属公司156处出租房产逐处清查，对低于评估价出租的23处重新核定租金。二是出租事项一律进入公共资源交易平台公开招租。正在整改。
（二）关于落实中央八项规定精神方面的问题
3.针对业务招待费超标准列支、招待清单不全的问题。一是对2019年业务招待费开支逐笔复核，超标准列支的1.8万元由相关人员退还。二是制定《集团业务招待管理办法》，招待事项实行事前审批、事后附清单报销。目前已完成整改。
4.针对会议费超标准、在会议费中列支餐费和纪念品的问题。一是清理2019年以来召开的各类会议，退还超标准会议费2.1万元。二是会议实行年度计划管理，会议费标准在会议通知中公开。目前已完成整改。
5.针对公司车辆私用、加油卡管理混乱的问题。一是收回下属公司违规配备的加油卡14张，对公车私用的3名管理人员进行诫勉谈话。二是车辆使用实行统一调度平台派车。正在整改。
（三）关于工程建设和安全管理方面的问题
6.针对工程项目拆分发包、规避公开招标的问题。一是对2019年将道路配套工程拆分为6个标段直接发包的事项进行核查，涉及金额1260万元，对2名责任人给予党纪处分。二是修订《集团工程建设项目招标管理规定》，严禁将应当招标的项目化整为零。正在整改。
7.针对在建工程安全生产责任落实不到位的问题。一是开展在建工程安全生产大检查，排查隐患68处，整改68处。二是与施工单位签订安全生产责任书，落实项目经理带班制度。目前已完成整改。
三、建立长效机制，巩固整改成果
集团党委将把巡察整改同深化国企改革结合起来，对正在整改的问题持续跟踪推进，确保件件有着落。
欢迎广大干部职工和社会各界对整改落实情况进行监督。联系电话：0000-00000002。
中共示例市城市建设投资集团有限公司委员会
2020年12月18日
"""

HOSPITAL_2021 = """\
示例市第一人民医院关于巡察整改进展情况的通报
2020年4月至5月，市委第一巡察组对市一医院党委进行了巡察，并于2020年6月12日反馈了巡察意见。截至2021年2月底，反馈的六个问题中已有五个完成整改，剩余问题持续推进。现将整改进展情况予以公布。
一、整改工作总体情况
医院党委每月召开整改推进会，对尚未完成整改的问题逐一跟踪，院纪委对整改情况开展专项督查。
二、尚未完成问题的整改进展
（一）关于采购和决策方面的问题
1.针对医用耗材分批采购、规避集中招标采购的问题。一是对2019年以来分批采购的骨科耗材开展专项审计，涉及金额312万元，已全部纳入集中招标采购目录。二是耗材采购实行“年度预算、集中招标、分批配送”，由采购中心统一组织。已完成整改。
2.针对重大事项决策由院长办公会代替党委会的问题。一是《医院党委会议事规则》和《院长办公会议事规则》已修订印发，划清两个会议的议事范围。二是2020年下半年以来，重大事项均先经党委会研究。已完成整改。
（二）关于医德医风方面的问题
3.针对医德医风问题查处不力、收受红包问题时有发生的问题。一是开展医德医风专项整治，查处收受红包问题3起，处理4人。二是在门诊和病区设立廉洁就医告示，公开投诉电话。长期坚持。
三、下一步工作
医院党委将把巡察整改纳入日常管理，对长期坚持的问题定期评估，巩固整改成效。
联系电话：0000-00000004。
中共示例市第一人民医院委员会
2021年3月10日
"""

SAMPLES = {
    "u2-cityinvest-2020-rectification.docx": CITY_INVEST_2020,
    "u4-hospital-2021-progress.docx": HOSPITAL_2021,
}


def write_docx(out: Path, text: str) -> Path:
    """The first line as the Title paragraph, then one paragraph a line; no core title (the text has one)."""
    import docx

    lines = [ln for ln in text.splitlines() if ln.strip()]
    document = docx.Document()
    document.add_heading(lines[0], 0)
    for line in lines[1:]:
        document.add_paragraph(line)
    document.core_properties.title = ""
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=REPO / "corpus" / "rounds")
    args = parser.parse_args()
    for name, text in SAMPLES.items():
        print(write_docx(args.out_dir / name, text))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Regenerate the binary sample regulations in corpus/regulations/.

Writes two fictional sample regulations (示例, not real documents):

* 示例市党政机关国内公务接待管理规定(2021-04-01).pdf -- rendered from an HTML
  page by headless Chromium (``--print-to-pdf``), so its text layer is the
  kind browsers produce (CJK glyphs may come out as Kangxi radicals or
  ``(cid:N)``, which the project's PDF extractor has to repair);
* 示例区机关干部谈心谈话制度(2020-08-01).docx -- built with python-docx,
  with heading paragraphs (title, 第…章) and one paragraph per article.

The source texts live in this file, in the same Markdown form as the other
regulations (``# title``, preamble, ``<!-- INFO END -->``, ``## 第…章``,
``### 第…节``, articles starting ``第…条``).

Usage::

    python tools/make_sample_binaries.py [--out-dir corpus/regulations]
                                         [--chromium /usr/bin/chromium]
                                         [--keep-html DIR]

Needs python-docx (``pip install python-docx``) and a Chromium with CJK fonts
(e.g. Debian's ``chromium`` and ``fonts-noto-cjk``).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------
# Source texts (fictional samples)
# ---------------------------------------------------------------------------

RECEPTION_STEM = "示例市党政机关国内公务接待管理规定(2021-04-01)"
RECEPTION_TEXT = """\
# 示例市党政机关国内公务接待管理规定

2021年4月1日 中共示例市委办公室 示例市人民政府办公室印发 示委办发〔2021〕9号

自2021年5月1日起施行

（示例文本，虚构，仅供测试）

<!-- INFO END -->

## 第一章 总则

第一条 为了规范本市党政机关国内公务接待管理，厉行勤俭节约，反对铺张浪费，加强党风廉政建设，根据国家有关规定，结合本市实际，制定本规定。

第二条 本规定适用于本市各级党政机关、人民团体和参照公务员法管理的事业单位（以下统称党政机关）的国内公务接待工作。

本规定所称国内公务，是指出席会议、考察调研、执行任务、学习交流、检查指导、请示汇报工作等公务活动。

第三条 国内公务接待应当坚持有利公务、务实节俭、严格标准、简化礼仪、高效透明的原则。

第四条 市机关事务管理局是本市国内公务接待的主管部门，负责制定接待管理制度和标准，指导、监督党政机关接待工作。

财政、审计部门和纪检监察机关按照各自职责，对国内公务接待经费的管理和使用情况进行监督检查。

第五条 党政机关应当建立健全本单位公务接待管理制度，明确接待工作的归口管理部门，加强对接待审批、接待标准和接待经费的管理。

## 第二章 接待审批

第六条 国内公务接待实行公函制度。接待单位应当凭派出单位的公函安排接待，公函应当载明出差事由、时间、地点、人员名单和联系方式。无公函的公务活动和来访人员，一律不予接待。

第七条 接待单位应当对公函进行审核，按照规定程序填写接待审批单，明确接待对象、接待事项、接待标准和陪同人员，经单位分管领导审批后组织实施。

第八条 党政机关应当加强公务外出计划管理，科学安排和严格控制外出的时间、内容、路线、频率、人员数量，禁止异地部门间没有特别需要的一般性学习交流、考察调研，禁止借公务外出之机游山玩水。

第九条 接待单位应当严格控制陪同人数，不得层层多人陪同。接待对象在10人以内的，陪餐人数不得超过3人；接待对象超过10人的，陪餐人数不得超过接待对象人数的三分之一。

## 第三章 接待标准

### 第一节 住宿和用餐

第十条 接待住宿应当严格执行差旅、会议管理的有关规定，在定点饭店或者机关内部接待场所安排，执行协议价格。出差人员住宿费应当回本单位凭据报销，与会人员住宿费按照会议费管理有关规定执行。

第十一条 接待对象应当按照规定标准自行用餐。确因工作需要，接待单位可以安排工作餐一次，并严格控制陪餐人数。

第十二条 接待单位安排的工作餐，标准为每人每餐不超过120元，应当供应家常菜，以自助餐为主。不得提供鱼翅、燕窝等高档菜肴和用野生保护动物制作的菜肴，不得提供香烟和高档酒水，不得使用私人会所、高消费餐饮场所。

### 第二节 交通、活动和礼品

第十三条 接待单位应当根据接待对象人数和工作需要，合理安排乘车，实行集中乘车，严格控制随行车辆。除特殊安全需要外，不得安排警车带道。

第十四条 接待单位不得组织旅游和与公务活动无关的参观，不得组织到营业性娱乐、健身场所活动，不得安排专场文艺演出。

第十五条 接待单位不得以任何名义向接待对象赠送礼金、有价证券，不得发放或者赠送购物卡、消费卡、商业预付卡和电子红包，不得赠送纪念品和土特产品。接待对象不得收受上述财物，不得要求接待单位提供上述财物。

第十六条 接待场所应当节约使用，不得超标准装修或者装饰，不得超标准配置家具和电器。

## 第四章 经费管理

第十七条 党政机关应当将国内公务接待费用纳入部门预算，单独列示，实行总额控制。禁止在接待费中列支应当由接待对象承担的差旅、会议、培训等费用，禁止以举办会议、培训为名列支、转移、隐匿接待费开支。

第十八条 接待费报销凭证应当包括财务票据、派出单位公函和接待清单。接待清单应当如实反映接待对象的单位、姓名、职务和公务活动项目、时间、场所、费用等内容，由相关负责人审签。

第十九条 接待费用应当通过公务卡或者银行转账结算，原则上不得使用现金支付。不得虚报接待费用，不得将接待费用转嫁、摊派给下属单位、企业或者个人。

第二十条 党政机关应当于每年3月底前，将上一年度国内公务接待费用总额和接待批次、人次情况报同级主管部门，并在部门决算中公开。

## 第五章 监督检查

第二十一条 市机关事务管理局应当会同财政、审计等部门，每年对党政机关国内公务接待工作进行监督检查，检查结果予以通报。

第二十二条 审计机关应当对党政机关国内公务接待经费的管理和使用情况进行审计，审计发现的问题按照规定移送有关部门处理。

第二十三条 违反本规定，有超标准接待、无公函接待、赠送或者收受礼金礼品、违规列支接待费用等行为的，由有关部门责令改正，并依规依纪依法追究相关责任人员的责任。

## 第六章 附则

第二十四条 本市国有企业、事业单位的国内公务接待管理，参照本规定执行。

第二十五条 本规定由中共示例市委办公室、示例市人民政府办公室负责解释，自2021年5月1日起施行。
"""

TALKS_STEM = "示例区机关干部谈心谈话制度(2020-08-01)"
TALKS_TEXT = """\
# 示例区机关干部谈心谈话制度

2020年8月1日 中共示例区委组织部 中共示例区直属机关工作委员会印发 示区组发〔2020〕15号

自印发之日起施行

（示例文本，虚构，仅供测试）

<!-- INFO END -->

## 第一章 总则

第一条 为了加强区直机关干部的日常教育管理监督，坚持严管和厚爱结合、激励和约束并重，规范谈心谈话工作，根据党内有关规定，结合本区实际，制定本制度。

第二条 本制度适用于区直机关各部门党组（党委）和全体干部。

第三条 谈心谈话应当坚持党性原则，坚持实事求是、坦诚相见，坚持以人为本、严管厚爱，做到经常谈、及时谈、真心谈。

## 第二章 谈话内容和形式

### 第一节 一般谈心谈话

第四条 谈心谈话主要围绕干部的思想、工作、作风、廉洁自律和家庭生活等情况进行，重点了解干部的思想动态、工作困难和意见建议。对新入职干部、年轻干部以及长期在基层一线和艰苦岗位工作的干部，应当加强谈心谈话，帮助其解决思想和工作中的困惑。

第五条 谈心谈话包括日常谈心谈话、提醒谈话、任职谈话和离任谈话。对干部进行诫勉的，按照有关规定执行。

第六条 谈心谈话实行定期制度：党组（党委）书记与班子成员每年至少谈心谈话1次；班子成员之间每年至少谈心谈话1次；班子成员与分管科室主要负责人每年至少谈心谈话1次；科室主要负责人与本科室干部每半年至少谈心谈话1次。召开民主生活会、组织生活会前，应当开展一轮谈心谈话。

### 第二节 必谈和提醒谈话

第七条 干部有下列情形之一的，所在单位党组（党委）应当安排谈心谈话：

（一）职务、岗位发生变动的；

（二）受到表彰奖励或者受到处分、处理的；

（三）家庭出现重大变故或者生活遇到较大困难的；

（四）思想、工作出现明显波动的；

（五）群众有反映或者存在苗头性、倾向性问题的。

第八条 发现干部在政治思想、履行职责、工作作风、道德品质、廉政勤政等方面存在苗头性、倾向性问题的，应当及时进行提醒谈话，督促其认识问题、及时改正。

第九条 干部新任职的，由党组（党委）书记或者分管领导进行任职谈话，提出工作要求和廉洁从政要求；干部离任、退休的，应当进行离任谈话，听取其对本单位工作的意见建议，做好工作交接提醒。

## 第三章 谈话要求

第十条 谈话前，谈话人应当事先了解谈话对象的有关情况，明确谈话的目的和重点，做好谈话准备。

第十一条 谈心谈话一般采取面对面个别谈话的方式进行，也可以结合工作实际采取集体谈话、走访谈话等方式。谈话地点应当便于交流，一般安排在办公场所，不得安排在营业性餐饮、娱乐场所。

第十二条 谈话应当坦诚交流、平等沟通，既要指出问题，又要帮助分析原因、提出改进意见。提醒谈话一般由两名以上人员进行。

第十三条 谈话对象应当端正态度，如实说明情况，对谈话中指出的问题认真反思，按照要求进行整改。

第十四条 谈话人应当严格遵守保密纪律，不得泄露谈话中涉及的个人隐私和需要保密的事项。

## 第四章 记录和运用

第十五条 谈心谈话应当做好记录。提醒谈话、任职谈话应当由专人记录，形成书面谈话记录，经谈话对象签字确认后存档。各单位应当统一使用《谈心谈话记录本》，不得事后补记。

第十六条 各单位党组（党委）应当每半年对谈心谈话情况进行一次汇总分析，对反映出的共性问题，研究提出改进措施。对谈话中发现的干部思想、工作和生活方面的实际困难，应当区分情况帮助解决；对反映的问题线索，按照干部管理权限和有关规定处理。

第十七条 谈心谈话情况作为干部日常管理、考核评价和选拔任用的重要参考。

第十八条 区直机关工委应当将谈心谈话开展情况纳入机关党建工作考核，对工作不力的单位予以通报。

## 第五章 附则

第十九条 各单位可以根据本制度制定具体实施办法。

第二十条 本制度由中共示例区委组织部负责解释，自印发之日起施行。
"""

# ---------------------------------------------------------------------------
# Parsing the Markdown form
# ---------------------------------------------------------------------------

ARTICLE_RE = re.compile(r"^(第[一二三四五六七八九十百零〇]+条)\s*(.*)$")


@dataclass
class Doc:
    title: str
    preamble: list[str] = field(default_factory=list)
    # (kind, text) with kind in {"chapter", "section", "article", "para"};
    # for "article" text is (label, rest)
    blocks: list[tuple[str, object]] = field(default_factory=list)


def parse(md: str) -> Doc:
    lines = [ln.strip() for ln in md.splitlines()]
    lines = [ln for ln in lines if ln]
    assert lines[0].startswith("# "), lines[0]
    doc = Doc(title=lines[0][2:].strip())
    i = 1
    while lines[i] != "<!-- INFO END -->":
        doc.preamble.append(lines[i])
        i += 1
    for ln in lines[i + 1:]:
        if ln.startswith("### "):
            doc.blocks.append(("section", ln[4:].strip()))
        elif ln.startswith("## "):
            doc.blocks.append(("chapter", ln[3:].strip()))
        elif m := ARTICLE_RE.match(ln):
            doc.blocks.append(("article", (m.group(1), m.group(2))))
        else:
            doc.blocks.append(("para", ln))
    return doc


# ---------------------------------------------------------------------------
# PDF through headless Chromium
# ---------------------------------------------------------------------------

PAGE_CSS = """
@page {
  size: A4;
  margin: 30mm 26mm 28mm 28mm;
  @bottom-center {
    content: "— " counter(page) " —";
    font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif;
    font-size: 11pt;
  }
}
html { font-family: "Noto Serif CJK SC", "Noto Serif CJK", "Noto Sans CJK SC", serif; }
body { font-size: 15pt; line-height: 1.75; color: #000; margin: 0; }
.doc-no { text-align: center; color: #c00; font-size: 11pt; margin: 0 0 4mm 0; }
.red-rule { border: 0; border-top: 2px solid #c00; margin: 0 0 10mm 0; }
h1 { font-family: "Noto Sans CJK SC", sans-serif; font-weight: 700; font-size: 21pt;
     text-align: center; line-height: 1.5; margin: 0 0 6mm 0; }
.preamble { text-align: center; font-size: 12pt; margin: 0; line-height: 1.6; }
.preamble.last { margin-bottom: 8mm; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 15pt; font-weight: 700;
     text-align: center; margin: 6mm 0 3mm 0; page-break-after: avoid; }
h3 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 15pt; font-weight: 500;
     text-align: center; margin: 4mm 0 2mm 0; page-break-after: avoid; }
p.art, p.para { text-indent: 2em; margin: 0 0 1mm 0; text-align: justify; }
.art-no { font-family: "Noto Sans CJK SC", sans-serif; font-weight: 700; }
"""


def to_html(doc: Doc) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(doc.title)}</title>",
        f"<style>{PAGE_CSS}</style></head><body>",
    ]
    # the preamble line holding the document number goes to the red header
    doc_no = ""
    for ln in doc.preamble:
        m = re.search(r"(\S+〔\d{4}〕\d+号)", ln)
        if m:
            doc_no = m.group(1)
    if doc_no:
        out.append(f'<div class="doc-no">{e(doc_no)}</div><hr class="red-rule">')
    out.append(f"<h1>{e(doc.title)}</h1>")
    for n, ln in enumerate(doc.preamble):
        cls = "preamble last" if n == len(doc.preamble) - 1 else "preamble"
        out.append(f'<p class="{cls}">{e(ln)}</p>')
    for kind, val in doc.blocks:
        if kind == "chapter":
            out.append(f"<h2>{e(val)}</h2>")
        elif kind == "section":
            out.append(f"<h3>{e(val)}</h3>")
        elif kind == "article":
            label, rest = val
            out.append(f'<p class="art"><span class="art-no">{e(label)}</span>　{e(rest)}</p>')
        else:
            out.append(f'<p class="para">{e(val)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def print_pdf(html_path: Path, pdf_path: Path, chromium: str) -> None:
    profile = tempfile.mkdtemp(prefix="xuncha-chromium-")
    try:
        cmd = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}", "--no-pdf-header-footer",
            html_path.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
            raise SystemExit(
                f"chromium failed (rc={proc.returncode}):\n{proc.stderr[-2000:]}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# ---------------------------------------------------------------------------
# DOCX through python-docx
# ---------------------------------------------------------------------------

def _east_asian_font(run_or_style, name: str) -> None:
    from docx.oxml.ns import qn
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def write_docx(doc: Doc, path: Path) -> None:
    try:
        import docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor
    except ImportError:
        raise SystemExit("python-docx is needed: pip install python-docx")

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(16)
    _east_asian_font(normal, "仿宋")
    for sname in ("Title", "Heading 1", "Heading 2"):
        st = d.styles[sname]
        st.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian_font(st, "黑体")

    p = d.add_paragraph(doc.title, style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for ln in doc.preamble:
        p = d.add_paragraph(ln)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for r in p.runs:
            r.font.size = Pt(12)
    for kind, val in doc.blocks:
        if kind == "chapter":
            p = d.add_heading(val, level=1)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "section":
            p = d.add_heading(val, level=2)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            p = d.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            if kind == "article":
                label, rest = val
                r = p.add_run(label)
                r.bold = True
                _east_asian_font(r, "黑体")
                p.add_run(" " + rest)
            else:
                p.add_run(val)

    cp = d.core_properties
    cp.title = doc.title
    cp.author = "示例区委组织部（示例）"
    cp.subject = "示例文本，虚构，仅供测试"
    cp.keywords = "示例; 谈心谈话"
    d.save(str(path))


# ---------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", type=Path, default=REPO / "corpus" / "regulations")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--keep-html", type=Path, default=None,
                    help="also write the HTML page the PDF is printed from into DIR")
    ap.add_argument("--skip-pdf", action="store_true")
    ap.add_argument("--skip-docx", action="store_true")
    args = ap.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)

    if not args.skip_pdf:
        doc = parse(RECEPTION_TEXT)
        page = to_html(doc)
        with tempfile.TemporaryDirectory(prefix="xuncha-html-") as tmp:
            html_path = Path(tmp) / "page.html"
            html_path.write_text(page, encoding="utf-8")
            pdf_path = args.out_dir / f"{RECEPTION_STEM}.pdf"
            print_pdf(html_path, pdf_path, args.chromium)
        if args.keep_html:
            args.keep_html.mkdir(parents=True, exist_ok=True)
            (args.keep_html / f"{RECEPTION_STEM}.html").write_text(page, encoding="utf-8")
        print(f"wrote {pdf_path} ({pdf_path.stat().st_size} bytes)")

    if not args.skip_docx:
        doc = parse(TALKS_TEXT)
        docx_path = args.out_dir / f"{TALKS_STEM}.docx"
        write_docx(doc, docx_path)
        print(f"wrote {docx_path} ({docx_path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

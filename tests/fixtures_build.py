"""Build fixture files at test time (nothing binary is committed): texts, pages, PDFs, .docx, hostile files.

All sample content is fictional (示例…). PDFs are written by hand (a few objects and an xref
table) or printed by headless Chromium; .docx files by python-docx.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = f"{CHROMIUM} not installed (Debian package chromium): cannot print a PDF"
NO_CJK_FONT = "no Chinese font for Chromium (fc-list :lang=zh is empty; Debian package fonts-noto-cjk)"


def chromium_missing() -> str | None:
    """Why Chromium cannot render Chinese pages here, or None when it can."""
    if not CHROMIUM.exists():
        return NO_CHROMIUM
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False) \
        if shutil.which("fc-list") else None
    return None if fonts is None or fonts.stdout.strip() else NO_CJK_FONT

# a small notice in the seed layout (fictional); it cites two sample regulations by article
NOTICE_NAME = "示例区文化局党组关于巡察整改情况的通报.txt"
NOTICE_TEXT = """\
根据区委统一部署,2022年3月1日至4月15日,区委第二巡察组对示例区文化局党组进行了巡察。2022年5月20日,区委第二巡察组向示例区文化局党组反馈了巡察意见。按照巡察工作相关要求,现将巡察整改情况予以公布。
一、提高政治站位,扎实推进巡察整改
区文化局党组针对巡察反馈的2个方面3个问题及2条建议,逐条制定整改措施,明确责任人和整改时限。
二、坚持问题导向,确保整改落实到位
(一)关于落实全面从严治党主体责任不到位方面问题的整改落实情况
1.针对党组议事规则不规范的问题。一是修订《示例区党组议事规则》第八条执行细则,明确20万元以上资金使用须经党组会议集体讨论决定。二是建立议事决策记录台账,2022年6月起共记录议题36项。
2.针对公车管理不严问题。一是严格执行《示例市党政机关公务用车管理办法》第十三条,严禁公车私用。二是安装公务用车定位系统,全局8辆公车全部纳入平台管理。
(二)关于财务管理不规范方面问题的整改落实情况
3.针对财务报销资料审核不严格问题。一是组织财务人员学习《示例市行政事业单位内部控制和采购管理规定》第十三条。二是对2021年以来的报销凭证开展自查,退回不合规票据5张,金额1.2万元。
三、下一步工作打算
区文化局党组将继续巩固整改成果,建立长效机制。
中共示例区文化局党组
2022年8月31日
"""

# a short regulation in the corpus's Markdown form (fictional)
REGULATION_NAME = "示例市档案查阅管理办法(2020-01-01).md"
REGULATION_TEXT = """\
# 示例市档案查阅管理办法

2020年1月1日 示例市档案局印发

<!-- INFO END -->

## 第一章 总则

第一条 为了规范档案查阅工作，保护档案安全，制定本办法。

第二条 本办法适用于本市各级档案馆的档案查阅。

## 第二章 查阅

第三条 查阅档案应当出示有效身份证件，并填写查阅登记表。

第四条 涉密档案的查阅，应当经档案馆负责人批准。

第五条 本办法自2020年1月1日起施行。
"""


def write(path: Path, data: bytes | str) -> Path:
    """Write bytes or UTF-8 text, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------- HTML pages

def saved_page(title: str, heading: str | None, paragraphs: list[str], charset: str = "utf-8") -> str:
    """A news page as browsers save it: header, nav menu, breadcrumb, article, related-links sidebar, footer."""
    body = "\n".join(f"<p>　　{p}</p>" for p in paragraphs)
    head_html = f'<h1 class="arti-title">{heading}</h1>' if heading else ""
    return f"""<!DOCTYPE html>
<!-- saved from url=(0051)http://www.shili.example.gov.cn/art/2022/8/31/1.html -->
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}</title>
<style>.nav li {{ float: left; }} body {{ font-family: "宋体"; }}</style>
<script>var _hmt = _hmt || []; document.write("统计代码");</script>
</head><body>
<div class="top-header"><div class="site-name">示例区人民政府网</div>
  <form action="/search"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
  <li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 正文</div>
<div class="main">
  <div class="article">
    {head_html}
    <div class="arti-info"><span>发布时间：2022-08-31</span><span>来源：区文化局</span></div>
    <div class="TRS_Editor">
{body}
    </div>
    <div class="arti-tools">【打印本页】【关闭窗口】</div>
  </div>
  <div class="sidebar"><div class="side-box"><h3>相关链接</h3><ul>
    <li><a href="/a1.html">示例区召开全区巡察工作动员部署会议</a></li>
    <li><a href="/a2.html">示例区纪委监委通报三起违反中央八项规定精神典型问题</a></li>
  </ul></div></div>
</div>
<div class="footer"><p>版权所有：示例区人民政府办公室　网站标识码：0000000000</p>
  <p>备案号：示ICP备00000000号-1　<a href="/sitemap.html">网站地图</a>　联系我们</p></div>
</body></html>
"""


# ---------------------------------------------------------------------------------------------- PDFs by hand

def pdf_from_objects(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of numbered objects (1 0 obj … in order), a correct xref table, and /Root 1 0 R."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """A stream object body."""
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def page_objects(text: str = "Archive test page: the quick brown fox jumps over the lazy dog.") -> list[bytes]:
    """Catalog, Pages, one Page, its content stream (Helvetica text) and the font: objects 1-5."""
    content = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    return [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]


def simple_pdf(text: str = "Archive test page: the quick brown fox jumps over the lazy dog.") -> bytes:
    """A valid one-page PDF with an ASCII text layer."""
    return pdf_from_objects(page_objects(text))


def reference_loop_pdf() -> bytes:
    """/Pages points at an object that is a reference to a reference back to it: pdfminer resolves forever."""
    objects = page_objects()
    objects[0] = b"<< /Type /Catalog /Pages 6 0 R >>"
    objects += [b"7 0 R", b"6 0 R"]
    return pdf_from_objects(objects)


def deep_pages_pdf(depth: int = 3000) -> bytes:
    """A page tree nested `depth` levels deep: pdfminer's recursive walk overflows."""
    objects = page_objects()
    objects[1] = b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>"
    for i in range(depth):
        child = b"3 0 R" if i == depth - 1 else b"%d 0 R" % (7 + i)
        objects.append(b"<< /Type /Pages /Kids [%s] /Count 1 /Parent %d 0 R >>" % (child, 2 if i == 0 else 5 + i))
    objects[2] = objects[2].replace(b"/Parent 2 0 R", b"/Parent %d 0 R" % (5 + depth))
    return pdf_from_objects(objects)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: bytes, text: str = "Archive test page: the quick brown fox jumps over the lazy "
                  "dog.") -> bytes:
    """A PDF encrypted with the standard security handler (RC4 40-bit, revision 2), as Acrobat 3 wrote them.

    An empty user password is the common "copy protected" government PDF every reader opens; any
    other needs the password.
    """
    file_id = hashlib.md5(b"xuncha-test").digest()
    permissions = -44
    owner_key = hashlib.md5((b"owner-secret" + _PAD)[:32]).digest()[:5]
    o_value = _rc4(owner_key, (user_password + _PAD)[:32])
    key = hashlib.md5((user_password + _PAD)[:32] + o_value + struct.pack("<i", permissions) + file_id).digest()[:5]
    u_value = _rc4(key, _PAD)
    objects = page_objects(text)
    content = objects[3].split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    object_key = hashlib.md5(key + struct.pack("<i", 4)[:3] + b"\x00\x00").digest()[:10]
    objects[3] = stream(_rc4(object_key, content))
    objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
                   % (o_value.hex().encode(), u_value.hex().encode(), permissions))
    return pdf_from_objects(objects, trailer=b"/Encrypt 6 0 R /ID [<%s> <%s>]"
                            % (file_id.hex().encode(), file_id.hex().encode()))


def _png_rgb(png: bytes) -> tuple[int, int, bytes] | None:
    """(width, height, zlib data with PNG row filters) of an 8-bit RGB, non-interlaced PNG; None otherwise."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", png[16:29])
    if depth != 8 or colour != 2 or interlace != 0:
        return None
    pos, idat = 8, bytearray()
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, bytes(idat)


def image_pdf(png: bytes) -> bytes:
    """A one-page PDF that is only a picture (what a scanner makes): no fonts, no text layer."""
    parsed = _png_rgb(png)
    if parsed is None:
        raise ValueError("expected an 8-bit RGB PNG")
    width, height, idat = parsed
    # PDF's Flate filter takes PNG-filtered rows as they are (Predictor 15), so no decoding is needed
    image = stream(idat, b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                         b"/BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 "
                         b"/BitsPerComponent 8 /Columns %d >>" % (width, height, width))
    w_pt, h_pt = width * 72 // 96, height * 72 // 96
    return pdf_from_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im1 5 0 R >> >> "
        b"/Contents 4 0 R >>" % (w_pt, h_pt),
        stream(b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (w_pt, h_pt)),
        image,
    ])


# ---------------------------------------------------------------------------------------------- Chromium

def _chromium(tmp: Path, *args: str) -> None:
    profile = tmp / "chromium-profile"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    proc = subprocess.run(cmd, capture_output=True, timeout=90, check=False)
    shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"chromium failed ({proc.returncode}): {proc.stderr.decode('utf-8', 'replace')[-500:]}")


def print_pdf(html: str, out: Path) -> Path:
    """Print an HTML page to PDF with headless Chromium (a real CJK text layer, as browsers write it)."""
    page = write(out.with_suffix(".src.html"), html)
    _chromium(out.parent, "--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri())
    if not out.is_file():
        raise RuntimeError("chromium wrote no PDF")
    return out


def scanned_pdf(lines: list[str], out: Path) -> Path:
    """A PDF holding only a picture of Chinese text: Chromium screenshots large text, the PNG becomes the page."""
    html = ("<!doctype html><html><head><meta charset='utf-8'><style>body{margin:24px;background:#fff;color:#000;"
            "font-size:48px;line-height:1.6;font-family:'Noto Sans CJK SC',sans-serif}</style></head><body>"
            + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>")
    page = write(out.with_suffix(".src.html"), html)
    png = out.with_suffix(".png")
    _chromium(out.parent, "--window-size=640,360", f"--screenshot={png}", page.as_uri())
    try:
        return write(out, image_pdf(png.read_bytes()))
    except ValueError:  # not 8-bit RGB (a Chromium that writes alpha): let Chromium place the picture
        holder = ("<html><head><style>@page{size:640px 360px;margin:0}body{margin:0}</style></head><body>"
                  f"<img src='{png.as_uri()}' width='640' height='360'></body></html>")
        return print_pdf(holder, out)


# ---------------------------------------------------------------------------------------------- .docx

def docx(out: Path, heading: str, paragraphs: list[str], core_title: str | None = None) -> Path:
    """A Word file built with python-docx: a Title paragraph, then body paragraphs in order."""
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading(heading, 0)
    for text in paragraphs:
        document.add_paragraph(text)
    # python-docx's template carries no title of its own; set one only when asked
    document.core_properties.title = core_title or ""
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


def zip_bomb_docx(inflated_mb: int, declared_size: int | None = None) -> bytes:
    """A .docx whose document.xml inflates to `inflated_mb` MB; `declared_size` makes its headers lie."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=False) as fh:
            fh.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">')
            block = b" " * 2**20
            for _ in range(inflated_mb):
                fh.write(block)
            fh.write(b"</w:document>")
    data = bytearray(buf.getvalue())
    if declared_size is not None:
        name = b"word/document.xml"
        # (signature, offset of the uncompressed size, offset of the name length, header length)
        for signature, size_at, name_len_at, fixed in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
            pos = data.find(signature)
            while pos >= 0:
                (name_len,) = struct.unpack_from("<H", data, pos + name_len_at)
                if data[pos + fixed:pos + fixed + name_len] == name:
                    struct.pack_into("<I", data, pos + size_at, declared_size)
                pos = data.find(signature, pos + 4)
    return bytes(data)


def billion_laughs_docx() -> bytes:
    """A .docx whose document.xml defines nested entities that would expand to gigabytes."""
    entities = '<!ENTITY a0 "哈哈哈哈哈哈哈哈哈哈">' + "".join(
        f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           '<w:t>&a9;</w:t></w:r></w:p></w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", xml)
    return buf.getvalue()


def junk(size: int, seed: int = 7) -> bytes:
    """Deterministic binary junk (a hash chain: NUL and control bytes throughout)."""
    out, block = bytearray(), hashlib.sha256(str(seed).encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


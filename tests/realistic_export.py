"""A Notion "Markdown & CSV" export written the way Notion writes one, for realism tests.

Every quirk here was seen in real exports: `Title <32-hex id>` names with emoji, umlauts, CJK,
parentheses and a title cut short; sub-pages in a folder named like the page (with its id, or
without it as newer exports do); `# Title` first, then a database row's `Key: value` lines;
databases as `Name <id>.csv` + `Name <id>_all.csv` (BOM, quoted cells) and a folder of row pages,
one of them untitled, one without a body; percent-encoded relative links, images and
attachments stored next to the page; callouts as `<aside>` with Notion's icon `<img>`, toggles as
`<details>`, to-dos, tables, equations, fenced code; `notion.so` links between pages. The export
is returned as {path: text or bytes}; `write_folder`, `write_zip` and `write_nested_zip` lay it out.
"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

IDS = {
    name: f"{index:02x}" + "5e" * 15
    for index, name in enumerate(
        [
            "home",
            "meeting",
            "strasse",
            "reading",
            "row_deep",
            "row_empty",
            "row_untitled",
            "dokusho",
            "planning",
            "long",
            "notes_a",
            "notes_b",
            "archive",
            "untitled_a",
            "untitled_b",
            "projects",
            "row_quoted",
            "goals",
            "draft",
        ],
        start=1,
    )
}
EXPORTED = datetime(2024, 3, 4, 10, 0, 0, tzinfo=UTC)
LONG_TITLE = "A very long page title about the quarterly budget review meeting with the whole finance team and"
LONG_TITLE_FULL = LONG_TITLE + " everyone else who asked to be invited"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def link(*parts: str) -> str:
    """A relative export link as Notion writes it: each path part percent-encoded, `(`, `)` kept."""
    return "/".join(quote(part, safe="()") for part in parts)


def export_files() -> dict[str, str | bytes]:
    """The export's files by path; text for pages and tables, bytes for images and attachments."""
    i = IDS
    home = f"Home 🏠 {i['home']}"
    meeting = f"Meeting notes (weekly) {i['meeting']}"
    reading = f"Reading List {i['reading']}"
    goals, draft = f"Goals 2024 25 {i['goals']}", f"[Draft] Launch plan {i['draft']}"  # `:` and `/` dropped
    # a relation cell names the related page and its path from the CSV
    project = link(f"Projects {i['projects']}.md")
    deep_row = f'Deep Work,"productivity, habits","March 3, 2024 4:05 PM",Done,Projects ({project})'
    files: dict[str, str | bytes] = {
        f"{home}.md": (
            "# Home 🏠\n\n"
            "<aside>\n"
            '<img src="/icons/light-bulb_yellow.svg" alt="/icons/light-bulb_yellow.svg" width="40px" />\n\n'
            "The cabin wifi password is **lantern-42**; the router sits behind the bookshelf.\n\n"
            "</aside>\n\n"
            f"See [Meeting notes (weekly)]({link(home, meeting + '.md')}) and "
            f"[Über Straße]({link(home, 'Über Straße ' + i['strasse'] + '.md')}).\n\n"
            f"My books: [Reading List]({link(reading + '.csv')}), my [Goals: 2024/25]({link(goals + '.csv')}), "
            f"the [[Draft] Launch plan]({quote(draft)}.md).\n\n"
            "[invoice.pdf](https://prod-files-secure.s3.us-west-2.amazonaws.com/4f1c/9a2e/invoice.pdf"
            "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20240304&X-Amz-Signature=9f8e7d)\n\n"
            f"![Untitled]({link(home, 'Untitled.png')})\n\n"
            f"![Floor plan of the cabin]({link(home, 'floor plan.png')})\n\n"
            f"[Rental contract.pdf]({link(home, 'Rental contract.pdf')})\n\n"
            "<details>\n<summary>Dentist</summary>\n\n"
            "The next dentist appointment is on Tuesday at 9:30 with Dr. Albers.\n\n"
            "</details>\n\n"
            "- [ ]  Renew the passport\n- [x]  Pay the rent\n\n"
            "$$\nE = mc^2\n$$\n\n"
            "```python\nprint('hello')\n```\n\n"
            "| Part | Torque |\n| --- | --- |\n| Stem bolts | 5 Nm<br>carbon paste |\n| Seat post | 6 Nm |\n"
        ),
        f"{home}/Untitled.png": PNG,
        f"{home}/floor plan.png": PNG,
        f"{home}/Rental contract.pdf": PDF,
        f"{home}/{meeting}.md": (
            "# Meeting notes (weekly)\n\n"
            f"Back [home]({link('..', home + '.md')}). Agenda lives in "
            f"[Q1/Q2 Planning](https://www.notion.so/Q1-Q2-Planning-{i['planning']}?pvs=21). "
            "Jump to [decisions](#6a1f0c2e).\n\n"
            "- Toggle: decisions\n    \n    We agreed to move the standup to 10:15 on Mondays.\n"
        ),
        f"{home}/Über Straße {i['strasse']}.md": (
            "# Über Straße\n\nDie Straßenbahn fährt alle zwölf Minuten ab Haltestelle Königsplatz.\n"
        ),
        f"読書メモ {i['dokusho']}.md": "# 読書メモ\n\n村上春樹の小説を読んだ。とても面白かった。\n",
        f"Q1 Q2 Planning {i['planning']}.md": (
            "# Q1/Q2 Planning\n\nNote: this page is not a database row.\n\nThe Q2 launch date is May 14.\n"
        ),
        f"{LONG_TITLE} {i['long']}.md": f"# {LONG_TITLE_FULL}\n\nThe budget review moved to room 4B.\n",
        # the same title in two folders: two pages
        f"Projects {i['projects']}.md": "# Projects\n\nActive projects.\n",
        f"Projects {i['projects']}/Notes {i['notes_a']}.md": "# Notes\n\nProject notes: the kiln fires at 1240 °C.\n",
        f"Archive {i['archive']}.md": "# Archive\n\nOld things.\n",
        # a newer export: the sub-page folder carries no id
        f"Archive/Notes {i['notes_b']}.md": "# Notes\n\nArchived notes: the old office code was 7391.\n",
        # two untitled pages
        f"Untitled {i['untitled_a']}.md": "# Untitled\n\nGrocery list: oat milk, lentils, basil.\n",
        f"Untitled {i['untitled_b']}.md": "# Untitled\n\n",
        f"{goals}.csv": "\ufeffName,Quarter\nRun a marathon,Q3\n",
        f"{goals}/Run a marathon {i['row_empty'][:-2]}aa.md": "# Run a marathon\n\nQuarter: Q3\n",
        f"{draft}.md": "# [Draft] Launch plan\n\nLaunch on a Thursday.\n",
        # a database: view CSV, full CSV, row pages
        f"{reading}.csv": f"\ufeffName,Tags,Created,Status,Project\n{deep_row}\n",
        f"{reading}_all.csv": (
            "\ufeffName,Tags,Created,Status,Project\n"
            f"{deep_row}\n"
            'Empty row,fiction,"March 5, 2024 9:00 AM",To read,\n'
            ',,"March 6, 2024 8:00 AM",,\n'
            '"Thinking, Fast and Slow",psychology,"March 7, 2024 1:00 PM",Reading,\n'
        ),
        f"{reading}/Deep Work {i['row_deep']}.md": (
            "# Deep Work\n\nTags: productivity, habits\nCreated: March 3, 2024 4:05 PM\nStatus: Done\n"
            f"Project: Projects ({link('..', 'Projects ' + i['projects'] + '.md')})\n\n"
            "Schedule deep work blocks of 90 minutes every morning before checking email.\n"
        ),
        f"{reading}/Empty row {i['row_empty']}.md": (
            "# Empty row\n\nTags: fiction\nCreated: March 5, 2024 9:00 AM\nStatus: To read\n"
        ),
        f"{reading}/Untitled {i['row_untitled']}.md": (
            "# Untitled\n\nCreated: March 6, 2024 8:00 AM\n\nA row nobody named: borrow the ladder from Jonas.\n"
        ),
        f"{reading}/Thinking, Fast and Slow {i['row_quoted']}.md": (
            "# Thinking, Fast and Slow\n\nTags: psychology\nCreated: March 7, 2024 1:00 PM\nStatus: Reading\n\n"
            "System 1 is fast and intuitive; System 2 is slow and deliberate.\n"
        ),
    }
    return files


def _bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def write_folder(root: Path, files: dict[str, str | bytes], when: datetime = EXPORTED) -> Path:
    """The export unzipped into `root`, every file stamped `when`."""
    for name, value in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_bytes(value))
        os.utime(path, (when.timestamp(), when.timestamp()))
    return root


def zip_bytes(files: dict[str, str | bytes], when: datetime = EXPORTED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=when.timetuple()[:6]), _bytes(value))
    return buffer.getvalue()


def write_zip(path: Path, files: dict[str, str | bytes], when: datetime = EXPORTED) -> Path:
    path.write_bytes(zip_bytes(files, when))
    return path


def write_nested_zip(path: Path, files: dict[str, str | bytes], when: datetime = EXPORTED, parts: int = 2) -> Path:
    """Newer exports: an outer zip holding `Export-<uuid>-Part-N.zip`, the pages split among parts."""
    names = sorted(files)
    inner = {
        f"Export-0f3c8a52-7d1e-4f7b-9a3e-2b6c1d4e5f60-Part-{n + 1}.zip": zip_bytes(
            {name: files[name] for name in names[n::parts]}, when
        )
        for n in range(parts)
    }
    return write_zip(path, inner, when)


HTML_HEAD = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"/><title>{title}</title>'
HTML_HEAD += "<style>/* cspell:disable-file */ html { color: rgb(55, 53, 47); }</style></head><body>"


def _html_page(title: str, header_extra: str, body: str) -> str:
    """One page as Notion's HTML export writes it (an `article.page` with header and body)."""
    return (
        HTML_HEAD.replace("{title}", title)
        + '<article id="3f0c2a1e-0000-4000-8000-000000000000" class="page sans"><header>'
        + '<div class="page-header-icon undefined"><span class="icon">📄</span></div>'
        + f'<h1 class="page-title">{title}</h1>'
        + f'<p class="page-description"></p>{header_extra}</header><div class="page-body">{body}</div></article>'
        + '<span class="sans" style="font-size:14px;padding-top:2em"></span></body></html>'
    )


def html_export_files() -> dict[str, str | bytes]:
    """The same kind of workspace exported as HTML: a page, a sub-page, a database and its rows."""
    i = IDS
    garden, tasks, row = f"Garden {i['home']}", f"Tasks {i['reading']}", f"Prune roses {i['row_deep']}"
    property_icon = '<span class="icon property-icon"><svg role="graphics-symbol" viewBox="0 0 16 16"></svg></span>'
    katex = (
        '<span class="katex"><span class="katex-mathml"><math><semantics><mrow><mi>E</mi></mrow>'
        '<annotation encoding="application/x-tex">E = mc^2</annotation></semantics></math></span>'
        '<span class="katex-html" aria-hidden="true"><span class="mord">E=mc2</span></span></span>'
    )
    return {
        f"{garden}.html": _html_page(
            "Garden",
            "",
            '<figure class="block-color-gray_background callout" style="white-space:pre-wrap;display:flex">'
            '<div style="font-size:1.5em"><span class="icon">💡</span></div><div style="width:100%">'
            "The tomatoes need watering every second evening.</div></figure>"
            f'<p>Soil notes are in <a href="{link(garden, "Soil " + i["meeting"] + ".html")}">Soil</a>.</p>'
            '<ul class="to-do-list"><li><div class="checkbox checkbox-on"></div> <span>Buy seeds</span></li></ul>'
            '<ul class="to-do-list"><li><div class="checkbox checkbox-off"></div> <span>Fix the fence</span></li></ul>'
            '<nav class="block-color-gray table_of_contents"><div><a href="#abc">Beds</a></div></nav>'
            '<ul class="toggle"><li><details open=""><summary>Compost</summary>'
            "<p>Turn the compost heap every three weeks.</p></details></li></ul>"
            f'<figure class="equation"><div class="equation-container"><span class="katex-display">{katex}'
            "</span></div></figure>"
            '<pre class="code"><code class="language-Python">print("rake")</code></pre>'
            f'<figure class="image"><a href="{link(garden, "bed.png")}"><img style="width:672px" '
            f'src="{link(garden, "bed.png")}"/></a></figure>',
        ),
        f"{garden}/bed.png": PNG,
        f"{garden}/Soil {i['meeting']}.html": _html_page(
            "Soil", "", f'<p>The beds want a pH of 6.5; <a href="{link("..", garden + ".html")}">back</a>.</p>'
        ),
        f"{tasks}.html": _html_page(
            "Tasks",
            "",
            '<table class="collection-content"><thead><tr>'
            f"<th>{property_icon}Name</th><th>{property_icon}Tags</th><th>{property_icon}Status</th></tr></thead>"
            f'<tbody><tr id="r1"><td class="cell-title"><a href="{link(tasks, row + ".html")}">Prune roses</a></td>'
            '<td class="cell-tags"><span class="selected-value select-value-color-red">garden</span>'
            '<span class="selected-value select-value-color-blue">spring</span></td>'
            '<td class="cell-status"><span class="status-value">Done</span></td></tr></tbody></table>',
        ),
        f"{tasks}/{row}.html": _html_page(
            "Prune roses",
            '<table class="properties"><tbody>'
            f'<tr class="property-row property-row-multi_select"><th>{property_icon}Tags</th><td>'
            '<span class="selected-value select-value-color-red">garden</span>'
            '<span class="selected-value select-value-color-blue">spring</span></td></tr>'
            f'<tr class="property-row property-row-status"><th>{property_icon}Status</th><td>'
            '<span class="status-value">Done</span></td></tr></tbody></table>',
            "<p>Cut the roses back to five buds in early March.</p>",
        ),
        f"{garden}/an uploaded page.html": "<html><body><p>an attachment, not a Notion page</p></body></html>",
    }

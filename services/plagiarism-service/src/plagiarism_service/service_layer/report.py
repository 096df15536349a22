"""A check as a readable HTML page: the CNKI figures, then the submitted text with the matched
passages marked (red: copied; grey: a cited quotation; blue: the authors' own earlier publications).
No verdict: application-service decides POL-PA-4 on the ratio the city office chose for the year."""

from __future__ import annotations

from html import escape
from typing import Any

_FIGURES = (
    ("total_copy_ratio", "总文字复制比"),
    ("copy_ratio_excluding_quotes", "去除引用文献复制比"),
    ("copy_ratio_excluding_own", "去除本人已发表文献复制比"),
    ("max_single_source_ratio", "单篇最大文字复制比"),
)
_STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.8; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2em .6em; text-align: left; }
mark.counted { background: #f8c4c4; } mark.quoted { background: #ddd; } mark.own { background: #c4daf8; }
.text { white-space: pre-wrap; border: 1px solid #ccc; padding: 1em; }
"""


def _percent(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def render_report(view: dict[str, Any], text: str) -> str:
    passages = sorted(view.get("passages") or [], key=lambda p: (p["start"], p["end"]))
    rows = "".join(f"<tr><th>{label}</th><td>{_percent(view.get(key))}</td></tr>" for key, label in _FIGURES)
    status = {"completed": "检测完成", "running": "检测中", "rejected": "无法检测"}.get(view.get("status") or "", "")
    marked: list[str] = []
    pos = 0
    for p in passages:
        start, end = max(p["start"], pos), min(p["end"], len(text))
        if start >= end:
            continue
        kind = "own" if p.get("own") else "quoted" if p.get("quoted") else "counted"
        title = f"{p['source_external_id']} [{p['source_start']}, {p['source_end']})"
        marked.append(escape(text[pos:start]))
        marked.append(f'<mark class="{kind}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        pos = end
    marked.append(escape(text[pos:]))
    listing = "".join(
        f"<tr><td>{p['start']}–{p['end']}</td><td>{escape(p['source_external_id'])}</td>"
        f"<td>{p['source_start']}–{p['source_end']}</td><td>{'是' if p.get('quoted') else ''}</td>"
        f"<td>{'是' if p.get('own') else ''}</td></tr>"
        for p in passages
    )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>查重报告 {escape(view['id'])}</title><style>{_STYLE}</style></head><body>"
        f"<h1>文字复制检测报告</h1><p>论文：{escape(view.get('title') or '')}　"
        f"作者：{escape('，'.join(view.get('authors') or []))}　状态：<strong>{escape(status)}</strong></p>"
        f"<table>{rows}</table>"
        "<h2>相似片段</h2><table><tr><th>送检文本位置</th><th>来源文献</th><th>来源位置</th>"
        f"<th>引用</th><th>本人文献</th></tr>{listing}</table>"
        f'<h2>全文</h2><div class="text">{"".join(marked)}</div></body></html>'
    )

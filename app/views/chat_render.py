"""The chat transcript as HTML for a QTextBrowser: Markdown and code blocks rendered, per-message
stats, citations and actions as links (``act:copy:ID``, ``cite:ID:N``, ``steps:ID``), compare
answers side by side.

Model output is untrusted text: raw HTML in it is escaped (markdown-it with ``html`` off), and link
targets other than http(s) are dropped by markdown-it's own validator.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache

from PySide6.QtCore import QCoreApplication

from app.core.chat_store import MessageInfo

STEP_TEXT_CHARS = 600


@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])


@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    out = _md().render(text)
    # QTextBrowser ignores most CSS on <pre>; a table cell gives code blocks a background that shows.
    return out.replace("<pre>", '<table width="100%" cellpadding="8" class="code"><tr><td><pre>').replace(
        "</pre>", "</pre></td></tr></table>")


def style_sheet(colors: dict) -> str:
    return f"""
    body {{ color: {colors['text']}; }}
    table.code {{ background-color: {colors['code_bg']}; }}
    pre, code {{ font-family: 'DejaVu Sans Mono', 'Noto Sans Mono', monospace; }}
    code {{ background-color: {colors['code_bg']}; }}
    .meta {{ color: {colors['muted']}; font-size: small; }}
    .role {{ font-weight: bold; }}
    .error {{ color: {colors['error']}; }}
    .warn {{ color: {colors['warn']}; }}
    a {{ color: {colors['link']}; text-decoration: none; }}
    """


# An engine wait shorter than this is not worth a word in the stats line.
WAIT_SHOWN_S = 1.0


def _stats_line(m: MessageInfo) -> str:
    stats = m.meta.get("stats") or {}
    parts = []
    wait = stats.get("engine_wait_s") or 0.0
    if stats.get("ttft_s") is not None and wait >= WAIT_SHOWN_S:
        # time to first token counts from the Send: the wait for the model is said, not hidden
        parts.append(QCoreApplication.translate("ChatView", "waited {w:.0f} s for the model, first token {s:.2f} s after")
                     .format(w=wait, s=max(0.0, stats["ttft_s"] - wait)))
    elif stats.get("ttft_s") is not None:
        parts.append(QCoreApplication.translate("ChatView", "first token {s:.2f} s").format(s=stats["ttft_s"]))
    if stats.get("tokens_per_s"):
        parts.append(QCoreApplication.translate("ChatView", "{v:.1f} tokens/s").format(v=stats["tokens_per_s"]))
    if stats.get("prompt_tokens") is not None and stats.get("completion_tokens") is not None:
        parts.append(QCoreApplication.translate("ChatView", "{p} prompt + {c} answer tokens").format(p=stats["prompt_tokens"], c=stats["completion_tokens"]))
    return " · ".join(parts)


def error_next_step(code: str) -> str:
    return {
        "chat.not_running": QCoreApplication.translate("ChatView", "The model engine is not running. Press Load to start it; the Logs panel has its output."),
        "chat.connection_lost": QCoreApplication.translate("ChatView", "The model engine stopped while answering (it may have crashed). Press Load to start it again; the Logs panel has its output."),
        "chat.engine_failed": QCoreApplication.translate("ChatView", "The model engine could not start. Check the message above and the Logs panel, then press Load to try again."),
        "chat.auth": QCoreApplication.translate("ChatView", "The server refused the API key. In Settings → Chat engines, remove this endpoint and add it again with the right key."),
        "chat.context_too_long": QCoreApplication.translate("ChatView", "The conversation is longer than the model can read. Start a new chat, shorten the system prompt, or lower Max tokens."),
        "chat.remote_missing": QCoreApplication.translate("ChatView", "Choose another model: this remote endpoint was removed in Settings."),
        "chat.not_found": QCoreApplication.translate("ChatView", "The server does not know this model name. Check the model id of the remote endpoint in Settings."),
        "kb.failed": QCoreApplication.translate("ChatView", "Searching the knowledge bases failed. Check them in the Knowledge panel, or detach them from this chat."),
        "chat.adapter_failed": QCoreApplication.translate("ChatView", "The adapter could not be loaded into the running engine. Check that its folder still exists, then send again (or press Unload and Load to start the engine with it)."),
    }.get(code, QCoreApplication.translate("ChatView", "Try again; if it keeps failing, the Logs panel has the details."))


def _steps_html(m: MessageInfo, expanded: bool) -> str:
    steps = m.meta.get("steps") or []
    if not steps:
        return ""
    calls = [s for s in steps if s.get("type") == "tool_call"]
    head = QCoreApplication.translate("ChatView", "Tool steps: {n}").format(n=len(calls)) if calls else QCoreApplication.translate("ChatView", "Steps: {n}").format(n=len(steps))
    arrow = "▾" if expanded else "▸"
    out = [f'<p class="meta"><a href="steps:{m.id}">{arrow} {html.escape(head)}</a></p>']
    if expanded:
        rows = []
        for s in steps:
            kind = s.get("type")
            if kind == "tool_call":
                args = json.dumps(s.get("args", {}), ensure_ascii=False)
                tool = html.escape(QCoreApplication.translate("ChatView", "Tool"))
                rows.append(f"<b>{tool}:</b> <code>{html.escape(str(s.get('name', '')))}</code> "
                            f"<code>{html.escape(args[:STEP_TEXT_CHARS])}</code>")
            elif kind == "tool_result":
                text = str(s.get("text", ""))
                if s.get("code"):  # a refusal with its reason in the interface language
                    from app.views.error_texts import text_for

                    text = text_for(str(s["code"]), dict(s.get("params") or {}), text)
                if len(text) > STEP_TEXT_CHARS:
                    text = text[:STEP_TEXT_CHARS] + "…"
                cls = "" if s.get("ok", True) else ' class="error"'
                result = html.escape(QCoreApplication.translate("ChatView", "Result"))
                rows.append(f"<span{cls}><b>{result}:</b> {html.escape(text)}</span>")
            elif kind == "approval":
                asked = html.escape(QCoreApplication.translate("ChatView", "Asked to read files in"))
                verdict = (QCoreApplication.translate("ChatView", "allowed") if s.get("allow")
                           else QCoreApplication.translate("ChatView", "refused"))
                rows.append(f'<span class="warn">{asked} {html.escape(str(s.get("folder", "")))}: '
                            f"{html.escape(verdict)}</span>")
            elif s.get("text"):
                rows.append(html.escape(str(s["text"])[:STEP_TEXT_CHARS]))
        out.append('<p class="meta">' + "<br>".join(rows) + "</p>")
    return "".join(out)


def warning_text(w: dict) -> str:
    """A warning of an agent turn (``{"code", "message", "params"}``) in the interface language."""
    from app.views.error_texts import text_for

    params = dict(w.get("params") or {})
    params.setdefault("model", "")
    params.setdefault("engine", "")
    return text_for(str(w.get("code", "")), params, str(w.get("message", "")))


def _warnings_html(m: MessageInfo) -> str:
    warnings = [w for w in m.meta.get("warnings") or [] if isinstance(w, dict)]
    return "".join(f'<p class="warn">⚠ {html.escape(warning_text(w))}</p>' for w in warnings)


def waiting_text(m: MessageInfo, now: float | None = None) -> str:
    """What an answer that has no text yet is waiting for; the wait for the model counts seconds."""
    import time

    phase = m.meta.get("phase")
    if phase == "loading" and m.meta.get("sent_at"):
        seconds = max(0, int((now if now is not None else time.time()) - float(m.meta["sent_at"])))
        return QCoreApplication.translate("ChatView", "Starting the model… {s} s").format(s=seconds)
    return {"retrieving": QCoreApplication.translate("ChatView", "Searching the knowledge bases…"), "loading": QCoreApplication.translate("ChatView", "Loading the model…"),
            "agent": QCoreApplication.translate("ChatView", "Thinking…")}.get(phase, QCoreApplication.translate("ChatView", "Waiting for the first token…"))


def _citations_html(m: MessageInfo) -> str:
    cites = m.meta.get("citations") or []
    if not cites:
        return ""
    links = []
    for c in cites:
        name = str(c.get("file", "")).replace("\\", "/").rsplit("/", 1)[-1]
        where = f"{name}, p. {c['page']}" if c.get("page") else name
        links.append(f'<a href="cite:{m.id}:{c.get("n")}">[{c.get("n")}] {html.escape(where)}</a>')
    label = html.escape(QCoreApplication.translate("ChatView", "Sources"))
    return f'<p class="meta">{label}: ' + " &nbsp; ".join(links) + "</p>"


def _support_html(m: MessageInfo) -> str:
    """The support check's verdict on a grounded answer: said only when something is off."""
    support = m.meta.get("support") or {}
    status = support.get("status")
    if status == "unsupported":
        facts = ", ".join(str(f) for f in support.get("missing") or [])
        note = QCoreApplication.translate("ChatView", "Not supported by the sources: {facts} appear in none of "
                                                      "the retrieved passages. Check this answer before you use it.")
        return f'<p class="warn">⚠ {html.escape(note.format(facts=facts))}</p>'
    if status == "miscited":
        where = ", ".join(f"{f} → [{n}]" for f, n in (support.get("elsewhere") or {}).items())
        note = QCoreApplication.translate("ChatView", "Cited the wrong source: {where} (the fact is in that "
                                                      "passage, not in the one the answer cites).")
        return f'<p class="warn">{html.escape(note.format(where=where))}</p>'
    return ""


def message_body(m: MessageInfo, text: str, *, live: bool, expanded_steps: bool, is_last: bool) -> str:
    role = m.role
    if role == "user":
        who = QCoreApplication.translate("ChatView", "You")
    elif role == "assistant":
        who = m.meta.get("label") or m.meta.get("model") or QCoreApplication.translate("ChatView", "Assistant")
    else:
        who = role
    head = f'<p><span class="role">{html.escape(str(who))}</span>'
    if m.meta.get("rag") == "grounded":
        grounded = html.escape(QCoreApplication.translate("ChatView", "from your knowledge bases"))
        head += f' <span class="meta">· {grounded}</span>'
    head += "</p>"
    parts = [head, _warnings_html(m), _steps_html(m, expanded_steps)]
    if text.strip():
        parts.append(render_markdown(text))
    elif live:
        parts.append(f'<p class="meta">{html.escape(waiting_text(m))}</p>')
    if m.status == "error":
        err = m.meta.get("error") or QCoreApplication.translate("ChatView", "Something went wrong.")
        from app.views.error_texts import text_for

        err = text_for(str(m.meta.get("error_code") or ""), m.meta.get("error_params"), str(err))
        parts.append(f'<p class="error">⚠ {html.escape(str(err))}</p>'
                     f'<p class="meta">{html.escape(error_next_step(str(m.meta.get("error_code", ""))))}</p>')
    elif m.status == "interrupted":
        why = (QCoreApplication.translate("ChatView", "Stopped by you.") if m.meta.get("interrupted_by") == "user"
               else QCoreApplication.translate("ChatView", "Interrupted: the app closed before this answer finished. The text above is what was saved."))
        parts.append(f'<p class="warn">{html.escape(why)}</p>')
    parts.append(_citations_html(m))
    invented, pages = m.meta.get("invented_citations") or [], m.meta.get("unsupported_pages") or []
    if invented:
        note = QCoreApplication.translate("ChatView", "The model cited sources that do not exist ({numbers}); "
                                                      "those markers were removed.")
        parts.append(f'<p class="warn">{html.escape(note.format(numbers=", ".join(f"[{n}]" for n in invented)))}</p>')
    if pages:
        note = QCoreApplication.translate("ChatView", "The answer names page {pages}, but none of the sources is on "
                                                      "that page: check it against the sources.")
        parts.append(f'<p class="warn">{html.escape(note.format(pages=", ".join(map(str, pages))))}</p>')
    parts.append(_support_html(m))
    footer = []
    if role == "assistant" and not live:
        line = _stats_line(m)
        if line:
            footer.append(html.escape(line))
    if not live:
        copy = html.escape(QCoreApplication.translate("ChatView", "Copy"))
        footer.append(f'<a href="act:copy:{m.id}">{copy}</a>')
        if role == "user":
            edit = html.escape(QCoreApplication.translate("ChatView", "Edit"))
            footer.append(f'<a href="act:edit:{m.id}">{edit}</a>')
        if role == "assistant" and is_last:
            regen = html.escape(QCoreApplication.translate("ChatView", "Regenerate"))
            footer.append(f'<a href="act:regen:{m.id}">{regen}</a>')
    if footer:
        parts.append('<p class="meta">' + " · ".join(footer) + "</p>")
    return "".join(parts)


def _cell(body: str, bg: str, width: str = "100%") -> str:
    return f'<td width="{width}" valign="top" style="background-color:{bg}">{body}</td>'


def transcript_html(messages: list[MessageInfo], live: dict[int, str], colors: dict, *,
                    expanded_steps: set[int] | frozenset = frozenset()) -> str:
    """The whole transcript. ``live`` holds the newest text of answers still streaming."""
    last_assistant = max((m.id for m in messages if m.role == "assistant"), default=None)
    blocks = []
    i = 0
    while i < len(messages):
        m = messages[i]
        bg = colors["user_bg"] if m.role == "user" else colors["assistant_bg"]
        row = [m]
        # Compare: answers A and B to the same question sit side by side.
        if (m.role == "assistant" and m.meta.get("pair") is not None and i + 1 < len(messages)
                and messages[i + 1].role == "assistant" and messages[i + 1].meta.get("pair") == m.meta.get("pair")):
            row.append(messages[i + 1])
        cells = []
        width = "50%" if len(row) == 2 else "100%"
        for msg in row:
            is_live = msg.id in live
            text = live.get(msg.id, msg.content)
            body = message_body(msg, text, live=is_live or msg.status == "streaming",
                                expanded_steps=msg.id in expanded_steps,
                                is_last=msg.id == last_assistant or (len(row) == 2))
            cells.append(_cell(body, bg, width))
        blocks.append('<table width="100%" cellspacing="6" cellpadding="10"><tr>' + "".join(cells) + "</tr></table>")
        i += len(row)
    return "<html><body>" + "".join(blocks) + "</body></html>"


__all__ = ["render_markdown", "transcript_html", "style_sheet", "error_next_step", "message_body", "warning_text",
           "waiting_text", "WAIT_SHOWN_S"]

"""A generated bilingual (English + Chinese) tool-use dataset for teaching a small model to call the
agent's tools in the Hermes format of ``tool_template``: calculator, kb_search, datetime, read_file;
single calls, two-step calls, and questions that need no tool. Offline and seeded.

    records(n, seed=0, split="train")   list of {"messages": [...]} (OpenAI roles, tool turns included)

``split`` picks disjoint template halves ("train" / "heldout"), so a held-out set made with another
seed and split has unseen wordings as well as unseen values. Each record's prompt is what agent mode
sends: the tools a turn offers in some context (``kb_search`` with a knowledge base attached,
``read_file``/``list_folder`` with a folder granted, ``calculator``/``datetime`` always; in
``tools.REGISTRY`` order, their own schemas), under the agent's system prompt
(``graph.system_prompt``), rendered by ``tool_template.system_text``. Knowledge results hold one to
three numbered passages, the right one usually first, as ``kb_search`` writes them.
Each record also carries ``expect``: the calls and the final answer a checker compares with
(``cite``: the passage number a knowledge answer must cite).
"""

from __future__ import annotations

import json
import random

from app.agents import safe_math, tool_template
from app.agents.tools import REGISTRY

TOOLS = ("calculator", "kb_search", "datetime", "read_file")

# (template, language); {a} {b} are numbers, {op} a symbol
CALC = [("What is {a} {op} {b}?", "en"), ("Calculate {a} {op} {b}.", "en"), ("{a} {op} {b} = ?", "en"),
        ("Please compute {a} {op} {b} exactly.", "en"), ("How much is {a} {op} {b}?", "en"),
        ("Can you work out {a} {op} {b} for me?", "en"),
        ("{a} {op} {b} 等于多少？", "zh"), ("请计算 {a} {op} {b}。", "zh"), ("帮我算一下 {a} {op} {b}", "zh"),
        ("{a}{op}{b}是多少？", "zh"), ("计算：{a} {op} {b}", "zh"), ("请精确算出 {a} {op} {b} 的结果。", "zh")]
KB = [("What do my documents say about {t}?", "en"), ("Search my notes for {t}.", "en"),
      ("According to the knowledge base, what is {t}?", "en"), ("Look up {t} in my files.", "en"),
      ("Find information about {t} in the knowledge base.", "en"), ("What is written about {t} in my documents?", "en"),
      ("我的文档里关于{t}是怎么说的？", "zh"), ("在知识库中搜索{t}。", "zh"), ("根据知识库，{t}是什么？", "zh"),
      ("帮我查一下资料里的{t}", "zh"), ("知识库里有没有关于{t}的内容？", "zh"), ("查找关于{t}的资料。", "zh")]
DATE = [("What time is it now in {z}?", "en"), ("What's the date today in {z}?", "en"),
        ("Tell me the current time in {z}.", "en"), ("Which weekday is it in {z} right now?", "en"),
        ("What is the current date and time in {z}?", "en"), ("Is it morning or evening in {z} now?", "en"),
        ("{z}现在几点？", "zh"), ("{z}今天是几号？", "zh"), ("告诉我{z}的当前时间。", "zh"),
        ("{z}现在是星期几？", "zh"), ("{z}现在的日期和时间是什么？", "zh"), ("请问{z}此刻的时间。", "zh")]
FILE = [("What is in {p}?", "en"), ("Read the file {p} and summarise it.", "en"), ("Open {p} and tell me what it says.", "en"),
        ("Show me the contents of {p}.", "en"), ("What does the file {p} contain?", "en"), ("Please read {p}.", "en"),
        ("{p} 里写了什么？", "zh"), ("读取文件 {p} 并总结。", "zh"), ("打开 {p}，告诉我内容。", "zh"),
        ("显示 {p} 的内容。", "zh"), ("文件 {p} 包含什么？", "zh"), ("请读一下 {p}。", "zh")]
MULTI = [("Add {a} and {b}, then multiply the result by {c}.", "en"),
         ("First compute {a} + {b}, then times {c}.", "en"), ("Take {a} plus {b}, and multiply that by {c}.", "en"),
         ("先算 {a} 加 {b}，再乘以 {c}。", "zh"), ("{a} 加 {b} 的和再乘 {c} 是多少？", "zh"),
         ("把 {a} 和 {b} 相加，然后结果乘以 {c}。", "zh")]
NONE = [("Hello!", "en", "Hello! How can I help you today?"), ("Thank you.", "en", "You're welcome!"),
        ("Who are you?", "en", "I am an AI assistant. I can use tools such as a calculator when that helps."),
        ("Write a one-line greeting for a birthday card.", "en", "Happy birthday, and may your year be full of joy!"),
        ("What colour is the sky on a clear day?", "en", "On a clear day the sky is blue."),
        ("Say hi in French.", "en", "Bonjour !"),
        ("你好！", "zh", "你好！有什么可以帮你的吗？"), ("谢谢你。", "zh", "不客气！"),
        ("你是谁？", "zh", "我是一个 AI 助手，需要时可以使用计算器等工具。"),
        ("写一句生日祝福。", "zh", "祝你生日快乐，新的一岁万事如意！"),
        ("晴天的天空是什么颜色？", "zh", "晴天的天空是蓝色的。"), ("用英语说你好。", "zh", "Hello!")]

TOPICS = [("the refund policy", "退款政策", "Refunds are accepted within {n} days of purchase.", "购买后 {n} 天内可以退款。"),
          ("the office hours", "办公时间", "The office is open from {n}:00 on weekdays.", "办公室工作日 {n}:00 开门。"),
          ("the warranty", "保修", "The warranty lasts {n} months.", "保修期为 {n} 个月。"),
          ("the project deadline", "项目截止日期", "The project is due in week {n}.", "项目在第 {n} 周截止。"),
          ("the parking rules", "停车规定", "Visitors may park for {n} hours.", "访客最多可停车 {n} 小时。"),
          ("the vacation policy", "休假政策", "Employees get {n} days of paid leave.", "员工每年有 {n} 天带薪假。"),
          ("the server backup", "服务器备份", "Backups run every {n} hours.", "服务器每 {n} 小时备份一次。"),
          ("the library fines", "图书馆罚款", "Late books cost {n} cents a day.", "逾期每天罚款 {n} 分。")]
ZONES = ["Asia/Shanghai", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Europe/London", "Australia/Sydney",
         "America/Los_Angeles", "Europe/Berlin", "Asia/Singapore", "America/Sao_Paulo"]
FILES = ["notes.txt", "todo.md", "report.txt", "readme.md", "plan.txt", "minutes.md", "ideas.txt", "budget.csv"]
FOLDERS = ["", "docs/", "work/", "data/", "home/"]
OPS = ["+", "-", "*", "/"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _half(items: list, split: str) -> list:
    """Templates of one split: even indices train, odd indices held out (both languages in both)."""
    return items[0::2] if split == "train" else items[1::2]


# Other system prompts people set: the adapter must not depend on the default one.
SYSTEMS = ["", "", "", "You are a terse assistant.", "You are a friendly assistant. Answer briefly.",
           "你是一个乐于助人的助手。", "Answer in the user's language."]
KB_NAMES = ["docs", "notes", "handbook", "company", "资料", "kb"]


def offered(needed: set, rng: random.Random) -> list[str]:
    """The tools an agent turn offers, as ``tools.tools_for`` lists them, in some random context
    that makes the ``needed`` ones available."""
    kb = "kb_search" in needed or rng.random() < 0.5
    folders = bool(needed & {"read_file", "list_folder"}) or rng.random() < 0.3
    return [n for n in REGISTRY if n in ("calculator", "datetime") or (n == "kb_search" and kb)
            or (n in ("read_file", "list_folder") and folders)]


def _system(needed, rng: random.Random) -> dict:
    from app.agents.graph import system_prompt  # the agent's own words (langgraph, imported here)

    names = offered(set(needed), rng)
    text = system_prompt(rng.choice(SYSTEMS), names)
    return {"role": "system", "content": tool_template.system_text([REGISTRY[n].schema() for n in names], text)}


def _call(name: str, args: dict) -> dict:
    return {"role": "assistant", "content": tool_template.call_text(name, args)}


def _calc(rng: random.Random, split: str) -> dict:
    text, lang = rng.choice(_half(CALC, split))
    op = rng.choice(OPS)
    a, b = rng.randint(2, 9999), rng.randint(2, 999)
    if op == "/":
        a = b * rng.randint(2, 999)
    expr = f"{a} {op} {b}"
    shown = {"*": rng.choice("*×"), "/": rng.choice("/÷")}.get(op, op)  # what people type; the call is ASCII
    result = safe_math.format_number(safe_math.evaluate(expr))
    answer = (f"{a} {shown} {b} = {result}" if lang == "en" else f"{a} {shown} {b} 的结果是 {result}。")
    return _record([_system({"calculator"}, rng), {"role": "user", "content": text.format(a=a, op=shown, b=b)},
                    _call("calculator", {"expression": expr}), {"role": "tool", "content": result},
                    {"role": "assistant", "content": answer}], [("calculator", {"expression": expr})], result)


def _kb(rng: random.Random, split: str) -> dict:
    text, lang = rng.choice(_half(KB, split))
    en, zh, fact_en, fact_zh = rng.choice(TOPICS)
    n = rng.randint(2, 90)
    topic, fact = (en, fact_en) if lang == "en" else (zh, fact_zh)
    fact = fact.format(n=n)
    kb_name = rng.choice(KB_NAMES)
    others = rng.sample([t for t in TOPICS if t[0] != en], rng.choice([0, 1, 1, 2]))
    facts = [fact] + [(o[2] if rng.random() < 0.7 else o[3]).format(n=rng.randint(2, 90)) for o in others]
    at = 0 if rng.random() < 0.7 else rng.randrange(len(facts))  # retrieval usually ranks it first
    facts.insert(at, facts.pop(0))
    scores = sorted((rng.uniform(0.3, 0.95) for _ in facts), reverse=True)
    passage = "\n\n".join(f"[{i + 1}] {rng.choice(FILES[:6])} (knowledge base {kb_name}, score {s:.3f})\n{f}"
                           for i, (f, s) in enumerate(zip(facts, scores)))
    cite = f"[{at + 1}]"
    answer = (f"According to your documents, {fact[0].lower() + fact[1:]} {cite}" if lang == "en"
              else f"根据资料，{fact}{cite}")
    query = topic if lang == "zh" else topic.removeprefix("the ")
    rec = _record([_system({"kb_search"}, rng), {"role": "user", "content": text.format(t=topic)},
                   _call("kb_search", {"query": query}), {"role": "tool", "content": passage},
                   {"role": "assistant", "content": answer}], [("kb_search", {"query": query})], str(n))
    rec["expect"]["cite"] = cite
    return rec


def _date(rng: random.Random, split: str) -> dict:
    text, lang = rng.choice(_half(DATE, split))
    zone = rng.choice(ZONES)
    y, m, d, h, mi = rng.randint(2024, 2030), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
    wd = WEEKDAYS[rng.randint(0, 6)]
    stamp = f"{y}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:00"
    result = f"{stamp}+08:00 ({wd}, {zone.split('/')[-1]})"
    answer = (f"In {zone} it is {h:02d}:{mi:02d} on {wd}, {y}-{m:02d}-{d:02d}." if lang == "en"
              else f"{zone} 现在是 {y}-{m:02d}-{d:02d} {h:02d}:{mi:02d}（{wd}）。")
    return _record([_system({"datetime"}, rng), {"role": "user", "content": text.format(z=zone)},
                    _call("datetime", {"timezone": zone}), {"role": "tool", "content": result},
                    {"role": "assistant", "content": answer}], [("datetime", {"timezone": zone})], f"{h:02d}:{mi:02d}")


def _file(rng: random.Random, split: str) -> dict:
    text, lang = rng.choice(_half(FILE, split))
    path = rng.choice(FOLDERS) + rng.choice(FILES)
    n = rng.randint(3, 99)
    content = rng.choice([f"Buy {n} apples.", f"Meeting moved to room {n}.", f"Total: {n} items.", f"第 {n} 项已完成。"])
    answer = (f"{path} says: {content}" if lang == "en" else f"{path} 的内容是：{content}")
    return _record([_system({"read_file"}, rng), {"role": "user", "content": text.format(p=path)},
                    _call("read_file", {"path": path}), {"role": "tool", "content": content},
                    {"role": "assistant", "content": answer}], [("read_file", {"path": path})], str(n))


def _multi(rng: random.Random, split: str) -> dict:
    text, lang = rng.choice(_half(MULTI, split))
    a, b, c = rng.randint(2, 999), rng.randint(2, 999), rng.randint(2, 99)
    e1, r1 = f"{a} + {b}", str(a + b)
    e2 = f"{r1} * {c}"
    r2 = safe_math.format_number(safe_math.evaluate(e2))
    answer = (f"({a} + {b}) × {c} = {r2}" if lang == "en" else f"({a} + {b}) × {c} 的结果是 {r2}。")
    return _record([_system({"calculator"}, rng), {"role": "user", "content": text.format(a=a, b=b, c=c)},
                    _call("calculator", {"expression": e1}), {"role": "tool", "content": r1},
                    _call("calculator", {"expression": e2}), {"role": "tool", "content": r2},
                    {"role": "assistant", "content": answer}],
                   [("calculator", {"expression": e1}), ("calculator", {"expression": e2})], r2)


def _none(rng: random.Random, split: str) -> dict:
    text, _lang, answer = rng.choice(_half(NONE, split))
    return _record([_system(set(), rng), {"role": "user", "content": text}, {"role": "assistant", "content": answer}],
                   [], "")


def _record(messages: list[dict], calls: list, answer: str) -> dict:
    return {"messages": messages, "expect": {"calls": [{"name": n, "arguments": a} for n, a in calls],
                                             "answer": answer}}


KINDS = ((_calc, 3), (_kb, 2), (_date, 1), (_file, 1), (_multi, 1), (_none, 2))


def records(n: int, seed: int = 0, split: str = "train") -> list[dict]:
    """``n`` records, mixed by ``KINDS`` weights; same (n, seed, split) → same records."""
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    rng = random.Random(f"{seed}:{split}")
    makers = [m for m, w in KINDS for _ in range(w)]
    return [rng.choice(makers)(rng, split) for _ in range(n)]


def write_jsonl(path, rows: list[dict], with_expect: bool = False) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r if with_expect else {"messages": r["messages"]}, ensure_ascii=False) + "\n")


__all__ = ["records", "write_jsonl", "TOOLS"]

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
# Two calculator steps: (first step's operator, second's, wordings); {a} {b} first operands, {c} the second's.
MULTI = {
    ("+", "*"): [("Add {a} and {b}, then multiply the result by {c}.", "en"), ("First compute {a} + {b}, then times {c}.", "en"),
                 ("Take {a} plus {b}, and multiply that by {c}.", "en"), ("What is the sum of {a} and {b}, multiplied by {c}?", "en"),
                 ("Sum {a} and {b}; multiply the sum by {c}.", "en"), ("Compute {a} + {b} first, and then multiply it by {c}.", "en"),
                 ("先算 {a} 加 {b}，再乘以 {c}。", "zh"), ("{a} 加 {b} 的和再乘 {c} 是多少？", "zh"),
                 ("把 {a} 和 {b} 相加，然后结果乘以 {c}。", "zh"), ("{a} 与 {b} 之和乘以 {c} 等于多少？", "zh"),
                 ("请先求 {a} 和 {b} 的和，再把和乘以 {c}。", "zh"), ("算一下 {a} 加 {b}，得数再乘 {c}。", "zh")],
    ("-", "*"): [("Subtract {b} from {a}, then multiply by {c}.", "en"), ("Take {a} minus {b}, and multiply that by {c}.", "en"),
                 ("What is the difference of {a} and {b}, times {c}?", "en"), ("First {a} - {b}, then multiply the result by {c}.", "en"),
                 ("{a} 减去 {b}，再乘以 {c} 是多少？", "zh"), ("先算 {a} 减 {b}，然后乘 {c}。", "zh"),
                 ("{a} 与 {b} 的差乘以 {c} 等于多少？", "zh"), ("请把 {a} 减去 {b} 的结果乘以 {c}。", "zh")],
    ("*", "+"): [("Multiply {a} by {b}, then add {c}.", "en"), ("First compute {a} times {b}, then add {c} to it.", "en"),
                 ("What is {a} multiplied by {b}, plus {c}?", "en"), ("Take the product of {a} and {b} and add {c}.", "en"),
                 ("先算 {a} 乘 {b}，再加 {c}。", "zh"), ("{a} 乘以 {b} 的积再加上 {c} 是多少？", "zh"),
                 ("把 {a} 和 {b} 相乘，然后加 {c}。", "zh"), ("请先求 {a} 与 {b} 的积，再加 {c}。", "zh")],
    ("*", "-"): [("Multiply {a} by {b}, then subtract {c}.", "en"), ("Compute {a} times {b} and then take away {c}.", "en"),
                 ("What is the product of {a} and {b}, minus {c}?", "en"), ("First {a} × {b}, then minus {c}.", "en"),
                 ("先算 {a} 乘 {b}，再减去 {c}。", "zh"), ("{a} 乘 {b} 的积减去 {c} 等于多少？", "zh"),
                 ("把 {a} 乘以 {b}，结果再减 {c}。", "zh"), ("请先算 {a} 与 {b} 的乘积，然后减去 {c}。", "zh")],
}
# A time and a sum in one question: two different tools, in the order asked.
DATE_CALC = [("What time is it in {z}, and what is {a} {op} {b}?", "en"), ("Tell me the time in {z}, then compute {a} {op} {b}.", "en"),
             ("Check the current time in {z} and also calculate {a} {op} {b}.", "en"),
             ("I need two things: the time in {z} and {a} {op} {b}.", "en"),
             ("{z}现在几点？另外 {a} {op} {b} 等于多少？", "zh"), ("告诉我{z}的时间，再算一下 {a} {op} {b}。", "zh"),
             ("请查{z}的当前时间，并计算 {a} {op} {b}。", "zh"), ("两件事：{z}现在的时间，以及 {a} {op} {b} 的结果。", "zh")]

# Questions that need no tool. Fixed pairs (question, language, answer) and families whose templates
# take one item; items carry (English slot, Chinese slot, English answer, Chinese answer). Some are
# near misses on purpose: they mention files, time, documents or calculators but ask nothing a tool does.
NONE = [("Hello!", "en", "Hello! How can I help you today?"), ("Thank you.", "en", "You're welcome!"),
        ("Who are you?", "en", "I am an AI assistant. I can use tools such as a calculator when that helps."),
        ("Good morning!", "en", "Good morning! What can I do for you?"), ("How are you?", "en", "I'm doing well, thanks for asking! How can I help?"),
        ("Goodbye!", "en", "Goodbye! Have a nice day."), ("What can you do?", "en", "I can answer questions, do exact arithmetic, tell the time, search your documents and read files you share."),
        ("Tell me a joke.", "en", "Why did the scarecrow win an award? Because he was outstanding in his field."),
        ("Thanks, that was helpful.", "en", "Glad it helped!"), ("Can you speak Chinese?", "en", "Yes, I can answer in Chinese as well as English."),
        ("Nice to meet you.", "en", "Nice to meet you too!"), ("Are you a robot?", "en", "I'm an AI assistant running on your computer."),
        ("你好！", "zh", "你好！有什么可以帮你的吗？"), ("谢谢你。", "zh", "不客气！"),
        ("你是谁？", "zh", "我是一个 AI 助手，需要时可以使用计算器等工具。"), ("早上好！", "zh", "早上好！今天想做点什么？"),
        ("你好吗？", "zh", "我很好，谢谢关心！有什么需要帮忙的吗？"), ("再见！", "zh", "再见，祝你愉快！"),
        ("你能做什么？", "zh", "我可以回答问题、精确计算、查询时间、搜索你的资料和读取你共享的文件。"),
        ("讲个笑话吧。", "zh", "为什么数学书总是很忧伤？因为它有太多的问题。"), ("谢谢，很有帮助。", "zh", "很高兴能帮到你！"),
        ("你会说英语吗？", "zh", "会的，我可以用英语或中文回答。"), ("很高兴认识你。", "zh", "我也很高兴认识你！"),
        ("你是机器人吗？", "zh", "我是运行在你电脑上的 AI 助手。")]
NONE_FAMILIES = [
    ([("What is the capital of {x}?", "en"), ("Which city is the capital of {x}?", "en"), ("Name the capital of {x}.", "en"),
      ("Tell me the capital city of {x}.", "en"),
      ("{x}的首都是哪里？", "zh"), ("{x}的首都是什么城市？", "zh"), ("请说出{x}的首都。", "zh"), ("{x}首都叫什么？", "zh")],
     [("France", "法国", "The capital of France is Paris.", "法国的首都是巴黎。"),
      ("Japan", "日本", "The capital of Japan is Tokyo.", "日本的首都是东京。"),
      ("Italy", "意大利", "The capital of Italy is Rome.", "意大利的首都是罗马。"),
      ("Egypt", "埃及", "The capital of Egypt is Cairo.", "埃及的首都是开罗。"),
      ("Canada", "加拿大", "The capital of Canada is Ottawa.", "加拿大的首都是渥太华。"),
      ("Spain", "西班牙", "The capital of Spain is Madrid.", "西班牙的首都是马德里。"),
      ("Germany", "德国", "The capital of Germany is Berlin.", "德国的首都是柏林。"),
      ("Kenya", "肯尼亚", "The capital of Kenya is Nairobi.", "肯尼亚的首都是内罗毕。")]),
    ([("How do you say '{x}' in Chinese?", "en"), ("Translate '{x}' into Chinese.", "en"), ("What is the Chinese word for '{x}'?", "en"),
      ("Give me the Chinese for '{x}'.", "en"),
      ("“{x}”用英语怎么说？", "zh"), ("把“{x}”翻译成英文。", "zh"), ("“{x}”的英文是什么？", "zh"), ("请翻译：{x}", "zh")],
     [("apple", "苹果", "'Apple' in Chinese is 苹果.", "“苹果”的英文是 apple。"),
      ("book", "书", "'Book' in Chinese is 书.", "“书”的英文是 book。"),
      ("water", "水", "'Water' in Chinese is 水.", "“水”的英文是 water。"),
      ("friend", "朋友", "'Friend' in Chinese is 朋友.", "“朋友”的英文是 friend。"),
      ("good morning", "早上好", "'Good morning' in Chinese is 早上好.", "“早上好”的英文是 good morning。"),
      ("moon", "月亮", "'Moon' in Chinese is 月亮.", "“月亮”的英文是 moon。"),
      ("teacher", "老师", "'Teacher' in Chinese is 老师.", "“老师”的英文是 teacher。"),
      ("time", "时间", "'Time' in Chinese is 时间.", "“时间”的英文是 time。")]),
    ([("Write a short poem about {x}.", "en"), ("Write one sentence about {x}.", "en"), ("Give me a slogan about {x}.", "en"),
      ("Describe {x} in a few words.", "en"),
      ("写一首关于{x}的短诗。", "zh"), ("用一句话描写{x}。", "zh"), ("给我一句关于{x}的口号。", "zh"), ("用几个词形容{x}。", "zh")],
     [("spring", "春天", "Spring: soft rain, new leaves and longer days.", "春天：细雨、新叶和渐长的白昼。"),
      ("the sea", "大海", "The sea: wide, restless and endlessly blue.", "大海：辽阔、不息、无尽的蓝。"),
      ("friendship", "友谊", "Friendship: the quiet promise that someone will be there.", "友谊：有人始终在身边的默默承诺。"),
      ("coffee", "咖啡", "Coffee: warm, bitter and the start of a good morning.", "咖啡：温暖、微苦，是美好早晨的开始。"),
      ("a rainy day", "雨天", "A rainy day: grey skies, soft drumming on the window.", "雨天：灰色的天空，窗上轻轻的雨声。"),
      ("my cat", "我的猫", "My cat: a small, warm tyrant who rules the sofa.", "我的猫：统治沙发的温暖小霸王。"),
      ("the city at night", "夜晚的城市", "The city at night: a sea of lights that never sleeps.", "夜晚的城市：一片不眠的灯海。"),
      ("autumn", "秋天", "Autumn: golden leaves and cool, clear air.", "秋天：金色的落叶和清爽的空气。")]),
    ([("Explain {x} in one sentence.", "en"), ("What is {x}, briefly?", "en"), ("Can you explain {x} simply?", "en"),
      ("Tell me briefly what {x} means.", "en"),
      ("用一句话解释{x}。", "zh"), ("简单说说什么是{x}。", "zh"), ("{x}是什么意思？", "zh"), ("请简要介绍一下{x}。", "zh")],
     [("photosynthesis", "光合作用", "Photosynthesis is how plants turn light, water and carbon dioxide into sugar and oxygen.", "光合作用是植物利用光、水和二氧化碳制造糖和氧气的过程。"),
      ("gravity", "重力", "Gravity is the force that pulls masses towards each other.", "重力是使物体相互吸引的力。"),
      ("a rainbow", "彩虹", "A rainbow is sunlight split into colours by raindrops.", "彩虹是阳光被雨滴分解成的彩色光带。"),
      ("machine learning", "机器学习", "Machine learning is teaching computers to find patterns in data.", "机器学习是让计算机从数据中学习规律。"),
      ("inflation", "通货膨胀", "Inflation is the general rise of prices over time.", "通货膨胀是物价随时间普遍上涨。"),
      ("a calculator", "计算器", "A calculator is a device or program that does arithmetic.", "计算器是进行算术运算的设备或程序。"),
      ("a time zone", "时区", "A time zone is a region that shares the same standard time.", "时区是使用同一标准时间的地区。"),
      ("a file system", "文件系统", "A file system is how a computer organises files on a disk.", "文件系统是计算机在磁盘上组织文件的方式。"),
      ("a knowledge base", "知识库", "A knowledge base is a searchable collection of documents and facts.", "知识库是可检索的文档和知识的集合。")]),
    ([("Give me one tip for {x}.", "en"), ("Any advice on {x}?", "en"), ("How can I get better at {x}?", "en"),
      ("What's a good habit for {x}?", "en"),
      ("关于{x}，你有什么建议？", "zh"), ("{x}有什么技巧？", "zh"), ("请给我一个{x}的小技巧。", "zh"), ("我想提高{x}的能力，怎么做？", "zh")],
     [("sleeping well", "睡眠", "Keep the same bedtime every day, even at weekends.", "每天固定时间上床，周末也一样。"),
      ("learning a language", "学外语", "Practise a little every day and speak out loud.", "每天练一点，并且大声说出来。"),
      ("staying focused", "保持专注", "Work in short blocks with the phone in another room.", "分成短时间段工作，把手机放到别的房间。"),
      ("writing emails", "写邮件", "Put the request in the first sentence.", "把你的请求写在第一句。"),
      ("naming files", "文件命名", "Start names with the date, like 2025-03-01-report.", "文件名以日期开头，比如 2025-03-01-报告。"),
      ("managing time", "时间管理", "Plan tomorrow's three most important tasks tonight.", "今晚就列出明天最重要的三件事。"),
      ("taking notes", "记笔记", "Write notes in your own words, not copies.", "用自己的话记笔记，不要照抄。"),
      ("saving money", "省钱", "Move a fixed amount to savings on payday.", "发工资当天就把固定金额转入储蓄。")]),
]

TOPICS = [("the refund policy", "退款政策", "Refunds are accepted within {n} days of purchase.", "购买后 {n} 天内可以退款。"),
          ("the office hours", "办公时间", "The office is open from {n}:00 on weekdays.", "办公室工作日 {n}:00 开门。"),
          ("the warranty", "保修", "The warranty lasts {n} months.", "保修期为 {n} 个月。"),
          ("the project deadline", "项目截止日期", "The project is due in week {n}.", "项目在第 {n} 周截止。"),
          ("the parking rules", "停车规定", "Visitors may park for {n} hours.", "访客最多可停车 {n} 小时。"),
          ("the vacation policy", "休假政策", "Employees get {n} days of paid leave.", "员工每年有 {n} 天带薪假。"),
          ("the server backup", "服务器备份", "Backups run every {n} hours.", "服务器每 {n} 小时备份一次。"),
          ("the library fines", "图书馆罚款", "Late books cost {n} cents a day.", "逾期每天罚款 {n} 分。"),
          ("the gym membership", "健身房会员", "A gym membership costs {n} dollars a month.", "健身房会员每月 {n} 美元。"),
          ("the shipping time", "发货时间", "Orders ship within {n} business days.", "订单在 {n} 个工作日内发货。"),
          ("the password rules", "密码规则", "Passwords need at least {n} characters.", "密码至少需要 {n} 个字符。"),
          ("the meeting room", "会议室", "The meeting room seats {n} people.", "会议室可容纳 {n} 人。"),
          ("the training budget", "培训预算", "Each employee has a training budget of {n} hundred dollars.", "每位员工的培训预算为 {n} 百美元。"),
          ("the support hotline", "客服热线", "The support hotline answers within {n} minutes.", "客服热线在 {n} 分钟内接听。"),
          ("the exam rules", "考试规则", "The exam lasts {n} minutes.", "考试时长为 {n} 分钟。"),
          ("the lab safety", "实验室安全", "Goggles are required within {n} metres of the bench.", "实验台 {n} 米内必须佩戴护目镜。"),
          ("the travel allowance", "差旅补贴", "The travel allowance is {n} dollars per day.", "差旅补贴为每天 {n} 美元。"),
          ("the data retention", "数据保留", "Logs are kept for {n} days.", "日志保留 {n} 天。")]
ZONES = ["Asia/Shanghai", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Europe/London", "Australia/Sydney",
         "America/Los_Angeles", "Europe/Berlin", "Asia/Singapore", "America/Sao_Paulo"]
FILES = ["notes.txt", "todo.md", "report.txt", "readme.md", "plan.txt", "minutes.md", "ideas.txt", "budget.csv",
         "summary.txt", "changelog.md", "config.ini", "letter.txt", "schedule.md", "list.txt", "draft.md", "log.txt"]
FOLDERS = ["", "", "docs/", "work/", "data/", "home/", "projects/2024/", "notes/"]
# What a read file holds ({n}: the value an answer must carry); one line or several.
CONTENTS = ["Buy {n} apples.", "Meeting moved to room {n}.", "Total: {n} items.", "第 {n} 项已完成。",
            "TODO\n- call the bank\n- order {n} chairs", "Version {n}: fixed the login bug.", "[server]\nport = {n}0\n",
            "Dear Sam,\nthe party starts at {n}:00.\nBest, Lee", "Monday: gym\nTuesday: {n} pages of reading",
            "预算：{n} 万元\n负责人：王明", "会议纪要\n参会人数：{n}\n下次会议：周五", "error count: {n}\nstatus: ok"]
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
    folders = bool(needed & {"read_file", "list_folder"}) or rng.random() < 0.35
    memory = rng.random() < 0.2  # a chat with long-term memory on
    return [n for n in REGISTRY if n in ("calculator", "datetime") or (n == "kb_search" and kb)
            or (n in ("read_file", "list_folder") and folders) or (n in ("remember", "recall") and memory)]


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
    content = rng.choice(CONTENTS).format(n=n)
    flat = " / ".join(line.strip() for line in content.splitlines() if line.strip())
    answer = (f"{path} says: {flat}" if lang == "en" else f"{path} 的内容是：{flat}")
    return _record([_system({"read_file"}, rng), {"role": "user", "content": text.format(p=path)},
                    _call("read_file", {"path": path}), {"role": "tool", "content": content},
                    {"role": "assistant", "content": answer}], [("read_file", {"path": path})], str(n))


def _multi(rng: random.Random, split: str) -> dict:
    (op1, op2), wordings = rng.choice(list(MULTI.items()))
    text, lang = rng.choice(_half(wordings, split))
    a, b, c = rng.randint(2, 999), rng.randint(2, 999), rng.randint(2, 99)
    if op1 == "-" and a < b:
        a, b = b, a
    e1 = f"{a} {op1} {b}"
    r1 = safe_math.format_number(safe_math.evaluate(e1))
    e2 = f"{r1} {op2} {c}"
    r2 = safe_math.format_number(safe_math.evaluate(e2))
    answer = (f"{e1} = {r1}, and {r1} {op2} {c} = {r2}. The result is {r2}." if lang == "en"
              else f"{e1} = {r1}，{r1} {op2} {c} = {r2}。结果是 {r2}。")
    shown = {"*": "×"}
    return _record([_system({"calculator"}, rng),
                    {"role": "user", "content": text.format(a=a, b=b, c=c)},
                    _call("calculator", {"expression": e1}), {"role": "tool", "content": r1},
                    _call("calculator", {"expression": e2}), {"role": "tool", "content": r2},
                    {"role": "assistant", "content": answer.replace(" * ", f" {shown['*']} ")}],
                   [("calculator", {"expression": e1}), ("calculator", {"expression": e2})], r2)


def _date_calc(rng: random.Random, split: str) -> dict:
    text, lang = rng.choice(_half(DATE_CALC, split))
    zone = rng.choice(ZONES)
    h, mi, wd = rng.randint(0, 23), rng.randint(0, 59), WEEKDAYS[rng.randint(0, 6)]
    stamp = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{h:02d}:{mi:02d}:00"
    clock = f"{stamp}+00:00 ({wd}, {zone.split('/')[-1]})"
    op = rng.choice(["+", "-", "*"])
    a, b = rng.randint(2, 9999), rng.randint(2, 999)
    expr = f"{a} {op} {b}"
    result = safe_math.format_number(safe_math.evaluate(expr))
    answer = (f"In {zone} it is {h:02d}:{mi:02d} on {wd}, and {expr} = {result}." if lang == "en"
              else f"{zone} 现在是 {h:02d}:{mi:02d}（{wd}），{expr} = {result}。")
    return _record([_system({"calculator"}, rng), {"role": "user", "content": text.format(z=zone, a=a, op=op, b=b)},
                    _call("datetime", {"timezone": zone}), {"role": "tool", "content": clock},
                    _call("calculator", {"expression": expr}), {"role": "tool", "content": result},
                    {"role": "assistant", "content": answer}],
                   [("datetime", {"timezone": zone}), ("calculator", {"expression": expr})], result)


def _none(rng: random.Random, split: str) -> dict:
    if rng.random() < 0.35:
        text, _lang, answer = rng.choice(_half(NONE, split))
    else:
        templates, items = rng.choice(NONE_FAMILIES)
        template, lang = rng.choice(_half(templates, split))
        en, zh, answer_en, answer_zh = rng.choice(items)
        text, answer = (template.format(x=en), answer_en) if lang == "en" else (template.format(x=zh), answer_zh)
    return _record([_system(set(), rng), {"role": "user", "content": text}, {"role": "assistant", "content": answer}],
                   [], "")


def _record(messages: list[dict], calls: list, answer: str) -> dict:
    return {"messages": messages, "expect": {"calls": [{"name": n, "arguments": a} for n, a in calls],
                                             "answer": answer}}


KINDS = ((_calc, 3), (_kb, 3), (_date, 1), (_file, 2), (_multi, 2), (_date_calc, 1), (_none, 3))


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

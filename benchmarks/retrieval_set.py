"""A hard bilingual retrieval set, generated (deterministic seed): documents + questions, dev/test.

Four families of documents, each a grid of near-duplicates that share vocabulary and structure and
differ only in names, numbers, dates, places and codes:

* ``facility`` — a company's site in a city (company × city): staff, opening year, manager, output,
  a site code (codes of one company share their prefix).
* ``catalog`` — a brand's yearly product catalogue with a table of models (brand × year); the
  answer is one table row.
* ``summit`` — a yearly summit on a theme (theme × year): the year tells the documents apart.
* ``handbook`` — a long employee handbook (company × edition), ten sections; the answer is one
  number deep inside.

Each document is written in English or Chinese (drawn at random). Question kinds: ``paraphrase``
(same language, worded differently from the document), ``cross`` (the other language: zh → en
document, en → zh), ``code`` (a model or site code only), ``table`` (a row of a table),
``long`` (a fact deep in a long document). A question's gold is its document's file; where the
answer is one passage of a longer document, ``answer`` is a string the retrieved chunk must contain.
Documents (and all their questions) go to ``dev`` or ``test`` by a seeded draw.

    python -m benchmarks.retrieval_set OUT_DIR [--seed N] [--scale F]   writes the files + questions.json
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SEED = 13

COMPANIES = [("Northwind Logistics", "北风物流", "NW"), ("Blue Harbor Foods", "蓝港食品", "BH"),
             ("Silver Pine Textiles", "银松纺织", "SP"), ("Red Maple Ceramics", "红枫陶瓷", "RM"),
             ("Golden Field Agritech", "金田农业科技", "GF"), ("Stone Bridge Pharma", "石桥制药", "SB")]
CITIES = [("Lisbon", "里斯本"), ("Oslo", "奥斯陆"), ("Nairobi", "内罗毕"), ("Chengdu", "成都"),
          ("Toronto", "多伦多"), ("Osaka", "大阪"), ("Lima", "利马"), ("Hamburg", "汉堡"), ("Cairo", "开罗")]
PRODUCTS = [("frozen vegetables", "速冻蔬菜"), ("cotton yarn", "棉纱"), ("floor tiles", "地砖"),
            ("seed potatoes", "种薯"), ("vaccine vials", "疫苗瓶"), ("packaging film", "包装膜")]
MARKETS = [("Southeast Asia", "东南亚"), ("Western Europe", "西欧"), ("East Africa", "东非"),
           ("South America", "南美"), ("the Middle East", "中东")]
PEOPLE = ["Ana Ribeiro", "Lars Holm", "Wanjiru Kamau", "Li Wei", "Sophie Tremblay", "Kenji Mori",
          "Mateo Quispe", "Greta Vogel", "Omar Haddad", "Zhang Min", "Priya Nair", "Tomas Novak"]
BRANDS = [("Aurora", "极光", "water purifier", "净水器", "L/h"), ("Kestrel", "红隼", "e-bike", "电动自行车", "km"),
          ("Tidewater", "潮水", "air conditioner", "空调", "BTU"), ("Summit", "峰顶", "drone", "无人机", "min"),
          ("Lumen", "流明", "coffee machine", "咖啡机", "cups"), ("Cedar", "雪松", "power bank", "移动电源", "mAh")]
THEMES = [("urban water recycling", "城市水循环利用"), ("coastal erosion", "海岸侵蚀"),
          ("battery recycling", "电池回收"), ("rural broadband", "农村宽带"), ("food waste", "食物浪费"),
          ("wildfire prevention", "山火预防"), ("antibiotic resistance", "抗生素耐药性")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

# Handbook sections: (key, English heading, Chinese heading, English fact, Chinese fact, unit range,
# English questions, Chinese questions). {v} is the number; questions never reuse the fact's wording.
SECTIONS = [
    ("annual", "Annual leave", "年假", "Full-time staff are entitled to {v} days of paid annual leave per calendar year.",
     "全职员工每个日历年享有{v}天带薪年假。", (12, 30),
     ["How many paid vacation days a year do employees get at {c} under the {y} rules?"],
     ["按照{c}{y}年的规定，员工每年可以休多少天有薪假期？"]),
    ("parental", "Parental leave", "育儿假", "New parents may take {v} weeks of parental leave on full pay.",
     "新晋父母可享受{v}周全薪育儿假。", (8, 26),
     ["After a baby arrives, how long can a parent stay home at {c} ({y} edition)?"],
     ["{c}{y}年版手册中，孩子出生后父母能在家休息多久？"]),
    ("travel", "Travel expenses", "差旅费用", "Hotel costs on business trips are reimbursed up to {v} euros per night.",
     "出差期间的酒店费用每晚最多报销{v}欧元。", (90, 260),
     ["What is the nightly accommodation cap on work trips at {c} in {y}?"],
     ["{c}在{y}年对出差住宿每晚的上限是多少？"]),
    ("probation", "Probation", "试用期", "Every new hire serves a probation period of {v} months before confirmation.",
     "每位新员工在转正前需经过{v}个月的试用期。", (2, 7),
     ["How long is the trial period for newcomers at {c} according to the {y} handbook?"],
     ["根据{c}{y}年的手册，新人的考察期有多长？"]),
    ("remote", "Remote work", "远程办公", "Staff may work from home up to {v} days in each four-week period.",
     "员工每四周最多可以居家办公{v}天。", (3, 16),
     ["How often may people at {c} work away from the office ({y} version)?"],
     ["{c}{y}年版规定员工可以多久不来公司上班？"]),
    ("training", "Training budget", "培训预算", "Each employee has a learning budget of {v} euros per year for courses and books.",
     "每位员工每年有{v}欧元的学习预算，用于课程和书籍。", (300, 2400),
     ["How much money can a worker at {c} spend on education each year under the {y} policy?"],
     ["{c}{y}年的政策下，职工每年可以花多少钱进修？"]),
    ("notice", "Notice period", "离职通知期", "Employees who resign must give {v} weeks of written notice.",
     "辞职员工须提前{v}周书面通知。", (27, 60),
     ["If someone quits {c}, how far in advance must they tell the company ({y} rules)?"],
     ["在{c}（{y}年规定）辞职需要提前多久告知公司？"]),
    ("overtime", "Overtime", "加班", "Overtime hours are paid at {v} percent of the normal hourly rate.",
     "加班时数按正常时薪的{v}%支付。", (125, 200),
     ["What premium does {c} pay for extra hours in {y}?"],
     ["{c}{y}年对额外工作时间按什么比例付钱？"]),
    ("bike", "Commuting", "通勤", "Staff who cycle to work receive a monthly allowance of {v} euros.",
     "骑自行车上班的员工每月可获得{v}欧元补贴。", (61, 89),
     ["What does {c} give people who ride a bicycle to the office ({y})?"],
     ["{c}{y}年给骑车来公司的人什么补助？"]),
    ("sick", "Sick leave", "病假", "Up to {v} days of sick leave per year are paid without a doctor's note.",
     "每年最多{v}天病假无需医生证明即可带薪。", (31, 45),
     ["How many days can someone at {c} be ill without a medical certificate ({y} edition)?"],
     ["{c}{y}年版中，不开诊断书最多可以请几天病假？"]),
]
FILLER_EN = [
    "This section applies to all permanent and fixed-term employees unless their contract says otherwise.",
    "Requests should be submitted through the staff portal and approved by the line manager.",
    "The human resources team reviews this policy every year together with the works council.",
    "Where local law grants more generous terms, the local law prevails.",
    "Questions about this section can be sent to the people operations mailbox.",
    "Managers are expected to apply this rule consistently across teams.",
    "Part-time staff receive the same benefit in proportion to their contracted hours.",
]
FILLER_ZH = [
    "除合同另有约定外，本节适用于所有正式员工和固定期限员工。",
    "相关申请应通过员工门户提交，并由直属主管审批。",
    "人力资源部每年会同职工代表对本政策进行复核。",
    "如当地法律规定更优厚的条件，以当地法律为准。",
    "对本节有疑问的，可发送邮件至人事运营邮箱。",
    "各级主管应在各团队中一致地执行本规定。",
    "兼职员工按合同工时比例享受同等待遇。",
]


@dataclass
class Doc:
    file: str
    lang: str
    text: str
    family: str
    split: str = ""


@dataclass
class Question:
    q: str
    lang: str
    gold: str
    kind: str
    family: str
    answer: str | None = None
    split: str = ""
    extra: dict = field(default_factory=dict)


def _code(rnd: random.Random, prefix: str, used: set) -> str:
    while True:
        c = f"{prefix}-{rnd.randint(1000, 9999)}"
        if c not in used:
            used.add(c)
            return c


def _facilities(rnd, docs, qs, n_cities):
    used: set = set()
    for ci, (co, co_zh, pre) in enumerate(COMPANIES):
        for (city, city_zh) in CITIES[:n_cities]:
            code = _code(rnd, pre, used)
            year, staff, out = rnd.randint(1968, 2019), rnd.randint(80, 2400), rnd.randint(1200, 90000)
            prod, prod_zh = PRODUCTS[(ci + rnd.randint(0, 1)) % len(PRODUCTS)]
            mk, mk_zh = rnd.choice(MARKETS)
            mgr = rnd.choice(PEOPLE)
            lang = rnd.choice(("en", "zh"))
            f = f"facility-{pre.lower()}-{city.lower()}.md"
            if lang == "en":
                text = (f"# {co} – {city} site\n\n{co} operates a facility in {city} (site code {code}). "
                        f"The site opened in {year} and today employs {staff} people. Its main output is {prod}, "
                        f"shipped mainly to {mk}. The site manager is {mgr}. Annual output reached {out} tonnes "
                        f"in the last reporting year.\n")
            else:
                text = (f"# {co_zh}{city_zh}厂区\n\n{co_zh}在{city_zh}设有一个厂区（厂区代码 {code}）。该厂区于{year}年投产，"
                        f"目前有员工{staff}名。主要产品为{prod_zh}，主要销往{mk_zh}。厂区负责人是{mgr}。"
                        f"上一报告年度年产量达到{out}吨。\n")
            docs.append(Doc(f, lang, text, "facility"))
            en_q = [f"How large is the workforce at the {city} plant of {co}?",
                    f"When did {co} start running its base in {city}?",
                    f"Who is in charge of the {co} works in {city}?",
                    f"How much does the {city} location of {co} produce per year?"]
            zh_q = [f"{co_zh}位于{city_zh}的工厂有多少工人？", f"{co_zh}在{city_zh}的基地是哪一年开始运营的？",
                    f"谁在管理{co_zh}的{city_zh}基地？", f"{co_zh}{city_zh}基地每年的产量是多少？"]
            a, b = rnd.sample(range(4), 2)
            same, other = (en_q, zh_q) if lang == "en" else (zh_q, en_q)
            facts = [str(staff), str(year), mgr, str(out)]  # what each question asks, as the document says it
            qs.append(Question(same[a], lang, f, "paraphrase", "facility", extra={"fact": facts[a]}))
            qs.append(Question(other[b], "zh" if lang == "en" else "en", f, "cross", "facility",
                               extra={"fact": facts[b]}))
            ql = rnd.choice(("en", "zh"))
            qs.append(Question(f"Which site is registered under code {code}?" if ql == "en" else f"代码为{code}的是哪个厂区？",
                               ql, f, "code", "facility"))


def _catalogs(rnd, docs, qs, n_years):
    used: set = set()
    for brand, brand_zh, pt, pt_zh, unit in BRANDS:
        pre = brand[:2].upper()
        for year in range(2018, 2018 + n_years):
            lang = rnd.choice(("en", "zh"))
            caps = sorted(rnd.sample(range(2, 60), 8))
            rows = []
            for cap in caps:
                cap_v = cap * {"L/h": 10, "km": 5, "BTU": 500, "min": 1, "cups": 2, "mAh": 1000}[unit]
                rows.append((_code(rnd, pre, used), f"{cap_v} {unit}", f"{rnd.randint(12, 380) / 10:.1f}",
                             str(rnd.randint(60, 2900))))
            f = f"catalog-{brand.lower()}-{year}.md"
            if lang == "en":
                intro = (f"# {brand} {pt} catalogue {year}\n\nThis catalogue lists every {pt} model that {brand} sells "
                         f"in {year}. All models come with a two-year warranty and free delivery within the EU. "
                         f"Prices are recommended retail prices in US dollars, excluding tax. Weights are measured "
                         f"without packaging. Contact your dealer for volume discounts and for spare parts.\n\n"
                         f"## Models\n\n| Model | Capacity | Weight (kg) | Price (USD) |\n|---|---|---|---|\n")
            else:
                intro = (f"# {brand_zh}{pt_zh}产品目录 {year}\n\n本目录列出{brand_zh}在{year}年销售的全部{pt_zh}型号。"
                         f"所有型号均提供两年保修，并在欧盟境内免费配送。价格为建议零售价（美元，不含税）。"
                         f"重量为不含包装的净重。批量折扣和备件请联系经销商。\n\n"
                         f"## 型号列表\n\n| 型号 | 容量 | 重量（千克） | 价格（美元） |\n|---|---|---|---|\n")
            text = intro + "".join(f"| {m} | {c} | {w} | {p} |\n" for m, c, w, p in rows)
            docs.append(Doc(f, lang, text, "catalog"))
            m, c, w, p = rows[rnd.randrange(8)]
            ql = rnd.choice(("en", "zh"))
            qs.append(Question(f"How heavy is model {m}?" if ql == "en" else f"{m}这个型号有多重？",
                               ql, f, "code", "catalog", answer=m, extra={"fact": f"| {m} | {c} | {w} |"}))
            m, c, w, p = rows[rnd.randrange(8)]
            ql = rnd.choice(("en", "zh"))
            q = (f"What does the {c} {pt} from {brand}'s {year} range cost?" if ql == "en"
                 else f"{brand_zh}{year}年款中{c}的{pt_zh}卖多少钱？")
            qs.append(Question(q, ql, f, "table" if ql == lang else "cross", "catalog", answer=m,
                               extra={"table": True, "fact": f"| {m} | {c} | {w} | {p} |"}))


def _summits(rnd, docs, qs, n_years):
    for theme, theme_zh in THEMES:
        cities = rnd.sample(CITIES, n_years)
        for (city, city_zh), year in zip(cities, range(2016, 2016 + n_years)):
            lang = rnd.choice(("en", "zh"))
            mon, day = rnd.randrange(12), rnd.randint(1, 25)
            n, k, who = rnd.randint(150, 4800), rnd.randint(12, 95), rnd.choice(PEOPLE)
            f = f"summit-{theme.split()[0]}-{theme.split()[-1]}-{year}.md"
            if lang == "en":
                text = (f"# Summit on {theme}, {year}\n\nThe {year} summit on {theme} took place in {city} from "
                        f"{day} to {day + 2} {MONTHS[mon]}. It drew {n} delegates from {k} countries. The keynote was "
                        f"delivered by {who}, and the closing declaration called for shared monitoring data and "
                        f"joint funding of pilot projects.\n")
            else:
                text = (f"# {year}年{theme_zh}峰会\n\n{year}年{theme_zh}峰会于{mon + 1}月{day}日至{day + 2}日在{city_zh}召开，"
                        f"共有来自{k}个国家的{n}名代表参会。{who}发表了主旨演讲，闭幕宣言呼吁共享监测数据并联合资助试点项目。\n")
            docs.append(Doc(f, lang, text, "summit"))
            en_q = [f"In which city did the {year} meeting about {theme} happen?",
                    f"How many participants attended the {theme} conference of {year}?",
                    f"Who gave the main speech at the {year} gathering on {theme}?"]
            zh_q = [f"{year}年关于{theme_zh}的会议在哪个城市举办？", f"{year}年{theme_zh}大会有多少人出席？",
                    f"{year}年{theme_zh}会议上是谁做的主要发言？"]
            a, b = rnd.sample(range(3), 2)
            same, other = (en_q, zh_q) if lang == "en" else (zh_q, en_q)
            facts = [city if lang == "en" else city_zh, str(n), who]
            qs.append(Question(same[a], lang, f, "paraphrase", "summit", extra={"fact": facts[a]}))
            qs.append(Question(other[b], "zh" if lang == "en" else "en", f, "cross", "summit",
                               extra={"fact": facts[b]}))


def _handbooks(rnd, docs, qs, n_editions):
    for co, co_zh, pre in COMPANIES:
        for year in range(2020, 2020 + n_editions):
            lang = rnd.choice(("en", "zh"))
            f = f"handbook-{pre.lower()}-{year}.md"
            values = {}
            parts = [f"# {co} employee handbook, {year} edition\n" if lang == "en" else f"# {co_zh}员工手册（{year}年版）\n"]
            parts.append(("This handbook describes the employment terms of " + co + f" valid from 1 January {year}. "
                          "It replaces all earlier editions.") if lang == "en"
                         else f"本手册说明{co_zh}自{year}年1月1日起生效的雇佣条款，取代以往所有版本。")
            for key, h_en, h_zh, f_en, f_zh, (lo, hi), _, _ in SECTIONS:
                v = rnd.randint(lo, hi)
                values[key] = v
                filler = rnd.sample(FILLER_EN if lang == "en" else FILLER_ZH, 3)
                if lang == "en":
                    body = f"{filler[0]} {f_en.format(v=v)} {filler[1]} {filler[2]}"
                else:
                    body = f"{filler[0]}{f_zh.format(v=v)}{filler[1]}{filler[2]}"
                parts.append(f"## {h_en if lang == 'en' else h_zh}\n\n{body}")
            docs.append(Doc(f, lang, "\n\n".join(parts) + "\n", "handbook"))
            for i, sec in enumerate(rnd.sample(SECTIONS, 4)):
                key, q_en, q_zh = sec[0], sec[6][0], sec[7][0]
                ql = lang if i % 2 == 0 else ("zh" if lang == "en" else "en")
                q = q_en.format(c=co, y=year) if ql == "en" else q_zh.format(c=co_zh, y=year)
                qs.append(Question(q, ql, f, "long" if ql == lang else "cross", "handbook",
                                   answer=str(values[key]), extra={"long": True, "fact": str(values[key])}))


def generate(seed: int = SEED, scale: float = 1.0) -> tuple[list[Doc], list[Question]]:
    """The set: ``scale`` 1.0 gives 168 documents and 399 questions; 0.2 about 30 documents."""
    rnd = random.Random(seed)
    docs: list[Doc] = []
    qs: list[Question] = []
    small = scale < 1.0
    _facilities(rnd, docs, qs, n_cities=2 if small else 8)
    _catalogs(rnd, docs, qs, n_years=1 if small else 7)
    _summits(rnd, docs, qs, n_years=1 if small else 6)
    _handbooks(rnd, docs, qs, n_editions=1 if small else 4)
    split = {}
    for d in docs:
        d.split = split[d.file] = "dev" if rnd.random() < 0.5 else "test"
    for q in qs:
        q.split = split[q.gold]
    return docs, qs


def answer_in(answer: str | None, text: str) -> bool:
    """``answer`` occurs in ``text`` as a whole number / code (``17`` is not found in ``2017``)."""
    if answer is None:
        return True
    return re.search(rf"(?<![\w.]){re.escape(answer)}(?![\w])", text) is not None


def write(out: Path, seed: int = SEED, scale: float = 1.0) -> tuple[list[Doc], list[Question]]:
    docs, qs = generate(seed, scale)
    out = Path(out)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    for d in docs:
        (out / "docs" / d.file).write_text(d.text, encoding="utf-8")
    (out / "questions.json").write_text(json.dumps([q.__dict__ for q in qs], ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    return docs, qs


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args(argv)
    docs, qs = write(Path(a.out), a.seed, a.scale)
    print(json.dumps({"documents": len(docs), "questions": len(qs)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

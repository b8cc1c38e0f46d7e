"""Hand-made planted cases: every rule of rules.md fires at least once, near-misses do not.

Each planted person or grant is written out here one by one, because each one is there to
prove one thing. Planted institutions are `manual` (no bulk people, no automatic grants), so the
numbers around a planted case are exactly the ones written below. Planted people placed in bulk
institutions (e.g. a 公务员 on 事业编制 in the county hospital) are covered by the automatic
grants, which are computed after the planted people are known.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from demo import pools
from demo.county import County, Inst, Town
from demo.idnum import bad_check, retirement_date, ric
from demo.people import ROSTER_COLUMNS, as_object

C = pools.COUNTY
# Given-name characters of planted people: disjoint from the bulk's, so a planted name is unique.
PLANTED_GIVEN = list(
    "建国志远致德福荣庆祥瑞松柏翠莲淑珍文武卿贤泽源海川峰岚启航博雅琪墨振邦素云栋梁康铭锦书"
)
assert not set(PLANTED_GIVEN) & set(pools.GIVEN_CHARS)

EXCEL_DAMAGED = "@excel"  # id cell marker: a numeric cell in xlsx, its plain integer in csv


@dataclass
class PlantedCase:
    """One expected finding (or, in near_misses, one that must not fire)."""

    rule: str
    institution_code: str = ""
    township_code: str = ""
    category: str = ""
    person_name: str = ""
    id_number: str = ""  # normalised as ingest should load it ("" for non-person grains)
    batches: list[str] = field(default_factory=list)  # batch dates where it holds
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class PersonDef:
    row: dict[str, object]
    present: set[int]
    per_batch: dict[int, dict[str, object]] = field(default_factory=dict)


class Planter:
    def __init__(self, county: County, dates: list[date], rng: np.random.Generator) -> None:
        self.county = county
        self.dates = dates
        self.rng = rng
        self.people: list[PersonDef] = []
        self.grant_rows: list[dict[str, object]] = []
        self.cases: list[PlantedCase] = []
        self.near: list[PlantedCase] = []
        self.gov_overrides: dict[str, tuple[int, int]] = {}
        self.hidden_people: list[dict[str, object]] = []
        self._prefixes: set[str] = set()
        self._names: set[str] = set()
        self._pid = itertools.count(10**9)
        self._doc = itertools.count(1)
        self.n_batches = len(dates)

    # -- helpers ---------------------------------------------------------------------------
    def all_batches(self) -> list[int]:
        return list(range(self.n_batches))

    def when(self, idx: list[int]) -> list[str]:
        return [self.dates[i].isoformat() for i in idx if i < self.n_batches]

    def new_id(self, birth: date, male: bool, region: str = "510321") -> str:
        seq = 901 if male else 900
        while f"{region}{birth:%Y%m%d}{seq:03d}" in self._prefixes:
            seq += 2
        assert seq < 1000
        self._prefixes.add(f"{region}{birth:%Y%m%d}{seq:03d}")
        return ric(region, birth, seq)

    def new_name(self) -> str:
        while True:
            sur = pools.SURNAMES[int(self.rng.integers(0, 60))]
            given = "".join(self.rng.choice(PLANTED_GIVEN, size=2))
            if sur + given not in self._names:
                self._names.add(sur + given)
                return sur + given

    def name(self, name: str) -> str:
        assert any(ch in PLANTED_GIVEN for ch in name[1:]), name
        assert name not in self._names, name
        self._names.add(name)
        return name

    def birth(self, lo: int = 26, hi: int = 50) -> date:
        days = int(self.rng.integers(lo * 365, hi * 365))
        return self.dates[-1] - timedelta(days=days)

    def person(
        self,
        inst: Inst | None,
        category: str,
        quota: str,
        *,
        name: str | None = None,
        gender: str | None = None,
        birth: date | None = None,
        leadership: str = "无",
        grade: str = "无",
        title: str = "科员",
        post: str | None = None,
        status: str = "在岗",
        work: Inst | None = None,
        slot_code: str | None = None,
        slot_name: str | None = None,
        work_code: str | None = None,
        work_name: str | None = None,
        id_number: str | None = None,
        id_cell: str = "",
        id_birth: date | None = None,
        id_male: bool | None = None,
        present: list[int] | None = None,
        per_batch: dict[int, dict[str, object]] | None = None,
        error: str = "",
    ) -> PersonDef:
        gender = gender or ("男" if self.rng.random() < 0.55 else "女")
        birth = birth or self.birth()
        male = gender == "男" if id_male is None else id_male
        if id_number is None:
            id_number = self.new_id(id_birth or birth, male)
        if post is None:
            default_posts = {"工勤人员": "工勤技能岗位", "事业人员": "专业技术岗位"}
            post = default_posts.get(category, "管理岗位")
            if leadership != "无":
                post = "管理岗位"
        slot_truth = inst.code if inst else ""
        if work is not None:
            work_truth = work.parent_code if work.category == "内设机构" else work.code
        else:
            work_truth = slot_truth
        row = {
            "id_number": id_number,
            "name": self.new_name() if name is None else name,
            "gender": gender,
            "birth_date": np.datetime64(birth, "D"),
            "person_category": category,
            "quota_type": quota,
            "slot_code": inst.code if (inst and slot_code is None) else (slot_code or ""),
            "slot_name": inst.name if (inst and slot_name is None) else (slot_name or ""),
            "work_code": (work.code if work else "") if work_code is None else work_code,
            "work_name": (work.name if work else "") if work_name is None else work_name,
            "title": title,
            "leadership": leadership,
            "grade": grade,
            "post_type": post,
            "slot_since": np.datetime64(birth + timedelta(days=365 * 24), "D")
            if quota != "无"
            else np.datetime64("NaT"),
            "status": status,
            "education": "大学本科",
            "work_since": np.datetime64(birth + timedelta(days=365 * 23), "D"),
            "_pid": next(self._pid),
            "_slot": slot_truth,
            "_work": work_truth,
            "_origin": "planted",
            "_error": error,
            "_id_cell": id_cell,
        }
        p = PersonDef(
            row, set(present if present is not None else self.all_batches()), per_batch or {}
        )
        self.people.append(p)
        return p

    def staff(self, inst: Inst, n: int, category: str, quota: str, **kw: object) -> None:
        for _ in range(n):
            self.person(inst, category, quota, **kw)  # type: ignore[arg-type]

    def grant(
        self,
        inst: Inst | None,
        item: str,
        kind: str,
        change: str,
        amount: object,
        eff: date,
        *,
        by: str = "code",
        name: str | None = None,
        approved: date | None = None,
        doc: str | None = None,
        note: str = "",
        from_batch: int = 0,
        error: str = "",
        group: int | None = None,
    ) -> None:
        code = inst.code if inst and by == "code" else ""
        written = name if name is not None else (inst.name if inst else "")
        self.grant_rows.append(
            {
                "doc_no": doc or f"县编委〔{eff.year}〕{next(self._doc)}号",
                "approved_on": np.datetime64(approved or eff - timedelta(days=10), "D"),
                "effective_on": np.datetime64(eff, "D"),
                "institution_code": code,
                "institution_name": written,
                "item": item,
                "kind": kind,
                "change": change,
                "amount": amount,
                "note": note,
                "_error": error,
                "_from_batch": from_batch,
                "_group": group if group is not None else len(self.grant_rows),
            }
        )

    def case(
        self,
        rule: str,
        inst: Inst | None = None,
        *,
        town: str = "",
        category: str = "",
        person: PersonDef | None = None,
        batches: list[int] | None = None,
        note: str = "",
        near: bool = False,
    ) -> None:
        row = person.row if person else {}
        township = town or (self.township_of(inst) if inst else "")
        c = PlantedCase(
            rule=rule,
            institution_code=inst.code if inst else "",
            township_code=township,
            category=category,
            person_name=str(row.get("name", "")).strip(" \u3000"),
            id_number=str(row.get("id_number", "")),
            batches=self.when(batches if batches is not None else self.all_batches()),
            note=note,
        )
        (self.near if near else self.cases).append(c)

    def township_of(self, inst: Inst) -> str:
        if inst.category == "内设机构":
            inst = next(i for i in self.county.insts if i.code == inst.parent_code)
        return inst.township_code

    def inst(self, name: str) -> Inst:
        return self.county.by_name[name]

    def manual(
        self,
        name: str,
        category: str,
        rank: str,
        *,
        public_class: str = "",
        parent: str | None = None,
        **kw: object,
    ) -> Inst:
        parent_inst = self.county.by_name.get(parent) if parent else None
        return self.county.add(
            name,
            category,
            "县直",
            rank,
            public_class=public_class,
            kind="planted",
            flavour={"行政机关": "admin", "参公事业单位": "cangong"}.get(category, "shiye"),
            manual=True,
            parent_code=parent_inst.code if parent_inst else "",
            **kw,
        )  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
def plant_towns(county: County) -> dict[str, Town]:
    """The two fully hand-made townships (leader ratio 0.48 and exactly 0.35)."""
    ratio = county.add_town(
        "龙潭", "乡", klass="二类", population=12_600, area=85.2, role="ratio", bulk=False
    )
    ratio35 = county.add_town(
        "石佛", "镇", klass="二类", population=15_800, area=102.7, role="ratio35", bulk=False
    )
    return {"ratio": ratio, "ratio35": ratio35}


def plant(
    county: County, dates: list[date], rng: np.random.Generator, towns: dict[str, Town]
) -> Planter:
    p = Planter(county, dates, rng)
    b = p.all_batches()

    # ---- quota: OVERSTAFFED (resolving), authorized 0 twice, VACANT ----------------------
    ybj = p.manual(f"{C}医疗保障局", "行政机关", "正科级", established=date(2019, 3, 1))
    p.person(
        ybj,
        "公务员",
        "行政编制",
        name=p.name("罗振邦"),
        gender="男",
        birth=date(1972, 5, 11),
        leadership="正职",
        grade="正科级",
        title="局长",
    )
    p.person(
        ybj,
        "公务员",
        "行政编制",
        name=p.name("何海川"),
        gender="男",
        birth=date(1978, 9, 23),
        leadership="副职",
        grade="副科级",
        title="副局长",
    )
    p.person(
        ybj,
        "公务员",
        "行政编制",
        name=p.name("蒋素云"),
        gender="女",
        birth=date(1981, 2, 14),
        leadership="副职",
        grade="副科级",
        title="副局长",
    )
    p.staff(ybj, 3, "公务员", "行政编制")
    p.grant(ybj, "编制", "行政编制", "核定", 5, date(2019, 3, 15), note="机构改革", group=100)
    p.grant(ybj, "领导职数", "正职", "核定", 1, date(2019, 3, 15), group=100)
    p.grant(ybj, "领导职数", "副职", "核定", 2, date(2019, 3, 15), group=100)
    # effective after the second batch date, in the second batch's file: counts from batch 3
    p.grant(
        ybj,
        "编制",
        "行政编制",
        "核增",
        1,
        date(2026, 11, 1),
        approved=date(2026, 10, 12),
        doc="县编委〔2026〕31号",
        note="承接新增职能",
        from_batch=1,
    )
    resolved_from = next((i for i, d in enumerate(dates) if d >= date(2026, 11, 1)), len(dates))
    p.case(
        "OVERSTAFFED",
        ybj,
        category="行政编制",
        batches=list(range(resolved_from)),
        note="occupied 6 > authorized 5; a 核增 effective 2026-11-01 (future-dated in the "
        "2026-10-20 grants file, carried forward) resolves it in the 2026-11-20 batch",
    )

    wh = p.manual(
        f"{C}文化馆",
        "事业单位",
        "股级",
        public_class="公益一类",
        parent=f"{C}文化广播电视和旅游局",
        established=date(1978, 6, 1),
    )
    p.person(wh, "事业人员", "事业编制", leadership="正职", grade="股级", title="馆长")
    p.person(wh, "事业人员", "事业编制", leadership="副职", grade="股级", title="副馆长")
    p.staff(wh, 5, "事业人员", "事业编制", title="专业技术人员")
    p.staff(wh, 2, "工勤人员", "工勤编制", title="驾驶员")
    p.grant(wh, "编制", "事业编制", "核定", 9, date(2019, 6, 1), group=101)
    p.grant(wh, "领导职数", "正职", "核定", 1, date(2019, 6, 1), group=101)
    p.grant(wh, "领导职数", "副职", "核定", 1, date(2019, 6, 1), group=101)
    p.case(
        "OVERSTAFFED",
        wh,
        category="工勤编制",
        note="2 on 工勤编制, no 工勤编制 grant at all: authorized 0",
    )
    p.case("VACANT", wh, category="事业编制", note="authorized 9 - 1 划出 = 8, occupied 7")

    yl = p.manual(
        f"{C}园林绿化服务中心",
        "事业单位",
        "股级",
        public_class="公益一类",
        established=date(2008, 9, 1),
    )
    p.person(yl, "事业人员", "事业编制", leadership="正职", grade="股级", title="主任")
    p.staff(yl, 3, "事业人员", "事业编制", title="技术员")
    p.person(yl, "工勤人员", "工勤编制", title="技术工人")
    p.grant(yl, "编制", "事业编制", "核定", 4, date(2018, 5, 1), group=102)
    p.grant(yl, "编制", "工勤编制", "核定", 2, date(2018, 5, 1), group=102)
    p.grant(yl, "领导职数", "正职", "核定", 1, date(2018, 5, 1), group=102)
    p.grant(yl, "编制", "工勤编制", "收回", 2, date(2023, 6, 1), note="工勤编制收回")
    p.case(
        "OVERSTAFFED",
        yl,
        category="工勤编制",
        note="工勤编制 核定 2 then 收回 2: authorized 0 (explicit), occupied 1",
    )

    # ---- leadership: OVER_LEADERSHIP and LEADER_RATIO of an institution -----------------
    xf = p.manual(f"{C}信访局", "行政机关", "正科级", established=date(2019, 3, 1))
    p.person(xf, "公务员", "行政编制", leadership="正职", grade="正科级", title="局长")
    for _ in range(4):
        p.person(xf, "公务员", "行政编制", leadership="副职", grade="副科级", title="副局长")
    p.staff(xf, 7, "公务员", "行政编制")
    p.grant(xf, "编制", "行政编制", "核定", 12, date(2019, 3, 15), group=103)
    p.grant(xf, "领导职数", "正职", "核定", 1, date(2019, 3, 15), group=103)
    p.grant(xf, "领导职数", "副职", "核定", 3, date(2019, 3, 15), group=103)
    p.case("OVER_LEADERSHIP", xf, category="副职", note="4 副职 > 3 authorized")
    p.case("LEADER_RATIO", xf, note="institution: 5 leaders / 12 staff = 0.417")

    dfz = p.manual(
        f"{C}地方志编纂中心",
        "事业单位",
        "副科级",
        public_class="公益一类",
        parent=f"中共{C}委办公室",
        established=date(1985, 4, 1),
    )
    p.person(dfz, "事业人员", "事业编制", leadership="正职", grade="副科级", title="主任")
    for _ in range(3):
        p.person(dfz, "事业人员", "事业编制", leadership="副职", grade="股级", title="副主任")
    p.staff(dfz, 5, "事业人员", "事业编制", title="专业技术人员")
    p.grant(dfz, "编制", "事业编制", "核定", 9, date(2016, 3, 1), group=104)
    p.grant(dfz, "领导职数", "正职", "核定", 1, date(2016, 3, 1), group=104)
    p.grant(dfz, "领导职数", "副职", "核定", 3, date(2016, 3, 1), group=104)
    # row errors in the grants file: not an integer; unknown change
    p.grant(
        dfz, "编制", "事业编制", "核增", "2.5", date(2024, 1, 1), error="amount is not an integer"
    )
    p.grant(dfz, "编制", "事业编制", "调剂", 1, date(2024, 5, 1), error="unknown 变动方式 调剂")
    p.case(
        "LEADER_RATIO",
        dfz,
        near=True,
        note="4 leaders / 9 staff = 0.44, but staff 9 < 10: no finding",
    )

    # ---- revoked institutions -----------------------------------------------------------
    gh = p.manual(
        f"{C}城乡规划服务中心",
        "事业单位",
        "股级",
        public_class="公益一类",
        established=date(2012, 5, 1),
        revoked=date(2025, 12, 31),
    )
    r1 = p.person(gh, "事业人员", "事业编制", title="规划师")
    r2 = p.person(gh, "事业人员", "事业编制", title="技术员")
    p.grant(gh, "编制", "事业编制", "核定", 5, date(2015, 1, 1))
    for r in (r1, r2):
        p.case("REVOKED_INSTITUTION", gh, person=r, note="slot unit revoked 2025-12-31")
    p.case(
        "REVOKED_INSTITUTION",
        gh,
        category="事业编制",
        note="revoked institution still has authorized 5",
    )
    p.case("VACANT", gh, category="事业编制", note="side effect: authorized 5, occupied 2")

    zs = p.manual(
        f"{C}招商引资服务中心",
        "事业单位",
        "股级",
        public_class="公益一类",
        established=date(2010, 3, 1),
        revoked=date(2024, 6, 30),
    )
    p.grant(zs, "编制", "事业编制", "核定", 3, date(2016, 1, 1))
    p.grant(zs, "编制", "事业编制", "收回", 3, date(2024, 6, 30), note="机构撤销，编制收回")
    fgj = p.inst(f"{C}发展和改革局")
    r3 = p.person(fgj, "公务员", "行政编制", work=zs)
    p.case("REVOKED_INSTITUTION", fgj, person=r3, note="work unit revoked 2024-06-30")
    p.case("SECONDED", fgj, person=r3, note="side effect: works in another (revoked) unit")

    # ---- ledger semantics ---------------------------------------------------------------
    gx = p.manual(f"{C}供销合作社联合社", "参公事业单位", "副科级", established=date(1952, 10, 1))
    p.person(gx, "参公人员", "事业编制", leadership="正职", grade="副科级", title="主任")
    p.staff(gx, 2, "参公人员", "事业编制")
    p.grant(gx, "编制", "事业编制", "核定", 4, date(2018, 1, 1), group=105)
    p.grant(gx, "领导职数", "正职", "核定", 1, date(2018, 1, 1), group=105)
    p.grant(gx, "编制", "事业编制", "核减", 5, date(2021, 4, 1), note="精简")
    p.grant(gx, "编制", "事业编制", "核定", 3, date(2023, 2, 1), note="重新核定")
    p.case(
        "NEGATIVE_QUOTA",
        gx,
        category="事业编制",
        note="核定 4, 核减 5 on 2021-04-01 → -1; a later 核定 3 does not stop it firing",
    )

    zw = p.manual(f"{C}政务服务中心", "参公事业单位", "副科级", established=date(2022, 1, 1))
    p.person(zw, "参公人员", "事业编制", leadership="正职", grade="副科级", title="主任")
    p.staff(zw, 4, "参公人员", "事业编制")
    doc = "县编委〔2022〕3号"
    # the 核增 is listed before the 核定 of the same day: the 核定 still applies first
    p.grant(zw, "编制", "事业编制", "核增", 2, date(2022, 1, 1), doc=doc, group=106)
    p.grant(zw, "编制", "事业编制", "核定", 3, date(2022, 1, 1), doc=doc, group=106)
    p.grant(zw, "领导职数", "正职", "核定", 1, date(2022, 1, 1), doc=doc, group=106)
    p.case(
        "OVERSTAFFED",
        zw,
        category="事业编制",
        near=True,
        note="核增 2 and 核定 3 on one day (核增 row first): authorized 5 = occupied 5",
    )
    p.case("VACANT", zw, category="事业编制", near=True, note="authorized 5 = occupied 5")

    jy = p.manual(
        f"{C}公共资源交易中心",
        "事业单位",
        "股级",
        public_class="公益一类",
        established=date(2017, 12, 1),
    )
    p.person(jy, "事业人员", "事业编制", leadership="正职", grade="股级", title="主任")
    p.person(jy, "事业人员", "事业编制", leadership="副职", grade="股级", title="副主任")
    p.staff(jy, 7, "事业人员", "事业编制")
    p.grant(jy, "编制", "事业编制", "核定", 8, date(2018, 3, 1), group=107)
    p.grant(jy, "领导职数", "正职", "核定", 1, date(2018, 3, 1), group=107)
    p.grant(jy, "领导职数", "副职", "核定", 1, date(2018, 3, 1), group=107)
    p.grant(jy, "编制", "事业编制", "核增", 3, date(2020, 5, 1))
    doc = "县编委〔2021〕17号"
    p.grant(wh, "编制", "事业编制", "划出", 1, date(2021, 6, 1), doc=doc, group=108)
    p.grant(jy, "编制", "事业编制", "划入", 1, date(2021, 6, 1), doc=doc, group=108)
    p.grant(
        jy,
        "编制",
        "事业编制",
        "核定",
        9,
        date(2023, 7, 1),
        by="name",
        name=f"{C} 公共资源 交易中心",
        note="重新核定",
    )
    p.case(
        "VACANT",
        jy,
        category="事业编制",
        near=True,
        note="核定 8 + 核增 3 + 划入 1, then 核定 9 resets (grant named with inner spaces): "
        "authorized 9 = occupied 9",
    )

    sp = p.manual(
        f"{C}行政审批局",
        "行政机关",
        "正科级",
        established=date(2019, 3, 1),
        aliases=[f"{C}政务服务管理办公室"],
    )
    p.person(sp, "公务员", "行政编制", leadership="正职", grade="正科级", title="局长")
    p.person(sp, "公务员", "行政编制", leadership="副职", grade="副科级", title="副局长")
    p.person(sp, "公务员", "行政编制", slot_code="", slot_name=f"{C}政务服务管理办公室")
    p.person(sp, "公务员", "行政编制", slot_code="", slot_name=f"{C}　行政审批局 ")
    p.staff(sp, 2, "公务员", "行政编制")
    p.grant(
        sp,
        "编制",
        "行政编制",
        "核定",
        6,
        date(2019, 3, 15),
        by="name",
        name=f"{C}政务服务管理办公室",
        note="按加挂牌子名称核定",
    )
    p.grant(sp, "领导职数", "正职", "核定", 1, date(2019, 3, 15), by="name")
    p.grant(sp, "领导职数", "副职", "核定", 1, date(2019, 3, 15), by="name")
    doc = "县编委〔2024〕6号"
    p.grant(
        sp,
        "编制",
        "行政编制",
        "核定",
        7,
        date(2024, 3, 1),
        doc=doc,
        group=109,
        error="two 核定 for one institution/item/kind on one date",
    )
    p.grant(
        sp,
        "编制",
        "行政编制",
        "核定",
        8,
        date(2024, 3, 1),
        doc=doc,
        group=109,
        error="two 核定 for one institution/item/kind on one date",
    )
    p.grant(
        sp,
        "编制",
        "行政编制",
        "核增",
        2,
        date(2027, 1, 1),
        approved=date(2026, 7, 15),
        doc="县编委〔2026〕19号",
        note="2027年1月1日起执行",
    )
    p.case(
        "VACANT",
        sp,
        category="行政编制",
        near=True,
        note="authorized 6 (granted under the alias name) = occupied 6; the conflicting "
        "核定 pair is quarantined and the 核增 is effective only on 2027-01-01",
        batches=[i for i, d in enumerate(dates) if d < date(2027, 1, 1)],
    )
    p.case(
        "VACANT",
        sp,
        category="行政编制",
        batches=[i for i, d in enumerate(dates) if d >= date(2027, 1, 1)],
        note="only in a batch after 2027-01-01, when the future 核增 2 counts (--batches 5+)",
    )

    # ---- unknown units ------------------------------------------------------------------
    unk = p.person(None, "公务员", "行政编制", slot_code="", slot_name=f"{C}新区建设指挥部")
    p.case(
        "UNKNOWN_INSTITUTION",
        None,
        person=unk,
        category=f"{C}新区建设指挥部",
        note="roster row names a unit that does not exist",
    )
    p.grant(
        None,
        "编制",
        "事业编制",
        "核定",
        5,
        date(2025, 4, 1),
        by="name",
        name=f"{C}乡村振兴服务中心",
    )
    p.case(
        "UNKNOWN_INSTITUTION",
        None,
        category=f"{C}乡村振兴服务中心",
        note="grant row names a unit that does not exist",
    )
    czj = p.inst(f"{C}财政局")
    stale = p.person(czj, "公务员", "行政编制", slot_code="JG999999")
    p.case(
        "UNKNOWN_INSTITUTION",
        czj,
        person=stale,
        near=True,
        note="unknown code JG999999 but the exact name: resolves by name",
    )

    # ---- category / quota / leadership mixes (in bulk institutions) ----------------------
    rmyy = p.inst(f"{C}人民医院")
    yz = p.inst(f"{C}第一中学")
    jk = p.inst(f"{C}疾病预防控制中心")
    jyj = p.inst(f"{C}教育局")
    mz = p.inst(f"{C}民政局")
    rs = p.inst(f"{C}人力资源和社会保障局")
    zfb = p.inst(f"{C}人民政府办公室")
    nyj = p.inst(f"{C}农业农村局")
    zrj = p.inst(f"{C}自然资源和规划局")
    gaj = p.inst(f"{C}公安局")
    zzb = p.inst(f"中共{C}委组织部")
    lc = p.inst(f"{C}国有林场")
    mixes = [
        ("MIXED_CATEGORY", rmyy, "公务员", "事业编制", "公务员 on 事业编制"),
        ("MIXED_CATEGORY", yz, "参公人员", "事业编制", "参公人员 in a 事业单位 (not 参公)"),
        ("MIXED_CATEGORY", rmyy, "编外人员", "事业编制", "编外人员 on a quota"),
        ("MIXED_CATEGORY", jk, "工勤人员", "事业编制", "工勤人员 not on 工勤编制"),
        ("MIXED_QUOTA", jk, "公务员", "行政编制", "行政编制 held in a 事业单位"),
        ("MIXED_QUOTA", czj, "事业人员", "事业编制", "事业编制 held in a 行政机关"),
    ]
    for rule, inst, cat, quota, note in mixes:
        p.case(rule, inst, person=p.person(inst, cat, quota), note=note)
    ml1 = p.person(jyj, "事业人员", "事业编制", leadership="副职", grade="副科级", title="副局长")
    p.case("MIXED_LEADERSHIP", jyj, person=ml1, note="事业编制 leader in a 行政机关")
    p.case("MIXED_QUOTA", jyj, person=ml1, note="side effect: 事业编制 held in a 行政机关")
    ml2 = p.person(rmyy, "公务员", "行政编制", leadership="副职", grade="股级", title="副院长")
    p.case("MIXED_LEADERSHIP", rmyy, person=ml2, note="行政编制 leader in a 事业单位")
    p.case("MIXED_QUOTA", rmyy, person=ml2, note="side effect: 行政编制 held in a 事业单位")
    w1 = p.person(zfb, "工勤人员", "工勤编制", post="管理岗位", title="综合管理")
    p.case("WORKER_IN_MANAGEMENT", zfb, person=w1, note="工勤人员 on a 管理岗位")
    czj_office = next(
        i for i in county.insts if i.parent_code == czj.code and i.category == "内设机构"
    )
    w2 = p.person(
        czj,
        "工勤人员",
        "工勤编制",
        post="工勤技能岗位",
        leadership="内设机构副职",
        title="综合股副股长",
        work=czj_office,
    )
    p.case("WORKER_IN_MANAGEMENT", czj, person=w2, note="工勤人员 holding a leadership post")
    nm = p.person(lc, "事业人员", "事业编制", leadership="正职", grade="正科级", title="场长")
    p.case("OVER_RANK", lc, person=nm, near=True, note="rank 未定级 never fires")
    nm = p.person(jk, "事业人员", "事业编制", leadership="副职", grade="无", title="副主任")
    p.case("OVER_RANK", jk, person=nm, near=True, note="grade 无 never fires")

    # ---- seconded -----------------------------------------------------------------------
    large, tlq = towns["large"], towns["tlq"]
    large_gov = p.inst(large.gov_name)
    nyzx = p.inst(large.name + "农业综合服务中心")
    s1 = p.person(nyzx, "事业人员", "事业编制", status="借调", work=nyj, title="农技员")
    p.case(
        "SECONDED",
        nyzx,
        person=s1,
        note="借调 to the county since the first batch: error once open > 90 days",
    )
    s2 = p.person(
        yz,
        "事业人员",
        "事业编制",
        status="借调",
        work=jyj,
        title="教师",
        per_batch={1: {"status": "在岗", "work_code": "", "work_name": "", "_work": yz.code}},
    )
    p.case(
        "SECONDED",
        yz,
        person=s2,
        batches=[0] + list(range(2, len(dates))),
        note="seconded, back in the second batch, seconded again: returns, keeps first_seen",
    )
    s3 = p.person(
        mz,
        "公务员",
        "行政编制",
        status="在岗",
        per_batch={k: {"status": "借调"} for k in range(1, len(dates))},
    )
    p.case(
        "SECONDED",
        mz,
        person=s3,
        batches=list(range(1, len(dates))),
        note="status 借调 alone (no work unit), from the second batch",
    )
    tlq_gov = p.inst(tlq.gov_name)
    tlq_office = p.inst(tlq.name + "党政办公室")
    s4 = p.person(large_gov, "公务员", "行政编制", work=tlq_office)
    p.case(
        "SECONDED", large_gov, person=s4, note="works in a 内设机构 of another township government"
    )
    s5 = p.person(zzb, "公务员", "行政编制", status="挂职", work=tlq_gov, work_code="")
    p.case("SECONDED", zzb, person=s5, note="挂职 in a township government (named only)")
    n1 = p.person(
        large_gov, "公务员", "行政编制", work=p.inst(large.name + "党政办公室"), work_code=""
    )
    p.case(
        "SECONDED", large_gov, person=n1, near=True, note="works in a 内设机构 of the own slot unit"
    )
    n2 = p.person(czj, "公务员", "行政编制", work=czj, work_code="")
    p.case("SECONDED", czj, person=n2, near=True, note="work unit named = the slot unit")
    n3 = p.person(mz, "公务员", "行政编制", status="挂职")
    p.case("SECONDED", mz, person=n3, near=True, note="挂职 with no other work unit")

    # ---- identity numbers ---------------------------------------------------------------
    d_id = p.new_id(date(1983, 8, 8), True)
    d1 = p.person(
        mz,
        "公务员",
        "行政编制",
        name=p.name("夏泽民"),
        gender="男",
        birth=date(1983, 8, 8),
        id_number=d_id,
    )
    d2 = p.person(
        yz,
        "事业人员",
        "事业编制",
        name="夏泽民",
        gender="男",
        birth=date(1983, 8, 8),
        id_number=d_id,
        title="教师",
    )
    p.case("DUPLICATE_SLOT", mz, person=d1, note="one number, slots in two institutions")
    p.case("DUPLICATE_SLOT", yz, person=d2, note="one number, slots in two institutions")
    dup_id = p.new_id(date(1990, 1, 21), False)
    dup = p.person(
        rmyy,
        "事业人员",
        "事业编制",
        name=p.name("钱雨泽"),
        gender="女",
        birth=date(1990, 1, 21),
        id_number=dup_id,
        title="护士",
    )
    p.people.append(PersonDef(dict(dup.row, _pid=next(p._pid)), set(b)))
    p.case(
        "DUPLICATE_SLOT",
        rmyy,
        person=dup,
        near=True,
        note="the same row twice (one institution and quota type): counts once, no finding",
    )
    c_id = p.new_id(date(1979, 12, 3), True)
    c1 = p.person(
        czj,
        "公务员",
        "行政编制",
        name=p.name("陈致远"),
        gender="男",
        birth=date(1979, 12, 3),
        id_number=c_id,
    )
    c2 = p.person(
        large_gov,
        "编外人员",
        "无",
        name=p.name("陈志远"),
        gender="男",
        birth=date(1979, 12, 3),
        id_number=c_id,
        title="协管员",
    )
    p.case("ID_CONFLICT", czj, person=c1, note="same number as 陈志远")
    p.case("ID_CONFLICT", large_gov, person=c2, note="same number as 陈致远")
    z_id = p.new_id(date(1988, 5, 30), False)
    z1 = p.person(
        rs,
        "公务员",
        "行政编制",
        name=p.name("周淑珍"),
        gender="女",
        birth=date(1988, 5, 30),
        id_number=z_id,
    )
    p.person(
        large_gov,
        "编外人员",
        "无",
        name="\u3000周淑珍\u3000",
        gender="女",
        birth=date(1988, 5, 30),
        id_number=z_id,
        title="协管员",
    )
    p.case(
        "ID_CONFLICT",
        rs,
        person=z1,
        near=True,
        note="the same name with full-width padding: equal after trimming",
    )

    i1 = p.person(czj, "公务员", "行政编制", name=p.name("冯德海"))
    i1.row["id_number"] = bad_check(str(i1.row["id_number"]))
    p.case("INVALID_ID", czj, person=i1, note="check digit fails")
    i2 = p.person(
        jyj, "公务员", "行政编制", gender="女", birth=date(1986, 4, 21), id_birth=date(1986, 4, 12)
    )
    p.case("INVALID_ID", jyj, person=i2, note="birth date 1986-04-21 vs 19860412 in the number")
    i3 = p.person(rmyy, "事业人员", "事业编制", gender="女", id_male=True, title="医师")
    p.case("INVALID_ID", rmyy, person=i3, note="gender 女 but an odd (male) gender digit")
    true_e1 = ric("320102", date(1985, 3, 17), 913)
    i4 = p.person(
        gaj,
        "公务员",
        "政法专项编制",
        gender="男",
        birth=date(1985, 3, 17),
        id_number=true_e1[:12] + "000000",
        id_cell=EXCEL_DAMAGED,
    )
    p.case(
        "INVALID_ID",
        gaj,
        person=i4,
        note="Excel-damaged: a numeric xlsx cell 3.20102198503E+17 (its plain integer "
        "320102198503000000 in a csv)",
    )
    true_e2 = p.new_id(date(1990, 7, 9), False)
    # text in exponent form, as a csv exported from Excel holds it; ingest writes it out as the
    # plain integer (like an xlsx numeric cell), so that is the number the summary gives
    i5 = p.person(
        nyj,
        "公务员",
        "行政编制",
        gender="女",
        birth=date(1990, 7, 9),
        id_number=true_e2[:12] + "000000",
        id_cell=f"{true_e2[0]}.{true_e2[1:12]}E+17",
    )
    p.case(
        "INVALID_ID",
        nyj,
        person=i5,
        note="Excel-damaged number arriving as text in exponent form (5.10321199007E+17)",
    )
    x_birth = date(1987, 10, 1)
    seq = 903
    while ric("510321", x_birth, seq)[-1] != "X":
        seq += 2
    x_id = ric("510321", x_birth, seq)
    p._prefixes.add(x_id[:17])
    i6 = p.person(
        fgj,
        "公务员",
        "行政编制",
        gender="男",
        birth=x_birth,
        id_number=x_id,
        id_cell=x_id[:-1] + "x",
    )
    p.case("INVALID_ID", fgj, person=i6, near=True, note="lowercase x check digit: valid")
    i7 = p.person(zrj, "公务员", "行政编制")
    i7.row["_id_cell"] = str(i7.row["id_number"]).translate(FULLWIDTH_DIGITS)
    p.case("INVALID_ID", zrj, person=i7, near=True, note="full-width digits: valid")

    # ---- retirement ---------------------------------------------------------------------
    def over_age(
        inst: Inst,
        cat: str,
        quota: str,
        gender: str,
        birth: date,
        *,
        status: str = "在岗",
        post: str | None = None,
        note: str = "",
        title: str = "科员",
    ) -> None:
        person = p.person(
            inst, cat, quota, gender=gender, birth=birth, status=status, post=post, title=title
        )
        worker = cat == "工勤人员" or person.row["post_type"] == "工勤技能岗位"
        ret = retirement_date(birth, gender == "男", worker)
        fires = [i for i, d in enumerate(dates) if d >= ret]
        p.case(
            "OVER_AGE",
            inst,
            person=person,
            batches=fires if fires else b,
            near=not fires,
            note=f"{note}; retirement date {ret.isoformat()}",
        )

    over_age(nyj, "公务员", "行政编制", "男", date(1964, 10, 15), note="born before the reform")
    over_age(zrj, "公务员", "行政编制", "男", date(1965, 6, 10), note="2025 reform: 60y2m")
    over_age(
        rs,
        "公务员",
        "行政编制",
        "女",
        date(1971, 2, 14),
        status="离岗待退",
        note="离岗待退, woman cadre 55y4m",
    )
    over_age(
        zfb,
        "工勤人员",
        "工勤编制",
        "女",
        date(1976, 1, 10),
        title="炊事员",
        note="woman worker 50y7m",
    )
    over_age(
        czj,
        "公务员",
        "行政编制",
        "男",
        date(1966, 6, 3),
        note="retires between the second and third batch",
    )
    over_age(
        rmyy,
        "编外人员",
        "无",
        "女",
        date(1976, 3, 25),
        post="工勤技能岗位",
        title="护理员",
        note="worker-type by post (编外, 工勤技能岗位): base 50",
    )
    over_age(
        jyj,
        "公务员",
        "行政编制",
        "男",
        date(1966, 7, 20),
        note="retirement 2026-12-01, the first day a retirement can fall after the last "
        "batch date (retirement dates are always the 1st)",
    )

    # ---- townships: leader ratio, township leadership quota, institution limits ---------
    _plant_ratio_town(p, towns["ratio"])
    _plant_ratio35_town(p, towns["ratio35"])
    for role, z, f, fires, note in [
        ("tlq", 2, 8, True, "small township, 正职 2 + 副职 8 = 10 > 9"),
        ("edge", 2, 8, True, "population 50,000 and area 600 exactly: not large, 10 > 9"),
        ("large", 2, 9, False, "population > 50,000: 11 allowed"),
        ("area", 2, 9, False, "area > 600 km²: 11 allowed"),
    ]:
        gov = p.inst(towns[role].gov_name)
        p.gov_overrides[gov.code] = (z, f)
        p.case("TOWNSHIP_LEADERSHIP_QUOTA", gov, near=not fires, note=note)
    p.case(
        "TOWNSHIP_LEADERSHIP_QUOTA",
        p.inst(towns["ratio"].gov_name),
        near=True,
        note="正职 2 + 副职 7 = 9: not above 9",
    )
    p.case(
        "INSTITUTION_LIMIT",
        None,
        town=towns["offices"].code,
        category="内设机构",
        note="8 active 内设机构 under the township government",
    )
    p.case(
        "INSTITUTION_LIMIT",
        None,
        town=towns["units"].code,
        category="事业单位",
        note="6 active township 事业单位/参公事业单位 (township code has 9 digits)",
    )
    future = [i for i, d in enumerate(dates) if d < date(2026, 12, 1)]
    p.case(
        "INSTITUTION_LIMIT",
        None,
        town=large.code,
        category="事业单位",
        near=True,
        batches=future,
        note="5 active units + 1 established 2026-12-01 (not yet active)",
    )
    p.case(
        "INSTITUTION_LIMIT",
        None,
        town=large.code,
        category="事业单位",
        batches=[i for i, d in enumerate(dates) if d >= date(2026, 12, 1)],
        note="only in a batch after 2026-12-01, when the 6th unit is active (--batches 4+)",
    )
    p.case(
        "INSTITUTION_LIMIT",
        None,
        town=large.code,
        category="内设机构",
        near=True,
        note="7 内设机构: not above 7",
    )
    p.case(
        "INSTITUTION_LIMIT",
        None,
        town=towns["area"].code,
        category="内设机构",
        near=True,
        note="8 内设机构 of which 1 revoked: 7 active",
    )

    # ---- roster row errors (quarantine) -------------------------------------------------
    p.person(czj, "公务员", "行政编制", error="unparseable 入编日期 2019.13.05")
    p.person(mz, "公务员", "行政编制", status="在职", error="unknown 在岗状态 在职")
    p.person(rs, "公务员", "", error="missing required 编制类型")
    p.person(
        fgj, "公务员", "行政编制", id_number="", name="", error="no identity number and no name"
    )

    # ---- rows of the hidden sheet (an old copy that must never be read) ------------------
    for _ in range(12):
        birth = p.birth()
        p.hidden_people.append(
            {
                "id_number": p.new_id(birth, True, "510300"),
                "name": p.new_name(),
                "birth_date": birth,
            }
        )
    return p


FULLWIDTH_DIGITS = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _plant_ratio_town(p: Planter, town: Town) -> None:
    """龙潭乡: leaders / staff = 13 / 27 ≈ 0.48 (全乡 27 名在编人员中担任领导职务 13 人)."""
    county = p.county
    gov = county.add_gov(town, manual=True, established=date(1992, 8, 1))
    offices = [county.add_office(gov, s, town, manual=True) for s in pools.TOWN_OFFICES[:3]]
    unit = county.add_unit(
        town, gov, pools.TOWN_UNITS[1], manual=True, established=date(2010, 1, 1)
    )
    p.person(gov, "公务员", "行政编制", leadership="正职", grade="正科级", title="党委书记")
    p.person(gov, "公务员", "行政编制", leadership="正职", grade="正科级", title="乡长")
    for t in ["党委副书记", "副乡长", "副乡长", "人大主席", "纪委书记", "组织委员", "武装部部长"]:
        p.person(gov, "公务员", "行政编制", leadership="副职", grade="副科级", title=t)
    for office, t in zip(offices, ["党政办主任", "经发办主任", "社事办主任"], strict=True):
        p.person(
            gov, "公务员", "行政编制", leadership="内设机构正职", grade="股级", title=t, work=office
        )
    for k in range(9):
        p.person(gov, "公务员", "行政编制", work=offices[k % 3] if k < 6 else None)
    p.staff(unit, 5, "事业人员", "事业编制", title="农技员")
    orank = p.person(unit, "事业人员", "事业编制", leadership="正职", grade="正科级", title="主任")
    p.case("OVER_RANK", unit, person=orank, note="正科级 leader in a 股级 unit")
    p.grant(gov, "编制", "行政编制", "核定", 23, date(2019, 3, 20), group=110)
    p.grant(gov, "领导职数", "正职", "核定", 2, date(2019, 3, 20), group=110)
    p.grant(gov, "领导职数", "副职", "核定", 7, date(2019, 3, 20), group=110)
    p.grant(gov, "领导职数", "内设机构正职", "核定", 3, date(2019, 3, 20), group=110)
    p.grant(unit, "编制", "事业编制", "核定", 6, date(2019, 3, 20), group=111)
    p.grant(unit, "领导职数", "正职", "核定", 1, date(2019, 3, 20), group=111)
    p.case("LEADER_RATIO", None, town=town.code, note="township: 13 leaders / 27 staff = 0.48")
    p.case("LEADER_RATIO", gov, note="institution: 12 leaders / 21 staff = 0.57")
    p.case("VACANT", gov, category="行政编制", note="authorized 23, occupied 21")


def _plant_ratio35_town(p: Planter, town: Town) -> None:
    """石佛镇: leaders / staff = 7 / 20 = 0.35 exactly, no institution with 10 staff."""
    county = p.county
    gov = county.add_gov(town, manual=True, established=date(1992, 8, 1))
    office = county.add_office(gov, pools.TOWN_OFFICES[0], town, manual=True)
    unit_a = county.add_unit(
        town, gov, pools.TOWN_UNITS[1], manual=True, established=date(2010, 1, 1)
    )
    unit_b = county.add_unit(
        town, gov, pools.TOWN_UNITS[0], manual=True, established=date(2012, 1, 1)
    )
    p.person(gov, "公务员", "行政编制", leadership="正职", grade="正科级", title="党委书记")
    p.person(gov, "公务员", "行政编制", leadership="正职", grade="正科级", title="镇长")
    p.person(gov, "公务员", "行政编制", leadership="副职", grade="副科级", title="副镇长")
    for k in range(6):
        p.person(gov, "公务员", "行政编制", work=office if k < 2 else None)
    for unit, n in [(unit_a, 6), (unit_b, 5)]:
        p.person(unit, "事业人员", "事业编制", leadership="正职", grade="股级", title="主任")
        p.person(unit, "事业人员", "事业编制", leadership="副职", grade="股级", title="副主任")
        p.staff(unit, n - 2, "事业人员", "事业编制")
    for inst, quota, n, z, f in [
        (gov, "行政编制", 9, 2, 1),
        (unit_a, "事业编制", 6, 1, 1),
        (unit_b, "事业编制", 5, 1, 1),
    ]:
        g = 200 + len(p.grant_rows)
        p.grant(inst, "编制", quota, "核定", n, date(2019, 3, 20), group=g)
        p.grant(inst, "领导职数", "正职", "核定", z, date(2019, 3, 20), group=g)
        p.grant(inst, "领导职数", "副职", "核定", f, date(2019, 3, 20), group=g)
    p.case(
        "LEADER_RATIO",
        None,
        town=town.code,
        near=True,
        note="township: 7 leaders / 20 staff = 0.35 exactly (strict > 0.35)",
    )


def planted_frames(p: Planter) -> list[pd.DataFrame]:
    """The planted roster rows of every batch."""
    out = []
    for k in range(p.n_batches):
        rows = []
        for person in p.people:
            if k not in person.present:
                continue
            row = dict(person.row)
            row.update(person.per_batch.get(k, {}))  # overrides hold for that batch only
            rows.append(row)
        df = pd.DataFrame(
            rows,
            columns=ROSTER_COLUMNS + ["_pid", "_slot", "_work", "_origin", "_error", "_id_cell"],
        )
        for c in ("birth_date", "slot_since", "work_since"):
            df[c] = pd.to_datetime(df[c]).to_numpy().astype("datetime64[D]")
        out.append(as_object(df))
    return out

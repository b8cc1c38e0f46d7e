"""Townships and institutions of the demo county: a registry object both the bulk and the
planted part add to, so that codes, credit codes and names stay unique in one place.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from demo import pools
from demo.idnum import uscc
from demo.people import as_object

FUNDING = {"公益一类": "财政全额", "公益二类": "财政差额", "生产经营类": "自收自支"}


@dataclass
class Town:
    code: str
    short: str  # 牛佛
    kind: str  # 乡 / 镇 / 街道
    klass: str  # 一类 / 二类 / 三类
    population: int
    area: float
    role: str = ""  # special role of a planted township, "" for an ordinary one
    bulk: bool = True  # bulk people may be assigned to its institutions

    @property
    def name(self) -> str:
        return self.short + self.kind

    @property
    def gov_name(self) -> str:
        return self.name + ("办事处" if self.kind == "街道" else "人民政府")


@dataclass
class Inst:
    code: str
    name: str
    category: str  # 行政机关 / 参公事业单位 / 事业单位 / 内设机构
    level: str  # 县直 / 乡镇
    rank: str
    public_class: str = ""
    township_code: str = ""
    township_ref: str = ""  # as written in the registry: the code, or sometimes the name
    parent_code: str = ""
    aliases: list[str] = field(default_factory=list)
    alias_sep: str = "、"
    established: date = date(2019, 3, 1)
    revoked: date | None = None
    uscc: str = ""
    kind: str = ""  # gov / office / tunit / county / school / clinic / planted
    flavour: str = ""  # admin / zf / cangong / shiye ("" for an office)
    weight: float = 0.0  # share of the bulk people it receives
    manual: bool = False  # planted: no bulk people, no automatic grants
    n_offices: int = 0  # active 内设机构 under it (filled in by County.frame)

    @property
    def funding(self) -> str:
        if self.category == "内设机构":
            return ""
        if self.category == "事业单位":
            return FUNDING[self.public_class]
        return "财政全额"


class County:
    """Registry of townships and institutions, in creation order."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.towns: list[Town] = []
        self.insts: list[Inst] = []
        self.by_name: dict[str, Inst] = {}
        self._org_codes: set[str] = set()
        self._town_names: set[str] = set()

    # -- townships -------------------------------------------------------------------------
    def add_town(self, short: str, kind: str, **kw: object) -> Town:
        assert short + kind not in self._town_names, short + kind
        i = len(self.towns)
        county = int(pools.COUNTY_CODE) + i // 800
        code = f"{county}{100 + i % 800:03d}000"
        town = Town(code=code, short=short, kind=kind, **kw)  # type: ignore[arg-type]
        self.towns.append(town)
        self._town_names.add(town.name)
        return town

    def town_short_names(self, n: int) -> list[str]:
        """n new township short names, unique, curated ones first."""
        out: list[str] = []
        used = {t.short for t in self.towns}
        a, b, c = pools.TOWN_CHAR_A, pools.TOWN_CHAR_B, pools.TOWN_CHAR_C
        candidates = itertools.chain(
            pools.TOWN_HEAD,
            (x + y for y in b for x in a),
            (x + y + z for z in c for y in b for x in a),
            (x + y + z + w for w in b for z in c for y in b for x in a),
        )
        while len(out) < n:
            name = next(candidates)
            if name not in used and name not in {"龙潭", "石佛"}:
                used.add(name)
                out.append(name)
        return out

    # -- institutions ----------------------------------------------------------------------
    def add(self, name: str, category: str, level: str, rank: str, **kw: object) -> Inst:
        assert name not in self.by_name, name
        code = f"JG{len(self.insts) + 1:06d}"
        inst = Inst(code=code, name=name, category=category, level=level, rank=rank, **kw)  # type: ignore[arg-type]
        if not inst.township_ref:
            inst.township_ref = inst.township_code
        if category != "内设机构" and not inst.uscc:
            inst.uscc = uscc(
                "1" if category == "行政机关" else "2", pools.REGISTRY_CODE, self._new_org8()
            )
        for alias in inst.aliases:
            assert alias not in self.by_name, alias
        self.insts.append(inst)
        self.by_name[name] = inst
        return inst

    def _new_org8(self) -> str:
        while True:
            body = f"{int(self.rng.integers(0, 10**8)):08d}"
            if body not in self._org_codes:
                self._org_codes.add(body)
                return body

    def add_gov(self, town: Town, **kw: object) -> Inst:
        return self.add(
            town.gov_name,
            "行政机关",
            "乡镇",
            "正科级",
            township_code=town.code,
            kind="gov",
            flavour="admin",
            **kw,
        )  # type: ignore[arg-type]

    def add_office(self, parent: Inst, suffix: str, town: Town | None = None, **kw: object) -> Inst:
        prefix = town.name if town else parent.name
        return self.add(
            prefix + suffix,
            "内设机构",
            parent.level,
            "股级",
            township_code=parent.township_code,
            parent_code=parent.code,
            kind="office",
            established=date(2019, 4, 1),
            **kw,
        )  # type: ignore[arg-type]

    def add_unit(
        self, town: Town, gov: Inst, spec: tuple[str, str, str, str], **kw: object
    ) -> Inst:
        suffix, category, public_class, rank = spec
        return self.add(
            town.name + suffix,
            category,
            "乡镇",
            rank,
            public_class=public_class,
            township_code=town.code,
            parent_code=gov.code,
            kind="tunit",
            flavour="cangong" if category == "参公事业单位" else "shiye",
            **kw,
        )  # type: ignore[arg-type]

    def alias_names(self) -> set[str]:
        return {a for i in self.insts for a in i.aliases}

    def check(self) -> None:
        """Names and aliases unique; no alias equals a name (else resolution would differ)."""
        names = [i.name for i in self.insts]
        aliases = [a for i in self.insts for a in i.aliases]
        assert len(set(names)) == len(names)
        assert len(set(aliases)) == len(aliases)
        assert not set(names) & set(aliases)

    def frame(self) -> pd.DataFrame:
        """The institution table (one row per institution, creation order)."""
        offices: dict[str, int] = {}
        for i in self.insts:
            if i.category == "内设机构" and i.revoked is None and i.established <= date(2026, 1, 1):
                offices[i.parent_code] = offices.get(i.parent_code, 0) + 1
        for i in self.insts:
            i.n_offices = offices.get(i.code, 0)
        rows = [
            {
                "institution_code": i.code,
                "uscc": i.uscc,
                "name": i.name,
                "category": i.category,
                "public_class": i.public_class,
                "level": i.level,
                "township_code": i.township_code,
                "township_ref": i.township_ref,
                "parent_code": i.parent_code,
                "rank": i.rank,
                "funding": i.funding,
                "alias_names": i.alias_sep.join(i.aliases),
                "established_on": i.established,
                "revoked_on": i.revoked,
                "kind": i.kind,
                "flavour": i.flavour,
                "weight": i.weight,
                "manual": i.manual,
                "n_offices": i.n_offices,
            }
            for i in self.insts
        ]
        return as_object(pd.DataFrame(rows))

    def towns_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "township_code": t.code,
                    "township_name": t.name,
                    "township_kind": t.kind,
                    "township_class": t.klass,
                    "population": t.population,
                    "area_km2": t.area,
                    "role": t.role,
                }
                for t in self.towns
            ]
        )


def random_date(rng: np.random.Generator, start: date, end: date) -> date:
    span = (end - start).days
    return date.fromordinal(start.toordinal() + int(rng.integers(0, span + 1)))


def build_bulk_structure(county: County, people: int, n_towns: int) -> dict[str, Town]:
    """Ordinary and specially-shaped bulk townships with their institutions, and the county
    core. Returns the special townships by role. Institution counts scale with `people`."""
    rng = county.rng
    roles = ["large", "tlq", "edge", "area", "offices", "units"]
    shorts = county.town_short_names(n_towns)
    special: dict[str, Town] = {}
    for k, short in enumerate(shorts):
        role = roles[k] if k < len(roles) else ""
        kind = "镇" if role else str(rng.choice(["镇", "乡", "街道"], p=[0.6, 0.25, 0.15]))
        klass = str(rng.choice(["一类", "二类", "三类"], p=[0.3, 0.5, 0.2]))
        pop = int(rng.integers(8_000, 45_000))
        area = round(float(rng.uniform(30, 400)), 1)
        if role == "large":
            pop, area, klass = 62_350, 186.4, "一类"
        elif role == "tlq":
            pop, area = 18_420, 95.3
        elif role == "edge":  # both bounds of TOWNSHIP_LEADERSHIP_QUOTA exactly: still small
            pop, area = 50_000, 600.0
        elif role == "area":  # large by area only
            pop, area, kind = 9_150, 724.8, "乡"
        town = county.add_town(short, kind, klass=klass, population=pop, area=area, role=role)
        if role:
            special[role] = town
    if "units" in special:  # a 9-digit township code, used consistently everywhere
        special["units"].code = special["units"].code[:9]

    # Township institutions.
    for town in county.towns:
        role = town.role
        gov = county.add_gov(
            town,
            weight=22.0 if town.kind == "街道" else 30.0,
            established=random_date(rng, date(1984, 1, 1), date(2019, 12, 31)),
        )
        n_off = int(rng.integers(3, 6))
        n_unit = int(rng.integers(2, 5))
        if role in ("large", "area"):
            n_off = 7
        elif role == "offices":
            n_off = 8
        if role == "large":
            n_unit = 5
        elif role == "units":
            n_unit = 6
        for suffix in pools.TOWN_OFFICES[:n_off]:
            county.add_office(gov, suffix, town)
        if role == "area":  # an 8th office, revoked: 7 active, INSTITUTION_LIMIT must not fire
            county.add_office(gov, "城乡建设办公室", town, revoked=date(2024, 3, 31))
        unit_specs = list(pools.TOWN_UNITS)
        if role == "units":
            chosen = unit_specs[:6]
        elif role == "large":
            chosen = unit_specs[:5]
        else:
            chosen = [unit_specs[i] for i in sorted(rng.choice(7, size=n_unit, replace=False))]
        for spec in chosen:
            county.add_unit(
                town,
                gov,
                spec,
                weight=6.0,
                established=random_date(rng, date(2005, 1, 1), date(2020, 12, 31)),
            )
        if role == "large":  # a 6th unit established after every batch date: not yet active
            extra = next(s for s in unit_specs if s not in chosen)
            county.add_unit(town, gov, extra, weight=0.0, established=date(2026, 12, 1))
    return special


def build_county_core(county: County, people: int, planned_township_insts: int) -> None:
    """County-level institutions: the core list (trimmed for a small county), one 卫生院 per
    township and numbered schools until there is about one institution per 25 people."""
    rng = county.rng
    target = max(0, round(people / 25) - planned_township_insts)
    n_core = int(np.clip(target, pools.CORE_REQUIRED, len(pools.COUNTY_CORE)))
    core = pools.COUNTY_CORE[:n_core]
    kept = {name for name, *_ in core}
    # Parents first so parent codes resolve.
    made: list[tuple[Inst, str | None]] = []
    for name, category, pclass, rank, aliases, flavour, weight, parent in core:
        est = (
            date(2019, 3, 1)
            if category == "行政机关"
            else random_date(rng, date(1958, 1, 1), date(2015, 12, 31))
        )
        inst = county.add(
            name,
            category,
            "县直",
            rank,
            public_class=pclass,
            aliases=aliases,
            alias_sep=str(rng.choice(pools.ALIAS_SEPARATORS)),
            kind="county",
            flavour=flavour,
            weight=float(weight),
            established=est,
        )
        made.append((inst, parent))
    for inst, parent in made:
        if parent and parent in kept:
            inst.parent_code = county.by_name[parent].code
        if inst.category == "行政机关":
            county.add_office(inst, "综合股")
    target -= len(core) + sum(1 for i, _ in made if i.category == "行政机关")
    edu = county.by_name.get(f"{pools.COUNTY}教育局")
    health = county.by_name.get(f"{pools.COUNTY}卫生健康局")
    if target > 0 and people >= 2000:
        for town in [t for t in county.towns if t.bulk]:
            if target <= 0:
                break
            county.add(
                town.name + "卫生院",
                "事业单位",
                "县直",
                "股级",
                public_class="公益一类",
                parent_code=health.code if health else "",
                kind="clinic",
                flavour="shiye",
                weight=15.0,
                established=random_date(rng, date(1958, 1, 1), date(2005, 12, 31)),
            )
            target -= 1
    n = 2
    while target > 0:
        kind = "小学" if n % 3 else "中学"
        county.add(
            f"{pools.COUNTY}第{n}{kind}",
            "事业单位",
            "县直",
            "股级",
            public_class="公益一类",
            parent_code=edu.code if edu else "",
            kind="school",
            flavour="shiye",
            weight=35.0,
            established=random_date(rng, date(1958, 1, 1), date(2015, 12, 31)),
        )
        target -= 1
        n += 1

"""The scenario county: six batches in which every rule fires somewhere and, next to it, a case
where it must not. Each person or institution is named after the case it stands for, so a test
reads as `finding("OVER_RANK", person="钱一")`.

Batch dates are chosen for the time-dependent rules:
  2024-11-30 / 2024-12-01  a pre-reform man born 1964-12 reaches 60 on 2024-12-01
  2025-12-01               吴九 starts working outside his slot unit (SECONDED first_seen)
  2026-02-28 / 2026-03-01  retirement dates 2026-03-01 for a man, a woman cadre, a woman worker
  2026-03-01 / 2026-03-02  吴九 seconded for 90 days (warn), then 91 (error); newest batch
"""

from __future__ import annotations

from dbt_builder import County, Grant, Institution, Person, Township

B1, B2, B3, B4, B5, B6 = (
    "2024-11-30",
    "2024-12-01",
    "2025-12-01",
    "2026-02-28",
    "2026-03-01",
    "2026-03-02",
)
BATCHES = (B1, B2, B3, B4, B5, B6)
NEWEST = B6

T_JIA, T_YI, T_BING, T_DING = "511025101", "511025102", "511025103", "511025104"

TOWNSHIPS = [
    # population and area exactly on the bounds: not a large township (limit 9)
    Township(T_JIA, "甲镇", population=50000, area_km2=600.0),
    Township(T_YI, "乙镇", population=50001, area_km2=100.0),  # large by population
    Township(T_BING, "丙乡", population=1000, area_km2=600.5, kind="乡"),  # large by area
    Township(T_DING, "丁街道", population=30000, area_km2=10.0, kind="街道"),
]


def _county_institutions() -> list[Institution]:
    return [
        Institution(
            "A01", "县人力资源和社会保障局", rank="正科级", aliases="县人社局、县就业服务局"
        ),
        Institution("A01-1", "办公室", category="内设机构", parent="A01", rank="股级"),
        Institution("A02", "县财政局", rank="正科级"),
        Institution("A03", "县审计局", rank="正科级"),
        Institution("A04", "县统计局", rank="正科级"),
        Institution("A05", "县商务局", rank="正科级"),
        Institution("A09", "县粮食局", revoked="2025-06-30"),
        Institution("B01", "县疾病预防控制中心", category="事业单位"),
        Institution("B02", "县档案馆", category="参公事业单位"),
        Institution("B03", "县农技站", category="事业单位", rank="股级"),
        Institution("B04", "县林业站", category="事业单位", rank="未定级"),
        Institution("X0", "县文化馆", category="事业单位", revoked="2020-01-01"),
        Institution("B05", "县文化馆", category="事业单位"),
    ]


def _township_institutions() -> list[Institution]:
    out = [
        Institution("G1", "甲镇人民政府", level="乡镇", township_ref=T_JIA, rank="正科级"),
        # township given by name, not code
        Institution("G2", "乙镇人民政府", level="乡镇", township_ref="乙镇", rank="正科级"),
        Institution("G3", "丙乡人民政府", level="乡镇", township_ref=T_BING, rank="正科级"),
        Institution("G4", "丁街道办事处", level="乡镇", township_ref=T_DING, rank="正科级"),
    ]
    # 甲镇: 8 active 内设机构 (fires), plus a revoked and a not yet established one
    out += [
        Institution(
            f"G1-{n}",
            f"甲镇内设{n}",
            category="内设机构",
            level="乡镇",
            parent="G1",
            township_ref=T_JIA,
            rank="股级",
        )
        for n in range(1, 9)
    ]
    out.append(
        Institution(
            "G1-9",
            "甲镇内设9",
            category="内设机构",
            level="乡镇",
            parent="G1",
            township_ref=T_JIA,
            rank="股级",
            revoked="2020-01-01",
        )
    )
    out.append(
        Institution(
            "G1-10",
            "甲镇内设10",
            category="内设机构",
            level="乡镇",
            parent="G1",
            township_ref=T_JIA,
            rank="股级",
            established="2027-01-01",
        )
    )
    # 乙镇: 7 (does not fire); no township_ref of their own: they take their parent's township
    out += [
        Institution(
            f"G2-{n}", f"乙镇内设{n}", category="内设机构", level="乡镇", parent="G2", rank="股级"
        )
        for n in range(1, 8)
    ]
    # 甲镇: 3 事业单位 + 2 参公 = 5 (does not fire) + a revoked one; 乙镇: 4 + 2 = 6 (fires)
    out += [
        Institution(
            f"S1-{n}",
            f"甲镇事业{n}",
            category="事业单位" if n <= 3 else "参公事业单位",
            level="乡镇",
            township_ref=T_JIA,
        )
        for n in range(1, 6)
    ]
    out.append(
        Institution(
            "S1-6",
            "甲镇事业6",
            category="事业单位",
            level="乡镇",
            township_ref=T_JIA,
            revoked="2021-01-01",
        )
    )
    out += [
        Institution(
            f"S2-{n}",
            f"乙镇事业{n}",
            category="事业单位" if n <= 4 else "参公事业单位",
            level="乡镇",
            township_ref=T_YI,
        )
        for n in range(1, 7)
    ]
    return out


def _posts(code: str, principal: int, deputy: int) -> list[Grant]:
    return [
        Grant("2020-01-01", "正职", "核定", principal, code=code, item="领导职数"),
        Grant("2020-01-01", "副职", "核定", deputy, code=code, item="领导职数"),
    ]


GRANTS = [
    # A02 行政编制: 核定10, a 核增 5 wiped by the 2025-06-01 核定 8, whose same-day 核增 2 (listed
    # first) applies after it → 10; a 核减 effective 2026-06-01 is in the future of every batch.
    Grant("2020-01-01", "行政编制", "核定", 10, code="A02"),
    Grant("2024-06-01", "行政编制", "核增", 5, code="A02"),
    Grant("2025-06-01", "行政编制", "核增", 2, code="A02", doc_no="县编发〔2025〕7号"),
    Grant("2025-06-01", "行政编制", "核定", 8, code="A02", doc_no="县编发〔2025〕6号"),
    Grant("2026-06-01", "行政编制", "核减", 3, code="A02", doc_no="县编发〔2026〕2号"),
    # A01 by one of its 加挂牌子, no code
    Grant("2020-01-01", "行政编制", "核定", 12, name="县就业服务局"),
    Grant("2020-01-01", "正职", "核定", 1, code="A01", item="领导职数"),
    Grant("2020-01-01", "副职", "核定", 1, code="A01", item="领导职数"),
    Grant("2020-01-01", "内设机构正职", "核定", 1, code="A01", item="领导职数"),
    # A09 revoked 2025-06-30 but still holds 3
    Grant("2015-01-01", "行政编制", "核定", 3, code="A09"),
    # B01: 5, then 核减 7 → −2 at the end of 2021-03-01, then 核定 20: NEGATIVE_QUOTA keeps firing
    Grant("2020-01-01", "事业编制", "核定", 5, code="B01"),
    Grant("2021-03-01", "事业编制", "核减", 7, code="B01"),
    Grant("2022-01-01", "事业编制", "核定", 20, code="B01"),
    # B02: 3, then on one day 核减 4 and 核增 2 → 1 at the end of the day: no NEGATIVE_QUOTA
    Grant("2020-01-01", "事业编制", "核定", 3, code="B02"),
    Grant("2021-05-01", "事业编制", "核减", 4, code="B02"),
    Grant("2021-05-01", "事业编制", "核增", 2, code="B02"),
    # B03: zero quota
    Grant("2020-01-01", "事业编制", "核定", 0, code="B03"),
    # a unit nobody knows
    Grant("2020-01-01", "行政编制", "核定", 2, name="县神秘办"),
    # township governments: 正职 + 副职
    *_posts("G1", 2, 8),  # 10 > 9 (甲镇 is on the bounds, not large): fires
    *_posts("G2", 2, 9),  # 11, 乙镇 large by population: does not fire
    *_posts("G3", 3, 9),  # 12 > 11, 丙乡 large by area: fires
    *_posts("G4", 2, 7),  # 9: does not fire
]


def _staff(prefix: str, code: str, staff: int, leaders: int) -> list[Person]:
    """`staff` people on 行政编制 at `code`, the first `leaders` of them 副职."""
    return [
        Person(
            f"{prefix}{n}",
            code,
            leadership="副职" if n <= leaders else "无",
            grade="副科级" if n <= leaders else "无",
        )
        for n in range(1, staff + 1)
    ]


SHARED_ID = "511025198001010013"  # one number, two names (ID_CONFLICT)
SPACED_ID = "511025198203040021"

PEOPLE = [
    # unit-name resolution
    Person("周一", None, slot_name="县人社局"),  # 加挂牌子 of A01
    Person("周二", None, slot_name="县人力资源 和社会保障局"),  # matches after removing spaces
    Person("周三", "A01", work_name="办公室", leadership="内设机构正职", grade="股级"),
    Person("周六", "A01-1"),  # slot unit is a 内设机构: counts at A01
    Person("陈一", None, slot_name="县粮食局", quota_type="行政编制"),  # revoked A09
    Person("陈二", None, slot_name="县文化馆", quota_type="事业编制", category="事业人员"),
    Person("陈三", None, slot_name="县不存在局"),
    Person("陈四", "A01", work_name="县外星局"),
    # SECONDED
    Person("郑十", "A01", status="借调"),
    # OVER_LEADERSHIP at A01 (副职 authorized 1)
    Person("李四", "A01", leadership="正职", grade="正科级"),
    Person("周五", "A01", leadership="副职", grade="副科级"),
    # OVER_RANK
    Person(
        "钱一", "B01", quota_type="事业编制", category="事业人员", leadership="正职", grade="正科级"
    ),
    Person(
        "钱二", "B01", quota_type="事业编制", category="事业人员", leadership="副职", grade="副科级"
    ),
    Person(
        "钱三", "B04", quota_type="事业编制", category="事业人员", leadership="正职", grade="正科级"
    ),
    # MIXED_CATEGORY
    Person("孙一", "B01", quota_type="事业编制", category="公务员"),
    Person("孙二", "B01", quota_type="事业编制", category="参公人员"),
    Person("孙三", "B02", quota_type="事业编制", category="参公人员"),
    Person("孙四", "B01", quota_type="无", category="编外人员"),
    Person("孙五", "B01", quota_type="工勤编制", category="编外人员", post_type="工勤技能岗位"),
    # MIXED_QUOTA
    Person("李一", "B01", quota_type="行政编制", category="公务员"),
    Person("李二", "A01", quota_type="事业编制", category="事业人员"),
    # MIXED_LEADERSHIP (事业编制 leading in a 行政机关), also SECONDED
    Person(
        "李三",
        "B01",
        quota_type="事业编制",
        category="事业人员",
        work_code="A01",
        leadership="副职",
        grade="副科级",
    ),
    # WORKER_IN_MANAGEMENT
    Person("王一", "B01", quota_type="工勤编制", category="工勤人员", post_type="管理岗位"),
    Person("王二", "B01", quota_type="工勤编制", category="工勤人员", post_type="工勤技能岗位"),
    # DUPLICATE_SLOT: 赵一 on two slots; 赵二 twice on the same slot (counted once)
    Person("赵一", "A01"),
    Person("赵一", "B01", quota_type="事业编制", category="事业人员"),
    Person("赵二", "A01"),
    Person("赵二", "A01"),
    # ID_CONFLICT: one number, two names, two slot units
    Person("赵三", "B02", quota_type="事业编制", category="参公人员", id_number=SHARED_ID),
    Person("赵叁", "B01", quota_type="事业编制", category="事业人员", id_number=SHARED_ID),
    # one number, one name written with a space: no ID_CONFLICT, one slot
    Person("钟一", "B04", quota_type="事业编制", category="事业人员", id_number=SPACED_ID),
    Person("钟 一", "B04", quota_type="事业编制", category="事业人员", id_number=SPACED_ID),
    # INVALID_ID
    Person(
        "冯一",
        "B01",
        quota_type="事业编制",
        category="事业人员",
        id_number="511025198506150019",
        id_problem="bad_check_digit",
    ),
    # zero quota: B03 核定 0, B04 never granted
    Person("农一", "B03", quota_type="事业编制", category="事业人员"),
    # retirement boundaries (2026-03-01) and a pre-reform one (2024-12-01)
    Person("老男", "B02", quota_type="事业编制", category="参公人员", birth="1965-12-10"),
    Person(
        "老女干",
        "B02",
        quota_type="事业编制",
        category="参公人员",
        gender="女",
        birth="1970-12-10",
        status="离岗待退",
    ),
    Person(
        "老女工",
        "B01",
        quota_type="工勤编制",
        category="工勤人员",
        gender="女",
        birth="1975-10-10",
        post_type="工勤技能岗位",
    ),
    Person("旧男", "B02", quota_type="事业编制", category="参公人员", birth="1964-12-20"),
    # LEADER_RATIO, institutions: 10 staff / 4 leaders fires; 9 / 4 does not (staff < 10);
    # 20 / 7 = 0.35 does not; 20 / 8 fires
    *_staff("财", "A02", 10, 4),
    *_staff("审", "A03", 9, 4),
    *_staff("统", "A04", 20, 7),
    *_staff("商", "A05", 20, 8),
    # LEADER_RATIO, townships: 丙乡 10 / 4 fires; 丁街道 20 / 7 = 0.35 does not
    *_staff("丙", "G3", 10, 4),
    *_staff("丁", "G4", 20, 7),
]

# 吴九 works at B05 from 2025-12-01 on (SECONDED 90 days on 2026-03-01, 91 on 2026-03-02)
WU_JIU = Person("吴九", "A01", work_code="B05")
# 冯二: WORKER_IN_MANAGEMENT in 2024-11-30, gone 2024-12-01, back from 2025-12-01
FENG_ER = Person("冯二", "B01", quota_type="工勤编制", category="工勤人员", post_type="管理岗位")
# 冯三: INVALID_ID until 2026-03-01, gone in the newest batch (resolved)
FENG_SAN = Person(
    "冯三",
    "B01",
    quota_type="事业编制",
    category="事业人员",
    id_number="51102519850615002X",
    id_problem="bad_check_digit",
)


def scenario() -> dict[str, County]:
    base = County(
        townships=list(TOWNSHIPS),
        institutions=_county_institutions() + _township_institutions(),
        grants=list(GRANTS),
        roster=list(PEOPLE),
    )
    return {
        B1: base.plus(FENG_ER, FENG_SAN),
        B2: base.plus(FENG_SAN),
        B3: base.plus(WU_JIU, FENG_ER, FENG_SAN),
        B4: base.plus(WU_JIU, FENG_ER, FENG_SAN),
        B5: base.plus(WU_JIU, FENG_ER, FENG_SAN),
        B6: base.plus(WU_JIU, FENG_ER),
    }

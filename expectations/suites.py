"""The suites: one per raw source, one for the load report, one per published mart, and the
measures that compare a batch with the previous one.

Each suite is a SQL query (the rows of the evaluated batch, plus `dq_*` columns computed where
GX has no built-in expectation: check digits, cross-table lookups, identities a mart must
satisfy) and a list of GX expectations on that query. Where a check needs another grain — the
county vacancy rate, the headcount per institution against the previous batch — it is its own
suite on a measure query, so that every check is still a GX expectation with a GX result.

Queries read only the interface columns of docs/interfaces.md; anything else a part adds is
ignored, so the suites keep working while the parts evolve.

Every CTE is `not materialized`: GX wraps each query in `... LIMIT n` to sample unexpected
values, and DuckDB 2.0.0 hangs for good (every thread waiting, no error) on a materialized CTE
that is read twice under a LIMIT — which it does by itself for a CTE read twice. At 80,000
institutions the raw_institutions suite never returned; inlining the CTE costs one more scan of
a batch's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from expectations import contract as c
from expectations.checks import (
    BatchWindow,
    Check,
    Layer,
    SuiteSpec,
    between,
    columns_present,
    holds,
    in_set,
    not_before,
    not_empty,
    not_null,
    unique,
    unique_together,
    years_before,
)
from expectations.config import Thresholds
from expectations.identifiers import id_number_digits_sql, id_number_valid_sql, uscc_valid_sql

RAW_COMMON = ("batch_date", "source_batch_date", "file_name", "row_number")

Body = tuple[str, list[Check]]
BuildFn = Callable[[BatchWindow, Thresholds], Body]


@dataclass(frozen=True)
class SuiteDef:
    """A registered suite: how to build its query and expectations for one batch."""

    name: str
    target: str
    layer: Layer
    build: BuildFn
    per_batch: bool
    index_columns: tuple[str, ...]
    description: str

    def spec(self, window: BatchWindow, thresholds: Thresholds) -> SuiteSpec:
        query, checks = self.build(window, thresholds)
        names = [ch.name for ch in checks]
        if len(set(names)) != len(names):
            raise ValueError(f"suite {self.name}: duplicate expectation names")
        if "?" in query:  # GX substitutes "?" as a bind marker when it lists unexpected rows
            raise ValueError(f"suite {self.name}: the query must not contain '?'")
        return SuiteSpec(
            name=self.name,
            target=self.target,
            layer=self.layer,
            query=query,
            checks=tuple(checks),
            batch_date=window.batch if self.per_batch else window.newest,
            index_columns=self.index_columns,
            description=self.description,
        )


SUITES: dict[str, SuiteDef] = {}


def suite(
    name: str,
    target: str,
    layer: Layer,
    *,
    index: tuple[str, ...] = (),
    per_batch: bool = True,
) -> Callable[[BuildFn], BuildFn]:
    """Register a suite builder under `name` (the docstring becomes the suite's description)."""

    def register(fn: BuildFn) -> BuildFn:
        SUITES[name] = SuiteDef(
            name, target, layer, fn, per_batch, index, (fn.__doc__ or "").strip()
        )
        return fn

    return register


#: SQL: the grant's 类别 belongs to its 核定事项 (NULL when either is missing).
_KIND_MATCHES_ITEM = "(item || '|' || kind) in ({})".format(
    ", ".join(f"'{i}|{k}'" for i, k in c.GRANT_ITEM_KINDS)
)


def _exists(column: str, table: str, key: str, where: str = "true") -> str:
    """SQL: NULL when `column` is NULL (not this check's business), else whether the value is a
    `key` of `table` (rows filtered by `where`)."""
    return (
        f"case when {column} is null then null else coalesce({column} in "
        f"(select {key} from {table} where {where} and {key} is not null), false) end"
    )


# --- raw sources ---------------------------------------------------------------------------------


@suite("raw_townships", "raw.townships", "raw", index=("file_name", "row_number"))
def raw_townships(w: BatchWindow, t: Thresholds) -> Body:
    """The townships source as loaded for the batch: codes, names and contract values."""
    query = f"""
        select *,
            regexp_full_match(township_code, '[0-9]{{9}}|[0-9]{{12}}') as dq_township_code_format
        from raw.townships where batch_date = {w.b}"""
    return query, [
        columns_present(
            [
                *RAW_COMMON,
                "township_code",
                "township_name",
                "township_kind",
                "township_class",
                "population",
                "area_km2",
            ]
        ),
        not_empty(),
        not_null("township_code_not_null", "township_code", "township_code is the key"),
        unique("township_code_unique", "township_code", "one row per township in a batch"),
        not_null("township_name_not_null", "township_name", "乡镇名称 is required"),
        holds(
            "township_code_format",
            "identifier",
            "行政区划代码 has 9 or 12 digits",
        ),
        in_set("township_kind_valid", "township_kind", c.TOWNSHIP_KINDS),
        in_set("township_class_valid", "township_class", c.TOWNSHIP_CLASSES),
        between("population_not_negative", "population", "常住人口 >= 0", min_value=0),
        between("area_not_negative", "area_km2", "面积 >= 0", min_value=0),
    ]


@suite("raw_institutions", "raw.institutions", "raw", index=("file_name", "row_number"))
def raw_institutions(w: BatchWindow, t: Thresholds) -> Body:
    """The institution registry as loaded for the batch: keys, contract values, GB 32100."""
    active = (
        f"(established_on is null or established_on <= {w.b}) "
        f"and (revoked_on is null or revoked_on > {w.b})"
    )
    query = f"""
        with i as not materialized (select * from raw.institutions where batch_date = {w.b})
        select *,
            {uscc_valid_sql("uscc")} as dq_uscc_check_character,
            case when uscc is null then null
                 else not (coalesce(uscc_valid, false) and not {uscc_valid_sql("uscc")})
            end as dq_uscc_flag_agrees,
            (uscc is not null or category = '内设机构') as dq_uscc_required,
            (public_class is null or category = '事业单位') as dq_public_class_only_for_public,
            (funding is null or category <> '内设机构') as dq_no_funding_for_internal,
            (parent_code is not null or category <> '内设机构') as dq_parent_for_internal,
            (township_ref is not null or level <> '乡镇') as dq_township_for_township_level,
            {_exists("parent_code", "i", "institution_code")} as dq_parent_known,
            case when {active} then name end as dq_active_name
        from i"""
    return query, [
        columns_present(
            [
                *RAW_COMMON,
                "institution_code",
                "uscc",
                "uscc_valid",
                "name",
                "category",
                "public_class",
                "level",
                "township_ref",
                "parent_code",
                "rank",
                "funding",
                "alias_names",
                "established_on",
                "revoked_on",
            ]
        ),
        not_empty(),
        not_null("institution_code_not_null", "institution_code", "机构编码 is the key"),
        unique("institution_code_unique", "institution_code", "one row per institution"),
        not_null("name_not_null", "name", "机构名称 is required"),
        not_null("category_not_null", "category", "机构类别 is required"),
        in_set("category_valid", "category", c.INSTITUTION_CATEGORIES),
        in_set("public_class_valid", "public_class", c.PUBLIC_CLASSES),
        in_set("level_valid", "level", c.LEVELS),
        in_set("rank_valid", "rank", c.RANKS),
        in_set("funding_valid", "funding", c.FUNDINGS),
        holds(
            "uscc_check_character",
            "identifier",
            "统一社会信用代码 passes the GB 32100 check character (share of failures)",
            mostly=1 - t.max_invalid_uscc_share,
        ),
        holds(
            "uscc_flag_agrees",
            "consistency",
            "ingest never marks a USCC valid whose check character fails",
        ),
        holds("uscc_required", "contract_rule", "USCC is required except for 内设机构"),
        holds(
            "public_class_only_for_public",
            "contract_rule",
            "事业单位分类 is blank unless the category is 事业单位",
        ),
        holds("no_funding_for_internal", "contract_rule", "经费形式 is blank for 内设机构"),
        holds("parent_for_internal", "contract_rule", "a 内设机构 names its parent"),
        holds(
            "township_for_township_level",
            "contract_rule",
            "a 乡镇-level institution names its township",
        ),
        holds("parent_known", "resolution", "上级机构编码 is an institution of the registry"),
        unique(
            "active_name_unique",
            "dq_active_name",
            "names are unique among active institutions (name resolution depends on it)",
            kind="contract_rule",
        ),
        not_before(
            "revoked_after_established",
            "revoked_on",
            "established_on",
            "an institution is not revoked before it was established",
        ),
    ]


@suite("raw_quota_grants", "raw.quota_grants", "raw", index=("file_name", "row_number"))
def raw_quota_grants(w: BatchWindow, t: Thresholds) -> Body:
    """The quota ledger as loaded for the batch: contract values, dates, and that every grant's
    institution exists in the registry of the same batch (by code, name or 加挂牌子)."""
    latest_effective = w.batch + timedelta(days=t.max_future_event_days)
    query = f"""
        with i as not materialized (select * from raw.institutions where batch_date = {w.b}),
        names as not materialized (
            select replace(replace(name, ' ', ''), '　', '') as n from i
            union
            select replace(replace(trim(a), ' ', ''), '　', '') from (
                select unnest(string_split_regex(alias_names, '[、；;,，]')) as a
                from i where alias_names is not null
            ) where trim(a) <> ''
        )
        select *,
            (institution_code is not null or institution_name is not null)
                as dq_institution_given,
            {_KIND_MATCHES_ITEM} as dq_kind_matches_item,
            coalesce(institution_code in (select institution_code from i
                                          where institution_code is not null), false)
            or coalesce(replace(replace(institution_name, ' ', ''), '　', '')
                        in (select n from names where n is not null), false)
                as dq_institution_exists,
            case when change = '核定' then
                concat_ws('|', coalesce(institution_code, institution_name), item, kind,
                          cast(effective_on as varchar))
            end as dq_set_event_key
        from raw.quota_grants where batch_date = {w.b}"""
    return query, [
        columns_present(
            [
                *RAW_COMMON,
                "doc_no",
                "approved_on",
                "effective_on",
                "institution_code",
                "institution_name",
                "item",
                "kind",
                "change",
                "amount",
                "note",
            ]
        ),
        not_empty(),
        not_null("doc_no_not_null", "doc_no", "文号 is required"),
        not_null("effective_on_not_null", "effective_on", "生效日期 is required"),
        not_null("amount_not_null", "amount", "数量 is required"),
        holds("institution_given", "required", "机构编码 or 机构名称 identifies the institution"),
        in_set("item_valid", "item", c.GRANT_ITEMS),
        not_null("kind_not_null", "kind", "类别 is required"),
        in_set("change_valid", "change", c.GRANT_CHANGES),
        holds("kind_matches_item", "enumeration", "类别 is one of the kinds of its 核定事项"),
        between("amount_not_negative", "amount", "数量 is an integer >= 0", min_value=0),
        unique(
            "one_set_event_per_day",
            "dq_set_event_key",
            "two 核定 for one institution/item/kind on one date are quarantined by ingest",
            kind="consistency",
        ),
        holds(
            "institution_exists",
            "resolution",
            "every grant's institution exists in the registry (code, name or 加挂牌子)",
        ),
        between(
            "approved_not_in_future",
            "approved_on",
            "a grant cannot be approved after the batch date",
            kind="date_range",
            max_value=w.batch.isoformat(),
        ),
        between(
            "effective_on_plausible",
            "effective_on",
            f"生效日期 between 1949-10-01 and {t.max_future_event_days} days after the batch",
            kind="date_range",
            min_value="1949-10-01",
            max_value=latest_effective.isoformat(),
        ),
    ]


@suite("raw_roster", "raw.roster", "raw", index=("file_name", "row_number"))
def raw_roster(w: BatchWindow, t: Thresholds) -> Body:
    """The staff roster as loaded for the batch: GB 11643 check digits (the share of invalid
    numbers), the flags ingest sets, contract values and plausible dates."""
    # the check digit once per row (subqueries, not CTEs: see the module docstring); GX scans
    # the query once for the counts and again for each failing column's examples
    id_ok = id_number_valid_sql("id_number", digits="dq_id_digits")
    query = f"""
        select * exclude (dq_id_digits),
            not (coalesce(id_valid, false) and not dq_id_number_check_digit) as dq_id_flag_agrees,
            (coalesce(id_valid, false) = (id_problem is null)) as dq_id_problem_iff_invalid,
            (id_number is not null or name is not null) as dq_identity_given,
            (slot_code is not null or slot_name is not null) as dq_slot_unit_given,
            regexp_full_match(person_key, '[0-9a-f]{{16}}') as dq_person_key_format
        from (
            select *, {id_ok} as dq_id_number_check_digit
            from (
                select *, {id_number_digits_sql("id_number")} as dq_id_digits
                from raw.roster where batch_date = {w.b}
            ) as digits
        ) as checked"""
    return query, [
        columns_present(
            [
                *RAW_COMMON,
                "id_number",
                "person_key",
                "id_valid",
                "id_problem",
                "name",
                "gender",
                "birth_date",
                "person_category",
                "quota_type",
                "slot_code",
                "slot_name",
                "work_code",
                "work_name",
                "title",
                "leadership",
                "grade",
                "post_type",
                "slot_since",
                "status",
                "education",
                "work_since",
            ]
        ),
        not_empty(),
        holds(
            "id_number_check_digit",
            "identifier",
            f"identity numbers pass the GB 11643 check digit; warns when more than "
            f"{t.max_invalid_id_share:.0%} fail (raw keeps them flagged, INVALID_ID reports each)",
            mostly=1 - t.max_invalid_id_share,
        ),
        holds(
            "id_flag_agrees",
            "consistency",
            "ingest never marks an identity number valid whose check digit fails",
        ),
        holds(
            "id_problem_iff_invalid",
            "consistency",
            "id_problem is NULL exactly when id_valid is true",
        ),
        in_set("id_problem_valid", "id_problem", c.ID_PROBLEMS),
        holds(
            "person_key_format",
            "consistency",
            "person_key is 16 lower-case hex characters (HMAC), never an identity number",
        ),
        holds("identity_given", "required", "a row has an identity number or a name"),
        holds("slot_unit_given", "required", "编制所在单位编码 or 编制所在单位 is given"),
        not_null("quota_type_not_null", "quota_type", "编制类型 is required"),
        not_null("leadership_not_null", "leadership", "领导职务类别 blank is loaded as 无"),
        in_set("gender_valid", "gender", c.GENDERS),
        in_set("person_category_valid", "person_category", c.PERSON_CATEGORIES),
        in_set("quota_type_valid", "quota_type", c.QUOTA_TYPES_WITH_NONE),
        in_set("leadership_valid", "leadership", c.LEADERSHIP_WITH_NONE),
        in_set("grade_valid", "grade", c.GRADES),
        in_set("post_type_valid", "post_type", c.POST_TYPES),
        in_set("status_valid", "status", c.STATUSES),
        in_set("education_valid", "education", c.EDUCATIONS),
        between(
            "birth_date_not_in_future",
            "birth_date",
            "nobody is born after the batch date",
            kind="date_range",
            max_value=w.batch.isoformat(),
        ),
        between(
            "at_least_min_age",
            "birth_date",
            f"nobody on the roster is under {t.min_age} at the batch date",
            kind="date_range",
            max_value=years_before(w.batch, t.min_age).isoformat(),
        ),
        between(
            "at_most_max_age",
            "birth_date",
            f"nobody on the roster is {t.max_age} or older at the batch date",
            kind="date_range",
            min_value=(years_before(w.batch, t.max_age) + timedelta(days=1)).isoformat(),
        ),
        between(
            "slot_since_not_in_future",
            "slot_since",
            "入编日期 is not after the batch date",
            kind="date_range",
            max_value=w.batch.isoformat(),
        ),
        between(
            "work_since_not_in_future",
            "work_since",
            "参加工作日期 is not after the batch date",
            kind="date_range",
            max_value=w.batch.isoformat(),
        ),
        not_before(
            "work_since_after_birth",
            "work_since",
            "birth_date",
            "nobody starts work before they are born",
        ),
    ]


@suite("load_report", "audit.load_report", "raw", index=("source", "file_name"))
def load_report(w: BatchWindow, t: Thresholds) -> Body:
    """Every file of the batch is accounted for row by row, and the share of quarantined rows per
    file stays small (a high share usually means a changed export layout)."""
    query = f"""
        select *,
            cast(rows_quarantined as double)
                / nullif(rows_loaded + rows_quarantined, 0) as quarantine_share,
            (rows_read = rows_loaded + rows_quarantined + rows_blank + rows_totals)
                as dq_rows_add_up
        from audit.load_report where batch_date = {w.b}"""
    return query, [
        columns_present(
            [
                "batch_date",
                "source",
                "file_name",
                "rows_read",
                "rows_loaded",
                "rows_quarantined",
                "rows_blank",
                "rows_totals",
                "carried_forward",
            ]
        ),
        Check(
            "every_source_reported",
            "consistency",
            "ExpectColumnDistinctValuesToContainSet",
            {"column": "source", "value_set": list(c.SOURCES)},
            "each batch reports all four sources (carried-forward ones with carried_forward)",
        ),
        in_set("source_valid", "source", c.SOURCES),
        holds(
            "rows_add_up",
            "consistency",
            "rows read = loaded + quarantined + blank + totals, for every file",
        ),
        between("rows_loaded_not_negative", "rows_loaded", "counts are >= 0", min_value=0),
        between(
            "rows_quarantined_not_negative", "rows_quarantined", "counts are >= 0", min_value=0
        ),
        between(
            "quarantine_share_small",
            "quarantine_share",
            f"at most {t.max_quarantine_share:.0%} of a file's rows are quarantined",
            kind="distribution",
            max_value=t.max_quarantine_share,
        ),
    ]


# --- marts ----------------------------------------------------------------------------------------

MART_TOWNSHIPS = "marts.townships"
MART_INSTITUTIONS = "marts.institutions"


def _as_of(w: BatchWindow) -> str:
    return f"as_of = {w.b}"


@suite("marts_rule_catalog", "marts.rule_catalog", "marts", index=("rule_code",), per_batch=False)
def marts_rule_catalog(w: BatchWindow, t: Thresholds) -> Body:
    """The rule catalogue holds exactly the codes of rules.md, with a severity each."""
    return "select * from marts.rule_catalog", [
        columns_present(["rule_code", "name_zh", "severity", "description"]),
        not_null("rule_code_not_null", "rule_code", "rule_code is the key"),
        unique("rule_code_unique", "rule_code", "one row per rule"),
        Check(
            "rule_codes_are_the_contract",
            "enumeration",
            "ExpectColumnDistinctValuesToEqualSet",
            {"column": "rule_code", "value_set": list(c.RULE_CODES)},
            "exactly the 19 stable codes of rules.md",
        ),
        in_set("severity_valid", "severity", c.FINDING_SEVERITIES),
        not_null("name_zh_not_null", "name_zh", "every rule has its Chinese name"),
    ]


@suite("marts_townships", "marts.townships", "marts", index=("township_code",))
def marts_townships(w: BatchWindow, t: Thresholds) -> Body:
    """Townships of the batch: one row each, contract values."""
    return f"select * from marts.townships where {_as_of(w)}", [
        columns_present(
            [
                "as_of",
                "township_code",
                "township_name",
                "township_kind",
                "township_class",
                "population",
                "area_km2",
            ]
        ),
        not_empty(),
        not_null("township_code_not_null", "township_code", "township_code is the key"),
        unique("township_code_unique", "township_code", "one row per township and batch"),
        in_set("township_kind_valid", "township_kind", c.TOWNSHIP_KINDS),
        in_set("township_class_valid", "township_class", c.TOWNSHIP_CLASSES),
    ]


@suite("marts_institutions", "marts.institutions", "marts", index=("institution_code",))
def marts_institutions(w: BatchWindow, t: Thresholds) -> Body:
    """Institutions of the batch: keys, contract values, and that townships and parents exist."""
    query = f"""
        select *,
            {_exists("township_code", MART_TOWNSHIPS, "township_code", _as_of(w))}
                as dq_township_exists,
            {_exists("parent_code", MART_INSTITUTIONS, "institution_code", _as_of(w))}
                as dq_parent_exists,
            (township_code is not null or level <> '乡镇') as dq_township_level_has_township
        from marts.institutions where {_as_of(w)}"""
    return query, [
        columns_present(
            [
                "as_of",
                "institution_code",
                "institution_name",
                "category",
                "public_class",
                "level",
                "township_code",
                "parent_code",
                "rank",
                "funding",
                "alias_names",
                "established_on",
                "revoked_on",
                "is_active",
            ]
        ),
        not_empty(),
        not_null("institution_code_not_null", "institution_code", "institution_code is the key"),
        unique("institution_code_unique", "institution_code", "one row per institution"),
        not_null("is_active_not_null", "is_active", "activity at the batch date is decided"),
        in_set("category_valid", "category", c.INSTITUTION_CATEGORIES),
        in_set("public_class_valid", "public_class", c.PUBLIC_CLASSES),
        in_set("level_valid", "level", c.LEVELS),
        in_set("rank_valid", "rank", c.RANKS),
        in_set("funding_valid", "funding", c.FUNDINGS),
        holds("township_exists", "referential", "township_code is a township of the batch"),
        holds("parent_exists", "referential", "parent_code is an institution of the batch"),
        holds(
            "township_level_has_township",
            "referential",
            "a 乡镇-level institution resolved to its township (township rules need it)",
        ),
    ]


def _reconciliation_identities() -> str:
    return """
            (vacancy = greatest(authorized - occupied, 0)) as dq_vacancy_matches,
            (overstaffed_by = greatest(occupied - authorized, 0)) as dq_overstaffed_matches"""


@suite(
    "marts_staffing_reconciliation",
    "marts.staffing_reconciliation",
    "marts",
    index=("institution_code", "quota_type"),
)
def marts_staffing_reconciliation(w: BatchWindow, t: Thresholds) -> Body:
    """Authorized vs occupied per institution and quota type: keys, identities, references."""
    query = f"""
        select *,
            {_reconciliation_identities()},
            {_exists("institution_code", MART_INSTITUTIONS, "institution_code", _as_of(w))}
                as dq_institution_exists,
            {_exists("township_code", MART_TOWNSHIPS, "township_code", _as_of(w))}
                as dq_township_exists
        from marts.staffing_reconciliation where {_as_of(w)}"""
    return query, [
        columns_present(
            [
                "as_of",
                "institution_code",
                "quota_type",
                "authorized",
                "occupied",
                "vacancy",
                "overstaffed_by",
            ]
        ),
        not_empty(),
        not_null("institution_code_not_null", "institution_code", "grain: institution"),
        unique_together(
            "institution_quota_type_unique",
            ["institution_code", "quota_type"],
            "one row per institution and quota type",
        ),
        in_set("quota_type_valid", "quota_type", c.QUOTA_TYPES),
        between("occupied_not_negative", "occupied", "a count", min_value=0),
        between("vacancy_not_negative", "vacancy", "max(authorized - occupied, 0)", min_value=0),
        between(
            "overstaffed_not_negative",
            "overstaffed_by",
            "max(occupied - authorized, 0)",
            min_value=0,
        ),
        holds("vacancy_matches", "consistency", "vacancy = max(authorized - occupied, 0)"),
        holds(
            "overstaffed_matches", "consistency", "overstaffed_by = max(occupied - authorized, 0)"
        ),
        holds("institution_exists", "referential", "institution_code is in marts.institutions"),
        holds("township_exists", "referential", "township_code is in marts.townships"),
    ]


@suite(
    "marts_leadership_reconciliation",
    "marts.leadership_reconciliation",
    "marts",
    index=("institution_code", "leadership_kind"),
)
def marts_leadership_reconciliation(w: BatchWindow, t: Thresholds) -> Body:
    """Leadership posts vs leaders per institution and kind: keys, values, references."""
    query = f"""
        select *,
            {_exists("institution_code", MART_INSTITUTIONS, "institution_code", _as_of(w))}
                as dq_institution_exists
        from marts.leadership_reconciliation where {_as_of(w)}"""
    return query, [
        columns_present(["as_of", "institution_code", "leadership_kind", "authorized", "actual"]),
        not_null("institution_code_not_null", "institution_code", "grain: institution"),
        unique_together(
            "institution_kind_unique",
            ["institution_code", "leadership_kind"],
            "one row per institution and leadership kind",
        ),
        in_set("leadership_kind_valid", "leadership_kind", c.LEADERSHIP_KINDS),
        between("actual_not_negative", "actual", "a count", min_value=0),
        holds("institution_exists", "referential", "institution_code is in marts.institutions"),
    ]


@suite(
    "marts_township_summary",
    "marts.township_summary",
    "marts",
    index=("township_code", "quota_type"),
)
def marts_township_summary(w: BatchWindow, t: Thresholds) -> Body:
    """Authorized vs occupied per township and quota type: keys, values, references."""
    query = f"""
        select *,
            {_exists("township_code", MART_TOWNSHIPS, "township_code", _as_of(w))}
                as dq_township_exists
        from marts.township_summary where {_as_of(w)}"""
    return query, [
        columns_present(["as_of", "township_code", "quota_type", "authorized", "occupied"]),
        not_null("township_code_not_null", "township_code", "grain: township"),
        unique_together(
            "township_quota_type_unique",
            ["township_code", "quota_type"],
            "one row per township and quota type",
        ),
        in_set("quota_type_valid", "quota_type", c.QUOTA_TYPES),
        between("occupied_not_negative", "occupied", "a count", min_value=0),
        holds("township_exists", "referential", "township_code is in marts.townships"),
    ]


@suite("marts_township_leadership", "marts.township_leadership", "marts", index=("township_code",))
def marts_township_leadership(w: BatchWindow, t: Thresholds) -> Body:
    """Leaders / staff per township: the ratio is what it says, and it is plausible (a ratio far
    above the LEADER_RATIO threshold points at the roster, not at the township)."""
    query = f"""
        select * replace (cast(leader_ratio as double) as leader_ratio),
            case when coalesce(staff, 0) = 0 then leader_ratio is null
                 else abs(cast(leader_ratio as double) - cast(leaders as double) / staff) <= 0.005
            end as dq_ratio_matches,
            {_exists("township_code", MART_TOWNSHIPS, "township_code", _as_of(w))}
                as dq_township_exists
        from marts.township_leadership where {_as_of(w)}"""
    return query, [
        columns_present(["as_of", "township_code", "leaders", "staff", "leader_ratio"]),
        not_null("township_code_not_null", "township_code", "grain: township"),
        unique("township_code_unique", "township_code", "one row per township and batch"),
        between("leaders_not_negative", "leaders", "a count", min_value=0),
        between("staff_not_negative", "staff", "a count", min_value=0),
        between(
            "leader_ratio_is_fraction",
            "leader_ratio",
            "leader_ratio is a fraction between 0 and 1 (rules.md)",
            min_value=0,
            max_value=1,
        ),
        holds("ratio_matches", "consistency", "leader_ratio = leaders / staff, NULL for no staff"),
        holds("township_exists", "referential", "township_code is in marts.townships"),
        between(
            "leader_ratio_plausible",
            "leader_ratio",
            f"no township has a leader ratio above {t.max_township_leader_ratio}",
            kind="distribution",
            max_value=t.max_township_leader_ratio,
        ),
    ]


@suite(
    "marts_workforce_structure",
    "marts.workforce_structure",
    "marts",
    index=("scope", "scope_code"),
)
def marts_workforce_structure(w: BatchWindow, t: Thresholds) -> Body:
    """Headcounts by scope: the parts add up to the whole, shares are fractions, one county row."""
    query = f"""
        select * replace (
                cast(leader_ratio as double) as leader_ratio,
                cast(bachelor_plus_share as double) as bachelor_plus_share),
            (headcount = staff + staff_none) as dq_headcount_adds_up,
            (staff = staff_admin + staff_public + staff_worker + staff_judicial)
                as dq_staff_adds_up,
            (age_under_30 + age_30_44 + age_45_plus <= headcount) as dq_age_groups_within,
            (bachelor_plus <= headcount) as dq_bachelor_within,
            -- a scalar subquery, not `count(*) … over ()`: GX bundles the suite's counts into
            -- one query over this one, and with the window in it that query took 1.5 s at L
            -- instead of 0.02 s
            (select count(*) from marts.workforce_structure where {_as_of(w)} and scope = 'county')
                as dq_county_rows
        from marts.workforce_structure where {_as_of(w)}"""
    return query, [
        columns_present(
            [
                "as_of",
                "scope",
                "scope_code",
                "headcount",
                "staff",
                "staff_admin",
                "staff_public",
                "staff_worker",
                "staff_judicial",
                "staff_none",
                "leaders",
                "leader_ratio",
                "age_under_30",
                "age_30_44",
                "age_45_plus",
                "bachelor_plus",
                "bachelor_plus_share",
            ]
        ),
        not_empty(),
        in_set("scope_valid", "scope", c.WORKFORCE_SCOPES),
        unique_together("scope_unique", ["scope", "scope_code"], "one row per scope and code"),
        in_set(
            "one_county_row",
            "dq_county_rows",
            [1],
            "exactly one county row per batch",
            kind="consistency",
        ),
        holds("headcount_adds_up", "consistency", "headcount = staff + staff_none"),
        holds(
            "staff_adds_up",
            "consistency",
            "staff = 行政 + 事业 + 工勤 + 政法专项 staff",
        ),
        holds("age_groups_within", "consistency", "age groups never exceed the headcount"),
        holds("bachelor_within", "consistency", "bachelor_plus never exceeds the headcount"),
        between("leader_ratio_is_fraction", "leader_ratio", "a fraction", min_value=0, max_value=1),
        between(
            "bachelor_share_is_fraction",
            "bachelor_plus_share",
            "a fraction",
            min_value=0,
            max_value=1,
        ),
    ]


# Not indexed by person_key: if a mart ever held an identity number there (the failure
# person_key_format exists to catch), the result would copy it into dq_results and Data Docs.
@suite(
    "marts_roster",
    "marts.roster",
    "marts",
    index=("slot_institution_code", "slot_institution_name"),
)
def marts_roster(w: BatchWindow, t: Thresholds) -> Body:
    """People of the batch as analysts see them: no identity numbers, contract values, every
    unit resolved (from the dbt resolution) and pointing at institutions that exist."""
    inst = MART_INSTITUTIONS
    query = f"""
        select *,
            regexp_full_match(person_key, '[0-9a-f]{{16}}') as dq_person_key_format,
            {_exists("slot_institution_code", inst, "institution_code", _as_of(w))}
                as dq_slot_institution_exists,
            {_exists("work_institution_code", inst, "institution_code", _as_of(w))}
                as dq_work_institution_exists,
            {_exists("township_code", MART_TOWNSHIPS, "township_code", _as_of(w))}
                as dq_township_exists
        from marts.roster where {_as_of(w)}"""
    return query, [
        columns_present(
            [
                "as_of",
                "person_key",
                "name",
                "gender",
                "birth_date",
                "age",
                "person_category",
                "quota_type",
                "slot_institution_code",
                "slot_institution_name",
                "work_institution_code",
                "work_institution_name",
                "work_unit_name",
                "township_code",
                "title",
                "leadership",
                "grade",
                "post_type",
                "status",
                "education",
                "slot_since",
                "retirement_date",
                "id_valid",
            ]
        ),
        not_empty(),
        holds(
            "person_key_format",
            "consistency",
            "person_key is 16 hex characters: marts never hold an identity number",
        ),
        in_set("gender_valid", "gender", c.GENDERS),
        in_set("person_category_valid", "person_category", c.PERSON_CATEGORIES),
        in_set("quota_type_valid", "quota_type", c.QUOTA_TYPES_WITH_NONE),
        in_set("leadership_valid", "leadership", c.LEADERSHIP_WITH_NONE),
        in_set("grade_valid", "grade", c.GRADES),
        in_set("post_type_valid", "post_type", c.POST_TYPES),
        in_set("status_valid", "status", c.STATUSES),
        in_set("education_valid", "education", c.EDUCATIONS),
        not_null(
            "slot_unit_resolves",
            "slot_institution_code",
            "every roster row's 编制所在单位 resolves to an institution",
            kind="resolution",
        ),
        not_null(
            "work_unit_resolves",
            "work_institution_code",
            "every roster row's work institution resolves",
            kind="resolution",
        ),
        holds(
            "slot_institution_exists",
            "referential",
            "slot_institution_code is in marts.institutions",
        ),
        holds(
            "work_institution_exists",
            "referential",
            "work_institution_code is in marts.institutions",
        ),
        holds("township_exists", "referential", "township_code is in marts.townships"),
        between(
            "birth_date_not_in_future",
            "birth_date",
            "nobody is born after the batch date",
            kind="date_range",
            max_value=w.batch.isoformat(),
        ),
        between(
            "age_plausible",
            "age",
            f"ages between {t.min_age} and {t.max_age - 1} at the batch date",
            kind="date_range",
            min_value=t.min_age,
            max_value=t.max_age - 1,
        ),
    ]


@suite(
    "headcount_change",
    "marts.roster",
    "marts",
    index=("institution_code", "headcount_previous", "headcount"),
)
def headcount_change(w: BatchWindow, t: Thresholds) -> Body:
    """Headcount per slot institution against the previous batch. A jump in one institution
    while the county total is steady is the typical trace of a partial or merged export, which
    no row-level test can see. New institutions (nobody before) are not jumps."""
    query = f"""
        with cur as not materialized (
            select slot_institution_code as institution_code, count(*) as n from marts.roster
            where as_of = {w.b} and slot_institution_code is not null group by 1),
        prev as not materialized (
            select slot_institution_code as institution_code, count(*) as n from marts.roster
            where as_of = {w.p} and slot_institution_code is not null group by 1)
        select p.institution_code, p.n as headcount_previous, coalesce(cur.n, 0) as headcount,
            round(cast(coalesce(cur.n, 0) - p.n as double) / p.n, 4) as headcount_change
        from prev p left join cur on cur.institution_code = p.institution_code
        where greatest(p.n, coalesce(cur.n, 0)) >= {int(t.headcount_min_headcount)}"""
    limit = t.headcount_max_change
    return query, [
        between(
            "headcount_change_within_bounds",
            "headcount_change",
            f"no institution with >= {int(t.headcount_min_headcount)} people changes its "
            f"headcount by {limit:.0%} or more against the previous batch",
            kind="distribution",
            min_value=-limit,
            max_value=limit,
            strict=True,
        ),
    ]


@suite("vacancy_rate", "marts.staffing_reconciliation", "marts")
def vacancy_rate(w: BatchWindow, t: Thresholds) -> Body:
    """The county's vacancy rate, sum(vacancy) / sum(authorized), and its shift against the
    previous batch: a sudden shift means the ledger or the roster lost or gained a block."""
    query = f"""
        with rates as not materialized (
            select as_of,
                cast(sum(vacancy) as double) / nullif(sum(greatest(authorized, 0)), 0) as rate
            from marts.staffing_reconciliation where as_of in ({w.b}, {w.p}) group by as_of)
        select cur.rate as vacancy_rate, prev.rate as previous_vacancy_rate,
            round(abs(cur.rate - prev.rate), 4) as vacancy_rate_shift
        from (select * from rates where as_of = {w.b}) cur
        left join (select * from rates where as_of = {w.p}) prev on true"""
    return query, [
        between(
            "vacancy_rate_plausible",
            "vacancy_rate",
            f"the county's vacancy rate is at most {t.max_vacancy_rate:.0%}",
            kind="distribution",
            min_value=0,
            max_value=t.max_vacancy_rate,
        ),
        between(
            "vacancy_rate_steady",
            "vacancy_rate_shift",
            f"the vacancy rate moves by at most {t.max_vacancy_rate_shift:.0%} (absolute) "
            "against the previous batch",
            kind="distribution",
            max_value=t.max_vacancy_rate_shift,
        ),
    ]


@suite(
    "marts_quota_events",
    "marts.quota_events",
    "marts",
    index=("institution_code", "doc_no", "effective_on"),
)
def marts_quota_events(w: BatchWindow, t: Thresholds) -> Body:
    """The ledger events of the batch: contract values and resolved institutions."""
    query = f"""
        select *,
            {_KIND_MATCHES_ITEM} as dq_kind_matches_item,
            {_exists("institution_code", MART_INSTITUTIONS, "institution_code", _as_of(w))}
                as dq_institution_exists
        from marts.quota_events where {_as_of(w)}"""
    return query, [
        columns_present(
            [
                "as_of",
                "institution_code",
                "item",
                "kind",
                "doc_no",
                "effective_on",
                "change",
                "amount",
                "value_after",
            ]
        ),
        not_null("effective_on_not_null", "effective_on", "生效日期 is required"),
        in_set("item_valid", "item", c.GRANT_ITEMS),
        in_set("change_valid", "change", c.GRANT_CHANGES),
        holds("kind_matches_item", "enumeration", "类别 is one of the kinds of its 核定事项"),
        between("amount_not_negative", "amount", "数量 >= 0", min_value=0),
        not_null(
            "institution_resolves",
            "institution_code",
            "every grant's institution resolves (UNKNOWN_INSTITUTION reports the others)",
            kind="resolution",
        ),
        holds("institution_exists", "referential", "institution_code is in marts.institutions"),
    ]


@suite("marts_findings", "marts.findings", "marts", index=("finding_id",), per_batch=False)
def marts_findings(w: BatchWindow, t: Thresholds) -> Body:
    """Findings across batches: stable codes, a coherent open/resolved life, references."""
    query = f"""
        select *,
            {_exists("rule_code", "marts.rule_catalog", "rule_code")} as dq_rule_in_catalog,
            {_exists("institution_code", MART_INSTITUTIONS, "institution_code")}
                as dq_institution_exists,
            case when person_key is null then null
                 else regexp_full_match(person_key, '[0-9a-f]{{16}}') end as dq_person_key_format,
            ((status = 'open') = (last_seen = {w.n})) as dq_open_iff_seen_in_newest
        from marts.findings"""
    return query, [
        columns_present(
            [
                "finding_id",
                "rule_code",
                "severity",
                "institution_code",
                "township_code",
                "category",
                "person_key",
                "measured",
                "allowed",
                "detail_zh",
                "first_seen",
                "last_seen",
                "status",
            ]
        ),
        not_null("finding_id_not_null", "finding_id", "finding_id identifies a finding"),
        unique("finding_id_unique", "finding_id", "one row per finding identity"),
        in_set("rule_code_valid", "rule_code", c.RULE_CODES),
        in_set("severity_valid", "severity", c.FINDING_SEVERITIES),
        in_set("status_valid", "status", c.FINDING_STATUSES),
        not_null("detail_zh_not_null", "detail_zh", "an inspector reads the finding without data"),
        holds("rule_in_catalog", "referential", "rule_code is in marts.rule_catalog"),
        holds("institution_exists", "referential", "institution_code is in marts.institutions"),
        holds(
            "person_key_format",
            "consistency",
            "person_key is 16 hex characters: findings never hold an identity number",
        ),
        not_before(
            "last_seen_not_before_first_seen",
            "last_seen",
            "first_seen",
            "a finding is last seen on or after it was first seen",
            kind="consistency",
        ),
        holds(
            "open_iff_seen_in_newest",
            "consistency",
            "status is open exactly when the finding held in the newest batch",
        ),
    ]


@suite(
    "marts_findings_history",
    "marts.findings_history",
    "marts",
    index=("finding_id",),
)
def marts_findings_history(w: BatchWindow, t: Thresholds) -> Body:
    """Findings as of the batch: one row per finding, each a finding of marts.findings."""
    query = f"""
        select *,
            {_exists("finding_id", "marts.findings", "finding_id")} as dq_finding_exists
        from marts.findings_history where {_as_of(w)}"""
    return query, [
        columns_present(["as_of", "finding_id", "rule_code", "severity", "status"]),
        not_null("finding_id_not_null", "finding_id", "finding_id identifies a finding"),
        unique("finding_id_unique", "finding_id", "one row per finding and batch"),
        in_set("rule_code_valid", "rule_code", c.RULE_CODES),
        in_set("severity_valid", "severity", c.FINDING_SEVERITIES),
        in_set("status_valid", "status", c.FINDING_STATUSES),
        holds("finding_exists", "referential", "finding_id is in marts.findings"),
    ]

"""Reference data: divisions (DOMAIN.md §1) and the 263 categories (§2.1)."""

from __future__ import annotations

import pytest

from eco263.registry.reference import (
    DivisionKind,
    ReferenceDataError,
    children,
    descendants,
    get_category,
    get_division,
    load_categories,
    load_divisions,
    parse_categories,
    parse_divisions,
)

OBSOLETE = {"320501", "320502", "320503", "320504", "320584", "320576"}
SUZHOU_UNITS = {
    "320505",
    "320506",
    "320507",
    "320508",
    "320509",
    "320581",
    "320582",
    "320583",
    "320585",
    "320571",
}


# -- divisions ---------------------------------------------------------------------------------


def test_codes_are_unique() -> None:
    codes = [d.code for d in load_divisions()]
    assert len(codes) == len(set(codes))


def test_every_parent_exists() -> None:
    codes = {d.code for d in load_divisions()}
    orphans = [d.code for d in load_divisions() if d.parent is not None and d.parent not in codes]
    assert orphans == []
    roots = [d.code for d in load_divisions() if d.parent is None]
    assert roots == ["320000"]


def test_no_obsolete_or_placeholder_code() -> None:
    codes = {d.code for d in load_divisions()} | {d.gb2260 for d in load_divisions()}
    assert codes & OBSOLETE == set()


def test_thirteen_prefecture_cities() -> None:
    cities = children("320000")
    assert len(cities) == 13
    assert {c.kind for c in cities} == {DivisionKind.PREFECTURE}
    assert get_division("320500").name == "苏州市"


def test_suzhou_has_ten_management_units() -> None:
    units = children("320500")
    assert {u.code for u in units} == SUZHOU_UNITS
    kinds = [u.kind for u in units]
    assert kinds.count(DivisionKind.DISTRICT) == 5
    assert kinds.count(DivisionKind.COUNTY_CITY) == 4
    assert kinds.count(DivisionKind.MANAGEMENT_UNIT) == 1


def test_sip_is_a_management_unit_without_gb2260_code() -> None:
    sip = get_division("320571")
    assert sip.name == "苏州工业园区"
    assert sip.short_name == "园区"
    assert sip.kind is DivisionKind.MANAGEMENT_UNIT
    assert sip.gb2260 is None
    assert sip.uscc_region_prefix == "320594"
    assert sip.parent == "320500"


def test_huqiu_is_labelled_high_tech_zone() -> None:
    snd = get_division("320505")
    assert snd.name == "虎丘区"
    assert snd.label == "高新区"
    assert "苏州高新区" in snd.aliases
    assert snd.uscc_region_prefix == "320505"


def test_administrative_codes_equal_their_gb2260_code() -> None:
    for d in load_divisions():
        if d.kind is not DivisionKind.MANAGEMENT_UNIT:
            assert d.gb2260 == d.code
            assert d.code.startswith("32")


def test_centroids_lie_in_jiangsu() -> None:
    for d in load_divisions():
        assert 116.3 <= d.lon <= 121.9, d.code
        assert 30.7 <= d.lat <= 35.2, d.code
    # and Suzhou's units near Suzhou
    for d in children("320500"):
        assert 120.2 <= d.lon <= 121.3, d.code
        assert 30.7 <= d.lat <= 32.1, d.code


def test_descendants() -> None:
    below_province = descendants("320000")
    assert len(below_province) == len(load_divisions()) - 1
    assert [d.code for d in descendants("320500")] == sorted(SUZHOU_UNITS)
    assert descendants("320583") == []
    with pytest.raises(KeyError, match="320584"):
        descendants("320584")


def test_descendants_over_a_given_tree() -> None:
    tree = parse_divisions(
        """
- {code: "320000", name: 江苏省, short_name: null, aliases: [], kind: province, parent: null,
   gb2260: "320000", uscc_region_prefix: "320000", lon: 119.4, lat: 33.0}
- {code: "320500", name: 苏州市, short_name: null, aliases: [], kind: prefecture,
   parent: "320000", gb2260: "320500", uscc_region_prefix: "320500", lon: 120.6, lat: 31.3}
- {code: "320583", name: 昆山市, short_name: 昆山, aliases: [], kind: county_city,
   parent: "320500", gb2260: "320583", uscc_region_prefix: "320583", lon: 121.0, lat: 31.4}
""",
        "t.yaml",
    )
    assert [d.code for d in descendants("320000", tree)] == ["320500", "320583"]


def test_loaded_list_is_a_copy() -> None:
    first = load_divisions()
    first.clear()
    assert load_divisions()


ROOT = (
    '- {code: "320000", name: 江苏省, short_name: null, aliases: [], kind: province, parent: null,'
    ' gb2260: "320000", uscc_region_prefix: "320000", lon: 119.4, lat: 33.0}\n'
)


def _entry(**changes: str) -> str:
    fields = {
        "code": '"320500"',
        "name": "苏州市",
        "short_name": "null",
        "aliases": "[]",
        "kind": "prefecture",
        "parent": '"320000"',
        "gb2260": '"320500"',
        "uscc_region_prefix": '"320500"',
        "lon": "120.6",
        "lat": "31.3",
    }
    fields.update(changes)
    return "- {" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ROOT + _entry() + _entry(), "重复"),
        (ROOT + _entry(parent='"329900"'), "上级 329900 不存在"),
        (ROOT + _entry(kind="town"), "未知类型"),
        (ROOT + _entry(code="320500"), "6 位数字"),
        (ROOT + _entry(lon="31.3", lat="120.6"), "超出范围"),
        (ROOT + _entry(gb2260="null"), "GB/T 2260"),
        (ROOT + _entry(parent="null"), "没有上级"),
        (ROOT + _entry(code='"320571"'), "code 应与 gb2260 相同"),
        (ROOT + _entry().replace("lat: 31.3", "lat: 31.3, extra: 1"), "多出"),
        ("{a: 1}", "列表"),
    ],
)
def test_bad_division_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(ReferenceDataError, match=message):
        parse_divisions(text, "t.yaml")


# -- categories --------------------------------------------------------------------------------


def test_263_breakdown() -> None:
    categories = load_categories()
    by_group: dict[str, list[str]] = {}
    for c in categories:
        by_group.setdefault(c.group_name, []).append(c.name)
    assert list(by_group) == ["两减", "六治", "三提升"]
    assert by_group["两减"] == ["减煤", "减化"]
    assert len(by_group["三提升"]) == 3
    provincial_six = [c for c in categories if c.group_code == "6T" and not c.local]
    assert [c.name for c in provincial_six] == [
        "太湖水环境",
        "生活垃圾",
        "黑臭水体",
        "畜禽养殖污染",
        "挥发性有机物污染",
        "环境隐患",
    ]


def test_suzhou_local_extension() -> None:
    local = [c for c in load_categories() if c.local]
    assert [(c.group_code, c.name) for c in local] == [("6T", "船舶码头污染"), ("6T", "散乱污企业")]


def test_category_codes_unique_and_ordered() -> None:
    categories = load_categories()
    codes = [c.code for c in categories]
    assert len(codes) == len(set(codes)) == 13
    assert [c.order for c in categories] == list(range(13))
    assert all(c.code.startswith(c.group_code + ".") for c in categories)
    assert get_category("6T.black_water").full_name == "治理黑臭水体"
    with pytest.raises(KeyError):
        get_category("6T.nope")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {code: 2R, name: 两减, items: [{code: 2R.coal, name: a, full_name: b}, "
         "{code: 2R.coal, name: c, full_name: d}]}", "重复"),
        ("- {code: 2R, name: 两减, items: [{code: 6T.coal, name: a, full_name: b}]}", "2R.小写名"),
        ("- {code: 2R, name: 两减, items: []}", "没有分类"),
        ("- {code: 2R, name: 两减, items: [{code: 2R.coal, name: a}]}", "full_name"),
        ("- {code: 2R, name: 两减, items: [{code: 2R.coal, name: a, full_name: b, local: 1}]}",
         "local"),
    ],
)  # fmt: skip
def test_bad_category_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(ReferenceDataError, match=message):
        parse_categories(text, "c.yaml")

"""Chinese vocabulary of the demo county: names of places, institutions, people and posts.

Kept apart from the logic so that the generator reads as code and the data reads as data.
"""

from __future__ import annotations

COUNTY = "清溪县"
COUNTY_CODE = "510322"  # the county's 6-digit division code: township codes start with it
REGISTRY_CODE = "510322"  # division code inside the USCCs of the county's institutions

# Birth-place codes for identity numbers: codes that python-stdnum knows as valid for every
# birth year 1955-2007 (the first is the most common, as in a real county roster).
ID_REGIONS = ["510321", "510300", "510121", "510100", "330122", "330127", "430121", "420100"]
ID_REGION_WEIGHTS = [0.55, 0.15, 0.06, 0.08, 0.04, 0.04, 0.04, 0.04]

# Township names: a curated head (real-sounding), then generated two/three-character names.
TOWN_HEAD = [
    "牛佛",
    "龙泉",
    "金桥",
    "石门",
    "白马",
    "青山",
    "黄葛",
    "长滩",
    "永安",
    "福善",
    "太平",
    "双河",
    "新店",
    "高石",
    "仙市",
    "万寿",
    "安溪",
    "观音",
    "古佛",
    "兜山",
]
TOWN_CHAR_A = list("东西南北上下大小新老金银铜铁石竹松柏桃李杏梅兰菊龙凤虎鹤马牛羊鹿云雾雪霜清白")
TOWN_CHAR_B = list("河溪湾滩坪坝沟岭岩山桥庙寺场铺店街坡冲塘湖井泉洞林园庄寨堡关口渡池台")
TOWN_CHAR_C = list("子家里头中前后岗坎营")

TOWN_OFFICES = [
    "党政办公室",
    "经济发展办公室",
    "社会事务办公室",
    "党建工作办公室",
    "平安建设办公室",
    "自然资源和生态环境办公室",
    "综合行政执法办公室",
    "应急管理办公室",
]
# (name suffix, category, public class, rank)
TOWN_UNITS = [
    ("便民服务中心", "事业单位", "公益一类", "股级"),
    ("农业综合服务中心", "事业单位", "公益一类", "股级"),
    ("社会事务综合服务中心", "事业单位", "公益一类", "股级"),
    ("综合行政执法大队", "参公事业单位", "", "股级"),
    ("文化综合服务站", "事业单位", "公益一类", "未定级"),
    ("退役军人服务站", "事业单位", "公益一类", "未定级"),
    ("村镇建设服务中心", "事业单位", "公益一类", "股级"),
]

# County-level core institutions: (name, category, public_class, rank, aliases, flavour, weight,
# parent name). flavour: admin (行政编制), zf (政法专项编制), cangong, shiye.
# Order matters: small counties keep only the head of this list (the ones marked required are
# always kept because planted cases refer to them).
C = COUNTY
COUNTY_CORE: list[tuple[str, str, str, str, list[str], str, int, str | None]] = [
    (f"中共{C}委办公室", "行政机关", "", "正科级", [f"{C}委保密办公室"], "admin", 20, None),
    (f"{C}人民政府办公室", "行政机关", "", "正科级", [f"{C}人民政府外事办公室"], "admin", 20, None),
    (f"{C}发展和改革局", "行政机关", "", "正科级", [f"{C}粮食和物资储备局"], "admin", 20, None),
    (f"{C}教育局", "行政机关", "", "正科级", [f"{C}体育局"], "admin", 20, None),
    (f"{C}财政局", "行政机关", "", "正科级", [], "admin", 22, None),
    (f"{C}人力资源和社会保障局", "行政机关", "", "正科级", [f"{C}公务员局"], "admin", 20, None),
    (f"{C}农业农村局", "行政机关", "", "正科级", [f"{C}乡村振兴局"], "admin", 22, None),
    (f"{C}民政局", "行政机关", "", "正科级", [], "admin", 15, None),
    (f"中共{C}委组织部", "行政机关", "", "正科级", [f"中共{C}委老干部局"], "admin", 15, None),
    (f"{C}公安局", "行政机关", "", "正科级", [], "zf", 70, None),
    (f"{C}人民医院", "事业单位", "公益二类", "副科级", [], "shiye", 90, f"{C}卫生健康局"),
    (f"{C}第一中学", "事业单位", "公益一类", "副科级", [], "shiye", 60, f"{C}教育局"),
    (f"{C}疾病预防控制中心", "事业单位", "公益一类", "股级", [], "shiye", 20, f"{C}卫生健康局"),
    (f"{C}国有林场", "事业单位", "生产经营类", "未定级", [], "shiye", 10, f"{C}自然资源和规划局"),
    (f"{C}卫生健康局", "行政机关", "", "正科级", [f"{C}中医药管理局"], "admin", 18, None),
    (f"{C}自然资源和规划局", "行政机关", "", "正科级", [f"{C}林业局"], "admin", 20, None),
    (
        f"{C}社会保险事务中心",
        "参公事业单位",
        "",
        "副科级",
        [],
        "cangong",
        15,
        f"{C}人力资源和社会保障局",
    ),
    (f"{C}人民法院", "行政机关", "", "正科级", [], "zf", 40, None),
    (f"{C}人民检察院", "行政机关", "", "正科级", [], "zf", 30, None),
    (f"{C}司法局", "行政机关", "", "正科级", [], "zf", 15, None),
    (f"{C}住房和城乡建设局", "行政机关", "", "正科级", [f"{C}人民防空办公室"], "admin", 18, None),
    (f"{C}交通运输局", "行政机关", "", "正科级", [], "admin", 15, None),
    (f"{C}水利局", "行政机关", "", "正科级", [], "admin", 15, None),
    (f"{C}市场监督管理局", "行政机关", "", "正科级", [f"{C}知识产权局"], "admin", 30, None),
    (f"{C}机关事务服务中心", "参公事业单位", "", "副科级", [], "cangong", 10, f"{C}人民政府办公室"),
    (f"{C}中医医院", "事业单位", "公益二类", "副科级", [], "shiye", 50, f"{C}卫生健康局"),
    (f"{C}审计局", "行政机关", "", "正科级", [], "admin", 12, None),
    (f"{C}统计局", "行政机关", "", "正科级", [], "admin", 10, None),
    (f"{C}应急管理局", "行政机关", "", "正科级", [f"{C}地震局"], "admin", 12, None),
    (f"{C}退役军人事务局", "行政机关", "", "正科级", [], "admin", 10, None),
    (f"{C}文化广播电视和旅游局", "行政机关", "", "正科级", [f"{C}文物局"], "admin", 12, None),
    (f"{C}农业综合行政执法大队", "参公事业单位", "", "股级", [], "cangong", 12, f"{C}农业农村局"),
    (
        f"{C}融媒体中心",
        "事业单位",
        "公益一类",
        "股级",
        [f"{C}广播电视台"],
        "shiye",
        20,
        f"中共{C}委宣传部",
    ),
    (f"中共{C}委宣传部", "行政机关", "", "正科级", [f"{C}新闻出版局"], "admin", 12, None),
    (f"{C}职业技术学校", "事业单位", "公益一类", "股级", [], "shiye", 30, f"{C}教育局"),
    (f"{C}档案馆", "事业单位", "公益一类", "股级", [], "shiye", 8, f"中共{C}委办公室"),
    (f"{C}城市管理综合行政执法局", "行政机关", "", "正科级", [], "admin", 25, None),
]
# Core institutions the planted cases need: never dropped when the county is small.
CORE_REQUIRED = 20  # the first 20 entries above

# 加挂牌子 separators, all allowed by the contract.
ALIAS_SEPARATORS = ["、", "；", ";", ","]

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "魏苏吕丁任沈姚卢姜崔钟谭陆汪范廖石金贾夏韦付方邹熊孟秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵"
)
# Given-name characters of the bulk. Planted people use names outside this pool (see planted.py)
# so that a planted person's name is never shared with a bulk person.
GIVEN_CHARS = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲兰飞鑫波宇浩凯健俊帆帅旭宁彬"
    "婷雪琳晨欣悦佳怡思雨梦涵鹏辉斌亮冬春秋月燕琴慧颖倩露瑶婧莉"
)

EDUCATION = ["研究生", "大学本科", "大学专科", "中专", "高中及以下"]

TITLES_STAFF = {
    "admin": ["科员", "科员", "一级科员", "二级主任科员", "办事员"],
    "gov": ["科员", "一级科员", "四级主任科员", "办事员", "科员"],
    "zf": ["科员", "一级警长", "四级主任科员", "法官助理", "书记员", "检察官助理"],
    "cangong": ["科员", "一级科员", "办事员"],
    "shiye": ["专业技术人员", "会计", "技术员", "管理人员"],
    "hospital": ["医师", "主治医师", "护师", "护士", "药师", "检验师"],
    "school": ["教师", "一级教师", "二级教师", "高级教师"],
    "worker": ["驾驶员", "炊事员", "保洁员", "技术工人", "门卫"],
    "extra": ["协管员", "临聘人员", "辅助人员", "劳务派遣人员"],
}

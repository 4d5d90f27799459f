"""Words the demo world is written with: people, trade names, industries, findings, reasons.

Every text a user reads carries zh-CN and en, joined as ``中文 / English`` the way the lifecycle's
free-text fields hold them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIONS",
    "APPEALS",
    "BRANDS",
    "COMPLAINTS",
    "DATA",
    "EXTENSIONS",
    "FINDINGS",
    "GIVEN_NAMES",
    "INDUSTRIES",
    "OPPORTUNITIES",
    "PARKS",
    "PRODUCT",
    "RESOLUTIONS",
    "ROADS",
    "SERVICE",
    "SMART",
    "SURNAMES",
    "SUSPENSIONS",
    "WITHDRAWALS",
    "Industry",
    "both",
]


def both(zh: str, en: str) -> str:
    """One free-text value in both languages."""
    return f"{zh} / {en}"


SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许邓韩冯曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段"
    "雷黎史龙陶贺顾毛郝龚邵万钱严"
)
GIVEN_NAMES = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "华",
    "慧",
    "鹏",
    "飞",
    "斌",
    "琳",
    "婷",
    "宇",
    "浩",
    "凯",
    "颖",
    "倩",
    "雪",
    "建华",
    "建国",
    "志强",
    "海燕",
    "晓东",
    "文博",
    "欣怡",
    "思远",
    "雪梅",
    "立新",
    "红梅",
    "国平",
    "春燕",
    "志刚",
    "宏伟",
    "丽娟",
    "振华",
    "晓明",
    "海涛",
    "俊杰",
    "佳琪",
    "子轩",
    "梓涵",
    "雨桐",
    "浩然",
    "一鸣",
    "天宇",
    "嘉怡",
    "秀兰",
    "桂英",
    "玉兰",
    "德明",
    "永刚",
    "卫东",
]

# Trade names (字号) with their pinyin; the city and the industry make each company name distinct.
BRANDS = [
    ("恒信", "Hengxin"),
    ("瑞丰", "Ruifeng"),
    ("海川", "Haichuan"),
    ("金石", "Jinshi"),
    ("蓝海", "Lanhai"),
    ("同创", "Tongchuang"),
    ("宏远", "Hongyuan"),
    ("天工", "Tiangong"),
    ("博达", "Boda"),
    ("锐思", "Ruisi"),
    ("华锐", "Huarui"),
    ("嘉禾", "Jiahe"),
    ("鼎盛", "Dingsheng"),
    ("永泰", "Yongtai"),
    ("万通", "Wantong"),
    ("新峰", "Xinfeng"),
    ("润泽", "Runze"),
    ("明远", "Mingyuan"),
    ("启航", "Qihang"),
    ("长青", "Changqing"),
    ("德润", "Derun"),
    ("正和", "Zhenghe"),
    ("卓越", "Zhuoyue"),
    ("鑫源", "Xinyuan"),
    ("昊天", "Haotian"),
    ("聚力", "Juli"),
    ("东升", "Dongsheng"),
    ("安信", "Anxin"),
    ("立达", "Lida"),
    ("远航", "Yuanhang"),
    ("精诚", "Jingcheng"),
    ("兴隆", "Xinglong"),
    ("泰和", "Taihe"),
    ("宝德", "Baode"),
    ("普瑞", "Purui"),
    ("凯瑞", "Kairui"),
    ("航宇", "Hangyu"),
    ("科瑞", "Kerui"),
    ("祥和", "Xianghe"),
    ("益民", "Yimin"),
    ("佳美", "Jiamei"),
    ("和润", "Herun"),
    ("伟业", "Weiye"),
    ("铭泰", "Mingtai"),
    ("骏达", "Junda"),
    ("天成", "Tiancheng"),
    ("信诚", "Xincheng"),
    ("永盛", "Yongsheng"),
    ("海纳", "Haina"),
    ("睿智", "Ruizhi"),
    ("云帆", "Yunfan"),
    ("盛源", "Shengyuan"),
    ("华晟", "Huasheng"),
    ("金桥", "Jinqiao"),
    ("创新", "Chuangxin"),
    ("通达", "Tongda"),
    ("恒瑞", "Hengrui"),
    ("百川", "Baichuan"),
    ("正泰", "Zhengtai"),
    ("晶华", "Jinghua"),
]

ROADS = [
    "建设路",
    "人民路",
    "解放路",
    "中山路",
    "工业大道",
    "科技路",
    "高新路",
    "创业路",
    "滨江路",
    "长江路",
    "黄河路",
    "发展大道",
    "兴业路",
    "振兴路",
    "迎宾大道",
    "经一路",
    "纬二路",
    "环城北路",
]
PARKS = ["经济技术开发区", "高新技术产业开发区", "工业园区", "科技园", "物流园区", "产业新城"]


@dataclass(frozen=True)
class Industry:
    """A line of business: its name part, IAF sector, certified scope, complexity and schemes.

    ``complexity`` is the IAF MD 5 category for environmental and OH&S audit time;
    ``schemes`` are what such companies are certified to, the first the most common.
    """

    zh: str
    en: str
    sector: int
    scope_zh: str
    scope_en: str
    env: str
    ohs: str
    schemes: tuple[str, ...]

    @property
    def scope(self) -> str:
        return both(self.scope_zh, self.scope_en)


_MS = ("iso9001", "iso14001", "iso45001")
SERVICE = "urn:qcert:scheme:service:after-sales"
PRODUCT = "urn:qcert:scheme:product:generic"
SMART = "urn:qcert:scheme:smart-manufacturing:gbt39116"
DATA = "urn:qcert:scheme:data-security:gbt35273"

INDUSTRIES = [
    Industry(
        "精密机械",
        "Precision Machinery",
        18,
        "精密机械零部件的设计和生产",
        "Design and manufacture of precision machine parts",
        "medium",
        "medium",
        (*_MS, SMART),
    ),
    Industry(
        "电子科技",
        "Electronic Technology",
        19,
        "电子元器件及线路板组件的生产",
        "Manufacture of electronic components and PCB assemblies",
        "medium",
        "medium",
        (*_MS, SMART),
    ),
    Industry(
        "汽车零部件",
        "Auto Parts",
        22,
        "汽车制动系统零部件的生产",
        "Manufacture of automotive brake system parts",
        "medium",
        "medium",
        _MS,
    ),
    Industry(
        "塑料制品",
        "Plastic Products",
        14,
        "注塑件及塑料包装制品的生产",
        "Manufacture of injection-moulded parts and plastic packaging",
        "medium",
        "medium",
        _MS,
    ),
    Industry(
        "金属制品",
        "Metal Products",
        17,
        "钢结构件及金属制品的加工",
        "Fabrication of steel structures and metal products",
        "medium",
        "high",
        _MS,
    ),
    Industry(
        "化工",
        "Chemical",
        12,
        "水性涂料的研发和生产",
        "Development and production of water-based coatings",
        "high",
        "high",
        ("iso14001", "iso9001", "iso45001"),
    ),
    Industry(
        "食品",
        "Foods",
        3,
        "速冻米面食品的生产",
        "Production of quick-frozen rice and flour foods",
        "medium",
        "medium",
        ("iso9001", "iso14001"),
    ),
    Industry(
        "纺织",
        "Textiles",
        4,
        "纺织面料的织造和印染",
        "Weaving and dyeing of textile fabrics",
        "high",
        "medium",
        ("iso9001", "iso14001"),
    ),
    Industry(
        "电气设备",
        "Electrical Equipment",
        19,
        "低压成套开关设备的设计和生产",
        "Design and manufacture of low-voltage switchgear assemblies",
        "medium",
        "medium",
        ("iso9001", PRODUCT, "iso14001", "iso45001"),
    ),
    Industry(
        "医疗器械",
        "Medical Devices",
        19,
        "医用监护设备的设计和生产",
        "Design and manufacture of patient monitoring equipment",
        "low",
        "medium",
        ("iso9001", "iso14001"),
    ),
    Industry(
        "建设工程",
        "Construction Engineering",
        28,
        "房屋建筑工程施工",
        "Construction of buildings",
        "medium",
        "high",
        ("iso9001", "iso45001", "iso14001"),
    ),
    Industry(
        "软件技术",
        "Software Technology",
        33,
        "应用软件的开发和运维服务",
        "Development and operation of application software",
        "limited",
        "low",
        ("iso9001", "iso27001", DATA),
    ),
    Industry(
        "物流",
        "Logistics",
        31,
        "仓储和道路货物运输服务",
        "Warehousing and road freight services",
        "low",
        "medium",
        ("iso9001", "iso45001"),
    ),
    Industry(
        "商贸",
        "Trading",
        29,
        "机电产品的批发和售后服务",
        "Wholesale and after-sales service of electromechanical products",
        "low",
        "low",
        ("iso9001", SERVICE),
    ),
    Industry(
        "工程技术",
        "Engineering Technology",
        34,
        "工程设计和技术咨询服务",
        "Engineering design and technical consulting",
        "limited",
        "low",
        ("iso9001", "iso14001"),
    ),
    Industry(
        "物业服务",
        "Property Services",
        35,
        "物业管理服务",
        "Property management services",
        "low",
        "low",
        ("iso9001", "iso45001", SERVICE),
    ),
    Industry(
        "新材料",
        "New Materials",
        15,
        "特种陶瓷材料的研发和生产",
        "Development and production of technical ceramics",
        "medium",
        "medium",
        ("iso9001", "iso14001", "iso45001"),
    ),
    Industry(
        "环保科技",
        "Environmental Technology",
        39,
        "生活垃圾的收集和清运服务",
        "Collection and transport of municipal solid waste",
        "high",
        "medium",
        ("iso14001", "iso9001", "iso45001"),
    ),
]

# Finding texts: zh and en with the same {n}/{k}/{d} blanks.
FINDINGS = [
    (
        "抽查{n}份检验记录，其中{k}份缺少审批签字",
        "{k} of {n} sampled inspection records lacked approval",
    ),
    (
        "抽查{n}份培训记录，{k}名员工的上岗培训无考核结果",
        "{k} of {n} training records had no assessment result",
    ),
    ("{k}家关键供方未按程序进行年度评价", "{k} key suppliers had not been re-evaluated this year"),
    (
        "一台测量设备的校准证书已过期{d}天",
        "a measuring instrument's calibration had lapsed {d} days before",
    ),
    ("未能提供上一年度管理评审的输出", "no output of last year's management review could be shown"),
    ("现场发现{k}件未标识的不合格品", "{k} nonconforming items were found on the floor unlabelled"),
    (
        "作业指导书版本与现行工艺不一致",
        "the work instruction in use did not match the current process",
    ),
    ("{k}名新员工未经岗前培训即上岗", "{k} new employees started work without induction training"),
    (
        "质量目标未分解到部门，无法测量",
        "objectives were not broken down to departments and not measurable",
    ),
    ("内部审核未覆盖全部过程，遗漏{k}个过程", "the internal audit left {k} processes uncovered"),
    ("变更未经评审即实施，缺少变更记录", "a change was made without review or record"),
    ("应急预案近{d}个月未组织演练", "no emergency drill in the last {d} months"),
    ("危险废物贮存场所未设置标识", "the hazardous-waste store carried no signage"),
    ("客户投诉处理记录未包含原因分析", "customer complaint records held no cause analysis"),
    ("风险登记表{d}个月未更新", "the risk register had not been updated for {d} months"),
]
OPPORTUNITIES = [
    ("建议利用数据看板监视过程绩效", "consider dashboards to monitor process performance"),
    (
        "建议将供方绩效纳入采购系统自动统计",
        "consider tracking supplier performance in the purchasing system",
    ),
    ("建议对一线员工开展质量意识专题培训", "consider awareness sessions for front-line staff"),
]
# (correction, cause, corrective action)
ACTIONS = [
    (
        ("补齐缺失记录并复核同期记录", "missing records completed, same-period records re-checked"),
        ("记录审批职责未明确", "approval duties were not assigned"),
        ("修订记录控制程序并明确审批人", "record procedure revised to name approvers"),
    ),
    (
        ("立即停用并送检相关设备", "the instrument was withdrawn and sent for calibration"),
        ("校准台账未设到期提醒", "the calibration register had no due-date reminder"),
        ("在设备管理系统中设置到期提醒", "due-date reminders set in the equipment system"),
    ),
    (
        ("对相关人员补充培训并考核", "the staff concerned were trained and assessed"),
        ("人力资源部与车间交接不清", "unclear hand-over between HR and the workshop"),
        ("上岗前增加培训确认环节", "a training check added before anyone starts work"),
    ),
    (
        (
            "隔离并标识不合格品，评审处置",
            "nonconforming items isolated, labelled and dispositioned",
        ),
        ("不合格品区域划分不清", "no clearly marked area for nonconforming items"),
        ("划定不合格品区并纳入日常巡检", "a marked area set up and added to daily rounds"),
    ),
    (
        ("召开管理评审并形成输出", "a management review was held and minuted"),
        ("年度计划未包含管理评审", "the annual plan omitted the management review"),
        ("将管理评审纳入年度计划并跟踪", "management review added to the annual plan"),
    ),
]
SUSPENSIONS = [
    ("未按期接受监督审核", "surveillance audit not held when due"),
    (
        "监督审核发现的严重不符合未按期关闭",
        "a major nonconformity of surveillance not closed in time",
    ),
    ("获证组织申请暂停", "suspension requested by the certified organisation"),
    ("发生质量事故，需调查", "a quality incident under investigation"),
]
WITHDRAWALS = [
    ("获证组织申请注销证书", "the certified organisation asked for withdrawal"),
    ("获证组织营业执照被吊销", "the organisation's business licence was revoked"),
    ("误用认证标志且拒不纠正", "misuse of the certification mark, not corrected"),
]
APPEALS = [
    ("客户对严重不符合的判定提出申诉", "the client appeals the grading of a major nonconformity"),
    ("客户对认证决定提出申诉", "the client appeals the certification decision"),
]
COMPLAINTS = [
    ("顾客投诉获证产品质量问题", "a customer complains about the certified products"),
    ("相关方投诉认证范围描述不实", "an interested party says the scope statement is misleading"),
    ("投诉审核员现场行为", "a complaint about an auditor's conduct on site"),
]
RESOLUTIONS = [
    ("经调查维持原决定并书面答复", "investigated; the decision stands, answered in writing"),
    ("申诉成立，不符合降级为轻微", "upheld; the nonconformity was regraded as minor"),
    ("投诉已核实，要求获证组织整改", "substantiated; the organisation was asked to correct it"),
]
EXTENSIONS = [
    ("及相关技术服务", "and related technical services"),
    ("及新增生产线产品", "including the products of a new production line"),
]

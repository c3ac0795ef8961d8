"""Seed the default categories (with keywords for suggestion) and the default deadline policies."""

from django.db import migrations

CATEGORIES = [
    ("绿化环境", "绿化 树 草坪 花 修剪 景观 植物 绿地"),
    ("环境卫生", "垃圾 卫生 清洁 保洁 异味 脏 污水 清运 打扫"),
    ("设施维修", "维修 损坏 坏 漏水 电梯 门禁 路灯 灯 水管 故障 报修 大堂"),
    ("安全秩序", "安全 治安 门岗 陌生人 监控 消防 盗窃 隐患"),
    ("停车交通", "停车 车位 车库 乱停 充电桩 道闸 车辆"),
    ("物业服务", "物业 服务 态度 管家 客服 保安"),
    ("物业收费", "物业费 收费 缴费 费用 账单 公示"),
    ("教育配套", "学校 小学 中学 初中 幼儿园 上学 入学 学位 教育 护学"),
    ("公共交通", "公交 公交车 站台 地铁 线路 班车"),
    ("邻里纠纷", "邻居 纠纷 矛盾 吵架 占用"),
    ("噪音扰民", "噪音 吵 装修 扰民 广场舞 深夜"),
    ("其他", ""),
]

# (kind, response hours, resolution hours or None)
POLICIES = [
    ("complaint", 24, 72),
    ("suggestion", 48, 240),
    ("praise", 72, None),
    ("request", 12, 48),
    ("repair", 24, 72),
    ("enquiry", 24, 48),
]


def seed(apps, schema_editor):
    Category = apps.get_model("voices", "Category")
    DeadlinePolicy = apps.get_model("voices", "DeadlinePolicy")
    for position, (name, keywords) in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"keywords": keywords, "position": position})
    for kind, response, resolution in POLICIES:
        if not DeadlinePolicy.objects.filter(community=None, category=None, kind=kind).exists():
            DeadlinePolicy.objects.create(
                community=None, category=None, kind=kind, response_hours=response, resolution_hours=resolution
            )


class Migration(migrations.Migration):
    dependencies = [("voices", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

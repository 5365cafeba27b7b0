"""The stage checklists and exchange rates a county starts with; the office edits both in admin."""
from django.db import migrations

STAGE_ITEMS = {
    "introduced": [("签订投资协议", True), ("项目赋码（备案）", True), ("注册项目公司", False)],
    "preparation": [("立项", True), ("用地", True), ("规划许可", True), ("环评", True), ("能评", False),
                    ("施工许可", True)],
    "construction": [("主体开工", True), ("主体完工", True), ("设备安装", False), ("竣工验收", True)],
    "completed": [("投产达效", False)],
}
RATES = [("USD", "美元", "6.5000"), ("EUR", "欧元", "7.8000"), ("HKD", "港元", "0.8300"), ("JPY", "日元", "0.0600")]


def seed(apps, schema_editor):
    StageItem = apps.get_model("projects", "StageItem")
    ExchangeRate = apps.get_model("projects", "ExchangeRate")
    for stage, items in STAGE_ITEMS.items():
        for order, (name, required) in enumerate(items, start=1):
            StageItem.objects.get_or_create(stage=stage, name=name, defaults={"required": required, "order": order})
    for code, name, rate in RATES:
        ExchangeRate.objects.get_or_create(currency=code, defaults={"name": name, "rate": rate})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The default deadlines of the issue (emergency feedback 2 h, complex 15 days, sign-for 24 h; ordinary and
utilities come from each category's own default, 168 h and 24 h) and the default policy."""
from django.db import migrations


def add_defaults(apps, schema_editor):
    DeadlineRule = apps.get_model("service", "DeadlineRule")
    RequestPolicy = apps.get_model("service", "RequestPolicy")
    DeadlineRule.objects.create(urgency="", sign_hours=24)
    DeadlineRule.objects.create(urgency="emergency", sign_hours=2, reply_hours=2)
    DeadlineRule.objects.create(urgency="complex", sign_hours=24, reply_hours=15 * 24)
    RequestPolicy.objects.create(name="默认规则")


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]

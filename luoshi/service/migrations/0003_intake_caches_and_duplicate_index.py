"""The rule version the intake's per-process caches check, and the indexes that bound the duplicate search
(grid cells of the coordinates, or the same address, within a category and the last days)."""

import django.db.models.expressions
import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('service', '0002_default_rules'),
    ]

    operations = [
        migrations.CreateModel(
            name='RuleVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name='servicerequest',
            index=models.Index(models.F('category'), django.db.models.functions.comparison.Cast(django.db.models.expressions.CombinedExpression(models.F('lat'), '*', models.Value(500)), models.IntegerField()), django.db.models.functions.comparison.Cast(django.db.models.expressions.CombinedExpression(models.F('long'), '*', models.Value(500)), models.IntegerField()), models.F('created_at'), name='service_request_near_idx'),
        ),
        migrations.AddIndex(
            model_name='servicerequest',
            index=models.Index(fields=['category', 'address', 'created_at'], name='service_request_address_idx'),
        ),
    ]

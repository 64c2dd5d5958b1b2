# An empty first migration for the assessment app; its models come with the five-star feature.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("activities", "0001_initial")]
    operations = []

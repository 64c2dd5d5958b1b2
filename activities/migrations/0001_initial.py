# An empty first migration, so that the meetings and pledges migrations can each depend on it.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("members", "0001_initial")]
    operations = []

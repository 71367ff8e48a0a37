"""django_tasks_db's app (the database task queue) under a name in the site's language.

Its own AppConfig names it "Tasks Database Backend" in plain text, which the admin's index shows
untranslated; its model's names are translatable and get their Vietnamese from core's catalogue.
The label stays django_tasks_database, so its tables and migrations are unchanged.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig

# django_tasks_db's model names (gettext_lazy there, no Vietnamese catalogue of its own).
TASK_RESULT_NAMES = (gettext_noop("Task Result"), gettext_noop("Task Results"))


class TaskQueueConfig(TasksAppConfig):
    verbose_name = _("Task queue")

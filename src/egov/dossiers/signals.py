"""Signals the one-stop shop sends for the apps above it (which it must not import).

``acts_recorded``: sent by :func:`egov.dossiers.services._common.record_many` inside the act's
transaction, once the progress records are saved, with ``records`` (the new
:class:`~egov.dossiers.models.ProgressRecord` rows, each with its dossier loaded). A receiver
that writes (the status sync queues outbox rows) does so in that transaction: a rolled-back act
leaves nothing behind, and an error in the receiver rolls the act back.
"""

from django.dispatch import Signal

acts_recorded = Signal()

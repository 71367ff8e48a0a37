"""``rating_saved(sender=SatisfactionRating, rating=..., created=...)``: sent inside the
transaction that creates or changes a rating, after its scores are written, so that a receiver
(the national sync's outbox) writes in the same transaction and nothing is queued for a change
that rolls back."""

from django.dispatch import Signal

rating_saved = Signal()

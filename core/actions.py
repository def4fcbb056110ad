"""Every write is a named action: ``verb_noun(*, actor, …)``, atomic, with one audit entry.

Side effects (mail, tasks) start only after the transaction commits: use :func:`after_commit`.
"""

from dataclasses import dataclass

from django.db import transaction

from core.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    kind: str  # "reader", "staff", "system", "provider"
    id: str = ""

    @classmethod
    def reader(cls):
        """An anonymous reader: nothing about them is recorded."""
        return cls("reader")

    @classmethod
    def system(cls, name="system"):
        return cls("system", name)

    @classmethod
    def staff(cls, user):
        return cls("staff", str(user.pk))


def record(*, actor: Actor, action: str, subject=None, **data):
    """Write the audit entry of ``action``; call inside the action's transaction."""
    return AuditEntry.objects.create(
        action=action,
        actor_kind=actor.kind,
        actor_id=actor.id,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        data=data,
    )


def after_commit(function, *args, **kwargs):
    """Run ``function(*args, **kwargs)`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: function(*args, **kwargs))

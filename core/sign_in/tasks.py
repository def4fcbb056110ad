"""The mail that tells an account's owner that signing in to it was paused. A task takes the audit entry's id, never
an address: the task table keeps a task's arguments until it has run."""

from django_tasks import task


@task()
def send_sign_in_paused_notice(audit_entry_id: int) -> bool:
    """Tell the owner of the account paused in audit entry ``audit_entry_id``. False if the entry or the user is gone,
    or the user has no address to write to."""
    from core.models import AuditEntry
    from core.sign_in.mail import deliver, paused_notice

    entry = AuditEntry.objects.filter(pk=audit_entry_id, action="sign_in.paused").first()
    message = paused_notice(entry) if entry is not None else None
    if message is None:
        return False
    deliver(message)
    return True

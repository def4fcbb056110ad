"""What the newsletters' actions announce to the layers above them."""

from django.dispatch import Signal

#: An issue has begun sending (after its transaction commits); ``issue_id``. newsletters/jobs.py queues its first batch.
issue_started = Signal()

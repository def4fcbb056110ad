"""Domain errors: a clear message for the person who caused them, never a 500."""


class DomainError(Exception):
    """Something the rules of the domain do not allow. ``message`` is safe to show."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class IllegalTransition(DomainError):
    """A state machine was asked for a move it does not allow."""


class MissingRow(DomainError):
    """An action was asked about a row that does not exist (a stale link, an id made up, or erased since)."""

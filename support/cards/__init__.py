"""The card-testing defence: limits per source and a site-wide breaker (``defence``, ``state``), the named actions
that block, pause and resume (``actions``), the mail to staff when card payments pause (``alert``) and the admin
page that shows it all and resumes (``admin``)."""

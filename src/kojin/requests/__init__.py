"""Data-subject requests (APPI Arts. 32-40): intake, verification, the staff workflow, clocks.

The person submits (:mod:`.intake`), proves the e-mail address (:mod:`.verification`) and
follows the request (:mod:`.status`); staff see the queue (:mod:`.queue`) and move requests
through the state machine (:mod:`.states`, :mod:`.workflow`) against the business-day clock
(:mod:`.clock`); what a request produces is in :mod:`.packages`, and what it brought in is
purged after the policy's holding periods (:mod:`.purge`; with the old mail and staff sessions,
:mod:`.housekeeping`). :mod:`.rotation` re-encrypts the requests and the mail outbox with the
registry's subjects when the data key rotates. :mod:`.service` gathers the functions the
interfaces call.
"""

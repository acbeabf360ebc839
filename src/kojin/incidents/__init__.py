"""Incidents: leakage, loss and damage of personal data, and the reports the law requires.

The incident register keeps what happened, who knew when, what data and how many people; the
law layer (:mod:`kojin.law.breach`) decides on those facts whether the Personal Information
Protection Commission must be told and by when, and the service keeps that answer current as
the facts change. Drafts of the report and of the notices to the affected people are produced
from the register; reminders go out by e-mail before each due date.
"""

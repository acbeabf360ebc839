"""Outgoing e-mail: SMTP when configured, else an encrypted outbox the staff pages show."""

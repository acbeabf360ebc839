"""The Data Rights Protocol 1.0: authorized agents submit and follow requests by signed messages.

Agents register their Ed25519 key and receive a token; each request is a signed JSON body whose
claims become a kojin data-subject request, followed by status objects and callbacks as the
protocol defines them.
"""

"""Risk assessment per ledger row and lifecycle stage (JIS Q 15001; R-PM-1, R-PM-2).

Identify, analyse, evaluate, treat: each assessment names a risk at one lifecycle stage of one
ledger row, its likelihood and impact (1-3), the evaluation (accept or treat), the measures, the
rule ids they answer, the residual likelihood and impact, an owner and the next yearly review.
"""

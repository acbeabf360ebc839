"""The explainer that renders decisions: owned by the compiled policy facts, bounded, shared."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

from law_support import SEED, ask

from kojin.law import DecisionRequest, Facts, PolicyFacts, appi_foreign
from kojin.law.citations import Verdict
from kojin.law.explain import Explainer
from kojin.law.situation import Situation, situation

USE = {"action": "use", "category": "customer", "purpose": "provide_services"}
STORE = {"action": "store_abroad", "category": "customer", "recipient": {"country": "DE"}}


def test_each_compiled_policy_owns_an_empty_explainer() -> None:
    fresh = replace(SEED)
    assert fresh.explainer is not SEED.explainer
    assert len(fresh.explainer) == 0
    ask(USE, policy=fresh)
    assert len(fresh.explainer) == 1


def test_equal_requests_share_one_rendered_decision() -> None:
    policy = replace(SEED)
    first = ask(USE, policy=policy)
    assert ask(USE, policy=policy) is first
    # another owner renders its own, equal decision
    other = ask(USE, policy=replace(SEED))
    assert other == first
    assert other is not first


def test_sentences_that_name_a_value_are_rendered_per_value() -> None:
    policy = replace(SEED)
    germany = ask(STORE, policy=policy)
    france = ask({**STORE, "recipient": {"country": "FR"}}, policy=policy)
    assert germany is not france
    assert "DE" in germany.explanation.en
    assert "FR" in france.explanation.en
    assert len(policy.explainer) == 2


def _store_in(country: str) -> tuple[Verdict, Situation]:
    request = DecisionRequest.model_validate({**STORE, "recipient": {"country": country}})
    s = situation(request, SEED, SEED.categories["customer"], Facts.from_request(request))
    return appi_foreign.store_abroad(s), s


def test_a_full_explainer_starts_again_empty() -> None:
    explainer = Explainer(limit=2)
    decisions = [explainer.render(*_store_in(country)) for country in ("DE", "FR", "IT")]
    assert len(explainer) == 1  # the third found it full and started again
    assert explainer.render(*_store_in("IT")) is decisions[-1]
    assert explainer.render(*_store_in("DE")) == decisions[0]


def test_the_default_limit_is_declared_once() -> None:
    assert Explainer().limit == Explainer.DEFAULT_LIMIT
    assert PolicyFacts(categories={}).explainer.limit == Explainer.DEFAULT_LIMIT


def test_deciding_loads_no_heavy_library() -> None:
    """The decision engine and the policy loader import neither a database, a dataframe, a
    template engine nor python-stdnum (the check digits load it on first use)."""
    script = (
        "import sys\n"
        "from kojin.law import DecisionRequest, Facts, decide\n"
        "from kojin.policy import load_policy, to_facts\n"
        "policy = to_facts(load_policy(None))\n"
        "request = DecisionRequest(action='use', category='customer')\n"
        "decide(request, policy, Facts.from_request(request))\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    heavy = {
        "sqlalchemy", "alembic", "numpy", "duckdb", "pyarrow", "psycopg", "pymysql", "fastapi",
        "uvicorn", "pyspark", "re2", "jinja2", "stdnum",
    }  # fmt: skip
    assert "pydantic" in loaded
    assert heavy.isdisjoint(loaded), sorted(heavy & set(loaded))

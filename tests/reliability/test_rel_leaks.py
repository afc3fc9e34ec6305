"""Zero leaks: hostile prompts × {offline planner, a scripted model, a model that tries to smuggle forbidden
tracks} under the clean policy and blocked artists → no explicit, unknown-status, blocked or unknown track.

CI runs 400 offline prompts and 100 per model variant; `-m slow` runs 1,000 per variant (3,000 in all)."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from rel_helpers import (
    FunctionChatModel,
    adversarial_planner,
    hostile_cases,
    leaks,
    llm_settings,
    scripted_planner,
)

from agent.generate import generate
from agent.models import GenerateRequest

CI_OFFLINE_CASES = 400
CI_MODEL_CASES = 100


def forbidden_ids(catalog, injected: dict[str, list[str]], blocked: tuple[str, ...], n: int = 30) -> list[str]:
    """What an adversarial model proposes: explicit and unknown-status tracks (injected titles first), then
    tracks of the blocked artists."""
    dirty = injected["explicit"] + injected["unknown"]
    by_blocked = [catalog.ids[i] for i in np.flatnonzero(catalog.artist_mask(blocked))[:n]]
    assert by_blocked, blocked
    return dirty + by_blocked


def run_cases(deps, cases, make_model=None) -> tuple[list[str], int, float]:
    """Generate every case; returns (leaks with their prompt, tracks checked, seconds). With a model, the
    plan must be the model's (not a fallback) and keep the clean policy. (Narration naming a blocked artist:
    see test_rel_injection.py::test_narration_cannot_name_an_artist_or_song_that_is_not_playing.)"""
    found: list[str] = []
    checked = 0
    refused = 0
    start = time.perf_counter()
    for n, case in enumerate(cases):
        run_deps = deps if make_model is None else dataclasses.replace(deps, chat_model=make_model(case))
        req = GenerateRequest(prompt=case.prompt, user_id=case.user_id, allow_explicit=False, seed=n % 5,
                              provider="offline" if make_model is None else "openai")
        playlist = generate(req, run_deps)
        checked += len(playlist.tracks)
        found += [f"{case.prompt!r}: {leak}" for leak in leaks(playlist, deps.catalog, case.blocked)]
        if make_model is not None:
            assert playlist.provider == "openai" and not playlist.degraded, (case.prompt, playlist.degraded_reason)
            assert playlist.spec.explicit == "exclude"
            refused += sum(f.reason.startswith("explicit") or f.reason.startswith("blocked") for f in playlist.filtered)
    if make_model is not None:
        print(f"  forbidden tracks stopped by the content gate: {refused}")
    return found, checked, time.perf_counter() - start


def _scripted(_deps, _injected):
    return lambda _case: FunctionChatModel(respond=scripted_planner())


def _adversarial(deps, injected):
    def make(case):
        return FunctionChatModel(respond=adversarial_planner(forbidden_ids(deps.catalog, injected, case.blocked),
                                                             case.blocked))
    return make


VARIANTS = {"offline": None, "scripted": _scripted, "adversarial": _adversarial}


def check_variant(inj_deps, injected, variant: str, n: int, seed: int) -> None:
    deps = inj_deps if variant == "offline" else dataclasses.replace(inj_deps, settings=llm_settings(inj_deps.settings))
    factory = VARIANTS[variant]
    make = None if factory is None else factory(deps, injected[1])
    found, checked, seconds = run_cases(deps, hostile_cases(n, seed=seed), make)
    print(f"{variant}: {n} prompts, {checked} tracks checked, {seconds:.1f}s, {len(found)} leaks")
    assert checked > n * 10
    assert found == [], found[:10]


@pytest.mark.parametrize(("variant", "n"), [("offline", CI_OFFLINE_CASES), ("scripted", CI_MODEL_CASES),
                                            ("adversarial", CI_MODEL_CASES)])
def test_no_leaks(inj_deps, injected, variant, n):
    check_variant(inj_deps, injected, variant, n, seed=11)


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_no_leaks_in_1000_prompts(inj_deps, injected, variant):
    check_variant(inj_deps, injected, variant, 1000, seed=13)

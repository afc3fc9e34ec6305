"""The content policy of one request: from the request, the prompt's own words and the profile — never from model output."""

from __future__ import annotations

from typing import Any

from agent.deps import Deps
from agent.library import with_library
from agent.models import GenerateRequest, PlaylistSpec
from tools.content_filter import ContentPolicy


def policy_for(request: GenerateRequest, spec: PlaylistSpec, profile: Any, deps: Deps) -> ContentPolicy:
    """Strictest of: the deterministic parse of the prompt, the request options, the listener's settings.
    The planner's spec can only add restrictions (an LLM cannot relax what the user asked)."""
    from agent.planner.offline import parse_prompt

    parsed = parse_prompt(request.prompt, deps.catalog)
    policy = ContentPolicy(
        explicit="exclude" if request.allow_explicit is False or parsed.explicit == "exclude" else "allow",
        kid_safe=parsed.kid_safe, kid_words=deps.settings.kid_unsafe_words,
        blocked_artists=parsed.exclude_artists, blocked_genres=parsed.exclude_genres,
    )
    policy = policy.stricter(ContentPolicy(explicit=spec.explicit, kid_safe=spec.kid_safe, blocked_artists=spec.exclude_artists,
                                           blocked_genres=spec.exclude_genres))
    if profile is not None and getattr(profile, "policy", None) is not None:
        policy = policy.stricter(profile.policy)
    return with_library(policy, request.library, deps)


def spec_with_policy(spec: PlaylistSpec, policy: ContentPolicy) -> PlaylistSpec:
    """The spec as returned to the user: it shows the restrictions actually applied, wherever they came from."""
    return spec.model_copy(update={
        "explicit": policy.explicit if policy.explicit == "exclude" else spec.explicit,
        "kid_safe": spec.kid_safe or policy.kid_safe,
        "exclude_artists": list(dict.fromkeys(spec.exclude_artists + policy.blocked_artists)),
        "exclude_genres": list(dict.fromkeys(spec.exclude_genres + policy.blocked_genres)),
    })

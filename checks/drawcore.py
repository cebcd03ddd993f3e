#!/usr/bin/env python3
"""The arithmetic of the 三随机 draw, in the Python standard library only, so that anyone outside the office
can recompute a published draw with nothing but this file:

    python3 checks/drawcore.py 抽取范围.json --public-value "03 08 12 19 25 31 + 07" --secret 3f9c…

It prints the frame's SHA-256 (compare it with the announcement), the seed, and the departments, checklist
items and execution time that the frame, the public random value and the office's revealed secret give.

Algorithm `sha256-rank`:
- commitment = SHA-256 of the frame written as canonical JSON (keys sorted, no spaces, UTF-8);
- seed = SHA-256("<commitment>|<public value>|<secret>") (version 2; the public value with its runs of
  white space made single spaces), so neither the office (which cannot know the public value when it
  announces) nor anyone else (who never knew the secret, only its hash in the frame) fixes the outcome alone;
- every candidate's lot = SHA-256("<seed>|<label>|<key>") in hex; the lowest lots are drawn.
Version 1 (draws made before announcements existed) allocated strata by largest remainder only; version 2,
when the sample is a share, first gives every stratum with members one unit (see ``allocate``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from typing import Any, Iterable

ALGORITHM = "sha256-rank"
KINDS = ("department", "county", "township")  # strata, in this order for tie-breaks


def canonical(frame: dict[str, Any]) -> bytes:
    return json.dumps(frame, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def commitment(frame: dict[str, Any]) -> str:
    return sha256_hex(canonical(frame))


def normalise_public_value(value: str) -> str:
    """The public value as published, with runs of white space (full-width ones too) made one space."""
    return " ".join(value.replace("\u3000", " ").split())


def derive_seed(frame_commitment: str, public_value: str, secret: str) -> str:
    return sha256_hex(f"{frame_commitment}|{normalise_public_value(public_value)}|{secret.strip()}")


def lot(seed: str, label: str, key: str) -> str:
    return sha256_hex(f"{seed}|{label}|{key}")


def lowest(seed: str, label: str, keys: Iterable[str], n: int) -> list[str]:
    return sorted(keys, key=lambda k: (lot(seed, label, k), k))[:max(n, 0)]


def sample_size(frame: dict[str, Any], eligible: int) -> int:
    s = frame["sample"]
    wanted = s["count"] if s["count"] is not None else math.ceil(s["share"] * eligible - 1e-9)
    return max(0, min(int(wanted), eligible)) if eligible else 0


def _largest_remainder(n: int, weights: dict[str, float], caps: dict[str, int]) -> dict[str, int]:
    total = sum(weights.values())
    quota = {k: 0 for k in weights}
    if n <= 0 or total <= 0:
        return quota
    exact = {k: n * w / total for k, w in weights.items()}
    quota = {k: min(math.floor(v), caps[k]) for k, v in exact.items()}
    order = sorted(weights, key=lambda k: (-(exact[k] - math.floor(exact[k])), KINDS.index(k) if k in KINDS else 99, k))
    left = n - sum(quota.values())
    while left > 0 and any(quota[k] < caps[k] for k in order):
        for k in order:
            if left and quota[k] < caps[k]:
                quota[k] += 1
                left -= 1
    return quota


def allocate(n: int, sizes: dict[str, int], every_stratum: bool) -> dict[str, int]:
    """Units per stratum.

    Proportional, largest remainder first (ties in KINDS order); a small stratum may get none. With
    ``every_stratum`` (version 2, when the sample is a share), every stratum with members first gets one
    unit, so the sample is at least the number of such strata, and the rest is shared in proportion to
    the members left, largest remainder first. An explicit count is kept as given."""
    if not every_stratum:
        return _largest_remainder(n, {k: float(v) for k, v in sizes.items()}, dict(sizes))
    present = [k for k, v in sizes.items() if v > 0]
    if n <= 0 or not present:
        return {k: 0 for k in sizes}
    base = {k: (1 if k in present else 0) for k in sizes}
    rest_caps = {k: sizes[k] - base[k] for k in sizes}
    rest = _largest_remainder(max(n - len(present), 0), {k: float(rest_caps[k]) for k in sizes}, rest_caps)
    return {k: base[k] + rest[k] for k in sizes}


def draw(frame: dict[str, Any], seed: str) -> dict[str, Any]:
    """The result of the draw: departments by stratum, checklist items, execution time."""
    version = str((frame.get("algorithm") or {}).get("version", "1"))
    excluded = set(frame["exclude"]["departments"])
    eligible = [d for d in frame["departments"] if d["id"] not in excluded]
    strata: dict[str, list[str]] = {}
    for d in eligible:
        strata.setdefault(d["kind"], []).append(d["id"])
    every_stratum = version != "1" and frame["sample"]["count"] is None
    quota = allocate(sample_size(frame, len(eligible)), {k: len(v) for k, v in strata.items()}, every_stratum)
    by_kind = {k: sorted(lowest(seed, "department", ids, quota[k])) for k, ids in sorted(strata.items())}
    departments = sorted(d for ids in by_kind.values() for d in ids)

    items = frame["checklist"]["items"]
    drawn_nos = {int(n) for n in lowest(seed, "item", (str(i["number"]) for i in items), frame["sample"]["items"])}
    drawn = [i for i in items if i["number"] in drawn_nos]
    checks = sorted({c for i in drawn for c in i.get("checks") or []})

    window = frame["window"]
    slots = [f"{day} {hour:02d}" for day in window["workdays"] for hour in window["hours"]]
    scheduled_at = None
    if slots:
        slot = lowest(seed, "slot", slots, 1)[0]
        # the minute inside the drawn hour: the slot's own lot, modulo 60
        scheduled_at = f"{slot[:10]}T{slot[11:]}:{int(lot(seed, 'minute', slot), 16) % 60:02d}"
    return {"departments": departments, "by_kind": by_kind, "items": sorted(drawn_nos), "checks": checks,
            "manual_items": [i["number"] for i in drawn if i.get("manual")], "scheduled_at": scheduled_at}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="按公布的抽取范围、公开随机数和揭示的密钥，重新计算“三随机”抽取结果。")
    parser.add_argument("frame", help="公布的抽取范围文件（JSON）")
    parser.add_argument("--public-value", required=True, help="公告中指定的公开随机数（如彩票开奖号码），按公布原样填写")
    parser.add_argument("--secret", required=True, help="抽取时揭示的办公室密钥")
    args = parser.parse_args(argv)
    try:
        with open(args.frame, encoding="utf-8") as fh:
            frame = json.load(fh)
        frame = frame.get("frame", frame)  # the published file may wrap the frame with its hash
        digest = commitment(frame)
        secret_hash = (frame.get("randomness") or {}).get("secret_sha256")
        secret_ok = secret_hash is None or sha256_hex(args.secret.strip()) == secret_hash
        seed = derive_seed(digest, args.public_value, args.secret)
        result = draw(frame, seed)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"错误：无法读取抽取范围文件 {args.frame}：{exc}", file=sys.stderr)
        return 2
    print(json.dumps({"commitment": digest, "secret_matches_announcement": secret_ok, "seed": seed,
                      "departments": result["departments"], "items": result["items"],
                      "scheduled_at": result["scheduled_at"]}, ensure_ascii=False, indent=2))
    return 0 if secret_ok else 1


if __name__ == "__main__":
    sys.exit(main())

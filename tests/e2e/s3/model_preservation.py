#!/usr/bin/python3
"""model_preservation.py — a model-based property test of the policy gate.

Seeded random sequences of operations run against the real server (boto3)
and CLI (holdfast hold / reclaim), and after every step the store is checked
against a reference model:

  * puts and overwrites (a versioned and an unversioned bucket), delete
    markers, deletes of the unversioned null version, deletes by version id;
  * preservation holds placed (bucket, bucket+prefix or user scope) and
    released, several at once;
  * S3 Object Lock in a lock-enabled bucket: puts with GOVERNANCE or
    COMPLIANCE retention or a legal hold, retention extended, shortened
    (with and without the bypass header) or weakened from COMPLIANCE,
    legal holds on and off, deletes by version id with and without bypass;
  * clock jumps of up to two years (HOLDFAST_NOW for the server and CLI);
  * lifecycle runs under inactivity and S3 expiration rules: alice has no
    contact, so every notice is undeliverable and nothing may expire
    (silence is never consent);
  * reclaimer runs, and kill -9 of the server with a restart.

The model predicts every answer: an action that would destroy a version
covered by an active hold must be refused (403 AccessDenied) and change
nothing; any other must succeed.  After every step, every version the model
holds alive must be listed by ListObjectVersions; every few steps and at the
end of a sequence every version covered by a hold is read back and compared
byte for byte.  A violation is any answer or state the model did not
predict.  Prints: sequences, steps, violations.

Usage: model_preservation.py SEQUENCES STEPS SEED
Environment: HOLDFAST_BIN, and start/stop of the server through the
callbacks of the shell test (HF_RESTART_CMD names a command that restarts
the server and prints the new endpoint).
"""
import datetime
import hashlib
import os
import random
import subprocess
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

HF = os.environ["HOLDFAST_BIN"]
KEYS = ["a/1", "a/2", "a/x/3", "b/1", "b/2", "c"]
BUCKETS = {"vb": True, "ub": False, "lb": True}   # logical names: versioned? (lb: locked)
DAY = 86400
MARGIN = 3600       # retention this close to "now" is not judged either way


def client(ep):
    return boto3.client("s3", endpoint_url=ep, aws_access_key_id=os.environ["HF_AK"],
                        aws_secret_access_key=os.environ["HF_SK"], region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"},
                                      retries={"max_attempts": 1}))


def code(fn):
    try:
        return "ok", fn()
    except ClientError as e:
        return e.response["Error"]["Code"], None


def cli(*args):
    p = subprocess.run([HF, *args], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


class Model:
    def __init__(self):
        self.versions = {}      # vid -> dict(bucket, key, sha, alive, mode, until, legal)
        self.null = {}          # (bucket, key) -> vid of the live null version (ub)
        self.holds = {}         # case -> ("user", None) | ("bucket", (bucket, prefix))
        self.case_no = 0
        self.base = time.time()     # the policy clock: base + real time since the jump
        self.jumped = time.time()

    def now(self):
        return self.base + (time.time() - self.jumped)

    def retained(self, v):
        """True/False, or None when too close to call."""
        if not v.get("mode"):
            return False
        left = v["until"] - self.now()
        if abs(left) < MARGIN:
            return None
        return left > 0

    def locked(self, v, bypass=False):
        """Would the gate refuse deleting v by id?  None: too close to call."""
        if self.covered(v) or v.get("legal"):
            return True
        r = self.retained(v)
        if r is None:
            return None
        return r and not (bypass and v["mode"] == "GOVERNANCE")

    def protected(self, v):
        return self.covered(v) or v.get("legal") or self.retained(v) is not False

    def covered(self, v):
        for kind, scope in self.holds.values():
            if kind == "user":
                return True     # every bucket here is alice's
            b, p = scope
            if b == v["bucket"] and v["key"].startswith(p):
                return True
        return False


def stamp(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def run_sequence(seq, steps, rng, ep, stats):
    s3 = client(ep)
    m = Model()
    if "clock" in stats:                        # the clock runs on across sequences
        m.base, m.jumped = stats["clock"]
    real = {b: f"{b}{seq}" for b in BUCKETS}    # this sequence's own buckets

    def B(b):
        return real[b]
    for b, versioned in BUCKETS.items():
        if b == "lb":
            code(lambda: s3.create_bucket(Bucket=B(b), ObjectLockEnabledForBucket=True))
            continue
        code(lambda: s3.create_bucket(Bucket=B(b)))
        if versioned:
            s3.put_bucket_versioning(Bucket=B(b), VersioningConfiguration={"Status": "Enabled"})
    # Rules that would expire everything soon, were notices ever delivered.
    for b in BUCKETS:
        cli("lifecycle", "set", B(b), "--inactive-days", "1")
        code(lambda: s3.put_bucket_lifecycle_configuration(Bucket=B(b), LifecycleConfiguration={
            "Rules": [{"ID": "all", "Status": "Enabled", "Filter": {"Prefix": ""},
                       "Expiration": {"Days": 1},
                       "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]}))

    def violation(what):
        stats["violations"] += 1
        if stats["violations"] <= 20:
            print(f"  VIOLATION seq {seq} step {step}: {what}", flush=True)

    def check_listing(only=None):
        for b in [only] if only else BUCKETS:
            listed = set()
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=B(b)):
                for v in page.get("Versions", []):
                    listed.add((v["Key"], v["VersionId"]))
            for vid, v in m.versions.items():
                if v["alive"] and v["bucket"] == b:
                    rid = "null" if b == "ub" else vid
                    if (v["key"], rid) not in listed:
                        violation(f"{b}/{v['key']} version {vid} is gone"
                                  f"{' (held)' if m.covered(v) else ''}")
                        v["alive"] = False

    def check_held_bytes():
        for vid, v in m.versions.items():
            if v["alive"] and m.protected(v):
                rid = "null" if v["bucket"] == "ub" else vid
                c, r = code(lambda: s3.get_object(Bucket=B(v["bucket"]), Key=v["key"], VersionId=rid))
                if c != "ok" or hashlib.sha256(r["Body"].read()).hexdigest() != v["sha"]:
                    violation(f"held {v['bucket']}/{v['key']} {vid} unreadable or changed ({c})")

    for step in range(steps):
        op = rng.choices(["put", "put_ub", "marker", "del_ub", "del_vid", "hold", "release",
                          "reclaim", "crash", "put_lock", "retention", "legal", "del_lock",
                          "jump", "lifecycle"],
                         weights=[14, 10, 6, 6, 14, 5, 4, 3, 1, 12, 8, 5, 10, 1, 2])[0]
        key = rng.choice(KEYS)
        body = os.urandom(rng.choice([0, 1, 100, 5000]))
        sha = hashlib.sha256(body).hexdigest()
        if op == "put":
            c, r = code(lambda: s3.put_object(Bucket=B("vb"), Key=key, Body=body))
            if c != "ok":
                violation(f"put vb/{key}: {c}")
            else:
                m.versions[r["VersionId"]] = dict(bucket="vb", key=key, sha=sha, alive=True)
        elif op == "put_ub":
            old = m.null.get(("ub", key))
            held = old is not None and m.covered(m.versions[old])
            c, r = code(lambda: s3.put_object(Bucket=B("ub"), Key=key, Body=body))
            if held:
                if c != "AccessDenied":
                    violation(f"overwrite of held ub/{key} answered {c}")
                    if c == "ok":
                        m.versions[old]["alive"] = False
            elif c != "ok":
                violation(f"put ub/{key}: {c}")
            if c == "ok":
                if old is not None:
                    m.versions[old]["alive"] = False
                vid = "ub-%d-%d" % (seq, step)
                m.versions[vid] = dict(bucket="ub", key=key, sha=sha, alive=True)
                m.null[("ub", key)] = vid
        elif op == "marker":
            c, _ = code(lambda: s3.delete_object(Bucket=B("vb"), Key=key))
            if c != "ok":
                violation(f"delete marker vb/{key}: {c}")
        elif op == "del_ub":
            old = m.null.get(("ub", key))
            held = old is not None and m.covered(m.versions[old])
            c, _ = code(lambda: s3.delete_object(Bucket=B("ub"), Key=key))
            if held and c != "AccessDenied":
                violation(f"delete of held ub/{key} answered {c}")
            elif not held and c != "ok":
                violation(f"delete ub/{key}: {c}")
            if c == "ok" and old is not None:
                m.versions[old]["alive"] = False
                del m.null[("ub", key)]
        elif op == "del_vid":
            alive = [vid for vid, v in m.versions.items() if v["alive"] and v["bucket"] == "vb"]
            if not alive:
                continue
            vid = rng.choice(alive)
            v = m.versions[vid]
            c, _ = code(lambda: s3.delete_object(Bucket=B("vb"), Key=v["key"], VersionId=vid))
            if m.covered(v):
                if c != "AccessDenied":
                    violation(f"delete of held version vb/{v['key']} {vid} answered {c}")
            elif c != "ok":
                violation(f"delete of version vb/{v['key']} {vid}: {c}")
            if c == "ok":
                v["alive"] = False
        elif op == "hold":
            m.case_no += 1
            case = f"S{seq}-C{m.case_no}"
            kind = rng.choice(["bucket", "prefix", "user"])
            if kind == "user":
                args, scope = ["--user", "alice"], ("user", None)
            else:
                b = rng.choice(list(BUCKETS))
                p = rng.choice(["a/", "a/x/", "b/"]) if kind == "prefix" else ""
                args = ["--bucket", B(b)] + (["--prefix", p] if p else [])
                scope = ("bucket", (b, p))
            rc, out = cli("hold", "place", "--case", case, "--by", "model", "--reference",
                          f"seed {seq}", *args)
            if rc != 0:
                violation(f"hold place {case}: {out.strip()}")
            else:
                m.holds[case] = scope
        elif op == "release":
            if not m.holds:
                continue
            case = rng.choice(sorted(m.holds))
            rc, out = cli("hold", "release", case, "--by", "model", "--reason", "step")
            if rc != 0:
                violation(f"hold release {case}: {out.strip()}")
            else:
                del m.holds[case]
        elif op == "reclaim":
            rc, out = cli("reclaim")
            if rc != 0:
                violation(f"reclaim: {out.strip()}")
        elif op == "put_lock":
            kw, v = {}, dict(bucket="lb", key=key, sha=sha, alive=True)
            kind = rng.choice(["GOVERNANCE", "COMPLIANCE", "legal", "none"])
            if kind in ("GOVERNANCE", "COMPLIANCE"):
                until = m.now() + rng.randint(1, 400) * DAY
                kw = dict(ObjectLockMode=kind, ObjectLockRetainUntilDate=stamp(until))
                v.update(mode=kind, until=int(until))
            elif kind == "legal":
                kw = dict(ObjectLockLegalHoldStatus="ON")
                v["legal"] = True
            c, r = code(lambda: s3.put_object(Bucket=B("lb"), Key=key, Body=body, **kw))
            if c != "ok":
                violation(f"put lb/{key} with {kind}: {c}")
            else:
                m.versions[r["VersionId"]] = v
        elif op in ("retention", "legal", "del_lock"):
            alive = [vid for vid, v in m.versions.items() if v["alive"] and v["bucket"] == "lb"]
            if not alive:
                continue
            vid = rng.choice(alive)
            v = m.versions[vid]
            if op == "legal":
                on = rng.random() < 0.5
                c, _ = code(lambda: s3.put_object_legal_hold(
                    Bucket=B("lb"), Key=v["key"], VersionId=vid,
                    LegalHold={"Status": "ON" if on else "OFF"}))
                if c != "ok":
                    violation(f"legal hold {'ON' if on else 'OFF'} on {vid}: {c}")
                else:
                    v["legal"] = on
            elif op == "retention":
                active = m.retained(v)
                if active is None:
                    continue
                mode = rng.choice(["GOVERNANCE", "COMPLIANCE"]) if not active else v["mode"]
                if active and v["mode"] == "COMPLIANCE" and rng.random() < 0.3:
                    mode = "GOVERNANCE"         # an attempt to weaken COMPLIANCE
                until = m.now() + rng.randint(1, 500) * DAY
                if active and abs(until - v["until"]) < 2 * MARGIN:
                    continue
                bypass = rng.random() < 0.5
                shorter = active and until < v["until"]
                weaker = active and mode != v["mode"]
                if not active:
                    ok = True
                elif v["mode"] == "COMPLIANCE":
                    ok = not shorter and not weaker
                else:
                    ok = not shorter or bypass
                kw = {"BypassGovernanceRetention": True} if bypass else {}
                c, _ = code(lambda: s3.put_object_retention(
                    Bucket=B("lb"), Key=v["key"], VersionId=vid,
                    Retention={"Mode": mode, "RetainUntilDate": stamp(until)}, **kw))
                if ok and c != "ok":
                    violation(f"retention {mode} -> {stamp(until)} on {vid} ({v.get('mode')}"
                              f" until {stamp(v.get('until', 0))}, bypass={bypass}): {c}")
                elif not ok and c == "ok":
                    violation(f"retention weakened on {vid}: {v['mode']} until"
                              f" {stamp(v['until'])} -> {mode} {stamp(until)} (bypass={bypass})")
                if c == "ok":
                    v.update(mode=mode, until=int(until))
            else:
                bypass = rng.random() < 0.5
                locked = m.locked(v, bypass)
                if locked is None:
                    continue
                kw = {"BypassGovernanceRetention": True} if bypass else {}
                c, _ = code(lambda: s3.delete_object(Bucket=B("lb"), Key=v["key"],
                                                      VersionId=vid, **kw))
                if locked and c != "AccessDenied":
                    violation(f"delete of locked {vid} ({v.get('mode')} legal={v.get('legal')}"
                              f" held={m.covered(v)} bypass={bypass}) answered {c}")
                elif not locked and c != "ok":
                    violation(f"delete of free {vid} (bypass={bypass}): {c}")
                if c == "ok":
                    v["alive"] = False
        elif op == "jump":
            if m.now() - stats["t0"] > 2 * 365 * DAY - 40 * DAY:
                continue                        # two years at most
            m.base = m.now() + rng.randint(1, 40) * DAY
            m.jumped = time.time()
            os.environ["HOLDFAST_NOW"] = stamp(m.base)
            new_ep = subprocess.run(os.environ["HF_RESTART_CMD"], shell=True, capture_output=True,
                                    text=True).stdout.strip()
            if not new_ep.startswith("http"):
                violation("server did not restart after a clock jump")
                return ep
            ep = new_ep
            s3 = client(ep)
            stats["jumps"] += 1
        elif op == "lifecycle":
            rc, out = cli("lifecycle", "run")
            if rc != 0:
                violation(f"lifecycle run: {out.strip()}")
        elif op == "crash":
            new_ep = subprocess.run(os.environ["HF_RESTART_CMD"], shell=True, capture_output=True,
                                    text=True).stdout.strip()
            if not new_ep.startswith("http"):
                violation("server did not restart")
                return ep
            ep = new_ep
            s3 = client(ep)
            stats["restarts"] += 1
        stats["steps"] += 1
        # The bucket the step touched after every step; all of them, and
        # the bytes of every held version, every 25 steps and after holds,
        # reclaims and restarts.
        touched = {"put": "vb", "marker": "vb", "del_vid": "vb", "put_ub": "ub",
                   "del_ub": "ub", "put_lock": "lb", "retention": "lb", "legal": "lb",
                   "del_lock": "lb"}.get(op)
        if touched and step % 25 != 24:
            check_listing(touched)
        else:
            check_listing()
            check_held_bytes()
    check_held_bytes()
    # Everything released and reclaimed: what the model holds alive is still there.
    for case in sorted(m.holds):
        cli("hold", "release", case, "--by", "model", "--reason", "end of sequence")
    m.holds.clear()
    cli("reclaim")
    check_listing()
    stats["clock"] = (m.base, m.jumped)
    return ep


def main():
    sequences, steps, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    stats = {"steps": 0, "violations": 0, "restarts": 0, "jumps": 0, "t0": time.time()}
    ep = os.environ["HF_ENDPOINT"]
    for seq in range(sequences):
        ep = run_sequence(seq, steps, random.Random(seed * 1000 + seq), ep, stats)
    print(f"model: {sequences} sequences, {stats['steps']} steps, {stats['restarts']} server "
          f"restarts, {stats['jumps']} clock jumps, {stats['violations']} violations")
    sys.exit(1 if stats["violations"] else 0)


if __name__ == "__main__":
    main()

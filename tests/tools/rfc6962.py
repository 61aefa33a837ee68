#!/usr/bin/python3
"""rfc6962.py — an independent reference for holdfast's audit log, for the tests.

Shares nothing with src/audit/: the Merkle tree hash, PATH and PROOF are
written out literally from RFC 6962 section 2.1, proof verification from
RFC 9162 sections 2.1.3.2 and 2.1.4.2, and the C2SP signed-note check from
c2sp.org/signed-note.  Standard library only (hashlib), except that a
note's Ed25519 signature is checked with Debian's python3-cryptography
when it is installed.

  rfc6962.py kat KAT.json
      compare tests/tools/merkle_kat's output (roots, inclusion proofs,
      consistency proofs for leaves "leaf-<i>") with the reference
  rfc6962.py inclusion PROVE.json ENTRIES.jsonl
      check `holdfast audit prove` output: the root recomputed from the
      entry's leaf and the proof (RFC 9162) is "root", which is MTH of the
      first tree_size entries of ENTRIES.jsonl (`audit ls --json`), and
      the proof is PATH(index, D[tree_size])
  rfc6962.py consistency CONS.json ENTRIES.jsonl
      the same for `holdfast audit consistency`
  rfc6962.py note NOTE VKEY
      NOTE is a C2SP checkpoint signed by the key VKEY (`holdfast audit key`)
      exit 77 when python3-cryptography is missing (the signature cannot be
      checked; everything else is)

Exit 0 when everything matches, 1 otherwise (the first mismatches printed).
"""
import base64
import functools
import hashlib
import json
import sys


def sha256(b):
    return hashlib.sha256(b).digest()


# ---- RFC 6962 section 2.1, literally ----

def largest_pow2_below(n):
    """k: the largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    """D[n] = leaves[0:n]; subtrees are (a, b) index ranges of it."""

    def __init__(self, leaves):
        self.d = leaves

    @functools.lru_cache(maxsize=None)
    def mth(self, a, b):
        # MTH({}) = SHA-256()
        # MTH({d(0)}) = SHA-256(0x00 || d(0))
        # MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
        n = b - a
        if n == 0:
            return sha256(b"")
        if n == 1:
            return sha256(b"\x00" + self.d[a])
        k = largest_pow2_below(n)
        return sha256(b"\x01" + self.mth(a, a + k) + self.mth(a + k, b))

    def path(self, m, a, b):
        # PATH(0, {d(0)}) = {}
        # m < k: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
        # m >= k: PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
        n = b - a
        if n == 1:
            return []
        k = largest_pow2_below(n)
        if m < k:
            return self.path(m, a, a + k) + [self.mth(a + k, b)]
        return self.path(m - k, a + k, b) + [self.mth(a, a + k)]

    def proof(self, m, n):
        # PROOF(m, D[n]) = SUBPROOF(m, D[n], true), defined for 0 < m < n.
        # holdfast (merkle.h) answers the empty proof for m = 0 and m = n,
        # RFC 9162's proofs of those trivial cases.
        if m == 0 or m == n:
            return []
        return self.subproof(m, 0, n, True)

    def subproof(self, m, a, b, start):
        # SUBPROOF(m, D[m], true) = {}
        # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        # m <= k: SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
        # m > k: SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
        n = b - a
        if m == n:
            return [] if start else [self.mth(a, b)]
        k = largest_pow2_below(n)
        if m <= k:
            return self.subproof(m, a, a + k, start) + [self.mth(a + k, b)]
        return self.subproof(m - k, a + k, b, False) + [self.mth(a, a + k)]


# ---- RFC 9162 section 2.1.3.2 and 2.1.4.2, literally ----

def node(l, r):
    return sha256(b"\x01" + l + r)


def root_from_inclusion(leaf_hash, index, size, path):
    """The root an inclusion proof leads to, or None when it is malformed."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_consistency(first, first_hash, second, second_hash, path):
    if first > second:
        return False
    if first == second:
        return not path and first_hash == second_hash
    if first == 0:
        return not path
    if not path:
        return False
    path = list(path)
    if first & (first - 1) == 0:
        path = [first_hash] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


# ---- commands ----

problems = []


def problem(msg):
    problems.append(msg)
    if len(problems) <= 10:
        print("MISMATCH:", msg)


# The reference's own anchor: the Certificate Transparency reference inputs
# and the roots of their first 1..8 (transparency-dev/merkle testonly data,
# the same in every CT implementation).
CT_INPUTS = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
             "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]


def cmd_kat(path):
    ct = Tree(tuple(bytes.fromhex(h) for h in CT_INPUTS))
    if sha256(b"").hex() != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855":
        problem("reference: MTH of the empty tree")
    for n in range(1, 9):
        if ct.mth(0, n).hex() != CT_ROOTS[n - 1]:
            problem("reference: MTH of the first %d CT inputs is not the published root" % n)
    with open(path) as f:
        kat = json.load(f)
    fmt = kat["leaf_format"]
    sizes = [int(s) for s in kat["roots"]]
    leaves = [(fmt % i).encode() for i in range(max(sizes) + 1)]
    t = Tree(tuple(leaves))
    checked = {"roots": 0, "inclusion": 0, "consistency": 0}
    for key in ("roots", "frontier"):
        for s, h in kat[key].items():
            checked["roots"] += 1
            if t.mth(0, int(s)).hex() != h:
                problem("%s: MTH(D[%s]) differs" % (key, s))
    for m, n, proof in kat["inclusion"]:
        checked["inclusion"] += 1
        want = [h.hex() for h in t.path(m, 0, n)]
        if proof != want:
            problem("PATH(%d, D[%d]): C %s, RFC 6962 %s" % (m, n, proof, want))
        leaf_hash = t.mth(m, m + 1)
        if root_from_inclusion(leaf_hash, m, n, [bytes.fromhex(h) for h in proof]) != t.mth(0, n):
            problem("inclusion (%d, %d): RFC 9162 verification fails" % (m, n))
    for m, n, proof in kat["consistency"]:
        checked["consistency"] += 1
        want = [h.hex() for h in t.proof(m, n)]
        if proof != want:
            problem("PROOF(%d, D[%d]): C %s, RFC 6962 %s" % (m, n, proof, want))
        if not verify_consistency(m, t.mth(0, m), n, t.mth(0, n), [bytes.fromhex(h) for h in proof]):
            problem("consistency (%d, %d): RFC 9162 verification fails" % (m, n))
    print("known answers: %d roots, %d inclusion proofs, %d consistency proofs compared, "
          "%d mismatches" % (checked["roots"], checked["inclusion"], checked["consistency"],
                             len(problems)))


def b64(s):
    return base64.b64decode(s, validate=True)


def load_leaves(path):
    leaves = []
    with open(path) as f:
        for i, line in enumerate(f):
            e = json.loads(line)
            if e["index"] != i:
                problem("entries: line %d has index %d" % (i, e["index"]))
            leaves.append(b64(e["leaf"]))
    return Tree(tuple(leaves))


def cmd_inclusion(proof_path, entries_path):
    with open(proof_path) as f:
        p = json.load(f)
    t = load_leaves(entries_path)
    index, size = p["index"], p["tree_size"]
    leaf = b64(p["entry"]["leaf"])
    path = [b64(h) for h in p["inclusion_proof"]]
    lh = sha256(b"\x00" + leaf)
    if b64(p["leaf_hash"]) != lh:
        problem("leaf_hash is not SHA-256(0x00 || leaf)")
    if leaf != t.d[index]:
        problem("the proof's leaf is not entry %d of the log" % index)
    if root_from_inclusion(lh, index, size, path) != b64(p["root"]):
        problem("RFC 9162: the proof does not lead from the leaf to \"root\"")
    if b64(p["root"]) != t.mth(0, size):
        problem("\"root\" is not MTH of the first %d entries" % size)
    if path != t.path(index, 0, size):
        problem("the proof is not PATH(%d, D[%d])" % (index, size))
    print("inclusion of %d in %d: %d hashes, %d mismatches" % (index, size, len(path), len(problems)))


def cmd_consistency(proof_path, entries_path):
    with open(proof_path) as f:
        p = json.load(f)
    t = load_leaves(entries_path)
    m, n = p["old_size"], p["new_size"]
    old, new = b64(p["old_root"]), b64(p["new_root"])
    path = [b64(h) for h in p["consistency_proof"]]
    if old != t.mth(0, m) or new != t.mth(0, n):
        problem("old_root/new_root are not MTH of the first %d/%d entries" % (m, n))
    if not verify_consistency(m, old, n, new, path):
        problem("RFC 9162: the consistency proof does not verify")
    if path != t.proof(m, n):
        problem("the proof is not PROOF(%d, D[%d])" % (m, n))
    print("consistency %d -> %d: %d hashes, %d mismatches" % (m, n, len(path), len(problems)))


def cmd_note(note_path, vkey_path):
    with open(note_path, "rb") as f:
        note = f.read()
    with open(vkey_path) as f:
        vkey = f.read().strip()
    # vkey: <name>+<hex key hash>+<base64(0x01 || public key)>
    name, khex, kb64 = vkey.split("+", 2)
    raw = b64(kb64)
    if len(raw) != 33 or raw[0] != 1:
        problem("vkey: not an Ed25519 key")
        return
    pub = raw[1:]
    keyhash = sha256(name.encode() + b"\n" + b"\x01" + pub)[:4]
    if keyhash.hex() != khex:
        problem("vkey: key hash %s, SHA-256(name \\n 0x01 key)[:4] is %s" % (khex, keyhash.hex()))
    # note: text (ends in \n, no empty line), an empty line, signature lines
    sep = note.find(b"\n\n")
    if sep < 0 or not note.endswith(b"\n"):
        problem("note: no blank line before the signatures")
        return
    text, sigs = note[:sep + 1], note[sep + 2:]
    lines = text.decode().split("\n")[:-1]
    if len(lines) < 3 or lines[0] != name or not lines[1].isdigit() or len(b64(lines[2])) != 32:
        problem("checkpoint: text is not <origin>\\n<size>\\n<base64 root>\\n")
    if str(int(lines[1])) != lines[1]:
        problem("checkpoint: tree size %r is not canonical decimal" % lines[1])
    found = None
    for line in sigs.decode().split("\n")[:-1]:
        if not line.startswith("\u2014 "):
            problem("note: signature line %r does not start with an em dash" % line)
            continue
        sname, sb64 = line[2:].rsplit(" ", 1)
        sig = b64(sb64)
        if sname == name and sig[:4] == keyhash:
            found = sig[4:]
    if found is None or len(found) != 64:
        problem("note: no signature by %s" % name)
        return
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        print("checkpoint: format checked; python3-cryptography missing, signature not checked")
        sys.exit(77 if not problems else 1)
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(found, text)
        print("checkpoint of %s entries: Ed25519 signature by %s verifies" % (lines[1], name))
    except InvalidSignature:
        problem("note: the Ed25519 signature does not verify")


def main():
    cmds = {"kat": cmd_kat, "inclusion": cmd_inclusion, "consistency": cmd_consistency,
            "note": cmd_note}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.setrecursionlimit(10000)
    cmds[sys.argv[1]](*sys.argv[2:])
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

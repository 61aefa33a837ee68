/*
 * scrub.c — verify every shard of every version; rebuild what is missing
 * or corrupt.
 *
 * Pass 1 reads every frame of a version and verifies it (header, payload
 * checksum) and authenticates each segment.  When a shard index is bad in
 * any segment and HF_SCRUB_REPAIR is set, pass 2 writes a complete new
 * file for that index — rebuilt frames where the old one was bad, verified
 * frames where it was good — on the same backend when it is up, else on a
 * backend in a domain holding no other shard of the version (placement_
 * replace).  The new file gets the next generation number, is fsync'd, and
 * one transaction points the shard row at it and queues the old file as
 * garbage for the reclaimer.
 *
 * INVARIANTS
 *   (1) Scrub never removes a file (reclaim.c does).
 *   (2) A rebuilt frame is written only from a segment that had at least k
 *       verified shards and that authenticates.
 *   (3) The switch to a new shard file is one metadata transaction after
 *       the file is durable; a crash before it leaves an intent to reclaim.
 *   (4) A version whose shards share a domain while another usable domain
 *       holds none of them is degraded (a repair made while domains were
 *       down); --repair moves shards until each domain holds at most one
 *       where the backends allow.
 *   (5) Replacements go only to writable backends (up and active), chosen
 *       by placement_replace under the provider/site/jurisdiction caps.
 *
 * DRAIN.  scrub_drain_version (for store/drain.c) is the same repair with
 * every shard on the draining backend marked for relocation; it also reads
 * each new file back against the hash of what was written before the
 * switch, and the switch records the version in the backend's drained set.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "store/object.h"
#include "store/placement.h"
#include "store/reclaim.h"
#include "banned.h"

/* Choose where a replacement for shard @bad of @r goes: a writable backend. */
static struct backend *repair_target(struct hf_store *st, struct seg_reader *r, unsigned bad,
                                     bool relocate, struct backend *const *chosen)
{
    struct place_cand c[256];
    struct backend *map[256];
    unsigned used[HF_MAX_SHARDS], nused = 0, pick;
    size_t nc;

    if (!relocate && r->be[bad] && r->be[bad]->writable)
        return r->be[bad];
    nc = obj_candidates(st, c, map, 256);
    for (size_t b = 0; b < nc; b++) {
        /* Domains of the other shards, where they stay or where they move. */
        for (unsigned s = 0; s < r->v.k + r->v.m; s++) {
            struct backend *holder = chosen[s] ? chosen[s] : r->be[s];
            if (s != bad && holder == map[b] && nused < HF_MAX_SHARDS)
                used[nused++] = (unsigned)b;
        }
    }
    if (placement_replace(c, nc, r->v.vid, used, nused, r->v.m, &pick) != HF_OK)
        return NULL;
    return map[pick];
}

/*
 * Shards sharing a domain while an up domain holds none of the version's
 * shards (left by a repair while domains were down): mark in @move the ones
 * to relocate so every domain holds at most one where the backends allow.
 * Returns how many.
 */
static unsigned find_misplaced(struct hf_store *st, const struct seg_reader *r, bool *move)
{
    const unsigned n = r->v.k + r->v.m;
    unsigned count[HF_MAX_SHARDS] = { 0 }, moved = 0, free_domains = 0;
    const char *dom[HF_MAX_SHARDS];

    for (unsigned i = 0; i < n; i++) {
        if (!r->be[i])
            return 0;
        dom[i] = r->be[i]->domain;
    }
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < n; j++)
            count[i] += strcmp(dom[i], dom[j]) == 0;
    for (size_t b = 0; b < st->nbackends; b++) {
        const struct backend *be = st->backends[b];
        bool used = false, seen = false;
        if (!be->writable)
            continue;
        for (unsigned i = 0; i < n && !used; i++)
            used = strcmp(dom[i], be->domain) == 0;
        for (size_t c = 0; c < b && !seen; c++)
            seen = st->backends[c]->writable &&
                   strcmp(st->backends[c]->domain, be->domain) == 0;
        free_domains += !used && !seen;
    }
    /* Move the later shards of crowded domains, one per free domain. */
    for (unsigned i = n; i-- > 0 && moved < free_domains;) {
        if (count[i] < 2)
            continue;
        move[i] = true;
        moved++;
        for (unsigned j = 0; j < n; j++)
            if (strcmp(dom[i], dom[j]) == 0)
                count[j]--;
    }
    return moved;
}

struct repair_out {
    uint64_t repaired, relocated;   /* frames rebuilt; shards moved to another backend */
    uint64_t copied, rebuilt_files; /* files written whose frames all verified; the others */
    uint64_t bytes;                 /* bytes written */
};

/*
 * Read back the file @name just committed on @be and compare it with the
 * XXH3-128 of what was written (@want, @len bytes).  HF_ECORRUPT if it
 * differs.
 */
static enum hf_err read_back(struct backend *be, const char *name, XXH128_hash_t want,
                             uint64_t len)
{
    struct be_reader *rd = NULL;
    XXH3_state_t *xs = XXH3_createState();
    uint8_t *buf = malloc(1u << 20);
    enum hf_err rc = xs && buf ? be->ops->open_read(be, name, &rd) : HF_ENOMEM;

    if (rc == HF_OK)
        XXH3_128bits_reset(xs);
    for (uint64_t off = 0; rc == HF_OK && off < len;) {
        size_t chunk = len - off < (1u << 20) ? (size_t)(len - off) : (1u << 20);
        rc = be->ops->pread(rd, buf, chunk, off);
        if (rc == HF_OK)
            XXH3_128bits_update(xs, buf, chunk);
        off += chunk;
    }
    if (rc == HF_OK && !XXH128_isEqual(XXH3_128bits_digest(xs), want))
        rc = HF_ECORRUPT;
    if (rd)
        be->ops->close_read(rd);
    XXH3_freeState(xs);
    free(buf);
    return rc;
}

/*
 * Write a new file for every shard index in @bad: rebuilt where bad,
 * copied where good; on a new backend for those in @relocate.  With
 * @drained_from > 0 (a drain): every new file is read back and compared
 * before the switch, and the switch records the version as drained off
 * that backend.  The switch happens only if the version's shard rows are
 * still those read (a concurrent delete or repair wins).
 */
static enum hf_err repair(struct hf_store *st, struct seg_reader *r, const bool *bad,
                          const bool *relocate, int64_t drained_from, struct repair_out *ro)
{
    const unsigned n = r->v.k + r->v.m;
    struct backend *tgt[HF_MAX_SHARDS] = { 0 };
    struct be_writer *w[HF_MAX_SHARDS] = { 0 };
    XXH3_state_t *xs[HF_MAX_SHARDS] = { 0 };
    uint64_t flen[HF_MAX_SHARDS] = { 0 };
    bool all_ok[HF_MAX_SHARDS];
    unsigned gen[HF_MAX_SHARDS];
    uint64_t rebuilt = 0;
    bool intents = false;
    int64_t pid, pstart;
    enum hf_err rc = HF_OK;

    hf_self_ident(&pid, &pstart);
    for (unsigned i = 0; i < n; i++) {
        all_ok[i] = true;
        if (!bad[i])
            continue;
        tgt[i] = repair_target(st, r, i, relocate[i], tgt);
        if (!tgt[i]) {
            rc = hf_fail(st, HF_ENOPLACE, "no usable backend to repair onto");
            goto out;
        }
        gen[i] = r->sh[i].gen + 1;
        if (drained_from > 0) {
            if (!(xs[i] = XXH3_createState())) {
                rc = HF_ENOMEM;
                goto out;
            }
            XXH3_128bits_reset(xs[i]);
        }
    }
    rc = meta_begin(st->meta);
    if (rc == HF_OK) {
        rc = store_targets_active(st, tgt, n);
        if (rc == HF_EBACKEND)
            hf_fail(st, rc, "a target backend changed state; try again");
    }
    for (unsigned i = 0; rc == HF_OK && i < n; i++) {
        struct meta_file f = { .pid = pid, .pstart = pstart };
        if (!bad[i])
            continue;
        f.backend = tgt[i]->id;
        memcpy(f.vid, r->v.vid, 16);
        backend_shard_name(r->v.vid, i, gen[i], f.name);
        rc = meta_intent_add(st->meta, &f);
    }
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        if (!st->errmsg[0])
            hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    intents = true;
    for (unsigned i = 0; rc == HF_OK && i < n; i++) {
        char name[BE_NAME_MAX];
        if (!bad[i])
            continue;
        backend_shard_name(r->v.vid, i, gen[i], name);
        rc = tgt[i]->ops->create(tgt[i], name, &w[i]);
    }
    for (uint64_t s = 0; rc == HF_OK && s < r->v.nsegs; s++) {
        unsigned good;
        uint8_t hdr[SHARD_HDR_LEN];
        rc = seg_reader_load(r, s, true, &good);
        for (unsigned i = 0; rc == HF_OK && i < n; i++) {
            if (!bad[i])
                continue;
            obj_frame_hdr(&r->v, i, s, r->shard[i], r->plen, hdr);
            struct iovec iov[2] = { { hdr, SHARD_HDR_LEN }, { r->shard[i], r->plen } };
            rc = tgt[i]->ops->append(w[i], iov, 2);
            if (xs[i]) {
                XXH3_128bits_update(xs[i], hdr, SHARD_HDR_LEN);
                XXH3_128bits_update(xs[i], r->shard[i], r->plen);
            }
            flen[i] += SHARD_HDR_LEN + r->plen;
            rebuilt += r->status[i] != SHARD_OK;
            all_ok[i] = all_ok[i] && r->status[i] == SHARD_OK;
        }
        if (rc == HF_OK) {
            const uint8_t *plain;
            size_t len;
            rc = seg_reader_decrypt(r, s, &plain, &len); /* invariant 2 */
        }
    }
    hf_crashpoint();
    for (unsigned i = 0; i < n; i++) {
        if (!w[i])
            continue;
        if (rc == HF_OK)
            rc = tgt[i]->ops->commit(w[i]);
        else
            tgt[i]->ops->abort(w[i]);
        w[i] = NULL;
    }
    hf_crashpoint();
    /* A drain verifies the copy by reading it back before anything points at it. */
    for (unsigned i = 0; rc == HF_OK && drained_from > 0 && i < n; i++) {
        char name[BE_NAME_MAX];
        if (!bad[i])
            continue;
        backend_shard_name(r->v.vid, i, gen[i], name);
        rc = read_back(tgt[i], name, XXH3_128bits_digest(xs[i]), flen[i]);
        if (rc != HF_OK)
            hf_fail(st, rc, "backend %s: the copy %s did not read back as written",
                    tgt[i]->name, name);
    }
    if (rc == HF_OK)
        rc = meta_begin(st->meta);
    if (rc == HF_OK) {
        /* The rows must still be the ones read: a delete or repair meanwhile wins. */
        struct meta_shard now[HF_MAX_SHARDS];
        unsigned cnt = 0;
        rc = meta_shards_get(st->meta, r->v.id, now, &cnt);
        for (unsigned i = 0; rc == HF_OK && i < n; i++)
            if (bad[i] && (cnt != n || now[i].backend != r->sh[i].backend ||
                           now[i].gen != r->sh[i].gen))
                rc = hf_fail(st, HF_EBUSY, "the version's shards changed meanwhile");
    }
    if (rc == HF_OK && drained_from > 0)
        rc = meta_drained_add(st->meta, drained_from, r->v.id);
    for (unsigned i = 0; rc == HF_OK && i < n; i++) {
        char oldname[BE_NAME_MAX], name[BE_NAME_MAX];
        struct meta_shard sh = { .idx = i, .gen = gen[i] };
        if (!bad[i])
            continue;
        sh.backend = tgt[i]->id;
        backend_shard_name(r->v.vid, i, r->sh[i].gen, oldname);
        backend_shard_name(r->v.vid, i, gen[i], name);
        rc = meta_shard_set(st->meta, r->v.id, &sh);
        if (rc == HF_OK)
            rc = meta_garbage_add(st->meta, r->sh[i].backend, oldname);
        if (rc == HF_OK)
            rc = meta_intent_remove(st->meta, tgt[i]->id, name);
    }
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc == HF_OK) {
        intents = false;
        ro->repaired += rebuilt;
        for (unsigned i = 0; i < n; i++) {
            ro->relocated += relocate[i];
            if (bad[i]) {
                ro->copied += all_ok[i];
                ro->rebuilt_files += !all_ok[i];
                ro->bytes += flen[i];
            }
        }
    } else {
        meta_rollback(st->meta);
    }
    if (intents)
        reclaim_failed_write(st, r->v.vid);
out:
    for (unsigned i = 0; i < n; i++)
        XXH3_freeState(xs[i]);
    return rc;
}

enum hf_err scrub_drain_version(struct hf_store *st, int64_t id, int64_t from,
                                struct hf_drain_stats *ds)
{
    struct seg_reader *r = calloc(1, sizeof(*r));
    struct meta_version *v = malloc(sizeof(*v));
    bool bad[HF_MAX_SHARDS] = { false }, move[HF_MAX_SHARDS] = { false };
    struct repair_out ro = { 0 };
    bool any = false;
    enum hf_err rc;

    if (!r || !v) {
        free(r);
        free(v);
        return HF_ENOMEM;
    }
    rc = meta_version_by_id(st->meta, id, v);
    if (rc == HF_ENOTFOUND) {
        rc = HF_OK; /* reclaimed meanwhile: nothing to move */
        goto out;
    }
    if (rc != HF_OK)
        goto out;
    rc = seg_reader_open(st, v, r);
    if (rc != HF_OK)
        goto out;
    for (unsigned i = 0; i < r->v.k + r->v.m; i++) {
        move[i] = bad[i] = r->sh[i].backend == from;
        any = any || move[i];
    }
    if (any) {
        /* Other missing or corrupt shards are rebuilt on the way (full strength after). */
        for (uint64_t s = 0; rc == HF_OK && s < r->v.nsegs; s++) {
            unsigned good;
            rc = seg_reader_load(r, s, true, &good);
            for (unsigned i = 0; rc == HF_OK && i < r->v.k + r->v.m; i++)
                bad[i] = bad[i] || r->status[i] != SHARD_OK;
        }
        if (rc == HF_OK)
            rc = repair(st, r, bad, move, from, &ro);
    }
    seg_reader_close(r);
    if (rc == HF_OK && any) {
        ds->versions++;
        ds->shards_copied += ro.copied;
        ds->shards_rebuilt += ro.rebuilt_files;
        ds->bytes += ro.bytes;
    }
out:
    free(r);
    free(v);
    return rc;
}

static enum hf_err scrub_version(struct hf_store *st, int64_t id, unsigned flags,
                                 struct hf_scrub_stats *out, hf_progress_fn progress,
                                 void *parg)
{
    struct seg_reader *r = calloc(1, sizeof(*r));
    struct meta_version *v = malloc(sizeof(*v));
    bool bad[HF_MAX_SHARDS] = { false }, move[HF_MAX_SHARDS] = { false };
    bool any_bad = false, unreadable = false;
    unsigned misplaced = 0;
    enum hf_err rc;
    unsigned n;

    if (!r || !v) {
        free(r);
        free(v);
        return HF_ENOMEM;
    }
    rc = meta_version_by_id(st->meta, id, v);
    if (rc != HF_OK || (v->state != VERSION_LIVE && v->state != VERSION_PART) || v->marker ||
        v->composite) {
        free(r);
        free(v);
        return rc == HF_ENOTFOUND ? HF_OK : rc;
    }
    rc = seg_reader_open(st, v, r);
    free(v);
    if (rc != HF_OK) {
        free(r);
        out->unreadable++;
        out->unrepaired++;
        return HF_OK;
    }
    n = r->v.k + r->v.m;
    out->versions++;
    for (uint64_t s = 0; s < r->v.nsegs; s++) {
        unsigned good;
        enum hf_err lr = seg_reader_load(r, s, true, &good);
        for (unsigned i = 0; i < n; i++) {
            out->shards_checked++;
            if (r->status[i] == SHARD_MISSING)
                out->shards_missing++;
            else if (r->status[i] == SHARD_CORRUPT)
                out->shards_corrupt++;
            else
                out->bytes += r->plen;
            if (r->status[i] != SHARD_OK) {
                bad[i] = true;
                any_bad = true;
            }
        }
        if (lr == HF_OK) {
            const uint8_t *plain;
            size_t len;
            lr = seg_reader_decrypt(r, s, &plain, &len);
        }
        if (lr != HF_OK)
            unreadable = true;
        if (progress)
            progress(parg, out->bytes, 0);
    }
    if (!unreadable && !any_bad) {
        misplaced = find_misplaced(st, r, move);
        out->shards_misplaced += misplaced;
    }
    if (unreadable) {
        out->unreadable++;
        out->unrepaired++;
    } else if (any_bad || misplaced) {
        for (unsigned i = 0; i < n; i++)
            bad[i] = bad[i] || move[i];
        if (flags & HF_SCRUB_REPAIR) {
            struct repair_out ro = { 0 };
            if (repair(st, r, bad, move, 0, &ro) != HF_OK)
                out->unrepaired++;
            out->shards_repaired += ro.repaired;
            out->shards_relocated += ro.relocated;
        } else {
            out->unrepaired++;
        }
    }
    seg_reader_close(r);
    free(r);
    return HF_OK;
}

enum hf_err scrub_one(struct hf_store *st, int64_t id, unsigned flags,
                      struct hf_scrub_stats *out)
{
    return scrub_version(st, id, flags, out, NULL, NULL);
}

enum hf_err hf_scrub(struct hf_store *st, unsigned flags, hf_progress_fn progress,
                     void *progress_arg, struct hf_scrub_stats *out)
{
    int64_t ids[256], after = 0;
    size_t n;
    enum hf_err rc = HF_OK;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    /* Live versions, then the parts of multipart objects and uploads. */
    for (int state = VERSION_LIVE; rc == HF_OK && state <= VERSION_PART; state += 2) {
        after = 0;
        do {
            rc = meta_version_ids(st->meta, state, false, after, 256, ids, &n);
            for (size_t i = 0; rc == HF_OK && i < n; i++) {
                rc = scrub_version(st, ids[i], flags, out, progress, progress_arg);
                after = ids[i];
            }
        } while (rc == HF_OK && n == 256);
    }
    if (rc != HF_OK && !st->errmsg[0])
        hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    return rc;
}

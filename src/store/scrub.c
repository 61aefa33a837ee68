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
 */
#include <stdlib.h>
#include <string.h>

#include "store/object.h"
#include "store/placement.h"
#include "store/reclaim.h"
#include "banned.h"

/* Choose where a replacement for shard @bad of @r goes. */
static struct backend *repair_target(struct hf_store *st, struct seg_reader *r, unsigned bad,
                                     bool relocate, struct backend *const *chosen)
{
    struct place_cand c[256];
    struct backend *map[256];
    unsigned used[HF_MAX_SHARDS], nused = 0, pick;
    size_t nc = 0;

    if (!relocate && r->be[bad] && r->be[bad]->up)
        return r->be[bad];
    for (size_t i = 0; i < st->nbackends && nc < 256; i++) {
        struct backend *be = st->backends[i];
        if (!be->up)
            continue;
        map[nc] = be;
        c[nc] = (struct place_cand){ be->name, be->domain, 1 };
        /* Domains of the other shards, where they stay or where they move. */
        for (unsigned s = 0; s < r->v.k + r->v.m; s++) {
            struct backend *holder = chosen[s] ? chosen[s] : r->be[s];
            if (s != bad && holder == be && nused < HF_MAX_SHARDS)
                used[nused++] = (unsigned)nc;
        }
        nc++;
    }
    if (placement_replace(c, nc, r->v.vid, used, nused, &pick) != HF_OK)
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
        if (!be->up)
            continue;
        for (unsigned i = 0; i < n && !used; i++)
            used = strcmp(dom[i], be->domain) == 0;
        for (size_t c = 0; c < b && !seen; c++)
            seen = st->backends[c]->up && strcmp(st->backends[c]->domain, be->domain) == 0;
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

/*
 * Write a new file for every shard index in @rewrite: rebuilt where bad,
 * copied where good; on a new backend for those in @relocate.
 */
static enum hf_err repair(struct hf_store *st, struct seg_reader *r, const bool *bad,
                          const bool *relocate, uint64_t *repaired, uint64_t *relocated)
{
    const unsigned n = r->v.k + r->v.m;
    struct backend *tgt[HF_MAX_SHARDS] = { 0 };
    struct be_writer *w[HF_MAX_SHARDS] = { 0 };
    unsigned gen[HF_MAX_SHARDS];
    uint64_t rebuilt = 0;
    bool intents = false;
    int64_t pid, pstart;
    enum hf_err rc = HF_OK;

    hf_self_ident(&pid, &pstart);
    for (unsigned i = 0; i < n; i++) {
        if (!bad[i])
            continue;
        tgt[i] = repair_target(st, r, i, relocate[i], tgt);
        if (!tgt[i])
            return hf_fail(st, HF_ENOPLACE, "no usable backend to repair onto");
        gen[i] = r->sh[i].gen + 1;
    }
    rc = meta_begin(st->meta);
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
        return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
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
            rebuilt += r->status[i] != SHARD_OK;
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
    if (rc == HF_OK)
        rc = meta_begin(st->meta);
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
        *repaired += rebuilt;
        for (unsigned i = 0; i < n; i++)
            *relocated += relocate[i];
    } else {
        meta_rollback(st->meta);
    }
    if (intents)
        reclaim_failed_write(st, r->v.vid);
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
            if (repair(st, r, bad, move, &out->shards_repaired, &out->shards_relocated) !=
                HF_OK)
                out->unrepaired++;
        } else {
            out->unrepaired++;
        }
    }
    seg_reader_close(r);
    free(r);
    return HF_OK;
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

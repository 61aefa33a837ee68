/*
 * group.c — the committer: group commit of small PUTs (see group.h for the
 * protocol and its invariants).
 *
 * Two threads per server, a pipeline of two stages; no timer: each takes
 * everything that came while it was busy.
 *
 *   syncer      take every ticket queued; barrier: the backend's
 *               commit_many on all their files (for directories, one
 *               syncfs per filesystem) (invariant 2); hand the group on
 *   committer   take every group synced (and a refill if the pool runs
 *               low); with its own store handle (its own SQLite
 *               connection, the only one writing the rows of small PUTs):
 *               BEGIN; per ticket SAVEPOINT put_rows RELEASE | ROLLBACK TO
 *               (invariant 4); new reservations (intents); COMMIT; answer
 *               every ticket (invariant 3); hand out the new reservations
 *               (invariant 1)
 *
 * So group N+1 is made durable while group N commits.  Tickets keep their
 * arrival order through both stages.
 *
 * The reservations of one refill share the first byte of their version
 * ids: their files land in the same fan-out directory of each backend, so a
 * group syncs one or two directories per backend instead of one per file.
 * (The other 15 bytes stay random: ids are unguessable and placement,
 * which hashes the whole id, is unaffected.)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "store/group.h"
#include "banned.h"

#define GROUP_POOL 64           /* reservations kept ready */

struct group {
    struct hf_store *st;        /* the committer's own handle */
    pthread_t syncer, committer;
    pthread_mutex_t mu;
    pthread_cond_t work;        /* the syncer waits: tickets or quit */
    pthread_cond_t synced_cv;   /* the committer waits: synced tickets, a refill, the end */
    pthread_cond_t answered;    /* writers wait: their ticket or a refill */
    struct group_ticket *head, **tail;      /* queued, to sync */
    struct group_ticket *synced, **synced_tail;     /* synced, to commit */
    bool syncer_done;
    struct group_res pool[GROUP_POOL];
    struct group_res fresh[GROUP_POOL];     /* the committer's: a refill in progress */
    size_t npool;
    bool want_refill, quit;
    uint64_t refills;           /* refill attempts so far */
    int64_t pruned;             /* when prune last looked (ns) */
    enum hf_err refill_err;     /* the last attempt's */
    unsigned n;                 /* k+m of the store */
    int64_t pid, pstart;        /* this process, for its intents */
};

/* One kind of backend's share of a group's barrier. */
struct syncjob {
    pthread_t thread;
    const struct backend_ops *ops;
    struct be_writer **w;
    enum hf_err *rc;
    size_t n;
};

static void *sync_main(void *arg)
{
    struct syncjob *j = arg;

    j->ops->commit_many(j->w, j->n, j->rc);
    return NULL;
}

/* Fail @t with @rc and the message now in the committer's handle. */
static void ticket_fail(struct group *g, struct group_ticket *t, enum hf_err rc)
{
    t->rc = rc;
    snprintf(t->msg, sizeof(t->msg), "%s", g->st->errmsg[0] ? g->st->errmsg : hf_strerror(rc));
}

/* Fail @t because a file of it could not be made durable (the syncer's). */
static void sync_fail(struct group_ticket *t, enum hf_err rc)
{
    if (t->rc != HF_OK)
        return;
    t->rc = rc;
    snprintf(t->msg, sizeof(t->msg), "making a shard durable failed: %s", hf_strerror(rc));
}

/*
 * Invariant 2: every file of every ticket durable, each backend's files in
 * one commit_many on a thread of its own.  A ticket with a file that failed
 * is answered with the error (its intents stay: its writer reclaims).
 */
static void barrier(struct group_ticket *batch)
{
    size_t total = 0, nj = 0, at = 0;
    struct be_writer **w = NULL;
    enum hf_err *rc = NULL;
    struct group_ticket **owner = NULL;
    struct syncjob job[HF_MAX_SHARDS * 8];
    const struct backend_ops *jops[HF_MAX_SHARDS * 8];
    bool started[HF_MAX_SHARDS * 8];

    for (struct group_ticket *t = batch; t; t = t->next)
        total += t->n;
    w = calloc(total ? total : 1, sizeof(*w));
    rc = calloc(total ? total : 1, sizeof(*rc));
    owner = calloc(total ? total : 1, sizeof(*owner));
    if (!w || !rc || !owner) {
        /* No memory to sort them: sync one ticket's files at a time. */
        for (struct group_ticket *t = batch; t; t = t->next)
            for (unsigned i = 0; i < t->n; i++) {
                enum hf_err r1;
                t->ops[i]->commit_many(&t->w[i], 1, &r1);
                t->w[i] = NULL;
                if (r1 != HF_OK)
                    sync_fail(t, r1);
            }
        goto out;
    }
    /* Group the writers by backend: one job per backend, in order. */
    for (struct group_ticket *t = batch; t; t = t->next)
        for (unsigned i = 0; i < t->n; i++) {
            size_t j;
            for (j = 0; j < nj && jops[j] != t->ops[i]; j++)
                ;
            if (j == nj && nj < sizeof(job) / sizeof(job[0])) {
                jops[nj] = t->ops[i];
                job[nj++] = (struct syncjob){ .ops = t->ops[i] };
            }
            if (j < nj)
                job[j].n++;
        }
    for (size_t j = 0; j < nj; j++) {
        job[j].w = w + at;
        job[j].rc = rc + at;
        at += job[j].n;
        job[j].n = 0;
    }
    for (struct group_ticket *t = batch; t; t = t->next)
        for (unsigned i = 0; i < t->n; i++) {
            size_t j;
            for (j = 0; j < nj && jops[j] != t->ops[i]; j++)
                ;
            if (j == nj) {      /* more kinds than jobs: sync it alone */
                enum hf_err r1;
                t->ops[i]->commit_many(&t->w[i], 1, &r1);
                if (r1 != HF_OK)
                    sync_fail(t, r1);
            } else {
                owner[job[j].w - w + job[j].n] = t;
                job[j].w[job[j].n++] = t->w[i];
            }
            t->w[i] = NULL;     /* consumed */
        }
    for (size_t j = 0; j < nj; j++)
        started[j] = nj > 1 && pthread_create(&job[j].thread, NULL, sync_main, &job[j]) == 0;
    for (size_t j = 0; j < nj; j++) {
        if (started[j])
            pthread_join(job[j].thread, NULL);
        else
            sync_main(&job[j]);
    }
    for (size_t i = 0; i < at; i++)
        if (rc[i] != HF_OK)
            sync_fail(owner[i], rc[i]);
out:
    free(w);
    free(rc);
    free(owner);
}

/*
 * Add up to @want reservations to the open transaction (in a savepoint of
 * their own); *@got = how many went in @res.  On failure none did.
 */
static enum hf_err refill(struct group *g, size_t want, struct group_res *res, size_t *got)
{
    struct hf_store *st = g->st;
    uint8_t first;
    enum hf_err rc = meta_savepoint(st->meta);

    *got = 0;
    if (rc == HF_OK)
        rc = hf_random(&first, 1);
    for (size_t r = 0; rc == HF_OK && r < want; r++) {
        struct backend *be[HF_MAX_SHARDS];
        struct group_res *x = &res[r];
        rc = hf_random(x->vid, 16);
        x->vid[0] = first;      /* one fan-out directory per refill */
        x->n = g->n;
        /* As a write alone: only backends still active (a drain may have begun). */
        for (int attempt = 0; rc == HF_OK; attempt++) {
            rc = put_place(st, x->vid, g->n, be);
            if (rc == HF_OK)
                rc = store_targets_active(st, be, g->n);
            if (rc != HF_EBACKEND || attempt == 2)
                break;
            rc = HF_OK;
        }
        for (unsigned i = 0; rc == HF_OK && i < g->n; i++) {
            struct meta_file f = { .backend = be[i]->id, .pid = g->pid, .pstart = g->pstart };
            x->backend[i] = be[i]->id;
            memcpy(f.vid, x->vid, 16);
            backend_shard_name(x->vid, i, 0, f.name);
            rc = meta_intent_add(st->meta, &f);
        }
    }
    if (rc == HF_OK)
        rc = meta_release(st->meta);
    if (rc != HF_OK) {
        meta_rollback_to(st->meta);
        return rc;
    }
    *got = want;
    return HF_OK;
}

/*
 * Drop the unused reservations naming a backend that is no longer active
 * (a drain began, or it failed): a drain waits until no intent names its
 * backend.  No file exists for them, so their intents just go.  At most
 * once a second; best effort (a row left is dropped at the next try, or by
 * the reclaimer once this process is gone).
 */
static void prune(struct group *g)
{
    struct hf_store *st = g->st;
    struct group_res drop[GROUP_POOL];
    size_t ndrop = 0, keep = 0;
    int64_t now = hf_now_ns();

    if (now - g->pruned >= 0 && now - g->pruned < 1000000000LL)
        return;
    g->pruned = now;
    pthread_mutex_lock(&g->mu);
    for (size_t r = 0; r < g->npool; r++) {
        bool ok = true;
        for (unsigned i = 0; ok && i < g->pool[r].n; i++) {
            char state[16];
            ok = meta_backend_state(st->meta, g->pool[r].backend[i], state, sizeof(state),
                                    NULL) == HF_OK && strcmp(state, "active") == 0;
        }
        if (ok)
            g->pool[keep++] = g->pool[r];
        else
            drop[ndrop++] = g->pool[r];
    }
    g->npool = keep;
    pthread_mutex_unlock(&g->mu);
    if (ndrop)
        store_refresh_states(st);
    for (size_t r = 0; r < ndrop; r++)
        for (unsigned i = 0; i < drop[r].n; i++) {
            char name[BE_NAME_MAX];
            backend_shard_name(drop[r].vid, i, 0, name);
            (void)meta_intent_remove(st->meta, drop[r].backend[i], name);
        }
}

/*
 * One group, synced: one transaction with every ticket whose files are
 * durable and @want new reservations (into @res, *@got of them).
 */
static void commit_group(struct group *g, struct group_ticket *batch, size_t want,
                         struct group_res *res, size_t *got)
{
    struct hf_store *st = g->st;
    enum hf_err rc;
    bool any = false;

    *got = 0;
    hf_clear_err(st);
    rc = meta_begin(st->meta);
    if (rc != HF_OK) {
        rc = hf_fail(st, rc, "metadata commit failed: %s", meta_errmsg(st->meta));
        for (struct group_ticket *t = batch; t; t = t->next)
            if (t->rc == HF_OK)
                ticket_fail(g, t, rc);
        g->refill_err = rc;
        return;
    }
    for (struct group_ticket *t = batch; t; t = t->next) {
        if (t->rc != HF_OK)
            continue;
        hf_clear_err(st);
        hf_store_set_actor(st, t->st->actor);   /* who an "object.overwritten" names */
        rc = meta_savepoint(st->meta);
        if (rc == HF_OK)
            rc = put_rows(st, t->bucket, t->v, t->backend, t->n, &t->cond);
        if (rc == HF_OK)
            rc = meta_release(st->meta);
        if (rc != HF_OK) {
            meta_rollback_to(st->meta);     /* invariant 4: this ticket only */
            ticket_fail(g, t, put_commit_fail(st, rc));
        } else {
            any = true;
        }
    }
    hf_store_set_actor(st, "server:commit");
    hf_clear_err(st);
    g->refill_err = want ? refill(g, want, res, got) : HF_OK;
    if (!any && *got == 0) {
        meta_rollback(st->meta);
        return;
    }
    rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        rc = hf_fail(st, rc, "metadata commit failed: %s", meta_errmsg(st->meta));
        for (struct group_ticket *t = batch; t; t = t->next)
            if (t->rc == HF_OK)
                ticket_fail(g, t, rc);
        g->refill_err = rc;
        *got = 0;
        return;
    }
    hf_crashpoint();
    /* A write: the inactivity rule's clock restarts (throttled per bucket). */
    for (struct group_ticket *t = batch; t; t = t->next)
        if (t->rc == HF_OK)
            policy_touch(st, t->v->bucket);
}

/* The first stage: sync what is queued, hand it to the committer. */
static void *syncer_main(void *arg)
{
    struct group *g = arg;

    pthread_mutex_lock(&g->mu);
    for (;;) {
        struct group_ticket *batch;

        while (!g->head && !g->quit)
            pthread_cond_wait(&g->work, &g->mu);
        if (!g->head)
            break;                              /* quit, nothing queued */
        batch = g->head;
        g->head = NULL;
        g->tail = &g->head;
        pthread_mutex_unlock(&g->mu);

        barrier(batch);                         /* invariant 2 */
        hf_crashpoint();

        pthread_mutex_lock(&g->mu);
        *g->synced_tail = batch;
        while (*g->synced_tail)
            g->synced_tail = &(*g->synced_tail)->next;
        pthread_cond_signal(&g->synced_cv);
    }
    g->syncer_done = true;
    pthread_cond_signal(&g->synced_cv);
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/*
 * The second stage: commit what is synced (with a refill), answer it.  It
 * runs while the syncer makes the next group durable.
 */
static void *committer_main(void *arg)
{
    struct group *g = arg;
    struct group_res *fresh = g->fresh;

    pthread_mutex_lock(&g->mu);
    for (;;) {
        struct group_ticket *batch;
        size_t want = 0, got = 0;

        while (!g->synced && !(g->want_refill && !g->quit) && !g->syncer_done)
            pthread_cond_wait(&g->synced_cv, &g->mu);
        if (!g->synced && !(g->want_refill && !g->quit))
            break;                              /* the syncer ended, nothing left */
        batch = g->synced;
        g->synced = NULL;
        g->synced_tail = &g->synced;
        if (!g->quit && (g->want_refill || g->npool < GROUP_POOL / 2))
            want = GROUP_POOL - g->npool;
        g->want_refill = false;
        pthread_mutex_unlock(&g->mu);

        commit_group(g, batch, want, fresh, &got);
        prune(g);

        pthread_mutex_lock(&g->mu);
        if (want) {
            memcpy(g->pool + g->npool, fresh, got * sizeof(*fresh));
            g->npool += got;
            g->refills++;
        }
        while (batch) {                         /* invariant 3: after COMMIT */
            struct group_ticket *t = batch;
            batch = t->next;
            t->done = true;
        }
        pthread_cond_broadcast(&g->answered);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

enum hf_err group_start(struct hf_store *st, struct group **out)
{
    struct group *g = calloc(1, sizeof(*g));

    *out = NULL;
    if (!g) {
        hf_store_close(st);
        return HF_ENOMEM;
    }
    g->st = st;
    g->n = st->k + st->m;
    g->tail = &g->head;
    g->synced_tail = &g->synced;
    g->want_refill = true;                      /* fill the pool at once */
    hf_self_ident(&g->pid, &g->pstart);
    hf_store_set_actor(st, "server:commit");
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->work, NULL);
    pthread_cond_init(&g->synced_cv, NULL);
    pthread_cond_init(&g->answered, NULL);
    if (pthread_create(&g->syncer, NULL, syncer_main, g) != 0) {
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->work);
        pthread_cond_destroy(&g->synced_cv);
        pthread_cond_destroy(&g->answered);
        hf_store_close(st);
        free(g);
        return HF_ENOMEM;
    }
    if (pthread_create(&g->committer, NULL, committer_main, g) != 0) {
        pthread_mutex_lock(&g->mu);
        g->quit = true;
        pthread_cond_broadcast(&g->work);
        pthread_mutex_unlock(&g->mu);
        pthread_join(g->syncer, NULL);
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->work);
        pthread_cond_destroy(&g->synced_cv);
        pthread_cond_destroy(&g->answered);
        hf_store_close(st);
        free(g);
        return HF_ENOMEM;
    }
    *out = g;
    return HF_OK;
}

void group_stop(struct group *g)
{
    struct meta *m;
    enum hf_err rc;

    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->quit = true;
    pthread_cond_broadcast(&g->work);
    pthread_cond_broadcast(&g->synced_cv);
    pthread_cond_broadcast(&g->answered);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->syncer, NULL);      /* syncs what is queued, then the committer */
    pthread_join(g->committer, NULL);   /* commits what is synced, then ends */
    /* Unused reservations: intents without files, dropped in one go. */
    m = g->st->meta;
    rc = g->npool ? meta_begin(m) : HF_OK;
    for (size_t r = 0; rc == HF_OK && r < g->npool; r++)
        for (unsigned i = 0; rc == HF_OK && i < g->pool[r].n; i++) {
            char name[BE_NAME_MAX];
            backend_shard_name(g->pool[r].vid, i, 0, name);
            rc = meta_intent_remove(m, g->pool[r].backend[i], name);
        }
    if (g->npool && (rc != HF_OK || meta_commit(m) != HF_OK))
        meta_rollback(m);       /* left for the reclaimer once this process is gone */
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->work);
    pthread_cond_destroy(&g->synced_cv);
    pthread_cond_destroy(&g->answered);
    hf_store_close(g->st);
    free(g);
}

enum hf_err group_reserve(struct group *g, unsigned n, struct group_res *out)
{
    enum hf_err rc = HF_OK;

    if (n != g->n)
        return HF_EINVAL;
    pthread_mutex_lock(&g->mu);
    while (g->npool == 0) {
        uint64_t seen = g->refills;
        if (g->quit) {
            rc = HF_EBUSY;
            break;
        }
        g->want_refill = true;
        pthread_cond_signal(&g->synced_cv);
        while (g->refills == seen && !g->quit)
            pthread_cond_wait(&g->answered, &g->mu);
        if (g->npool == 0 && g->refills != seen && g->refill_err != HF_OK) {
            rc = g->refill_err;
            break;
        }
    }
    if (rc == HF_OK)
        *out = g->pool[--g->npool];
    if (rc == HF_OK && g->npool < GROUP_POOL / 2 && !g->head && !g->synced) {
        g->want_refill = true;          /* top up while writers are quiet */
        pthread_cond_signal(&g->synced_cv);
    }
    pthread_mutex_unlock(&g->mu);
    return rc;
}

enum hf_err group_submit(struct group *g, struct group_ticket *t)
{
    t->rc = HF_OK;
    t->msg[0] = '\0';
    t->done = false;
    t->next = NULL;
    pthread_mutex_lock(&g->mu);
    if (g->quit) {
        pthread_mutex_unlock(&g->mu);
        /* Nobody will sync them: close the files (their intents stay). */
        for (unsigned i = 0; i < t->n; i++) {
            if (t->w[i])
                t->ops[i]->abort(t->w[i]);
            t->w[i] = NULL;
        }
        snprintf(t->msg, sizeof(t->msg), "the server is stopping");
        return t->rc = HF_EBUSY;
    }
    *g->tail = t;
    g->tail = &t->next;
    pthread_cond_signal(&g->work);
    while (!t->done)
        pthread_cond_wait(&g->answered, &g->mu);
    pthread_mutex_unlock(&g->mu);
    return t->rc;
}

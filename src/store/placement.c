/*
 * placement.c — weighted rendezvous hashing over failure domains.
 *
 * Each backend scores a version by -weight / ln(u), u the backend name and
 * version id hashed into (0,1) (weighted highest-random-weight).  A domain
 * ranks by its best backend.  Shards take the best domains in order; with
 * fewer domains than shards they go round-robin over the ranked domains
 * and, inside a domain, over its ranked backends.
 *
 * INVARIANTS
 *   (1) Deterministic: the same backends and version give the same result.
 *   (2) Adding a backend moves a version's choice only if the new backend
 *       outranks a chosen one (about nshards / (backends + 1) of versions).
 *   (3) With at least @nshards domains no two shards share a domain.
 *   (4) Placement is decided once, at write, and recorded in metadata:
 *       later changes to the backend set never move stored shards (only
 *       repair and drain move them, each shard on its own).
 *   (5) Attributes (provider, site, jurisdiction): no value holds more than
 *       cap (= m) shards of a version when the backends allow it.  A
 *       placement the rendezvous order already makes within the caps is
 *       kept as is (so stores without attributes place exactly as before);
 *       otherwise a greedy pass takes, shard by shard, the backend that
 *       breaks fewest caps, then sits in the emptiest domain, then on the
 *       emptiest backend, then ranks best.  Each attribute alone is a
 *       partition of the domains, so the greedy pass meets its cap whenever
 *       any placement can.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "store/placement.h"
#include "banned.h"

struct ranked {
    size_t cand;
    double score;
    int domain;     /* index into the domain table */
};

static double score(const struct place_cand *c, const uint8_t key[16])
{
    uint8_t buf[16 + 256];
    size_t nl = strlen(c->name);
    uint64_t h;
    double u;

    if (nl > 256)
        nl = 256;
    memcpy(buf, key, 16);
    memcpy(buf + 16, c->name, nl);
    h = XXH3_64bits(buf, 16 + nl);
    u = ((double)(h >> 11) + 0.5) / 9007199254740992.0; /* (0,1) */
    return -(c->weight > 0 ? c->weight : 1.0) / log(u);
}

static int by_score(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->cand < y->cand ? -1 : x->cand > y->cand;
}

/* Rank the candidates and number their domains in rank order of each domain's best. */
static struct ranked *rank(const struct place_cand *c, size_t n, const uint8_t key[16],
                           int *ndomains)
{
    struct ranked *r = calloc(n, sizeof(*r));
    const char **names;
    int nd = 0;

    if (!r)
        return NULL;
    names = calloc(n, sizeof(*names));
    if (!names) {
        free(r);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        r[i].cand = i;
        r[i].score = score(&c[i], key);
    }
    qsort(r, n, sizeof(*r), by_score);
    for (size_t i = 0; i < n; i++) {
        int d;
        for (d = 0; d < nd; d++)
            if (strcmp(names[d], c[r[i].cand].domain) == 0)
                break;
        if (d == nd)
            names[nd++] = c[r[i].cand].domain;
        r[i].domain = d;
    }
    free(names);
    *ndomains = nd;
    return r;
}

static bool attr_set(const struct place_cand *c, int a)
{
    return c->attr[a] && c->attr[a][0];
}

unsigned placement_over_cap(const struct place_cand *c, const unsigned *pick, unsigned npick,
                            unsigned cap)
{
    unsigned over = 0;

    for (int a = 0; a < PLACE_NATTR; a++)
        for (unsigned i = 0; i < npick; i++) {
            unsigned cnt = 0;
            bool first = true;
            if (!attr_set(&c[pick[i]], a))
                continue;
            for (unsigned j = 0; j < npick; j++) {
                if (!attr_set(&c[pick[j]], a) || strcmp(c[pick[j]].attr[a], c[pick[i]].attr[a]))
                    continue;
                if (j < i)
                    first = false;
                cnt++;
            }
            over += first && cnt > cap;
        }
    return over;
}

/* Caps that adding @cand to @pick[0..np) would break (values already at @cap). */
static unsigned breaks(const struct place_cand *c, size_t cand, const unsigned *pick,
                       unsigned np, unsigned cap)
{
    unsigned over = 0;

    for (int a = 0; a < PLACE_NATTR; a++) {
        unsigned cnt = 0;
        if (!attr_set(&c[cand], a))
            continue;
        for (unsigned j = 0; j < np; j++)
            cnt += attr_set(&c[pick[j]], a) && strcmp(c[pick[j]].attr[a], c[cand].attr[a]) == 0;
        over += cnt >= cap;
    }
    return over;
}

/* Invariant 5: the greedy pass over ranked candidates @r. */
static void choose_capped(const struct place_cand *c, size_t n, const struct ranked *r,
                          unsigned nshards, unsigned cap, unsigned *out)
{
    for (unsigned s = 0; s < nshards; s++) {
        size_t best = 0;
        unsigned bo = 0, bd = 0, bb = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned o = breaks(c, r[i].cand, out, s, cap), d = 0, b = 0;
            for (unsigned j = 0; j < s; j++) {
                d += strcmp(c[out[j]].domain, c[r[i].cand].domain) == 0;
                b += out[j] == r[i].cand;
            }
            if (i == 0 || o < bo || (o == bo && (d < bd || (d == bd && b < bb)))) {
                best = i;
                bo = o;
                bd = d;
                bb = b;
            }
        }
        out[s] = (unsigned)r[best].cand;
    }
}

enum hf_err placement_choose(const struct place_cand *c, size_t n, const uint8_t key[16],
                             unsigned nshards, unsigned cap, unsigned *out)
{
    struct ranked *r;
    int nd;
    size_t *next;       /* per domain: how many of its backends used so far */

    if (n == 0)
        return HF_ENOPLACE;
    r = rank(c, n, key, &nd);
    if (!r)
        return HF_ENOMEM;
    next = calloc((size_t)nd, sizeof(*next));
    if (!next) {
        free(r);
        return HF_ENOMEM;
    }
    for (unsigned s = 0; s < nshards; s++) {
        int d = (int)(s % (unsigned)nd);
        /* the (next[d] mod count)-th ranked backend of domain d */
        size_t count = 0, want, seen = 0;
        for (size_t i = 0; i < n; i++)
            count += r[i].domain == d;
        want = next[d]++ % count;
        for (size_t i = 0; i < n; i++) {
            if (r[i].domain != d)
                continue;
            if (seen++ == want) {
                out[s] = (unsigned)r[i].cand;
                break;
            }
        }
    }
    if (placement_over_cap(c, out, nshards, cap) > 0) {
        unsigned alt[HF_MAX_SHARDS];
        unsigned ns = nshards < HF_MAX_SHARDS ? nshards : HF_MAX_SHARDS;
        choose_capped(c, n, r, ns, cap, alt);
        if (placement_over_cap(c, alt, ns, cap) < placement_over_cap(c, out, ns, cap))
            memcpy(out, alt, ns * sizeof(*out));
    }
    free(next);
    free(r);
    return HF_OK;
}

enum hf_err placement_replace(const struct place_cand *c, size_t n, const uint8_t key[16],
                              const unsigned *used, unsigned nused, unsigned cap, unsigned *out)
{
    struct ranked *r;
    int nd, best = -1;
    unsigned best_count = 0, best_mine = 0, best_over = 0;

    if (n == 0)
        return HF_ENOPLACE;
    r = rank(c, n, key, &nd);
    if (!r)
        return HF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        unsigned count = 0, mine = 0, over = breaks(c, r[i].cand, used, nused, cap);
        for (unsigned u = 0; u < nused; u++) {
            count += strcmp(c[used[u]].domain, c[r[i].cand].domain) == 0;
            mine += used[u] == r[i].cand;
        }
        /* Fewest caps broken, then fewest shards in the domain, then on the backend. */
        if (best < 0 || over < best_over ||
            (over == best_over && (count < best_count ||
                                   (count == best_count && mine < best_mine)))) {
            best = (int)i;
            best_count = count;
            best_mine = mine;
            best_over = over;
        }
        if (count == 0 && over == 0)
            break;
    }
    *out = (unsigned)r[best].cand;
    free(r);
    return HF_OK;
}

int placement_tolerance(const char *const *domains, unsigned nshards, unsigned m)
{
    unsigned counts[HF_MAX_SHARDS] = { 0 }, nd = 0, lost = 0;
    const char *names[HF_MAX_SHARDS];
    int tol = 0;

    for (unsigned s = 0; s < nshards && s < HF_MAX_SHARDS; s++) {
        unsigned d;
        for (d = 0; d < nd; d++)
            if (strcmp(names[d], domains[s]) == 0)
                break;
        if (d == nd)
            names[nd++] = domains[s];
        counts[d]++;
    }
    /* Worst case: the domains holding the most shards fail first. */
    for (;;) {
        unsigned maxi = 0, max = 0;
        for (unsigned d = 0; d < nd; d++)
            if (counts[d] > max) {
                max = counts[d];
                maxi = d;
            }
        if (max == 0 || lost + max > m)
            break;
        lost += max;
        counts[maxi] = 0;
        tol++;
    }
    return tol;
}

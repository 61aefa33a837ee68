/*
 * test_placement.c — unit tests for store/placement.h (weighted rendezvous
 * hashing over failure domains).
 *
 * Stability bounds, from the scheme: with every backend in its own domain
 * and nshards = s of n backends, a key's chosen set is its top s backends
 * by score.  Scores are independent per (key, backend), so a new backend
 * ranks among a key's top s of n+1 with probability s/(n+1); only then does
 * the set change, and it changes by exactly one swap: the new backend in,
 * the old s-th out.  With 10,000 keys the standard error of the fraction is
 * below 0.005, so the tests allow +-0.03.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/placement.h"

#define NKEYS 10000

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rnd_key(uint8_t key[16])
{
    uint64_t a = rnd(), b = rnd();
    memcpy(key, &a, 8);
    memcpy(key + 8, &b, 8);
}

/* Name and domain storage for generated candidate lists. */
struct cands {
    size_t n;
    struct place_cand c[64];
    char names[64][16];
    char domains[64][16];
};

/* @n backends "be<i>", backend i in domain "dom<i / per_domain>". */
static void make_cands(struct cands *cs, size_t n, size_t per_domain)
{
    memset(cs, 0, sizeof(*cs));
    cs->n = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(cs->names[i], sizeof(cs->names[i]), "be%u", (unsigned)i);
        snprintf(cs->domains[i], sizeof(cs->domains[i]), "dom%u", (unsigned)(i / per_domain));
        cs->c[i] = (struct place_cand){ .name = cs->names[i], .domain = cs->domains[i],
                                        .weight = 1.0 };
    }
}

static void choose(const struct cands *cs, const uint8_t key[16], unsigned nshards,
                   unsigned *out)
{
    assert_int_equal(placement_choose(cs->c, cs->n, key, nshards, 2, out), HF_OK);
    for (unsigned s = 0; s < nshards; s++)
        assert_true(out[s] < cs->n);
}

/* Bitmask of the chosen backends. */
static uint64_t set_of(const unsigned *out, unsigned nshards)
{
    uint64_t m = 0;

    for (unsigned s = 0; s < nshards; s++)
        m |= 1ull << out[s];
    return m;
}

/* ---- distinct domains, determinism, uniformity ---- */

static void test_six_in_six(void **state)
{
    struct cands cs;
    unsigned first[6] = { 0 };

    (void)state;
    make_cands(&cs, 6, 1);
    for (int i = 0; i < NKEYS; i++) {
        uint8_t key[16];
        unsigned out[6], again[6];
        rnd_key(key);
        choose(&cs, key, 6, out);
        for (unsigned a = 0; a < 6; a++)
            for (unsigned b = a + 1; b < 6; b++)
                assert_string_not_equal(cs.c[out[a]].domain, cs.c[out[b]].domain);
        choose(&cs, key, 6, again);
        assert_memory_equal(out, again, sizeof(out));
        first[out[0]]++;
    }
    for (unsigned b = 0; b < 6; b++) {
        double f = (double)first[b] / NKEYS;
        if (f < 0.12 || f > 0.22)
            fail_msg("backend %u is shard 0 for %.3f of keys (expected ~1/6)", b, f);
    }
}

/* The result depends on the names, not on the order of the candidate array. */
static void test_order_independent(void **state)
{
    struct cands cs, rev;

    (void)state;
    make_cands(&cs, 12, 2);
    make_cands(&rev, 12, 2);
    for (size_t i = 0; i < 12; i++)
        rev.c[i] = cs.c[11 - i];
    for (int i = 0; i < 1000; i++) {
        uint8_t key[16];
        unsigned a[6], b[6];
        rnd_key(key);
        choose(&cs, key, 6, a);
        choose(&rev, key, 6, b);
        for (unsigned s = 0; s < 6; s++)
            assert_string_equal(cs.c[a[s]].name, rev.c[b[s]].name);
    }
}

static void test_twelve_in_six(void **state)
{
    struct cands cs;
    unsigned used[12] = { 0 };

    (void)state;
    make_cands(&cs, 12, 2);
    for (int i = 0; i < NKEYS; i++) {
        uint8_t key[16];
        unsigned out[6];
        rnd_key(key);
        choose(&cs, key, 6, out);
        for (unsigned a = 0; a < 6; a++) {
            used[out[a]]++;
            for (unsigned b = a + 1; b < 6; b++)
                assert_string_not_equal(cs.c[out[a]].domain, cs.c[out[b]].domain);
        }
    }
    /* each backend carries about half its domain's shards: 6/12 of keys */
    for (unsigned b = 0; b < 12; b++) {
        double f = (double)used[b] / NKEYS;
        if (f < 0.45 || f > 0.55)
            fail_msg("backend %u holds a shard of %.3f of keys (expected ~0.5)", b, f);
    }
}

static void test_three_domains_six_shards(void **state)
{
    struct cands cs, one;

    (void)state;
    make_cands(&cs, 6, 2);  /* 3 domains of 2 backends */
    make_cands(&one, 3, 1); /* 3 domains of 1 backend */
    for (int i = 0; i < NKEYS; i++) {
        uint8_t key[16];
        unsigned out[6], per[3] = { 0 }, perbe[6] = { 0 };
        rnd_key(key);
        choose(&cs, key, 6, out);
        for (unsigned s = 0; s < 6; s++) {
            per[out[s] / 2]++;
            perbe[out[s]]++;
        }
        for (unsigned d = 0; d < 3; d++)
            assert_int_equal(per[d], 2);
        for (unsigned b = 0; b < 6; b++)
            assert_int_equal(perbe[b], 1); /* two backends per domain: one each */

        unsigned out1[6], per1[3] = { 0 };
        choose(&one, key, 6, out1);
        for (unsigned s = 0; s < 6; s++)
            per1[out1[s]]++;
        for (unsigned d = 0; d < 3; d++)
            assert_int_equal(per1[d], 2);
    }
}

/* Uneven domains: 6 shards over domains of sizes 3, 2, 1 still give 2 each. */
static void test_uneven_domains(void **state)
{
    static const char *const dom[6] = { "x", "x", "x", "y", "y", "z" };
    static const char *const nm[6] = { "x0", "x1", "x2", "y0", "y1", "z0" };
    struct place_cand c[6];

    (void)state;
    for (int i = 0; i < 6; i++)
        c[i] = (struct place_cand){ .name = nm[i], .domain = dom[i], .weight = 1.0 };
    for (int i = 0; i < 1000; i++) {
        uint8_t key[16];
        unsigned out[6], x = 0, y = 0, z = 0;
        rnd_key(key);
        assert_int_equal(placement_choose(c, 6, key, 6, 2, out), HF_OK);
        for (int s = 0; s < 6; s++) {
            x += dom[out[s]][0] == 'x';
            y += dom[out[s]][0] == 'y';
            z += dom[out[s]][0] == 'z';
        }
        assert_int_equal(x, 2);
        assert_int_equal(y, 2);
        assert_int_equal(z, 2);
        /* inside a domain, shards go to distinct backends while there are enough */
        unsigned perbe[6] = { 0 };
        for (int s = 0; s < 6; s++)
            perbe[out[s]]++;
        for (int b = 0; b < 5; b++)
            assert_true(perbe[b] <= 1);   /* x0..x2, y0, y1 */
        assert_int_equal(perbe[3] + perbe[4], 2);
        assert_int_equal(perbe[5], 2);    /* z0, the only z backend */
    }
}

/* Weighted: P(first) = w / sum(w). */
static void test_weights(void **state)
{
    static const char *const nm[4] = { "w0", "w1", "w2", "w3" };
    static const char *const dom[4] = { "d0", "d1", "d2", "d3" };
    struct place_cand c[4];
    unsigned first[4] = { 0 };

    (void)state;
    for (int i = 0; i < 4; i++)
        c[i] = (struct place_cand){ .name = nm[i], .domain = dom[i],
                                    .weight = i == 3 ? 3.0 : 1.0 };
    for (int i = 0; i < NKEYS; i++) {
        uint8_t key[16];
        unsigned out[1];
        rnd_key(key);
        assert_int_equal(placement_choose(c, 4, key, 1, 2, out), HF_OK);
        first[out[0]]++;
    }
    double heavy = (double)first[3] / NKEYS;
    if (heavy < 0.47 || heavy > 0.53)
        fail_msg("weight-3 backend first for %.3f of keys (expected 0.5)", heavy);
    for (int i = 0; i < 3; i++) {
        double f = (double)first[i] / NKEYS;
        if (f < 0.14 || f > 0.20)
            fail_msg("weight-1 backend %d first for %.3f of keys (expected 1/6)", i, f);
    }
}

static void test_no_candidates(void **state)
{
    uint8_t key[16] = { 0 };
    unsigned out[6], used[1] = { 0 };

    (void)state;
    assert_int_equal(placement_choose(NULL, 0, key, 6, 2, out), HF_ENOPLACE);
    assert_int_equal(placement_replace(NULL, 0, key, used, 0, 2, out), HF_ENOPLACE);
}

/* ---- stability ---- */

/*
 * Choose @s of @n single-backend domains, then of @n+1 (one added).  Return
 * the fraction of keys whose chosen set changed; check every change is one
 * swap that brings in the new backend.
 */
static double added_fraction(size_t n, unsigned s)
{
    struct cands before, after;
    unsigned changed = 0;

    make_cands(&before, n, 1);
    make_cands(&after, n + 1, 1);
    for (int i = 0; i < NKEYS; i++) {
        uint8_t key[16];
        unsigned a[32], b[32];
        uint64_t sa, sb, newbit = 1ull << n;
        rnd_key(key);
        choose(&before, key, s, a);
        choose(&after, key, s, b);
        sa = set_of(a, s);
        sb = set_of(b, s);
        if (sa == sb)
            continue;
        changed++;
        /* gained only the new backend, lost exactly one old one */
        assert_true(sb & newbit);
        assert_int_equal(__builtin_popcountll(sb & ~sa), 1);
        assert_int_equal(__builtin_popcountll(sa & ~sb), 1);
        /* the one dropped is the one the old order ranked last */
        assert_true((sa & ~sb) == 1ull << a[s - 1]);
    }
    return (double)changed / NKEYS;
}

static void test_stability_add_to_six(void **state)
{
    double f;

    (void)state;
    f = added_fraction(6, 6);
    if (f < 6.0 / 7 - 0.03 || f > 6.0 / 7 + 0.03)
        fail_msg("6 of 6 -> 6 of 7: %.3f of keys changed set (theory 6/7 = 0.857)", f);
}

static void test_stability_add_to_twenty(void **state)
{
    double f;

    (void)state;
    f = added_fraction(20, 6);
    if (f < 6.0 / 21 - 0.03 || f > 6.0 / 21 + 0.03)
        fail_msg("6 of 20 -> 6 of 21: %.3f of keys changed set (theory 6/21 = 0.286)", f);
}

/* Removing a backend moves only the keys that used it, by one swap. */
static void test_stability_remove(void **state)
{
    struct cands full, less;
    unsigned changed = 0;

    (void)state;
    make_cands(&full, 20, 1);
    make_cands(&less, 20, 1);
    /* drop be7: swap the last one into its slot (indices differ, names count) */
    less.c[7] = full.c[19];
    less.n = 19;
    for (int i = 0; i < NKEYS; i++) {
        uint8_t key[16];
        unsigned a[6], b[6];
        bool had = false;
        int lost = 0, gained = 0;
        rnd_key(key);
        choose(&full, key, 6, a);
        choose(&less, key, 6, b);
        for (int s = 0; s < 6; s++)
            had |= a[s] == 7;
        for (int s = 0; s < 6; s++) {
            bool in = false;
            for (int t = 0; t < 6; t++)
                in |= strcmp(full.c[a[s]].name, less.c[b[t]].name) == 0;
            lost += !in;
            in = false;
            for (int t = 0; t < 6; t++)
                in |= strcmp(less.c[b[s]].name, full.c[a[t]].name) == 0;
            gained += !in;
        }
        assert_int_equal(lost, had ? 1 : 0);
        assert_int_equal(gained, had ? 1 : 0);
        changed += had;
    }
    double f = (double)changed / NKEYS;
    if (f < 6.0 / 20 - 0.03 || f > 6.0 / 20 + 0.03)
        fail_msg("removing 1 of 20: %.3f of keys affected (theory 0.3)", f);
}

/* ---- replacement ---- */

static unsigned replace(const struct cands *cs, const uint8_t key[16], const unsigned *used,
                        unsigned nused)
{
    unsigned pick = 999;

    assert_int_equal(placement_replace(cs->c, cs->n, key, used, nused, 2, &pick), HF_OK);
    assert_true(pick < cs->n);
    return pick;
}

/* A free domain exists: the replacement goes to the best-ranked one. */
static void test_replace_free_domain(void **state)
{
    struct cands cs;

    (void)state;
    make_cands(&cs, 8, 1);
    for (int i = 0; i < 2000; i++) {
        uint8_t key[16];
        unsigned rank[8], used[5], pick;
        rnd_key(key);
        choose(&cs, key, 8, rank); /* one backend per domain: the full ranking */
        /* shards on ranks 0..5; shard 2's backend lost: the other five stay */
        for (unsigned s = 0, u = 0; s < 6; s++)
            if (s != 2)
                used[u++] = rank[s];
        pick = replace(&cs, key, used, 5);
        for (unsigned u = 0; u < 5; u++)
            assert_string_not_equal(cs.c[pick].domain, cs.c[used[u]].domain);
        /* best-ranked domain holding none: the lost one's own (rank 2) */
        assert_int_equal(pick, rank[2]);
        /* rank 2's backend down and not offered: the next free domain, rank 6 */
        struct cands less;
        unsigned lused[5], lpick;
        memset(&less, 0, sizeof(less));
        for (unsigned b = 0; b < 8; b++)
            if (b != rank[2])
                less.c[less.n++] = cs.c[b];
        for (unsigned u = 0; u < 5; u++)
            for (unsigned b = 0; b < less.n; b++)
                if (strcmp(less.c[b].name, cs.c[used[u]].name) == 0)
                    lused[u] = b;
        lpick = replace(&less, key, lused, 5);
        assert_string_equal(less.c[lpick].name, cs.c[rank[6]].name);
    }
}

/* No free domain: the replacement goes to a least-used one. */
static void test_replace_least_used(void **state)
{
    struct cands cs;

    (void)state;
    make_cands(&cs, 6, 2); /* dom0 = {0,1}, dom1 = {2,3}, dom2 = {4,5} */
    for (int i = 0; i < 2000; i++) {
        uint8_t key[16];
        unsigned used[4] = { 0, 1, 2, 4 }, pick, cnt;
        rnd_key(key);
        pick = replace(&cs, key, used, 4);
        /* dom0 holds 2, dom1 and dom2 hold 1 each */
        assert_true(pick >= 2);
        cnt = 0;
        for (unsigned u = 0; u < 4; u++)
            cnt += strcmp(cs.c[used[u]].domain, cs.c[pick].domain) == 0;
        assert_int_equal(cnt, 1);
        /* and a backend holding no shard of the version, when the domain has one */
        for (unsigned u = 0; u < 4; u++)
            if (pick == used[u])
                fail_msg("replacement stacked on backend %u, which already holds a shard"
                         " (backends 3 and 5 hold none)", pick);
    }
}

/* The full-width case used by repair: all used domains distinct, none free. */
static void test_replace_all_domains_used(void **state)
{
    struct cands cs;

    (void)state;
    make_cands(&cs, 6, 1);
    for (int i = 0; i < 500; i++) {
        uint8_t key[16];
        unsigned used[6] = { 0, 1, 2, 3, 4, 5 }, pick;
        rnd_key(key);
        pick = replace(&cs, key, used, 6);
        assert_true(pick < 6); /* every domain holds 1: any is least used */
    }
}

/* ---- tolerance ---- */

static void test_tolerance(void **state)
{
    static const char *const six[6] = { "a", "b", "c", "d", "e", "f" };
    static const char *const pairs[6] = { "a", "a", "b", "b", "c", "c" };
    static const char *const three_a[6] = { "a", "a", "a", "b", "c", "d" };
    static const char *const two_a[6] = { "a", "b", "a", "c", "d", "e" };
    static const char *const all_a[6] = { "a", "a", "a", "a", "a", "a" };
    static const char *const eleven[11] = { "1", "2", "3", "4", "5", "6",
                                            "7", "8", "9", "10", "11" };
    /* distinct pointers to equal strings: compared by value */
    char p1[2] = "a", p2[2] = "a";
    const char *byvalue[6] = { p1, p2, "b", "c", "d", "e" };

    (void)state;
    assert_int_equal(placement_tolerance(six, 6, 2), 2);
    assert_int_equal(placement_tolerance(pairs, 6, 2), 1);
    assert_int_equal(placement_tolerance(three_a, 6, 2), 0);
    assert_int_equal(placement_tolerance(two_a, 6, 2), 1);
    assert_int_equal(placement_tolerance(all_a, 6, 2), 0);
    assert_int_equal(placement_tolerance(six, 6, 0), 0);
    assert_int_equal(placement_tolerance(pairs, 6, 4), 2);
    assert_int_equal(placement_tolerance(eleven, 11, 3), 3);
    assert_int_equal(placement_tolerance(byvalue, 6, 2), 1);
}

/*
 * Providers: 6 domains of which 4 at provider A, 1 each at B and C, k+m =
 * 4+2.  Distinct domains alone would give A four shards; the cap keeps A
 * at m = 2 by putting the remaining shards on B and C twice (domain
 * reuse is the lesser evil).  Without the attribute the placement is the
 * plain rendezvous one.  And 3 providers x 2 domains (the usual layout)
 * gives distinct domains and two shards per provider for every key.
 */
static void test_providers(void **state)
{
    struct cands cs, plain;
    const char *prov[6] = { "A", "A", "A", "A", "B", "C" };
    const char *even[6] = { "P", "P", "Q", "Q", "R", "R" };
    unsigned out[6], base[6];
    uint8_t key[16];

    (void)state;
    make_cands(&cs, 6, 1);
    make_cands(&plain, 6, 1);
    for (int i = 0; i < 6; i++)
        cs.c[i].attr[0] = prov[i];
    for (unsigned t = 0; t < 500; t++) {
        unsigned a = 0;
        rnd_key(key);
        assert_int_equal(placement_choose(cs.c, 6, key, 6, 2, out), HF_OK);
        for (int s = 0; s < 6; s++)
            a += out[s] < 4;
        assert_int_equal(a, 2);
        assert_int_equal(placement_over_cap(cs.c, out, 6, 2), 0);
        assert_int_equal(placement_choose(plain.c, 6, key, 6, 2, base), HF_OK);
        for (int s = 0; s < 6; s++)
            for (int u = 0; u < s; u++)
                assert_int_not_equal(base[s], base[u]);
    }
    for (int i = 0; i < 6; i++)
        cs.c[i].attr[0] = even[i];
    for (unsigned t = 0; t < 500; t++) {
        unsigned used[5], pick;
        rnd_key(key);
        assert_int_equal(placement_choose(cs.c, 6, key, 6, 2, out), HF_OK);
        assert_int_equal(placement_over_cap(cs.c, out, 6, 2), 0);
        for (int s = 0; s < 6; s++)
            for (int u = 0; u < s; u++)
                assert_string_not_equal(cs.c[out[s]].domain, cs.c[out[u]].domain);
        /* Replacing a shard of a 5-shard version never gives a provider a third. */
        memcpy(used, out, sizeof(used));
        assert_int_equal(placement_replace(cs.c, 6, key, used, 4, 2, &pick), HF_OK);
        used[4] = pick;
        assert_int_equal(placement_over_cap(cs.c, used, 5, 2), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_six_in_six),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_twelve_in_six),
        cmocka_unit_test(test_three_domains_six_shards),
        cmocka_unit_test(test_uneven_domains),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_no_candidates),
        cmocka_unit_test(test_stability_add_to_six),
        cmocka_unit_test(test_stability_add_to_twenty),
        cmocka_unit_test(test_stability_remove),
        cmocka_unit_test(test_replace_free_domain),
        cmocka_unit_test(test_replace_least_used),
        cmocka_unit_test(test_replace_all_domains_used),
        cmocka_unit_test(test_tolerance),
        cmocka_unit_test(test_providers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

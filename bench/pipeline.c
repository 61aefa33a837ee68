/*
 * pipeline.c — in-memory throughput of the put and get pipelines on one
 * thread (= per core), against the machine's own limits.
 *
 *   put      copy-in (stands for the read() from the source) -> XXH3-128
 *            of the plaintext (the object checksum) -> AES-256-GCM seal in
 *            place -> zero pad -> rs_encode 4+2 -> XXH3-128 of all 6 shards
 *            -> 6 shard_hdr_encode; the same steps, in the same order, as
 *            the loop in src/store/put.c.
 *   get      per data shard: copy-in (stands for the two preads) ->
 *            shard_hdr_decode and field checks -> XXH3-128 and compare;
 *            then crypt_open (decrypt + authenticate) in place; the steps of
 *            seg_reader_load + seg_reader_decrypt in src/store/object.c.
 *   get-1/2  the same with data shard 0 (and 1) lost: parity shards are
 *            read instead and rs_reconstruct rebuilds the lost ones.
 *
 * No disk, no threads, no metadata: bench/run.sh measures those.  The
 * plaintext is generated once (RING segments, cycled), so every segment is
 * read from memory, not from cache, as after a read() of a big file.  Every
 * stored segment is checked to decode back to its plaintext, for each loss
 * pattern, before anything is timed.
 *
 * Usage: pipeline [MIB]   MiB of plaintext per timed run (default 2048);
 * each figure is the best of REPS runs.  Exit status 1 when a pipeline
 * produced wrong bytes; goals missed are reported, not failed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <xxhash.h>

#include "store/crypt.h"
#include "store/rs.h"
#include "store/shard.h"

#define K 4
#define M 2
#define N (K + M)
#define SEG (4u << 20)
#define RING 8              /* distinct segments cycled: 32 MiB of plaintext */
#define REPS 3
#define GOAL_PUT 1600.0     /* MB/s per core */
#define GOAL_GET 2000.0

enum { ST_COPY, ST_OBJSUM, ST_AEAD, ST_RS, ST_SHARDSUM, ST_HDR, ST_COUNT };
static const char *const stage_name[ST_COUNT] = {
    "copy-in", "XXH3 object", "AES-GCM", "RS", "XXH3 shards", "headers",
};

struct timing {
    double wall, cpu;                 /* seconds */
    double stage[ST_COUNT];           /* wall seconds per stage */
};

struct stored {                       /* one segment as written to 6 files */
    uint8_t hdr[N][SHARD_HDR_LEN];
    uint8_t *payload;                 /* N * plen */
};

struct bench {
    struct rs rs;
    struct crypt_ctx *cc;
    uint8_t dk[CRYPT_KEY_LEN];
    uint8_t vid[16], objhash[16];
    uint64_t plen;                    /* shard payload of a full segment */
    uint8_t *plain[RING];             /* random plaintext, SEG each */
    uint8_t *work[2];                 /* N * plen each: the segment buffers */
    struct stored stored[RING];
    XXH3_state_t *xs;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mbs(uint64_t bytes, double s)
{
    return s > 0 ? (double)bytes / 1e6 / s : 0.0;
}

static void die(const char *what)
{
    fprintf(stderr, "pipeline: %s\n", what);
    exit(2);
}

static void *xalloc(size_t len)
{
    void *p = aligned_alloc(64, (len + 63) / 64 * 64);

    if (!p)
        die("out of memory");
    memset(p, 0, len); /* fault the pages in before timing */
    return p;
}

/*
 * Seal and encode @len plaintext bytes already in @buf as segment @s, and
 * fill @hdr; @t (may be NULL) accumulates per-stage time.  The put loop
 * body of put.c, minus the copy-in.
 */
static void put_segment(struct bench *b, uint8_t *buf, uint64_t s, double *t,
                        uint8_t hdr[N][SHARD_HDR_LEN])
{
    uint8_t *shards[N], aad[CRYPT_AAD_LEN];
    struct shard_hdr h = { .k = K, .m = M, .segment = s, .payload_len = b->plen,
                           .cipher_len = SEG + CRYPT_TAG_LEN, .plain_len = SEG };
    double t0 = clock_s(CLOCK_MONOTONIC), t1, t2, t3, t4, t5;

    XXH3_128bits_update(b->xs, buf, SEG);
    t1 = clock_s(CLOCK_MONOTONIC);
    crypt_segment_aad(b->vid, b->objhash, s, SEG, aad);
    if (crypt_seal(b->cc, b->dk, s, aad, sizeof(aad), buf, SEG, buf + SEG) != HF_OK)
        die("crypt_seal failed");
    t2 = clock_s(CLOCK_MONOTONIC);
    memset(buf + SEG + CRYPT_TAG_LEN, 0, K * b->plen - (SEG + CRYPT_TAG_LEN));
    for (unsigned i = 0; i < N; i++)
        shards[i] = buf + i * b->plen;
    rs_encode(&b->rs, b->plen, shards);
    t3 = clock_s(CLOCK_MONOTONIC);
    uint8_t sums[N][16];
    for (unsigned i = 0; i < N; i++)
        shard_checksum(shards[i], b->plen, sums[i]);
    t4 = clock_s(CLOCK_MONOTONIC);
    memcpy(h.vid, b->vid, 16);
    memcpy(h.objhash, b->objhash, 16);
    for (unsigned i = 0; i < N; i++) {
        h.index = i;
        memcpy(h.checksum, sums[i], 16);
        shard_hdr_encode(&h, hdr[i]);
    }
    t5 = clock_s(CLOCK_MONOTONIC);
    if (t) {
        t[ST_OBJSUM] += t1 - t0;
        t[ST_AEAD] += t2 - t1;
        t[ST_RS] += t3 - t2;
        t[ST_SHARDSUM] += t4 - t3;
        t[ST_HDR] += t5 - t4;
    }
}

static void run_put(struct bench *b, uint64_t nsegs, struct timing *tm)
{
    uint8_t hdr[N][SHARD_HDR_LEN];
    double w0, c0;

    memset(tm, 0, sizeof(*tm));
    XXH3_128bits_reset(b->xs);
    w0 = clock_s(CLOCK_MONOTONIC);
    c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    for (uint64_t s = 0; s < nsegs; s++) {
        uint8_t *buf = b->work[s & 1];
        double t0 = clock_s(CLOCK_MONOTONIC);
        memcpy(buf, b->plain[s % RING], SEG);
        tm->stage[ST_COPY] += clock_s(CLOCK_MONOTONIC) - t0;
        put_segment(b, buf, s, tm->stage, hdr);
    }
    tm->wall = clock_s(CLOCK_MONOTONIC) - w0;
    tm->cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    if (hdr[0][0] != 'H') /* keep the headers live */
        die("bad header");
}

/*
 * Load stored segment @r into @buf with the shards in @lost missing, the
 * way seg_reader_load reads it, then authenticate and decrypt.  Returns 0,
 * or -1 when a check failed.
 */
static int get_segment(struct bench *b, unsigned r, uint8_t *buf, const bool *lost, double *t)
{
    const struct stored *sd = &b->stored[r];
    bool present[N] = { false }, want[N] = { false };
    uint8_t *shards[N], aad[CRYPT_AAD_LEN];
    unsigned ok = 0;
    double t0, t1;

    for (unsigned i = 0; i < N; i++)
        shards[i] = buf + i * b->plen;
    for (unsigned i = 0; i < N && ok < K; i++) {
        uint8_t hdr[SHARD_HDR_LEN], sum[16];
        struct shard_hdr h;

        if (lost[i])
            continue;
        t0 = clock_s(CLOCK_MONOTONIC);
        memcpy(hdr, sd->hdr[i], SHARD_HDR_LEN);
        memcpy(shards[i], sd->payload + i * b->plen, b->plen);
        t1 = clock_s(CLOCK_MONOTONIC);
        t[ST_COPY] += t1 - t0;
        if (shard_hdr_decode(hdr, &h) != HF_OK || h.k != K || h.m != M || h.index != i ||
            h.segment != r || h.plain_len != SEG || h.payload_len != b->plen ||
            memcmp(h.vid, b->vid, 16) != 0 || memcmp(h.objhash, b->objhash, 16) != 0)
            return -1;
        t0 = clock_s(CLOCK_MONOTONIC);
        t[ST_HDR] += t0 - t1;
        shard_checksum(shards[i], b->plen, sum);
        t1 = clock_s(CLOCK_MONOTONIC);
        t[ST_SHARDSUM] += t1 - t0;
        if (memcmp(sum, h.checksum, 16) != 0)
            return -1;
        present[i] = true;
        ok++;
    }
    if (ok < K)
        return -1;
    t0 = clock_s(CLOCK_MONOTONIC);
    for (unsigned i = 0; i < K; i++)
        want[i] = !present[i];
    if (rs_reconstruct(&b->rs, b->plen, shards, present, want) != HF_OK)
        return -1;
    t1 = clock_s(CLOCK_MONOTONIC);
    t[ST_RS] += t1 - t0;
    crypt_segment_aad(b->vid, b->objhash, r, SEG, aad);
    if (crypt_open(b->cc, b->dk, r, aad, sizeof(aad), buf, SEG, buf + SEG) != HF_OK)
        return -1;
    t[ST_AEAD] += clock_s(CLOCK_MONOTONIC) - t1;
    return 0;
}

static void run_get(struct bench *b, uint64_t nsegs, const bool *lost, struct timing *tm)
{
    double w0, c0;

    memset(tm, 0, sizeof(*tm));
    w0 = clock_s(CLOCK_MONOTONIC);
    c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    for (uint64_t s = 0; s < nsegs; s++)
        if (get_segment(b, (unsigned)(s % RING), b->work[s & 1], lost, tm->stage) != 0)
            die("a stored segment failed verification while timing");
    tm->wall = clock_s(CLOCK_MONOTONIC) - w0;
    tm->cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
}

/* Best of REPS by wall time. */
static void best_of(struct timing *best, const struct timing *t)
{
    if (best->wall == 0 || t->wall < best->wall)
        *best = *t;
}

static void print_stages(const char *name, const struct timing *t)
{
    double sum = 0;

    printf("  %-14s", name);
    for (int i = 0; i < ST_COUNT; i++)
        sum += t->stage[i];
    for (int i = 0; i < ST_COUNT; i++)
        if (t->stage[i] > 0)
            printf(" %s %.0f%%", stage_name[i], 100.0 * t->stage[i] / t->wall);
    printf("  (untimed %.0f%%)\n", 100.0 * (t->wall - sum) / t->wall);
}

/* ---- the machine's own limits, on one hot segment ---- */

struct raw {
    double memcpy_, seal, open, rs, xxh;
};

static void measure_raw(struct bench *b, uint64_t bytes, struct raw *out)
{
    uint8_t *a = b->work[0], *c = b->work[1], *shards[N], tag[CRYPT_TAG_LEN];
    uint8_t aad[CRYPT_AAD_LEN] = { 0 }, sum[16];
    uint64_t reps = bytes / SEG;
    double t0, best[5] = { 0 };

    memcpy(a, b->plain[0], SEG);
    for (unsigned i = 0; i < N; i++)
        shards[i] = a + i * b->plen;
    for (int r = 0; r < REPS; r++) {
        double tt[5] = { 0 };
        t0 = clock_s(CLOCK_MONOTONIC);
        for (uint64_t i = 0; i < reps; i++)
            memcpy(c, a, SEG);
        tt[0] = clock_s(CLOCK_MONOTONIC) - t0;
        for (uint64_t i = 0; i < reps; i++) {
            t0 = clock_s(CLOCK_MONOTONIC);
            if (crypt_seal(b->cc, b->dk, i, aad, sizeof(aad), a, SEG, tag) != HF_OK)
                die("crypt_seal failed");
            tt[1] += clock_s(CLOCK_MONOTONIC) - t0;
            t0 = clock_s(CLOCK_MONOTONIC);
            if (crypt_open(b->cc, b->dk, i, aad, sizeof(aad), a, SEG, tag) != HF_OK)
                die("crypt_open failed");
            tt[2] += clock_s(CLOCK_MONOTONIC) - t0;
        }
        t0 = clock_s(CLOCK_MONOTONIC);
        for (uint64_t i = 0; i < reps; i++)
            rs_encode(&b->rs, b->plen, shards);
        tt[3] = clock_s(CLOCK_MONOTONIC) - t0;
        t0 = clock_s(CLOCK_MONOTONIC);
        for (uint64_t i = 0; i < reps; i++) {
            shard_checksum(a, SEG, sum);
            a[0] ^= sum[0]; /* a dependency, so no call is elided */
        }
        tt[4] = clock_s(CLOCK_MONOTONIC) - t0;
        for (int i = 0; i < 5; i++)
            if (best[i] == 0 || tt[i] < best[i])
                best[i] = tt[i];
    }
    out->memcpy_ = mbs(reps * SEG, best[0]);
    out->seal = mbs(reps * SEG, best[1]);
    out->open = mbs(reps * SEG, best[2]);
    out->rs = mbs(reps * K * b->plen, best[3]);  /* data bytes in */
    out->xxh = mbs(reps * SEG, best[4]);
}

/* ---- setup and verification ---- */

static void setup(struct bench *b)
{
    memset(b, 0, sizeof(*b));
    if (rs_init(&b->rs, K, M) != HF_OK)
        die("rs_init failed");
    b->cc = crypt_ctx_new();
    b->xs = XXH3_createState();
    if (!b->cc || !b->xs)
        die("out of memory");
    if (hf_random(b->dk, sizeof(b->dk)) != HF_OK || hf_random(b->vid, 16) != HF_OK ||
        hf_random(b->objhash, 16) != HF_OK)
        die("no random bytes");
    b->plen = shard_payload_len(SEG + CRYPT_TAG_LEN, K);
    for (int r = 0; r < RING; r++) {
        b->plain[r] = xalloc(SEG);
        if (hf_random(b->plain[r], SEG) != HF_OK)
            die("no random bytes");
        b->stored[r].payload = xalloc(N * b->plen);
    }
    b->work[0] = xalloc(N * b->plen);
    b->work[1] = xalloc(N * b->plen);
    /* Store each ring segment r as segment r, through the put steps. */
    XXH3_128bits_reset(b->xs);
    for (unsigned r = 0; r < RING; r++) {
        memcpy(b->stored[r].payload, b->plain[r], SEG);
        put_segment(b, b->stored[r].payload, r, NULL, b->stored[r].hdr);
    }
}

/* Every stored segment decodes to its plaintext under every loss pattern. */
static void verify(struct bench *b, const bool lost[][N], int npat)
{
    double t[ST_COUNT] = { 0 };

    for (int p = 0; p < npat; p++)
        for (unsigned r = 0; r < RING; r++)
            if (get_segment(b, r, b->work[0], lost[p], t) != 0 ||
                memcmp(b->work[0], b->plain[r], SEG) != 0) {
                fprintf(stderr, "pipeline: WRONG BYTES: segment %u, loss pattern %d\n", r, p);
                exit(1);
            }
}

static const char *mark(double v, double goal)
{
    return v >= goal ? "PASS" : "BELOW";
}

int main(int argc, char **argv)
{
    static const bool lost[3][N] = {
        { false },
        { true },               /* data shard 0 lost */
        { true, true },         /* data shards 0 and 1 lost */
    };
    static const char *const get_name[3] = { "get", "get 1 lost", "get 2 lost" };
    static struct bench b;
    struct timing put = { 0 }, get[3] = { { 0 } };
    struct raw raw;
    uint64_t mib = 2048, nsegs, bytes;

    if (argc > 1) {
        char *end;
        mib = strtoull(argv[1], &end, 10);
        if (*end || mib < 4)
            die("usage: pipeline [MIB >= 4]");
    }
    nsegs = mib / 4;
    bytes = nsegs * SEG;
    setup(&b);
    verify(&b, lost, 3);

    printf("pipeline: 1 thread, %u MiB segments, %d+%d, %llu MiB of plaintext per run, "
           "best of %d\n", SEG >> 20, K, M, (unsigned long long)(bytes >> 20), REPS);
    measure_raw(&b, bytes / 4 < (1u << 30) ? bytes / 4 : (1u << 30), &raw);
    for (int r = 0; r < REPS; r++) {
        struct timing t;
        run_put(&b, nsegs, &t);
        best_of(&put, &t);
        for (int p = 0; p < 3; p++) {
            run_get(&b, nsegs, lost[p], &t);
            best_of(&get[p], &t);
        }
    }

    printf("\nmachine limits, 1 thread, one hot 4 MiB buffer:\n");
    printf("  memcpy               %6.0f MB/s\n", raw.memcpy_);
    printf("  AES-256-GCM seal     %6.0f MB/s\n", raw.seal);
    printf("  AES-256-GCM open     %6.0f MB/s\n", raw.open);
    printf("  rs_encode 4+2        %6.0f MB/s of data in\n", raw.rs);
    printf("  XXH3-128             %6.0f MB/s\n", raw.xxh);
    printf("  => put bound         %6.0f MB/s  (copy + GCM + RS + XXH3 over 2.5x the bytes)\n",
           1.0 / (1.0 / raw.memcpy_ + 1.0 / raw.seal + 1.0 / raw.rs + 2.5 / raw.xxh));
    printf("  => get bound         %6.0f MB/s  (copy + XXH3 + GCM open)\n",
           1.0 / (1.0 / raw.memcpy_ + 1.0 / raw.xxh + 1.0 / raw.open));
    printf("\nwhere the time goes (%% of wall time per pipeline):\n");
    print_stages("put", &put);
    for (int p = 0; p < 3; p++)
        print_stages(get_name[p], &get[p]);
    printf("\nper-core pipelines (MB/s of plaintext; cpu = the same over thread CPU time):\n");
    printf("  put pipeline     %6.0f MB/s  (cpu %6.0f)  goal >= %.0f  %s\n",
           mbs(bytes, put.wall), mbs(bytes, put.cpu), GOAL_PUT,
           mark(mbs(bytes, put.wall), GOAL_PUT));
    printf("  get pipeline     %6.0f MB/s  (cpu %6.0f)  goal >= %.0f  %s\n",
           mbs(bytes, get[0].wall), mbs(bytes, get[0].cpu), GOAL_GET,
           mark(mbs(bytes, get[0].wall), GOAL_GET));
    printf("  get 1 lost       %6.0f MB/s  (cpu %6.0f)  no goal (%.0f%% of get)\n",
           mbs(bytes, get[1].wall), mbs(bytes, get[1].cpu), 100.0 * get[0].wall / get[1].wall);
    printf("  get 2 lost       %6.0f MB/s  (cpu %6.0f)  no goal (%.0f%% of get)\n",
           mbs(bytes, get[2].wall), mbs(bytes, get[2].cpu), 100.0 * get[0].wall / get[2].wall);
    if (put.wall > 1.15 * put.cpu || get[0].wall > 1.15 * get[0].cpu)
        printf("note: wall time is well above CPU time: other work is sharing this core, "
               "the figures are low\n");

    for (int r = 0; r < RING; r++) {
        free(b.plain[r]);
        free(b.stored[r].payload);
    }
    free(b.work[0]);
    free(b.work[1]);
    crypt_ctx_free(b.cc);
    XXH3_freeState(b.xs);
    OPENSSL_cleanse(b.dk, sizeof(b.dk));
    return 0;
}

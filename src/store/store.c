/*
 * store.c — a store: its data directory, configuration, master key,
 * backends and buckets.
 *
 * Owns the layout of the data directory (backends own their own dirs).
 *
 * FORMAT  <dir>/holdfast.conf   "key = value" lines, '#' comments:
 *                               format, ec (K+M), segment_size
 *         <dir>/master.key      32 random bytes, mode 0600; never copied
 *         <dir>/meta.db         SQLite metadata (meta/sqlite.c)
 *         <dir>/backends/dN/    the default local backends, one domain each
 *
 * INVARIANTS
 *   (1) init never overwrites: any of the three files present is HF_EEXIST.
 *   (2) holdfast.conf is written last, by rename, so a store either opens
 *       completely or is recognisably incomplete.
 *   (3) The master key leaves memory only to master.key; in memory it lives
 *       in OpenSSL's secure heap when available and is wiped on close.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit/audit.h"
#include "backend/backend.h"
#include "meta/meta.h"
#include "policy/policy.h"
#include "store/object.h"
#include "store/placement.h"
#include "store/reclaim.h"
#include "banned.h"

#define CONF "holdfast.conf"
#define KEYFILE "master.key"
#define METADB "meta.db"

static char *path_join(const char *dir, const char *name)
{
    return hf_sprintf("%s/%s", dir, name);
}

static bool exists(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    struct stat sb;
    bool r = p && stat(p, &sb) == 0;

    free(p);
    return r;
}

static enum hf_err write_file(const char *path, const void *buf, size_t len, bool excl)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC), 0600);
    enum hf_err rc;

    if (fd < 0)
        return hf_err_from_errno(errno);
    rc = hf_write_all(fd, buf, len);
    if (rc == HF_OK && fsync(fd) != 0)
        rc = hf_err_from_errno(errno);
    if (close(fd) != 0 && rc == HF_OK)
        rc = hf_err_from_errno(errno);
    return rc;
}

static char *abs_path(const char *dir)
{
    char *r = realpath(dir, NULL);

    return r;
}

enum hf_err hf_store_init(const char *dir, const struct hf_init_opts *opts)
{
    struct hf_init_opts o = { 4, 2, 6, HF_DEFAULT_SEGMENT };
    uint8_t key[32];
    char *adir = NULL, *p = NULL, *conf = NULL, *tmp = NULL;
    struct meta *m = NULL;
    enum hf_err rc;

    if (opts) {
        o = *opts;
        if (!o.k) o.k = 4;
        if (!o.domains) o.domains = o.k + o.m;
        if (!o.segment_size) o.segment_size = HF_DEFAULT_SEGMENT;
    }
    if (o.k < 1 || o.k + o.m > HF_MAX_SHARDS || o.domains > 256 ||
        o.segment_size < HF_MIN_SEGMENT || o.segment_size > HF_MAX_SEGMENT)
        return HF_EINVAL;
    rc = hf_mkdir_p(dir);
    if (rc != HF_OK)
        return rc;
    if (exists(dir, CONF) || exists(dir, KEYFILE) || exists(dir, METADB))
        return HF_EEXIST;
    adir = abs_path(dir);
    if (!adir)
        return hf_err_from_errno(errno);

    rc = hf_random(key, sizeof(key));
    if (rc != HF_OK)
        goto out;
    rc = HF_ENOMEM;
    if (!(p = path_join(adir, KEYFILE)))
        goto out;
    rc = write_file(p, key, sizeof(key), true);
    if (rc != HF_OK)
        goto out;
    free(p);
    if (!(p = path_join(adir, METADB))) {
        rc = HF_ENOMEM;
        goto out;
    }
    rc = meta_open(p, true, &m);
    if (rc != HF_OK)
        goto out;
    /* Keys and names are private; SQLite gives -wal and -shm the same mode. */
    if (chmod(p, 0600) != 0) {
        rc = hf_err_from_errno(errno);
        goto out;
    }
    for (unsigned i = 0; i < o.domains; i++) {
        char name[32], bdir[PATH_MAX];
        snprintf(name, sizeof(name), "d%u", i);
        snprintf(bdir, sizeof(bdir), "%s/backends/%s", adir, name);
        rc = backend_dir_prepare(bdir, name);
        if (rc == HF_OK)
            rc = meta_backend_add(m, &(struct meta_backend){ .name = name, .domain = name,
                                                             .location = bdir,
                                                             .state_since = hf_now_ns() },
                                  NULL);
        if (rc != HF_OK)
            goto out;
    }
    conf = hf_sprintf("# holdfast store configuration, read at every open.\n"
                      "# Changing ec or segment_size affects new objects only.\n"
                      "format = 1\n"
                      "# Reed-Solomon data+parity shards per segment\n"
                      "ec = %u+%u\n"
                      "# plaintext bytes per segment\n"
                      "segment_size = %u\n"
                      "# a new segment must survive the loss of this many failure domains,\n"
                      "# or the write is refused (default 1, at most m; 0 = never refuse)\n"
                      "# min_redundancy = 1\n",
                      o.k, o.m, o.segment_size);
    tmp = path_join(adir, CONF ".tmp");
    free(p);
    p = path_join(adir, CONF);
    if (!conf || !tmp || !p) {
        rc = HF_ENOMEM;
        goto out;
    }
    rc = write_file(tmp, conf, strlen(conf), false);
    if (rc == HF_OK && rename(tmp, p) != 0)
        rc = hf_err_from_errno(errno);
    if (rc == HF_OK)
        rc = hf_fsync_dir(adir);
    if (rc == HF_OK) {
        /* The log's first entries: its key, then this store's configuration. */
        struct hf_store *st;
        struct audit_record *r = NULL;
        meta_close(m);
        m = NULL;
        rc = hf_store_open(adir, &st);
        if (rc == HF_OK && !(r = audit_record_new("store.created", adir)))
            rc = HF_ENOMEM;
        if (rc == HF_OK) {
            record_detail(r, "ec", "%u+%u", o.k, o.m);
            record_detail(r, "segment-size", "%u", o.segment_size);
            record_detail(r, "domains", "%u", o.domains);
            rc = audit_log(st, r);
        }
        free(r);
        hf_store_close(st);
    }
out:
    OPENSSL_cleanse(key, sizeof(key));
    meta_close(m);
    free(conf);
    free(tmp);
    free(p);
    free(adir);
    return rc;
}

static enum hf_err read_conf(struct hf_store *st)
{
    char *p = path_join(st->dir, CONF), line[512];
    FILE *f;
    enum hf_err rc = HF_OK;
    bool have_ec = false, have_min = false;

    if (!p)
        return HF_ENOMEM;
    f = fopen(p, "re");
    free(p);
    if (!f)
        return errno == ENOENT ? HF_ENOTFOUND : hf_err_from_errno(errno);
    st->segment_size = HF_DEFAULT_SEGMENT;
    while (rc == HF_OK && fgets(line, sizeof(line), f)) {
        char key[64], val[256];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, " %63[a-z_] = %255s", key, val) != 2) {
            rc = hf_fail(st, HF_ECONFIG, "holdfast.conf: cannot parse: %s", line);
            break;
        }
        if (strcmp(key, "format") == 0) {
            if (strcmp(val, "1") != 0)
                rc = hf_fail(st, HF_ECONFIG, "holdfast.conf: unknown format %s", val);
        } else if (strcmp(key, "ec") == 0) {
            if (sscanf(val, "%u+%u", &st->k, &st->m) != 2 || st->k < 1 ||
                st->k + st->m > HF_MAX_SHARDS)
                rc = hf_fail(st, HF_ECONFIG, "holdfast.conf: bad ec %s", val);
            have_ec = true;
        } else if (strcmp(key, "min_redundancy") == 0) {
            char *end;
            unsigned long v = strtoul(val, &end, 10);
            if (*end || v > HF_MAX_SHARDS)
                rc = hf_fail(st, HF_ECONFIG, "holdfast.conf: bad min_redundancy %s", val);
            st->min_redundancy = (unsigned)v;
            have_min = true;
        } else if (strcmp(key, "segment_size") == 0) {
            unsigned long v = strtoul(val, NULL, 10);
            if (v < HF_MIN_SEGMENT || v > HF_MAX_SEGMENT)
                rc = hf_fail(st, HF_ECONFIG, "holdfast.conf: bad segment_size %s", val);
            st->segment_size = (uint32_t)v;
        } else {
            rc = hf_fail(st, HF_ECONFIG, "holdfast.conf: unknown setting %s", key);
        }
    }
    fclose(f);
    if (rc == HF_OK && !have_ec)
        rc = hf_fail(st, HF_ECONFIG, "holdfast.conf: no ec setting");
    if (rc == HF_OK && !have_min)
        st->min_redundancy = st->m < 1 ? st->m : 1;
    if (rc == HF_OK && st->min_redundancy > st->m)
        rc = hf_fail(st, HF_ECONFIG, "holdfast.conf: min_redundancy %u is more than m = %u",
                     st->min_redundancy, st->m);
    return rc;
}

static enum hf_err read_key(struct hf_store *st)
{
    char *p = path_join(st->dir, KEYFILE);
    struct stat sb;
    int fd;
    enum hf_err rc;

    if (!p)
        return HF_ENOMEM;
    fd = open(p, O_RDONLY | O_CLOEXEC);
    free(p);
    if (fd < 0)
        return hf_fail(st, HF_ECONFIG, "master.key: %s", strerror(errno));
    if (fstat(fd, &sb) != 0 || sb.st_size != 32) {
        close(fd);
        return hf_fail(st, HF_ECONFIG, "master.key: must be 32 bytes");
    }
    if (sb.st_mode & 077) {
        close(fd);
        return hf_fail(st, HF_ECONFIG, "master.key: mode must be 0600 (it is %03o)",
                       sb.st_mode & 0777);
    }
    st->master_key = OPENSSL_secure_malloc(32);
    if (!st->master_key) {
        close(fd);
        return HF_ENOMEM;
    }
    rc = hf_pread_full(fd, st->master_key, 32, 0);
    close(fd);
    return rc == HF_OK ? HF_OK : hf_fail(st, HF_ECONFIG, "master.key: cannot read");
}

/* Whether a backend in @state is opened (read) and written. */
static void apply_state(struct backend *be)
{
    bool readable = strcmp(be->state, "active") == 0 || strcmp(be->state, "draining") == 0 ||
                    strcmp(be->state, "drained") == 0;

    if (readable && !be->up && be->dirfd < 0)
        be->ops->open(be); /* a backend that will not open is simply down (unreachable) */
    else if (!readable && be->up)
        be->ops->close(be);
    be->writable = be->up && strcmp(be->state, "active") == 0;
}

static enum hf_err load_backend(void *arg, const struct meta_backend *mb)
{
    struct hf_store *st = arg;
    struct backend *be, **nv;

    nv = realloc(st->backends, (st->nbackends + 1) * sizeof(*nv));
    if (!nv)
        return HF_ENOMEM;
    st->backends = nv;
    be = calloc(1, sizeof(*be));
    if (!be)
        return HF_ENOMEM;
    be->id = mb->id;
    be->dirfd = -1;
    be->name = strdup(mb->name);
    be->domain = strdup(mb->domain);
    be->location = strdup(mb->location);
    be->attr[0] = strdup(mb->provider ? mb->provider : "");
    be->attr[1] = strdup(mb->site ? mb->site : "");
    be->attr[2] = strdup(mb->jurisdiction ? mb->jurisdiction : "");
    snprintf(be->state, sizeof(be->state), "%s", mb->state ? mb->state : "active");
    be->ops = &backend_dir_ops;
    st->backends[st->nbackends++] = be;
    if (!be->name || !be->domain || !be->location || !be->attr[0] || !be->attr[1] ||
        !be->attr[2])
        return HF_ENOMEM;
    apply_state(be);
    return HF_OK;
}

static enum hf_err refresh_one(void *arg, const struct meta_backend *mb)
{
    struct backend *be = hf_store_backend(arg, mb->id);

    if (be && strcmp(be->state, mb->state) != 0) {
        snprintf(be->state, sizeof(be->state), "%s", mb->state);
        apply_state(be);
    }
    return HF_OK;
}

void store_refresh_states(struct hf_store *st)
{
    (void)meta_backend_list(st->meta, refresh_one, st);
}

enum hf_err store_targets_active(struct hf_store *st, struct backend *const *be, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        char state[16];
        bool seen = !be[i];     /* NULL: no backend chosen for that index */
        enum hf_err rc;
        for (unsigned j = 0; j < i && !seen; j++)
            seen = be[j] == be[i];
        if (seen)
            continue;
        rc = meta_backend_state(st->meta, be[i]->id, state, sizeof(state), NULL);
        if (rc != HF_OK)
            return rc;
        if (strcmp(state, "active") != 0) {
            store_refresh_states(st);
            return HF_EBACKEND;
        }
    }
    return HF_OK;
}

size_t obj_candidates(struct hf_store *st, struct place_cand *c, struct backend **map,
                      size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < st->nbackends && n < max; i++) {
        struct backend *be = st->backends[i];
        if (!be->writable)
            continue;
        map[n] = be;
        c[n++] = (struct place_cand){ be->name, be->domain, 1,
                                      { be->attr[0], be->attr[1], be->attr[2] } };
    }
    return n;
}

static void free_backend(struct backend *be)
{
    if (!be)
        return;
    if (be->ops)
        be->ops->close(be);
    free(be->name);
    free(be->domain);
    free(be->location);
    for (int a = 0; a < 3; a++)
        free(be->attr[a]);
    free(be);
}

enum hf_err hf_store_open(const char *dir, struct hf_store **out)
{
    struct hf_store *st;
    char *p;
    enum hf_err rc;

    *out = NULL;
    st = calloc(1, sizeof(*st));
    if (!st)
        return HF_ENOMEM;
    st->dir = abs_path(dir);
    if (!st->dir) {
        rc = errno == ENOENT ? HF_ENOTFOUND : hf_err_from_errno(errno);
        goto fail;
    }
    rc = read_conf(st);
    if (rc != HF_OK)
        goto fail;
    rc = read_key(st);
    if (rc != HF_OK)
        goto fail;
    p = path_join(st->dir, METADB);
    if (!p) {
        rc = HF_ENOMEM;
        goto fail;
    }
    rc = meta_open(p, false, &st->meta);
    free(p);
    if (rc != HF_OK)
        goto fail;
    rc = meta_backend_list(st->meta, load_backend, st);
    if (rc != HF_OK)
        goto fail;
    rc = policy_clock_open(st);     /* before any event: times come from the floored clock */
    if (rc != HF_OK)
        goto fail;
    rc = audit_ensure_key(st);
    if (rc != HF_OK)
        goto fail;
    reclaim_abandoned(st);
    audit_open_checks(st);
    *out = st;
    return HF_OK;
fail:
    hf_store_close(st);
    return rc;
}

void hf_store_close(struct hf_store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->nbackends; i++)
        free_backend(st->backends[i]);
    free(st->backends);
    meta_close(st->meta);
    audit_state_free(st->audit);
    if (st->master_key)
        OPENSSL_secure_clear_free(st->master_key, 32);
    free(st->dir);
    free(st);
}

struct backend *hf_store_backend(struct hf_store *st, int64_t id)
{
    for (size_t i = 0; i < st->nbackends; i++)
        if (st->backends[i]->id == id)
            return st->backends[i];
    return NULL;
}

struct backend *hf_store_backend_named(struct hf_store *st, const char *name)
{
    for (size_t i = 0; i < st->nbackends; i++)
        if (strcmp(st->backends[i]->name, name) == 0)
            return st->backends[i];
    return NULL;
}

/* ---- names ---- */

enum hf_err hf_bucket_name_check(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n < 3 || n > 63)
        return HF_EBADBUCKET;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '.')
            return HF_EBADBUCKET;
        if ((i == 0 || i == n - 1) && !alnum)
            return HF_EBADBUCKET;
        if (c == '.' && (name[i + 1] == '.' || name[i + 1] == '-' || name[i - 1] == '-'))
            return HF_EBADBUCKET;
    }
    /* Not formatted as an IPv4 address: four dot-separated groups of digits. */
    if (strspn(name, "0123456789.") == n) {
        size_t dots = 0;
        for (size_t i = 0; i < n; i++)
            dots += name[i] == '.';
        if (dots == 3)
            return HF_EBADBUCKET;
    }
    return HF_OK;
}

enum hf_err hf_key_check(const char *key, size_t len)
{
    const unsigned char *s = (const unsigned char *)key;

    if (!key || len == 0 || len > HF_KEY_MAX)
        return HF_EBADKEY;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i], need, cp;
        if (c == 0)
            return HF_EBADKEY;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; }
        else return HF_EBADKEY;
        if (i + need >= len)
            return HF_EBADKEY;
        for (unsigned j = 1; j <= need; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return HF_EBADKEY;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return HF_EBADKEY;
        i += need + 1;
    }
    return HF_OK;
}

/* ---- backends ---- */

struct blist {
    struct hf_store *st;
    int with_usage;
    hf_backend_fn fn;
    void *arg;
};

static enum hf_err count_file(void *arg, const char *name, uint64_t size)
{
    struct hf_backend_info *bi = arg;

    (void)name;
    bi->shards++;
    bi->bytes += size;
    return HF_OK;
}

enum hf_err hf_backend_list(struct hf_store *st, int with_usage, hf_backend_fn fn, void *arg)
{
    hf_clear_err(st);
    for (size_t i = 0; i < st->nbackends; i++) {
        struct backend *be = st->backends[i];
        static const char *const names[] = { "active", "unavailable", "draining", "drained",
                                             "wiped", "retired", "failed" };
        struct hf_backend_info bi = {
            .name = be->name, .domain = be->domain, .path = be->location,
            .provider = be->attr[0], .site = be->attr[1], .jurisdiction = be->attr[2],
        };
        enum hf_err rc;
        for (int s = 2; s < 7; s++)
            if (strcmp(be->state, names[s]) == 0)
                bi.state = (enum hf_backend_state)s;
        if (bi.state == HF_BACKEND_ACTIVE && !be->up)
            bi.state = HF_BACKEND_UNAVAILABLE;
        bi.state_name = names[bi.state];
        rc = meta_backend_usage(st->meta, be->id, &bi.shard_rows, NULL, NULL);
        if (rc != HF_OK)
            return hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        if (be->up) {
            be->ops->df(be, &bi.free_bytes);
            if (with_usage)
                be->ops->walk(be, count_file, &bi);
        }
        rc = fn(arg, &bi);
        if (rc != HF_OK)
            return rc;
    }
    return HF_OK;
}

static bool name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return s[0] != '.';
}

enum hf_err hf_backend_add(struct hf_store *st, const char *name, const char *path,
                           const char *domain)
{
    return hf_backend_add_attrs(st, name, path, domain, NULL);
}

enum hf_err hf_backend_add_attrs(struct hf_store *st, const char *name, const char *path,
                                 const char *domain, const struct hf_backend_attrs *attrs)
{
    static const char *const what[3] = { "provider", "site", "jurisdiction" };
    const char *attr[3] = { "", "", "" };
    struct meta_backend mb;
    char *apath = NULL;
    enum hf_err rc;
    int64_t id;

    hf_clear_err(st);
    if (!name_ok(name, 64))
        return hf_fail(st, HF_EINVAL, "backend name must be 1-64 of [A-Za-z0-9._-]");
    if (!name_ok(domain, 64))
        return hf_fail(st, HF_EINVAL, "domain must be 1-64 of [A-Za-z0-9._-]");
    if (attrs) {
        attr[0] = attrs->provider ? attrs->provider : "";
        attr[1] = attrs->site ? attrs->site : "";
        attr[2] = attrs->jurisdiction ? attrs->jurisdiction : "";
    }
    for (int a = 0; a < 3; a++)
        if (attr[a][0] && !name_ok(attr[a], 64))
            return hf_fail(st, HF_EINVAL, "%s must be 1-64 of [A-Za-z0-9._-]", what[a]);
    /* A domain is one place: its backends share one provider, site and jurisdiction. */
    for (size_t i = 0; i < st->nbackends; i++) {
        const struct backend *o = st->backends[i];
        if (strcmp(o->domain, domain) != 0)
            continue;
        for (int a = 0; a < 3; a++)
            if (strcmp(o->attr[a], attr[a]) != 0)
                return hf_fail(st, HF_EINVAL, "domain %s is at %s '%s' (backend %s); a "
                               "domain's backends share their %s", domain, what[a],
                               o->attr[a], o->name, what[a]);
    }
    for (size_t i = 0; i < st->nbackends; i++)
        if (strcmp(st->backends[i]->name, name) == 0)
            return hf_fail(st, HF_EEXIST, "backend %s already exists", name);
    rc = hf_mkdir_p(path);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s: cannot create directory", path);
    apath = abs_path(path);
    if (!apath)
        return hf_fail(st, hf_err_from_errno(errno), "%s: %s", path, strerror(errno));
    for (size_t i = 0; i < st->nbackends; i++)
        if (strcmp(st->backends[i]->location, apath) == 0) {
            rc = hf_fail(st, HF_EEXIST, "%s is already backend %s", apath,
                         st->backends[i]->name);
            goto out;
        }
    /* The row, its log entry and the marker: a failure of any leaves none of them. */
    mb = (struct meta_backend){ .name = name, .domain = domain, .location = apath,
                                .kind = "dir", .weight = 1, .provider = attr[0],
                                .site = attr[1], .jurisdiction = attr[2], .state = "active",
                                .state_since = hf_now_ns() };
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = meta_backend_add(st->meta, &mb, &id);
    if (rc == HF_OK) {
        char subject[80];
        struct audit_record *r;
        snprintf(subject, sizeof(subject), "backend:%s", name);
        if (!(r = audit_record_new("backend.added", subject))) {
            rc = HF_ENOMEM;
        } else {
            record_detail(r, "domain", "%s", domain);
            if (attr[2][0])
                record_detail(r, "jurisdiction", "%s", attr[2]);
            record_detail(r, "location", "%s", apath);
            if (attr[0][0])
                record_detail(r, "provider", "%s", attr[0]);
            if (attr[1][0])
                record_detail(r, "site", "%s", attr[1]);
            record_detail(r, "type", "dir");
            rc = audit_append(st, r);
            free(r);
        }
    }
    if (rc == HF_OK) {
        rc = backend_dir_prepare(apath, name);
        if (rc == HF_EEXIST)
            hf_fail(st, rc, "%s already holds a holdfast backend", apath);
        else if (rc != HF_OK)
            hf_fail(st, rc, "%s: cannot prepare backend", apath);
    }
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        if (!st->errmsg[0])
            hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto out;
    }
    audit_after_commit(st);
    mb.id = id;
    rc = load_backend(st, &mb);
out:
    free(apath);
    return rc;
}

enum hf_err hf_backend_replace(struct hf_store *st, const char *name)
{
    struct backend *be = NULL;
    struct dirent *de;
    enum hf_err rc;
    DIR *d;

    hf_clear_err(st);
    for (size_t i = 0; i < st->nbackends; i++)
        if (strcmp(st->backends[i]->name, name) == 0)
            be = st->backends[i];
    if (!be)
        return hf_fail(st, HF_ENOTFOUND, "no backend named %s", name);
    if (be->up)
        return hf_fail(st, HF_EEXIST, "backend %s is up; there is nothing to replace", name);
    d = opendir(be->location);
    if (!d)
        return hf_fail(st, HF_ENOTFOUND, "%s: %s (mount the new disk there first)",
                       be->location, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            strcmp(de->d_name, "lost+found")) {
            rc = hf_fail(st, HF_ENOTEMPTY, "%s is not empty (found %s); a replacement "
                         "disk must be empty", be->location, de->d_name);
            closedir(d); /* de points into d */
            return rc;
        }
    }
    closedir(d);
    {
        /* Logged before the new disk is adopted: the log says it happened first. */
        struct audit_record *r;
        char subject[80];
        snprintf(subject, sizeof(subject), "backend:%s", be->name);
        if (!(r = audit_record_new("backend.replaced", subject)))
            return HF_ENOMEM;
        record_detail(r, "location", "%s", be->location);
        record_detail(r, "domain", "%s", be->domain);
        rc = audit_log(st, r);
        free(r);
        if (rc != HF_OK)
            return rc;
    }
    rc = backend_dir_prepare(be->location, be->name);
    if (rc != HF_OK)
        return hf_fail(st, rc, "%s: cannot write the backend marker", be->location);
    be->ops->close(be);
    rc = be->ops->open(be);
    return rc == HF_OK ? HF_OK : hf_fail(st, rc, "%s: cannot open", be->location);
}

/* ---- status ---- */

/* Not wiped or retired: still part of the store. */
static bool in_service(const struct backend *be)
{
    return strcmp(be->state, "wiped") != 0 && strcmp(be->state, "retired") != 0;
}

static unsigned count_domains(struct hf_store *st, bool up_only)
{
    unsigned n = 0;

    for (size_t i = 0; i < st->nbackends; i++) {
        bool seen = false;
        if ((up_only && !st->backends[i]->up) || !in_service(st->backends[i]))
            continue;
        for (size_t j = 0; j < i && !seen; j++)
            seen = (!up_only || st->backends[j]->up) && in_service(st->backends[j]) &&
                   strcmp(st->backends[j]->domain, st->backends[i]->domain) == 0;
        n += !seen;
    }
    return n;
}

/*
 * What a new object survives: the fewest whole domains (and providers,
 * sites, jurisdictions) whose loss it survives, over a sample of version
 * ids (placement differs per version when there are fewer domains than
 * shards).
 */
#define STATUS_PROBES 64

enum hf_err hf_status(struct hf_store *st, struct hf_status *out)
{
    struct place_cand *c;
    struct backend **map;
    unsigned idx[HF_MAX_SHARDS];
    const char *vals[HF_MAX_SHARDS];
    int *tol[4];
    bool attr_used[3] = { false, false, false };
    size_t n;
    enum hf_err rc;

    hf_clear_err(st);
    memset(out, 0, sizeof(*out));
    out->k = st->k;
    out->m = st->m;
    out->segment_size = st->segment_size;
    out->min_redundancy = st->min_redundancy;
    for (size_t i = 0; i < st->nbackends; i++)
        out->backends += in_service(st->backends[i]);
    out->domains = count_domains(st, false);
    out->domains_up = count_domains(st, true);
    c = calloc(st->nbackends + 1, sizeof(*c));
    map = calloc(st->nbackends + 1, sizeof(*map));
    if (!c || !map) {
        free(c);
        free(map);
        return HF_ENOMEM;
    }
    for (size_t i = 0; i < st->nbackends; i++) {
        out->backends_up += st->backends[i]->up;
        out->backends_draining += st->backends[i]->up && !st->backends[i]->writable;
        for (int a = 0; a < 3; a++)
            attr_used[a] = attr_used[a] || st->backends[i]->attr[a][0];
    }
    n = obj_candidates(st, c, map, st->nbackends);
    tol[0] = &out->tolerated_domain_loss;
    tol[1] = &out->tolerated_provider_loss;
    tol[2] = &out->tolerated_site_loss;
    tol[3] = &out->tolerated_jurisdiction_loss;
    for (int a = 0; a < 4; a++)
        *tol[a] = -1;
    for (unsigned p = 0; p < STATUS_PROBES && n > 0; p++) {
        uint8_t probe[16] = { 0 };
        probe[0] = (uint8_t)p;
        probe[15] = (uint8_t)(p * 37);
        if (placement_choose(c, n, probe, st->k + st->m, st->m, idx) != HF_OK)
            break;
        for (int a = 0; a < 4; a++) {
            int t;
            if (a > 0 && !attr_used[a - 1])
                continue;
            for (unsigned s = 0; s < st->k + st->m; s++) {
                /* A backend without the attribute counts as its own (its domain). */
                vals[s] = a == 0 || !c[idx[s]].attr[a - 1][0] ? c[idx[s]].domain
                                                              : c[idx[s]].attr[a - 1];
            }
            t = placement_tolerance(vals, st->k + st->m, st->m);
            if (*tol[a] < 0 || t < *tol[a])
                *tol[a] = t;
        }
    }
    if (out->tolerated_domain_loss >= 0 &&
        out->tolerated_domain_loss < (int)st->min_redundancy) {
        /* New writes are refused (put.c): nothing new is stored at all. */
        for (int a = 0; a < 4; a++)
            *tol[a] = -1;
    }
    free(c);
    free(map);
    rc = meta_counts(st->meta, &out->buckets, &out->objects, &out->versions,
                     &out->stored_bytes);
    return rc == HF_OK ? HF_OK : hf_fail(st, rc, "%s", meta_errmsg(st->meta));
}

/* ---- buckets ---- */

enum hf_err hf_bucket_create(struct hf_store *st, const char *name)
{
    enum hf_err rc;

    hf_clear_err(st);
    if (hf_bucket_name_check(name) != HF_OK)
        return hf_fail(st, HF_EBADBUCKET,
                       "bucket names are 3-63 characters of a-z, 0-9, '.' and '-'");
    /* Buckets made by the operator's CLI keep every version (issue 2). */
    rc = obj_bucket_create(st, name, 0, HF_VERSIONING_ENABLED);
    if (rc == HF_EEXIST)
        return hf_fail(st, rc, "bucket %s already exists", name);
    return rc == HF_OK ? HF_OK : hf_fail(st, rc, "%s", meta_errmsg(st->meta));
}

struct bl {
    hf_bucket_fn fn;
    void *arg;
};

static enum hf_err bucket_cb(void *arg, const char *name, int64_t created)
{
    struct bl *b = arg;
    struct hf_bucket_info bi = { name, created };

    return b->fn(b->arg, &bi);
}

enum hf_err hf_bucket_list(struct hf_store *st, hf_bucket_fn fn, void *arg)
{
    struct bl b = { fn, arg };

    hf_clear_err(st);
    return meta_bucket_list(st->meta, bucket_cb, &b);
}

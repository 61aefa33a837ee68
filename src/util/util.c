/*
 * util.c — small leaf helpers: whole reads and writes, directories,
 * randomness, hex, the clock, process identity.
 *
 * Leaf module: includes nothing of the engine beyond internal.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "internal.h"
#include "banned.h"

enum hf_err hf_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return hf_err_from_errno(errno);
        }
        if (n == 0)
            return HF_EIO;
        p += n;
        len -= (size_t)n;
    }
    return HF_OK;
}

enum hf_err hf_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return hf_err_from_errno(errno);
        }
        if (n == 0)
            return HF_ECORRUPT; /* file shorter than its metadata says */
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return HF_OK;
}

enum hf_err hf_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    enum hf_err rc = HF_OK;

    if (fd < 0)
        return hf_err_from_errno(errno);
    if (fsync(fd) != 0)
        rc = hf_err_from_errno(errno);
    close(fd);
    return rc;
}

enum hf_err hf_mkdir_p(const char *path)
{
    char *tmp = strdup(path);
    enum hf_err rc = HF_OK;

    if (!tmp)
        return HF_ENOMEM;
    for (char *p = tmp + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
                rc = hf_err_from_errno(errno);
                break;
            }
            *p = c;
            if (c == '\0')
                break;
        }
    }
    free(tmp);
    return rc;
}

enum hf_err hf_random(void *buf, size_t len)
{
    if (len > INT32_MAX || RAND_bytes(buf, (int)len) != 1)
        return HF_ECRYPTO;
    return HF_OK;
}

void hf_hex(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

int hf_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hf_unhex(const char *in, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hf_hexval((unsigned char)in[2 * i]);
        int lo = hi < 0 ? -1 : hf_hexval((unsigned char)in[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return in[2 * len] == '\0' ? 0 : -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits_at(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int hf_parse_rfc3339(const char *s, int64_t *ns)
{
    static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, mo, d, h, mi, sec, oh = 0, om = 0;
    int64_t frac = 0, scale = 100000000, t;
    const char *p;

    if (!s || strlen(s) < 20 || digits_at(s, 4, &y) || s[4] != '-' || digits_at(s + 5, 2, &mo) ||
        s[7] != '-' || digits_at(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        digits_at(s + 11, 2, &h) || s[13] != ':' || digits_at(s + 14, 2, &mi) ||
        s[16] != ':' || digits_at(s + 17, 2, &sec))
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays[mo - 1] || h > 23 ||
        mi > 59 || sec > 59 ||
        (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
        return -1;
    p = s + 19;
    if (*p == '.') {
        if (p[1] < '0' || p[1] > '9')
            return -1;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            frac += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if ((*p == '+' || *p == '-') && !digits_at(p + 1, 2, &oh) && p[3] == ':' &&
               !digits_at(p + 4, 2, &om) && oh <= 23 && om <= 59) {
        if (*p == '+') {
            oh = -oh;
            om = -om;
        }
        p += 6;
    } else {
        return -1;
    }
    if (*p || y > 2200)
        return -1;
    t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec +
        oh * 3600 + om * 60;
    if (t < 0)
        return -1;
    *ns = t * 1000000000 + frac;
    return 0;
}

/*
 * The clock's floor: the store's high-water mark (hf_clock_floor).  Shared
 * by every handle of the process, so no thread sees time go backwards.
 */
static _Atomic int64_t clock_floor;

void hf_clock_floor(int64_t ns)
{
    int64_t cur = atomic_load(&clock_floor);

    while (ns > cur && !atomic_compare_exchange_weak(&clock_floor, &cur, ns))
        ;
}

int64_t hf_wall_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t hf_now_ns(void)
{
    static _Atomic int64_t base_real, base_now;   /* HOLDFAST_NOW: where it started */
    struct timespec ts;
    const char *off = getenv("HOLDFAST_CLOCK_OFFSET_S"), *now = getenv("HOLDFAST_NOW");
    int64_t ns, set, floor;

    clock_gettime(CLOCK_REALTIME, &ts);
    ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    /*
     * HOLDFAST_NOW: the clock reads that time when the process first asks,
     * and runs on from there (so events keep their order).  An unparseable
     * value is ignored here; hf_store_open refuses it (hf_clock_check).
     */
    if (now && *now && hf_parse_rfc3339(now, &set) == 0) {
        int64_t zero = 0;
        if (atomic_compare_exchange_strong(&base_real, &zero, ns))
            atomic_store(&base_now, set);
        else
            while (atomic_load(&base_now) == 0)
                ;   /* the first caller is storing it */
        ns = atomic_load(&base_now) + (ns - atomic_load(&base_real));
    }
    if (off && *off)
        ns += strtoll(off, NULL, 10) * 1000000000;
    floor = atomic_load(&clock_floor);
    return ns > floor ? ns : floor;
}

char *hf_sprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
static int64_t proc_start(int64_t pid)
{
    char path[64], buf[1024];
    int64_t start = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
    f = fopen(path, "re");
    if (!f)
        return -1;
    if (fgets(buf, sizeof(buf), f)) {
        char *p = strrchr(buf, ')'); /* comm may hold spaces */
        int field = 2;
        for (; p && *p; p++) {
            if (*p == ' ' && ++field == 22) {
                start = strtoll(p + 1, NULL, 10);
                break;
            }
        }
    }
    fclose(f);
    return start;
}

void hf_self_ident(int64_t *pid, int64_t *start)
{
    *pid = getpid();
    *start = proc_start(*pid);
}

bool hf_proc_alive(int64_t pid, int64_t start)
{
    if (pid <= 0)
        return false;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return false;
    return proc_start(pid) == start;
}

void hf_crashpoint(void)
{
    /* Atomic: a server's connections and its committer pass points at once. */
    static _Atomic long at = -1, calls;
    long want = atomic_load(&at);

    if (want < 0) {
        const char *e = getenv("HOLDFAST_CRASH_AT");
        want = e && *e ? strtol(e, NULL, 10) : 0;
        atomic_store(&at, want);
    }
    if (want > 0 && atomic_fetch_add(&calls, 1) + 1 == want)
        raise(SIGKILL);
}

int hf_base64_decode(const char *in, size_t len, uint8_t *out, size_t max, size_t *outlen)
{
    unsigned char small[66], *tmp = small;
    size_t pad = 0, n;
    int rc = -1;

    *outlen = 0;
    if (len == 0 || len % 4 != 0 || len > INT32_MAX || len / 4 * 3 > max + 2)
        return -1;
    if (in[len - 1] == '=')
        pad++;
    if (in[len - 2] == '=')
        pad++;
    for (size_t i = 0; i < len - pad; i++) {
        char c = in[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return -1;
    }
    n = len / 4 * 3 - pad;
    if (n > max)
        return -1;
    if (len / 4 * 3 > sizeof(small) && !(tmp = malloc(len / 4 * 3)))
        return -1;
    if (EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len) == (int)(len / 4 * 3)) {
        /* Canonical only: the unused bits of the last group must be zero. */
        uint8_t last[3];
        char again[5];
        size_t k = n % 3 ? n % 3 : 3;
        memcpy(last, tmp + n - k, k);
        EVP_EncodeBlock((unsigned char *)again, last, (int)k);
        if (memcmp(again, in + len - 4, 4) == 0) {
            memcpy(out, tmp, n);
            *outlen = n;
            rc = 0;
        }
    }
    OPENSSL_cleanse(tmp, len / 4 * 3);
    if (tmp != small)
        free(tmp);
    return rc;
}

void hf_base64_encode(const uint8_t *in, size_t len, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

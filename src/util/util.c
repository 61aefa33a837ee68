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

int64_t hf_now_ns(void)
{
    struct timespec ts;
    const char *off = getenv("HOLDFAST_CLOCK_OFFSET_S");

    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    if (off && *off)
        ns += strtoll(off, NULL, 10) * 1000000000;
    return ns;
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
    static long at = -1, calls;

    if (at < 0) {
        const char *e = getenv("HOLDFAST_CRASH_AT");
        at = e && *e ? strtol(e, NULL, 10) : 0;
    }
    if (at > 0 && ++calls == at)
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
        memcpy(out, tmp, n);
        *outlen = n;
        rc = 0;
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

/*
 * main.c — the holdfast command-line tool: global options, the command
 * table, and helpers every subcommand shares.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "banned.h"

const char *cmd_data_dir;

static const struct cmd *const commands[] = {
    &cmd_init, &cmd_status, &cmd_backend, &cmd_bucket, &cmd_put, &cmd_get,
    &cmd_ls, &cmd_rm, &cmd_stat, &cmd_scrub, &cmd_reclaim, &cmd_user, &cmd_serve,
    &cmd_audit, &cmd_hold, &cmd_lifecycle, &cmd_notice,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct cmd *cmd_find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void usage_all(FILE *f)
{
    fprintf(f, "usage: holdfast [--data DIR] COMMAND [ARGS]\n\n"
               "holdfast keeps files erasure-coded and encrypted across failure domains.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\nThe data directory is --data DIR, else $HOLDFAST_DATA, else ./holdfast-data.\n"
               "`holdfast COMMAND --help` describes a command.\n\n"
               "Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 integrity failure\n"
               "(data corrupt or unreadable), 5 I/O or space failure, 6 already exists,\n"
               "7 invalid name, key or input, 8 refused: a hold or retention keeps the data.\n");
}

int cmd_exit_code(enum hf_err rc)
{
    switch (rc) {
    case HF_OK: return EXIT_OK;
    case HF_ENOTFOUND:
    case HF_EDELETED: return EXIT_NOTFOUND;
    case HF_ECORRUPT:
    case HF_EUNREADABLE:
    case HF_ECRYPTO: return EXIT_INTEGRITY;
    case HF_EIO:
    case HF_ENOSPC:
    case HF_EPERM:
    case HF_EBACKEND:
    case HF_ENOPLACE:
    case HF_EMETA:
    case HF_EBUSY: return EXIT_IO;
    case HF_EEXIST: return EXIT_EXISTS;
    case HF_EHELD: return EXIT_HELD;
    case HF_EBADKEY:
    case HF_EBADBUCKET:
    case HF_ETRUNCATED:
    case HF_EINVAL:
    case HF_ERANGE:
    case HF_ENOTEMPTY: return EXIT_INVALID;
    default: return EXIT_FAIL;
    }
}

/*
 * Print a user-supplied string (a key, a path) on one line: control bytes
 * and bytes that are not valid UTF-8 as \xNN, at most 200 bytes of it.
 */
static void print_safe(FILE *f, const char *s)
{
    size_t n = strlen(s), shown = n > 200 ? 200 : n;

    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 && hf_key_check(s + i, 1) != HF_OK) {
            /* keep a valid multi-byte sequence whole */
            size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            if (i + len <= n && hf_key_check(s + i, len) == HF_OK) {
                fwrite(s + i, 1, len, f);
                i += len - 1;
                continue;
            }
        }
        if (c < 0x20 || c == 0x7f || c >= 0x80)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    if (shown < n)
        fprintf(f, "... (%zu bytes)", n);
}

int cmd_fail(const char *cmd, struct hf_store *st, enum hf_err rc, const char *what)
{
    const char *detail = st ? hf_store_errmsg(st) : "";

    fprintf(stderr, "holdfast %s: ", cmd);
    if (what) {
        print_safe(stderr, what);
        fputs(": ", stderr);
    }
    fputs(hf_strerror(rc), stderr);
    if (*detail) {
        fputs(" — ", stderr);
        print_safe(stderr, detail);
    }
    fputc('\n', stderr);
    return cmd_exit_code(rc);
}

int cmd_usage(const struct cmd *c, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "holdfast %s: ", c->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: holdfast %s %s\n", c->name, c->usage);
    return EXIT_USAGE;
}

void cmd_help(const struct cmd *c)
{
    printf("usage: holdfast %s %s\n\n%s\n%s", c->name, c->usage, c->summary,
           c->help ? c->help : "");
}

bool cmd_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

int cmd_open(const char *cmd, struct hf_store **st)
{
    enum hf_err rc = hf_store_open(cmd_data_dir, st);

    if (rc == HF_ENOTFOUND) {
        fprintf(stderr, "holdfast %s: no store in %s (run `holdfast init` first, or pass "
                        "--data DIR)\n", cmd, cmd_data_dir);
        return EXIT_NOTFOUND;
    }
    if (rc != HF_OK) {
        fprintf(stderr, "holdfast %s: cannot open the store in %s: %s\n", cmd, cmd_data_dir,
                hf_strerror(rc));
        return cmd_exit_code(rc);
    }
    /* The audit log names who acted: the OS account running the tool. */
    {
        struct passwd *pw = getpwuid(geteuid());
        char actor[96];
        snprintf(actor, sizeof(actor), "cli:%s", pw ? pw->pw_name : "unknown");
        hf_store_set_actor(*st, actor);
    }
    return EXIT_OK;
}

int cmd_split(const struct cmd *c, const char *arg, char *bucket, size_t bsz,
              const char **key, bool key_optional)
{
    const char *slash = strchr(arg, '/');
    size_t bl = slash ? (size_t)(slash - arg) : strlen(arg);

    if (bl == 0)
        return cmd_usage(c, "expected BUCKET/KEY, got '%s'", arg);
    if (bl >= bsz) {
        /* Longer than any valid name: the same answer the library gives. */
        fprintf(stderr, "holdfast %s: %.*s...: %s — bucket names are 3-63 characters\n",
                c->name, 63, arg, hf_strerror(HF_EBADBUCKET));
        return cmd_exit_code(HF_EBADBUCKET);
    }
    memcpy(bucket, arg, bl);
    bucket[bl] = '\0';
    *key = slash ? slash + 1 : "";
    if (!key_optional && **key == '\0')
        return cmd_usage(c, "expected BUCKET/KEY, got '%s'", arg);
    return EXIT_OK;
}

void cmd_json_str(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cmd_human(uint64_t b, char *out, size_t n)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)b;
    int u = 0;

    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, n, "%llu B", (unsigned long long)b);
    else
        snprintf(out, n, "%.1f %s", v, unit[u]);
}

void cmd_time(int64_t ns, char *out, size_t n)
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void progress_init(struct progress *p, const char *what)
{
    p->what = what;
    p->on = isatty(STDERR_FILENO) && !getenv("HOLDFAST_NO_PROGRESS");
    p->start = p->last = now_s();
}

void progress_cb(void *arg, uint64_t done, uint64_t total)
{
    struct progress *p = arg;
    double t = now_s();
    char h[32];

    if (!p->on || t - p->last < 0.2)
        return;
    p->last = t;
    cmd_human(done, h, sizeof(h));
    if (total)
        fprintf(stderr, "\r%s: %s (%.0f%%) %.0f MB/s   ", p->what, h, 100.0 * done / total,
                done / 1e6 / (t - p->start));
    else
        fprintf(stderr, "\r%s: %s %.0f MB/s   ", p->what, h, done / 1e6 / (t - p->start));
}

void progress_end(struct progress *p)
{
    if (p->on && p->last > p->start)
        fprintf(stderr, "\r\033[K");
}

int main(int argc, char **argv)
{
    const struct cmd *c;
    int i, j;

    cmd_data_dir = getenv("HOLDFAST_DATA");
    if (!cmd_data_dir || !*cmd_data_dir)
        cmd_data_dir = "./holdfast-data";
    /* --data DIR is accepted anywhere before "--"; strip it out. */
    for (i = 1, j = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc)
                argv[j++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--data") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "holdfast: --data needs a directory\n");
                return EXIT_USAGE;
            }
            cmd_data_dir = argv[++i];
        } else if (strncmp(argv[i], "--data=", 7) == 0) {
            cmd_data_dir = argv[i] + 7;
        } else {
            argv[j++] = argv[i];
        }
    }
    argc = j;
    argv[argc] = NULL;
    if (argc < 2) {
        usage_all(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        if (argc > 2 && (c = cmd_find(argv[2]))) {
            cmd_help(c);
            return EXIT_OK;
        }
        usage_all(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("holdfast 0.1.0\n");
        return EXIT_OK;
    }
    c = cmd_find(argv[1]);
    if (!c) {
        fprintf(stderr, "holdfast: unknown command '%s'\n\n", argv[1]);
        usage_all(stderr);
        return EXIT_USAGE;
    }
    if (cmd_wants_help(argc - 1, argv + 1)) {
        cmd_help(c);
        return EXIT_OK;
    }
    return c->run(argc - 1, argv + 1);
}

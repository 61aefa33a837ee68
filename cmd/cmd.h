/*
 * cmd.h — shared helpers of the holdfast command-line tool.
 *
 * The tool uses only the public API (<holdfast/holdfast.h>).  Each
 * subcommand lives in cmd/<name>.c and is registered in main.c's table.
 */
#ifndef HF_CMD_H
#define HF_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "holdfast/holdfast.h"

/* Exit codes: documented in README.md and `holdfast --help`. */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,       /* any other failure */
    EXIT_USAGE = 2,      /* bad command line */
    EXIT_NOTFOUND = 3,   /* no such store, bucket, key, version, backend */
    EXIT_INTEGRITY = 4,  /* stored data failed verification or is unreadable */
    EXIT_IO = 5,         /* disk, backend or space failure */
    EXIT_EXISTS = 6,     /* already exists */
    EXIT_INVALID = 7,    /* invalid name, key or input (e.g. truncated) */
    EXIT_HELD = 8,       /* refused: a hold or retention keeps the data */
};

struct cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;      /* one line: arguments */
    const char *summary;    /* one line */
    const char *help;       /* the rest of --help */
};

extern const char *cmd_data_dir;   /* from --data, $HOLDFAST_DATA, or default */

/* Map a library error to the tool's exit code. */
int cmd_exit_code(enum hf_err rc);
/* Print "holdfast CMD: what: error (detail)" to stderr and return the exit code. */
int cmd_fail(const char *cmd, struct hf_store *st, enum hf_err rc, const char *what);
/* Usage error: print message and usage line, return EXIT_USAGE. */
int cmd_usage(const struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print --help for @c to stdout. */
void cmd_help(const struct cmd *c);
/* True if argv has -h or --help (before any "--"). */
bool cmd_wants_help(int argc, char **argv);
/* Look up a command by name. */
const struct cmd *cmd_find(const char *name);

/* Open the store at cmd_data_dir, printing an error on failure. */
int cmd_open(const char *cmd, struct hf_store **st);

/* Split "BUCKET/KEY" (key may be empty if @key_optional). */
int cmd_split(const struct cmd *c, const char *arg, char *bucket, size_t bsz,
              const char **key, bool key_optional);

/* JSON string literal of @s[0..n) to @f. */
void cmd_json_str(FILE *f, const char *s, size_t n);

/* Progress on a terminal (stderr): call often; prints at most 5 times a second. */
struct progress {
    const char *what;
    bool on;
    double start, last;
};
void progress_init(struct progress *p, const char *what);
void progress_cb(void *arg, uint64_t done, uint64_t total);
void progress_end(struct progress *p);

/* "12.3 MiB" */
void cmd_human(uint64_t bytes, char *out, size_t n);
/* ISO 8601 UTC from ns. */
void cmd_time(int64_t ns, char *out, size_t n);

#define CMD_DECL(n) extern const struct cmd cmd_##n
CMD_DECL(init);
CMD_DECL(status);
CMD_DECL(backend);
CMD_DECL(bucket);
CMD_DECL(put);
CMD_DECL(get);
CMD_DECL(ls);
CMD_DECL(rm);
CMD_DECL(stat);
CMD_DECL(scrub);
CMD_DECL(reclaim);
CMD_DECL(user);
CMD_DECL(serve);
CMD_DECL(audit);
CMD_DECL(hold);
CMD_DECL(lifecycle);
CMD_DECL(notice);

#endif

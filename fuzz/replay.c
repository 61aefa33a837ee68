/*
 * replay.c — run a fuzz target over stored inputs without libFuzzer.
 *
 * Linked with one fuzz/fuzz_*.c target by the Makefile (any compiler, any
 * sanitizer) so that `make test` replays the committed corpus:
 *
 *     build/fuzz/fuzz_NAME-replay PATH...
 *
 * Each PATH is a file (run as one input) or a directory (every regular file
 * in it, in name order, not recursing).  Prints how many inputs ran.
 *
 * Exit status: 0 when every input ran; 1 when a path is missing or
 * unreadable, a directory holds no regular file, or a file cannot be read.
 * A target that finds a bug aborts (or a sanitizer stops the process), so
 * reaching the end means every input passed.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The target's entry point, as libFuzzer declares it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read all of @fd into a fresh buffer of exactly its size; -1 on error. */
static int slurp(int fd, uint8_t **out, size_t *outlen)
{
    struct stat sb;
    uint8_t *buf;
    size_t len, got = 0;

    *out = NULL;
    *outlen = 0;
    if (fstat(fd, &sb) != 0)
        return -1;
    len = (size_t)sb.st_size;
    /* Exact size (and never 0) so ASan sees any read past the input. */
    buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buf);
            return -1;
        }
        got += (size_t)n;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* Run one file (at @dirfd/@name); 0 if it ran, -1 if it could not be read. */
static int run_file(int dirfd, const char *name, const char *shown)
{
    uint8_t *buf;
    size_t len;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0) {
        fprintf(stderr, "replay: %s: %s\n", shown, strerror(errno));
        return -1;
    }
    rc = slurp(fd, &buf, &len);
    close(fd);
    if (rc != 0) {
        fprintf(stderr, "replay: %s: cannot read\n", shown);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int skip_dot(const struct dirent *de)
{
    return strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
}

/* Run every regular file of directory @path; count them into *@ran. */
static int run_dir(const char *path, unsigned long *ran)
{
    struct dirent **ents = NULL;
    unsigned long before = *ran;
    int n, dirfd, rc = 0;

    dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    n = scandir(path, &ents, skip_dot, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        close(dirfd);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct stat sb;
        if (rc == 0 && fstatat(dirfd, ents[i]->d_name, &sb, 0) == 0 &&
            S_ISREG(sb.st_mode)) {
            if (run_file(dirfd, ents[i]->d_name, ents[i]->d_name) != 0)
                rc = -1;
            else
                (*ran)++;
        }
        free(ents[i]);
    }
    free(ents);
    close(dirfd);
    if (rc == 0 && *ran == before) {
        fprintf(stderr, "replay: %s: no inputs\n", path);
        rc = -1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    unsigned long ran = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        unsigned long before = ran;
        int rc;

        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(sb.st_mode)) {
            rc = run_dir(argv[i], &ran);
        } else {
            rc = run_file(AT_FDCWD, argv[i], argv[i]);
            ran += rc == 0;
        }
        if (rc != 0)
            return 1;
        printf("replay: %lu inputs from %s\n", ran - before, argv[i]);
    }
    return 0;
}

/*
 * hold.c — `holdfast hold place|ls|show|release`: preservation holds.
 *
 * place and release can write a receipt (--receipt FILE): the audit log
 * entry that records them, a signed checkpoint and the inclusion proof,
 * which `holdfast audit verify-offline --receipt` checks with only the
 * log's public key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cmd.h"
#include "banned.h"

/* SHA-256 of the file at @path; 0 on success. */
static int sha256_file(const char *path, uint8_t out[32])
{
    FILE *f = fopen(path, "rb");
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char buf[65536];
    size_t n;
    int rc = -1;

    if (f && c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1) {
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            EVP_DigestUpdate(c, buf, n);
        if (!ferror(f) && EVP_DigestFinal_ex(c, out, NULL) == 1)
            rc = 0;
    }
    EVP_MD_CTX_free(c);
    if (f)
        fclose(f);
    return rc;
}

static int write_receipt(struct hf_store *st, uint64_t entry, const char *path)
{
    char *json = NULL;
    enum hf_err rc = hf_audit_receipt(st, entry, &json);
    FILE *f;

    if (rc != HF_OK)
        return cmd_fail("hold", st, rc, "receipt");
    f = fopen(path, "wx");
    if (!f || fprintf(f, "%s\n", json) < 0 || fclose(f) != 0) {
        fprintf(stderr, "holdfast hold: cannot write the receipt to %s: %s\n", path,
                strerror(errno));
        free(json);
        return EXIT_IO;
    }
    free(json);
    printf("receipt for audit log entry %llu written to %s\n", (unsigned long long)entry, path);
    return EXIT_OK;
}

struct show {
    bool json;
};

static enum hf_err print_hold(void *arg, const struct hf_hold_info *h)
{
    char placed[40], released[40] = "";

    (void)arg;
    cmd_time(h->placed_ns, placed, sizeof(placed));
    if (h->released_ns)
        cmd_time(h->released_ns, released, sizeof(released));
    printf("%s  %s  placed %s by %s", h->id, h->released_ns ? "released" : "ACTIVE  ", placed,
           h->by);
    if (h->released_ns)
        printf(", released %s by %s (%s)", released, h->released_by, h->release_reason);
    printf("\n    reference: %s\n    scope:", h->reference);
    for (size_t i = 0; i < h->nscopes; i++)
        printf(" %s", h->scopes[i]);
    if (h->document[0])
        printf("\n    document: %s", h->document);
    printf("\n    audit log entry %llu\n", (unsigned long long)h->entry);
    return HF_OK;
}

static int place(int argc, char **argv)
{
    static const struct option opts[] = {
        { "case", required_argument, NULL, 'c' },
        { "by", required_argument, NULL, 'b' },
        { "reference", required_argument, NULL, 'r' },
        { "document", required_argument, NULL, 'd' },
        { "receipt", required_argument, NULL, 'R' },
        { "user", required_argument, NULL, 'u' },
        { "bucket", required_argument, NULL, 'B' },
        { "prefix", required_argument, NULL, 'p' },
        { 0 },
    };
    struct hf_hold_scope *sc = calloc((size_t)argc, sizeof(*sc));
    struct hf_hold_spec h = { 0 };
    const char *receipt = NULL, *doc = NULL;
    uint8_t sha[32];
    uint64_t entry = 0;
    struct hf_store *st;
    enum hf_err rc;
    int c, ex;

    if (!sc)
        return EXIT_FAIL;
    h.scopes = sc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': h.id = optarg; break;
        case 'b': h.by = optarg; break;
        case 'r': h.reference = optarg; break;
        case 'd': doc = optarg; break;
        case 'R': receipt = optarg; break;
        case 'u': sc[h.nscopes++].user = optarg; break;
        case 'B': sc[h.nscopes++].bucket = optarg; break;
        case 'p':
            if (h.nscopes == 0 || !sc[h.nscopes - 1].bucket || sc[h.nscopes - 1].prefix) {
                free(sc);
                return cmd_usage(&cmd_hold, "--prefix follows the --bucket it narrows");
            }
            sc[h.nscopes - 1].prefix = optarg;
            break;
        default:
            free(sc);
            return cmd_usage(&cmd_hold, "unknown option");
        }
    }
    if (optind != argc || !h.id || !h.by || !h.reference) {
        free(sc);
        return cmd_usage(&cmd_hold, "place wants --case, --by, --reference and a scope");
    }
    if (doc) {
        if (sha256_file(doc, sha) != 0) {
            fprintf(stderr, "holdfast hold: cannot read the document %s: %s\n", doc,
                    strerror(errno));
            free(sc);
            return EXIT_NOTFOUND;
        }
        h.document_sha256 = sha;
    }
    if ((ex = cmd_open("hold", &st)) != EXIT_OK) {
        free(sc);
        return ex;
    }
    rc = hf_hold_place(st, &h, &entry);
    free(sc);
    if (rc != HF_OK) {
        ex = cmd_fail("hold place", st, rc, h.id);
    } else {
        printf("hold %s placed (audit log entry %llu)\n", h.id, (unsigned long long)entry);
        ex = receipt ? write_receipt(st, entry, receipt) : EXIT_OK;
    }
    hf_store_close(st);
    return ex;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "by", required_argument, NULL, 'b' },
        { "reason", required_argument, NULL, 'r' },
        { "receipt", required_argument, NULL, 'R' },
        { "json", no_argument, NULL, 'j' },
        { 0 },
    };
    const char *by = NULL, *reason = NULL, *receipt = NULL, *sub;
    struct show s = { false };
    struct hf_store *st;
    uint64_t entry = 0;
    enum hf_err rc;
    int c, ex;

    if (argc < 2)
        return cmd_usage(&cmd_hold, "expected place, ls, show or release");
    sub = argv[1];
    if (strcmp(sub, "place") == 0)
        return place(argc - 1, argv + 1);
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'b')
            by = optarg;
        else if (c == 'r')
            reason = optarg;
        else if (c == 'R')
            receipt = optarg;
        else if (c == 'j')
            s.json = true;
        else
            return cmd_usage(&cmd_hold, "unknown option");
    }
    if (strcmp(sub, "ls") == 0 ? optind != argc
        : strcmp(sub, "show") == 0 || strcmp(sub, "release") == 0 ? optind + 1 != argc
                                                                   : true)
        return cmd_usage(&cmd_hold, "expected place, ls, show ID or release ID");
    if (strcmp(sub, "release") == 0 && (!by || !reason))
        return cmd_usage(&cmd_hold, "release names who releases the hold (--by) and why"
                         " (--reason)");
    if ((ex = cmd_open("hold", &st)) != EXIT_OK)
        return ex;
    if (strcmp(sub, "release") == 0) {
        rc = hf_hold_release(st, argv[optind], by, reason, &entry);
        if (rc == HF_OK) {
            printf("hold %s released (audit log entry %llu)\n", argv[optind],
                   (unsigned long long)entry);
            ex = receipt ? write_receipt(st, entry, receipt) : EXIT_OK;
        } else {
            ex = cmd_fail("hold release", st, rc, argv[optind]);
        }
    } else {
        const char *id = strcmp(sub, "show") == 0 ? argv[optind] : NULL;
        char *json = NULL;
        if (s.json) {
            rc = hf_hold_list_json(st, id, &json);  /* the admin API's JSON, too */
            if (rc == HF_OK)
                printf("%s\n", json);
            free(json);
        } else {
            rc = hf_hold_list(st, id, print_hold, &s);
        }
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("hold", st, rc, optind < argc ? argv[optind] : "");
    }
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_hold = {
    "hold", run,
    "place --case ID --by WHO --reference TEXT [--document FILE] [--receipt FILE]"
    " (--user U | --bucket B [--prefix P])... | ls [--json] | show ID [--json]"
    " | release ID --by WHO --reason TEXT [--receipt FILE]",
    "preservation holds: keep everything in a scope until released",
    "\n  place    keep every version of a user's data, or of a bucket (under a key\n"
    "           prefix), present and future, from being destroyed by any path;\n"
    "           --document records the SHA-256 of the request (the file is not kept)\n"
    "  ls, show holds, their scopes, who placed and released them\n"
    "  release  end a hold: names who releases it and why; the data is free again\n"
    "           only when no other hold or retention covers it\n"
    "Placing and releasing are recorded in the audit log; --receipt FILE writes a\n"
    "receipt that verifies offline (holdfast audit verify-offline --receipt).\n"
    "Refusals caused by a hold exit with code 8.\n",
};

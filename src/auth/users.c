/*
 * users.c — S3 users and access keys.
 *
 * Owns the users and access_keys tables' meaning.  A user owns the buckets
 * it creates over S3; an access key id names one user.
 *
 * FORMAT  access key id: "HF" + 18 characters of [A-Z2-7] (20, like AWS);
 *         secret: 40 characters of [A-Za-z0-9+/]; stored only sealed by
 *         the master key, bound to its access key id (crypt_seal_secret).
 *
 * INVARIANTS
 *   (1) A secret is never stored, logged or printed in clear, except once
 *       by `holdfast user add` to the person creating it.
 *   (2) Removing a user is refused while it owns a bucket (its data stays
 *       reachable to the operator; account closure is a preservation
 *       matter, issue 4).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit/audit.h"
#include "auth/users.h"
#include "policy/policy.h"
#include "meta/meta.h"
#include "store/crypt.h"
#include "banned.h"

static void random_chars(const uint8_t *rnd, size_t n, const char *alphabet, size_t alen,
                         char *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[rnd[i] % alen];
    out[n] = '\0';
}

static bool printable_token(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);

    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return false;
    return true;
}

static bool user_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > AUTH_USER_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '@'))
            return false;
    }
    return true;
}

enum hf_err hf_user_add(struct hf_store *st, const char *name, const char *access_key,
                        const char *secret, struct hf_user_key *out)
{
    uint8_t rnd[64], sealed[AUTH_SECRET_MAX + CRYPT_SEAL_OVERHEAD];
    int64_t id;
    enum hf_err rc;

    memset(out, 0, sizeof(*out));
    hf_clear_err(st);
    if (!user_name_ok(name))
        return hf_fail(st, HF_EINVAL, "user names are 1-64 of [A-Za-z0-9._@-]");
    if (access_key && !printable_token(access_key, 16, HF_ACCESS_KEY_MAX))
        return hf_fail(st, HF_EINVAL, "an access key id is 16-%d printable characters",
                       HF_ACCESS_KEY_MAX);
    if (secret && !printable_token(secret, 16, HF_SECRET_MAX))
        return hf_fail(st, HF_EINVAL, "a secret is 16-%d printable characters",
                       HF_SECRET_MAX);
    rc = hf_random(rnd, sizeof(rnd));
    if (rc != HF_OK)
        return rc;
    if (access_key) {
        snprintf(out->access_key, sizeof(out->access_key), "%s", access_key);
    } else {
        out->access_key[0] = 'H';
        out->access_key[1] = 'F';
        random_chars(rnd, 18, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32, out->access_key + 2);
    }
    if (secret)
        snprintf(out->secret, sizeof(out->secret), "%s", secret);
    else
        random_chars(rnd + 18, 40,
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 64,
                     out->secret);
    OPENSSL_cleanse(rnd, sizeof(rnd));
    rc = crypt_seal_secret(st->master_key, out->access_key, out->secret, strlen(out->secret),
                           sealed);
    if (rc != HF_OK)
        goto fail;
    rc = meta_begin(st->meta);
    if (rc == HF_OK) {
        rc = meta_user_id(st->meta, name, &id);
        if (rc == HF_OK)
            rc = HF_EEXIST;
        else if (rc == HF_ENOTFOUND)
            rc = meta_user_add(st->meta, name, hf_now_ns(), &id);
    }
    if (rc == HF_OK)
        rc = meta_key_add(st->meta, out->access_key, id, sealed,
                          strlen(out->secret) + CRYPT_SEAL_OVERHEAD, hf_now_ns());
    if (rc == HF_OK) {
        char subject[80];
        snprintf(subject, sizeof(subject), "user:%s", name);
        rc = audit_event(st, "user.created", subject, NULL);
        if (rc == HF_OK)
            rc = audit_event(st, "key.created", subject, "access-key", out->access_key, NULL);
    }
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        if (rc == HF_EEXIST)
            rc = hf_fail(st, rc, "user %s or access key %s already exists", name,
                         out->access_key);
        else
            rc = hf_fail(st, rc, "%s", meta_errmsg(st->meta));
        goto fail;
    }
    audit_after_commit(st);
    return HF_OK;
fail:
    OPENSSL_cleanse(out, sizeof(*out));
    return rc;
}

struct ulist {
    hf_user_fn fn;
    void *arg;
};

static enum hf_err user_cb(void *arg, const char *name, int64_t created, const char *keys)
{
    struct ulist *u = arg;
    struct hf_user_info ui = { name, created, keys };

    return u->fn(u->arg, &ui);
}

enum hf_err hf_user_list(struct hf_store *st, hf_user_fn fn, void *arg)
{
    struct ulist u = { fn, arg };

    hf_clear_err(st);
    return meta_user_list(st->meta, user_cb, &u);
}

static enum hf_err any_bucket(void *arg, const char *name, int64_t created)
{
    (void)created;
    snprintf(arg, 64, "%s", name);
    return HF_EEXIST; /* stop at the first */
}

enum hf_err hf_user_set_role(struct hf_store *st, const char *name, const char *role)
{
    char subject[80];
    int64_t id;
    enum hf_err rc;

    hf_clear_err(st);
    if (strcmp(role, "user") != 0 && strcmp(role, "auditor") != 0 && strcmp(role, "admin") != 0)
        return hf_fail(st, HF_EINVAL, "a role is user, auditor or admin");
    snprintf(subject, sizeof(subject), "user:%s", name);
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = meta_user_id(st->meta, name, &id);
    if (rc == HF_OK)
        rc = audit_event(st, "user.role", subject, "role", role, NULL);
    if (rc == HF_OK)
        rc = meta_user_set_role(st->meta, id, role);
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK) {
        meta_rollback(st->meta);
        return rc == HF_ENOTFOUND ? hf_fail(st, rc, "no user named %s", name)
                                  : hf_fail(st, rc, "%s", meta_errmsg(st->meta));
    }
    audit_after_commit(st);
    return HF_OK;
}

enum hf_err auth_user_role(struct hf_store *st, int64_t user, char *role, size_t len)
{
    return meta_user_role(st->meta, user, role, len);
}

struct user_keys {
    const char *name;
    char subject[80];
    char *keys;             /* space-separated access key ids */
};

static enum hf_err keys_of(void *arg, const char *name, int64_t created, const char *keys)
{
    struct user_keys *u = arg;

    (void)created;
    if (strcmp(name, u->name) == 0 && !u->keys && !(u->keys = strdup(keys)))
        return HF_ENOMEM;
    return HF_OK;
}

enum hf_err hf_user_remove(struct hf_store *st, const char *name)
{
    struct user_keys uk = { .name = name };
    char bucket[64] = "", *save = NULL;
    int64_t id;
    enum hf_err rc;

    hf_clear_err(st);
    snprintf(uk.subject, sizeof(uk.subject), "user:%s", name);
    rc = meta_begin(st->meta);
    if (rc == HF_OK)
        rc = meta_user_id(st->meta, name, &id);
    if (rc == HF_OK) {
        rc = meta_bucket_owned(st->meta, id, any_bucket, bucket);
        if (rc == HF_EEXIST)
            rc = HF_ENOTEMPTY;
    }
    if (rc == HF_OK)
        rc = policy_user(st, name);
    if (rc == HF_OK)
        rc = meta_user_list(st->meta, keys_of, &uk);
    if (rc == HF_OK && uk.keys)
        for (char *k = strtok_r(uk.keys, " ", &save); rc == HF_OK && k;
             k = strtok_r(NULL, " ", &save))
            rc = audit_event(st, "key.removed", uk.subject, "access-key", k, NULL);
    if (rc == HF_OK)
        rc = audit_event(st, "user.removed", uk.subject, NULL);
    if (rc == HF_OK)
        rc = meta_user_remove(st->meta, id);
    if (rc == HF_OK)
        rc = meta_commit(st->meta);
    if (rc != HF_OK)
        meta_rollback(st->meta);
    else
        audit_after_commit(st);
    free(uk.keys);
    if (rc == HF_ENOTFOUND)
        return hf_fail(st, rc, "no user named %s", name);
    if (rc == HF_ENOTEMPTY)
        return hf_fail(st, rc, "user %s owns bucket %s (and maybe more); its data stays "
                       "until the buckets are emptied and removed", name, bucket);
    if (rc == HF_EHELD)
        return rc;  /* the gate's message names the hold */
    return rc == HF_OK ? HF_OK : hf_fail(st, rc, "%s", meta_errmsg(st->meta));
}

enum hf_err auth_key_lookup(struct hf_store *st, const char *access_key, char *secret,
                            int64_t *user_id, char user_name[AUTH_USER_MAX + 1])
{
    uint8_t sealed[AUTH_SECRET_MAX + CRYPT_SEAL_OVERHEAD];
    size_t len = sizeof(sealed), slen = 0;
    enum hf_err rc;

    secret[0] = '\0';
    if (strlen(access_key) > HF_ACCESS_KEY_MAX)
        return HF_ENOTFOUND;
    rc = meta_key_get(st->meta, access_key, user_id, user_name, AUTH_USER_MAX + 1, sealed,
                      &len);
    if (rc != HF_OK)
        return rc;
    rc = crypt_open_secret(st->master_key, access_key, sealed, len, (uint8_t *)secret, &slen);
    if (rc != HF_OK)
        return rc;
    secret[slen] = '\0';
    return HF_OK;
}

/*
 * users.h — S3 users and their access keys (subsystem interface).
 */
#ifndef HF_USERS_H
#define HF_USERS_H

#include "internal.h"

#define AUTH_SECRET_MAX 128
#define AUTH_USER_MAX 64

/*
 * The secret and owner of @access_key, for signature checks.  @secret gets
 * AUTH_SECRET_MAX + 1 bytes (NUL-terminated); wipe it after use.
 * Errors: HF_ENOTFOUND (unknown key), HF_ECRYPTO (stored secret forged), HF_EMETA.
 */
/* The role of user id @user ("user", "auditor", "admin").  Errors: HF_ENOTFOUND, HF_EMETA. */
HF_HIDDEN enum hf_err auth_user_role(struct hf_store *st, int64_t user, char *role, size_t len);

HF_HIDDEN enum hf_err auth_key_lookup(struct hf_store *st, const char *access_key,
                                      char *secret, int64_t *user_id,
                                      char user_name[AUTH_USER_MAX + 1]);

#endif

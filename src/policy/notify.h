/*
 * notify.h — delivering notices: webhook POST and e-mail over SMTP (libcurl),
 * and the signed "keep" links (subsystem-private to policy/).
 */
#ifndef HF_NOTIFY_H
#define HF_NOTIFY_H

#include "internal.h"

#define NOTIFY_TIMEOUT_S 10
#define NOTIFY_CONNECT_TIMEOUT_S 5
#define NOTIFY_SIG_LEN 64           /* hex HMAC-SHA256 */

struct notify_msg {
    const char *kind;               /* "notice", "reminder-30", "reminder-7", "reminder-1" */
    int64_t id;
    const char *user, *scope, *rule;
    int64_t eligible_since, expires;
    uint64_t versions, bytes;
    int grace_days;
    const char *keep_url;           /* "" when the store has no public URL */
};

/*
 * POST the notice as JSON to @url (http or https only, no redirects).
 * HF_OK when the receiver answered 2xx; otherwise HF_EIO with what went
 * wrong in @detail ("HTTP 500", "Couldn't connect to server", ...).
 */
HF_HIDDEN enum hf_err notify_webhook(const char *url, const struct notify_msg *m, char *detail,
                                     size_t dlen);

/*
 * Send the notice as a plain-text e-mail to @to through @smtp_url
 * (smtp:// or smtps://) from @from.  HF_OK when the server accepted it;
 * else HF_EIO with @detail.
 */
HF_HIDDEN enum hf_err notify_email(const char *smtp_url, const char *from, const char *to,
                                   const struct notify_msg *m, char *detail, size_t dlen);

/*
 * The signature of notice @id's keep link (hex HMAC-SHA256 under the
 * store's link key, made and sealed by the master key on first use).
 * Errors: HF_ECRYPTO, HF_EMETA, HF_ECONFIG.
 */
HF_HIDDEN enum hf_err notify_link_sig(struct hf_store *st, int64_t id,
                                      char out[NOTIFY_SIG_LEN + 1]);

/* True when @addr looks like an e-mail address (one @, no spaces or controls, <= 320). */
HF_HIDDEN bool notify_email_ok(const char *addr);
/* True when @url is an http:// or https:// URL without spaces or controls (<= 1024). */
HF_HIDDEN bool notify_url_ok(const char *url, const char *const *schemes);

#endif

/* user.c — `holdfast user add|ls|rm|role|set|suspend|close|activate`: users, keys, contacts. */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cmd.h"
#include "banned.h"

static enum hf_err print_user(void *arg, const struct hf_user_info *u)
{
    char t[32];

    (void)arg;
    cmd_time(u->created_ns, t, sizeof(t));
    printf("%-20s %s  %s\n", u->name, t, u->access_keys);
    return HF_OK;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "access-key", required_argument, NULL, 'a' },
        { "secret", required_argument, NULL, 's' },
        { "role", required_argument, NULL, 'r' },
        { "webhook", required_argument, NULL, 'w' },
        { "email", required_argument, NULL, 'e' },
        { 0 },
    };
    const char *ak = NULL, *secret = NULL, *role = NULL, *webhook = NULL, *email = NULL;
    struct hf_store *st = NULL;
    struct hf_user_key key;
    enum hf_err rc;
    int c, ex;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'a')
            ak = optarg;
        else if (c == 's')
            secret = optarg;
        else if (c == 'r')
            role = optarg;
        else if (c == 'w')
            webhook = optarg;
        else if (c == 'e')
            email = optarg;
        else
            return cmd_usage(&cmd_user, "unknown option");
    }
    if (optind >= argc)
        return cmd_usage(&cmd_user, "expected add, ls or rm");
    if (strcmp(argv[optind], "add") == 0) {
        if (optind + 2 != argc)
            return cmd_usage(&cmd_user, "add wants one user name");
        if ((ex = cmd_open("user", &st)) != EXIT_OK)
            return ex;
        rc = hf_user_add(st, argv[optind + 1], ak, secret, &key);
        if (rc == HF_OK && role && (rc = hf_user_set_role(st, argv[optind + 1], role)) != HF_OK)
            OPENSSL_cleanse(&key, sizeof(key)); /* created, but without the role asked for */
        if (rc == HF_OK) {
            printf("user %s\naccess key id:     %s\nsecret access key: %s\n"
                   "(the secret is shown only now; it is stored sealed by the master key)\n",
                   argv[optind + 1], key.access_key, key.secret);
            OPENSSL_cleanse(&key, sizeof(key));
        }
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("user add", st, rc, argv[optind + 1]);
    } else if (strcmp(argv[optind], "ls") == 0) {
        if (optind + 1 != argc || ak || secret)
            return cmd_usage(&cmd_user, "ls takes no arguments");
        if ((ex = cmd_open("user", &st)) != EXIT_OK)
            return ex;
        rc = hf_user_list(st, print_user, NULL);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("user ls", st, rc, NULL);
    } else if (strcmp(argv[optind], "rm") == 0) {
        if (optind + 2 != argc || ak || secret)
            return cmd_usage(&cmd_user, "rm wants one user name");
        if ((ex = cmd_open("user", &st)) != EXIT_OK)
            return ex;
        rc = hf_user_remove(st, argv[optind + 1]);
        if (rc == HF_OK)
            printf("removed user %s and its access keys\n", argv[optind + 1]);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("user rm", st, rc, argv[optind + 1]);
    } else if (strcmp(argv[optind], "role") == 0) {
        if (optind + 3 != argc || ak || secret || role)
            return cmd_usage(&cmd_user, "role wants a user name and a role");
        if ((ex = cmd_open("user", &st)) != EXIT_OK)
            return ex;
        rc = hf_user_set_role(st, argv[optind + 1], argv[optind + 2]);
        if (rc == HF_OK)
            printf("user %s is now %s\n", argv[optind + 1], argv[optind + 2]);
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("user role", st, rc, argv[optind + 1]);
    } else if (strcmp(argv[optind], "set") == 0) {
        if (optind + 2 != argc || ak || secret || role || (!webhook && !email))
            return cmd_usage(&cmd_user, "set wants a user name and --webhook URL and/or "
                             "--email ADDR");
        if ((ex = cmd_open("user", &st)) != EXIT_OK)
            return ex;
        rc = hf_user_set_contacts(st, argv[optind + 1], webhook, email);
        if (rc == HF_OK)
            printf("user %s: notices go to%s%s%s%s\n", argv[optind + 1],
                   webhook && *webhook ? " webhook " : "", webhook ? webhook : "",
                   email && *email ? " e-mail " : "", email ? email : "");
        ex = rc == HF_OK ? EXIT_OK : cmd_fail("user set", st, rc, argv[optind + 1]);
    } else if (strcmp(argv[optind], "suspend") == 0 || strcmp(argv[optind], "close") == 0 ||
               strcmp(argv[optind], "activate") == 0) {
        const char *verb = argv[optind];
        enum hf_account_state state = verb[0] == 's' ? HF_ACCOUNT_SUSPENDED
                                      : verb[0] == 'c' ? HF_ACCOUNT_CLOSED : HF_ACCOUNT_ACTIVE;
        if (optind + 2 != argc || ak || secret || role || webhook || email)
            return cmd_usage(&cmd_user, "%s wants one user name", verb);
        if ((ex = cmd_open("user", &st)) != EXIT_OK)
            return ex;
        rc = hf_user_set_state(st, argv[optind + 1], state);
        if (rc == HF_OK)
            printf("%s\n", state == HF_ACCOUNT_SUSPENDED
                               ? "suspended: the user's data is read-only for them"
                           : state == HF_ACCOUNT_CLOSED
                               ? "closed: the user's data is read-only; notices of its expiry "
                                 "go out at the next lifecycle pass (nothing expires without "
                                 "a delivered notice and the grace period)"
                               : "active again: open closure notices are cancelled at the "
                                 "next lifecycle pass");
        ex = rc == HF_OK ? EXIT_OK : cmd_fail(verb, st, rc, argv[optind + 1]);
    } else {
        return cmd_usage(&cmd_user, "unknown subcommand '%s'", argv[optind]);
    }
    hf_store_close(st);
    return ex;
}

const struct cmd cmd_user = {
    "user", run, "add NAME [--access-key ID --secret S] [--role R] | ls | rm NAME"
    " | role NAME ROLE | set NAME [--webhook URL] [--email ADDR] | suspend NAME | close NAME"
    " | activate NAME",
    "S3 users and their access keys",
    "\n  add   create a user with an access key (generated unless given) and print\n"
    "        the key id and secret; the secret is shown only once\n"
    "  ls    users, creation time, access key ids\n"
    "  rm    remove a user and its keys (refused while it owns a bucket)\n"
    "  role  user (its own buckets), auditor (also reads the audit log over HTTP) or\n"
    "        admin (an auditor that may also sign checkpoints on demand)\n"
    "  set   where expiry notices go: --webhook URL (an HTTP POST with a JSON body)\n"
    "        and --email ADDR (over the SMTP server of `holdfast lifecycle config`);\n"
    "        \"\" removes one\n"
    "  suspend   the user's data becomes read-only for them (S3 writes are refused)\n"
    "  close     read-only, and the notice process starts for all their data\n"
    "  activate  back to normal; open closure notices are cancelled\n",
};

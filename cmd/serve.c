/* serve.c — `holdfast serve`: the S3 API over HTTP. */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void ready(void *arg)
{
    const char *listen = arg;

    fprintf(stderr, "holdfast: serving %s on http://%s (S3 API; Ctrl-C or SIGTERM stops)\n",
            cmd_data_dir, listen);
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "region", required_argument, NULL, 'r' },
        { "domain", required_argument, NULL, 'd' },
        { 0 },
    };
    struct hf_server_opts so = { "127.0.0.1:9000", "us-east-1", "localhost", stderr, ready,
                                 NULL };
    struct sigaction sa;
    enum hf_err rc;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'l')
            so.listen = optarg;
        else if (c == 'r')
            so.region = optarg;
        else if (c == 'd')
            so.vhost_domain = optarg;
        else
            return cmd_usage(&cmd_serve, "unknown option");
    }
    if (optind != argc)
        return cmd_usage(&cmd_serve, "unexpected argument '%s'", argv[optind]);
    so.ready_arg = (void *)so.listen;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = hf_serve(cmd_data_dir, &so, &stop_flag);
    if (rc == HF_EINVAL)
        return cmd_usage(&cmd_serve, "--listen wants ADDR:PORT (IPv4), got '%s'", so.listen);
    if (rc == HF_EIO) {
        fprintf(stderr, "holdfast serve: cannot listen on %s (is the port in use?)\n",
                so.listen);
        return EXIT_IO;
    }
    if (rc != HF_OK) {
        fprintf(stderr, "holdfast serve: cannot open the store in %s: %s\n", cmd_data_dir,
                hf_strerror(rc));
        return cmd_exit_code(rc);
    }
    fprintf(stderr, "holdfast: stopped\n");
    return EXIT_OK;
}

const struct cmd cmd_serve = {
    "serve", run, "[--listen ADDR:PORT] [--region R] [--domain D]",
    "serve the store over the S3 API",
    "\n  --listen ADDR:PORT   where to listen (default 127.0.0.1:9000)\n"
    "  --region R           the region S3 clients sign for (default us-east-1)\n"
    "  --domain D           BUCKET.D in the Host header is virtual-host style\n"
    "                       (default localhost)\n"
    "Requests are signed with AWS Signature V4 by users from `holdfast user add`.\n"
    "One log line per request goes to stderr.  SIGTERM stops accepting, lets\n"
    "requests in flight finish, and exits; an interrupted upload leaves nothing.\n",
};

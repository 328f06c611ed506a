/* hull login / logout: check credentials against a registry and keep them in the auth file. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/strutil.h"
#include "cli/hull/cli.h"
#include "cli/hull/registry_opts.h"
#include "registry/client.h"

static int read_password(char *buf, size_t len)
{
        size_t n = 0;
        while (n + 1 < len) {
                ssize_t r = read(STDIN_FILENO, buf + n, 1);
                if (r <= 0 || buf[n] == '\n')
                        break;
                n++;
        }
        buf[n] = '\0';
        return (int)n;
}

/* Ping /v2/ with the credentials: only a 200 means they were accepted. */
static int verify(const char *host, const struct hull_registry_opts *o, struct hull_err *err)
{
        _cleanup_(hull_ref_freep) struct hull_ref ref = {0};
        _cleanup_free_ char *fake = hull_strdup_printf("%s/hull-login-check", host);
        if (!fake || hull_ref_parse(fake, &ref, err) < 0)
                return hull_err_set(err, EINVAL, "bad registry \"%s\"", host);
        _cleanup_(hull_registry_closep) struct hull_registry r = {0};
        int rc = hull_registry_open(&ref, "pull", o, &r, err);
        if (rc < 0)
                return rc;
        struct hull_http_response resp = {0};
        rc = hull_registry_request(&r, "GET", "/v2/", NULL, NULL, 0, 0, &resp, err);
        long st = resp.status;
        hull_http_response_free(&resp);
        if (rc < 0)
                return rc;
        if (st != 200)
                return hull_err_set(err, EACCES, "login to %s failed: bad username or password",
                                    host);
        return 0;
}

static int login_run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            HULL_REGISTRY_LONGOPTS,
            {"username", required_argument, NULL, 'u'},
            {"password", required_argument, NULL, 'p'},
            {"password-stdin", no_argument, NULL, 'P'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        struct hull_registry_opts o;
        hull_cli_registry_defaults(&o);
        const char *user = NULL, *pass = NULL;
        bool from_stdin = false;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "u:p:h", longopts, NULL)) != -1) {
                int r = hull_cli_registry_opt(c, optarg, &o);
                if (r < 0)
                        return hull_cli_usage(&hull_cmd_login, "bad value for an option");
                if (r > 0)
                        continue;
                switch (c) {
                case 'u':
                        user = optarg;
                        break;
                case 'p':
                        pass = optarg;
                        break;
                case 'P':
                        from_stdin = true;
                        break;
                case 'h':
                        fputs(hull_cmd_login.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_login, "bad option");
                }
        }
        if (optind + 1 != argc || !user)
                return hull_cli_usage(&hull_cmd_login, "requires -u USER and a REGISTRY");
        char buf[1024];
        if (from_stdin || !pass) {
                read_password(buf, sizeof(buf));
                pass = buf;
        }
        const char *host = argv[optind];
        _cleanup_free_ char *creds = hull_strdup_printf("%s:%s", user, pass);
        if (!creds)
                return 1;
        o.creds = creds;
        struct hull_err err = {0};
        int r = verify(host, &o, &err);
        if (r == 0)
                r = hull_auth_store(o.auth_file, host, user, pass, &err);
        explicit_bzero(buf, sizeof(buf));
        explicit_bzero(creds, strlen(creds));
        if (r < 0)
                return hull_cli_fail(&err);
        printf("Login Succeeded!\n");
        return 0;
}

static int logout_run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"authfile", required_argument, NULL, HULL_OPT_AUTHFILE},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        const char *auth_file = NULL;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                if (c == HULL_OPT_AUTHFILE)
                        auth_file = optarg;
                else if (c == 'h')
                        return fputs(hull_cmd_logout.usage, stdout), 0;
                else
                        return hull_cli_usage(&hull_cmd_logout, "bad option");
        }
        if (optind + 1 != argc)
                return hull_cli_usage(&hull_cmd_logout, "requires a REGISTRY");
        struct hull_err err = {0};
        if (hull_auth_store(auth_file, argv[optind], NULL, NULL, &err) < 0)
                return hull_cli_fail(&err);
        printf("Removed login credentials for %s\n", argv[optind]);
        return 0;
}

const struct hull_cmd hull_cmd_login = {
    .name = "login",
    .summary = "Log in to a registry",
    .usage = "Usage: hull login -u USER [-p PASS | --password-stdin] [OPTIONS] REGISTRY\n\n"
             "Check the credentials against REGISTRY and store them in the auth file\n"
             "(Docker's auth.json format, mode 0600). Without -p the password is read\n"
             "from stdin.\n\n"
             "Options:\n" HULL_REGISTRY_USAGE,
    .run = login_run,
};

const struct hull_cmd hull_cmd_logout = {
    .name = "logout",
    .summary = "Log out of a registry",
    .usage = "Usage: hull logout [--authfile FILE] REGISTRY\n",
    .run = logout_run,
};

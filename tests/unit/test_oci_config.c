/* Unit tests of the OCI config model: config.json parsing and validation, error messages with
 * file:line:column and JSON path, the JSON locator, the default spec, and name tables. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci/config.h"
#include "oci/json_locate.h"
#include "oci/state.h"

#define NAME "bundle/config.json"

/* Tests write JSON with single quotes; this turns them into double quotes. */
static char *dq(const char *s)
{
        char *d = strdup(s);
        assert_non_null(d);
        for (char *p = d; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return d;
}

static struct hull_oci_config *parse_ok(const char *text)
{
        struct hull_err err = {0};
        struct hull_oci_config *c = NULL;
        char *t = dq(text);
        int r = hull_oci_config_parse(NAME, t, strlen(t), &c, &err);
        if (r < 0)
                fail_msg("unexpected error: %s", err.msg);
        free(t);
        assert_non_null(c);
        return c;
}

/* Line and column (in characters) of the first MARK in TEXT, counted independently. */
static void pos_of(const char *text, const char *mark, unsigned *line, unsigned *col)
{
        const char *at = strstr(text, mark);
        assert_non_null(at);
        *line = 1;
        *col = 1;
        for (const char *p = text; p < at; p++) {
                if (*p == '\n') {
                        (*line)++;
                        *col = 1;
                } else if (((unsigned char)*p & 0xC0) != 0x80) {
                        (*col)++;
                }
        }
}

/* Parsing TEXT fails with exactly "NAME:L:C: REST", L:C being where MARK is in TEXT (the
 * quotes already converted), or "NAME: REST" when MARK is NULL. */
static void check_error(const char *text, const char *mark, const char *rest)
{
        struct hull_err err = {0};
        struct hull_oci_config *c = NULL;
        char expected[HULL_ERR_MSG_MAX];
        char *t = dq(text);
        char *m = mark ? dq(mark) : NULL;
        int r = hull_oci_config_parse(NAME, t, strlen(t), &c, &err);
        if (r >= 0)
                fail_msg("parsed without error, expected: %s", rest);
        assert_int_equal(r, -EINVAL);
        assert_null(c);
        if (m) {
                unsigned line, col;
                pos_of(t, m, &line, &col);
                snprintf(expected, sizeof(expected), "%s:%u:%u: %s", NAME, line, col, rest);
        } else {
                snprintf(expected, sizeof(expected), "%s: %s", NAME, rest);
        }
        assert_string_equal(err.msg, expected);
        assert_null(strchr(err.msg, '\n'));
        free(t);
        free(m);
}

#define BASE_HEAD "{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},\n"

static const char full_config[] =
    "{\n"
    "  'ociVersion': '1.2.0',\n"
    "  'root': {'path': 'rootfs', 'readonly': true},\n"
    "  'hostname': 'box',\n"
    "  'domainname': 'example.org',\n"
    "  'mounts': [\n"
    "    {'destination': '/proc', 'type': 'proc', 'source': 'proc'},\n"
    "    {'destination': '/data/../srv/./x/', 'source': '/host', 'options': ['rbind', 'ro'],\n"
    "     'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 10}],\n"
    "     'gidMappings': [{'containerID': 1, 'hostID': 2000, 'size': 20}]},\n"
    "    {'destination': '/../../etc/x', 'type': 'tmpfs', 'options': null}\n"
    "  ],\n"
    "  'process': {\n"
    "    'terminal': true,\n"
    "    'consoleSize': {'height': 24, 'width': 80},\n"
    "    'user': {'uid': 1, 'gid': 2, 'umask': 18, 'additionalGids': [5, 6], 'username': 'u'},\n"
    "    'args': ['sh', '-c', 'true'],\n"
    "    'env': ['PATH=/bin', 'EMPTY='],\n"
    "    'cwd': '/root',\n"
    "    'capabilities': {'bounding': ['CAP_KILL'], 'effective': [],\n"
    "                     'permitted': ['CAP_KILL', 'CAP_CHOWN']},\n"
    "    'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1024, 'hard': 4096},\n"
    "                {'type': 'RLIMIT_MEMLOCK', 'soft': 18446744073709551615,\n"
    "                 'hard': 18446744073709551615}],\n"
    "    'noNewPrivileges': true,\n"
    "    'apparmorProfile': 'prof',\n"
    "    'selinuxLabel': 'label',\n"
    "    'oomScoreAdj': -500,\n"
    "    'scheduler': {'policy': 'SCHED_OTHER'},\n"
    "    'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 4},\n"
    "    'execCPUAffinity': {'initial': '0'},\n"
    "    'commandLine': 'windows only, ignored'\n"
    "  },\n"
    "  'hooks': {\n"
    "    'prestart': [{'path': '/bin/pre'}],\n"
    "    'createRuntime': [{'path': '/bin/cr', 'args': ['cr', 'x'], 'env': ['A=b'],\n"
    "                       'timeout': 5}],\n"
    "    'createContainer': [],\n"
    "    'startContainer': [{'path': '/bin/sc'}],\n"
    "    'poststart': [{'path': '/bin/ps1'}, {'path': '/bin/ps2'}],\n"
    "    'poststop': [{'path': '/bin/stop'}]\n"
    "  },\n"
    "  'annotations': {'org.example.key': 'value'},\n"
    "  'linux': {\n"
    "    'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/run/netns/x'},\n"
    "                   {'type': 'mount'}, {'type': 'ipc'}, {'type': 'uts'},\n"
    "                   {'type': 'user'}, {'type': 'cgroup', 'path': ''}, {'type': 'time'}],\n"
    "    'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],\n"
    "    'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536},\n"
    "                    {'containerID': 65536, 'hostID': 5, 'size': 1}],\n"
    "    'timeOffsets': {'monotonic': {'secs': -10, 'nanosecs': 5}, 'boottime': {'secs': 7}},\n"
    "    'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,\n"
    "                 'fileMode': 438, 'uid': 0, 'gid': 3},\n"
    "                {'path': '/dev/fifo', 'type': 'p', 'major': 0, 'minor': 0}],\n"
    "    'cgroupsPath': '/hull/box',\n"
    "    'resources': {'memory': {'limit': 1000000}},\n"
    "    'intelRdt': {'closID': 'x'},\n"
    "    'personality': {'domain': 'LINUX'},\n"
    "    'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.msgmax': '8192'},\n"
    "    'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW'},\n"
    "    'rootfsPropagation': 'rslave',\n"
    "    'maskedPaths': ['/proc/kcore'],\n"
    "    'readonlyPaths': ['/proc/sys', '/proc/bus'],\n"
    "    'mountLabel': 'mlabel',\n"
    "    'unknownField': {'ignored': [1, 2]}\n"
    "  },\n"
    "  'vendorExtension': 42\n"
    "}\n";

static void check_full_process(const struct hull_oci_process *p)
{
        assert_non_null(p);
        assert_true(p->terminal);
        assert_true(p->has_console_size);
        assert_int_equal(p->console_size.height, 24);
        assert_int_equal(p->console_size.width, 80);
        assert_int_equal(p->user.uid, 1);
        assert_int_equal(p->user.gid, 2);
        assert_true(p->user.has_umask);
        assert_int_equal(p->user.umask, 022);
        assert_int_equal(p->user.n_additional_gids, 2);
        assert_int_equal(p->user.additional_gids[0], 5);
        assert_int_equal(p->user.additional_gids[1], 6);
        assert_string_equal(p->user.username, "u");
        assert_int_equal(p->n_args, 3);
        assert_string_equal(p->args[0], "sh");
        assert_string_equal(p->args[2], "true");
        assert_null(p->args[3]);
        assert_int_equal(p->n_env, 2);
        assert_string_equal(p->env[1], "EMPTY=");
        assert_null(p->env[2]);
        assert_string_equal(p->cwd, "/root");
        assert_non_null(p->capabilities);
        assert_string_equal(p->capabilities->bounding[0], "CAP_KILL");
        assert_null(p->capabilities->bounding[1]);
        assert_non_null(p->capabilities->effective);
        assert_null(p->capabilities->effective[0]);
        assert_null(p->capabilities->inheritable);
        assert_string_equal(p->capabilities->permitted[1], "CAP_CHOWN");
        assert_null(p->capabilities->ambient);
        assert_int_equal(p->n_rlimits, 2);
        assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
        assert_string_equal(p->rlimits[0].type, "RLIMIT_NOFILE");
        assert_int_equal(p->rlimits[0].soft, 1024);
        assert_int_equal(p->rlimits[0].hard, 4096);
        assert_int_equal(p->rlimits[1].resource, RLIMIT_MEMLOCK);
        assert_true(p->rlimits[1].soft == UINT64_MAX);
        assert_true(p->rlimits[1].hard == UINT64_MAX);
        assert_true(p->no_new_privileges);
        assert_string_equal(p->apparmor_profile, "prof");
        assert_string_equal(p->selinux_label, "label");
        assert_true(p->has_oom_score_adj);
        assert_int_equal(p->oom_score_adj, -500);
        assert_string_equal(json_string_value(json_object_get(p->scheduler, "policy")),
                            "SCHED_OTHER");
        assert_int_equal(json_integer_value(json_object_get(p->io_priority, "priority")), 4);
        assert_string_equal(json_string_value(json_object_get(p->exec_cpu_affinity, "initial")),
                            "0");
}

static void check_full_mounts_hooks(const struct hull_oci_config *c)
{
        assert_int_equal(c->n_mounts, 3);
        assert_string_equal(c->mounts[0].destination, "/proc");
        assert_string_equal(c->mounts[0].type, "proc");
        assert_string_equal(c->mounts[0].source, "proc");
        assert_int_equal(c->mounts[0].n_options, 0);
        assert_non_null(c->mounts[0].options);
        assert_null(c->mounts[0].options[0]);
        assert_string_equal(c->mounts[1].destination, "/srv/x");
        assert_null(c->mounts[1].type);
        assert_string_equal(c->mounts[1].source, "/host");
        assert_int_equal(c->mounts[1].n_options, 2);
        assert_string_equal(c->mounts[1].options[1], "ro");
        assert_int_equal(c->mounts[1].n_uid_mappings, 1);
        assert_int_equal(c->mounts[1].uid_mappings[0].host_id, 1000);
        assert_int_equal(c->mounts[1].uid_mappings[0].size, 10);
        assert_int_equal(c->mounts[1].gid_mappings[0].container_id, 1);
        assert_int_equal(c->mounts[1].gid_mappings[0].host_id, 2000);
        assert_string_equal(c->mounts[2].destination, "/etc/x");
        assert_null(c->mounts[2].source);
        assert_non_null(c->mounts[2].options);

        const struct hull_oci_hooks *h = &c->hooks;
        assert_int_equal(h->count[HULL_HOOK_PRESTART], 1);
        assert_string_equal(h->list[HULL_HOOK_PRESTART][0].path, "/bin/pre");
        assert_null(h->list[HULL_HOOK_PRESTART][0].args);
        assert_null(h->list[HULL_HOOK_PRESTART][0].env);
        assert_false(h->list[HULL_HOOK_PRESTART][0].has_timeout);
        const struct hull_oci_hook *cr = &h->list[HULL_HOOK_CREATE_RUNTIME][0];
        assert_string_equal(cr->path, "/bin/cr");
        assert_string_equal(cr->args[1], "x");
        assert_null(cr->args[2]);
        assert_string_equal(cr->env[0], "A=b");
        assert_true(cr->has_timeout);
        assert_int_equal(cr->timeout, 5);
        assert_int_equal(h->count[HULL_HOOK_CREATE_CONTAINER], 0);
        assert_int_equal(h->count[HULL_HOOK_START_CONTAINER], 1);
        assert_int_equal(h->count[HULL_HOOK_POSTSTART], 2);
        assert_string_equal(h->list[HULL_HOOK_POSTSTART][1].path, "/bin/ps2");
        assert_string_equal(h->list[HULL_HOOK_POSTSTOP][0].path, "/bin/stop");
}

static const struct hull_oci_time_offset *find_offset(const struct hull_oci_linux *l,
                                                      const char *clock)
{
        for (size_t i = 0; i < l->n_time_offsets; i++)
                if (strcmp(l->time_offsets[i].clock, clock) == 0)
                        return &l->time_offsets[i];
        return NULL;
}

static void check_full_linux(const struct hull_oci_config *c)
{
        const struct hull_oci_linux *l = &c->linux_;
        assert_true(c->has_linux);
        assert_int_equal(l->n_namespaces, 8);
        assert_int_equal(l->namespaces[0].type, HULL_NS_PID);
        assert_null(l->namespaces[0].path);
        assert_int_equal(l->namespaces[1].type, HULL_NS_NETWORK);
        assert_string_equal(l->namespaces[1].path, "/run/netns/x");
        assert_int_equal(l->namespaces[7].type, HULL_NS_TIME);
        assert_null(hull_oci_config_namespace(c, HULL_NS_CGROUP)->path);
        assert_ptr_equal(hull_oci_config_namespace(c, HULL_NS_UTS), &l->namespaces[4]);
        assert_int_equal(l->n_uid_mappings, 1);
        assert_int_equal(l->uid_mappings[0].host_id, 100000);
        assert_int_equal(l->uid_mappings[0].size, 65536);
        assert_int_equal(l->n_gid_mappings, 2);
        assert_int_equal(l->gid_mappings[1].container_id, 65536);
        assert_int_equal(l->gid_mappings[1].host_id, 5);
        assert_int_equal(l->n_time_offsets, 2);
        assert_int_equal(find_offset(l, "monotonic")->secs, -10);
        assert_int_equal(find_offset(l, "monotonic")->nanosecs, 5);
        assert_int_equal(find_offset(l, "boottime")->secs, 7);
        assert_int_equal(find_offset(l, "boottime")->nanosecs, 0);
        assert_int_equal(l->n_devices, 2);
        assert_string_equal(l->devices[0].path, "/dev/fuse");
        assert_int_equal(l->devices[0].type, 'c');
        assert_int_equal(l->devices[0].major, 10);
        assert_int_equal(l->devices[0].minor, 229);
        assert_true(l->devices[0].has_mode);
        assert_int_equal(l->devices[0].file_mode, 0666);
        assert_true(l->devices[0].has_uid);
        assert_int_equal(l->devices[0].gid, 3);
        assert_int_equal(l->devices[1].type, 'p');
        assert_false(l->devices[1].has_mode);
        assert_false(l->devices[1].has_uid);
        assert_string_equal(l->cgroups_path, "/hull/box");
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(l->resources, "memory"), "limit")),
            1000000);
        assert_string_equal(json_string_value(json_object_get(l->seccomp, "defaultAction")),
                            "SCMP_ACT_ALLOW");
        assert_non_null(l->intel_rdt);
        assert_non_null(l->personality);
        assert_string_equal(l->rootfs_propagation, "rslave");
        assert_string_equal(l->masked_paths[0], "/proc/kcore");
        assert_null(l->masked_paths[1]);
        assert_string_equal(l->readonly_paths[1], "/proc/bus");
        assert_string_equal(l->mount_label, "mlabel");
        assert_int_equal(l->n_sysctl, 2);
        assert_string_equal(l->sysctl[0].key, "net.ipv4.ip_forward");
        assert_string_equal(l->sysctl[0].value, "1");
        assert_string_equal(l->sysctl[1].key, "kernel.msgmax");
}

static void test_full_config(void **state)
{
        (void)state;
        struct hull_oci_config *c = parse_ok(full_config);
        assert_string_equal(c->path, NAME);
        assert_string_equal(c->oci_version, "1.2.0");
        assert_string_equal(c->root_path, "rootfs");
        assert_true(c->root_readonly);
        assert_string_equal(c->hostname, "box");
        assert_string_equal(c->domainname, "example.org");
        assert_string_equal(json_string_value(json_object_get(c->annotations, "org.example.key")),
                            "value");
        assert_true(json_is_object(c->root));
        check_full_process(c->process);
        check_full_mounts_hooks(c);
        check_full_linux(c);
        hull_oci_config_free(c);
}

static void test_minimal_config(void **state)
{
        (void)state;
        struct hull_oci_config *c = parse_ok("{'ociVersion': '1.0.0', 'root': {'path': '/r'},"
                                             " 'hostname': '', 'mounts': null}");
        assert_null(c->process);
        assert_false(c->root_readonly);
        assert_null(c->hostname); /* "" is "not set" */
        assert_int_equal(c->n_mounts, 0);
        assert_false(c->has_linux);
        assert_non_null(c->linux_.masked_paths);
        assert_null(c->linux_.masked_paths[0]);
        assert_non_null(c->linux_.readonly_paths);
        assert_null(c->annotations);
        for (int k = 0; k < HULL_HOOK_COUNT; k++)
                assert_int_equal(c->hooks.count[k], 0);
        assert_null(hull_oci_config_namespace(c, HULL_NS_PID));
        hull_oci_config_free(c);
        hull_oci_config_free(NULL);
}

static void test_syntax_error(void **state)
{
        (void)state;
        struct hull_err err = {0};
        struct hull_oci_config *c = NULL;
        const char *t1 = "{\"ociVersion\": tru}";
        assert_int_equal(hull_oci_config_parse(NAME, t1, strlen(t1), &c, &err), -EINVAL);
        assert_null(c);
        assert_string_equal(err.msg, NAME ":1:18: syntax error: invalid token near 'tru'");
        const char *t2 =
            "{\n  \"ociVersion\": \"1.2.0\",\n  \"root\": {\"path\": \"r\"}\n  \"x\": 1\n}";
        assert_int_equal(hull_oci_config_parse(NAME, t2, strlen(t2), &c, &err), -EINVAL);
        assert_string_equal(err.msg, NAME ":4:5: syntax error: '}' expected near '\"x\"'");
        assert_int_equal(hull_oci_config_parse(NAME, "", 0, &c, &err), -EINVAL);
        assert_non_null(strstr(err.msg, NAME));
        assert_non_null(strstr(err.msg, "syntax error"));
        /* a number too big even for uint64 is still a syntax error */
        const char *t3 = "{\"a\": 18446744073709551616}";
        assert_int_equal(hull_oci_config_parse(NAME, t3, strlen(t3), &c, &err), -EINVAL);
        assert_non_null(strstr(err.msg, NAME ":1:"));
        assert_non_null(strstr(err.msg, "too big integer"));
        /* a big integer does not hide a later syntax error */
        const char *t4 = "{\"a\": 18446744073709551615, \"b\": x}";
        assert_int_equal(hull_oci_config_parse(NAME, t4, strlen(t4), &c, &err), -EINVAL);
        assert_string_equal(err.msg, NAME ":1:34: syntax error: invalid token near 'x'");
}

static void test_not_an_object(void **state)
{
        (void)state;
        check_error("[1, 2]", "[", ".: expected an object, got array");
        check_error("  'text'", "'text'", ".: expected an object, got string");
}

static void test_wrong_types(void **state)
{
        (void)state;
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': [\n    'sh', 7]}}", "7]",
                    ".process.args[1]: expected a string, got number");
        check_error("{'ociVersion': 1}", "1}", ".ociVersion: expected a string, got number");
        check_error("{'ociVersion': '1', 'root': {'path': 'r', 'readonly': 'yes'}}", "'yes'",
                    ".root.readonly: expected a boolean, got string");
        check_error(BASE_HEAD "'mounts': {}}", "{}", ".mounts: expected an array, got object");
        check_error(BASE_HEAD "'mounts': [{'destination': '/a', 'options': [true]}]}", "true",
                    ".mounts[0].options[0]: expected a string, got boolean");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'terminal': 1}}", "1}",
                    ".process.terminal: expected a boolean, got number");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'user': {'uid': '0', "
                              "'gid': 0}}}",
                    "'0'", ".process.user.uid: expected an integer, got string");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'user': {'uid': 1.0, "
                              "'gid': 0}}}",
                    "1.0",
                    ".process.user.uid: expected an integer, got number 1 (write it without "
                    "fraction or exponent)");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'rlimits': [{'type': "
                              "'RLIMIT_CORE', 'soft': '1', 'hard': 1}]}}",
                    "'1'", ".process.rlimits[0].soft: expected an integer, got string");
        check_error(BASE_HEAD "'linux': {'namespaces': ['pid']}}", "'pid'",
                    ".linux.namespaces[0]: expected an object, got string");
        check_error(BASE_HEAD "'hooks': {'poststop': [{'path': '/x', 'timeout': 2.5}]}}", "2.5",
                    ".hooks.poststop[0].timeout: expected an integer, got number 2.5 (write it "
                    "without fraction or exponent)");
        check_error(BASE_HEAD "'annotations': {'a.b': 3}}", "3}",
                    ".annotations[\"a.b\"]: expected a string, got number");
        check_error(BASE_HEAD "'linux': {'resources': []}}", "[]",
                    ".linux.resources: expected an object, got array");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'capabilities': "
                              "['CAP_KILL']}}",
                    "['CAP_KILL']", ".process.capabilities: expected an object, got array");
        check_error(BASE_HEAD "'linux': {'sysctl': {'net.core.somaxconn': 256}}}", "256",
                    ".linux.sysctl[\"net.core.somaxconn\"]: expected a string, got number");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'scheduler': 'fifo'}}",
                    "'fifo'", ".process.scheduler: expected an object, got string");
        check_error(BASE_HEAD "'hostname': null, 'domainname': false}", "false",
                    ".domainname: expected a string, got boolean");
}

static void test_missing_required(void **state)
{
        (void)state;
        check_error("{'ociVersion': '1.2.0'}", "{", ".root: missing required field");
        check_error("{'ociVersion': '1.2.0', 'root': null}", "{", ".root: missing required field");
        check_error("{'ociVersion': '1.2.0',\n 'root': {'readonly': true}}", "{'readonly'",
                    ".root.path: missing required field");
        check_error("{'ociVersion': '1.2.0', 'root': {'path': ''}}", "''",
                    ".root.path: must not be empty");
        check_error("\n {'root': {'path': 'r'}}", "{'root'", ".ociVersion: missing required field");
        check_error(BASE_HEAD "'mounts': [{'type': 'tmpfs'}]}", "{'type'",
                    ".mounts[0].destination: missing required field");
        check_error(BASE_HEAD "'hooks': {'prestart': [{'args': []}]}}", "{'args'",
                    ".hooks.prestart[0].path: missing required field");
        check_error(BASE_HEAD "'linux': {'devices': [{'type': 'c', 'path': '/dev/x', 'major': "
                              "1}]}}",
                    "{'type'", ".linux.devices[0].minor: missing required field");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'user': {'uid': 0}}}",
                    "{'uid'", ".process.user.gid: missing required field");
        check_error(BASE_HEAD "'linux': {'uidMappings': [{'hostID': 1, 'size': 1}]}}", "{'hostID'",
                    ".linux.uidMappings[0].containerID: missing required field");
}

static void test_namespaces(void **state)
{
        (void)state;
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'pid'}, {'type': 'net'}]}}",
                    "'net'",
                    ".linux.namespaces[1].type: unknown namespace type \"net\" (expected pid, "
                    "network, mount, ipc, uts, user, cgroup or time)");
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'pid'}, {'type': 'ipc'},\n"
                              "  {'type': 'pid', 'path': '/proc/1/ns/pid'}]}}",
                    "'pid', 'path'",
                    ".linux.namespaces[2].type: namespace \"pid\" is listed twice (also at "
                    "index 0)");
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'network', 'path': 'netns'}]}}",
                    "'netns'", ".linux.namespaces[0].path: \"netns\" is not an absolute path");
        check_error(BASE_HEAD "'linux': {'namespaces': [{'path': '/x'}]}}", "{'path': '/x'",
                    ".linux.namespaces[0].type: missing required field");
}

static void test_mounts(void **state)
{
        (void)state;
        check_error(BASE_HEAD "'mounts': [{'destination': '/ok'},\n  {'destination': 'tmp'}]}",
                    "'tmp'", ".mounts[1].destination: \"tmp\" is not an absolute path");
        check_error(BASE_HEAD "'mounts': [{'destination': ''}]}", "''",
                    ".mounts[0].destination: \"\" is not an absolute path");
        check_error(BASE_HEAD "'mounts': [{'destination': '/a', 'uidMappings': [{'containerID': "
                              "0, 'hostID': 1, 'size': 1}]}]}",
                    "{'destination'",
                    ".mounts[0]: uidMappings and gidMappings must be set together");
        struct hull_oci_config *c =
            parse_ok(BASE_HEAD "'mounts': [{'destination': '/a/b/../../../c/./d//'},"
                               " {'destination': '/'}, {'destination': '/x/..'}]}");
        assert_string_equal(c->mounts[0].destination, "/c/d");
        assert_string_equal(c->mounts[1].destination, "/");
        assert_string_equal(c->mounts[2].destination, "/");
        hull_oci_config_free(c);
}

static void test_process_args_cwd_env(void **state)
{
        (void)state;
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': []}}", "[]",
                    ".process.args: must hold at least the program to run");
        check_error(BASE_HEAD "'process': {'cwd': '/'}}", "{'cwd'",
                    ".process.args: missing required field");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': null}}", "{'cwd'",
                    ".process.args: missing required field");
        check_error(BASE_HEAD "'process': {'cwd': 'home', 'args': ['sh']}}", "'home'",
                    ".process.cwd: \"home\" is not an absolute path");
        check_error(BASE_HEAD "'process': {'args': ['sh']}}", "{'args'",
                    ".process.cwd: missing required field");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'env': ['A=1', 'B']}}",
                    "'B'", ".process.env[1]: \"B\" is not of the form NAME=value");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'env': ['=x']}}", "'=x'",
                    ".process.env[0]: \"=x\" has an empty variable name");
        /* messages stay on one line whatever the value holds */
        check_error(BASE_HEAD "'process': {'cwd': 'a\\nb', 'args': ['sh']}}", "'a\\nb'",
                    ".process.cwd: \"a\\u000ab\" is not an absolute path");
}

static void test_rlimits(void **state)
{
        (void)state;
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'rlimits': [\n"
                              "  {'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]}}",
                    "'RLIMIT_FOO'", ".process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'rlimits': [\n"
                              "  {'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1},\n"
                              "  {'type': 'RLIMIT_CORE', 'soft': 1, 'hard': 1},\n"
                              "  {'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]}}",
                    "'RLIMIT_NOFILE', 'soft': 2",
                    ".process.rlimits[2].type: rlimit \"RLIMIT_NOFILE\" is listed twice");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'rlimits': [\n"
                              "  {'type': 'RLIMIT_NOFILE', 'soft': 10, 'hard': 5}]}}",
                    "{'type'", ".process.rlimits[0]: soft limit 10 is above hard limit 5");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'rlimits': [\n"
                              "  {'type': 'RLIMIT_NOFILE', 'soft': -1, 'hard': 5}]}}",
                    "-1", ".process.rlimits[0].soft: -1 is out of range (0..18446744073709551615)");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'rlimits': [\n"
                              "  {'type': 'RLIMIT_NOFILE', 'soft': 1}]}}",
                    "{'type'", ".process.rlimits[0].hard: missing required field");
}

static void test_ranges(void **state)
{
        (void)state;
#define PROC_USER(u) BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'user': " u "}}"
        check_error(PROC_USER("{'uid': -1, 'gid': 0}"), "-1",
                    ".process.user.uid: -1 is out of range (0..4294967294)");
        check_error(PROC_USER("{'uid': 4294967296, 'gid': 0}"), "4294967296",
                    ".process.user.uid: 4294967296 is out of range (0..4294967294)");
        check_error(PROC_USER("{'uid': 0, 'gid': 4294967295}"), "4294967295",
                    ".process.user.gid: 4294967295 is out of range (0..4294967294)");
        check_error(PROC_USER("{'uid': 0, 'gid': 0, 'umask': 512}"), "512",
                    ".process.user.umask: 512 is out of range (0..511)");
        check_error(PROC_USER("{'uid': 0, 'gid': 0, 'umask': -2}"), "-2",
                    ".process.user.umask: -2 is out of range (0..511)");
        check_error(PROC_USER("{'uid': 0, 'gid': 0, 'additionalGids': [1, -5]}"), "-5",
                    ".process.user.additionalGids[1]: -5 is out of range (0..4294967294)");
        check_error(PROC_USER("{'uid': 18446744073709551615, 'gid': 0}"), "18446744073709551615",
                    ".process.user.uid: 18446744073709551615 is out of range (0..4294967294)");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'oomScoreAdj': 1001}}",
                    "1001", ".process.oomScoreAdj: 1001 is out of range (-1000..1000)");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'oomScoreAdj': -1001}}",
                    "-1001", ".process.oomScoreAdj: -1001 is out of range (-1000..1000)");
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'user'}], 'uidMappings': [\n"
                              "  {'containerID': 0, 'hostID': 1, 'size': 0}]}}",
                    "0}", ".linux.uidMappings[0].size: 0 is out of range (1..4294967295)");
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'user'}], 'gidMappings': [\n"
                              "  {'containerID': 4294967295, 'hostID': 1, 'size': 1}]}}",
                    "{'containerID'",
                    ".linux.gidMappings[0]: id range [4294967295, 4294967296) or [1, 2) goes "
                    "past 4294967295");
        check_error(BASE_HEAD "'hooks': {'poststart': [{'path': '/x', 'timeout': 0}]}}", "0}",
                    ".hooks.poststart[0].timeout: 0 is out of range (1..2147483647)");
        check_error(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'consoleSize': "
                              "{'height': -1, 'width': 1}}}",
                    "-1", ".process.consoleSize.height: -1 is out of range (0..4294967295)");
        struct hull_oci_config *c =
            parse_ok(BASE_HEAD "'process': {'cwd': '/', 'args': ['sh'], 'oomScoreAdj': -1000,"
                               " 'user': {'uid': 4294967294, 'gid': 0, 'umask': 0}}}");
        assert_int_equal(c->process->oom_score_adj, -1000);
        assert_int_equal(c->process->user.uid, 4294967294u);
        assert_true(c->process->user.has_umask);
        assert_false(c->process->has_console_size);
        hull_oci_config_free(c);
#undef PROC_USER
}

static void test_cross_checks(void **state)
{
        (void)state;
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'pid'}],\n"
                              "  'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}}",
                    "[{'containerID'",
                    ".linux.uidMappings: id mappings need a user namespace: add {\"type\": "
                    "\"user\"} to .linux.namespaces");
        check_error(BASE_HEAD "'linux': {'gidMappings': [{'containerID': 0, 'hostID': 1000, "
                              "'size': 1}]}}",
                    "[{'containerID'",
                    ".linux.gidMappings: id mappings need a user namespace: add {\"type\": "
                    "\"user\"} to .linux.namespaces");
        check_error(BASE_HEAD "'hostname': 'h', 'linux': {'namespaces': [{'type': 'mount'}]}}",
                    "'h'",
                    ".hostname: setting the hostname needs a UTS namespace: add {\"type\": "
                    "\"uts\"} to .linux.namespaces");
        check_error(BASE_HEAD "'domainname': 'd'}", "'d'",
                    ".domainname: setting the domain name needs a UTS namespace: add {\"type\": "
                    "\"uts\"} to .linux.namespaces");
        check_error(BASE_HEAD "'linux': {'timeOffsets': {'boottime': {'secs': 1}}}}", "{'boottime'",
                    ".linux.timeOffsets: time offsets need a new time namespace: add {\"type\": "
                    "\"time\"} without a path to .linux.namespaces");
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'time', 'path': '/proc/1/ns/time'}"
                              "], 'timeOffsets': {'boottime': {'secs': 1}}}}",
                    "{'boottime'",
                    ".linux.timeOffsets: time offsets need a new time namespace: add {\"type\": "
                    "\"time\"} without a path to .linux.namespaces");
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'time'}], 'timeOffsets': "
                              "{'realtime': {'secs': 1}}}}",
                    "{'secs'",
                    ".linux.timeOffsets.realtime: unknown clock \"realtime\" (expected monotonic "
                    "or boottime)");
        check_error(BASE_HEAD "'linux': {'namespaces': [{'type': 'time'}], 'timeOffsets': "
                              "{'monotonic': {'nanosecs': 1000000000}}}}",
                    "1000000000",
                    ".linux.timeOffsets.monotonic.nanosecs: 1000000000 is out of range "
                    "(0..999999999)");
        /* a UTS namespace joined by path is enough, as for runc */
        struct hull_oci_config *c =
            parse_ok(BASE_HEAD "'hostname': 'h', 'linux': {'namespaces': [{'type': 'uts', 'path': "
                               "'/proc/1/ns/uts'}]}}");
        assert_string_equal(c->hostname, "h");
        hull_oci_config_free(c);
}

static void test_devices(void **state)
{
        (void)state;
        check_error(BASE_HEAD "'linux': {'devices': [{'path': '/dev/x', 'type': 'x', "
                              "'major': 1, 'minor': 1}]}}",
                    "'x'",
                    ".linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)");
        check_error(BASE_HEAD "'linux': {'devices': [{'path': '/dev/x', 'type': 'cb', "
                              "'major': 1, 'minor': 1}]}}",
                    "'cb'",
                    ".linux.devices[0].type: unknown device type \"cb\" (expected c, b, u or p)");
        check_error(BASE_HEAD "'linux': {'devices': [{'path': '/dev/f', 'type': 'p', "
                              "'major': 4, 'minor': 0}]}}",
                    "4,", ".linux.devices[0].major: must be absent or 0 for a FIFO (type \"p\")");
        check_error(BASE_HEAD "'linux': {'devices': [{'path': '/dev/f', 'type': 'p', "
                              "'minor': 3}]}}",
                    "3}", ".linux.devices[0].minor: must be absent or 0 for a FIFO (type \"p\")");
        check_error(BASE_HEAD "'linux': {'devices': [{'path': 'dev/x', 'type': 'b', "
                              "'major': 8, 'minor': 0}]}}",
                    "'dev/x'", ".linux.devices[0].path: \"dev/x\" is not an absolute path");
        check_error(BASE_HEAD "'linux': {'devices': [{'path': '/dev/x', 'type': 'u', "
                              "'major': -1, 'minor': 0}]}}",
                    "-1", ".linux.devices[0].major: -1 is out of range (0..4294967295)");
        struct hull_oci_config *c =
            parse_ok(BASE_HEAD "'linux': {'devices': [{'path': '/dev/f', 'type': 'p'},"
                               " {'path': '/dev/u', 'type': 'u', 'major': 1, 'minor': 2}]}}");
        assert_int_equal(c->linux_.devices[0].type, 'p');
        assert_int_equal(c->linux_.devices[1].type, 'u');
        assert_int_equal(c->linux_.devices[1].minor, 2);
        hull_oci_config_free(c);
}

static void test_sysctl_propagation_paths(void **state)
{
        (void)state;
        static const char *const valid[] = {"shared",  "slave",  "private",  "unbindable",
                                            "rshared", "rslave", "rprivate", "runbindable"};
        char buf[256];
        check_error(BASE_HEAD "'linux': {'sysctl': {'': '1'}}}", "'1'",
                    ".linux.sysctl[\"\"]: empty sysctl name");
        check_error(BASE_HEAD "'linux': {'sysctl': []}}", "[]",
                    ".linux.sysctl: expected an object, got array");
        check_error(BASE_HEAD "'linux': {'rootfsPropagation': 'rshare'}}", "'rshare'",
                    ".linux.rootfsPropagation: unknown propagation \"rshare\" (expected shared, "
                    "slave, private, unbindable, rshared, rslave, rprivate or runbindable)");
        check_error(BASE_HEAD "'linux': {'maskedPaths': ['/ok', 'proc/kcore']}}", "'proc/kcore'",
                    ".linux.maskedPaths[1]: \"proc/kcore\" is not an absolute path");
        check_error(BASE_HEAD "'linux': {'readonlyPaths': ['sys']}}", "'sys'",
                    ".linux.readonlyPaths[0]: \"sys\" is not an absolute path");
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
                snprintf(buf, sizeof(buf), BASE_HEAD "'linux': {'rootfsPropagation': '%s'}}",
                         valid[i]);
                struct hull_oci_config *c = parse_ok(buf);
                assert_string_equal(c->linux_.rootfs_propagation, valid[i]);
                hull_oci_config_free(c);
        }
        struct hull_oci_config *c = parse_ok(BASE_HEAD "'linux': {'rootfsPropagation': ''}}");
        assert_null(c->linux_.rootfs_propagation);
        hull_oci_config_free(c);
}

static void test_hooks(void **state)
{
        (void)state;
        check_error(BASE_HEAD "'hooks': {'createRuntime': [{'path': 'hook.sh'}]}}", "'hook.sh'",
                    ".hooks.createRuntime[0].path: \"hook.sh\" is not an absolute path");
        check_error(BASE_HEAD "'hooks': {'poststop': [{'path': '/h', 'timeout': -3}]}}", "-3",
                    ".hooks.poststop[0].timeout: -3 is out of range (1..2147483647)");
        check_error(BASE_HEAD "'hooks': {'poststop': {'path': '/h'}}}", "{'path': '/h'",
                    ".hooks.poststop: expected an array, got object");
        check_error(BASE_HEAD "'hooks': {'prestart': [{'path': '/h', 'args': 'x'}]}}", "'x'",
                    ".hooks.prestart[0].args: expected an array, got string");
}

/* Positions in nested documents, arrays, odd keys, duplicates and multi-byte characters. */
static void test_locator(void **state)
{
        (void)state;
        unsigned line = 0, col = 0;
        char *t = dq("{'a': {'b.c': [1, {'d': 'x'}], 'a': 2},\n"
                     " 'q\\'k': [[10, 20], [30, {'e\\u0041': [40]}]],\n"
                     " 'u': 'h\\u00e9llo', 'é': {'z': 5},\n"
                     " 'dup': 1, 'dup': {'n': 7}}");
        size_t len = strlen(t);
        assert_int_equal(hull_json_locate(t, len, "", &line, &col), 0);
        assert_int_equal(line, 1);
        assert_int_equal(col, 1);
        assert_int_equal(hull_json_locate(t, len, ".a[\"b.c\"][1].d", &line, &col), 0);
        assert_int_equal(line, 1);
        assert_int_equal(col, 25);
        assert_int_equal(hull_json_locate(t, len, ".a.a", &line, &col), 0);
        assert_int_equal(col, 37);
        assert_int_equal(hull_json_locate(t, len, "[\"q\\\"k\"][1][1].eA[0]", &line, &col), 0);
        assert_int_equal(line, 2);
        assert_int_equal(col, 39);
        assert_int_equal(hull_json_locate(t, len, "[\"é\"].z", &line, &col), 0);
        assert_int_equal(line, 3);
        assert_int_equal(col, 32); /* characters, not bytes: é is two bytes */
        assert_int_equal(hull_json_locate(t, len, ".dup.n", &line, &col), 0);
        assert_int_equal(line, 4);
        assert_int_equal(col, 25);
        assert_int_equal(hull_json_locate(t, len, ".missing", &line, &col), -ENOENT);
        assert_int_equal(hull_json_locate(t, len, ".a[\"b.c\"][2]", &line, &col), -ENOENT);
        assert_int_equal(hull_json_locate(t, len, ".a.a.deeper", &line, &col), -ENOENT);
        assert_int_equal(hull_json_locate(t, len, ".a[0]", &line, &col), -ENOENT);
        assert_int_equal(hull_json_locate(t, len, "a", &line, &col), -EINVAL);
        assert_int_equal(hull_json_locate(t, len, ".a[x]", &line, &col), -EINVAL);
        assert_int_equal(hull_json_locate(NULL, 0, ".a", &line, &col), -ENOENT);

        /* the same paths through jansson */
        json_t *root = json_loads(t, 0, NULL);
        assert_non_null(root);
        assert_string_equal(json_string_value(hull_json_path_get(root, ".a[\"b.c\"][1].d")), "x");
        assert_int_equal(json_integer_value(hull_json_path_get(root, "[\"q\\\"k\"][1][1].eA[0]")),
                         40);
        assert_int_equal(json_integer_value(hull_json_path_get(root, ".dup.n")), 7);
        assert_ptr_equal(hull_json_path_get(root, ""), root);
        assert_null(hull_json_path_get(root, ".a[\"b.c\"][5]"));
        assert_null(hull_json_path_get(root, ".a.a.b"));
        json_decref(root);
        free(t);

        const char *ml = "{\n  \"x\": [\n    1,\n\t2\n  ]\n}";
        assert_int_equal(hull_json_locate(ml, strlen(ml), ".x[1]", &line, &col), 0);
        assert_int_equal(line, 4);
        assert_int_equal(col, 2);
        /* not NUL-terminated: only LEN bytes are read */
        assert_int_equal(hull_json_locate("{\"a\": 1}", 5, ".a", &line, &col), -ENOENT);
}

static void test_path_building(void **state)
{
        (void)state;
        char buf[HULL_JSON_PATH_MAX];
        hull_json_path_key(buf, sizeof(buf), "", "process");
        assert_string_equal(buf, ".process");
        hull_json_path_key(buf, sizeof(buf), buf, "_a1");
        assert_string_equal(buf, ".process._a1");
        hull_json_path_index(buf, sizeof(buf), ".args", 12);
        assert_string_equal(buf, ".args[12]");
        hull_json_path_key(buf, sizeof(buf), ".s", "net.ipv4.ip_forward");
        assert_string_equal(buf, ".s[\"net.ipv4.ip_forward\"]");
        hull_json_path_key(buf, sizeof(buf), "", "a\"b\\c\n");
        assert_string_equal(buf, "[\"a\\\"b\\\\c\\u000a\"]");
        hull_json_path_key(buf, sizeof(buf), "", "1x");
        assert_string_equal(buf, "[\"1x\"]");
        hull_json_path_key(buf, sizeof(buf), "", "");
        assert_string_equal(buf, "[\"\"]");
        char small[8];
        hull_json_path_key(small, sizeof(small), ".process", "args");
        assert_string_equal(small, ".proces");
}

static void test_big_integers(void **state)
{
        (void)state;
        json_error_t e;
        char **big = NULL;
        const char *t = "{\"a\": [1, 18446744073709551615], \"b\": 9223372036854775808,"
                        " \"c\": 9223372036854775807, \"d\": 1, \"d\": 18446744073709551614,"
                        " \"e\": 18446744073709551613, \"e\": 2}";
        json_t *root = hull_json_load_u64(t, strlen(t), &e, &big);
        assert_non_null(root);
        assert_non_null(big);
        assert_true((uint64_t)json_integer_value(hull_json_path_get(root, ".a[1]")) == UINT64_MAX);
        assert_true((uint64_t)json_integer_value(json_object_get(root, "b")) ==
                    9223372036854775808u);
        assert_int_equal(json_integer_value(json_object_get(root, "c")), INT64_MAX);
        assert_true((uint64_t)json_integer_value(json_object_get(root, "d")) ==
                    18446744073709551614u);
        /* the dropped duplicate must not overwrite the value jansson kept */
        assert_int_equal(json_integer_value(json_object_get(root, "e")), 2);
        assert_string_equal(big[0], ".a[1]");
        assert_string_equal(big[1], ".b");
        assert_string_equal(big[2], ".d");
        assert_null(big[3]);
        for (char **p = big; *p; p++)
                free(*p);
        free(big);
        json_decref(root);

        root = hull_json_load_u64("{\"a\": -5}", 9, &e, &big);
        assert_non_null(root);
        assert_null(big);
        json_decref(root);
}

static void test_default_spec(void **state)
{
        (void)state;
        for (int rootless = 0; rootless <= 1; rootless++) {
                json_t *spec = hull_oci_default_spec(rootless, 1234, 5678);
                assert_non_null(spec);
                char *text = json_dumps(spec, JSON_INDENT(2));
                assert_non_null(text);
                struct hull_err err = {0};
                struct hull_oci_config *c = NULL;
                if (hull_oci_config_parse("spec.json", text, strlen(text), &c, &err) < 0)
                        fail_msg("default spec (rootless=%d) does not parse: %s", rootless,
                                 err.msg);
                assert_string_equal(c->oci_version, "1.2.0");
                assert_string_equal(c->root_path, "rootfs");
                assert_true(c->root_readonly);
                assert_string_equal(c->hostname, "hull");
                assert_true(c->process->terminal);
                assert_string_equal(c->process->args[0], "sh");
                assert_null(c->process->args[1]);
                assert_string_equal(c->process->env[1], "TERM=xterm");
                assert_string_equal(c->process->cwd, "/");
                assert_true(c->process->no_new_privileges);
                assert_string_equal(c->process->capabilities->bounding[2], "CAP_NET_BIND_SERVICE");
                assert_string_equal(c->process->capabilities->effective[0], "CAP_AUDIT_WRITE");
                assert_string_equal(c->process->capabilities->permitted[1], "CAP_KILL");
                assert_null(c->process->capabilities->ambient);
                assert_int_equal(c->process->rlimits[0].resource, RLIMIT_NOFILE);
                assert_int_equal(c->process->rlimits[0].soft, 1024);
                assert_int_equal(c->n_mounts, 7);
                assert_string_equal(c->mounts[0].destination, "/proc");
                assert_int_equal(c->mounts[0].n_options, 0);
                assert_string_equal(c->mounts[2].destination, "/dev/pts");
                assert_string_equal(c->mounts[5].destination, "/sys");
                assert_string_equal(c->mounts[6].destination, "/sys/fs/cgroup");
                assert_string_equal(c->mounts[6].options[4], "ro");
                assert_string_equal(c->linux_.masked_paths[0], "/proc/acpi");
                assert_string_equal(c->linux_.masked_paths[9], "/proc/scsi");
                assert_null(c->linux_.masked_paths[10]);
                assert_string_equal(c->linux_.readonly_paths[4], "/proc/sysrq-trigger");
                assert_non_null(hull_oci_config_namespace(c, HULL_NS_PID));
                assert_non_null(hull_oci_config_namespace(c, HULL_NS_CGROUP));
                assert_non_null(hull_oci_config_namespace(c, HULL_NS_UTS));
                if (rootless) {
                        assert_int_equal(c->n_mounts, 7);
                        assert_string_equal(c->mounts[2].options[4], "mode=0620");
                        assert_int_equal(c->mounts[2].n_options, 5); /* no gid=5 */
                        assert_string_equal(c->mounts[5].type, "none");
                        assert_string_equal(c->mounts[5].source, "/sys");
                        assert_string_equal(c->mounts[5].options[0], "rbind");
                        assert_null(hull_oci_config_namespace(c, HULL_NS_NETWORK));
                        assert_non_null(hull_oci_config_namespace(c, HULL_NS_USER));
                        assert_int_equal(c->linux_.n_uid_mappings, 1);
                        assert_int_equal(c->linux_.uid_mappings[0].host_id, 1234);
                        assert_int_equal(c->linux_.uid_mappings[0].container_id, 0);
                        assert_int_equal(c->linux_.uid_mappings[0].size, 1);
                        assert_int_equal(c->linux_.gid_mappings[0].host_id, 5678);
                        assert_null(c->linux_.resources);
                } else {
                        assert_int_equal(c->mounts[2].n_options, 6);
                        assert_string_equal(c->mounts[2].options[5], "gid=5");
                        assert_string_equal(c->mounts[5].type, "sysfs");
                        assert_non_null(hull_oci_config_namespace(c, HULL_NS_NETWORK));
                        assert_null(hull_oci_config_namespace(c, HULL_NS_USER));
                        assert_int_equal(c->linux_.n_uid_mappings, 0);
                        assert_non_null(c->linux_.resources);
                }
                hull_oci_config_free(c);
                free(text);
                json_decref(spec);
        }
}

static void test_process_parse(void **state)
{
        (void)state;
        struct hull_err err = {0};
        struct hull_oci_process *p = NULL;
        json_t *obj = json_pack("{s:s, s:[s, s], s:{s:s}}", "cwd", "/w", "args", "top", "-b",
                                "scheduler", "policy", "SCHED_BATCH");
        assert_int_equal(hull_oci_process_parse("proc.json", obj, "", &p, &err), 0);
        assert_string_equal(p->cwd, "/w");
        assert_string_equal(p->args[1], "-b");
        assert_non_null(p->env);
        assert_null(p->env[0]);
        assert_ptr_equal(p->scheduler, json_object_get(obj, "scheduler"));
        hull_oci_process_free(p);
        hull_oci_process_free(NULL);
        json_object_del(obj, "args");
        p = NULL;
        assert_int_equal(hull_oci_process_parse("proc.json", obj, "", &p, &err), -EINVAL);
        assert_null(p);
        assert_string_equal(err.msg, "proc.json: .args: missing required field");
        json_decref(obj);

        json_t *root = NULL;
        char *t = dq("{'cwd': '/', 'args': ['sh'],\n 'rlimits': [{'type': 'RLIMIT_CPU', 'soft': "
                     "18446744073709551615, 'hard': 18446744073709551615}], 'user': {'uid': 5, "
                     "'gid': 6}, 'ioPriority': {'class': 'IOPRIO_CLASS_IDLE'}}");
        assert_int_equal(hull_oci_process_parse_text("p.json", t, strlen(t), &root, &p, &err), 0);
        assert_true(p->rlimits[0].hard == UINT64_MAX);
        assert_int_equal(p->user.gid, 6);
        assert_ptr_equal(p->io_priority, json_object_get(root, "ioPriority"));
        hull_oci_process_free(p);
        json_decref(root);
        free(t);
        t = dq("{'cwd': '/', 'args': ['sh'],\n  'terminal': 'no'}");
        root = NULL;
        p = NULL;
        assert_int_equal(hull_oci_process_parse_text("p.json", t, strlen(t), &root, &p, &err),
                         -EINVAL);
        assert_null(root);
        assert_null(p);
        assert_string_equal(err.msg, "p.json:2:15: .terminal: expected a boolean, got string");
        free(t);
}

static void test_load_file(void **state)
{
        (void)state;
        char dir[] = "/tmp/test_oci_config.XXXXXX";
        char path[64];
        struct hull_err err = {0};
        struct hull_oci_config *c = NULL;
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/config.json", dir);
        assert_true(hull_oci_config_load(path, &c, &err) < 0);
        assert_non_null(strstr(err.msg, path));
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("{\"ociVersion\": \"1.2.0\",\n \"root\": {\"path\": 5}}", f);
        fclose(f);
        assert_int_equal(hull_oci_config_load(path, &c, &err), -EINVAL);
        char expected[256];
        snprintf(expected, sizeof(expected), "%s:2:19: .root.path: expected a string, got number",
                 path);
        assert_string_equal(err.msg, expected);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}}", f);
        fclose(f);
        assert_int_equal(hull_oci_config_load(path, &c, &err), 0);
        assert_string_equal(c->path, path);
        hull_oci_config_free(c);

        json_t *root = NULL;
        struct hull_oci_process *p = NULL;
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("{\"cwd\": \"/\", \"args\": [\"ls\"]}", f);
        fclose(f);
        assert_int_equal(hull_oci_process_load(path, &root, &p, &err), 0);
        assert_string_equal(p->args[0], "ls");
        hull_oci_process_free(p);
        json_decref(root);
        unlink(path);
        rmdir(dir);
}

static void test_names(void **state)
{
        (void)state;
        static const char *const names[] = {"pid", "network", "mount",  "ipc",
                                            "uts", "user",    "cgroup", "time"};
        static const char *const proc[] = {"pid", "net",  "mnt",    "ipc",
                                           "uts", "user", "cgroup", "time"};
        for (int t = 0; t < HULL_NS_COUNT; t++) {
                assert_int_equal(hull_ns_type_from_string(names[t]), t);
                assert_string_equal(hull_ns_type_to_string((enum hull_ns_type)t), names[t]);
                assert_string_equal(hull_ns_type_proc_name((enum hull_ns_type)t), proc[t]);
                assert_true(hull_ns_type_clone_flag((enum hull_ns_type)t) != 0);
        }
        assert_int_equal(hull_ns_type_from_string("net"), -EINVAL);
        assert_int_equal(hull_ns_type_from_string(NULL), -EINVAL);
        assert_null(hull_ns_type_to_string(HULL_NS_COUNT));
        assert_int_equal(hull_ns_type_clone_flag(HULL_NS_NETWORK), 0x40000000);
        assert_int_equal(hull_ns_type_clone_flag(HULL_NS_MOUNT), 0x00020000);
        assert_int_equal(hull_ns_type_clone_flag(HULL_NS_TIME), 0x00000080);
        assert_int_equal(hull_ns_type_clone_flag(HULL_NS_CGROUP), 0x02000000);
        assert_string_equal(hull_status_to_string(HULL_STATUS_CREATING), "creating");
        assert_string_equal(hull_status_to_string(HULL_STATUS_CREATED), "created");
        assert_string_equal(hull_status_to_string(HULL_STATUS_RUNNING), "running");
        assert_string_equal(hull_status_to_string(HULL_STATUS_PAUSED), "paused");
        assert_string_equal(hull_status_to_string(HULL_STATUS_STOPPED), "stopped");
}

/* Every prefix of a valid document fails cleanly (no crash, no leak, one line). */
static void test_truncated_documents(void **state)
{
        (void)state;
        char *t = dq(full_config);
        size_t len = strlen(t);
        for (size_t n = 0; n < len - 2; n += 7) {
                struct hull_err err = {0};
                struct hull_oci_config *c = NULL;
                assert_true(hull_oci_config_parse(NAME, t, n, &c, &err) < 0);
                assert_null(c);
                assert_int_equal(strncmp(err.msg, NAME ":", strlen(NAME) + 1), 0);
                assert_null(strchr(err.msg, '\n'));
        }
        free(t);
}

/* One character changed anywhere (wrong names, types, paths, missing fields): parsing either
 * succeeds or fails with one line naming the file; partly built configs are freed (ASan). */
static void test_mutated_documents(void **state)
{
        (void)state;
        static const char replacements[] = {'x', '-', '0'};
        char *t = dq(full_config);
        size_t len = strlen(t);
        size_t failures = 0;
        for (size_t i = 0; i < len; i++) {
                for (size_t k = 0; k < sizeof(replacements); k++) {
                        char saved = t[i];
                        /* 'x' everywhere; '-' and '0' where they turn into numbers or types */
                        if (saved == replacements[k] ||
                            (k > 0 && saved != '"' && !(saved >= '0' && saved <= '9') &&
                             saved != 't' && saved != 'f'))
                                continue;
                        t[i] = replacements[k];
                        struct hull_err err = {0};
                        struct hull_oci_config *c = NULL;
                        int r = hull_oci_config_parse(NAME, t, len, &c, &err);
                        if (r < 0) {
                                assert_null(c);
                                assert_int_equal(strncmp(err.msg, NAME ":", strlen(NAME) + 1), 0);
                                assert_null(strchr(err.msg, '\n'));
                                failures++;
                        } else {
                                hull_oci_config_free(c);
                        }
                        t[i] = saved;
                }
        }
        assert_true(failures > len);
        free(t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_full_config),
            cmocka_unit_test(test_minimal_config),
            cmocka_unit_test(test_syntax_error),
            cmocka_unit_test(test_not_an_object),
            cmocka_unit_test(test_wrong_types),
            cmocka_unit_test(test_missing_required),
            cmocka_unit_test(test_namespaces),
            cmocka_unit_test(test_mounts),
            cmocka_unit_test(test_process_args_cwd_env),
            cmocka_unit_test(test_rlimits),
            cmocka_unit_test(test_ranges),
            cmocka_unit_test(test_cross_checks),
            cmocka_unit_test(test_devices),
            cmocka_unit_test(test_sysctl_propagation_paths),
            cmocka_unit_test(test_hooks),
            cmocka_unit_test(test_locator),
            cmocka_unit_test(test_path_building),
            cmocka_unit_test(test_big_integers),
            cmocka_unit_test(test_default_spec),
            cmocka_unit_test(test_process_parse),
            cmocka_unit_test(test_load_file),
            cmocka_unit_test(test_names),
            cmocka_unit_test(test_truncated_documents),
            cmocka_unit_test(test_mutated_documents),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

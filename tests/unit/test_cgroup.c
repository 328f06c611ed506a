/* The cgroup module without a kernel: conversions, path handling, mountinfo parsing, the device
 * eBPF program (run by a tiny interpreter here), and whole create/apply/destroy runs against
 * fake v1, hybrid and v2 trees in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cgroup/cgroup.h"
#include "cgroup/cgroup_internal.h"

/* ---- conversions ---- */

static void test_shares_to_weight(void **state)
{
        (void)state;
        /* Values of the quadratic-in-log formula of runc >= 1.3.2 and crun >= 1.23. */
        static const uint64_t cases[][2] = {
            {0, 0},       {1, 1},         {2, 1},          {3, 2},          {10, 4},
            {100, 17},    {512, 59},      {1024, 100},     {2048, 174},     {4096, 303},
            {10000, 627}, {100000, 4340}, {262143, 10000}, {262144, 10000}, {1000000, 10000},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint64_t w = hull_cgroup_shares_to_weight(cases[i][0]);
                if (w != cases[i][1])
                        fail_msg("shares %llu -> %llu, want %llu", (unsigned long long)cases[i][0],
                                 (unsigned long long)w, (unsigned long long)cases[i][1]);
        }
}

static void test_blkio_to_io_weight(void **state)
{
        (void)state;
        assert_int_equal(hull_cgroup_blkio_to_io_weight(0), 0);
        assert_int_equal(hull_cgroup_blkio_to_io_weight(10), 1);
        assert_int_equal(hull_cgroup_blkio_to_io_weight(500), 4950);
        assert_int_equal(hull_cgroup_blkio_to_io_weight(1000), 10000);
}

static void test_swap_to_v2(void **state)
{
        (void)state;
        struct hull_err err = {0};
        int64_t v = 0;
        assert_int_equal(hull_cgroup_swap_to_v2(200, true, 100, &v, "c.json", &err), 0);
        assert_int_equal(v, 100);
        assert_int_equal(hull_cgroup_swap_to_v2(100, true, 100, &v, "c.json", &err), 0);
        assert_int_equal(v, 0);
        assert_int_equal(hull_cgroup_swap_to_v2(-1, true, 100, &v, "c.json", &err), 0);
        assert_int_equal(v, -1);
        assert_int_equal(hull_cgroup_swap_to_v2(0, true, 100, &v, "c.json", &err), 1);
        assert_int_equal(hull_cgroup_swap_to_v2(50, true, 100, &v, "c.json", &err), -EINVAL);
        assert_non_null(strstr(err.msg, "c.json: .linux.resources.memory.swap"));
        assert_int_equal(hull_cgroup_swap_to_v2(50, false, 0, &v, "c.json", &err), -EINVAL);
        assert_int_equal(hull_cgroup_swap_to_v2(50, true, -1, &v, "c.json", &err), -EINVAL);
}

static void test_cpu_max(void **state)
{
        (void)state;
        char buf[64];
        assert_int_equal(hull_cgroup_cpu_max(true, 50000, true, 100000, NULL, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "50000 100000");
        hull_cgroup_cpu_max(true, 20000, false, 0, "max 250000\n", buf, sizeof(buf));
        assert_string_equal(buf, "20000 250000");
        hull_cgroup_cpu_max(false, 0, true, 50000, "30000 100000\n", buf, sizeof(buf));
        assert_string_equal(buf, "30000 50000");
        hull_cgroup_cpu_max(true, -1, false, 0, "30000 100000\n", buf, sizeof(buf));
        assert_string_equal(buf, "max 100000");
        hull_cgroup_cpu_max(true, 10000, false, 0, NULL, buf, sizeof(buf));
        assert_string_equal(buf, "10000 100000");
}

static void test_hugepage_name(void **state)
{
        (void)state;
        char b[32];
        assert_int_equal(hull_cgroup_hugepage_name("2MB", b, sizeof(b)), 0);
        assert_string_equal(b, "2MB");
        assert_int_equal(hull_cgroup_hugepage_name("1GB", b, sizeof(b)), 0);
        assert_int_equal(hull_cgroup_hugepage_name("../x", b, sizeof(b)), -EINVAL);
        assert_int_equal(hull_cgroup_hugepage_name("2MB/..", b, sizeof(b)), -EINVAL);
        assert_int_equal(hull_cgroup_hugepage_name("MB", b, sizeof(b)), -EINVAL);
}

/* ---- paths ---- */

static void expect_path(const char *cgpath, const char *id, const char *self, const char *want)
{
        struct hull_err err = {0};
        char *got = NULL;
        int r = hull_cgroup_resolve_path(cgpath, id, self, &got, &err);
        if (r < 0)
                fail_msg("%s: %s", cgpath ? cgpath : "(null)", err.msg);
        assert_string_equal(got, want);
        free(got);
}

static void expect_path_error(const char *cgpath, const char *self)
{
        struct hull_err err = {0};
        char *got = NULL;
        assert_int_equal(hull_cgroup_resolve_path(cgpath, "x", self, &got, &err), -EINVAL);
        assert_null(got);
        assert_non_null(strstr(err.msg, "cgroupsPath"));
}

static void test_resolve_path(void **state)
{
        (void)state;
        expect_path(NULL, "abc", "/user.slice", "/hullc/abc");
        expect_path("", "abc", "/", "/hullc/abc");
        expect_path("/machine/c1", "abc", "/user.slice", "/machine/c1");
        expect_path("//machine/./c1/", "abc", "/", "/machine/c1");
        expect_path("c1", "abc", "/user.slice/s", "/user.slice/s/c1");
        expect_path("a/b", "abc", "/", "/a/b");
        expect_path_error("../escape", "/user.slice");
        expect_path_error("/a/../../etc", "/");
        expect_path_error("/a/..", "/");
        expect_path_error("/", "/");
        expect_path_error(".", "/user.slice");
        struct hull_err err = {0};
        char *got = NULL;
        assert_int_equal(hull_cgroup_resolve_path(NULL, "..", "/", &got, &err), -EINVAL);
        assert_int_equal(hull_cgroup_resolve_path(NULL, "a/b", "/", &got, &err), -EINVAL);
}

static const char hybrid_mountinfo[] =
    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/my\\040pids rw shared:5 - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "42 31 0:32 / /mnt/again rw,relatime - cgroup cgroup rw,memory\n";
static const char hybrid_self[] = "9:name=systemd:/user.slice\n"
                                  "8:pids:/\n"
                                  "4:memory:/process_api/abc\n"
                                  "2:cpu,cpuacct:/x\n"
                                  "0::/user.slice/u\n";

static void test_mountinfo_hybrid(void **state)
{
        (void)state;
        struct hull_err err = {0};
        struct hull_cgroup_mounts m;
        assert_int_equal(hull_cgroup_mounts_parse(hybrid_mountinfo, hybrid_self, &m, &err), 0);
        assert_int_equal(m.layout, HULL_CGROUP_LAYOUT_HYBRID);
        assert_int_equal(m.n_v1, 4); /* the second memory mount is the same hierarchy */
        assert_string_equal(m.v1[0].controllers, "cpu,cpuacct");
        assert_string_equal(m.v1[0].path, "/x");
        assert_string_equal(m.v1[1].controllers, "memory");
        assert_string_equal(m.v1[1].mount, "/sys/fs/cgroup/memory");
        assert_string_equal(m.v1[1].path, "/process_api/abc");
        assert_string_equal(m.v1[2].mount, "/sys/fs/cgroup/my pids");
        assert_string_equal(m.v1[3].controllers, "name=systemd");
        assert_string_equal(m.v1[3].path, "/user.slice");
        assert_string_equal(m.unified.mount, "/sys/fs/cgroup/unified");
        assert_string_equal(m.unified.path, "/user.slice/u");
        hull_cgroup_mounts_clear(&m);
}

static void test_mountinfo_v2_and_v1(void **state)
{
        (void)state;
        struct hull_err err = {0};
        struct hull_cgroup_mounts m;
        /* A container's view: the mount's root is its own cgroup. */
        const char *v2 = "29 23 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        assert_int_equal(hull_cgroup_mounts_parse(v2, "0::/kubepods/pod1/c\n", &m, &err), 0);
        assert_int_equal(m.layout, HULL_CGROUP_LAYOUT_V2);
        assert_int_equal(m.n_v1, 0);
        assert_string_equal(m.unified.path, "/c");
        hull_cgroup_mounts_clear(&m);
        const char *v1 = "32 31 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        assert_int_equal(hull_cgroup_mounts_parse(v1, "4:memory:/a\n", &m, &err), 0);
        assert_int_equal(m.layout, HULL_CGROUP_LAYOUT_V1);
        assert_null(m.unified.mount);
        hull_cgroup_mounts_clear(&m);
        assert_int_equal(
            hull_cgroup_mounts_parse("1 0 8:1 / / rw - ext4 /dev/sda rw\n", "", &m, &err), -ENOENT);
}

static void test_unified_keys(void **state)
{
        (void)state;
        struct hull_err err = {0};
        assert_int_equal(hull_cgroup_unified_key_ok("memory.high", "c", &err), 0);
        assert_int_equal(hull_cgroup_unified_key_ok("io.bfq.weight", "c", &err), 0);
        assert_int_equal(hull_cgroup_unified_key_ok("../memory.max", "c", &err), -EINVAL);
        assert_int_equal(hull_cgroup_unified_key_ok("sub/memory.max", "c", &err), -EINVAL);
        assert_int_equal(hull_cgroup_unified_key_ok("memory..max", "c", &err), -EINVAL);
        assert_int_equal(hull_cgroup_unified_key_ok("memory", "c", &err), -EINVAL);
        assert_int_equal(hull_cgroup_unified_key_ok("cgroup.procs", "c", &err), -EINVAL);
        assert_int_equal(hull_cgroup_unified_key_ok("", "c", &err), -EINVAL);
        assert_non_null(strstr(err.msg, ".linux.resources.unified"));
}

/* ---- the device program, run by a minimal interpreter of the instructions it uses ---- */

static int run_bpf(const struct bpf_insn *p, size_t n, int type, unsigned access, uint32_t major,
                   uint32_t minor)
{
        uint32_t ctx[3] = {(access << 16) | (uint32_t)type, major, minor};
        uint64_t r[11] = {0};
        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                switch (i->code) {
                case BPF_LDX | BPF_W | BPF_MEM:
                        r[i->dst_reg] = ctx[i->off / 4];
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        r[i->dst_reg] = (uint32_t)r[i->src_reg];
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        r[i->dst_reg] = (uint32_t)r[i->dst_reg] & (uint32_t)i->imm;
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
                                pc += i->off;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        if (r[i->dst_reg] == (uint64_t)(int64_t)i->imm)
                                pc += i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int)r[0];
                default:
                        fail_msg("unexpected instruction %#x at %zu", i->code, pc);
                }
                assert_true(pc + 1 <= n);
        }
        fail_msg("fell off the end of the program");
        return -1;
}

/* Parse DEVICES (a JSON list, or NULL for none) as linux.resources.devices. */
static int parse_devices(const char *devices, struct hull_cgroup_resources *ret,
                         struct hull_err *err)
{
        json_error_t jerr;
        json_t *res = json_object();
        if (devices) {
                json_t *list = json_loads(devices, 0, &jerr);
                if (!list)
                        fail_msg("bad test JSON: %s", jerr.text);
                json_object_set_new(res, "devices", list);
        }
        int r = hull_cgroup_resources_parse(res, "c.json", ret, err);
        json_decref(res);
        return r;
}

static void build_prog(const char *json, bool defaults, struct bpf_insn **ret, size_t *n)
{
        struct hull_err err = {0};
        struct hull_cgroup_resources res = {0};
        if (parse_devices(json, &res, &err) < 0)
                fail_msg("%s", err.msg);
        struct hull_cgroup_dev_rule *rules = NULL;
        size_t nr = 0;
        if (hull_cgroup_dev_rules(&res, defaults, &rules, &nr, &err) < 0)
                fail_msg("%s", err.msg);
        void *p = NULL;
        assert_int_equal(hull_cgroup_dev_bpf_build(rules, nr, &p, n), 0);
        *ret = p;
        free(rules);
        hull_cgroup_resources_clear(&res);
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_device_program(void **state)
{
        (void)state;
        struct bpf_insn *p;
        size_t n;
        /* No list: deny all but the defaults. */
        build_prog(NULL, true, &p, &n);
        assert_int_equal(run_bpf(p, n, CHR, R | W, 1, 3), 1);   /* /dev/null */
        assert_int_equal(run_bpf(p, n, CHR, R | W, 136, 7), 1); /* a pty */
        assert_int_equal(run_bpf(p, n, BLK, R, 8, 0), 0);       /* /dev/sda */
        assert_int_equal(run_bpf(p, n, BLK, M, 8, 0), 1);       /* mknod is allowed */
        assert_int_equal(run_bpf(p, n, CHR, R, 1, 1), 0);       /* /dev/mem */
        free(p);

        /* The spec's usual list plus a rule of our own; later rules win. */
        build_prog("[{\"allow\":false,\"access\":\"rwm\"},"
                   "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":229,\"access\":\"rw\"},"
                   "{\"allow\":true,\"type\":\"b\",\"major\":7,\"access\":\"r\"},"
                   "{\"allow\":false,\"type\":\"b\",\"major\":7,\"minor\":1,\"access\":\"r\"}]",
                   true, &p, &n);
        assert_int_equal(run_bpf(p, n, CHR, R | W, 10, 229), 1);
        assert_int_equal(run_bpf(p, n, CHR, M, 10, 229), 1); /* c *:* m default */
        assert_int_equal(run_bpf(p, n, BLK, R, 7, 0), 1);
        assert_int_equal(run_bpf(p, n, BLK, R | W, 7, 0), 0); /* write not allowed */
        assert_int_equal(run_bpf(p, n, BLK, R, 7, 1), 0);     /* denied by the later rule */
        assert_int_equal(run_bpf(p, n, CHR, R, 1, 3), 1);
        free(p);

        /* A list without a deny-all keeps v1's default: allow, with exceptions. */
        build_prog("[{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"w\"}]",
                   false, &p, &n);
        assert_int_equal(run_bpf(p, n, CHR, R, 1, 3), 1);
        assert_int_equal(run_bpf(p, n, CHR, W, 1, 3), 0);
        assert_int_equal(run_bpf(p, n, BLK, R | W, 8, 0), 1);
        free(p);

        /* Bad entries name their JSON path. */
        struct hull_err err = {0};
        struct hull_cgroup_resources res = {0};
        assert_int_equal(parse_devices("[{\"allow\":true,\"type\":\"x\"}]", &res, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "c.json: .linux.resources.devices[0].type"));
        assert_int_equal(parse_devices("[{\"allow\":true,\"access\":\"rwx\"}]", &res, &err),
                         -EINVAL);
        assert_non_null(strstr(err.msg, ".devices[0].access"));
        assert_false(res.has_devices); /* untouched on failure */
}

static void test_device_rule_fmt(void **state)
{
        (void)state;
        char buf[64];
        struct hull_cgroup_dev_rule r = {true, 'c', 1, -1, HULL_DEV_ACC_READ | HULL_DEV_ACC_MKNOD};
        hull_cgroup_dev_rule_fmt(&r, buf, sizeof(buf));
        assert_string_equal(buf, "c 1:* rm");
        r = (struct hull_cgroup_dev_rule){false, 'a', -1, -1, 7};
        hull_cgroup_dev_rule_fmt(&r, buf, sizeof(buf));
        assert_string_equal(buf, "a");
}

/* ---- fake trees ---- */

struct tree {
        char base[64];
        char mountinfo[96];
        char self[96];
};

static void write_file(const char *path, const char *s)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(s, f);
        fclose(f);
}

static char *slurp(const char *dir, const char *file)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        FILE *f = fopen(path, "r");
        if (!f)
                return NULL;
        static char buf[4096];
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static void expect_file(const char *dir, const char *file, const char *want)
{
        const char *got = slurp(dir, file);
        if (!got)
                fail_msg("%s/%s: missing", dir, file);
        if (strcmp(got, want) != 0)
                fail_msg("%s/%s: \"%s\", want \"%s\"", dir, file, got, want);
}

static bool exists(const char *path)
{
        return access(path, F_OK) == 0;
}

/* HIERS: "memory", "cpu,cpuacct", ..., "" for cgroup2. Each is mounted at base/<name>. */
static void tree_setup(struct tree *t, const char *const *hiers, size_t n, const char *self)
{
        snprintf(t->base, sizeof(t->base), "/tmp/hull-test-cgroup.XXXXXX");
        assert_non_null(mkdtemp(t->base));
        snprintf(t->mountinfo, sizeof(t->mountinfo), "%s/mountinfo", t->base);
        snprintf(t->self, sizeof(t->self), "%s/self", t->base);
        char info[4096] = "";
        for (size_t i = 0; i < n; i++) {
                char dir[128], line[512];
                snprintf(dir, sizeof(dir), "%s/%s", t->base, *hiers[i] ? hiers[i] : "unified");
                assert_int_equal(mkdir(dir, 0755), 0);
                if (*hiers[i])
                        snprintf(line, sizeof(line), "%zu 1 0:%zu / %s rw - cgroup cgroup rw,%s\n",
                                 30 + i, 30 + i, dir, hiers[i]);
                else
                        snprintf(line, sizeof(line), "%zu 1 0:%zu / %s rw - cgroup2 cgroup2 rw\n",
                                 30 + i, 30 + i, dir);
                strcat(info, line);
        }
        write_file(t->mountinfo, info);
        write_file(t->self, self);
        assert_int_equal(hull_cgroup_set_root_for_tests(t->mountinfo, t->self), 0);
}

static void tree_teardown(struct tree *t)
{
        hull_cgroup_set_root_for_tests(NULL, NULL);
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->base);
        assert_int_equal(system(cmd), 0);
}

static json_t *load(const char *s)
{
        json_error_t jerr;
        json_t *j = json_loads(s, 0, &jerr);
        if (!j)
                fail_msg("bad test JSON: %s", jerr.text);
        return j;
}

static void test_fake_v2(void **state)
{
        (void)state;
        struct tree t;
        static const char *const hiers[] = {""};
        tree_setup(&t, hiers, 1, "0::/\n");
        char root[128], dir[PATH_MAX];
        snprintf(root, sizeof(root), "%s/unified", t.base);
        snprintf(dir, sizeof(dir), "%s/hullc/c1", root);
        write_file(strcat(strcpy((char[PATH_MAX]){0}, root), "/cgroup.controllers"),
                   "cpuset cpu io memory hugetlb pids rdma\n");

        struct hull_err err = {0};
        enum hull_cgroup_layout layout;
        assert_int_equal(hull_cgroup_detect(&layout, &err), 0);
        assert_int_equal(layout, HULL_CGROUP_LAYOUT_V2);
        struct hull_cgroup *cg = NULL;
        if (hull_cgroup_create("c1", NULL, false, &cg, &err) < 0)
                fail_msg("%s", err.msg);
        assert_true(exists(dir));
        assert_true(hull_cgroup_clone_fd(cg) >= 0);
        assert_string_equal(hull_cgroup_path(cg), "/hullc/c1");
        /* what the kernel would show in a new cgroup with swap accounting */
        write_file(strcat(strcpy((char[PATH_MAX]){0}, dir), "/memory.swap.max"), "max\n");

        json_t *res = load("{\"memory\":{\"limit\":104857600,\"swap\":209715200,"
                           "\"reservation\":1048576},"
                           "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,"
                           "\"burst\":1000,\"cpus\":\"0-1\"},"
                           "\"pids\":{\"limit\":-1},"
                           "\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":"
                           "[{\"major\":8,\"minor\":0,\"rate\":1048576}]},"
                           "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
                           "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}},"
                           "\"unified\":{\"memory.high\":\"90000000\"}}");
        if (hull_cgroup_apply(cg, res, "config.json", &err) < 0)
                fail_msg("%s", err.msg);
        json_decref(res);
        expect_file(dir, "memory.max", "104857600");
        expect_file(dir, "memory.swap.max", "104857600"); /* swap - limit */
        expect_file(dir, "memory.low", "1048576");
        expect_file(dir, "cpu.weight", "100");
        expect_file(dir, "cpu.max", "50000 100000");
        expect_file(dir, "cpu.max.burst", "1000");
        expect_file(dir, "cpuset.cpus", "0-1");
        expect_file(dir, "pids.max", "max");
        expect_file(dir, "io.weight", "default 4950");
        expect_file(dir, "io.max", "8:0 rbps=1048576");
        expect_file(dir, "hugetlb.2MB.max", "4194304");
        expect_file(dir, "rdma.max", "mlx5_1 hca_handle=3 hca_object=max");
        expect_file(dir, "memory.high", "90000000");
        /* Only the needed controllers, written to the parents' subtree_control. */
        const char *sub = slurp(root, "cgroup.subtree_control");
        assert_non_null(sub);
        assert_non_null(strstr(sub, "+memory"));
        assert_non_null(strstr(sub, "+cpuset"));
        assert_null(strstr(sub, "+misc"));

        /* update: only what changes; the quota keeps its period. */
        res = load("{\"cpu\":{\"quota\":20000},\"memory\":{\"limit\":-1}}");
        if (hull_cgroup_apply(cg, res, "update", &err) < 0)
                fail_msg("%s", err.msg);
        json_decref(res);
        expect_file(dir, "cpu.max", "20000 100000");
        expect_file(dir, "memory.max", "max");

        /* Errors name the field. */
        res = load("{\"memory\":{\"limit\":\"1G\"}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), -EINVAL);
        assert_string_equal(err.msg,
                            "config.json: .linux.resources.memory.limit: expected an integer");
        json_decref(res);
        res = load("{\"unified\":{\"../../etc/passwd\":\"x\"}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), -EINVAL);
        json_decref(res);
        res = load("{\"cpu\":{\"realtimeRuntime\":1000}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), -ENOTSUP);
        assert_non_null(strstr(err.msg, ".linux.resources.cpu.realtimeRuntime"));
        json_decref(res);
        /* checkBeforeUpdate: not below what is in use; nothing is written */
        write_file(strcat(strcpy((char[PATH_MAX]){0}, dir), "/memory.current"), "5000\n");
        res = load("{\"memory\":{\"limit\":4096,\"checkBeforeUpdate\":true}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), -EBUSY);
        assert_string_equal(err.msg, "config.json: .linux.resources.memory.limit: 4096 is below "
                                     "the current usage 5000 (checkBeforeUpdate)");
        json_decref(res);
        expect_file(dir, "memory.max", "max");
        res = load("{\"memory\":{\"limit\":8192,\"checkBeforeUpdate\":true}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), 0);
        json_decref(res);
        expect_file(dir, "memory.max", "8192");

        /* Save, restore, destroy (twice: idempotent); the hull-owned parent goes too. */
        json_t *saved = hull_cgroup_to_json(cg);
        hull_cgroup_free(cg);
        cg = NULL;
        if (hull_cgroup_from_json(saved, &cg, &err) < 0)
                fail_msg("%s", err.msg);
        json_decref(saved);
        assert_int_equal(hull_cgroup_destroy(cg, &err), 0);
        assert_int_equal(hull_cgroup_destroy(cg, &err), 0);
        hull_cgroup_free(cg);
        assert_false(exists(dir));
        char parent[PATH_MAX];
        snprintf(parent, sizeof(parent), "%s/hullc", root);
        assert_false(exists(parent));
        tree_teardown(&t);
}

static void test_fake_paths_and_parents(void **state)
{
        (void)state;
        struct tree t;
        static const char *const hiers[] = {""};
        tree_setup(&t, hiers, 1, "0::/user.slice\n");
        char root[128], p[PATH_MAX];
        snprintf(root, sizeof(root), "%s/unified", t.base);
        snprintf(p, sizeof(p), "%s/user.slice/keep", root);
        assert_int_equal(mkdir(strcat(strcpy((char[PATH_MAX]){0}, root), "/user.slice"), 0755), 0);
        assert_int_equal(mkdir(p, 0755), 0);
        struct hull_err err = {0};

        /* relative: below the caller's cgroup; parents made by us go, existing ones stay */
        struct hull_cgroup *cg = NULL;
        if (hull_cgroup_create("c2", "keep/a/b", false, &cg, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(hull_cgroup_path(cg), "/user.slice/keep/a/b");
        snprintf(p, sizeof(p), "%s/user.slice/keep/a/b", root);
        assert_true(exists(p));
        assert_int_equal(hull_cgroup_destroy(cg, &err), 0);
        hull_cgroup_free(cg);
        assert_false(exists(p));
        snprintf(p, sizeof(p), "%s/user.slice/keep/a", root);
        assert_false(exists(p));
        snprintf(p, sizeof(p), "%s/user.slice/keep", root);
        assert_true(exists(p));

        /* absolute: from the hierarchy root */
        cg = NULL;
        if (hull_cgroup_create("c3", "/machine/c3", false, &cg, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(hull_cgroup_path(cg), "/machine/c3");
        assert_int_equal(hull_cgroup_destroy(cg, &err), 0);
        hull_cgroup_free(cg);
        snprintf(p, sizeof(p), "%s/machine", root);
        assert_false(exists(p));

        /* escapes are refused and nothing is created */
        cg = NULL;
        assert_int_equal(hull_cgroup_create("c4", "../../x", false, &cg, &err), -EINVAL);
        assert_null(cg);
        snprintf(p, sizeof(p), "%s/x", t.base);
        assert_false(exists(p));

        /* a shared parent that another container still uses stays */
        struct hull_cgroup *a = NULL, *b = NULL;
        assert_int_equal(hull_cgroup_create("a", NULL, false, &a, &err), 0);
        assert_int_equal(hull_cgroup_create("b", NULL, false, &b, &err), 0);
        assert_int_equal(hull_cgroup_destroy(a, &err), 0);
        snprintf(p, sizeof(p), "%s/hullc/b", root);
        assert_true(exists(p));
        assert_int_equal(hull_cgroup_destroy(b, &err), 0);
        snprintf(p, sizeof(p), "%s/hullc", root);
        assert_false(exists(p));
        hull_cgroup_free(a);
        hull_cgroup_free(b);
        tree_teardown(&t);
}

static void test_fake_v1(void **state)
{
        (void)state;
        struct tree t;
        static const char *const hiers[] = {"memory", "cpu,cpuacct", "cpuset",  "pids",
                                            "blkio",  "devices",     "freezer", "name=systemd"};
        tree_setup(&t, hiers, HULL_ARRAY_SIZE(hiers),
                   "8:name=systemd:/\n4:memory:/\n2:cpu,cpuacct:/\n");
        char cpuset[128], mem[PATH_MAX], cpu[PATH_MAX], p[PATH_MAX];
        snprintf(cpuset, sizeof(cpuset), "%s/cpuset", t.base);
        write_file(strcat(strcpy((char[PATH_MAX]){0}, cpuset), "/cpuset.cpus"), "0-3\n");
        write_file(strcat(strcpy((char[PATH_MAX]){0}, cpuset), "/cpuset.mems"), "0\n");
        snprintf(mem, sizeof(mem), "%s/memory/hullc/v", t.base);
        snprintf(cpu, sizeof(cpu), "%s/cpu,cpuacct/hullc/v", t.base);
        struct hull_err err = {0};
        enum hull_cgroup_layout layout;
        assert_int_equal(hull_cgroup_detect(&layout, &err), 0);
        assert_int_equal(layout, HULL_CGROUP_LAYOUT_V1);
        struct hull_cgroup *cg = NULL;
        if (hull_cgroup_create("v", NULL, false, &cg, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(hull_cgroup_clone_fd(cg), -1);
        write_file(strcat(strcpy((char[PATH_MAX]){0}, mem), "/memory.memsw.limit_in_bytes"),
                   "9223372036854771712\n");
        /* a new cpuset cgroup inherits cpus and mems, at every level made */
        snprintf(p, sizeof(p), "%s/hullc/v", cpuset);
        expect_file(p, "cpuset.cpus", "0-3\n");
        snprintf(p, sizeof(p), "%s/hullc", cpuset);
        expect_file(p, "cpuset.mems", "0\n");

        json_t *res = load("{\"memory\":{\"limit\":1000,\"swap\":2000,\"swappiness\":10,"
                           "\"disableOOMKiller\":true},"
                           "\"cpu\":{\"shares\":512,\"quota\":-1,\"period\":50000},"
                           "\"pids\":{\"limit\":32},"
                           "\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,"
                           "\"weight\":300}],\"throttleWriteIOPSDevice\":[{\"major\":8,"
                           "\"minor\":16,\"rate\":100}]},"
                           "\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}");
        if (hull_cgroup_apply(cg, res, "config.json", &err) < 0)
                fail_msg("%s", err.msg);
        json_decref(res);
        expect_file(mem, "memory.limit_in_bytes", "1000");
        expect_file(mem, "memory.memsw.limit_in_bytes", "2000");
        expect_file(mem, "memory.swappiness", "10");
        expect_file(mem, "memory.oom_control", "1");
        expect_file(cpu, "cpu.shares", "512");
        expect_file(cpu, "cpu.cfs_quota_us", "-1");
        expect_file(cpu, "cpu.cfs_period_us", "50000");
        snprintf(p, sizeof(p), "%s/pids/hullc/v", t.base);
        expect_file(p, "pids.max", "32");
        snprintf(p, sizeof(p), "%s/blkio/hullc/v", t.base);
        expect_file(p, "blkio.weight_device", "8:0 300");
        expect_file(p, "blkio.throttle.write_iops_device", "8:16 100");
        snprintf(p, sizeof(p), "%s/devices/hullc/v", t.base);
        expect_file(p, "devices.deny", "a");             /* the last deny written */
        expect_file(p, "devices.allow", "c 10:200 rwm"); /* the last default */

        /* unified keys need a v2 hierarchy */
        res = load("{\"unified\":{\"memory.high\":\"1\"}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), -ENOTSUP);
        json_decref(res);
        /* swap below the limit */
        res = load("{\"memory\":{\"limit\":3000,\"swap\":2000}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), -EINVAL);
        assert_non_null(strstr(err.msg, ".linux.resources.memory.swap"));
        json_decref(res);
        /* checkBeforeUpdate reads v1's usage file */
        write_file(strcat(strcpy((char[PATH_MAX]){0}, mem), "/memory.usage_in_bytes"), "5000\n");
        res = load("{\"memory\":{\"limit\":4096,\"checkBeforeUpdate\":true}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), -EBUSY);
        assert_non_null(strstr(err.msg, "4096 is below the current usage 5000"));
        json_decref(res);
        expect_file(mem, "memory.limit_in_bytes", "1000");

        json_t *saved = hull_cgroup_to_json(cg);
        char *dump = json_dumps(saved, JSON_COMPACT);
        assert_non_null(strstr(dump, "\"layout\":\"v1\""));
        free(dump);
        json_decref(saved);
        assert_int_equal(hull_cgroup_destroy(cg, &err), 0);
        hull_cgroup_free(cg);
        for (size_t i = 0; i < HULL_ARRAY_SIZE(hiers); i++) {
                snprintf(p, sizeof(p), "%s/%s/hullc", t.base, hiers[i]);
                if (exists(p))
                        fail_msg("%s left behind", p);
        }
        tree_teardown(&t);
}

static void test_fake_hybrid(void **state)
{
        (void)state;
        struct tree t;
        static const char *const hiers[] = {"memory", "pids", ""};
        tree_setup(&t, hiers, HULL_ARRAY_SIZE(hiers), "4:memory:/\n0::/\n");
        char u[128], p[PATH_MAX];
        snprintf(u, sizeof(u), "%s/unified", t.base);
        write_file(strcat(strcpy((char[PATH_MAX]){0}, u), "/cgroup.controllers"), "hugetlb\n");
        struct hull_err err = {0};
        struct hull_cgroup *cg = NULL;
        if (hull_cgroup_create("h", NULL, false, &cg, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(hull_cgroup_clone_fd(cg), -1);
        /* hugetlb only exists in the unified hierarchy here (as on the CI hosts) */
        json_t *res = load("{\"memory\":{\"limit\":4096},"
                           "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":2097152}]}");
        if (hull_cgroup_apply(cg, res, "config.json", &err) < 0)
                fail_msg("%s", err.msg);
        json_decref(res);
        snprintf(p, sizeof(p), "%s/memory/hullc/h", t.base);
        expect_file(p, "memory.limit_in_bytes", "4096");
        snprintf(p, sizeof(p), "%s/hullc/h", u);
        expect_file(p, "hugetlb.2MB.max", "2097152");
        expect_file(u, "cgroup.subtree_control", "+hugetlb");
        /* cpu is not mounted at all: the error says which field and why */
        res = load("{\"cpu\":{\"shares\":2}}");
        assert_int_equal(hull_cgroup_apply(cg, res, "config.json", &err), -ENOTSUP);
        assert_string_equal(err.msg, "config.json: .linux.resources.cpu: the cpu cgroup "
                                     "controller is not mounted");
        json_decref(res);
        assert_int_equal(hull_cgroup_destroy(cg, &err), 0);
        hull_cgroup_free(cg);
        assert_false(exists(p));
        tree_teardown(&t);
}

static void test_from_json_rejects(void **state)
{
        (void)state;
        struct hull_err err = {0};
        struct hull_cgroup *cg = NULL;
        json_t *j = load("{\"layout\":\"v9\"}");
        assert_int_equal(hull_cgroup_from_json(j, &cg, &err), -EINVAL);
        json_decref(j);
        j = load("{\"layout\":\"v2\",\"unified\":{\"mount\":\"/sys/fs/cgroup\","
                 "\"path\":\"/a/../..\"}}");
        assert_int_equal(hull_cgroup_from_json(j, &cg, &err), -EINVAL);
        json_decref(j);
        assert_int_equal(hull_cgroup_from_json(NULL, &cg, &err), -EINVAL);
        assert_null(cg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_shares_to_weight),
            cmocka_unit_test(test_blkio_to_io_weight),
            cmocka_unit_test(test_swap_to_v2),
            cmocka_unit_test(test_cpu_max),
            cmocka_unit_test(test_hugepage_name),
            cmocka_unit_test(test_resolve_path),
            cmocka_unit_test(test_mountinfo_hybrid),
            cmocka_unit_test(test_mountinfo_v2_and_v1),
            cmocka_unit_test(test_unified_keys),
            cmocka_unit_test(test_device_program),
            cmocka_unit_test(test_device_rule_fmt),
            cmocka_unit_test(test_fake_v2),
            cmocka_unit_test(test_fake_paths_and_parents),
            cmocka_unit_test(test_fake_v1),
            cmocka_unit_test(test_fake_hybrid),
            cmocka_unit_test(test_from_json_rejects),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

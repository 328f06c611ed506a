/* linux.resources.devices: the rule list (plus the default allow list every container gets),
 * written to devices.allow/deny on v1, compiled to a BPF_PROG_TYPE_CGROUP_DEVICE program on
 * v2 (v2 has no devices files). */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"

/* What every container may use whatever its config says, appended after the config's rules
 * (so they win), as runc does: mknod of anything, the standard character devices, ptys and
 * /dev/net/tun. */
static const struct hull_cgroup_dev_rule default_rules[] = {
    {true, 'c', -1, -1, HULL_DEV_ACC_MKNOD},
    {true, 'b', -1, -1, HULL_DEV_ACC_MKNOD},
    {true, 'c', 1, 3, 7},    /* /dev/null */
    {true, 'c', 1, 5, 7},    /* /dev/zero */
    {true, 'c', 1, 7, 7},    /* /dev/full */
    {true, 'c', 1, 8, 7},    /* /dev/random */
    {true, 'c', 1, 9, 7},    /* /dev/urandom */
    {true, 'c', 5, 0, 7},    /* /dev/tty */
    {true, 'c', 5, 2, 7},    /* /dev/ptmx */
    {true, 'c', 136, -1, 7}, /* /dev/pts/N */
    {true, 'c', 10, 200, 7}, /* /dev/net/tun */
};

int hull_cgroup_dev_rules(const struct hull_cgroup_resources *res, bool with_defaults,
                          struct hull_cgroup_dev_rule **ret, size_t *ret_n, struct hull_err *err)
{
        bool has_list = res && res->has_devices;
        size_t n_user = has_list ? res->n_devices : 0;
        /* No list at all: deny everything but the defaults (runc's generated spec says so
         * explicitly; a config that says nothing gets the same). */
        size_t n = (has_list ? n_user : 1) + (with_defaults ? HULL_ARRAY_SIZE(default_rules) : 0);
        _cleanup_free_ struct hull_cgroup_dev_rule *rules = calloc(n ? n : 1, sizeof(*rules));
        if (!rules)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t k = 0;
        if (!has_list)
                rules[k++] = (struct hull_cgroup_dev_rule){false, 'a', -1, -1, 7};
        for (size_t i = 0; i < n_user; i++)
                rules[k++] = res->devices[i];
        for (size_t i = 0; with_defaults && i < HULL_ARRAY_SIZE(default_rules); i++)
                rules[k++] = default_rules[i];
        *ret = TAKE_PTR(rules);
        *ret_n = k;
        return 0;
}

void hull_cgroup_dev_rule_fmt(const struct hull_cgroup_dev_rule *r, char *buf, size_t size)
{
        char major[24] = "*", minor[24] = "*", acc[4];
        size_t a = 0;
        if (r->type == 'a') {
                /* "a" alone means every device with every access. */
                snprintf(buf, size, "a");
                return;
        }
        if (r->major >= 0)
                snprintf(major, sizeof(major), "%" PRId64, r->major);
        if (r->minor >= 0)
                snprintf(minor, sizeof(minor), "%" PRId64, r->minor);
        if (r->access & HULL_DEV_ACC_READ)
                acc[a++] = 'r';
        if (r->access & HULL_DEV_ACC_WRITE)
                acc[a++] = 'w';
        if (r->access & HULL_DEV_ACC_MKNOD)
                acc[a++] = 'm';
        acc[a] = '\0';
        snprintf(buf, size, "%c %s:%s %s", r->type, major, minor, acc);
}

int hull_cgroup_v1_devices(const char *dir, const struct hull_cgroup_dev_rule *rules, size_t n,
                           struct hull_err *err)
{
        for (size_t i = 0; i < n; i++) {
                char line[80];
                hull_cgroup_dev_rule_fmt(&rules[i], line, sizeof(line));
                if (rules[i].access == 0)
                        continue;
                int r = hull_cg_write(dir, rules[i].allow ? "devices.allow" : "devices.deny", line,
                                      err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Does DIR's devices.list already say what RULES would make it say? Only for the usual shape
 * (deny all, then allows); anything else is rewritten. */
bool hull_cgroup_v1_devices_same(const char *dir, const struct hull_cgroup_dev_rule *rules,
                                 size_t n)
{
        if (n == 0 || rules[0].type != 'a' || rules[0].allow)
                return false;
        _cleanup_free_ char *list = NULL;
        if (hull_cg_read(dir, "devices.list", &list, NULL) < 0)
                return false;
        /* Merge the allows per device, as the kernel does. */
        _cleanup_free_ struct hull_cgroup_dev_rule *want = calloc(n, sizeof(*want));
        size_t nw = 0;
        if (!want)
                return false;
        for (size_t i = 1; i < n; i++) {
                if (!rules[i].allow || rules[i].type == 'a')
                        return false;
                size_t j = 0;
                while (j < nw &&
                       !(want[j].type == rules[i].type && want[j].major == rules[i].major &&
                         want[j].minor == rules[i].minor))
                        j++;
                if (j == nw)
                        want[nw++] = rules[i];
                else
                        want[j].access |= rules[i].access;
        }
        size_t lines = 0;
        char *save = NULL;
        for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                bool found = false;
                for (size_t j = 0; j < nw && !found; j++) {
                        char buf[80];
                        hull_cgroup_dev_rule_fmt(&want[j], buf, sizeof(buf));
                        found = strcmp(buf, line) == 0;
                }
                if (!found)
                        return false;
                lines++;
        }
        return lines == nw;
}

/* ---- the eBPF program ---- */

#define INSN(c, d, s, o, i)                                                                        \
        ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0)
#define MOV32_REG(dst, src) INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define AND32_IMM(dst, imm) INSN(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH32_IMM(dst, imm) INSN(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define MOV64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers: r2 access requested, r3 device type, r4 major, r5 minor, r6 scratch. */
int hull_cgroup_dev_bpf_build(const struct hull_cgroup_dev_rule *rules, size_t n, void **ret,
                              size_t *ret_count)
{
        /* v1 semantics: an "a" rule resets everything before it and sets the default. After
         * it, the last matching rule decides, so the rules are tested last to first. */
        size_t start = 0;
        bool default_allow = true;
        for (size_t i = 0; i < n; i++)
                if (rules[i].type == 'a') {
                        start = i + 1;
                        default_allow = rules[i].allow;
                }
        size_t cap = 8 + (n - start) * 8;
        struct bpf_insn *p = calloc(cap, sizeof(*p));
        if (!p)
                return -ENOMEM;
        size_t k = 0;
        p[k++] = LDX_W(BPF_REG_2, BPF_REG_1, 0); /* access_type = (access << 16) | type */
        p[k++] = MOV32_REG(BPF_REG_3, BPF_REG_2);
        p[k++] = AND32_IMM(BPF_REG_3, 0xffff);
        p[k++] = RSH32_IMM(BPF_REG_2, 16);
        p[k++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
        p[k++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
        for (size_t i = n; i-- > start;) {
                const struct hull_cgroup_dev_rule *r = &rules[i];
                if (r->access == 0)
                        continue;
                size_t jumps[6], nj = 0;
                int type = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
                jumps[nj++] = k;
                p[k++] = JNE_IMM(BPF_REG_3, type, 0);
                p[k++] = MOV32_REG(BPF_REG_6, BPF_REG_2);
                if (r->allow) {
                        /* allow only when every requested access is allowed */
                        p[k++] = AND32_IMM(BPF_REG_6, (int32_t)(~r->access & 7u));
                        jumps[nj++] = k;
                        p[k++] = JNE_IMM(BPF_REG_6, 0, 0);
                } else {
                        /* deny when any requested access is denied */
                        p[k++] = AND32_IMM(BPF_REG_6, (int32_t)r->access);
                        jumps[nj++] = k;
                        p[k++] = JEQ_IMM(BPF_REG_6, 0, 0);
                }
                if (r->major >= 0) {
                        jumps[nj++] = k;
                        p[k++] = JNE_IMM(BPF_REG_4, (int32_t)r->major, 0);
                }
                if (r->minor >= 0) {
                        jumps[nj++] = k;
                        p[k++] = JNE_IMM(BPF_REG_5, (int32_t)r->minor, 0);
                }
                p[k++] = MOV64_IMM(BPF_REG_0, r->allow ? 1 : 0);
                p[k++] = EXIT_INSN();
                /* A mismatch jumps to the next rule, just past this block's exit. */
                for (size_t j = 0; j < nj; j++)
                        p[jumps[j]].off = (int16_t)(k - jumps[j] - 1);
        }
        p[k++] = MOV64_IMM(BPF_REG_0, default_allow ? 1 : 0);
        p[k++] = EXIT_INSN();
        *ret = p;
        *ret_count = k;
        return 0;
}

/* glibc has no bpf() wrapper. Proposed for src/base/syscalls.h; local until then. */
static int sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
        return (int)syscall(__NR_bpf, cmd, attr, size);
}

static int prog_load(const struct bpf_insn *insns, size_t count, struct hull_err *err)
{
        static char log[16384];
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t)(uintptr_t)insns;
        attr.insn_cnt = (uint32_t)count;
        attr.license = (uint64_t)(uintptr_t) "Apache";
        snprintf(attr.prog_name, sizeof(attr.prog_name), "hull_devices");
        int fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
        if (fd >= 0)
                return fd;
        int e = errno;
        if (e == EPERM || e == ENOSYS)
                return hull_err_sys(err, e, "load the device eBPF program");
        /* Again with the verifier's log, to say why. */
        attr.log_level = 1;
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof(log);
        log[0] = '\0';
        fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
        if (fd >= 0)
                return fd;
        e = errno;
        size_t len = strlen(log);
        while (len && log[len - 1] == '\n')
                log[--len] = '\0';
        const char *last = strrchr(log, '\n');
        return hull_err_sys(err, e, "load the device eBPF program (verifier: %s)",
                            last ? last + 1 : log);
}

int hull_cgroup_v2_devices(int dirfd, const struct hull_cgroup_dev_rule *rules, size_t n,
                           struct hull_err *err)
{
        _cleanup_free_ void *insns = NULL;
        size_t count;
        if (hull_cgroup_dev_bpf_build(rules, n, &insns, &count) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int prog = prog_load(insns, count, err);
        if (prog < 0)
                return prog;
        /* The programs attached before (an earlier apply) are replaced: attach the new one
         * first, so that the cgroup is never without a filter, then detach the old. */
        uint32_t old_ids[64];
        union bpf_attr q;
        memset(&q, 0, sizeof(q));
        q.query.target_fd = (uint32_t)dirfd;
        q.query.attach_type = BPF_CGROUP_DEVICE;
        q.query.prog_ids = (uint64_t)(uintptr_t)old_ids;
        q.query.prog_cnt = HULL_ARRAY_SIZE(old_ids);
        uint32_t n_old = 0;
        if (sys_bpf(BPF_PROG_QUERY, &q, sizeof(q)) == 0)
                n_old = q.query.prog_cnt;
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t)dirfd;
        a.attach_bpf_fd = (uint32_t)prog;
        a.attach_type = BPF_CGROUP_DEVICE;
        a.attach_flags = BPF_F_ALLOW_MULTI;
        if (sys_bpf(BPF_PROG_ATTACH, &a, sizeof(a)) < 0)
                return hull_err_sys(err, errno, "attach the device eBPF program");
        for (uint32_t i = 0; i < n_old && i < HULL_ARRAY_SIZE(old_ids); i++) {
                union bpf_attr g;
                memset(&g, 0, sizeof(g));
                g.prog_id = old_ids[i];
                _cleanup_close_ int old = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g, sizeof(g));
                if (old < 0)
                        continue;
                union bpf_attr d;
                memset(&d, 0, sizeof(d));
                d.target_fd = (uint32_t)dirfd;
                d.attach_bpf_fd = (uint32_t)old;
                d.attach_type = BPF_CGROUP_DEVICE;
                if (sys_bpf(BPF_PROG_DETACH, &d, sizeof(d)) < 0 && errno != ENOENT)
                        return hull_err_sys(err, errno, "detach the previous device eBPF program");
        }
        return 0;
}

/* The linux.resources parser (cgroup_resources.c): every field into struct
 * hull_cgroup_resources, null as unset, and the exact message (config file and JSON path) for
 * every wrong type and malformed entry. Partial failures run under ASan's leak checker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "cgroup/cgroup_internal.h"

static json_t *load(const char *s)
{
        json_error_t jerr;
        json_t *j = json_loads(s, JSON_DECODE_ANY, &jerr);
        if (!j)
                fail_msg("bad test JSON %s: %s", s, jerr.text);
        return j;
}

/* Parse JSON as linux.resources of "c.json"; fail the test on an error. */
static void parse_ok(const char *json, struct hull_cgroup_resources *ret)
{
        struct hull_err err = {0};
        json_t *j = json ? load(json) : NULL;
        if (hull_cgroup_resources_parse(j, "c.json", ret, &err) < 0)
                fail_msg("%s: %s", json, err.msg);
        json_decref(j);
}

/* Parse JSON, expect -CODE and exactly MSG. */
static void parse_fails(const char *json, int code, const char *msg)
{
        struct hull_err err = {0};
        struct hull_cgroup_resources res = {0};
        json_t *j = load(json);
        int r = hull_cgroup_resources_parse(j, "c.json", &res, &err);
        json_decref(j);
        if (r != -code)
                fail_msg("%s: returned %d, want %d (%s)", json, r, -code, err.msg);
        if (strcmp(err.msg, msg) != 0)
                fail_msg("%s:\n  got  \"%s\"\n  want \"%s\"", json, err.msg, msg);
        assert_null(res.devices);
        assert_null(res.hugepages);
}

static void test_empty(void **state)
{
        (void)state;
        static const struct hull_cgroup_resources zero = {0};
        struct hull_cgroup_resources res;
        parse_ok(NULL, &res);
        assert_memory_equal(&res, &zero, sizeof(res));
        parse_ok("{}", &res);
        assert_memory_equal(&res, &zero, sizeof(res));
        /* Empty sections ask for nothing, not even the controller. */
        parse_ok("{\"memory\":{},\"cpu\":{},\"pids\":{},\"blockIO\":{},\"hugepageLimits\":[],"
                 "\"rdma\":{},\"network\":{},\"unified\":{},\"devices\":null}",
                 &res);
        assert_false(res.memory.requested);
        assert_false(res.pids.requested);
        assert_false(res.blkio.requested);
        assert_false(res.network.requested);
        assert_int_equal(res.n_hugepages, 0);
        assert_int_equal(res.n_rdma, 0);
        assert_int_equal(res.n_unified, 0);
        assert_false(res.has_devices);
        hull_cgroup_resources_clear(&res);
        assert_memory_equal(&res, &zero, sizeof(res));
        hull_cgroup_resources_clear(&res); /* idempotent */
        hull_cgroup_resources_clear(NULL);
}

static void test_memory(void **state)
{
        (void)state;
        struct hull_cgroup_resources res;
        parse_ok("{\"memory\":{\"limit\":1000,\"swap\":-1,\"reservation\":500,\"kernel\":7,"
                 "\"kernelTCP\":8,\"swappiness\":60,\"disableOOMKiller\":true,"
                 "\"useHierarchy\":false,\"checkBeforeUpdate\":true}}",
                 &res);
        const struct hull_cgroup_memory_res *m = &res.memory;
        assert_true(m->requested);
        assert_true(m->has_limit && m->limit == 1000);
        assert_true(m->has_swap && m->swap == -1);
        assert_true(m->has_reservation && m->reservation == 500);
        assert_true(m->has_kernel && m->kernel == 7);
        assert_true(m->has_kernel_tcp && m->kernel_tcp == 8);
        assert_true(m->has_swappiness && m->swappiness == 60);
        assert_true(m->has_disable_oom_killer && m->disable_oom_killer);
        assert_true(m->has_use_hierarchy && !m->use_hierarchy);
        assert_true(m->has_check_before_update && m->check_before_update);
        hull_cgroup_resources_clear(&res);

        /* null is unset, but a key (even a null one) asks for the controller */
        parse_ok("{\"memory\":{\"limit\":null,\"swappiness\":null}}", &res);
        assert_true(res.memory.requested);
        assert_false(res.memory.has_limit);
        assert_false(res.memory.has_swappiness);
        hull_cgroup_resources_clear(&res);
        /* out-of-range values are the drivers' business: v1 and v2 differ */
        parse_ok("{\"memory\":{\"limit\":-5,\"swappiness\":1000}}", &res);
        assert_int_equal(res.memory.limit, -5);
        assert_int_equal(res.memory.swappiness, 1000);
        hull_cgroup_resources_clear(&res);
}

static void test_cpu(void **state)
{
        (void)state;
        struct hull_cgroup_resources res;
        parse_ok("{\"cpu\":{\"shares\":1024,\"quota\":-1,\"period\":100000,\"burst\":10,"
                 "\"realtimeRuntime\":950000,\"realtimePeriod\":1000000,\"idle\":1,"
                 "\"cpus\":\"0-3\",\"mems\":\"0\"}}",
                 &res);
        const struct hull_cgroup_cpu_res *c = &res.cpu;
        assert_true(c->has_shares && c->shares == 1024);
        assert_true(c->has_quota && c->quota == -1);
        assert_true(c->has_period && c->period == 100000);
        assert_true(c->has_burst && c->burst == 10);
        assert_true(c->has_realtime_runtime && c->realtime_runtime == 950000);
        assert_true(c->has_realtime_period && c->realtime_period == 1000000);
        assert_true(c->has_idle && c->idle == 1);
        assert_string_equal(c->cpus, "0-3");
        assert_string_equal(c->mems, "0");
        hull_cgroup_resources_clear(&res);

        /* "" is set (the cpuset controller is wanted) but empty; null is unset */
        parse_ok("{\"cpu\":{\"cpus\":\"\",\"mems\":null,\"quota\":null}}", &res);
        assert_non_null(res.cpu.cpus);
        assert_string_equal(res.cpu.cpus, "");
        assert_null(res.cpu.mems);
        assert_false(res.cpu.has_quota);
        assert_false(res.cpu.has_shares);
        hull_cgroup_resources_clear(&res);
}

static void test_pids(void **state)
{
        (void)state;
        struct hull_cgroup_resources res;
        parse_ok("{\"pids\":{\"limit\":-1}}", &res);
        assert_true(res.pids.requested);
        assert_true(res.pids.has_limit);
        assert_int_equal(res.pids.limit, -1);
        hull_cgroup_resources_clear(&res);
        parse_ok("{\"pids\":{\"limit\":null}}", &res);
        assert_true(res.pids.requested);
        assert_false(res.pids.has_limit);
        hull_cgroup_resources_clear(&res);
}

static void test_blkio(void **state)
{
        (void)state;
        struct hull_cgroup_resources res;
        parse_ok("{\"blockIO\":{\"weight\":500,\"leafWeight\":300,"
                 "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":200,\"leafWeight\":100},"
                 "{\"major\":8,\"minor\":16}],"
                 "\"throttleReadBpsDevice\":[{\"major\":1,\"minor\":2,\"rate\":3}],"
                 "\"throttleWriteBpsDevice\":[{\"major\":4,\"minor\":5,\"rate\":6},"
                 "{\"major\":7,\"minor\":8}],"
                 "\"throttleReadIOPSDevice\":[{\"major\":9,\"minor\":10,\"rate\":11}],"
                 "\"throttleWriteIOPSDevice\":[{\"major\":12,\"minor\":13,\"rate\":0}]}}",
                 &res);
        const struct hull_cgroup_blkio_res *b = &res.blkio;
        assert_true(b->requested);
        assert_true(b->has_weight && b->weight == 500);
        assert_true(b->has_leaf_weight && b->leaf_weight == 300);
        assert_int_equal(b->n_weight_device, 2);
        assert_int_equal(b->weight_device[0].major, 8);
        assert_int_equal(b->weight_device[0].minor, 0);
        assert_true(b->weight_device[0].has_weight && b->weight_device[0].weight == 200);
        assert_true(b->weight_device[0].has_leaf_weight && b->weight_device[0].leaf_weight == 100);
        assert_int_equal(b->weight_device[1].minor, 16);
        assert_false(b->weight_device[1].has_weight);
        assert_false(b->weight_device[1].has_leaf_weight);

        const struct hull_cgroup_throttle_device *t;
        assert_int_equal(b->throttle[HULL_CGROUP_THROTTLE_READ_BPS].n, 1);
        t = b->throttle[HULL_CGROUP_THROTTLE_READ_BPS].dev;
        assert_true(t[0].major == 1 && t[0].minor == 2 && t[0].has_rate && t[0].rate == 3);
        assert_int_equal(b->throttle[HULL_CGROUP_THROTTLE_WRITE_BPS].n, 2);
        t = b->throttle[HULL_CGROUP_THROTTLE_WRITE_BPS].dev;
        assert_true(t[0].major == 4 && t[0].minor == 5 && t[0].rate == 6);
        assert_true(t[1].major == 7 && t[1].minor == 8 && !t[1].has_rate && t[1].rate == 0);
        t = b->throttle[HULL_CGROUP_THROTTLE_READ_IOPS].dev;
        assert_true(t[0].major == 9 && t[0].minor == 10 && t[0].rate == 11);
        t = b->throttle[HULL_CGROUP_THROTTLE_WRITE_IOPS].dev;
        assert_true(t[0].major == 12 && t[0].minor == 13 && t[0].has_rate && t[0].rate == 0);
        hull_cgroup_resources_clear(&res);

        assert_string_equal(hull_cgroup_throttle_key[HULL_CGROUP_THROTTLE_READ_BPS],
                            "throttleReadBpsDevice");
        assert_string_equal(hull_cgroup_throttle_key[HULL_CGROUP_THROTTLE_WRITE_IOPS],
                            "throttleWriteIOPSDevice");
}

static void test_hugepages_rdma_network(void **state)
{
        (void)state;
        struct hull_cgroup_resources res;
        parse_ok("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304},"
                 "{\"pageSize\":\"1GB\"}],"
                 "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3},\"mlx4_0\":{\"hcaHandles\":1,"
                 "\"hcaObjects\":100},\"ib0\":{}},"
                 "\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\","
                 "\"priority\":500},{\"name\":\"lo\"}]}}",
                 &res);
        assert_int_equal(res.n_hugepages, 2);
        assert_string_equal(res.hugepages[0].page_size, "2MB");
        assert_true(res.hugepages[0].has_limit && res.hugepages[0].limit == 4194304);
        assert_string_equal(res.hugepages[1].page_size, "1GB");
        assert_false(res.hugepages[1].has_limit);

        assert_int_equal(res.n_rdma, 3);
        assert_string_equal(res.rdma[0].device, "mlx5_1");
        assert_true(res.rdma[0].has_hca_handles && res.rdma[0].hca_handles == 3);
        assert_false(res.rdma[0].has_hca_objects);
        assert_string_equal(res.rdma[1].device, "mlx4_0");
        assert_true(res.rdma[1].has_hca_objects && res.rdma[1].hca_objects == 100);
        assert_string_equal(res.rdma[2].device, "ib0");
        assert_false(res.rdma[2].has_hca_handles || res.rdma[2].has_hca_objects);

        assert_true(res.network.requested);
        assert_true(res.network.has_class_id && res.network.class_id == 1048577);
        assert_int_equal(res.network.n_priorities, 2);
        assert_string_equal(res.network.priorities[0].name, "eth0");
        assert_true(res.network.priorities[0].has_priority);
        assert_int_equal(res.network.priorities[0].priority, 500);
        assert_string_equal(res.network.priorities[1].name, "lo");
        assert_false(res.network.priorities[1].has_priority);
        hull_cgroup_resources_clear(&res);
}

static void test_unified_and_devices(void **state)
{
        (void)state;
        struct hull_cgroup_resources res;
        parse_ok("{\"unified\":{\"memory.high\":\"90000000\",\"io.bfq.weight\":\"default 50\"},"
                 "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                 "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":229,\"access\":\"rw\"},"
                 "{\"allow\":true,\"type\":\"b\",\"major\":7,\"minor\":-1,\"access\":\"m\"},"
                 "{\"allow\":false,\"type\":\"a\",\"major\":null}]}",
                 &res);
        assert_int_equal(res.n_unified, 2);
        assert_string_equal(res.unified[0].key, "memory.high");
        assert_string_equal(res.unified[0].value, "90000000");
        assert_string_equal(res.unified[1].key, "io.bfq.weight");
        assert_string_equal(res.unified[1].value, "default 50");

        assert_true(res.has_devices);
        assert_int_equal(res.n_devices, 4);
        const struct hull_cgroup_dev_rule *d = res.devices;
        assert_true(!d[0].allow && d[0].type == 'a' && d[0].major == -1 && d[0].minor == -1);
        assert_int_equal(d[0].access, HULL_DEV_ACC_READ | HULL_DEV_ACC_WRITE | HULL_DEV_ACC_MKNOD);
        assert_true(d[1].allow && d[1].type == 'c' && d[1].major == 10 && d[1].minor == 229);
        assert_int_equal(d[1].access, HULL_DEV_ACC_READ | HULL_DEV_ACC_WRITE);
        assert_true(d[2].type == 'b' && d[2].major == 7 && d[2].minor == -1);
        assert_int_equal(d[2].access, HULL_DEV_ACC_MKNOD);
        assert_int_equal(d[3].access, 7); /* no access: all of it */
        hull_cgroup_resources_clear(&res);

        /* An empty list is a list: no "deny all" is added for it. */
        parse_ok("{\"devices\":[]}", &res);
        assert_true(res.has_devices);
        assert_int_equal(res.n_devices, 0);
        struct hull_cgroup_dev_rule *rules = NULL;
        size_t n = 0;
        struct hull_err err = {0};
        assert_int_equal(hull_cgroup_dev_rules(&res, false, &rules, &n, &err), 0);
        assert_int_equal(n, 0);
        free(rules);
        hull_cgroup_resources_clear(&res);
        /* No list: deny all, then the defaults. */
        parse_ok("{\"devices\":null}", &res);
        assert_false(res.has_devices);
        assert_int_equal(hull_cgroup_dev_rules(&res, true, &rules, &n, &err), 0);
        assert_true(n > 1);
        assert_true(!rules[0].allow && rules[0].type == 'a');
        assert_true(rules[n - 1].allow);
        free(rules);
        hull_cgroup_resources_clear(&res);
}

/* ---- wrong types: one row a field, the exact message ---- */

struct bad {
        const char *json;
        const char *msg;
};

#define P "c.json: .linux.resources"

static const struct bad wrong_types[] = {
    {"{\"memory\":[]}", P ".memory: expected an object"},
    {"{\"cpu\":1}", P ".cpu: expected an object"},
    {"{\"pids\":\"x\"}", P ".pids: expected an object"},
    {"{\"blockIO\":true}", P ".blockIO: expected an object"},
    {"{\"hugepageLimits\":{}}", P ".hugepageLimits: expected an array"},
    {"{\"rdma\":[]}", P ".rdma: expected an object"},
    {"{\"network\":[]}", P ".network: expected an object"},
    {"{\"unified\":\"memory.high=1\"}", P ".unified: expected an object"},
    {"{\"devices\":{}}", P ".devices: expected an array"},

    {"{\"memory\":{\"limit\":\"1G\"}}", P ".memory.limit: expected an integer"},
    {"{\"memory\":{\"swap\":1.5}}", P ".memory.swap: expected an integer"},
    {"{\"memory\":{\"reservation\":true}}", P ".memory.reservation: expected an integer"},
    {"{\"memory\":{\"kernel\":{}}}", P ".memory.kernel: expected an integer"},
    {"{\"memory\":{\"kernelTCP\":[]}}", P ".memory.kernelTCP: expected an integer"},
    {"{\"memory\":{\"swappiness\":-1}}", P ".memory.swappiness: expected a non-negative integer"},
    {"{\"memory\":{\"swappiness\":\"60\"}}",
     P ".memory.swappiness: expected a non-negative integer"},
    {"{\"memory\":{\"disableOOMKiller\":1}}", P ".memory.disableOOMKiller: expected a boolean"},
    {"{\"memory\":{\"useHierarchy\":\"true\"}}", P ".memory.useHierarchy: expected a boolean"},
    {"{\"memory\":{\"checkBeforeUpdate\":0}}", P ".memory.checkBeforeUpdate: expected a boolean"},

    {"{\"cpu\":{\"shares\":-2}}", P ".cpu.shares: expected a non-negative integer"},
    {"{\"cpu\":{\"quota\":\"max\"}}", P ".cpu.quota: expected an integer"},
    {"{\"cpu\":{\"period\":-1}}", P ".cpu.period: expected a non-negative integer"},
    {"{\"cpu\":{\"burst\":\"1\"}}", P ".cpu.burst: expected a non-negative integer"},
    {"{\"cpu\":{\"realtimeRuntime\":1.0}}", P ".cpu.realtimeRuntime: expected an integer"},
    {"{\"cpu\":{\"realtimePeriod\":-1}}", P ".cpu.realtimePeriod: expected a non-negative integer"},
    {"{\"cpu\":{\"idle\":false}}", P ".cpu.idle: expected an integer"},
    {"{\"cpu\":{\"cpus\":0}}", P ".cpu.cpus: expected a string"},
    {"{\"cpu\":{\"mems\":[0]}}", P ".cpu.mems: expected a string"},

    {"{\"pids\":{\"limit\":\"max\"}}", P ".pids.limit: expected an integer"},

    {"{\"blockIO\":{\"weight\":-1}}", P ".blockIO.weight: expected a non-negative integer"},
    {"{\"blockIO\":{\"leafWeight\":\"1\"}}",
     P ".blockIO.leafWeight: expected a non-negative integer"},
    {"{\"blockIO\":{\"weightDevice\":{}}}", P ".blockIO.weightDevice: expected an array"},
    {"{\"blockIO\":{\"weightDevice\":[{\"major\":\"8\",\"minor\":0}]}}",
     P ".blockIO.weightDevice[0].major: expected an integer"},
    {"{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0.5}]}}",
     P ".blockIO.weightDevice[0].minor: expected an integer"},
    {"{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0},"
     "{\"major\":8,\"minor\":1,\"weight\":-3}]}}",
     P ".blockIO.weightDevice[1].weight: expected a non-negative integer"},
    {"{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"leafWeight\":\"x\"}]}}",
     P ".blockIO.weightDevice[0].leafWeight: expected a non-negative integer"},
    {"{\"blockIO\":{\"throttleReadBpsDevice\":1}}",
     P ".blockIO.throttleReadBpsDevice: expected an array"},
    {"{\"blockIO\":{\"throttleWriteBpsDevice\":\"\"}}",
     P ".blockIO.throttleWriteBpsDevice: expected an array"},
    {"{\"blockIO\":{\"throttleReadIOPSDevice\":{}}}",
     P ".blockIO.throttleReadIOPSDevice: expected an array"},
    {"{\"blockIO\":{\"throttleWriteIOPSDevice\":true}}",
     P ".blockIO.throttleWriteIOPSDevice: expected an array"},
    {"{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":-1}]}}",
     P ".blockIO.throttleReadBpsDevice[0].rate: expected a non-negative integer"},
    {"{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":1},"
     "{\"major\":8,\"minor\":1,\"rate\":\"1k\"}]}}",
     P ".blockIO.throttleWriteIOPSDevice[1].rate: expected a non-negative integer"},

    {"{\"hugepageLimits\":[{\"pageSize\":2}]}", P ".hugepageLimits[0].pageSize: expected a string"},
    {"{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":-1}]}",
     P ".hugepageLimits[0].limit: expected a non-negative integer"},

    {"{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":-1}}}",
     P ".rdma.mlx5_1.hcaHandles: expected a non-negative integer"},
    {"{\"rdma\":{\"mlx5_1\":{\"hcaObjects\":\"1\"}}}",
     P ".rdma.mlx5_1.hcaObjects: expected a non-negative integer"},

    {"{\"network\":{\"classID\":-1}}", P ".network.classID: expected a non-negative integer"},
    {"{\"network\":{\"priorities\":{}}}", P ".network.priorities: expected an array"},
    {"{\"network\":{\"priorities\":[{\"name\":1}]}}",
     P ".network.priorities[0].name: expected a string"},
    {"{\"network\":{\"priorities\":[{\"name\":\"eth0\",\"priority\":-1}]}}",
     P ".network.priorities[0].priority: expected a non-negative integer"},

    {"{\"unified\":{\"memory.high\":1}}", P ".unified.memory.high: expected a string"},

    {"{\"devices\":[{\"allow\":\"yes\"}]}", P ".devices[0].allow: expected a boolean"},
    {"{\"devices\":[{\"allow\":true,\"type\":99}]}", P ".devices[0].type: expected a string"},
    {"{\"devices\":[{\"allow\":true,\"major\":\"1\"}]}",
     P ".devices[0].major: expected an integer"},
    {"{\"devices\":[{\"allow\":true,\"minor\":[]}]}", P ".devices[0].minor: expected an integer"},
    {"{\"devices\":[{\"allow\":true},{\"allow\":true,\"access\":7}]}",
     P ".devices[1].access: expected a string"},
};

static void test_wrong_types(void **state)
{
        (void)state;
        for (size_t i = 0; i < HULL_ARRAY_SIZE(wrong_types); i++)
                parse_fails(wrong_types[i].json, EINVAL, wrong_types[i].msg);
        parse_fails("[]", EINVAL, P ": expected an object");
}

/* ---- right types, wrong form ---- */

static const struct bad malformed[] = {
    {"{\"blockIO\":{\"weightDevice\":[8]}}", P ".blockIO.weightDevice[0]: expected an object"},
    {"{\"blockIO\":{\"weightDevice\":[{\"major\":8}]}}",
     P ".blockIO.weightDevice[0]: major and minor are required"},
    {"{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":-1,\"rate\":1}]}}",
     P ".blockIO.throttleReadBpsDevice[0]: major and minor are required"},
    {"{\"blockIO\":{\"throttleWriteBpsDevice\":[null]}}",
     P ".blockIO.throttleWriteBpsDevice[0]: expected an object"},

    {"{\"hugepageLimits\":[\"2MB\"]}", P ".hugepageLimits[0]: expected an object"},
    {"{\"hugepageLimits\":[{\"limit\":1}]}",
     P ".hugepageLimits[0].pageSize: expected a size like \"2MB\" or \"1GB\", got \"\""},
    {"{\"hugepageLimits\":[{\"pageSize\":\"2MB\"},{\"pageSize\":\"../2MB\"}]}",
     P ".hugepageLimits[1].pageSize: expected a size like \"2MB\" or \"1GB\", got \"../2MB\""},
    {"{\"hugepageLimits\":[{\"pageSize\":\"2XB\",\"limit\":1}]}",
     P ".hugepageLimits[0].pageSize: expected a size like \"2MB\" or \"1GB\", got \"2XB\""},

    {"{\"rdma\":{\"a b\":{}}}", P ".rdma.a b: invalid entry"},
    {"{\"rdma\":{\"x/y\":{}}}", P ".rdma.x/y: invalid entry"},
    {"{\"rdma\":{\"k=v\":{}}}", P ".rdma.k=v: invalid entry"},
    {"{\"rdma\":{\"\":{}}}", P ".rdma.: invalid entry"},
    {"{\"rdma\":{\"mlx5_1\":3}}", P ".rdma.mlx5_1: invalid entry"},

    {"{\"network\":{\"priorities\":[1]}}", P ".network.priorities[0]: expected an object"},
    {"{\"network\":{\"priorities\":[{\"priority\":1}]}}",
     P ".network.priorities[0].name: invalid interface name"},
    {"{\"network\":{\"priorities\":[{\"name\":\"eth0\"},{\"name\":\"a/b\"}]}}",
     P ".network.priorities[1].name: invalid interface name"},

    {"{\"unified\":{\"../../etc/passwd\":\"x\"}}",
     P ".unified: invalid key \"../../etc/passwd\" (expected \"controller.file\", no \"/\" or "
       "\"..\")"},
    {"{\"unified\":{\"memory\":\"1\"}}",
     P ".unified: invalid key \"memory\" (expected \"controller.file\", no \"/\" or \"..\")"},
    {"{\"unified\":{\"cgroup.procs\":\"1\"}}",
     P ".unified.cgroup.procs: this file cannot be set through unified"},
    /* a bad key is reported before a bad value that comes first */
    {"{\"unified\":{\"memory.high\":1,\"cgroup.kill\":\"1\"}}",
     P ".unified.cgroup.kill: this file cannot be set through unified"},

    {"{\"devices\":[\"a\"]}", P ".devices[0]: expected an object"},
    {"{\"devices\":[{\"type\":\"a\"}]}", P ".devices[0].allow: required"},
    {"{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}",
     P ".devices[0].type: expected \"a\", \"c\" or \"b\", got \"x\""},
    {"{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":-2}]}",
     P ".devices[0]: invalid major/minor"},
    {"{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":4294967296}]}",
     P ".devices[0]: invalid major/minor"},
    {"{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}",
     P ".devices[0].access: expected letters of \"rwm\", got \"rwx\""},
};

static void test_malformed(void **state)
{
        (void)state;
        for (size_t i = 0; i < HULL_ARRAY_SIZE(malformed); i++)
                parse_fails(malformed[i].json, EINVAL, malformed[i].msg);
}

/* Errors after some lists and strings were built: nothing leaks (ASan), *ret is untouched. */
static void test_partial_failure(void **state)
{
        (void)state;
        static const char *const cases[] = {
            "{\"cpu\":{\"cpus\":\"0-1\",\"mems\":1}}",
            "{\"cpu\":{\"cpus\":\"0\"},\"devices\":[{\"allow\":true},{\"allow\":1}]}",
            "{\"hugepageLimits\":[{\"pageSize\":\"2MB\"},{\"pageSize\":\"1GB\"},"
            "{\"pageSize\":\"x\"}]}",
            "{\"rdma\":{\"a\":{\"hcaHandles\":1},\"b\":{\"hcaObjects\":-1}}}",
            "{\"network\":{\"priorities\":[{\"name\":\"eth0\"},{\"name\":\"\"}]}}",
            "{\"unified\":{\"memory.high\":\"1\",\"memory.max\":2}}",
            "{\"blockIO\":{\"weightDevice\":[{\"major\":1,\"minor\":1}],"
            "\"throttleReadBpsDevice\":[{\"major\":1,\"minor\":1}],"
            "\"throttleWriteBpsDevice\":[{\"major\":1}]}}",
            "{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}],\"rdma\":{\"a\":{}},"
            "\"network\":{\"priorities\":[{\"name\":\"lo\"}]},\"unified\":{\"io.max\":\"\"},"
            "\"devices\":[{\"allow\":true,\"type\":\"q\"}]}",
        };
        for (size_t i = 0; i < HULL_ARRAY_SIZE(cases); i++) {
                struct hull_err err = {0};
                struct hull_cgroup_resources res = {.n_rdma = 42, .has_devices = true};
                json_t *j = load(cases[i]);
                if (hull_cgroup_resources_parse(j, "c.json", &res, &err) != -EINVAL)
                        fail_msg("%s: parsed", cases[i]);
                json_decref(j);
                assert_int_equal(res.n_rdma, 42);
                assert_true(res.has_devices);
                assert_null(res.cpu.cpus);
                assert_non_null(strstr(err.msg, "c.json: .linux.resources."));
        }
}

/* The sections' types are checked before any section's contents. */
static void test_error_order(void **state)
{
        (void)state;
        parse_fails("{\"memory\":{\"limit\":\"x\"},\"devices\":7}", EINVAL,
                    P ".devices: expected an array");
        parse_fails("{\"cpu\":{\"shares\":\"x\"},\"memory\":{\"limit\":\"x\"}}", EINVAL,
                    P ".memory.limit: expected an integer");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_empty),
            cmocka_unit_test(test_memory),
            cmocka_unit_test(test_cpu),
            cmocka_unit_test(test_pids),
            cmocka_unit_test(test_blkio),
            cmocka_unit_test(test_hugepages_rdma_network),
            cmocka_unit_test(test_unified_and_devices),
            cmocka_unit_test(test_wrong_types),
            cmocka_unit_test(test_malformed),
            cmocka_unit_test(test_partial_failure),
            cmocka_unit_test(test_error_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

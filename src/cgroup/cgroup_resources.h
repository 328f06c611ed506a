/* linux.resources as a plain C struct: parsed and checked once (cgroup_resources.c), then each
 * driver only translates it into its own files. Not for use outside src/cgroup/. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/error.h"

/* A field FOO is set when has_FOO is true (JSON null counts as unset). A `requested` flag
 * says the object had at least one key, null ones included: that alone asks for the
 * controller (v2 enables it, v1 needs its hierarchy mounted), as an empty object does not. */

struct hull_cgroup_memory_res {
        bool requested;
        bool has_limit, has_swap, has_reservation, has_kernel, has_kernel_tcp, has_swappiness;
        bool has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
        int64_t limit, swap, reservation, kernel, kernel_tcp;
        uint64_t swappiness;
        bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct hull_cgroup_cpu_res {
        bool has_shares, has_quota, has_period, has_burst, has_realtime_runtime,
            has_realtime_period, has_idle;
        uint64_t shares, period, burst, realtime_period;
        int64_t quota, realtime_runtime, idle;
        char *cpus, *mems; /* NULL when unset; "" is set but writes nothing */
};

struct hull_cgroup_pids_res {
        bool requested;
        bool has_limit;
        int64_t limit;
};

/* blockIO.weightDevice[i]. major and minor are required and >= 0. */
struct hull_cgroup_weight_device {
        int64_t major, minor;
        bool has_weight, has_leaf_weight;
        uint64_t weight, leaf_weight;
};

/* blockIO.throttle*Device[i]. */
struct hull_cgroup_throttle_device {
        int64_t major, minor;
        bool has_rate;
        uint64_t rate;
};

enum hull_cgroup_throttle {
        HULL_CGROUP_THROTTLE_READ_BPS,
        HULL_CGROUP_THROTTLE_WRITE_BPS,
        HULL_CGROUP_THROTTLE_READ_IOPS,
        HULL_CGROUP_THROTTLE_WRITE_IOPS,
        HULL_CGROUP_THROTTLE_COUNT,
};
/* The OCI key of each list ("throttleReadBpsDevice", ...), for messages. */
extern const char *const hull_cgroup_throttle_key[HULL_CGROUP_THROTTLE_COUNT];

struct hull_cgroup_blkio_res {
        bool requested;
        bool has_weight, has_leaf_weight;
        uint64_t weight, leaf_weight;
        struct hull_cgroup_weight_device *weight_device;
        size_t n_weight_device;
        struct {
                struct hull_cgroup_throttle_device *dev;
                size_t n;
        } throttle[HULL_CGROUP_THROTTLE_COUNT];
};

/* hugepageLimits[i]; page_size is checked to be a kernel file infix ("2MB"). */
struct hull_cgroup_hugepage_limit {
        char *page_size;
        bool has_limit;
        uint64_t limit;
};

/* One rdma."<device>" entry; the device name has no space, "/", "=" or newline. */
struct hull_cgroup_rdma_limit {
        char *device;
        bool has_hca_handles, has_hca_objects;
        uint64_t hca_handles, hca_objects;
};

/* network.priorities[i]; the name is a non-empty interface name. */
struct hull_cgroup_net_priority {
        char *name;
        bool has_priority;
        uint64_t priority;
};

struct hull_cgroup_network_res {
        bool requested;
        bool has_class_id;
        uint64_t class_id;
        struct hull_cgroup_net_priority *priorities;
        size_t n_priorities;
};

/* unified."<controller>.<file>": the key passed hull_cgroup_unified_key_ok(). */
struct hull_cgroup_unified_entry {
        char *key;
        char *value;
};

struct hull_cgroup_dev_rule {
        bool allow;
        char type;       /* 'a', 'c', 'b' */
        int64_t major;   /* -1: any */
        int64_t minor;   /* -1: any */
        unsigned access; /* HULL_DEV_ACC_* */
};
/* The kernel's BPF_DEVCG_ACC_* values, so the eBPF program can use them as they are. */
#define HULL_DEV_ACC_MKNOD 1u
#define HULL_DEV_ACC_READ 2u
#define HULL_DEV_ACC_WRITE 4u

struct hull_cgroup_resources {
        struct hull_cgroup_memory_res memory;
        struct hull_cgroup_cpu_res cpu;
        struct hull_cgroup_pids_res pids;
        struct hull_cgroup_blkio_res blkio;
        struct hull_cgroup_hugepage_limit *hugepages;
        size_t n_hugepages;
        struct hull_cgroup_rdma_limit *rdma;
        size_t n_rdma;
        struct hull_cgroup_network_res network;
        struct hull_cgroup_unified_entry *unified;
        size_t n_unified;
        /* devices: has_devices false when the config has no list (not the same as an empty
         * one: no list means "deny all but the defaults"). */
        bool has_devices;
        struct hull_cgroup_dev_rule *devices;
        size_t n_devices;
};

/* Parse RES (the linux.resources object, NULL for none) into *RET. Every type and form check
 * happens here, before anything is written; errors name CFG and the JSON path
 * ("config.json: .linux.resources.memory.limit: expected an integer"). What depends on the
 * layout (ranges one cgroup version rejects, files a kernel lacks) is left to the drivers.
 * *RET is untouched on failure. */
int hull_cgroup_resources_parse(json_t *res, const char *cfg, struct hull_cgroup_resources *ret,
                                struct hull_err *err);
/* Free what RES owns and zero it; idempotent. */
void hull_cgroup_resources_clear(struct hull_cgroup_resources *res);

/* Validate a linux.resources.unified key: "controller.file", no "/", no "..". */
int hull_cgroup_unified_key_ok(const char *key, const char *cfg, struct hull_err *err);

/* The OCI runtime-spec config model: config.json parsed into C structs. Every error names the
 * file, the position (line:column for syntax errors) and the JSON path of the field. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/error.h"

enum hull_ns_type {
        HULL_NS_PID,
        HULL_NS_NETWORK,
        HULL_NS_MOUNT,
        HULL_NS_IPC,
        HULL_NS_UTS,
        HULL_NS_USER,
        HULL_NS_CGROUP,
        HULL_NS_TIME,
        HULL_NS_COUNT,
};

/* "pid" ... "time" -> enum, -EINVAL if unknown; and back; and the CLONE_NEW* flag. */
int hull_ns_type_from_string(const char *s);
const char *hull_ns_type_to_string(enum hull_ns_type t);
unsigned long hull_ns_type_clone_flag(enum hull_ns_type t);
/* The name under /proc/PID/ns/ ("net" for network, "mnt" for mount). */
const char *hull_ns_type_proc_name(enum hull_ns_type t);

struct hull_oci_namespace {
        enum hull_ns_type type;
        char *path; /* NULL: create a new one */
};

struct hull_oci_idmap {
        uint32_t container_id;
        uint32_t host_id;
        uint32_t size;
};

struct hull_oci_mount {
        char *destination; /* absolute, cleaned */
        char *source;      /* may be NULL */
        char *type;        /* may be NULL (then "bind" if options have bind/rbind) */
        char **options;    /* NULL-terminated, never NULL */
        size_t n_options;
        struct hull_oci_idmap *uid_mappings; /* idmapped mounts (optional) */
        size_t n_uid_mappings;
        struct hull_oci_idmap *gid_mappings;
        size_t n_gid_mappings;
};

struct hull_oci_rlimit {
        int resource; /* RLIMIT_* */
        char *type;   /* "RLIMIT_NOFILE" */
        uint64_t soft;
        uint64_t hard;
};

struct hull_oci_device {
        char *path;
        char type; /* 'c', 'b', 'u', 'p' */
        int64_t major;
        int64_t minor;
        bool has_mode;
        mode_t file_mode;
        bool has_uid;
        uid_t uid;
        bool has_gid;
        gid_t gid;
};

struct hull_oci_capabilities {
        char **bounding; /* NULL-terminated; NULL when the set is absent */
        char **effective;
        char **inheritable;
        char **permitted;
        char **ambient;
};

struct hull_oci_user {
        uid_t uid;
        gid_t gid;
        bool has_umask;
        mode_t umask;
        gid_t *additional_gids;
        size_t n_additional_gids;
        char *username; /* Windows-only in the spec, kept for completeness */
};

struct hull_oci_console_size {
        unsigned height;
        unsigned width;
};

struct hull_oci_process {
        bool terminal;
        bool has_console_size;
        struct hull_oci_console_size console_size;
        struct hull_oci_user user;
        char **args; /* NULL-terminated, at least one element */
        size_t n_args;
        char **env; /* NULL-terminated, never NULL */
        size_t n_env;
        char *cwd; /* absolute */
        struct hull_oci_capabilities *capabilities; /* NULL when absent */
        struct hull_oci_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        char *selinux_label;
        bool has_oom_score_adj;
        int oom_score_adj;
        json_t *scheduler;   /* parsed by the owner of that feature; borrowed from root */
        json_t *io_priority; /* borrowed */
        json_t *exec_cpu_affinity; /* borrowed */
};

struct hull_oci_sysctl {
        char *key;
        char *value;
};

struct hull_oci_time_offset {
        char *clock; /* "monotonic" or "boottime" */
        int64_t secs;
        uint32_t nanosecs;
};

struct hull_oci_hook {
        char *path;
        char **args; /* NULL-terminated, may be NULL */
        char **env;  /* NULL-terminated, may be NULL */
        bool has_timeout;
        int timeout;
};

enum hull_hook_kind {
        HULL_HOOK_PRESTART,
        HULL_HOOK_CREATE_RUNTIME,
        HULL_HOOK_CREATE_CONTAINER,
        HULL_HOOK_START_CONTAINER,
        HULL_HOOK_POSTSTART,
        HULL_HOOK_POSTSTOP,
        HULL_HOOK_COUNT,
};

struct hull_oci_hooks {
        struct hull_oci_hook *list[HULL_HOOK_COUNT];
        size_t count[HULL_HOOK_COUNT];
};

struct hull_oci_linux {
        struct hull_oci_namespace *namespaces;
        size_t n_namespaces;
        struct hull_oci_idmap *uid_mappings;
        size_t n_uid_mappings;
        struct hull_oci_idmap *gid_mappings;
        size_t n_gid_mappings;
        struct hull_oci_device *devices;
        size_t n_devices;
        char *cgroups_path; /* NULL when absent */
        json_t *resources;  /* borrowed from root; parsed by src/cgroup */
        json_t *seccomp;    /* borrowed; parsed by the seccomp module */
        json_t *intel_rdt;  /* borrowed */
        json_t *personality; /* borrowed */
        char *rootfs_propagation; /* NULL when absent */
        char **masked_paths;      /* NULL-terminated, never NULL */
        char **readonly_paths;    /* NULL-terminated, never NULL */
        char *mount_label;
        struct hull_oci_sysctl *sysctl;
        size_t n_sysctl;
        struct hull_oci_time_offset *time_offsets;
        size_t n_time_offsets;
};

struct hull_oci_config {
        char *path;         /* the file it came from, for messages */
        char *oci_version;
        char *root_path;    /* as written (relative to the bundle or absolute) */
        bool root_readonly;
        char *hostname;     /* NULL when absent */
        char *domainname;   /* NULL when absent */
        struct hull_oci_process *process; /* NULL when absent (allowed by the spec for create) */
        struct hull_oci_mount *mounts;
        size_t n_mounts;
        struct hull_oci_hooks hooks;
        json_t *annotations; /* borrowed object, may be NULL */
        struct hull_oci_linux linux_; /* zeroed when "linux" is absent */
        bool has_linux;
        json_t *root;        /* the whole document, owned */
};

/* Parse and validate config.json at PATH. Errors: "PATH:LINE:COL: syntax error: ..." for
 * syntax, "PATH:LINE:COL: .process.args[0]: expected a string, got number" for fields (the
 * position of the value, or of the enclosing object for a missing field; "PATH: .x: ..." if
 * it cannot be found). Unknown fields are ignored (the spec allows extensions). Integer
 * literals above INT64_MAX (Go's uint64, e.g. an unlimited rlimit) are accepted: in the
 * borrowed json_t objects they read back as the negative json integer of the same 64 bits. */
int hull_oci_config_load(const char *path, struct hull_oci_config **ret, struct hull_err *err);
/* Same, from a string; NAME is used in messages. */
int hull_oci_config_parse(const char *name, const char *data, size_t len,
                          struct hull_oci_config **ret, struct hull_err *err);
/* Parse a process object (exec --process, issue 5); NAME used in messages. */
int hull_oci_process_parse(const char *name, json_t *obj, const char *json_path,
                           struct hull_oci_process **ret, struct hull_err *err);
/* Same, from the text of a process file, with line:column in messages. *ret_root receives the
 * document, which the process's borrowed json_t fields point into: keep it as long as *ret
 * and json_decref it after. */
int hull_oci_process_parse_text(const char *name, const char *data, size_t len,
                                json_t **ret_root, struct hull_oci_process **ret,
                                struct hull_err *err);
/* Read and parse the process file at PATH (exec --process). */
int hull_oci_process_load(const char *path, json_t **ret_root, struct hull_oci_process **ret,
                          struct hull_err *err);
void hull_oci_process_free(struct hull_oci_process *p);
void hull_oci_config_free(struct hull_oci_config *c);
static inline void hull_oci_config_freep(struct hull_oci_config **c)
{
        hull_oci_config_free(*c);
        *c = NULL;
}

/* The namespace of TYPE in the config, or NULL. */
const struct hull_oci_namespace *hull_oci_config_namespace(const struct hull_oci_config *c,
                                                           enum hull_ns_type type);

/* `hullc spec`: the default config as a JSON object (runc's defaults; rootless variant with a
 * user namespace mapping the caller's uid/gid). */
json_t *hull_oci_default_spec(bool rootless, uid_t uid, gid_t gid);

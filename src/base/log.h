/* Logging for the CLIs: runc-compatible --log FILE and --log-format text|json. Library code
 * logs warnings and debug lines through this; errors travel up as struct hull_err. */
#pragma once

enum hull_log_level {
        HULL_LOG_DEBUG,
        HULL_LOG_INFO,
        HULL_LOG_WARN,
        HULL_LOG_ERROR,
};

/* path NULL: stderr. json: runc's {"level":..,"msg":..,"time":..} lines, else logrus text. */
int hull_log_init(const char *path, int json, int debug);
/* The fd log lines go to (for children that must keep it), -1 for stderr. */
int hull_log_fd(void);
void hull_log(enum hull_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define hull_debug(...) hull_log(HULL_LOG_DEBUG, __VA_ARGS__)
#define hull_info(...) hull_log(HULL_LOG_INFO, __VA_ARGS__)
#define hull_warn(...) hull_log(HULL_LOG_WARN, __VA_ARGS__)
#define hull_error(...) hull_log(HULL_LOG_ERROR, __VA_ARGS__)

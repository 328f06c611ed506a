/* The OCI state JSON (`hullc state`) and the status names. */
#pragma once
#include <jansson.h>
#include <sys/types.h>

enum hull_status {
        HULL_STATUS_CREATING,
        HULL_STATUS_CREATED,
        HULL_STATUS_RUNNING,
        HULL_STATUS_PAUSED,
        HULL_STATUS_STOPPED,
};

const char *hull_status_to_string(enum hull_status s);

#define HULL_OCI_VERSION "1.2.0"

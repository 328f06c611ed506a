/* Status names of the OCI state JSON ("creating" ... "stopped"). */
#include "oci/state.h"

const char *hull_status_to_string(enum hull_status s)
{
        switch (s) {
        case HULL_STATUS_CREATING:
                return "creating";
        case HULL_STATUS_CREATED:
                return "created";
        case HULL_STATUS_RUNNING:
                return "running";
        case HULL_STATUS_PAUSED:
                return "paused";
        case HULL_STATUS_STOPPED:
                return "stopped";
        }
        return "unknown";
}

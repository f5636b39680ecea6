/* The JSON the launcher writes into the store: event attributes and the state of a run whose exec failed
 * (the same text the engine's lifecycle.ts writes). Each is malloc'd and always complete JSON. */
#ifndef BERTH_LAUNCHER_ROWS_H
#define BERTH_LAUNCHER_ROWS_H

/* {"name":...,"image":...} */
char *event_attrs(const char *name, const char *image);
/* The attributes with one more string field: {"name":...,"image":...,"KEY":"VALUE"} */
char *event_attrs_with(const char *name, const char *image, const char *key, const char *value);
/* The container's state after its program could not be executed. */
char *exec_failed_state(int code, const char *msg, const char *time);

#endif

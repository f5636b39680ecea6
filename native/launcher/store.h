/* The launcher's reads and writes of <root>/berth.db: the same rows and events the engine writes
 * (src/engine/container/lifecycle.ts, remove.ts, store/store.ts), for one container. */
#ifndef BERTH_LAUNCHER_STORE_H
#define BERTH_LAUNCHER_STORE_H

#include <stdbool.h>
#include <sqlite3.h>
#include "../monitor/util.h"
#include "berth-constants.h"

/* The schema version (native/constants.json storeSchema: the number of src/engine/store/migrations.ts) whose tables
 * this file knows. */
#define STORE_SCHEMA BERTH_STORE_SCHEMA

typedef struct {
  sqlite3 *db;
} store_t;

typedef struct {
  const char *id, *name, *image_id, *image_name, *created, *path, *args, *config, *host_config, *layers, *state;
  const char *attrs; /* of its events: {"name":...,"image":...} */
  const char *const *layer_ids;
  int nlayers;
} ctr_row;

int store_open(store_t *s, const char *root, berr_t *err);
void store_close(store_t *s);
/* The image a tag names (normalized, e.g. docker.io/library/busybox:latest); 0 found, 1 not, -1 error. */
int store_tag(store_t *s, const char *name, char *image_id, size_t len, berr_t *err);
/* Insert the container and its create event; 1 when the name is taken, 2 when a layer is gone (nothing written then).
 */
int store_create(store_t *s, const ctr_row *c, berr_t *err);
/* Record a state and an event (start, die) in one transaction. */
int store_state(store_t *s, const char *id, const char *state, const char *action, const char *attrs, berr_t *err);
int store_event(store_t *s, const char *id, const char *action, const char *attrs, berr_t *err);
/* Does every layer still rest under an image? (else the engine must remove the container: its layers go too) */
bool store_layers_held(store_t *s, const char *const *layers, int n);
/* Delete the container's rows and record die and destroy. */
int store_remove(store_t *s, const char *id, const char *die_attrs, const char *attrs, berr_t *err);

#endif

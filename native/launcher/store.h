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

/* An event of another type than the container's (network connect, disconnect), as the plan has it. */
typedef struct {
  const char *type, *action, *actor, *attrs;
} store_ev;

typedef struct {
  const char *id, *name, *image_id, *image_name, *created, *path, *args, *config, *host_config, *layers, *state;
  const char *networks; /* JSON: the networks it is on */
  const char *attrs;    /* of its events: {"name":...,"image":...} */
  const char *const *layer_ids;
  int nlayers;
  /* the plan's address allocation (network/network-db.ts allocateSql): run after the insert with the ID, this
   * process and its start time; its `ip` and `mac` columns come back in ip, mac; NULL for none */
  const char *allocate;
  char ip[64], mac[32];
  /* recorded after the create event */
  const store_ev *events;
  int nevents;
} ctr_row;

int store_open(store_t *s, const char *root, berr_t *err);
void store_close(store_t *s);
/* The image a tag names (normalized, e.g. docker.io/library/busybox:latest); 0 found, 1 not, -1 error. */
int store_tag(store_t *s, const char *name, char *image_id, size_t len, berr_t *err);
/* Insert the container, its create event and address; 1 when the name is taken, 2 when a layer is gone, 3 when the
 * network has no free address (nothing written then). */
int store_create(store_t *s, ctr_row *c, berr_t *err);
/* Record a state and an event (start, die) in one transaction. */
int store_state(store_t *s, const char *id, const char *state, const char *action, const char *attrs, berr_t *err);
/* The running state and start event of a container still recorded as created; nothing when another process has
   recorded the run already. */
int store_started(store_t *s, const char *id, const char *state, const char *attrs, berr_t *err);
int store_event(store_t *s, const char *id, const char *action, const char *attrs, berr_t *err);
/* Does every layer still rest under an image? (else the engine must remove the container: its layers go too) */
bool store_layers_held(store_t *s, const char *const *layers, int n);
/* Delete the container's rows and record die, the extra events (network disconnect) and destroy. */
int store_remove(store_t *s, const char *id, const char *die_attrs, const char *attrs, const store_ev *extra,
                 int nextra, berr_t *err);

/* What a build or pull replay record (src/engine/build/replay/record.ts, registry/pull-record.ts) says of the
 * store. */
typedef struct {
  const char *image;
  const char *const *tags; /* the tags the build set: each names the image */
  int ntags;
  const char *const *digests; /* the repository digest names (a pull's): each names the image */
  int ndigests;
  const char *const *bases; /* tag, image ID, tag, image ID, ...: each base tag names that image */
  int nbases;
  const char *const *steps; /* cache key, chain ID, ...: each key's entry gives that layer, which is there */
  int nsteps;
  const store_ev *events; /* recorded as the build from the cache records them (docker's tag events) */
  int nevents;
} store_replay;

/* In one transaction: check every fact of the record, then mark the steps' cache entries used and record the events,
 * as the engine does for a build whose steps all come from the cache (for a pull: its event). 0 done; 1 a fact differs
 * (err says which; nothing written); -1 error. */
int store_build_replay(store_t *s, const store_replay *r, berr_t *err);

#endif

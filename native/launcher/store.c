#include "store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int db_fail(store_t *s, berr_t *err, const char *what)
{
  return fail(err, 0, "%s: %s", what, sqlite3_errmsg(s->db));
}

static int exec(store_t *s, const char *sql, berr_t *err)
{
  if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) return db_fail(s, err, sql);
  return 0;
}

int store_open(store_t *s, const char *root, berr_t *err)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/" BERTH_LAYOUT_DATABASE, root);
  if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    return db_fail(s, err, "open the database");
  sqlite3_busy_timeout(s->db, 30000);
  if (exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", err) < 0) return -1;
  sqlite3_stmt *st;
  int version = -1;
  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (version != STORE_SCHEMA) return fail(err, 0, "schema %d, the launcher knows %d", version, STORE_SCHEMA);
  char mode[16] = "";
  if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  if (strcmp(mode, "wal")) return fail(err, 0, "the database is not in WAL mode");
  return 0;
}

void store_close(store_t *s)
{
  if (s->db) sqlite3_close(s->db);
  s->db = NULL;
}

/* Prepare sql and bind the strings (NULL-terminated list); NULL on error. */
static sqlite3_stmt *prep(store_t *s, const char *sql, const char *const *vals, int n)
{
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
  for (int k = 0; k < n; k++) sqlite3_bind_text(st, k + 1, vals[k], -1, SQLITE_STATIC);
  return st;
}

/* Run a statement that returns no rows (or only looks for one): SQLITE_ROW, SQLITE_DONE, or an error code. */
static int step1(store_t *s, const char *sql, const char *const *vals, int n)
{
  sqlite3_stmt *st = prep(s, sql, vals, n);
  if (!st) return SQLITE_ERROR;
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc;
}

int store_tag(store_t *s, const char *name, char *image_id, size_t len, berr_t *err)
{
  sqlite3_stmt *st = prep(s, "SELECT image_id FROM tags WHERE name = ?", &name, 1);
  if (!st) return db_fail(s, err, "read the tags");
  int rc = sqlite3_step(st), out = 1;
  if (rc == SQLITE_ROW) {
    snprintf(image_id, len, "%s", (const char *)sqlite3_column_text(st, 0));
    out = 0;
  } else if (rc != SQLITE_DONE) {
    out = db_fail(s, err, "read the tags");
  }
  sqlite3_finalize(st);
  return out;
}

static int add_typed_event(store_t *s, const char *type, const char *id, const char *action, const char *attrs,
                           berr_t *err)
{
  struct timespec rt, mono;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          s->db, "INSERT INTO events (time_ms, nanos, type, action, actor_id, attributes) VALUES (?, ?, ?, ?, ?, ?)",
          -1, &st, NULL) != SQLITE_OK)
    return db_fail(s, err, "record an event");
  sqlite3_bind_int64(st, 1, (sqlite3_int64)rt.tv_sec * 1000 + rt.tv_nsec / 1000000);
  sqlite3_bind_int64(st, 2, mono.tv_nsec % 1000000);
  sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, attrs, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return db_fail(s, err, "record an event");
  sqlite3_int64 seq = sqlite3_last_insert_rowid(s->db);
  /* as store.ts does: every so many events (native/constants.json events) drop all but the newest kept */
  if (seq % BERTH_EVENTS_PRUNE_EVERY == 0) {
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM events WHERE seq <= %lld", (long long)(seq - BERTH_EVENTS_KEPT));
    return exec(s, sql, err);
  }
  return 0;
}

static int add_event(store_t *s, const char *id, const char *action, const char *attrs, berr_t *err)
{
  return add_typed_event(s, "container", id, action, attrs, err);
}

static int add_events(store_t *s, const store_ev *ev, int n, berr_t *err)
{
  for (int k = 0; k < n; k++)
    if (add_typed_event(s, ev[k].type, ev[k].actor, ev[k].action, ev[k].attrs, err) < 0) return -1;
  return 0;
}

/* The plan's allocation statement: 0 with ip and mac, 3 when the range is full. */
static int allocate(store_t *s, ctr_row *c, berr_t *err)
{
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, c->allocate, -1, &st, NULL) != SQLITE_OK) return db_fail(s, err, "allocate an address");
  sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, getpid());
  sqlite3_bind_int64(st, 3, (sqlite3_int64)proc_starttime(getpid()));
  int rc = sqlite3_step(st), out = 0;
  if (rc == SQLITE_ROW) {
    snprintf(c->ip, sizeof c->ip, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(c->mac, sizeof c->mac, "%s", (const char *)sqlite3_column_text(st, 1));
    rc = sqlite3_step(st);
  } else if (rc == SQLITE_DONE) {
    out = 3;
  }
  if (rc != SQLITE_DONE) out = db_fail(s, err, "allocate an address");
  sqlite3_finalize(st);
  return out;
}

static int finish(store_t *s, int rc, berr_t *err)
{
  if (rc == 0 && exec(s, "COMMIT", err) == 0) return 0;
  sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  return rc > 0 ? rc : -1;
}

int store_create(store_t *s, ctr_row *c, berr_t *err)
{
  if (exec(s, "BEGIN IMMEDIATE", err) < 0) return -1;
  int rc = 0;
  if (step1(s, "SELECT 1 FROM containers WHERE name = ?", &c->name, 1) == SQLITE_ROW) rc = 1;
  for (int k = 0; !rc && k < c->nlayers; k++)
    if (step1(s, "SELECT 1 FROM layers WHERE chain_id = ?", &c->layer_ids[k], 1) != SQLITE_ROW) rc = 2;
  if (!rc) {
    const char *v[] = {c->id,   c->name,   c->image_id,    c->image_name, c->created,  c->path,
                       c->args, c->config, c->host_config, c->layers,     c->networks, c->state};
    if (step1(s,
              "INSERT INTO containers (id, name, image_id, image_name, created, path, args, config, host_config, "
              "layers, mounts, networks, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?)",
              v, 12) != SQLITE_DONE)
      rc = db_fail(s, err, "insert the container");
  }
  for (int k = 0; !rc && k < c->nlayers; k++) {
    const char *v[] = {c->id, c->layer_ids[k]};
    if (step1(s, "INSERT OR IGNORE INTO container_layers (container_id, chain_id) VALUES (?, ?)", v, 2) != SQLITE_DONE)
      rc = db_fail(s, err, "insert the container's layers");
  }
  if (!rc) rc = add_event(s, c->id, "create", c->attrs, err);
  if (!rc && c->allocate) rc = allocate(s, c, err);
  if (!rc) rc = add_events(s, c->events, c->nevents, err);
  return finish(s, rc, err);
}

int store_state(store_t *s, const char *id, const char *state, const char *action, const char *attrs, berr_t *err)
{
  if (exec(s, "BEGIN IMMEDIATE", err) < 0) return -1;
  const char *v[] = {state, id};
  int rc = step1(s, "UPDATE containers SET state = ? WHERE id = ?", v, 2) == SQLITE_DONE
               ? 0
               : db_fail(s, err, "record the state");
  if (!rc) rc = add_event(s, id, action, attrs, err);
  return finish(s, rc, err);
}

int store_started(store_t *s, const char *id, const char *state, const char *attrs, berr_t *err)
{
  if (exec(s, "BEGIN IMMEDIATE", err) < 0) return -1;
  const char *v[] = {state, id};
  if (step1(s, "UPDATE containers SET state = ? WHERE id = ? AND json_extract(state, '$.status') = 'created'", v, 2) !=
      SQLITE_DONE)
    return finish(s, db_fail(s, err, "record the state"), err);
  /* another process saw the whole run first (a quick command) and recorded its start and end (records.ts) */
  if (sqlite3_changes(s->db) == 0) return finish(s, 0, err);
  return finish(s, add_event(s, id, "start", attrs, err), err);
}

int store_event(store_t *s, const char *id, const char *action, const char *attrs, berr_t *err)
{
  return add_event(s, id, action, attrs, err);
}

bool store_layers_held(store_t *s, const char *const *layers, int n)
{
  for (int k = 0; k < n; k++)
    if (step1(s, "SELECT 1 FROM image_layers WHERE chain_id = ? LIMIT 1", &layers[k], 1) != SQLITE_ROW) return false;
  return true;
}

int store_build_replay(store_t *s, const store_replay *r, berr_t *err)
{
  if (exec(s, "BEGIN IMMEDIATE", err) < 0) return -1;
  int rc = 0;
  if (step1(s, "SELECT 1 FROM images WHERE id = ?", &r->image, 1) != SQLITE_ROW)
    rc = (fail(err, 0, "the image %s is gone", r->image), 1);
  for (int k = 0; !rc && k < r->ntags; k++) {
    const char *v[] = {r->tags[k], r->image};
    if (step1(s, "SELECT 1 FROM tags WHERE name = ? AND image_id = ?", v, 2) != SQLITE_ROW)
      rc = (fail(err, 0, "the tag %s names another image", r->tags[k]), 1);
  }
  for (int k = 0; !rc && k < r->ndigests; k++) {
    const char *v[] = {r->digests[k], r->image};
    if (step1(s, "SELECT 1 FROM repo_digests WHERE name = ? AND image_id = ?", v, 2) != SQLITE_ROW)
      rc = (fail(err, 0, "the digest name %s names another image", r->digests[k]), 1);
  }
  for (int k = 0; !rc && k < r->nbases; k++)
    if (step1(s, "SELECT 1 FROM tags WHERE name = ? AND image_id = ?", r->bases + 2 * k, 2) != SQLITE_ROW)
      rc = (fail(err, 0, "the base %s names another image", r->bases[2 * k]), 1);
  /* the cache's table is made on a build's first use: a store without it has no entry */
  for (int k = 0; !rc && k < r->nsteps; k++)
    if (step1(s,
              "SELECT 1 FROM build_cache c JOIN layers l ON l.chain_id = c.chain_id WHERE c.key = ? AND c.chain_id = ?",
              r->steps + 2 * k, 2) != SQLITE_ROW)
      rc = (fail(err, 0, "the cache has no entry %s", r->steps[2 * k]), 1);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char ms[32];
  snprintf(ms, sizeof ms, "%lld", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
  for (int k = 0; !rc && k < r->nsteps; k++) {
    const char *v[] = {ms, r->steps[2 * k]};
    if (step1(s, "UPDATE build_cache SET last_used = CAST(? AS INTEGER), usage_count = usage_count + 1 WHERE key = ?",
              v, 2) != SQLITE_DONE)
      rc = db_fail(s, err, "mark the cache used");
  }
  if (!rc) rc = add_events(s, r->events, r->nevents, err);
  return finish(s, rc, err);
}

int store_remove(store_t *s, const char *id, const char *die_attrs, const char *attrs, const store_ev *extra,
                 int nextra, berr_t *err)
{
  if (exec(s, "BEGIN IMMEDIATE", err) < 0) return -1;
  int rc = 0;
  if (step1(s, "SELECT 1 FROM containers WHERE id = ?", &id, 1) != SQLITE_ROW)
    return finish(s, 0, err); /* removed meanwhile */
  if (die_attrs) rc = add_event(s, id, "die", die_attrs, err);
  if (!rc) rc = add_events(s, extra, nextra, err);
  if (!rc && (step1(s, "DELETE FROM container_layers WHERE container_id = ?", &id, 1) != SQLITE_DONE ||
              step1(s, "DELETE FROM containers WHERE id = ?", &id, 1) != SQLITE_DONE ||
              step1(s, "DELETE FROM container_volumes WHERE container_id = ?", &id, 1) != SQLITE_DONE))
    rc = db_fail(s, err, "delete the container");
  if (!rc) rc = add_event(s, id, "destroy", attrs, err);
  return finish(s, rc, err);
}

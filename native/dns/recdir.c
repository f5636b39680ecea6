#include "recdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"

#define WATCH_MASK                                                                                                     \
  (IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define SYNC_READS 64 /* inotify reads per sync; the event loop comes back for the rest */

bool dns_record_file_name(const char *name)
{
  size_t n = strlen(name);
  return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".json");
}

/* The text of a record file, at most DNS_RECORD_FILE_MAX bytes; NULL (err filled) if it cannot be
 * used. ENOENT in err->code: the file is gone. */
static char *read_record(int dirfd, const char *name, berr_t *err)
{
  /* no symlinks; O_NONBLOCK so that a FIFO cannot stall the responder */
  autoclose int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return fail_errno(err, "open"), NULL;
  struct stat st;
  if (fstat(fd, &st) < 0) return fail_errno(err, "stat"), NULL;
  if (!S_ISREG(st.st_mode)) return fail(err, EINVAL, "not a regular file"), NULL;
  if (st.st_size > DNS_RECORD_FILE_MAX)
    return fail(err, EFBIG, "%lld bytes (at most %d)", (long long)st.st_size, DNS_RECORD_FILE_MAX), NULL;
  char *text = xmalloc(DNS_RECORD_FILE_MAX + 2);
  size_t len = 0;
  for (;;) {
    ssize_t r = read(fd, text + len, DNS_RECORD_FILE_MAX + 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      fail_errno(err, "read");
      free(text);
      return NULL;
    }
    if (r == 0) break;
    len += (size_t)r;
    if (len > DNS_RECORD_FILE_MAX) { /* it grew since fstat */
      fail(err, EFBIG, "more than %d bytes", DNS_RECORD_FILE_MAX);
      free(text);
      return NULL;
    }
  }
  text[len] = 0;
  if (memchr(text, 0, len)) {
    fail(err, EINVAL, "a NUL byte in the text");
    free(text);
    return NULL;
  }
  return text;
}

/* Read one record file again: its record replaced, added or (file gone) removed. */
static void load(dns_recdir *d, const char *name)
{
  if (!dns_record_file_name(name)) return;
  berr_t err = {0};
  dns_record r;
  autofree char *text = read_record(d->dirfd, name, &err);
  if (!text && err.code == ENOENT) {
    dns_records_remove(&d->rs, name);
    return;
  }
  if (!text || dns_record_parse(text, &r, &err) < 0) {
    dns_log("%s/%s skipped: %s", d->path, name, err.msg);
    memset(&r, 0, sizeof r); /* kept as present but unusable: the directory is not empty */
  }
  if (dns_records_set(&d->rs, name, &r) < 0)
    dns_log("%s/%s skipped: more than %d record files", d->path, name, DNS_RECORDS_MAX);
}

void dns_recdir_scan(dns_recdir *d)
{
  for (size_t k = 0; k < d->rs.n; k++) dns_record_free(&d->rs.recs[k]);
  d->rs.n = 0;
  int fd = openat(d->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
  if (!dir) {
    if (fd >= 0) close(fd);
    if (errno == ENOENT) d->gone = true;
    dns_log("read %s: %s", d->path, errno_text(errno));
  } else {
    struct dirent *e;
    while ((e = readdir(dir))) load(d, e->d_name);
    closedir(dir);
  }
  dns_records_index(&d->rs);
}

int dns_recdir_open(dns_recdir *d, const char *path, berr_t *err)
{
  memset(d, 0, sizeof *d);
  d->path = path;
  d->ifd = -1;
  d->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (d->dirfd < 0) return fail_errno(err, "open %s", path);
  d->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (d->ifd < 0) return fail_errno(err, "inotify_init1");
  if (inotify_add_watch(d->ifd, path, WATCH_MASK) < 0) return fail_errno(err, "inotify_add_watch %s", path);
  dns_recdir_scan(d);
  return 0;
}

void dns_recdir_close(dns_recdir *d)
{
  if (d->ifd >= 0) close(d->ifd);
  if (d->dirfd >= 0) close(d->dirfd);
  d->ifd = d->dirfd = -1;
  dns_records_clear(&d->rs);
}

static bool regular(const dns_recdir *d, const char *name)
{
  struct stat st;
  return fstatat(d->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

bool dns_recdir_sync(dns_recdir *d)
{
  /* aligned as inotify's events are */
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  bool changed = false, rescan = false;
  for (int reads = 0; reads < SYNC_READS; reads++) {
    ssize_t n = read(d->ifd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (char *p = buf; p < buf + n;) {
      const struct inotify_event *ev = (const struct inotify_event *)p;
      p += sizeof *ev + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) rescan = true;
      if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) d->gone = true;
      if (!ev->len || !dns_record_file_name(ev->name)) continue;
      if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
        changed |= dns_records_remove(&d->rs, ev->name);
      else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO) || (ev->mask & IN_CREATE && !regular(d, ev->name))) {
        /* a regular file is read once written (IN_CLOSE_WRITE) or renamed into place; anything
         * else (a symlink, a FIFO) has no such event, and is read (to be skipped) when it appears */
        load(d, ev->name);
        changed = true;
      }
    }
  }
  if (rescan && !d->gone) {
    dns_recdir_scan(d);
    return true;
  }
  if (changed) dns_records_index(&d->rs);
  return changed;
}

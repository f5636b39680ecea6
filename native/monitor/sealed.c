#include "sealed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: say that the memfd is meant to be executed */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

bool running_sealed(void)
{
  autoclose int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  int seals = fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & SEALS) == SEALS;
}

int add_seals(int fd, int seals)
{
  /* The kernel refuses F_SEAL_WRITE (EBUSY) while a page of the file has a reference it did not
   * expect: I/O in flight, a page being migrated or compacted, a pipe holding it. It waits only a
   * moment itself; on a busy machine that was too short (the test suite saw "seal the copy of
   * berth-monitor: device or resource busy" once). Try again for up to about a second. */
  for (int attempt = 0;; attempt++) {
    if (fcntl(fd, F_ADD_SEALS, seals) == 0) return 0;
    if (errno != EBUSY || attempt >= 50) return -1;
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

int sealed_copy(berr_t *err)
{
  autoclose int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (exe < 0) return fail_errno(err, "open /proc/self/exe");
  struct stat st;
  if (fstat(exe, &st) < 0) return fail_errno(err, "stat /proc/self/exe");
  int fd = memfd_create("berth-monitor", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) fd = memfd_create("berth-monitor", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return fail_errno(err, "memfd_create");
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(fd, exe, NULL, (size_t)left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(fd);
      errno = e;
      return fail_errno(err, "copy berth-monitor into a memfd");
    }
    left -= n;
  }
  if (add_seals(fd, SEALS) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return fail_errno(err, "seal the copy of berth-monitor");
  }
  return fd;
}

int exec_sealed(int fd, char *const *argv, char *const *env, berr_t *err)
{
  syscall(SYS_execveat, fd, "", argv, env, AT_EMPTY_PATH);
  return fail_errno(err, "execute the sealed copy of berth-monitor");
}

int reexec_sealed(char **argv, berr_t *err)
{
  if (running_sealed()) return 0;
  int fd = sealed_copy(err);
  if (fd < 0) return -1;
  extern char **environ;
  exec_sealed(fd, argv, environ, err);
  close(fd);
  return -1;
}

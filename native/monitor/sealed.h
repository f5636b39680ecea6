/* Running from a sealed copy of this program (the CVE-2019-5736 class): a
 * process that enters a container must never be the host's berth-monitor
 * file, which a container could otherwise open through /proc/<pid>/exe (or
 * run through a `#!/proc/self/exe` script) and overwrite. The copy is a
 * memfd sealed against writes, growth, shrinking and further sealing. */
#ifndef BERTH_SEALED_H
#define BERTH_SEALED_H

#include <stdbool.h>
#include "util.h"

/* Does this process run from a sealed copy? */
bool running_sealed(void);
/* fcntl(F_ADD_SEALS) that waits out pages the kernel briefly holds (EBUSY), up to about a second. */
int add_seals(int fd, int seals);
/* A sealed copy of /proc/self/exe: a close-on-exec fd to execveat, or -1 with err. */
int sealed_copy(berr_t *err);
/* Unless this process already runs from a sealed copy, execute one with the same argv and
 * environment: returns 0 when it already does, -1 on failure (never on success). */
int reexec_sealed(char **argv, berr_t *err);
/* Execute the sealed copy fd with argv and env; returns only on failure. */
int exec_sealed(int fd, char *const *argv, char *const *env, berr_t *err);

#endif

#include "ref.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool path_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/';
}

static bool tag_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int ref_normalize(const char *ref, char *out, size_t len)
{
  char name[256];
  const char *tag = "latest";
  if (!*ref || strlen(ref) >= sizeof name || strchr(ref, '@')) return -1;
  snprintf(name, sizeof name, "%s", ref);
  char *colon = strrchr(name, ':'), *slash = strrchr(name, '/');
  if (colon && (!slash || colon > slash)) {
    *colon = 0;
    tag = colon + 1;
    if (!*tag || strlen(tag) > 128 || tag[0] == '.' || tag[0] == '-') return -1;
    for (const char *p = tag; *p; p++)
      if (!tag_char(*p)) return -1;
  }
  /* a first component with a dot or a port, or localhost, is a registry: leave those to the engine unless plain */
  char *first_slash = strchr(name, '/');
  const char *domain = "docker.io", *path = name;
  char first[256] = "";
  if (first_slash) {
    snprintf(first, sizeof first, "%.*s", (int)(first_slash - name), name);
    if (strchr(first, '.') || strchr(first, ':') || !strcmp(first, "localhost")) {
      if (strchr(first, ':')) return -1;
      domain = first;
      path = first_slash + 1;
    }
  }
  if (!*path || path[0] == '/' || path[strlen(path) - 1] == '/' || strstr(path, "//")) return -1;
  for (const char *p = path; *p; p++)
    if (!path_char(*p)) return -1;
  bool library = !strcmp(domain, "docker.io") && !strchr(path, '/');
  int n = snprintf(out, len, "%s/%s%s:%s", domain, library ? "library/" : "", path, tag);
  return n > 0 && (size_t)n < len ? 0 : -1;
}

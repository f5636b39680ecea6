#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "version") == 0) {
    puts("berth-monitor 0.1.0");
    return 0;
  }
  fputs("berth-monitor: not implemented yet\n", stderr);
  return 1;
}

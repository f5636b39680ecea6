{
  "target_defaults": {
    "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-O2", "-D_GNU_SOURCE"],
    "cflags!": ["-fno-exceptions"]
  },
  "targets": [
    {
      "target_name": "berth_native",
      "sources": ["addon/addon.c"]
    },
    {
      "target_name": "berth-monitor",
      "type": "executable",
      "sources": ["monitor/main.c"],
      "ldflags": ["-static"]
    }
  ]
}

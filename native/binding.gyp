{
  "target_defaults": {
    "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-Wno-format-truncation", "-O2", "-D_GNU_SOURCE"],
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
      "sources": ["monitor/main.c", "monitor/util.c", "monitor/json.c", "monitor/spec.c", "monitor/cgroup.c", "monitor/rootfs.c", "monitor/process.c", "monitor/container.c", "monitor/logfile.c", "monitor/attach.c", "monitor/restart.c", "monitor/monitor.c", "monitor/control.c", "monitor/exec.c"],
      "cflags": ["-Os", "-ffunction-sections", "-fdata-sections"],
      "ldflags": ["-static", "-Wl,--gc-sections", "-s"]
    },
    {
      "target_name": "berth-monitor-tests",
      "type": "executable",
      "sources": ["tests/unit.c", "monitor/util.c", "monitor/json.c", "monitor/spec.c", "monitor/rootfs.c", "monitor/logfile.c", "monitor/attach.c", "monitor/restart.c"]
    }
  ]
}

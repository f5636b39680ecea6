{
  "variables": {
    "isal": "<!(test -f /usr/include/isa-l/igzip_lib.h && echo 1 || echo 0)",
    "sqlite_dir": "<!(node -p \"const p = require('path'); p.relative('.', p.join(p.dirname(require.resolve('better-sqlite3/package.json')), 'deps', 'sqlite3'))\")"
  },
  "target_defaults": {
    "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-Wno-format-truncation", "-O2", "-D_GNU_SOURCE"],
    "cflags!": ["-fno-exceptions"]
  },
  "targets": [
    {
      "target_name": "berth-constants",
      "type": "none",
      "hard_dependency": 1,
      "actions": [
        {
          "action_name": "gen-constants",
          "inputs": ["gen-constants.mjs", "constants.json", "../package.json"],
          "outputs": ["<(SHARED_INTERMEDIATE_DIR)/berth-constants.h"],
          "action": ["node", "gen-constants.mjs", "constants.json", "<@(_outputs)"]
        }
      ],
      "direct_dependent_settings": {"include_dirs": ["<(SHARED_INTERMEDIATE_DIR)"]}
    },
    {
      "target_name": "berth_native",
      "sources": ["addon/addon.c", "addon/write-files.c", "addon/read-files.c", "addon/hash-write.c", "addon/inflate.c", "addon/pool-work.c"],
      "conditions": [["isal==1", {"defines": ["BERTH_ISAL"], "libraries": ["-lisal"]}]]
    },
    {
      "target_name": "syscall-table",
      "type": "none",
      "actions": [
        {
          "action_name": "gen-syscalls",
          "inputs": ["monitor/gen-syscalls.mjs"],
          "outputs": ["<(SHARED_INTERMEDIATE_DIR)/berth/syscall-table.h"],
          "action": ["node", "monitor/gen-syscalls.mjs", "<(SHARED_INTERMEDIATE_DIR)/berth/syscall-table.h"]
        }
      ],
      "direct_dependent_settings": {"include_dirs": ["<(SHARED_INTERMEDIATE_DIR)/berth"]}
    },
    {
      "target_name": "berth-monitor",
      "type": "executable",
      "dependencies": ["berth-constants", "syscall-table"],
      "sources": ["monitor/main.c", "monitor/util.c", "monitor/strbuf.c", "monitor/json.c", "monitor/spec.c", "monitor/cgroup.c", "monitor/rootfs.c", "monitor/process.c", "monitor/container.c", "monitor/logfile.c", "monitor/attach.c", "monitor/restart.c", "monitor/monitor.c", "monitor/control.c", "monitor/exec.c", "monitor/sealed.c", "monitor/mountfd.c", "monitor/netlink.c", "monitor/network.c", "monitor/seccomp.c", "monitor/seccomp-bpf.c", "monitor/devices-bpf.c"],
      "cflags": ["-Os", "-ffunction-sections", "-fdata-sections"],
      "ldflags": ["-static", "-Wl,--gc-sections", "-s"]
    },
    {
      "target_name": "berth-sqlite",
      "type": "static_library",
      "sources": ["<(sqlite_dir)/sqlite3.c"],
      "cflags!": ["-Wall", "-Wextra", "-Werror", "-O2"],
      "cflags": ["-O2", "-w"],
      "defines": ["SQLITE_THREADSAFE=0", "SQLITE_OMIT_LOAD_EXTENSION", "SQLITE_DEFAULT_MEMSTATUS=0", "SQLITE_DQS=0", "SQLITE_OMIT_DEPRECATED"],
      "direct_dependent_settings": {"include_dirs": ["<(sqlite_dir)"]}
    },
    {
      "target_name": "berth-launch",
      "type": "executable",
      "dependencies": ["berth-constants", "berth-sqlite"],
      "sources": ["launcher/main.c", "launcher/build.c", "launcher/pull.c", "launcher/record.c", "launcher/run.c", "launcher/plan.c", "launcher/rows.c", "launcher/ref.c", "launcher/session.c", "launcher/store.c", "monitor/util.c", "monitor/strbuf.c", "monitor/json.c"],
      "ldflags": ["-static", "-Wl,--gc-sections", "-s"]
    },
    {
      "target_name": "berth-dns",
      "type": "executable",
      "sources": ["dns/main.c", "dns/server.c", "dns/forward.c", "dns/recdir.c", "dns/records.c", "dns/answer.c", "dns/wire.c", "dns/addr.c", "dns/log.c", "monitor/util.c", "monitor/json.c"],
      "cflags": ["-Os", "-ffunction-sections", "-fdata-sections"],
      "ldflags": ["-static", "-Wl,--gc-sections", "-s"]
    },
    {
      "target_name": "berth-dns-tests",
      "type": "executable",
      "sources": ["tests/dns-unit.c", "dns/records.c", "dns/answer.c", "dns/wire.c", "dns/addr.c", "monitor/util.c", "monitor/json.c"]
    },
    {
      "target_name": "berth-monitor-tests",
      "type": "executable",
      "dependencies": ["berth-constants", "syscall-table"],
      "sources": ["tests/unit.c", "monitor/util.c", "monitor/strbuf.c", "monitor/json.c", "monitor/spec.c", "monitor/cgroup.c", "monitor/rootfs.c", "monitor/process.c", "monitor/container.c", "monitor/logfile.c", "monitor/attach.c", "monitor/restart.c", "monitor/monitor.c", "monitor/control.c", "monitor/sealed.c", "monitor/mountfd.c", "monitor/netlink.c", "monitor/network.c", "launcher/ref.c", "launcher/plan.c", "launcher/rows.c", "monitor/seccomp.c", "monitor/seccomp-bpf.c", "monitor/devices-bpf.c"]
    },
    {
      "target_name": "berth-confine-tests",
      "type": "executable",
      "dependencies": ["berth-constants", "syscall-table"],
      "sources": ["tests/confine.c", "monitor/seccomp.c", "monitor/seccomp-bpf.c", "monitor/devices-bpf.c", "monitor/json.c", "monitor/util.c", "monitor/strbuf.c"]
    }
  ]
}

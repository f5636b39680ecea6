/**
 * The docker commands the compatibility run sends to both engines, as shell
 * snippets. `docker` is the real docker CLI; $P is a prefix for every name a
 * case makes (the peer is shared), $W the side's scratch directory, $FIX the
 * fixtures, $NET the network option (the peer runs without a bridge); $REG
 * and $AREG are the side's own loopback registries (plain; Basic auth for
 * $AUSER with $APASS).
 * Cases run in order; later ones use what earlier ones made.
 */
import type { Case } from './case.js';
import { BUILD_CASES } from './build-cases.js';
import { NETWORK_CASES } from './network-cases.js';
import { REGISTRY_CASES } from './registry-cases.js';
export type { Case } from './case.js';

const RUN = 'docker run $NET';

export const CASES: Case[] = [
  // ---- images to start from ----
  { id: 'load', sh: 'docker load -i $FIX/layers.docker-save.tar' },
  // images created in the same second come in any order from dockerd: sorted here; the two names
  // the fixtures load (the peer dockerd is shared: other tests' bb* images may be there)
  {
    id: 'images-reference',
    sh: "docker images --filter reference=bb --filter reference='bb-layers:*' --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' | sort",
  },
  { id: 'images-table', sh: 'docker images bb-layers | sort' },
  {
    id: 'image-inspect',
    sh: "docker inspect -f '{{.Id}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{json .Config.Env}}' bb-layers:v1",
  },
  {
    id: 'image-inspect-layers',
    sh: "docker image inspect -f '{{json .RootFS.Layers}} {{.Author}} {{.Comment}}' bb-layers",
  },
  { id: 'history', sh: "docker history --format '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}' bb-layers:v1" },
  { id: 'history-table', sh: 'docker history bb' },

  // ---- run ----
  { id: 'run-echo', sh: `${RUN} --rm bb echo hello` },
  { id: 'run-env', sh: `${RUN} --rm -e FOO=bar bb sh -c 'echo $FOO'` },
  { id: 'run-image-env-workdir', sh: `${RUN} --rm bb-layers sh -c 'echo $FOO; pwd; cat a.txt'` },
  { id: 'run-workdir', sh: `${RUN} --rm -w /data/sub bb-layers sh -c 'echo $PWD'` },
  { id: 'run-user', sh: `${RUN} --rm --user 1000:1000 bb id` },
  { id: 'run-exit-code', sh: `${RUN} --rm bb sh -c 'exit 3'` },
  {
    id: 'run-stdout-stderr',
    sh: `${RUN} --rm bb sh -c 'echo out; echo err >&2' 2>$W/err; echo "stderr: $(cat $W/err)"`,
  },
  {
    id: 'run-memory',
    sh: `${RUN} -d -m 64m --name \${P}mem bb sleep 600 >/dev/null && docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' \${P}mem && docker stats --no-stream --format '{{.MemUsage}}' \${P}mem | sed 's/^.* \\/ //' && docker rm -f \${P}mem`,
  },
  { id: 'run-cgroup-files', sh: `${RUN} --rm -m 64m bb cat /sys/fs/cgroup/memory/memory.limit_in_bytes` },
  {
    id: 'run-cpus-pids',
    sh: `docker create $NET --cpus 0.5 --pids-limit 10 --name \${P}lim bb true >/dev/null && docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' \${P}lim && docker rm \${P}lim`,
  },
  { id: 'run-hostname', sh: `${RUN} --rm --hostname myhost bb hostname` },
  { id: 'run-entrypoint', sh: `${RUN} --rm --entrypoint echo bb hi there` },
  { id: 'run-read-only', sh: `${RUN} --rm --read-only bb sh -c 'echo x > /x'` },
  { id: 'run-no-such-program', sh: `${RUN} --rm bb nonexist` },
  {
    id: 'run-volume',
    sh: `${RUN} --rm -v \${P}vol:/v bb sh -c 'echo x > /v/f; cat /v/f'; ${RUN} --rm -v \${P}vol:/v bb cat /v/f`,
  },
  { id: 'run-bind', sh: `mkdir -p $W/host && echo bound > $W/host/file && ${RUN} --rm -v $W/host:/h bb cat /h/file` },
  { id: 'run-stdin', sh: `echo piped | ${RUN} -i --rm bb cat` },
  { id: 'run-tty', sh: `${RUN} -it --rm bb sh -c 'test -t 0 && echo tty; echo done'`, tty: {} },
  {
    id: 'run-name',
    sh: `${RUN} --name \${P}named bb echo named && docker ps -a --filter name=\${P}named --format '{{.Names}} {{.Status}}'`,
  },
  { id: 'run-name-conflict', sh: `${RUN} --name \${P}named bb true` },
  { id: 'run-no-such-image', sh: `${RUN} --rm \${P}nothing:1 true 2>&1 | head -1` },
  { id: 'run-detached', sh: `${RUN} -d --name \${P}d -l team=compat bb-layers sleep 600 | wc -c` },
  {
    id: 'create-start-attach',
    sh: `docker create $NET --name \${P}c bb echo created | wc -c && docker start -a \${P}c`,
  },

  // ---- ps ----
  {
    id: 'ps-format',
    // docker 20.10 lists .Labels in Go's map order (random), so the labels go on lines of their own,
    // sorted: glued to the row's other fields, the first label made the line differ when the order did
    sh: "docker ps --filter name=${P}d --format '{{.Names}}|{{.Status}}|{{.Command}}|{{.Image}}' && docker ps --filter name=${P}d --format '{{.Labels}}' | tr , '\\n' | sort",
  },
  { id: 'ps-table', sh: 'docker ps --filter name=${P}d' },
  { id: 'ps-all-names', sh: "docker ps -a --filter name=${P} --format '{{.Names}}'" },
  {
    id: 'ps-status-exited',
    sh: "docker ps -a --filter name=${P} --filter status=exited --format '{{.Names}} {{.Status}}'",
  },
  { id: 'ps-ancestor', sh: "docker ps -a --filter name=${P} --filter ancestor=bb-layers --format '{{.Names}}'" },
  { id: 'ps-label', sh: "docker ps --filter label=team=compat --format '{{.Names}}'" },
  { id: 'ps-quiet', sh: 'docker ps -q --filter name=${P}d' },
  {
    id: 'ps-json',
    // the Labels string is in Go's map order with docker 20.10 (random): ps-format checks the labels
    sh: 'docker ps --filter name=${P}d --format \'{{json .}}\' | sed \'s/"Labels":"[^"]*"/"Labels":"<labels>"/\'',
  },
  { id: 'ps-no-trunc', sh: "docker ps --no-trunc --filter name=${P}d --format '{{.ID}} {{.Command}}'" },

  // ---- inspect ----
  {
    id: 'inspect-state',
    sh: "docker inspect -f '{{.State.Status}} {{.State.Running}} {{.Config.Image}} {{.HostConfig.NetworkMode}} {{.Name}}' ${P}d",
  },
  {
    id: 'inspect-config',
    sh: "docker inspect -f '{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.Labels}} {{.Config.WorkingDir}}' ${P}d",
  },
  {
    id: 'inspect-hostconfig',
    sh: "docker container inspect -f '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.AutoRemove}} {{.HostConfig.ShmSize}}' ${P}d",
  },
  { id: 'inspect-missing', sh: 'docker inspect ${P}missing' },

  // ---- logs ----
  {
    id: 'logs',
    sh: `${RUN} -d --name \${P}log bb sh -c 'for i in 1 2 3 4 5; do echo line$i; done' >/dev/null; docker wait \${P}log; docker logs \${P}log`,
  },
  {
    id: 'logs-streams',
    sh: `${RUN} -d --name \${P}log2 bb sh -c 'echo out; echo err >&2' >/dev/null; docker wait \${P}log2 >/dev/null; echo "stdout: $(docker logs \${P}log2 2>/dev/null)"; echo "stderr: $(docker logs \${P}log2 2>&1 >/dev/null)"`,
  },
  { id: 'logs-tail', sh: 'docker logs --tail 2 ${P}log' },
  { id: 'logs-timestamps', sh: 'docker logs -t --tail 1 ${P}log' },
  {
    id: 'logs-follow',
    sh: `${RUN} -d --name \${P}follow bb sh -c 'echo a; sleep 1; echo b' >/dev/null; docker logs -f \${P}follow`,
  },
  { id: 'logs-missing', sh: 'docker logs ${P}missing' },

  // ---- exec ----
  { id: 'exec', sh: 'docker exec ${P}d echo hi' },
  { id: 'exec-env-workdir-user', sh: "docker exec -e X=1 -w /tmp -u 1000 ${P}d sh -c 'echo $X; pwd; id -u'" },
  { id: 'exec-exit-code', sh: "docker exec ${P}d sh -c 'exit 7'" },
  { id: 'exec-stdin', sh: 'echo in | docker exec -i ${P}d cat' },
  { id: 'exec-tty', sh: "docker exec -it ${P}d sh -c 'test -t 0 && echo tty'", tty: {} },
  { id: 'exec-detach', sh: 'docker exec -d ${P}d sleep 1' },
  { id: 'exec-stopped', sh: 'docker exec ${P}log true' },

  // ---- attach ----
  {
    id: 'attach-output',
    sh: `${RUN} -d --name \${P}att bb sh -c 'sleep 1; echo late' >/dev/null; docker attach \${P}att`,
  },
  {
    id: 'attach-detach',
    sh: `${RUN} -dit --name \${P}tty bb sh >/dev/null; sleep 0.5; docker attach \${P}tty; echo "exit $?"; docker inspect -f '{{.State.Running}}' \${P}tty`,
    tty: { input: 'echo typed\n\x10\x11', afterMs: 2500 },
  },

  // ---- cp ----
  {
    id: 'cp-in',
    sh: 'echo copied > $W/in.txt && docker cp $W/in.txt ${P}d:/tmp/ && docker exec ${P}d cat /tmp/in.txt',
  },
  { id: 'cp-out-file', sh: 'docker cp ${P}d:/data/a.txt $W/a.txt && cat $W/a.txt' },
  { id: 'cp-out-dir', sh: 'docker cp ${P}d:/data $W/dataout && ls -R $W/dataout' },
  { id: 'cp-out-contents', sh: 'docker cp ${P}d:/data/. $W/contents && ls $W/contents' },
  { id: 'cp-out-stream', sh: 'docker cp ${P}d:/data/a.txt - | tar -tv | cut -c1-10' },
  {
    id: 'cp-in-dir',
    sh: 'mkdir -p $W/tree/sub && echo t > $W/tree/sub/t && docker cp $W/tree ${P}d:/tmp && docker exec ${P}d cat /tmp/tree/sub/t',
  },
  { id: 'cp-missing', sh: 'docker cp ${P}d:/nothing $W/x' },

  // ---- changes, top, port, diff, export ----
  // dockerd lists changes in directory order: sorted here
  { id: 'diff', sh: "docker exec ${P}d sh -c 'echo x > /data/new; rm /data/link' && docker diff ${P}d | sort -k2" },
  { id: 'top', sh: 'docker top ${P}d' },
  { id: 'top-ps-args', sh: 'docker top ${P}d -o pid,args | sed 1d | wc -l' },
  { id: 'port', sh: 'docker port ${P}d' },
  { id: 'export', sh: 'docker export ${P}d | tar -t | grep -E "^(bin/busybox|data/a.txt|etc/passwd)$" | sort' },

  // ---- commit, tag, save, load, rmi ----
  {
    id: 'commit',
    sh: "docker commit -m snap -a me -c 'ENV A=1' ${P}d ${P}img:1 | wc -c && docker inspect -f '{{json .Config.Env}} {{.Comment}} {{.Author}}' ${P}img:1",
  },
  { id: 'commit-history', sh: "docker history --format '{{.CreatedBy}}|{{.Comment}}' ${P}img:1 | head -2" },
  { id: 'tag', sh: "docker tag bb ${P}tag:1 && docker images ${P}tag --format '{{.Repository}}:{{.Tag}} {{.ID}}'" },
  { id: 'rmi-untag', sh: 'docker rmi ${P}tag:1' },
  {
    id: 'save-load',
    sh: 'docker save ${P}img:1 -o $W/img.tar && docker rmi ${P}img:1 >/dev/null && docker load -i $W/img.tar',
  },
  { id: 'save-stdout', sh: 'docker save bb | docker load' },
  {
    id: 'import',
    sh: 'docker import -c \'CMD ["sh"]\' $FIX/container-export.tar ${P}imp:1 | wc -c && docker run $NET --rm ${P}imp:1 cat /data/a.txt',
  },
  { id: 'rmi-in-use', sh: 'docker rmi ${P}img:1' },

  // ---- volumes ----
  { id: 'volume-create', sh: 'docker volume create ${P}v1' },
  { id: 'volume-create-label', sh: 'docker volume create --label team=compat ${P}v2' },
  { id: 'volume-ls', sh: 'docker volume ls --filter name=${P}v' },
  { id: 'volume-inspect', sh: "docker volume inspect -f '{{.Name}} {{.Driver}} {{.Labels}} {{.Scope}}' ${P}v2" },
  { id: 'volume-ls-dangling', sh: 'docker volume ls -q --filter dangling=true --filter name=${P}v' },
  { id: 'volume-rm', sh: 'docker volume rm ${P}v1' },
  {
    id: 'volume-rm-in-use',
    sh: `${RUN} -d --name \${P}vu -v \${P}v2:/v bb sleep 600 >/dev/null && docker volume rm \${P}v2`,
  },
  // the peer speaks API 1.41, where prune takes every unused volume (1.42 made named ones need --all)
  {
    id: 'volume-prune',
    sh: 'docker rm -f ${P}vu >/dev/null && DOCKER_API_VERSION=1.41 docker volume prune -f --filter label=team=compat',
  },

  // ---- stats, events, system ----
  { id: 'stats', sh: "docker stats --no-stream --format '{{.Name}} {{.PIDs}}' ${P}d" },
  { id: 'stats-table-head', sh: 'docker stats --no-stream ${P}d | head -1' },
  {
    id: 'events',
    sh: `T0=$(date +%s); ${RUN} --rm --name \${P}ev bb true; sleep 1; docker events --since $T0 --until $(date +%s) --filter container=\${P}ev --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'`,
  },
  { id: 'system-df', sh: "docker system df --format '{{.Type}}'" },
  {
    id: 'info',
    sh: "docker info --format '{{.OSType}} {{.Architecture}} {{.NCPU}} {{.CgroupVersion}} {{.LoggingDriver}}'",
  },

  // ---- lifecycle ----
  { id: 'wait', sh: `${RUN} -d --name \${P}w bb sh -c 'sleep 1; exit 5' >/dev/null; docker wait \${P}w` },
  { id: 'rename', sh: "docker rename ${P}w ${P}w2 && docker ps -a --filter name=${P}w --format '{{.Names}}'" },
  {
    id: 'update',
    sh: "docker update -m 64m --memory-swap 128m --restart on-failure:2 ${P}d && docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' ${P}d",
  },
  {
    id: 'pause',
    sh: "docker pause ${P}d && docker ps --filter name=${P}d --format '{{.Status}}' && docker unpause ${P}d",
  },
  { id: 'start-running', sh: 'docker start ${P}d' },
  { id: 'restart', sh: "docker restart -t 1 ${P}d && docker inspect -f '{{.State.Running}}' ${P}d" },
  { id: 'kill', sh: "docker kill -s TERM ${P}d && sleep 0.5 && docker inspect -f '{{.State.Status}}' ${P}d" },
  { id: 'stop-stopped', sh: 'docker stop ${P}d' },
  {
    id: 'rm-running',
    sh: `${RUN} -d --name \${P}busy bb sleep 600 >/dev/null; docker rm \${P}busy 2>&1 | sed 's/[0-9a-f]\\{64\\}/ID/'`,
  },
  { id: 'rm-force', sh: 'docker rm -f ${P}busy' },
  {
    id: 'container-prune',
    sh: "docker container prune -f --filter label=team=compat | sed 's/^[0-9a-f]\\{64\\}$/ID/'",
  },
  ...REGISTRY_CASES,
  ...NETWORK_CASES,
  ...BUILD_CASES,
];

/** Remove what the cases made (names with the prefix), on one side. */
export const CLEANUP = [
  'docker rm -f $(docker ps -aq --filter name=$P) >/dev/null 2>&1',
  'docker volume rm -f $(docker volume ls -q --filter name=$P) >/dev/null 2>&1',
  'docker rmi -f $(docker images --format \'{{.Repository}}:{{.Tag}}\' | grep "$P") >/dev/null 2>&1',
  'docker logout $AREG >/dev/null 2>&1',
  'docker network rm $(docker network ls -q --filter name=$P) >/dev/null 2>&1',
  'true',
].join('; ');

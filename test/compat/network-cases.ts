/**
 * The compatibility run's network commands. Each side gets its own subnet
 * ($SUBNET, gateway $GW, both hidden in the comparison: the two engines'
 * bridges share the host). The peer dockerd runs without its default bridge
 * and without iptables, so only user-defined networks are compared.
 */
import type { Case } from './case.js';

export const NETWORK_CASES: Case[] = [
  {
    id: 'network-create',
    sh: 'docker network create --subnet $SUBNET --gateway $GW --label team=compat ${P}net && docker network create ${P}net2 >/dev/null',
  },
  { id: 'network-create-dup', sh: 'docker network create ${P}net' },
  { id: 'network-ls', sh: "docker network ls --filter name=${P} --format '{{.Name}} {{.Driver}} {{.Scope}}' | sort" },
  { id: 'network-ls-label', sh: 'docker network ls -q --filter label=team=compat | wc -l' },
  {
    id: 'network-inspect',
    sh: "docker network inspect -f '{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Labels}} {{.Internal}} {{.Attachable}} {{.EnableIPv6}}' ${P}net",
  },
  { id: 'network-inspect-missing', sh: 'docker network inspect ${P}nope' },
  {
    id: 'network-run',
    sh: 'docker run --rm --network ${P}net --ip ${GW%.1}.9 bb sh -c \'ip -4 -o addr show eth0 | tr -s " " | cut -d" " -f4\'',
  },
  {
    id: 'network-connect',
    sh: "docker create --name ${P}n --network ${P}net bb sleep 600 >/dev/null && docker network connect --alias extra ${P}net2 ${P}n && docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}:{{$v.Aliases}} {{end}}' ${P}n",
  },
  {
    id: 'network-disconnect',
    sh: "docker network disconnect ${P}net2 ${P}n && docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' ${P}n",
  },
  { id: 'network-rm-in-use', sh: 'docker start ${P}n >/dev/null && docker network rm ${P}net' },
  { id: 'network-rm', sh: 'docker rm -f ${P}n >/dev/null && docker network rm ${P}net2' },
  { id: 'network-prune', sh: 'docker network prune -f --filter label=team=compat' },
];

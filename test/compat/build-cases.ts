/**
 * The compatibility run's build commands, through the classic builder's
 * stream (DOCKER_BUILDKIT=0: docker 28 has no buildx here, and compose 1.29
 * speaks the classic API). RUN steps without a network on both sides (the
 * peer dockerd has no bridge).
 */
import type { Case } from './case.js';

const BUILD = 'DOCKER_BUILDKIT=0 docker build --network none';
const DOCKERFILE = String.raw`FROM bb\nRUN echo built > /built\nENV B=1\nLABEL team=compat\nCMD ["cat", "/built"]\n`;

export const BUILD_CASES: Case[] = [
  {
    id: 'build',
    sh: `mkdir -p $W/ctx && printf '${DOCKERFILE}' > $W/ctx/Dockerfile && ${BUILD} -q -t \${P}built:1 $W/ctx 2>&1 | grep -v '^DEPRECATED\\|^ *Install the buildx\\|^ *BuildKit is currently\\|^ *https://docs.docker.com/go/buildx\\|^ *environment-variable\\|^$' && docker run $NET --rm \${P}built:1`,
  },
  {
    id: 'build-inspect',
    sh: "docker inspect -f '{{json .Config.Cmd}} {{json .Config.Env}} {{.Config.Labels}} {{len .RootFS.Layers}}' ${P}built:1",
  },
  { id: 'build-output', sh: `${BUILD} --no-cache -t \${P}built:2 $W/ctx 2>&1 | grep -v '^ *$'` },
  {
    id: 'build-arg-file',
    sh: `printf 'FROM bb\\nARG X=a\\nRUN echo $X > /x\\n' > $W/ctx/other.Dockerfile && ${BUILD} -q --build-arg X=b -f $W/ctx/other.Dockerfile -t \${P}built:3 $W/ctx >/dev/null 2>&1 && docker run $NET --rm \${P}built:3 cat /x`,
  },
  {
    id: 'build-stdin-tar',
    sh: `tar -C $W/ctx -c Dockerfile | ${BUILD} -q -t \${P}built:4 - 2>/dev/null | wc -c && docker images --format '{{.Tag}}' \${P}built | sort`,
  },
  { id: 'build-fails', sh: `printf 'FROM bb\\nRUN exit 3\\n' | ${BUILD} -q -t \${P}bad - >/dev/null 2>&1; echo $?` },
  { id: 'build-missing-base', sh: `printf 'FROM \${P}nothing:1\\n' | ${BUILD} -q - >/dev/null 2>&1; echo $?` },
];
